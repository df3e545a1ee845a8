//! One call on one client connection, fed the raw results of the
//! runtime's reads and writes, and the plan of a call over a pool of
//! kept-alive connections. Every rule of the client side lives here once:
//! what a failed write, an end of stream without TLS `close_notify`, a
//! read timeout or the call deadline mean, and which failures a fresh
//! connection may retry.

use std::io;
use std::time::{Duration, Instant};

use xmlrpc_proto::{
    ClientConnection, ClientEvent, Fault, MethodCall, ProtocolError, ResponseHead, Value,
};

use crate::call::{CallError, TransportError, TransportErrorKind};

/// A complete answer: its head and its outcome (a value or a fault).
pub type Answer = (ResponseHead, Result<Value, Fault>);

/// One request on a client connection, as a runtime drives it.
///
/// The runtime writes what [`poll_transmit`](Self::poll_transmit) gives
/// and reports each write's raw result ([`handle_write`](Self::handle_write)),
/// flushes when [`wants_flush`](Self::wants_flush) says so, reads while
/// [`poll_response`](Self::poll_response) gives `Ok(None)` and reports each
/// read's raw result ([`handle_read`](Self::handle_read)), and calls
/// [`handle_timeout`](Self::handle_timeout) once
/// [`poll_timeout`](Self::poll_timeout) has passed. The exchange decides
/// what every result means:
///
/// - A failed write ends the sending, not the call: the server may have
///   answered early (a `413` for a body over its limit) and closed, and
///   that answer is the better report. The connection is not reused.
/// - An end of stream, whether a clean one or a TLS peer closing without
///   `close_notify` ([`io::ErrorKind::UnexpectedEof`]), is judged by the
///   HTTP framing: a complete answer stands, a cut one is a protocol
///   error.
/// - `WouldBlock` and `TimedOut` (a blocking socket's timeout) mean the
///   time has come: the same as [`handle_timeout`](Self::handle_timeout).
///   `Interrupted` means nothing.
/// - The call deadline, given at [`start`](Self::start), ends the call
///   with a timeout, whatever it is doing; the connection's own response
///   deadlines are part of [`poll_timeout`](Self::poll_timeout) too.
/// - A connection that closed before any byte of an answer arrived gives
///   [`Failure::Stale`]: a kept-alive connection that the server had
///   dropped, which [`Plan`] retries once on a fresh connection.
///
/// ```
/// use std::time::Instant;
/// use xmlrpc_driver::{ClientSettings, Exchange};
/// use xmlrpc_proto::{ClientConnection, MethodCall, Value};
///
/// let prepared = ClientSettings::default().prepare("http://localhost/RPC2").unwrap();
/// let mut conn = ClientConnection::new(prepared.config);
/// let now = Instant::now();
/// let call = MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]);
/// let mut ex = Exchange::start(&mut conn, &call, None).unwrap();
/// // The runtime writes the request...
/// while let Some(out) = ex.poll_transmit(&mut conn) {
///     let n = out.len();
///     ex.handle_write(&mut conn, Ok(n), now);
/// }
/// // ...and feeds what it reads.
/// let body = "<?xml version=\"1.0\"?><methodResponse><params><param>\
///     <value><int>5</int></value></param></params></methodResponse>";
/// let reply = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
/// assert!(ex.poll_response(&mut conn).unwrap().is_none());
/// let mut buf = reply.into_bytes();
/// let n = buf.len();
/// ex.handle_read(&mut conn, Ok(n), &mut buf, now);
/// let (head, result) = ex.poll_response(&mut conn).unwrap().unwrap();
/// assert_eq!((head.status, result), (200, Ok(Value::Int(5))));
/// assert!(ex.reusable(&conn));
/// ```
#[derive(Debug)]
pub struct Exchange {
    /// Some byte of the answer has arrived.
    received: bool,
    /// Bytes were written since the last flush.
    unflushed: bool,
    /// The first failed write: the sending has stopped.
    write_error: Option<io::Error>,
    /// A failure decided already, reported by the next `poll_response`.
    failure: Option<Failure>,
    /// When the whole call must be over.
    deadline: Option<Instant>,
}

