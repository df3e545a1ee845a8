//! The conformance procedure set of CONTRACT.md section 1, driven without
//! sockets: every row of the table, with its exact codes and strings.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use xmlrpc_conformance::{FAILURE, NOT_FOUND};
use xmlrpc_proto::dispatch::{Dispatcher, Reply};
use xmlrpc_proto::{DateTime, Fault, MethodCall, RequestHead, Struct, Value};

fn drive(mut reply: Reply) -> (Result<Value, Fault>, usize) {
    let mut cx = Context::from_waker(Waker::noop());
    for n in 1..=100 {
        if let Poll::Ready(r) = Pin::new(&mut reply).poll(&mut cx) {
            return (r, n);
        }
    }
    panic!("still pending after 100 polls");
}

struct Server {
    site: xmlrpc_proto::dispatch::Site,
    head: RequestHead,
}

impl Server {
    fn new() -> Self {
        Self {
            site: xmlrpc_conformance::site(),
            head: RequestHead::new("POST", "/RPC2"),
        }
    }
    fn d(&self) -> &Dispatcher {
        self.site.resolve("/RPC2").expect("mounted at /RPC2")
    }
    fn call(&self, name: &str, params: Vec<Value>) -> Result<Value, Fault> {
        drive(self.d().call(&self.head, MethodCall::new(name, params))).0
    }
}

fn s(x: &str) -> Value {
    Value::from(x)
}

fn strs(v: &[&str]) -> Value {
    Value::Array(v.iter().map(|x| s(x)).collect())
}

fn st(members: &[(&str, Value)]) -> Value {
    Value::Struct(members.iter().cloned().collect())
}

fn err(code: i32, string: &str) -> Result<Value, Fault> {
    Err(Fault::new(code, string))
}

#[test]
fn paths_and_settings() {
    let site = xmlrpc_conformance::site();
    assert!(site.resolve("/").is_some());
    assert!(site.resolve("/RPC2").is_some());
    assert!(site.resolve("/other").is_none());
    let d = site.resolve("/").unwrap();
    assert_eq!((d.not_found_code(), d.failure_code()), (23, 666));
    assert!(d.allows_none() && d.allows_i8());
}

#[test]
fn twisted_test_resource() {
    let srv = Server::new();
    for v in [
        Value::Int(1),
        s("x"),
        Value::Nil,
        Value::I8(1 << 40),
        Value::Array(vec![Value::Bool(true)]),
        st(&[("k", Value::Double(1.5))]),
        Value::Base64(b"hi".to_vec()),
        Value::DateTime(DateTime::parse("20260101T12:00:00").unwrap()),
    ] {
        assert_eq!(srv.call("echo", vec![v.clone()]), Ok(v));
    }
    assert_eq!(
        srv.call("add", vec![Value::Int(2), Value::Int(3)]),
        Ok(Value::Int(5))
    );
    assert_eq!(
        srv.call("add", vec![Value::Double(1.5), Value::Double(2.0)]),
        Ok(Value::Double(3.5))
    );
    assert_eq!(
        srv.call("add", vec![Value::Int(1)]),
        err(FAILURE, "add: expected 2 arguments (value, value), got 1")
    );
    assert_eq!(
        srv.call("add", vec![s("a"), Value::Int(1)]),
        err(
            FAILURE,
            "add: expected two ints or two doubles, found string and int"
        )
    );
    assert_eq!(
        srv.call("pair", vec![s("a"), Value::Int(1)]),
        Ok(Value::Array(vec![s("a"), Value::Int(1)]))
    );
    assert_eq!(
        srv.call("pair", vec![Value::Int(1), Value::Int(1)]),
        err(FAILURE, "pair: argument 1: expected string, found int")
    );
    let head = RequestHead::new("POST", "/");
    let (r, polls) = drive(srv.d().call(&head, MethodCall::new("defer", vec![s("x")])));
    assert_eq!((r, polls), (Ok(s("x")), 2));
    assert_eq!(srv.call("deferFail", vec![]), err(FAILURE, "error"));
    assert_eq!(srv.call("fail", vec![]), err(FAILURE, "error"));
    assert_eq!(srv.call("fault", vec![]), err(12, "hello"));
    assert_eq!(srv.call("deferFault", vec![]), err(17, "hi"));
    assert_eq!(srv.call("snowman", vec![s("\u{2603}")]), Ok(s("\u{2603}")));
    assert_eq!(
        srv.call("snowman", vec![s("snowman")]),
        err(13, "Payload not unicode snowman")
    );
    assert_eq!(
        srv.call("complex", vec![]),
        Ok(st(&[
            (
                "a",
                Value::Array(vec![s("b"), s("c"), Value::Int(12), Value::Array(vec![])])
            ),
            ("D", s("foo")),
        ]))
    );
    let map = st(&[("a", Value::Int(1)), ("b", s("two"))]);
    assert_eq!(srv.call("dict", vec![map.clone(), s("b")]), Ok(s("two")));
    assert_eq!(srv.call("dict", vec![map, s("zz")]), err(FAILURE, "error"));
}

