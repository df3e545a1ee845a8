#![no_main]
//! Any bytes given to `decode_response` (and `decode_document`) return a
//! value, a fault or an error, never a panic.

use xmlrpc_proto::Limits;
use xmlrpc_proto::codec::{decode_document, decode_response};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.max_depth = 8;
    let out = decode_response(data, &limits);
    let _ = format!("{out:?}");
    if let Err(e) = &out {
        let _ = e.to_string();
        assert!(e.offset() <= data.len());
    }
    let _ = format!("{:?}", decode_document(data, &limits));
});
