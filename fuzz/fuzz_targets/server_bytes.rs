#![no_main]
//! Any bytes sent to a server connection, whole or one byte at a time,
//! give the same events, the same output and no panic; the input buffer
//! stays within its bound.

use std::time::{Duration, Instant};

use xmlrpc_proto::{Fault, ServerConfig, ServerConnection, ServerEvent, Value};

fn run(data: &[u8], bytewise: bool) -> (Vec<String>, Vec<u8>, bool) {
    let mut config = ServerConfig::default();
    config.limits.max_head_bytes = 1024;
    config.limits.max_body_bytes = 4096;
    let mut conn = ServerConnection::new(config);
    let now = Instant::now();
    conn.handle_open(now);
    let mut events = Vec::new();
    let mut output = Vec::new();
    let mut errored = false;
    let pieces: Vec<&[u8]> = if bytewise {
        data.chunks(1).collect()
    } else {
        vec![data]
    };
    let mut pump = |conn: &mut ServerConnection, events: &mut Vec<String>| {
        loop {
            match conn.poll_event() {
                Ok(Some(ServerEvent::Call(c))) => {
                    events.push(format!("{:?}", c));
                    let reply = Ok(Value::String(c.call.name.clone()));
                    if conn.respond(&reply).is_err() {
                        conn.respond(&Err(Fault::new(1, "x"))).expect("a call is in flight");
                    }
                }
                Ok(Some(ServerEvent::BadCall(b))) => {
                    events.push(format!("{:?} {}", b, b.error));
                    conn.respond_status(400).expect("a call is in flight");
                }
                Ok(Some(other)) => events.push(format!("{other:?}")),
                Ok(None) => break,
                Err(e) => {
                    if !errored {
                        events.push(format!("{e:?} {e} {}", e.status_hint()));
                        errored = true;
                    }
                    break;
                }
            }
        }
        while let Some(out) = conn.poll_transmit(now) {
            let n = out.len();
            output.extend_from_slice(out);
            conn.advance_transmit(n);
        }
    };
    for piece in pieces {
        conn.handle_data(piece, now);
        pump(&mut conn, &mut events);
    }
    conn.handle_eof();
    pump(&mut conn, &mut events);
    let _ = conn.poll_timeout();
    conn.handle_timeout(now + Duration::from_secs(3600));
    pump(&mut conn, &mut events);
    (events, output, conn.is_closed())
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let whole = run(data, false);
    let bytewise = run(data, true);
    assert_eq!(whole, bytewise);
    assert!(whole.2, "a connection at end of stream must close");
});
