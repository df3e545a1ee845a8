//! The `xmlrpc` command: call, inspect and script XML-RPC services.
//!
//! ```text
//! xmlrpc call URL METHOD [ARG...]
//! xmlrpc introspect URL [METHOD...]
//! xmlrpc decode < DOCUMENT
//! xmlrpc encode call METHOD [ARG...] | response ARG | fault CODE STRING
//! ```
//!
//! Exit status: 0 result, 1 fault (`fault CODE: STRING` on stderr), 2
//! transport, HTTP or usage error (a one-line reason on stderr). Run
//! `xmlrpc --help` for the argument syntax and the options.
//!
//! The binary is a thin wrapper around [`main`]. The library also exposes
//! the typed argument syntax ([`parse_arg`]), so that it can be tested and
//! fuzzed on its own.
//!
//! ```
//! use xmlrpc_cli::parse_arg;
//! use xmlrpc_proto::Value;
//!
//! let v = parse_arg("array/(i/1,s/x)", 64).unwrap();
//! assert_eq!(v, Value::Array(vec![Value::Int(1), Value::from("x")]));
//! assert!(parse_arg("i/x", 64).is_err());
//! ```
#![forbid(unsafe_code)]

mod args;
mod call;
mod cli;
mod endpoint;
mod help;
mod http;
mod output;

use std::io::{self, Read, Write};
use std::process::ExitCode;

use xmlrpc_proto::codec::{decode_document, encode_fault, encode_response};
use xmlrpc_proto::{EncodeOptions, Fault, Limits};

pub use crate::args::{ArgError, parse_arg};
use crate::cli::{Command, Encode};
use crate::http::HttpTransport;

/// How a command failed, and so its exit status and message.
#[derive(Debug, PartialEq)]
pub(crate) enum Failure {
    /// Bad command line or unwritable arguments: exit 2.
    Usage(String),
    /// The server answered with a fault: exit 1, `fault CODE: STRING`.
    Fault(Fault),
    /// The server refused with a fault that needs its context to be
    /// understood (no introspection): exit 1, this one-line reason.
    Refused(String),
    /// Transport, HTTP, protocol or input error: exit 2.
    Error(String),
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Fault(_) | Self::Refused(_) => 1,
            Self::Usage(_) | Self::Error(_) => 2,
        }
    }

    /// The line printed on stderr.
    fn message(&self) -> String {
        match self {
            Self::Fault(f) => f.to_string(),
            Self::Usage(m) | Self::Error(m) | Self::Refused(m) => {
                format!("xmlrpc: {}", one_line(m))
            }
        }
    }
}

/// `s` with line breaks and other control characters escaped, so that an
/// error is always one line.
fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// The bounds applied to documents the command reads (stdin, responses).
/// Larger bodies than a server's defaults: a 10 MB result must come
/// through, and the command holds only one document at a time.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_body_bytes = 64 * 1024 * 1024;
    limits.max_string_bytes = 64 * 1024 * 1024;
    limits
}

