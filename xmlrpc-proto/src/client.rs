//! The client side of one HTTP/1.1 connection: [`ClientConnection`].

use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::error::{ProtocolError, SendError, StateError};
use crate::http::{self, BodyReader, Framing, HeadScan, HeadStatus, InBuf};
use crate::{EncodeOptions, Fault, Headers, Limits, MethodCall, Url, Value, Version, codec};

/// How many bytes of a non-200 response body are kept for the error.
const ERROR_BODY_BYTES: usize = 512;

/// How a [`ClientConnection`] sends its calls.
///
/// ```
/// use xmlrpc_proto::{ClientConfig, Url};
///
/// let url = Url::parse("http://alice:secret@localhost:8080/RPC2").unwrap();
/// let mut config = ClientConfig::new(&url);
/// config.headers.push(("X-Trace".into(), "42".into()));
/// assert_eq!(config.host, "localhost:8080");
/// assert_eq!(config.path, "/RPC2");
/// assert_eq!(config.basic_auth, Some(("alice".into(), "secret".into())));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The `Host` header value.
    pub host: String,
    /// The request target, sent as is.
    pub path: String,
    /// The `User-Agent` header value. Default `xmlrpc-rs/` and the crate
    /// version.
    pub user_agent: String,
    /// Extra header fields, sent after the standard ones.
    pub headers: Vec<(String, String)>,
    /// User name and password for Basic `Authorization`.
    pub basic_auth: Option<(String, String)>,
    /// Every bound enforced against the server, and the deadlines.
    pub limits: Limits,
    /// How calls are written.
    pub encode: EncodeOptions,
    /// Whether to keep the connection open for further calls. Default
    /// `true`; `false` sends `Connection: close`.
    pub keep_alive: bool,
    /// Whether to keep the body of each response (after any
    /// `Content-Encoding` is undone) for
    /// [`ClientConnection::take_body`]: the `methodResponse` exactly as
    /// the server sent it. Default `false`.
    pub keep_body: bool,
    /// Whether to send `Accept-Encoding: gzip`. Default `true`.
    #[cfg(feature = "gzip")]
    pub accept_gzip: bool,
    /// Calls larger than this many bytes are sent gzip-compressed. Default
    /// `None` (never), as Python's `xmlrpc.client`: not every server
    /// accepts compressed requests.
    #[cfg(feature = "gzip")]
    pub gzip_threshold: Option<usize>,
}

impl Default for ClientConfig {
    /// Host `localhost`, path `/`.
    fn default() -> Self {
        Self {
            host: "localhost".to_owned(),
            path: "/".to_owned(),
            user_agent: concat!("xmlrpc-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            headers: Vec::new(),
            basic_auth: None,
            limits: Limits::default(),
            encode: EncodeOptions::default(),
            keep_alive: true,
            keep_body: false,
            #[cfg(feature = "gzip")]
            accept_gzip: true,
            #[cfg(feature = "gzip")]
            gzip_threshold: None,
        }
    }
}

impl ClientConfig {
    /// The configuration for calling `url`: its `Host` header value, its
    /// path, and Basic credentials from its user info.
    #[must_use]
    pub fn new(url: &Url) -> Self {
        Self {
            host: url.host_header(),
            path: url.path().to_owned(),
            basic_auth: url
                .username()
                .map(|u| (u.to_owned(), url.password().unwrap_or_default().to_owned())),
            ..Self::default()
        }
    }
}

/// The head of an HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseHead {
    /// The status code.
    pub status: u16,
    /// The reason phrase as sent.
    pub reason: String,
    /// The HTTP version.
    pub version: Version,
    /// The header fields.
    pub headers: Headers,
    /// Whether the connection stays open after this response.
    pub keep_alive: bool,
}

/// What a [`ClientConnection`] has for the caller.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The outcome of the call: a value or a fault.
    Response {
        /// The HTTP response head.
        head: ResponseHead,
        /// The procedure's result.
        result: Result<Value, Fault>,
    },
}

