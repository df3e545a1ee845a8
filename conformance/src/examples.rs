//! The procedures and calls of the runtime crates' examples, written once:
//! each runtime's example only adds its I/O (listener, client, signals).
//!
//! - [`custom_lookup`]: the seed's `EchoHandler` and `AddHandler` behind a
//!   lookup table (Twisted's `lookupProcedure` override), with
//!   [`custom_lookup_calls`] to try it.
//! - [`with_request`]: procedures that see the HTTP request first
//!   (Twisted's `withRequest`): `headerValue` and `whoami`.
//! - [`quoter`] and [`quoter_site`]: the seed's Quoter over XML-RPC at
//!   `/RPC2` and SOAP at `/SOAP`, beside a health check.
//! - [`seed_calls`]: the seed's `callRemote` sequence against the
//!   example server ([`example()`](crate::example)), and [`show`] to print
//!   each outcome.
//!
//! ```
//! use xmlrpc_proto::{MethodCall, RequestHead, Value};
//! use xmlrpc_conformance::examples;
//!
//! let d = examples::custom_lookup();
//! let head = RequestHead::new("POST", "/");
//! let reply = d.call(&head, MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]));
//! assert_eq!(reply.into_ready().unwrap(), Ok(Value::Int(5)));
//! let reply = d.call(&head, MethodCall::new("SESSION17", vec![]));
//! assert_eq!(reply.into_ready().unwrap().unwrap_err().code, 42);
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use xmlrpc_driver::call::CallError;
use xmlrpc_proto::dispatch::{Dispatcher, Lookup, LookupError, Procedure, Resource, Site};
use xmlrpc_proto::soap::SoapService;
use xmlrpc_proto::{Fault, HttpResponse, MethodCall, RequestHead, Value};

/// The seed's `EchoHandler`: returns its arguments.
#[derive(Clone, Copy, Debug, Default)]
pub struct EchoHandler;

impl EchoHandler {
    /// The handler as a procedure.
    #[must_use]
    pub fn procedure(&self) -> Procedure {
        let mut p = Procedure::variadic(|_head, args: Vec<Value>| Value::Array(args));
        p.help("Returns its arguments as an array.");
        p
    }
}

/// The seed's `AddHandler`: adds two integers.
#[derive(Clone, Copy, Debug, Default)]
pub struct AddHandler;

impl AddHandler {
    /// The handler as a procedure.
    #[must_use]
    pub fn procedure(&self) -> Procedure {
        let mut p = Procedure::new(|a: i32, b: i32| a + b);
        p.help("Adds two integers.").derive_signature();
        p
    }
}

/// Looks procedures up in a table of handlers; names starting with
/// `SESSION` answer fault 42 (`Session non-existent/expired.`), any other
/// unknown name the usual NOT_FOUND fault.
pub struct HandlerTable {
    handlers: BTreeMap<&'static str, Procedure>,
}

impl HandlerTable {
    /// The seed's table: `echo` ([`EchoHandler`]) and `add`
    /// ([`AddHandler`]).
    #[must_use]
    pub fn seed() -> Self {
        let mut handlers = BTreeMap::new();
        handlers.insert("echo", EchoHandler.procedure());
        handlers.insert("add", AddHandler.procedure());
        Self { handlers }
    }
}

impl std::fmt::Debug for HandlerTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.handlers.keys()).finish()
    }
}

impl Lookup for HandlerTable {
    fn lookup_procedure(&self, name: &str) -> Result<Procedure, LookupError> {
        match self.handlers.get(name) {
            Some(p) => Ok(p.clone()),
            None if name.starts_with("SESSION") => {
                Err(Fault::new(crate::SESSION_EXPIRED, "Session non-existent/expired.").into())
            }
            None => Err(LookupError::not_found(name)),
        }
    }

    fn list_procedures(&self) -> Vec<String> {
        self.handlers.keys().map(|k| (*k).to_owned()).collect()
    }
}

/// The `custom_lookup` examples' dispatcher: [`HandlerTable::seed`] with
/// introspection.
#[must_use]
pub fn custom_lookup() -> Dispatcher {
    let mut rpc = Dispatcher::new();
    rpc.set_lookup(HandlerTable::seed()).enable_introspection();
    rpc
}

/// The calls the `custom_lookup` examples make to themselves, with a
/// label to print each outcome under.
#[must_use]
pub fn custom_lookup_calls() -> Vec<(&'static str, MethodCall)> {
    vec![
        ("add(2, 3)", call("add", [Value::Int(2), Value::Int(3)])),
        (
            "echo(\"hello\", 1.5)",
            call("echo", [Value::from("hello"), Value::Double(1.5)]),
        ),
        ("system.listMethods()", call("system.listMethods", [])),
        ("SESSION17()", call("SESSION17", [])),
    ]
}

/// The `with_request` examples' dispatcher: `headerValue(name)` returns
/// every value of the request header `name`, `whoami()` the caller's
/// address; with introspection.
#[must_use]
pub fn with_request() -> Dispatcher {
    let mut rpc = Dispatcher::new();
    rpc.register_with_request("headerValue", |head: &RequestHead, name: String| {
        head.headers
            .get_all(&name)
            .map(|v| Value::String(String::from_utf8_lossy(v).into_owned()))
            .collect::<Vec<Value>>()
    })
    .help("Every value of the request header NAME.");
    rpc.register_with_request("whoami", |head: &RequestHead| {
        head.peer_addr.map(|a| a.to_string()).unwrap_or_default()
    })
    .help("The caller's address.");
    rpc.enable_introspection();
    rpc
}

