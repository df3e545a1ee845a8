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

use std::io::{Read, Write};
use std::process::ExitCode;

use xmlrpc_tokio::{Limits, Server};

const USAGE: &str = "usage: conformance_tokio [--listen ADDR] [--exit-on-stdin-eof]";

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

/// Completes on SIGTERM, SIGINT, or (when asked) the end of stdin. The
/// signal handlers are installed before this returns, so that a signal
/// sent as soon as the address is printed is not missed.
fn stop_signal(exit_on_stdin_eof: bool) -> std::io::Result<impl Future<Output = ()> + Send> {
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
        )
    };
    Ok(async move {
        // A plain thread, not `tokio::io::stdin`: its blocking read would
        // keep the runtime from shutting down after a signal.
        let (eof_tx, eof_rx) = tokio::sync::oneshot::channel::<()>();
        if exit_on_stdin_eof {
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                let mut stdin = std::io::stdin();
                while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
                let _ = eof_tx.send(());
            });
        }
        let stdin_eof = async {
            if exit_on_stdin_eof {
                let _ = eof_rx.await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        tokio::select! {
            () = stdin_eof => {}
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        #[cfg(not(unix))]
        tokio::select! {
            () = stdin_eof => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("conformance_tokio: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stop = match stop_signal(args.exit_on_stdin_eof) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("conformance_tokio: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("conformance_tokio: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("conformance_tokio: {e}");
            return ExitCode::from(2);
        }
    };
    let mut limits = Limits::default();
    limits.max_body_bytes = 32 * 1024 * 1024;
    limits.max_depth = 128;
    let server = Server::builder(xmlrpc_conformance::site())
        .limits(limits)
        .build();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}/");
        let _ = out.flush();
    }
    match server.serve_with_shutdown(listener, stop).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conformance_tokio: {e}");
            ExitCode::FAILURE
        }
    }
}
