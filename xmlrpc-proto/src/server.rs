//! The server side of one HTTP/1.1 connection: [`ServerConnection`].

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::error::{ProtocolError, RespondError, StateError};
use crate::http::{self, BodyReader, Framing, HeadScan, HeadStatus, InBuf};
use crate::{
    DecodeError, EncodeOptions, Fault, HttpResponse, Limits, MethodCall, RequestHead, Value,
    Version, codec,
};

/// Extra input buffered beyond the head and body limits (one read's
/// worth) before a connection that keeps sending while a call is in
/// flight is cut off.
const INPUT_SLACK: usize = 64 * 1024;

/// How a [`ServerConnection`] behaves.
///
/// ```
/// use xmlrpc_proto::ServerConfig;
///
/// let mut config = ServerConfig::default();
/// config.limits.max_body_bytes = 32 * 1024 * 1024;
/// config.server_header = None;
/// assert!(config.keep_alive);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Every bound enforced against the peer, and the deadlines.
    pub limits: Limits,
    /// How responses are written.
    pub encode: EncodeOptions,
    /// The `Server` header value; `None` sends none. Default
    /// `xmlrpc-rs`.
    pub server_header: Option<String>,
    /// Whether connections may persist between requests (HTTP/1.1 by
    /// default, HTTP/1.0 with `Connection: keep-alive`). Default `true`;
    /// `false` closes every connection after one answer.
    pub keep_alive: bool,
    /// Responses larger than this many bytes are gzip-compressed when the
    /// request's `Accept-Encoding` allows it. Default `Some(1400)`, as
    /// Python's `xmlrpc.server`; `None` never compresses.
    #[cfg(feature = "gzip")]
    pub gzip_threshold: Option<usize>,
    /// Hand out every complete request as [`ServerEvent::Request`], body
    /// undecoded, whatever its method, instead of refusing methods other
    /// than `POST` and decoding the body as a call. A request without a
    /// body (`GET`, `HEAD`, ...) needs no `Content-Length`; `POST`, `PUT`
    /// and `PATCH` still do (`411`). The answer to a `HEAD` request
    /// carries no body. Default `false`;
    /// [`ServerConnection::for_site`] sets it, to serve each path's
    /// resource.
    pub raw_requests: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            encode: EncodeOptions::default(),
            server_header: Some("xmlrpc-rs".to_owned()),
            keep_alive: true,
            #[cfg(feature = "gzip")]
            gzip_threshold: Some(1400),
            raw_requests: false,
        }
    }
}

/// A well-formed call, ready for the dispatcher.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IncomingCall {
    /// The HTTP request it came in.
    pub head: RequestHead,
    /// The call.
    pub call: MethodCall,
}

/// A valid HTTP request whose body is not a valid `methodCall`. Answer it
/// with a fault; the connection stays usable.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct BadCall {
    /// The HTTP request it came in.
    pub head: RequestHead,
    /// Why the body could not be decoded.
    pub error: DecodeError,
}

/// A complete request of any method, its body as received (after
/// `Content-Encoding` is undone): what a connection with
/// [`ServerConfig::raw_requests`] hands out. Answer it with
/// [`ServerConnection::respond_with`] (or any other `respond_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IncomingRequest {
    /// The request head.
    pub head: RequestHead,
    /// The body; empty for a request without one.
    pub body: Vec<u8>,
}

/// What a [`ServerConnection`] has for the caller.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A call: answer it with [`ServerConnection::respond`] (or
    /// `respond_status`/`respond_raw`, for instance `404` for a path that
    /// serves nothing).
    Call(IncomingCall),
    /// A request whose body is not a `methodCall`: answer it with a fault.
    BadCall(BadCall),
    /// A request, undecoded (only with [`ServerConfig::raw_requests`]).
    Request(IncomingRequest),
    /// The peer closed the connection between requests.
    Closed,
}

#[derive(Clone, Copy, Debug)]
struct Answer {
    version: Version,
    keep_alive: bool,
    /// A `HEAD` request: the answer has no body.
    head_only: bool,
    #[cfg(feature = "gzip")]
    accept_gzip: bool,
}

#[derive(Debug)]
enum Phase {
    /// Between requests.
    Idle,
    /// Part of a head has arrived.
    Head {
        deadline: Option<Instant>,
        scan: HeadScan,
    },
    /// The head is complete; the body is arriving.
    Body {
        head: Box<RequestHead>,
        answer: Answer,
        reader: BodyReader,
        body: Vec<u8>,
        coding: Option<Vec<u8>>,
        deadline: Option<Instant>,
    },
    /// A complete request, not yet handed out by `poll_event`.
    Complete {
        head: Box<RequestHead>,
        answer: Answer,
        body: Vec<u8>,
    },
    /// A call handed out, awaiting its answer.
    InFlight { answer: Answer },
    /// No more requests: closed once the output is written.
    Closing,
}

