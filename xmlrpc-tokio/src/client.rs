//! The client: Twisted's `Proxy` on tokio.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use xmlrpc_proto::call::{CallError, IntoParams, TransportError, TransportErrorKind};
use xmlrpc_proto::{
    ClientConfig, ClientConnection, ClientEvent, Fault, FromValue, Limits, MethodCall,
    ProtocolError, Url, Value,
};

use crate::server::sleep_until;

/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// An XML-RPC client for one URL (Twisted's `Proxy`).
///
/// Cheap to clone and safe to share: calls from many tasks at once run
/// over a pool of kept-alive connections (one call per connection at a
/// time). A call sent on a kept-alive connection that turns out to have
/// been closed by the server before any byte of an answer arrived (the
/// usual fate of idle connections) is sent again once on a new
/// connection; no other failure is retried.
///
/// ```no_run
/// use xmlrpc_tokio::Client;
///
/// # async fn run() -> Result<(), xmlrpc_tokio::CallError> {
/// let client = Client::new("http://127.0.0.1:7080/")?;
/// let sum: i32 = client.call("add", (2, 3)).await?;
/// let echoed: Vec<String> = client.call("echo", (["a", "b"],)).await?;
/// # let _ = (sum, echoed);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    url: Url,
    config: ClientConfig,
    connect_timeout: Duration,
    call_timeout: Option<Duration>,
    #[cfg(feature = "tls")]
    tls: Option<(
        Arc<tokio_rustls::rustls::ClientConfig>,
        tokio_rustls::rustls::pki_types::ServerName<'static>,
    )>,
    pool: Mutex<Vec<Conn>>,
    max_idle: usize,
    idle_timeout: Duration,
}

/// One open connection and its state machine.
#[derive(Debug)]
struct Conn {
    stream: Stream,
    proto: ClientConnection,
    idle_since: Instant,
    /// A write failed: the request may be half sent, never reuse.
    broken: bool,
}

/// Builds a [`Client`]: timeouts, headers, authentication, TLS roots.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    url: Result<Url, CallError>,
    headers: Vec<(String, String)>,
    user_agent: Option<String>,
    basic_auth: Option<(String, String)>,
    limits: Limits,
    allow_nil: bool,
    allow_i8: bool,
    keep_alive: bool,
    connect_timeout: Duration,
    call_timeout: Option<Duration>,
    max_idle: usize,
    idle_timeout: Duration,
    #[cfg(feature = "tls")]
    tls: xmlrpc_proto::tls::ClientTlsConfig,
    #[cfg(feature = "tls")]
    tls_config: Option<Arc<tokio_rustls::rustls::ClientConfig>>,
    #[cfg(feature = "tls")]
    tls_error: Option<String>,
}

impl ClientBuilder {
    /// Adds a header field to every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The `User-Agent` header value.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Basic authentication (overrides the URL's user info).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// The bounds enforced on responses (head and body size, depth,
    /// deadlines once the response has started).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether `nil` may be sent (Twisted's `allowNone`). Default `false`:
    /// a call with a nil parameter fails before it is sent.
    pub fn allow_nil(mut self, allow: bool) -> Self {
        self.allow_nil = allow;
        self
    }

    /// Whether integers beyond 32 bits may be sent as `<i8>`. Default
    /// `false`.
    pub fn allow_i8(mut self, allow: bool) -> Self {
        self.allow_i8 = allow;
        self
    }

    /// Whether connections are kept open between calls. Default `true`.
    pub fn keep_alive(mut self, keep_alive: bool) -> Self {
        self.keep_alive = keep_alive;
        self
    }

