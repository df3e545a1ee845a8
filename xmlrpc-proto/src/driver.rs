//! Pieces that every runtime's driver loop shares, so that each runtime
//! crate only moves bytes and arms timers.
//!
//! - [`ServerSession`]: one server connection: a [`ServerConnection`]
//!   serving a [`Site`], with the bookkeeping of graceful shutdown and of
//!   connections refused over a limit. It says what to do next
//!   ([`Next`]); the runtime reads, writes, waits and runs [`Job`]s.
//! - [`ClientSettings`]: the options of a client (headers, authentication,
//!   timeouts, TLS roots, keep-alive pool) and how they become a
//!   [`ClientConfig`] for a URL.
//! - [`IdlePool`]: kept-alive client connections waiting for a next call.
//!
//! A blocking server's connection loop, in full (the runtime crates add
//! socket timeouts, thread pools and shutdown signals):
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use std::time::Instant;
//! use xmlrpc_proto::dispatch::{Dispatcher, Site};
//! use xmlrpc_proto::driver::{Next, ServerSession};
//! use xmlrpc_proto::ServerConfig;
//!
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     struct Unpark(std::thread::Thread);
//! #     impl std::task::Wake for Unpark {
//! #         fn wake(self: Arc<Self>) { self.0.unpark() }
//! #     }
//! #     let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut f = std::pin::pin!(f);
//! #     loop {
//! #         if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; }
//! #         std::thread::park();
//! #     }
//! # }
//! # fn main() -> std::io::Result<()> {
//! let mut d = Dispatcher::new();
//! d.register("add", |a: i32, b: i32| a + b);
//! let site = Arc::new(Site::standard(d));
//! let listener = std::net::TcpListener::bind("127.0.0.1:7080")?;
//! let (mut socket, peer) = listener.accept()?;
//! let mut session = ServerSession::new(site, ServerConfig::default(), Some(peer), Instant::now());
//! let mut buf = vec![0; 16 * 1024];
//! loop {
//!     while let Some(job) = session.poll_job() {
//!         // A synchronous procedure is ready at once; an asynchronous one
//!         // is a future to poll to completion.
//!         match job.start().into_ready() {
//!             Ok(answer) => session.finish(answer),
//!             Err(running) => session.finish(block_on(running)),
//!         }
//!     }
//!     while let Some(out) = session.poll_transmit() {
//!         let n = socket.write(out)?;
//!         session.advance_transmit(n);
//!     }
//!     match session.next(false) {
//!         Next::Close => return Ok(()),
//!         Next::Wait { read: true, .. } => match socket.read(&mut buf)? {
//!             0 => session.handle_eof(),
//!             n => session.handle_data(&buf[..n], Instant::now()),
//!         },
//!         // Only a deadline to wait for: sleep until it, then
//!         _ => session.handle_timeout(Instant::now()),
//!     }
//! }
//! # }
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::call::CallError;
use crate::dispatch::Site;
use crate::service::{self, Answer, Job, Step};
use crate::{ClientConfig, Limits, ServerConfig, ServerConnection, ServerEvent, Url};

/// The deadlines of a connection that is only read to be answered `503`.
const REFUSAL_DEADLINE: Duration = Duration::from_secs(5);

/// What a runtime does next with a [`ServerSession`], once its output is
/// written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
#[non_exhaustive]
pub enum Next {
    /// Close the socket: the connection is done.
    Close,
    /// Wait until data arrives (when `read`) or `deadline` passes (then
    /// call [`ServerSession::handle_timeout`]), whichever comes first.
    /// Also wake up when the server starts shutting down, and ask again.
    Wait {
        /// Whether to read from the socket.
        read: bool,
        /// When to call [`ServerSession::handle_timeout`].
        deadline: Option<Instant>,
    },
}

/// One server connection: a [`ServerConnection`] serving a [`Site`].
///
/// It answers by itself what needs no procedure (a `404`, a fault for a
/// body that is not a call, a `503` on a connection refused over a
/// limit), hands out the calls to run as [`Job`]s, and tells the runtime
/// whether to read, wait or close ([`next`](Self::next)), taking graceful
/// shutdown into account: a request whose bytes have started to arrive is
/// still served; an idle connection closes.
///
/// # Methods
///
/// - A. Inputs: [`handle_data`](Self::handle_data),
///   [`handle_eof`](Self::handle_eof), [`handle_timeout`](Self::handle_timeout).
/// - B. Outputs: [`poll_job`](Self::poll_job),
///   [`poll_transmit`](Self::poll_transmit) with
///   [`advance_transmit`](Self::advance_transmit), [`next`](Self::next).
/// - C. Commands: [`finish`](Self::finish), [`refuse`](Self::refuse).
/// - D. Getters: [`is_idle`](Self::is_idle), [`connection`](Self::connection).
pub struct ServerSession {
    site: Arc<Site>,
    conn: ServerConnection,
    refusing: bool,
    /// Bytes of a request have arrived that produced no event yet.
    partial: bool,
    /// The answer queued is the last one (a refusal).
    last_answer: bool,
}

