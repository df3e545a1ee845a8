//! The dispatcher, driven without sockets: every behaviour of Twisted's
//! `XMLRPC` resource that the issue lists, with exact codes and strings.

mod dispatch_util;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use dispatch_util::{call, call_with, drive, fault, s};
use time::macros::datetime;
use time::{OffsetDateTime, PrimitiveDateTime};
use xmlrpc_proto::dispatch::{
    Dispatcher, FAILURE, HandlerError, Lookup, LookupError, NOT_FOUND, Procedure, Reply, Site,
};
use xmlrpc_proto::{DateTime, Fault, MethodCall, RequestHead, Struct, Value};

/// Pending on the first poll, then ready.
struct Later<T>(Option<T>, bool);

impl<T: Unpin> Future for Later<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if self.1 {
            Poll::Ready(self.0.take().expect("polled after completion"))
        } else {
            self.1 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn later<T: Unpin>(v: T) -> Later<T> {
    Later(Some(v), false)
}

fn basic() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    d.register("none", || 1);
    d.register("one", |x: String| x);
    d.register("fault", || Err::<Value, _>(Fault::new(12, "hello")));
    d.register("fail", || {
        Err::<i32, _>(std::io::Error::other("secret detail"))
    });
    d.register("failmsg", || Err::<i32, _>(HandlerError::msg("secret")));
    d.register("panic", || -> i32 { panic!("boom") });
    d.register_async("defer", |x: Value| later(x));
    d.register_async("deferFault", || async {
        later(()).await;
        Err::<Value, _>(Fault::new(17, "hi"))
    });
    d.register_async("deferFail", || async {
        later(()).await;
        Err::<Value, _>(std::io::Error::other("secret"))
    });
    d.register_async("deferPanic", || async {
        later(()).await;
        if true {
            panic!("async boom");
        }
        1
    });
    d
}

#[test]
fn sync_procedures_are_ready_at_once() {
    let d = basic();
    let head = RequestHead::new("POST", "/");
    let reply = d.call(
        &head,
        MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]),
    );
    assert!(reply.is_ready());
    assert_eq!(reply.into_ready().unwrap(), Ok(Value::Int(5)));
    assert_eq!(
        drive(d.call(&head, MethodCall::new("none", vec![]))),
        (Ok(Value::Int(1)), 1)
    );
}

#[test]
fn argument_count_and_type_faults() {
    let d = basic();
    let three = vec![Value::Int(1), Value::Int(2), Value::Int(3)];
    assert_eq!(
        call(&d, "add", three),
        fault(FAILURE, "add: expected 2 arguments (int, int), got 3")
    );
    assert_eq!(
        call(&d, "add", vec![s("x"), Value::Int(2)]),
        fault(FAILURE, "add: argument 1: expected int, found string")
    );
    assert_eq!(
        call(&d, "add", vec![Value::Int(2), Value::Nil]),
        fault(FAILURE, "add: argument 2: expected int, found nil")
    );
    assert_eq!(
        call(&d, "none", vec![Value::Int(2)]),
        fault(FAILURE, "none: expected no arguments, got 1")
    );
    assert_eq!(
        call(&d, "one", vec![]),
        fault(FAILURE, "one: expected 1 argument (string), got 0")
    );
    // Async procedures check their arguments before making a future.
    let r = basic().call(
        &RequestHead::new("POST", "/"),
        MethodCall::new("defer", vec![]),
    );
    assert_eq!(
        r.into_ready().unwrap(),
        fault(FAILURE, "defer: expected 1 argument (value), got 0")
    );
}

#[test]
fn faults_errors_and_panics() {
    let d = basic();
    assert_eq!(call(&d, "fault", vec![]), fault(12, "hello"));
    assert_eq!(call(&d, "fail", vec![]), fault(FAILURE, "error"));
    assert_eq!(call(&d, "failmsg", vec![]), fault(FAILURE, "error"));
    assert_eq!(call(&d, "panic", vec![]), fault(FAILURE, "error"));
    // The dispatcher keeps serving after a panic.
    assert_eq!(
        call(&d, "add", vec![Value::Int(1), Value::Int(1)]),
        Ok(Value::Int(2))
    );
}

