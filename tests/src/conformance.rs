//! Drives a runtime's conformance server process through `CONTRACT.md`
//! section 1 with Python's `xmlrpc.client` and raw HTTP.
//!
//! [`ConformanceProcess::start`] builds and starts the example
//! (`--listen 127.0.0.1:0 --exit-on-stdin-eof`) and reads its first line;
//! [`run_contract_checks`] runs the whole table from a Python script that
//! prints one `ok NAME` or `FAIL NAME: why` line per check.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::python::wait_bounded;

/// A running conformance server example.
#[derive(Debug)]
pub struct ConformanceProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The URL from its first line, `http://127.0.0.1:PORT/`.
    pub url: String,
    /// The first line as printed.
    pub first_line: String,
}

/// The workspace's target directory (`CARGO_TARGET_DIR`, else
/// `target/` of the workspace).
#[must_use]
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

impl ConformanceProcess {
    /// Builds example `example` of package `package` (debug profile) and
    /// starts it on `127.0.0.1:0` with `--exit-on-stdin-eof`.
    ///
    /// # Panics
    ///
    /// When the build fails or the first line is not
    /// `listening on http://HOST:PORT/` within a minute of the build.
    #[must_use]
    pub fn start(package: &str, example: &str, extra_args: &[&str]) -> Self {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "-q", "-p", package, "--example", example])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building {example} failed");
        let exe = target_dir().join("debug").join("examples").join(example);
        let mut child = Command::new(&exe)
            .args(["--listen", "127.0.0.1:0", "--exit-on-stdin-eof"])
            .args(extra_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the server never blocks on a full pipe.
            let mut sink = String::new();
            while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!("{example} printed no first line");
        };
        let first_line = line.trim_end_matches(['\r', '\n']).to_owned();
        let url = first_line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .to_owned();
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            url,
            first_line,
        }
    }

    /// The process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes its stdin and waits for it to exit; its exit code, or
    /// `None` when it had not exited within `timeout` (it is then killed).
    pub fn close_stdin_and_wait(&mut self, timeout: Duration) -> Option<i32> {
        drop(self.stdin.take());
        self.wait(timeout)
    }

    /// Sends `signal` (`TERM`, `INT`) with `kill` and waits for the exit;
    /// as [`close_stdin_and_wait`](Self::close_stdin_and_wait).
    pub fn signal_and_wait(&mut self, signal: &str, timeout: Duration) -> Option<i32> {
        let _ = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status();
        self.wait(timeout)
    }

    fn wait(&mut self, timeout: Duration) -> Option<i32> {
        let end = std::time::Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status.code().unwrap_or(-1)),
                Ok(None) if std::time::Instant::now() < end => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return None;
                }
            }
        }
    }
}

impl Drop for ConformanceProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The contract's checks, in Python. Each prints `ok NAME` or
/// `FAIL NAME: why`.
const CHECKS: &str = r#"
import http.client, json, socket, sys, time, urllib.parse
import xmlrpc.client as xc

base = sys.argv[1]
u = urllib.parse.urlsplit(base)
HOST, PORT = u.hostname, u.port

def check(name, fn):
    try:
        fn()
        print("ok", name, flush=True)
    except Exception as e:
        print("FAIL", name + ":", type(e).__name__, str(e)[:300].replace("\n", " "), flush=True)

def eq(a, b):
    if a != b:
        raise AssertionError(f"{a!r} != {b!r}")

def fault(fn, code, prefix=None, contains=None):
    try:
        r = fn()
    except xc.Fault as f:
        eq(f.faultCode, code)
        if prefix is not None and not f.faultString.startswith(prefix):
            raise AssertionError(f"fault string {f.faultString!r}")
        if contains is not None and contains not in f.faultString:
            raise AssertionError(f"fault string {f.faultString!r}")
        return
    raise AssertionError(f"no fault, got {r!r}")

def raw(data, read_all=True):
    s = socket.create_connection((HOST, PORT), timeout=20)
    s.sendall(data)
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        out += chunk
        if not read_all and b"\r\n\r\n" in out:
            break
    s.close()
    return out

