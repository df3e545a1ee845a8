//! Serving a [`Site`] over a [`ServerConnection`]: the part of a server
//! that every runtime shares.
//!
//! A runtime's connection loop reads bytes, hands them to the
//! [`ServerConnection`], and for each event calls [`handle_event`] (which
//! is what [`ServerConnection::poll_job`] does). That
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
//! use xmlrpc_proto::serve::{Step, handle_event};
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
//! let out = String::from_utf8(conn.poll_transmit(Instant::now()).unwrap().to_vec()).unwrap();
//! assert!(out.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(out.contains("<int>5</int>"));
//! ```

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::dispatch::site::{HandlerFn, Kind, ResponseFuture};
use crate::dispatch::{Dispatcher, Reply, Resource, Site};
use crate::soap::{FaultCode, SoapCall, SoapFault, SoapService};
use crate::{
    Fault, HttpResponse, Limits, MethodCall, RequestHead, ServerConnection, ServerEvent, Value,
    codec,
};

/// The content type of every XML-RPC answer.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// What the runtime does next with an event, as [`handle_event`] decided.
#[derive(Debug)]
#[must_use]
#[non_exhaustive]
pub enum Step {
    /// The answer is queued on the connection (a `404`, a `405`, or a
    /// fault for a body that is not a call): write it out and carry on.
    Answered,
    /// A call for a procedure (or a request for a handler resource):
    /// start it, wait for it, send its answer.
    Call(Job),
    /// The peer closed the connection between requests.
    Closed,
}

/// Handles one event of `conn` for `site`.
///
/// With [`ServerConfig::raw_requests`](crate::ServerConfig::raw_requests)
/// (what the runtimes use), each request
/// goes to the resource mounted at its path, as [`Job::route`] says: a
/// path with nothing mounted is answered `404 Not Found`, a method the
/// resource does not serve `405`, a body that is not a call the
/// dispatcher's `Can't deserialize input` fault; those answers are queued
/// on `conn` at once. Without it, the connection has already decoded the
/// body as an XML-RPC call, and only XML-RPC resources serve it (`404`
/// elsewhere).
pub fn handle_event(site: &Site, conn: &mut ServerConnection, event: ServerEvent) -> Step {
    match event {
        ServerEvent::Request(req) => {
            let limits = conn.config().limits.clone();
            match Job::route(site, req.head, req.body, &limits) {
                Ok(job) => Step::Call(job),
                Err(answer) => {
                    answer.send(conn);
                    Step::Answered
                }
            }
        }
        ServerEvent::Call(incoming) => match xmlrpc_at(site, &incoming.head.path) {
            Some(dispatcher) => Step::Call(Job {
                head: incoming.head,
                work: Work::XmlRpc {
                    dispatcher: Arc::clone(dispatcher),
                    call: incoming.call,
                },
            }),
            None => {
                not_found(conn);
                Step::Answered
            }
        },
        ServerEvent::BadCall(bad) => {
            match xmlrpc_at(site, &bad.head.path) {
                Some(dispatcher) => {
                    let fault = dispatcher.bad_request(&bad.error);
                    Answer::xmlrpc(Arc::clone(dispatcher), Err(fault)).send(conn);
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

/// The XML-RPC dispatcher mounted at `path`, if that is what is there.
fn xmlrpc_at<'s>(site: &'s Site, path: &str) -> Option<&'s Arc<Dispatcher>> {
    match site.resource(path).map(|r| &r.kind) {
        Some(Kind::XmlRpc(d)) => Some(d),
        _ => None,
    }
}

fn not_found(conn: &mut ServerConnection) {
    // The connection has a request in flight: this event was just taken
    // from it. Should it have closed meanwhile, there is nobody to answer.
    if let Err(e) = conn.respond_status(404) {
        tracing::debug!(error = %e, "could not answer 404");
    }
}

/// Work to run for one request: a procedure's call, or a handler
/// resource's request.
#[derive(Debug)]
pub struct Job {
    head: RequestHead,
    work: Work,
}

enum Work {
    XmlRpc {
        dispatcher: Arc<Dispatcher>,
        call: MethodCall,
    },
    Soap {
        service: Arc<SoapService>,
        call: SoapCall,
    },
    Handler {
        handler: HandlerFn,
        body: Vec<u8>,
    },
}

impl std::fmt::Debug for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::XmlRpc { call, .. } => f.debug_tuple("XmlRpc").field(call).finish(),
            Self::Soap { call, .. } => f.debug_tuple("Soap").field(call).finish(),
            Self::Handler { body, .. } => write!(f, "Handler({} bytes)", body.len()),
        }
    }
}

