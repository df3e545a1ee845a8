//! The `#[xmlrpc]` attribute macro: names, renames, skips, help from doc
//! comments, derived signatures, async and with-request methods.
// The published methods must be `pub`, while the test types are private.
#![allow(unreachable_pub)]

mod dispatch_util;

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use dispatch_util::{call, call_with, drive, fault, s};
use xmlrpc_proto::dispatch::{Dispatcher, FAILURE, HandlerError, Lookup, NOT_FOUND};
use xmlrpc_proto::{Fault, MethodCall, RequestHead, Value};

#[derive(Default)]
struct Example {
    hits: AtomicI32,
}

#[xmlrpc_proto::xmlrpc]
impl Example {
    /// Returns its argument unchanged.
    ///
    /// Any type.
    pub fn echo(&self, x: Value) -> Value {
        self.hits.fetch_add(1, Ordering::SeqCst);
        x
    }

    /// Adds two numbers.
    pub fn add(&self, a: i32, b: i32) -> i32 {
        a + b
    }

    #[xmlrpc(name = "date.time")]
    pub fn time(&self) -> f64 {
        1.5
    }

    #[xmlrpc(help = "Help from the attribute.")]
    /// Doc that loses to the help attribute.
    pub fn helped(&self) -> bool {
        true
    }

    /// Completes later.
    pub async fn defer(&self, x: Value) -> Value {
        x
    }

    pub async fn defer_fault(&self) -> Result<Value, Fault> {
        Err(Fault::new(17, "hi"))
    }

    pub fn with_request(&self, head: &RequestHead, other: String) -> String {
        format!("{} {other}", head.method)
    }

    pub async fn async_with_request(&self, head: &xmlrpc_proto::RequestHead) -> String {
        head.path.clone()
    }

    pub fn fails(&self) -> Result<i32, HandlerError> {
        Err(HandlerError::msg("hidden"))
    }

    pub fn no_receiver(n: i32) -> Vec<i32> {
        vec![n; 2]
    }

    pub fn unit(&self) {}

    #[xmlrpc(skip)]
    pub fn skipped(&self) -> i32 {
        0
    }

    fn private(&self) -> i32 {
        self.hits.load(Ordering::SeqCst)
    }

    pub(crate) fn crate_visible(&self) -> i32 {
        self.private()
    }

    pub fn r#type(&self) -> &'static str {
        "raw identifier"
    }
}

fn dispatcher() -> (Arc<Example>, Dispatcher) {
    let ex = Arc::new(Example::default());
    let mut d = Dispatcher::from_object(Arc::clone(&ex));
    d.set_allow_none(true).enable_introspection();
    (ex, d)
}

#[test]
fn publishes_public_methods_under_their_names() {
    let (ex, d) = dispatcher();
    let mut names = d.list_procedures();
    names.sort();
    assert_eq!(
        names,
        [
            "add",
            "async_with_request",
            "date.time",
            "defer",
            "defer_fault",
            "echo",
            "fails",
            "helped",
            "no_receiver",
            "type",
            "unit",
            "with_request",
        ]
    );
    assert_eq!(call(&d, "echo", vec![s("x")]), Ok(s("x")));
    assert_eq!(ex.crate_visible(), 1);
    assert_eq!(
        call(&d, "add", vec![Value::Int(2), Value::Int(3)]),
        Ok(Value::Int(5))
    );
    assert_eq!(call(&d, "date.time", vec![]), Ok(Value::Double(1.5)));
    assert_eq!(call(&d, "time", vec![]).unwrap_err().code, NOT_FOUND);
    assert_eq!(call(&d, "skipped", vec![]).unwrap_err().code, NOT_FOUND);
    assert_eq!(ex.skipped(), 0);
    assert_eq!(call(&d, "private", vec![]).unwrap_err().code, NOT_FOUND);
    assert_eq!(
        call(&d, "crate_visible", vec![]).unwrap_err().code,
        NOT_FOUND
    );
    assert_eq!(call(&d, "type", vec![]), Ok(s("raw identifier")));
    assert_eq!(
        call(&d, "no_receiver", vec![Value::Int(4)]),
        Ok(Value::Array(vec![Value::Int(4), Value::Int(4)]))
    );
    assert_eq!(call(&d, "unit", vec![]), Ok(Value::Nil));
    assert_eq!(call(&d, "fails", vec![]), fault(FAILURE, "error"));
    assert_eq!(
        call(&d, "add", vec![Value::Int(2)]),
        fault(FAILURE, "add: expected 2 arguments (int, int), got 1")
    );
}

#[test]
fn async_methods() {
    let (_, d) = dispatcher();
    let head = RequestHead::new("POST", "/RPC2");
    let reply = d.call(&head, MethodCall::new("defer", vec![Value::Int(9)]));
    assert!(!reply.is_ready());
    assert_eq!(drive(reply).0, Ok(Value::Int(9)));
    assert_eq!(call(&d, "defer_fault", vec![]), fault(17, "hi"));
}

#[test]
fn with_request_methods() {
    let (_, d) = dispatcher();
    let head = RequestHead::new("POST", "/here");
    assert_eq!(
        call_with(&d, &head, "with_request", vec![s("x")]),
        Ok(s("POST x"))
    );
    assert_eq!(
        call_with(&d, &head, "async_with_request", vec![]),
        Ok(s("/here"))
    );
    assert_eq!(
        call_with(&d, &head, "with_request", vec![]),
        fault(FAILURE, "with_request: expected 1 argument (string), got 0")
    );
}

#[test]
fn help_and_signatures() {
    let (_, d) = dispatcher();
    let help = |n: &str| call(&d, "system.methodHelp", vec![s(n)]).unwrap();
    let sig = |n: &str| call(&d, "system.methodSignature", vec![s(n)]).unwrap();
    assert_eq!(
        help("echo"),
        s("Returns its argument unchanged.\n\nAny type.")
    );
    assert_eq!(help("helped"), s("Help from the attribute."));
    assert_eq!(help("date.time"), s(""));
    let arr = |v: &[&str]| Value::Array(v.iter().map(|x| s(x)).collect());
    assert_eq!(sig("add"), Value::Array(vec![arr(&["int", "int", "int"])]));
    assert_eq!(sig("echo"), Value::Array(vec![arr(&["value", "value"])]));
    assert_eq!(sig("date.time"), Value::Array(vec![arr(&["double"])]));
    assert_eq!(sig("defer_fault"), Value::Array(vec![arr(&["value"])]));
    assert_eq!(
        sig("with_request"),
        Value::Array(vec![arr(&["string", "string"])])
    );
    assert_eq!(
        sig("no_receiver"),
        Value::Array(vec![arr(&["array", "int"])])
    );
}

/// A generic type can be published too.
struct Holder<T> {
    value: T,
}

#[xmlrpc_proto::xmlrpc]
impl<T> Holder<T>
where
    T: Clone + xmlrpc_proto::IntoValue + Send + Sync + 'static,
{
    /// The held value.
    pub fn get(&self) -> T {
        self.value.clone()
    }
}

#[test]
fn generic_impl_blocks() {
    let mut d = Dispatcher::new();
    d.publish(Arc::new(Holder { value: 7i32 }));
    assert_eq!(call(&d, "get", vec![]), Ok(Value::Int(7)));
}
