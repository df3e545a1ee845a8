//! The server: a [`Site`] served by a bounded pool of std threads.

use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use xmlrpc_driver::sync::{self, Host as _, ServerStream};
use xmlrpc_driver::{BuildServer, Overload, ServerSettings};
use xmlrpc_proto::ServerConnection;
use xmlrpc_proto::dispatch::Site;

/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// Builds a [`Server`]: limits, overload policy, TLS (the setters every
/// runtime's server builder shares), and the worker threads
/// ([`ServerBuilderExt::workers`]).
///
/// With [`Overload::Wait`], a connection beyond the connection limit stays
/// in the listener's backlog until a connection closes; with
/// [`Overload::Refuse`], it is accepted, its first request answered
/// `503 Service Unavailable`, and closed.
pub type ServerBuilder = xmlrpc_driver::ServerBuilder<Server>;

/// The options only the blocking server has: see [`ServerBuilderExt`].
#[derive(Debug)]
pub struct Options {
    workers: usize,
}

impl Default for Options {
    fn default() -> Self {
        let cpus = thread::available_parallelism().map_or(2, usize::from);
        Self {
            workers: (cpus * 4).clamp(8, 64),
        }
    }
}

/// The settings of a [`ServerBuilder`] that only this runtime has.
pub trait ServerBuilderExt {
    /// The number of worker threads: the most calls running at once.
    /// Default four per CPU, between 8 and 64. Connections beyond the
    /// number of workers take turns: while others wait, a worker sets a
    /// connection aside between requests (after answering one, or after a
    /// short wait for one), so each gets a request answered per turn.
    #[must_use]
    fn workers(self, n: usize) -> Self;
}

impl ServerBuilderExt for ServerBuilder {
    fn workers(mut self, n: usize) -> Self {
        self.options_mut().workers = n.max(1);
        self
    }
}

impl BuildServer for Server {
    type Options = Options;

    fn build_server(site: Site, settings: ServerSettings, options: Options) -> Self {
        Self {
            shared: Arc::new(Shared {
                site,
                workers: options.workers,
                max_in_flight: settings.max_in_flight.unwrap_or(options.workers),
                settings,
                stop: AtomicBool::new(false),
                state: Mutex::new(State::default()),
                changed: Condvar::new(),
            }),
        }
    }
}

/// An XML-RPC server on std threads: serves a [`Site`] (dispatchers
/// mounted on paths) on a [`TcpListener`].
///
/// [`serve`](Self::serve) accepts on the calling thread and serves the
/// connections on a bounded pool of worker threads. Each connection is
/// driven by the core's [`ServerConnection`](xmlrpc_proto::ServerConnection)
/// (keep-alive, pipelining, limits and deadlines are the core's; the
/// deadlines are enforced with socket timeouts). Asynchronous procedures
/// are polled to completion on the worker ([`block_on`](crate::block_on)).
///
/// ```no_run
/// use std::net::TcpListener;
/// use xmlrpc_blocking::{Dispatcher, Server, ServerBuilderExt, Site};
///
/// let mut d = Dispatcher::new();
/// d.register("add", |a: i32, b: i32| a + b);
/// let server = Server::builder(Site::standard(d)).workers(16).build();
/// let stop = server.shutdown_handle();
/// // From any thread, later: stop.shutdown();
/// # let _ = stop;
/// server.serve(TcpListener::bind("127.0.0.1:7080")?)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Server {
    shared: Arc<Shared>,
}

/// Stops a [`Server`] gracefully from any thread: it stops accepting,
/// finishes the calls in flight, closes idle connections, and
/// [`Server::serve`] returns.
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    shared: Arc<Shared>,
}

impl ShutdownHandle {
    /// Starts the shutdown and returns at once.
    pub fn shutdown(&self) {
        let shared = &self.shared;
        shared.stop.store(true, Ordering::SeqCst);
        let listeners = shared.lock().listeners.clone();
        shared.changed.notify_all();
        // A thread blocked in `accept` wakes up for a connection.
        for addr in listeners {
            let _ = TcpStream::connect_timeout(&wake_address(addr), Duration::from_secs(1));
        }
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[must_use]
    pub fn is_shutdown(&self) -> bool {
        self.shared.stop.load(Ordering::SeqCst)
    }
}

/// The address to connect to so as to wake a listener bound to `addr`.
fn wake_address(mut addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        match addr {
            SocketAddr::V4(_) => addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into()),
            SocketAddr::V6(_) => addr.set_ip(std::net::Ipv6Addr::LOCALHOST.into()),
        }
    }
    addr
}

#[derive(Debug)]
struct Shared {
    site: Site,
    settings: ServerSettings,
    workers: usize,
    max_in_flight: usize,
    stop: AtomicBool,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Connections waiting for a worker: new ones, and kept-alive ones
    /// set aside between requests.
    queue: VecDeque<Conn>,
    /// Connections open (queued or being served), refusals included.
    open: usize,
    /// Connections open only to be refused.
    refusing: usize,
    /// Calls running.
    in_flight: usize,
    /// Addresses of the listeners being served, to wake their `accept`.
    listeners: Vec<SocketAddr>,
}