impl Job {
    /// The work for a complete request to `site`, or the answer to send
    /// at once: `404` for a path with nothing mounted, else what
    /// [`Job::for_resource`] says.
    ///
    /// # Errors
    ///
    /// The answer to send instead of running anything.
    pub fn route(
        site: &Site,
        head: RequestHead,
        body: Vec<u8>,
        limits: &Limits,
    ) -> Result<Self, Answer> {
        let resource = Self::admit(site.resource(&head.path), &head, limits)?;
        Self::for_resource(resource, head, body, limits)
    }

    /// Whether a request whose head has arrived may go on to its body,
    /// for a transport that reads bodies itself (a `tower` service, say):
    /// the `resource` mounted at its path, or the answer to send at once:
    /// `404 Not Found` when nothing is mounted there, `413 Payload Too
    /// Large` when its `Content-Length` is over
    /// [`Limits::max_body_bytes`]. A body found over that limit while it
    /// is read is answered [`Answer::too_large`].
    ///
    /// ```
    /// use xmlrpc_proto::dispatch::{Dispatcher, Site};
    /// use xmlrpc_proto::serve::Job;
    /// use xmlrpc_proto::{Limits, RequestHead};
    ///
    /// let site = Site::standard(Dispatcher::new());
    /// let mut limits = Limits::default();
    /// limits.max_body_bytes = 100;
    /// let mut head = RequestHead::new("POST", "/RPC2");
    /// assert!(Job::admit(site.resource("/RPC2"), &head, &limits).is_ok());
    /// let missing = Job::admit(site.resource("/other"), &head, &limits).unwrap_err();
    /// assert_eq!(missing.into_response().status(), 404);
    /// head.headers.append("Content-Length", "101");
    /// let big = Job::admit(site.resource("/RPC2"), &head, &limits).unwrap_err();
    /// assert_eq!(big.into_response().status(), 413);
    /// ```
    ///
    /// # Errors
    ///
    /// The answer to send instead of reading the body.
    pub fn admit<'r>(
        resource: Option<&'r Resource>,
        head: &RequestHead,
        limits: &Limits,
    ) -> Result<&'r Resource, Answer> {
        let Some(resource) = resource else {
            return Err(Answer::http(HttpResponse::status_text(404)));
        };
        let declared = head
            .headers
            .get_str("Content-Length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
            return Err(Answer::too_large());
        }
        Ok(resource)
    }

    /// The work for a complete request to `resource`, or the answer to
    /// send at once. An XML-RPC resource serves `POST` (otherwise `405`
    /// with `Allow: POST`, and the connection closes) and answers a body that is not a call
    /// with the dispatcher's `Can't deserialize input` fault. A SOAP
    /// resource serves envelopes by `POST` and its WSDL by `GET` (see
    /// [`SoapService`]). A handler resource takes every request.
    ///
    /// # Errors
    ///
    /// The answer to send instead of running anything.
    pub fn for_resource(
        resource: &Resource,
        head: RequestHead,
        body: Vec<u8>,
        limits: &Limits,
    ) -> Result<Self, Answer> {
        match &resource.kind {
            Kind::XmlRpc(d) => {
                if head.method != "POST" {
                    // As a connection that serves only XML-RPC does: the
                    // peer is no XML-RPC client, the connection closes.
                    let refusal = HttpResponse::method_not_allowed("POST").close_connection();
                    return Err(Answer::http(refusal));
                }
                Self::from_body(Arc::clone(d), head, &body, limits)
            }
            Kind::Soap(service) => {
                if let Some(answer) = service.answer_other(&head) {
                    return Err(Answer::http(answer));
                }
                match service.decode_call(&head, &body, limits) {
                    Ok(call) => Ok(Self {
                        head,
                        work: Work::Soap {
                            service: Arc::clone(service),
                            call,
                        },
                    }),
                    Err(fault) => Err(Answer::http(service.encode_fault(&fault))),
                }
            }
            Kind::Handler(h) => Ok(Self {
                head,
                work: Work::Handler {
                    handler: h.clone(),
                    body,
                },
            }),
        }
    }

    /// An XML-RPC job for a body that arrived some other way than through
    /// a [`ServerConnection`] (a test, a transport of your own): decodes
    /// `body` within `limits`.
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
                head,
                work: Work::XmlRpc { dispatcher, call },
            }),
            Err(e) => {
                let fault = dispatcher.bad_request(&e);
                Err(Answer::xmlrpc(dispatcher, Err(fault)))
            }
        }
    }

    /// The HTTP request the work came in.
    #[must_use]
    pub fn head(&self) -> &RequestHead {
        &self.head
    }

    /// The call, for an XML-RPC or SOAP job.
    #[must_use]
    pub fn call(&self) -> Option<&MethodCall> {
        match &self.work {
            Work::XmlRpc { call, .. } => Some(call),
            Work::Soap { call, .. } => Some(call.method_call()),
            Work::Handler { .. } => None,
        }
    }

    /// The dispatcher that will run the call, for an XML-RPC or SOAP job.
    #[must_use]
    pub fn dispatcher(&self) -> Option<&Arc<Dispatcher>> {
        match &self.work {
            Work::XmlRpc { dispatcher, .. } => Some(dispatcher),
            Work::Soap { service, .. } => Some(service.dispatcher()),
            Work::Handler { .. } => None,
        }
    }

    /// Runs the procedure (or the handler). A synchronous procedure has
    /// finished when this returns ([`Running::into_ready`]); an
    /// asynchronous one finishes as the returned future is polled.
    pub fn start(self) -> Running {
        match self.work {
            Work::XmlRpc { dispatcher, call } => Running {
                state: State::Call {
                    reply: dispatcher.call(&self.head, call),
                    encoder: Some(Encoder::XmlRpc(dispatcher)),
                },
            },
            Work::Soap { service, mut call } => {
                let reply = service.dispatcher().call(&self.head, call.take_call());
                Running {
                    state: State::Call {
                        reply,
                        encoder: Some(Encoder::Soap(service, call)),
                    },
                }
            }
            Work::Handler { handler, body } => {
                let head = &self.head;
                let state = match handler {
                    HandlerFn::Sync(f) => match catch_unwind(AssertUnwindSafe(|| f(head, &body))) {
                        Ok(r) => State::Done(Some(Answer::http(r))),
                        Err(payload) => State::Done(Some(resource_panicked(head, &*payload))),
                    },
                    HandlerFn::Async(f) => match catch_unwind(AssertUnwindSafe(|| f(head, body))) {
                        Ok(future) => State::Http {
                            future,
                            path: head.path.clone(),
                        },
                        Err(payload) => State::Done(Some(resource_panicked(head, &*payload))),
                    },
                };
                Running { state }
            }
        }
    }

    /// The answer for work that is refused without running (a server
    /// over its limit of calls in flight, for instance): `fault` for an
    /// XML-RPC or SOAP call (a SOAP `Server` fault), `503 Service
    /// Unavailable` for a handler.
    pub fn refuse(self, fault: Fault) -> Answer {
        match self.work {
            Work::XmlRpc { dispatcher, .. } => Answer::xmlrpc(dispatcher, Err(fault)),
            Work::Soap { service, call } => Answer::http(service.encode_fault(&SoapFault {
                version: call.version(),
                code: FaultCode::Server,
                fault,
            })),
            Work::Handler { .. } => Answer::http(HttpResponse::status_text(503)),
        }
    }
}

