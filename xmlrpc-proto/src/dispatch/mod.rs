//! The dispatcher: from a parsed call (and the HTTP request it came in) to
//! a result, without I/O.
//!
//! This is Twisted's `XMLRPC` resource without the web server around it.
//! The runtime crates read a request, hand the call to
//! [`Dispatcher::call`], poll the [`Reply`] it returns (a future, ready at
//! once for synchronous procedures) and write the result. The dispatcher
//! spawns nothing and depends on no executor.
//!
//! - [`Dispatcher`]: the table of procedures and every per-server setting
//!   (fault codes, separator, nil and i8, introspection, multicall).
//! - [`Procedure`]: one callable, built from a plain Rust function or
//!   closure (see [`Handler`], [`AsyncHandler`], [`RequestHandler`],
//!   [`AsyncRequestHandler`]), with its help text and signatures.
//! - [`Lookup`]: the lookup policy, to replace or wrap.
//! - [`Publish`]: a whole `impl` block, with the [`xmlrpc`](crate::xmlrpc)
//!   attribute macro.
//! - [`Site`]: dispatchers mounted on paths (`/`, `/RPC2`).
//!
//! # Faults
//!
//! | situation | fault |
//! |---|---|
//! | unknown procedure | NOT_FOUND (8001), `procedure NAME not found` |
//! | unknown sub-handler prefix | NOT_FOUND, `no such subHandler PREFIX` |
//! | wrong number of arguments | FAILURE (8002), `add: expected 2 arguments (int, int), got 3` |
//! | argument of the wrong type | FAILURE, `add: argument 1: expected int, found string` |
//! | procedure returns a [`Fault`] | that fault |
//! | procedure returns another error, or panics | FAILURE, `error` (details logged) |
//! | body is not a well-formed call | FAILURE, `Can't deserialize input: ...` ([`Dispatcher::bad_request`]) |
//!
//! # Policies
//!
//! Twisted's class attributes and constructor arguments are settings of
//! the dispatcher:
//!
//! | Twisted | here |
//! |---|---|
//! | `NOT_FOUND`, `FAILURE` | [`Dispatcher::set_not_found_code`], [`Dispatcher::set_failure_code`] |
//! | `separator` | [`Dispatcher::set_separator`] |
//! | `allowNone` | [`Dispatcher::set_allow_none`] (and `<i8>`: [`Dispatcher::set_allow_i8`]) |
//! | `useDateTime` | per parameter: a handler taking `time::PrimitiveDateTime` or `time::OffsetDateTime` gets one; one taking [`DateTime`](crate::DateTime) gets the text as sent |
//! | `addIntrospection` | [`Dispatcher::enable_introspection`] |
//! | `lookupProcedure`, `listProcedures` | [`Lookup`], [`Dispatcher::set_lookup`] |
//! | `putSubHandler` | [`Dispatcher::put_sub_handler`] |
//! | `withRequest` | [`Dispatcher::register_with_request`] |
//! | `putChild` on the site | [`Site::mount`] |
//!
//! ```
//! use time::PrimitiveDateTime;
//! use xmlrpc_proto::dispatch::Dispatcher;
//! use xmlrpc_proto::{DateTime, Fault, MethodCall, RequestHead, Value};
//!
//! let mut d = Dispatcher::new();
//! d.set_not_found_code(23).set_failure_code(666).set_allow_none(true);
//! d.register("year", |t: PrimitiveDateTime| t.year());
//!
//! let head = RequestHead::new("POST", "/");
//! let when = Value::DateTime(DateTime::parse("19980717T14:08:55").unwrap());
//! let call = |name: &str, params| d.call(&head, MethodCall::new(name, params)).into_ready().unwrap();
//! assert_eq!(call("year", vec![when]), Ok(Value::Int(1998)));
//! assert_eq!(call("nope", vec![]), Err(Fault::new(23, "procedure nope not found")));
//! assert_eq!(
//!     call("year", vec![Value::Int(1)]),
//!     Err(Fault::new(666, "year: argument 1: expected dateTime.iso8601, found int"))
//! );
//! assert!(d.encode_options().allow_nil);
//! ```
//!
//! # Example
//!
//! ```
//! use std::future::Future;
//! use std::pin::pin;
//! use std::task::{Context, Poll, Waker};
//! use xmlrpc_proto::dispatch::Dispatcher;
//! use xmlrpc_proto::{Fault, MethodCall, RequestHead, Value};
//!
//! let mut d = Dispatcher::new();
//! d.register("add", |a: i32, b: i32| a + b)
//!     .help("Adds two numbers.")
//!     .derive_signature();
//! d.register("div", |a: i32, b: i32| {
//!     a.checked_div(b).ok_or(Fault::new(1, "division by zero"))
//! });
//! d.register_async("later", |x: Value| async move { x });
//! d.enable_introspection();
//!
//! let head = RequestHead::new("POST", "/RPC2");
//! let call = MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]);
//! // Synchronous procedures are ready without polling.
//! assert_eq!(d.call(&head, call).into_ready().unwrap(), Ok(Value::Int(5)));
//!
//! let call = MethodCall::new("add", vec![Value::Int(2)]);
//! let fault = d.call(&head, call).into_ready().unwrap().unwrap_err();
//! assert_eq!(fault, Fault::new(8002, "add: expected 2 arguments (int, int), got 1"));
//!
//! // Asynchronous ones are polled by the runtime.
//! let mut reply = pin!(d.call(&head, MethodCall::new("later", vec![Value::Int(7)])));
//! let mut cx = Context::from_waker(Waker::noop());
//! assert_eq!(reply.as_mut().poll(&mut cx), Poll::Ready(Ok(Value::Int(7))));
//! ```

