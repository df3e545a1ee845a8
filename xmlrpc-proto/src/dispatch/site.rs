//! [`Site`]: resources mounted on HTTP paths, and [`Resource`]: what one
//! path serves.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::Dispatcher;
use crate::soap::SoapService;
use crate::{HttpResponse, RequestHead};

/// The future an asynchronous handler returns.
pub(crate) type ResponseFuture = Pin<Box<dyn Future<Output = HttpResponse> + Send>>;

/// The function behind a [`Resource::handler`] or
/// [`Resource::async_handler`].
#[derive(Clone)]
pub(crate) enum HandlerFn {
    Sync(Arc<SyncHandler>),
    Async(Arc<AsyncHandler>),
}

type SyncHandler = dyn Fn(&RequestHead, &[u8]) -> HttpResponse + Send + Sync;
type AsyncHandler = dyn Fn(&RequestHead, Vec<u8>) -> ResponseFuture + Send + Sync;

/// What one path of a [`Site`] serves: XML-RPC calls to a
/// [`Dispatcher`], SOAP calls to the same kind of dispatcher
/// ([`SoapService`]), or any HTTP answer from a function of the request
/// (a health check, a static page), like a Twisted `Resource` beside an
/// `XMLRPC` one under `putChild`.
///
/// A [`Dispatcher`] (or an `Arc` of one) converts into an XML-RPC
/// resource, a [`SoapService`] into a SOAP one.
///
/// ```
/// use xmlrpc_proto::dispatch::{Dispatcher, Resource};
/// use xmlrpc_proto::HttpResponse;
///
/// let rpc: Resource = Dispatcher::new().into();
/// assert!(rpc.dispatcher().is_some());
/// let health = Resource::handler(|_head, _body| HttpResponse::new(200, "text/plain", "ok\n"));
/// assert!(health.dispatcher().is_none());
/// ```
#[derive(Clone)]
pub struct Resource {
    pub(crate) kind: Kind,
}

#[derive(Clone)]
pub(crate) enum Kind {
    XmlRpc(Arc<Dispatcher>),
    Soap(Arc<SoapService>),
    Handler(HandlerFn),
}

impl Resource {
    /// XML-RPC calls (`POST`) to `dispatcher`; any other method gets `405`
    /// with `Allow: POST`.
    pub fn xmlrpc(dispatcher: impl Into<Arc<Dispatcher>>) -> Self {
        Self {
            kind: Kind::XmlRpc(dispatcher.into()),
        }
    }

    /// SOAP 1.1 and 1.2 calls (`POST`) to the service's dispatcher, and its
    /// WSDL for `GET` (conventionally `?wsdl`); see [`SoapService`].
    pub fn soap(service: impl Into<SoapService>) -> Self {
        Self {
            kind: Kind::Soap(Arc::new(service.into())),
        }
    }

    /// Every request, whatever its method, answered by `f` from the
    /// request head and body (within the connection's limits). It runs
    /// like a synchronous procedure: within the server's limit of calls in
    /// flight, and a panic in it is answered `500`.
    pub fn handler<F>(f: F) -> Self
    where
        F: Fn(&RequestHead, &[u8]) -> HttpResponse + Send + Sync + 'static,
    {
        Self {
            kind: Kind::Handler(HandlerFn::Sync(Arc::new(f))),
        }
    }

