//! The `tower::Service`: driven directly, without a server around it.
#![cfg(feature = "tower")]

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use tower_service::Service;
use xmlrpc_tokio::tower::XmlRpcService;
use xmlrpc_tokio::{Dispatcher, Limits, RequestHead, Site, Value};

fn dispatcher() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    d.register_with_request("path", |head: &RequestHead| head.path.clone());
    d
}

const ADD: &str = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
    <param><value><int>2</int></value></param><param><value><int>3</int></value></param>\
    </params></methodCall>";

async fn send(
    svc: &mut XmlRpcService,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, http::HeaderMap, String) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "text/xml")
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    std::future::poll_fn(|cx| Service::<Request<Full<Bytes>>>::poll_ready(svc, cx))
        .await
        .expect("ready");
    let resp = svc.call(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn answers_calls_and_http_errors() {
    let mut svc = XmlRpcService::new(dispatcher());
    let (status, headers, body) = send(&mut svc, Method::POST, "/RPC2", ADD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/xml; charset=utf-8");
    assert!(body.contains("<int>5</int>"), "{body}");

    let (status, headers, _) = send(&mut svc, Method::GET, "/RPC2", "").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");

    let (status, _, body) = send(&mut svc, Method::POST, "/RPC2", "<methodCall>").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Can&apos;t deserialize input") || body.contains("Can't deserialize input"),
        "{body}"
    );
    assert!(body.contains("<int>8002</int>"), "{body}");

    let call = "<methodCall><methodName>path</methodName><params/></methodCall>";
    let (_, _, body) = send(&mut svc, Method::POST, "/RPC2?x=1", call).await;
    assert!(body.contains("/RPC2?x=1"), "{body}");
}

#[tokio::test]
async fn body_limit_gives_413() {
    let mut limits = Limits::default();
    limits.max_body_bytes = 64;
    let mut svc = XmlRpcService::new(dispatcher()).limits(limits);
    let (status, _, _) = send(&mut svc, Method::POST, "/", ADD).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_site_routes_by_path() {
    let mut site = Site::new();
    site.mount("/a", dispatcher());
    let mut svc = XmlRpcService::site(site);
    let (status, _, _) = send(&mut svc, Method::POST, "/a", ADD).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(&mut svc, Method::POST, "/b", ADD).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let _ = Value::Nil;
}

#[tokio::test]
async fn a_site_serves_soap_and_handlers_too() {
    let mut svc = XmlRpcService::site(xmlrpc_conformance::examples::quoter_site());
    let envelope = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\
        <s:Body><add><arg0>2</arg0><arg1>3</arg1></add></s:Body></s:Envelope>";
    let (status, headers, body) = send(&mut svc, Method::POST, "/SOAP", envelope).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/xml; charset=utf-8");
    assert!(body.contains(">5</tns:addResult>"), "{body}");

    let (status, _, body) = send(&mut svc, Method::POST, "/SOAP", "<oops").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("soap:Client"), "{body}");

    let (status, _, body) = send(&mut svc, Method::GET, "/SOAP?wsdl", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<wsdl:service name=\"Quoter\">"), "{body}");

    let (status, headers, _) = send(&mut svc, Method::DELETE, "/SOAP", "").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "GET, HEAD, POST");

    let (status, headers, body) = send(&mut svc, Method::GET, "/health", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(body, "ok\n");

    let (status, _, _) = send(&mut svc, Method::GET, "/elsewhere", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
