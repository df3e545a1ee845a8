//! The async connection loops, once for every async runtime.
//!
//! - Client: a runtime gives a way to connect, a byte stream and a timer
//!   ([`Connector`], [`Stream`], [`Timer`]); [`call`] does the rest (the
//!   [`Plan`](crate::Plan) over the pool, the [`Exchange`] of each
//!   attempt), and [`Client`] is the client the runtime crates hand out.
//! - Server: a runtime gives a stream, a timer, its limit on calls in
//!   flight, its [`Site`] and its shutdown signal ([`Host`]); [`serve`]
//!   drives a [`ServerConnection`] over the stream until it closes, after
//!   a TLS [`handshake`] within the connection's deadline. With its limit on open
//!   connections and a way to spawn tasks ([`Admit`]), a source of
//!   connections ([`Incoming`]) is served by [`accept_loop`] until
//!   shutdown.
//!
//! No executor is needed: the futures here only poll the runtime's. A
//! client runtime in a few lines: here a stream that plays a recorded
//! answer, and a timer that never fires.
//!
//! ```
//! use std::io;
//! use std::time::Instant;
//! use xmlrpc_driver::call::TransportError;
//! use xmlrpc_driver::run::{self, Connector, Stream, Timer};
//! use xmlrpc_driver::{ClientCore, ClientSettings, PreparedClient};
//! use xmlrpc_proto::{MethodCall, Value};
//!
//! struct Recorded(Vec<u8>);
//!
//! impl Stream for Recorded {
//!     async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
//!         let n = self.0.len().min(buf.len());
//!         buf[..n].copy_from_slice(&self.0[..n]);
//!         self.0.drain(..n);
//!         Ok(n)
//!     }
//!     async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
//!         Ok(buf.len())
//!     }
//!     async fn flush(&mut self) -> io::Result<()> {
//!         Ok(())
//!     }
//!     async fn close(&mut self) -> io::Result<()> {
//!         Ok(())
//!     }
//! }
//!
//! struct Replay;
//!
//! impl Timer for Replay {
//!     async fn sleep_until(&self, _: Instant) {
//!         std::future::pending::<()>().await
//!     }
//! }
//!
//! impl Connector for Replay {
//!     type Stream = Recorded;
//!     async fn connect(&self, _: &PreparedClient) -> Result<Recorded, TransportError> {
//!         let body = "<?xml version=\"1.0\"?><methodResponse><params><param>\
//!             <value><int>5</int></value></param></params></methodResponse>";
//!         let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
//!         Ok(Recorded(answer.into_bytes()))
//!     }
//! }
//!
//! let core = ClientCore::new("http://localhost/RPC2", &ClientSettings::default())?;
//! let call = MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]);
//! // Every future here is ready at once: poll it once.
//! let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! let mut fut = std::pin::pin!(run::call(&Replay, &core, &call));
//! let std::task::Poll::Ready(result) = fut.as_mut().poll(&mut cx) else { panic!() };
//! assert_eq!(result?, Value::Int(5));
//! # Ok::<(), xmlrpc_driver::call::CallError>(())
//! ```

use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use xmlrpc_proto::dispatch::Site;
use xmlrpc_proto::{ClientConnection, FromValue, MethodCall, Next, ServerConnection, Url, Value};

use crate::call::{CallError, IntoParams, TransportError};
use crate::{
    Answer, Attempt, BuildClient, ClientBuilder, ClientCore, ClientSettings, Exchange, Failure,
    Overload, PreparedClient, Settled, method_call,
};

/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// A connected byte stream of an async runtime (a TCP or TLS socket).
pub trait Stream: Send {
    /// Reads into `buf`: `Ok(0)` at the end of the stream.
    fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    /// Writes some of `buf`.
    fn write<'a>(
        &'a mut self,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    /// Flushes what the stream buffers (a TLS stream's records).
    fn flush(&mut self) -> impl Future<Output = io::Result<()>> + Send + '_;
    /// Closes the sending side (a TLS stream's `close_notify` first).
    fn close(&mut self) -> impl Future<Output = io::Result<()>> + Send + '_;
}

/// A client's connection: plain, or TLS when the URL is `https`. With
/// TLS compiled out, `T` is [`Infallible`](std::convert::Infallible).
#[derive(Debug)]
pub enum MaybeTls<P, T> {
    /// A plain stream.
    Plain(P),
    /// A TLS stream.
    Tls(Box<T>),
}

