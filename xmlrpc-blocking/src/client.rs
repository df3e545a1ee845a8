//! The client: Twisted's `Proxy` on blocking sockets.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use xmlrpc_proto::call::{CallError, IntoParams, TransportError, TransportErrorKind};
use xmlrpc_proto::driver::{ClientSettings, IdlePool, PreparedClient};
use xmlrpc_proto::{
    ClientConnection, ClientEvent, Fault, FromValue, Limits, MethodCall, ProtocolError,
    ResponseHead, Url, Value,
};

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
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    prepared: PreparedClient,
    connect_timeout: Duration,
    call_timeout: Option<Duration>,
    pool: Mutex<IdlePool<Conn>>,
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

/// Builds a [`Client`]: timeouts, headers, authentication, TLS roots.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    url: String,
    settings: ClientSettings,
}

impl ClientBuilder {
    /// Adds a header field to every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.headers.push((name.into(), value.into()));
        self
    }

    /// The `User-Agent` header value.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.settings.user_agent = Some(agent.into());
        self
    }

    /// Basic authentication (overrides the URL's user info).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.settings.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// The bounds enforced on responses (head and body size, depth,
    /// deadlines once the response has started).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// Whether `nil` may be sent (Twisted's `allowNone`). Default `false`:
    /// a call with a nil parameter fails before it is sent.
    pub fn allow_nil(mut self, allow: bool) -> Self {
        self.settings.allow_nil = allow;
        self
    }

    /// Whether integers beyond 32 bits may be sent as `<i8>`. Default
    /// `false`.
    pub fn allow_i8(mut self, allow: bool) -> Self {
        self.settings.allow_i8 = allow;
        self
    }

    /// Whether connections are kept open between calls. Default `true`.
    pub fn keep_alive(mut self, keep_alive: bool) -> Self {
        self.settings.keep_alive = keep_alive;
        self
    }

    /// How long connecting and the TLS handshake may take (per address
    /// tried). Default 30 s. Name resolution is the system's and is not
    /// bounded by it.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// How long a whole call may take, connecting included. Default none:
    /// a server may take as long as it likes, as with Twisted and Python.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.call_timeout = Some(timeout);
        self
    }

    /// How many idle connections are kept for reuse. Default 8.
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.settings.max_idle = n;
        self
    }

    /// How long an idle connection is kept. Default 20 s.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// Where the trusted roots come from (default: bundled and system).
    #[cfg(feature = "tls")]
    pub fn roots(mut self, roots: xmlrpc_proto::tls::RootSource) -> Self {
        self.settings.tls = self.settings.tls.roots(roots);
        self
    }

    /// Also trusts the certificates in `pem` (a private CA, or a
    /// self-signed server's certificate).
    #[cfg(feature = "tls")]
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.settings.add_root_pem(pem);
        self
    }

    /// Also trusts the certificates in the PEM file at `path` (`curl
    /// --cacert`). A file that cannot be read makes
    /// [`build`](Self::build) fail for an `https` URL.
    #[cfg(feature = "tls")]
    pub fn add_root_certificate_file(mut self, path: impl AsRef<std::path::Path>) -> Self {
        let path = path.as_ref();
        match std::fs::read(path) {
            Ok(pem) => self.settings.add_root_pem(&pem),
            Err(e) => self.settings.tls_error = Some(format!("{}: {e}", path.display())),
        }
        self
    }

    /// **Dangerous:** accepts any server certificate (`curl --insecure`;
    /// see [`ClientTlsConfig::insecure`](xmlrpc_proto::tls::ClientTlsConfig::insecure)).
    #[cfg(feature = "tls")]
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.settings.tls = self.settings.tls.insecure(accept);
        self
    }

    /// Uses this rustls configuration as is (the other TLS settings are
    /// then ignored).
    #[cfg(feature = "tls")]
    pub fn tls_config(mut self, config: Arc<xmlrpc_proto::tls::rustls::ClientConfig>) -> Self {
        self.settings.tls_config = Some(config);
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`CallError::InvalidCall`] for an invalid URL, an `https` URL
    /// without the `tls` feature, or unusable TLS settings.
    pub fn build(self) -> Result<Client, CallError> {
        let mut prepared = self.settings.prepare(&self.url)?;
        // The body is moved, not copied: keeping it costs nothing, and
        // `call_raw` needs it.
        prepared.config.keep_body = true;
        Ok(Client {
            inner: Arc::new(Inner {
                prepared,
                connect_timeout: self.settings.connect_timeout,
                call_timeout: self.settings.call_timeout,
                pool: Mutex::new(IdlePool::new(
                    self.settings.max_idle,
                    self.settings.idle_timeout,
                )),
            }),
        })
    }
}

