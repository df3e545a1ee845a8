//! A procedure that receives the HTTP request first (Twisted's
//! `withRequest`): `headerValue(name)` returns every value of the request
//! header `name`, and `whoami()` the caller's address (the procedures are
//! [`xmlrpc_conformance::examples::with_request`]; the tokio crate's
//! `with_request` example spells them out).
//!
//! ```sh
//! cargo run -p xmlrpc-smol --example smol_with_request
//! ```
//!
//! It serves on `127.0.0.1:7081` (or the address given as argument), calls
//! itself once with an extra header, prints the answers, and keeps serving
//! until Ctrl-C.

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use xmlrpc_smol::{Client, Server, Site};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rpc = xmlrpc_conformance::examples::with_request();
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
            .unwrap_or_else(|| "127.0.0.1:7081".to_owned());
        let listener = smol::net::TcpListener::bind(&addr).await?;
        let url = format!("http://{}/RPC2", listener.local_addr()?);
        println!("listening on {url}");
        let serving = smol::spawn(async move { server.serve(listener).await });

        let client = Client::builder(&url)
            .header("X-Example", "first")
            .header("X-Example", "second")
            .build()?;
        let values: Vec<String> = client.call("headerValue", ("X-Example",)).await?;
        println!("headerValue(\"X-Example\") = {values:?}");
        let me: String = client.call("whoami", ()).await?;
        println!("whoami() = {me}");

        serving.await?;
        Ok(())
    })
}
