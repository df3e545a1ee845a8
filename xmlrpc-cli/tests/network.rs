//! `xmlrpc call` and `xmlrpc introspect` run as processes against live
//! servers: this workspace's conformance procedures on the blocking server
//! (plain and HTTPS) and on the tokio server, and Python's
//! `SimpleXMLRPCServer`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use xmlrpc_blocking::{Server, ServerBuilderExt, ShutdownHandle};

const BIN: &str = env!("CARGO_BIN_EXE_xmlrpc");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the xmlrpc binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Exit 0, nothing on stderr: the output.
fn ok(args: &[&str]) -> String {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?}: stderr {:?}", r.stderr);
    assert_eq!(r.stderr, "", "{args:?}");
    r.stdout
}

/// Exit `code` with one line on stderr containing `needle`: that line.
fn fails(code: i32, args: &[&str], needle: &str) -> Run {
    let r = run(args);
    assert_eq!(
        r.code, code,
        "{args:?}: stdout {:?} stderr {:?}",
        r.stdout, r.stderr
    );
    assert!(r.stderr.ends_with('\n'), "{:?}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {:?}", r.stderr);
    assert!(
        r.stderr.contains(needle),
        "{args:?}: {:?} lacks {needle:?}",
        r.stderr
    );
    r
}

/// The conformance procedures on the blocking server, on a free loopback
/// port, until dropped.
struct Conformance {
    addr: SocketAddr,
    stop: ShutdownHandle,
    thread: Option<JoinHandle<()>>,
}

impl Conformance {
    fn start() -> Self {
        Self::start_with(|b| b)
    }

