//! The options of a server, shared by every runtime's server builder.

use std::fmt;
use std::io;
use std::net::SocketAddr;
#[cfg(feature = "rustls")]
use std::sync::Arc;
use std::time::{Duration, Instant};

use xmlrpc_proto::dispatch::Site;
use xmlrpc_proto::{ServerConfig, ServerConnection};

/// How long an accept loop pauses after a failure of the listener itself.
pub const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Logs a failed `accept`, and says whether the loop should pause
/// ([`ACCEPT_PAUSE`]) before the next one: after a failure of the
/// listener itself (out of file descriptors, say), so as not to spin; not
/// after one that concerns a single connection (reset or aborted before
/// it was accepted) or an interrupted call.
#[must_use]
pub fn accept_failed(e: &io::Error) -> bool {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset, Interrupted};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted
    ) {
        tracing::debug!(error = %e, "accept");
        false
    } else {
        tracing::warn!(error = %e, "accept failed; pausing");
        true
    }
}

/// A connection accepted at `now` from `peer`, as every runtime's server
/// opens it: serving its site ([`ServerConnection::for_site`]), or, when
/// `refused` (over the connection limit), answering its first request
/// `503` ([`ServerConnection::refusing`]). Its idle deadline runs from
/// `now`.
#[must_use]
pub(crate) fn open_connection(
    config: &ServerConfig,
    peer: Option<SocketAddr>,
    refused: bool,
    now: Instant,
) -> ServerConnection {
    let mut conn = if refused {
        ServerConnection::refusing(config.clone())
    } else {
        ServerConnection::for_site(config.clone())
    };
    if let Some(peer) = peer {
        conn.set_peer_addr(peer);
    }
    conn.handle_open(now);
    conn
}

/// What happens to a connection or a call beyond a server's limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Overload {
    /// Wait for a slot: a connection beyond the limit stays in the
    /// listener's backlog, a call beyond it waits before it runs (the
    /// default).
    #[default]
    Wait,
    /// Answer at once with `503 Service Unavailable` and go on.
    Refuse,
}

/// The options of a server, shared by every runtime's server builder.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerSettings {
    /// Every bound and deadline of each connection, the `Server` header,
    /// keep-alive, gzip.
    pub config: ServerConfig,
    /// The most connections served at once. Default 1024.
    pub max_connections: usize,
    /// The most calls running at once, over all connections; `None` for
    /// the runtime's default (256 for the async runtimes, the number of
    /// worker threads for a thread pool).
    pub max_in_flight: Option<usize>,
    /// What happens beyond those limits. Default [`Overload::Wait`].
    pub overload: Overload,
    /// Serve HTTPS with this rustls configuration.
    #[cfg(feature = "rustls")]
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            config: ServerConfig::default(),
            max_connections: 1024,
            max_in_flight: None,
            overload: Overload::Wait,
            #[cfg(feature = "rustls")]
            tls: None,
        }
    }
}

/// A runtime's server, made from a [`Site`], [`ServerSettings`] and the
/// runtime's own options: what [`ServerBuilder::build`] gives.
pub trait BuildServer: Sized {
    /// Options only this runtime has (an executor, a thread count).
    type Options: Default;

    /// The server.
    fn build_server(site: Site, settings: ServerSettings, options: Self::Options) -> Self;
}

/// Builds a server of any runtime (`S`: `xmlrpc_tokio::Server`, ...):
/// limits, overload policy, TLS. Each runtime crate names it
/// `ServerBuilder` and hands it out from `Server::builder(site)`; options
/// of one runtime only (smol's executor, the blocking server's worker
/// threads) are set through [`options_mut`](Self::options_mut), which
/// the runtime crate wraps in a method of its own.
#[must_use]
pub struct ServerBuilder<S: BuildServer> {
    site: Site,
    settings: ServerSettings,
    options: S::Options,
}

impl<S: BuildServer> fmt::Debug for ServerBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("site", &self.site)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<S: BuildServer> ServerBuilder<S> {
    /// A builder for a server of `site`, with the default settings.
    pub fn new(site: Site) -> Self {
        Self {
            site,
            settings: ServerSettings::default(),
            options: S::Options::default(),
        }
    }

    /// The server.
    #[must_use]
    pub fn build(self) -> S {
        S::build_server(self.site, self.settings, self.options)
    }

    /// The shared settings so far, to read or change directly.
    pub fn settings_mut(&mut self) -> &mut ServerSettings {
        &mut self.settings
    }

    /// The runtime's own options so far.
    pub fn options_mut(&mut self) -> &mut S::Options {
        &mut self.options
    }

    /// Every bound and deadline of each connection (see [`Limits`](xmlrpc_proto::Limits)).
    pub fn limits(mut self, limits: xmlrpc_proto::Limits) -> Self {
        self.settings.config.limits = limits;
        self
    }

    /// The whole connection configuration (limits, `Server` header,
    /// keep-alive, gzip).
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.settings.config = config;
        self
    }

    /// The most connections served at once. Default 1024.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.settings.max_connections = n.max(1);
        self
    }

    /// The most calls running at once, over all connections. Default 256
    /// for the async runtimes, the number of worker threads for a thread
    /// pool (which bounds it anyway).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.settings.max_in_flight = Some(n.max(1));
        self
    }

    /// What happens beyond those limits. Default [`Overload::Wait`].
    pub fn overload(mut self, overload: Overload) -> Self {
        self.settings.overload = overload;
        self
    }

    /// How long a peer may leave an answer unread before the connection
    /// is dropped (a peer that does not read its answers): sets
    /// [`Limits::write_timeout`](xmlrpc_proto::Limits::write_timeout).
    /// Default 30 s.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.settings.config.limits.write_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Serves HTTPS with this rustls configuration (see
    /// [`server_config`](crate::tls::server_config)).
    #[cfg(feature = "rustls")]
    pub fn tls(mut self, config: Arc<rustls::ServerConfig>) -> Self {
        self.settings.tls = Some(config);
        self
    }

    /// Serves HTTPS with a PEM certificate chain and private key.
    ///
    /// # Errors
    ///
    /// When the PEM data is unusable or the key does not fit.
    #[cfg(feature = "rustls")]
    pub fn tls_pem(
        self,
        cert_chain_pem: &[u8],
        key_pem: &[u8],
    ) -> Result<Self, crate::tls::TlsError> {
        let config = crate::tls::server_config(cert_chain_pem, key_pem)?;
        Ok(self.tls(config))
    }
}