/// The deadlines of a connection that is only read to be answered `503`
/// ([`ServerConnection::refusing`]).
const REFUSAL_DEADLINE: Duration = Duration::from_secs(5);

/// What a runtime does next with a [`ServerConnection`], once its output
/// is written ([`ServerConnection::next`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
#[non_exhaustive]
pub enum Next {
    /// Close the socket: the connection is done.
    Close,
    /// Wait until data arrives (when `read`) or `deadline` passes (then
    /// call [`ServerConnection::handle_timeout`]), whichever comes first.
    /// Also wake up when the server starts shutting down, and ask again.
    Wait {
        /// Whether to read from the socket.
        read: bool,
        /// When to call [`ServerConnection::handle_timeout`].
        deadline: Option<Instant>,
    },
}

/// The server side of one HTTP/1.1 connection, as a state machine: bytes
/// in, XML-RPC calls out, answers in, bytes out. It does no I/O and reads
/// no clock.
///
/// # Methods
///
/// - A. Inputs: [`handle_open`](Self::handle_open) (optional, arms the
///   first idle deadline), [`handle_data`](Self::handle_data),
///   [`handle_eof`](Self::handle_eof), [`handle_timeout`](Self::handle_timeout).
/// - B. Outputs: [`poll_event`](Self::poll_event) (or
///   [`poll_job`](Self::poll_job), serving a [`Site`](crate::dispatch::Site)),
///   [`poll_transmit`](Self::poll_transmit) with
///   [`advance_transmit`](Self::advance_transmit),
///   [`poll_flush`](Self::poll_flush) with [`handle_flush`](Self::handle_flush),
///   [`poll_timeout`](Self::poll_timeout), [`next`](Self::next).
/// - C. Commands: [`respond`](Self::respond), [`respond_with`](Self::respond_with),
///   [`respond_status`](Self::respond_status), [`respond_raw`](Self::respond_raw)
///   (or [`finish`](Self::finish) and [`refuse`](Self::refuse) for a job),
///   [`begin_handshake`](Self::begin_handshake) and
///   [`end_handshake`](Self::end_handshake), [`set_peer_addr`](Self::set_peer_addr).
/// - D. Getters: [`wants_read`](Self::wants_read), [`is_closed`](Self::is_closed),
///   [`is_idle`](Self::is_idle).
///
/// # Call order
///
/// 1. Drain `poll_event` until it returns `Ok(None)` or `Err`; answer each
///    `Call` or `BadCall` (one call is in flight at a time: the next request
///    is not parsed until this one is answered, so answers leave in request
///    order).
/// 2. Write what `poll_transmit` gives, reporting each write with
///    `advance_transmit`, until it returns `None`; then flush while
///    `poll_flush` says so, reporting it with `handle_flush`.
/// 3. Ask [`next`](Self::next): close the socket, or arm a timer for the
///    deadline (call `handle_timeout` when it fires) and, if it says to
///    read, read and pass the bytes to `handle_data` (or `handle_eof` at
///    end of stream). Go to 1.
///
/// An `Err` from `poll_event` means the peer broke HTTP: the error answer
/// (`400`, `405`, `411`, `413`, `431`…) is already queued and the
/// connection closes once it is written.
///
/// # Deadlines
///
/// Every deadline of the connection is in [`poll_timeout`](Self::poll_timeout)
/// (and in [`Next::Wait`]); the runtime arms one timer for it and calls
/// [`handle_timeout`](Self::handle_timeout) when it passes, also while it
/// waits for a write:
///
/// - idle between requests, request head, request body ([`Limits`]);
/// - a TLS handshake, between [`begin_handshake`](Self::begin_handshake)
///   and [`end_handshake`](Self::end_handshake): at most
///   [`Limits::head_timeout`];
/// - a write stall: bytes given by [`poll_transmit`](Self::poll_transmit)
///   that the peer has not accepted within [`Limits::write_timeout`], or a
///   flush ([`poll_flush`](Self::poll_flush)) not over by then.
///
/// A passed handshake or write deadline drops the connection: its output
/// is discarded, and it is closed at once.
///
/// ```
/// use std::time::Instant;
/// use xmlrpc_proto::{Next, ServerConfig, ServerConnection};
///
/// let now = Instant::now();
/// let mut conn = ServerConnection::new(ServerConfig::default());
/// conn.handle_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", now);
/// assert!(conn.poll_event().is_err());
/// let out = conn.poll_transmit(now).unwrap().to_vec();
/// assert!(out.starts_with(b"HTTP/1.1 405 Method Not Allowed\r\n"));
/// conn.advance_transmit(out.len());
/// assert!(conn.is_closed());
/// assert_eq!(conn.next(false), Next::Close);
/// ```
#[derive(Debug)]
pub struct ServerConnection {
    config: ServerConfig,
    phase: Phase,
    input: InBuf,
    out: http::OutBuf,
    error: Option<ProtocolError>,
    eof: bool,
    overflow: bool,
    closed_event: bool,
    last_now: Option<Instant>,
    idle_deadline: Option<Instant>,
    peer_addr: Option<SocketAddr>,
    /// Every request is answered `503` and the connection closes.
    refusing: bool,
    /// Since when bytes have waited to be written (armed by
    /// `poll_transmit` and `poll_flush`, cleared by progress and by a
    /// completed flush).
    write_since: Option<Instant>,
    /// Bytes were written since the last flush.
    unflushed: bool,
    /// Since when a TLS handshake has been under way.
    handshake_since: Option<Instant>,
    /// An answer was queued on a kept-alive connection: the idle period
    /// restarts once it is written.
    rearm_idle: bool,
}