mod error;
mod lookup;
pub mod observe;
mod procedure;
pub(crate) mod reply;
pub(crate) mod site;
mod system;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

pub use error::HandlerError;
pub use lookup::{Lookup, LookupError};
pub use procedure::{
    AsyncHandler, AsyncRequestHandler, Handler, IntoReply, Procedure, RequestHandler,
};
pub use reply::Reply;
pub use site::{Resource, Site};

use crate::{DecodeError, EncodeError, EncodeOptions, Fault, MethodCall, RequestHead, Value};
use observe::CallObserver;
use procedure::Outcome;

/// Twisted's default fault code for an unknown procedure.
pub const NOT_FOUND: i32 = 8001;
/// Twisted's default fault code for a failed call.
pub const FAILURE: i32 = 8002;

/// A type whose methods are published as procedures: what the
/// [`xmlrpc`](crate::xmlrpc) attribute macro implements for an `impl` block.
///
/// ```
/// use std::sync::Arc;
/// use xmlrpc_proto::dispatch::Dispatcher;
/// use xmlrpc_proto::{Fault, MethodCall, RequestHead, Value};
///
/// struct Example;
///
/// #[xmlrpc_proto::xmlrpc]
/// impl Example {
///     /// Returns its argument.
///     pub fn echo(&self, x: Value) -> Value {
///         x
///     }
///
///     /// Divides two integers.
///     pub fn div(&self, a: i32, b: i32) -> Result<i32, Fault> {
///         a.checked_div(b).ok_or(Fault::new(1, "division by zero"))
///     }
///
///     #[xmlrpc(name = "date.time")]
///     pub async fn time(&self) -> f64 {
///         0.0
///     }
///
///     /// Answers with the request's path.
///     pub fn path(&self, head: &RequestHead) -> String {
///         head.path.clone()
///     }
///
///     #[xmlrpc(skip)]
///     pub fn helper(&self) {}
/// }
///
/// let mut d = Dispatcher::from_object(Arc::new(Example));
/// d.enable_introspection();
/// let head = RequestHead::new("POST", "/RPC2");
/// let call = |name: &str, params| d.call(&head, MethodCall::new(name, params)).into_ready();
/// assert_eq!(call("path", vec![]).unwrap(), Ok(Value::from("/RPC2")));
/// assert_eq!(
///     call("system.methodHelp", vec![Value::from("div")]).unwrap(),
///     Ok(Value::from("Divides two integers."))
/// );
/// assert_eq!(
///     call("system.methodSignature", vec![Value::from("div")]).unwrap(),
///     Ok(Value::Array(vec![Value::Array(vec!["int".into(), "int".into(), "int".into()])]))
/// );
/// assert!(call("date.time", vec![]).is_err()); // async: to be polled
/// ```
pub trait Publish: Send + Sync + 'static {
    /// Registers this object's procedures on `dispatcher`.
    fn publish(self: Arc<Self>, dispatcher: &mut Dispatcher);
}