impl Exchange {
    /// Queues `call` on `conn`; the call must end by `deadline`, if any.
    ///
    /// # Errors
    ///
    /// [`Failure::Fatal`] when the call cannot be sent (see
    /// [`ClientConnection::send_call`]).
    pub fn start(
        conn: &mut ClientConnection,
        call: &MethodCall,
        deadline: Option<Instant>,
    ) -> Result<Self, Failure> {
        conn.send_call(call).map_err(|e| Failure::Fatal(e.into()))?;
        Ok(Self {
            received: false,
            unflushed: false,
            write_error: None,
            failure: None,
            deadline,
        })
    }

    /// Bytes to write next; `None` once everything is written, a write
    /// failed, or the call is over.
    pub fn poll_transmit<'c>(&self, conn: &'c mut ClientConnection) -> Option<&'c [u8]> {
        if self.write_error.is_some() || self.failure.is_some() {
            return None;
        }
        conn.poll_transmit()
    }

    /// The raw result of writing bytes from
    /// [`poll_transmit`](Self::poll_transmit), at `now`.
    pub fn handle_write(
        &mut self,
        conn: &mut ClientConnection,
        result: io::Result<usize>,
        now: Instant,
    ) {
        match result {
            Ok(0) => self.write_failed(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                conn.advance_transmit(n);
                self.unflushed = true;
            }
            Err(e) => self.write_error(conn, e, now),
        }
    }

    /// Whether the runtime should flush its stream now: everything is
    /// written and some of it may sit in a buffer (a TLS stream's).
    #[must_use]
    pub fn wants_flush(&self, conn: &mut ClientConnection) -> bool {
        self.unflushed
            && self.write_error.is_none()
            && self.failure.is_none()
            && conn.poll_transmit().is_none()
    }

    /// The raw result of a flush, at `now`.
    pub fn handle_flush(
        &mut self,
        conn: &mut ClientConnection,
        result: io::Result<()>,
        now: Instant,
    ) {
        match result {
            Ok(()) => self.unflushed = false,
            Err(e) => self.write_error(conn, e, now),
        }
    }

    fn write_error(&mut self, conn: &mut ClientConnection, e: io::Error, now: Instant) {
        match e.kind() {
            io::ErrorKind::Interrupted => {}
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => self.handle_timeout(conn, now),
            _ => self.write_failed(e),
        }
    }

    fn write_failed(&mut self, e: io::Error) {
        tracing::debug!(error = %e, "write failed; reading on for an early answer");
        self.write_error.get_or_insert(e);
    }

    /// The raw result of a read into `buf`, at `now`: `Ok(n)` for `n`
    /// bytes at the start of `buf` (`Ok(0)`: the end of the stream).
    pub fn handle_read(
        &mut self,
        conn: &mut ClientConnection,
        result: io::Result<usize>,
        buf: &mut [u8],
        now: Instant,
    ) {
        match result {
            Ok(0) => conn.handle_eof(),
            Ok(n) => {
                self.received = true;
                conn.handle_data(&buf[..n.min(buf.len())], now);
            }
            Err(e) => match e.kind() {
                io::ErrorKind::Interrupted => {}
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                    self.handle_timeout(conn, now);
                }
                // A TLS peer that closed without `close_notify`: the end of
                // the stream, judged by the framing as any other.
                io::ErrorKind::UnexpectedEof => conn.handle_eof(),
                _ => {
                    let e = self.write_error.take().unwrap_or(e);
                    self.fail(Failure::io(self.received, e));
                }
            },
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due: the call
    /// deadline or the connection's next one, whichever comes first.
    #[must_use]
    pub fn poll_timeout(&self, conn: &ClientConnection) -> Option<Instant> {
        match (self.deadline, conn.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The time is `now`: past the call deadline, the call fails with a
    /// timeout; the connection's own deadlines are its to judge.
    pub fn handle_timeout(&mut self, conn: &mut ClientConnection, now: Instant) {
        if self.deadline.is_some_and(|d| d <= now) {
            self.fail(Failure::Fatal(TransportError::timeout("call").into()));
        } else {
            conn.handle_timeout(now);
        }
    }

    fn fail(&mut self, failure: Failure) {
        self.failure.get_or_insert(failure);
    }

    /// Whether any byte of the answer has arrived.
    #[must_use]
    pub fn received(&self) -> bool {
        self.received
    }

    /// Whether the connection may carry a next call once this one is over:
    /// every write succeeded and the connection says so.
    #[must_use]
    pub fn reusable(&self, conn: &ClientConnection) -> bool {
        self.write_error.is_none() && self.failure.is_none() && conn.can_reuse()
    }

    /// The answer once it is complete; `Ok(None)` while more must be
    /// written or read.
    ///
    /// # Errors
    ///
    /// [`Failure::Stale`] when the connection closed (or failed) before
    /// any byte of an answer; [`Failure::Fatal`] for a timeout and the
    /// other transport and protocol errors. When no answer can come, an
    /// earlier write error is the report.
    pub fn poll_response(
        &mut self,
        conn: &mut ClientConnection,
    ) -> Result<Option<Answer>, Failure> {
        if let Some(f) = self.failure.take() {
            return Err(f);
        }
        match conn.poll_event() {
            Ok(Some(ClientEvent::Response { head, result })) => return Ok(Some((head, result))),
            Ok(_) => {}
            Err(ProtocolError::ClosedBeforeResponse) => {
                return Err(match self.write_error.take() {
                    Some(e) => Failure::io(self.received, e),
                    None => Failure::Stale(ProtocolError::ClosedBeforeResponse.into()),
                });
            }
            Err(e) => return Err(Failure::Fatal(e.into())),
        }
        if !conn.wants_read() {
            return Err(match self.write_error.take() {
                Some(e) => Failure::io(self.received, e),
                None => Failure::Fatal(ProtocolError::UnexpectedEof.into()),
            });
        }
        Ok(None)
    }
}

/// Why one request on one connection failed, and whether a fresh
/// connection may send it again.
#[derive(Debug)]
pub enum Failure {
    /// The connection was found closed before any byte of an answer: a
    /// kept-alive connection that the server had dropped. The call may be
    /// sent again on a new connection.
    Stale(CallError),
    /// Anything else: report it.
    Fatal(CallError),
}

impl Failure {
    /// A failed read or write: stale unless some of the answer had
    /// `received` already.
    #[must_use]
    pub fn io(received: bool, e: io::Error) -> Self {
        let e = CallError::from(TransportError::new(TransportErrorKind::Io, e));
        if received {
            Self::Fatal(e)
        } else {
            Self::Stale(e)
        }
    }

    /// The error, whatever the kind.
    #[must_use]
    pub fn into_error(self) -> CallError {
        match self {
            Self::Stale(e) | Self::Fatal(e) => e,
        }
    }
}

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        Self::Fatal(e)
    }
}

