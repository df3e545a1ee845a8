//! The seed's `callRemote` example against the local example server:
//! start `cargo run -p xmlrpc-smol --example smol_server` first, then
//!
//! ```sh
//! cargo run -p xmlrpc-smol --example smol_client [URL]
//! ```
//!
//! Calls run concurrently over one client; each outcome is printed as it
//! comes: a value, or a fault with its code and string.

use smol::future;
use xmlrpc_smol::{CallError, Client, Value};

fn show(what: &str, outcome: Result<Value, CallError>) {
    match outcome {
        Ok(v) => println!("{what} = {v:?}"),
        Err(CallError::Fault(f)) => println!("{what} -> fault {}: {}", f.code, f.string),
        Err(e) => println!("{what} -> error: {e}"),
    }
}

fn main() -> Result<(), CallError> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:7080/".to_owned());
    smol::block_on(async {
        let proxy = Client::new(&url)?;
        let ((echo, add), (fault, time)) = future::zip(
            future::zip(
                proxy.call::<Value>("echo", ("Hello, world!",)),
                proxy.call::<Value>("add", (3, 5)),
            ),
            future::zip(
                proxy.call::<Value>("fault", ()),
                proxy.call::<Value>("date.time", ()),
            ),
        )
        .await;
        show("echo(\"Hello, world!\")", echo);
        show("add(3, 5)", add);
        show("fault()", fault);
        show("date.time()", time);
        let help: String = proxy.call("system.methodHelp", ("add",)).await?;
        println!("system.methodHelp(\"add\") = {help:?}");
        Ok(())
    })
}
