//! The Python peers talking to each other: checks the harness itself, so
//! that a failure elsewhere points at our code, not at the scripts.

use std::time::Duration;

use xmlrpc_proto::{DateTime, Fault, Struct, Value};
use xmlrpc_tests::python::{PyOutcome, PythonServer, from_tagged, python_calls, to_tagged};

fn sample() -> Value {
    let mut s = Struct::new();
    s.insert("name", Value::from("snow \u{2603} <&>"));
    s.insert("bytes", Value::Base64(vec![0, 1, 2, 255]));
    s.insert(
        "when",
        Value::DateTime(DateTime::parse("20260101T12:00:00").expect("valid")),
    );
    Value::Array(vec![
        Value::Int(-7),
        Value::Bool(true),
        Value::Double(1.5),
        Value::Nil,
        Value::Struct(s),
        Value::Array(vec![]),
    ])
}

#[test]
fn tagged_json_round_trip() {
    let v = sample();
    assert_eq!(from_tagged(&to_tagged(&v)), v);
    assert_eq!(
        from_tagged(&to_tagged(&Value::I8(1 << 40))),
        Value::I8(1 << 40)
    );
}

#[test]
fn python_client_against_python_server() {
    let server = PythonServer::start();
    let out = python_calls(
        &server.url(),
        None,
        &[
            ("echo", vec![sample()]),
            ("add", vec![Value::Int(2), Value::Int(3)]),
            ("fault", vec![]),
        ],
        Duration::from_secs(20),
    );
    assert_eq!(
        out,
        [
            PyOutcome::Ok(sample()),
            PyOutcome::Ok(Value::Int(5)),
            PyOutcome::Fault(Fault::new(123, "The fault procedure is faulty.")),
        ]
    );
}
