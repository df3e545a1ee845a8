//! The dispatcher between the decoder and the encoder: XML bodies in, XML
//! bodies out, as a runtime drives it (without sockets).

mod dispatch_util;

use dispatch_util::drive;
use xmlrpc_proto::codec::{decode_call, decode_response, encode_response};
use xmlrpc_proto::dispatch::{Dispatcher, FAILURE};
use xmlrpc_proto::{Fault, Limits, RequestHead, Value};

/// What a runtime does with one request body: decode, dispatch, poll,
/// encode (answering an unwritable result with a fault).
fn serve(d: &Dispatcher, body: &[u8]) -> Vec<u8> {
    let head = RequestHead::new("POST", "/RPC2");
    let result = match decode_call(body, &Limits::default()) {
        Ok(call) => drive(d.call(&head, call)).0,
        Err(e) => Err(d.bad_request(&e)),
    };
    let mut out = Vec::new();
    if let Err(e) = encode_response(&result, d.encode_options(), &mut out) {
        out.clear();
        encode_response(&Err(d.encode_failure(&e)), d.encode_options(), &mut out)
            .expect("a fault is always writable");
    }
    out
}

fn result_of(d: &Dispatcher, body: &str) -> Result<Value, Fault> {
    let out = serve(d, body.as_bytes());
    decode_response(&out, &Limits::default()).expect("the response decodes")
}

fn call_body(name: &str, params: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>{name}</methodName>\
         <params>{params}</params></methodCall>"
    )
}

fn dispatcher() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    d.register("nil", || Value::Nil);
    d.register("big", || i64::from(i32::MAX) + 1);
    d.register("small", || 5i64);
    d.register("nan", || f64::NAN);
    d.register_async("defer", |x: Value| async move { x });
    d
}

#[test]
fn calls_round_trip() {
    let d = dispatcher();
    let body = call_body(
        "add",
        "<param><value><i4>2</i4></value></param><param><value><int>40</int></value></param>",
    );
    assert_eq!(result_of(&d, &body), Ok(Value::Int(42)));
    let body = call_body("defer", "<param><value>text</value></param>");
    assert_eq!(result_of(&d, &body), Ok(Value::from("text")));
}

#[test]
fn undecodable_bodies_get_a_failure_fault() {
    let d = dispatcher();
    for body in [
        "",
        "not xml",
        "<methodCall>",
        "<methodResponse><params/></methodResponse>",
        "<methodCall><params/></methodCall>",
    ] {
        let f = result_of(&d, body).unwrap_err();
        assert_eq!(f.code, FAILURE, "{body:?}");
        assert!(
            f.string.starts_with("Can't deserialize input: "),
            "{body:?}: {}",
            f.string
        );
    }
    let mut custom = dispatcher();
    custom.set_failure_code(666);
    assert_eq!(result_of(&custom, "junk").unwrap_err().code, 666);
}

#[test]
fn nil_and_i8_follow_the_dispatcher_policy() {
    let mut d = dispatcher();
    let f = result_of(&d, &call_body("nil", "")).unwrap_err();
    assert_eq!(f.code, FAILURE);
    assert!(
        f.string.starts_with("Can't serialize output: "),
        "{}",
        f.string
    );
    assert!(result_of(&d, &call_body("big", "")).is_err());
    assert_eq!(result_of(&d, &call_body("small", "")), Ok(Value::Int(5)));
    assert!(result_of(&d, &call_body("nan", "")).is_err());

    d.set_allow_none(true).set_allow_i8(true);
    assert_eq!(result_of(&d, &call_body("nil", "")), Ok(Value::Nil));
    assert_eq!(
        result_of(&d, &call_body("big", "")),
        Ok(Value::I8(i64::from(i32::MAX) + 1))
    );
    let out = serve(&d, call_body("nil", "").as_bytes());
    assert!(String::from_utf8(out).unwrap().contains("<nil/>"));
}

#[test]
fn unknown_procedure_fault_on_the_wire() {
    let d = dispatcher();
    let out = serve(&d, call_body("nope", "").as_bytes());
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("<name>faultCode</name>"), "{text}");
    assert_eq!(
        decode_response(text.as_bytes(), &Limits::default()).unwrap(),
        Err(Fault::new(8001, "procedure nope not found"))
    );
}
