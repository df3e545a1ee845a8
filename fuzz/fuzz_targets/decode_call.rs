#![no_main]
//! Any bytes given to `decode_call` return a call or an error, never a panic.

use xmlrpc_proto::Limits;
use xmlrpc_proto::codec::decode_call;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let out = decode_call(data, &limits);
    let _ = format!("{out:?}");
    if let Err(e) = &out {
        let _ = e.to_string();
        assert!(e.offset() <= data.len().max(limits.max_body_bytes));
    }
});
