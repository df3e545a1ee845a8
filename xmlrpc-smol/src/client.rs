//! The client: Twisted's `Proxy` on `futures-io` sockets.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use smol::future;
use smol::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use smol::net::TcpStream;
use xmlrpc_driver::call::{CallError, IntoParams, TransportError, TransportErrorKind};
use xmlrpc_driver::{BuildClient, ClientCore, ClientSettings, Exchange, Failure, method_call};
use xmlrpc_proto::{ClientConnection, Fault, FromValue, MethodCall, Url, Value};

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
    inner: Arc<ClientCore<Conn>>,
}

/// One open connection and its state machine.
#[derive(Debug)]
struct Conn {
    stream: Stream,
    proto: ClientConnection,
}

/// Builds a [`Client`]: timeouts, headers, authentication, TLS roots
/// (the setters every runtime's client builder shares).
pub type ClientBuilder = xmlrpc_driver::ClientBuilder<Client>;

impl BuildClient for Client {
    fn build_client(url: &str, settings: ClientSettings) -> Result<Self, CallError> {
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
    pub async fn call<R: FromValue>(
        &self,
        method: &str,
        params: impl IntoParams,
    ) -> Result<R, CallError> {
        let value = self.call_method(&method_call(method, params)?).await?;
        R::from_value(value).map_err(CallError::Result)
    }

    /// Sends `call` and returns its result value.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn call_method(&self, call: &MethodCall) -> Result<Value, CallError> {
        let result = match self.inner.call_timeout() {
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

    fn take_idle(&self) -> Option<Conn> {
        self.inner.take_idle(Instant::now())
    }

    /// Keeps `conn` for a later call if it can carry one.
    fn put_back(&self, conn: Conn) {
        if conn.proto.can_reuse() {
            self.inner.put_idle(conn, Instant::now());
        }
    }

    async fn connect(&self) -> Result<Conn, CallError> {
        let inner = &self.inner;
        let url = inner.url();
        let connect = async {
            let tcp = TcpStream::connect((url.host(), url.port()))
                .await
                .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
            let _ = tcp.set_nodelay(true);
            #[cfg(feature = "tls")]
            if let Some((config, name)) = &inner.prepared().tls {
                let tls = futures_rustls::TlsConnector::from(Arc::clone(config))
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| TransportError::new(TransportErrorKind::Tls, e))?;
                return Ok(Stream::Tls(Box::new(tls)));
            }
            Ok::<_, TransportError>(Stream::Plain(tcp))
        };
        let stream = timeout(inner.connect_timeout(), connect)
            .await
            .ok_or_else(|| TransportError::timeout("connect"))??;
        Ok(Conn {
            stream,
            proto: inner.connection(),
        })
    }
}

/// Sends `call` on `conn` and reads its answer.
async fn round_trip(conn: &mut Conn, call: &MethodCall) -> Result<Result<Value, Fault>, Failure> {
    let mut exchange = Exchange::start(&mut conn.proto, call)?;
    let mut buf = vec![0; READ_BUFFER];
    loop {
        while let Some(out) = conn.proto.poll_transmit() {
            match conn.stream.write(out).await {
                Ok(0) => return Err(exchange.io_failure(io::ErrorKind::WriteZero.into())),
                Ok(n) => conn.proto.advance_transmit(n),
                Err(e) => return Err(exchange.io_failure(e)),
            }
        }
        if let Err(e) = conn.stream.flush().await {
            return Err(exchange.io_failure(e));
        }
        if let Some((_, result)) = exchange.poll_response(&mut conn.proto)? {
            return Ok(result);
        }
        let deadline = conn.proto.poll_timeout();
        let read = async { Some(conn.stream.read(&mut buf).await) };
        let timer = async {
            sleep_until(deadline).await;
            None
        };
        match future::or(read, timer).await {
            Some(Ok(0)) => conn.proto.handle_eof(),
            Some(Ok(n)) => exchange.handle_data(&mut conn.proto, &buf[..n], Instant::now()),
            // A TLS peer that closes without `close_notify`: the end of the
            // stream, judged by the framing as any other.
            Some(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => conn.proto.handle_eof(),
            Some(Err(e)) => return Err(exchange.io_failure(e)),
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
