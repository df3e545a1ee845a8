//! The suite's [`Harness`] for `xmlrpc-tokio`.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::runtime::Runtime;
use xmlrpc_proto::dispatch::Site;
use xmlrpc_proto::{MethodCall, Value};
use xmlrpc_tokio::{Client, Server, ShutdownHandle};

use crate::harness::{ClientOptions, Harness, Outcome, RunningServer, ServerOptions, TestClient};

/// One multi-threaded runtime shared by every tokio server and client of
/// the test process.
fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// `xmlrpc-tokio`'s server and client.
#[derive(Debug)]
pub struct TokioHarness;

struct Running {
    addr: SocketAddr,
    stop: ShutdownHandle,
    done: std::sync::mpsc::Receiver<()>,
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

struct TokioClient {
    client: Client,
}

impl TestClient for TokioClient {
    fn call(&self, method: &str, params: Vec<Value>) -> Outcome {
        let call = MethodCall::new(method, params);
        runtime().block_on(self.client.call_method(&call)).into()
    }
}

impl Harness for TokioHarness {
    const NAME: &'static str = "tokio";

    fn serve(site: Site, options: &ServerOptions) -> Box<dyn RunningServer> {
        let rt = runtime();
        let server = options.apply(Server::builder(site)).build();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stop = server.shutdown_handle();
        let (tx, done) = std::sync::mpsc::channel();
        rt.spawn(async move {
            let _ = server.serve(listener).await;
            let _ = tx.send(());
        });
        Box::new(Running { addr, stop, done })
    }

    fn client(url: &str, options: &ClientOptions) -> Result<Box<dyn TestClient>, String> {
        let client = options
            .apply(Client::builder(url))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Box::new(TokioClient { client }))
    }
}
