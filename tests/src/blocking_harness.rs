//! The suite's [`Harness`] for `xmlrpc-blocking`.

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use xmlrpc_blocking::{Client, Server, ServerBuilderExt, ShutdownHandle};
use xmlrpc_proto::dispatch::Site;
use xmlrpc_proto::{MethodCall, Value};

use crate::harness::{ClientOptions, Harness, Outcome, RunningServer, ServerOptions, TestClient};

/// `xmlrpc-blocking`'s server and client.
#[derive(Debug)]
pub struct BlockingHarness;

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

struct BlockingClient {
    client: Client,
}

impl TestClient for BlockingClient {
    fn call(&self, method: &str, params: Vec<Value>) -> Outcome {
        self.client
            .call_method(&MethodCall::new(method, params))
            .into()
    }
}

impl Harness for BlockingHarness {
    const NAME: &'static str = "blocking";

    fn serve(site: Site, options: &ServerOptions) -> Box<dyn RunningServer> {
        let server = options.apply(Server::builder(site).workers(8)).build();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stop = server.shutdown_handle();
        let (tx, done) = mpsc::channel();
        thread::spawn(move || {
            let _ = server.serve(listener);
            let _ = tx.send(());
        });
        Box::new(Running { addr, stop, done })
    }

    fn client(url: &str, options: &ClientOptions) -> Result<Box<dyn TestClient>, String> {
        let client = options
            .apply(Client::builder(url))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Box::new(BlockingClient { client }))
    }
}
