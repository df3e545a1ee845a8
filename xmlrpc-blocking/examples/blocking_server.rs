//! The seed's example server on std threads: `echo`, `add`, `fault` (123,
//! `The fault procedure is faulty.`), the `date` sub-handler with `time`,
//! and introspection, on `http://127.0.0.1:7080/` (and `/RPC2`).
//!
//! ```sh
//! cargo run -p xmlrpc-blocking --example blocking_server    # then, elsewhere:
//! python3 -c 'import xmlrpc.client as x; print(x.ServerProxy("http://127.0.0.1:7080/").add(2, 3))'
//! ```
//!
//! An optional argument replaces the address (`127.0.0.1:0` picks a port).
//! Ctrl-C stops it after the calls in flight.

use std::net::TcpListener;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use xmlrpc_blocking::Server;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7080".to_owned());
    let server = Server::new(xmlrpc_conformance::example());
    let stop = server.shutdown_handle();
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            stop.shutdown();
        }
    });
    let listener = TcpListener::bind(&addr)?;
    println!("listening on http://{}/", listener.local_addr()?);
    server.serve(listener)
}
