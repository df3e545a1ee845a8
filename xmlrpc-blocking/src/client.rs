//! The client: Twisted's `Proxy` on blocking sockets.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use xmlrpc_driver::call::{CallError, IntoParams};
use xmlrpc_driver::sync::{self, socket_timeout};
use xmlrpc_driver::{
    Attempt, BuildClient, ClientCore, ClientSettings, Exchange, Failure, Settled, method_call,
};
use xmlrpc_proto::{ClientConnection, Fault, FromValue, MethodCall, ResponseHead, Url, Value};

/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// An XML-RPC client for one URL (Twisted's `Proxy`), on blocking sockets.
///
/// Cheap to clone and safe to share between threads: calls from many
/// threads at once run over a pool of kept-alive connections (one call per
/// connection at a time).
///
/// ```no_run
/// use std::time::Duration;
/// use xmlrpc_blocking::Client;
///
/// let client = Client::builder("https://user:secret@example.com/RPC2")
///     .timeout(Duration::from_secs(10))
///     .header("X-Trace", "42")
///     .build()?;
/// let sum: i32 = client.call("add", (2, 3))?;
/// # let _ = sum;
/// # Ok::<(), xmlrpc_blocking::CallError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<ClientCore<Conn>>,
}

/// One open connection and its state machine.
#[derive(Debug)]
struct Conn {
    stream: Stream,
    proto: ClientConnection,
    /// The last exchange left it able to carry a next call.
    reusable: bool,
}

/// A complete answer: the HTTP head, the `methodResponse` body exactly as
/// received, and its decoded result (a value or a fault).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RawResponse {
    /// The response head.
    pub head: ResponseHead,
    /// The body, after any `Content-Encoding` is undone.
    pub body: Vec<u8>,
    /// The decoded outcome.
    pub result: Result<Value, Fault>,
}

/// Builds a [`Client`]: timeouts, headers, authentication, TLS roots
/// (the setters every runtime's client builder shares).
pub type ClientBuilder = xmlrpc_driver::ClientBuilder<Client>;

impl BuildClient for Client {
    fn build_client(url: &str, settings: ClientSettings) -> Result<Self, CallError> {
        let mut settings = settings;
        // The body is moved, not copied: keeping it costs nothing, and
        // `call_raw` needs it.
        settings.keep_body = true;
        Ok(Self {
            inner: Arc::new(ClientCore::new(url, &settings)?),
        })
    }
}

impl Client {
    /// A client for `url` (`http://` or `https://`, with an explicit path;
    /// `http://user:pass@host/` sends Basic authentication) with the
    /// default settings.
    ///
    /// # Errors
    ///
    /// [`CallError::InvalidCall`] for an invalid URL.
    pub fn new(url: &str) -> Result<Self, CallError> {
        Self::builder(url).build()
    }

    /// A builder for a client of `url`.
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// The URL this client calls.
    #[must_use]
    pub fn url(&self) -> &Url {
        self.inner.url()
    }

    /// Calls `method` with `params` (a tuple of values of any
    /// [`IntoValue`](xmlrpc_proto::IntoValue) types, `()`, or a
    /// `Vec<Value>`) and converts the result to `R` (`Value` keeps it as
    /// is).
    ///
    /// # Errors
    ///
    /// [`CallError::Fault`] when the server answers with a fault, and the
    /// other variants of [`CallError`] for HTTP, transport and protocol
    /// failures and for a result that does not convert to `R`.
    pub fn call<R: FromValue>(
        &self,
        method: &str,
        params: impl IntoParams,
    ) -> Result<R, CallError> {
        let value = self.call_method(&method_call(method, params)?)?;
        R::from_value(value).map_err(CallError::Result)
    }

    /// Sends `call` and returns its result value.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub fn call_method(&self, call: &MethodCall) -> Result<Value, CallError> {
        self.call_raw(call)?.result.map_err(CallError::Fault)
    }

    /// Sends `call` and returns the whole answer: head, raw body and
    /// decoded result. A fault is a result here, not an error.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call), except for faults.
    pub fn call_raw(&self, call: &MethodCall) -> Result<RawResponse, CallError> {
        let inner = &self.inner;
        let mut plan = inner.plan(Instant::now());
        loop {
            let mut conn = match plan.next(Instant::now(), || inner.take_idle(Instant::now()))? {
                Attempt::Reuse(conn) => conn,
                Attempt::Connect(limit) => self.connect(limit)?,
            };
            let outcome = round_trip(&mut conn, call, plan.deadline());
            if conn.reusable {
                inner.put_idle(conn, Instant::now());
            }
            match plan.settle(outcome) {
                Settled::Retry => {}
                Settled::Done(result) => return result,
            }
        }
    }

    /// A new connection, TLS handshake included, within `limit`.
    fn connect(&self, limit: Duration) -> Result<Conn, CallError> {
        let inner = &self.inner;
        let deadline = Instant::now().checked_add(limit);
        let tcp = sync::connect(inner.url(), deadline)?;
        #[cfg(feature = "tls")]
        let stream = match &inner.prepared().tls {
            Some((config, name)) => Stream::Tls(Box::new(sync::client_handshake(
                tcp, config, name, deadline,
            )?)),
            None => Stream::Plain(tcp),
        };
        #[cfg(not(feature = "tls"))]
        let stream = Stream::Plain(tcp);
        Ok(Conn {
            stream,
            proto: inner.connection(),
            reusable: false,
        })
    }
}

/// Sends `call` on `conn` and reads its answer; the exchange judges every
/// read, write and timeout, and its deadlines become socket timeouts.
fn round_trip(
    conn: &mut Conn,
    call: &MethodCall,
    deadline: Option<Instant>,
) -> Result<RawResponse, Failure> {
    let mut ex = Exchange::start(&mut conn.proto, call, deadline)?;
    let mut buf = vec![0; READ_BUFFER];
    let outcome = loop {
        let limit = socket_timeout(ex.poll_timeout(&conn.proto));
        if let Some(out) = ex.poll_transmit(&mut conn.proto) {
            let stream = &mut conn.stream;
            let r = (stream.tcp().set_write_timeout(limit)).and_then(|()| stream.write(out));
            ex.handle_write(&mut conn.proto, r, Instant::now());
            continue;
        }
        if ex.wants_flush(&mut conn.proto) {
            let stream = &mut conn.stream;
            let r = (stream.tcp().set_write_timeout(limit)).and_then(|()| stream.flush());
            ex.handle_flush(&mut conn.proto, r, Instant::now());
            continue;
        }
        match ex.poll_response(&mut conn.proto) {
            Ok(None) => {}
            Ok(Some((head, result))) => {
                let body = conn.proto.take_body().unwrap_or_default();
                break Ok(RawResponse { head, body, result });
            }
            Err(failure) => break Err(failure),
        }
        let stream = &mut conn.stream;
        let r = (stream.tcp().set_read_timeout(limit)).and_then(|()| stream.read(&mut buf));
        ex.handle_read(&mut conn.proto, r, &mut buf, Instant::now());
    };
    conn.reusable = ex.reusable(&conn.proto);
    outcome
}

/// A client socket, plain or TLS.
#[cfg(feature = "tls")]
type Stream = sync::Stream<sync::ClientTls>;
#[cfg(not(feature = "tls"))]
type Stream = sync::Stream<sync::NoTls>;
