//! The server: a [`Site`] served on tokio sockets.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use xmlrpc_driver::run;
use xmlrpc_driver::{BuildServer, ServerCore, ServerSettings, ShutdownHandle, Spawn};
use xmlrpc_proto::dispatch::Site;

use crate::client::Tokio;

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

/// Builds a [`Server`]: limits, overload policy, TLS (the setters every
/// runtime's server builder shares).
pub type ServerBuilder = xmlrpc_driver::ServerBuilder<Server>;

impl BuildServer for Server {
    type Options = ();

    fn build_server(site: Site, settings: ServerSettings, (): ()) -> Self {
        Self {
            core: Arc::new(ServerCore::new(Tokio, site, settings)),
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
    core: Arc<ServerCore<Tokio>>,
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
        self.core.serve_incoming(Listen(incoming), connection).await;
        Ok(())
    }

    /// Serves one connection until it closes (or the server shuts down).
    /// The connection and in-flight limits and TLS apply as for accepted
    /// connections.
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
    core: Arc<ServerCore<Tokio>>,
    io: Io,
    peer: Option<SocketAddr>,
    refuse: bool,
) where
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    #[cfg(feature = "tls")]
    if let Some(config) = core.tls() {
        let accept = tokio_rustls::TlsAcceptor::from(Arc::clone(config)).accept(io);
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

impl Spawn for Tokio {
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(task);
    }
}

/// Any tokio stream as a stream of the shared client and server loops
/// ([`xmlrpc_driver::run::Stream`]).
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
        self.0.shutdown().await
    }
}
