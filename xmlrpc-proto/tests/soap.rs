//! SOAP beside XML-RPC on one site, driven without sockets: bytes into a
//! `ServerConnection` serving a `Site`, bytes out; WSDL types from `#[xmlrpc]` methods and
//! declared signatures; SOAPpy-style encoded calls and zeep-style literal
//! ones.
// The published methods must be `pub`, while the test type is private.
#![allow(unreachable_pub)]

use std::sync::Arc;
use std::time::Instant;

use xmlrpc_proto::dispatch::{Dispatcher, Resource, Site};
use xmlrpc_proto::soap::SoapService;
use xmlrpc_proto::{HttpResponse, ServerConfig, ServerConnection, Struct, Value};

struct Shop;

#[xmlrpc_proto::xmlrpc]
impl Shop {
    /// The price of ITEM, in cents.
    pub fn price(&self, item: String, quantity: i64) -> f64 {
        let _ = item;
        1.5 * quantity as f64
    }

    /// Whether the shop is open.
    pub fn open(&self) -> bool {
        true
    }

    /// Tags and counts.
    pub fn stock(&self, tags: Vec<String>) -> Struct {
        let mut s = Struct::new();
        for t in tags {
            s.insert(t, 1);
        }
        s
    }
}

fn site() -> Site {
    let mut d = Dispatcher::new();
    d.publish(Arc::new(Shop));
    let mut p = xmlrpc_proto::dispatch::Procedure::new(|a: Value, b: Value| vec![a, b]);
    p.signature([["array", "int", "int"], ["array", "double", "double"]]);
    d.insert("pair", p);
    d.enable_introspection();
    let d = Arc::new(d);
    let mut site = Site::new();
    site.mount("/RPC2", Arc::clone(&d))
        .mount(
            "/SOAP",
            SoapService::new(d).namespace("urn:shop").name("Shop"),
        )
        .mount(
            "/echo",
            Resource::handler(|head, body| {
                HttpResponse::new(
                    200,
                    "text/plain",
                    format!("{} {} {}", head.method, head.path, body.len()),
                )
            }),
        );
    site
}

/// Feeds `input` to a fresh connection and returns everything it writes,
/// running each job to completion.
fn exchange(input: &[u8]) -> String {
    let now = Instant::now();
    let site = site();
    let mut s = ServerConnection::for_site(ServerConfig::default());
    s.handle_open(now);
    s.handle_data(input, now);
    let mut out = Vec::new();
    loop {
        while let Some(job) = s.poll_job(&site) {
            let answer = job.start().into_ready().expect("synchronous procedures");
            s.finish(answer);
        }
        let Some(b) = s.poll_transmit(now) else { break };
        out.extend_from_slice(b);
        let n = b.len();
        s.advance_transmit(n);
    }
    String::from_utf8(out).expect("text")
}

