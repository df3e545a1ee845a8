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

use xmlrpc_blocking::{CallError, Client, Value};

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
    let proxy = Client::new(&url)?;
    let (echo, add, fault, time) = thread::scope(|s| {
        let echo = s.spawn(|| proxy.call::<Value>("echo", ("Hello, world!",)));
        let add = s.spawn(|| proxy.call::<Value>("add", (3, 5)));
        let fault = s.spawn(|| proxy.call::<Value>("fault", ()));
        let time = s.spawn(|| proxy.call::<Value>("date.time", ()));
        let join = |h: thread::ScopedJoinHandle<'_, Result<Value, CallError>>| {
            h.join()
                .unwrap_or_else(|_| Err(CallError::InvalidCall("caller panicked".into())))
        };
        (join(echo), join(add), join(fault), join(time))
    });
    show("echo(\"Hello, world!\")", echo);
    show("add(3, 5)", add);
    show("fault()", fault);
    show("date.time()", time);
    let help: String = proxy.call("system.methodHelp", ("add",))?;
    println!("system.methodHelp(\"add\") = {help:?}");
    Ok(())
}
