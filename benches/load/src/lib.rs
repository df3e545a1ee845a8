//! Peer servers for the XML-RPC load benchmark (`run.sh` beside this crate).
//!
//! Both binaries take the command line of the project's conformance
//! servers, so the script starts every server the same way:
//!
//! - `--listen ADDR` (default `127.0.0.1:7080`; port 0 picks a free one);
//! - the first line on stdout, flushed at once, is
//!   `listening on http://HOST:PORT/`;
//! - they stop with exit 0 on SIGTERM or SIGINT.
//!
//! `dxr_axum` serves `add` and `validator1.arrayOfStructsTest` with the
//! `dxr` crate on axum; `hyper_ceiling` answers every POST with one fixed
//! XML-RPC response without parsing the request (the most a Rust HTTP/1.1
//! server on tokio can do on the machine).

#![forbid(unsafe_code)]

use std::io::Write;
use std::net::SocketAddr;

/// The parsed command line of a peer server.
#[derive(Debug)]
pub struct Args {
    /// The address to listen on.
    pub listen: String,
    /// Options this crate does not know, in order, for the binary to read.
    pub rest: Vec<String>,
}

/// Reads `--listen ADDR` (or `--listen=ADDR`) from the command line; every
/// other argument is left in [`Args::rest`].
#[must_use]
pub fn parse_args() -> Args {
    let mut args = Args {
        listen: "127.0.0.1:7080".to_owned(),
        rest: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        if arg == "--listen" {
            match it.next() {
                Some(addr) => args.listen = addr,
                None => fail("--listen needs an address"),
            }
        } else if let Some(addr) = arg.strip_prefix("--listen=") {
            args.listen = addr.to_owned();
        } else {
            args.rest.push(arg);
        }
    }
    args
}

/// Binds `addr` and prints the listening line on stdout, flushed.
pub async fn bind(addr: &str) -> tokio::net::TcpListener {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => fail(&format!("cannot listen on {addr}: {e}")),
    };
    let local: SocketAddr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => fail(&e.to_string()),
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on http://{local}/");
    let _ = out.flush();
    listener
}

/// Completes on SIGTERM or SIGINT. The handlers are installed when this is
/// called, not when the future is first polled.
pub fn stop_signal() -> impl Future<Output = ()> + Send {
    use tokio::signal::unix::{SignalKind, signal};
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(t), Ok(i)) => (t, i),
        (Err(e), _) | (_, Err(e)) => fail(&format!("cannot install signal handlers: {e}")),
    };
    async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
}

/// Prints `message` on stderr and exits with status 2.
pub fn fail(message: &str) -> ! {
    let name = std::env::args().next().unwrap_or_default();
    eprintln!("{name}: {message}");
    std::process::exit(2)
}
