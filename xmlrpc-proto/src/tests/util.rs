//! Test harness: a client and a server connected in memory, and feeding
//! helpers that split input in every way.

use std::time::{Duration, Instant};

use crate::{
    ClientConfig, ClientConnection, ClientEvent, Fault, IncomingCall, MethodCall, ProtocolError,
    ServerConfig, ServerConnection, ServerEvent, Value,
};

/// How input is cut into the pieces handed to `handle_data`.
#[derive(Clone, Debug)]
pub(crate) enum Split {
    /// One piece.
    Whole,
    /// One byte at a time.
    Bytewise,
    /// Cut at these offsets (sorted, within the input).
    At(Vec<usize>),
}

impl Split {
    pub(crate) fn pieces<'a>(&self, bytes: &'a [u8]) -> Vec<&'a [u8]> {
        match self {
            Self::Whole => vec![bytes],
            Self::Bytewise => bytes.chunks(1).collect(),
            Self::At(points) => {
                let mut out = Vec::new();
                let mut last = 0;
                for &p in points {
                    let p = p.clamp(last, bytes.len());
                    out.push(&bytes[last..p]);
                    last = p;
                }
                out.push(&bytes[last..]);
                out
            }
        }
    }

    /// `Whole`, `Bytewise` and every cut into two pieces.
    pub(crate) fn all(len: usize) -> Vec<Self> {
        let mut v = vec![Self::Whole, Self::Bytewise];
        v.extend((1..len).map(|i| Self::At(vec![i])));
        v
    }
}

/// What a server did with some input: the events and errors in order, the
/// bytes it wrote, and whether it ended closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Transcript {
    pub(crate) events: Vec<String>,
    pub(crate) output: Vec<u8>,
    pub(crate) closed: bool,
}

impl Transcript {
    /// The status codes of the responses written, in order (`100`
    /// included).
    pub(crate) fn statuses(&self) -> Vec<u16> {
        let text = String::from_utf8_lossy(&self.output);
        text.match_indices("HTTP/1.1 ")
            .filter_map(|(i, _)| text.get(i + 9..i + 12)?.parse().ok())
            .collect()
    }
}

/// Answers calls as the tests expect: the method name as a string;
/// `fault` with a fault; a bad call with fault -32700.
pub(crate) fn answer(call: &MethodCall) -> Result<Value, Fault> {
    match call.name.as_str() {
        "fault" => Err(Fault::new(4, "Too many parameters.")),
        "echo" => Ok(call.params.first().cloned().unwrap_or(Value::Nil)),
        _ => Ok(Value::String(call.name.clone())),
    }
}

/// Drains events, answering each call at once, and all output.
pub(crate) fn pump(conn: &mut ServerConnection, t: &mut Transcript, errored: &mut bool) {
    loop {
        match conn.poll_event() {
            Ok(Some(ServerEvent::Call(IncomingCall { head, call, .. }))) => {
                t.events.push(format!(
                    "call {} {} {}",
                    call.name, head.path, head.keep_alive
                ));
                conn.respond(&answer(&call)).expect("a call is in flight");
            }
            Ok(Some(ServerEvent::BadCall(b))) => {
                t.events.push(format!("bad call {}", b.head.path));
                conn.respond(&Err(Fault::new(-32700, "parse error")))
                    .expect("a call is in flight");
            }
            Ok(Some(ServerEvent::Request(r))) => {
                t.events.push(format!(
                    "request {} {} {}",
                    r.head.method,
                    r.head.path,
                    r.body.len()
                ));
                conn.respond_status(200).expect("a request is in flight");
            }
            Ok(Some(ServerEvent::Closed)) => t.events.push("closed".to_owned()),
            Ok(None) => break,
            Err(e) => {
                if !*errored {
                    t.events.push(format!("error {e:?}"));
                    *errored = true;
                }
                break;
            }
        }
    }
    while let Some(out) = conn.poll_transmit(Instant::now()) {
        let n = out.len();
        t.output.extend_from_slice(out);
        conn.advance_transmit(n);
    }
}

/// Feeds `input` to a new server cut as `split`, then the end of stream
/// when `eof`.
pub(crate) fn serve(config: &ServerConfig, input: &[u8], split: &Split, eof: bool) -> Transcript {
    let mut conn = ServerConnection::new(config.clone());
    let now = Instant::now();
    let mut t = Transcript {
        events: Vec::new(),
        output: Vec::new(),
        closed: false,
    };
    let mut errored = false;
    for piece in split.pieces(input) {
        conn.handle_data(piece, now);
        pump(&mut conn, &mut t, &mut errored);
    }
    if eof {
        conn.handle_eof();
        pump(&mut conn, &mut t, &mut errored);
    }
    t.closed = conn.is_closed();
    t
}

