//! The borrowing decoder agrees with the owned one on every input: the same
//! value (after `into_owned`), or the same error kind at the same offset.

mod common;

use std::borrow::Cow;

use common::{arb_method_name, arb_text, arb_value};
use proptest::prelude::*;
use xmlrpc_proto::codec::{
    DecodeError, ValueRef, decode_call, decode_call_ref, decode_response, decode_response_ref,
    encode_call, encode_fault, encode_response,
};
use xmlrpc_proto::{EncodeOptions, Fault, Limits, MethodCall, Value};

fn same_error(a: &DecodeError, b: &DecodeError) -> bool {
    a.kind() == b.kind() && a.offset() == b.offset()
}

/// Decodes `doc` both ways as a response and as a call, and checks that
/// the results agree.
fn agree(doc: &[u8], limits: &Limits) -> Result<(), TestCaseError> {
    let owned = decode_response(doc, limits);
    let borrowed = decode_response_ref(doc, limits);
    match (&owned, borrowed) {
        (Ok(o), Ok(b)) => {
            let b = b.map(ValueRef::into_owned);
            prop_assert_eq!(o, &b, "{}", String::from_utf8_lossy(doc));
        }
        (Err(o), Err(b)) => prop_assert!(same_error(o, &b), "{o:?} vs {b:?}"),
        (o, b) => prop_assert!(false, "{o:?} vs {b:?}"),
    }
    let owned = decode_call(doc, limits);
    let borrowed = decode_call_ref(doc, limits);
    match (&owned, borrowed) {
        (Ok(o), Ok(b)) => prop_assert_eq!(o, &b.into_owned()),
        (Err(o), Err(b)) => prop_assert!(same_error(o, &b), "{o:?} vs {b:?}"),
        (o, b) => prop_assert!(false, "{o:?} vs {b:?}"),
    }
    Ok(())
}

/// Pieces that documents are made of, to splice into valid documents.
fn arb_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "<value>",
            "</value>",
            "<value/>",
            "<struct>",
            "</struct>",
            "<member>",
            "</member>",
            "<name>",
            "</name>",
            "<array>",
            "</array>",
            "<data>",
            "</data>",
            "<int>",
            "</int>",
            "<i8>",
            "</i8>",
            "<string>",
            "</string>",
            "<base64>",
            "</base64>",
            "<nil/>",
            "<double>",
            "</double>",
            "<boolean>",
            "</boolean>",
            "<dateTime.iso8601>",
            "</dateTime.iso8601>",
            "<ex:i8>",
            "</ex:i8>",
            "&amp;",
            "&lt;",
            "&#233;",
            "&#x1F600;",
            "&bogus;",
            "&#0;",
            "<![CDATA[a<b]]>",
            "\r\n",
            "\u{c}",
            "\r",
            " ",
            "\t",
            "<!-- c -->",
            "<?pi x?>",
            "<!DOCTYPE x>",
            "19980717T14:08:55",
            " 42 ",
            "1.5",
            "true",
            "QUJD",
            "QU\nJD",
            "QUJD\t",
            "é",
            "<param>",
            "</param>",
            "<params>",
            "</params>",
            "<fault>",
            "</fault>",
            "faultCode",
            "faultString",
            "<",
        ])
        .prop_map(str::to_owned),
        arb_text(),
    ]
}

/// A valid response or call, as the encoder writes it.
fn arb_doc() -> impl Strategy<Value = Vec<u8>> {
    let opts = prop::sample::select(vec![EncodeOptions::default(), EncodeOptions::extensions()]);
    prop_oneof![
        (opts.clone(), arb_value(true)).prop_map(|(o, v)| {
            let mut out = Vec::new();
            // Values the encoder refuses leave `out` empty: still a case.
            let _ = encode_response(&Ok(v), &o, &mut out);
            out
        }),
        (
            opts.clone(),
            arb_method_name(),
            prop::collection::vec(arb_value(true), 0..4)
        )
            .prop_map(|(o, name, params)| {
                let mut out = Vec::new();
                let _ = encode_call(&MethodCall::new(name, params), &o, &mut out);
                out
            }),
        (opts, any::<i32>(), arb_text()).prop_map(|(o, code, s)| {
            let mut out = Vec::new();
            let _ = encode_fault(&Fault::new(code, s), &o, &mut out);
            out
        }),
    ]
}

/// A valid document with pieces spliced in, bytes cut out or replaced.
fn arb_mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        arb_doc(),
        prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, arb_piece()), 0..4),
    )
        .prop_map(|(mut doc, edits)| {
            for (at, how, piece) in edits {
                let i = at.index(doc.len() + 1);
                match how {
                    0 => {
                        doc.splice(i..i, piece.into_bytes());
                    }
                    1 => {
                        let end = (i + piece.len() % 7).min(doc.len());
                        doc.drain(i..end);
                    }
                    _ => {
                        let end = (i + 1).min(doc.len());
                        doc.splice(i..end, piece.into_bytes());
                    }
                }
            }
            doc
        })
}