/// A table of procedures and the settings of one XML-RPC resource
/// (Twisted's `XMLRPC`).
///
/// # Use
///
/// 1. Build it: [`new`](Self::new), then [`register`](Self::register)
///    procedures (also [`register_async`](Self::register_async),
///    [`register_with_request`](Self::register_with_request),
///    [`register_async_with_request`](Self::register_async_with_request),
///    [`insert`](Self::insert), [`publish`](Self::publish)), nest
///    dispatchers with [`put_sub_handler`](Self::put_sub_handler), and set
///    the policies (`set_*`, [`enable_introspection`](Self::enable_introspection),
///    [`enable_multicall`](Self::enable_multicall)).
/// 2. Share it (`Arc<Dispatcher>`, or a [`Site`]) with the runtime.
/// 3. For each call the runtime receives: [`call`](Self::call), then
///    take the result of the [`Reply`] (at once, or by polling it).
///    A body that did not decode is answered with
///    [`bad_request`](Self::bad_request); a result that cannot be written
///    with [`encode_failure`](Self::encode_failure). Write results with
///    [`encode_options`](Self::encode_options).
pub struct Dispatcher {
    procedures: HashMap<String, Procedure>,
    sub_handlers: BTreeMap<String, Box<dyn Lookup>>,
    lookup: Option<Box<dyn Lookup>>,
    separator: String,
    not_found_code: i32,
    failure_code: i32,
    encode: EncodeOptions,
    introspection: bool,
    multicall_max: Option<usize>,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.procedures.keys().collect();
        names.sort_unstable();
        f.debug_struct("Dispatcher")
            .field("procedures", &names)
            .field(
                "sub_handlers",
                &self.sub_handlers.keys().collect::<Vec<_>>(),
            )
            .field("custom_lookup", &self.lookup.is_some())
            .field("separator", &self.separator)
            .field("not_found_code", &self.not_found_code)
            .field("failure_code", &self.failure_code)
            .field("encode", &self.encode)
            .field("introspection", &self.introspection)
            .field("multicall_max", &self.multicall_max)
            .finish()
    }
}

impl Default for Dispatcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Dispatcher {
    /// An empty dispatcher with Twisted's defaults: fault codes 8001 and
    /// 8002, separator `.`, nil and i8 not written, no introspection, no
    /// multicall.
    #[must_use]
    pub fn new() -> Self {
        Self {
            procedures: HashMap::new(),
            sub_handlers: BTreeMap::new(),
            lookup: None,
            separator: ".".to_owned(),
            not_found_code: NOT_FOUND,
            failure_code: FAILURE,
            encode: EncodeOptions::default(),
            introspection: false,
            multicall_max: None,
        }
    }

    /// A dispatcher publishing `object`'s procedures (see [`Publish`] and
    /// the [`xmlrpc`](crate::xmlrpc) macro).
    #[must_use]
    pub fn from_object<T: Publish>(object: Arc<T>) -> Self {
        let mut d = Self::new();
        d.publish(object);
        d
    }

    /// Registers `object`'s procedures on this dispatcher.
    pub fn publish<T: Publish>(&mut self, object: Arc<T>) -> &mut Self {
        object.publish(self);
        self
    }

