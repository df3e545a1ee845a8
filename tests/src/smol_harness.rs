//! The suite's [`Harness`] for `xmlrpc-smol`: its server on smol's global
//! executor, its client driven by `smol::block_on` on the calling thread.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::Duration;

use xmlrpc_proto::dispatch::Site;
use xmlrpc_proto::{MethodCall, Value};
use xmlrpc_smol::{Client, Server, ShutdownHandle};

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

impl Harness for SmolHarness {
    const NAME: &'static str = "smol";

    fn serve(site: Site, options: &ServerOptions) -> Box<dyn RunningServer> {
        let server = options.apply(Server::builder(site)).build();
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
        let client = options
            .apply(Client::builder(url))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Box::new(SmolClient { client }))
    }
}
