//! `xmlrpc call` and `xmlrpc introspect` over any [`Transport`].
//!
//! Everything about a call except moving it lives here: the options a
//! transport must honour, the outcome (result, fault or error), the output
//! format and introspection. The HTTP transport is [`crate::http`].
//!
//! # What a transport does
//!
//! - `POST {path} HTTP/1.1` to the endpoint's host and port, over
//!   TLS for `https` (also trusting `cacert` when given, anything when
//!   `insecure`), with `Host`, `Content-Type: text/xml`, `Content-Length`,
//!   a `User-Agent`, `Authorization: Basic base64(user:password)` when
//!   `basic_auth` is set, then `headers` in order.
//! - The call is written with `<nil/>` and `<i8>` allowed: `n/` and `I/`
//!   arguments are sent as the user asked.
//! - `timeout` is one deadline for the whole exchange: connecting, the TLS
//!   handshake, sending and receiving.
//! - The answer body may not exceed `limits.max_body_bytes`.
//! - Its errors keep apart an HTTP status other than 200
//!   ([`TransportError::Http`]), a timeout, I/O and TLS failures, and
//!   broken framing or XML. Faults are not transport errors: they arrive
//!   in a `200 OK` body, as the [`Reply`]'s result.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use xmlrpc_proto::codec::encode_call;
use xmlrpc_proto::{EncodeOptions, Fault, Limits, MethodCall, Struct, Value};

use crate::Failure;
use crate::output::{Format, write_text};

/// How to reach the server: its URL and the options of the HTTP exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// Where to send calls; its `userinfo` is always `None` (the
    /// credentials are in `basic_auth`).
    pub(crate) endpoint: xmlrpc_proto::Url,
    /// Whole-call deadline (`--timeout`); `None`: wait as long as it takes.
    pub(crate) timeout: Option<Duration>,
    /// Extra request headers (`--header`), in order, names as given.
    pub(crate) headers: Vec<(String, String)>,
    /// User name and password for Basic authentication, from `--user` and
    /// `--password` or else from the URL.
    pub(crate) basic_auth: Option<(String, String)>,
    /// PEM file of CA certificates to trust for `https` (`--cacert`), in
    /// addition to the bundled and system roots.
    pub(crate) cacert: Option<PathBuf>,
    /// Accept any server certificate (`--insecure`).
    pub(crate) insecure: bool,
}

/// A complete `200 OK` answer.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reply {
    /// The `methodResponse` body as received.
    pub(crate) body: Vec<u8>,
    /// The body decoded: the result value or the fault.
    pub(crate) result: Result<Value, Fault>,
}

/// Why a transport got no [`Reply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TransportError {
    /// The server answered with a status other than 200.
    Http { status: u16, reason: String },
    /// No complete answer within the `--timeout`.
    Timeout(Duration),
    /// Name resolution, connection or I/O failed (or a deadline of the
    /// transport's own passed).
    Io(String),
    /// The TLS handshake or certificate check failed.
    Tls(String),
    /// The server broke HTTP/1.1 framing, or its body was over the limit.
    Protocol(String),
    /// The body of a `200 OK` is not a `methodResponse`.
    Malformed(String),
    /// The call could not be sent: an argument the encoder refuses, a
    /// header or URL that cannot be sent, unusable TLS settings.
    Invalid(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http { status, reason } => write!(f, "HTTP status {status} {reason}"),
            Self::Timeout(d) => write!(f, "no answer within {} s", d.as_secs_f64()),
            Self::Io(e) => write!(f, "{e}"),
            Self::Tls(e) => write!(f, "TLS: {e}"),
            Self::Protocol(e) => write!(f, "bad HTTP from the server: {e}"),
            Self::Malformed(e) => write!(f, "malformed response: {e}"),
            Self::Invalid(e) => write!(f, "cannot send the call: {e}"),
        }
    }
}

