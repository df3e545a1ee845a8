//! Helpers shared by the dispatcher tests: drive replies without a runtime.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use xmlrpc_proto::dispatch::{Dispatcher, Reply};
use xmlrpc_proto::{Fault, MethodCall, RequestHead, Value};

/// Polls `reply` with a no-op waker until it is ready; returns the result
/// and how many polls it took. Gives up after 100 polls.
pub fn drive(mut reply: Reply) -> (Result<Value, Fault>, usize) {
    let mut cx = Context::from_waker(Waker::noop());
    for n in 1..=100 {
        if let Poll::Ready(r) = Pin::new(&mut reply).poll(&mut cx) {
            return (r, n);
        }
    }
    panic!("reply still pending after 100 polls");
}

/// Calls `name(params)` on `d` with a plain POST head and drives the reply.
pub fn call(d: &Dispatcher, name: &str, params: Vec<Value>) -> Result<Value, Fault> {
    call_with(d, &RequestHead::new("POST", "/RPC2"), name, params)
}

/// Same as [`call`] with a given head.
pub fn call_with(
    d: &Dispatcher,
    head: &RequestHead,
    name: &str,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    drive(d.call(head, MethodCall::new(name, params))).0
}

/// A fault with this code and string.
pub fn fault(code: i32, s: &str) -> Result<Value, Fault> {
    Err(Fault::new(code, s))
}

/// A string value.
pub fn s(x: &str) -> Value {
    Value::from(x)
}
