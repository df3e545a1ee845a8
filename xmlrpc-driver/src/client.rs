//! The options of a client, shared by every runtime's client builder, and
//! the pool of its kept-alive connections.

use std::marker::PhantomData;
#[cfg(feature = "rustls")]
use std::sync::Arc;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::call::{CallError, IntoParams};
use crate::exchange::Plan;
use xmlrpc_proto::{ClientConfig, ClientConnection, Limits, MethodCall, Url};

/// The options of a client, shared by every runtime's client builder, and
/// how they become a [`ClientConfig`] (and a TLS configuration) for a URL.
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_driver::ClientSettings;
///
/// let mut settings = ClientSettings::default();
/// settings.headers.push(("X-Trace".into(), "1".into()));
/// settings.call_timeout = Some(Duration::from_secs(5));
/// let prepared = settings.prepare("http://bob:pw@localhost:8080/RPC2").unwrap();
/// assert_eq!(prepared.config.basic_auth, Some(("bob".into(), "pw".into())));
/// assert_eq!(prepared.url.port(), 8080);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientSettings {
    /// Extra header fields for every request.
    pub headers: Vec<(String, String)>,
    /// The `User-Agent` value; `None` keeps the default.
    pub user_agent: Option<String>,
    /// Basic authentication; overrides the URL's user info.
    pub basic_auth: Option<(String, String)>,
    /// Bounds enforced on responses.
    pub limits: Limits,
    /// Whether `nil` may be sent. Default `false`.
    pub allow_nil: bool,
    /// Whether `<i8>` may be sent. Default `false`.
    pub allow_i8: bool,
    /// Whether connections are kept open between calls. Default `true`.
    pub keep_alive: bool,
    /// Resolving, connecting and the TLS handshake. Default 30 s.
    pub connect_timeout: Duration,
    /// A whole call, connecting included. Default none.
    pub call_timeout: Option<Duration>,
    /// Idle connections kept for reuse. Default 8.
    pub max_idle: usize,
    /// How long an idle connection is kept. Default 20 s (servers commonly
    /// close after 30 s).
    pub idle_timeout: Duration,
    /// Whether the raw `methodResponse` body of each answer is kept
    /// (see [`ClientConfig::keep_body`]). Default `false`.
    pub keep_body: bool,
    /// Trusted roots and certificate checks.
    #[cfg(feature = "rustls")]
    pub tls: crate::tls::ClientTlsConfig,
    /// A rustls configuration used as is (the other TLS settings are then
    /// ignored).
    #[cfg(feature = "rustls")]
    pub tls_config: Option<Arc<rustls::ClientConfig>>,
    /// A TLS setting that failed to apply (a bad PEM file), reported by
    /// [`prepare`](Self::prepare) for an `https` URL.
    pub tls_error: Option<String>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            headers: Vec::new(),
            user_agent: None,
            basic_auth: None,
            limits: Limits::default(),
            allow_nil: false,
            allow_i8: false,
            keep_alive: true,
            connect_timeout: Duration::from_secs(30),
            call_timeout: None,
            max_idle: 8,
            idle_timeout: Duration::from_secs(20),
            keep_body: false,
            #[cfg(feature = "rustls")]
            tls: crate::tls::ClientTlsConfig::new(),
            #[cfg(feature = "rustls")]
            tls_config: None,
            tls_error: None,
        }
    }
}

/// A client's settings applied to its URL: what its connections need.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PreparedClient {
    /// The URL called.
    pub url: Url,
    /// The configuration of each connection.
    pub config: ClientConfig,
    /// For an `https` URL: the rustls configuration and the name the
    /// certificate is checked against.
    #[cfg(feature = "rustls")]
    pub tls: Option<(
        Arc<rustls::ClientConfig>,
        rustls::pki_types::ServerName<'static>,
    )>,
}

impl ClientSettings {
    /// Also trusts the certificates in `pem`; a failure is kept and
    /// reported by [`prepare`](Self::prepare).
    #[cfg(feature = "rustls")]
    pub fn add_root_pem(&mut self, pem: &[u8]) {
        match self.tls.clone().add_root_pem(pem) {
            Ok(tls) => self.tls = tls,
            Err(e) => self.tls_error = Some(e.to_string()),
        }
    }