/// Moves one call to the server and its answer back.
pub(crate) trait Transport {
    /// Sends `call` to `target` and returns the `200 OK` answer, whose
    /// body is at most `limits.max_body_bytes` long and decoded within
    /// `limits`.
    ///
    /// # Errors
    ///
    /// Any failure before a complete `methodResponse` was received.
    fn call(
        &mut self,
        target: &Target,
        call: &MethodCall,
        limits: &Limits,
    ) -> Result<Reply, TransportError>;
}

/// The request body `encode call` prints: what `call` sends, `n/` and `I/`
/// arguments as the `<nil/>` and `<i8>` the user asked for.
pub(crate) fn call_body(call: &MethodCall) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    encode_call(call, &EncodeOptions::extensions(), &mut body)
        .map_err(|e| Failure::Usage(format!("cannot encode the call: {e}")))?;
    Ok(body)
}

/// One call and its decoded outcome: the value, or the fault as a
/// [`Failure::Fault`]. `raw` receives the response body as received.
fn exchange(
    transport: &mut dyn Transport,
    target: &Target,
    call: &MethodCall,
    limits: &Limits,
    raw: &mut Vec<u8>,
) -> Result<Value, Failure> {
    let reply = transport.call(target, call, limits).map_err(|e| match e {
        TransportError::Invalid(_) => Failure::Usage(e.to_string()),
        _ => Failure::Error(format!("{}: {e}", target.endpoint)),
    })?;
    raw.extend_from_slice(&reply.body);
    reply.result.map_err(Failure::Fault)
}

/// `xmlrpc call`: makes the call and writes its result to `out` in
/// `format`. With `Format::Xml` the body is written as received, a fault's
/// too.
///
/// # Errors
///
/// [`Failure::Fault`] for a fault, [`Failure::Error`] for a transport,
/// HTTP or decoding failure, [`Failure::Usage`] for arguments the encoder
/// refuses.
pub(crate) fn run_call(
    transport: &mut dyn Transport,
    target: &Target,
    call: &MethodCall,
    format: Format,
    limits: &Limits,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let mut raw = Vec::new();
    let result = exchange(transport, target, call, limits, &mut raw);
    if format == Format::Xml {
        out.extend_from_slice(&raw);
    }
    let value = result?;
    write_value(&value, format, out);
    Ok(())
}

/// Writes a result value in `format` (`Xml` writes nothing: the raw body
/// is the output).
fn write_value(value: &Value, format: Format, out: &mut Vec<u8>) {
    match format {
        Format::Text => {
            let mut s = String::new();
            write_text(value, &mut s);
            out.extend_from_slice(s.as_bytes());
        }
        Format::Json => {
            out.extend_from_slice(xmlrpc_proto::json::to_string(value).as_bytes());
            out.push(b'\n');
        }
        Format::Xml => {}
    }
}

/// What introspection learnt about one method.
struct MethodInfo {
    name: String,
    /// `system.methodSignature`'s answer: an array of signatures (each an
    /// array of type names, return type first), or anything else when the
    /// server does not say.
    signatures: Value,
    /// `system.methodHelp`'s answer, usually a string.
    help: Value,
}

