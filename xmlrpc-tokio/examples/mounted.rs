//! XML-RPC mounted at `/RPC2` of an axum application, beside ordinary web
//! routes, the way the seed mounts its `XMLRPC` resource next to other
//! resources.
//!
//! ```sh
//! cargo run -p xmlrpc-tokio --example mounted
//! curl http://127.0.0.1:7083/            # an ordinary page
//! python3 -c 'import xmlrpc.client as x; print(x.ServerProxy("http://127.0.0.1:7083/RPC2").add(2, 3))'
//! ```

use axum::Router;
use axum::routing::get;
use xmlrpc_tokio::tower::XmlRpcService;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = Router::new()
        .route("/", get(|| async { "Hello: XML-RPC is at /RPC2\n" }))
        .route("/health", get(|| async { "ok\n" }))
        .route_service(
            "/RPC2",
            XmlRpcService::new(xmlrpc_conformance::example_dispatcher()),
        );
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7083".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}/", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
