//! The loopback suite: every test here runs a server of one runtime
//! ([`Harness`] `S`) and a client of another (or the same, `C`).
//!
//! A runtime joins with one line in a test file:
//!
//! ```ignore
//! xmlrpc_tests::runtime_suite!(tokio_suite, xmlrpc_tests::tokio_harness::TokioHarness);
//! // or a cross pair: server of one runtime, client of another
//! xmlrpc_tests::runtime_suite!(pair, server = A, client = B);
//! ```

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use xmlrpc_driver::call::TransportErrorKind;
use xmlrpc_proto::dispatch::Resource;
use xmlrpc_proto::{Fault, HttpResponse, Limits, Struct, Value};

use crate::harness::{ClientOptions, Harness, Outcome, ServerGuard, ServerOptions, TestClient};
use crate::python::{PyOutcome, PythonServer, python_calls};
use crate::support::{
    CountingProxy, Gate, SilentServer, TlsPeer, every_value, post, raw_exchange, test_certificate,
    test_site, wait_until,
};

/// Expands to one `#[test]` per suite test, in a module `$name`.
#[macro_export]
macro_rules! runtime_suite {
    ($name:ident, $h:ty) => {
        $crate::runtime_suite!($name, server = $h, client = $h);
    };
    ($name:ident, server = $s:ty, client = $c:ty) => {
        mod $name {
            $crate::runtime_suite!(@tests $s, $c;
                every_value_type, typed_procedures, faults, with_request_and_headers,
                basic_auth_from_url, not_found_path, server_http_errors,
                connect_refused, call_timeout, protocol_errors, https,
                https_untrusted, concurrent_calls, keep_alive_reuse,
                pipelined_requests, graceful_shutdown_finishes_calls,
                in_flight_limit_refuses, connection_limit_refuses, large_call,
                multicall_and_introspection, python_client_calls_server,
                python_client_over_https, client_calls_python_server,
                deadlines_close_slow_and_idle_peers, shutdown_closes_idle_connections,
                https_ca_file_and_explicit_basic_auth, soap_and_other_resources,
                early_answer_after_a_failed_write, tls_end_without_close_notify,
                handshake_and_write_deadlines
            );
        }
    };
    (@tests $s:ty, $c:ty; $($test:ident),+ $(,)?) => {
        $(
            #[test]
            fn $test() {
                $crate::suite::$test::<$s, $c>();
            }
        )+
    };
}

const WAIT: Duration = Duration::from_secs(10);

fn server<S: Harness>() -> (ServerGuard, Gate) {
    server_with::<S>(&ServerOptions::default())
}

fn server_with<S: Harness>(options: &ServerOptions) -> (ServerGuard, Gate) {
    let gate = Gate::new();
    (ServerGuard::start::<S>(test_site(&gate), options), gate)
}

fn client<C: Harness>(url: &str, options: &ClientOptions) -> Box<dyn TestClient> {
    C::client(url, options).unwrap_or_else(|e| panic!("{}: client for {url}: {e}", C::NAME))
}

fn s(text: &str) -> Value {
    Value::from(text)
}

/// `echo` returns every type of value unchanged.
pub fn every_value_type<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let c = client::<C>(&srv.url("/RPC2"), &ClientOptions::extended());
    for v in every_value() {
        assert_eq!(c.call("echo", vec![v.clone()]), Outcome::Value(v));
    }
    let all = Value::Array(every_value());
    assert_eq!(c.call("echo", vec![all.clone()]), Outcome::Value(all));
}

/// Procedures with typed parameters, sync and async.
pub fn typed_procedures<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let c = client::<C>(&srv.url("/"), &ClientOptions::extended());
    assert_eq!(
        c.call("add", vec![Value::Int(2), Value::Int(3)]).value(),
        Value::Int(5)
    );
    assert_eq!(
        c.call("add", vec![Value::Double(1.5), Value::Double(2.25)])
            .value(),
        Value::Double(3.75)
    );
    assert_eq!(
        c.call("pair", vec![s("x"), Value::Int(1)]).value(),
        Value::Array(vec![s("x"), Value::Int(1)])
    );
    assert_eq!(c.call("defer", vec![s("later")]).value(), s("later"));
    assert_eq!(
        c.call("snowman", vec![s("\u{2603}")]).value(),
        s("\u{2603}")
    );
    let mut map = Struct::new();
    map.insert("k", Value::Int(7));
    assert_eq!(
        c.call("dict", vec![Value::Struct(map), s("k")]).value(),
        Value::Int(7)
    );
    let t = c.call("date.time", vec![]).value();
    assert!(matches!(t, Value::Double(d) if d > 1.7e9), "{t:?}");
}

