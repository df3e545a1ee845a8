//! State-machine tests: both sides without sockets.

// Configurations are built as users must build them (they are
// `#[non_exhaustive]`): default, then set fields.
#![allow(clippy::field_reassign_with_default)]

mod util;

use std::time::{Duration, Instant};

use proptest::prelude::*;

use self::util::{Pair, Split, receive, serve, serve_all_splits};
use crate::{
    ClientConfig, ClientConnection, ClientEvent, Fault, Limits, MethodCall, ProtocolError,
    ServerConfig, ServerConnection, ServerEvent, StateError, Value,
};

const CALL: &str = "<?xml version=\"1.0\"?><methodCall><methodName>ping</methodName><params></params></methodCall>";

fn post(path: &str, extra: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: h\r\nContent-Type: text/xml\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn small_limits() -> ServerConfig {
    let mut c = ServerConfig::default();
    c.limits.max_head_bytes = 256;
    c.limits.max_body_bytes = 1000;
    c
}

/// Each malformed input gets its status at once (no end of stream
/// needed), whatever the split, then the connection closes.
#[test]
fn errors_answer_at_once_in_every_split() {
    let big_head = format!("POST / HTTP/1.1\r\nX: {}\r\n", "a".repeat(300));
    let cases: Vec<(String, u16)> = vec![
        ("GARBAGE\r\n\r\n".into(), 400),
        ("GET /\x01 HTTP/1.1\r\n".into(), 400),
        ("POST / HTTP/1.1\r\nBad Name: x\r\n".into(), 400),
        ("POST / HTTP/1.1\r\nHost: a\rb\r\n\r\n".into(), 400),
        (
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n".into(),
            400,
        ),
        (
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n".into(),
            400,
        ),
        (
            "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n".into(),
            400,
        ),
        ("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n".into(), 400),
        ("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n".into(), 400),
        (
            "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n".into(),
            400,
        ),
        (
            "POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n".into(),
            413,
        ),
        (
            "POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n".into(),
            413,
        ),
        (
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".into(),
            400,
        ),
        (
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeXX".into(),
            400,
        ),
        (
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n".into(),
            413,
        ),
        (
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff".into(),
            413,
        ),
        (
            "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".into(),
            501,
        ),
        (
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n".into(),
            400,
        ),
        (
            "POST / HTTP/1.1\r\nContent-Encoding: br\r\nContent-Length: 1\r\n\r\n".into(),
            415,
        ),
        ("POST / HTTP/1.1\r\nHost: x\r\n\r\n".into(), 411),
        ("GET / HTTP/1.1\r\nHost: x\r\n\r\n".into(), 405),
        ("PUT / HTTP/1.1\r\nContent-Length: 1\r\n\r\n".into(), 405),
        ("POST / HTTP/2.0\r\n\r\n".into(), 505),
        (big_head.clone(), 431),
        (format!("{big_head}\r\n"), 431),
        ("X".repeat(300), 431),
        (format!("POST / HTTP/1.1\r\n{}", "A: b\r\n".repeat(65)), 431),
    ];
    let config = small_limits();
    for (input, status) in cases {
        let t = serve_all_splits(&config, input.as_bytes(), false);
        assert_eq!(t.statuses(), [status], "{input:?}: {t:?}");
        assert!(t.closed, "{input:?} left the connection open");
        assert_eq!(t.events.len(), 1, "{input:?}: {t:?}");
        assert!(t.events[0].starts_with("error"), "{t:?}");
        let text = String::from_utf8_lossy(&t.output).into_owned();
        assert!(text.contains("Connection: close\r\n"), "{text}");
        if status == 405 {
            assert!(text.contains("Allow: POST\r\n"), "{text}");
        }
    }
}

#[test]
fn error_is_sticky_and_later_input_ignored() {
    let mut conn = ServerConnection::new(ServerConfig::default());
    let now = Instant::now();
    conn.handle_data(b"BAD\x00 / HTTP/1.1\r\n", now);
    let e = conn.poll_event().unwrap_err();
    assert_eq!(e.status_hint(), 400);
    conn.handle_data(&post("/", "", CALL).into_bytes(), now);
    assert_eq!(conn.poll_event(), Err(e));
    assert!(!conn.wants_read());
    assert!(!conn.is_closed(), "the 400 is not written yet");
    let n = conn.poll_transmit(Instant::now()).map(<[u8]>::len).unwrap();
    conn.advance_transmit(n);
    assert!(conn.is_closed());
    assert_eq!(
        conn.respond(&Ok(Value::Nil)),
        Err(StateError::Closed.into())
    );
}

#[test]
fn eof_mid_request_is_400_and_between_requests_is_closed() {
    let config = ServerConfig::default();
    let t = serve_all_splits(&config, b"POST / HTTP/1.1\r\nContent-Le", true);
    assert_eq!(t.statuses(), [400]);
    assert!(t.events[0].contains("UnexpectedEof"));
    let t = serve_all_splits(
        &config,
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
        true,
    );
    assert_eq!(t.statuses(), [400]);
    let t = serve_all_splits(&config, b"\r\n", true);
    assert_eq!(t.events, ["closed"]);
    assert!(t.output.is_empty());
    assert!(t.closed);
}

#[test]
fn expect_100_continue_comes_before_the_body() {
    let mut conn = ServerConnection::new(ServerConfig::default());
    let now = Instant::now();
    let head = format!(
        "POST /RPC2 HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        CALL.len()
    );
    conn.handle_data(head.as_bytes(), now);
    assert_eq!(conn.poll_event(), Ok(None));
    assert_eq!(
        conn.poll_transmit(Instant::now()),
        Some(&b"HTTP/1.1 100 Continue\r\n\r\n"[..])
    );
    conn.advance_transmit(25);
    assert!(conn.wants_read());
    // Over the limit: 413 at once, no 100.
    let t = serve(
        &small_limits(),
        b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n",
        &Split::Whole,
        false,
    );
    assert_eq!(t.statuses(), [413]);
}

#[test]
fn head_deadline_is_not_extended_by_trickling() {
    let mut conn = ServerConnection::new(ServerConfig::default());
    let start = Instant::now();
    conn.handle_open(start);
    assert_eq!(conn.poll_timeout(), Some(start + Duration::from_secs(30)));
    let first = start + Duration::from_secs(5);
    let head = b"POST / HTTP/1.1\r\nHost: slow\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for (i, b) in head.iter().enumerate() {
        let now = first + Duration::from_millis(500 * i as u64);
        if let Some(t) = conn.poll_timeout() {
            if now >= t {
                conn.handle_timeout(now);
                break;
            }
        }
        conn.handle_data(std::slice::from_ref(b), now);
        assert_eq!(conn.poll_timeout(), Some(first + Duration::from_secs(30)));
    }
    let e = conn.poll_event().unwrap_err();
    assert_eq!(e, ProtocolError::Timeout("request head"));
    let out = conn.poll_transmit(Instant::now()).unwrap();
    assert!(out.starts_with(b"HTTP/1.1 408 Request Timeout\r\n"));
}

