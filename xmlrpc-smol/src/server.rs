//! The server: a [`Site`] served on `futures-io` streams.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use smol::channel::Receiver;
use smol::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use smol::net::{TcpListener, TcpStream};
use smol::stream::{Stream, StreamExt};
use xmlrpc_driver::run;
use xmlrpc_driver::{BuildServer, ServerCore, ServerSettings, ShutdownHandle, Spawn};
use xmlrpc_proto::dispatch::Site;

/// A future that a [`Spawner`] runs to completion.
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Runs each connection's future on some executor: `smol::spawn` by
/// default; `async_std::task::spawn`, or a handle to your own
/// executor, inside an application built on another runtime.
pub type Spawner = Arc<dyn Fn(BoxFuture) + Send + Sync>;

/// A source of connections: a [`TcpListener`], a `UnixListener`, a
/// channel of streams, any [`Stream`] of them ([`Incoming`]), or your own.
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
        Some(Self::accept(self).await.map(|(stream, peer)| {
            // Small request/response exchanges: no Nagle delay.
            let _ = stream.set_nodelay(true);
            (stream, Some(peer))
        }))
    }
}

#[cfg(unix)]
impl Accept for smol::net::unix::UnixListener {
    type Io = smol::net::unix::UnixStream;

    async fn accept(&mut self) -> Option<io::Result<(Self::Io, Option<SocketAddr>)>> {
        Some(Self::accept(self).await.map(|(s, _)| (s, None)))
    }
}

/// Streams handed over one by one, for example by a proxy or a test:
/// the server stops when every sender is dropped.
impl<T> Accept for Receiver<(T, Option<SocketAddr>)>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Io = T;

    async fn accept(&mut self) -> Option<io::Result<(T, Option<SocketAddr>)>> {
        self.recv().await.ok().map(Ok)
    }
}

/// Any [`Stream`] of connections as a source, such as
/// `async_std::net::TcpListener::incoming()` or
/// `smol::net::TcpListener::incoming()`. Peer addresses are not known
/// this way.
#[derive(Debug)]
pub struct Incoming<S>(pub S);

impl<S, T> Accept for Incoming<S>
where
    S: Stream<Item = io::Result<T>> + Unpin + Send,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Io = T;

    async fn accept(&mut self) -> Option<io::Result<(T, Option<SocketAddr>)>> {
        self.0.next().await.map(|r| r.map(|io| (io, None)))
    }
}

/// Builds a [`Server`]: limits, overload policy, TLS (the setters every
/// runtime's server builder shares), and the executor
/// ([`ServerBuilderExt::spawner`]).
pub type ServerBuilder = xmlrpc_driver::ServerBuilder<Server>;

/// The options only smol's server has: see [`ServerBuilderExt`].
pub struct Options {
    spawner: Spawner,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            spawner: Arc::new(|f| smol::spawn(f).detach()),
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options").finish_non_exhaustive()
    }
}

/// The settings of a [`ServerBuilder`] that only this runtime has.
pub trait ServerBuilderExt {
    /// How each connection's task is started. Default `smol::spawn`:
    /// smol's global executor, which runs beside any other runtime on its
    /// own threads (one, unless the `SMOL_THREADS` environment variable
    /// asks for more). A busy server passes its own multi-threaded
    /// executor here.
    ///
    /// ```no_run
    /// use xmlrpc_smol::ServerBuilderExt;
    /// # let site = xmlrpc_smol::Site::new();
    /// // Inside an async-std application:
    /// # fn spawn_on_async_std(f: xmlrpc_smol::BoxFuture) {}
    /// let server = xmlrpc_smol::Server::builder(site)
    ///     .spawner(|f| spawn_on_async_std(f)) // async_std::task::spawn(f);
    ///     .build();
    /// # let _ = server;
    /// ```
    #[must_use]
    fn spawner(self, spawn: impl Fn(BoxFuture) + Send + Sync + 'static) -> Self;
}

impl ServerBuilderExt for ServerBuilder {
    fn spawner(mut self, spawn: impl Fn(BoxFuture) + Send + Sync + 'static) -> Self {
        self.options_mut().spawner = Arc::new(spawn);
        self
    }
}

impl BuildServer for Server {
    type Options = Options;

    fn build_server(site: Site, settings: ServerSettings, options: Options) -> Self {
        let executor = Executor(options.spawner);
        Self {
            core: Arc::new(ServerCore::new(executor, site, settings)),
        }
    }
}

/// An XML-RPC server on any `futures-io` streams: smol's sockets,
/// async-std's, or your own. Serves a [`Site`] (dispatchers mounted on
/// paths).
///
/// Each connection is driven by the core's
/// [`ServerConnection`](xmlrpc_proto::ServerConnection): keep-alive,
/// pipelining, limits and deadlines are the core's; this type adds
/// sockets, `async-io` timers (which work under any executor), a limit on
/// open connections and on calls in flight, and graceful shutdown.
///
/// ```no_run
/// use xmlrpc_smol::{Dispatcher, Server, Site};
///
/// # fn main() -> std::io::Result<()> {
/// smol::block_on(async {
///     let mut d = Dispatcher::new();
///     d.register("add", |a: i32, b: i32| a + b);
///     let server = Server::builder(Site::standard(d)).max_connections(100).build();
///     let listener = smol::net::TcpListener::bind("127.0.0.1:7080").await?;
///     server.serve(listener).await
/// })
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Server {
    core: Arc<ServerCore<Executor>>,
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
        self.core.shutdown_handle()
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

    /// Serves the connections of any [`Accept`] source until shutdown (or
    /// until the source ends), then waits for them to finish.
    ///
    /// # Errors
    ///
    /// As [`serve`](Self::serve).
    pub async fn serve_incoming<A: Accept>(&self, incoming: A) -> io::Result<()> {
        self.core.serve_incoming(Listen(incoming), connection).await;
        Ok(())
    }

    /// Serves one connection until it closes (or the server shuts down),
    /// on the calling task. The connection and in-flight limits and TLS
    /// apply as for accepted connections.
    pub async fn serve_connection<Io>(&self, io: Io, peer: Option<SocketAddr>)
    where
        Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let core = Arc::clone(&self.core);
        self.core.serve_one(connection(core, io, peer, false)).await;
    }
}

/// Serves one accepted connection: TLS first, when configured.
async fn connection<Io>(
    core: Arc<ServerCore<Executor>>,
    io: Io,
    peer: Option<SocketAddr>,
    refuse: bool,
) where
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    #[cfg(feature = "tls")]
    if let Some(config) = core.tls() {
        let accept = futures_rustls::TlsAcceptor::from(Arc::clone(config)).accept(io);
        return core
            .serve_tls(async { accept.await.map(Socket) }, peer, refuse)
            .await;
    }
    core.serve(Socket(io), peer, refuse).await;
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

/// `async-io` timers and the server's [`Spawner`].
struct Executor(Spawner);

impl run::Timer for Executor {
    async fn sleep_until(&self, deadline: Instant) {
        smol::Timer::at(deadline).await;
    }
}

impl Spawn for Executor {
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        (self.0)(Box::pin(task));
    }
}

/// Any `futures-io` stream as a stream of the shared client and server
/// loops ([`xmlrpc_driver::run::Stream`]).
#[derive(Debug)]
pub struct Socket<T>(pub T);

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
        self.0.close().await
    }
}