#[test]
fn async_procedures_complete_on_a_later_poll() {
    let d = basic();
    let head = RequestHead::new("POST", "/");
    let reply = d.call(&head, MethodCall::new("defer", vec![s("x")]));
    assert!(!reply.is_ready());
    assert_eq!(drive(reply), (Ok(s("x")), 2));
    assert_eq!(call(&d, "deferFault", vec![]), fault(17, "hi"));
    assert_eq!(call(&d, "deferFail", vec![]), fault(FAILURE, "error"));
    assert_eq!(call(&d, "deferPanic", vec![]), fault(FAILURE, "error"));
    assert_eq!(call(&d, "defer", vec![Value::Int(3)]), Ok(Value::Int(3)));
}

#[test]
fn replies_can_move_between_threads() {
    fn assert_send<T: Send + Unpin + 'static>(_: &T) {}
    let d = Arc::new(basic());
    let reply = d.call(
        &RequestHead::new("POST", "/"),
        MethodCall::new("defer", vec![s("x")]),
    );
    assert_send(&reply);
    let r = std::thread::spawn(move || drive(reply).0).join().unwrap();
    assert_eq!(r, Ok(s("x")));
}

#[test]
fn fault_codes_are_settings() {
    let mut d = basic();
    assert_eq!((d.not_found_code(), d.failure_code()), (8001, 8002));
    assert_eq!(
        call(&d, "nope", vec![]),
        fault(NOT_FOUND, "procedure nope not found")
    );
    d.set_not_found_code(23).set_failure_code(666);
    assert_eq!(
        call(&d, "nope", vec![]),
        fault(23, "procedure nope not found")
    );
    assert_eq!(call(&d, "fail", vec![]), fault(666, "error"));
    assert_eq!(call(&d, "deferFail", vec![]), fault(666, "error"));
    assert_eq!(
        call(&d, "add", vec![]),
        fault(666, "add: expected 2 arguments (int, int), got 0")
    );
}