#[derive(Debug)]
enum Phase {
    /// No call outstanding.
    Idle,
    /// A call was sent; its response head is arriving.
    Head {
        scan: HeadScan,
        deadline: Option<Instant>,
    },
    /// The response body is arriving.
    Body {
        head: Box<ResponseHead>,
        reader: BodyReader,
        body: Vec<u8>,
        coding: Option<Vec<u8>>,
        deadline: Option<Instant>,
    },
    /// The outcome awaits `poll_event`.
    Done(Result<ClientEvent, ProtocolError>),
    /// Nothing more: closed once the output is written.
    Closed,
}

/// The client side of one HTTP/1.1 connection, as a state machine: a call
/// in, bytes out, bytes in, the outcome out. One call at a time; after a
/// complete response on a persistent connection the next call may follow.
///
/// # Methods
///
/// - A. Inputs: [`handle_data`](Self::handle_data),
///   [`handle_eof`](Self::handle_eof), [`handle_timeout`](Self::handle_timeout).
/// - B. Outputs: [`poll_event`](Self::poll_event),
///   [`poll_transmit`](Self::poll_transmit) with
///   [`advance_transmit`](Self::advance_transmit),
///   [`poll_timeout`](Self::poll_timeout).
/// - C. Commands: [`send_call`](Self::send_call).
/// - D. Getters: [`wants_read`](Self::wants_read),
///   [`can_reuse`](Self::can_reuse), [`is_closed`](Self::is_closed).
///
/// Call order: `send_call`, write all of `poll_transmit`, then read while
/// `wants_read` (passing bytes to `handle_data`, end of stream to
/// `handle_eof`), checking `poll_event` after each input until it yields
/// the outcome. The head and body deadlines run from the first byte of
/// the response; the wait for that first byte is the caller's own call
/// timeout.
///
/// ```
/// use std::time::Instant;
/// use xmlrpc_proto::{ClientConfig, ClientConnection, ClientEvent, MethodCall, Value};
///
/// let mut conn = ClientConnection::new(ClientConfig::default());
/// conn.send_call(&MethodCall::new("ping", vec![])).unwrap();
/// let request = conn.poll_transmit().unwrap().to_vec();
/// assert!(request.starts_with(b"POST / HTTP/1.1\r\n"));
/// conn.advance_transmit(request.len());
///
/// let body = b"<methodResponse><params><param><value>pong</value></param></params></methodResponse>";
/// let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
/// conn.handle_data(head.as_bytes(), Instant::now());
/// assert!(conn.poll_event().unwrap().is_none());
/// conn.handle_data(body, Instant::now());
/// let Some(ClientEvent::Response { result, .. }) = conn.poll_event().unwrap() else {
///     panic!("no response");
/// };
/// assert_eq!(result, Ok(Value::from("pong")));
/// assert!(conn.can_reuse());
/// ```
#[derive(Debug)]
pub struct ClientConnection {
    config: ClientConfig,
    phase: Phase,
    input: InBuf,
    out: http::OutBuf,
    fatal: Option<ProtocolError>,
    eof: bool,
    reusable: bool,
    body: Option<Vec<u8>>,
}

fn after(now: Option<Instant>, d: Duration) -> Option<Instant> {
    now.and_then(|n| n.checked_add(d))
}

impl ClientConnection {
    /// A connection with no call sent yet.
    #[must_use]
    pub fn new(config: ClientConfig) -> Self {
        Self {
            config,
            phase: Phase::Idle,
            input: InBuf::default(),
            out: http::OutBuf::default(),
            fatal: None,
            eof: false,
            reusable: false,
            body: None,
        }
    }

