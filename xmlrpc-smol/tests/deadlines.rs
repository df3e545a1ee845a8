//! The core's deadlines enforced with smol's timers: a silent peer, a
//! late head, a late body and an idle kept-alive connection are closed.

use std::time::{Duration, Instant};

use xmlrpc_smol::{Dispatcher, Limits, Server, Site};

#[test]
fn deadlines_close_slow_and_idle_peers() {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    let server = Server::builder(Site::standard(d))
        .limits(short_limits())
        .build();
    let listener = smol::block_on(smol::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let stop = server.shutdown_handle();
    let serving = smol::spawn(async move { server.serve(listener).await });
    check_deadlines(addr);
    stop.shutdown();
    smol::block_on(serving).expect("serve");
}

/// Reads until the server closes the connection (or 5 s pass).
fn read_to_close(s: &mut std::net::TcpStream) -> (String, Duration) {
    use std::io::Read;
    let started = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

fn short_limits() -> Limits {
    let mut limits = Limits::default();
    limits.head_timeout = Duration::from_millis(300);
    limits.body_timeout = Duration::from_millis(300);
    limits.idle_timeout = Duration::from_millis(300);
    limits
}

fn check_deadlines(addr: std::net::SocketAddr) {
    use std::io::Write;
    // Silent peer: closed after the idle deadline, without an answer.
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let (out, took) = read_to_close(&mut s);
    assert!(out.is_empty(), "{out}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Half a head: 408, then closed.
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    let (out, took) = read_to_close(&mut s);
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Part of a body: 408, then closed.
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<methodCall>")
        .expect("write");
    let (out, _) = read_to_close(&mut s);
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    // A kept-alive connection left idle after an answer: closed.
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let body = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
        <param><value><int>1</int></value></param><param><value><int>2</int></value></param>\
        </params></methodCall>";
    write!(
        s,
        "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let (out, took) = read_to_close(&mut s);
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    assert!(out.contains("<int>3</int>"), "{out}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}