#[test]
fn with_request_procedures_see_the_head() {
    let mut d = Dispatcher::new();
    d.register_with_request("withRequest", |head: &RequestHead, other: String| {
        format!("{} {other}", head.method)
    });
    d.register_with_request("where", |head: &RequestHead| {
        format!("{} {:?}", head.path, head.peer_addr)
    });
    d.register_with_request("header", |head: &RequestHead, name: String| {
        head.headers
            .get_all(&name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect::<Vec<String>>()
    });
    d.register_async_with_request("asyncHeader", |head: &RequestHead, name: String| {
        let v = head.headers.get_str(&name).unwrap_or("").to_owned();
        later(v)
    });
    let mut head = RequestHead::new("POST", "/RPC2");
    head.headers.append("X-Tag", "a");
    head.headers.append("x-tag", "b");
    head.peer_addr = Some("127.0.0.1:9".parse().unwrap());
    assert_eq!(
        call_with(&d, &head, "withRequest", vec![s("x")]),
        Ok(s("POST x"))
    );
    assert_eq!(
        call_with(&d, &head, "where", vec![]),
        Ok(s("/RPC2 Some(127.0.0.1:9)"))
    );
    assert_eq!(
        call_with(&d, &head, "header", vec![s("X-TAG")]),
        Ok(Value::Array(vec![s("a"), s("b")]))
    );
    assert_eq!(
        call_with(&d, &head, "header", vec![s("absent")]),
        Ok(Value::Array(vec![]))
    );
    assert_eq!(
        call_with(&d, &head, "asyncHeader", vec![s("x-tag")]),
        Ok(s("a"))
    );
    // The head does not count as an argument.
    assert_eq!(
        call_with(&d, &head, "withRequest", vec![]),
        fault(FAILURE, "withRequest: expected 1 argument (string), got 0")
    );
}

#[test]
fn sub_handlers_nest_to_any_depth() {
    let mut leaf = Dispatcher::new();
    leaf.register("time", || 1.5);
    let mut mid = Dispatcher::new();
    mid.register("here", || "mid");
    mid.put_sub_handler("leaf", leaf);
    let mut top = Dispatcher::new();
    top.register("echo", |v: Value| v);
    top.put_sub_handler("date", mid);
    assert_eq!(call(&top, "date.here", vec![]), Ok(s("mid")));
    assert_eq!(call(&top, "date.leaf.time", vec![]), Ok(Value::Double(1.5)));
    assert_eq!(
        call(&top, "nope.time", vec![]),
        fault(NOT_FOUND, "no such subHandler nope")
    );
    assert_eq!(
        call(&top, "date.leaf.nope", vec![]),
        fault(NOT_FOUND, "procedure nope not found")
    );
    let mut names = top.list_procedures();
    names.sort();
    assert_eq!(names, ["date.here", "date.leaf.time", "echo"]);
    assert!(top.get_sub_handler("date").is_some());
}

#[test]
fn separator_is_configurable() {
    let mut sub = Dispatcher::new();
    sub.register("time", || 2);
    let mut d = Dispatcher::new();
    d.set_separator("/").put_sub_handler("date", sub);
    assert_eq!(d.separator(), "/");
    assert_eq!(call(&d, "date/time", vec![]), Ok(Value::Int(2)));
    assert_eq!(
        call(&d, "date.time", vec![]),
        fault(NOT_FOUND, "procedure date.time not found")
    );
    d.enable_introspection();
    assert_eq!(
        call(&d, "system/listMethods", vec![]),
        Ok(Value::Array(vec![
            s("date/time"),
            s("system/listMethods"),
            s("system/methodHelp"),
            s("system/methodSignature"),
        ]))
    );
}

#[test]
fn dotted_names_registered_directly_win() {
    let mut d = Dispatcher::new();
    d.register("a.b", || 1);
    assert_eq!(call(&d, "a.b", vec![]), Ok(Value::Int(1)));
    assert_eq!(
        call(&d, "a.c", vec![]),
        fault(NOT_FOUND, "no such subHandler a")
    );
}

/// A lookup that knows one procedure, computes `double_N` ones, and refuses
/// names starting with `secret` with a fault of its own.
struct Custom;

impl Lookup for Custom {
    fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError> {
        if name.starts_with("secret") {
            return Err(Fault::new(99, "forbidden").into());
        }
        if let Some(n) = name
            .strip_prefix("double_")
            .and_then(|n| n.parse::<i32>().ok())
        {
            return Ok(Procedure::new(move || n * 2));
        }
        if name == "hello" {
            let mut p = Procedure::new(|| "hi");
            p.help("Says hi.");
            return Ok(p);
        }
        Err(LookupError::not_found(name))
    }
    fn list_procedures(&self) -> Vec<String> {
        vec!["hello".into()]
    }
}

#[test]
fn lookup_policy_can_be_replaced() {
    let mut d = Dispatcher::new();
    d.register("shadowed", || 0);
    d.set_lookup(Custom)
        .set_not_found_code(5)
        .enable_introspection();
    assert_eq!(call(&d, "double_21", vec![]), Ok(Value::Int(42)));
    assert_eq!(call(&d, "hello", vec![]), Ok(s("hi")));
    assert_eq!(call(&d, "secret", vec![]), fault(99, "forbidden"));
    assert_eq!(
        call(&d, "shadowed", vec![]),
        fault(5, "procedure shadowed not found")
    );
    assert_eq!(
        call(&d, "system.methodHelp", vec![s("hello")]),
        Ok(s("Says hi."))
    );
    assert_eq!(
        call(&d, "system.methodHelp", vec![s("secret")]),
        fault(99, "forbidden")
    );
    assert_eq!(
        call(&d, "system.listMethods", vec![]),
        Ok(Value::Array(vec![
            s("hello"),
            s("system.listMethods"),
            s("system.methodHelp"),
            s("system.methodSignature"),
        ]))
    );
    // A custom lookup can also be a sub-handler.
    let mut top = Dispatcher::new();
    top.put_sub_handler("c", Custom);
    assert_eq!(call(&top, "c.double_2", vec![]), Ok(Value::Int(4)));
    assert_eq!(top.list_procedures(), ["c.hello"]);
}

fn introspected() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.register("add", |a: Value, b: Value| vec![a, b])
        .help("This function add two numbers.")
        .signature([["int", "int", "int"], ["double", "double", "double"]]);
    d.register("documented", || 1)
        .doc("\n   Doc text.\n  ")
        .derive_signature();
    d.register("both", || 1).doc("doc").help("help");
    d.register("bare", || 1);
    let mut date = Dispatcher::new();
    date.register("time", || 0.0);
    d.put_sub_handler("date", date);
    d.enable_introspection();
    d
}

