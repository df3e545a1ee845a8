//! The runtime-neutral interface every runtime implements once, so that
//! the same loopback tests ([`crate::suite`]) run against each.
//!
//! The interface is synchronous on purpose: a test calls from plain
//! threads, and each runtime's harness runs its futures (or not) as it
//! likes behind it.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use xmlrpc_driver::call::{CallError, TransportErrorKind};
use xmlrpc_driver::{BuildServer, ClientBuilder, Overload, ServerBuilder};
use xmlrpc_proto::dispatch::Site;
use xmlrpc_proto::{Fault, Limits, Value};

/// How a test server is set up.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// Serve HTTPS with this PEM certificate chain and key.
    pub tls: Option<(String, String)>,
    /// Connection limits and deadlines; `None` keeps the defaults.
    pub limits: Option<Limits>,
    /// At most this many connections at once.
    pub max_connections: Option<usize>,
    /// At most this many calls running at once.
    pub max_in_flight: Option<usize>,
    /// Refuse (`503`) beyond the limits instead of waiting.
    pub refuse_overload: bool,
}

/// How a test client is set up.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Trust this PEM certificate (besides the usual roots).
    pub root_pem: Option<String>,
    /// Trust the PEM certificates in this file.
    pub root_pem_file: Option<PathBuf>,
    /// Basic authentication, over the URL's user info.
    pub basic_auth: Option<(String, String)>,
    /// Accept any server certificate.
    pub insecure: bool,
    /// Limit on a whole call.
    pub call_timeout: Option<Duration>,
    /// Limit on connecting.
    pub connect_timeout: Option<Duration>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Response limits; `None` keeps the defaults.
    pub limits: Option<Limits>,
    /// Send `<nil/>` and `<i8>`.
    pub extensions: bool,
}

impl ClientOptions {
    /// Nil and i8 allowed, everything else default: what most tests use.
    #[must_use]
    pub fn extended() -> Self {
        Self {
            extensions: true,
            ..Self::default()
        }
    }

    /// Applies these options to a client builder of any runtime.
    pub fn apply<C>(&self, builder: ClientBuilder<C>) -> ClientBuilder<C> {
        let mut b = builder.allow_nil(self.extensions).allow_i8(self.extensions);
        if let Some(pem) = &self.root_pem {
            b = b.add_root_certificate_pem(pem.as_bytes());
        }
        if let Some(path) = &self.root_pem_file {
            b = b.add_root_certificate_file(path);
        }
        if let Some((user, password)) = &self.basic_auth {
            b = b.basic_auth(user, password);
        }
        if self.insecure {
            b = b.danger_accept_invalid_certs(true);
        }
        if let Some(t) = self.call_timeout {
            b = b.call_timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        if let Some(l) = &self.limits {
            b = b.limits(l.clone());
        }
        for (name, value) in &self.headers {
            b = b.header(name, value);
        }
        b
    }
}

impl ServerOptions {
    /// Applies these options to a server builder of any runtime.
    ///
    /// # Panics
    ///
    /// When the TLS certificate or key is unusable.
    pub fn apply<S: BuildServer>(&self, builder: ServerBuilder<S>) -> ServerBuilder<S> {
        let mut b = builder;
        if let Some(l) = &self.limits {
            b = b.limits(l.clone());
        }
        if let Some(n) = self.max_connections {
            b = b.max_connections(n);
        }
        if let Some(n) = self.max_in_flight {
            b = b.max_in_flight(n);
        }
        if self.refuse_overload {
            b = b.overload(Overload::Refuse);
        }
        if let Some((cert, key)) = &self.tls {
            b = b
                .tls_pem(cert.as_bytes(), key.as_bytes())
                .expect("test certificate");
        }
        b
    }
}

/// What a call came to, in a form every runtime's client maps onto.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A result.
    Value(Value),
    /// A fault.
    Fault(Fault),
    /// An HTTP status other than 200.
    Http(u16),
    /// A transport failure of this kind.
    Transport(TransportErrorKind),
    /// A protocol error (its message).
    Protocol(String),
    /// Any other failure (its message).
    Other(String),
}

