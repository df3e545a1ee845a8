//! Hostile input: whatever the bytes, the decoder answers `Ok` or `Err`
//! without panicking, and well-formed documents written independently of
//! the encoder decode to the values they were written from.

use proptest::prelude::*;
use xmlrpc_proto::codec::{DecodeErrorKind, decode_call, decode_document, decode_response};
use xmlrpc_proto::{DateTime, Limits, Struct, Value};

/// Every decoder entry point on `bytes`; errors must carry an offset inside
/// the input and a message.
fn decode_all(bytes: &[u8], limits: &Limits) {
    for e in [
        decode_call(bytes, limits).err(),
        decode_response(bytes, limits).err(),
        decode_document(bytes, limits).err(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            e.offset() <= bytes.len(),
            "{e} beyond {} bytes",
            bytes.len()
        );
        assert!(e.to_string().contains(" at byte "));
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\r', "&#13;")
}

/// A reference writer, deliberately varied: optional `<data>`, untyped
/// strings, CDATA, whitespace between elements.
fn write(v: &Value, style: u8, out: &mut String) {
    let ws = if style & 1 == 1 { "\n  " } else { "" };
    out.push_str("<value>");
    match v {
        Value::Int(i) => out.push_str(&format!("{ws}<i4> {i} </i4>{ws}")),
        Value::I8(i) => out.push_str(&format!("<ex:i8>{i}</ex:i8>")),
        Value::Bool(b) => out.push_str(&format!("<boolean>{}</boolean>", u8::from(*b))),
        Value::String(s) if style & 2 == 2 && !s.contains("]]>") && !s.contains('\r') => {
            out.push_str(&format!("<string><![CDATA[{s}]]></string>"));
        }
        Value::String(s) if style & 4 == 4 => out.push_str(&escape(s)),
        Value::String(s) => out.push_str(&format!("<string>{}</string>", escape(s))),
        Value::Double(d) => out.push_str(&format!("<double>{d:?}</double>")),
        Value::DateTime(d) => out.push_str(&format!("<dateTime.iso8601>{d}</dateTime.iso8601>")),
        Value::Base64(b) => {
            use base64::Engine as _;
            let text = base64::engine::general_purpose::STANDARD.encode(b);
            let text = if style & 8 == 8 {
                text.as_bytes()
                    .chunks(8)
                    .map(|c| std::str::from_utf8(c).unwrap())
                    .collect::<Vec<_>>()
                    .join("\r\n")
            } else {
                text
            };
            out.push_str(&format!("<base64>{text}</base64>"));
        }
        Value::Nil => out.push_str("<nil/>"),
        Value::Array(items) => {
            out.push_str(ws);
            out.push_str(if style & 2 == 2 {
                "<array>"
            } else {
                "<array><data>"
            });
            for item in items {
                out.push_str(ws);
                write(item, style, out);
            }
            out.push_str(if style & 2 == 2 {
                "</array>"
            } else {
                "</data></array>"
            });
            out.push_str(ws);
        }
        Value::Struct(s) => {
            out.push_str("<struct>");
            for (k, v) in s.iter() {
                out.push_str(&format!("{ws}<member>{ws}<name>{}</name>", escape(k)));
                write(v, style, out);
                out.push_str("</member>");
            }
            out.push_str(&format!("{ws}</struct>"));
        }
    }
    out.push_str("</value>");
}

fn arb_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        // XML 1.0 characters only (no other control characters).
        "[\\t\\n\\r -~\u{a0}-\u{d7ff}\u{e000}-\u{fffd}\u{10000}-\u{10ffff}]{0,20}"
            .prop_map(Value::String),
        any::<f64>()
            .prop_filter("finite", |d| d.is_finite())
            .prop_map(Value::Double),
        (
            1900u32..2100,
            1u32..13,
            1u32..29,
            0u32..24,
            0u32..60,
            0u32..60
        )
            .prop_map(|(y, mo, d, h, mi, s)| Value::DateTime(
                DateTime::parse(&format!("{y:04}{mo:02}{d:02}T{h:02}:{mi:02}:{s:02}")).unwrap()
            )),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Base64),
        Just(Value::Nil),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    arb_scalar().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(("[a-zA-Z_&<]{0,6}", inner), 0..6)
                .prop_map(|m| Value::Struct(m.into_iter().collect::<Struct>())),
        ]
    })
}

