//! Reads one document in the JSON form that the `decode` example prints and
//! writes it as XML-RPC.
//!
//! ```text
//! cargo run -p xmlrpc-proto --example encode < xmlrpc-proto/examples/data/call.json
//! ```
//!
//! `null` and integers beyond 32 bits are written as the `<nil/>` and `<i8>`
//! extensions. Invalid JSON or a value XML-RPC cannot carry: exit status 2,
//! the reason on stderr.

use std::io::{Read, Write};
use std::process::ExitCode;

use xmlrpc_proto::{Document, EncodeOptions, Limits, codec, json};

fn main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    let doc = match json::parse_document(&input, &Limits::default()) {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!("invalid JSON document: {e}");
            return ExitCode::from(2);
        }
    };
    let options = EncodeOptions::extensions();
    let mut out = Vec::new();
    let written = match &doc {
        Document::Call(call) => codec::encode_call(call, &options, &mut out),
        Document::Response(response) => codec::encode_response(response, &options, &mut out),
    };
    if let Err(e) = written {
        eprintln!("cannot encode: {e}");
        return ExitCode::from(2);
    }
    out.push(b'\n');
    if std::io::stdout().write_all(&out).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
