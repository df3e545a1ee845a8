//! The seed's last example: the same Quoter procedures over XML-RPC at
//! `/RPC2` and over SOAP at `/SOAP` of one server, with the WSDL at
//! `/SOAP?wsdl` and a health check at `/health`.
//!
//! ```sh
//! cargo run -p xmlrpc-tokio --example quoter -- --listen 127.0.0.1:7080
//! python3 -c 'import xmlrpc.client as x; print(x.ServerProxy("http://127.0.0.1:7080/RPC2").quote())'
//! curl 'http://127.0.0.1:7080/SOAP?wsdl'
//! # with zeep installed (pip install zeep):
//! python3 -c 'import zeep; print(zeep.Client("http://127.0.0.1:7080/SOAP?wsdl").service.add(2, 3))'
//! ```
//!
//! - `--listen ADDR` (default `127.0.0.1:7080`; port 0 picks a free one).
//! - The first stdout line is `listening on http://HOST:PORT/`, flushed.
//! - Stops cleanly on SIGTERM or SIGINT, or at the end of stdin with
//!   `--exit-on-stdin-eof`.

use std::process::ExitCode;

use xmlrpc_conformance::{Options, announce, examples, on_stop_request};
use xmlrpc_tokio::Server;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Options::from_env();
    let server = Server::new(examples::quoter_site());
    let stop = server.shutdown_handle();
    if let Err(e) = on_stop_request(args.exit_on_stdin_eof, move || stop.shutdown()) {
        eprintln!("quoter: cannot install signal handlers: {e}");
        return ExitCode::FAILURE;
    }
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("quoter: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    match listener.local_addr() {
        Ok(addr) => announce(addr),
        Err(e) => {
            eprintln!("quoter: {e}");
            return ExitCode::FAILURE;
        }
    }
    match server.serve(listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quoter: {e}");
            ExitCode::FAILURE
        }
    }
}