    /// Applies the settings to `url`.
    ///
    /// # Errors
    ///
    /// [`CallError::InvalidCall`] for an invalid URL, an `https` URL
    /// without TLS support, or unusable TLS settings.
    pub fn prepare(&self, url: &str) -> Result<PreparedClient, CallError> {
        let url = Url::parse(url)?;
        let mut config = ClientConfig::new(&url);
        config.headers.clone_from(&self.headers);
        if let Some(agent) = &self.user_agent {
            config.user_agent.clone_from(agent);
        }
        if self.basic_auth.is_some() {
            config.basic_auth.clone_from(&self.basic_auth);
        }
        config.limits = self.limits.clone();
        config.encode.allow_nil = self.allow_nil;
        config.encode.allow_i8 = self.allow_i8;
        config.keep_alive = self.keep_alive;
        config.keep_body = self.keep_body;
        if url.is_https() {
            if let Some(e) = &self.tls_error {
                return Err(CallError::InvalidCall(format!("TLS: {e}")));
            }
        }
        #[cfg(feature = "rustls")]
        let tls = if url.is_https() {
            let tls_config = match &self.tls_config {
                Some(c) => Arc::clone(c),
                None => self
                    .tls
                    .build()
                    .map_err(|e| CallError::InvalidCall(format!("TLS: {e}")))?,
            };
            let name = crate::tls::server_name(url.host())
                .map_err(|e| CallError::InvalidCall(format!("TLS: {e}")))?;
            Some((tls_config, name))
        } else {
            None
        };
        #[cfg(not(feature = "rustls"))]
        if url.is_https() {
            return Err(CallError::InvalidCall(
                "https URLs need TLS support (the `tls` feature)".to_owned(),
            ));
        }
        Ok(PreparedClient {
            url,
            config,
            #[cfg(feature = "rustls")]
            tls,
        })
    }
}

/// Kept-alive client connections waiting for a next call, newest first
/// out, each dropped once idle for longer than the pool's timeout.
#[derive(Debug)]
pub struct IdlePool<C> {
    idle: Vec<(C, Instant)>,
    max_idle: usize,
    idle_timeout: Duration,
}

impl<C> IdlePool<C> {
    /// A pool keeping at most `max_idle` connections for `idle_timeout`.
    #[must_use]
    pub fn new(max_idle: usize, idle_timeout: Duration) -> Self {
        Self {
            idle: Vec::new(),
            max_idle,
            idle_timeout,
        }
    }

    /// The most recently used connection that has not been idle too long
    /// at `now`; older ones are dropped on the way.
    pub fn take(&mut self, now: Instant) -> Option<C> {
        while let Some((conn, since)) = self.idle.pop() {
            if now.saturating_duration_since(since) < self.idle_timeout {
                return Some(conn);
            }
        }
        None
    }

    /// Keeps `conn`, idle from `now`, unless the pool is full.
    pub fn put(&mut self, conn: C, now: Instant) {
        if self.idle.len() < self.max_idle {
            self.idle.push((conn, now));
        }
    }

    /// How many connections are kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.idle.len()
    }

    /// Whether no connection is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.idle.is_empty()
    }
}

/// A runtime's client, made from a URL and [`ClientSettings`]: what
/// [`ClientBuilder::build`] gives.
pub trait BuildClient: Sized {
    /// The client for `url` with `settings`.
    ///
    /// # Errors
    ///
    /// [`CallError::InvalidCall`] for an invalid URL, an `https` URL
    /// without TLS support, or unusable TLS settings (see
    /// [`ClientSettings::prepare`]).
    fn build_client(url: &str, settings: ClientSettings) -> Result<Self, CallError>;
}

/// Builds a client of any runtime (`C`: `xmlrpc_tokio::Client`,
/// `xmlrpc_smol::Client`, `xmlrpc_blocking::Client`): timeouts, headers,
/// authentication, TLS roots, keep-alive. Each runtime crate names it
/// `ClientBuilder` and hands it out from `Client::builder(url)`.
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_driver::call::CallError;
/// use xmlrpc_driver::{BuildClient, ClientBuilder, ClientSettings};
///
/// /// A stand-in for a runtime's client.
/// struct Settings(ClientSettings);
/// impl BuildClient for Settings {
///     fn build_client(url: &str, settings: ClientSettings) -> Result<Self, CallError> {
///         settings.prepare(url)?;
///         Ok(Self(settings))
///     }
/// }
///
/// let Settings(s) = ClientBuilder::<Settings>::new("http://localhost/RPC2")
///     .timeout(Duration::from_secs(5))
///     .header("X-Trace", "1")
///     .build()?;
/// assert_eq!(s.call_timeout, Some(Duration::from_secs(5)));
/// assert_eq!(s.headers, [("X-Trace".to_owned(), "1".to_owned())]);
/// # Ok::<(), CallError>(())
/// ```
#[must_use]
pub struct ClientBuilder<C> {
    url: String,
    settings: ClientSettings,
    client: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &self.url)
            .field("settings", &self.settings)
            .finish()
    }
}

