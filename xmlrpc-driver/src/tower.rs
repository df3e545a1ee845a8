//! [`XmlRpcService`]: XML-RPC (and any [`Site`] resource: SOAP, handlers)
//! as a `tower::Service`, to mount beside the other routes of an axum or
//! hyper application (feature `tower`). It depends on no runtime: the
//! hosting server does the I/O. With `xmlrpc-tokio` and axum:
//!
//! ```text
//! let app = axum::Router::new()
//!     .route("/", get(|| async { "hello" }))
//!     .route_service("/RPC2", xmlrpc_tokio::tower::XmlRpcService::new(rpc));
//! ```
//!
//! Called directly:
//!
//! ```
//! use bytes::Bytes;
//! use http_body_util::{BodyExt, Full};
//! use tower_service::Service;
//! use xmlrpc_driver::tower::XmlRpcService;
//! use xmlrpc_proto::dispatch::Dispatcher;
//!
//! let mut rpc = Dispatcher::new();
//! rpc.register("add", |a: i32, b: i32| a + b);
//! let mut service = XmlRpcService::new(rpc);
//! let body = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName>\
//!     <params><param><value><int>2</int></value></param>\
//!     <param><value><int>3</int></value></param></params></methodCall>";
//! let request = http::Request::post("/RPC2").body(Full::new(Bytes::from(body)))?;
//! let response = futures_lite::future::block_on(service.call(request))?;
//! assert_eq!(response.status(), 200);
//! let body = futures_lite::future::block_on(response.into_body().collect())?.to_bytes();
//! assert!(std::str::from_utf8(&body)?.contains("<int>5</int>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body::Body;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use xmlrpc_proto::dispatch::{Dispatcher, Resource, Site};
use xmlrpc_proto::serve::{Answer, Job};
use xmlrpc_proto::{HttpResponse, Limits, RequestHead, Version};

/// An XML-RPC resource, or a whole [`Site`], as a
/// `tower::Service<http::Request<B>>`.
///
/// Each request is answered as the runtimes' own servers answer it (see
/// [`Job::route`]): an XML-RPC resource answers `POST` requests whose
/// body is a `methodCall`, any other method gets `405` with
/// `Allow: POST`, and a body that is not a call gets the dispatcher's
/// `Can't deserialize input` fault; SOAP and handler resources of a site
/// answer as they do everywhere. A body over [`Limits::max_body_bytes`]
/// gets `413`. HTTP itself (framing, keep-alive, deadlines) is the
/// hosting server's.
///
/// A peer address in the request's extensions (a `std::net::SocketAddr`)
/// is handed to procedures that ask for the request.
#[derive(Clone, Debug)]
pub struct XmlRpcService {
    target: Target,
    limits: Arc<Limits>,
}

#[derive(Clone, Debug)]
enum Target {
    /// One resource, whatever the path it is mounted at.
    One(Arc<Resource>),
    /// A site: the request path picks the dispatcher; `404` when none.
    Site(Arc<Site>),
}

impl XmlRpcService {
    /// Serves `dispatcher` over XML-RPC at whatever path the service is
    /// mounted.
    pub fn new(dispatcher: impl Into<Arc<Dispatcher>>) -> Self {
        Self::resource(Resource::xmlrpc(dispatcher))
    }

    /// Serves one resource (XML-RPC, SOAP or a handler) at whatever path
    /// the service is mounted.
    #[must_use]
    pub fn resource(resource: impl Into<Resource>) -> Self {
        Self {
            target: Target::One(Arc::new(resource.into())),
            limits: Arc::new(Limits::default()),
        }
    }

    /// Serves a whole [`Site`]: the request path picks the resource, and
    /// a path with none mounted gets `404`.
    #[must_use]
    pub fn site(site: Site) -> Self {
        Self {
            target: Target::Site(Arc::new(site)),
            limits: Arc::new(Limits::default()),
        }
    }

    /// The body size and decoding limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Arc::new(limits);
        self
    }
}

type Reply = Response<Full<Bytes>>;

impl<B> tower_service::Service<Request<B>> for XmlRpcService
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Reply;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Reply, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let target = self.target.clone();
        let limits = Arc::clone(&self.limits);
        Box::pin(async move { Ok(handle(target, &limits, request).await) })
    }
}

async fn handle<B>(target: Target, limits: &Limits, request: Request<B>) -> Reply
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (parts, body) = request.into_parts();
    let head = request_head(&parts);
    let resource = match &target {
        Target::One(r) => Some(&**r),
        Target::Site(site) => site.resource(&head.path),
    };
    // Nothing mounted, a declared body over the limit: the core's answers.
    let resource = match Job::admit(resource, &head, limits) {
        Ok(resource) => resource,
        Err(answer) => return into_reply(answer.into_response()),
    };
    let body = match Limited::new(body, limits.max_body_bytes).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return into_reply(Answer::too_large().into_response());
        }
        Err(e) => {
            tracing::debug!(error = %e, "request body failed");
            return into_reply(HttpResponse::status_text(400).close_connection());
        }
    };
    let answer = match Job::for_resource(resource, head, Vec::from(body), limits) {
        Ok(job) => job.start().await,
        Err(answer) => answer,
    };
    into_reply(answer.into_response())
}

/// An [`HttpResponse`] as hyper's response.
fn into_reply(response: HttpResponse) -> Reply {
    let status =
        StatusCode::from_u16(response.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = HeaderValue::from_str(response.content_type())
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut headers = http::HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, content_type);
    for (name, value) in response.headers() {
        if let (Ok(n), Ok(v)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(n, v);
        }
    }
    if response.closes_connection() {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let mut r = Response::new(Full::new(Bytes::from(response.into_body())));
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    r
}

/// The head procedures see, from hyper's parsed request.
fn request_head(parts: &http::request::Parts) -> RequestHead {
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let mut head = RequestHead::new(parts.method.as_str(), target);
    head.version = if parts.version == http::Version::HTTP_10 {
        Version::Http10
    } else {
        Version::Http11
    };
    for (name, value) in &parts.headers {
        head.headers.append(name.as_str(), value.as_bytes());
    }
    head.keep_alive = !parts
        .headers
        .get_all(header::CONNECTION)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
    head.peer_addr = parts.extensions.get::<SocketAddr>().copied();
    head
}
