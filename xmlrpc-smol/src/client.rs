//! The client: Twisted's `Proxy` on `futures-io` sockets.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use smol::future;
use smol::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use smol::net::TcpStream;
use xmlrpc_proto::call::{CallError, IntoParams, TransportError, TransportErrorKind};
use xmlrpc_proto::driver::{ClientSettings, IdlePool, PreparedClient};
use xmlrpc_proto::{
    ClientConnection, ClientEvent, Fault, FromValue, Limits, MethodCall, ProtocolError, Url, Value,
};

use crate::timer::{sleep_until, timeout};

/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// An XML-RPC client for one URL (Twisted's `Proxy`), on smol's sockets
/// and timers (which work under any executor, async-std's included).
///
/// Cheap to clone and safe to share: calls from many tasks at once run
/// over a pool of kept-alive connections (one call per connection at a
/// time).
///
/// ```no_run
/// use xmlrpc_smol::Client;
///
/// # fn main() -> Result<(), xmlrpc_smol::CallError> {
/// smol::block_on(async {
///     let client = Client::new("http://127.0.0.1:7080/")?;
///     let sum: i32 = client.call("add", (2, 3)).await?;
///     assert_eq!(sum, 5);
///     Ok(())
/// })
/// # }
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

    /// How long resolving, connecting and the TLS handshake may take.
    /// Default 30 s (Twisted's `connectTimeout`).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// How long a whole call may take, connecting included. Default none:
    /// a server may take as long as it likes, as with Twisted and Python.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
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

    /// **Dangerous:** accepts any server certificate (see
    /// [`ClientTlsConfig::insecure`](xmlrpc_proto::tls::ClientTlsConfig::insecure)).
    #[cfg(feature = "tls")]
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.settings.tls = self.settings.tls.insecure(accept);
        self
    }

    /// Uses this rustls configuration as is (the other TLS settings are
    /// then ignored).
    #[cfg(feature = "tls")]
    pub fn tls_config(mut self, config: Arc<futures_rustls::rustls::ClientConfig>) -> Self {
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
        let prepared = self.settings.prepare(&self.url)?;
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
            Some(t) => timeout(t, self.exchange(call))
                .await
                .ok_or_else(|| TransportError::timeout("call"))?,
            None => self.exchange(call).await,
        };
        result?.map_err(CallError::Fault)
    }

    async fn exchange(&self, call: &MethodCall) -> Result<Result<Value, Fault>, CallError> {
        while let Some(mut conn) = self.take_idle() {
            match round_trip(&mut conn, call).await {
                Ok(result) => {
                    self.put_back(conn);
                    return Ok(result);
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
        let mut conn = self.connect().await?;
        match round_trip(&mut conn, call).await {
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

    async fn connect(&self) -> Result<Conn, CallError> {
        let inner = &self.inner;
        let url = &inner.prepared.url;
        let connect = async {
            let tcp = TcpStream::connect((url.host(), url.port()))
                .await
                .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
            let _ = tcp.set_nodelay(true);
            #[cfg(feature = "tls")]
            if let Some((config, name)) = &inner.prepared.tls {
                let tls = futures_rustls::TlsConnector::from(Arc::clone(config))
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| TransportError::new(TransportErrorKind::Tls, e))?;
                return Ok(Stream::Tls(Box::new(tls)));
            }
            Ok::<_, TransportError>(Stream::Plain(tcp))
        };
        let stream = timeout(inner.connect_timeout, connect)
            .await
            .ok_or_else(|| TransportError::timeout("connect"))??;
        Ok(Conn {
            stream,
            proto: ClientConnection::new(inner.prepared.config.clone()),
        })
    }
}

/// Sends `call` on `conn` and reads its answer.
async fn round_trip(conn: &mut Conn, call: &MethodCall) -> Result<Result<Value, Fault>, Failure> {
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
    loop {
        while let Some(out) = conn.proto.poll_transmit() {
            match conn.stream.write(out).await {
                Ok(0) => return Err(io_error(received, io::ErrorKind::WriteZero.into())),
                Ok(n) => conn.proto.advance_transmit(n),
                Err(e) => return Err(io_error(received, e)),
            }
        }
        conn.stream
            .flush()
            .await
            .map_err(|e| io_error(received, e))?;
        match conn.proto.poll_event() {
            Ok(Some(ClientEvent::Response { result, .. })) => return Ok(result),
            Ok(_) => {}
            Err(ProtocolError::ClosedBeforeResponse) => {
                return Err(Failure::Stale(ProtocolError::ClosedBeforeResponse.into()));
            }
            Err(e) => return Err(Failure::Fatal(e.into())),
        }
        if !conn.proto.wants_read() {
            return Err(Failure::Fatal(ProtocolError::UnexpectedEof.into()));
        }
        let deadline = conn.proto.poll_timeout();
        let read = async { Some(conn.stream.read(&mut buf).await) };
        let timer = async {
            sleep_until(deadline).await;
            None
        };
        match future::or(read, timer).await {
            Some(Ok(0)) => conn.proto.handle_eof(),
            Some(Ok(n)) => {
                received = true;
                conn.proto.handle_data(&buf[..n], Instant::now());
            }
            // A TLS peer that closes without `close_notify`: the end of the
            // stream, judged by the framing as any other.
            Some(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => conn.proto.handle_eof(),
            Some(Err(e)) => return Err(io_error(received, e)),
            None => conn.proto.handle_timeout(Instant::now()),
        }
    }
}

/// A client socket, plain or TLS.
#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<futures_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
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

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_close(cx),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_close(cx),
        }
    }
}