    /// Publishes `procedure` as `name`, replacing any procedure of that
    /// name, and returns it for setting help and signatures.
    pub fn insert(&mut self, name: impl Into<String>, procedure: Procedure) -> &mut Procedure {
        let name = name.into();
        match self.procedures.entry(name) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                e.insert(procedure);
                e.into_mut()
            }
            std::collections::hash_map::Entry::Vacant(e) => e.insert(procedure),
        }
    }

    /// Publishes a synchronous function `Fn(A1, ..., An) -> R` as `name`
    /// (see [`Procedure::new`]).
    ///
    /// Give closures their parameter types (`|a: i32, b: i32| a + b`): they
    /// choose the conversions and the arity. A `fn` item needs nothing more.
    ///
    /// ```
    /// # use xmlrpc_proto::dispatch::Dispatcher;
    /// let mut d = Dispatcher::new();
    /// d.register("concat", |a: String, b: String| a + &b).help("Joins two strings.");
    /// ```
    pub fn register<Args>(
        &mut self,
        name: impl Into<String>,
        f: impl Handler<Args>,
    ) -> &mut Procedure {
        self.insert(name, f.into_procedure())
    }

    /// Publishes a function returning a future as `name` (see
    /// [`Procedure::new_async`]).
    pub fn register_async<Args>(
        &mut self,
        name: impl Into<String>,
        f: impl AsyncHandler<Args>,
    ) -> &mut Procedure {
        self.insert(name, f.into_procedure())
    }

    /// Publishes a synchronous function that receives the request head
    /// first as `name` (see [`Procedure::with_request`]).
    ///
    /// ```
    /// # use xmlrpc_proto::dispatch::Dispatcher;
    /// # use xmlrpc_proto::RequestHead;
    /// let mut d = Dispatcher::new();
    /// d.register_with_request("whoami", |head: &RequestHead| {
    ///     head.peer_addr.map(|a| a.to_string()).unwrap_or_default()
    /// });
    /// ```
    pub fn register_with_request<Args>(
        &mut self,
        name: impl Into<String>,
        f: impl RequestHandler<Args>,
    ) -> &mut Procedure {
        self.insert(name, f.into_procedure())
    }

    /// Publishes a function returning a future that receives the request
    /// head first as `name` (see [`Procedure::async_with_request`]).
    pub fn register_async_with_request<Args>(
        &mut self,
        name: impl Into<String>,
        f: impl AsyncRequestHandler<Args>,
    ) -> &mut Procedure {
        self.insert(name, f.into_procedure())
    }

    /// Removes the procedure `name`.
    pub fn remove(&mut self, name: &str) -> Option<Procedure> {
        self.procedures.remove(name)
    }

    /// Nests `handler` under `prefix`: `prefix.name` is looked up as `name`
    /// in `handler` (Twisted's `putSubHandler`). Any [`Lookup`] can be
    /// nested, a [`Dispatcher`] included, to any depth. Only the outermost
    /// dispatcher's settings (codes, `system.*`) apply to a call.
    ///
    /// ```
    /// # use xmlrpc_proto::dispatch::Dispatcher;
    /// let mut date = Dispatcher::new();
    /// date.register("time", || 0.0);
    /// let mut d = Dispatcher::new();
    /// d.put_sub_handler("date", date);
    /// assert_eq!(d.list_methods(), ["date.time"]);
    /// ```
    pub fn put_sub_handler(
        &mut self,
        prefix: impl Into<String>,
        handler: impl Lookup,
    ) -> &mut Self {
        self.sub_handlers.insert(prefix.into(), Box::new(handler));
        self
    }

    /// The sub-handler nested under `prefix`.
    #[must_use]
    pub fn get_sub_handler(&self, prefix: &str) -> Option<&dyn Lookup> {
        self.sub_handlers.get(prefix).map(|b| &**b)
    }

    /// Replaces this dispatcher's lookup policy: from now on, procedures
    /// are found by `lookup` alone, and the table of this dispatcher
    /// (registered procedures and sub-handlers) is not consulted. Wrap a
    /// dispatcher in your lookup to extend it (see [`Lookup`]). The
    /// `system.*` procedures and every setting stay this dispatcher's.
    pub fn set_lookup(&mut self, lookup: impl Lookup) -> &mut Self {
        self.lookup = Some(Box::new(lookup));
        self
    }

    /// Sets the separator between a sub-handler's prefix and a name.
    /// Default `.`. An empty separator turns nesting off.
    pub fn set_separator(&mut self, separator: impl Into<String>) -> &mut Self {
        self.separator = separator.into();
        self
    }

    /// The separator between a sub-handler's prefix and a name.
    #[must_use]
    pub fn separator(&self) -> &str {
        &self.separator
    }

    /// Sets the fault code for an unknown procedure. Default
    /// [`NOT_FOUND`] (8001).
    pub fn set_not_found_code(&mut self, code: i32) -> &mut Self {
        self.not_found_code = code;
        self
    }

    /// The fault code for an unknown procedure.
    #[must_use]
    pub fn not_found_code(&self) -> i32 {
        self.not_found_code
    }

    /// Sets the fault code for a failed call: bad arguments, unexpected
    /// errors, undecodable bodies. Default [`FAILURE`] (8002).
    pub fn set_failure_code(&mut self, code: i32) -> &mut Self {
        self.failure_code = code;
        self
    }

    /// The fault code for a failed call.
    #[must_use]
    pub fn failure_code(&self) -> i32 {
        self.failure_code
    }

    /// Whether results may contain `<nil/>` (Twisted's `allowNone`).
    /// Default `false`: a result holding nil cannot be written, and the
    /// caller gets the FAILURE fault instead.
    pub fn set_allow_none(&mut self, allow: bool) -> &mut Self {
        self.encode.allow_nil = allow;
        self
    }

    /// Whether results may contain `<nil/>`.
    #[must_use]
    pub fn allows_none(&self) -> bool {
        self.encode.allow_nil
    }

    /// Whether results may contain `<i8>`. Default `false`: a 64-bit
    /// integer that fits 32 bits is written as `<int>`, a larger one
    /// cannot be written.
    pub fn set_allow_i8(&mut self, allow: bool) -> &mut Self {
        self.encode.allow_i8 = allow;
        self
    }

    /// Whether results may contain `<i8>`.
    #[must_use]
    pub fn allows_i8(&self) -> bool {
        self.encode.allow_i8
    }

    /// Sets every option results are written with (nil, i8, their
    /// spelling, string style) at once.
    pub fn set_encode_options(&mut self, options: EncodeOptions) -> &mut Self {
        self.encode = options;
        self
    }

    /// The options the runtime writes this dispatcher's results with.
    #[must_use]
    pub fn encode_options(&self) -> &EncodeOptions {
        &self.encode
    }

    /// Serves `system.listMethods`, `system.methodHelp` and
    /// `system.methodSignature` (Twisted's `addIntrospection`).
    pub fn enable_introspection(&mut self) -> &mut Self {
        self.introspection = true;
        self
    }

    /// Serves `system.multicall`, holding at most `max_calls` calls each.
    ///
    /// The calls run in order (asynchronous ones are polled together); the
    /// result holds each call's value in a one-element array, or its fault
    /// as a `{faultCode, faultString}` struct. More than `max_calls` calls,
    /// or a `system.multicall` inside one, is a FAILURE fault.
    ///
    /// ```
    /// use xmlrpc_proto::dispatch::Dispatcher;
    /// use xmlrpc_proto::{MethodCall, RequestHead, Struct, Value};
    ///
    /// let mut d = Dispatcher::new();
    /// d.register("double", |n: i32| n * 2);
    /// d.enable_multicall(100);
    /// let entry = |name: &str, params: Vec<Value>| {
    ///     let mut s = Struct::new();
    ///     s.insert("methodName", name);
    ///     s.insert("params", Value::Array(params));
    ///     Value::Struct(s)
    /// };
    /// let calls = Value::Array(vec![entry("double", vec![Value::Int(4)]), entry("nope", vec![])]);
    /// let head = RequestHead::new("POST", "/");
    /// let result = d
    ///     .call(&head, MethodCall::new("system.multicall", vec![calls]))
    ///     .into_ready()
    ///     .unwrap()
    ///     .unwrap();
    /// assert_eq!(result[0], Value::Array(vec![Value::Int(8)]));
    /// assert_eq!(result[1]["faultCode"], Value::Int(8001));
    /// ```
    pub fn enable_multicall(&mut self, max_calls: usize) -> &mut Self {
        self.multicall_max = Some(max_calls);
        self
    }

    /// Calls the procedure named by `call`.
    ///
    /// Never panics, whatever the call holds or the procedure does; the
    /// result is in the returned [`Reply`].
    ///
    /// Each call is observed (see [`observe`]): a `tracing` span
    /// `xmlrpc.call` with `rpc.system.name`, `rpc.method` and, for a fault,
    /// `rpc.xmlrpc.fault_code`, entered while the procedure runs and while
    /// its future is polled; and, with the `metrics` feature, the histogram
    /// `rpc.server.call.duration`.
    pub fn call(&self, head: &RequestHead, call: MethodCall) -> Reply {
        let MethodCall { name, params } = call;
        let observer = CallObserver::start(name);
        let reply = {
            let _entered = observer.span().enter();
            let name = observer.method();
            // Procedures are guarded one by one in `invoke`; this also
            // guards lookups and listings, which may be user code (`Lookup`).
            match catch_unwind(AssertUnwindSafe(|| {
                self.dispatch(head, name, params, false)
            })) {
                Ok(reply) => reply,
                Err(payload) => Reply::fault(reply::panicked(name, self.failure_code, &*payload)),
            }
        };
        reply.observed(observer)
    }

    pub(crate) fn dispatch(
        &self,
        head: &RequestHead,
        name: &str,
        params: Vec<Value>,
        in_multicall: bool,
    ) -> Reply {
        if let Some(sys) = self.system_procedure(name) {
            return self.call_system(sys, head, name, params, in_multicall);
        }
        match self.lookup_procedure(name) {
            Ok(p) => self.invoke(&p, head, name, params),
            Err(LookupError::NotFound(msg)) => Reply::fault(Fault::new(self.not_found_code, msg)),
            Err(LookupError::Fault(f)) => Reply::fault(f),
        }
    }

    /// Calls `procedure` as `name` with this dispatcher's fault codes,
    /// catching panics.
    pub fn invoke(
        &self,
        procedure: &Procedure,
        head: &RequestHead,
        name: &str,
        params: Vec<Value>,
    ) -> Reply {
        match catch_unwind(AssertUnwindSafe(|| procedure.invoke(head, name, params))) {
            Ok(Outcome::Ready(Ok(v))) => Reply::ready(Ok(v)),
            Ok(Outcome::Ready(Err(f))) => Reply::fault(reply::to_fault(name, self.failure_code, f)),
            Ok(Outcome::Pending(fut)) => Reply::pending(fut, name, self.failure_code),
            Err(payload) => Reply::fault(reply::panicked(name, self.failure_code, &*payload)),
        }
    }

    /// The fault answering a body that is not a well-formed call:
    /// FAILURE, `Can't deserialize input: REASON`.
    #[must_use]
    pub fn bad_request(&self, error: &DecodeError) -> Fault {
        Fault::new(
            self.failure_code,
            format!("Can't deserialize input: {error}"),
        )
    }

    /// The fault answering a result that could not be written (nil while
    /// nil is not allowed, a non-finite double, ...): FAILURE,
    /// `Can't serialize output: REASON`.
    #[must_use]
    pub fn encode_failure(&self, error: &EncodeError) -> Fault {
        tracing::error!(error = %error, "result could not be written");
        Fault::new(
            self.failure_code,
            format!("Can't serialize output: {error}"),
        )
    }

    fn table_lookup(&self, name: &str) -> Result<Procedure, LookupError> {
        if let Some(p) = self.procedures.get(name) {
            return Ok(p.clone());
        }
        if !self.separator.is_empty() {
            if let Some((prefix, rest)) = name.split_once(self.separator.as_str()) {
                return match self.sub_handlers.get(prefix) {
                    Some(h) => h.lookup_procedure(rest),
                    None => Err(LookupError::NotFound(format!(
                        "no such subHandler {prefix}"
                    ))),
                };
            }
        }
        Err(LookupError::not_found(name))
    }
}

