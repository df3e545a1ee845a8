//! Python's standard `xmlrpc` modules as test peers.
//!
//! - [`PythonServer`]: a `SimpleXMLRPCServer` on `127.0.0.1`, port 0, with
//!   `echo`, `add`, `fault` (123, `The fault procedure is faulty.`),
//!   `headers` (the request headers it saw), introspection and multicall.
//!   Killed when dropped.
//! - [`python_calls`]: runs `xmlrpc.client.ServerProxy` against a URL for a
//!   list of calls and returns each outcome.
//!
//! Values cross the process boundary as *tagged JSON*, lossless for every
//! XML-RPC type: `["int", 5]`, `["double", 1.5]`, `["boolean", true]`,
//! `["string", "x"]`, `["nil", null]`, `["base64", "aGk="]`,
//! `["dateTime.iso8601", "20260101T12:00:00"]`, `["array", [...]]`,
//! `["struct", [["name", value], ...]]`. Python has one integer type, so an
//! `<i8>` comes back as `["int", n]`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value as Json, json};
use xmlrpc_proto::{DateTime, Fault, Struct, Value};

/// The Python helpers shared by both scripts: tagged JSON to Python values
/// and back.
const PY_TAGS: &str = r#"
import base64, json, sys, xmlrpc.client as xc

def from_tag(t):
    kind, v = t
    if kind == "int": return int(v)
    if kind == "double": return float(v)
    if kind == "boolean": return bool(v)
    if kind == "string": return v
    if kind == "nil": return None
    if kind == "base64": return xc.Binary(base64.b64decode(v))
    if kind == "dateTime.iso8601": return xc.DateTime(v)
    if kind == "array": return [from_tag(x) for x in v]
    if kind == "struct": return {k: from_tag(x) for k, x in v}
    raise ValueError(kind)

def to_tag(v):
    if v is None: return ["nil", None]
    if isinstance(v, bool): return ["boolean", v]
    if isinstance(v, int): return ["int", v]
    if isinstance(v, float): return ["double", v]
    if isinstance(v, str): return ["string", v]
    if isinstance(v, xc.Binary): return ["base64", base64.b64encode(v.data).decode()]
    if isinstance(v, (bytes, bytearray)): return ["base64", base64.b64encode(bytes(v)).decode()]
    if isinstance(v, xc.DateTime): return ["dateTime.iso8601", v.value]
    if isinstance(v, (list, tuple)): return ["array", [to_tag(x) for x in v]]
    if isinstance(v, dict): return ["struct", [[k, to_tag(x)] for k, x in v.items()]]
    raise TypeError(type(v).__name__)
"#;

const PY_SERVER: &str = r#"
from xmlrpc.server import SimpleXMLRPCServer, SimpleXMLRPCRequestHandler

seen_headers = []

class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/", "/RPC2")
    def decode_request_content(self, data):
        seen_headers.append({k.lower(): v for k, v in self.headers.items()})
        return super().decode_request_content(data)

server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=Handler,
                            allow_none=True, logRequests=False)

def echo(x):
    """Returns its argument."""
    return x

def add(a, b):
    """This function add two numbers."""
    return a + b

def fault():
    raise xc.Fault(123, "The fault procedure is faulty.")

def headers(name):
    last = seen_headers[-1] if seen_headers else {}
    return last.get(name.lower(), "")

for f in (echo, add, fault, headers):
    server.register_function(f)
server.register_introspection_functions()
server.register_multicall_functions()
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

const PY_CLIENT: &str = r#"
import ssl
req = json.load(sys.stdin)
kw = {"allow_none": True}
if req["url"].startswith("https:"):
    ctx = ssl.create_default_context(cafile=req.get("cafile"))
    kw["context"] = ctx
proxy = xc.ServerProxy(req["url"], **kw)
for method, params in req["calls"]:
    try:
        result = getattr(proxy, method)(*[from_tag(p) for p in params])
        out = {"ok": to_tag(result)}
    except xc.Fault as f:
        out = {"fault": [f.faultCode, f.faultString]}
    except xc.ProtocolError as e:
        out = {"http": [e.errcode, e.errmsg]}
    except Exception as e:
        out = {"error": type(e).__name__ + ": " + str(e)}
    print(json.dumps(out), flush=True)
"#;

/// A running `SimpleXMLRPCServer`, killed on drop.
#[derive(Debug)]
pub struct PythonServer {
    child: Child,
    /// Its port on `127.0.0.1`.
    pub port: u16,
}

impl PythonServer {
    /// Starts the server and waits for it to print its port.
    ///
    /// # Panics
    ///
    /// When `python3` cannot be started or prints no port.
    #[must_use]
    pub fn start() -> Self {
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(format!("{PY_TAGS}\n{PY_SERVER}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 must be on the PATH");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the port");
        let port = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("python server printed {line:?} instead of a port")
        });
        Self { child, port }
    }

    /// `http://127.0.0.1:PORT/RPC2`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/RPC2", self.port)
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What Python's `ServerProxy` got for one call.
#[derive(Clone, Debug, PartialEq)]
pub enum PyOutcome {
    /// A result, tagged values decoded.
    Ok(Value),
    /// A fault.
    Fault(Fault),
    /// `xmlrpc.client.ProtocolError`: an HTTP status and its reason.
    Http(u16, String),
    /// Any other exception, as `Type: message`.
    Error(String),
}