/// Faults keep their code and string; unexpected errors are FAILURE.
pub fn faults<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let c = client::<C>(&srv.url("/RPC2"), &ClientOptions::extended());
    assert_eq!(c.call("fault", vec![]).fault(), Fault::new(12, "hello"));
    assert_eq!(c.call("deferFault", vec![]).fault(), Fault::new(17, "hi"));
    assert_eq!(c.call("fail", vec![]).fault().code, 666);
    assert_eq!(c.call("deferFail", vec![]).fault().code, 666);
    assert_eq!(c.call("nosuch", vec![]).fault().code, 23);
    assert_eq!(
        c.call("SESSIONabc", vec![]).fault(),
        Fault::new(42, "Session non-existent/expired.")
    );
    let f = c.call("add", vec![Value::Int(1)]).fault();
    assert_eq!(f.code, 666);
    assert!(f.string.contains("add"), "{f:?}");
    let f = c.call("snowman", vec![s("x")]).fault();
    assert_eq!(f, Fault::new(13, "Payload not unicode snowman"));
}

/// Procedures that take the request see the method and the headers.
pub fn with_request_and_headers<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let mut o = ClientOptions::extended();
    o.headers = vec![
        ("X-Test".into(), "one".into()),
        ("X-Test".into(), "two".into()),
    ];
    let c = client::<C>(&srv.url("/RPC2"), &o);
    assert_eq!(c.call("withRequest", vec![s("x")]).value(), s("POST x"));
    assert_eq!(
        c.call("headerValue", vec![s("x-test")]).value(),
        Value::Array(vec![s("one"), s("two")])
    );
    assert_eq!(
        c.call("headerValue", vec![s("X-Absent")]).value(),
        Value::Array(vec![])
    );
}

/// Basic credentials in the URL's user info become `Authorization`.
pub fn basic_auth_from_url<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let url = format!("http://alice:s%3Acret@{}/RPC2", srv.addr());
    let c = client::<C>(&url, &ClientOptions::default());
    // base64("alice:s:cret")
    assert_eq!(
        c.call("headerValue", vec![s("Authorization")]).value(),
        Value::Array(vec![s("Basic YWxpY2U6czpjcmV0")])
    );
}

/// HTTPS trusting a CA file (`curl --cacert`), with explicit Basic
/// credentials (which win over the URL's) and an extra header; a CA file
/// that cannot be read leaves the client unbuilt.
pub fn https_ca_file_and_explicit_basic_auth<S: Harness, C: Harness>() {
    let (cert, key) = test_certificate();
    let (srv, _) = server_with::<S>(&ServerOptions {
        tls: Some((cert.clone(), key)),
        ..ServerOptions::default()
    });
    let port = srv.addr().port();
    let dir = std::env::temp_dir().join(format!(
        "xmlrpc-tests-ca-{}-{}-{port}",
        std::process::id(),
        C::NAME
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &cert).expect("write CA file");
    let url = format!("https://url:user@localhost:{port}/RPC2");
    let options = ClientOptions {
        root_pem_file: Some(ca),
        basic_auth: Some(("alice".into(), "secret".into())),
        headers: vec![("X-Trace".into(), "42".into())],
        call_timeout: Some(WAIT),
        ..ClientOptions::default()
    };
    let c = client::<C>(&url, &options);
    // base64("alice:secret"): the explicit credentials win over the URL's.
    assert_eq!(
        c.call("headerValue", vec![s("Authorization")]).value(),
        Value::Array(vec![s("Basic YWxpY2U6c2VjcmV0")])
    );
    assert_eq!(
        c.call("headerValue", vec![s("X-Trace")]).value(),
        Value::Array(vec![s("42")])
    );
    assert_eq!(
        c.call("headerValue", vec![s("Host")]).value(),
        Value::Array(vec![Value::from(format!("localhost:{port}"))])
    );
    let missing = ClientOptions {
        root_pem_file: Some(dir.join("missing.pem")),
        ..ClientOptions::default()
    };
    assert!(C::client(&url, &missing).is_err(), "unreadable CA file");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A path with nothing mounted is an HTTP error, not a fault.
pub fn not_found_path<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let c = client::<C>(&srv.url("/nothing-here"), &ClientOptions::default());
    assert_eq!(c.call("echo", vec![s("x")]), Outcome::Http(404));
    // The same client still works on a good path afterwards.
    let c = client::<C>(&srv.url("/"), &ClientOptions::default());
    assert_eq!(c.call("echo", vec![s("x")]).value(), s("x"));
}

/// The server's HTTP answers to bad requests, over raw sockets.
pub fn server_http_errors<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let addr = srv.addr();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();

    let out = text(raw_exchange(
        addr,
        b"GET /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n",
        WAIT,
    ));
    assert!(out.starts_with("HTTP/1.1 405 "), "{out}");
    assert!(
        out.to_ascii_lowercase().contains("\r\nallow: post\r\n"),
        "{out}"
    );

    let out = text(raw_exchange(
        addr,
        &post("/RPC2", "<methodCall><oops"),
        WAIT,
    ));
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    assert!(out.contains("<int>666</int>"), "{out}");
    assert!(out.contains("Can't deserialize input"), "{out}");

    let huge = b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n";
    let out = text(raw_exchange(addr, huge, WAIT));
    assert!(out.starts_with("HTTP/1.1 413 "), "{out}");

    let out = text(raw_exchange(addr, b"garbage\r\n\r\n", WAIT));
    assert!(out.starts_with("HTTP/1.1 400 "), "{out}");

    let out = text(raw_exchange(
        addr,
        &post("/elsewhere", "<methodCall/>"),
        WAIT,
    ));
    assert!(out.starts_with("HTTP/1.1 404 "), "{out}");
}

