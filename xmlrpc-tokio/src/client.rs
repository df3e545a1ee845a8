//! The client: Twisted's `Proxy` on tokio.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use xmlrpc_driver::call::{CallError, IntoParams, TransportError, TransportErrorKind};
use xmlrpc_driver::{BuildClient, ClientCore, ClientSettings, Exchange, Failure, method_call};
use xmlrpc_proto::{ClientConnection, Fault, FromValue, MethodCall, Url, Value};

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
    inner: Arc<ClientCore<Conn>>,
}

/// One open connection and its state machine.
#[derive(Debug)]
struct Conn {
    stream: Stream,
    proto: ClientConnection,
    /// A write failed: the request may be half sent, never reuse.
    broken: bool,
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
        self.inner.take_idle(Instant::now())
    }

    /// Keeps `conn` for a later call if it can carry one.
    fn put_back(&self, conn: Conn) {
        if !conn.broken && conn.proto.can_reuse() {
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
                let tls = tokio_rustls::TlsConnector::from(Arc::clone(config))
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| TransportError::new(TransportErrorKind::Tls, e))?;
                return Ok(Stream::Tls(Box::new(tls)));
            }
            Ok::<_, TransportError>(Stream::Plain(tcp))
        };
        let stream = tokio::time::timeout(inner.connect_timeout(), connect)
            .await
            .map_err(|_| TransportError::timeout("connect"))??;
        Ok(Conn {
            stream,
            proto: inner.connection(),
            broken: false,
        })
    }

    /// Sends `call` on `conn` and reads its answer.
    async fn round_trip(
        &self,
        conn: &mut Conn,
        call: &MethodCall,
    ) -> Result<Result<Value, Fault>, Failure> {
        let mut exchange = Exchange::start(&mut conn.proto, call)?;
        let mut buf = vec![0; READ_BUFFER];
        loop {
            if exchange.is_sending() {
                if let Err(e) = send_pending(conn).await {
                    exchange.write_failed(e);
                    // The request may be half sent: never reuse.
                    conn.broken = true;
                }
            }
            if let Some((_, result)) = exchange.poll_response(&mut conn.proto)? {
                return Ok(result);
            }
            tokio::select! {
                r = conn.stream.read(&mut buf) => match r {
                    Ok(0) => conn.proto.handle_eof(),
                    Ok(n) => exchange.handle_data(&mut conn.proto, &buf[..n], Instant::now()),
                    Err(e) => return Err(exchange.io_failure(e)),
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
