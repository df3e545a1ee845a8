//! The suite's [`Harness`] for `xmlrpc-smol`: its server on smol's global
//! executor, its client driven by `smol::block_on` on the calling thread.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::Duration;

use xmlrpc_proto::dispatch::Site;
use xmlrpc_proto::{MethodCall, Value};
use xmlrpc_smol::{Client, Overload, Server, ShutdownHandle};

use crate::harness::{ClientOptions, Harness, Outcome, RunningServer, ServerOptions, TestClient};

/// `xmlrpc-smol`'s server and client.
#[derive(Debug)]
pub struct SmolHarness;

struct Running {
    addr: SocketAddr,
    stop: ShutdownHandle,
    done: mpsc::Receiver<()>,
}

impl RunningServer for Running {
    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn begin_shutdown(&self) {
        self.stop.shutdown();
    }

    fn wait(self: Box<Self>, timeout: Duration) -> bool {
        self.done.recv_timeout(timeout).is_ok()
    }
}

struct SmolClient {
    client: Client,
}

impl TestClient for SmolClient {
    fn call(&self, method: &str, params: Vec<Value>) -> Outcome {
        let call = MethodCall::new(method, params);
        smol::block_on(self.client.call_method(&call)).into()
    }
}

/// Applies the suite's server options to a smol server builder.
fn smol_server(site: Site, options: &ServerOptions) -> xmlrpc_smol::ServerBuilder {
    let mut b = Server::builder(site);
    if let Some(l) = &options.limits {
        b = b.limits(l.clone());
    }
    if let Some(n) = options.max_connections {
        b = b.max_connections(n);
    }
    if let Some(n) = options.max_in_flight {
        b = b.max_in_flight(n);
    }
    if options.refuse_overload {
        b = b.overload(Overload::Refuse);
    }
    if let Some((cert, key)) = &options.tls {
        b = b
            .tls_pem(cert.as_bytes(), key.as_bytes())
            .expect("test certificate");
    }
    b
}

/// Applies the suite's client options to a smol client builder.
fn smol_client(url: &str, options: &ClientOptions) -> xmlrpc_smol::ClientBuilder {
    let mut b = Client::builder(url)
        .allow_nil(options.extensions)
        .allow_i8(options.extensions);
    if let Some(pem) = &options.root_pem {
        b = b.add_root_certificate_pem(pem.as_bytes());
    }
    if options.insecure {
        b = b.danger_accept_invalid_certs(true);
    }
    if let Some(t) = options.call_timeout {
        b = b.call_timeout(t);
    }
    if let Some(t) = options.connect_timeout {
        b = b.connect_timeout(t);
    }
    if let Some(l) = &options.limits {
        b = b.limits(l.clone());
    }
    for (name, value) in &options.headers {
        b = b.header(name, value);
    }
    b
}

impl Harness for SmolHarness {
    const NAME: &'static str = "smol";

    fn serve(site: Site, options: &ServerOptions) -> Box<dyn RunningServer> {
        let server = smol_server(site, options).build();
        let listener = smol::block_on(smol::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stop = server.shutdown_handle();
        let (tx, done) = mpsc::channel();
        smol::spawn(async move {
            let _ = server.serve(listener).await;
            let _ = tx.send(());
        })
        .detach();
        Box::new(Running { addr, stop, done })
    }

    fn client(url: &str, options: &ClientOptions) -> Result<Box<dyn TestClient>, String> {
        let client = smol_client(url, options)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Box::new(SmolClient { client }))
    }
}