    /// Every request, answered by the future `f` returns from the
    /// request head and body, which the runtime polls (Twisted's
    /// `NOT_DONE_YET`). The head is borrowed only while `f` runs: clone
    /// what the future needs. Like [`handler`](Self::handler), it runs
    /// within the server's limit of calls in flight, and a panic is
    /// answered `500`.
    ///
    /// ```
    /// use xmlrpc_proto::dispatch::Resource;
    /// use xmlrpc_proto::HttpResponse;
    ///
    /// let upload = Resource::async_handler(|head, body: Vec<u8>| {
    ///     let path = head.path.clone();
    ///     async move { HttpResponse::new(200, "text/plain", format!("{path}: {} bytes", body.len())) }
    /// });
    /// # let _ = upload;
    /// ```
    pub fn async_handler<F, Fut>(f: F) -> Self
    where
        F: Fn(&RequestHead, Vec<u8>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HttpResponse> + Send + 'static,
    {
        let f =
            move |head: &RequestHead, body: Vec<u8>| -> ResponseFuture { Box::pin(f(head, body)) };
        Self {
            kind: Kind::Handler(HandlerFn::Async(Arc::new(f))),
        }
    }

    /// The dispatcher behind an XML-RPC or SOAP resource.
    #[must_use]
    pub fn dispatcher(&self) -> Option<&Arc<Dispatcher>> {
        match &self.kind {
            Kind::XmlRpc(d) => Some(d),
            Kind::Soap(s) => Some(s.dispatcher()),
            Kind::Handler(_) => None,
        }
    }

    /// The SOAP service, for a SOAP resource.
    #[must_use]
    pub fn soap_service(&self) -> Option<&SoapService> {
        match &self.kind {
            Kind::Soap(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Debug for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::XmlRpc(d) => f.debug_tuple("XmlRpc").field(d).finish(),
            Kind::Soap(s) => f.debug_tuple("Soap").field(s).finish(),
            Kind::Handler(_) => f.write_str("Handler(..)"),
        }
    }
}

impl From<Dispatcher> for Resource {
    fn from(d: Dispatcher) -> Self {
        Self::xmlrpc(d)
    }
}

impl From<Arc<Dispatcher>> for Resource {
    fn from(d: Arc<Dispatcher>) -> Self {
        Self::xmlrpc(d)
    }
}

impl From<SoapService> for Resource {
    fn from(s: SoapService) -> Self {
        Self::soap(s)
    }
}

/// Resources mounted on request paths, the way Twisted's `putChild`
/// places them: the server finds each request's path here and answers
/// `404 Not Found` when nothing is mounted there.
///
/// Paths match exactly (`/RPC2` is not `/RPC2/`); a `?query` is ignored,
/// and so is the scheme and authority of an absolute-form target
/// (`http://host/RPC2`).
///
/// ```
/// use std::sync::Arc;
/// use xmlrpc_proto::dispatch::{Dispatcher, Resource, Site};
/// use xmlrpc_proto::soap::SoapService;
/// use xmlrpc_proto::HttpResponse;
///
/// let d = Arc::new(Dispatcher::new());
/// let mut site = Site::new();
/// site.mount("/", Arc::clone(&d))
///     .mount("/RPC2", Arc::clone(&d))
///     .mount("/SOAP", SoapService::new(d))
///     .mount("/health", Resource::handler(|_, _| HttpResponse::new(200, "text/plain", "ok")));
/// assert!(site.resolve("/RPC2?x=1").is_some());
/// assert!(site.resolve("http://example.com/RPC2").is_some());
/// assert!(site.resource("/SOAP?wsdl").unwrap().soap_service().is_some());
/// assert!(site.resolve("/health").is_none());
/// assert!(site.resource("/other").is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Site {
    mounts: Vec<(String, Resource)>,
}

impl Site {
    /// A site with nothing mounted.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A site serving `dispatcher` over XML-RPC at `/` and `/RPC2`, the
    /// two usual paths.
    #[must_use]
    pub fn standard(dispatcher: impl Into<Arc<Dispatcher>>) -> Self {
        let d = dispatcher.into();
        let mut site = Self::new();
        site.mount("/", Arc::clone(&d)).mount("/RPC2", d);
        site
    }

    /// Serves `resource` at `path` (replacing what was there): a
    /// [`Dispatcher`] for XML-RPC, a [`SoapService`], or any [`Resource`].
    pub fn mount(&mut self, path: impl Into<String>, resource: impl Into<Resource>) -> &mut Self {
        let path = path.into();
        let r = resource.into();
        if let Some(slot) = self.mounts.iter_mut().find(|(p, _)| *p == path) {
            slot.1 = r;
        } else {
            self.mounts.push((path, r));
        }
        self
    }

    /// The resource for a request target, if one is mounted there.
    #[must_use]
    pub fn resource(&self, target: &str) -> Option<&Resource> {
        let path = path_of(target);
        self.mounts.iter().find(|(p, _)| p == path).map(|(_, r)| r)
    }

    /// The dispatcher serving a request target over XML-RPC or SOAP, if
    /// one is mounted there.
    #[must_use]
    pub fn resolve(&self, target: &str) -> Option<&Arc<Dispatcher>> {
        self.resource(target).and_then(Resource::dispatcher)
    }

    /// The mounted paths, in mount order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.mounts.iter().map(|(p, _)| p.as_str())
    }
}

/// The path part of a request target: no query, no fragment, no scheme or
/// authority.
pub(crate) fn path_of(target: &str) -> &str {
    let mut t = target;
    if let Some(rest) = t
        .strip_prefix("http://")
        .or_else(|| t.strip_prefix("https://"))
    {
        t = rest.find('/').map_or("/", |i| &rest[i..]);
    }
    let end = t.find(['?', '#']).unwrap_or(t.len());
    &t[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(path_of("/RPC2"), "/RPC2");
        assert_eq!(path_of("/RPC2?a#b"), "/RPC2");
        assert_eq!(path_of("/#b"), "/");
        assert_eq!(path_of("http://h:80"), "/");
        assert_eq!(path_of("https://h/x?y"), "/x");
        assert_eq!(path_of(""), "");
    }

    #[test]
    fn mount_replaces() {
        let mut s = Site::new();
        s.mount("/a", Dispatcher::new())
            .mount("/a", Dispatcher::new());
        assert_eq!(s.paths().collect::<Vec<_>>(), ["/a"]);
        assert!(s.resolve("/b").is_none());
        assert!(Site::standard(Dispatcher::new()).resolve("/").is_some());
    }
}