fn after(now: Option<Instant>, d: Duration) -> Option<Instant> {
    now.and_then(|n| n.checked_add(d))
}

impl ServerConnection {
    /// A connection that has received nothing yet.
    #[must_use]
    pub fn new(config: ServerConfig) -> Self {
        Self {
            config,
            phase: Phase::Idle,
            input: InBuf::default(),
            out: http::OutBuf::default(),
            error: None,
            eof: false,
            overflow: false,
            closed_event: false,
            last_now: None,
            idle_deadline: None,
            peer_addr: None,
            refusing: false,
            write_since: None,
            unflushed: false,
            handshake_since: None,
            rearm_idle: false,
        }
    }

    /// A connection that serves a [`Site`](crate::dispatch::Site) through
    /// [`poll_job`](Self::poll_job): `config` with
    /// [`raw_requests`](ServerConfig::raw_requests) set, so that each
    /// path's resource (XML-RPC, SOAP, a handler) decides which methods it
    /// serves and how the body reads.
    #[must_use]
    pub fn for_site(mut config: ServerConfig) -> Self {
        config.raw_requests = true;
        Self::new(config)
    }

    /// A connection over the server's connection limit: its first request
    /// is read (with deadlines of at most 5 s) and answered
    /// `503 Service Unavailable` with `Connection: close`; then it closes.
    ///
    /// ```
    /// use std::time::Instant;
    /// use xmlrpc_proto::{Next, ServerConfig, ServerConnection};
    ///
    /// let now = Instant::now();
    /// let mut conn = ServerConnection::refusing(ServerConfig::default());
    /// conn.handle_data(b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", now);
    /// assert!(conn.poll_event().unwrap().is_none());
    /// let out = conn.poll_transmit(now).unwrap().to_vec();
    /// assert!(out.starts_with(b"HTTP/1.1 503 Service Unavailable\r\n"));
    /// conn.advance_transmit(out.len());
    /// assert_eq!(conn.next(false), Next::Close);
    /// ```
    #[must_use]
    pub fn refusing(mut config: ServerConfig) -> Self {
        let l = &mut config.limits;
        l.head_timeout = l.head_timeout.min(REFUSAL_DEADLINE);
        l.body_timeout = l.body_timeout.min(REFUSAL_DEADLINE);
        l.idle_timeout = l.idle_timeout.min(REFUSAL_DEADLINE);
        l.write_timeout = l.write_timeout.min(REFUSAL_DEADLINE);
        let mut conn = Self::new(config);
        conn.refusing = true;
        conn
    }

    /// The connection was accepted at `now`: arms the idle deadline for the
    /// first request, so that a peer that never sends a byte is closed
    /// after [`Limits::idle_timeout`]. Without this call the first deadline
    /// is armed by the first bytes.
    pub fn handle_open(&mut self, now: Instant) {
        self.last_now = Some(now);
        if matches!(self.phase, Phase::Idle) && self.input.is_empty() {
            self.idle_deadline = after(Some(now), self.config.limits.idle_timeout);
        }
    }

    /// The configuration the connection was made with.
    #[must_use]
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Records the peer's address, copied into every [`RequestHead`].
    pub fn set_peer_addr(&mut self, addr: SocketAddr) {
        self.peer_addr = Some(addr);
    }