impl Outcome {
    /// The value, or a panic naming what came instead.
    ///
    /// # Panics
    ///
    /// When the outcome is not a value.
    #[track_caller]
    #[must_use]
    pub fn value(self) -> Value {
        match self {
            Self::Value(v) => v,
            other => panic!("expected a value, got {other:?}"),
        }
    }

    /// The fault, or a panic naming what came instead.
    ///
    /// # Panics
    ///
    /// When the outcome is not a fault.
    #[track_caller]
    #[must_use]
    pub fn fault(self) -> Fault {
        match self {
            Self::Fault(f) => f,
            other => panic!("expected a fault, got {other:?}"),
        }
    }
}

impl From<Result<Value, CallError>> for Outcome {
    fn from(r: Result<Value, CallError>) -> Self {
        match r {
            Ok(v) => Self::Value(v),
            Err(CallError::Fault(f)) => Self::Fault(f),
            Err(CallError::Http { status, .. }) => Self::Http(status),
            Err(CallError::Transport(t)) => Self::Transport(t.kind()),
            Err(CallError::Protocol(p)) => Self::Protocol(p.to_string()),
            Err(other) => Self::Other(other.to_string()),
        }
    }
}

/// A server started by a [`Harness`].
pub trait RunningServer: Send {
    /// Its address on `127.0.0.1`.
    fn addr(&self) -> SocketAddr;
    /// Starts a graceful shutdown and returns at once.
    fn begin_shutdown(&self);
    /// Waits until the server has stopped; `false` if it has not within
    /// `timeout`.
    fn wait(self: Box<Self>, timeout: Duration) -> bool;
}

/// A client made by a [`Harness`]; shared by many threads at once.
pub trait TestClient: Send + Sync {
    /// One call, blocking until its outcome.
    fn call(&self, method: &str, params: Vec<Value>) -> Outcome;
}

/// One runtime's server and client, behind the synchronous interface the
/// suite uses.
pub trait Harness: 'static {
    /// The runtime's name, for messages.
    const NAME: &'static str;

    /// Serves `site` on `127.0.0.1:0`.
    fn serve(site: Site, options: &ServerOptions) -> Box<dyn RunningServer>;

    /// A client for `url`.
    ///
    /// # Errors
    ///
    /// When the client cannot be built (an invalid URL or TLS setting).
    fn client(url: &str, options: &ClientOptions) -> Result<Box<dyn TestClient>, String>;
}

/// A server that shuts down (and is waited for) when dropped, so that a
/// failing test does not leave it running.
pub struct ServerGuard {
    server: Option<Box<dyn RunningServer>>,
    scheme: &'static str,
}

impl fmt::Debug for ServerGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerGuard")
            .field("addr", &self.server.as_ref().map(|s| s.addr()))
            .finish()
    }
}

impl ServerGuard {
    /// Starts `site` with harness `H`.
    #[must_use]
    pub fn start<H: Harness>(site: Site, options: &ServerOptions) -> Self {
        let scheme = if options.tls.is_some() {
            "https"
        } else {
            "http"
        };
        Self {
            server: Some(H::serve(site, options)),
            scheme,
        }
    }

    /// The server's address.
    ///
    /// # Panics
    ///
    /// After [`stop`](Self::stop).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.server.as_ref().expect("server running").addr()
    }

    /// `SCHEME://127.0.0.1:PORT` followed by `path`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.addr())
    }

    /// Starts a graceful shutdown.
    pub fn begin_shutdown(&self) {
        if let Some(s) = &self.server {
            s.begin_shutdown();
        }
    }

    /// Shuts down and waits; `false` if the server did not stop within
    /// `timeout`.
    pub fn stop(&mut self, timeout: Duration) -> bool {
        match self.server.take() {
            Some(s) => {
                s.begin_shutdown();
                s.wait(timeout)
            }
            None => true,
        }
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.stop(Duration::from_secs(5));
    }
}
