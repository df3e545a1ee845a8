//! The client: Twisted's `Proxy` on tokio.

use std::time::Instant;

use tokio::net::TcpStream;
use xmlrpc_driver::PreparedClient;
use xmlrpc_driver::call::{TransportError, TransportErrorKind};
use xmlrpc_driver::run::{self, Connector, MaybeTls};

use crate::server::Socket;

/// An XML-RPC client for one URL (Twisted's `Proxy`) on tokio's sockets
/// and timers. Its methods are [`run::Client`]'s: `call`, `call_method`,
/// `url`; it is cheap to clone and shared by many tasks.
///
/// ```no_run
/// use xmlrpc_tokio::Client;
///
/// # async fn run() -> Result<(), xmlrpc_tokio::CallError> {
/// let client = Client::new("http://127.0.0.1:7080/")?;
/// let sum: i32 = client.call("add", (2, 3)).await?;
/// let echoed: Vec<String> = client.call("echo", (["a", "b"],)).await?;
/// # let _ = (sum, echoed);
/// # Ok(())
/// # }
/// ```
pub type Client = run::Client<Tokio>;

/// Builds a [`Client`]: timeouts, headers, authentication, TLS roots
/// (the setters every runtime's client builder shares).
pub type ClientBuilder = xmlrpc_driver::ClientBuilder<Client>;

/// Tokio as the driver's runtime: its sockets, timers and tasks for the
/// shared client and server loops ([`xmlrpc_driver::run`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Tokio;

impl run::Timer for Tokio {
    async fn sleep_until(&self, deadline: Instant) {
        tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).await;
    }
}

impl Connector for Tokio {
    type Stream = Stream;

    async fn connect(&self, client: &PreparedClient) -> Result<Stream, TransportError> {
        let url = &client.url;
        let tcp = TcpStream::connect((url.host(), url.port()))
            .await
            .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
        let _ = tcp.set_nodelay(true);
        #[cfg(feature = "tls")]
        if let Some((config, name)) = &client.tls {
            let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::clone(config))
                .connect(name.clone(), tcp)
                .await
                .map_err(|e| TransportError::new(TransportErrorKind::Tls, e))?;
            return Ok(MaybeTls::Tls(Box::new(Socket(tls))));
        }
        Ok(MaybeTls::Plain(Socket(tcp)))
    }
}

/// A client connection's stream, plain or TLS.
type Stream = MaybeTls<Socket<TcpStream>, Tls>;
#[cfg(feature = "tls")]
type Tls = Socket<tokio_rustls::client::TlsStream<TcpStream>>;
#[cfg(not(feature = "tls"))]
type Tls = std::convert::Infallible;

#[cfg(test)]
mod tests {
    use super::*;

    /// A call can be spawned on a multi-threaded executor.
    #[test]
    fn calls_are_send() {
        fn send<T: Send>(_: &T) {}
        let client = Client::new("http://127.0.0.1:9/RPC2").expect("valid URL");
        let call = client.call::<i32>("add", (2, 3));
        send(&call);
        let c = Client::clone(&client);
        send(&c);
    }
}