impl<C: BuildClient> ClientBuilder<C> {
    /// A builder for a client of `url`, with the default settings.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            settings: ClientSettings::default(),
            client: PhantomData,
        }
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`CallError::InvalidCall`] for an invalid URL, an `https` URL
    /// without TLS support, or unusable TLS settings.
    pub fn build(self) -> Result<C, CallError> {
        C::build_client(&self.url, self.settings)
    }
}

impl<C> ClientBuilder<C> {
    /// The settings so far, to read or change directly.
    pub fn settings_mut(&mut self) -> &mut ClientSettings {
        &mut self.settings
    }

    /// Adds a header field to every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.headers.push((name.into(), value.into()));
        self
    }

    /// The `User-Agent` header value.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.settings.user_agent = Some(agent.into());
        self
    }

    /// Basic authentication (overrides the URL's user info).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.settings.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// The bounds enforced on responses (head and body size, depth,
    /// deadlines once the response has started).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// Whether `nil` may be sent (Twisted's `allowNone`). Default `false`:
    /// a call with a nil parameter fails before it is sent.
    pub fn allow_nil(mut self, allow: bool) -> Self {
        self.settings.allow_nil = allow;
        self
    }

    /// Whether integers beyond 32 bits may be sent as `<i8>`. Default
    /// `false`.
    pub fn allow_i8(mut self, allow: bool) -> Self {
        self.settings.allow_i8 = allow;
        self
    }

    /// Whether connections are kept open between calls. Default `true`.
    pub fn keep_alive(mut self, keep_alive: bool) -> Self {
        self.settings.keep_alive = keep_alive;
        self
    }

    /// How long connecting and the TLS handshake may take. Default 30 s
    /// (Twisted's `connectTimeout`).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// How long a whole call may take, connecting included. Default none:
    /// a server may take as long as it likes to answer, as with Twisted
    /// and Python.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.settings.call_timeout = Some(timeout);
        self
    }

    /// The same as [`call_timeout`](Self::call_timeout).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.call_timeout(timeout)
    }

    /// How many idle connections are kept for reuse. Default 8.
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.settings.max_idle = n;
        self
    }

    /// How long an idle connection is kept. Default 20 s (servers commonly
    /// close after 30 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// Where the trusted roots come from (default: bundled and system).
    #[cfg(feature = "rustls")]
    pub fn roots(mut self, roots: crate::tls::RootSource) -> Self {
        self.settings.tls = self.settings.tls.roots(roots);
        self
    }

    /// Also trusts the certificates in `pem` (a private CA, or a
    /// self-signed server's certificate). Unusable PEM data makes
    /// [`build`](Self::build) fail for an `https` URL.
    #[cfg(feature = "rustls")]
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.settings.add_root_pem(pem);
        self
    }

    /// Also trusts the certificates in the PEM file at `path` (`curl
    /// --cacert`), read at once. A file that cannot be read makes
    /// [`build`](Self::build) fail for an `https` URL.
    #[cfg(feature = "rustls")]
    pub fn add_root_certificate_file(mut self, path: impl AsRef<std::path::Path>) -> Self {
        let path = path.as_ref();
        match std::fs::read(path) {
            Ok(pem) => self.settings.add_root_pem(&pem),
            Err(e) => self.settings.tls_error = Some(format!("{}: {e}", path.display())),
        }
        self
    }

    /// **Dangerous:** accepts any server certificate (`curl --insecure`;
    /// see [`ClientTlsConfig::insecure`](crate::tls::ClientTlsConfig::insecure)).
    #[cfg(feature = "rustls")]
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.settings.tls = self.settings.tls.insecure(accept);
        self
    }

    /// Uses this rustls configuration as is (the other TLS settings are
    /// then ignored).
    #[cfg(feature = "rustls")]
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.settings.tls_config = Some(config);
        self
    }
}

/// What every runtime's client holds: its settings applied to its URL,
/// its timeouts, and its kept-alive connections (`C`: the runtime's socket
/// and [`ClientConnection`]). Shared by the clones of a client, behind an
/// `Arc`.
#[derive(Debug)]
pub struct ClientCore<C> {
    prepared: PreparedClient,
    connect_timeout: Duration,
    call_timeout: Option<Duration>,
    pool: Mutex<IdlePool<C>>,
}