/// `xmlrpc introspect`: lists `methods` (all of `system.listMethods` when
/// empty) with their signatures and help, in `format` (`Text` or `Json`).
///
/// # Errors
///
/// As [`run_call`]; a fault from `system.listMethods` means the server
/// offers no introspection: [`Failure::Refused`]. A fault for one
/// method's help or signature is shown as a nil value for it instead.
pub(crate) fn run_introspect(
    transport: &mut dyn Transport,
    target: &Target,
    methods: &[String],
    format: Format,
    limits: &Limits,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let mut raw = Vec::new();
    let names: Vec<String> = if methods.is_empty() {
        let list = exchange(
            transport,
            target,
            &MethodCall::new("system.listMethods", vec![]),
            limits,
            &mut raw,
        )
        .map_err(|e| match e {
            Failure::Fault(f) => Failure::Refused(format!(
                "{} offers no introspection: system.listMethods answered {f}",
                target.endpoint
            )),
            other => other,
        })?;
        let Value::Array(items) = list else {
            return Err(Failure::Error(format!(
                "system.listMethods returned {}, not an array",
                list.type_name()
            )));
        };
        items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err(Failure::Error(format!(
                    "system.listMethods returned a {} among the names",
                    other.type_name()
                ))),
            })
            .collect::<Result<_, _>>()?
    } else {
        methods.to_vec()
    };
    let mut infos = Vec::with_capacity(names.len());
    for name in names {
        let mut ask = |method: &str| {
            let call = MethodCall::new(method, vec![Value::from(name.as_str())]);
            raw.clear();
            match exchange(transport, target, &call, limits, &mut raw) {
                Ok(v) => Ok(v),
                Err(Failure::Fault(_)) => Ok(Value::Nil),
                Err(e) => Err(e),
            }
        };
        let signatures = ask("system.methodSignature")?;
        let help = ask("system.methodHelp")?;
        infos.push(MethodInfo {
            name,
            signatures,
            help,
        });
    }
    match format {
        Format::Json => {
            let list = infos
                .into_iter()
                .map(|m| {
                    let mut s = Struct::new();
                    s.insert("name", Value::String(m.name));
                    s.insert("signatures", m.signatures);
                    s.insert("help", m.help);
                    Value::Struct(s)
                })
                .collect();
            write_value(&Value::Array(list), Format::Json, out);
        }
        Format::Text | Format::Xml => {
            let mut s = String::new();
            for m in &infos {
                write_method_text(m, &mut s);
            }
            out.extend_from_slice(s.as_bytes());
        }
    }
    Ok(())
}

/// `name(type, type) -> type` for each signature (`name(...)` when none
/// is known), then the help text indented by four spaces. What the server
/// sent is printed as is, except control characters other than tabs,
/// which are escaped (`\u{1b}`): a server cannot drive the terminal.
fn write_method_text(m: &MethodInfo, out: &mut String) {
    let signatures: Vec<Vec<&str>> = match &m.signatures {
        Value::Array(sigs) => sigs
            .iter()
            .filter_map(|sig| {
                sig.as_array()
                    .map(|types| types.iter().map(|t| t.as_str().unwrap_or("?")).collect())
            })
            .filter(|types: &Vec<&str>| !types.is_empty())
            .collect(),
        _ => Vec::new(),
    };
    if signatures.is_empty() {
        push_printable(out, &m.name);
        out.push_str("(...)\n");
    }
    for types in &signatures {
        push_printable(out, &m.name);
        out.push('(');
        for (i, t) in types[1..].iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            push_printable(out, t);
        }
        out.push_str(") -> ");
        push_printable(out, types[0]);
        out.push('\n');
    }
    if let Some(help) = m.help.as_str() {
        for line in help.trim().lines() {
            let line = line.trim_end();
            if !line.is_empty() {
                out.push_str("    ");
                push_printable(out, line);
            }
            out.push('\n');
        }
    }
}

