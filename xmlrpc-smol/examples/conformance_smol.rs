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

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use smol::{Executor, future};
use xmlrpc_smol::{Limits, Server};

const USAGE: &str = "usage: conformance_smol [--listen ADDR] [--exit-on-stdin-eof]";

struct Args {
    listen: String,
    exit_on_stdin_eof: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:7080".to_owned(),
        exit_on_stdin_eof: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--listen" => args.listen = it.next().ok_or("--listen needs an address")?,
            "--exit-on-stdin-eof" => args.exit_on_stdin_eof = true,
            "-h" | "--help" => return Err(String::new()),
            other => match other.strip_prefix("--listen=") {
                Some(addr) => args.listen = addr.to_owned(),
                None => return Err(format!("unknown argument {other:?}")),
            },
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("conformance_smol: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let executor = Arc::new(Executor::new());
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    for _ in 1..threads {
        let ex = Arc::clone(&executor);
        std::thread::spawn(move || smol::block_on(ex.run(future::pending::<()>())));
    }
    let mut limits = Limits::default();
    limits.max_body_bytes = 32 * 1024 * 1024;
    limits.max_depth = 128;
    let spawn_on = Arc::clone(&executor);
    let server = Server::builder(xmlrpc_conformance::site())
        .limits(limits)
        .spawner(move |f| spawn_on.spawn(f).detach())
        .build();
    // The handlers are installed before the address is printed, so that a
    // signal sent as soon as it is read is not missed.
    let mut signals = match Signals::new([SIGTERM, SIGINT]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("conformance_smol: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stop = server.shutdown_handle();
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            stop.shutdown();
        }
    });
    if args.exit_on_stdin_eof {
        let stop = server.shutdown_handle();
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = [0u8; 1024];
            while let Ok(n) = stdin.read(&mut buf) {
                if n == 0 {
                    break;
                }
            }
            stop.shutdown();
        });
    }
    smol::block_on(executor.run(async {
        let listener = match smol::net::TcpListener::bind(&args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("conformance_smol: cannot listen on {}: {e}", args.listen);
                return ExitCode::from(2);
            }
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("conformance_smol: {e}");
                return ExitCode::from(2);
            }
        };
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{addr}/");
            let _ = out.flush();
        }
        match server.serve(listener).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("conformance_smol: {e}");
                ExitCode::FAILURE
            }
        }
    }))
}
