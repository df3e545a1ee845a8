//! The seed's example server: `echo`, `add`, `fault` (123, `The fault
//! procedure is faulty.`), the `date` sub-handler with `time`, and
//! introspection, on `http://127.0.0.1:7080/` (and `/RPC2`).
//!
//! ```sh
//! cargo run -p xmlrpc-tokio --example server            # then, elsewhere:
//! python3 -c 'import xmlrpc.client as x; print(x.ServerProxy("http://127.0.0.1:7080/").add(2, 3))'
//! ```
//!
//! An optional argument replaces the address (`127.0.0.1:0` picks a port).
//! Ctrl-C stops it after the calls in flight.

use xmlrpc_tokio::Server;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7080".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}/", listener.local_addr()?);
    let server = Server::new(xmlrpc_conformance::example());
    server
        .serve_with_shutdown(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
