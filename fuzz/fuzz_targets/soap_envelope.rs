#![no_main]
//! Any bytes as a SOAP request body: decoding answers a call or a fault,
//! never panics; a decoded call runs and its answer is written; the
//! answer to a call is a SOAP envelope with a status of 200, 400 or 500.

use std::sync::{Arc, OnceLock};

use xmlrpc_proto::dispatch::Dispatcher;
use xmlrpc_proto::soap::SoapService;
use xmlrpc_proto::{Limits, RequestHead, Struct, Value};

fn service() -> &'static SoapService {
    static S: OnceLock<SoapService> = OnceLock::new();
    S.get_or_init(|| {
        let mut d = Dispatcher::new();
        d.register("echo", |v: Value| v);
        d.register("add", |a: i32, b: i32| a.wrapping_add(b));
        d.register("names", |s: Struct| s.iter().map(|(k, _)| k.to_owned()).collect::<Vec<_>>());
        d.register("many", |a: Vec<i64>, b: Option<String>, c: f64, d: bool| {
            Value::Array(vec![
                Value::Double(a.len() as f64 + c),
                Value::String(b.unwrap_or_default()),
                Value::Bool(d),
            ])
        });
        d.register("bytes", |b: Vec<u8>| b);
        d.enable_introspection().enable_multicall(16);
        SoapService::new(Arc::new(d)).namespace("urn:fuzz")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let s = service();
    let mut limits = Limits::default();
    limits.max_depth = 16;
    limits.max_values = 2048;
    limits.max_body_bytes = 64 * 1024;
    let mut head = RequestHead::new("POST", "/SOAP");
    if data.first().is_some_and(|b| b & 1 == 1) {
        head.headers.append("Content-Type", "application/soap+xml");
    }
    match s.decode_call(&head, data, &limits) {
        Ok(call) => {
            let result = s
                .dispatcher()
                .call(&head, call.method_call().clone())
                .into_ready()
                .expect("every procedure is synchronous");
            let answer = s.encode_result(&call, &result);
            assert!(matches!(answer.status(), 200 | 400 | 500));
            assert!(std::str::from_utf8(answer.body()).is_ok());
        }
        Err(fault) => {
            let answer = s.encode_fault(&fault);
            assert!(matches!(answer.status(), 400 | 500));
            assert!(fault.fault.string.starts_with("Can't deserialize input"));
        }
    }
});