/// Serves `input` in every split of [`Split::all`] and asserts the same
/// transcript each time; returns it.
pub(crate) fn serve_all_splits(config: &ServerConfig, input: &[u8], eof: bool) -> Transcript {
    let whole = serve(config, input, &Split::Whole, eof);
    for split in Split::all(input.len()) {
        let t = serve(config, input, &split, eof);
        assert_eq!(
            t,
            whole,
            "split {split:?} of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    whole
}

/// Feeds a response to a client that has sent `call`, cut as `split`;
/// returns the outcome (or `None` when there was none) and whether the
/// connection can be reused.
pub(crate) fn receive(
    config: &ClientConfig,
    response: &[u8],
    split: &Split,
    eof: bool,
) -> (Option<Result<ClientEvent, ProtocolError>>, bool) {
    let mut conn = ClientConnection::new(config.clone());
    conn.send_call(&MethodCall::new("m", vec![]))
        .expect("a fresh connection takes a call");
    while let Some(out) = conn.poll_transmit() {
        let n = out.len();
        conn.advance_transmit(n);
    }
    let now = Instant::now();
    let mut outcome = None;
    for piece in split.pieces(response) {
        conn.handle_data(piece, now);
        if outcome.is_none() {
            outcome = conn.poll_event().transpose();
        }
    }
    if eof {
        conn.handle_eof();
        if outcome.is_none() {
            outcome = conn.poll_event().transpose();
        }
    }
    (outcome, conn.can_reuse())
}

type Handler = Box<dyn FnMut(&IncomingCall) -> Result<Value, Fault>>;

/// A client and a server joined in memory.
pub(crate) struct Pair {
    pub(crate) client: ClientConnection,
    pub(crate) server: ServerConnection,
    pub(crate) now: Instant,
    /// Bytes moved from client to server, and back.
    pub(crate) sent: usize,
    pub(crate) received: usize,
    handler: Handler,
}

impl Pair {
    pub(crate) fn new() -> Self {
        Self::with(ClientConfig::default(), ServerConfig::default())
    }

    pub(crate) fn with(client: ClientConfig, server: ServerConfig) -> Self {
        Self {
            client: ClientConnection::new(client),
            server: ServerConnection::new(server),
            now: Instant::now(),
            sent: 0,
            received: 0,
            handler: Box::new(|c| answer(&c.call)),
        }
    }

    pub(crate) fn handler(
        mut self,
        f: impl FnMut(&IncomingCall) -> Result<Value, Fault> + 'static,
    ) -> Self {
        self.handler = Box::new(f);
        self
    }

    pub(crate) fn advance_time(&mut self, d: Duration) {
        self.now += d;
    }

    /// Moves bytes both ways and runs the handler until neither side has
    /// anything to do.
    pub(crate) fn drive(&mut self) {
        loop {
            let mut progress = false;
            while let Some(out) = self.client.poll_transmit() {
                let n = out.len();
                self.server.handle_data(out, self.now);
                self.client.advance_transmit(n);
                self.sent += n;
                progress = true;
            }
            while let Ok(Some(ev)) = self.server.poll_event() {
                match ev {
                    ServerEvent::Call(c) => {
                        let reply = (self.handler)(&c);
                        self.server.respond(&reply).expect("a call is in flight");
                    }
                    ServerEvent::BadCall(_) => {
                        self.server
                            .respond(&Err(Fault::new(8002, "bad call")))
                            .expect("a call is in flight");
                    }
                    _ => {}
                }
                progress = true;
            }
            while let Some(out) = self.server.poll_transmit(Instant::now()) {
                let n = out.len();
                self.client.handle_data(out, self.now);
                self.server.advance_transmit(n);
                self.received += n;
                progress = true;
            }
            if !progress {
                return;
            }
        }
    }

    /// One call, start to finish.
    pub(crate) fn call(
        &mut self,
        name: &str,
        params: Vec<Value>,
    ) -> Result<Result<Value, Fault>, ProtocolError> {
        self.client
            .send_call(&MethodCall::new(name, params))
            .expect("the client takes a call");
        self.drive();
        match self.client.poll_event()? {
            Some(ClientEvent::Response { result, .. }) => Ok(result),
            None => panic!("no response after driving the pair"),
        }
    }
}
