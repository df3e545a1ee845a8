//! A blocking client's call: [`call`] over the connections of a
//! [`ClientCore`], each attempt's reads and writes judged by the
//! [`Exchange`], its deadlines as socket timeouts.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use xmlrpc_proto::{ClientConnection, Fault, MethodCall, ResponseHead, Value};

use super::{ClientStream, Stream, Timeouts, socket_timeout};
use crate::call::CallError;
use crate::{Attempt, ClientCore, Exchange, Failure, PreparedClient, Settled};

/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// A complete answer: the HTTP head, the `methodResponse` body exactly as
/// received (with [`ClientSettings::keep_body`](crate::ClientSettings::keep_body)),
/// and its decoded result (a value or a fault).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RawResponse {
    /// The response head.
    pub head: ResponseHead,
    /// The body, after any `Content-Encoding` is undone; empty unless the
    /// client keeps bodies.
    pub body: Vec<u8>,
    /// The decoded outcome.
    pub result: Result<Value, Fault>,
}

/// A kept-alive connection of a blocking client: its socket (and the
/// timeouts set on it), its state machine and its read buffer.
#[derive(Debug)]
pub struct Pooled {
    stream: ClientStream,
    timeouts: Timeouts,
    proto: ClientConnection,
    buf: Vec<u8>,
}

/// Sends `call` over the connections of `core` and returns the whole
/// answer: kept-alive connections first (one that the server had closed
/// is dropped and the next tried), then a fresh one, within the client's
/// connect and call timeouts. The blocking twin of
/// [`run::call`](crate::run::call).
///
/// # Errors
///
/// The variants of [`CallError`] for HTTP, transport and protocol
/// failures; a fault is an answer ([`RawResponse::result`]).
pub fn call(core: &ClientCore<Pooled>, call: &MethodCall) -> Result<RawResponse, CallError> {
    let mut plan = core.plan(Instant::now());
    loop {
        let mut conn = match plan.next(Instant::now(), || core.take_idle(Instant::now()))? {
            Attempt::Reuse(conn) => conn,
            Attempt::Connect(limit) => connect(core, limit)?,
        };
        let (outcome, reusable) = round_trip(&mut conn, call, plan.deadline());
        if reusable {
            core.put_idle(conn, Instant::now());
        }
        match plan.settle(outcome) {
            Settled::Retry => {}
            Settled::Done(result) => return result,
        }
    }
}

fn connect(core: &ClientCore<Pooled>, limit: Duration) -> Result<Pooled, CallError> {
    let deadline = Instant::now().checked_add(limit);
    Ok(Pooled {
        stream: open(core.prepared(), deadline)?,
        timeouts: Timeouts::default(),
        proto: core.connection(),
        buf: vec![0; READ_BUFFER],
    })
}

/// A connection to `client.url` before `deadline`, TLS handshake
/// included when the URL is `https`.
fn open(client: &PreparedClient, deadline: Option<Instant>) -> Result<ClientStream, CallError> {
    let tcp = super::connect(&client.url, deadline)?;
    #[cfg(feature = "rustls")]
    if let Some((config, name)) = &client.tls {
        let tls = super::client_handshake(tcp, config, name, deadline)?;
        return Ok(Stream::Tls(Box::new(tls)));
    }
    Ok(Stream::Plain(tcp))
}

/// One attempt: `call` on `conn`, every read and write judged by the
/// [`Exchange`], each bounded by a socket timeout at its deadline. Also
/// says whether the connection may be kept.
fn round_trip(
    conn: &mut Pooled,
    call: &MethodCall,
    deadline: Option<Instant>,
) -> (Result<RawResponse, Failure>, bool) {
    let mut ex = match Exchange::start(&mut conn.proto, call, deadline) {
        Ok(ex) => ex,
        Err(failure) => return (Err(failure), false),
    };
    let Pooled {
        stream,
        timeouts,
        proto,
        buf,
    } = conn;
    let outcome = loop {
        let limit = socket_timeout(ex.poll_timeout(proto));
        if let Some(out) = ex.poll_transmit(proto) {
            let r = (timeouts.write(stream.tcp(), limit)).and_then(|()| stream.write(out));
            ex.handle_write(proto, r, Instant::now());
            continue;
        }
        if ex.wants_flush(proto) {
            let r = (timeouts.write(stream.tcp(), limit)).and_then(|()| stream.flush());
            ex.handle_flush(proto, r, Instant::now());
            continue;
        }
        match ex.poll_response(proto) {
            Ok(None) => {}
            Ok(Some((head, result))) => {
                let body = proto.take_body().unwrap_or_default();
                break Ok(RawResponse { head, body, result });
            }
            Err(failure) => break Err(failure),
        }
        let r = (timeouts.read(stream.tcp(), limit)).and_then(|()| stream.read(buf));
        ex.handle_read(proto, r, buf, Instant::now());
    };
    let reusable = ex.reusable(proto);
    (outcome, reusable)
}