/// Untyped and `<string>` text both decode to strings; an empty base64 or
/// whitespace-only untyped text also survive; normalise nothing else.
fn response_doc(v: &Value, style: u8) -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<methodResponse><params><param>");
    write(v, style, &mut s);
    s.push_str("</param></params></methodResponse>\n");
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes, &Limits::default());
    }

    #[test]
    fn xmlish_bytes_never_panic(parts in proptest::collection::vec(prop_oneof![
        Just("<value>"), Just("</value>"), Just("<array>"), Just("</array>"), Just("<data>"),
        Just("</data>"), Just("<struct>"), Just("</struct>"), Just("<member>"), Just("</member>"),
        Just("<name>"), Just("</name>"), Just("<i4>"), Just("</i4>"), Just("<params>"),
        Just("</params>"), Just("<param>"), Just("</param>"), Just("<methodCall>"),
        Just("</methodCall>"), Just("<methodResponse>"), Just("</methodResponse>"),
        Just("<methodName>"), Just("</methodName>"), Just("<fault>"), Just("</fault>"),
        Just("<value/>"), Just("<nil/>"), Just("1"), Just("x"), Just(" "), Just("&amp;"),
        Just("&#x10FFFF;"), Just("<![CDATA[a]]>"), Just("<!--c-->"), Just("<!DOCTYPE x>"),
        Just("<?xml version='1.0'?>"), Just("<base64>"), Just("</base64>"), Just("AA=="),
    ], 0..60)) {
        let doc: String = parts.concat();
        decode_all(doc.as_bytes(), &Limits::default());
    }

    #[test]
    fn values_round_trip(v in arb_value(), style in 0u8..16) {
        let doc = response_doc(&v, style);
        let got = decode_response(doc.as_bytes(), &Limits::default());
        prop_assert_eq!(got, Ok(Ok(v)), "{}", doc);
    }

    #[test]
    fn utf16_round_trip(v in arb_value(), little in any::<bool>()) {
        let doc = response_doc(&v, 0);
        let mut bytes = if little { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
        for u in doc.encode_utf16() {
            bytes.extend_from_slice(&if little { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        prop_assert_eq!(decode_response(&bytes, &Limits::default()), Ok(Ok(v)));
    }

    #[test]
    fn mutations_never_panic(
        v in arb_value(),
        style in 0u8..16,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
    ) {
        let mut bytes = response_doc(&v, style).into_bytes();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                2 => bytes.insert(i, byte),
                _ => bytes.truncate(i),
            }
        }
        let mut tight = Limits::default();
        tight.max_depth = 3;
        tight.max_values = 20;
        tight.max_string_bytes = 10;
        decode_all(&bytes, &Limits::default());
        decode_all(&bytes, &tight);
    }
}

#[test]
fn every_prefix_of_a_document_is_refused_cleanly() {
    let v = Value::Array(vec![
        Value::Int(1),
        Value::from("a&b"),
        Value::Struct([("k", Value::Base64(vec![1, 2, 3]))].into_iter().collect()),
        Value::DateTime(DateTime::parse("19980717T14:08:55").unwrap()),
    ]);
    let doc = response_doc(&v, 1);
    for n in 0..doc.trim_end().len() {
        let prefix = &doc.as_bytes()[..n];
        let e = decode_response(prefix, &Limits::default()).unwrap_err();
        assert!(e.offset() <= n, "{n}: {e}");
    }
    assert_eq!(
        decode_response(doc.as_bytes(), &Limits::default()),
        Ok(Ok(v))
    );
}

#[test]
fn billion_laughs_is_refused_before_any_expansion() {
    let doc = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<methodCall><methodName>&lol3;</methodName></methodCall>"#;
    let e = decode_call(doc, &Limits::default()).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (DecodeErrorKind::DocType, 22));
}

#[test]
fn external_entity_is_refused() {
    let doc = br#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><methodCall><methodName>&x;</methodName></methodCall>"#;
    assert_eq!(
        decode_call(doc, &Limits::default()).unwrap_err().kind(),
        DecodeErrorKind::DocType
    );
    // Without the DOCTYPE the entity is simply unknown.
    let doc = b"<methodCall><methodName>&x;</methodName></methodCall>";
    assert_eq!(
        decode_call(doc, &Limits::default()).unwrap_err().kind(),
        DecodeErrorKind::UnknownEntity
    );
}

#[test]
fn huge_counts_in_input_allocate_nothing_up_front() {
    // Numbers in the input are never used as capacities; a long run of
    // empty values is bounded by max_values.
    let mut limits = Limits::default();
    limits.max_values = 1000;
    let mut doc = String::from("<methodResponse><params><param><value><array><data>");
    doc.push_str(&"<value/>".repeat(1001));
    doc.push_str("</data></array></value></param></params></methodResponse>");
    let e = decode_response(doc.as_bytes(), &limits).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::ValueLimit);
}
