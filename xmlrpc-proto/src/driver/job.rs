//! Serving a [`Site`] over a [`ServerConnection`]: the part of a server
//! that every runtime shares.
//!
//! A runtime's connection loop reads bytes, hands them to the
//! [`ServerConnection`], and for each event calls [`handle_event`]. That
//! answers what needs no procedure (a path with nothing mounted: `404`; a
//! body that is not a call: the FAILURE fault) and returns a [`Job`] for a
//! real call. The runtime may wait for a slot first (a limit on calls in
//! flight), then [`Job::start`]s it, polls the [`Running`] future it gets,
//! and hands the [`Answer`] back with [`Answer::send`]. Each answer is
//! written with the encoding policy of the dispatcher that produced it
//! (nil, i8), so several dispatchers with different policies can share a
//! connection.
//!
//! Runtimes that do not drive a [`ServerConnection`] (a `tower` service
//! behind hyper, for example) use [`Job::from_body`] and
//! [`Answer::into_body`] instead.
//!
//! ```
//! use std::time::Instant;
//! use xmlrpc_proto::dispatch::{Dispatcher, Site};
//! use xmlrpc_proto::driver::{Step, handle_event};
//! use xmlrpc_proto::{ServerConfig, ServerConnection};
//!
//! let mut d = Dispatcher::new();
//! d.register("add", |a: i32, b: i32| a + b);
//! let site = Site::standard(d);
//!
//! let body = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName>\
//!     <params><param><value><int>2</int></value></param>\
//!     <param><value><int>3</int></value></param></params></methodCall>";
//! let request = format!(
//!     "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
//!     body.len()
//! );
//! let mut conn = ServerConnection::new(ServerConfig::default());
//! conn.handle_data(request.as_bytes(), Instant::now());
//! let event = conn.poll_event().unwrap().unwrap();
//! let Step::Call(job) = handle_event(&site, &mut conn, event) else { panic!() };
//! // A runtime awaits this future; a synchronous procedure is ready at once.
//! let answer = job.start().into_ready().unwrap();
//! answer.send(&mut conn);
//! let out = String::from_utf8(conn.poll_transmit().unwrap().to_vec()).unwrap();
//! assert!(out.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(out.contains("<int>5</int>"));
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::dispatch::{Dispatcher, Reply, Site};
use crate::{Fault, Limits, MethodCall, RequestHead, ServerConnection, ServerEvent, Value, codec};

/// The content type of every XML-RPC answer.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// What the runtime does next with an event, as [`handle_event`] decided.
#[derive(Debug)]
#[must_use]
#[non_exhaustive]
pub enum Step {
    /// The answer is queued on the connection (a `404`, or a fault for a
    /// body that is not a call): write it out and carry on.
    Answered,
    /// A call for a procedure: start it, wait for it, send its answer.
    Call(Job),
    /// The peer closed the connection between requests.
    Closed,
}

/// Handles one event of `conn` for `site`.
///
/// A call to a path with nothing mounted is answered `404 Not Found`; a
/// request whose body is not a `methodCall` gets the dispatcher's
/// `Can't deserialize input` fault (or `404` when its path serves
/// nothing). Both are queued on `conn` at once.
pub fn handle_event(site: &Site, conn: &mut ServerConnection, event: ServerEvent) -> Step {
    match event {
        ServerEvent::Call(incoming) => match site.resolve(&incoming.head.path) {
            Some(dispatcher) => Step::Call(Job {
                dispatcher: Arc::clone(dispatcher),
                head: incoming.head,
                call: incoming.call,
            }),
            None => {
                not_found(conn);
                Step::Answered
            }
        },
        ServerEvent::BadCall(bad) => {
            match site.resolve(&bad.head.path) {
                Some(dispatcher) => {
                    let fault = dispatcher.bad_request(&bad.error);
                    Answer {
                        dispatcher: Arc::clone(dispatcher),
                        result: Err(fault),
                    }
                    .send(conn);
                }
                None => not_found(conn),
            }
            Step::Answered
        }
        ServerEvent::Closed => Step::Closed,
        // A future kind of event this version does not know: answer a
        // request in flight, if there is one, with a plain error.
        #[allow(unreachable_patterns)]
        _ => {
            let _ = conn.respond_status(500);
            Step::Answered
        }
    }
}

fn not_found(conn: &mut ServerConnection) {
    // The connection has a request in flight: this event was just taken
    // from it. Should it have closed meanwhile, there is nobody to answer.
    if let Err(e) = conn.respond_status(404) {
        tracing::debug!(error = %e, "could not answer 404");
    }
}