/// How a finished call is written.
#[derive(Debug)]
enum Encoder {
    XmlRpc(Arc<Dispatcher>),
    Soap(Arc<SoapService>, SoapCall),
}

impl Encoder {
    fn answer(self, result: Result<Value, Fault>) -> Answer {
        match self {
            Self::XmlRpc(dispatcher) => Answer::xmlrpc(dispatcher, result),
            Self::Soap(service, call) => Answer {
                kind: AnswerKind::Soap {
                    service,
                    call,
                    result,
                },
            },
        }
    }
}

/// Started work: a future of its [`Answer`]. `Send`, `'static` and
/// `Unpin`, so it can be spawned or polled anywhere.
#[derive(Debug)]
#[must_use = "a running call does nothing unless polled"]
pub struct Running {
    state: State,
}

enum State {
    Call {
        reply: Reply,
        /// Taken when the reply is ready.
        encoder: Option<Encoder>,
    },
    /// An asynchronous handler's future, and the path for the log.
    Http {
        future: ResponseFuture,
        path: String,
    },
    Done(Option<Answer>),
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Call { reply, .. } => f.debug_tuple("Call").field(reply).finish(),
            Self::Http { path, .. } => f.debug_tuple("Http").field(path).finish(),
            Self::Done(a) => f.debug_tuple("Done").field(a).finish(),
        }
    }
}

/// The answer of a handler resource that panicked: `500`, and the panic
/// in the log.
fn resource_panicked(head: &RequestHead, payload: &(dyn std::any::Any + Send)) -> Answer {
    let msg = crate::dispatch::reply::panic_message(payload);
    tracing::error!(path = %head.path, panic = %msg, "resource panicked");
    Answer::http(HttpResponse::status_text(500))
}

