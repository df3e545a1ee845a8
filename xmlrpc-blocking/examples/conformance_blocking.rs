//! The conformance server of the interface contract (`CONTRACT.md`,
//! section 1) on std threads.
//!
//! ```sh
//! cargo run --release -p xmlrpc-blocking --example conformance_blocking -- --listen 127.0.0.1:0
//! ```
//!
//! - `--listen ADDR` (default `127.0.0.1:7080`; port 0 picks a free one).
//! - The first stdout line is `listening on http://HOST:PORT/`, flushed.
//! - Stops cleanly (exit 0, calls in flight finished) on SIGTERM or
//!   SIGINT, or at the end of stdin with `--exit-on-stdin-eof`.
//! - Serves the conformance procedures at `/` and `/RPC2`; request bodies
//!   up to 32 MiB; 30 s head, body and idle deadlines.

use std::net::TcpListener;
use std::process::ExitCode;

use xmlrpc_blocking::Server;
use xmlrpc_conformance::{Options, announce, limits, on_stop_request};

fn main() -> ExitCode {
    let args = Options::from_env();
    let server = Server::builder(xmlrpc_conformance::site())
        .limits(limits())
        .build();
    let stop = server.shutdown_handle();
    if let Err(e) = on_stop_request(args.exit_on_stdin_eof, move || stop.shutdown()) {
        eprintln!("conformance_blocking: cannot install signal handlers: {e}");
        return ExitCode::FAILURE;
    }
    let bound = TcpListener::bind(&args.listen).and_then(|l| Ok((l.local_addr()?, l)));
    let (addr, listener) = match bound {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "conformance_blocking: cannot listen on {}: {e}",
                args.listen
            );
            return ExitCode::from(2);
        }
    };
    announce(addr);
    match server.serve(listener) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conformance_blocking: {e}");
            ExitCode::FAILURE
        }
    }
}
