#![no_main]
//! The JSON view: any text given to `parse_value` or `parse_document`
//! gives a value or an error with an offset inside the text, never a
//! panic; what it reads, written again, reads back the same. And for any
//! value, the text written reads back (when it reads at all) to a value
//! that writes the same text.

use arbitrary::{Arbitrary, Unstructured};
use xmlrpc_proto::{Limits, Value, json};

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_depth = 16;
    limits.max_string_bytes = 4096;
    limits
}

fn text_input(text: &str) {
    let limits = limits();
    match json::parse_value(text, &limits) {
        Ok(v) => {
            let written = json::to_string(&v);
            let back = json::parse_value(&written, &limits);
            assert_eq!(back.as_ref(), Ok(&v), "{text:?} wrote {written:?}");
        }
        Err(e) => {
            assert!(e.offset() <= text.len(), "{text:?}: {e}");
            let _ = (e.to_string(), e.reason().len());
        }
    }
    match json::parse_document(text, &limits) {
        Ok(doc) => {
            let written = json::document_to_string(&doc);
            let back = json::parse_document(&written, &limits);
            assert_eq!(back.as_ref(), Ok(&doc), "{text:?} wrote {written:?}");
        }
        Err(e) => {
            assert!(e.offset() <= text.len(), "{text:?}: {e}");
        }
    }
}

fn value_input(value: &Value) {
    // Values nest at most 8 deep and their strings are short: within the
    // limits, so only a text the reader refuses by design (a `base64` or
    // `dateTime.iso8601` member holding invalid text) fails.
    let limits = limits();
    let written = json::to_string(value);
    if let Ok(back) = json::parse_value(&written, &limits) {
        assert_eq!(json::to_string(&back), written, "{value:?}");
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        if let Ok(text) = std::str::from_utf8(rest) {
            text_input(text);
        }
    } else if let Ok(value) = Value::arbitrary(&mut Unstructured::new(rest)) {
        value_input(&value);
    }
});