#[test]
fn introspection() {
    let d = introspected();
    assert_eq!(
        call(&d, "system.listMethods", vec![]),
        Ok(Value::Array(
            [
                "add",
                "bare",
                "both",
                "date.time",
                "documented",
                "system.listMethods",
                "system.methodHelp",
                "system.methodSignature",
            ]
            .map(s)
            .to_vec()
        ))
    );
    let help = |n: &str| call(&d, "system.methodHelp", vec![s(n)]);
    let sig = |n: &str| call(&d, "system.methodSignature", vec![s(n)]);
    assert_eq!(help("add"), Ok(s("This function add two numbers.")));
    assert_eq!(help("documented"), Ok(s("Doc text.")));
    assert_eq!(help("both"), Ok(s("help")));
    assert_eq!(help("bare"), Ok(s("")));
    assert_eq!(help("date.time"), Ok(s("")));
    assert_eq!(help("nope"), fault(NOT_FOUND, "procedure nope not found"));
    assert!(help("system.listMethods").unwrap().as_str().unwrap().len() > 10);
    let arr = |v: &[&str]| Value::Array(v.iter().map(|x| s(x)).collect());
    assert_eq!(
        sig("add"),
        Ok(Value::Array(vec![
            arr(&["int", "int", "int"]),
            arr(&["double", "double", "double"])
        ]))
    );
    assert_eq!(sig("documented"), Ok(Value::Array(vec![arr(&["int"])])));
    assert_eq!(sig("bare"), Ok(s("")));
    assert_eq!(
        sig("system.methodHelp"),
        Ok(Value::Array(vec![arr(&["string", "string"])]))
    );
    assert_eq!(
        call(&d, "system.methodHelp", vec![]),
        fault(
            FAILURE,
            "system.methodHelp: expected 1 argument (string), got 0"
        )
    );
    assert_eq!(
        call(&d, "system.methodHelp", vec![Value::Int(1)]),
        fault(
            FAILURE,
            "system.methodHelp: argument 1: expected string, found int"
        )
    );
    assert_eq!(
        call(&d, "system.listMethods", vec![Value::Int(1)]),
        fault(FAILURE, "system.listMethods: expected no arguments, got 1")
    );
    // Off by default.
    let plain = basic();
    assert_eq!(
        call(&plain, "system.listMethods", vec![]),
        fault(NOT_FOUND, "no such subHandler system")
    );
}

fn mc(name: &str, params: Vec<Value>) -> Value {
    let mut st = Struct::new();
    st.insert("methodName", name);
    st.insert("params", Value::Array(params));
    Value::Struct(st)
}

fn fault_struct(code: i32, string: &str) -> Value {
    let mut st = Struct::new();
    st.insert("faultCode", Value::Int(code));
    st.insert("faultString", string);
    Value::Struct(st)
}

#[test]
fn multicall() {
    let mut d = basic();
    d.enable_multicall(5);
    let calls = Value::Array(vec![
        mc("add", vec![Value::Int(1), Value::Int(2)]),
        mc("defer", vec![s("later")]),
        mc("fault", vec![]),
        mc("nope", vec![]),
        Value::Int(7),
    ]);
    assert_eq!(
        call(&d, "system.multicall", vec![calls]),
        Ok(Value::Array(vec![
            Value::Array(vec![Value::Int(3)]),
            Value::Array(vec![s("later")]),
            fault_struct(12, "hello"),
            fault_struct(NOT_FOUND, "procedure nope not found"),
            fault_struct(
                FAILURE,
                "system.multicall: call 5: expected a struct with methodName (string) and params (array)"
            ),
        ]))
    );
    let too_many = Value::Array(vec![mc("none", vec![]); 6]);
    assert_eq!(
        call(&d, "system.multicall", vec![too_many]),
        fault(FAILURE, "system.multicall: 6 calls exceed the limit of 5")
    );
    let nested = Value::Array(vec![mc("system.multicall", vec![Value::Array(vec![])])]);
    assert_eq!(
        call(&d, "system.multicall", vec![nested]),
        Ok(Value::Array(vec![fault_struct(
            FAILURE,
            "system.multicall: recursive system.multicall is not allowed"
        )]))
    );
    assert_eq!(
        call(&d, "system.multicall", vec![Value::Array(vec![])]),
        Ok(Value::Array(vec![]))
    );
    assert_eq!(
        call(&d, "system.multicall", vec![s("x")]),
        fault(
            FAILURE,
            "system.multicall: argument 1: expected array, found string"
        )
    );
    // A missing params member means no params.
    let mut no_params = Struct::new();
    no_params.insert("methodName", "none");
    assert_eq!(
        call(
            &d,
            "system.multicall",
            vec![Value::Array(vec![Value::Struct(no_params)])]
        ),
        Ok(Value::Array(vec![Value::Array(vec![Value::Int(1)])]))
    );
    // Introspection is independent of multicall.
    assert_eq!(
        call(&d, "system.listMethods", vec![]).unwrap_err().code,
        NOT_FOUND
    );
}