    /// How long resolving, connecting and the TLS handshake may take.
    /// Default 30 s (Twisted's `connectTimeout`).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole call may take, connecting included. Default none:
    /// a server may take as long as it likes to answer, as with Twisted
    /// and Python.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// How many idle connections are kept for reuse. Default 8.
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.max_idle = n;
        self
    }

    /// How long an idle connection is kept. Default 20 s (servers commonly
    /// close after 30 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Where the trusted roots come from (default: bundled and system).
    #[cfg(feature = "tls")]
    pub fn roots(mut self, roots: xmlrpc_proto::tls::RootSource) -> Self {
        self.tls = self.tls.roots(roots);
        self
    }

    /// Also trusts the certificates in `pem` (a private CA, or a
    /// self-signed server's certificate).
    #[cfg(feature = "tls")]
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        match self.tls.clone().add_root_pem(pem) {
            Ok(tls) => self.tls = tls,
            Err(e) => self.tls_error = Some(e.to_string()),
        }
        self
    }

    /// **Dangerous:** accepts any server certificate (see
    /// [`ClientTlsConfig::insecure`](xmlrpc_proto::tls::ClientTlsConfig::insecure)).
    #[cfg(feature = "tls")]
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.tls = self.tls.insecure(accept);
        self
    }

    /// Uses this rustls configuration as is (the other TLS settings are
    /// then ignored).
    #[cfg(feature = "tls")]
    pub fn tls_config(mut self, config: Arc<tokio_rustls::rustls::ClientConfig>) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`CallError::InvalidCall`] for an invalid URL, an `https` URL
    /// without the `tls` feature, or unusable TLS settings.
    pub fn build(self) -> Result<Client, CallError> {
        let url = self.url?;
        let mut config = ClientConfig::new(&url);
        config.headers = self.headers;
        if let Some(agent) = self.user_agent {
            config.user_agent = agent;
        }
        if self.basic_auth.is_some() {
            config.basic_auth = self.basic_auth;
        }
        config.limits = self.limits;
        config.encode.allow_nil = self.allow_nil;
        config.encode.allow_i8 = self.allow_i8;
        config.keep_alive = self.keep_alive;
        #[cfg(feature = "tls")]
        let tls = if url.is_https() {
            if let Some(e) = self.tls_error {
                return Err(CallError::InvalidCall(format!("TLS: {e}")));
            }
            let tls_config = match self.tls_config {
                Some(c) => c,
                None => self
                    .tls
                    .build()
                    .map_err(|e| CallError::InvalidCall(format!("TLS: {e}")))?,
            };
            let name = xmlrpc_proto::tls::server_name(url.host())
                .map_err(|e| CallError::InvalidCall(format!("TLS: {e}")))?;
            Some((tls_config, name))
        } else {
            None
        };
        #[cfg(not(feature = "tls"))]
        if url.is_https() {
            return Err(CallError::InvalidCall(
                "https URLs need the `tls` feature of xmlrpc-tokio".to_owned(),
            ));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                url,
                config,
                connect_timeout: self.connect_timeout,
                call_timeout: self.call_timeout,
                #[cfg(feature = "tls")]
                tls,
                pool: Mutex::new(Vec::new()),
                max_idle: self.max_idle,
                idle_timeout: self.idle_timeout,
            }),
        })
    }
}