    /// The peer's address, when [`set_peer_addr`](Self::set_peer_addr)
    /// recorded it.
    #[must_use]
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.peer_addr
    }

    /// Takes bytes received from the peer at `now`.
    ///
    /// Never panics and never buffers more than
    /// `max_head_bytes + max_body_bytes` plus 64 KiB: bytes handed over
    /// while a call is in flight (when [`wants_read`](Self::wants_read) is
    /// false) are kept up to that bound, and beyond it the connection
    /// closes after the current answer. Bytes after an error or the end of
    /// the stream are ignored.
    pub fn handle_data(&mut self, data: &[u8], now: Instant) {
        self.last_now = Some(now);
        let limits = &self.config.limits;
        let cap = limits
            .max_head_bytes
            .saturating_add(limits.max_body_bytes)
            .saturating_add(INPUT_SLACK);
        for piece in data.chunks(INPUT_SLACK) {
            if self.error.is_some() || self.eof || self.overflow {
                return;
            }
            if matches!(self.phase, Phase::Closing) {
                return;
            }
            if self.input.len() + piece.len() > cap {
                match self.phase {
                    Phase::Complete { .. } | Phase::InFlight { .. } => {
                        self.overflow = true;
                        self.input.clear();
                    }
                    _ => self.fail(ProtocolError::InputOverflow),
                }
                return;
            }
            self.input.extend(piece);
            self.advance(Some(now));
        }
    }

    /// The peer closed its sending side.
    ///
    /// Between requests this yields [`ServerEvent::Closed`]; in the middle
    /// of a request it is an error ([`ProtocolError::UnexpectedEof`]). A
    /// call already received is still answered, then the connection
    /// closes.
    pub fn handle_eof(&mut self) {
        if self.eof {
            return;
        }
        self.eof = true;
        self.advance(self.last_now);
    }

    /// The next event: `Ok(None)` when more input (or an answer) is needed.
    ///
    /// # Errors
    ///
    /// When the peer broke HTTP or a deadline passed: the error answer is
    /// queued and the connection closes once it is written. The error is
    /// sticky: every later call returns it again.
    pub fn poll_event(&mut self) -> Result<Option<ServerEvent>, ProtocolError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        match std::mem::replace(&mut self.phase, Phase::Closing) {
            Phase::Complete { head, answer, body } => {
                self.phase = Phase::InFlight { answer };
                if self.refusing {
                    tracing::debug!(path = %head.path, "over the connection limit: 503");
                    let body = status_body(503);
                    let _ = self.answer(503, TEXT_PLAIN, &[], &body, true);
                    return Ok(None);
                }
                let head = *head;
                if self.config.raw_requests {
                    return Ok(Some(ServerEvent::Request(IncomingRequest { head, body })));
                }
                return Ok(Some(match codec::decode_call(&body, &self.config.limits) {
                    Ok(call) => ServerEvent::Call(IncomingCall { head, call }),
                    Err(error) => ServerEvent::BadCall(BadCall { head, error }),
                }));
            }
            other => self.phase = other,
        }
        if self.closed_event {
            self.closed_event = false;
            return Ok(Some(ServerEvent::Closed));
        }
        Ok(None)
    }

    /// Answers the call in flight with a `methodResponse` in a `200 OK`.
    ///
    /// # Errors
    ///
    /// [`RespondError::State`] when no call awaits an answer;
    /// [`RespondError::Encode`] when the value cannot be written, in which
    /// case nothing is queued and the call still awaits its answer.
    pub fn respond(&mut self, reply: &Result<Value, Fault>) -> Result<(), RespondError> {
        self.in_flight()?;
        let mut body = Vec::with_capacity(256);
        codec::encode_response(reply, &self.config.encode, &mut body)?;
        self.answer(200, "text/xml; charset=utf-8", &[], &body, false)?;
        Ok(())
    }

    /// Answers the request in flight with a whole [`HttpResponse`]: its
    /// status, content type, header fields and body.
    ///
    /// ```
    /// use std::time::Instant;
    /// use xmlrpc_proto::{HttpResponse, ServerConfig, ServerConnection, ServerEvent};
    ///
    /// let mut config = ServerConfig::default();
    /// config.raw_requests = true;
    /// let mut conn = ServerConnection::new(config);
    /// conn.handle_data(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", Instant::now());
    /// let Some(ServerEvent::Request(req)) = conn.poll_event().unwrap() else { panic!() };
    /// assert_eq!((req.head.method.as_str(), req.head.path.as_str()), ("GET", "/health"));
    /// let ok = HttpResponse::new(200, "text/plain", "ok\n").header("Cache-Control", "no-store");
    /// conn.respond_with(&ok).unwrap();
    /// let out = String::from_utf8(conn.poll_transmit(Instant::now()).unwrap().to_vec()).unwrap();
    /// assert!(out.starts_with("HTTP/1.1 200 OK\r\n"));
    /// assert!(out.contains("\r\nCache-Control: no-store\r\n"));
    /// assert!(out.ends_with("\r\n\r\nok\n"));
    /// ```
    ///
    /// # Errors
    ///
    /// When no request awaits an answer.
    pub fn respond_with(&mut self, response: &HttpResponse) -> Result<(), StateError> {
        self.answer(
            response.status(),
            response.content_type(),
            response.headers(),
            response.body(),
            response.closes_connection(),
        )
    }

    /// Answers the call in flight with an HTTP status and a short
    /// plain-text body (its reason phrase), for instance `404` for a path
    /// that serves nothing. The connection stays open as it would after a
    /// normal answer.
    ///
    /// # Errors
    ///
    /// When no call awaits an answer.
    pub fn respond_status(&mut self, status: u16) -> Result<(), StateError> {
        self.answer(status, TEXT_PLAIN, &[], &status_body(status), false)
    }

    /// Answers the call in flight with any status, content type and body.
    /// A status outside 200-599 is sent as 500; a `204` or `304` answer
    /// carries no body.
    /// A `content_type` that cannot be written as a header value (a line
    /// break in it) is sent as `application/octet-stream`.
    ///
    /// # Errors
    ///
    /// When no call awaits an answer.
    pub fn respond_raw(
        &mut self,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), StateError> {
        let content_type = if http::valid_header("Content-Type", content_type) {
            content_type
        } else {
            "application/octet-stream"
        };
        self.answer(status, content_type, &[], body, false)
    }

    fn in_flight(&self) -> Result<Answer, StateError> {
        match self.phase {
            Phase::InFlight { answer } => Ok(answer),
            Phase::Closing if self.out.is_flushed() => Err(StateError::Closed),
            _ if self.error.is_some() => Err(StateError::Closed),
            _ => Err(StateError::NoCallPending),
        }
    }

    /// Queues the answer's head, the `extra` header fields (already
    /// checked by [`HttpResponse::header`]) and `body` (copied once,
    /// straight into the output buffer).
    fn answer(
        &mut self,
        status: u16,
        content_type: &str,
        extra: &[(String, Vec<u8>)],
        body: &[u8],
        close: bool,
    ) -> Result<(), StateError> {
        let answer = self.in_flight()?;
        let keep = answer.keep_alive && !self.overflow && !close;
        // A final answer has a status from 200 to 599; 204 and 304 have
        // no body.
        let status = if (200..=599).contains(&status) {
            status
        } else {
            500
        };
        let no_body = status == 204 || status == 304;
        let body = if no_body { &[][..] } else { body };
        // A HEAD answer has the head a GET would have had, without the
        // body (so without compressing it either).
        #[cfg(feature = "gzip")]
        let accept_gzip = answer.accept_gzip && !answer.head_only;
        #[cfg(feature = "gzip")]
        let compressed;
        #[cfg(feature = "gzip")]
        let (body, gzipped) = match self.config.gzip_threshold {
            Some(t) if accept_gzip && body.len() > t => {
                compressed = http::gzip(body);
                (&compressed[..], true)
            }
            _ => (body, false),
        };
        #[cfg(not(feature = "gzip"))]
        let gzipped = false;
        let connection: Option<&[u8]> = if !keep {
            Some(b"close")
        } else if answer.version == Version::Http10 {
            Some(b"keep-alive")
        } else {
            None
        };
        let out = self.out.append();
        out.reserve(160 + body.len());
        put_head(
            out,
            &self.config,
            &Head {
                status,
                content: (!no_body).then_some((content_type, body.len())),
                extra,
                allow: None,
                gzipped,
                connection,
            },
        );
        if !answer.head_only {
            out.extend_from_slice(body);
        }
        if keep {
            self.phase = Phase::Idle;
            self.idle_deadline = after(self.last_now, self.config.limits.idle_timeout);
            self.rearm_idle = true;
            self.advance(self.last_now);
        } else {
            self.phase = Phase::Closing;
            self.input.clear();
        }
        Ok(())
    }

    /// Bytes to write to the peer at `now`, oldest first; `None` when
    /// there are none, or once the connection is dropped. Bytes given here
    /// start the write deadline ([`Limits::write_timeout`]), unless it
    /// runs already.
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<&[u8]> {
        if self.out.is_flushed() {
            if std::mem::take(&mut self.rearm_idle) && matches!(self.phase, Phase::Idle) {
                self.idle_deadline = after(Some(now), self.config.limits.idle_timeout);
            }
            return None;
        }
        self.write_since.get_or_insert(now);
        self.out.pending()
    }

    /// Reports that the first `n` bytes given by `poll_transmit` were
    /// written (a partial write is fine). Any progress restarts the write
    /// deadline.
    pub fn advance_transmit(&mut self, n: usize) {
        if n > 0 {
            self.write_since = None;
            self.unflushed = true;
        }
        self.out.advance(n);
    }

    /// Whether the bytes written so far should now be flushed (a TLS
    /// stream holds some of them until then): once `poll_transmit` has
    /// nothing more, after a write. The flush counts as writing: from the
    /// first call that says so (at `now`) until
    /// [`handle_flush`](Self::handle_flush), the write deadline runs, and
    /// a flush that takes too long drops the connection at
    /// [`handle_timeout`](Self::handle_timeout). A runtime whose writes
    /// need no flush may ignore this.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use xmlrpc_proto::{Next, ServerConfig, ServerConnection};
    ///
    /// let now = Instant::now();
    /// let mut conn = ServerConnection::new(ServerConfig::default());
    /// conn.handle_data(b"GET / HTTP/1.1\r\n\r\n", now); // refused: 405
    /// assert!(conn.poll_event().is_err());
    /// let n = conn.poll_transmit(now).unwrap().len();
    /// conn.advance_transmit(n);
    /// assert!(conn.poll_transmit(now).is_none());
    /// assert!(conn.poll_flush(now));
    /// let write_timeout = conn.config().limits.write_timeout;
    /// assert_eq!(conn.poll_timeout(), Some(now + write_timeout));
    /// conn.handle_flush();
    /// assert!(!conn.poll_flush(now));
    /// assert_eq!(conn.next(false), Next::Close);
    /// ```
    pub fn poll_flush(&mut self, now: Instant) -> bool {
        if !self.unflushed || !self.out.is_flushed() {
            return false;
        }
        self.write_since.get_or_insert(now);
        true
    }

    /// The flush that [`poll_flush`](Self::poll_flush) asked for is done.
    pub fn handle_flush(&mut self) {
        self.unflushed = false;
        self.write_since = None;
    }

    /// A TLS handshake starts at `now`: until
    /// [`end_handshake`](Self::end_handshake), it must be over by
    /// [`Limits::head_timeout`] from `now`.
    pub fn begin_handshake(&mut self, now: Instant) {
        self.handshake_since = Some(now);
    }

    /// The TLS handshake is over.
    pub fn end_handshake(&mut self) {
        self.handshake_since = None;
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be
    /// called: the earliest of the end of the idle period between
    /// requests, the head or body deadline of the request arriving, the
    /// deadline of a TLS handshake and that of a stalled write. Without a
    /// handshake or write under way, `None` while a call is in flight (the
    /// handler's time is the application's) and once closed.
    ///
    /// The head deadline runs from the first byte of the head
    /// ([`Limits::head_timeout`]), the body deadline from the end of the
    /// head ([`Limits::body_timeout`]); neither is extended by bytes that
    /// trickle in. The idle period ([`Limits::idle_timeout`]) runs from
    /// the moment `poll_transmit` found the previous answer written (until
    /// then, from the last `now` the connection was given before the
    /// answer was queued).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let request = match &self.phase {
            _ if self.error.is_some() => None,
            Phase::Idle => self.idle_deadline,
            Phase::Head { deadline, .. } | Phase::Body { deadline, .. } => *deadline,
            _ => None,
        };
        [request, self.handshake_deadline(), self.write_deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    /// When bytes waiting to be written (or a flush) have stalled for
    /// too long; none for a limit too large to reach.
    fn write_deadline(&self) -> Option<Instant> {
        after(self.write_since, self.config.limits.write_timeout)
    }

    /// When a TLS handshake under way is late, as [`write_deadline`](Self::write_deadline).
    fn handshake_deadline(&self) -> Option<Instant> {
        after(self.handshake_since, self.config.limits.head_timeout)
    }

    /// The time is `now`: a passed deadline closes the connection. An idle
    /// connection closes silently; a request whose head or body is late
    /// gets `408 Request Timeout` and [`ProtocolError::Timeout`]; a late
    /// TLS handshake or a stalled write drops the connection, output and
    /// all.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.last_now = Some(now);
        let write_stalled = self.write_deadline().is_some_and(|d| now >= d);
        let handshake_late = self.handshake_deadline().is_some_and(|d| now >= d);
        if write_stalled || handshake_late {
            tracing::debug!(write_stalled, handshake_late, "connection dropped");
            // Closed at once: nothing more to read, write or wait for.
            self.phase = Phase::Closing;
            self.input.clear();
            self.out = http::OutBuf::default();
            self.unflushed = false;
            self.write_since = None;
            self.handshake_since = None;
            return;
        }
        if self.error.is_some() {
            return;
        }
        match &self.phase {
            Phase::Idle if self.idle_deadline.is_some_and(|d| now >= d) => {
                self.phase = Phase::Closing;
                self.input.clear();
            }
            Phase::Head {
                deadline: Some(d), ..
            } if now >= *d => self.fail(ProtocolError::Timeout("request head")),
            Phase::Body {
                deadline: Some(d), ..
            } if now >= *d => self.fail(ProtocolError::Timeout("request body")),
            _ => {}
        }
    }

    /// Whether the caller should read from the peer: false while a call
    /// awaits its answer, after an error and once closing.
    #[must_use]
    pub fn wants_read(&self) -> bool {
        self.error.is_none()
            && !self.eof
            && matches!(
                self.phase,
                Phase::Idle | Phase::Head { .. } | Phase::Body { .. }
            )
    }

    /// Whether the connection is finished and everything queued has been
    /// written (or the connection was dropped): close the socket.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closing) && self.out.is_flushed()
    }

    /// What to do once the output is written (ask after
    /// [`poll_transmit`](Self::poll_transmit) gave `None`). With
    /// `stopping` (the server is shutting down), a connection between
    /// requests closes; one in the middle of a request, or of a TLS
    /// handshake, goes on until that request is answered.
    pub fn next(&self, stopping: bool) -> Next {
        if self.is_closed() || (stopping && self.between_requests()) {
            return Next::Close;
        }
        let read = self.wants_read();
        let deadline = self.poll_timeout();
        if !read && deadline.is_none() {
            // Nothing can happen any more: the peer is gone and its last
            // call was answered.
            return Next::Close;
        }
        Next::Wait { read, deadline }
    }

    /// Whether the connection sits between requests (once its output is
    /// written): nothing of a next request has arrived and no handshake is
    /// under way. A runtime may then set the connection aside and serve
    /// another.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        self.between_requests() && self.wants_read()
    }

    /// No byte of a request waits for an answer, and no TLS handshake is
    /// under way.
    fn between_requests(&self) -> bool {
        let started = matches!(
            self.phase,
            Phase::Head { .. } | Phase::Body { .. } | Phase::Complete { .. }
        );
        !started && self.handshake_since.is_none()
    }

    /// How many received bytes are buffered and not yet parsed.
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.input.len()
    }

    /// Queues the error answer for `e` and closes.
    fn fail(&mut self, e: ProtocolError) {
        let status = e.status_hint();
        tracing::debug!(error = %e, status, "closing connection after protocol error");
        let reason = http::reason_phrase(status);
        let text = format!("{status} {reason}: {e}\n");
        let out = self.out.append();
        put_head(
            out,
            &self.config,
            &Head {
                status,
                content: Some(("text/plain; charset=utf-8", text.len())),
                extra: &[],
                allow: (status == 405).then_some(&b"POST"[..]),
                gzipped: false,
                connection: Some(b"close"),
            },
        );
        out.extend_from_slice(text.as_bytes());
        self.error = Some(e);
        self.phase = Phase::Closing;
        self.input.clear();
    }

    /// Parses as far as the buffered input allows.
    fn advance(&mut self, now: Option<Instant>) {
        loop {
            match &mut self.phase {
                Phase::Idle => {
                    // Empty lines before a request line are ignored
                    // (RFC 9112, section 2.2).
                    let skip = self
                        .input
                        .as_slice()
                        .iter()
                        .take_while(|&&b| b == b'\r' || b == b'\n')
                        .count();
                    self.input.consume(skip);
                    if self.input.is_empty() {
                        if self.eof {
                            self.closed_event = true;
                            self.phase = Phase::Closing;
                        }
                        return;
                    }
                    self.phase = Phase::Head {
                        deadline: after(now, self.config.limits.head_timeout),
                        scan: HeadScan::default(),
                    };
                }
                Phase::Head { scan, .. } => {
                    let max_headers = self.config.limits.max_headers;
                    let status = scan.scan(
                        self.input.as_slice(),
                        self.config.limits.max_head_bytes,
                        self.eof,
                        |b| http::check_request_prefix(b, max_headers),
                    );
                    match status {
                        Err(e) => return self.fail(e),
                        Ok(HeadStatus::Partial) => return,
                        Ok(HeadStatus::Complete(n)) => {
                            let parsed =
                                http::parse_request(&self.input.as_slice()[..n], max_headers);
                            self.input.consume(n);
                            match parsed {
                                Ok(raw) => {
                                    if let Err(e) = self.start_request(raw, now) {
                                        return self.fail(e);
                                    }
                                }
                                Err(e) => return self.fail(ProtocolError::BadHead(e)),
                            }
                        }
                    }
                }
                Phase::Body { reader, body, .. } => {
                    let limits = &self.config.limits;
                    match reader.read(
                        &mut self.input,
                        body,
                        limits.max_body_bytes,
                        limits.max_head_bytes,
                    ) {
                        Err(e) => return self.fail(e),
                        Ok(false) => {
                            if self.eof {
                                self.fail(ProtocolError::UnexpectedEof);
                            }
                            return;
                        }
                        Ok(true) => {
                            let Phase::Body {
                                head,
                                answer,
                                body,
                                coding,
                                ..
                            } = std::mem::replace(&mut self.phase, Phase::Closing)
                            else {
                                // Not reached: this arm matched
                                // `Phase::Body`, which nothing has changed.
                                return;
                            };
                            let body = match coding {
                                None => body,
                                Some(c) => {
                                    match http::decode_content(&c, body, limits.max_body_bytes) {
                                        Ok(b) => b,
                                        Err(e) => return self.fail(e),
                                    }
                                }
                            };
                            self.phase = Phase::Complete { head, answer, body };
                            return;
                        }
                    }
                }
                Phase::Complete { .. } | Phase::InFlight { .. } | Phase::Closing => return,
            }
        }
    }

    fn start_request(
        &mut self,
        raw: http::RawRequest,
        now: Option<Instant>,
    ) -> Result<(), ProtocolError> {
        let limits = self.config.limits.clone();
        let raw_mode = self.config.raw_requests;
        if !raw_mode && raw.method != "POST" {
            return Err(ProtocolError::MethodNotAllowed(raw.method));
        }
        let framing = match http::declared_framing(raw.version, &raw.headers)
            .map_err(ProtocolError::BadHead)?
        {
            Some(f) => f,
            // A request without framing has no body (RFC 9112, section
            // 6.3); one whose method is there to send a body is refused.
            None if raw_mode && !matches!(raw.method.as_str(), "POST" | "PUT" | "PATCH") => {
                Framing::Length(0)
            }
            None => return Err(ProtocolError::LengthRequired),
        };
        if let Framing::Length(n) = framing {
            if n > limits.max_body_bytes as u64 {
                return Err(ProtocolError::BodyTooLarge {
                    len: n,
                    limit: limits.max_body_bytes,
                });
            }
        }
        let coding = http::content_coding(&raw.headers);
        if let Some(c) = &coding {
            let supported = cfg!(feature = "gzip")
                && (c.eq_ignore_ascii_case(b"gzip") || c.eq_ignore_ascii_case(b"x-gzip"));
            if !supported {
                return Err(ProtocolError::BadContentEncoding(
                    String::from_utf8_lossy(c).into_owned(),
                ));
            }
        }
        let keep_alive = self.config.keep_alive && http::keep_alive(raw.version, &raw.headers);
        let has_body = framing != Framing::Length(0);
        // Sent even when part of the body is already here (allowed by RFC
        // 9110, section 10.1.1), so that the output does not depend on how
        // the input was split.
        if raw.version == Version::Http11
            && has_body
            && http::has_token(&raw.headers, "expect", "100-continue")
        {
            self.out
                .append()
                .extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        let answer = Answer {
            version: raw.version,
            keep_alive,
            head_only: raw.method == "HEAD",
            #[cfg(feature = "gzip")]
            accept_gzip: http::accepts_gzip(&raw.headers),
        };
        let mut head = RequestHead::new(raw.method, raw.path);
        head.version = raw.version;
        head.headers = raw.headers;
        head.keep_alive = keep_alive;
        head.peer_addr = self.peer_addr;
        let capacity = match framing {
            Framing::Length(n) => usize::try_from(n).unwrap_or(0).min(64 * 1024),
            _ => 0,
        };
        self.phase = Phase::Body {
            head: Box::new(head),
            answer,
            reader: BodyReader::new(framing),
            body: Vec::with_capacity(capacity),
            coding,
            deadline: after(now, limits.body_timeout),
        };
        Ok(())
    }
}