#[test]
fn request_procedures() {
    let srv = Server::new();
    let mut head = RequestHead::new("POST", "/RPC2");
    head.headers.append("X-Test", "one");
    head.headers.append("x-test", "two");
    let call = |name: &str, params| drive(srv.d().call(&head, MethodCall::new(name, params))).0;
    assert_eq!(call("withRequest", vec![s("foo")]), Ok(s("POST foo")));
    assert_eq!(
        call("headerValue", vec![s("X-Test")]),
        Ok(strs(&["one", "two"]))
    );
    assert_eq!(
        call("headerValue", vec![s("absent")]),
        Ok(Value::Array(vec![]))
    );
}

#[test]
fn date_time_and_lookup() {
    let srv = Server::new();
    let now = srv.call("date.time", vec![]).unwrap().as_f64().unwrap();
    assert!(now > 1.7e9, "{now}");
    assert_eq!(
        srv.call("SESSION1234", vec![]),
        err(42, "Session non-existent/expired.")
    );
    assert_eq!(
        srv.call("SESSION", vec![]),
        err(42, "Session non-existent/expired.")
    );
    assert_eq!(
        srv.call("nope", vec![]),
        err(NOT_FOUND, "procedure nope not found")
    );
    assert_eq!(
        srv.call("x.y", vec![]),
        err(NOT_FOUND, "no such subHandler x")
    );
}

const ALL: [&str; 26] = [
    "add",
    "complex",
    "date.time",
    "defer",
    "deferFail",
    "deferFault",
    "dict",
    "echo",
    "fail",
    "fault",
    "headerValue",
    "pair",
    "snowman",
    "system.listMethods",
    "system.methodHelp",
    "system.methodSignature",
    "system.multicall",
    "validator1.arrayOfStructsTest",
    "validator1.countTheEntities",
    "validator1.easyStructTest",
    "validator1.echoStructTest",
    "validator1.manyTypesTest",
    "validator1.moderateSizeArrayCheck",
    "validator1.nestedStructTest",
    "validator1.simpleStructReturnTest",
    "withRequest",
];

#[test]
fn introspection() {
    let srv = Server::new();
    assert_eq!(srv.call("system.listMethods", vec![]), Ok(strs(&ALL)));
    let help = |n: &str| srv.call("system.methodHelp", vec![s(n)]);
    let sig = |n: &str| srv.call("system.methodSignature", vec![s(n)]);
    assert_eq!(help("add"), Ok(s("This function add two numbers.")));
    assert_eq!(
        help("pair"),
        Ok(s("This function puts the two arguments in an array."))
    );
    assert_eq!(help("defer"), Ok(s("Help for defer.")));
    assert_eq!(help("dict"), Ok(s("Help for dict.")));
    assert_eq!(help("fail"), Ok(s("")));
    assert_eq!(help("echo"), Ok(s("")));
    assert_eq!(help("nope"), err(NOT_FOUND, "procedure nope not found"));
    assert_eq!(
        sig("add"),
        Ok(Value::Array(vec![
            strs(&["int", "int", "int"]),
            strs(&["double", "double", "double"])
        ]))
    );
    assert_eq!(
        sig("pair"),
        Ok(Value::Array(vec![strs(&["array", "string", "int"])]))
    );
    assert_eq!(sig("defer"), Ok(s("")));
    assert_eq!(sig("fail"), Ok(s("")));
    assert_eq!(help("SESSION1"), err(42, "Session non-existent/expired."));
}

fn mc(name: &str, params: Vec<Value>) -> Value {
    st(&[("methodName", s(name)), ("params", Value::Array(params))])
}

#[test]
fn multicall() {
    let srv = Server::new();
    let calls = Value::Array(vec![
        mc("add", vec![Value::Int(1), Value::Int(2)]),
        mc("defer", vec![s("a")]),
        mc("fault", vec![]),
        mc("deferFault", vec![]),
        mc("nope", vec![]),
        mc("SESSIONx", vec![]),
    ]);
    let fs = |code: i32, string: &str| {
        st(&[("faultCode", Value::Int(code)), ("faultString", s(string))])
    };
    assert_eq!(
        srv.call("system.multicall", vec![calls]),
        Ok(Value::Array(vec![
            Value::Array(vec![Value::Int(3)]),
            Value::Array(vec![s("a")]),
            fs(12, "hello"),
            fs(17, "hi"),
            fs(23, "procedure nope not found"),
            fs(42, "Session non-existent/expired."),
        ]))
    );
}

fn stooges(moe: i32, larry: i32, curly: i32) -> Value {
    st(&[
        ("moe", Value::Int(moe)),
        ("larry", Value::Int(larry)),
        ("curly", Value::Int(curly)),
    ])
}