/// Nothing listening: a transport error of kind `Connect`.
pub fn connect_refused<S: Harness, C: Harness>() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let c = client::<C>(
        &format!("http://127.0.0.1:{port}/"),
        &ClientOptions::default(),
    );
    assert_eq!(
        c.call("echo", vec![s("x")]),
        Outcome::Transport(TransportErrorKind::Connect)
    );
}

/// A server that never answers: the call timeout ends the call.
pub fn call_timeout<S: Harness, C: Harness>() {
    let silent = SilentServer::start();
    let o = ClientOptions {
        call_timeout: Some(Duration::from_millis(300)),
        ..ClientOptions::default()
    };
    let c = client::<C>(&format!("http://{}/RPC2", silent.addr), &o);
    let start = Instant::now();
    assert_eq!(
        c.call("echo", vec![s("x")]),
        Outcome::Transport(TransportErrorKind::Timeout)
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// Answers that are not HTTP, or not XML-RPC: protocol errors.
pub fn protocol_errors<S: Harness, C: Harness>() {
    let cases: [&[u8]; 3] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"this is not HTTP\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<methodResponse>",
    ];
    for reply in cases {
        let peer = SilentServer::answering(Some(reply.to_vec()));
        let c = client::<C>(
            &format!("http://{}/RPC2", peer.addr),
            &ClientOptions::default(),
        );
        let out = c.call("echo", vec![s("x")]);
        assert!(matches!(out, Outcome::Protocol(_)), "{out:?}");
    }
    let peer = SilentServer::answering(Some(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n".to_vec(),
    ));
    let c = client::<C>(
        &format!("http://{}/RPC2", peer.addr),
        &ClientOptions::default(),
    );
    assert_eq!(c.call("echo", vec![s("x")]), Outcome::Http(500));
}

/// HTTPS with a certificate made for the test and trusted by the client;
/// also with certificate checks off.
pub fn https<S: Harness, C: Harness>() {
    let (cert, key) = test_certificate();
    let (srv, _) = server_with::<S>(&ServerOptions {
        tls: Some((cert.clone(), key)),
        ..ServerOptions::default()
    });
    let url = srv.url("/RPC2");
    assert!(url.starts_with("https://"));
    let trusting = ClientOptions {
        root_pem: Some(cert),
        extensions: true,
        ..ClientOptions::default()
    };
    let c = client::<C>(&url, &trusting);
    for v in every_value() {
        assert_eq!(c.call("echo", vec![v.clone()]), Outcome::Value(v));
    }
    let insecure = ClientOptions {
        insecure: true,
        ..ClientOptions::default()
    };
    let c = client::<C>(&url, &insecure);
    assert_eq!(
        c.call("add", vec![Value::Int(1), Value::Int(2)]).value(),
        Value::Int(3)
    );
}

/// A certificate the client does not trust: a TLS transport error; plain
/// HTTP to an HTTPS port: no answer is taken for a result.
pub fn https_untrusted<S: Harness, C: Harness>() {
    let (cert, key) = test_certificate();
    let (srv, _) = server_with::<S>(&ServerOptions {
        tls: Some((cert, key)),
        ..ServerOptions::default()
    });
    let c = client::<C>(&srv.url("/RPC2"), &ClientOptions::default());
    assert_eq!(
        c.call("echo", vec![s("x")]),
        Outcome::Transport(TransportErrorKind::Tls)
    );
    let o = ClientOptions {
        call_timeout: Some(Duration::from_secs(5)),
        ..ClientOptions::default()
    };
    let plain = client::<C>(&format!("http://{}/RPC2", srv.addr()), &o);
    assert!(!matches!(
        plain.call("echo", vec![s("x")]),
        Outcome::Value(_)
    ));
}

/// Many threads calling at once over one client.
pub fn concurrent_calls<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let c: Arc<dyn TestClient> =
        Arc::from(client::<C>(&srv.url("/RPC2"), &ClientOptions::default()));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let c = Arc::clone(&c);
            thread::spawn(move || {
                for i in 0..25 {
                    let method = if i % 2 == 0 { "add" } else { "defer" };
                    let params = if method == "add" {
                        vec![Value::Int(t), Value::Int(i)]
                    } else {
                        vec![Value::Int(t * 100 + i)]
                    };
                    let expected = if method == "add" { t + i } else { t * 100 + i };
                    assert_eq!(c.call(method, params).value(), Value::Int(expected));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("caller thread");
    }
}

/// Sequential calls reuse one kept-alive connection.
pub fn keep_alive_reuse<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let proxy = CountingProxy::start(srv.addr());
    let c = client::<C>(
        &format!("http://{}/RPC2", proxy.addr),
        &ClientOptions::default(),
    );
    for i in 0..20 {
        assert_eq!(c.call("echo", vec![Value::Int(i)]).value(), Value::Int(i));
    }
    assert_eq!(proxy.connections(), 1);
}

/// Requests sent back to back on one connection are answered in order.
pub fn pipelined_requests<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let call = |n: i32| {
        let body = format!(
            "<?xml version=\"1.0\"?><methodCall><methodName>echo</methodName><params>\
             <param><value><int>{n}</int></value></param></params></methodCall>"
        );
        format!(
            "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let mut all = String::new();
    for n in 1..=5 {
        all.push_str(&call(n));
    }
    all.push_str(&String::from_utf8_lossy(&post("/RPC2", "<methodCall><methodName>echo</methodName><params><param><value>end</value></param></params></methodCall>")));
    let out = String::from_utf8_lossy(&raw_exchange(srv.addr(), all.as_bytes(), WAIT)).into_owned();
    let mut at = 0;
    for n in 1..=5 {
        let needle = format!("<int>{n}</int>");
        let pos = out[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("answer {n} in order: {out}"));
        at += pos + needle.len();
    }
    assert!(out[at..].contains("end"), "{out}");
    assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 6, "{out}");
}

/// Shutdown with a call in flight: no new connections, the call finishes
/// and its answer arrives, then the server stops.
pub fn graceful_shutdown_finishes_calls<S: Harness, C: Harness>() {
    let (mut srv, gate) = server::<S>();
    let url = srv.url("/gated");
    let c = client::<C>(&url, &ClientOptions::default());
    let caller = thread::spawn(move || c.call("gate", vec![s("done")]));
    assert!(gate.wait_entered(1, WAIT), "the call reached the procedure");
    srv.begin_shutdown();
    // The listener closes: new connections are refused (or closed unanswered).
    assert!(
        wait_until(WAIT, || {
            let late = client::<C>(
                &url,
                &ClientOptions {
                    call_timeout: Some(Duration::from_secs(2)),
                    ..ClientOptions::default()
                },
            );
            !matches!(late.call("echo", vec![s("x")]), Outcome::Value(_))
        }),
        "new calls are not served after shutdown"
    );
    assert!(
        !caller.is_finished(),
        "the call in flight waits for its procedure"
    );
    gate.open();
    assert_eq!(caller.join().expect("caller"), Outcome::Value(s("done")));
    assert!(srv.stop(WAIT), "server stopped after its last call");
}

/// Shutdown closes idle kept-alive connections and returns promptly; the
/// client's next call fails.
pub fn shutdown_closes_idle_connections<S: Harness, C: Harness>() {
    let (mut srv, _) = server::<S>();
    let c = client::<C>(&srv.url("/RPC2"), &ClientOptions::default());
    let add = || c.call("add", vec![Value::Int(1), Value::Int(2)]);
    assert_eq!(add().value(), Value::Int(3));
    // The client's connection stays open and idle; shutdown still returns.
    let started = Instant::now();
    assert!(
        srv.stop(Duration::from_secs(5)),
        "stopped with an idle connection open"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!matches!(add(), Outcome::Value(_)));
}

/// The core's deadlines, enforced with the runtime's timers: a silent
/// peer, a late head, a late body and an idle kept-alive connection are
/// closed (with `408` when a request had started).
pub fn deadlines_close_slow_and_idle_peers<S: Harness, C: Harness>() {
    use std::io::Write;
    let mut limits = Limits::default();
    limits.head_timeout = Duration::from_millis(300);
    limits.body_timeout = Duration::from_millis(300);
    limits.idle_timeout = Duration::from_millis(300);
    let (srv, _) = server_with::<S>(&ServerOptions {
        limits: Some(limits),
        ..ServerOptions::default()
    });
    let addr = srv.addr();
    // Silent peer: closed after the idle deadline, without an answer.
    let mut sock = std::net::TcpStream::connect(addr).expect("connect");
    let (out, took) = read_to_close(&mut sock);
    assert!(out.is_empty(), "{out}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Half a head: 408, then closed.
    let mut sock = std::net::TcpStream::connect(addr).expect("connect");
    sock.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    let (out, took) = read_to_close(&mut sock);
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Part of a body: 408, then closed.
    let mut sock = std::net::TcpStream::connect(addr).expect("connect");
    sock.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<methodCall>")
        .expect("write");
    let (out, _) = read_to_close(&mut sock);
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    // A kept-alive connection left idle after an answer: closed.
    let mut sock = std::net::TcpStream::connect(addr).expect("connect");
    let body = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
        <param><value><int>1</int></value></param><param><value><int>2</int></value></param>\
        </params></methodCall>";
    write!(
        sock,
        "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let (out, took) = read_to_close(&mut sock);
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    assert!(out.contains("<int>3</int>"), "{out}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// The server's other deadlines, the same on every runtime: a TLS
/// handshake is bounded by the head timeout (not the idle one), and a peer
/// that leaves its answer unread is dropped after the write timeout.
pub fn handshake_and_write_deadlines<S: Harness, C: Harness>() {
    use std::io::{Read, Write};
    let (cert, key) = test_certificate();
    let mut limits = Limits::default();
    limits.head_timeout = Duration::from_millis(300);
    limits.idle_timeout = Duration::from_secs(20);
    let (srv, _) = server_with::<S>(&ServerOptions {
        tls: Some((cert, key)),
        limits: Some(limits),
        ..ServerOptions::default()
    });
    // A peer that connects and never starts its handshake: closed (with
    // at most a TLS alert), without an answer.
    let mut sock = std::net::TcpStream::connect(srv.addr()).expect("connect");
    let (out, took) = read_to_close(&mut sock);
    assert!(!out.contains("HTTP"), "{out}");
    assert!(took < Duration::from_secs(3), "{took:?}");

    let mut limits = Limits::default();
    limits.max_body_bytes = 64 * 1024 * 1024;
    limits.write_timeout = Duration::from_millis(300);
    let (srv, _) = server_with::<S>(&ServerOptions {
        limits: Some(limits),
        ..ServerOptions::default()
    });
    // A call whose answer is far larger than the socket buffers, never read.
    let big = "x".repeat(24 * 1024 * 1024);
    let body = format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>echo</methodName><params>\
         <param><value><string>{big}</string></value></param></params></methodCall>"
    );
    let mut sock = std::net::TcpStream::connect(srv.addr()).expect("connect");
    write!(
        sock,
        "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    thread::sleep(Duration::from_secs(2));
    // Only what the buffers held arrives, then the end: the server gave up.
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut got = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match sock.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    assert!(
        got < big.len(),
        "{got} bytes of an answer of more than {}",
        big.len()
    );
    // Others are still served.
    let c = client::<C>(&srv.url("/RPC2"), &ClientOptions::default());
    assert_eq!(c.call("echo", vec![s("x")]).value(), s("x"));
}

/// Reads until the server closes the connection (or 5 s pass).
fn read_to_close(sock: &mut std::net::TcpStream) -> (String, Duration) {
    use std::io::Read;
    let started = Instant::now();
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match sock.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

/// Beyond the in-flight limit with the refuse policy: `503`.
pub fn in_flight_limit_refuses<S: Harness, C: Harness>() {
    let (srv, gate) = server_with::<S>(&ServerOptions {
        max_in_flight: Some(1),
        refuse_overload: true,
        ..ServerOptions::default()
    });
    let url = srv.url("/gated");
    let c: Arc<dyn TestClient> = Arc::from(client::<C>(&url, &ClientOptions::default()));
    let first = {
        let c = Arc::clone(&c);
        thread::spawn(move || c.call("gate", vec![Value::Int(1)]))
    };
    assert!(gate.wait_entered(1, WAIT));
    assert_eq!(c.call("echo", vec![Value::Int(2)]), Outcome::Http(503));
    gate.open();
    assert_eq!(first.join().expect("first"), Outcome::Value(Value::Int(1)));
    assert_eq!(c.call("echo", vec![Value::Int(3)]).value(), Value::Int(3));
}

/// Beyond the connection limit with the refuse policy: `503`, and the
/// held connection keeps working.
pub fn connection_limit_refuses<S: Harness, C: Harness>() {
    let (srv, gate) = server_with::<S>(&ServerOptions {
        max_connections: Some(1),
        refuse_overload: true,
        ..ServerOptions::default()
    });
    let url = srv.url("/gated");
    let a = client::<C>(&url, &ClientOptions::default());
    let first = thread::spawn(move || a.call("gate", vec![Value::Int(1)]));
    assert!(gate.wait_entered(1, WAIT));
    let b = client::<C>(&url, &ClientOptions::default());
    assert_eq!(b.call("echo", vec![Value::Int(2)]), Outcome::Http(503));
    gate.open();
    assert_eq!(first.join().expect("first"), Outcome::Value(Value::Int(1)));
}

/// A 10 MB call under a 32 MiB body limit.
pub fn large_call<S: Harness, C: Harness>() {
    let mut limits = Limits::default();
    limits.max_body_bytes = 32 * 1024 * 1024;
    let (srv, _) = server_with::<S>(&ServerOptions {
        limits: Some(limits.clone()),
        ..ServerOptions::default()
    });
    let o = ClientOptions {
        limits: Some(limits),
        ..ClientOptions::default()
    };
    let c = client::<C>(&srv.url("/RPC2"), &o);
    let big = "x".repeat(10_000_000);
    assert_eq!(c.call("echo", vec![s(&big)]).value(), s(&big));
}

/// A server that answers before it has read the whole request (a `413`
/// for a body over its limit) and closes: the client's write fails, and
/// the answer it reads on for is the report, on every runtime.
pub fn early_answer_after_a_failed_write<S: Harness, C: Harness>() {
    let big = "x".repeat(16 * 1024 * 1024);
    // Our server, with a small body limit.
    let mut limits = Limits::default();
    limits.max_body_bytes = 64 * 1024;
    let (srv, _) = server_with::<S>(&ServerOptions {
        limits: Some(limits),
        ..ServerOptions::default()
    });
    let c = client::<C>(&srv.url("/RPC2"), &ClientOptions::default());
    assert_eq!(c.call("echo", vec![s(&big)]), Outcome::Http(413));
    // Still serving, on a new connection.
    assert_eq!(c.call("echo", vec![s("x")]).value(), s("x"));
    // A bare peer that answers the head and closes at once, with most of
    // the body unread (its socket is reset).
    let peer = SilentServer::answering(Some(
        b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_vec(),
    ));
    let c = client::<C>(
        &format!("http://{}/RPC2", peer.addr),
        &ClientOptions::default(),
    );
    assert_eq!(c.call("echo", vec![s(&big)]), Outcome::Http(413));
}

/// A TLS peer that closes without `close_notify`: the end of the stream is
/// judged by the HTTP framing on every runtime. An answer framed by the
/// end of the connection is complete; one cut short of its
/// `Content-Length` is a protocol error.
pub fn tls_end_without_close_notify<S: Harness, C: Harness>() {
    let (cert, key) = test_certificate();
    let body = "<?xml version=\"1.0\"?><methodResponse><params><param>\
        <value><int>5</int></value></param></params></methodResponse>";
    let trusting = ClientOptions {
        root_pem: Some(cert.clone()),
        call_timeout: Some(WAIT),
        ..ClientOptions::default()
    };
    let framed_by_close = format!("HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n{body}");
    let peer = TlsPeer::answering(&cert, &key, framed_by_close.into_bytes());
    let c = client::<C>(
        &format!("https://127.0.0.1:{}/RPC2", peer.addr.port()),
        &trusting,
    );
    assert_eq!(
        c.call("add", vec![Value::Int(2), Value::Int(3)]),
        Outcome::Value(Value::Int(5))
    );
    let cut = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{}",
        body.len() + 10,
        body
    );
    let peer = TlsPeer::answering(&cert, &key, cut.into_bytes());
    let c = client::<C>(
        &format!("https://127.0.0.1:{}/RPC2", peer.addr.port()),
        &trusting,
    );
    let out = c.call("add", vec![Value::Int(2), Value::Int(3)]);
    assert!(matches!(out, Outcome::Protocol(_)), "{out:?}");
}

/// `system.multicall` and introspection over the wire.
pub fn multicall_and_introspection<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    let c = client::<C>(&srv.url("/RPC2"), &ClientOptions::default());
    let entry = |name: &str, params: Vec<Value>| {
        let mut st = Struct::new();
        st.insert("methodName", s(name));
        st.insert("params", Value::Array(params));
        Value::Struct(st)
    };
    let calls = Value::Array(vec![
        entry("add", vec![Value::Int(1), Value::Int(2)]),
        entry("fault", vec![]),
    ]);
    let mut fault = Struct::new();
    fault.insert("faultCode", Value::Int(12));
    fault.insert("faultString", s("hello"));
    assert_eq!(
        c.call("system.multicall", vec![calls]).value(),
        Value::Array(vec![
            Value::Array(vec![Value::Int(3)]),
            Value::Struct(fault)
        ])
    );
    assert_eq!(
        c.call("system.methodHelp", vec![s("add")]).value(),
        s("This function add two numbers.")
    );
    let list = c.call("system.listMethods", vec![]).value();
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        names.contains(&"echo") && names.contains(&"system.multicall"),
        "{names:?}"
    );
}

/// Python's `xmlrpc.client` calling the server.
pub fn python_client_calls_server<S: Harness, C: Harness>() {
    let (srv, _) = server::<S>();
    // Python refuses to send integers beyond 32 bits.
    let values: Vec<Value> = every_value()
        .into_iter()
        .filter(|v| !matches!(v, Value::I8(_)))
        .collect();
    let mut calls: Vec<(&str, Vec<Value>)> =
        values.iter().map(|v| ("echo", vec![v.clone()])).collect();
    calls.push(("add", vec![Value::Int(2), Value::Int(3)]));
    calls.push(("fault", vec![]));
    calls.push(("nosuch", vec![]));
    calls.push(("pair", vec![s("a"), Value::Int(1)]));
    let out = python_calls(&srv.url("/RPC2"), None, &calls, Duration::from_secs(60));
    for (v, got) in values.iter().zip(&out) {
        assert_eq!(got, &PyOutcome::Ok(v.clone()));
    }
    let tail = &out[values.len()..];
    assert_eq!(tail[0], PyOutcome::Ok(Value::Int(5)));
    assert_eq!(tail[1], PyOutcome::Fault(Fault::new(12, "hello")));
    assert!(
        matches!(&tail[2], PyOutcome::Fault(f) if f.code == 23),
        "{tail:?}"
    );
    assert_eq!(
        tail[3],
        PyOutcome::Ok(Value::Array(vec![s("a"), Value::Int(1)]))
    );
}

/// Python's `xmlrpc.client` calling the server over HTTPS, trusting the
/// test certificate.
pub fn python_client_over_https<S: Harness, C: Harness>() {
    let (cert, key) = test_certificate();
    let (srv, _) = server_with::<S>(&ServerOptions {
        tls: Some((cert.clone(), key)),
        ..ServerOptions::default()
    });
    let dir = std::env::temp_dir().join(format!(
        "xmlrpc-tests-{}-{}",
        std::process::id(),
        srv.addr().port()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cafile = dir.join("ca.pem");
    std::fs::write(&cafile, &cert).expect("write certificate");
    let out = python_calls(
        &srv.url("/RPC2"),
        cafile.to_str(),
        &[
            ("add", vec![Value::Int(2), Value::Int(3)]),
            ("fault", vec![]),
        ],
        Duration::from_secs(60),
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        out,
        [
            PyOutcome::Ok(Value::Int(5)),
            PyOutcome::Fault(Fault::new(12, "hello"))
        ]
    );
}

/// The client calling Python's `SimpleXMLRPCServer`, which closes the
/// connection after every answer (HTTP/1.0).
pub fn client_calls_python_server<S: Harness, C: Harness>() {
    let py = PythonServer::start();
    let c = client::<C>(&py.url(), &ClientOptions::extended());
    for v in every_value() {
        if matches!(v, Value::I8(_)) {
            // Python refuses to send integers beyond 32 bits.
            continue;
        }
        assert_eq!(c.call("echo", vec![v.clone()]), Outcome::Value(v));
    }
    assert_eq!(
        c.call("add", vec![Value::Int(2), Value::Int(3)]).value(),
        Value::Int(5)
    );
    assert_eq!(
        c.call("fault", vec![]).fault(),
        Fault::new(123, "The fault procedure is faulty.")
    );
    let mut o = ClientOptions::default();
    o.headers.push(("X-Custom".into(), "yes".into()));
    let c = client::<C>(&py.url(), &o);
    assert_eq!(c.call("headers", vec![s("x-custom")]).value(), s("yes"));
    let nowhere = client::<C>(&format!("http://127.0.0.1:{}/nowhere", py.port), &o);
    assert_eq!(nowhere.call("echo", vec![s("x")]), Outcome::Http(404));
}

/// A SOAP 1.1 envelope whose body holds `call`.
fn soap11(call: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\
         <s:Body>{call}</s:Body></s:Envelope>"
    )
}

/// A request with a body and the given method and content type, closing.
fn request(method: &str, path: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The seed's quoter site: XML-RPC at `/RPC2`, SOAP and its WSDL at
/// `/SOAP`, a handler at `/health`, each answered as the resource says,
/// and hostile envelopes refused like hostile XML-RPC.
pub fn soap_and_other_resources<S: Harness, C: Harness>() {
    let mut site = xmlrpc_conformance::examples::quoter_site();
    site.mount(
        "/later",
        Resource::async_handler(|head, body: Vec<u8>| {
            let method = head.method.clone();
            async move {
                YieldOnce(false).await;
                HttpResponse::new(200, "text/plain", format!("{method} {}", body.len()))
            }
        }),
    )
    .mount(
        "/boom",
        Resource::handler(|_, _| -> HttpResponse { panic!("the handler fails") }),
    );
    let srv = ServerGuard::start::<S>(site, &ServerOptions::default());
    let addr = srv.addr();
    let ask = |req: &[u8]| String::from_utf8_lossy(&raw_exchange(addr, req, WAIT)).into_owned();
    let get = |method: &str, path: &str| {
        ask(
            format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    };

    // The same procedures over XML-RPC, through a client of runtime C.
    let c = client::<C>(&srv.url("/RPC2"), &ClientOptions::default());
    assert_eq!(
        c.call("quote", vec![]).value(),
        Value::from(xmlrpc_conformance::examples::QUOTE)
    );
    let out = get("GET", "/RPC2");
    assert!(out.starts_with("HTTP/1.1 405 "), "{out}");
    assert!(
        out.to_ascii_lowercase().contains("\r\nallow: post\r\n"),
        "{out}"
    );

    // The WSDL, for GET; the same head without a body for HEAD.
    let wsdl = get("GET", "/SOAP?wsdl");
    assert!(wsdl.starts_with("HTTP/1.1 200 "), "{wsdl}");
    assert!(wsdl.contains("<wsdl:definitions name=\"Quoter\""), "{wsdl}");
    assert!(
        wsdl.contains("<soap:address location=\"http://test/SOAP\"/>"),
        "{wsdl}"
    );
    let head = get("HEAD", "/SOAP?wsdl");
    let length = |t: &str| {
        t.lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(str::to_owned)
            })
            .unwrap_or_default()
    };
    assert_eq!(length(&head), length(&wsdl));
    assert!(head.ends_with("\r\n\r\n"), "{head}");
    let out = get("DELETE", "/SOAP");
    assert!(out.starts_with("HTTP/1.1 405 "), "{out}");
    assert!(out.contains("Allow: GET, HEAD, POST\r\n"), "{out}");

    // Calls, results and faults over SOAP 1.1 and 1.2.
    let out = ask(&request(
        "POST",
        "/SOAP",
        "text/xml",
        &soap11("<add xmlns=\"urn:quoter\"><arg0>2</arg0><arg1>3</arg1></add>"),
    ));
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    assert!(
        out.contains("<tns:addResult xsi:type=\"xsd:int\">5</tns:addResult>"),
        "{out}"
    );
    let out = ask(&request("POST", "/SOAP", "text/xml", &soap11("<fault/>")));
    assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
    assert!(
        out.contains("<faultcode>soap:Server</faultcode><faultstring>hello"),
        "{out}"
    );
    let soap12 = "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\">\
                  <e:Body><nope/></e:Body></e:Envelope>";
    let out = ask(&request("POST", "/SOAP", "application/soap+xml", soap12));
    assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
    assert!(out.contains("application/soap+xml"), "{out}");
    assert!(out.contains("soap:Sender"), "{out}");

    // Hostile envelopes: refused with a Client fault, or 413 unread.
    let doctype = "<?xml version=\"1.0\"?><!DOCTYPE s [<!ENTITY x \"y\">]>\
        <s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><quote/>\
        </s:Body></s:Envelope>";
    let out = ask(&request("POST", "/SOAP", "text/xml", doctype));
    assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
    assert!(
        out.contains("soap:Client") && out.contains("DOCTYPE"),
        "{out}"
    );
    let deep = soap11(&format!(
        "<add><arg0>{}1{}</arg0></add>",
        "<a>".repeat(5000),
        "</a>".repeat(5000)
    ));
    let out = ask(&request("POST", "/SOAP", "text/xml", &deep));
    assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
    assert!(
        out.contains("soap:Client") && out.contains("nesting"),
        "{out}"
    );
    let huge = b"POST /SOAP HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n";
    let out = String::from_utf8_lossy(&raw_exchange(addr, huge, WAIT)).into_owned();
    assert!(out.starts_with("HTTP/1.1 413 "), "{out}");

    // Asynchronous handlers are polled; a handler that panics gets 500.
    let out = ask(&request("PUT", "/later", "text/plain", "abcd"));
    assert!(
        out.starts_with("HTTP/1.1 200 ") && out.ends_with("PUT 4"),
        "{out}"
    );
    let out = get("GET", "/boom");
    assert!(out.starts_with("HTTP/1.1 500 "), "{out}");

    // A handler resource, and nothing elsewhere.
    let out = get("GET", "/health");
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    assert!(
        out.contains("Cache-Control: no-store\r\n") && out.ends_with("\r\n\r\nok\n"),
        "{out}"
    );
    let out = get("GET", "/nowhere");
    assert!(out.starts_with("HTTP/1.1 404 "), "{out}");

    // The server still serves everyone.
    assert_eq!(
        c.call("add", vec![Value::Int(1), Value::Int(1)]).value(),
        Value::Int(2)
    );
}

/// A future that is pending once (waking itself), then ready: an
/// asynchronous handler's work, on any runtime.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}