/// The content type of plain-text answers.
const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

/// The body of a plain status answer: its code and reason phrase.
fn status_body(status: u16) -> Vec<u8> {
    let mut body = Vec::new();
    let mut b = itoa::Buffer::new();
    body.extend_from_slice(b.format(status).as_bytes());
    body.push(b' ');
    body.extend_from_slice(http::reason_phrase(status).as_bytes());
    body.push(b'\n');
    body
}

/// What the head of an answer says.
struct Head<'a> {
    status: u16,
    /// The body's content type and length; `None` for a body-less status.
    content: Option<(&'a str, usize)>,
    /// Fields checked already (by [`HttpResponse::header`]).
    extra: &'a [(String, Vec<u8>)],
    allow: Option<&'a [u8]>,
    gzipped: bool,
    connection: Option<&'a [u8]>,
}

/// The one writer of a server answer's head, for answers and error
/// answers alike: status line, `Server`, `Content-Type` and
/// `Content-Length`, the other fields, the blank line.
fn put_head(out: &mut Vec<u8>, config: &ServerConfig, head: &Head<'_>) {
    out.extend_from_slice(b"HTTP/1.1 ");
    let mut b = itoa::Buffer::new();
    out.extend_from_slice(b.format(head.status).as_bytes());
    out.push(b' ');
    out.extend_from_slice(http::reason_phrase(head.status).as_bytes());
    out.extend_from_slice(b"\r\n");
    if let Some(s) = &config.server_header {
        if http::valid_header("Server", s) {
            http::put_header(out, "Server", s.as_bytes());
        }
    }
    if let Some(allow) = head.allow {
        http::put_header(out, "Allow", allow);
    }
    if let Some((content_type, length)) = head.content {
        http::put_header(out, "Content-Type", content_type.as_bytes());
        http::put_content_length(out, length);
    }
    for (name, value) in head.extra {
        http::put_header(out, name, value);
    }
    if head.gzipped {
        http::put_header(out, "Content-Encoding", b"gzip");
    }
    if let Some(connection) = head.connection {
        http::put_header(out, "Connection", connection);
    }
    out.extend_from_slice(b"\r\n");
}
