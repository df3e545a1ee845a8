//! Hostile calls: any procedure name with any params never panics a
//! conformance procedure, always yields a reply within a few polls, and
//! answers wrong arguments with the FAILURE fault naming the procedure.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;
use xmlrpc_proto::dispatch::Reply;
use xmlrpc_proto::{DateTime, MethodCall, RequestHead, Struct, Value};

static PANICS: AtomicUsize = AtomicUsize::new(0);

fn drive(mut reply: Reply) -> Option<Result<Value, xmlrpc_proto::Fault>> {
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10 {
        if let Poll::Ready(r) = Pin::new(&mut reply).poll(&mut cx) {
            return Some(r);
        }
    }
    None
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("2000"),
            Just("04"),
            Just("01"),
            Just("curly"),
            Just("moe")
        ]
        .prop_map(Value::from),
        any::<f64>().prop_map(Value::Double),
        Just(Value::DateTime(
            DateTime::parse("19980717T14:08:55").expect("valid")
        )),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Base64),
        Just(Value::Nil),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("moe".to_owned()),
                        Just("larry".to_owned()),
                        Just("curly".to_owned()),
                        Just("2000".to_owned()),
                        Just("04".to_owned()),
                        Just("01".to_owned()),
                        Just("methodName".to_owned()),
                        Just("params".to_owned()),
                        "[a-z]{0,4}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|m| Value::Struct(Struct::from_members(m))),
        ]
    })
}

fn names() -> Vec<String> {
    let d = xmlrpc_conformance::dispatcher();
    let mut n = d.list_methods();
    n.extend(["SESSIONx", "nope", "date.nope", ".", ""].map(String::from));
    n
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]
    #[test]
    fn any_call_gets_a_reply(
        which in any::<prop::sample::Index>(),
        params in proptest::collection::vec(arb_value(), 0..7),
    ) {
        std::panic::set_hook(Box::new(|_| {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }));
        let names = names();
        let name = which.get(&names).clone();
        let d = xmlrpc_conformance::dispatcher();
        let head = RequestHead::new("POST", "/RPC2");
        let r = drive(d.call(&head, MethodCall::new(name.clone(), params)));
        prop_assert!(r.is_some(), "{name}: still pending");
        if let Some(Err(f)) = r {
            if f.code == xmlrpc_conformance::FAILURE && f.string != "error" {
                prop_assert!(f.string.starts_with(&name), "{name}: {}", f.string);
            }
        }
        prop_assert_eq!(PANICS.load(Ordering::SeqCst), 0);
    }
}