#[test]
fn multicall_polls_every_part() {
    let polled = Arc::new(AtomicUsize::new(0));
    let mut d = Dispatcher::new();
    let p = Arc::clone(&polled);
    d.register_async("slow", move |n: i32| {
        p.fetch_add(1, Ordering::SeqCst);
        later(n)
    });
    d.enable_multicall(100);
    let calls = Value::Array((0..10).map(|i| mc("slow", vec![Value::Int(i)])).collect());
    let (r, polls) = drive(d.call(
        &RequestHead::new("POST", "/"),
        MethodCall::new("system.multicall", vec![calls]),
    ));
    assert_eq!(
        r,
        Ok(Value::Array(
            (0..10).map(|i| Value::Array(vec![Value::Int(i)])).collect()
        ))
    );
    assert_eq!(polls, 2);
    assert_eq!(polled.load(Ordering::SeqCst), 10);
}

#[test]
fn datetime_params_as_time_types() {
    let mut d = Dispatcher::new();
    d.register("year", |t: PrimitiveDateTime| t.year());
    d.register("utc", |t: OffsetDateTime| t.unix_timestamp());
    d.register("raw", |t: DateTime| t.as_str().to_owned());
    d.register("back", |t: PrimitiveDateTime| t);
    let v = Value::DateTime(DateTime::parse("19980717T14:08:55").unwrap());
    assert_eq!(call(&d, "year", vec![v.clone()]), Ok(Value::Int(1998)));
    assert_eq!(
        call(&d, "utc", vec![v.clone()]),
        Ok(Value::Int(900_684_535))
    );
    assert_eq!(call(&d, "raw", vec![v.clone()]), Ok(s("19980717T14:08:55")));
    assert_eq!(
        call(&d, "back", vec![v]),
        Ok(Value::DateTime(DateTime::from(
            datetime!(1998-07-17 14:08:55)
        )))
    );
    assert_eq!(
        call(&d, "year", vec![s("x")]),
        fault(
            FAILURE,
            "year: argument 1: expected dateTime.iso8601, found string"
        )
    );
}

#[test]
fn many_parameters() {
    let mut d = Dispatcher::new();
    d.register(
        "twelve",
        |a: i32,
         b: i32,
         c: i32,
         d: i32,
         e: i32,
         f: i32,
         g: i32,
         h: i32,
         i: i32,
         j: i32,
         k: i32,
         l: i32| { a + b + c + d + e + f + g + h + i + j + k + l },
    );
    assert_eq!(
        call(&d, "twelve", (1..=12).map(Value::Int).collect()),
        Ok(Value::Int(78))
    );
}

#[test]
fn variadic_procedures() {
    let mut d = Dispatcher::new();
    d.insert(
        "count",
        Procedure::variadic(|_h: &RequestHead, p: Vec<Value>| p.len() as i32),
    );
    assert_eq!(call(&d, "count", vec![Value::Nil; 3]), Ok(Value::Int(3)));
    assert!(d.remove("count").is_some());
    assert_eq!(call(&d, "count", vec![]).unwrap_err().code, NOT_FOUND);
}

#[test]
fn result_conversion_failure_is_generic() {
    let mut d = Dispatcher::new();
    d.register("big", || u64::MAX);
    assert_eq!(call(&d, "big", vec![]), fault(FAILURE, "error"));
}

