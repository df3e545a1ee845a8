//! The client: Twisted's `Proxy` on `futures-io` sockets.

use std::time::Instant;

use smol::net::TcpStream;
use xmlrpc_driver::PreparedClient;
use xmlrpc_driver::call::{TransportError, TransportErrorKind};
use xmlrpc_driver::run::{self, Connector, MaybeTls};

use crate::server::Socket;

/// An XML-RPC client for one URL (Twisted's `Proxy`), on smol's sockets
/// and timers (which work under any executor, async-std's included). Its
/// methods are [`run::Client`]'s: `call`, `call_method`, `url`; it is
/// cheap to clone and shared by many tasks.
///
/// ```no_run
/// use xmlrpc_smol::Client;
///
/// # fn main() -> Result<(), xmlrpc_smol::CallError> {
/// smol::block_on(async {
///     let client = Client::new("http://127.0.0.1:7080/")?;
///     let sum: i32 = client.call("add", (2, 3)).await?;
///     assert_eq!(sum, 5);
///     Ok(())
/// })
/// # }
/// ```
pub type Client = run::Client<Smol>;

/// Builds a [`Client`]: timeouts, headers, authentication, TLS roots
/// (the setters every runtime's client builder shares).
pub type ClientBuilder = xmlrpc_driver::ClientBuilder<Client>;

/// smol as the driver's client runtime: its sockets and `async-io`
/// timers for the shared client loop ([`xmlrpc_driver::run`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Smol;

impl run::Timer for Smol {
    async fn sleep_until(&self, deadline: Instant) {
        smol::Timer::at(deadline).await;
    }
}

impl Connector for Smol {
    type Stream = Stream;

    async fn connect(&self, client: &PreparedClient) -> Result<Stream, TransportError> {
        let url = &client.url;
        let tcp = TcpStream::connect((url.host(), url.port()))
            .await
            .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
        let _ = tcp.set_nodelay(true);
        #[cfg(feature = "tls")]
        if let Some((config, name)) = &client.tls {
            let tls = futures_rustls::TlsConnector::from(std::sync::Arc::clone(config))
                .connect(name.clone(), tcp)
                .await
                .map_err(|e| TransportError::new(TransportErrorKind::Tls, e))?;
            return Ok(MaybeTls::Tls(Box::new(Socket(tls))));
        }
        Ok(MaybeTls::Plain(Socket(tcp)))
    }
}

/// A client socket, plain or TLS.
/// A client connection's stream.
type Stream = MaybeTls<Socket<TcpStream>, Tls>;
#[cfg(feature = "tls")]
type Tls = Socket<futures_rustls::client::TlsStream<TcpStream>>;
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
