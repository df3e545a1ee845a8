//! Reads one XML-RPC document on stdin and prints it as one line of JSON.
//!
//! ```text
//! cargo run -p xmlrpc-proto --example decode < xmlrpc-proto/examples/data/call.xml
//! ```
//!
//! A malformed document: exit status 2, the reason and byte offset on stderr.

use std::io::{Read, Write};
use std::process::ExitCode;

use xmlrpc_proto::{Limits, codec, json};

fn main() -> ExitCode {
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    match codec::decode_document(&input, &Limits::default()) {
        Ok(doc) => {
            let mut line = json::document_to_string(&doc);
            line.push('\n');
            if std::io::stdout().write_all(line.as_bytes()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("malformed document: {e}");
            ExitCode::from(2)
        }
    }
}
