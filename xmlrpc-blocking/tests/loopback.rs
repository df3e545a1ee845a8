//! The blocking server and client over loopback: raw bodies, async
//! procedures on the workers, more kept-alive connections than workers,
//! and shutdown from another thread.

use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use xmlrpc_blocking::{
    CallError, Client, Dispatcher, Fault, Limits, MethodCall, Server, ShutdownHandle, Site, Value,
};

fn site() -> Site {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    d.register("fault", || -> Result<Value, Fault> {
        Err(Fault::new(7, "seven"))
    });
    // Completes from another thread: the worker parks until woken.
    d.register_async("later", |x: Value| {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            let _ = tx.send(x);
        });
        async move {
            // A future polled by `block_on` may block its own worker.
            rx.recv().unwrap_or(Value::Nil)
        }
    });
    Site::standard(d)
}

fn start(
    workers: usize,
) -> (
    String,
    ShutdownHandle,
    thread::JoinHandle<std::io::Result<()>>,
) {
    let server = Server::builder(site()).workers(workers).build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/RPC2", listener.local_addr().expect("addr"));
    let stop = server.shutdown_handle();
    let serving = thread::spawn(move || server.serve(listener));
    (url, stop, serving)
}

#[test]
fn raw_bodies_faults_and_async_procedures() {
    let (url, stop, serving) = start(2);
    let client = Client::new(&url).expect("client");
    let raw = client
        .call_raw(&MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]))
        .expect("answer");
    assert_eq!(raw.head.status, 200);
    assert_eq!(raw.result, Ok(Value::Int(5)));
    let body = String::from_utf8(raw.body).expect("UTF-8");
    assert!(body.starts_with("<?xml"), "{body}");
    assert!(body.contains("<int>5</int>"), "{body}");

    let raw = client
        .call_raw(&MethodCall::new("fault", vec![]))
        .expect("a fault is an answer");
    assert_eq!(raw.result, Err(Fault::new(7, "seven")));
    assert!(String::from_utf8_lossy(&raw.body).contains("<name>faultCode</name>"));
    let e = client.call::<Value>("fault", ()).expect_err("fault");
    assert!(matches!(e, CallError::Fault(ref f) if f.code == 7), "{e}");

    let v: String = client.call("later", ("x",)).expect("async procedure");
    assert_eq!(v, "x");

    stop.shutdown();
    serving.join().expect("server thread").expect("serve");
}

#[test]
fn more_kept_alive_connections_than_workers() {
    let (url, stop, serving) = start(2);
    // Six clients, each keeping its own connection open between calls:
    // two workers must take turns among them.
    let clients: Vec<Client> = (0..6).map(|_| Client::new(&url).expect("client")).collect();
    let started = Instant::now();
    thread::scope(|s| {
        for (i, c) in clients.iter().enumerate() {
            s.spawn(move || {
                for j in 0..20 {
                    let i = i32::try_from(i).expect("small");
                    let sum: i32 = c.call("add", (i, j)).expect("add");
                    assert_eq!(sum, i + j);
                }
            });
        }
    });
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    stop.shutdown();
    serving.join().expect("server thread").expect("serve");
}

#[test]
fn shutdown_closes_idle_connections_and_returns() {
    let (url, stop, serving) = start(4);
    let client = Client::new(&url).expect("client");
    let sum: i32 = client.call("add", (1, 2)).expect("add");
    assert_eq!(sum, 3);
    // The client's connection stays open and idle; shutdown still returns.
    let started = Instant::now();
    stop.shutdown();
    assert!(stop.is_shutdown());
    serving.join().expect("server thread").expect("serve");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(client.call::<i32>("add", (1, 2)).is_err());
}

#[test]
fn peers_trickling_requests_do_not_hold_the_workers() {
    use std::io::Write;
    let (url, stop, serving) = start(2);
    let addr = url
        .strip_prefix("http://")
        .and_then(|r| r.strip_suffix("/RPC2"))
        .expect("URL shape")
        .to_owned();
    // Four peers that send half a head and then nothing: more than the
    // workers, each in the middle of a request.
    let slow: Vec<std::net::TcpStream> = (0..4)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&addr).expect("connect");
            s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n")
                .expect("write");
            s
        })
        .collect();
    thread::sleep(Duration::from_millis(100));
    let client = Client::builder(&url)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let sum: i32 = client
        .call("add", (2, 2))
        .expect("served beside the slow peers");
    assert_eq!(sum, 4);
    drop(slow);
    stop.shutdown();
    serving.join().expect("server thread").expect("serve");
}

#[test]
fn https_with_a_ca_file_explicit_basic_auth_and_headers() {
    use xmlrpc_blocking::RequestHead;

    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("certificate");
    let cert_pem = ck.cert.pem();
    let mut d = Dispatcher::new();
    d.register_with_request("header", |head: &RequestHead, name: String| {
        head.headers.get_str(&name).unwrap_or_default().to_owned()
    });
    let server = Server::builder(Site::standard(d))
        .workers(2)
        .tls_pem(
            cert_pem.as_bytes(),
            ck.signing_key.serialize_pem().as_bytes(),
        )
        .expect("TLS configuration")
        .build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = server.shutdown_handle();
    let serving = thread::spawn(move || server.serve(listener));

    let dir = std::env::temp_dir().join(format!("xmlrpc-blocking-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &cert_pem).expect("write CA file");

    let url = format!("https://url:user@localhost:{port}/RPC2");
    let client = Client::builder(&url)
        .add_root_certificate_file(&ca)
        .basic_auth("alice", "secret")
        .header("X-Trace", "42")
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    // base64("alice:secret"): the explicit credentials win over the URL's.
    let auth: String = client.call("header", ("Authorization",)).expect("call");
    assert_eq!(auth, "Basic YWxpY2U6c2VjcmV0");
    let trace: String = client.call("header", ("X-Trace",)).expect("call");
    assert_eq!(trace, "42");

    // Without the CA: the certificate is not trusted.
    let untrusted = Client::new(&format!("https://localhost:{port}/RPC2")).expect("client");
    let e = untrusted
        .call::<String>("header", ("X-Trace",))
        .expect_err("untrusted");
    assert_eq!(
        e.transport().map(xmlrpc_blocking::TransportError::kind),
        Some(xmlrpc_blocking::TransportErrorKind::Tls),
        "{e}"
    );
    // Certificate checks off.
    let insecure = Client::builder(&format!("https://localhost:{port}/RPC2"))
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    let v: String = insecure.call("header", ("Host",)).expect("call");
    assert_eq!(v, format!("localhost:{port}"));
    // A CA file that cannot be read: the client is not built.
    let missing = Client::builder(&format!("https://localhost:{port}/"))
        .add_root_certificate_file(dir.join("missing.pem"))
        .build();
    assert!(matches!(missing, Err(CallError::InvalidCall(_))));

    let _ = std::fs::remove_dir_all(&dir);
    stop.shutdown();
    serving.join().expect("server thread").expect("serve");
}

#[test]
fn deadlines_close_slow_and_idle_peers() {
    let server = Server::builder(site())
        .workers(2)
        .limits(short_limits())
        .build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let stop = server.shutdown_handle();
    let serving = thread::spawn(move || server.serve(listener));
    check_deadlines(addr);
    stop.shutdown();
    serving.join().expect("server thread").expect("serve");
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