/// Runs the command line `words` (without the program name), reading
/// `stdin` when the command needs it and appending output to `out`.
fn run(words: &[String], stdin: &mut dyn Read, out: &mut Vec<u8>) -> Result<(), Failure> {
    let limits = limits();
    match cli::parse(words, &limits).map_err(Failure::Usage)? {
        Command::Help(topic) => out.extend_from_slice(help::text(topic).as_bytes()),
        Command::Version => {
            out.extend_from_slice(concat!("xmlrpc ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
        }
        Command::Decode => decode(stdin, &limits, out)?,
        Command::Encode(what) => encode(&what, out)?,
        Command::Call {
            target,
            call,
            format,
        } => call::run_call(
            &mut HttpTransport::default(),
            &target,
            &call,
            format,
            &limits,
            out,
        )?,
        Command::Introspect {
            target,
            methods,
            format,
        } => call::run_introspect(
            &mut HttpTransport::default(),
            &target,
            &methods,
            format,
            &limits,
            out,
        )?,
    }
    Ok(())
}

/// `decode`: one document on stdin to one line of JSON.
fn decode(stdin: &mut dyn Read, limits: &Limits, out: &mut Vec<u8>) -> Result<(), Failure> {
    let mut input = Vec::new();
    let cap = limits.max_body_bytes as u64;
    stdin
        .take(cap + 1)
        .read_to_end(&mut input)
        .map_err(|e| Failure::Error(format!("decode: reading stdin: {e}")))?;
    if input.len() as u64 > cap {
        return Err(Failure::Error(format!(
            "decode: the document is larger than {cap} bytes"
        )));
    }
    let doc =
        decode_document(&input, limits).map_err(|e| Failure::Error(format!("decode: {e}")))?;
    out.extend_from_slice(xmlrpc_proto::json::document_to_string(&doc).as_bytes());
    out.push(b'\n');
    Ok(())
}

/// `encode`: the document, exactly as it would be sent.
fn encode(what: &Encode, out: &mut Vec<u8>) -> Result<(), Failure> {
    let options = EncodeOptions::extensions();
    let written = match what {
        Encode::Call(c) => {
            out.extend_from_slice(&call::call_body(c)?);
            Ok(())
        }
        Encode::Response(v) => encode_response(&Ok(v.clone()), &options, out),
        Encode::Fault(f) => encode_fault(f, &options, out),
    };
    written.map_err(|e| Failure::Usage(format!("cannot encode: {e}")))
}

/// Runs the `xmlrpc` command with the process's arguments (the program
/// name skipped) and standard streams, and returns its exit status.
///
/// Output is written to stdout once the command is done; a failure is one
/// line on stderr. The exit status is 0 for a result, 1 for a fault and 2
/// for a transport, HTTP or usage error.
#[must_use]
pub fn main() -> ExitCode {
    let words: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|w| {
            w.into_string()
                .map_err(|w| format!("argument {w:?} is not valid UTF-8"))
        })
        .collect();
    let mut out = Vec::new();
    let result = match words {
        Ok(words) => run(&words, &mut io::stdin().lock(), &mut out),
        Err(e) => Err(Failure::Usage(e)),
    };
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
        // A reader that went away (`xmlrpc decode | head`) is not an error
        // worth a message.
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("xmlrpc: writing the output: {}", one_line(&e.to_string()));
            return ExitCode::from(2);
        }
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.message());
            ExitCode::from(failure.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_one_line_with_their_exit_code() {
        let f = Failure::Error("bad\nthing\r\u{1}".into());
        assert_eq!(f.message(), "xmlrpc: bad\\nthing\\r\\u{1}");
        assert_eq!(f.exit_code(), 2);
        assert_eq!(Failure::Usage("x".into()).exit_code(), 2);
        let f = Failure::Fault(Fault::new(12, "hello"));
        assert_eq!(
            (f.message().as_str(), f.exit_code()),
            ("fault 12: hello", 1)
        );
    }

    #[test]
    fn decode_input_is_bounded() {
        let mut limits = limits();
        limits.max_body_bytes = 16;
        let doc =
            b"<methodResponse><params><param><value>x</value></param></params></methodResponse>";
        let mut out = Vec::new();
        let r = decode(&mut &doc[..], &limits, &mut out);
        assert_eq!(
            r,
            Err(Failure::Error(
                "decode: the document is larger than 16 bytes".into()
            ))
        );
        let mut out = Vec::new();
        decode(&mut &doc[..], &super::limits(), &mut out).unwrap();
        assert_eq!(out, b"{\"methodResponse\": {\"params\": [\"x\"]}}\n");
    }

    #[test]
    fn run_dispatches() {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let mut out = Vec::new();
        run(&words(&["-V"]), &mut &b""[..], &mut out).unwrap();
        assert_eq!(
            out,
            concat!("xmlrpc ", env!("CARGO_PKG_VERSION"), "\n").as_bytes()
        );
        let r = run(
            &words(&["call", "127.0.0.1:9", "m"]),
            &mut &b""[..],
            &mut Vec::new(),
        );
        assert!(matches!(r, Err(Failure::Error(m)) if m.contains("127.0.0.1:9")));
        let r = run(&words(&["bogus"]), &mut &b""[..], &mut Vec::new());
        assert!(matches!(r, Err(Failure::Usage(_))));
    }
}