impl<P: Stream, T: Stream> Stream for MaybeTls<P, T> {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf).await,
            Self::Tls(s) => s.read(buf).await,
        }
    }

    async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf).await,
            Self::Tls(s) => s.write(buf).await,
        }
    }

    async fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.flush().await,
            Self::Tls(s) => s.flush().await,
        }
    }

    async fn close(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.close().await,
            Self::Tls(s) => s.close().await,
        }
    }
}

/// No stream at all: the TLS side of [`MaybeTls`] without TLS.
impl Stream for std::convert::Infallible {
    async fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match *self {}
    }

    async fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        match *self {}
    }

    async fn flush(&mut self) -> io::Result<()> {
        match *self {}
    }

    async fn close(&mut self) -> io::Result<()> {
        match *self {}
    }
}

/// An async runtime's timer.
pub trait Timer: Send + Sync {
    /// Completes at `deadline`.
    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()> + Send + '_;
}

/// How an async runtime opens a client's connections.
pub trait Connector: Timer {
    /// The stream of a connection.
    type Stream: Stream;
    /// A connection to `client.url`, TLS handshake included when the
    /// URL is `https` (the caller bounds the time it takes).
    fn connect<'a>(
        &'a self,
        client: &'a PreparedClient,
    ) -> impl Future<Output = Result<Self::Stream, TransportError>> + Send + 'a;
}

/// A kept-alive connection of an async client: its stream, its state
/// machine and its read buffer.
#[derive(Debug)]
pub struct Pooled<S> {
    stream: S,
    proto: ClientConnection,
    buf: Vec<u8>,
}

/// Sends `call` over the connections of `core`, opened by `connector`,
/// and returns its result value: kept-alive connections first (one that
/// the server had closed is dropped and the next tried), then a fresh
/// one, within the client's connect and call timeouts.
///
/// # Errors
///
/// [`CallError::Fault`] when the server answers with a fault, and the
/// other variants of [`CallError`] for HTTP, transport and protocol
/// failures.
pub async fn call<K: Connector>(
    connector: &K,
    core: &ClientCore<Pooled<K::Stream>>,
    call: &MethodCall,
) -> Result<Value, CallError> {
    let mut plan = core.plan(Instant::now());
    loop {
        let mut conn = match plan.next(Instant::now(), || core.take_idle(Instant::now()))? {
            Attempt::Reuse(conn) => conn,
            Attempt::Connect(limit) => connect(connector, core, limit).await?,
        };
        let (outcome, reusable) = round_trip(connector, &mut conn, call, plan.deadline()).await;
        if reusable {
            core.put_idle(conn, Instant::now());
        }
        match plan.settle(outcome) {
            Settled::Retry => {}
            Settled::Done(result) => return result?.1.map_err(CallError::Fault),
        }
    }
}

/// An XML-RPC client for one URL (Twisted's `Proxy`) on the async
/// runtime `K`. Each runtime crate names it `Client`: `xmlrpc_tokio::Client`
/// is `Client<xmlrpc_tokio::Tokio>`, `xmlrpc_smol::Client` is
/// `Client<xmlrpc_smol::Smol>`.
///
/// Cheap to clone and safe to share: calls from many tasks at once run
/// over a pool of kept-alive connections (one call per connection at a
/// time). A call sent on a kept-alive connection that turns out to have
/// been closed by the server before any byte of an answer arrived (the
/// usual fate of idle connections) is sent again once on a new
/// connection; no other failure is retried.
///
/// ```
/// # use std::io;
/// # use std::time::Instant;
/// # use xmlrpc_driver::call::TransportError;
/// # use xmlrpc_driver::run::{Connector, Stream, Timer};
/// # use xmlrpc_driver::PreparedClient;
/// # struct Recorded(Vec<u8>);
/// # impl Stream for Recorded {
/// #     async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
/// #         let n = self.0.len().min(buf.len());
/// #         buf[..n].copy_from_slice(&self.0[..n]);
/// #         self.0.drain(..n);
/// #         Ok(n)
/// #     }
/// #     async fn write(&mut self, buf: &[u8]) -> io::Result<usize> { Ok(buf.len()) }
/// #     async fn flush(&mut self) -> io::Result<()> { Ok(()) }
/// #     async fn close(&mut self) -> io::Result<()> { Ok(()) }
/// # }
/// # impl Timer for Replay {
/// #     async fn sleep_until(&self, _: Instant) { std::future::pending::<()>().await }
/// # }
/// # impl Connector for Replay {
/// #     type Stream = Recorded;
/// #     async fn connect(&self, _: &PreparedClient) -> Result<Recorded, TransportError> {
/// #         let body = "<?xml version=\"1.0\"?><methodResponse><params><param>\
/// #             <value><int>5</int></value></param></params></methodResponse>";
/// #         let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
/// #         Ok(Recorded(answer.into_bytes()))
/// #     }
/// # }
/// use xmlrpc_driver::run::Client;
///
/// /// A runtime whose every connection plays back one recorded answer.
/// #[derive(Default)]
/// struct Replay;
///
/// let client = Client::<Replay>::new("http://localhost/RPC2")?;
/// let sum = client.call::<i32>("add", (2, 3));
/// // Every future here is ready at once: poll it once.
/// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// let std::task::Poll::Ready(sum) = std::pin::pin!(sum).poll(&mut cx) else { panic!() };
/// assert_eq!(sum?, 5);
/// # Ok::<(), xmlrpc_driver::call::CallError>(())
/// ```
pub struct Client<K: Connector> {
    inner: Arc<(K, ClientCore<Pooled<K::Stream>>)>,
}