/// Where the connection of the next attempt comes from.
#[derive(Debug)]
pub enum Attempt<C> {
    /// A kept-alive connection from the pool.
    Reuse(C),
    /// Open a new connection, within this time (the connect timeout, or
    /// what is left of the call's, whichever is shorter).
    Connect(Duration),
}

/// What to do after an attempt.
#[derive(Debug)]
#[must_use]
pub enum Settled<T> {
    /// The kept-alive connection had been closed by the server: ask the
    /// plan for the next attempt.
    Retry,
    /// The call is over.
    Done(Result<T, CallError>),
}

/// The plan of one call over a client's pool: kept-alive connections
/// first, newest first; one that turns out to have been closed by the
/// server before any byte of an answer ([`Failure::Stale`]) is dropped and
/// the next is tried; then a fresh connection, whose failures are all
/// reported. Made by [`ClientCore::plan`](crate::ClientCore::plan).
///
/// ```
/// use std::time::Instant;
/// use xmlrpc_driver::{Attempt, ClientCore, ClientSettings, Failure, Settled};
///
/// // Connections are numbers here; a runtime's hold a socket.
/// let core = ClientCore::<u32>::new("http://localhost/RPC2", &ClientSettings::default())?;
/// core.put_idle(7, Instant::now());
/// let mut plan = core.plan(Instant::now());
/// let mut tried = Vec::new();
/// let answer = loop {
///     let conn = match plan.next(Instant::now(), || core.take_idle(Instant::now()))? {
///         Attempt::Reuse(conn) => conn,
///         // Connect within `limit`.
///         Attempt::Connect(_limit) => 8,
///     };
///     tried.push(conn);
///     // Connection 7 had been closed by the server; 8 answers.
///     let outcome = match conn {
///         7 => Err(Failure::io(false, std::io::ErrorKind::ConnectionReset.into())),
///         _ => Ok("answer"),
///     };
///     match plan.settle(outcome) {
///         Settled::Retry => continue,
///         Settled::Done(result) => break result?,
///     }
/// };
/// assert_eq!((answer, tried), ("answer", vec![7, 8]));
/// # Ok::<(), xmlrpc_driver::call::CallError>(())
/// ```
#[derive(Debug)]
pub struct Plan {
    deadline: Option<Instant>,
    connect_timeout: Duration,
    fresh: bool,
}