/// The seed's quote, served by [`quoter`] over XML-RPC and SOAP.
pub const QUOTE: &str = "Victory to the burgeois, you capitalist swine!";

/// The seed's Quoter: `quote()` returns [`QUOTE`], `add(a, b)` adds two
/// ints, `fault()` answers fault 12 `hello`; with introspection.
#[must_use]
pub fn quoter() -> Dispatcher {
    let mut rpc = Dispatcher::new();
    rpc.register("quote", || QUOTE)
        .help("Return a quote.")
        .derive_signature();
    rpc.register("add", |a: i32, b: i32| {
        a.checked_add(b)
            .ok_or_else(|| Fault::new(3, "the sum does not fit in an int"))
    })
    .help("This function add two numbers.")
    .derive_signature();
    rpc.register("fault", || -> Result<i32, Fault> {
        Err(Fault::new(12, "hello"))
    })
    .help("Always fails, with fault 12.")
    .derive_signature();
    rpc.enable_introspection();
    rpc
}

/// The seed's last site: [`quoter`] over XML-RPC at `/RPC2` and over SOAP
/// at `/SOAP` (WSDL at `/SOAP?wsdl`, service `Quoter` in namespace
/// `urn:quoter`), and a health check at `/health` that answers `ok`.
///
/// ```
/// use xmlrpc_conformance::examples;
///
/// let site = examples::quoter_site();
/// assert_eq!(site.paths().collect::<Vec<_>>(), ["/RPC2", "/SOAP", "/health"]);
/// assert!(site.resource("/SOAP?wsdl").unwrap().soap_service().is_some());
/// ```
#[must_use]
pub fn quoter_site() -> Site {
    let rpc = Arc::new(quoter());
    let soap = SoapService::new(Arc::clone(&rpc))
        .namespace("urn:quoter")
        .name("Quoter");
    let mut site = Site::new();
    site.mount("/RPC2", rpc).mount("/SOAP", soap).mount(
        "/health",
        Resource::handler(|_head: &RequestHead, _body: &[u8]| {
            HttpResponse::new(200, "text/plain; charset=utf-8", "ok\n")
                .header("Cache-Control", "no-store")
        }),
    );
    site
}

/// The seed's `callRemote` sequence against the example server: `echo`,
/// `add`, `fault`, `date.time` and `system.methodHelp("add")`, each with
/// a label to print its outcome under.
#[must_use]
pub fn seed_calls() -> Vec<(&'static str, MethodCall)> {
    vec![
        (
            "echo(\"Hello, world!\")",
            call("echo", [Value::from("Hello, world!")]),
        ),
        ("add(3, 5)", call("add", [Value::Int(3), Value::Int(5)])),
        ("fault()", call("fault", [])),
        ("date.time()", call("date.time", [])),
        (
            "system.methodHelp(\"add\")",
            call("system.methodHelp", [Value::from("add")]),
        ),
    ]
}

/// Prints one outcome under `what`: a value, a fault with its code and
/// string, or another error.
pub fn show(what: &str, outcome: &Result<Value, CallError>) {
    match outcome {
        Ok(v) => println!("{what} = {v:?}"),
        Err(CallError::Fault(f)) => println!("{what} -> fault {}: {}", f.code, f.string),
        Err(e) => println!("{what} -> error: {e}"),
    }
}

fn call<const N: usize>(name: &str, params: [Value; N]) -> MethodCall {
    MethodCall::new(name, params.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(d: &Dispatcher, call: MethodCall) -> Result<Value, Fault> {
        let head = RequestHead::new("POST", "/");
        d.call(&head, call).into_ready().expect("synchronous")
    }

    #[test]
    fn lookup_table_answers() {
        let d = custom_lookup();
        let out: Vec<_> = custom_lookup_calls()
            .into_iter()
            .map(|(_, c)| run(&d, c))
            .collect();
        assert_eq!(out[0], Ok(Value::Int(5)));
        assert_eq!(
            out[1],
            Ok(Value::Array(vec![Value::from("hello"), Value::Double(1.5)]))
        );
        let Ok(Value::Array(names)) = &out[2] else {
            panic!("a list of names")
        };
        assert!(names.contains(&Value::from("add")));
        assert_eq!(out[3].as_ref().unwrap_err().code, 42);
        let missing = run(&d, MethodCall::new("nothing", vec![]));
        assert_ne!(missing.expect_err("not in the table").code, 42);
    }

    #[test]
    fn seed_calls_against_the_example_server() {
        let site = crate::example();
        let d = site.resolve("/").expect("mounted at /");
        let out: Vec<_> = seed_calls().into_iter().map(|(_, c)| run(d, c)).collect();
        assert_eq!(out[0], Ok(Value::from("Hello, world!")));
        assert_eq!(out[1], Ok(Value::Int(8)));
        assert_eq!(out[2].as_ref().unwrap_err().code, 123);
        assert!(out[3].is_ok());
        assert!(matches!(out[4], Ok(Value::String(_))));
    }
}