impl<K: Connector> Clone for Client<K> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<K: Connector> fmt::Debug for Client<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("url", self.url())
            .finish_non_exhaustive()
    }
}

impl<K: Connector + Default> BuildClient for Client<K> {
    fn build_client(url: &str, settings: ClientSettings) -> Result<Self, CallError> {
        let core = ClientCore::new(url, &settings)?;
        Ok(Self {
            inner: Arc::new((K::default(), core)),
        })
    }
}

impl<K: Connector + Default> Client<K> {
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
    pub fn builder(url: &str) -> ClientBuilder<Self> {
        ClientBuilder::new(url)
    }
}

impl<K: Connector> Client<K> {
    /// The URL this client calls.
    #[must_use]
    pub fn url(&self) -> &Url {
        self.inner.1.url()
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
        let (connector, core) = &*self.inner;
        self::call(connector, core, call).await
    }
}

async fn connect<K: Connector>(
    connector: &K,
    core: &ClientCore<Pooled<K::Stream>>,
    limit: Duration,
) -> Result<Pooled<K::Stream>, CallError> {
    let deadline = Instant::now().checked_add(limit);
    let stream = until(connector, deadline, connector.connect(core.prepared()))
        .await
        .ok_or_else(|| TransportError::timeout("connect"))??;
    Ok(Pooled {
        stream,
        proto: core.connection(),
        buf: vec![0; READ_BUFFER],
    })
}

/// `fut`'s output, or `None` once `deadline` (if any) passes first.
pub async fn until<T: Timer, F: Future>(
    timer: &T,
    deadline: Option<Instant>,
    fut: F,
) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let Some(deadline) = deadline else {
        return Some(fut.await);
    };
    let mut sleep = pin!(timer.sleep_until(deadline));
    poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        sleep.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// One attempt: `call` on `conn`, every read, write and timer judged by
/// the [`Exchange`]. Also says whether the connection may be kept.
async fn round_trip<K: Connector>(
    connector: &K,
    conn: &mut Pooled<K::Stream>,
    call: &MethodCall,
    deadline: Option<Instant>,
) -> (Result<Answer, Failure>, bool) {
    let mut ex = match Exchange::start(&mut conn.proto, call, deadline) {
        Ok(ex) => ex,
        Err(failure) => return (Err(failure), false),
    };
    let Pooled { stream, proto, buf } = conn;
    let outcome = loop {
        let timer = ex.poll_timeout(proto);
        if let Some(out) = ex.poll_transmit(proto) {
            match until(connector, timer, stream.write(out)).await {
                Some(r) => ex.handle_write(proto, r, Instant::now()),
                None => ex.handle_timeout(proto, Instant::now()),
            }
            continue;
        }
        if ex.wants_flush(proto) {
            match until(connector, timer, stream.flush()).await {
                Some(r) => ex.handle_flush(proto, r, Instant::now()),
                None => ex.handle_timeout(proto, Instant::now()),
            }
            continue;
        }
        match ex.poll_response(proto) {
            Ok(None) => {}
            Ok(Some(answer)) => break Ok(answer),
            Err(failure) => break Err(failure),
        }
        match until(connector, timer, stream.read(buf)).await {
            Some(r) => ex.handle_read(proto, r, buf, Instant::now()),
            None => ex.handle_timeout(proto, Instant::now()),
        }
    };
    let reusable = ex.reusable(proto);
    (outcome, reusable)
}

