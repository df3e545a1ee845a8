#![no_main]
//! Any bytes received by a client connection after a call, whole or one
//! byte at a time, give the same outcome and no panic.

use std::time::Instant;

use xmlrpc_proto::{ClientConfig, ClientConnection, MethodCall};

fn run(data: &[u8], bytewise: bool) -> (String, bool, bool) {
    let mut config = ClientConfig::default();
    config.limits.max_head_bytes = 1024;
    config.limits.max_body_bytes = 4096;
    let mut conn = ClientConnection::new(config);
    conn.send_call(&MethodCall::new("m", vec![]))
        .expect("a new connection takes a call");
    while let Some(out) = conn.poll_transmit() {
        let n = out.len();
        conn.advance_transmit(n);
    }
    let now = Instant::now();
    let mut outcome = None;
    let pieces: Vec<&[u8]> = if bytewise {
        data.chunks(1).collect()
    } else {
        vec![data]
    };
    for piece in pieces {
        conn.handle_data(piece, now);
        if outcome.is_none() {
            outcome = conn.poll_event().transpose();
        }
    }
    conn.handle_eof();
    if outcome.is_none() {
        outcome = conn.poll_event().transpose();
    }
    let shown = match &outcome {
        Some(Err(e)) => format!("{e:?} {e} {}", e.status_hint()),
        other => format!("{other:?}"),
    };
    (shown, conn.can_reuse(), conn.is_closed())
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let whole = run(data, false);
    let bytewise = run(data, true);
    assert_eq!(whole, bytewise);
});