/// Appends `s` with its control characters but tabs escaped.
fn push_printable(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use xmlrpc_proto::codec::{decode_call, decode_response, encode_response};
    use xmlrpc_proto::{Fault, Response};

    use super::*;

    /// Answers with canned bodies, in order, and records the calls as the
    /// server would decode them.
    struct Canned {
        replies: VecDeque<Result<Vec<u8>, TransportError>>,
        calls: Vec<MethodCall>,
    }

    impl Canned {
        fn new(replies: Vec<Result<Vec<u8>, TransportError>>) -> Self {
            Self {
                replies: replies.into(),
                calls: Vec::new(),
            }
        }
    }

    fn body(r: &Response) -> Result<Vec<u8>, TransportError> {
        let mut out = Vec::new();
        encode_response(r, &EncodeOptions::extensions(), &mut out).unwrap();
        Ok(out)
    }

    impl Transport for Canned {
        fn call(
            &mut self,
            _target: &Target,
            call: &MethodCall,
            limits: &Limits,
        ) -> Result<Reply, TransportError> {
            let mut sent = Vec::new();
            encode_call(call, &EncodeOptions::extensions(), &mut sent)
                .map_err(|e| TransportError::Invalid(e.to_string()))?;
            self.calls.push(decode_call(&sent, limits).unwrap());
            let body = self.replies.pop_front().expect("a reply for every call")?;
            let result = decode_response(&body, limits)
                .map_err(|e| TransportError::Malformed(e.to_string()))?;
            Ok(Reply { body, result })
        }
    }

    fn target() -> Target {
        Target {
            endpoint: crate::endpoint::parse("localhost:7080").unwrap(),
            timeout: None,
            headers: vec![],
            basic_auth: None,
            cacert: None,
            insecure: false,
        }
    }

    fn call(t: &mut Canned, format: Format) -> (Result<(), Failure>, String) {
        let mut out = Vec::new();
        let c = MethodCall::new("echo", vec![Value::Nil, Value::I8(1)]);
        let r = run_call(t, &target(), &c, format, &Limits::default(), &mut out);
        (r, String::from_utf8(out).unwrap())
    }

    #[test]
    fn result_in_each_format() {
        let ok = Ok(Value::Array(vec![Value::Int(1), Value::from("x")]));
        let mut t = Canned::new(vec![body(&ok), body(&ok), body(&ok)]);
        assert_eq!(
            call(&mut t, Format::Text),
            (Ok(()), "array [\n  int 1\n  string \"x\"\n]\n".into())
        );
        assert_eq!(call(&mut t, Format::Json), (Ok(()), "[1, \"x\"]\n".into()));
        let raw = String::from_utf8(body(&ok).unwrap()).unwrap();
        assert_eq!(call(&mut t, Format::Xml), (Ok(()), raw));
        assert_eq!(
            t.calls[0],
            MethodCall::new("echo", vec![Value::Nil, Value::I8(1)])
        );
    }

    #[test]
    fn fault_is_a_failure_and_xml_still_prints() {
        let fault = Err(Fault::new(12, "hello"));
        let mut t = Canned::new(vec![body(&fault), body(&fault)]);
        let (r, out) = call(&mut t, Format::Text);
        assert_eq!(r, Err(Failure::Fault(Fault::new(12, "hello"))));
        assert_eq!(out, "");
        let (r, out) = call(&mut t, Format::Xml);
        assert_eq!(r, Err(Failure::Fault(Fault::new(12, "hello"))));
        assert!(out.contains("<fault>"), "{out}");
    }

    #[test]
    fn transport_and_decode_errors() {
        let mut t = Canned::new(vec![
            Err(TransportError::Http {
                status: 404,
                reason: "Not Found".into(),
            }),
            Err(TransportError::Timeout(Duration::from_millis(1500))),
            Ok(b"<methodResponse><params>".to_vec()),
        ]);
        let (r, _) = call(&mut t, Format::Text);
        assert_eq!(
            r,
            Err(Failure::Error(
                "http://localhost:7080/RPC2: HTTP status 404 Not Found".into()
            ))
        );
        let (r, _) = call(&mut t, Format::Text);
        assert_eq!(
            r,
            Err(Failure::Error(
                "http://localhost:7080/RPC2: no answer within 1.5 s".into()
            ))
        );
        let (r, _) = call(&mut t, Format::Text);
        let Err(Failure::Error(msg)) = r else {
            panic!("{r:?}")
        };
        assert!(
            msg.contains("malformed response") && msg.contains("at byte"),
            "{msg}"
        );
    }

    #[test]
    fn transport_error_messages() {
        for (e, want) in [
            (
                TransportError::Http {
                    status: 500,
                    reason: "Internal Server Error".into(),
                },
                "HTTP status 500 Internal Server Error",
            ),
            (
                TransportError::Timeout(Duration::from_secs(2)),
                "no answer within 2 s",
            ),
            (
                TransportError::Io("connection refused".into()),
                "connection refused",
            ),
            (
                TransportError::Tls("unknown issuer".into()),
                "TLS: unknown issuer",
            ),
            (
                TransportError::Protocol("head larger than 16384 bytes".into()),
                "bad HTTP from the server: head larger than 16384 bytes",
            ),
        ] {
            assert_eq!(e.to_string(), want);
        }
    }

    #[test]
    fn unencodable_call_is_a_usage_error() {
        let mut t = Canned::new(vec![]);
        let mut out = Vec::new();
        let c = MethodCall::new("echo", vec![Value::from("\u{1}")]);
        let r = run_call(
            &mut t,
            &target(),
            &c,
            Format::Text,
            &Limits::default(),
            &mut out,
        );
        assert!(matches!(r, Err(Failure::Usage(_))), "{r:?}");
        assert!(t.calls.is_empty());
    }

    #[test]
    fn introspect_lists_signatures_and_help() {
        let sig = |types: &[&str]| Value::Array(types.iter().map(|&t| Value::from(t)).collect());
        let mut t = Canned::new(vec![
            body(&Ok(Value::Array(vec![
                Value::from("add"),
                Value::from("fail"),
            ]))),
            body(&Ok(Value::Array(vec![
                sig(&["int", "int", "int"]),
                sig(&["double", "double", "double"]),
            ]))),
            body(&Ok(Value::from("This function add two numbers."))),
            body(&Ok(Value::from(""))),
            body(&Err(Fault::new(23, "no such method"))),
        ]);
        let mut out = Vec::new();
        run_introspect(
            &mut t,
            &target(),
            &[],
            Format::Text,
            &Limits::default(),
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "add(int, int) -> int\nadd(double, double) -> double\n    This function add two numbers.\nfail(...)\n"
        );
        assert_eq!(t.calls.len(), 5);
        assert_eq!(
            t.calls[1],
            MethodCall::new("system.methodSignature", vec![Value::from("add")])
        );
        assert_eq!(
            t.calls[2],
            MethodCall::new("system.methodHelp", vec![Value::from("add")])
        );
    }

    #[test]
    fn method_text_is_printable() {
        let mut out = String::new();
        write_method_text(
            &MethodInfo {
                name: "m\u{1b}[2J".into(),
                signatures: Value::Array(vec![Value::Array(vec![
                    Value::from("int"),
                    Value::Int(3),
                    Value::from("a\rb"),
                ])]),
                help: Value::from("\n  First line.\t \r\n\n  Second\u{7}.  \n\n"),
            },
            &mut out,
        );
        assert_eq!(
            out,
            "m\\u{1b}[2J(?, a\\rb) -> int\n    First line.\n\n      Second\\u{7}.\n"
        );
        let mut out = String::new();
        let info = |help| MethodInfo {
            name: "x".into(),
            signatures: Value::from("signatures not supported"),
            help,
        };
        write_method_text(&info(Value::from(" \n ")), &mut out);
        write_method_text(&info(Value::Nil), &mut out);
        assert_eq!(out, "x(...)\nx(...)\n");
    }

    #[test]
    fn introspect_json_and_given_methods() {
        let mut t = Canned::new(vec![
            body(&Ok(Value::from(""))),
            body(&Ok(Value::from("Help for dict."))),
        ]);
        let mut out = Vec::new();
        run_introspect(
            &mut t,
            &target(),
            &["dict".to_owned()],
            Format::Json,
            &Limits::default(),
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[{\"name\": \"dict\", \"signatures\": \"\", \"help\": \"Help for dict.\"}]\n"
        );
    }

    #[test]
    fn introspect_list_fault_and_bad_list() {
        let mut t = Canned::new(vec![
            body(&Err(Fault::new(23, "nope"))),
            body(&Ok(Value::Int(1))),
        ]);
        let mut out = Vec::new();
        let r = run_introspect(
            &mut t,
            &target(),
            &[],
            Format::Text,
            &Limits::default(),
            &mut out,
        );
        assert_eq!(
            r,
            Err(Failure::Refused(
                "http://localhost:7080/RPC2 offers no introspection: \
                 system.listMethods answered fault 23: nope"
                    .into()
            ))
        );
        let r = run_introspect(
            &mut t,
            &target(),
            &[],
            Format::Text,
            &Limits::default(),
            &mut out,
        );
        assert!(matches!(r, Err(Failure::Error(m)) if m.contains("not an array")));
    }
}