    /// Writes the request for `call` into the output.
    ///
    /// # Errors
    ///
    /// [`SendError::State`] when a call is in flight or the connection is
    /// closed or not reusable; [`SendError::Encode`] when the call cannot
    /// be written; [`SendError::InvalidHeader`] when a configured header,
    /// host or path cannot be sent. Nothing is queued on error.
    pub fn send_call(&mut self, call: &MethodCall) -> Result<(), SendError> {
        match self.phase {
            Phase::Idle if self.fatal.is_none() && !self.eof => {}
            Phase::Idle | Phase::Closed => return Err(StateError::Closed.into()),
            _ => return Err(StateError::CallInFlight.into()),
        }
        self.body = None;
        let c = &self.config;
        let mut body = Vec::with_capacity(256);
        codec::encode_call(call, &c.encode, &mut body)?;
        if c.path.is_empty() || c.path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(SendError::InvalidHeader("request path".to_owned()));
        }
        for (name, value) in [("Host", &c.host), ("User-Agent", &c.user_agent)]
            .into_iter()
            .chain(c.headers.iter().map(|(n, v)| (n.as_str(), v)))
        {
            if !http::valid_header(name, value) {
                return Err(SendError::InvalidHeader(name.to_owned()));
            }
        }
        #[cfg(feature = "gzip")]
        let (body, gzipped) = match c.gzip_threshold {
            Some(t) if body.len() > t => (http::gzip(&body), true),
            _ => (body, false),
        };
        let out = self.out.append();
        out.reserve(256 + body.len());
        out.extend_from_slice(b"POST ");
        out.extend_from_slice(c.path.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        http::put_header(out, "Host", c.host.as_bytes());
        http::put_header(out, "User-Agent", c.user_agent.as_bytes());
        http::put_header(out, "Content-Type", b"text/xml");
        #[cfg(feature = "gzip")]
        {
            if c.accept_gzip {
                http::put_header(out, "Accept-Encoding", b"gzip");
            }
            if gzipped {
                http::put_header(out, "Content-Encoding", b"gzip");
            }
        }
        http::put_content_length(out, body.len());
        if let Some((user, pass)) = &c.basic_auth {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            let mut value = b"Basic ".to_vec();
            value.extend_from_slice(token.as_bytes());
            http::put_header(out, "Authorization", &value);
        }
        if !c.keep_alive {
            http::put_header(out, "Connection", b"close");
        }
        for (name, value) in &c.headers {
            http::put_header(out, name, value.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&body);
        self.phase = Phase::Head {
            scan: HeadScan::default(),
            deadline: None,
        };
        Ok(())
    }

    /// Takes bytes received from the server at `now`. Never panics; buffers
    /// at most the head and body limits.
    pub fn handle_data(&mut self, data: &[u8], now: Instant) {
        if data.is_empty() || self.fatal.is_some() || self.eof {
            return;
        }
        match self.phase {
            Phase::Idle => return self.fail(ProtocolError::UnsolicitedData),
            Phase::Done(_) => {
                // Bytes after a complete response: the connection cannot
                // carry another call.
                self.reusable = false;
                return;
            }
            Phase::Closed => return,
            Phase::Head {
                ref mut deadline, ..
            } => {
                if deadline.is_none() {
                    *deadline = after(Some(now), self.config.limits.head_timeout);
                }
            }
            Phase::Body { .. } => {}
        }
        self.input.extend(data);
        self.advance(Some(now));
    }

    /// The server closed its sending side.
    pub fn handle_eof(&mut self) {
        if self.eof {
            return;
        }
        self.eof = true;
        match self.phase {
            Phase::Idle => self.phase = Phase::Closed,
            Phase::Head { .. } if self.input.is_empty() => {
                self.fail(ProtocolError::ClosedBeforeResponse);
            }
            Phase::Head { .. } => {
                self.advance(None);
                self.finish_body_at_eof();
            }
            Phase::Body { .. } => self.finish_body_at_eof(),
            Phase::Done(_) | Phase::Closed => self.reusable = false,
        }
    }

    fn finish_body_at_eof(&mut self) {
        if let Phase::Body { reader, .. } = &self.phase {
            if matches!(reader, BodyReader::Eof) {
                self.complete();
            } else {
                self.fail(ProtocolError::UnexpectedEof);
            }
        }
    }

    /// The outcome of the call: `Ok(None)` while it is not complete.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::HttpStatus`] for a status other than 200 and
    /// [`ProtocolError::BadXml`] for a body that is not a
    /// `methodResponse`: these end the call only (see
    /// [`can_reuse`](Self::can_reuse)). Any other error is fatal and
    /// returned again on every later call.
    pub fn poll_event(&mut self) -> Result<Option<ClientEvent>, ProtocolError> {
        if let Some(e) = &self.fatal {
            return Err(e.clone());
        }
        if !matches!(self.phase, Phase::Done(_)) {
            return Ok(None);
        }
        let next = if self.reusable && !self.eof {
            Phase::Idle
        } else {
            Phase::Closed
        };
        match std::mem::replace(&mut self.phase, next) {
            Phase::Done(outcome) => outcome.map(Some),
            // Checked by the `matches!` above.
            _ => Ok(None),
        }
    }

    /// Bytes to write to the server, oldest first; `None` when there are
    /// none.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<&[u8]> {
        self.out.pending()
    }