impl<C> ClientCore<C> {
    /// `settings` applied to `url`.
    ///
    /// # Errors
    ///
    /// As [`ClientSettings::prepare`].
    pub fn new(url: &str, settings: &ClientSettings) -> Result<Self, CallError> {
        Ok(Self {
            prepared: settings.prepare(url)?,
            connect_timeout: settings.connect_timeout,
            call_timeout: settings.call_timeout,
            pool: Mutex::new(IdlePool::new(settings.max_idle, settings.idle_timeout)),
        })
    }

    /// The settings applied to the URL.
    #[must_use]
    pub fn prepared(&self) -> &PreparedClient {
        &self.prepared
    }

    /// The URL called.
    #[must_use]
    pub fn url(&self) -> &Url {
        &self.prepared.url
    }

    /// How long connecting and the TLS handshake may take.
    #[must_use]
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// How long a whole call may take, if bounded.
    #[must_use]
    pub fn call_timeout(&self) -> Option<Duration> {
        self.call_timeout
    }

    /// A state machine for a new connection.
    #[must_use]
    pub fn connection(&self) -> ClientConnection {
        ClientConnection::new(self.prepared.config.clone())
    }

    fn pool(&self) -> MutexGuard<'_, IdlePool<C>> {
        // A poisoned lock only means another call panicked while holding
        // it; the pool itself is still a valid list.
        self.pool.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The most recently used idle connection that is still fresh at
    /// `now` (see [`IdlePool::take`]).
    pub fn take_idle(&self, now: Instant) -> Option<C> {
        self.pool().take(now)
    }

    /// Keeps `conn`, idle from `now`, for a later call (the caller checks
    /// that it can carry one: [`Exchange::reusable`](crate::Exchange::reusable)).
    pub fn put_idle(&self, conn: C, now: Instant) {
        self.pool().put(conn, now);
    }

    /// The plan of a call starting at `now`: its deadline (from the call
    /// timeout), kept-alive connections first, then a fresh one.
    #[must_use]
    pub fn plan(&self, now: Instant) -> Plan {
        let deadline = self.call_timeout.and_then(|t| now.checked_add(t));
        Plan::new(deadline, self.connect_timeout)
    }
}

/// The call of `method` with `params` (a tuple of values, `()`, or a
/// `Vec<Value>`).
///
/// # Errors
///
/// [`CallError::InvalidCall`] when a parameter cannot become a value.
pub fn method_call(method: &str, params: impl IntoParams) -> Result<MethodCall, CallError> {
    let params = params
        .into_params()
        .map_err(|e| CallError::InvalidCall(format!("parameter: {e}")))?;
    Ok(MethodCall::new(method, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_prepare() {
        let settings = ClientSettings {
            basic_auth: Some(("u".into(), "p".into())),
            allow_nil: true,
            ..ClientSettings::default()
        };
        let p = settings.prepare("http://x:y@h/RPC2").expect("valid URL");
        assert_eq!(p.config.basic_auth, Some(("u".into(), "p".into())));
        assert!(p.config.encode.allow_nil);
        assert!(matches!(
            settings.prepare("ftp://h/"),
            Err(CallError::InvalidCall(_))
        ));
    }

    #[test]
    fn prepared_client_keeps_raw_bodies_when_asked() {
        use xmlrpc_proto::{ClientConnection, ClientEvent, MethodCall};
        let settings = ClientSettings {
            keep_body: true,
            ..ClientSettings::default()
        };
        let prepared = settings.prepare("http://h/RPC2").expect("valid URL");
        let mut conn = ClientConnection::new(prepared.config);
        conn.send_call(&MethodCall::new("m", vec![]))
            .expect("idle connection");
        while let Some(out) = conn.poll_transmit() {
            let n = out.len();
            conn.advance_transmit(n);
        }
        let body = "<?xml version=\"1.0\"?><methodResponse><params><param>\
            <value><i4>5</i4></value></param></params></methodResponse>";
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        conn.handle_data(response.as_bytes(), Instant::now());
        let Ok(Some(ClientEvent::Response { result, .. })) = conn.poll_event() else {
            panic!("a complete response")
        };
        assert_eq!(result, Ok(xmlrpc_proto::Value::Int(5)));
        assert_eq!(conn.take_body().as_deref(), Some(body.as_bytes()));
        assert_eq!(conn.take_body(), None);
    }

    #[test]
    fn pool_expires_and_bounds() {
        let now = Instant::now();
        let mut pool = IdlePool::new(2, Duration::from_secs(10));
        pool.put(1, now);
        pool.put(2, now + Duration::from_secs(5));
        pool.put(3, now);
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.take(now + Duration::from_secs(12)), Some(2));
        assert_eq!(pool.take(now + Duration::from_secs(12)), None);
        assert!(pool.is_empty());
    }
}