/// What a server of an async runtime gives the shared connection loop.
pub trait Host: Timer {
    /// The resources served.
    fn site(&self) -> &Site;
    /// Held while a call runs.
    type Permit: Send;
    /// A slot among the server's calls in flight: waits for one, or
    /// `None` when the call must be refused (`503`) instead.
    fn enter_call(&self) -> impl Future<Output = Option<Self::Permit>> + Send + '_;
    /// Whether the server has begun shutting down.
    fn is_stopping(&self) -> bool;
    /// Completes once the server begins shutting down.
    fn stopped(&self) -> impl Future<Output = ()> + Send + '_;
}

/// What woke the connection loop.
enum Wake {
    Read(io::Result<usize>),
    Timer,
    Stop,
}

/// Serves one connection: runs its calls (within the host's limit),
/// writes the answers, reads and waits, every deadline the connection's,
/// until the connection says to close; then closes the stream, bounded by
/// the write timeout. A failed read or write ends the connection, and is
/// logged (at `debug`).
pub async fn serve<H: Host, S: Stream>(host: &H, io: &mut S, conn: ServerConnection) {
    let peer = conn.peer_addr();
    if let Err(e) = serve_connection(host, io, conn).await {
        tracing::debug!(?peer, error = %e, "connection ended");
    }
}

async fn serve_connection<H: Host, S: Stream>(
    host: &H,
    io: &mut S,
    mut conn: ServerConnection,
) -> io::Result<()> {
    let write_timeout = conn.config().limits.write_timeout;
    let mut buf = vec![0; READ_BUFFER];
    loop {
        while let Some(job) = conn.poll_job(host.site()) {
            let Some(permit) = host.enter_call().await else {
                conn.refuse(job);
                continue;
            };
            let answer = match job.start().into_ready() {
                Ok(answer) => answer,
                Err(running) => running.await,
            };
            drop(permit);
            conn.finish(answer);
        }
        loop {
            let now = Instant::now();
            if conn.poll_transmit(now).is_none() {
                break;
            }
            // Writes wake at the connection's deadline too: a peer that
            // leaves its answer unread is dropped.
            let deadline = conn.poll_timeout();
            let Some(out) = conn.poll_transmit(now) else {
                break;
            };
            match until(host, deadline, io.write(out)).await {
                Some(Ok(0)) => return Err(io::ErrorKind::WriteZero.into()),
                Some(Ok(n)) => conn.advance_transmit(n),
                Some(Err(e)) => return Err(e),
                None => conn.handle_timeout(Instant::now()),
            }
        }
        // A TLS stream's last records, within the same write deadline.
        while conn.poll_flush(Instant::now()) {
            match until(host, conn.poll_timeout(), io.flush()).await {
                Some(Ok(())) => conn.handle_flush(),
                Some(Err(e)) => return Err(e),
                None => conn.handle_timeout(Instant::now()),
            }
        }
        let stopping = host.is_stopping();
        let Next::Wait { read, deadline } = conn.next(stopping) else {
            break;
        };
        let wake = {
            let mut reading = pin!(async {
                if read {
                    io.read(&mut buf).await
                } else {
                    std::future::pending().await
                }
            });
            let mut timer = pin!(async {
                match deadline {
                    Some(d) => host.sleep_until(d).await,
                    None => std::future::pending().await,
                }
            });
            let mut stop = pin!(async {
                if stopping {
                    std::future::pending().await
                } else {
                    host.stopped().await;
                }
            });
            poll_fn(|cx| {
                if let Poll::Ready(r) = reading.as_mut().poll(cx) {
                    return Poll::Ready(Wake::Read(r));
                }
                if timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::Timer);
                }
                stop.as_mut().poll(cx).map(|()| Wake::Stop)
            })
            .await
        };
        match wake {
            Wake::Read(r) => match r? {
                0 => conn.handle_eof(),
                n => conn.handle_data(&buf[..n], Instant::now()),
            },
            Wake::Timer => conn.handle_timeout(Instant::now()),
            Wake::Stop => {}
        }
    }
    let deadline = Instant::now().checked_add(write_timeout);
    let _ = until(host, deadline, io.close()).await;
    Ok(())
}

/// Runs a server-side TLS handshake within the connection's handshake
/// deadline ([`ServerConnection::begin_handshake`]): the TLS stream, or
/// `None` (logged at `debug`) when the handshake failed or took too
/// long.
pub async fn handshake<H: Timer, F, T>(
    host: &H,
    conn: &mut ServerConnection,
    accept: F,
) -> Option<T>
where
    F: Future<Output = io::Result<T>>,
{
    let peer = conn.peer_addr();
    conn.begin_handshake(Instant::now());
    match until(host, conn.poll_timeout(), accept).await {
        Some(Ok(tls)) => {
            conn.end_handshake();
            Some(tls)
        }
        Some(Err(e)) => {
            tracing::debug!(?peer, error = %e, "TLS handshake failed");
            None
        }
        None => {
            tracing::debug!(?peer, "TLS handshake timed out");
            None
        }
    }
}

