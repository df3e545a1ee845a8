//! The conformance server of the interface contract (`CONTRACT.md`,
//! section 1) on tokio.
//!
//! ```sh
//! cargo run --release -p xmlrpc-tokio --example conformance_tokio -- --listen 127.0.0.1:0
//! ```
//!
//! - `--listen ADDR` (default `127.0.0.1:7080`; port 0 picks a free one).
//! - The first stdout line is `listening on http://HOST:PORT/`, flushed.
//! - Stops cleanly (exit 0, calls in flight finished) on SIGTERM or
//!   SIGINT, or at the end of stdin with `--exit-on-stdin-eof`.
//! - Serves the conformance procedures at `/` and `/RPC2`; request bodies
//!   up to 32 MiB; 30 s head, body and idle deadlines.

use std::process::ExitCode;

use xmlrpc_conformance::{Options, announce, limits, on_stop_request};
use xmlrpc_tokio::Server;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Options::from_env();
    let server = Server::builder(xmlrpc_conformance::site())
        .limits(limits())
        .build();
    // Signals and the end of stdin are watched on plain threads: a
    // blocking read of stdin on the runtime would keep it from shutting
    // down after a signal.
    let stop = server.shutdown_handle();
    if let Err(e) = on_stop_request(args.exit_on_stdin_eof, move || stop.shutdown()) {
        eprintln!("conformance_tokio: cannot install signal handlers: {e}");
        return ExitCode::FAILURE;
    }
    let bound = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l.local_addr().map(|a| (a, l)),
        Err(e) => Err(e),
    };
    let (addr, listener) = match bound {
        Ok(b) => b,
        Err(e) => {
            eprintln!("conformance_tokio: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    announce(addr);
    match server.serve(listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conformance_tokio: {e}");
            ExitCode::FAILURE
        }
    }
}
