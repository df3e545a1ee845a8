//! The conformance server of the interface contract (`CONTRACT.md`,
//! section 1) on smol.
//!
//! ```sh
//! cargo run --release -p xmlrpc-smol --example conformance_smol -- --listen 127.0.0.1:0
//! ```
//!
//! - `--listen ADDR` (default `127.0.0.1:7080`; port 0 picks a free one).
//! - The first stdout line is `listening on http://HOST:PORT/`, flushed.
//! - Stops cleanly (exit 0, calls in flight finished) on SIGTERM or
//!   SIGINT, or at the end of stdin with `--exit-on-stdin-eof`.
//! - Serves the conformance procedures at `/` and `/RPC2`; request bodies
//!   up to 32 MiB; 30 s head, body and idle deadlines.
//!
//! Connections run on an executor with one thread per CPU.

use std::process::ExitCode;
use std::sync::Arc;

use smol::{Executor, future};
use xmlrpc_conformance::{Options, announce, limits, on_stop_request};
use xmlrpc_smol::{Server, ServerBuilderExt};

fn main() -> ExitCode {
    let args = Options::from_env();
    let executor = Arc::new(Executor::new());
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    for _ in 1..threads {
        let ex = Arc::clone(&executor);
        std::thread::spawn(move || smol::block_on(ex.run(future::pending::<()>())));
    }
    let spawn_on = Arc::clone(&executor);
    let server = Server::builder(xmlrpc_conformance::site())
        .limits(limits())
        .spawner(move |f| spawn_on.spawn(f).detach())
        .build();
    let stop = server.shutdown_handle();
    if let Err(e) = on_stop_request(args.exit_on_stdin_eof, move || stop.shutdown()) {
        eprintln!("conformance_smol: cannot install signal handlers: {e}");
        return ExitCode::FAILURE;
    }
    smol::block_on(executor.run(async {
        let bound = match smol::net::TcpListener::bind(&args.listen).await {
            Ok(l) => l.local_addr().map(|a| (a, l)),
            Err(e) => Err(e),
        };
        let (addr, listener) = match bound {
            Ok(b) => b,
            Err(e) => {
                eprintln!("conformance_smol: cannot listen on {}: {e}", args.listen);
                return ExitCode::from(2);
            }
        };
        announce(addr);
        match server.serve(listener).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("conformance_smol: {e}");
                ExitCode::FAILURE
            }
        }
    }))
}
