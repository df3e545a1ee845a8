//! The client: Twisted's `Proxy` on blocking sockets.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use xmlrpc_driver::call::{CallError, IntoParams, TransportError, TransportErrorKind};
use xmlrpc_driver::{BuildClient, ClientCore, ClientSettings, Exchange, Failure, method_call};
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
        let deadline = self
            .inner
            .call_timeout()
            .and_then(|t| Instant::now().checked_add(t));
        while let Some(mut conn) = self.take_idle() {
            match round_trip(&mut conn, call, deadline) {
                Ok(response) => {
                    self.put_back(conn);
                    return Ok(response);
                }
                Err(Failure::Stale(e)) => {
                    tracing::debug!(error = %e, "kept-alive connection was closed; retrying");
                }
                Err(Failure::Fatal(e)) => {
                    // Kept only if the failure left it usable (an HTTP
                    // error status with a complete body).
                    self.put_back(conn);
                    return Err(e);
                }
            }
        }
        let mut conn = self.connect(deadline)?;
        match round_trip(&mut conn, call, deadline) {
            Ok(response) => {
                self.put_back(conn);
                Ok(response)
            }
            Err(Failure::Stale(e) | Failure::Fatal(e)) => {
                self.put_back(conn);
                Err(e)
            }
        }
    }

    fn take_idle(&self) -> Option<Conn> {
        self.inner.take_idle(Instant::now())
    }

    /// Keeps `conn` for a later call if it can carry one.
    fn put_back(&self, conn: Conn) {
        if conn.proto.can_reuse() {
            self.inner.put_idle(conn, Instant::now());
        }
    }

    fn connect(&self, deadline: Option<Instant>) -> Result<Conn, CallError> {
        let inner = &self.inner;
        let url = inner.url();
        let addrs = (url.host(), url.port())
            .to_socket_addrs()
            .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
        let mut last = io::Error::new(io::ErrorKind::NotFound, "host has no address");
        let mut tcp = None;
        for addr in addrs {
            let Some(limit) = remaining(deadline, inner.connect_timeout()) else {
                return Err(TransportError::timeout("call").into());
            };
            match TcpStream::connect_timeout(&addr, limit) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let Some(tcp) = tcp else {
            let kind = if matches!(
                last.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Connect
            };
            return Err(TransportError::new(kind, last).into());
        };
        let _ = tcp.set_nodelay(true);
        #[cfg(feature = "tls")]
        if let Some((config, name)) = &inner.prepared().tls {
            let stream = handshake(tcp, config, name, deadline, inner.connect_timeout())?;
            return Ok(Conn {
                stream: Stream::Tls(Box::new(stream)),
                proto: inner.connection(),
            });
        }
        Ok(Conn {
            stream: Stream::Plain(tcp),
            proto: inner.connection(),
        })
    }
}

/// The time left before `deadline`, at most `cap`; `None` once it passed.
fn remaining(deadline: Option<Instant>, cap: Duration) -> Option<Duration> {
    match deadline {
        None => Some(cap),
        Some(d) => {
            let left = d.checked_duration_since(Instant::now())?;
            (!left.is_zero()).then(|| left.min(cap))
        }
    }
}

/// The TLS handshake on `tcp`, within the connect timeout.
#[cfg(feature = "tls")]
fn handshake(
    tcp: TcpStream,
    config: &Arc<xmlrpc_driver::tls::rustls::ClientConfig>,
    name: &xmlrpc_driver::tls::rustls::pki_types::ServerName<'static>,
    deadline: Option<Instant>,
    connect_timeout: Duration,
) -> Result<TlsStream, CallError> {
    use xmlrpc_driver::tls::rustls;
    let tls = rustls::ClientConnection::new(Arc::clone(config), name.clone())
        .map_err(|e| TransportError::new(TransportErrorKind::Tls, io::Error::other(e)))?;
    let mut stream = rustls::StreamOwned::new(tls, tcp);
    let started = Instant::now();
    while stream.conn.is_handshaking() {
        let cap = connect_timeout.saturating_sub(started.elapsed());
        let Some(left) = remaining(deadline, cap).filter(|d| !d.is_zero()) else {
            return Err(TransportError::timeout("TLS handshake").into());
        };
        let io_err = |e: io::Error| TransportError::new(TransportErrorKind::Io, e);
        stream.sock.set_read_timeout(Some(left)).map_err(io_err)?;
        stream.sock.set_write_timeout(Some(left)).map_err(io_err)?;
        if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
            let kind = match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
                io::ErrorKind::Interrupted => continue,
                _ => TransportErrorKind::Tls,
            };
            return Err(TransportError::new(kind, e).into());
        }
    }
    Ok(stream)
}