    fn start_with(
        configure: impl FnOnce(xmlrpc_blocking::ServerBuilder) -> xmlrpc_blocking::ServerBuilder,
    ) -> Self {
        let server = configure(
            Server::builder(xmlrpc_conformance::site())
                .limits(xmlrpc_conformance::limits())
                .workers(4),
        )
        .build();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("a bound address");
        let stop = server.shutdown_handle();
        let thread = std::thread::spawn(move || server.serve(listener).expect("serves"));
        Self {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for Conformance {
    fn drop(&mut self) {
        self.stop.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Python's `SimpleXMLRPCServer` (nil allowed) on a free loopback port,
/// with `echo`, `add`, `fault`, and introspection when asked. Stops when
/// its stdin closes, or is killed when dropped.
struct Python {
    port: u16,
    child: Child,
    stdin: Option<ChildStdin>,
}

const PYTHON_SERVER: &str = r#"
import sys, threading
from xmlrpc.server import SimpleXMLRPCServer
from xmlrpc.client import Fault

server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False,
                            allow_none=True, use_builtin_types=True)
if sys.argv[1] == "introspect":
    server.register_introspection_functions()

def echo(x):
    """Returns its argument."""
    return x

def add(a, b):
    """Adds two numbers."""
    return a + b

def fault():
    raise Fault(7, "boom <here>")

def big(n):
    return "x" * n

server.register_function(echo)
server.register_function(add)
server.register_function(fault)
server.register_function(big)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
"#;

impl Python {
    /// `None` when python3 cannot run.
    fn start(introspection: bool) -> Option<Self> {
        let mode = if introspection { "introspect" } else { "plain" };
        let Ok(mut child) = Command::new("python3")
            .args(["-c", PYTHON_SERVER, mode])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
        else {
            eprintln!("skipped: python3 is not on the PATH");
            return None;
        };
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("python3 prints its port");
        let port = line.trim().parse().expect("a port number");
        Some(Self { port, child, stdin })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body of the answer to `body` POSTed to `path`, read with a plain
/// socket: what the server sent, byte for byte.
fn raw_post(addr: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).expect("connects");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/xml\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("writes the head");
    s.write_all(body).expect("writes the body");
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).expect("reads the answer");
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
    assert!(
        head.starts_with("http/1.") && head.contains(" 200 "),
        "{head}"
    );
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .expect("a Content-Length")
        .trim()
        .parse()
        .expect("a number");
    answer[end + 4..end + 4 + length].to_vec()
}

/// Every argument form, and the JSON of its value as echoed.
const FORMS: &[(&str, &str)] = &[
    ("i/5", "5"),
    ("i/-2147483648", "-2147483648"),
    ("-7", "-7"),
    ("I/5", "5"),
    ("i8/-9223372036854775808", "-9223372036854775808"),
    ("2147483648", "2147483648"),
    ("d/1.5", "1.5"),
    ("d/3", "3.0"),
    ("-2.5", "-2.5"),
    ("b/t", "true"),
    ("b/f", "false"),
    ("b/true", "true"),
    ("b/false", "false"),
    ("s/text", "\"text\""),
    ("s/", "\"\""),
    ("s/42", "\"42\""),
    ("hello world", "\"hello world\""),
    ("s/<&>\"' ]]>\t\n", "\"<&>\\\"' ]]>\\t\\n\""),
    ("s/\u{2603} \u{1F600}", "\"\u{2603} \u{1F600}\""),
    ("n/", "null"),
    ("h/68656c6c6f", "{\"base64\": \"aGVsbG8=\"}"),
    ("h/", "{\"base64\": \"\"}"),
    ("b64/aGVsbG8=", "{\"base64\": \"aGVsbG8=\"}"),
    (
        "dt/20260101T12:00:00",
        "{\"dateTime.iso8601\": \"20260101T12:00:00\"}",
    ),
    ("array/(i/1,s/x)", "[1, \"x\"]"),
    ("array/()", "[]"),
    ("struct/{}", "{}"),
    ("struct/{key:i/1,k2:s/v}", "{\"key\": 1, \"k2\": \"v\"}"),
    (
        r"struct/{a\:b:array/(s/x\,y\),struct/{c:n/}),d\}:s/\\}",
        "{\"a:b\": [\"x,y)\", {\"c\": null}], \"d}\": \"\\\\\"}",
    ),
];

#[test]
fn every_argument_form_is_sent_and_echoed() {
    let server = Conformance::start();
    let url = server.url();
    for (arg, json) in FORMS {
        let out = ok(&["call", "-f", "json", &url, "echo", arg]);
        assert_eq!(out, format!("{json}\n"), "{arg:?}");
    }
    // Several arguments, and the xmlrpc-c form of the URL (`/RPC2`).
    let short = server.addr.to_string();
    assert_eq!(
        ok(&["call", &short, "pair", "s/x", "i/5", "--format=json"]),
        "[\"x\", 5]\n"
    );
    assert_eq!(
        ok(&["call", &short, "dict", r"struct/{a\:b:1,c:2}", "a:b"]),
        "int 1\n"
    );
    // Arguments that look like options, after `--`.
    assert_eq!(
        ok(&["call", "-f", "json", &url, "echo", "--", "--x"]),
        "\"--x\"\n"
    );
}

#[test]
fn results_in_text_json_and_xml() {
    let server = Conformance::start();
    let url = server.url();
    assert_eq!(ok(&["call", &url, "add", "i/2", "i/3"]), "int 5\n");
    assert_eq!(ok(&["call", &url, "add", "d/2", "0.5"]), "double 2.5\n");
    assert_eq!(
        ok(&["call", &url, "complex"]),
        "struct {\n  a: array [\n    string \"b\"\n    string \"c\"\n    int 12\n    array []\n  ]\n  D: string \"foo\"\n}\n"
    );
    assert_eq!(
        ok(&["call", "-f", "json", &url, "complex"]),
        "{\"a\": [\"b\", \"c\", 12, []], \"D\": \"foo\"}\n"
    );
    assert_eq!(
        ok(&["call", &url, "snowman", "s/\u{2603}"]),
        "string \"\u{2603}\"\n"
    );
    assert_eq!(
        ok(&["call", &url, "withRequest", "x"]),
        "string \"POST x\"\n"
    );
    // A method under a sub-handler; the current time as a double.
    let now = ok(&["call", "-f", "json", &url, "date.time"]);
    assert!(now.trim().parse::<f64>().unwrap() > 1e9, "{now}");
    // `--format xml` prints the body exactly as the server sent it.
    let arg = "struct/{a:array/(1,d/2.5,n/,I/9),b:h/00ff,c:dt/20260101T12:00:00}";
    let xml = ok(&["call", "-f", "xml", &url, "echo", arg]);
    let call = ok(&["encode", "call", "echo", arg]);
    let direct = raw_post(&server.addr.to_string(), "/", call.as_bytes());
    assert_eq!(xml.as_bytes(), &direct[..]);
    assert!(
        xml.contains("<nil/>") && xml.contains("<i8>9</i8>"),
        "{xml}"
    );
}

#[test]
fn faults_exit_1() {
    let server = Conformance::start();
    let url = server.url();
    for (args, line) in [
        (&["fault"][..], "fault 12: hello\n"),
        (&["deferFault"], "fault 17: hi\n"),
        (
            &["snowman", "s/x"],
            "fault 13: Payload not unicode snowman\n",
        ),
        (&["SESSIONabc"], "fault 42: Session non-existent/expired.\n"),
    ] {
        let mut words = vec!["call", &url];
        words.extend_from_slice(args);
        let r = run(&words);
        assert_eq!((r.code, r.stderr.as_str()), (1, line), "{args:?}");
        assert_eq!(r.stdout, "");
    }
    let r = fails(1, &["call", &url, "nosuch.method"], "fault 23: ");
    assert!(r.stderr.starts_with("fault 23: "), "{}", r.stderr);
    let r = fails(1, &["call", &url, "add", "s/x"], "fault 666: ");
    assert!(r.stderr.contains("add"), "{}", r.stderr);
    fails(1, &["call", &url, "fail"], "fault 666: ");
    fails(1, &["call", &url, "deferFail"], "fault 666: ");
    // With `--format xml` the fault's body is still printed.
    let r = fails(1, &["call", "-f", "xml", &url, "fault"], "fault 12: hello");
    assert!(
        r.stdout.starts_with("<?xml") && r.stdout.contains("<fault>"),
        "{}",
        r.stdout
    );
    let direct = raw_post(
        &server.addr.to_string(),
        "/",
        ok(&["encode", "call", "fault"]).as_bytes(),
    );
    assert_eq!(r.stdout.as_bytes(), &direct[..]);
}

#[test]
fn http_and_transport_errors_exit_2() {
    let server = Conformance::start();
    let base = format!("http://{}", server.addr);
    let r = fails(
        2,
        &["call", &format!("{base}/nowhere"), "echo", "1"],
        "HTTP status 404",
    );
    assert!(r.stderr.starts_with("xmlrpc: "), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    fails(
        2,
        &["call", "-f", "xml", &format!("{base}/nowhere"), "echo", "1"],
        "404",
    );
    fails(
        2,
        &["introspect", &format!("{base}/nowhere")],
        "HTTP status 404",
    );

    // Connection refused: a port that was free a moment ago.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let r = fails(2, &["call", &url, "echo", "1"], "connect");
    assert!(r.stderr.contains(&url), "{}", r.stderr);
    fails(2, &["introspect", &url], "connect");

    // Bad arguments: nothing is sent.
    fails(2, &["call", &base, "echo", "i/x"], "argument 1");
    fails(2, &["call", &base, "echo", "array/(1"], "argument 1");
    fails(2, &["call", &base], "needs a URL and a METHOD");
    fails(2, &["call", &base, "echo", "s/a\u{1}b"], "cannot");
    fails(2, &["call", &base, "echo", "--bogus"], "unknown option");
    fails(2, &["call", &base, "echo", "-t", "soon"], "--timeout");
}

#[test]
fn timeout_gives_up() {
    // A server that accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", silent.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let mut kept = Vec::new();
        for s in silent.incoming().take(1) {
            kept.push(s);
            std::thread::sleep(Duration::from_secs(5));
        }
    });
    let start = Instant::now();
    fails(
        2,
        &["call", "--timeout", "0.5", &url, "echo", "1"],
        "no answer within 0.5 s",
    );
    let took = start.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");
    drop(held);
}

#[test]
fn headers_and_basic_auth_are_sent() {
    let server = Conformance::start();
    let url = server.url();
    let addr = server.addr.to_string();
    let values = |extra: &[&str], url: &str, name: &str| {
        let mut words = vec!["call", "-f", "json"];
        words.extend_from_slice(extra);
        words.extend_from_slice(&[url, "headerValue", name]);
        ok(&words)
    };
    // "alice:s3cret" and "bob:p@ss:w" in base64.
    assert_eq!(
        values(&["-u", "alice", "--password=s3cret"], &url, "Authorization"),
        "[\"Basic YWxpY2U6czNjcmV0\"]\n"
    );
    let with_userinfo = format!("http://bob:p%40ss:w@{addr}/");
    assert_eq!(
        values(&[], &with_userinfo, "authorization"),
        "[\"Basic Ym9iOnBAc3M6dw==\"]\n"
    );
    // --user wins over the URL's user info.
    assert_eq!(
        values(
            &["--user", "alice", "-p", "s3cret"],
            &with_userinfo,
            "Authorization"
        ),
        "[\"Basic YWxpY2U6czNjcmV0\"]\n"
    );
    assert_eq!(values(&[], &url, "Authorization"), "[]\n");
    assert_eq!(
        values(
            &["-H", "X-Trace: 42", "--header", "X-Trace:43"],
            &url,
            "X-Trace"
        ),
        "[\"42\", \"43\"]\n"
    );
    assert_eq!(
        values(&[], &url, "User-Agent"),
        format!("[\"xmlrpc-cli/{}\"]\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        values(&["-H", "User-Agent: probe/1"], &url, "User-Agent"),
        "[\"probe/1\"]\n"
    );
    assert_eq!(
        values(&["-H", "Authorization: Bearer t"], &url, "Authorization"),
        "[\"Bearer t\"]\n"
    );
    assert_eq!(values(&[], &url, "Content-Type"), "[\"text/xml\"]\n");
    // `Host` comes from the URL; the xmlrpc-c form asks for `/RPC2`.
    assert_eq!(values(&[], &addr, "Host"), format!("[\"{addr}\"]\n"));
}

#[test]
fn introspect_the_conformance_server() {
    let server = Conformance::start();
    let url = server.url();
    let text = ok(&["introspect", &url]);
    for want in [
        "add(int, int) -> int\nadd(double, double) -> double\n    This function add two numbers.\n",
        "pair(string, int) -> array\n    This function puts the two arguments in an array.\n",
        "defer(...)\n    Help for defer.\n",
        "dict(...)\n    Help for dict.\n",
        "echo(...)\n",
        "system.listMethods(",
        "system.methodHelp(",
        "system.multicall(",
        "validator1.easyStructTest(",
        "date.time(",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
    // Names in the server's (sorted) order, one block each.
    let names: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split('(').next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!(unique, sorted);

    assert_eq!(
        ok(&["introspect", "-f", "json", &url, "add", "echo"]),
        "[{\"name\": \"add\", \"signatures\": [[\"int\", \"int\", \"int\"], \
         [\"double\", \"double\", \"double\"]], \"help\": \"This function add two numbers.\"}, \
         {\"name\": \"echo\", \"signatures\": \"\", \"help\": \"\"}]\n"
    );
    let json = ok(&["introspect", "--format", "json", &url]);
    assert!(
        json.starts_with("[{\"name\": ") && json.ends_with("}]\n"),
        "{json}"
    );
    assert_eq!(json.lines().count(), 1);
    fails(2, &["introspect", "-f", "xml", &url], "not xml");
}

#[test]
fn python_server_call() {
    let Some(py) = Python::start(false) else {
        return;
    };
    let url = py.url();
    for (arg, json) in FORMS {
        // Python writes no <i8>: a value beyond 32 bits cannot come back.
        if json.len() >= 10
            && json
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let out = ok(&["call", "-f", "json", &url, "echo", arg]);
        assert_eq!(out, format!("{json}\n"), "{arg:?}");
    }
    assert_eq!(ok(&["call", &url, "add", "2", "3"]), "int 5\n");
    assert_eq!(ok(&["call", &url, "add", "s/a", "s/b"]), "string \"ab\"\n");
    let r = fails(1, &["call", &url, "fault"], "fault 7: boom <here>");
    assert_eq!(r.stderr, "fault 7: boom <here>\n");
    fails(1, &["call", &url, "echo", "2147483648"], "fault 1: ");
    fails(1, &["call", &url, "nosuch"], "fault 1: ");
    fails(
        2,
        &["call", &format!("{url}elsewhere"), "echo", "1"],
        "HTTP status 404",
    );
    // The xmlrpc-c form reaches Python's default path `/RPC2`.
    assert_eq!(
        ok(&["call", &format!("127.0.0.1:{}", py.port), "echo", "b/t"]),
        "boolean true\n"
    );
    let arg = "struct/{a:array/(1,d/2.5,n/),b:h/00ff,c:dt/20260101T12:00:00,d:s/<x>}";
    let xml = ok(&["call", "-f", "xml", &url, "echo", arg]);
    let direct = raw_post(
        &format!("127.0.0.1:{}", py.port),
        "/RPC2",
        ok(&["encode", "call", "echo", arg]).as_bytes(),
    );
    assert_eq!(xml.as_bytes(), &direct[..]);
    assert!(xml.starts_with("<?xml version='1.0'?>"), "{xml}");
    // A 10 MB result.
    let json = ok(&["call", "-f", "json", &url, "big", "10000000"]);
    assert_eq!(json.len(), 10_000_003);
    assert!(json.starts_with("\"xxx") && json.ends_with("xxx\"\n"));
}

#[test]
fn python_server_introspect() {
    let Some(py) = Python::start(true) else {
        return;
    };
    let url = py.url();
    let text = ok(&["introspect", &url]);
    assert!(
        text.starts_with(
            "add(...)\n    Adds two numbers.\n\
             big(...)\n\
             echo(...)\n    Returns its argument.\n\
             fault(...)\n\
             system.listMethods(...)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("system.methodHelp(...)\n    system.methodHelp('add') => "),
        "{text}"
    );
    let json = ok(&["introspect", "-f", "json", &url, "add"]);
    assert_eq!(
        json,
        "[{\"name\": \"add\", \"signatures\": \"signatures not supported\", \
         \"help\": \"Adds two numbers.\"}]\n"
    );
}

#[test]
fn python_server_without_introspection() {
    let Some(py) = Python::start(false) else {
        return;
    };
    let url = py.url();
    let r = fails(1, &["introspect", &url], "offers no introspection");
    assert!(
        r.stderr.starts_with("xmlrpc: http://127.0.0.1:")
            && r.stderr.contains("system.listMethods answered fault 1: "),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
}

/// A file under the target's scratch folder, unique to this run.
fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("xmlrpc-cli-{}-{n}-{name}", std::process::id()))
}

#[test]
fn https_with_cacert_or_insecure() {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("a certificate for fixed names");
    let cert = ck.cert.pem();
    let key = ck.signing_key.serialize_pem();
    let server = Conformance::start_with(|b| {
        b.tls_pem(cert.as_bytes(), key.as_bytes())
            .expect("a usable certificate and key")
    });
    let ca = scratch("ca.pem");
    std::fs::write(&ca, &cert).unwrap();
    let ca = ca.to_str().unwrap();
    let port = server.addr.port();
    let url = format!("https://127.0.0.1:{port}/");

    assert_eq!(
        ok(&["call", "--cacert", ca, &url, "add", "2", "3"]),
        "int 5\n"
    );
    let by_name = format!("https://localhost:{port}/RPC2");
    assert_eq!(
        ok(&[
            "call", "--cacert", ca, "-f", "json", &by_name, "echo", "s/x"
        ]),
        "\"x\"\n"
    );
    assert_eq!(
        ok(&["call", "--insecure", &url, "echo", "b/t"]),
        "boolean true\n"
    );
    assert_eq!(ok(&["call", "-k", &url, "echo", "b/t"]), "boolean true\n");
    let r = fails(
        1,
        &["call", "--cacert", ca, &url, "fault"],
        "fault 12: hello",
    );
    assert_eq!(r.stderr, "fault 12: hello\n");
    let text = ok(&["introspect", "--cacert", ca, &url, "add"]);
    assert!(text.starts_with("add(int, int) -> int\n"), "{text}");
    assert_eq!(
        ok(&[
            "call",
            "--cacert",
            ca,
            "-u",
            "u",
            "-p",
            "p",
            "-f",
            "json",
            &url,
            "headerValue",
            "Authorization"
        ]),
        "[\"Basic dTpw\"]\n"
    );

    // Not trusted without the CA, and a missing CA file.
    fails(2, &["call", &url, "echo", "1"], "TLS");
    fails(
        2,
        &["call", "--cacert", "/nonexistent/ca.pem", &url, "echo", "1"],
        "ca.pem",
    );
    // Plain HTTP to a TLS port: no valid answer.
    fails(
        2,
        &[
            "call",
            "-t",
            "5",
            &format!("http://127.0.0.1:{port}/"),
            "echo",
            "1",
        ],
        "xmlrpc: ",
    );
}

/// A server that reads one request and answers `answer`, then closes.
fn canned(answer: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        // The head, then as many bytes as it declares.
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
            let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                break;
            }
        }
        let _ = s.write_all(answer);
        let _ = s.flush();
    });
    url
}

#[test]
fn hostile_answers_exit_2() {
    for (answer, needle) in [
        (
            &b"HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n<methodResponse><params>"[..],
            "malformed response: ",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "malformed response: ",
        ),
        (b"SSH-2.0-OpenSSH\r\n\r\n", "bad HTTP from the server"),
        (b"", "connection closed before a response arrived"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<methodResponse>",
            "unexpected end of stream",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n",
            "exceeds 67108864",
        ),
        (
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops",
            "HTTP status 500 Internal Server Error",
        ),
        (
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\
              Content-Length: 0\r\n\r\n",
            "HTTP status 401",
        ),
    ] {
        let url = canned(answer);
        let r = fails(2, &["call", "-t", "10", &url, "echo", "1"], needle);
        assert!(r.stderr.starts_with("xmlrpc: "), "{}", r.stderr);
        assert_eq!(r.stdout, "");
    }
    // Deep nesting beyond the limit: refused, not a crash.
    let mut deep = b"HTTP/1.1 200 OK\r\nContent-Length: ".to_vec();
    let body = format!(
        "<methodResponse><params><param>{}{}</param></params></methodResponse>",
        "<value><array><data>".repeat(100_000),
        "</data></array></value>".repeat(100_000)
    );
    deep.extend_from_slice(format!("{}\r\n\r\n{body}", body.len()).as_bytes());
    let url = canned(Box::leak(deep.into_boxed_slice()));
    fails(
        2,
        &["call", "-t", "10", &url, "echo", "1"],
        "malformed response: ",
    );
    // A fault in a 200 answer is a fault, whatever the server.
    let url = canned(
        b"HTTP/1.0 200 OK\r\n\r\n<methodResponse><fault><value><struct>\
          <member><name>faultCode</name><value><int>-32601</int></value></member>\
          <member><name>faultString</name><value>no\nsuch</value></member>\
          </struct></value></fault></methodResponse>",
    );
    let r = run(&["call", &url, "echo", "1"]);
    assert_eq!((r.code, r.stderr.as_str()), (1, "fault -32601: no\nsuch\n"));
}

#[test]
fn tokio_server() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback port");
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = xmlrpc_tokio::Server::builder(xmlrpc_conformance::site())
        .limits(xmlrpc_conformance::limits())
        .build();
    let serving = runtime.spawn(async move {
        server
            .serve_with_shutdown(listener, async {
                let _ = stopped.await;
            })
            .await
    });

    let url = format!("http://{addr}/");
    for (arg, json) in FORMS {
        let out = ok(&["call", "-f", "json", &url, "echo", arg]);
        assert_eq!(out, format!("{json}\n"), "{arg:?}");
    }
    assert_eq!(ok(&["call", &addr.to_string(), "defer", "i/7"]), "int 7\n");
    let r = fails(1, &["call", &url, "deferFault"], "fault 17: hi");
    assert_eq!(r.stderr, "fault 17: hi\n");
    fails(
        2,
        &["call", &format!("{url}x"), "echo", "1"],
        "HTTP status 404",
    );
    let text = ok(&["introspect", &url]);
    assert!(
        text.starts_with("add(int, int) -> int\nadd(double, double) -> double\n"),
        "{text}"
    );
    let xml = ok(&["call", "-f", "xml", &url, "echo", "array/(n/,I/1)"]);
    let direct = raw_post(
        &addr.to_string(),
        "/",
        ok(&["encode", "call", "echo", "array/(n/,I/1)"]).as_bytes(),
    );
    assert_eq!(xml.as_bytes(), &direct[..]);

    let _ = stop.send(());
    runtime
        .block_on(serving)
        .expect("the server task ends")
        .expect("the server stops cleanly");
}
