//! The conformance procedure set of the project's interface contract
//! (`CONTRACT.md`, section 1), written once for every runtime.
//!
//! The runtime crates' `conformance_*` examples serve [`site()`] over their
//! own I/O, with [`Options`] for the command line, [`limits()`],
//! [`announce`] for the first line and [`on_stop_request`] for signals and
//! the end of stdin; their `server` examples serve [`example()`], and their
//! other examples the procedures of [`examples`]. Nothing here does network
//! I/O: the procedures are plain functions and futures on a
//! [`Dispatcher`].
//!
//! ```
//! use xmlrpc_proto::{MethodCall, RequestHead, Value};
//!
//! let site = xmlrpc_conformance::site();
//! let d = site.resolve("/RPC2").unwrap();
//! let head = RequestHead::new("POST", "/RPC2");
//! let reply = d.call(&head, MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]));
//! assert_eq!(reply.into_ready().unwrap(), Ok(Value::Int(5)));
//! ```
#![forbid(unsafe_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use xmlrpc_proto::dispatch::{Dispatcher, HandlerError, Lookup, LookupError, Procedure, Site};
use xmlrpc_proto::{Fault, RequestHead, Struct, Value};

pub mod examples;
mod options;
mod validator;

pub use options::{
    DEFAULT_LISTEN, Options, USAGE, UsageError, announce, limits, listening_line, on_stop_request,
};

/// The NOT_FOUND fault code of the conformance server.
pub const NOT_FOUND: i32 = 23;
/// The FAILURE fault code of the conformance server.
pub const FAILURE: i32 = 666;
/// The fault code of the `SESSION*` lookup fallback.
pub const SESSION_EXPIRED: i32 = 42;
/// The most calls one `system.multicall` may hold on the conformance server.
pub const MULTICALL_MAX: usize = 10_000;

/// A future that is pending on its first poll (waking its task at once)
/// and ready on the next: what makes an asynchronous procedure complete on
/// a later poll, as a Twisted Deferred fired from the reactor would.
#[derive(Debug, Default)]
#[must_use = "futures do nothing unless polled"]
pub struct YieldOnce {
    yielded: bool,
}

impl YieldOnce {
    /// A future pending once.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// The current Unix time in seconds, as `date.time` answers.
fn unix_time() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn add(a: Value, b: Value) -> Result<Value, Fault> {
    match (&a, &b) {
        (Value::Int(x), Value::Int(y)) => Ok(match x.checked_add(*y) {
            Some(s) => Value::Int(s),
            None => Value::I8(i64::from(*x) + i64::from(*y)),
        }),
        (Value::Double(_) | Value::Int(_), Value::Double(_) | Value::Int(_)) => {
            let as_f64 = |v: &Value| match *v {
                Value::Int(i) => f64::from(i),
                Value::Double(d) => d,
                _ => 0.0,
            };
            Ok(Value::Double(as_f64(&a) + as_f64(&b)))
        }
        _ => Err(Fault::new(
            FAILURE,
            format!(
                "add: expected two ints or two doubles, found {} and {}",
                a.type_name(),
                b.type_name()
            ),
        )),
    }
}

fn complex() -> Value {
    let mut s = Struct::new();
    s.insert(
        "a",
        Value::Array(vec![
            Value::from("b"),
            Value::from("c"),
            Value::Int(12),
            Value::Array(Vec::new()),
        ]),
    );
    s.insert("D", Value::from("foo"));
    Value::Struct(s)
}

/// The table of the conformance procedures (without the `SESSION*`
/// fallback and the settings: see [`dispatcher`]).
#[must_use]
pub fn table() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.register("echo", |x: Value| x);
    d.register("add", add)
        .help("This function add two numbers.")
        .signature([["int", "int", "int"], ["double", "double", "double"]]);
    d.register("pair", |s: String, n: i32| {
        Value::Array(vec![Value::String(s), Value::Int(n)])
    })
    .help("This function puts the two arguments in an array.")
    .signature([["array", "string", "int"]]);
    d.register_async("defer", |x: Value| async move {
        YieldOnce::new().await;
        x
    })
    .help("Help for defer.");
    d.register_async("deferFail", || async {
        YieldOnce::new().await;
        Err::<Value, _>(HandlerError::msg("deferFail: deliberate failure"))
    });
    d.register("fail", || {
        Err::<Value, _>(std::io::Error::other("fail: deliberate failure"))
    });
    d.register("fault", || Err::<Value, _>(Fault::new(12, "hello")));
    d.register_async("deferFault", || async {
        YieldOnce::new().await;
        Err::<Value, _>(Fault::new(17, "hi"))
    });
    d.register("snowman", |s: Value| match s {
        Value::String(s) if s == "\u{2603}" => Ok(Value::String(s)),
        _ => Err(Fault::new(13, "Payload not unicode snowman")),
    });
    d.register("complex", complex);
    d.register("dict", |map: Struct, key: String| {
        map.get(&key)
            .cloned()
            .ok_or_else(|| HandlerError::msg(format!("dict: no member {key:?}")))
    })
    .help("Help for dict.");
    d.register_with_request("withRequest", |head: &RequestHead, other: String| {
        format!("{} {other}", head.method)
    });
    d.register_with_request("headerValue", |head: &RequestHead, name: String| {
        head.headers
            .get_all(&name)
            .map(|v| Value::String(String::from_utf8_lossy(v).into_owned()))
            .collect::<Vec<Value>>()
    });
    let mut date = Dispatcher::new();
    date.register("time", unix_time);
    d.put_sub_handler("date", date);
    d.put_sub_handler("validator1", validator::dispatcher());
    d
}

