//! The loops of a runtime on std's blocking sockets (what
//! `xmlrpc-blocking` drives), the blocking twins of [`run`](crate::run)'s:
//!
//! - [`call`]: a client's call over its kept-alive connections, each
//!   attempt judged by the [`Exchange`](crate::Exchange);
//! - [`serve`]: a server connection's turn on a worker thread, with what
//!   the server gives it ([`Host`]);
//! - and their scaffolding: a socket that is plain or TLS ([`Stream`]), a
//!   connection within its deadline ([`connect`]), deadlines as socket
//!   timeouts.
//!
//! ```no_run
//! use std::time::{Duration, Instant};
//! use xmlrpc_driver::sync::{self, NoTls};
//! use xmlrpc_proto::Url;
//!
//! let url = Url::parse("http://127.0.0.1:7080/RPC2")?;
//! let deadline = Instant::now().checked_add(Duration::from_secs(5));
//! let tcp = sync::connect(&url, deadline)?;
//! let stream: sync::Stream<NoTls> = sync::Stream::Plain(tcp);
//! # let _ = stream;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use xmlrpc_proto::Url;

use crate::call::{CallError, TransportError, TransportErrorKind};

mod client;
mod server;

pub use client::{Pooled, RawResponse, call};
pub use server::{Host, Turn, accept, serve};

/// The TLS side of a [`Stream`]: a TLS session over a [`TcpStream`].
pub trait TlsSocket: Read + Write {
    /// The socket under the TLS session.
    fn tcp(&self) -> &TcpStream;
    /// Whether the handshake is still in progress.
    fn handshaking(&self) -> bool;
    /// Sends `close_notify`, each write bounded by `limit`.
    fn close_notify(&mut self, limit: Duration);
}

/// No TLS at all: the TLS side of a [`Stream`] when there is none.
#[derive(Debug)]
pub enum NoTls {}

impl Read for NoTls {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match *self {}
    }
}

impl Write for NoTls {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        match *self {}
    }

    fn flush(&mut self) -> io::Result<()> {
        match *self {}
    }
}

impl TlsSocket for NoTls {
    fn tcp(&self) -> &TcpStream {
        match *self {}
    }

    fn handshaking(&self) -> bool {
        match *self {}
    }

    fn close_notify(&mut self, _: Duration) {
        match *self {}
    }
}

#[cfg(feature = "rustls")]
impl<C, S> TlsSocket for rustls::StreamOwned<C, TcpStream>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }

    fn handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    fn close_notify(&mut self, limit: Duration) {
        let _ = self
            .sock
            .set_write_timeout(Some(limit.max(Duration::from_millis(1))));
        self.conn.send_close_notify();
        let _ = self.conn.complete_io(&mut self.sock);
    }
}

/// A blocking socket, plain or TLS (`T`: a rustls `StreamOwned` over a
/// [`TcpStream`], or [`NoTls`]).
#[derive(Debug)]
pub enum Stream<T> {
    /// A plain socket.
    Plain(TcpStream),
    /// A TLS session over a socket.
    Tls(Box<T>),
}

impl<T: TlsSocket> Stream<T> {
    /// The socket, to set its timeouts.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(s) => s,
            Self::Tls(s) => s.tcp(),
        }
    }

    /// Whether a TLS handshake is still in progress.
    pub fn handshaking(&self) -> bool {
        match self {
            Self::Plain(_) => false,
            Self::Tls(s) => s.handshaking(),
        }
    }

    /// Closes the connection, with a TLS `close_notify` first (its write
    /// bounded by `limit`).
    pub fn close(&mut self, limit: Duration) {
        if let Self::Tls(s) = self {
            s.close_notify(limit);
        }
        let _ = self.tcp().shutdown(Shutdown::Both);
    }
}

impl<T: TlsSocket> Read for Stream<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
        }
    }
}

impl<T: TlsSocket> Write for Stream<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            Self::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            Self::Tls(s) => s.flush(),
        }
    }
}

/// The time left before `deadline` (none: no bound); `None` once it
/// passed.
#[must_use]
pub fn remaining(deadline: Option<Instant>) -> Option<Duration> {
    match deadline {
        None => Some(Duration::MAX),
        Some(d) => d
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero()),
    }
}

/// A socket timeout until `deadline` (none: block), never zero (which
/// std refuses).
#[must_use]
pub fn socket_timeout(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| {
        d.saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    })
}

/// The read and write timeouts last set on a socket, so that a loop sets
/// one only when it must: the system call is saved while the timeout set
/// still blocks as long as wanted (none for none), or falls between half
/// the wanted wait and the wait (a call then returns early at worst, and
/// the loop checks again). Unknown at first: a socket may hold timeouts
/// set before (by a TLS handshake, say).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Timeouts {
    read: Option<Option<Duration>>,
    write: Option<Option<Duration>>,
}

impl Timeouts {
    /// Makes reads on `tcp` wait at most `want` (`None`: block).
    pub(crate) fn read(&mut self, tcp: &TcpStream, want: Option<Duration>) -> io::Result<()> {
        if !fits(self.read, want) {
            tcp.set_read_timeout(want)?;
            self.read = Some(want);
        }
        Ok(())
    }

    /// Makes writes on `tcp` wait at most `want` (`None`: block).
    pub(crate) fn write(&mut self, tcp: &TcpStream, want: Option<Duration>) -> io::Result<()> {
        if !fits(self.write, want) {
            tcp.set_write_timeout(want)?;
            self.write = Some(want);
        }
        Ok(())
    }
}