#[test]
fn encoding_policies() {
    let mut d = Dispatcher::new();
    assert!(!d.allows_none() && !d.allows_i8());
    d.set_allow_none(true).set_allow_i8(true);
    assert!(d.allows_none() && d.allows_i8());
    let o = d.encode_options();
    assert!(o.allow_nil && o.allow_i8);
    d.set_encode_options(xmlrpc_proto::EncodeOptions::default().with_allow_nil(true));
    assert!(d.allows_none() && !d.allows_i8());
}

#[test]
fn site_mounts_paths() {
    let mut a = Dispatcher::new();
    a.register("who", || "a");
    let mut b = Dispatcher::new();
    b.register("who", || "b");
    let mut site = Site::new();
    let a = Arc::new(a);
    site.mount("/", Arc::clone(&a))
        .mount("/RPC2", a)
        .mount("/other", b);
    let who = |path: &str| site.resolve(path).map(|d| call(d, "who", vec![]).unwrap());
    assert_eq!(who("/"), Some(s("a")));
    assert_eq!(who("/RPC2"), Some(s("a")));
    assert_eq!(who("/other?x"), Some(s("b")));
    assert_eq!(who("/missing"), None);
    assert_eq!(who("/RPC2/"), None);
    assert_eq!(site.paths().collect::<Vec<_>>(), ["/", "/RPC2", "/other"]);
}

#[test]
fn hostile_names_do_not_break_lookup() {
    let mut d = basic();
    d.enable_introspection().enable_multicall(10);
    for name in [
        "",
        ".",
        "..",
        "system.",
        "system..listMethods",
        "a.b.c.d.e",
        "\u{0}",
        "system",
    ] {
        let r = call(&d, name, vec![]);
        assert_eq!(r.unwrap_err().code, NOT_FOUND, "{name:?}");
    }
    let long = "x.".repeat(10_000);
    assert_eq!(call(&d, &long, vec![]).unwrap_err().code, NOT_FOUND);
}

#[test]
fn reply_constructors() {
    assert_eq!(
        Reply::ready(Ok(Value::Nil)).into_ready().unwrap(),
        Ok(Value::Nil)
    );
    assert_eq!(drive(Reply::fault(Fault::new(1, "x"))).0, fault(1, "x"));
}

struct PanickyLookup;

impl Lookup for PanickyLookup {
    fn lookup_procedure(&self, _: &str) -> Result<Procedure, LookupError> {
        panic!("lookup bug")
    }
    fn list_procedures(&self) -> Vec<String> {
        panic!("listing bug")
    }
}

#[test]
fn panicking_lookups_are_contained() {
    let mut d = Dispatcher::new();
    d.set_lookup(PanickyLookup).enable_introspection();
    assert_eq!(call(&d, "x", vec![]), fault(FAILURE, "error"));
    assert_eq!(
        call(&d, "system.listMethods", vec![]),
        fault(FAILURE, "error")
    );
}

#[test]
fn dispatchers_are_shareable() {
    fn assert_shared<T: Send + Sync + 'static>() {}
    assert_shared::<Dispatcher>();
    assert_shared::<Site>();
    assert_shared::<Procedure>();
}

/// Collects every `tracing` event as `field=value` text.
mod capture {
    use std::fmt::Write;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Clone, Default)]
    pub(crate) struct Capture(pub(crate) Arc<Mutex<Vec<String>>>);

    struct Line(String);

    impl Visit for Line {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let _ = write!(self.0, "{}={:?} ", field.name(), value);
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut line = Line(String::new());
            event.record(&mut line);
            self.0.lock().unwrap().push(line.0);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}

#[test]
fn unexpected_errors_go_to_the_log_not_the_caller() {
    let cap = capture::Capture::default();
    let d = basic();
    tracing::subscriber::with_default(cap.clone(), || {
        assert_eq!(call(&d, "fail", vec![]), fault(FAILURE, "error"));
        assert_eq!(call(&d, "panic", vec![]), fault(FAILURE, "error"));
        assert_eq!(call(&d, "deferFail", vec![]), fault(FAILURE, "error"));
    });
    let lines = cap.0.lock().unwrap().clone();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].contains("secret detail") && lines[0].contains("fail"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("boom") && lines[1].contains("panic"),
        "{lines:?}"
    );
    assert!(
        lines[2].contains("secret") && lines[2].contains("deferFail"),
        "{lines:?}"
    );
}