/// Why one exchange failed, and whether a fresh connection may retry it.
enum Failure {
    /// A reused connection was found closed before any byte of an answer:
    /// the server had dropped it. Retry on a new one.
    Stale(CallError),
    /// Anything else.
    Fatal(CallError),
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
        ClientBuilder {
            url: url.to_owned(),
            settings: ClientSettings::default(),
        }
    }

    /// The URL this client calls.
    #[must_use]
    pub fn url(&self) -> &Url {
        &self.inner.prepared.url
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
        let params = params
            .into_params()
            .map_err(|e| CallError::InvalidCall(format!("parameter: {e}")))?;
        let value = self.call_method(&MethodCall::new(method, params))?;
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
            .call_timeout
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

    fn pool(&self) -> MutexGuard<'_, IdlePool<Conn>> {
        // A poisoned lock only means another call panicked while holding
        // it; the pool itself is still a valid list.
        self.inner.pool.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take_idle(&self) -> Option<Conn> {
        self.pool().take(Instant::now())
    }

    /// Keeps `conn` for a later call if it can carry one.
    fn put_back(&self, conn: Conn) {
        if conn.proto.can_reuse() {
            self.pool().put(conn, Instant::now());
        }
    }

    fn connect(&self, deadline: Option<Instant>) -> Result<Conn, CallError> {
        let inner = &self.inner;
        let url = &inner.prepared.url;
        let addrs = (url.host(), url.port())
            .to_socket_addrs()
            .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
        let mut last = io::Error::new(io::ErrorKind::NotFound, "host has no address");
        let mut tcp = None;
        for addr in addrs {
            let Some(limit) = remaining(deadline, inner.connect_timeout) else {
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
        if let Some((config, name)) = &inner.prepared.tls {
            let stream = handshake(tcp, config, name, deadline, inner.connect_timeout)?;
            return Ok(Conn {
                stream: Stream::Tls(Box::new(stream)),
                proto: ClientConnection::new(inner.prepared.config.clone()),
            });
        }
        Ok(Conn {
            stream: Stream::Plain(tcp),
            proto: ClientConnection::new(inner.prepared.config.clone()),
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
    config: &Arc<xmlrpc_proto::tls::rustls::ClientConfig>,
    name: &xmlrpc_proto::tls::rustls::pki_types::ServerName<'static>,
    deadline: Option<Instant>,
    connect_timeout: Duration,
) -> Result<TlsStream, CallError> {
    use xmlrpc_proto::tls::rustls;
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
    let mut received = false;
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
    conn.proto
        .send_call(call)
        .map_err(|e| Failure::Fatal(e.into()))?;
    let timeout = || Failure::Fatal(TransportError::timeout("call").into());
    // Writes: bounded by the call deadline only.
    let write_limit = match deadline {
        None => None,
        Some(_) => Some(remaining(deadline, Duration::MAX).ok_or_else(timeout)?),
    };
    conn.stream
        .tcp()
        .set_write_timeout(write_limit)
        .map_err(|e| io_failure(received, e))?;
    while let Some(out) = conn.proto.poll_transmit() {
        match conn.stream.write(out) {
            Ok(0) => return Err(io_failure(received, io::ErrorKind::WriteZero.into())),
            Ok(n) => conn.proto.advance_transmit(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_failure(received, e)),
        }
    }
    conn.stream.flush().map_err(|e| io_failure(received, e))?;
    let mut buf = vec![0; READ_BUFFER];
    loop {
        match conn.proto.poll_event() {
            Ok(Some(ClientEvent::Response { head, result })) => {
                let body = conn.proto.take_body().unwrap_or_default();
                return Ok(RawResponse { head, body, result });
            }
            Ok(_) => {}
            Err(ProtocolError::ClosedBeforeResponse) => {
                return Err(Failure::Stale(ProtocolError::ClosedBeforeResponse.into()));
            }
            Err(e) => return Err(Failure::Fatal(e.into())),
        }
        if !conn.proto.wants_read() {
            return Err(Failure::Fatal(ProtocolError::UnexpectedEof.into()));
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
            .map_err(|e| io_failure(received, e))?;
        match conn.stream.read(&mut buf) {
            Ok(0) => conn.proto.handle_eof(),
            Ok(n) => {
                received = true;
                conn.proto.handle_data(&buf[..n], Instant::now());
            }
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
            Err(e) => return Err(io_failure(received, e)),
        }
    }
}

#[cfg(feature = "tls")]
type TlsStream =
    xmlrpc_proto::tls::rustls::StreamOwned<xmlrpc_proto::tls::rustls::ClientConnection, TcpStream>;

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
