//! Round trips: any value written by the encoder decodes to itself, and the
//! JSON view reads back what it writes.

mod common;

use common::{arb_method_name, arb_text, arb_value};
use proptest::prelude::*;
use xmlrpc_proto::codec::{
    ExtensionStyle, StringStyle, decode_call, decode_document, decode_response, encode_call,
    encode_fault, encode_response, encode_value,
};
use xmlrpc_proto::{Document, EncodeOptions, Fault, Limits, MethodCall, Value, json};

/// The option sets under test, and whether values may hold `I8` and `Nil`.
fn option_sets() -> Vec<(EncodeOptions, bool)> {
    vec![
        (EncodeOptions::default(), false),
        (
            EncodeOptions::default().with_string_style(StringStyle::Bare),
            false,
        ),
        (EncodeOptions::extensions(), true),
        (
            EncodeOptions::extensions().with_extension_style(ExtensionStyle::Apache),
            true,
        ),
    ]
}

fn arb_case() -> impl Strategy<Value = (EncodeOptions, Value)> {
    prop::sample::select(option_sets()).prop_flat_map(|(opts, ext)| (Just(opts), arb_value(ext)))
}

/// The value the JSON view reads back: an `I8` that fits 32 bits is an int.
fn json_normal(v: &Value) -> Value {
    match v {
        Value::I8(i) => i32::try_from(*i).map_or(Value::I8(*i), Value::Int),
        Value::Array(a) => Value::Array(a.iter().map(json_normal).collect()),
        Value::Struct(s) => Value::Struct(
            s.iter()
                .map(|(k, v)| (k.to_owned(), json_normal(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn response_round_trip((opts, v) in arb_case()) {
        let mut out = Vec::new();
        encode_response(&Ok(v.clone()), &opts, &mut out).unwrap();
        let back = decode_response(&out, &Limits::default());
        prop_assert_eq!(back, Ok(Ok(v)), "{}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn call_round_trip(
        (opts, params) in prop::sample::select(option_sets()).prop_flat_map(|(o, ext)| {
            (Just(o), prop::collection::vec(arb_value(ext), 0..6))
        }),
        name in arb_method_name(),
    ) {
        let call = MethodCall::new(name, params);
        let mut out = Vec::new();
        encode_call(&call, &opts, &mut out).unwrap();
        let back = decode_call(&out, &Limits::default());
        prop_assert_eq!(&back, &Ok(call.clone()), "{}", String::from_utf8_lossy(&out));
        prop_assert_eq!(decode_document(&out, &Limits::default()), Ok(Document::Call(call)));
    }

    #[test]
    fn fault_round_trip(code in any::<i32>(), string in arb_text(), bare in any::<bool>()) {
        let opts = if bare {
            EncodeOptions::default().with_string_style(StringStyle::Bare)
        } else {
            EncodeOptions::default()
        };
        let fault = Fault::new(code, string);
        let mut out = Vec::new();
        encode_fault(&fault, &opts, &mut out).unwrap();
        let mut out2 = Vec::new();
        encode_response(&Err(fault.clone()), &opts, &mut out2).unwrap();
        prop_assert_eq!(&out, &out2);
        prop_assert_eq!(decode_response(&out, &Limits::default()), Ok(Err(fault)));
    }

    #[test]
    fn lone_value_is_the_response_body((opts, v) in arb_case()) {
        let mut lone = Vec::new();
        encode_value(&v, &opts, &mut lone).unwrap();
        let mut doc = Vec::new();
        encode_response(&Ok(v), &opts.clone().with_extension_style(ExtensionStyle::Plain), &mut doc)
            .unwrap();
        if opts.extension_style == ExtensionStyle::Plain {
            let lone = String::from_utf8(lone).unwrap();
            prop_assert!(String::from_utf8(doc).unwrap().contains(&lone));
        }
    }

    #[test]
    fn json_round_trip(v in arb_value(true)) {
        let text = json::to_string(&v);
        prop_assert!(!text.contains('\n'));
        prop_assert_eq!(json::parse_value(&text, &Limits::default()), Ok(json_normal(&v)), "{}", text);
    }

    #[test]
    fn json_document_round_trip(
        params in prop::collection::vec(arb_value(true), 0..4),
        name in arb_text(),
        code in any::<i32>(),
    ) {
        let l = Limits::default();
        let call = Document::Call(MethodCall::new(name.clone(), params.clone()));
        let want = Document::Call(MethodCall::new(name.clone(), params.iter().map(json_normal).collect()));
        prop_assert_eq!(json::parse_document(&json::document_to_string(&call), &l), Ok(want));
        let resp = Document::Response(Ok(Value::Array(params.clone())));
        let want = Document::Response(Ok(json_normal(&Value::Array(params))));
        prop_assert_eq!(json::parse_document(&json::document_to_string(&resp), &l), Ok(want));
        let fault = Document::Response(Err(Fault::new(code, name)));
        prop_assert_eq!(json::parse_document(&json::document_to_string(&fault), &l), Ok(fault));
    }
}

#[test]
fn nesting_at_the_default_depth_limit_round_trips() {
    let depth = Limits::default().max_depth;
    let mut v = Value::Int(7);
    for _ in 0..depth {
        v = Value::Array(vec![v]);
    }
    let mut out = Vec::new();
    encode_response(&Ok(v.clone()), &EncodeOptions::default(), &mut out).unwrap();
    assert_eq!(decode_response(&out, &Limits::default()), Ok(Ok(v)));
}

/// The `roundtrip_value` fuzz target's check, run over values built by
/// `Arbitrary` from pseudo-random bytes, so that stable CI covers it.
#[cfg(feature = "arbitrary")]
#[test]
fn arbitrary_values_round_trip() {
    use arbitrary::{Arbitrary, Unstructured};
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut checked = 0;
    for round in 0..3000 {
        let mut bytes = vec![0u8; 64 + round % 1024];
        for b in &mut bytes {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            *b = (seed >> 24) as u8;
        }
        let Ok(value) = Value::arbitrary(&mut Unstructured::new(&bytes)) else {
            continue;
        };
        let opts = EncodeOptions::extensions();
        let mut out = Vec::new();
        if encode_response(&Ok(value.clone()), &opts, &mut out).is_err() {
            assert!(out.is_empty());
            continue;
        }
        checked += 1;
        assert_eq!(
            decode_response(&out, &Limits::default()),
            Ok(Ok(value)),
            "{}",
            String::from_utf8_lossy(&out)
        );
    }
    assert!(checked > 100, "only {checked} values were encodable");
}
