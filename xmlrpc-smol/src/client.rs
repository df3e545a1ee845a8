//! The client: Twisted's `Proxy` on `futures-io` sockets.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use smol::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use smol::net::TcpStream;
use xmlrpc_driver::call::{CallError, IntoParams, TransportError, TransportErrorKind};
use xmlrpc_driver::{
    Answer, Attempt, BuildClient, ClientCore, ClientSettings, Exchange, Failure, Settled,
    method_call,
};
use xmlrpc_proto::{ClientConnection, FromValue, MethodCall, Url, Value};

use crate::timer::{timeout, until};

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
    /// The last exchange left it able to carry a next call.
    reusable: bool,
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
        let inner = &self.inner;
        let mut plan = inner.plan(Instant::now());
        loop {
            let mut conn = match plan.next(Instant::now(), || inner.take_idle(Instant::now()))? {
                Attempt::Reuse(conn) => conn,
                Attempt::Connect(limit) => self.connect(limit).await?,
            };
            let outcome = round_trip(&mut conn, call, plan.deadline()).await;
            if conn.reusable {
                inner.put_idle(conn, Instant::now());
            }
            match plan.settle(outcome) {
                Settled::Retry => {}
                Settled::Done(result) => return result?.1.map_err(CallError::Fault),
            }
        }
    }

    async fn connect(&self, limit: Duration) -> Result<Conn, CallError> {
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
        let stream = timeout(limit, connect)
            .await
            .ok_or_else(|| TransportError::timeout("connect"))??;
        Ok(Conn {
            stream,
            proto: inner.connection(),
            reusable: false,
        })
    }
}

/// Sends `call` on `conn` and reads its answer; the exchange judges every
/// read, write and timer.
async fn round_trip(
    conn: &mut Conn,
    call: &MethodCall,
    deadline: Option<Instant>,
) -> Result<Answer, Failure> {
    let mut ex = Exchange::start(&mut conn.proto, call, deadline)?;
    let mut buf = vec![0; READ_BUFFER];
    let outcome = loop {
        let timer = ex.poll_timeout(&conn.proto);
        if let Some(out) = ex.poll_transmit(&mut conn.proto) {
            match until(timer, conn.stream.write(out)).await {
                Some(r) => ex.handle_write(&mut conn.proto, r, Instant::now()),
                None => ex.handle_timeout(&mut conn.proto, Instant::now()),
            }
            continue;
        }
        if ex.wants_flush(&mut conn.proto) {
            match until(timer, conn.stream.flush()).await {
                Some(r) => ex.handle_flush(&mut conn.proto, r, Instant::now()),
                None => ex.handle_timeout(&mut conn.proto, Instant::now()),
            }
            continue;
        }
        match ex.poll_response(&mut conn.proto) {
            Ok(None) => {}
            Ok(Some(answer)) => break Ok(answer),
            Err(failure) => break Err(failure),
        }
        match until(timer, conn.stream.read(&mut buf)).await {
            Some(r) => ex.handle_read(&mut conn.proto, r, &mut buf, Instant::now()),
            None => ex.handle_timeout(&mut conn.proto, Instant::now()),
        }
    };
    conn.reusable = ex.reusable(&conn.proto);
    outcome
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