/// A source of connections, as [`accept_loop`] takes it.
pub trait Incoming: Send {
    /// The stream of a connection.
    type Io: Send + 'static;
    /// The next connection and its peer's address, if known; `None` when
    /// there will be no more.
    fn accept(
        &mut self,
    ) -> impl Future<Output = Option<io::Result<(Self::Io, Option<SocketAddr>)>>> + Send + '_;
}

/// What a server of an async runtime gives [`accept_loop`] beside its
/// [`Host`]: its limit on open connections, and its executor.
pub trait Admit: Host + 'static {
    /// Held by a connection while it is open.
    type Slot: Send + 'static;
    /// What happens to connections over the limit.
    fn overload(&self) -> Overload;
    /// Waits for a slot among the open connections.
    fn reserve(&self) -> impl Future<Output = Option<Self::Slot>> + Send + '_;
    /// A slot among the open connections, if one is free now.
    fn try_reserve(&self) -> Option<Self::Slot>;
    /// A slot among the connections being refused (`503`), if one is
    /// free now.
    fn try_refusal(&self) -> Option<Self::Slot>;
    /// Runs `task` on the server's executor.
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static);
}

/// Accepts connections from `incoming` until shutdown (or until it ends)
/// and runs `connection(host, io, peer, refused)` for each on its own
/// task, then waits for those tasks to finish.
///
/// The limit on open connections applies as [`Overload`] says: with
/// `Wait`, nothing is accepted while the server is full; with `Refuse`,
/// a connection over the limit is read and answered `503` (`refused`),
/// and beyond as many again dropped. A failed `accept` is logged, and
/// one that concerns the listener itself (out of file descriptors, say)
/// pauses the loop 100 ms so as not to spin.
pub async fn accept_loop<H, I, C, F>(host: &Arc<H>, mut incoming: I, connection: C)
where
    H: Admit,
    I: Incoming,
    C: Fn(Arc<H>, I::Io, Option<SocketAddr>, bool) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let tasks = Tasks::default();
    loop {
        let reserved = if host.overload() == Overload::Refuse {
            None
        } else {
            match first(host.stopped(), host.reserve()).await {
                Some(Some(slot)) => Some(slot),
                Some(None) | None => break,
            }
        };
        let (io, peer) = match first(host.stopped(), incoming.accept()).await {
            None | Some(None) => break,
            Some(Some(Ok(conn))) => conn,
            Some(Some(Err(e))) => {
                accept_error(&**host, &e).await;
                continue;
            }
        };
        let (slot, refused) = match reserved.or_else(|| host.try_reserve()) {
            Some(slot) => (slot, false),
            None => match host.try_refusal() {
                Some(slot) => (slot, true),
                None => {
                    tracing::debug!(?peer, "over the connection limit: dropped");
                    continue;
                }
            },
        };
        let task = connection(Arc::clone(host), io, peer, refused);
        let running = tasks.start();
        host.spawn(async move {
            task.await;
            drop((slot, running));
        });
    }
    drop(incoming);
    tasks.finished().await;
}

/// `work`'s output, or `None` once `stop` completes; `stop` is polled
/// first.
async fn first<T>(stop: impl Future<Output = ()>, work: impl Future<Output = T>) -> Option<T> {
    let (mut stop, mut work) = (pin!(stop), pin!(work));
    poll_fn(|cx| {
        if stop.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        work.as_mut().poll(cx).map(Some)
    })
    .await
}

async fn accept_error<T: Timer>(timer: &T, e: &io::Error) {
    if crate::server::accept_failed(e) {
        timer
            .sleep_until(Instant::now() + crate::server::ACCEPT_PAUSE)
            .await;
    }
}

/// The connection tasks still running: a count, and the accept loop's
/// waker for when it reaches zero.
#[derive(Default)]
struct Tasks(Arc<Mutex<(usize, Option<Waker>)>>);

/// Held by one running task.
struct Running(Arc<Mutex<(usize, Option<Waker>)>>);

impl Tasks {
    fn start(&self) -> Running {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).0 += 1;
        Running(Arc::clone(&self.0))
    }

    async fn finished(self) {
        poll_fn(|cx| {
            let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if state.0 == 0 {
                return Poll::Ready(());
            }
            state.1 = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 -= 1;
        if state.0 == 0 {
            if let Some(waker) = state.1.take() {
                waker.wake();
            }
        }
    }
}
