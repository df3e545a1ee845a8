//! Inputs that once needed care in the decoder, each kept as a named test.

use xmlrpc_proto::Limits;
use xmlrpc_proto::codec::{DecodeErrorKind as K, decode_call, decode_document, decode_response};

fn kind(bytes: &[u8]) -> K {
    let e = decode_document(bytes, &Limits::default()).unwrap_err();
    assert!(e.offset() <= bytes.len(), "{e}");
    e.kind()
}

#[test]
fn byte_order_marks_alone() {
    assert_eq!(kind(b"\xEF\xBB\xBF"), K::UnexpectedEof);
    assert_eq!(kind(b"\xFF\xFE"), K::UnexpectedEof);
    assert_eq!(kind(b"\xFE\xFF"), K::UnexpectedEof);
    assert_eq!(kind(b"\xFF\xFE<"), K::InvalidEncoding);
}

#[test]
fn utf16_surrogates() {
    // A lone high surrogate at the end, then a lone low surrogate.
    assert_eq!(kind(b"\xFF\xFE<\x00\x00\xD8"), K::InvalidEncoding);
    assert_eq!(kind(b"\xFE\xFF\x00<\xDC\x00"), K::InvalidEncoding);
}

#[test]
fn char_refs_out_of_range() {
    for r in [
        "&#xD800;",
        "&#x110000;",
        "&#99999999999999999999;",
        "&#x;",
        "&#;",
        "&#xFFFE;",
    ] {
        let doc = format!("<methodCall><methodName>{r}</methodName></methodCall>");
        assert_eq!(kind(doc.as_bytes()), K::InvalidCharRef, "{r}");
    }
}

#[test]
fn truncated_declarations() {
    assert_eq!(kind(b"<?xml"), K::Syntax);
    assert_eq!(kind(b"<?xml version='1.0' encoding='"), K::Syntax);
    assert_eq!(kind(b"<?xml version='1.0' encoding='latin1"), K::Syntax);
}

#[test]
fn bom_contradicting_declaration() {
    assert_eq!(
        kind(b"\xEF\xBB\xBF<?xml version='1.0' encoding='latin1'?><methodCall/>"),
        K::UnsupportedEncoding
    );
}

#[test]
fn markup_in_odd_places() {
    assert_eq!(kind(b"<methodCall><methodName>m</methodName><params><param><value><i4>1<!-- x --></i4></value></param></params></methodCall>x"), K::TrailingContent);
    assert_eq!(
        kind(b"<methodCall><![CDATA[x]]></methodCall>"),
        K::UnexpectedText
    );
    assert_eq!(kind(b"&amp;<methodCall/>"), K::UnexpectedText);
    assert_eq!(kind(b"</methodCall>"), K::Syntax);
    assert_eq!(
        kind(b"<methodCall><methodName>m</methodName><params></params></methodCall></x>"),
        K::Syntax
    );
    assert_eq!(
        kind(b"<methodCall><methodName>m</methodName></methodCall><!DOCTYPE x>"),
        K::DocType
    );
}

#[test]
fn empty_value_elements_everywhere() {
    let ok = decode_call(
        b"<methodCall><methodName/><params><param><value/></param></params></methodCall>",
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(ok.name, "");
    let e = decode_response(
        b"<methodResponse><fault><value/></fault></methodResponse>",
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), K::InvalidFault);
}

#[test]
fn zero_limits() {
    let mut limits = Limits::default();
    limits.max_depth = 0;
    limits.max_values = 0;
    limits.max_string_bytes = 0;
    limits.max_body_bytes = 0;
    assert_eq!(
        decode_call(b"", &limits).unwrap_err().kind(),
        K::UnexpectedEof
    );
    assert_eq!(decode_call(b"<", &limits).unwrap_err().kind(), K::TooLarge);
    limits.max_body_bytes = 1 << 20;
    let doc = b"<methodCall><methodName></methodName><params><param><value/></param></params></methodCall>";
    assert_eq!(decode_call(doc, &limits).unwrap_err().kind(), K::ValueLimit);
}

/// The committed seed inputs of the `fuzz/` crate, as `(name, bytes)`.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            name.starts_with("seed-")
                .then(|| (name, std::fs::read(&path).unwrap()))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

#[test]
fn call_seeds_are_valid_calls() {
    for (name, bytes) in seeds("decode_call") {
        let call =
            decode_call(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!call.name.is_empty(), "{name}");
    }
}

#[test]
fn response_seeds_are_valid_responses() {
    let mut shallow = Limits::default();
    shallow.max_depth = 8;
    for (name, bytes) in seeds("decode_response") {
        let result =
            decode_response(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            result.is_err(),
            name.contains("fault"),
            "{name}: {result:?}"
        );
        // The fuzz target decodes with a depth limit of 8: one seed is
        // deeper, so that the limit's path starts covered.
        let limited = decode_response(&bytes, &shallow);
        if name == "seed-deep" {
            assert_eq!(limited.unwrap_err().kind(), K::DepthLimit);
        } else {
            assert!(limited.is_ok(), "{name}");
        }
    }
}