/// The conformance lookup: the [`table`], and fault 42 for any unknown name
/// starting with `SESSION` (the lookup override of Twisted's test resource).
#[derive(Debug)]
pub struct SessionLookup {
    table: Dispatcher,
}

impl SessionLookup {
    /// Wraps `table`.
    #[must_use]
    pub fn new(table: Dispatcher) -> Self {
        Self { table }
    }
}

impl Lookup for SessionLookup {
    fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError> {
        match self.table.lookup_procedure(name) {
            Err(LookupError::NotFound(_)) if name.starts_with("SESSION") => {
                Err(Fault::new(SESSION_EXPIRED, "Session non-existent/expired.").into())
            }
            other => other,
        }
    }

    fn list_procedures(&self) -> Vec<String> {
        self.table.list_procedures()
    }
}

/// The conformance dispatcher: the [`table`] behind the [`SessionLookup`],
/// fault codes 23 and 666, nil and i8 allowed, introspection, and
/// multicall up to [`MULTICALL_MAX`] calls.
#[must_use]
pub fn dispatcher() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.set_lookup(SessionLookup::new(table()))
        .set_not_found_code(NOT_FOUND)
        .set_failure_code(FAILURE)
        .set_allow_none(true)
        .set_allow_i8(true)
        .enable_introspection()
        .enable_multicall(MULTICALL_MAX);
    d
}

/// The conformance server's resources: [`dispatcher`] at `/` and `/RPC2`.
#[must_use]
pub fn site() -> Site {
    Site::standard(dispatcher())
}

/// The example server's procedures, published with the `#[xmlrpc]` macro.
#[derive(Debug, Default)]
pub struct Example;

#[xmlrpc_proto::xmlrpc]
impl Example {
    /// Returns its argument unchanged.
    pub fn echo(&self, x: Value) -> Value {
        x
    }

    /// Adds two integers.
    pub fn add(&self, a: i32, b: i32) -> Result<i32, Fault> {
        a.checked_add(b)
            .ok_or_else(|| Fault::new(xmlrpc_proto::dispatch::FAILURE, "add: integer overflow"))
    }

    /// Always answers fault 123.
    pub fn fault(&self) -> Result<Value, Fault> {
        Err(Fault::new(123, "The fault procedure is faulty."))
    }
}

/// The example server's `date` sub-handler.
#[derive(Debug, Default)]
pub struct Date;

#[xmlrpc_proto::xmlrpc]
impl Date {
    /// Returns the current Unix time in seconds.
    pub fn time(&self) -> f64 {
        unix_time()
    }
}

/// The example dispatcher: [`Example`]'s procedures, [`Date`] as the
/// sub-handler `date`, introspection and multicall (up to 1000 calls),
/// Twisted's default fault codes.
#[must_use]
pub fn example_dispatcher() -> Dispatcher {
    let mut d = Dispatcher::from_object(Arc::new(Example));
    d.put_sub_handler("date", Dispatcher::from_object(Arc::new(Date)))
        .enable_introspection()
        .enable_multicall(1000);
    d
}

/// The example server's resources: [`example_dispatcher`] at `/` and
/// `/RPC2`.
#[must_use]
pub fn example() -> Site {
    Site::standard(example_dispatcher())
}