    /// Reports that the first `n` bytes given by `poll_transmit` were
    /// written.
    pub fn advance_transmit(&mut self, n: usize) {
        self.out.advance(n);
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be
    /// called: the head deadline (from the first response byte,
    /// [`Limits::head_timeout`]) or the body deadline (from the end of the
    /// head, [`Limits::body_timeout`]).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Head { deadline, .. } | Phase::Body { deadline, .. } => *deadline,
            _ => None,
        }
    }

    /// The time is `now`: a passed deadline fails the call with
    /// [`ProtocolError::Timeout`] and closes the connection.
    pub fn handle_timeout(&mut self, now: Instant) {
        match &self.phase {
            Phase::Head {
                deadline: Some(d), ..
            } if now >= *d => self.fail(ProtocolError::Timeout("response head")),
            Phase::Body {
                deadline: Some(d), ..
            } if now >= *d => self.fail(ProtocolError::Timeout("response body")),
            _ => {}
        }
    }

    /// The body of the last complete response, when
    /// [`ClientConfig::keep_body`] is set: the `methodResponse` as
    /// received (or the whole error page of a non-200 answer).
    pub fn take_body(&mut self) -> Option<Vec<u8>> {
        self.body.take()
    }

    /// Whether the caller should read: a call awaits its response.
    #[must_use]
    pub fn wants_read(&self) -> bool {
        self.fatal.is_none()
            && !self.eof
            && matches!(self.phase, Phase::Head { .. } | Phase::Body { .. })
    }

    /// Whether another call may be sent on this connection: no call is
    /// outstanding, the last response was complete, and both sides
    /// agreed to keep the connection open.
    #[must_use]
    pub fn can_reuse(&self) -> bool {
        matches!(self.phase, Phase::Idle) && self.fatal.is_none() && !self.eof
    }

    /// Whether the connection is finished and everything queued has been
    /// written: close the socket.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed) && self.out.is_flushed()
    }

    fn fail(&mut self, e: ProtocolError) {
        tracing::debug!(error = %e, "client connection failed");
        self.fatal = Some(e);
        self.phase = Phase::Closed;
        self.input.clear();
        self.reusable = false;
    }

    fn advance(&mut self, now: Option<Instant>) {
        loop {
            match &mut self.phase {
                Phase::Head { scan, .. } => {
                    let limits = &self.config.limits;
                    let max_headers = limits.max_headers;
                    let status = scan.scan(
                        self.input.as_slice(),
                        limits.max_head_bytes,
                        self.eof,
                        |b| http::check_response_prefix(b, max_headers),
                    );
                    match status {
                        Err(e) => return self.fail(e),
                        Ok(HeadStatus::Partial) => return,
                        Ok(HeadStatus::Complete(n)) => {
                            let parsed =
                                http::parse_response(&self.input.as_slice()[..n], max_headers);
                            self.input.consume(n);
                            match parsed {
                                Err(e) => return self.fail(ProtocolError::BadHead(e)),
                                Ok(raw)
                                    if (100..200).contains(&raw.status) && raw.status != 101 =>
                                {
                                    // An interim response: the final one follows.
                                    self.phase = Phase::Head {
                                        scan: HeadScan::default(),
                                        deadline: after(now, self.config.limits.head_timeout),
                                    };
                                }
                                Ok(raw) => {
                                    if let Err(e) = self.start_body(raw, now) {
                                        return self.fail(e);
                                    }
                                }
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
                        Ok(true) => return self.complete(),
                        Ok(false) => return,
                    }
                }
                Phase::Idle | Phase::Done(_) | Phase::Closed => return,
            }
        }
    }

    fn start_body(
        &mut self,
        raw: http::RawResponse,
        now: Option<Instant>,
    ) -> Result<(), ProtocolError> {
        let limits = &self.config.limits;
        if raw.status == 101 {
            return Err(ProtocolError::HttpStatus {
                status: raw.status,
                reason: raw.reason,
                body: String::new(),
            });
        }
        let framing = if raw.status == 204 || raw.status == 304 {
            Framing::Length(0)
        } else {
            http::declared_framing(raw.version, &raw.headers)
                .map_err(ProtocolError::BadHead)?
                .unwrap_or(Framing::Eof)
        };
        if let Framing::Length(n) = framing {
            if n > limits.max_body_bytes as u64 {
                return Err(ProtocolError::BodyTooLarge {
                    len: n,
                    limit: limits.max_body_bytes,
                });
            }
        }
        let keep_alive = self.config.keep_alive
            && framing != Framing::Eof
            && http::keep_alive(raw.version, &raw.headers);
        let coding = http::content_coding(&raw.headers);
        let capacity = match framing {
            Framing::Length(n) => usize::try_from(n).unwrap_or(0).min(64 * 1024),
            _ => 0,
        };
        self.phase = Phase::Body {
            head: Box::new(ResponseHead {
                status: raw.status,
                reason: raw.reason,
                version: raw.version,
                headers: raw.headers,
                keep_alive,
            }),
            reader: BodyReader::new(framing),
            body: Vec::with_capacity(capacity),
            coding,
            deadline: after(now, limits.body_timeout),
        };
        Ok(())
    }

    /// The body is complete: decode it into the outcome.
    fn complete(&mut self) {
        let Phase::Body {
            head, body, coding, ..
        } = std::mem::replace(&mut self.phase, Phase::Closed)
        else {
            return;
        };
        let head = *head;
        self.reusable = head.keep_alive && self.input.is_empty();
        let limits = &self.config.limits;
        let body = match coding {
            None => Ok(body),
            Some(c) => http::decode_content(&c, body, limits.max_body_bytes),
        };
        let keep_body = self.config.keep_body;
        let mut kept = None;
        let outcome = body.and_then(|body| {
            let outcome = if head.status != 200 {
                let shown = &body[..body.len().min(ERROR_BODY_BYTES)];
                Err(ProtocolError::HttpStatus {
                    status: head.status,
                    reason: head.reason.clone(),
                    body: String::from_utf8_lossy(shown).into_owned(),
                })
            } else {
                match codec::decode_response(&body, limits) {
                    Ok(result) => Ok(ClientEvent::Response { head, result }),
                    Err(e) => Err(ProtocolError::BadXml(e)),
                }
            };
            if keep_body {
                kept = Some(body);
            }
            outcome
        });
        self.body = kept;
        self.phase = Phase::Done(outcome);
    }
}
