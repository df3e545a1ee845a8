//! The `xmlrpc` command: call, inspect and script XML-RPC services.
//!
//! Everything lives in the `xmlrpc_cli` library; see its documentation
//! and `xmlrpc --help`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    xmlrpc_cli::main()
}
