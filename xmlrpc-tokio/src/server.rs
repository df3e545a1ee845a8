//! The server: a [`Site`] served on tokio sockets.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use xmlrpc_driver::run;
use xmlrpc_driver::{BuildServer, Overload, ServerSettings};
use xmlrpc_proto::ServerConfig;
use xmlrpc_proto::dispatch::Site;

/// A source of connections: a [`TcpListener`], a `UnixListener`, a
/// channel of streams, or your own.
pub trait Accept: Send {
    /// The stream type.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;

    /// The next connection and its peer's address, if known. `None` when
    /// there will be no more connections: the server then stops as on
    /// shutdown.
    fn accept(
        &mut self,
    ) -> impl Future<Output = Option<io::Result<(Self::Io, Option<SocketAddr>)>>> + Send;
}

impl Accept for TcpListener {
    type Io = TcpStream;

    async fn accept(&mut self) -> Option<io::Result<(TcpStream, Option<SocketAddr>)>> {
        // The inherent `accept`, not this trait's.
        Some(Self::accept(self).await.map(|(stream, peer)| {
            // Small request/response exchanges: no Nagle delay.
            let _ = stream.set_nodelay(true);
            (stream, Some(peer))
        }))
    }
}

#[cfg(unix)]
impl Accept for tokio::net::UnixListener {
    type Io = tokio::net::UnixStream;

    async fn accept(&mut self) -> Option<io::Result<(Self::Io, Option<SocketAddr>)>> {
        Some(Self::accept(self).await.map(|(s, _)| (s, None)))
    }
}

/// Streams handed over one by one, for example by a proxy or a test:
/// the server stops when every sender is dropped.
impl<T> Accept for mpsc::Receiver<(T, Option<SocketAddr>)>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Io = T;

    async fn accept(&mut self) -> Option<io::Result<(T, Option<SocketAddr>)>> {
        self.recv().await.map(Ok)
    }
}

/// Stops a [`Server`] gracefully: it stops accepting, finishes the calls
/// in flight, closes idle connections, and its `serve` calls return.
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    tx: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Starts the shutdown. Returns at once; the server's `serve` futures
    /// complete when the last connection is done.
    pub fn shutdown(&self) {
        self.tx.send_replace(true);
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[must_use]
    pub fn is_shutdown(&self) -> bool {
        *self.tx.borrow()
    }
}

/// Builds a [`Server`]: limits, overload policy, TLS (the setters every
/// runtime's server builder shares).
pub type ServerBuilder = xmlrpc_driver::ServerBuilder<Server>;

impl BuildServer for Server {
    type Options = ();

    fn build_server(site: Site, settings: ServerSettings, (): ()) -> Self {
        let (tx, _) = watch::channel(false);
        Self {
            shared: Arc::new(Shared {
                site,
                config: settings.config,
                connections: Arc::new(Semaphore::new(settings.max_connections)),
                refusals: Arc::new(Semaphore::new(settings.max_connections)),
                in_flight: Arc::new(Semaphore::new(settings.max_in_flight.unwrap_or(256))),
                overload: settings.overload,
                #[cfg(feature = "tls")]
                tls: settings.tls,
                shutdown: Arc::new(tx),
            }),
        }
    }
}

/// An XML-RPC server: serves a [`Site`] (dispatchers mounted on paths) on
/// any number of listeners.
///
/// Each connection is driven by the core's
/// [`ServerConnection`](xmlrpc_proto::ServerConnection): keep-alive,
/// pipelining, limits and deadlines are the core's; this type adds
/// sockets, tokio timers, a limit on open
/// connections and on calls in flight, and graceful shutdown.
///
/// Synchronous procedures run on the connection's task: make long ones
/// asynchronous (or use `tokio::task::spawn_blocking` inside them).
///
/// ```no_run
/// use xmlrpc_tokio::{Dispatcher, Server, Site};
///
/// # async fn run() -> std::io::Result<()> {
/// let mut d = Dispatcher::new();
/// d.register("add", |a: i32, b: i32| a + b);
/// let server = Server::builder(Site::standard(d)).max_connections(100).build();
/// let stop = server.shutdown_handle();
/// tokio::spawn(async move {
///     let _ = tokio::signal::ctrl_c().await;
///     stop.shutdown();
/// });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:7080").await?;
/// server.serve(listener).await
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Server {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    site: Site,
    config: ServerConfig,
    connections: Arc<Semaphore>,
    refusals: Arc<Semaphore>,
    in_flight: Arc<Semaphore>,
    overload: Overload,
    #[cfg(feature = "tls")]
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    shutdown: Arc<watch::Sender<bool>>,
}

impl Server {
    /// A server for `site` with the default limits.
    #[must_use]
    pub fn new(site: Site) -> Self {
        Self::builder(site).build()
    }

