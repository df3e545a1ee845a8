//! Runtime-neutral test fixtures: the test site, a gate that holds calls
//! in flight, certificates, raw HTTP, and small misbehaving peers built on
//! `std::net`.

use std::future::Future;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use xmlrpc_proto::dispatch::{Dispatcher, Site};
use xmlrpc_proto::{Struct, Value};

/// Holds calls of `gate(x)` until [`Gate::open`]: a way to have calls in
/// flight at a moment of the test's choosing. Works under any executor
/// (the future wakes its task when the gate opens).
#[derive(Clone, Debug, Default)]
pub struct Gate {
    inner: Arc<GateInner>,
}

#[derive(Debug, Default)]
struct GateInner {
    open: AtomicBool,
    entered: AtomicUsize,
    wakers: Mutex<Vec<Waker>>,
}

impl Gate {
    /// A closed gate.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets every held and future call through.
    pub fn open(&self) {
        self.inner.open.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *lock(&self.inner.wakers));
        for w in wakers {
            w.wake();
        }
    }

    /// How many calls have reached the gate.
    #[must_use]
    pub fn entered(&self) -> usize {
        self.inner.entered.load(Ordering::SeqCst)
    }

    /// Waits until `n` calls have reached the gate; `false` on timeout.
    #[must_use]
    pub fn wait_entered(&self, n: usize, timeout: Duration) -> bool {
        wait_until(timeout, || self.entered() >= n)
    }

    fn pass(&self) -> GateFuture {
        self.inner.entered.fetch_add(1, Ordering::SeqCst);
        GateFuture {
            gate: Arc::clone(&self.inner),
        }
    }
}

struct GateFuture {
    gate: Arc<GateInner>,
}

impl Future for GateFuture {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.gate.open.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        lock(&self.gate.wakers).push(cx.waker().clone());
        // Opened between the check and the registration: do not sleep.
        if self.gate.open.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Polls `done` every few milliseconds until it holds; `false` on
/// timeout.
pub fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if done() {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    done()
}

/// The site every suite test serves: the conformance procedures at `/` and
/// `/RPC2`, and at `/gated` a dispatcher with `gate(x)` (returns `x` once
/// `gate` opens) and `echo(x)`, nil and i8 allowed.
#[must_use]
pub fn test_site(gate: &Gate) -> Site {
    let mut site = xmlrpc_conformance::site();
    let mut gated = Dispatcher::new();
    let g = gate.clone();
    gated.register_async("gate", move |x: Value| {
        let pass = g.pass();
        async move {
            pass.await;
            x
        }
    });
    gated.register("echo", |x: Value| x);
    gated.set_allow_none(true).set_allow_i8(true);
    site.mount("/gated", gated);
    site
}

/// A self-signed certificate for `127.0.0.1` and `localhost`: (certificate
/// PEM, private key PEM).
///
/// # Panics
///
/// Never with the fixed names used here.
#[must_use]
pub fn test_certificate() -> (String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("certificate for fixed names");
    (ck.cert.pem(), ck.signing_key.serialize_pem())
}

/// One value of every XML-RPC type, with the awkward cases: empty and
/// non-ASCII strings, markup characters, extreme doubles, binary bytes,
/// nesting, nil and 64-bit integers.
#[must_use]
pub fn every_value() -> Vec<Value> {
    let mut inner = Struct::new();
    inner.insert(
        "list",
        Value::Array(vec![Value::Int(1), Value::from("two")]),
    );
    inner.insert("empty", Value::Struct(Struct::new()));
    let mut outer = Struct::new();
    outer.insert("name", Value::from("snow \u{2603}"));
    outer.insert("nested", Value::Struct(inner));
    outer.insert("", Value::from("empty member name"));
    vec![
        Value::Int(0),
        Value::Int(i32::MIN),
        Value::Int(i32::MAX),
        Value::I8(i64::MAX),
        Value::I8(-(1 << 40)),
        Value::Bool(true),
        Value::Bool(false),
        Value::from(""),
        Value::from("plain"),
        Value::from("<&>\"' ]]> markup"),
        Value::from("  leading and trailing spaces  "),
        Value::from("line\nbreaks\n\ttab"),
        Value::from("\u{2603} \u{1F600} \u{e9}"),
        Value::Double(0.0),
        Value::Double(-1.5),
        Value::Double(0.1),
        Value::Double(1e300),
        Value::Double(-2.2250738585072014e-308),
        Value::DateTime(
            xmlrpc_proto::DateTime::parse("19980717T14:08:55").expect("valid dateTime"),
        ),
        Value::Base64(Vec::new()),
        Value::Base64((0..=255).collect()),
        Value::Array(Vec::new()),
        Value::Array(vec![Value::Array(vec![Value::Array(vec![Value::Nil])])]),
        Value::Struct(Struct::new()),
        Value::Struct(outer),
        Value::Nil,
    ]
}

/// Sends raw bytes to `addr` and returns everything the server answers
/// until it closes (or `timeout` passes).
///
/// # Panics
///
/// When the connection cannot be made.
#[must_use]
pub fn raw_exchange(addr: SocketAddr, request: &[u8], timeout: Duration) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(timeout)).expect("timeout");
    // The server may answer (and close) before taking all of a large
    // request: a failed write is part of what is tested.
    let _ = s.write_all(request);
    let _ = s.shutdown(Shutdown::Write);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

