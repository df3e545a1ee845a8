//! Any value the encoder accepts decodes back to itself, under every
//! option set; and the JSON view reads back what it writes. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmlrpc_proto::codec::{
    ExtensionStyle, StringStyle, decode_call, decode_response, encode_call, encode_response,
};
use xmlrpc_proto::{EncodeOptions, Limits, MethodCall, Value, json};

/// Container nesting of `v`, measured without recursion.
fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Struct(s) => stack.extend(s.iter().map(|(_, x)| (x, d + 1))),
            _ => {}
        }
    }
    max
}

fuzz_target!(|input: (u8, Value)| {
    let (sel, value) = input;
    let opts = match sel % 4 {
        0 => EncodeOptions::default(),
        1 => EncodeOptions::extensions(),
        2 => EncodeOptions::extensions().with_extension_style(ExtensionStyle::Apache),
        _ => EncodeOptions::extensions().with_string_style(StringStyle::Bare),
    };
    let limits = Limits::default();
    let _ = format!("{:?}", json::to_string(&value));

    let mut out = Vec::new();
    let encoded = encode_response(&Ok(value.clone()), &opts, &mut out);
    let _ = format!("{encoded:?}");
    if encoded.is_err() {
        // Refused values (forbidden characters, non-finite doubles, nil or a
        // large i8 without the option) leave nothing behind.
        assert!(out.is_empty());
        return;
    }
    // Without `allow_i8`, a small I8 is written as an int.
    let comparable = opts.allow_i8 || !has_i8(&value);
    let back = decode_response(&out, &limits);
    let _ = format!("{back:?}");
    if depth(&value) <= limits.max_depth && comparable {
        assert_eq!(
            back,
            Ok(Ok(value.clone())),
            "{}",
            String::from_utf8_lossy(&out)
        );
    }

    let call = MethodCall::new("fuzz.roundtrip", vec![value]);
    out.clear();
    if encode_call(&call, &opts, &mut out).is_ok() {
        let back = decode_call(&out, &limits);
        if depth(&call.params[0]) <= limits.max_depth && comparable {
            assert_eq!(back, Ok(call));
        }
    }
});

fn has_i8(v: &Value) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::I8(_) => return true,
            Value::Array(a) => stack.extend(a.iter()),
            Value::Struct(s) => stack.extend(s.iter().map(|(_, x)| x)),
            _ => {}
        }
    }
    false
}
