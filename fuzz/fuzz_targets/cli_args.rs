#![no_main]
//! The `xmlrpc` command's typed argument syntax (`i/5`, `array/(...)`,
//! `struct/{k:v}`, escapes). Any word parses or fails with an offset
//! inside the word, never a panic; and any value written in the syntax,
//! every scalar typed and escaped, parses back to itself.

use arbitrary::{Arbitrary, Unstructured};
use xmlrpc_cli::parse_arg;
use xmlrpc_proto::Value;

/// The nesting bound given to the parser (the CLI's default `max_depth`).
const DEPTH: usize = 64;

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

fn escaped(s: &str, out: &mut String) {
    for c in s.chars() {
        if matches!(c, '\\' | ',' | ')' | '}' | ':' | '(' | '{') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Writes `v` in the argument syntax; `None` when the syntax cannot hold
/// it (a non-finite double).
fn render(v: &Value, out: &mut String) -> Option<()> {
    match v {
        Value::Int(i) => out.push_str(&format!("i/{i}")),
        Value::I8(i) => out.push_str(&format!("I/{i}")),
        Value::Bool(b) => out.push_str(if *b { "b/t" } else { "b/false" }),
        Value::Double(d) if d.is_finite() => out.push_str(&format!("d/{d:?}")),
        Value::Double(_) => return None,
        Value::String(s) => {
            out.push_str("s/");
            escaped(s, out);
        }
        Value::Nil => out.push_str("n/"),
        Value::Base64(b) => {
            out.push_str("h/");
            for byte in b {
                out.push_str(&format!("{byte:02x}"));
            }
        }
        Value::DateTime(d) => {
            out.push_str("dt/");
            escaped(d.as_str(), out);
        }
        Value::Array(items) => {
            out.push_str("array/(");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render(item, out)?;
            }
            out.push(')');
        }
        Value::Struct(members) => {
            out.push_str("struct/{");
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                escaped(k, out);
                out.push(':');
                render(item, out)?;
            }
            out.push('}');
        }
    }
    Some(())
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let Ok(word) = std::str::from_utf8(rest) else {
            return;
        };
        let max_depth = usize::from(mode >> 1) % (DEPTH + 1);
        match parse_arg(word, max_depth) {
            Ok(v) => {
                assert!(depth(&v) <= max_depth, "{word:?} gave {v:?}");
                let _ = format!("{v:?}");
            }
            Err(e) => {
                assert!(e.offset() <= word.chars().count(), "{word:?}: {e}");
                let _ = (e.to_string(), e.message().len());
            }
        }
        return;
    }
    let Ok(value) = Value::arbitrary(&mut Unstructured::new(rest)) else {
        return;
    };
    let mut word = String::new();
    if render(&value, &mut word).is_none() {
        return;
    }
    let back = parse_arg(&word, DEPTH);
    assert_eq!(
        back.as_ref().map_err(ToString::to_string),
        Ok(&value),
        "{word:?}"
    );
});