    /// A builder for a server of `site`.
    pub fn builder(site: Site) -> ServerBuilder {
        ServerBuilder::new(site)
    }

    /// A handle that stops this server gracefully.
    #[must_use]
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            tx: Arc::clone(&self.shared.shutdown),
        }
    }

    /// Serves connections from `listener` until shutdown, then waits for
    /// the connections it accepted to finish.
    ///
    /// # Errors
    ///
    /// None at present: failures to accept are logged and retried, and
    /// each connection's errors end that connection only.
    pub async fn serve(&self, listener: TcpListener) -> io::Result<()> {
        self.serve_incoming(listener).await
    }

    /// Like [`serve`](Self::serve), and shuts down when `signal`
    /// completes.
    ///
    /// # Errors
    ///
    /// As [`serve`](Self::serve).
    pub async fn serve_with_shutdown(
        &self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send,
    ) -> io::Result<()> {
        let handle = self.shutdown_handle();
        let serve = self.serve_incoming(listener);
        tokio::pin!(serve);
        tokio::select! {
            r = &mut serve => return r,
            () = signal => handle.shutdown(),
        }
        serve.await
    }

    /// Serves the connections of any [`Accept`] source until shutdown (or
    /// until the source ends), then waits for them to finish.
    ///
    /// # Errors
    ///
    /// As [`serve`](Self::serve).
    pub async fn serve_incoming<A: Accept>(&self, incoming: A) -> io::Result<()> {
        run::accept_loop(&self.shared, Listen(incoming), Shared::connection).await;
        Ok(())
    }

    /// Serves one connection until it closes (or the server shuts down).
    /// The connection and in-flight limits and TLS apply as for accepted
    /// connections.
    pub async fn serve_connection<Io>(&self, io: Io, peer: Option<SocketAddr>)
    where
        Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Ok(permit) = Arc::clone(&self.shared.connections).acquire_owned().await else {
            return;
        };
        Arc::clone(&self.shared).connection(io, peer, false).await;
        drop(permit);
    }
}

impl Shared {
    async fn connection<Io>(self: Arc<Self>, io: Io, peer: Option<SocketAddr>, refuse: bool)
    where
        Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        #[cfg_attr(not(feature = "tls"), allow(unused_mut))]
        let mut conn = xmlrpc_driver::open_connection(&self.config, peer, refuse, Instant::now());
        #[cfg(feature = "tls")]
        if let Some(config) = &self.tls {
            let accept = tokio_rustls::TlsAcceptor::from(Arc::clone(config)).accept(io);
            if let Some(tls) = run::handshake(&*self, &mut conn, accept).await {
                run::serve(&*self, &mut Socket(tls), conn).await;
            }
            return;
        }
        run::serve(&*self, &mut Socket(io), conn).await;
    }
}

/// An [`Accept`] source as the shared accept loop takes it.
struct Listen<A>(A);

impl<A: Accept> run::Incoming for Listen<A> {
    type Io = A::Io;

    fn accept(
        &mut self,
    ) -> impl Future<Output = Option<io::Result<(A::Io, Option<SocketAddr>)>>> + Send + '_ {
        self.0.accept()
    }
}

impl run::Admit for Shared {
    type Slot = OwnedSemaphorePermit;

    fn overload(&self) -> Overload {
        self.overload
    }

    async fn reserve(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.connections).acquire_owned().await.ok()
    }

    fn try_reserve(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.connections).try_acquire_owned().ok()
    }

    fn try_refusal(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.refusals).try_acquire_owned().ok()
    }

    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(task);
    }
}

impl run::Timer for Shared {
    async fn sleep_until(&self, deadline: Instant) {
        tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).await;
    }
}

impl run::Host for Shared {
    fn site(&self) -> &Site {
        &self.site
    }

    type Permit = OwnedSemaphorePermit;

    async fn enter_call(&self) -> Option<OwnedSemaphorePermit> {
        let in_flight = Arc::clone(&self.in_flight);
        match self.overload {
            Overload::Refuse => in_flight.try_acquire_owned().ok(),
            _ => in_flight.acquire_owned().await.ok(),
        }
    }

    fn is_stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    async fn stopped(&self) {
        let _ = self.shutdown.subscribe().wait_for(|s| *s).await;
    }
}

/// Any tokio stream, for the shared connection loop.
#[derive(Debug)]
pub(crate) struct Socket<T>(pub(crate) T);

impl<T: AsyncRead + AsyncWrite + Unpin + Send> run::Stream for Socket<T> {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).await
    }

    async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).await
    }

    async fn flush(&mut self) -> io::Result<()> {
        self.0.flush().await
    }

    async fn close(&mut self) -> io::Result<()> {
        self.0.shutdown().await
    }
}