def post(path, body, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nConnection: close\r\n"
            + extra + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

for path in ("/", "/RPC2"):
    p = xc.ServerProxy(base.rstrip("/") + path, allow_none=True)
    tag = path
    def echo_types(p=p):
        for v in [1, -7, True, False, "", "x<&>", "\u2603", 1.5, -0.0, None, [1, ["a", []]],
                  {"k": {"n": [None]}}, xc.Binary(b"\x00\xff"), xc.DateTime("20260101T12:00:00")]:
            r = p.echo(v)
            if isinstance(v, xc.Binary):
                eq(r.data, v.data)
            elif isinstance(v, xc.DateTime):
                eq(r.value, v.value)
            else:
                eq(r, v)
    check(f"echo {tag}", echo_types)
    check(f"add ints {tag}", lambda p=p: eq(p.add(2, 3), 5))
P = xc.ServerProxy(base + "RPC2", allow_none=True)
check("add doubles", lambda: eq(P.add(1.5, 2.25), 3.75))
check("add help", lambda: eq(P.system.methodHelp("add"), "This function add two numbers."))
check("add signature", lambda: eq(P.system.methodSignature("add"),
                                   [["int", "int", "int"], ["double", "double", "double"]]))
check("pair", lambda: eq(P.pair("s", 3), ["s", 3]))
check("pair help", lambda: eq(P.system.methodHelp("pair"), "This function puts the two arguments in an array."))
check("pair signature", lambda: eq(P.system.methodSignature("pair"), [["array", "string", "int"]]))
check("defer", lambda: eq(P.defer({"x": [1]}), {"x": [1]}))
check("defer help", lambda: eq(P.system.methodHelp("defer"), "Help for defer."))
check("deferFail", lambda: fault(P.deferFail, 666))
check("fail", lambda: fault(P.fail, 666))
check("fail help", lambda: eq(P.system.methodHelp("fail"), ""))
check("fault", lambda: fault(P.fault, 12, contains="hello"))
check("deferFault", lambda: fault(P.deferFault, 17, contains="hi"))
check("snowman", lambda: eq(P.snowman("\u2603"), "\u2603"))
check("snowman fault", lambda: fault(lambda: P.snowman("x"), 13, prefix="Payload not unicode snowman"))
check("complex", lambda: eq(P.complex(), {"a": ["b", "c", 12, []], "D": "foo"}))
check("dict", lambda: eq(P.dict({"a": 1, "b": "two"}, "b"), "two"))
check("dict help", lambda: eq(P.system.methodHelp("dict"), "Help for dict."))
check("withRequest", lambda: eq(P.withRequest("hello"), "POST hello"))
check("headerValue", lambda: eq(P.headerValue("content-type"), ["text/xml"]))
check("headerValue absent", lambda: eq(P.headerValue("X-Nothing"), []))
def date_time():
    t = P.date.time()
    if not isinstance(t, float) or abs(t - time.time()) > 60:
        raise AssertionError(repr(t))
check("date.time", date_time)
check("SESSION fallback", lambda: fault(P.SESSIONxyz, 42, prefix="Session non-existent/expired."))
check("unknown", lambda: fault(P.nosuchprocedure, 23))
check("unknown sub-handler", lambda: fault(lambda: P.nosuch.thing(), 23))
check("wrong arity", lambda: fault(lambda: P.add(1), 666, contains="add"))
check("wrong type", lambda: fault(lambda: P.add("a", 1), 666, contains="add"))

V = P.validator1
check("validator1.arrayOfStructsTest", lambda: eq(V.arrayOfStructsTest(
    [{"moe": 1, "larry": 2, "curly": 3}, {"moe": 1, "larry": 2, "curly": -1}]), 2))
check("validator1.countTheEntities", lambda: eq(V.countTheEntities("<<>&'\"\"x"), {
    "ctLeftAngleBrackets": 2, "ctRightAngleBrackets": 1, "ctAmpersands": 1,
    "ctApostrophes": 1, "ctQuotes": 2}))
check("validator1.easyStructTest", lambda: eq(V.easyStructTest({"moe": 1, "larry": 2, "curly": 3}), 6))
check("validator1.echoStructTest", lambda: eq(V.echoStructTest({"a": {"b": [1, 2]}}), {"a": {"b": [1, 2]}}))
def many_types():
    r = V.manyTypesTest(1, True, "s", 1.5, xc.DateTime("19980717T14:08:55"), xc.Binary(b"hi"))
    eq(len(r), 6)
    eq(r[:4], [1, True, "s", 1.5])
    eq(r[4].value, "19980717T14:08:55")
    eq(r[5].data, b"hi")
check("validator1.manyTypesTest", many_types)
check("validator1.moderateSizeArrayCheck", lambda: eq(V.moderateSizeArrayCheck(["first"] + ["x"] * 100 + ["last"]), "firstlast"))
check("validator1.nestedStructTest", lambda: eq(V.nestedStructTest(
    {"2000": {"03": {"31": {"moe": 9}}, "04": {"01": {"moe": 1, "larry": 2, "curly": 3}}}}), 6))
check("validator1.simpleStructReturnTest", lambda: eq(V.simpleStructReturnTest(7),
    {"times10": 70, "times100": 700, "times1000": 7000}))

def list_methods():
    names = P.system.listMethods()
    eq(names, sorted(names))
    for n in ["echo", "add", "pair", "defer", "deferFail", "fail", "fault", "deferFault", "snowman",
              "complex", "dict", "withRequest", "headerValue", "date.time",
              "system.listMethods", "system.methodHelp", "system.methodSignature", "system.multicall",
              "validator1.arrayOfStructsTest", "validator1.simpleStructReturnTest"]:
        if n not in names:
            raise AssertionError(n + " missing")
    if any(n.startswith("SESSION") for n in names):
        raise AssertionError("pattern listed")
check("system.listMethods", list_methods)
check("methodSignature none", lambda: eq(P.system.methodSignature("echo"), ""))
def multicall():
    m = xc.MultiCall(P)
    m.add(2, 3)
    m.fault()
    m.echo("x")
    r = m()
    eq(r.results, [[5], {"faultCode": 12, "faultString": "hello"}, ["x"]])
check("system.multicall", multicall)

def bad_body():
    out = raw(post(b"/RPC2", b"<methodCall><methodName>echo"))
    if not out.startswith(b"HTTP/1.1 200"):
        raise AssertionError(out[:100])
    body = out.split(b"\r\n\r\n", 1)[1]
    try:
        xc.loads(body)
    except xc.Fault as f:
        eq(f.faultCode, 666)
        if not f.faultString.startswith("Can't deserialize input"):
            raise AssertionError(f.faultString)
        return
    raise AssertionError("no fault")
check("bad body", bad_body)
check("404", lambda: eq(raw(post(b"/other", xc.dumps((1,), "echo").encode()))[:12], b"HTTP/1.1 404"))
def not_post():
    out = raw(b"GET /RPC2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    eq(out[:12], b"HTTP/1.1 405")
    if b"\r\nallow: post\r\n" not in out.lower():
        raise AssertionError(out[:300])
check("405 Allow", not_post)
def too_large():
    head = (b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
            b"Content-Length: 40000000\r\n\r\n")
    out = raw(head, read_all=False)
    eq(out[:12], b"HTTP/1.1 413")
check("413 without reading", too_large)
def ten_mb():
    s = "y" * (10 * 1000 * 1000)
    eq(P.echo(s), s)
check("10 MB call", ten_mb)
def nesting():
    v = "deep"
    for _ in range(64):
        v = [v]
    eq(P.echo(v), v)
check("64 levels", nesting)
check("nil", lambda: eq(P.echo(None), None))
def i8():
    body = (b"<?xml version='1.0'?><methodCall><methodName>echo</methodName><params><param>"
            b"<value><i8>9999999999</i8></value></param></params></methodCall>")
    out = raw(post(b"/RPC2", body))
    if b"<i8>9999999999</i8>" not in out:
        raise AssertionError(out[-300:])
check("i8", i8)
def keep_alive():
    c = http.client.HTTPConnection(HOST, PORT, timeout=20)
    for i in range(3):
        c.request("POST", "/RPC2", xc.dumps((i,), "echo"), {"Content-Type": "text/xml"})
        r = c.getresponse()
        eq(xc.loads(r.read())[0][0], i)
    c.close()
check("keep-alive", keep_alive)
"#;

/// Runs every contract check against `url`; returns the lines that
/// failed and how many checks passed.
///
/// # Panics
///
/// When Python cannot run.
#[must_use]
pub fn run_contract_checks(url: &str) -> (Vec<String>, usize) {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(CHECKS)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be on the PATH");
    let (out, err) = wait_bounded(&mut child, Duration::from_secs(300));
    let failed: Vec<String> = out
        .lines()
        .filter(|l| !l.starts_with("ok "))
        .map(str::to_owned)
        .chain((!err.trim().is_empty()).then(|| format!("stderr: {err}")))
        .collect();
    let passed = out.lines().filter(|l| l.starts_with("ok ")).count();
    (failed, passed)
}

/// Expands to the process tests of one runtime's conformance example:
/// `conformance_suite!("xmlrpc-tokio", "conformance_tokio");`.
#[macro_export]
macro_rules! conformance_suite {
    ($package:literal, $example:literal) => {
        #[test]
        fn contract_table_and_exit_on_stdin_eof() {
            $crate::conformance::contract_table_and_exit_on_stdin_eof($package, $example);
        }

        #[test]
        fn exits_cleanly_on_sigterm_and_sigint() {
            $crate::conformance::exits_cleanly_on_sigterm_and_sigint($package, $example);
        }
    };
}

/// The contract's first line, every row of its table through Python's
/// `xmlrpc.client` and raw HTTP, and a clean exit on stdin EOF.
///
/// # Panics
///
/// When any of it fails.
pub fn contract_table_and_exit_on_stdin_eof(package: &str, example: &str) {
    let mut server = ConformanceProcess::start(package, example, &[]);
    let port = server
        .url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.strip_suffix('/'))
        .and_then(|p| p.parse::<u16>().ok());
    assert!(port.is_some_and(|p| p != 0), "{}", server.first_line);
    let (failed, passed) = run_contract_checks(&server.url);
    assert!(
        failed.is_empty(),
        "{} checks failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(passed >= 50, "only {passed} checks ran");
    assert_eq!(
        server.close_stdin_and_wait(Duration::from_secs(10)),
        Some(0)
    );
}

/// A clean exit (status 0) on SIGTERM and on SIGINT.
///
/// # Panics
///
/// When the process does not exit so.
pub fn exits_cleanly_on_sigterm_and_sigint(package: &str, example: &str) {
    for signal in ["TERM", "INT"] {
        let mut server = ConformanceProcess::start(package, example, &[]);
        assert_eq!(
            server.signal_and_wait(signal, Duration::from_secs(10)),
            Some(0),
            "SIG{signal}"
        );
    }
}