/// One connection: its socket and its state machine.
#[derive(Debug)]
struct Conn {
    stream: ServerStream,
    proto: ServerConnection,
    refusal: bool,
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

    /// A handle that stops this server gracefully, from any thread.
    #[must_use]
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Serves connections from `listener` until shutdown, then waits for
    /// the calls in flight to be answered and returns. Accepts on the
    /// calling thread; the workers are scoped to this call.
    ///
    /// # Errors
    ///
    /// When the listener's address cannot be read. Failures to accept are
    /// logged and retried, and each connection's errors end that
    /// connection only.
    pub fn serve(&self, listener: TcpListener) -> io::Result<()> {
        let shared = &*self.shared;
        let addr = listener.local_addr()?;
        shared.lock().listeners.push(addr);
        thread::scope(|scope| {
            for i in 0..shared.workers {
                let spawned = thread::Builder::new()
                    .name(format!("xmlrpc-worker-{i}"))
                    .spawn_scoped(scope, || shared.worker());
                if let Err(e) = spawned {
                    tracing::warn!(error = %e, "could not start a worker thread");
                    if i == 0 {
                        // Serve with this thread alone rather than not at
                        // all: no accepting then, so stop here.
                        shared.stop.store(true, Ordering::SeqCst);
                    }
                    break;
                }
            }
            shared.accept_loop(&listener);
            // No more connections: new ones are refused from here on,
            // while the workers finish the open ones.
            drop(listener);
            shared.changed.notify_all();
        });
        shared.lock().listeners.retain(|a| *a != addr);
        Ok(())
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a thread panicked while holding it;
        // the queue and counters are still consistent (every change to
        // them is a single step).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn accept_loop(&self, listener: &TcpListener) {
        loop {
            if self.settings.overload != Overload::Refuse {
                let mut state = self.lock();
                while state.open >= self.settings.max_connections && !self.is_stopping() {
                    state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            }
            if self.is_stopping() {
                return;
            }
            let (stream, peer) = match listener.accept() {
                Ok(accepted) => accepted,
                Err(e) => {
                    if xmlrpc_driver::accept_failed(&e) {
                        thread::sleep(xmlrpc_driver::ACCEPT_PAUSE);
                    }
                    continue;
                }
            };
            if self.is_stopping() {
                // Most likely the wake-up connection of the shutdown.
                return;
            }
            let mut state = self.lock();
            let refusal = state.open >= self.settings.max_connections;
            if refusal && state.refusing >= self.settings.max_connections {
                tracing::debug!(%peer, "over the connection limit: dropped");
                continue;
            }
            let (stream, proto) =
                match sync::accept(&self.settings, stream, peer, refusal, Instant::now()) {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::debug!(%peer, error = %e, "connection ended");
                        continue;
                    }
                };
            state.open += 1;
            state.refusing += usize::from(refusal);
            state.queue.push_back(Conn {
                stream,
                proto,
                refusal,
            });
            drop(state);
            self.changed.notify_all();
        }
    }

    /// A worker: serves queued connections until shutdown leaves none.
    fn worker(&self) {
        let mut buf = vec![0; READ_BUFFER];
        loop {
            let conn = {
                let mut state = self.lock();
                loop {
                    if let Some(c) = state.queue.pop_front() {
                        break c;
                    }
                    if self.is_stopping() {
                        return;
                    }
                    state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            };
            if let Some(conn) = self.turn(conn, &mut buf) {
                self.lock().queue.push_back(conn);
                self.changed.notify_one();
            }
        }
    }

    /// Serves `conn` until it closes (`None`), or until it is idle while
    /// other connections wait for a worker: then it is handed back, to be
    /// queued again.
    fn turn(&self, mut conn: Conn, buf: &mut [u8]) -> Option<Conn> {
        match sync::serve(self, &mut conn.stream, &mut conn.proto, buf) {
            Ok(sync::Turn::SetAside) => return Some(conn),
            Ok(sync::Turn::Done) => {}
            Err(e) => {
                let peer = conn.proto.peer_addr();
                tracing::debug!(?peer, error = %e, "connection ended");
            }
        }
        conn.stream.close(self.settings.config.limits.write_timeout);
        let mut state = self.lock();
        state.open -= 1;
        if conn.refusal {
            state.refusing -= 1;
        }
        drop(state);
        self.changed.notify_all();
        None
    }
}

impl sync::Host for Shared {
    fn site(&self) -> &Site {
        &self.site
    }

    /// Takes a slot for a call: waits for one, or with
    /// [`Overload::Refuse`] gives up (`false`) when none is free.
    fn enter_call(&self) -> bool {
        let mut state = self.lock();
        while state.in_flight >= self.max_in_flight {
            if self.settings.overload == Overload::Refuse {
                return false;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.in_flight += 1;
        true
    }

    fn leave_call(&self) {
        self.lock().in_flight -= 1;
        self.changed.notify_all();
    }

    fn others_waiting(&self) -> bool {
        !self.lock().queue.is_empty()
    }

    fn is_stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}
