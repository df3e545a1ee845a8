#![no_main]
//! A call, decoded from bytes or built from arbitrary values, dispatched
//! through a `Dispatcher` of typed procedures (sync and async, taking
//! ints, strings, vectors, options, tuples, maps, dateTimes and serde
//! structs) with introspection and `system.multicall` on. The reply never
//! panics, always completes (every async procedure here finishes within
//! two polls), and a multicall answers one entry per call.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use arbitrary::Unstructured;
use serde::{Deserialize, Serialize};
use time::PrimitiveDateTime;
use xmlrpc_proto::codec::{decode_call, encode_response};
use xmlrpc_proto::dispatch::{Dispatcher, Procedure};
use xmlrpc_proto::{DateTime, Fault, Limits, MethodCall, RequestHead, Serde, Struct, Value};

/// The most calls one `system.multicall` may hold here.
const MULTICALL_MAX: usize = 16;

#[derive(Debug, Serialize, Deserialize)]
struct Point {
    x: i32,
    y: i32,
    label: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
enum Shape {
    Dot,
    Circle { r: f64 },
    Line(Point, Point),
}

/// A future that is pending on its first poll (waking itself) and ready
/// with its value on the second.
struct YieldOnce<T>(Option<T>, bool);

impl<T: Unpin> Future for YieldOnce<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if self.1 {
            // Polled at most once after it returned the value: the reply
            // stops polling a finished procedure.
            Poll::Ready(self.0.take().expect("polled after completion"))
        } else {
            self.1 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn dispatcher() -> &'static Dispatcher {
    static D: OnceLock<Dispatcher> = OnceLock::new();
    D.get_or_init(|| {
        let mut d = Dispatcher::new();
        d.set_allow_none(true).set_allow_i8(true);
        d.register("echo", |v: Value| v);
        d.register("add", |a: i32, b: i32| {
            a.checked_add(b).ok_or(Fault::new(1, "overflow"))
        })
        .derive_signature();
        d.register("concat", |a: String, b: String| a + &b)
            .help("Joins two strings.");
        d.register("sum", |xs: Vec<i64>| {
            xs.iter().fold(0i64, |a, b| a.wrapping_add(*b))
        });
        d.register("maybe", |x: Option<i32>, y: Option<String>| {
            (x, y.unwrap_or_default())
        });
        d.register("pair", |t: (String, f64)| {
            vec![Value::from(t.0), Value::Double(t.1)]
        });
        d.register("bytes", |b: Vec<u8>| b.len() as i32);
        d.register("map", |m: BTreeMap<String, bool>| m.len() as i32);
        d.register("members", |s: Struct| s.len() as i32);
        d.register("when", |t: PrimitiveDateTime| t.year());
        d.register("raw_when", |t: DateTime| t.as_str().to_owned());
        d.register("nested", |v: Vec<Vec<Option<i32>>>| v);
        d.register("point", |p: Serde<Point>| {
            let p = p.0;
            Serde(Point {
                x: p.y,
                y: p.x,
                label: p.label,
            })
        });
        d.register("shapes", |s: Vec<Serde<Shape>>| s.len() as i32);
        d.register("char", |c: char| c.to_string());
        d.register("fail", |x: i32| -> Result<i32, std::io::Error> {
            Err(std::io::Error::other(format!("failed on {x}")))
        });
        d.register("boom", |x: i32| -> i32 {
            if x == 7 {
                panic!("seven");
            }
            x
        });
        d.register("nothing", || ());
        d.register_async("later", |v: Value| YieldOnce(Some(v), false));
        d.register_async(
            "later_add",
            |a: i32, b: i32| async move { a.wrapping_add(b) },
        );
        d.register_async("later_fault", |code: i32| {
            YieldOnce(Some(Err::<i32, Fault>(Fault::new(code, "later"))), false)
        });
        d.register_async("later_boom", |x: i32| async move {
            if x == 7 {
                panic!("seven, later");
            }
            x
        });
        d.register_with_request("path", |head: &RequestHead, x: Option<i32>| {
            format!("{} {}", head.path, x.unwrap_or(0))
        });
        d.insert(
            "count",
            Procedure::variadic(|_head: &RequestHead, params: Vec<Value>| params.len() as i32),
        );
        let mut sub = Dispatcher::new();
        sub.register("time", || 0.0);
        sub.register("echo", |s: String| s);
        d.put_sub_handler("date", sub);
        d.enable_introspection();
        d.enable_multicall(MULTICALL_MAX);
        d
    })
}

/// Names to choose from when building a call: every procedure, a few
/// unknown ones and the `system.*` ones.
const NAMES: &[&str] = &[
    "echo",
    "add",
    "concat",
    "sum",
    "maybe",
    "pair",
    "bytes",
    "map",
    "members",
    "when",
    "raw_when",
    "nested",
    "point",
    "shapes",
    "char",
    "fail",
    "boom",
    "nothing",
    "later",
    "later_add",
    "later_fault",
    "later_boom",
    "path",
    "count",
    "date.time",
    "date.echo",
    "date.nope",
    "nope.x",
    "nope",
    "",
    "system.listMethods",
    "system.methodHelp",
    "system.methodSignature",
    "system.multicall",
];

fn name(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    if u.ratio(1, 8)? {
        u.arbitrary()
    } else {
        Ok((*u.choose(NAMES)?).to_owned())
    }
}

/// One `system.multicall` entry: mostly well formed, sometimes not.
fn entry(u: &mut Unstructured<'_>) -> arbitrary::Result<Value> {
    if u.ratio(1, 8)? {
        return u.arbitrary();
    }
    let mut s = Struct::new();
    s.insert("methodName", name(u)?);
    let params: Vec<Value> = u.arbitrary()?;
    s.insert("params", Value::Array(params));
    Ok(Value::Struct(s))
}

fn built_call(u: &mut Unstructured<'_>) -> arbitrary::Result<MethodCall> {
    if u.ratio(1, 3)? {
        let mut calls = Vec::new();
        while u.arbitrary::<bool>()? && calls.len() <= MULTICALL_MAX {
            calls.push(entry(u)?);
        }
        return Ok(MethodCall::new(
            "system.multicall",
            vec![Value::Array(calls)],
        ));
    }
    Ok(MethodCall::new(name(u)?, u.arbitrary()?))
}

/// Polls `reply` to completion; every procedure here needs two polls at
/// most, so a multicall needs no more either.
fn finish(d: &Dispatcher, head: &RequestHead, call: MethodCall) -> Result<Value, Fault> {
    let mut reply = d.call(head, call);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..3 {
        if let Poll::Ready(r) = Pin::new(&mut reply).poll(&mut cx) {
            return r;
        }
    }
    panic!("the reply did not complete: {reply:?}");
}

/// The calls a `system.multicall` carries, when it is one the dispatcher
/// answers entry by entry.
fn multicall_len(call: &MethodCall) -> Option<usize> {
    match (call.name.as_str(), call.params.as_slice()) {
        ("system.multicall", [Value::Array(calls)]) if calls.len() <= MULTICALL_MAX => {
            Some(calls.len())
        }
        _ => None,
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let call = if mode & 1 == 0 {
        match decode_call(rest, &Limits::default()) {
            Ok(call) => call,
            Err(e) => {
                let _ = dispatcher().bad_request(&e);
                return;
            }
        }
    } else {
        match built_call(&mut Unstructured::new(rest)) {
            Ok(call) => call,
            Err(_) => return,
        }
    };
    let d = dispatcher();
    let head = RequestHead::new("POST", "/RPC2");
    let expected = multicall_len(&call);
    let shown = format!("{call:?}");
    let result = finish(d, &head, call);
    let _ = format!("{result:?}");
    if let Some(n) = expected {
        let Ok(Value::Array(entries)) = &result else {
            panic!("{shown}: multicall answered {result:?}");
        };
        assert_eq!(entries.len(), n, "{shown}");
        for e in entries {
            match e {
                Value::Array(one) => assert_eq!(one.len(), 1, "{shown}"),
                Value::Struct(s) => {
                    assert!(matches!(s.get("faultCode"), Some(Value::Int(_))), "{shown}");
                    assert!(
                        matches!(s.get("faultString"), Some(Value::String(_))),
                        "{shown}"
                    );
                }
                other => panic!("{shown}: multicall entry {other:?}"),
            }
        }
    }
    let mut out = Vec::new();
    if let Err(e) = encode_response(&result, d.encode_options(), &mut out) {
        let _ = d.encode_failure(&e);
    }
});
