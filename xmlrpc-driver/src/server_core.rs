//! What an async runtime's server holds, once for every async runtime:
//! [`ServerCore`].

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use async_lock::{Semaphore, SemaphoreGuardArc};
use event_listener::Event;
use xmlrpc_proto::ServerConnection;
use xmlrpc_proto::dispatch::Site;

use crate::run::{self, Admit, Host, Incoming, Stream, Timer};
use crate::{Overload, ServerSettings};

/// An async runtime as a server needs it: its timer, and a way to run a
/// connection's task.
pub trait Spawn: Timer + 'static {
    /// Runs `task` to completion on the runtime's executor.
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static);
}

/// The state of an async runtime's server: its [`Site`], its settings,
/// its limits on open connections and on calls in flight (runtime-neutral
/// semaphores), and its shutdown signal. It is the [`Host`] and the
/// [`Admit`] of the shared loops ([`run::serve`], [`run::accept_loop`]);
/// the runtime gives a [`Spawn`], its sockets and its TLS acceptor.
///
/// ```
/// use std::future::Future;
/// use std::time::Instant;
/// use xmlrpc_driver::run::Timer;
/// use xmlrpc_driver::{ServerCore, ServerSettings, Spawn};
/// use xmlrpc_proto::dispatch::Site;
///
/// struct Runtime;
///
/// impl Timer for Runtime {
///     async fn sleep_until(&self, _: Instant) {
///         std::future::pending::<()>().await
///     }
/// }
///
/// impl Spawn for Runtime {
///     fn spawn(&self, _task: impl Future<Output = ()> + Send + 'static) {}
/// }
///
/// let core = ServerCore::new(Runtime, Site::new(), ServerSettings::default());
/// let stop = core.shutdown_handle();
/// assert!(!stop.is_shutdown());
/// stop.shutdown();
/// assert!(stop.is_shutdown());
/// ```
pub struct ServerCore<R> {
    runtime: R,
    site: Site,
    settings: ServerSettings,
    connections: Arc<Semaphore>,
    refusals: Arc<Semaphore>,
    in_flight: Arc<Semaphore>,
    shutdown: ShutdownHandle,
}

impl<R> fmt::Debug for ServerCore<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerCore")
            .field("site", &self.site)
            .field("settings", &self.settings)
            .field("stopping", &self.shutdown.is_shutdown())
            .finish_non_exhaustive()
    }
}

impl<R: Spawn> ServerCore<R> {
    /// A server of `site` on `runtime`, with `settings`; the in-flight
    /// limit defaults to 256.
    pub fn new(runtime: R, site: Site, settings: ServerSettings) -> Self {
        Self {
            runtime,
            site,
            connections: Arc::new(Semaphore::new(settings.max_connections)),
            refusals: Arc::new(Semaphore::new(settings.max_connections)),
            in_flight: Arc::new(Semaphore::new(settings.max_in_flight.unwrap_or(256))),
            settings,
            shutdown: ShutdownHandle::default(),
        }
    }

    /// A handle that stops this server gracefully.
    #[must_use]
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// The rustls configuration, when the server speaks HTTPS.
    #[cfg(feature = "rustls")]
    #[must_use]
    pub fn tls(&self) -> Option<&Arc<rustls::ServerConfig>> {
        self.settings.tls.as_ref()
    }

    /// Serves one connection accepted from `peer` over `io` until it
    /// closes ([`run::serve`]); `refused`: over the connection limit, its
    /// first request is answered `503`.
    pub async fn serve<S: Stream>(&self, mut io: S, peer: Option<SocketAddr>, refused: bool) {
        let conn = self.open(peer, refused);
        run::serve(self, &mut io, conn).await;
    }

    /// The same over TLS: `accept` is the runtime's TLS handshake of the
    /// connection (with [`tls`](Self::tls)), bounded by the connection's
    /// handshake deadline ([`run::handshake`]).
    pub async fn serve_tls<T: Stream>(
        &self,
        accept: impl Future<Output = io::Result<T>>,
        peer: Option<SocketAddr>,
        refused: bool,
    ) {
        let mut conn = self.open(peer, refused);
        if let Some(mut tls) = run::handshake(self, &mut conn, accept).await {
            run::serve(self, &mut tls, conn).await;
        }
    }