#[test]
fn body_deadline_runs_from_end_of_head() {
    let mut conn = ServerConnection::new(ServerConfig::default());
    let t0 = Instant::now();
    conn.handle_data(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nab", t0);
    let d = conn.poll_timeout().unwrap();
    assert_eq!(d, t0 + Duration::from_secs(30));
    conn.handle_data(b"cd", t0 + Duration::from_secs(29));
    assert_eq!(conn.poll_timeout(), Some(d));
    conn.handle_timeout(t0 + Duration::from_secs(29));
    assert_eq!(conn.poll_event(), Ok(None));
    conn.handle_timeout(d);
    assert_eq!(
        conn.poll_event(),
        Err(ProtocolError::Timeout("request body"))
    );
    assert_eq!(conn.poll_timeout(), None);
}

#[test]
fn idle_timeout_closes_silently() {
    let mut config = ServerConfig::default();
    config.limits.idle_timeout = Duration::from_secs(5);
    let mut conn = ServerConnection::new(config);
    let t0 = Instant::now();
    conn.handle_open(t0);
    conn.handle_timeout(t0 + Duration::from_secs(4));
    assert!(!conn.is_closed());
    conn.handle_timeout(t0 + Duration::from_secs(5));
    assert!(conn.is_closed());
    assert_eq!(conn.poll_transmit(Instant::now()), None);
    assert_eq!(conn.poll_event(), Ok(None));
}

#[test]
fn input_stays_bounded_while_a_call_waits() {
    let config = small_limits();
    let cap = 256 + 1000 + 64 * 1024;
    let mut conn = ServerConnection::new(config);
    let now = Instant::now();
    conn.handle_data(post("/", "", "x").as_bytes(), now);
    let junk = vec![b'P'; 4096];
    for _ in 0..100 {
        conn.handle_data(&junk, now);
        assert!(conn.buffered() <= cap);
    }
}

#[test]
fn client_non_200_is_http_status_with_body() {
    let config = ClientConfig::default();
    let resp =
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nContent-Type: text/plain\r\n\r\nno such x";
    for split in Split::all(resp.len()) {
        let (outcome, reuse) = receive(&config, resp, &split, false);
        assert_eq!(
            outcome,
            Some(Err(ProtocolError::HttpStatus {
                status: 404,
                reason: "Not Found".into(),
                body: "no such x".into()
            }))
        );
        assert!(reuse, "a complete 404 leaves the connection usable");
    }
    // Chunked, after an interim 100, and until close.
    let resp = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
    for split in Split::all(resp.len()) {
        let (outcome, _) = receive(&config, resp, &split, false);
        let Some(Err(ProtocolError::HttpStatus { status, body, .. })) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!((status, body.as_str()), (500, "ab"));
    }
    let resp = b"HTTP/1.0 503 Busy\r\n\r\nlater";
    for split in Split::all(resp.len()) {
        let (outcome, reuse) = receive(&config, resp, &split, true);
        let Some(Err(ProtocolError::HttpStatus { status, body, .. })) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!((status, body.as_str()), (503, "later"));
        assert!(!reuse);
    }
}

#[test]
fn client_framing_errors() {
    let config = ClientConfig::default();
    let cases: &[(&[u8], bool, ProtocolError)] = &[
        (b"", true, ProtocolError::ClosedBeforeResponse),
        (
            b"HTTP/1.1 200 OK\r\nContent-Le",
            true,
            ProtocolError::UnexpectedEof,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
            true,
            ProtocolError::UnexpectedEof,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            true,
            ProtocolError::UnexpectedEof,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n",
            false,
            ProtocolError::BadChunk("chunk size is not hexadecimal"),
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            false,
            ProtocolError::BadHead(crate::HeadError::ConflictingContentLength),
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n",
            false,
            ProtocolError::BodyTooLarge {
                len: 999_999_999_999,
                limit: 8 * 1024 * 1024,
            },
        ),
        (
            b"SMTP ready\r\n",
            false,
            ProtocolError::BadHead(crate::HeadError::UnsupportedVersion),
        ),
    ];
    for (resp, eof, want) in cases {
        for split in Split::all(resp.len()) {
            let (outcome, reuse) = receive(&config, resp, &split, *eof);
            assert_eq!(
                outcome.as_ref(),
                Some(&Err(want.clone())),
                "{split:?} {resp:?}"
            );
            assert!(!reuse);
        }
    }
}

#[test]
fn client_refuses_misuse() {
    let mut conn = ClientConnection::new(ClientConfig::default());
    conn.handle_data(b"HTTP/1.1 200 OK\r\n", Instant::now());
    assert_eq!(conn.poll_event(), Err(ProtocolError::UnsolicitedData));
    assert!(conn.is_closed());
    let mut config = ClientConfig::default();
    config
        .headers
        .push(("X-Bad".into(), "a\r\nInjected: 1".into()));
    let mut conn = ClientConnection::new(config);
    let err = conn.send_call(&MethodCall::new("m", vec![])).unwrap_err();
    assert_eq!(err, crate::SendError::InvalidHeader("X-Bad".into()));
    assert_eq!(conn.poll_transmit(), None);
}

#[test]
fn client_request_bytes() {
    let url = crate::Url::parse("http://Aladdin:open%20sesame@[::1]:8080/RPC2?x").unwrap();
    let mut config = ClientConfig::new(&url);
    config.user_agent = "test/1".into();
    config.headers.push(("X-Trace".into(), "7".into()));
    let mut conn = ClientConnection::new(config);
    conn.send_call(&MethodCall::new("ping", vec![])).unwrap();
    let out = conn.poll_transmit().unwrap().to_vec();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let lines: Vec<&str> = head.split("\r\n").collect();
    assert_eq!(lines[0], "POST /RPC2?x HTTP/1.1");
    assert!(lines.contains(&"Host: [::1]:8080"));
    assert!(lines.contains(&"User-Agent: test/1"));
    assert!(lines.contains(&"Content-Type: text/xml"));
    assert!(lines.contains(&"Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    assert!(lines.contains(&"X-Trace: 7"));
    assert!(lines.contains(&format!("Content-Length: {}", body.len()).as_str()));
    assert!(body.contains("<methodName>ping</methodName>"));
    assert_eq!(
        conn.send_call(&MethodCall::new("again", vec![])),
        Err(StateError::CallInFlight.into())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random cut points give the same transcript as one piece, for a
    /// valid chunked request followed by a malformed one.
    #[test]
    fn random_splits_same_verdict(
        cuts in proptest::collection::vec(0usize..400, 0..8),
        body_len in 0usize..300,
    ) {
        let mut input = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let body = "y".repeat(body_len);
        for chunk in body.as_bytes().chunks(7) {
            input.extend_from_slice(format!("{:x};e=1\r\n", chunk.len()).as_bytes());
            input.extend_from_slice(chunk);
            input.extend_from_slice(b"\r\n");
        }
        input.extend_from_slice(b"0\r\nT: 1\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: x\r\n\r\n");
        let mut cuts = cuts;
        cuts.sort_unstable();
        let config = small_limits();
        let whole = serve(&config, &input, &Split::Whole, false);
        let split = serve(&config, &input, &Split::At(cuts), false);
        prop_assert_eq!(split, whole);
    }

    /// Nothing a peer sends panics the server, and its buffers stay
    /// bounded.
    #[test]
    fn server_survives_noise(
        prefix in prop::sample::select(vec![
            "", "POST / HTTP/1.1\r\n", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\n",
        ]),
        noise in proptest::collection::vec(any::<u8>(), 0..600),
        cut in 0usize..600,
    ) {
        let mut input = prefix.as_bytes().to_vec();
        input.extend_from_slice(&noise);
        let config = small_limits();
        let whole = serve(&config, &input, &Split::Whole, true);
        let split = serve(&config, &input, &Split::At(vec![cut]), true);
        prop_assert_eq!(&split, &whole);
        let bytewise = serve(&config, &input, &Split::Bytewise, true);
        prop_assert_eq!(&bytewise, &whole);
    }

    /// Nothing a server sends panics the client.
    #[test]
    fn client_survives_noise(
        prefix in prop::sample::select(vec![
            "", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n", "HTTP/1.0 200 OK\r\n\r\n",
        ]),
        noise in proptest::collection::vec(any::<u8>(), 0..600),
        cut in 0usize..600,
    ) {
        let mut input = prefix.as_bytes().to_vec();
        input.extend_from_slice(&noise);
        let config = ClientConfig::default();
        let whole = receive(&config, &input, &Split::Whole, true);
        let split = receive(&config, &input, &Split::At(vec![cut]), true);
        prop_assert_eq!(&split, &whole);
    }
}

// --- End to end: these need the codec. ---

#[test]
fn pair_calls_and_faults() {
    let mut pair = Pair::new();
    assert_eq!(pair.call("hello", vec![]), Ok(Ok(Value::from("hello"))));
    assert_eq!(
        pair.call(
            "echo",
            vec![Value::Array(vec![Value::Int(1), Value::from("two")])]
        ),
        Ok(Ok(Value::Array(vec![Value::Int(1), Value::from("two")])))
    );
    assert_eq!(
        pair.call("fault", vec![]),
        Ok(Err(Fault::new(4, "Too many parameters.")))
    );
    assert!(pair.client.can_reuse());
    assert!(!pair.server.is_closed());
}

#[test]
fn pair_without_keep_alive_closes() {
    let mut config = ClientConfig::default();
    config.keep_alive = false;
    let mut pair = Pair::with(config, ServerConfig::default());
    assert_eq!(pair.call("a", vec![]), Ok(Ok(Value::from("a"))));
    assert!(!pair.client.can_reuse());
    assert!(pair.server.is_closed());
    assert!(pair.client.is_closed());
}

#[test]
fn pair_handler_sees_head() {
    let mut pair = Pair::new().handler(|c| {
        Ok(Value::from(format!(
            "{} {} {}",
            c.head.method,
            c.head.path,
            c.head.headers.get_str("user-agent").unwrap_or("")
        )))
    });
    let r = pair.call("x", vec![]).unwrap().unwrap();
    assert!(
        r.as_str().unwrap().starts_with("POST / xmlrpc-rs/"),
        "{r:?}"
    );
}

#[test]
fn pipelined_requests_answered_in_order() {
    let mut input = String::new();
    for (i, path) in ["/a", "/b", "/c"].iter().enumerate() {
        let call = CALL.replace("ping", &format!("m{i}"));
        input.push_str(&post(path, "", &call));
    }
    input.push_str(&post("/d", "Connection: close\r\n", CALL));
    input.push_str(&post("/ignored", "", CALL));
    let t = serve_all_splits(&ServerConfig::default(), input.as_bytes(), false);
    assert_eq!(
        t.events,
        [
            "call m0 /a true",
            "call m1 /b true",
            "call m2 /c true",
            "call ping /d false"
        ]
    );
    assert_eq!(t.statuses(), [200, 200, 200, 200]);
    assert!(t.closed);
    let text = String::from_utf8_lossy(&t.output);
    let i0 = text.find("m0").unwrap();
    let i1 = text.find("m1").unwrap();
    let i2 = text.find("m2").unwrap();
    assert!(i0 < i1 && i1 < i2);
    assert_eq!(text.matches("Connection: close").count(), 1);
    assert!(text.contains("Content-Type: text/xml; charset=utf-8\r\n"));
}

#[test]
fn http10_keep_alive_rules() {
    let body = CALL;
    let plain = format!(
        "POST / HTTP/1.0\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let t = serve_all_splits(&ServerConfig::default(), plain.as_bytes(), false);
    assert_eq!(t.events, ["call ping / false"]);
    assert!(t.closed);
    let ka = format!(
        "POST / HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: {}\r\n\r\n{body}{plain}",
        body.len()
    );
    let t = serve_all_splits(&ServerConfig::default(), ka.as_bytes(), false);
    assert_eq!(t.events, ["call ping / true", "call ping / false"]);
    let text = String::from_utf8_lossy(&t.output);
    assert_eq!(text.matches("Connection: keep-alive\r\n").count(), 1);
    assert_eq!(text.matches("Connection: close\r\n").count(), 1);
    assert!(t.closed);
}

#[test]
fn bad_xml_is_bad_call_and_connection_stays() {
    let input = format!("{}{}", post("/", "", "<methodCall>"), post("/", "", CALL));
    let t = serve_all_splits(&ServerConfig::default(), input.as_bytes(), true);
    assert_eq!(t.events, ["bad call /", "call ping / true", "closed"]);
    assert_eq!(t.statuses(), [200, 200]);
    assert!(String::from_utf8_lossy(&t.output).contains("-32700"));
}

#[test]
fn chunked_request_and_half_close_still_answered() {
    let mut input = b"POST /RPC2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in CALL.as_bytes().chunks(10) {
        input.extend_from_slice(format!("{:X}\r\n", chunk.len()).as_bytes());
        input.extend_from_slice(chunk);
        input.extend_from_slice(b"\r\n");
    }
    input.extend_from_slice(b"0\r\n\r\n");
    input.extend_from_slice(post("/two", "", CALL).as_bytes());
    let t = serve_all_splits(&ServerConfig::default(), &input, true);
    assert_eq!(
        t.events,
        ["call ping /RPC2 true", "call ping /two true", "closed"]
    );
    assert!(t.closed);
}

#[test]
fn respond_status_and_raw_keep_connection() {
    let mut conn = ServerConnection::new(ServerConfig::default());
    let now = Instant::now();
    conn.handle_data(post("/nope", "", CALL).as_bytes(), now);
    assert!(matches!(conn.poll_event(), Ok(Some(ServerEvent::Call(_)))));
    assert!(!conn.wants_read());
    // nil is off by default: nothing is queued and the call still waits.
    assert!(matches!(
        conn.respond(&Ok(Value::Nil)),
        Err(crate::RespondError::Encode(_))
    ));
    assert_eq!(conn.poll_transmit(Instant::now()), None);
    conn.respond(&Ok(Value::Int(1))).unwrap();
    assert_eq!(conn.respond_status(404), Err(StateError::NoCallPending));
    let out = conn.poll_transmit(Instant::now()).unwrap().to_vec();
    conn.advance_transmit(out.len());
    conn.handle_data(post("/nope", "", CALL).as_bytes(), now);
    assert!(matches!(conn.poll_event(), Ok(Some(ServerEvent::Call(_)))));
    conn.respond_status(404).unwrap();
    let out = conn.poll_transmit(Instant::now()).unwrap().to_vec();
    assert!(out.starts_with(b"HTTP/1.1 404 Not Found\r\n"));
    assert!(out.ends_with(b"\r\n\r\n404 Not Found\n"));
    conn.advance_transmit(out.len());
    conn.handle_data(post("/", "", CALL).as_bytes(), now);
    assert!(matches!(conn.poll_event(), Ok(Some(ServerEvent::Call(_)))));
    conn.respond_raw(200, "text/html", b"<p>hi</p>").unwrap();
    let out = conn.poll_transmit(Instant::now()).unwrap().to_vec();
    assert!(out.ends_with(b"Content-Type: text/html\r\nContent-Length: 9\r\n\r\n<p>hi</p>"));
    assert!(conn.wants_read());
    let n = out.len();
    conn.advance_transmit(n);
    conn.handle_data(post("/", "", CALL).as_bytes(), now);
    assert!(matches!(conn.poll_event(), Ok(Some(ServerEvent::Call(_)))));
    conn.respond_raw(204, "text/plain", b"ignored").unwrap();
    let out = conn.poll_transmit(Instant::now()).unwrap().to_vec();
    assert!(out.starts_with(b"HTTP/1.1 204 No Content\r\n"));
    assert!(out.ends_with(b"\r\n\r\n"));
    assert!(!String::from_utf8_lossy(&out).contains("Content-Length"));
}

#[test]
fn partial_writes() {
    let mut pair = Pair::new();
    pair.client
        .send_call(&MethodCall::new("p", vec![]))
        .unwrap();
    // Write the request one byte per call to advance_transmit.
    while let Some(out) = pair.client.poll_transmit() {
        let b = out[0];
        pair.server.handle_data(&[b], pair.now);
        pair.client.advance_transmit(1);
    }
    let Ok(Some(ServerEvent::Call(c))) = pair.server.poll_event() else {
        panic!("no call");
    };
    pair.server
        .respond(&Ok(Value::from(c.call.name.as_str())))
        .unwrap();
    while let Some(out) = pair.server.poll_transmit(Instant::now()) {
        let b = out[0];
        pair.client.handle_data(&[b], pair.now);
        pair.server.advance_transmit(1);
    }
    let Ok(Some(ClientEvent::Response { result, head })) = pair.client.poll_event() else {
        panic!("no response");
    };
    assert_eq!(result, Ok(Value::from("p")));
    assert_eq!(head.status, 200);
    assert!(pair.client.can_reuse());
}

#[test]
fn many_calls_on_one_connection() {
    let mut pair = Pair::new();
    for i in 0..50 {
        assert_eq!(
            pair.call("echo", vec![Value::Int(i)]),
            Ok(Ok(Value::Int(i)))
        );
    }
    pair.advance_time(Duration::from_secs(31));
    let t = pair.server.poll_timeout().unwrap();
    pair.server.handle_timeout(pair.now);
    assert!(t <= pair.now);
    assert!(pair.server.is_closed());
    pair.client.handle_eof();
    assert!(pair.client.is_closed());
    assert!(
        pair.client
            .send_call(&MethodCall::new("x", vec![]))
            .is_err()
    );
}

#[test]
fn client_reads_every_framing_in_every_split() {
    let body = "<?xml version='1.0'?>\n<methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>";
    let mut chunked = String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for part in body.as_bytes().chunks(16) {
        chunked.push_str(&format!(
            "{:x}\r\n{}\r\n",
            part.len(),
            String::from_utf8_lossy(part)
        ));
    }
    chunked.push_str("0\r\n\r\n");
    let cases = [
        (
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
            false,
            true,
        ),
        (chunked, false, true),
        (format!("HTTP/1.0 200 OK\r\n\r\n{body}"), true, false),
        (
            format!(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
            false,
            false,
        ),
    ];
    let config = ClientConfig::default();
    for (resp, eof, reusable) in &cases {
        for split in Split::all(resp.len()) {
            let (outcome, reuse) = receive(&config, resp.as_bytes(), &split, *eof);
            let Some(Ok(ClientEvent::Response { head, result })) = outcome else {
                panic!("{split:?} {resp:?}: {outcome:?}");
            };
            assert_eq!(result, Ok(Value::Int(7)));
            assert_eq!(head.status, 200);
            assert_eq!(reuse, *reusable, "{resp:?}");
        }
    }
}

#[test]
fn peer_addr_reaches_the_head() {
    let mut conn = ServerConnection::new(ServerConfig::default());
    let addr: std::net::SocketAddr = "192.0.2.1:4000".parse().unwrap();
    conn.set_peer_addr(addr);
    conn.handle_data(post("/", "", CALL).as_bytes(), Instant::now());
    let Ok(Some(ServerEvent::Call(c))) = conn.poll_event() else {
        panic!("no call");
    };
    assert_eq!(c.head.peer_addr, Some(addr));
    assert_eq!(c.head.headers.get_str("host"), Some("h"));
}

#[test]
fn client_bad_xml_is_one_shot() {
    let config = ClientConfig::default();
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n<oops";
    let (outcome, reuse) = receive(&config, resp, &Split::Whole, false);
    assert!(
        matches!(outcome, Some(Err(ProtocolError::BadXml(_)))),
        "{outcome:?}"
    );
    assert!(reuse);
}

#[test]
fn limits_reach_the_codec() {
    let mut limits = Limits::default();
    limits.max_depth = 3;
    let mut server = ServerConfig::default();
    server.limits = limits;
    let mut pair = Pair::with(ClientConfig::default(), server);
    let deep = Value::Array(vec![Value::Array(vec![Value::Array(vec![Value::Array(
        vec![],
    )])])]);
    assert_eq!(
        pair.call("echo", vec![deep]),
        Ok(Err(Fault::new(8002, "bad call")))
    );
}

#[cfg(feature = "gzip")]
mod gzip {
    use super::*;

    #[test]
    fn gzip_both_ways() {
        let mut client = ClientConfig::default();
        client.gzip_threshold = Some(100);
        let mut pair = Pair::with(client, ServerConfig::default());
        let big = Value::from("z".repeat(5000));
        assert_eq!(pair.call("echo", vec![big.clone()]), Ok(Ok(big)));
        assert!(pair.sent < 1000, "request not compressed: {}", pair.sent);
        assert!(
            pair.received < 1000,
            "response not compressed: {}",
            pair.received
        );
    }

    #[test]
    fn gzip_bomb_is_refused() {
        let bomb = crate::http::gzip(&vec![b' '; 2_000_000]);
        let mut input = format!(
            "POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
            bomb.len()
        )
        .into_bytes();
        input.extend_from_slice(&bomb);
        let mut config = ServerConfig::default();
        config.limits.max_body_bytes = 100_000;
        let t = serve(&config, &input, &Split::Whole, false);
        assert_eq!(t.statuses(), [413]);
        let mut bad =
            b"POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd".to_vec();
        let t = serve(&config, &bad, &Split::Whole, false);
        assert_eq!(t.statuses(), [415]);
        bad.clear();
    }
}