impl Running {
    /// The answer, if the work has already finished; else the future
    /// back, to be polled.
    ///
    /// # Errors
    ///
    /// The future itself when it still has to be polled.
    pub fn into_ready(self) -> Result<Answer, Self> {
        match self.state {
            State::Call {
                reply,
                encoder: Some(encoder),
            } => match reply.into_ready() {
                Ok(result) => Ok(encoder.answer(result)),
                Err(reply) => Err(Self {
                    state: State::Call {
                        reply,
                        encoder: Some(encoder),
                    },
                }),
            },
            State::Done(Some(answer)) => Ok(answer),
            state
            @ (State::Http { .. } | State::Call { encoder: None, .. } | State::Done(None)) => {
                Err(Self { state })
            }
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
        match &mut this.state {
            State::Call { reply, encoder } => match Pin::new(reply).poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(result) => {
                    let encoder = encoder.take().expect("polled after completion");
                    this.state = State::Done(None);
                    Poll::Ready(encoder.answer(result))
                }
            },
            State::Http { future, path } => {
                match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                    Ok(Poll::Pending) => Poll::Pending,
                    Ok(Poll::Ready(r)) => {
                        this.state = State::Done(None);
                        Poll::Ready(Answer::http(r))
                    }
                    Err(payload) => {
                        let msg = crate::dispatch::reply::panic_message(&*payload);
                        tracing::error!(path = %path, panic = %msg, "resource panicked");
                        this.state = State::Done(None);
                        Poll::Ready(Answer::http(HttpResponse::status_text(500)))
                    }
                }
            }
            State::Done(answer) => Poll::Ready(answer.take().expect("polled after completion")),
        }
    }
}

/// The outcome of a job, ready to be written: an XML-RPC result with its
/// dispatcher's encoding policy, a SOAP result, or a whole HTTP answer.
#[derive(Debug)]
#[must_use = "an answer does nothing unless sent"]
pub struct Answer {
    kind: AnswerKind,
}

#[derive(Debug)]
enum AnswerKind {
    XmlRpc {
        dispatcher: Arc<Dispatcher>,
        result: Result<Value, Fault>,
    },
    Soap {
        service: Arc<SoapService>,
        call: SoapCall,
        result: Result<Value, Fault>,
    },
    Http(HttpResponse),
}

impl Answer {
    fn xmlrpc(dispatcher: Arc<Dispatcher>, result: Result<Value, Fault>) -> Self {
        Self {
            kind: AnswerKind::XmlRpc { dispatcher, result },
        }
    }

    fn http(response: HttpResponse) -> Self {
        Self {
            kind: AnswerKind::Http(response),
        }
    }

    /// `413 Payload Too Large`, closing the connection: the answer to a
    /// request body over [`Limits::max_body_bytes`], as a
    /// [`ServerConnection`] gives it.
    pub fn too_large() -> Self {
        Self::http(HttpResponse::status_text(413).close_connection())
    }

    /// The procedure's result, for an XML-RPC or SOAP call.
    #[must_use]
    pub fn result(&self) -> Option<&Result<Value, Fault>> {
        match &self.kind {
            AnswerKind::XmlRpc { result, .. } | AnswerKind::Soap { result, .. } => Some(result),
            AnswerKind::Http(_) => None,
        }
    }

    /// The XML-RPC `methodResponse` body. A result the dispatcher's
    /// policy cannot write (nil where nil is not allowed, a non-finite
    /// double) becomes the dispatcher's `Can't serialize output` fault.
    /// For a SOAP or HTTP answer, the body of [`into_response`](Self::into_response).
    #[must_use]
    pub fn into_body(self) -> Vec<u8> {
        match self.kind {
            AnswerKind::XmlRpc { dispatcher, result } => xmlrpc_body(&dispatcher, &result),
            other => Self { kind: other }.into_response().into_body(),
        }
    }

    /// The whole HTTP answer.
    #[must_use]
    pub fn into_response(self) -> HttpResponse {
        match self.kind {
            AnswerKind::XmlRpc { dispatcher, result } => {
                HttpResponse::new(200, CONTENT_TYPE, xmlrpc_body(&dispatcher, &result))
            }
            AnswerKind::Soap {
                service,
                call,
                result,
            } => service.encode_result(&call, &result),
            AnswerKind::Http(r) => r,
        }
    }

    /// Queues the answer on `conn`.
    pub fn send(self, conn: &mut ServerConnection) {
        let sent = match self.kind {
            AnswerKind::XmlRpc { dispatcher, result } => {
                let body = xmlrpc_body(&dispatcher, &result);
                conn.respond_raw(200, CONTENT_TYPE, &body)
            }
            other => conn.respond_with(&Self { kind: other }.into_response()),
        };
        if let Err(e) = sent {
            tracing::debug!(error = %e, "connection closed before the answer");
        }
    }
}

fn xmlrpc_body(dispatcher: &Dispatcher, result: &Result<Value, Fault>) -> Vec<u8> {
    let options = dispatcher.encode_options();
    let mut body = Vec::with_capacity(256);
    if let Err(e) = codec::encode_response(result, options, &mut body) {
        body.clear();
        let fault = Err(dispatcher.encode_failure(&e));
        if let Err(e) = codec::encode_response(&fault, options, &mut body) {
            // A fault is an int and a string: always writable.
            tracing::error!(error = %e, "fault could not be written");
        }
    }
    body
}
