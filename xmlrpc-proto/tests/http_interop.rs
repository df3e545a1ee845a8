//! The connection state machines against Python's `xmlrpc.client` and
//! `xmlrpc.server`, over real sockets driven by minimal blocking loops.
//! Skipped (with a note) when `python3` is not available.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use xmlrpc_proto::{
    ClientConfig, ClientConnection, ClientEvent, EncodeOptions, Fault, MethodCall, ProtocolError,
    ServerConfig, ServerConnection, ServerEvent, Struct, Url, Value,
};

fn python() -> Option<Command> {
    let ok = Command::new("python3")
        .arg("-c")
        .arg("import xmlrpc.client")
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(Command::new("python3"))
    } else {
        eprintln!("python3 not available: skipping");
        None
    }
}

fn handler(call: &MethodCall) -> Result<Value, Fault> {
    match call.name.as_str() {
        "echo" => Ok(call.params.first().cloned().unwrap_or(Value::Nil)),
        "add" => match (call.params.first(), call.params.get(1)) {
            (Some(Value::Int(a)), Some(Value::Int(b))) => Ok(Value::Int(a.wrapping_add(*b))),
            _ => Err(Fault::new(666, "add(int, int)")),
        },
        "big" => Ok(Value::from("x".repeat(100_000))),
        "fault" => Err(Fault::new(12, "hello")),
        _ => Err(Fault::new(8001, "procedure not found")),
    }
}

/// The blocking drive loop of the crate docs, serving one connection.
fn serve_one(mut io: TcpStream, config: ServerConfig) -> std::io::Result<()> {
    let mut conn = ServerConnection::new(config);
    conn.handle_open(Instant::now());
    let mut buf = vec![0; 64 * 1024];
    loop {
        while let Ok(Some(ev)) = conn.poll_event() {
            match ev {
                ServerEvent::Call(c) => {
                    if c.head.path != "/RPC2" && c.head.path != "/" {
                        conn.respond_status(404).expect("a call is in flight");
                    } else if conn.respond(&handler(&c.call)).is_err() {
                        conn.respond(&Err(Fault::new(8002, "cannot encode")))
                            .expect("a fault encodes");
                    }
                }
                ServerEvent::BadCall(b) => {
                    let f = Fault::new(8002, format!("Can't deserialize input: {}", b.error));
                    conn.respond(&Err(f)).expect("a call is in flight");
                }
                _ => break,
            }
        }
        while let Some(out) = conn.poll_transmit(Instant::now()) {
            let n = io.write(out)?;
            conn.advance_transmit(n);
        }
        if conn.is_closed() {
            return Ok(());
        }
        if conn.wants_read() {
            let wait = conn.poll_timeout().map(|t| {
                t.saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1))
            });
            io.set_read_timeout(wait)?;
            match io.read(&mut buf) {
                Ok(0) => conn.handle_eof(),
                Ok(n) => conn.handle_data(&buf[..n], Instant::now()),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    conn.handle_timeout(Instant::now());
                }
                Err(e) => return Err(e),
            }
        }
    }
}

fn spawn_server(config: ServerConfig) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            thread::spawn(move || serve_one(stream, config));
        }
    });
    port
}

fn run_python(script: &str, port: u16) -> String {
    let out = python()
        .expect("checked by the caller")
        .arg("-c")
        .arg(script)
        .arg(port.to_string())
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn python_client_calls_our_server() {
    if python().is_none() {
        return;
    }
    let mut config = ServerConfig::default();
    config.encode = EncodeOptions::extensions();
    let port = spawn_server(config);
    let script = r#"
import sys, xmlrpc.client, http.client, datetime
port = sys.argv[1]
p = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2", allow_none=True, use_builtin_types=True)
print(p.add(2, 3))
v = {"a": [1, 2.5, "s\u2603<&>", True, None, b"\x00\xff"], "d": datetime.datetime(2026, 1, 2, 3, 4, 5)}
print(p.echo(v) == v)
try:
    p.fault()
except xmlrpc.client.Fault as f:
    print(f.faultCode, f.faultString)
print(len(p.big()))
# One persistent connection for all of the above.
print(p("transport").__class__.__name__)
try:
    xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/nope").add(1, 2)
except xmlrpc.client.ProtocolError as e:
    print(e.errcode)
c = http.client.HTTPConnection("127.0.0.1", int(port))
c.request("GET", "/RPC2")
r = c.getresponse()
print(r.status, r.getheader("Allow"))
c = http.client.HTTPConnection("127.0.0.1", int(port))
c.request("POST", "/RPC2", body=b"<methodCall>", headers={"Content-Type": "text/xml"})
r = c.getresponse()
print(r.status, b"Can't deserialize input" in r.read())
"#;
    let out = run_python(script, port);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "5");
    assert_eq!(lines[1], "True");
    assert_eq!(lines[2], "12 hello");
    assert_eq!(lines[3], "100000");
    assert_eq!(lines[5], "404");
    assert_eq!(lines[6], "405 POST");
    assert_eq!(lines[7], "200 True");
}

