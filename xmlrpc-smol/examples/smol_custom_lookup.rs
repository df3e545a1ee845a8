//! A custom lookup policy (Twisted's `lookupProcedure` override): the
//! seed's `EchoHandler` and `AddHandler` live in a table of handler
//! objects, looked up by name; names starting with `SESSION` answer fault
//! 42, any other unknown name the usual NOT_FOUND fault.
//!
//! ```sh
//! cargo run -p xmlrpc-smol --example smol_custom_lookup
//! ```
//!
//! It serves on `127.0.0.1:7082` (or the address given as argument), calls
//! itself, prints the answers, and keeps serving until Ctrl-C.

use std::collections::BTreeMap;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use xmlrpc_smol::proto::dispatch::LookupError;
use xmlrpc_smol::{Client, Dispatcher, Fault, Lookup, Procedure, Server, Site, Value};

/// The seed's `EchoHandler`: returns its arguments.
struct EchoHandler;

impl EchoHandler {
    fn procedure(&self) -> Procedure {
        let mut p = Procedure::variadic(|_head, args: Vec<Value>| Value::Array(args));
        p.help("Returns its arguments as an array.");
        p
    }
}

/// The seed's `AddHandler`: adds two integers.
struct AddHandler;

impl AddHandler {
    fn procedure(&self) -> Procedure {
        let mut p = Procedure::new(|a: i32, b: i32| a + b);
        p.help("Adds two integers.").derive_signature();
        p
    }
}

/// Looks procedures up in a table of handlers.
struct HandlerTable {
    handlers: BTreeMap<&'static str, Procedure>,
}

impl Lookup for HandlerTable {
    fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError> {
        match self.handlers.get(name) {
            Some(p) => Ok(p.clone()),
            None if name.starts_with("SESSION") => {
                Err(Fault::new(42, "Session non-existent/expired.").into())
            }
            None => Err(LookupError::not_found(name)),
        }
    }

    fn list_procedures(&self) -> Vec<String> {
        self.handlers.keys().map(|k| (*k).to_owned()).collect()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut handlers = BTreeMap::new();
    handlers.insert("echo", EchoHandler.procedure());
    handlers.insert("add", AddHandler.procedure());
    let mut rpc = Dispatcher::new();
    rpc.set_lookup(HandlerTable { handlers })
        .enable_introspection();

    let server = Server::new(Site::standard(rpc));
    let stop = server.shutdown_handle();
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            stop.shutdown();
        }
    });
    smol::block_on(async {
        let addr = std::env::args()
            .nth(1)
            .unwrap_or_else(|| "127.0.0.1:7082".to_owned());
        let listener = smol::net::TcpListener::bind(&addr).await?;
        let url = format!("http://{}/", listener.local_addr()?);
        println!("listening on {url}");
        let serving = smol::spawn(async move { server.serve(listener).await });

        let client = Client::new(&url)?;
        let sum: i32 = client.call("add", (2, 3)).await?;
        println!("add(2, 3) = {sum}");
        let echoed: Value = client.call("echo", ("hello", 1.5)).await?;
        println!("echo(\"hello\", 1.5) = {echoed:?}");
        let methods: Vec<String> = client.call("system.listMethods", ()).await?;
        println!("system.listMethods() = {methods:?}");
        match client.call::<Value>("SESSION17", ()).await {
            Err(e) => println!("SESSION17() -> {e}"),
            Ok(v) => println!("SESSION17() = {v:?}"),
        }

        serving.await?;
        Ok(())
    })
}
