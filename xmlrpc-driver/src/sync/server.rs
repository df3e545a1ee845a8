//! A blocking server connection's turn on a worker thread: [`serve`].

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use xmlrpc_proto::dispatch::Site;
use xmlrpc_proto::{Next, ServerConnection};

use super::{ServerStream, Stream, Timeouts, TlsSocket};
use crate::ServerSettings;

/// The longest a worker blocks in one read or write, so that it notices
/// a shutdown and other connections waiting for a worker.
const TICK: Duration = Duration::from_millis(100);
/// How long a worker waits for bytes on a connection before it sets the
/// connection aside for one that waits.
const PROBE: Duration = Duration::from_millis(2);

/// What a blocking server gives [`serve`]: its site, its limit on calls
/// in flight, whether other connections wait for a worker, and its
/// shutdown flag.
pub trait Host {
    /// The resources served.
    fn site(&self) -> &Site;
    /// Takes a slot among the calls in flight: waits for one, or `false`
    /// when the call must be refused (`503`) instead.
    fn enter_call(&self) -> bool;
    /// Gives back a slot that [`enter_call`](Self::enter_call) took.
    fn leave_call(&self);
    /// Whether other connections wait for a worker: a connection then
    /// gives way once it has answered a request and is between requests,
    /// or when its peer is slow to send or to read.
    fn others_waiting(&self) -> bool;
    /// Whether the server has begun shutting down.
    fn is_stopping(&self) -> bool;
}

/// A connection accepted at `now` from `peer` by a blocking server with
/// `settings`: its socket, with `TCP_NODELAY`, and its state machine
/// (serving the site, or answering `503` when `refused`). With a TLS
/// configuration the socket is a TLS session whose handshake runs as the
/// connection is read, like the request after it (a turn may end
/// half-way), within [`Limits::head_timeout`](xmlrpc_proto::Limits::head_timeout).
///
/// # Errors
///
/// When rustls cannot start a session with the configuration.
#[cfg_attr(not(feature = "rustls"), allow(clippy::unnecessary_wraps))]
pub fn accept(
    settings: &ServerSettings,
    tcp: TcpStream,
    peer: SocketAddr,
    refused: bool,
    now: Instant,
) -> io::Result<(ServerStream, ServerConnection)> {
    let _ = tcp.set_nodelay(true);
    #[cfg_attr(not(feature = "rustls"), allow(unused_mut))]
    let mut conn = crate::open_connection(&settings.config, Some(peer), refused, now);
    #[cfg(feature = "rustls")]
    if let Some(config) = &settings.tls {
        let tls = rustls::ServerConnection::new(std::sync::Arc::clone(config))
            .map_err(io::Error::other)?;
        conn.begin_handshake(now);
        let stream = Stream::Tls(Box::new(rustls::StreamOwned::new(tls, tcp)));
        return Ok((stream, conn));
    }
    Ok((Stream::Plain(tcp), conn))
}

/// How a turn of [`serve`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Turn {
    /// The connection is done: close its socket.
    Done,
    /// Other connections wait: queue this one again. Its state machine
    /// holds everything of a request in progress, output and deadlines
    /// included.
    SetAside,
}

/// Serves `conn` over `stream` on the calling thread: runs its calls
/// (within the host's limit; asynchronous procedures polled to completion
/// here), writes the answers, reads and waits, every deadline the
/// connection's, enforced as socket timeouts of at most 100 ms. While
/// other connections wait for a worker, it gives way between requests
/// (after answering at least one), and when a read or a write does not
/// progress within 2 ms.
///
/// # Errors
///
/// A failed read or write: the connection is over.
pub fn serve<H: Host, T: TlsSocket>(
    host: &H,
    stream: &mut Stream<T>,
    conn: &mut ServerConnection,
    buf: &mut [u8],
) -> io::Result<Turn> {
    // Calls answered in this turn: once one is, an idle connection gives
    // way to those waiting (one request per turn when busy).
    let mut answered = 0usize;
    // Timeouts set on the socket in this turn, to set them only when
    // they must change.
    let mut timeouts = Timeouts::default();
    loop {
        while let Some(job) = conn.poll_job(host.site()) {
            answered += 1;
            if !host.enter_call() {
                conn.refuse(job);
                continue;
            }
            let answer = match job.start().into_ready() {
                Ok(answer) => answer,
                Err(running) => futures_lite::future::block_on(running),
            };
            host.leave_call();
            conn.finish(answer);
        }
        // Each write is bounded by the connection's deadline: a peer that
        // leaves its answer unread is dropped.
        // The flush after them (a TLS stream's last records) likewise.
        loop {
            let now = Instant::now();
            if conn.poll_transmit(now).is_none() && !conn.poll_flush(now) {
                break;
            }
            // A peer slow to read does not keep a worker to itself either:
            // while others wait, a stalled write sets the connection aside
            // (the state machine keeps its output and its write deadline).
            let cap = if host.others_waiting() { PROBE } else { TICK };
            let limit = conn.poll_timeout().map_or(cap, |d| {
                d.saturating_duration_since(now)
                    .clamp(Duration::from_millis(1), cap)
            });
            timeouts.write(stream.tcp(), Some(limit))?;
            let progress = match conn.poll_transmit(now) {
                Some(out) => match stream.write(out) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    written => written.map(|n| conn.advance_transmit(n)),
                },
                None => stream.flush().map(|()| conn.handle_flush()),
            };
            match progress {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if timed_out(&e) => {
                    conn.handle_timeout(Instant::now());
                    if host.others_waiting() {
                        return Ok(Turn::SetAside);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let Next::Wait { read, deadline } = conn.next(host.is_stopping()) else {
            return Ok(Turn::Done);
        };
        let now = Instant::now();
        if deadline.is_some_and(|d| d <= now) {
            conn.handle_timeout(now);
            continue;
        }
        let mut wait = deadline.map_or(TICK, |d| d - now).min(TICK);
        if !read {
            thread::sleep(wait);
            conn.handle_timeout(Instant::now());
            continue;
        }
        // The state machine holds all of a request in progress, so a
        // connection can be set aside in the middle of one too: a peer
        // that trickles bytes does not keep a worker to itself.
        let set_aside = host.others_waiting();
        if set_aside && answered > 0 && conn.is_idle() {
            return Ok(Turn::SetAside);
        }
        if set_aside {
            wait = wait.min(PROBE);
        }
        let wait = wait.max(Duration::from_millis(1));
        timeouts.read(stream.tcp(), Some(wait))?;
        let read = stream.read(buf);
        if !stream.handshaking() {
            conn.end_handshake();
        }
        match read {
            Ok(0) => conn.handle_eof(),
            Ok(n) => conn.handle_data(&buf[..n], Instant::now()),
            Err(e) if timed_out(&e) => {
                let now = Instant::now();
                if deadline.is_some_and(|d| d <= now) {
                    conn.handle_timeout(now);
                } else if set_aside {
                    return Ok(Turn::SetAside);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Whether a socket timeout ended the read or write.
fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