/// Whether the timeout `set` (if known) serves for a wanted one.
fn fits(set: Option<Option<Duration>>, want: Option<Duration>) -> bool {
    match (set, want) {
        (Some(None), None) => true,
        (Some(Some(set)), Some(want)) => set <= want && set >= want / 2,
        _ => false,
    }
}

/// A TCP connection to `url`'s host and port (each of its addresses in
/// turn) before `deadline`, with `TCP_NODELAY`.
///
/// # Errors
///
/// A [`TransportError`] of kind `Connect`, or `Timeout` once the deadline
/// passed.
pub fn connect(url: &Url, deadline: Option<Instant>) -> Result<TcpStream, CallError> {
    let addrs = (url.host(), url.port())
        .to_socket_addrs()
        .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "host has no address");
    for addr in addrs {
        let Some(left) = remaining(deadline) else {
            last = io::ErrorKind::TimedOut.into();
            break;
        };
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                return Ok(tcp);
            }
            Err(e) => last = e,
        }
    }
    if matches!(
        last.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    ) {
        return Err(TransportError::timeout("connect").into());
    }
    Err(TransportError::new(TransportErrorKind::Connect, last).into())
}

/// A client's TLS stream: rustls over a socket.
#[cfg(feature = "rustls")]
pub type ClientTls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// A server's TLS stream: rustls over a socket.
#[cfg(feature = "rustls")]
pub type ServerTls = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

/// A client's socket: TLS when the URL is `https` (feature `rustls`).
#[cfg(feature = "rustls")]
pub type ClientStream = Stream<ClientTls>;
/// A client's socket (plain: TLS is compiled out).
#[cfg(not(feature = "rustls"))]
pub type ClientStream = Stream<NoTls>;

/// A server's socket: TLS when the server has a TLS configuration
/// (feature `rustls`).
#[cfg(feature = "rustls")]
pub type ServerStream = Stream<ServerTls>;
/// A server's socket (plain: TLS is compiled out).
#[cfg(not(feature = "rustls"))]
pub type ServerStream = Stream<NoTls>;

/// The client's TLS handshake with `name` on `tcp`, before `deadline`.
///
/// # Errors
///
/// A [`TransportError`] of kind `Tls`, `Io`, or `Timeout` once the
/// deadline passed.
#[cfg(feature = "rustls")]
pub fn client_handshake(
    tcp: TcpStream,
    config: &std::sync::Arc<rustls::ClientConfig>,
    name: &rustls::pki_types::ServerName<'static>,
    deadline: Option<Instant>,
) -> Result<ClientTls, CallError> {
    let tls = rustls::ClientConnection::new(std::sync::Arc::clone(config), name.clone())
        .map_err(|e| TransportError::new(TransportErrorKind::Tls, io::Error::other(e)))?;
    let mut stream = rustls::StreamOwned::new(tls, tcp);
    while stream.conn.is_handshaking() {
        if remaining(deadline).is_none() {
            return Err(TransportError::timeout("TLS handshake").into());
        }
        let io_err = |e: io::Error| TransportError::new(TransportErrorKind::Io, e);
        let limit = socket_timeout(deadline);
        stream.sock.set_read_timeout(limit).map_err(io_err)?;
        stream.sock.set_write_timeout(limit).map_err(io_err)?;
        if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
            let kind = match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
                io::ErrorKind::Interrupted => continue,
                _ => TransportErrorKind::Tls,
            };
            return Err(TransportError::new(kind, e).into());
        }
    }
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn deadlines_become_socket_timeouts() {
        assert_eq!(remaining(None), Some(Duration::MAX));
        assert_eq!(remaining(Some(Instant::now())), None);
        assert!(remaining(Some(Instant::now() + Duration::from_secs(60))).is_some());
        assert_eq!(socket_timeout(None), None);
        assert_eq!(
            socket_timeout(Some(Instant::now())),
            Some(Duration::from_millis(1))
        );
    }

    #[test]
    fn a_socket_timeout_is_set_again_only_when_it_must() {
        let ms = Duration::from_millis;
        assert!(!fits(None, None), "unknown at first");
        assert!(!fits(None, Some(ms(100))));
        assert!(fits(Some(None), None));
        assert!(!fits(Some(None), Some(ms(100))), "a wait where none is set");
        assert!(
            !fits(Some(Some(ms(100))), None),
            "blocking where a wait is set"
        );
        assert!(fits(Some(Some(ms(100))), Some(ms(100))));
        assert!(fits(Some(Some(ms(100))), Some(ms(150))), "early at worst");
        assert!(!fits(Some(Some(ms(100))), Some(ms(250))), "too early");
        assert!(!fits(Some(Some(ms(100))), Some(ms(90))), "never later");
    }

    #[test]
    fn connects_and_tells_a_refusal_from_a_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = Url::parse(&format!("http://127.0.0.1:{port}/RPC2")).unwrap();
        let mut stream: Stream<NoTls> = Stream::Plain(connect(&url, None).unwrap());
        let (mut peer, _) = listener.accept().unwrap();
        stream.write_all(b"ping").unwrap();
        let mut got = [0; 4];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
        assert!(!stream.handshaking());
        stream.close(Duration::from_millis(10));
        assert_eq!(peer.read(&mut got).unwrap(), 0);

        let past = Some(Instant::now());
        let err = connect(&url, past).unwrap_err();
        assert!(err.is_timeout(), "{err:?}");

        drop(listener);
        let err = connect(&url, None).unwrap_err();
        assert!(
            matches!(&err, CallError::Transport(t) if t.kind() == TransportErrorKind::Connect),
            "{err:?}"
        );
    }
}
