#![no_main]
//! Any bytes sent to a server connection serving a site of every kind of
//! resource (XML-RPC, SOAP with its WSDL, a handler), whole or one byte
//! at a time, give the same output and no panic, and the connection closes
//! at the end of the stream.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use xmlrpc_proto::dispatch::{Dispatcher, Resource, Site};
use xmlrpc_proto::soap::SoapService;
use xmlrpc_proto::{HttpResponse, Next, ServerConfig, ServerConnection, Value};

fn site() -> Arc<Site> {
    static S: OnceLock<Arc<Site>> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        let mut d = Dispatcher::new();
        d.register("echo", |v: Value| v);
        d.register("add", |a: i32, b: i32| a.wrapping_add(b));
        d.enable_introspection().enable_multicall(16);
        let d = Arc::new(d);
        let mut site = Site::new();
        site.mount("/RPC2", Arc::clone(&d))
            .mount("/SOAP", SoapService::new(d))
            .mount(
                "/h",
                Resource::handler(|head, body| {
                    HttpResponse::new(200, "text/plain", format!("{} {}", head.method, body.len()))
                        .header("X-Path", head.path.as_bytes())
                }),
            );
        Arc::new(site)
    }))
}

fn run(data: &[u8], bytewise: bool) -> (Vec<u8>, bool) {
    let mut config = ServerConfig::default();
    config.limits.max_head_bytes = 1024;
    config.limits.max_body_bytes = 8192;
    config.limits.max_depth = 16;
    let now = Instant::now();
    let site = site();
    let mut s = ServerConnection::for_site(config);
    s.handle_open(now);
    let mut output = Vec::new();
    let pieces: Vec<&[u8]> = if bytewise {
        data.chunks(1).collect()
    } else {
        vec![data]
    };
    let pump = |s: &mut ServerConnection, output: &mut Vec<u8>| loop {
        while let Some(job) = s.poll_job(&site) {
            let answer = job.start().into_ready().expect("every procedure is synchronous");
            s.finish(answer);
        }
        let Some(out) = s.poll_transmit(now) else { break };
        let n = out.len();
        output.extend_from_slice(out);
        s.advance_transmit(n);
    };
    for piece in pieces {
        s.handle_data(piece, now);
        pump(&mut s, &mut output);
    }
    s.handle_eof();
    pump(&mut s, &mut output);
    s.handle_timeout(now + Duration::from_secs(3600));
    pump(&mut s, &mut output);
    (output, s.next(false) == Next::Close)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let whole = run(data, false);
    let bytewise = run(data, true);
    assert_eq!(whole, bytewise);
    assert!(whole.1, "a connection at end of stream must close");
});