impl fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSession")
            .field("conn", &self.conn)
            .field("refusing", &self.refusing)
            .field("partial", &self.partial)
            .finish_non_exhaustive()
    }
}

impl ServerSession {
    /// A connection accepted at `now` from `peer`, serving `site`.
    #[must_use]
    pub fn new(
        site: Arc<Site>,
        config: ServerConfig,
        peer: Option<SocketAddr>,
        now: Instant,
    ) -> Self {
        let mut conn = ServerConnection::new(config);
        if let Some(p) = peer {
            conn.set_peer_addr(p);
        }
        conn.handle_open(now);
        Self {
            site,
            conn,
            refusing: false,
            partial: false,
            last_answer: false,
        }
    }

    /// A connection over the server's connection limit: its first request
    /// is read (with deadlines of at most 5 s) and answered
    /// `503 Service Unavailable`, then it closes.
    #[must_use]
    pub fn refusing(mut config: ServerConfig, peer: Option<SocketAddr>, now: Instant) -> Self {
        let l = &mut config.limits;
        l.head_timeout = l.head_timeout.min(REFUSAL_DEADLINE);
        l.body_timeout = l.body_timeout.min(REFUSAL_DEADLINE);
        l.idle_timeout = l.idle_timeout.min(REFUSAL_DEADLINE);
        let mut session = Self::new(Arc::new(Site::new()), config, peer, now);
        session.refusing = true;
        session
    }

    /// The next call to run, after answering every event that needs no
    /// procedure. `None` when the connection needs input, output written,
    /// or is done. Run the job (within the server's limit of calls in
    /// flight), then [`finish`](Self::finish) it or
    /// [`refuse`](Self::refuse) it; the next request is not parsed before.
    pub fn poll_job(&mut self) -> Option<Job> {
        loop {
            let event = match self.conn.poll_event() {
                Ok(Some(event)) => event,
                Ok(None) => return None,
                Err(e) => {
                    // The error answer is queued; the connection closes
                    // once it is written.
                    tracing::debug!(error = %e, "request refused");
                    return None;
                }
            };
            self.partial = false;
            if self.refusing {
                if !matches!(event, ServerEvent::Closed) {
                    let _ = self.conn.respond_status(503);
                    self.last_answer = true;
                }
                return None;
            }
            match service::handle_event(&self.site, &mut self.conn, event) {
                Step::Call(job) => return Some(job),
                Step::Closed => return None,
                _ => {}
            }
        }
    }

    /// Queues the answer of the job last handed out.
    pub fn finish(&mut self, answer: Answer) {
        answer.send(&mut self.conn);
    }

    /// Answers the job last handed out with `503 Service Unavailable`
    /// without running it (the server is over its limit of calls in
    /// flight).
    pub fn refuse(&mut self, job: Job) {
        tracing::debug!(method = %job.call().name, "over the in-flight limit: 503");
        let _ = self.conn.respond_status(503);
    }

    /// Bytes to write to the peer; see
    /// [`ServerConnection::poll_transmit`].
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<&[u8]> {
        self.conn.poll_transmit()
    }

    /// Reports that `n` bytes of [`poll_transmit`](Self::poll_transmit)
    /// were written.
    pub fn advance_transmit(&mut self, n: usize) {
        self.conn.advance_transmit(n);
    }

    /// What to do once the output is written (call it after
    /// [`poll_transmit`](Self::poll_transmit) gave `None`). With `stopping` (the server
    /// is shutting down), a connection between requests closes; one in
    /// the middle of a request goes on until that request is answered.
    pub fn next(&self, stopping: bool) -> Next {
        if self.conn.is_closed() || self.last_answer || (stopping && !self.partial) {
            return Next::Close;
        }
        let read = self.conn.wants_read();
        let deadline = self.conn.poll_timeout();
        if !read && deadline.is_none() {
            // Nothing can happen any more: the peer is gone and its last
            // call was answered.
            return Next::Close;
        }
        Next::Wait { read, deadline }
    }

    /// Bytes received at `now`.
    pub fn handle_data(&mut self, data: &[u8], now: Instant) {
        if !data.is_empty() {
            self.partial = true;
        }
        self.conn.handle_data(data, now);
    }

    /// The peer closed its sending side.
    pub fn handle_eof(&mut self) {
        self.conn.handle_eof();
    }