/// Calls `url` with Python's `xmlrpc.client.ServerProxy(url,
/// allow_none=True)`, one call after another over one proxy, and returns
/// each outcome. `cafile` is the CA bundle for an `https` URL.
///
/// # Panics
///
/// When `python3` cannot run or prints something unexpected; the whole run
/// is bounded by `timeout`.
#[must_use]
pub fn python_calls(
    url: &str,
    cafile: Option<&str>,
    calls: &[(&str, Vec<Value>)],
    timeout: Duration,
) -> Vec<PyOutcome> {
    let request = json!({
        "url": url,
        "cafile": cafile,
        "calls": calls
            .iter()
            .map(|(m, p)| json!([m, p.iter().map(to_tagged).collect::<Vec<_>>()]))
            .collect::<Vec<_>>(),
    });
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(format!("{PY_TAGS}\n{PY_CLIENT}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be on the PATH");
    {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin
            .write_all(request.to_string().as_bytes())
            .expect("write the calls");
    }
    let (stdout, stderr) = wait_bounded(&mut child, timeout);
    let outcomes: Vec<PyOutcome> = stdout
        .lines()
        .map(|line| {
            let j: Json = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("python printed {line:?}: {e}"));
            parse_outcome(&j)
        })
        .collect();
    assert_eq!(
        outcomes.len(),
        calls.len(),
        "python client stopped early; stderr:\n{}",
        stderr
    );
    outcomes
}

/// Waits for `child` to exit, killing it after `timeout`; returns its
/// stdout and stderr as text.
///
/// # Panics
///
/// When the child's pipes were not set up.
pub fn wait_bounded(child: &mut Child, timeout: Duration) -> (String, String) {
    fn drain(mut r: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    }
    let out = drain(child.stdout.take().expect("stdout is piped"));
    let err = drain(child.stderr.take().expect("stderr is piped"));
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
        }
    }
    (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    )
}

fn parse_outcome(j: &Json) -> PyOutcome {
    if let Some(v) = j.get("ok") {
        return PyOutcome::Ok(from_tagged(v));
    }
    if let Some(f) = j.get("fault") {
        let code = f[0]
            .as_i64()
            .and_then(|c| i32::try_from(c).ok())
            .unwrap_or(i32::MIN);
        return PyOutcome::Fault(Fault::new(code, f[1].as_str().unwrap_or_default()));
    }
    if let Some(h) = j.get("http") {
        let status = h[0]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(0);
        return PyOutcome::Http(status, h[1].as_str().unwrap_or_default().to_owned());
    }
    PyOutcome::Error(j["error"].as_str().unwrap_or("?").to_owned())
}

/// A value in the tagged JSON form Python's helper reads.
#[must_use]
pub fn to_tagged(v: &Value) -> Json {
    match v {
        Value::Int(i) => json!(["int", i]),
        Value::I8(i) => json!(["int", i]),
        Value::Bool(b) => json!(["boolean", b]),
        Value::String(s) => json!(["string", s]),
        Value::Double(d) => json!(["double", d]),
        Value::DateTime(d) => json!(["dateTime.iso8601", d.as_str()]),
        Value::Base64(b) => json!([
            "base64",
            base64::engine::general_purpose::STANDARD.encode(b)
        ]),
        Value::Struct(s) => json!([
            "struct",
            s.iter()
                .map(|(k, v)| json!([k, to_tagged(v)]))
                .collect::<Vec<_>>()
        ]),
        Value::Array(a) => json!(["array", a.iter().map(to_tagged).collect::<Vec<_>>()]),
        Value::Nil => json!(["nil", null]),
    }
}

/// A value from Python's tagged JSON form. Integers become `Int` when they
/// fit 32 bits, else `I8`.
///
/// # Panics
///
/// On JSON that is not in the tagged form (a bug in the helper script).
#[must_use]
pub fn from_tagged(j: &Json) -> Value {
    let kind = j[0].as_str().expect("tag");
    let v = &j[1];
    match kind {
        "int" => {
            let n = v.as_i64().expect("integer");
            i32::try_from(n).map_or(Value::I8(n), Value::Int)
        }
        "double" => Value::Double(v.as_f64().expect("number")),
        "boolean" => Value::Bool(v.as_bool().expect("bool")),
        "string" => Value::String(v.as_str().expect("string").to_owned()),
        "nil" => Value::Nil,
        "base64" => Value::Base64(
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str().expect("base64 text"))
                .expect("valid base64"),
        ),
        "dateTime.iso8601" => {
            Value::DateTime(DateTime::parse(v.as_str().expect("text")).expect("dateTime"))
        }
        "array" => Value::Array(
            v.as_array()
                .expect("array")
                .iter()
                .map(from_tagged)
                .collect(),
        ),
        "struct" => Value::Struct(
            v.as_array()
                .expect("members")
                .iter()
                .map(|m| (m[0].as_str().expect("name").to_owned(), from_tagged(&m[1])))
                .collect::<Struct>(),
        ),
        other => panic!("unknown tag {other}"),
    }
}