#[test]
fn validator_suite() {
    let srv = Server::new();
    let v = |name: &str, params| srv.call(&format!("validator1.{name}"), params);
    assert_eq!(
        v(
            "arrayOfStructsTest",
            vec![Value::Array(vec![
                stooges(1, 2, 3),
                stooges(4, 5, 6),
                stooges(0, 0, -1)
            ])]
        ),
        Ok(Value::Int(8))
    );
    assert_eq!(
        v("countTheEntities", vec![s("<<a>&'\"\"&&'b>")]),
        Ok(st(&[
            ("ctLeftAngleBrackets", Value::Int(2)),
            ("ctRightAngleBrackets", Value::Int(2)),
            ("ctAmpersands", Value::Int(3)),
            ("ctApostrophes", Value::Int(2)),
            ("ctQuotes", Value::Int(2)),
        ]))
    );
    assert_eq!(
        v("easyStructTest", vec![stooges(2, 3, 4)]),
        Ok(Value::Int(9))
    );
    assert_eq!(
        v("easyStructTest", vec![st(&[("moe", Value::Int(1))])]),
        err(
            FAILURE,
            "validator1.easyStructTest: expected an int member \"larry\""
        )
    );
    let echo = st(&[("substruct", stooges(1, 2, 3)), ("x", s("y"))]);
    assert_eq!(v("echoStructTest", vec![echo.clone()]), Ok(echo));
    let many = vec![
        Value::Int(1),
        Value::Bool(true),
        s("s"),
        Value::Double(-2.5),
        Value::DateTime(DateTime::parse("19980717T14:08:55").unwrap()),
        Value::Base64(b"you can read this!".to_vec()),
    ];
    assert_eq!(v("manyTypesTest", many.clone()), Ok(Value::Array(many)));
    let words: Vec<Value> = (0..150).map(|i| s(&format!("w{i}"))).collect();
    assert_eq!(
        v("moderateSizeArrayCheck", vec![Value::Array(words)]),
        Ok(s("w0w149"))
    );
    assert_eq!(
        v("moderateSizeArrayCheck", vec![Value::Array(vec![])]),
        err(
            FAILURE,
            "validator1.moderateSizeArrayCheck: expected a non-empty array"
        )
    );
    let day = |m, l, c| stooges(m, l, c);
    let calendar = st(&[(
        "2000",
        st(&[
            ("03", st(&[("31", day(9, 9, 9))])),
            ("04", st(&[("01", day(1, 2, 3)), ("02", day(9, 9, 9))])),
        ]),
    )]);
    assert_eq!(v("nestedStructTest", vec![calendar]), Ok(Value::Int(6)));
    assert_eq!(
        v("nestedStructTest", vec![st(&[])]),
        err(
            FAILURE,
            "validator1.nestedStructTest: no entry for 2000-04-01"
        )
    );
    assert_eq!(
        v("simpleStructReturnTest", vec![Value::Int(7)]),
        Ok(st(&[
            ("times10", Value::Int(70)),
            ("times100", Value::Int(700)),
            ("times1000", Value::Int(7000)),
        ]))
    );
    assert_eq!(
        v("simpleStructReturnTest", vec![Value::Int(i32::MAX)]).unwrap()["times1000"],
        Value::I8(i64::from(i32::MAX) * 1000)
    );
}

#[test]
fn example_site() {
    let site = xmlrpc_conformance::example();
    let d = site.resolve("/RPC2").unwrap();
    assert_eq!((d.not_found_code(), d.failure_code()), (8001, 8002));
    let head = RequestHead::new("POST", "/RPC2");
    let call = |name: &str, params| drive(d.call(&head, MethodCall::new(name, params))).0;
    assert_eq!(call("echo", vec![s("x")]), Ok(s("x")));
    assert_eq!(
        call("add", vec![Value::Int(1), Value::Int(2)]),
        Ok(Value::Int(3))
    );
    assert_eq!(
        call("add", vec![Value::Int(i32::MAX), Value::Int(1)]),
        err(8002, "add: integer overflow")
    );
    assert_eq!(
        call("fault", vec![]),
        err(123, "The fault procedure is faulty.")
    );
    assert!(call("date.time", vec![]).unwrap().as_f64().unwrap() > 1.7e9);
    assert_eq!(
        call("system.listMethods", vec![]),
        Ok(strs(&[
            "add",
            "date.time",
            "echo",
            "fault",
            "system.listMethods",
            "system.methodHelp",
            "system.methodSignature",
            "system.multicall",
        ]))
    );
    assert_eq!(
        call("system.methodHelp", vec![s("add")]),
        Ok(s("Adds two integers."))
    );
    assert_eq!(
        call("system.methodSignature", vec![s("add")]),
        Ok(Value::Array(vec![strs(&["int", "int", "int"])]))
    );
    assert_eq!(
        call("system.methodSignature", vec![s("date.time")]),
        Ok(Value::Array(vec![strs(&["double"])]))
    );
}

#[test]
fn struct_helper_keeps_order() {
    let v = st(&[("b", Value::Int(1)), ("a", Value::Int(2))]);
    let keys: Vec<&str> = v.as_struct().map(Struct::keys).unwrap().collect();
    assert_eq!(keys, ["b", "a"]);
}
