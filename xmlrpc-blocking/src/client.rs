//! The client: Twisted's `Proxy` on blocking sockets.

use std::sync::Arc;

use xmlrpc_driver::call::{CallError, IntoParams};
use xmlrpc_driver::sync::{self, Pooled, RawResponse};
use xmlrpc_driver::{BuildClient, ClientCore, ClientSettings, method_call};
use xmlrpc_proto::{FromValue, MethodCall, Url, Value};

/// An XML-RPC client for one URL (Twisted's `Proxy`), on blocking sockets.
///
/// Cheap to clone and safe to share between threads: calls from many
/// threads at once run over a pool of kept-alive connections (one call per
/// connection at a time).
///
/// ```no_run
/// use std::time::Duration;
/// use xmlrpc_blocking::Client;
///
/// let client = Client::builder("https://user:secret@example.com/RPC2")
///     .timeout(Duration::from_secs(10))
///     .header("X-Trace", "42")
///     .build()?;
/// let sum: i32 = client.call("add", (2, 3))?;
/// # let _ = sum;
/// # Ok::<(), xmlrpc_blocking::CallError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<ClientCore<Pooled>>,
}

/// Builds a [`Client`]: timeouts, headers, authentication, TLS roots
/// (the setters every runtime's client builder shares).
pub type ClientBuilder = xmlrpc_driver::ClientBuilder<Client>;

impl BuildClient for Client {
    fn build_client(url: &str, settings: ClientSettings) -> Result<Self, CallError> {
        let mut settings = settings;
        // The body is moved, not copied: keeping it costs nothing, and
        // `call_raw` needs it.
        settings.keep_body = true;
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
    pub fn call<R: FromValue>(
        &self,
        method: &str,
        params: impl IntoParams,
    ) -> Result<R, CallError> {
        let value = self.call_method(&method_call(method, params)?)?;
        R::from_value(value).map_err(CallError::Result)
    }

    /// Sends `call` and returns its result value.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub fn call_method(&self, call: &MethodCall) -> Result<Value, CallError> {
        self.call_raw(call)?.result.map_err(CallError::Fault)
    }

    /// Sends `call` and returns the whole answer: head, raw body and
    /// decoded result. A fault is a result here, not an error.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call), except for faults.
    pub fn call_raw(&self, call: &MethodCall) -> Result<RawResponse, CallError> {
        sync::call(&self.inner, call)
    }
}
