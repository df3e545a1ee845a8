//! The conformance procedures against Python's `xmlrpc.client`, without
//! sockets: Python writes each call body and reads each response body
//! through pipes; this side decodes, dispatches and encodes as a runtime
//! would.

use std::future::Future;
use std::io::{BufRead, BufReader, Write};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::task::{Context, Poll, Waker};

use xmlrpc_proto::codec::{decode_call, encode_response};
use xmlrpc_proto::dispatch::{Dispatcher, Reply};
use xmlrpc_proto::{Fault, Limits, RequestHead, Value};

const SCRIPT: &str = r#"
import sys, datetime, xmlrpc.client as x

def exchange(body):
    sys.stdout.write("REQ " + body.hex() + "\n")
    sys.stdout.flush()
    resp = bytes.fromhex(sys.stdin.readline().strip())
    try:
        (res,), _ = x.loads(resp, use_builtin_types=True)
        return res
    except x.Fault as f:
        return ("fault", f.faultCode, f.faultString)

def rpc(method, *params):
    return exchange(x.dumps(params, method, allow_none=True).encode())

n = 0
def eq(got, want):
    global n
    n += 1
    if got != want:
        sys.stdout.write("FAIL %r != %r\n" % (got, want))
        sys.stdout.flush()

eq(rpc("echo", [1, "two", None, 1.5, True, {"k": "v"}]), [1, "two", None, 1.5, True, {"k": "v"}])
eq(rpc("echo", b"\x00\xffbytes"), b"\x00\xffbytes")
eq(rpc("echo", datetime.datetime(2026, 1, 1, 12, 0, 0)), datetime.datetime(2026, 1, 1, 12, 0, 0))
eq(rpc("echo", "<&>\u2603\n\t"), "<&>\u2603\n\t")
eq(rpc("add", 2, 3), 5)
eq(rpc("add", 1.5, 2.0), 3.5)
eq(rpc("add", 2147483647, 1), 2147483648)
eq(rpc("add", 1), ("fault", 666, "add: expected 2 arguments (value, value), got 1"))
eq(rpc("pair", "s", 1), ["s", 1])
eq(rpc("defer", "x"), "x")
eq(rpc("deferFail"), ("fault", 666, "error"))
eq(rpc("fail"), ("fault", 666, "error"))
eq(rpc("fault"), ("fault", 12, "hello"))
eq(rpc("deferFault"), ("fault", 17, "hi"))
eq(rpc("snowman", "\u2603"), "\u2603")
eq(rpc("snowman", "x"), ("fault", 13, "Payload not unicode snowman"))
eq(rpc("complex"), {"a": ["b", "c", 12, []], "D": "foo"})
eq(rpc("dict", {"a": 1}, "a"), 1)
eq(rpc("withRequest", "other"), "POST other")
eq(rpc("headerValue", "absent"), [])
eq(type(rpc("date.time")), float)
eq(rpc("SESSIONabc"), ("fault", 42, "Session non-existent/expired."))
eq(rpc("nope"), ("fault", 23, "procedure nope not found"))
eq(rpc("system.methodHelp", "defer"), "Help for defer.")
eq(rpc("system.methodSignature", "pair"), [["array", "string", "int"]])
eq(rpc("system.methodSignature", "echo"), "")
names = rpc("system.listMethods")
eq(names, sorted(names))
eq("validator1.nestedStructTest" in names, True)
eq(rpc("system.multicall", [
    {"methodName": "add", "params": [1, 2]},
    {"methodName": "fault", "params": []},
]), [[3], {"faultCode": 12, "faultString": "hello"}])
eq(rpc("validator1.countTheEntities", "<<>&'\"\""),
   {"ctLeftAngleBrackets": 2, "ctRightAngleBrackets": 1, "ctAmpersands": 1,
    "ctApostrophes": 1, "ctQuotes": 2})
eq(rpc("validator1.simpleStructReturnTest", 3), {"times10": 30, "times100": 300, "times1000": 3000})
eq(rpc("validator1.moderateSizeArrayCheck", ["a", "b", "c"]), "ac")
bad = exchange(b"<methodCall><methodName>echo</methodName><params><param>")
eq(bad[:2], ("fault", 666))
eq(bad[2].startswith("Can't deserialize input"), True)
sys.stdout.write("DONE %d\n" % n)
"#;

fn drive(mut reply: Reply) -> Result<Value, Fault> {
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..100 {
        if let Poll::Ready(r) = Pin::new(&mut reply).poll(&mut cx) {
            return r;
        }
    }
    panic!("still pending after 100 polls");
}

fn serve(d: &Dispatcher, body: &[u8]) -> Vec<u8> {
    let head = RequestHead::new("POST", "/RPC2");
    let result = match decode_call(body, &Limits::default()) {
        Ok(call) => drive(d.call(&head, call)),
        Err(e) => Err(d.bad_request(&e)),
    };
    let mut out = Vec::new();
    if let Err(e) = encode_response(&result, d.encode_options(), &mut out) {
        out.clear();
        encode_response(&Err(d.encode_failure(&e)), d.encode_options(), &mut out)
            .expect("a fault is always writable");
    }
    out
}

fn from_hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex from the script"))
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn python_client_against_the_conformance_set() {
    let Ok(mut child) = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        eprintln!("python3 not available: skipped");
        return;
    };
    let site = xmlrpc_conformance::site();
    let d = site.resolve("/RPC2").expect("mounted");
    let mut stdin = child.stdin.take().expect("piped");
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut failures = Vec::new();
    let mut done = None;
    for line in stdout.lines() {
        let line = line.expect("script output");
        if let Some(hex) = line.strip_prefix("REQ ") {
            let out = serve(d, &from_hex(hex));
            writeln!(stdin, "{}", to_hex(&out)).expect("script input");
            stdin.flush().expect("script input");
        } else if let Some(n) = line.strip_prefix("DONE ") {
            done = Some(n.parse::<usize>().expect("count"));
        } else {
            failures.push(line);
        }
    }
    drop(stdin);
    assert!(child.wait().expect("python3 exit").success());
    assert_eq!(failures, Vec::<String>::new());
    assert!(done.is_some_and(|n| n > 30), "{done:?}");
}
