//! The suite's [`Harness`] for `xmlrpc-blocking`.

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use xmlrpc_blocking::{Client, Overload, Server, ShutdownHandle};
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
        let mut b = Server::builder(site).workers(8);
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
        let server = b.build();
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
            b = b.timeout(t);
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
        let client = b.build().map_err(|e| e.to_string())?;
        Ok(Box::new(BlockingClient { client }))
    }
}
