//! A [`ServerConnection`] serving a [`Site`]: jobs out, answers in.

use super::job::{self, Answer, Job, Step};
use crate::ServerConnection;
use crate::dispatch::Site;

impl ServerConnection {
    /// The next call to run for `site`, after answering every event that
    /// needs no procedure (a `404`, a `405`, a fault for a body that is not
    /// a call; see [`handle_event`](super::handle_event)). `None` when the
    /// connection needs input, output written, or is done. Run the job
    /// (within the server's limit of calls in flight), then
    /// [`finish`](Self::finish) it or [`refuse`](Self::refuse) it; the next
    /// request is not parsed before.
    ///
    /// Each request goes to the resource its path names when the
    /// connection was made by [`for_site`](Self::for_site) (or with
    /// [`ServerConfig::raw_requests`](crate::ServerConfig::raw_requests));
    /// otherwise only XML-RPC resources serve.
    ///
    /// ```
    /// use std::time::Instant;
    /// use xmlrpc_proto::dispatch::{Dispatcher, Site};
    /// use xmlrpc_proto::{ServerConfig, ServerConnection};
    ///
    /// let mut d = Dispatcher::new();
    /// d.register("add", |a: i32, b: i32| a + b);
    /// let site = Site::standard(d);
    ///
    /// let body = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName>\
    ///     <params><param><value><int>2</int></value></param>\
    ///     <param><value><int>3</int></value></param></params></methodCall>";
    /// let request = format!(
    ///     "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
    ///     body.len()
    /// );
    /// let mut conn = ServerConnection::for_site(ServerConfig::default());
    /// let now = Instant::now();
    /// conn.handle_data(request.as_bytes(), now);
    /// let job = conn.poll_job(&site).unwrap();
    /// // A runtime awaits this future; a synchronous procedure is ready at once.
    /// conn.finish(job.start().into_ready().unwrap());
    /// let out = String::from_utf8(conn.poll_transmit(now).unwrap().to_vec()).unwrap();
    /// assert!(out.starts_with("HTTP/1.1 200 OK\r\n"));
    /// assert!(out.contains("<int>5</int>"));
    /// ```
    pub fn poll_job(&mut self, site: &Site) -> Option<Job> {
        loop {
            let event = match self.poll_event() {
                Ok(Some(event)) => event,
                Ok(None) => return None,
                Err(e) => {
                    // The error answer is queued; the connection closes
                    // once it is written.
                    tracing::debug!(error = %e, "request refused");
                    return None;
                }
            };
            match job::handle_event(site, self, event) {
                Step::Call(job) => return Some(job),
                Step::Closed => return None,
                Step::Answered => {}
            }
        }
    }

    /// Queues the answer of the job last handed out by
    /// [`poll_job`](Self::poll_job).
    pub fn finish(&mut self, answer: Answer) {
        answer.send(self);
    }