/// Sends `call` on `conn` and reads its answer, before `deadline`.
fn round_trip(
    conn: &mut Conn,
    call: &MethodCall,
    deadline: Option<Instant>,
) -> Result<RawResponse, Failure> {
    let io_failure = |received: bool, e: io::Error| {
        let timed_out = matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        );
        let e = if timed_out {
            CallError::from(TransportError::timeout("call"))
        } else {
            CallError::from(TransportError::new(TransportErrorKind::Io, e))
        };
        if received || timed_out {
            Failure::Fatal(e)
        } else {
            Failure::Stale(e)
        }
    };
    let mut exchange = Exchange::start(&mut conn.proto, call)?;
    let timeout = || Failure::Fatal(TransportError::timeout("call").into());
    // Writes: bounded by the call deadline only.
    let write_limit = match deadline {
        None => None,
        Some(_) => Some(remaining(deadline, Duration::MAX).ok_or_else(timeout)?),
    };
    conn.stream
        .tcp()
        .set_write_timeout(write_limit)
        .map_err(|e| io_failure(exchange.received(), e))?;
    while let Some(out) = conn.proto.poll_transmit() {
        match conn.stream.write(out) {
            Ok(0) => {
                return Err(io_failure(
                    exchange.received(),
                    io::ErrorKind::WriteZero.into(),
                ));
            }
            Ok(n) => conn.proto.advance_transmit(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_failure(exchange.received(), e)),
        }
    }
    conn.stream
        .flush()
        .map_err(|e| io_failure(exchange.received(), e))?;
    let mut buf = vec![0; READ_BUFFER];
    loop {
        if let Some((head, result)) = exchange.poll_response(&mut conn.proto)? {
            let body = conn.proto.take_body().unwrap_or_default();
            return Ok(RawResponse { head, body, result });
        }
        let now = Instant::now();
        let proto_deadline = conn.proto.poll_timeout();
        if proto_deadline.is_some_and(|d| d <= now) {
            conn.proto.handle_timeout(now);
            continue;
        }
        let until = match (deadline, proto_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let read_limit = match until {
            None => None,
            Some(u) => match u.checked_duration_since(now).filter(|d| !d.is_zero()) {
                Some(d) => Some(d),
                None if deadline.is_some_and(|d| d <= now) => return Err(timeout()),
                None => Some(Duration::from_millis(1)),
            },
        };
        conn.stream
            .tcp()
            .set_read_timeout(read_limit)
            .map_err(|e| io_failure(exchange.received(), e))?;
        match conn.stream.read(&mut buf) {
            Ok(0) => conn.proto.handle_eof(),
            Ok(n) => exchange.handle_data(&mut conn.proto, &buf[..n], Instant::now()),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                let now = Instant::now();
                if deadline.is_some_and(|d| d <= now) {
                    return Err(timeout());
                }
                conn.proto.handle_timeout(now);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // A TLS peer that closes without `close_notify`: the end of the
            // stream, judged by the framing as any other.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => conn.proto.handle_eof(),
            Err(e) => return Err(io_failure(exchange.received(), e)),
        }
    }
}

#[cfg(feature = "tls")]
type TlsStream = xmlrpc_driver::tls::rustls::StreamOwned<
    xmlrpc_driver::tls::rustls::ClientConnection,
    TcpStream,
>;

/// A client socket, plain or TLS.
#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<TlsStream>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(s) => s,
            #[cfg(feature = "tls")]
            Self::Tls(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            #[cfg(feature = "tls")]
            Self::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Self::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            #[cfg(feature = "tls")]
            Self::Tls(s) => s.flush(),
        }
    }
}