/// A call to run: the procedure's dispatcher, the HTTP request and the
/// call.
#[derive(Debug)]
pub struct Job {
    dispatcher: Arc<Dispatcher>,
    head: RequestHead,
    call: MethodCall,
}

impl Job {
    /// A job for a body that arrived some other way than through a
    /// [`ServerConnection`] (a `tower` service, a test): decodes `body`
    /// within `limits`.
    ///
    /// # Errors
    ///
    /// The answer to send instead when the body is not a `methodCall`:
    /// the dispatcher's `Can't deserialize input` fault.
    pub fn from_body(
        dispatcher: Arc<Dispatcher>,
        head: RequestHead,
        body: &[u8],
        limits: &Limits,
    ) -> Result<Self, Answer> {
        match codec::decode_call(body, limits) {
            Ok(call) => Ok(Self {
                dispatcher,
                head,
                call,
            }),
            Err(e) => Err(Answer {
                result: Err(dispatcher.bad_request(&e)),
                dispatcher,
            }),
        }
    }

    /// The HTTP request the call came in.
    #[must_use]
    pub fn head(&self) -> &RequestHead {
        &self.head
    }

    /// The call.
    #[must_use]
    pub fn call(&self) -> &MethodCall {
        &self.call
    }

    /// The dispatcher that will run it.
    #[must_use]
    pub fn dispatcher(&self) -> &Arc<Dispatcher> {
        &self.dispatcher
    }

    /// Runs the procedure. A synchronous procedure has finished when this
    /// returns ([`Running::into_ready`]); an asynchronous one finishes as
    /// the returned future is polled.
    pub fn start(self) -> Running {
        let reply = self.dispatcher.call(&self.head, self.call);
        Running {
            reply,
            dispatcher: self.dispatcher,
        }
    }

    /// The answer for a call that is refused without running (a server
    /// over its limit of calls in flight, for instance).
    pub fn refuse(self, fault: Fault) -> Answer {
        Answer {
            dispatcher: self.dispatcher,
            result: Err(fault),
        }
    }
}

/// A started call: a future of its [`Answer`]. `Send`, `'static` and
/// `Unpin`, so it can be spawned or polled anywhere.
#[derive(Debug)]
#[must_use = "a running call does nothing unless polled"]
pub struct Running {
    reply: Reply,
    dispatcher: Arc<Dispatcher>,
}

impl Running {
    /// The answer, if the procedure has already finished; else the
    /// future back, to be polled.
    ///
    /// # Errors
    ///
    /// The future itself when it still has to be polled.
    pub fn into_ready(self) -> Result<Answer, Self> {
        match self.reply.into_ready() {
            Ok(result) => Ok(Answer {
                dispatcher: self.dispatcher,
                result,
            }),
            Err(reply) => Err(Self {
                reply,
                dispatcher: self.dispatcher,
            }),
        }
    }
}

impl Future for Running {
    type Output = Answer;

    /// # Panics
    ///
    /// When polled again after it returned `Ready`, like most futures.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Answer> {
        let this = self.get_mut();
        match Pin::new(&mut this.reply).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => Poll::Ready(Answer {
                dispatcher: Arc::clone(&this.dispatcher),
                result,
            }),
        }
    }
}

/// The outcome of a call, ready to be written with its dispatcher's
/// encoding policy.
#[derive(Debug)]
#[must_use = "an answer does nothing unless sent"]
pub struct Answer {
    dispatcher: Arc<Dispatcher>,
    result: Result<Value, Fault>,
}

impl Answer {
    /// The procedure's result.
    pub fn result(&self) -> &Result<Value, Fault> {
        &self.result
    }

    /// The `methodResponse` body. A result the dispatcher's policy cannot
    /// write (nil where nil is not allowed, a non-finite double) becomes
    /// the dispatcher's `Can't serialize output` fault.
    #[must_use]
    pub fn into_body(self) -> Vec<u8> {
        let options = self.dispatcher.encode_options();
        let mut body = Vec::with_capacity(256);
        if let Err(e) = codec::encode_response(&self.result, options, &mut body) {
            body.clear();
            let fault = Err(self.dispatcher.encode_failure(&e));
            if let Err(e) = codec::encode_response(&fault, options, &mut body) {
                // A fault is an int and a string: always writable.
                tracing::error!(error = %e, "fault could not be written");
            }
        }
        body
    }

    /// Queues the answer on `conn` as `200 OK`.
    pub fn send(self, conn: &mut ServerConnection) {
        let body = self.into_body();
        if let Err(e) = conn.respond_raw(200, CONTENT_TYPE, &body) {
            tracing::debug!(error = %e, "connection closed before the answer");
        }
    }
}
