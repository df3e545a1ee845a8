//! A custom lookup policy (Twisted's `lookupProcedure` override) on std
//! threads: the seed's `EchoHandler` and `AddHandler` in a table of handler
//! objects ([`xmlrpc_conformance::examples::custom_lookup`]; the tokio
//! crate's `custom_lookup` example spells them out); names starting with
//! `SESSION` answer fault 42, any other unknown name the usual NOT_FOUND
//! fault.
//!
//! ```sh
//! cargo run -p xmlrpc-blocking --example blocking_custom_lookup
//! ```
//!
//! It serves on `127.0.0.1:7082` (or the address given as argument), calls
//! itself, prints the answers, and keeps serving until Ctrl-C.

use std::net::TcpListener;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use xmlrpc_blocking::{Client, Server, Site};
use xmlrpc_conformance::examples;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7082".to_owned());
    let listener = TcpListener::bind(&addr)?;
    let url = format!("http://{}/", listener.local_addr()?);
    println!("listening on {url}");
    let server = Server::new(Site::standard(examples::custom_lookup()));
    let stop = server.shutdown_handle();
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            stop.shutdown();
        }
    });
    let serving = std::thread::spawn(move || server.serve(listener));

    let client = Client::new(&url)?;
    for (what, call) in examples::custom_lookup_calls() {
        examples::show(what, &client.call_method(&call));
    }

    serving.join().map_err(|_| "server thread panicked")??;
    Ok(())
}
