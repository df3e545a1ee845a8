//! A hyper 1 server that answers every POST with one fixed XML-RPC response
//! without parsing the request: the ceiling of an HTTP/1.1 server on tokio
//! on this machine. The body is read (so that the connection stays usable)
//! and dropped.
//!
//! ```sh
//! cargo run --release --bin hyper_ceiling -- --listen 127.0.0.1:0 [--response FILE]
//! ```
//!
//! `--response FILE` sets the answer's body (default: the response of
//! `add(1, 2)`). A request other than POST gets 405.

#![forbid(unsafe_code)]

use std::convert::Infallible;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// The answer to `add(1, 2)`, as Python's `xmlrpc.server` writes it.
const ADD_RESPONSE: &str = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n\
<value><int>3</int></value>\n</param>\n</params>\n</methodResponse>\n";

async fn answer(
    request: Request<Incoming>,
    body: Bytes,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let post = request.method() == Method::POST;
    // Read the whole request and drop it, as a server that parses nothing.
    let _ = request.into_body().collect().await;
    let mut response = if post {
        Response::new(Full::new(body))
    } else {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        r
    };
    if post {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    }
    Ok(response)
}

#[tokio::main]
async fn main() {
    let args = xmlrpc_load::parse_args();
    let mut body = Bytes::from_static(ADD_RESPONSE.as_bytes());
    let mut rest = args.rest.into_iter();
    while let Some(arg) = rest.next() {
        match (arg.as_str(), rest.next()) {
            ("--response", Some(path)) => match std::fs::read(&path) {
                Ok(bytes) => body = Bytes::from(bytes),
                Err(e) => xmlrpc_load::fail(&format!("cannot read {path}: {e}")),
            },
            _ => xmlrpc_load::fail(&format!(
                "unknown argument {arg:?}\nusage: hyper_ceiling [--listen ADDR] [--response FILE]"
            )),
        }
    }
    let stop = xmlrpc_load::stop_signal();
    let listener = xmlrpc_load::bind(&args.listen).await;
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors or a connection reset before it was
                // accepted: go on with the next one.
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        let body = body.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, body.clone()));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
