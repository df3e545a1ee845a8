//! The client: Twisted's `Proxy` on tokio.

use std::sync::Arc;
use std::time::Instant;

use tokio::net::TcpStream;
use xmlrpc_driver::call::{CallError, IntoParams, TransportError, TransportErrorKind};
use xmlrpc_driver::run::{self, Connector, MaybeTls, Pooled};
use xmlrpc_driver::{BuildClient, ClientCore, ClientSettings, PreparedClient, method_call};
use xmlrpc_proto::{FromValue, MethodCall, Url, Value};

use crate::server::Socket;

/// An XML-RPC client for one URL (Twisted's `Proxy`).
///
/// Cheap to clone and safe to share: calls from many tasks at once run
/// over a pool of kept-alive connections (one call per connection at a
/// time). A call sent on a kept-alive connection that turns out to have
/// been closed by the server before any byte of an answer arrived (the
/// usual fate of idle connections) is sent again once on a new
/// connection; no other failure is retried.
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
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<ClientCore<Pooled<Stream>>>,
}

/// Builds a [`Client`]: timeouts, headers, authentication, TLS roots
/// (the setters every runtime's client builder shares).
pub type ClientBuilder = xmlrpc_driver::ClientBuilder<Client>;

impl BuildClient for Client {
    fn build_client(url: &str, settings: ClientSettings) -> Result<Self, CallError> {
        Ok(Self {
            inner: Arc::new(ClientCore::new(url, &settings)?),
        })
    }
}

impl Client {
    /// A client for `url` (`http://` or `https://`, with an explicit path;
    /// `http://user:pass@host/` sends Basic authentication) with the
    /// default settings.
    ///
    /// # Errors
    ///
    /// [`CallError::InvalidCall`] for an invalid URL.
    pub fn new(url: &str) -> Result<Self, CallError> {
        Self::builder(url).build()
    }

    /// A builder for a client of `url`.
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// The URL this client calls.
    #[must_use]
    pub fn url(&self) -> &Url {
        self.inner.url()
    }

    /// Calls `method` with `params` (a tuple of values of any
    /// [`IntoValue`](xmlrpc_proto::IntoValue) types, `()`, or a
    /// `Vec<Value>`) and converts the result to `R` (`Value` keeps it as
    /// is).
    ///
    /// # Errors
    ///
    /// [`CallError::Fault`] when the server answers with a fault, and the
    /// other variants of [`CallError`] for HTTP, transport and protocol
    /// failures and for a result that does not convert to `R`.
    pub async fn call<R: FromValue>(
        &self,
        method: &str,
        params: impl IntoParams,
    ) -> Result<R, CallError> {
        let value = self.call_method(&method_call(method, params)?).await?;
        R::from_value(value).map_err(CallError::Result)
    }

    /// Sends `call` and returns its result value.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn call_method(&self, call: &MethodCall) -> Result<Value, CallError> {
        run::call(&Tokio, &self.inner, call).await
    }
}

/// Tokio's sockets and timers for the shared client loop.
#[derive(Debug)]
pub(crate) struct Tokio;

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
            let tls = tokio_rustls::TlsConnector::from(Arc::clone(config))
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