    /// The state machine of a connection accepted now from `peer`.
    fn open(&self, peer: Option<SocketAddr>, refused: bool) -> ServerConnection {
        crate::open_connection(&self.settings.config, peer, refused, Instant::now())
    }

    /// Serves the connections of `incoming` until shutdown (or until it
    /// ends), `connection` running each one, then waits for them to
    /// finish ([`run::accept_loop`]).
    pub async fn serve_incoming<I, C, F>(self: &Arc<Self>, incoming: I, connection: C)
    where
        I: Incoming,
        C: Fn(Arc<Self>, I::Io, Option<SocketAddr>, bool) -> F,
        F: Future<Output = ()> + Send + 'static,
    {
        run::accept_loop(self, incoming, connection).await;
    }

    /// Runs `connection` for one connection once a slot among the open
    /// connections is free (on the calling task).
    pub async fn serve_one<F: Future<Output = ()>>(self: &Arc<Self>, connection: F) {
        let slot = self.connections.acquire_arc().await;
        connection.await;
        drop(slot);
    }
}

impl<R: Timer> Timer for ServerCore<R> {
    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()> + Send + '_ {
        self.runtime.sleep_until(deadline)
    }
}

impl<R: Spawn> Host for ServerCore<R> {
    type Permit = SemaphoreGuardArc;

    fn site(&self) -> &Site {
        &self.site
    }

    async fn enter_call(&self) -> Option<SemaphoreGuardArc> {
        match self.settings.overload {
            Overload::Refuse => self.in_flight.try_acquire_arc(),
            _ => Some(self.in_flight.acquire_arc().await),
        }
    }

    fn is_stopping(&self) -> bool {
        self.shutdown.is_shutdown()
    }

    fn stopped(&self) -> impl Future<Output = ()> + Send + '_ {
        self.shutdown.stopped()
    }
}

impl<R: Spawn> Admit for ServerCore<R> {
    type Slot = SemaphoreGuardArc;

    fn overload(&self) -> Overload {
        self.settings.overload
    }

    async fn reserve(&self) -> Option<SemaphoreGuardArc> {
        Some(self.connections.acquire_arc().await)
    }

    fn try_reserve(&self) -> Option<SemaphoreGuardArc> {
        self.connections.try_acquire_arc()
    }

    fn try_refusal(&self) -> Option<SemaphoreGuardArc> {
        self.refusals.try_acquire_arc()
    }

    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        self.runtime.spawn(task);
    }
}

/// Stops a server gracefully: it stops accepting, finishes the calls in
/// flight, closes idle connections, and its `serve` calls return.
#[derive(Clone, Default)]
pub struct ShutdownHandle(Arc<Signal>);

#[derive(Default)]
struct Signal {
    stopping: AtomicBool,
    event: Event,
}

impl fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ShutdownHandle")
            .field(&self.is_shutdown())
            .finish()
    }
}

impl ShutdownHandle {
    /// Starts the shutdown. Returns at once; the server's `serve` futures
    /// complete when the last connection is done.
    pub fn shutdown(&self) {
        self.0.stopping.store(true, Ordering::SeqCst);
        self.0.event.notify(usize::MAX);
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[must_use]
    pub fn is_shutdown(&self) -> bool {
        self.0.stopping.load(Ordering::SeqCst)
    }

    /// Completes once [`shutdown`](Self::shutdown) is called.
    pub async fn stopped(&self) {
        loop {
            if self.is_shutdown() {
                return;
            }
            // Listen before checking again, so that a shutdown between
            // the two is not missed.
            let listener = self.0.event.listen();
            if self.is_shutdown() {
                return;
            }
            listener.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopped_completes_after_shutdown() {
        let handle = ShutdownHandle::default();
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut stopped = std::pin::pin!(handle.stopped());
        assert!(stopped.as_mut().poll(&mut cx).is_pending());
        handle.clone().shutdown();
        assert!(stopped.as_mut().poll(&mut cx).is_ready());
        // And at once for a late waiter.
        let mut late = std::pin::pin!(handle.stopped());
        assert!(late.as_mut().poll(&mut cx).is_ready());
    }
}
