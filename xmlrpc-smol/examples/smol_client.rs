//! The seed's `callRemote` example against the local example server:
//! start `cargo run -p xmlrpc-smol --example smol_server` first, then
//!
//! ```sh
//! cargo run -p xmlrpc-smol --example smol_client [URL]
//! ```
//!
//! Calls run concurrently over one client; each outcome is printed as it
//! comes: a value, or a fault with its code and string.

use xmlrpc_conformance::examples::{seed_calls, show};
use xmlrpc_smol::{CallError, Client};

fn main() -> Result<(), CallError> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:7080/".to_owned());
    let proxy = Client::new(&url)?;
    smol::block_on(async {
        // Every call at once over the one client; outcomes in order.
        let calls = seed_calls();
        let mut outcomes = Vec::new();
        for (what, call) in &calls {
            let proxy = proxy.clone();
            let call = call.clone();
            outcomes.push((
                *what,
                smol::spawn(async move { proxy.call_method(&call).await }),
            ));
        }
        for (what, outcome) in outcomes {
            show(what, &outcome.await);
        }
    });
    Ok(())
}