impl Lookup for Dispatcher {
    fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError> {
        match &self.lookup {
            Some(l) => l.lookup_procedure(name),
            None => self.table_lookup(name),
        }
    }

    fn list_procedures(&self) -> Vec<String> {
        if let Some(l) = &self.lookup {
            return l.list_procedures();
        }
        let mut names: Vec<String> = self.procedures.keys().cloned().collect();
        for (prefix, h) in &self.sub_handlers {
            names.extend(
                h.list_procedures()
                    .into_iter()
                    .map(|n| format!("{prefix}{}{n}", self.separator)),
            );
        }
        names
    }
}

/// Misuses of the [`xmlrpc`](crate::xmlrpc) macro are compile errors.
///
/// A `&mut self` receiver:
///
/// ```compile_fail
/// struct S;
/// #[xmlrpc_proto::xmlrpc]
/// impl S {
///     pub fn m(&mut self) -> i32 { 1 }
/// }
/// ```
///
/// A generic method:
///
/// ```compile_fail
/// struct S;
/// #[xmlrpc_proto::xmlrpc]
/// impl S {
///     pub fn m<T: Default>(&self) -> i32 { 1 }
/// }
/// ```
///
/// A parameter that is not a value:
///
/// ```compile_fail
/// struct S;
/// #[xmlrpc_proto::xmlrpc]
/// impl S {
///     pub fn m(&self, s: &str) -> i32 { 1 }
/// }
/// ```
///
/// An unknown option, and options on the `impl` block:
///
/// ```compile_fail
/// struct S;
/// #[xmlrpc_proto::xmlrpc]
/// impl S {
///     #[xmlrpc(rename = "x")]
///     pub fn m(&self) -> i32 { 1 }
/// }
/// ```
///
/// ```compile_fail
/// struct S;
/// #[xmlrpc_proto::xmlrpc(prefix = "x")]
/// impl S {
///     pub fn m(&self) -> i32 { 1 }
/// }
/// ```
///
/// A trait impl:
///
/// ```compile_fail
/// struct S;
/// #[xmlrpc_proto::xmlrpc]
/// impl Clone for S {
///     fn clone(&self) -> Self { S }
/// }
/// ```
///
/// The same method compiles when well formed:
///
/// ```
/// struct S;
/// #[xmlrpc_proto::xmlrpc]
/// impl S {
///     pub fn m(&self, s: String) -> i32 { s.len() as i32 }
/// }
/// ```
#[cfg(doctest)]
pub struct MacroMisuse;
