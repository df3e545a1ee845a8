//! Strategies shared by the round-trip and interop tests.
#![allow(dead_code, unreachable_pub)]

use proptest::prelude::*;
use xmlrpc_proto::{DateTime, Struct, Value};

/// Whether XML 1.0 can carry `c`.
pub fn xml_char(c: char) -> bool {
    !matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Strings XML can carry, rich in the characters that need escaping.
pub fn arb_text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        3 => any::<char>().prop_filter("XML 1.0 character", |c| xml_char(*c)),
        2 => prop::char::range('a', 'z'),
        1 => prop::sample::select(vec!['&', '<', '>', '\r', '\n', '\t', ' ', '"', '\'', ']', ';', '#']),
    ];
    prop::collection::vec(ch, 0..24).prop_map(String::from_iter)
}

/// Member names: any text except the two keys the JSON view reserves for
/// typed values.
pub fn arb_name() -> impl Strategy<Value = String> {
    arb_text().prop_filter("reserved JSON key", |s| {
        s != "base64" && s != "dateTime.iso8601"
    })
}

/// dateTimes in the compact form.
pub fn arb_datetime() -> impl Strategy<Value = DateTime> {
    (
        0u32..=9999,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| {
            let text = format!("{y:04}{mo:02}{d:02}T{h:02}:{mi:02}:{s:02}");
            DateTime::parse(&text).expect("generated text is a valid dateTime")
        })
}

/// Finite doubles, biased towards awkward ones.
pub fn arb_double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |d| d.is_finite()),
        prop::sample::select(vec![
            0.0,
            -0.0,
            0.1,
            1e16,
            1e-7,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            -1.5
        ]),
        (-1_000_000i32..1_000_000).prop_map(|i| f64::from(i) / 64.0),
    ]
}

/// Any value, nested up to 5 levels; `I8` and `Nil` only with `extensions`.
pub fn arb_value(extensions: bool) -> BoxedStrategy<Value> {
    let base = prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<bool>().prop_map(Value::Bool),
        arb_text().prop_map(Value::String),
        arb_double().prop_map(Value::Double),
        arb_datetime().prop_map(Value::DateTime),
        prop::collection::vec(any::<u8>(), 0..48).prop_map(Value::Base64),
    ];
    let leaf = if extensions {
        prop_oneof![
            6 => base,
            1 => any::<i64>().prop_map(Value::I8),
            1 => Just(Value::Nil),
        ]
        .boxed()
    } else {
        base.boxed()
    };
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((arb_name(), inner), 0..8)
                .prop_map(|m| Value::Struct(Struct::from_members(m))),
        ]
    })
    .boxed()
}

/// Method names in the specification's alphabet.
pub fn arb_method_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.:/]{1,24}"
}