    /// Answers the job last handed out with `503 Service Unavailable`
    /// without running it (the server is over its limit of calls in
    /// flight).
    pub fn refuse(&mut self, job: Job) {
        let method = job.call().map_or("", |c| c.name.as_str());
        tracing::debug!(method, path = %job.head().path, "over the in-flight limit: 503");
        let _ = self.respond_status(503);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use crate::dispatch::{Dispatcher, Site};
    use crate::{Next, ServerConfig, ServerConnection};

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

    /// A connection as the runtimes make it, the idle deadline armed at
    /// `now`.
    fn open(config: ServerConfig, now: Instant) -> ServerConnection {
        let mut conn = ServerConnection::for_site(config);
        conn.handle_open(now);
        conn
    }

    /// A connection that received a call at `now` and has queued its
    /// answer.
    fn answered(config: ServerConfig, now: Instant) -> ServerConnection {
        let mut s = open(config, now);
        s.handle_data(&request("/"), now);
        let job = s.poll_job(&site()).expect("call");
        s.finish(job.start().into_ready().expect("sync"));
        s
    }

    fn drain(s: &mut ServerConnection) -> String {
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
        let mut s = open(ServerConfig::default(), now);
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
        let job = s.poll_job(&site()).expect("the second request is a call");
        let out = drain(&mut s);
        assert!(out.starts_with("HTTP/1.1 404"), "{out}");
        s.finish(job.start().into_ready().expect("sync procedure"));
        assert!(s.poll_job(&site()).is_none());
        let out = drain(&mut s);
        assert!(out.contains("<int>5</int>"), "{out}");
        assert!(s.is_idle());
        // Shutting down closes an idle connection at once.
        assert_eq!(s.next(true), Next::Close);
    }

    #[test]
    fn shutdown_waits_for_a_partial_request() {
        let now = Instant::now();
        let mut s = open(ServerConfig::default(), now);
        let input = request("/");
        s.handle_data(&input[..10], now);
        assert!(s.poll_job(&site()).is_none());
        assert!(!s.is_idle());
        assert!(matches!(s.next(true), Next::Wait { read: true, .. }));
        s.handle_data(&input[10..], now);
        let job = s.poll_job(&site()).expect("complete call");
        s.finish(job.start().into_ready().expect("sync"));
        let out = drain(&mut s);
        assert!(out.contains("<int>5</int>"));
        assert_eq!(s.next(true), Next::Close);
    }

    #[test]
    fn refusing_answers_503_then_closes() {
        let now = Instant::now();
        let mut s = ServerConnection::refusing(ServerConfig::default());
        s.handle_open(now);
        s.handle_data(&request("/"), now);
        assert!(s.poll_job(&site()).is_none());
        let out = drain(&mut s);
        assert!(out.starts_with("HTTP/1.1 503"), "{out}");
        assert!(out.contains("\r\nConnection: close\r\n"), "{out}");
        assert_eq!(s.next(false), Next::Close);
    }

    #[test]
    fn refuse_over_in_flight_limit() {
        let now = Instant::now();
        let mut s = open(ServerConfig::default(), now);
        s.handle_data(&request("/"), now);
        let job = s.poll_job(&site()).expect("call");
        s.refuse(job);
        assert!(drain(&mut s).starts_with("HTTP/1.1 503"));
        assert!(matches!(s.next(false), Next::Wait { read: true, .. }));
    }

    #[test]
    fn idle_deadline_closes() {
        let now = Instant::now();
        let mut s = open(ServerConfig::default(), now);
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
        let mut s = answered(config, now);
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
        let mut s = open(config.clone(), now);
        s.begin_handshake(now);
        assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(3)));
        // A shutdown does not cut a handshake short...
        assert!(matches!(s.next(true), Next::Wait { read: true, .. }));
        // ...but its deadline does.
        s.handle_timeout(now + Duration::from_secs(3));
        assert_eq!(s.next(false), Next::Close);
        // Once over, the idle deadline is back.
        let mut s = open(config, now);
        s.begin_handshake(now);
        s.end_handshake();
        assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(60)));
    }

    #[test]
    fn limits_too_large_to_reach_never_pass() {
        let now = Instant::now();
        let mut config = ServerConfig::default();
        config.limits.head_timeout = Duration::MAX;
        config.limits.write_timeout = Duration::MAX;
        config.limits.idle_timeout = Duration::MAX;
        let mut s = open(config.clone(), now);
        s.begin_handshake(now);
        assert_eq!(s.poll_timeout(), None);
        s.handle_timeout(now + Duration::from_secs(3600));
        // Still in its handshake: a shutdown waits for it.
        assert_eq!(
            s.next(true),
            Next::Wait {
                read: true,
                deadline: None
            }
        );
        s.end_handshake();
        assert_eq!(s.next(true), Next::Close);
        // A write that does not progress is not dropped either.
        let mut s = answered(config, now);
        assert!(s.poll_transmit(now).is_some());
        assert_eq!(s.poll_timeout(), None);
        s.handle_timeout(now + Duration::from_secs(3600));
        assert!(s.poll_transmit(now).is_some());
    }

    #[test]
    fn the_idle_period_runs_from_the_written_answer() {
        let now = Instant::now();
        let mut config = ServerConfig::default();
        config.limits.idle_timeout = Duration::from_secs(5);
        let mut s = open(config, now);
        s.handle_data(&request("/"), now);
        let job = s.poll_job(&site()).expect("call");
        // The procedure takes a minute; its answer is written then.
        let later = now + Duration::from_secs(60);
        s.finish(job.start().into_ready().expect("sync"));
        let n = s.poll_transmit(later).expect("the answer").len();
        s.advance_transmit(n);
        assert!(s.poll_transmit(later).is_none());
        assert_eq!(s.poll_timeout(), Some(later + Duration::from_secs(5)));
        assert!(matches!(s.next(false), Next::Wait { read: true, .. }));
        s.handle_timeout(later + Duration::from_secs(4));
        assert!(!s.is_closed());
        s.handle_timeout(later + Duration::from_secs(5));
        assert_eq!(s.next(false), Next::Close);
    }

    #[test]
    fn a_flush_runs_within_the_write_deadline() {
        let now = Instant::now();
        let mut config = ServerConfig::default();
        config.limits.write_timeout = Duration::from_secs(2);
        config.limits.idle_timeout = Duration::from_secs(60);
        let mut s = answered(config, now);
        // Nothing written yet: nothing to flush.
        assert!(!s.poll_flush(now));
        let n = s.poll_transmit(now).expect("the answer").len();
        s.advance_transmit(n);
        assert!(s.poll_transmit(now).is_none());
        // A runtime that never flushes is not held to it...
        assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(60)));
        // ...one that flushes is, from the first time it asks.
        let later = now + Duration::from_secs(1);
        assert!(s.poll_flush(later));
        assert!(s.poll_flush(later + Duration::from_secs(1)));
        assert_eq!(s.poll_timeout(), Some(later + Duration::from_secs(2)));
        // The flush completes: the connection waits for the next request.
        s.handle_flush();
        assert!(!s.poll_flush(later));
        assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(60)));
        assert!(matches!(s.next(false), Next::Wait { read: true, .. }));

        // A flush that never completes drops the connection.
        let mut s = answered(ServerConfig::default(), now);
        drain(&mut s);
        assert!(s.poll_flush(now));
        let deadline = s.poll_timeout().expect("the write deadline");
        s.handle_timeout(deadline);
        assert!(!s.poll_flush(deadline));
        assert_eq!(s.next(false), Next::Close);
    }

    #[test]
    fn eof_between_requests_closes() {
        let now = Instant::now();
        let mut s = open(ServerConfig::default(), now);
        s.handle_eof();
        assert!(s.poll_job(&site()).is_none());
        assert_eq!(s.next(false), Next::Close);
    }
}
