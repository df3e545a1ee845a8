//! The seed's `callRemote` example against the local example server:
//! start `cargo run -p xmlrpc-blocking --example blocking_server` first,
//! then
//!
//! ```sh
//! cargo run -p xmlrpc-blocking --example blocking_client [URL]
//! ```
//!
//! Calls run at once from several threads over one client; each outcome
//! is printed: a value, or a fault with its code and string.

use std::thread;

use xmlrpc_blocking::{CallError, Client};
use xmlrpc_conformance::examples::{seed_calls, show};

fn main() -> Result<(), CallError> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:7080/".to_owned());
    let proxy = Client::new(&url)?;
    // Every call at once, one thread each, over the one client; outcomes
    // in order.
    let calls = seed_calls();
    thread::scope(|s| {
        let running: Vec<_> = calls
            .iter()
            .map(|(what, call)| (*what, s.spawn(|| proxy.call_method(call))))
            .collect();
        for (what, handle) in running {
            let outcome = handle
                .join()
                .unwrap_or_else(|_| Err(CallError::InvalidCall("caller panicked".into())));
            show(what, &outcome);
        }
    });
    Ok(())
}