    /// The time is `now` (a deadline from [`next`](Self::next) passed).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.conn.handle_timeout(now);
    }

    /// Whether the connection sits between requests (once its output is
    /// written): nothing of a next request has arrived. A runtime may then
    /// set the connection aside and serve another.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        !self.partial && self.conn.wants_read()
    }

    /// The underlying state machine.
    #[must_use]
    pub fn connection(&self) -> &ServerConnection {
        &self.conn
    }
}

/// The options of a client, shared by every runtime's client builder, and
/// how they become a [`ClientConfig`] (and a TLS configuration) for a URL.
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_proto::driver::ClientSettings;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::Dispatcher;

    fn site() -> Arc<Site> {
        let mut d = Dispatcher::new();
        d.register("add", |a: i32, b: i32| a + b);
        Arc::new(Site::standard(d))
    }

    fn request(path: &str) -> Vec<u8> {
        let body = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName>\
            <params><param><value><int>2</int></value></param>\
            <param><value><int>3</int></value></param></params></methodCall>";
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn drain(s: &mut ServerSession) -> String {
        let mut out = Vec::new();
        while let Some(b) = s.poll_transmit() {
            out.extend_from_slice(b);
            let n = b.len();
            s.advance_transmit(n);
        }
        String::from_utf8(out).expect("ASCII head and XML")
    }

    #[test]
    fn serves_calls_and_answers_404_itself() {
        let now = Instant::now();
        let mut s = ServerSession::new(site(), ServerConfig::default(), None, now);
        assert!(matches!(
            s.next(false),
            Next::Wait {
                read: true,
                deadline: Some(_)
            }
        ));
        let mut input = request("/nowhere");
        input.extend(request("/RPC2"));
        s.handle_data(&input, now);
        let job = s.poll_job().expect("the second request is a call");
        let out = drain(&mut s);
        assert!(out.starts_with("HTTP/1.1 404"), "{out}");
        s.finish(job.start().into_ready().expect("sync procedure"));
        assert!(s.poll_job().is_none());
        let out = drain(&mut s);
        assert!(out.contains("<int>5</int>"), "{out}");
        assert!(s.is_idle());
        // Shutting down closes an idle connection at once.
        assert_eq!(s.next(true), Next::Close);
    }

    #[test]
    fn shutdown_waits_for_a_partial_request() {
        let now = Instant::now();
        let mut s = ServerSession::new(site(), ServerConfig::default(), None, now);
        let input = request("/");
        s.handle_data(&input[..10], now);
        assert!(s.poll_job().is_none());
        assert!(!s.is_idle());
        assert!(matches!(s.next(true), Next::Wait { read: true, .. }));
        s.handle_data(&input[10..], now);
        let job = s.poll_job().expect("complete call");
        s.finish(job.start().into_ready().expect("sync"));
        let out = drain(&mut s);
        assert!(out.contains("<int>5</int>"));
        assert_eq!(s.next(true), Next::Close);
    }

    #[test]
    fn refusing_answers_503_then_closes() {
        let now = Instant::now();
        let mut s = ServerSession::refusing(ServerConfig::default(), None, now);
        s.handle_data(&request("/"), now);
        assert!(s.poll_job().is_none());
        let out = drain(&mut s);
        assert!(out.starts_with("HTTP/1.1 503"), "{out}");
        assert_eq!(s.next(false), Next::Close);
    }

    #[test]
    fn refuse_over_in_flight_limit() {
        let now = Instant::now();
        let mut s = ServerSession::new(site(), ServerConfig::default(), None, now);
        s.handle_data(&request("/"), now);
        let job = s.poll_job().expect("call");
        s.refuse(job);
        assert!(drain(&mut s).starts_with("HTTP/1.1 503"));
        assert!(matches!(s.next(false), Next::Wait { read: true, .. }));
    }

    #[test]
    fn idle_deadline_closes() {
        let now = Instant::now();
        let mut s = ServerSession::new(site(), ServerConfig::default(), None, now);
        let Next::Wait {
            deadline: Some(d), ..
        } = s.next(false)
        else {
            panic!("an idle deadline")
        };
        s.handle_timeout(d);
        assert_eq!(s.next(false), Next::Close);
    }

    #[test]
    fn eof_between_requests_closes() {
        let now = Instant::now();
        let mut s = ServerSession::new(site(), ServerConfig::default(), None, now);
        s.handle_eof();
        assert!(s.poll_job().is_none());
        assert_eq!(s.next(false), Next::Close);
    }

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
        use crate::{ClientConnection, ClientEvent, MethodCall};
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
        assert_eq!(result, Ok(crate::Value::Int(5)));
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