/// A `POST` of `body` to `path`, with `Connection: close`.
#[must_use]
pub fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: text/xml\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A listener that accepts connections and never answers: for timeouts.
/// Stops when dropped.
#[derive(Debug)]
pub struct SilentServer {
    /// Its address.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl SilentServer {
    /// Starts it.
    ///
    /// # Panics
    ///
    /// When no port can be bound.
    #[must_use]
    pub fn start() -> Self {
        Self::answering(None)
    }

    /// A server that answers every connection with `reply` once it has
    /// read a request head, then closes; with `None`, never answers.
    ///
    /// # Panics
    ///
    /// When no port can be bound.
    #[must_use]
    pub fn answering(reply: Option<Vec<u8>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        if let Some(reply) = &reply {
                            let _ = s.set_nonblocking(false);
                            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                            let mut head = Vec::new();
                            let mut buf = [0u8; 4096];
                            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                                match s.read(&mut buf) {
                                    Ok(0) | Err(_) => break,
                                    Ok(n) => head.extend_from_slice(&buf[..n]),
                                }
                            }
                            let _ = s.write_all(reply);
                        } else {
                            held.push(s);
                        }
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { addr, stop }
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// A TCP forwarder that counts the connections it carries: shows whether
/// a client reuses its connections. Stops accepting when dropped.
#[derive(Debug)]
pub struct CountingProxy {
    /// Its address.
    pub addr: SocketAddr,
    count: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl CountingProxy {
    /// Forwards to `target`.
    ///
    /// # Panics
    ///
    /// When no port can be bound.
    #[must_use]
    pub fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let count = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, flag) = (Arc::clone(&count), Arc::clone(&stop));
        thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        c.fetch_add(1, Ordering::SeqCst);
                        let _ = client.set_nonblocking(false);
                        let Ok(server) = TcpStream::connect(target) else {
                            continue;
                        };
                        pipe(&client, &server);
                        pipe(&server, &client);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { addr, count, stop }
    }

    /// Connections carried so far.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// An HTTPS peer (rustls, the given PEM certificate and key) that reads
/// each whole request (head and `Content-Length` body), writes `reply`,
/// and closes the TCP connection without TLS `close_notify`. Stops
/// accepting when dropped.
#[derive(Debug)]
pub struct TlsPeer {
    /// Its address.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl TlsPeer {
    /// Starts it.
    ///
    /// # Panics
    ///
    /// When no port can be bound or the certificate is unusable.
    #[must_use]
    pub fn answering(cert_pem: &str, key_pem: &str, reply: Vec<u8>) -> Self {
        use xmlrpc_driver::tls::rustls;
        let config = xmlrpc_driver::tls::server_config(cert_pem.as_bytes(), key_pem.as_bytes())
            .expect("test certificate");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                let Ok((tcp, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let _ = tcp.set_nonblocking(false);
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
                let Ok(tls) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                    continue;
                };
                let mut stream = rustls::StreamOwned::new(tls, tcp);
                if read_request(&mut stream).is_some() {
                    let _ = stream.write_all(&reply);
                    let _ = stream.flush();
                }
                // Dropped without `send_close_notify`: the TCP connection
                // just closes.
            }
        });
        Self { addr, stop }
    }
}

impl Drop for TlsPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads one whole request from `io`: its head, then as many bytes as its
/// `Content-Length` says. `None` when the peer goes away first.
fn read_request(io: &mut impl Read) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match io.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        match io.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    Some(data)
}
