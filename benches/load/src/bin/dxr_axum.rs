//! `add` and `validator1.arrayOfStructsTest` served by the `dxr` crate on
//! axum, as a user of that crate would write them.
//!
//! ```sh
//! cargo run --release --bin dxr_axum -- --listen 127.0.0.1:0
//! ```

#![forbid(unsafe_code)]

use dxr::{Fault, TryFromParams, TryFromValue, Value};
use dxr_server::axum::http::HeaderMap;
use dxr_server::{HandlerFn, HandlerResult, RouteBuilder, Server};

/// The fault code for wrong arguments, as in the conformance servers.
const FAILURE: i32 = 666;

/// `add(a, b)`: the sum of two ints.
fn add(params: &[Value], _headers: HeaderMap) -> HandlerResult {
    let (a, b) = <(i32, i32)>::try_from_params(params).map_err(Fault::from)?;
    match a.checked_add(b) {
        Some(sum) => Ok(Value::Integer(sum)),
        None => Err(Fault::new(
            FAILURE,
            "add: the sum overflows an int".to_owned(),
        )),
    }
}

/// `validator1.arrayOfStructsTest(array)`: the sum of the `curly` members
/// of an array of structs.
fn array_of_structs_test(params: &[Value], _headers: HeaderMap) -> HandlerResult {
    let wrong = || {
        Fault::new(
            FAILURE,
            "validator1.arrayOfStructsTest: expected one array of structs with an int curly"
                .to_owned(),
        )
    };
    let [Value::Array(items)] = params else {
        return Err(wrong());
    };
    let mut sum: i32 = 0;
    for item in items {
        let Value::Struct(members) = item else {
            return Err(wrong());
        };
        let curly = members.get("curly").ok_or_else(wrong)?;
        let curly = i32::try_from_value(curly).map_err(|_| wrong())?;
        sum = sum.checked_add(curly).ok_or_else(wrong)?;
    }
    Ok(Value::Integer(sum))
}

#[tokio::main]
async fn main() {
    let args = xmlrpc_load::parse_args();
    if let Some(other) = args.rest.first() {
        xmlrpc_load::fail(&format!(
            "unknown argument {other:?}\nusage: dxr_axum [--listen ADDR]"
        ));
    }
    let stop = xmlrpc_load::stop_signal();
    let listener = xmlrpc_load::bind(&args.listen).await;
    let route = RouteBuilder::new()
        .add_method("add", Box::new(add as HandlerFn))
        .add_method(
            "validator1.arrayOfStructsTest",
            Box::new(array_of_structs_test as HandlerFn),
        )
        .build();
    let mut server = Server::from_route(route);
    let trigger = server.shutdown_trigger();
    tokio::spawn(async move {
        stop.await;
        trigger.notify_one();
    });
    if let Err(e) = server.serve_listener(listener).await {
        xmlrpc_load::fail(&e.to_string());
    }
}