const PY_SERVER: &str = r#"
import sys, threading, xmlrpc.client, xmlrpc.server
class H(xmlrpc.server.SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2",)
    protocol_version = sys.argv[2]
s = xmlrpc.server.SimpleXMLRPCServer(("127.0.0.1", 0), H, logRequests=False, allow_none=True)
s.register_function(lambda a, b: a + b, "add")
s.register_function(lambda x: x, "echo")
def fault():
    raise xmlrpc.client.Fault(7, "seven")
s.register_function(fault, "fault")
s.register_function(lambda: "y" * 100000, "big")
threading.Thread(target=s.serve_forever, daemon=True).start()
print(s.server_address[1], flush=True)
sys.stdin.read()
"#;

struct PyServer {
    child: std::process::Child,
    port: u16,
}

impl PyServer {
    fn start(protocol: &str) -> Option<Self> {
        let mut child = python()?
            .arg("-c")
            .arg(PY_SERVER)
            .arg("0")
            .arg(protocol)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 starts");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("piped"))
            .read_line(&mut line)
            .expect("port line");
        let port = line.trim().parse().expect("a port number");
        Some(Self { child, port })
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// One call over `conn` and `io`, with the blocking client loop.
fn call(
    io: &mut TcpStream,
    conn: &mut ClientConnection,
    name: &str,
    params: Vec<Value>,
) -> Result<Result<Value, Fault>, ProtocolError> {
    conn.send_call(&MethodCall::new(name, params))
        .expect("the connection takes a call");
    let mut buf = vec![0; 64 * 1024];
    loop {
        while let Some(out) = conn.poll_transmit() {
            let n = io.write(out).expect("write");
            conn.advance_transmit(n);
        }
        if let Some(ClientEvent::Response { result, .. }) = conn.poll_event()? {
            return Ok(result);
        }
        match io.read(&mut buf).expect("read") {
            0 => conn.handle_eof(),
            n => conn.handle_data(&buf[..n], Instant::now()),
        }
    }
}

#[test]
fn our_client_calls_python_server_http11() {
    let Some(server) = PyServer::start("HTTP/1.1") else {
        return;
    };
    let url = Url::parse(&format!("http://127.0.0.1:{}/RPC2", server.port)).expect("url");
    let mut io = TcpStream::connect((url.host(), url.port())).expect("connect");
    let mut conn = ClientConnection::new(ClientConfig::new(&url));
    assert_eq!(
        call(
            &mut io,
            &mut conn,
            "add",
            vec![Value::Int(2), Value::Int(3)]
        ),
        Ok(Ok(Value::Int(5)))
    );
    assert!(conn.can_reuse(), "HTTP/1.1 server keeps the connection");
    let mut s = Struct::new();
    s.insert(
        "k",
        Value::Array(vec![Value::from("v\u{2603}"), Value::Double(1.5)]),
    );
    let v = Value::Struct(s);
    assert_eq!(call(&mut io, &mut conn, "echo", vec![v.clone()]), Ok(Ok(v)));
    assert_eq!(
        call(&mut io, &mut conn, "fault", vec![]),
        Ok(Err(Fault::new(7, "seven")))
    );
    // Large enough for Python to gzip it when the client accepts gzip.
    let big = call(&mut io, &mut conn, "big", vec![]).expect("a response");
    assert_eq!(big.expect("a value").as_str().map(str::len), Some(100_000));
    assert!(conn.can_reuse());
}

#[test]
fn our_client_calls_python_server_http10_and_404() {
    let Some(server) = PyServer::start("HTTP/1.0") else {
        return;
    };
    let url = Url::parse(&format!("http://127.0.0.1:{}/RPC2", server.port)).expect("url");
    let mut io = TcpStream::connect((url.host(), url.port())).expect("connect");
    let mut conn = ClientConnection::new(ClientConfig::new(&url));
    assert_eq!(
        call(
            &mut io,
            &mut conn,
            "add",
            vec![Value::Int(40), Value::Int(2)]
        ),
        Ok(Ok(Value::Int(42)))
    );
    assert!(!conn.can_reuse(), "an HTTP/1.0 answer ends the connection");

    let url = Url::parse(&format!("http://127.0.0.1:{}/elsewhere", server.port)).expect("url");
    let mut io = TcpStream::connect((url.host(), url.port())).expect("connect");
    let mut conn = ClientConnection::new(ClientConfig::new(&url));
    match call(&mut io, &mut conn, "add", vec![]) {
        Err(ProtocolError::HttpStatus { status: 404, .. }) => {}
        other => panic!("expected 404, got {other:?}"),
    }
}

#[test]
fn our_client_and_our_server_over_tcp() {
    let port = spawn_server(ServerConfig::default());
    let url = Url::parse(&format!("http://127.0.0.1:{port}/RPC2")).expect("url");
    let mut io = TcpStream::connect((url.host(), url.port())).expect("connect");
    let mut conn = ClientConnection::new(ClientConfig::new(&url));
    for i in 0..20 {
        assert_eq!(
            call(
                &mut io,
                &mut conn,
                "add",
                vec![Value::Int(i), Value::Int(1)]
            ),
            Ok(Ok(Value::Int(i + 1)))
        );
    }
    let big = call(&mut io, &mut conn, "big", vec![]).expect("a response");
    assert_eq!(big.expect("a value").as_str().map(str::len), Some(100_000));
}