/// Why one exchange failed, and whether a fresh connection may retry it.
enum Failure {
    /// The connection was found closed before any byte of an answer: a
    /// reused connection that the server had dropped. Retry on a new one.
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
            url: Url::parse(url).map_err(CallError::from),
            headers: Vec::new(),
            user_agent: None,
            basic_auth: None,
            limits: Limits::default(),
            allow_nil: false,
            allow_i8: false,
            keep_alive: true,
            connect_timeout: Duration::from_secs(30),
            call_timeout: None,
            max_idle: 8,
            idle_timeout: Duration::from_secs(20),
            #[cfg(feature = "tls")]
            tls: xmlrpc_proto::tls::ClientTlsConfig::new(),
            #[cfg(feature = "tls")]
            tls_config: None,
            #[cfg(feature = "tls")]
            tls_error: None,
        }
    }

    /// The URL this client calls.
    #[must_use]
    pub fn url(&self) -> &Url {
        &self.inner.url
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
    pub async fn call<R: FromValue>(
        &self,
        method: &str,
        params: impl IntoParams,
    ) -> Result<R, CallError> {
        let params = params
            .into_params()
            .map_err(|e| CallError::InvalidCall(format!("parameter: {e}")))?;
        let value = self.call_method(&MethodCall::new(method, params)).await?;
        R::from_value(value).map_err(CallError::Result)
    }

    /// Sends `call` and returns its result value.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn call_method(&self, call: &MethodCall) -> Result<Value, CallError> {
        let result = match self.inner.call_timeout {
            Some(t) => tokio::time::timeout(t, self.exchange(call))
                .await
                .map_err(|_| TransportError::timeout("call"))?,
            None => self.exchange(call).await,
        };
        result?.map_err(CallError::Fault)
    }

    async fn exchange(&self, call: &MethodCall) -> Result<Result<Value, Fault>, CallError> {
        while let Some(mut conn) = self.take_idle() {
            match self.round_trip(&mut conn, call).await {
                Ok(result) => {
                    self.put_back(conn);
                    return Ok(result);
                }
                Err(Failure::Stale(e)) => {
                    tracing::debug!(error = %e, "kept-alive connection was closed; retrying");
                }
                Err(Failure::Fatal(e)) => {
                    self.put_back(conn);
                    return Err(e);
                }
            }
        }
        let mut conn = self.connect().await?;
        match self.round_trip(&mut conn, call).await {
            Ok(result) => {
                self.put_back(conn);
                Ok(result)
            }
            Err(Failure::Stale(e) | Failure::Fatal(e)) => {
                self.put_back(conn);
                Err(e)
            }
        }
    }

    fn take_idle(&self) -> Option<Conn> {
        let now = Instant::now();
        // A poisoned lock only means another call panicked while holding
        // it; the pool itself is still a valid list.
        let mut pool = self.inner.pool.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(conn) = pool.pop() {
            if now.duration_since(conn.idle_since) < self.inner.idle_timeout {
                return Some(conn);
            }
        }
        None
    }

    /// Keeps `conn` for a later call if it can carry one.
    fn put_back(&self, mut conn: Conn) {
        if conn.broken || !conn.proto.can_reuse() {
            return;
        }
        conn.idle_since = Instant::now();
        let mut pool = self.inner.pool.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < self.inner.max_idle {
            pool.push(conn);
        }
    }

    async fn connect(&self) -> Result<Conn, CallError> {
        let inner = &self.inner;
        let host = inner.url.host().to_owned();
        let port = inner.url.port();
        let connect = async {
            let tcp = TcpStream::connect((host.as_str(), port))
                .await
                .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
            let _ = tcp.set_nodelay(true);
            #[cfg(feature = "tls")]
            if let Some((config, name)) = &inner.tls {
                let tls = tokio_rustls::TlsConnector::from(Arc::clone(config))
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| TransportError::new(TransportErrorKind::Tls, e))?;
                return Ok(Stream::Tls(Box::new(tls)));
            }
            Ok::<_, TransportError>(Stream::Plain(tcp))
        };
        let stream = tokio::time::timeout(inner.connect_timeout, connect)
            .await
            .map_err(|_| TransportError::timeout("connect"))??;
        Ok(Conn {
            stream,
            proto: ClientConnection::new(inner.config.clone()),
            idle_since: Instant::now(),
            broken: false,
        })
    }

    /// Sends `call` on `conn` and reads its answer.
    async fn round_trip(
        &self,
        conn: &mut Conn,
        call: &MethodCall,
    ) -> Result<Result<Value, Fault>, Failure> {
        let io_error = |received: bool, e: io::Error| {
            let e = CallError::from(TransportError::new(TransportErrorKind::Io, e));
            if received {
                Failure::Fatal(e)
            } else {
                Failure::Stale(e)
            }
        };
        conn.proto
            .send_call(call)
            .map_err(|e| Failure::Fatal(e.into()))?;
        let mut buf = vec![0; READ_BUFFER];
        let mut received = false;
        // A failed write ends the sending, not the call: the server may
        // have answered early (a 413 for a body over its limit) and
        // closed, and that answer is the better report.
        let mut write_error: Option<io::Error> = None;
        loop {
            if write_error.is_none() {
                write_error = send_pending(conn).await.err();
                conn.broken = write_error.is_some();
            }
            match conn.proto.poll_event() {
                Ok(Some(ClientEvent::Response { result, .. })) => return Ok(result),
                Ok(_) => {}
                Err(ProtocolError::ClosedBeforeResponse) => {
                    return Err(match write_error {
                        Some(e) => io_error(received, e),
                        None => Failure::Stale(ProtocolError::ClosedBeforeResponse.into()),
                    });
                }
                Err(e) => return Err(Failure::Fatal(e.into())),
            }
            if !conn.proto.wants_read() {
                return Err(match write_error {
                    Some(e) => io_error(received, e),
                    None => Failure::Fatal(ProtocolError::UnexpectedEof.into()),
                });
            }
            tokio::select! {
                r = conn.stream.read(&mut buf) => match r {
                    Ok(0) => conn.proto.handle_eof(),
                    Ok(n) => {
                        received = true;
                        conn.proto.handle_data(&buf[..n], Instant::now());
                    }
                    Err(e) => return Err(io_error(received, write_error.unwrap_or(e))),
                },
                () = sleep_until(conn.proto.poll_timeout()) => {
                    conn.proto.handle_timeout(Instant::now());
                }
            }
        }
    }
}

/// Writes and flushes everything the connection has to send.
async fn send_pending(conn: &mut Conn) -> io::Result<()> {
    while let Some(out) = conn.proto.poll_transmit() {
        match conn.stream.write(out).await? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => conn.proto.advance_transmit(n),
        }
    }
    conn.stream.flush().await
}

/// A client socket, plain or TLS.
#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