impl Plan {
    pub(crate) fn new(deadline: Option<Instant>, connect_timeout: Duration) -> Self {
        Self {
            deadline,
            connect_timeout,
            fresh: false,
        }
    }

    /// When the whole call must be over (for [`Exchange::start`]).
    #[must_use]
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The next attempt, given the pool's freshest idle connection
    /// (`take_idle`, called only while kept-alive connections are tried).
    ///
    /// # Errors
    ///
    /// A timeout once the call deadline has passed.
    pub fn next<C>(
        &mut self,
        now: Instant,
        take_idle: impl FnOnce() -> Option<C>,
    ) -> Result<Attempt<C>, CallError> {
        let left = match self.deadline {
            None => self.connect_timeout,
            Some(d) => match d.checked_duration_since(now).filter(|l| !l.is_zero()) {
                Some(l) => l.min(self.connect_timeout),
                None => return Err(TransportError::timeout("call").into()),
            },
        };
        if !self.fresh {
            if let Some(conn) = take_idle() {
                return Ok(Attempt::Reuse(conn));
            }
            self.fresh = true;
        }
        Ok(Attempt::Connect(left))
    }

    /// The outcome of the attempt last planned.
    pub fn settle<T>(&mut self, outcome: Result<T, Failure>) -> Settled<T> {
        match outcome {
            Ok(v) => Settled::Done(Ok(v)),
            Err(Failure::Stale(e)) if !self.fresh => {
                tracing::debug!(error = %e, "kept-alive connection was closed; retrying");
                Settled::Retry
            }
            Err(f) => Settled::Done(Err(f.into_error())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientSettings;

    fn conn() -> ClientConnection {
        let prepared = ClientSettings::default()
            .prepare("http://h/RPC2")
            .expect("valid URL");
        ClientConnection::new(prepared.config)
    }

    fn sent(conn: &mut ClientConnection, deadline: Option<Instant>) -> Exchange {
        let mut ex = Exchange::start(conn, &MethodCall::new("m", vec![]), deadline).expect("idle");
        let now = Instant::now();
        while let Some(out) = ex.poll_transmit(conn) {
            let n = out.len();
            ex.handle_write(conn, Ok(n), now);
        }
        ex
    }

    const ANSWER: &str = "<?xml version=\"1.0\"?><methodResponse><params><param>\
        <value><i4>5</i4></value></param></params></methodResponse>";

    fn read(ex: &mut Exchange, conn: &mut ClientConnection, bytes: &[u8]) {
        let mut buf = bytes.to_vec();
        ex.handle_read(conn, Ok(buf.len()), &mut buf, Instant::now());
    }

    #[test]
    fn closed_before_an_answer_is_stale() {
        let mut conn = conn();
        let mut ex = sent(&mut conn, None);
        assert!(matches!(ex.poll_response(&mut conn), Ok(None)));
        ex.handle_read(&mut conn, Ok(0), &mut [], Instant::now());
        assert!(matches!(
            ex.poll_response(&mut conn),
            Err(Failure::Stale(_))
        ));
        // A reset before any byte: stale as well.
        let mut conn = self::conn();
        let mut ex = sent(&mut conn, None);
        let reset = Err(io::ErrorKind::ConnectionReset.into());
        ex.handle_read(&mut conn, reset, &mut [], Instant::now());
        assert!(matches!(
            ex.poll_response(&mut conn),
            Err(Failure::Stale(_))
        ));
    }

    #[test]
    fn a_failed_write_reads_on_for_an_early_answer() {
        let mut conn = conn();
        let mut ex = Exchange::start(&mut conn, &MethodCall::new("m", vec![]), None).unwrap();
        let now = Instant::now();
        ex.handle_write(&mut conn, Ok(3), now);
        ex.handle_write(&mut conn, Err(io::ErrorKind::BrokenPipe.into()), now);
        assert!(ex.poll_transmit(&mut conn).is_none(), "sending stopped");
        assert!(!ex.wants_flush(&mut conn));
        assert!(matches!(ex.poll_response(&mut conn), Ok(None)));
        let early =
            "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        read(&mut ex, &mut conn, early.as_bytes());
        // The answer is the report (an HTTP error), not the write error.
        let Err(Failure::Fatal(e)) = ex.poll_response(&mut conn) else {
            panic!("an HTTP error")
        };
        assert_eq!(e.http_status(), Some(413), "{e}");
        assert!(!ex.reusable(&conn));
    }

    #[test]
    fn a_failed_write_without_an_answer_reports_the_write() {
        let mut conn = conn();
        let mut ex = Exchange::start(&mut conn, &MethodCall::new("m", vec![]), None).unwrap();
        let now = Instant::now();
        ex.handle_write(&mut conn, Err(io::ErrorKind::BrokenPipe.into()), now);
        ex.handle_read(&mut conn, Ok(0), &mut [], now);
        let Err(Failure::Stale(e)) = ex.poll_response(&mut conn) else {
            panic!("closed before any byte of an answer")
        };
        assert!(e.to_string().contains("pipe"), "{e}");
    }

    #[test]
    fn eof_without_close_notify_is_judged_by_the_framing() {
        // Framed by the end of the stream: complete.
        let mut conn = conn();
        let mut ex = sent(&mut conn, None);
        read(
            &mut ex,
            &mut conn,
            format!("HTTP/1.0 200 OK\r\n\r\n{ANSWER}").as_bytes(),
        );
        assert!(matches!(ex.poll_response(&mut conn), Ok(None)));
        let eof = Err(io::ErrorKind::UnexpectedEof.into());
        ex.handle_read(&mut conn, eof, &mut [], Instant::now());
        let (_, result) = ex.poll_response(&mut conn).unwrap().unwrap();
        assert_eq!(result, Ok(Value::Int(5)));
        // Cut short of its Content-Length: a protocol error.
        let mut conn = self::conn();
        let mut ex = sent(&mut conn, None);
        read(
            &mut ex,
            &mut conn,
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<methodResponse>",
        );
        let eof = Err(io::ErrorKind::UnexpectedEof.into());
        ex.handle_read(&mut conn, eof, &mut [], Instant::now());
        let Err(Failure::Fatal(CallError::Protocol(_))) = ex.poll_response(&mut conn) else {
            panic!("a cut answer")
        };
    }

    #[test]
    fn the_call_deadline_is_a_deadline_of_the_exchange() {
        let now = Instant::now();
        let deadline = now + Duration::from_secs(1);
        let mut conn = conn();
        let mut ex = sent(&mut conn, Some(deadline));
        assert!(ex.poll_timeout(&conn).is_some_and(|t| t <= deadline));
        // A blocking read that timed out before the deadline: nothing.
        let would_block = Err(io::ErrorKind::WouldBlock.into());
        ex.handle_read(&mut conn, would_block, &mut [], now);
        assert!(matches!(ex.poll_response(&mut conn), Ok(None)));
        ex.handle_timeout(&mut conn, deadline);
        let Err(Failure::Fatal(e)) = ex.poll_response(&mut conn) else {
            panic!("a timeout")
        };
        assert!(e.is_timeout(), "{e}");
        assert!(!ex.reusable(&conn));
    }

    #[test]
    fn plan_retries_stale_kept_alive_connections_only() {
        let now = Instant::now();
        let mut plan = Plan::new(None, Duration::from_secs(3));
        let mut idle = vec![1, 2];
        assert!(matches!(
            plan.next(now, || idle.pop()),
            Ok(Attempt::Reuse(2))
        ));
        let stale = || Err::<(), _>(Failure::Stale(ProtocolError::ClosedBeforeResponse.into()));
        assert!(matches!(plan.settle(stale()), Settled::Retry));
        assert!(matches!(
            plan.next(now, || idle.pop()),
            Ok(Attempt::Reuse(1))
        ));
        assert!(matches!(plan.settle(stale()), Settled::Retry));
        let Ok(Attempt::Connect(limit)) = plan.next(now, || idle.pop()) else {
            panic!("a fresh connection")
        };
        assert_eq!(limit, Duration::from_secs(3));
        // A fresh connection's failure, stale or not, is the report.
        assert!(matches!(plan.settle(stale()), Settled::Done(Err(_))));
        // The call deadline bounds connecting, and ends the plan.
        let mut plan = Plan::new(Some(now + Duration::from_secs(1)), Duration::from_secs(3));
        let Ok(Attempt::Connect::<()>(limit)) = plan.next(now, || None) else {
            panic!("connect")
        };
        assert_eq!(limit, Duration::from_secs(1));
        let late = plan.next::<()>(now + Duration::from_secs(2), || None);
        assert!(late.is_err_and(|e| e.is_timeout()));
    }
}