/// Small limits, so that every limit is met now and then.
fn arb_limits() -> impl Strategy<Value = Limits> {
    (1usize..6, 1usize..40, 1usize..64).prop_map(|(depth, values, string)| {
        let mut l = Limits::default();
        l.max_depth = depth;
        l.max_values = values;
        l.max_string_bytes = string;
        l
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn valid_documents_agree(doc in arb_doc()) {
        agree(&doc, &Limits::default())?;
    }

    #[test]
    fn mutated_documents_agree(doc in arb_mutated()) {
        agree(&doc, &Limits::default())?;
    }

    #[test]
    fn documents_agree_under_small_limits(doc in arb_doc(), limits in arb_limits()) {
        agree(&doc, &limits)?;
    }

    #[test]
    fn piece_soup_agrees(pieces in prop::collection::vec(arb_piece(), 0..24), call: bool) {
        let head = if call {
            "<methodCall><methodName>m</methodName><params><param>"
        } else {
            "<methodResponse><params><param>"
        };
        let doc = format!("{head}{}", pieces.concat());
        agree(doc.as_bytes(), &Limits::default())?;
    }

    #[test]
    fn any_bytes_agree(doc in prop::collection::vec(any::<u8>(), 0..256)) {
        agree(&doc, &Limits::default())?;
    }
}

#[test]
fn strings_borrow_unless_text_must_change() {
    let doc = b"<methodResponse><params><param><value><array><data>\
        <value>plain</value>\
        <value><string>typed</string></value>\
        <value>R&amp;D</value>\
        <value><![CDATA[a]]>b</value>\
        <value>line\r\nend</value>\
        <value><dateTime.iso8601> 19980717T14:08:55 </dateTime.iso8601></value>\
        </data></array></value></param></params></methodResponse>";
    let v = decode_response_ref(doc, &Limits::default())
        .unwrap()
        .unwrap();
    let ValueRef::Array(items) = &v else {
        panic!("{v:?}")
    };
    let borrowed: Vec<bool> = items
        .iter()
        .map(|v| match v {
            ValueRef::String(s) => matches!(s, Cow::Borrowed(_)),
            ValueRef::DateTime(d) => d.as_str() == "19980717T14:08:55",
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(borrowed, [true, true, false, false, false, true]);
    assert_eq!(items[2].as_str(), Some("R&D"));
    assert_eq!(items[3].as_str(), Some("ab"));
    assert_eq!(items[4].as_str(), Some("line\nend"));
}

#[test]
fn repeated_members_keep_the_owned_rule() {
    let doc = b"<methodResponse><params><param><value><struct>\
        <member><name>a</name><value><int>1</int></value></member>\
        <member><name>b</name><value><int>2</int></value></member>\
        <member><name>a</name><value><int>3</int></value></member>\
        </struct></value></param></params></methodResponse>";
    let v = decode_response_ref(doc, &Limits::default())
        .unwrap()
        .unwrap();
    assert_eq!(v.get("a"), Some(&ValueRef::Int(3)));
    let ValueRef::Struct(members) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(members.len(), 3);
    let owned = v.into_owned();
    assert_eq!(
        owned.as_struct().unwrap().keys().collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(owned["a"], Value::Int(3));
}

#[test]
fn converted_documents_own_their_text() {
    // ISO-8859-1: the text is converted, so nothing can borrow from input.
    let doc = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><methodCall>\
        <methodName>caf\xe9</methodName><params><param><value>na\xefve</value></param>\
        </params></methodCall>";
    let call = decode_call_ref(doc, &Limits::default()).unwrap();
    assert_eq!(call.name, "café");
    assert_eq!(call.params, [ValueRef::String("naïve".into())]);
    assert_eq!(
        call.into_owned(),
        decode_call(doc, &Limits::default()).unwrap()
    );
}

#[test]
fn deep_values_convert_without_recursion() {
    let depth = 100_000;
    let mut v = ValueRef::Int(1);
    for _ in 0..depth {
        v = ValueRef::Array(vec![v]);
    }
    let mut owned = v.into_owned();
    let mut n = 0;
    // Unwrapped level by level, so that dropping does not recurse either.
    loop {
        match owned {
            Value::Array(mut a) if a.len() == 1 => {
                owned = a.pop().unwrap();
                n += 1;
            }
            other => {
                assert_eq!(other, Value::Int(1));
                break;
            }
        }
    }
    assert_eq!(n, depth);
}

/// `bytes` in base64, broken into lines of `width` characters joined by
/// `sep`, with `lead` before them and whitespace `extra` inserted at `at`.
fn base64_lines(
    bytes: &[u8],
    width: usize,
    sep: &str,
    lead: &str,
    extra: Option<(usize, char)>,
) -> String {
    use base64::Engine as _;
    let one = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut lines: Vec<String> = one
        .as_bytes()
        .chunks(width)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    lines.push(String::new());
    let mut text = format!("{lead}{}", lines.join(sep));
    if let Some((at, c)) = extra {
        let mut i = at % (text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        text.insert(i, c);
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn base64_in_any_line_layout(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        width in prop::sample::select(vec![4usize, 60, 64, 72, 76, 77, 200]),
        sep in prop::sample::select(vec!["\n", "\r\n", " ", "\t", "\n\n", " \n"]),
        lead in prop::sample::select(vec!["", "\n", " \t"]),
        extra in proptest::option::of((any::<usize>(), prop::sample::select(vec![' ', '\t', '\n', '\r']))),
    ) {
        let text = base64_lines(&bytes, width, sep, lead, extra);
        let doc = format!(
            "<methodResponse><params><param><value><base64>{text}</base64></value></param></params></methodResponse>"
        );
        let limits = Limits::default();
        prop_assert_eq!(decode_response(doc.as_bytes(), &limits), Ok(Ok(Value::Base64(bytes.clone()))));
        agree(doc.as_bytes(), &limits)?;
    }
}

fn base64_response(text: &str) -> String {
    format!(
        "<methodResponse><params><param><value><base64>{text}</base64></value></param></params></methodResponse>"
    )
}

#[test]
fn long_base64_in_lines() {
    let limits = Limits::default();
    for size in [6141, 6144, 6147, 20_000, 65_537] {
        let bytes: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
        for width in [64, 76, 100, 8193] {
            for sep in ["\n", "\r\n", " ", "\n\t"] {
                for extra in [None, Some((9000, '\t')), Some((17_000, ' '))] {
                    let text = base64_lines(&bytes, width, sep, "\n", extra);
                    let doc = base64_response(&text);
                    assert_eq!(
                        decode_response_ref(doc.as_bytes(), &limits)
                            .unwrap()
                            .unwrap(),
                        ValueRef::Base64(bytes.clone()),
                        "{size} {width} {sep:?} {extra:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn long_base64_refused_where_one_line_is() {
    use base64::Engine as _;
    let limits = Limits::default();
    let line = "QUJD".repeat(19);
    let lines = |n: usize| vec![line.as_str(); n].join("\n");
    // Padding in the middle, at and away from where the text is cut up;
    // a byte that is not base64 far from the start.
    for (bad, why) in [
        (format!("{}\nQQ==\n{}", lines(107), lines(200)), "padding"),
        (format!("{}QQ==\n{}", lines(108), lines(200)), "padding"),
        (
            format!("{}QQ==\n{}", "A".repeat(8188), lines(3)),
            "padding at a cut",
        ),
        (
            format!("{}\n{}Q!\n{}", lines(150), &line[..74], lines(3)),
            "byte",
        ),
        (format!("{}\nQUJDQ", lines(300)), "length"),
    ] {
        let doc = base64_response(&bad);
        let err = decode_response_ref(doc.as_bytes(), &limits).unwrap_err();
        assert_eq!(
            err.kind(),
            xmlrpc_proto::DecodeErrorKind::InvalidBase64,
            "{why}"
        );
        agree(doc.as_bytes(), &limits).unwrap();
        let one: String = bad.split_whitespace().collect();
        assert!(
            base64::engine::general_purpose::STANDARD
                .decode(one)
                .is_err()
        );
    }
}

#[test]
fn datetimes_trimmed_as_parse_trims() {
    let limits = Limits::default();
    for text in [
        "\u{c}19980717T14:08:55\u{c}",
        " \t19980717T14:08:55\r\n",
        "19980717T14:08:55",
    ] {
        let doc = format!(
            "<methodResponse><params><param><value><dateTime.iso8601>{text}</dateTime.iso8601>\
             </value></param></params></methodResponse>"
        );
        let want = Value::DateTime(xmlrpc_proto::DateTime::parse(text).unwrap());
        assert_eq!(
            decode_response(doc.as_bytes(), &limits),
            Ok(Ok(want.clone()))
        );
        let got = decode_response_ref(doc.as_bytes(), &limits)
            .unwrap()
            .unwrap();
        assert!(matches!(&got, ValueRef::DateTime(d) if d.as_str() == "19980717T14:08:55"));
        assert_eq!(got.into_owned(), want);
    }
}
