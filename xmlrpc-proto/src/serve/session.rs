//! One server connection serving a [`Site`].

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::job::{self, Answer, Job, Step};
use crate::dispatch::Site;
use crate::{ServerConfig, ServerConnection, ServerEvent};

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
///   [`advance_transmit`](Self::advance_transmit), [`next`](Self::next),
///   [`poll_timeout`](Self::poll_timeout).
/// - C. Commands: [`finish`](Self::finish), [`refuse`](Self::refuse),
///   [`begin_handshake`](Self::begin_handshake) and
///   [`end_handshake`](Self::end_handshake).
///
/// # Deadlines
///
/// Every deadline of the connection is in [`poll_timeout`](Self::poll_timeout)
/// (and in [`Next::Wait`]); the runtime arms one timer for it and calls
/// [`handle_timeout`](Self::handle_timeout) when it passes, also while it
/// waits for a write:
///
/// - the connection's own: idle between requests, request head, request
///   body ([`Limits`](crate::Limits));
/// - a TLS handshake, between [`begin_handshake`](Self::begin_handshake)
///   and [`end_handshake`](Self::end_handshake): at most
///   [`Limits::head_timeout`](crate::Limits::head_timeout);
/// - a write stall: bytes given by [`poll_transmit`](Self::poll_transmit)
///   that the peer has not accepted within
///   [`Limits::write_timeout`](crate::Limits::write_timeout).
///
/// A passed handshake or write deadline closes the connection: its
/// output is dropped and [`next`](Self::next) says [`Next::Close`].
/// - D. Getters: [`is_idle`](Self::is_idle), [`connection`](Self::connection).
pub struct ServerSession {
    site: Arc<Site>,
    conn: ServerConnection,
    refusing: bool,
    /// Bytes of a request have arrived that produced no event yet.
    partial: bool,
    /// The answer queued is the last one (a refusal).
    last_answer: bool,
    /// Since when bytes have waited to be written (armed by
    /// `poll_transmit`, cleared by progress).
    write_since: Option<Instant>,
    /// When a TLS handshake in progress must be over.
    handshake_deadline: Option<Instant>,
    /// A handshake or write deadline passed: the connection is dropped.
    stalled: bool,
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
        mut config: ServerConfig,
        peer: Option<SocketAddr>,
        now: Instant,
    ) -> Self {
        // Each path's resource decides which methods it serves and how
        // the body reads.
        config.raw_requests = true;
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
            write_since: None,
            handshake_deadline: None,
            stalled: false,
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
        l.write_timeout = l.write_timeout.min(REFUSAL_DEADLINE);
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
            match job::handle_event(&self.site, &mut self.conn, event) {
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
        let method = job.call().map_or("", |c| c.name.as_str());
        tracing::debug!(method, path = %job.head().path, "over the in-flight limit: 503");
        let _ = self.conn.respond_status(503);
    }

    /// Bytes to write to the peer at `now` (see
    /// [`ServerConnection::poll_transmit`]); `None` when there are none,
    /// or once the connection is dropped. Bytes given here start the write
    /// deadline, unless it runs already.
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<&[u8]> {
        if self.stalled {
            return None;
        }
        match self.conn.poll_transmit() {
            Some(out) => {
                self.write_since.get_or_insert(now);
                Some(out)
            }
            None => {
                self.write_since = None;
                None
            }
        }
    }

    /// Reports that `n` bytes of [`poll_transmit`](Self::poll_transmit)
    /// were written: any progress restarts the write deadline.
    pub fn advance_transmit(&mut self, n: usize) {
        if n > 0 {
            self.write_since = None;
        }
        self.conn.advance_transmit(n);
    }

    /// A TLS handshake starts at `now`: until
    /// [`end_handshake`](Self::end_handshake), it must be over by
    /// [`Limits::head_timeout`](crate::Limits::head_timeout) from `now`.
    pub fn begin_handshake(&mut self, now: Instant) {
        let limit = self.conn.config().limits.head_timeout;
        self.handshake_deadline = Some(now.checked_add(limit).unwrap_or(now));
    }

    /// The TLS handshake is over.
    pub fn end_handshake(&mut self) {
        self.handshake_deadline = None;
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due: the earliest
    /// deadline of the connection, of a TLS handshake and of a stalled
    /// write.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let write = self
            .write_since
            .and_then(|t| t.checked_add(self.conn.config().limits.write_timeout));
        [self.conn.poll_timeout(), self.handshake_deadline, write]
            .into_iter()
            .flatten()
            .min()
    }

    /// What to do once the output is written (call it after
    /// [`poll_transmit`](Self::poll_transmit) gave `None`). With `stopping` (the server
    /// is shutting down), a connection between requests closes; one in
    /// the middle of a request goes on until that request is answered.
    pub fn next(&self, stopping: bool) -> Next {
        if self.stalled
            || self.conn.is_closed()
            || self.last_answer
            || (stopping && !self.partial && self.handshake_deadline.is_none())
        {
            return Next::Close;
        }
        let read = self.conn.wants_read();
        let deadline = self.poll_timeout();
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

    /// The time is `now` (a deadline from [`poll_timeout`](Self::poll_timeout)
    /// or [`next`](Self::next) passed).
    pub fn handle_timeout(&mut self, now: Instant) {
        let limits = &self.conn.config().limits;
        let write_stalled = self
            .write_since
            .is_some_and(|t| now.saturating_duration_since(t) >= limits.write_timeout);
        let handshake_late = self.handshake_deadline.is_some_and(|d| now >= d);
        if write_stalled || handshake_late {
            tracing::debug!(write_stalled, handshake_late, "connection dropped");
            self.stalled = true;
            return;
        }
        self.conn.handle_timeout(now);
    }

    /// Whether the connection sits between requests (once its output is
    /// written): nothing of a next request has arrived. A runtime may then
    /// set the connection aside and serve another.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        !self.partial && self.handshake_deadline.is_none() && self.conn.wants_read()
    }

    /// The underlying state machine.
    #[must_use]
    pub fn connection(&self) -> &ServerConnection {
        &self.conn
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
        while let Some(b) = s.poll_transmit(Instant::now()) {
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
    fn a_stalled_write_drops_the_connection() {
        let now = Instant::now();
        let mut config = ServerConfig::default();
        config.limits.write_timeout = Duration::from_secs(2);
        let mut s = ServerSession::new(site(), config, None, now);
        s.handle_data(&request("/"), now);
        let job = s.poll_job().expect("call");
        s.finish(job.start().into_ready().expect("sync"));
        // The peer takes part of the answer, then nothing.
        let later = now + Duration::from_secs(10);
        assert!(s.poll_transmit(later).is_some());
        s.advance_transmit(10);
        let stuck_at = later + Duration::from_secs(1);
        assert!(s.poll_transmit(stuck_at).is_some());
        assert_eq!(s.poll_timeout(), Some(stuck_at + Duration::from_secs(2)));
        // Before the deadline: nothing happens.
        s.handle_timeout(stuck_at + Duration::from_secs(1));
        assert!(s.poll_transmit(stuck_at).is_some());
        s.handle_timeout(stuck_at + Duration::from_secs(2));
        assert!(s.poll_transmit(stuck_at).is_none());
        assert_eq!(s.next(false), Next::Close);
    }

    #[test]
    fn a_handshake_is_bounded_by_the_head_timeout() {
        let now = Instant::now();
        let mut config = ServerConfig::default();
        config.limits.head_timeout = Duration::from_secs(3);
        config.limits.idle_timeout = Duration::from_secs(60);
        let mut s = ServerSession::new(site(), config.clone(), None, now);
        s.begin_handshake(now);
        assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(3)));
        // A shutdown does not cut a handshake short...
        assert!(matches!(s.next(true), Next::Wait { read: true, .. }));
        // ...but its deadline does.
        s.handle_timeout(now + Duration::from_secs(3));
        assert_eq!(s.next(false), Next::Close);
        // Once over, the idle deadline is back.
        let mut s = ServerSession::new(site(), config, None, now);
        s.begin_handshake(now);
        s.end_handshake();
        assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(60)));
    }

    #[test]
    fn eof_between_requests_closes() {
        let now = Instant::now();
        let mut s = ServerSession::new(site(), ServerConfig::default(), None, now);
        s.handle_eof();
        assert!(s.poll_job().is_none());
        assert_eq!(s.next(false), Next::Close);
    }
}