fn post(path: &str, content_type: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: shop.example\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

const ENV11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

#[test]
fn wsdl_types_come_from_rust_types_and_signatures() {
    let out = exchange(b"GET /SOAP?wsdl HTTP/1.1\r\nHost: shop.example:8080\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    let price = "<xsd:element name=\"price\"><xsd:complexType><xsd:sequence>\
        <xsd:element name=\"arg0\" type=\"xsd:string\"/>\
        <xsd:element name=\"arg1\" type=\"xsd:long\"/></xsd:sequence>";
    assert!(out.contains(price), "{out}");
    assert!(out.contains("<xsd:element name=\"priceResult\" type=\"xsd:double\"/>"));
    assert!(out.contains("<xsd:element name=\"openResult\" type=\"xsd:boolean\"/>"));
    assert!(out.contains("<xsd:element name=\"arg0\" type=\"tns:Array\"/>"));
    assert!(out.contains("<xsd:element name=\"stockResult\" type=\"tns:Struct\"/>"));
    // Signatures that disagree on a position: any type there.
    assert!(out.contains(
        "<xsd:element name=\"pair\"><xsd:complexType><xsd:sequence>\
         <xsd:element name=\"arg0\" type=\"xsd:anyType\" nillable=\"true\"/>"
    ));
    assert!(out.contains("<wsdl:documentation>The price of ITEM, in cents.</wsdl:documentation>"));
    assert!(out.contains("soapAction=\"urn:shop#price\""));
    assert!(out.contains("<soap:address location=\"http://shop.example:8080/SOAP\"/>"));
    assert!(out.contains("<soap12:address location=\"http://shop.example:8080/SOAP\"/>"));
    assert!(!out.contains("system.listMethods"));
}

#[test]
fn literal_and_encoded_calls() {
    // zeep's form: qualified, untyped, typed by the WSDL.
    let literal = format!(
        "<soap-env:Envelope xmlns:soap-env=\"{ENV11}\"><soap-env:Body>\
         <ns0:price xmlns:ns0=\"urn:shop\"><ns0:arg0>tea</ns0:arg0><ns0:arg1>4</ns0:arg1>\
         </ns0:price></soap-env:Body></soap-env:Envelope>"
    );
    let out = exchange(post("/SOAP", "text/xml; charset=utf-8", &literal).as_bytes());
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(
        out.contains("<tns:priceResult xsi:type=\"xsd:double\">6.0</tns:priceResult>"),
        "{out}"
    );
    // SOAPpy's form: RPC encoding, every param typed.
    let encoded = format!(
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"{ENV11}\" \
         xmlns:xsi=\"http://www.w3.org/1999/XMLSchema-instance\" \
         xmlns:xsd=\"http://www.w3.org/1999/XMLSchema\" \
         xmlns:xsi2=\"http://www.w3.org/2001/XMLSchema-instance\" \
         SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><SOAP-ENV:Body>\
         <ns1:stock xmlns:ns1=\"urn:shop\"><tags xsi2:type=\"SOAP-ENC:Array\">\
         <item xsi2:type=\"xsd:string\">a</item><item xsi2:type=\"xsd:string\">b c</item></tags>\
         </ns1:stock></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    );
    let out = exchange(post("/SOAP", "text/xml", &encoded).as_bytes());
    assert!(
        out.contains(
            "<tns:stockResult xsi:type=\"tns:Struct\"><tns:a xsi:type=\"xsd:int\">1</tns:a>\
         <tns:b_x0020_c xsi:type=\"xsd:int\">1</tns:b_x0020_c></tns:stockResult>"
        ),
        "{out}"
    );
    // The first signature whose types fit.
    let pair = format!(
        "<e:Envelope xmlns:e=\"{ENV11}\"><e:Body><pair><a>1.5</a><b>2</b></pair></e:Body></e:Envelope>"
    );
    let out = exchange(post("/SOAP", "text/xml", &pair).as_bytes());
    assert!(
        out.contains(
            "<tns:item xsi:type=\"xsd:double\">1.5</tns:item>\
        <tns:item xsi:type=\"xsd:double\">2.0</tns:item>"
        ),
        "{out}"
    );
    // Introspection works over SOAP too.
    let list = format!(
        "<e:Envelope xmlns:e=\"{ENV11}\"><e:Body><system.listMethods/></e:Body></e:Envelope>"
    );
    let out = exchange(post("/SOAP", "text/xml", &list).as_bytes());
    assert!(
        out.contains("<tns:item xsi:type=\"xsd:string\">price</tns:item>"),
        "{out}"
    );
}

#[test]
fn every_resource_on_one_connection() {
    let rpc = "<?xml version=\"1.0\"?><methodCall><methodName>open</methodName></methodCall>";
    let soap = format!("<e:Envelope xmlns:e=\"{ENV11}\"><e:Body><open/></e:Body></e:Envelope>");
    let mut input = post("/RPC2", "text/xml", rpc);
    input.push_str(&post("/SOAP", "text/xml", &soap));
    input.push_str(&post("/echo", "text/plain", "abc"));
    input.push_str("HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    input.push_str("PUT /SOAP HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    input.push_str("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
    input.push_str("GET /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n");
    input.push_str(&post("/RPC2", "text/xml", rpc));
    let out = exchange(input.as_bytes());
    let statuses: Vec<&str> = out.split("HTTP/1.1 ").skip(1).map(|a| &a[..3]).collect();
    // The 405 of an XML-RPC resource closes the connection, as a
    // connection serving only XML-RPC does: the last call is not read.
    assert_eq!(
        statuses,
        ["200", "200", "200", "200", "405", "404", "405"],
        "{out}"
    );
    assert!(out.contains("<boolean>1</boolean>"), "{out}");
    assert!(out.contains("<tns:openResult xsi:type=\"xsd:boolean\">true</tns:openResult>"));
    assert!(out.contains("\r\n\r\nPOST /echo 3"), "{out}");
    // HEAD: the length a GET would have had ("HEAD /echo 0"), no body.
    assert!(
        out.contains("Content-Length: 12\r\n\r\nHTTP/1.1 405"),
        "{out}"
    );
    assert!(out.contains("Allow: GET, HEAD, POST\r\n"), "{out}");
    assert!(
        out.ends_with("Connection: close\r\n\r\n405 Method Not Allowed\n"),
        "{out}"
    );
}

#[test]
fn hostile_envelopes_are_refused_and_the_connection_goes_on() {
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
        <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\
        <e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Body>\
        <open>&lol2;</open></e:Body></e:Envelope>";
    let deep = format!(
        "<e:Envelope xmlns:e=\"{ENV11}\"><e:Body><stock><tags>{}{}</tags></stock></e:Body></e:Envelope>",
        "<item>".repeat(100_000),
        "</item>".repeat(100_000)
    );
    let header = format!(
        "<e:Envelope xmlns:e=\"{ENV11}\"><e:Header>{}</e:Header><e:Body><open/></e:Body></e:Envelope>",
        "<h>".repeat(100_000)
    );
    let ok = format!("<e:Envelope xmlns:e=\"{ENV11}\"><e:Body><open/></e:Body></e:Envelope>");
    let mut input = post("/SOAP", "text/xml", bomb);
    input.push_str(&post("/SOAP", "text/xml", &deep));
    input.push_str(&post("/SOAP", "text/xml", &header));
    input.push_str(&post("/SOAP", "text/xml", "\u{0}\u{1}garbage"));
    input.push_str(&post("/SOAP", "text/xml", &ok));
    let out = exchange(input.as_bytes());
    let answers: Vec<&str> = out.split("HTTP/1.1 ").skip(1).collect();
    assert_eq!(answers.len(), 5, "{out}");
    for a in &answers[..4] {
        assert!(a.starts_with("500 "), "{a}");
        assert!(a.contains("<faultcode>soap:Client</faultcode>"), "{a}");
        assert!(a.contains("Can't deserialize input"), "{a}");
    }
    assert!(answers[0].contains("DOCTYPE"));
    assert!(answers[1].contains("nesting"));
    assert!(answers[2].contains("nesting"));
    assert!(answers[4].starts_with("200 "), "{}", answers[4]);

    let big = "POST /SOAP HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n";
    let out = exchange(big.as_bytes());
    assert!(out.starts_with("HTTP/1.1 413 "), "{out}");
}
