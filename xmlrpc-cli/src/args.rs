//! The typed argument syntax: one command-line word to one [`Value`].
//!
//! The grammar is xmlrpc-c's (`xmlrpc` tool) plus three prefixes of ours
//! (`i8/`, `dt/`, `b64/`) and a rule for bare words:
//!
//! | word | value |
//! |---|---|
//! | `i/5` | int |
//! | `I/5`, `i8/5` | i8 |
//! | `d/1.5` | double (finite) |
//! | `b/t`, `b/true`, `b/f`, `b/false` | boolean (xmlrpc-c's four spellings) |
//! | `s/text` | string |
//! | `n/` | nil (nothing may follow the slash) |
//! | `h/68656c6c6f` | base64, the bytes given in hex |
//! | `b64/aGVsbG8=` | base64, the bytes given in base64 |
//! | `dt/20260101T12:00:00` | dateTime.iso8601 |
//! | `array/(V,V,...)` | array; `array/()` is empty |
//! | `struct/{KEY:V,...}` | struct; `struct/{}` is empty |
//! | anything else | int if an integer that fits 32 bits, i8 if it fits 64, double if a finite decimal number, else string |
//!
//! A backslash makes the next character plain text: `\,` `\)` `\}` `\:`
//! `\\` (and any other). Escapes are undone before the type prefix is
//! read, as xmlrpc-c does.
//! A lone backslash at the very end of a top-level `s/` word has nothing
//! to escape and is kept as a literal backslash (`s/abc\` is the string
//! `abc\`), as in xmlrpc-c; anywhere else a trailing backslash is an error.
//!
//! Inside `array/(...)` a value ends at an unescaped `,` `)` or `}`; inside
//! `struct/{...}` a key ends at an unescaped `:` and a value at `,` `)` or
//! `}`. At the top level a scalar takes the rest of the word, so
//! `s/a,b:c` needs no escapes there. Every word xmlrpc-c accepts means
//! the same here; a few it refuses (an unescaped `:` inside an array
//! value, an empty array) are accepted. Spaces are kept: `array/(i/1, i/2)`
//! holds the string `" i/2"`, as in xmlrpc-c.
//!
//! Parsing uses an explicit stack: nesting is bounded by the `max_depth`
//! given, never by the call stack.

use std::fmt;

use base64::Engine as _;
use xmlrpc_proto::{DateTime, Struct, Value};

/// Why a word is not a valid typed argument.
///
/// Its [`Display`](fmt::Display) form is the message followed by the
/// position, as in `not an integer (at character 2)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgError {
    /// Character offset (in the word) where the problem was found.
    offset: usize,
    message: String,
}

impl ArgError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Character offset (not byte offset) in the word where the problem
    /// was found; at most the word's length in characters.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset)
    }
}

/// An open `array/(` or `struct/{`.
enum Frame {
    Array(Vec<Value>),
    Struct {
        members: Vec<(String, Value)>,
        /// The key read for the value being parsed.
        key: Option<String>,
    },
}

struct Parser<'a> {
    text: &'a str,
    /// Byte position in `text`.
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        // `pos` only ever moves by whole characters, so it is a char boundary.
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Character offset of the current position, for messages.
    fn offset(&self) -> usize {
        self.text[..self.pos].chars().count()
    }

    fn err(&self, message: impl Into<String>) -> ArgError {
        ArgError::new(self.offset(), message)
    }

    /// Reads text up to (not including) an unescaped character of `stops`
    /// or the end, undoing escapes.
    ///
    /// `top_level` says the token is a whole word's scalar: there a lone
    /// trailing backslash after an `s/` prefix is kept as a literal
    /// backslash, as xmlrpc-c's `xmlrpc` tool does.
    fn token(&mut self, stops: &[char], top_level: bool) -> Result<String, ArgError> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if stops.contains(&c) {
                break;
            }
            self.pos += c.len_utf8();
            if c == '\\' {
                let Some(next) = self.peek() else {
                    if top_level && out.starts_with("s/") {
                        out.push('\\');
                        break;
                    }
                    return Err(self.err("nothing after the escape character '\\'"));
                };
                self.pos += next.len_utf8();
                out.push(next);
            } else {
                out.push(c);
            }
        }
        Ok(out)
    }
}

/// Characters that end a value inside an array or a struct.
const VALUE_STOPS: &[char] = &[',', ')', '}'];
/// Characters that end a struct key.
const KEY_STOPS: &[char] = &[':', ',', ')', '}'];

/// Parses one command-line word as a typed value.
///
/// The syntax is that of xmlrpc-c's `xmlrpc` tool plus `i8/`, `dt/` and
/// `b64/` (see `xmlrpc --help`). Parsing uses an explicit stack, so a
/// deeply nested word costs no call stack.
///
/// ```
/// use xmlrpc_cli::parse_arg;
/// use xmlrpc_proto::Value;
///
/// assert_eq!(parse_arg("i/5", 64), Ok(Value::Int(5)));
/// assert_eq!(parse_arg(r"s/abc\", 64), Ok(Value::from(r"abc\")));
/// let e = parse_arg("array/(i/1", 64).unwrap_err();
/// assert_eq!(e.offset(), 10);
/// ```
///
/// # Errors
///
/// When the word breaks the grammar, a scalar does not parse as its type,
/// or arrays and structs nest deeper than `max_depth`.
pub fn parse_arg(text: &str, max_depth: usize) -> Result<Value, ArgError> {
    let mut p = Parser { text, pos: 0 };
    let mut stack: Vec<Frame> = Vec::new();
    // Whether the innermost frame was opened just now (so `)`/`}` may
    // close it empty).
    let mut just_opened = false;
    loop {
        // Expecting a value (or, in a struct, a key and then a value).
        if let Some(top) = stack.last_mut() {
            let closer = match top {
                Frame::Array(_) => ')',
                Frame::Struct { .. } => '}',
            };
            if just_opened && p.peek() == Some(closer) {
                p.pos += 1;
                // The frame exists: `stack.last_mut()` just returned it.
                let frame = stack.pop().expect("a frame is open");
                let value = close(frame);
                match complete(&mut p, &mut stack, value)? {
                    Some(done) => return Ok(done),
                    None => {
                        just_opened = false;
                        continue;
                    }
                }
            }
            if let Frame::Struct { key, .. } = top {
                let start = p.offset();
                let k = p.token(KEY_STOPS, false)?;
                if p.peek() != Some(':') {
                    return Err(ArgError::new(
                        start,
                        format!("struct member {} has no ':' after its name", shown(&k)),
                    ));
                }
                p.pos += 1;
                *key = Some(k);
            }
        }
        just_opened = false;
        let rest = p.rest();
        let opener = if rest.starts_with("array/") {
            Some(("array/", '(', Frame::Array(Vec::new())))
        } else if rest.starts_with("struct/") {
            let frame = Frame::Struct {
                members: Vec::new(),
                key: None,
            };
            Some(("struct/", '{', frame))
        } else {
            None
        };
        if let Some((prefix, open, frame)) = opener {
            p.pos += prefix.len();
            if p.peek() != Some(open) {
                return Err(p.err(format!("expected '{open}' after '{prefix}'")));
            }
            p.pos += 1;
            if stack.len() >= max_depth {
                return Err(p.err(format!(
                    "arrays and structs nested deeper than {max_depth} levels"
                )));
            }
            stack.push(frame);
            just_opened = true;
            continue;
        }
        let start = p.offset();
        let word = if stack.is_empty() {
            p.token(&[], true)?
        } else {
            p.token(VALUE_STOPS, false)?
        };
        let value = scalar(&word).map_err(|m| ArgError::new(start, m))?;
        if let Some(done) = complete(&mut p, &mut stack, value)? {
            return Ok(done);
        }
    }
}

/// Turns a finished frame into its value.
fn close(frame: Frame) -> Value {
    match frame {
        Frame::Array(items) => Value::Array(items),
        Frame::Struct { members, .. } => Value::Struct(Struct::from_members(members)),
    }
}

/// Places a finished `value`: returns it when it is the whole word, else
/// adds it to the innermost frame and consumes the separator or closers
/// that follow (closing frames as they end).
fn complete(
    p: &mut Parser<'_>,
    stack: &mut Vec<Frame>,
    mut value: Value,
) -> Result<Option<Value>, ArgError> {
    loop {
        let Some(top) = stack.last_mut() else {
            if p.pos != p.text.len() {
                return Err(p.err(format!(
                    "unexpected text after the value: {}",
                    shown(p.rest())
                )));
            }
            return Ok(Some(value));
        };
        match top {
            Frame::Array(items) => items.push(value),
            Frame::Struct { members, key } => {
                // Every struct value is preceded by its key (read in `parse_arg`).
                let k = key.take().unwrap_or_default();
                members.push((k, value));
            }
        }
        let closer = match top {
            Frame::Array(_) => ')',
            Frame::Struct { .. } => '}',
        };
        match p.peek() {
            Some(',') => {
                p.pos += 1;
                return Ok(None);
            }
            Some(c) if c == closer => {
                p.pos += 1;
                // `stack.last_mut()` returned this frame above.
                let frame = stack.pop().expect("a frame is open");
                value = close(frame);
            }
            None => {
                return Err(p.err(match closer {
                    ')' => "array is missing its closing ')'",
                    _ => "struct is missing its closing '}'",
                }));
            }
            Some(c) => {
                let what = if closer == ')' {
                    "array element"
                } else {
                    "struct member"
                };
                return Err(p.err(format!(
                    "expected ',' or '{closer}' after an {what}, found '{c}'"
                )));
            }
        }
    }
}

/// At most this many characters of a word are quoted in a message.
const SHOWN_MAX: usize = 40;

/// `s` for a message: quoted, and shortened when long.
fn shown(s: &str) -> String {
    if s.chars().count() <= SHOWN_MAX {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(SHOWN_MAX).collect();
        format!("{head:?}...")
    }
}

/// One scalar word (escapes already undone) to its value.
fn scalar(word: &str) -> Result<Value, String> {
    if let Some(s) = word.strip_prefix("s/") {
        return Ok(Value::String(s.to_owned()));
    }
    if let Some(s) = word.strip_prefix("i/") {
        return int32(s, "i/").map(Value::Int);
    }
    if let Some(s) = word.strip_prefix("I/").or_else(|| word.strip_prefix("i8/")) {
        return int64(s).map(Value::I8);
    }
    if let Some(s) = word.strip_prefix("d/") {
        return double(s).map(Value::Double);
    }
    if let Some(s) = word.strip_prefix("b/") {
        return match s {
            "t" | "true" => Ok(Value::Bool(true)),
            "f" | "false" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "boolean {} is not one of 't', 'f', 'true', 'false'",
                shown(s)
            )),
        };
    }
    if let Some(s) = word.strip_prefix("n/") {
        if !s.is_empty() {
            return Err(format!("nothing may follow 'n/', found {}", shown(s)));
        }
        return Ok(Value::Nil);
    }
    if let Some(s) = word.strip_prefix("h/") {
        return hex(s).map(Value::Base64);
    }
    if let Some(s) = word.strip_prefix("b64/") {
        return base64_text(s).map(Value::Base64);
    }
    if let Some(s) = word.strip_prefix("dt/") {
        return DateTime::parse(s)
            .map(Value::DateTime)
            .map_err(|e| e.to_string());
    }
    bare(word)
}

/// Whether a word reads as a number: such a word is an argument even when
/// it starts with `-`.
pub(crate) fn looks_numeric(word: &str) -> bool {
    is_integer_text(word) || (is_decimal_text(word) && word.parse::<f64>().is_ok())
}

fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn int32(s: &str, prefix: &str) -> Result<i32, String> {
    if s.is_empty() {
        return Err(format!("nothing after '{prefix}'"));
    }
    if !is_integer_text(s) {
        return Err(format!("{} is not an integer", shown(s)));
    }
    s.parse::<i32>().map_err(|_| {
        format!(
            "{} is out of the 32-bit int range (use I/ for i8)",
            shown(s)
        )
    })
}

fn int64(s: &str) -> Result<i64, String> {
    if s.is_empty() {
        return Err("nothing after 'I/'".to_owned());
    }
    if !is_integer_text(s) {
        return Err(format!("{} is not an integer", shown(s)));
    }
    s.parse::<i64>()
        .map_err(|_| format!("{} is out of the 64-bit i8 range", shown(s)))
}

/// Decimal number text: sign, digits, point, exponent; no `inf`/`nan`.
fn is_decimal_text(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
}

fn double(s: &str) -> Result<f64, String> {
    if s.is_empty() {
        return Err("nothing after 'd/'".to_owned());
    }
    let d = if is_decimal_text(s) {
        s.parse::<f64>().ok()
    } else {
        None
    };
    match d {
        Some(d) if d.is_finite() => Ok(d),
        Some(_) => Err(format!("{} is out of the double range", shown(s))),
        None => Err(format!("{} is not a decimal number", shown(s))),
    }
}

fn hex(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return Err(format!(
            "hexadecimal text has an odd number of digits ({})",
            b.len()
        ));
    }
    let nibble = |c: u8| -> Result<u8, String> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(format!("{} is not hexadecimal", shown(s))),
        }
    };
    b.chunks_exact(2)
        .map(|pair| Ok(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

fn base64_text(s: &str) -> Result<Vec<u8>, String> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT
        .decode(s)
        .map_err(|e| format!("{} is not base64: {e}", shown(s)))
}

/// A word without a type prefix.
fn bare(word: &str) -> Result<Value, String> {
    if word.is_empty() {
        return Err("empty value (write s/ for an empty string)".to_owned());
    }
    if is_integer_text(word) {
        if let Ok(i) = word.parse::<i32>() {
            return Ok(Value::Int(i));
        }
        if let Ok(i) = word.parse::<i64>() {
            return Ok(Value::I8(i));
        }
        return Err(format!(
            "{} is out of the 64-bit integer range (use d/ or s/)",
            shown(word)
        ));
    }
    if is_decimal_text(word) {
        if let Ok(d) = word.parse::<f64>() {
            if d.is_finite() {
                return Ok(Value::Double(d));
            }
            return Err(format!(
                "{} is out of the double range (use s/ for a string)",
                shown(word)
            ));
        }
    }
    Ok(Value::String(word.to_owned()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const DEPTH: usize = 64;

    fn ok(text: &str) -> Value {
        parse_arg(text, DEPTH).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn err(text: &str) -> ArgError {
        match parse_arg(text, DEPTH) {
            Ok(v) => panic!("{text:?} parsed as {v:?}"),
            Err(e) => e,
        }
    }

    fn st(members: &[(&str, Value)]) -> Value {
        Value::Struct(members.iter().cloned().collect())
    }

    fn s(x: &str) -> Value {
        Value::from(x)
    }

    macro_rules! table {
        ($($text:expr => $value:expr),* $(,)?) => {
            $( assert_eq!(ok($text), $value, "{:?}", $text); )*
        };
    }

    #[test]
    fn typed_scalars() {
        table! {
            "i/5" => Value::Int(5),
            "i/-2147483648" => Value::Int(i32::MIN),
            "i/+7" => Value::Int(7),
            "I/5" => Value::I8(5),
            "i8/5" => Value::I8(5),
            "I/-9223372036854775808" => Value::I8(i64::MIN),
            "d/1.5" => Value::Double(1.5),
            "d/-2" => Value::Double(-2.0),
            "d/1e3" => Value::Double(1000.0),
            "d/.5" => Value::Double(0.5),
            "b/t" => Value::Bool(true),
            "b/true" => Value::Bool(true),
            "b/f" => Value::Bool(false),
            "b/false" => Value::Bool(false),
            "s/text" => s("text"),
            "s/" => s(""),
            "s/i/5" => s("i/5"),
            "n/" => Value::Nil,
            "h/68656c6c6f" => Value::Base64(b"hello".to_vec()),
            "h/FF00" => Value::Base64(vec![0xff, 0]),
            "h/" => Value::Base64(Vec::new()),
            "b64/aGVsbG8=" => Value::Base64(b"hello".to_vec()),
            "b64/aGVsbG8" => Value::Base64(b"hello".to_vec()),
            "b64/" => Value::Base64(Vec::new()),
            "dt/20260101T12:00:00" => Value::DateTime(DateTime::parse("20260101T12:00:00").unwrap()),
            "dt/2026-01-01T12:00:00Z" => Value::DateTime(DateTime::parse("2026-01-01T12:00:00Z").unwrap()),
        }
    }

    #[test]
    fn bare_words() {
        table! {
            "5" => Value::Int(5),
            "-5" => Value::Int(-5),
            "+5" => Value::Int(5),
            "007" => Value::Int(7),
            "2147483647" => Value::Int(i32::MAX),
            "2147483648" => Value::I8(2_147_483_648),
            "-9223372036854775808" => Value::I8(i64::MIN),
            "1.5" => Value::Double(1.5),
            "-0.25" => Value::Double(-0.25),
            "1e3" => Value::Double(1000.0),
            "5." => Value::Double(5.0),
            "hello" => s("hello"),
            "nan" => s("nan"),
            "inf" => s("inf"),
            "-infinity" => s("-infinity"),
            "1.2.3" => s("1.2.3"),
            "-" => s("-"),
            "e5" => s("e5"),
            "0x10" => s("0x10"),
            "true" => s("true"),
            "héllo wörld" => s("héllo wörld"),
            // At the top level a scalar runs to the end of the word.
            "a,b)c}d:e" => s("a,b)c}d:e"),
            "s/http://example.com/x?a=1,2" => s("http://example.com/x?a=1,2"),
        }
    }

    #[test]
    fn composites() {
        table! {
            "array/(i/1,s/x)" => Value::Array(vec![Value::Int(1), s("x")]),
            "array/()" => Value::Array(vec![]),
            "array/(array/())" => Value::Array(vec![Value::Array(vec![])]),
            "array/(1,2.5,x)" => Value::Array(vec![Value::Int(1), Value::Double(2.5), s("x")]),
            "array/(i/1, i/2)" => Value::Array(vec![Value::Int(1), s(" i/2")]),
            "array/(s/)" => Value::Array(vec![s("")]),
            "array/(dt/20260101T12:00:00)" => Value::Array(vec![
                Value::DateTime(DateTime::parse("20260101T12:00:00").unwrap()),
            ]),
            "struct/{key:i/1,k2:s/v}" => st(&[("key", Value::Int(1)), ("k2", s("v"))]),
            "struct/{}" => st(&[]),
            "struct/{:n/}" => st(&[("", Value::Nil)]),
            "struct/{a:1,a:2}" => st(&[("a", Value::Int(2))]),
            "struct/{k:s/a:b}" => st(&[("k", s("a:b"))]),
            "struct/{a:array/(i/1,struct/{b:b/t}),c:struct/{}}" => st(&[
                ("a", Value::Array(vec![Value::Int(1), st(&[("b", Value::Bool(true))])])),
                ("c", st(&[])),
            ]),
            "array/(array/(array/(i/1)),i/2)" => Value::Array(vec![
                Value::Array(vec![Value::Array(vec![Value::Int(1)])]),
                Value::Int(2),
            ]),
        }
    }

    #[test]
    fn escapes() {
        table! {
            r"s/a\,b" => s("a,b"),
            r"s/a\\b" => s(r"a\b"),
            r"array/(s/a\,b,s/c\)d,s/e\}f,s/g\:h,s/i\\j)" => Value::Array(vec![
                s("a,b"), s("c)d"), s("e}f"), s("g:h"), s(r"i\j"),
            ]),
            r"struct/{a\:b:s/x\,y}" => st(&[("a:b", s("x,y"))]),
            r"struct/{k\}:s/\}}" => st(&[("k}", s("}"))]),
            r"\i/5" => Value::Int(5),
            r"s/\é" => s("é"),
            r"array/(\array/x)" => Value::Array(vec![s("array/x")]),
            r"array/(a\(b)" => Value::Array(vec![s("a(b")]),
            r"array/(a(b{c)" => Value::Array(vec![s("a(b{c")]),
        }
    }

    #[test]
    fn trailing_backslash_of_a_top_level_string_is_literal() {
        table! {
            r"s/abc\" => s(r"abc\"),
            r"s/\" => s(r"\"),
            r"s/a\\\" => s(r"a\\"),
            r"s/a\,b\" => s(r"a,b\"),
            r"s/é\" => s(r"é\"),
            // The prefix is read after escapes are undone.
            r"\s/abc\" => s(r"abc\"),
        }
        // Only a lone one at the end: an escaped backslash is still one.
        assert_eq!(ok(r"s/abc\\"), s(r"abc\"));
    }

    #[test]
    fn errors() {
        for (text, needle) in [
            ("i/", "nothing after 'i/'"),
            ("i/x", "not an integer"),
            ("i/1.5", "not an integer"),
            ("i/ 5", "not an integer"),
            ("i/2147483648", "32-bit"),
            ("I/", "nothing after"),
            ("I/9223372036854775808", "64-bit"),
            ("d/", "nothing after 'd/'"),
            ("d/abc", "not a decimal"),
            ("d/nan", "not a decimal"),
            ("d/inf", "not a decimal"),
            ("d/1e999", "out of the double range"),
            ("b/yes", "'t', 'f', 'true', 'false'"),
            ("b/", "'t', 'f'"),
            ("b/T", "'t', 'f'"),
            ("n/x", "nothing may follow"),
            ("h/abc", "odd number"),
            ("h/zz", "not hexadecimal"),
            ("b64/!!!", "not base64"),
            ("dt/2026", "dateTime"),
            ("dt/20261301T12:00:00", "dateTime"),
            ("", "empty value"),
            ("99999999999999999999", "64-bit integer range"),
            ("1e999", "double range"),
            (r"abc\", "escape"),
            (r"\", "escape"),
            (r"i/5\", "escape"),
            (r"array/(s/abc\", "escape"),
            (r"struct/{k:s/abc\", "escape"),
            (r"struct/{k\", "escape"),
            ("array/", "expected '('"),
            ("array/x", "expected '('"),
            ("array/(", "empty value"),
            ("array/(i/1", "missing its closing ')'"),
            ("array/(i/1,", "empty value"),
            ("array/(i/1,)", "empty value"),
            ("array/(,)", "empty value"),
            ("array/(i/1}", "expected ',' or ')'"),
            ("array/(i/1))", "unexpected text"),
            ("array/(i/1)x", "unexpected text"),
            ("array/(array/()x)", "expected ',' or ')'"),
            ("struct/", "expected '{'"),
            ("struct/{a}", "no ':'"),
            ("struct/{a,b:1}", "no ':'"),
            ("struct/{a:1", "missing its closing '}'"),
            ("struct/{a:1)", "expected ',' or '}'"),
            ("struct/{a:}", "empty value"),
            ("struct/{a:1,}", "no ':'"),
            ("array/(b/x)", "'t', 'f'"),
        ] {
            let e = err(text);
            assert!(
                e.message().contains(needle),
                "{text:?}: {:?} does not contain {needle:?}",
                e.message()
            );
        }
    }

    #[test]
    fn error_offsets() {
        assert_eq!(err("array/(i/1,i/x)").offset, 11);
        assert_eq!(err("array/(i/1").offset, 10);
        assert_eq!(err("array/(é,i/x)").offset, 9);
        assert!(err("array/(i/1").to_string().ends_with("(at character 10)"));
    }

    #[test]
    fn depth_is_bounded() {
        let nest = |n: usize| format!("{}{}", "array/(".repeat(n), ")".repeat(n));
        assert!(parse_arg(&nest(DEPTH), DEPTH).is_ok());
        let e = parse_arg(&nest(DEPTH + 1), DEPTH).unwrap_err();
        assert!(e.message().contains("deeper than 64"), "{e}");
        // Far beyond the limit: an error, not a stack overflow.
        assert!(parse_arg(&nest(100_000), DEPTH).is_err());
        assert!(parse_arg(&"struct/{a:".repeat(100_000), DEPTH).is_err());
        // A deep value within a raised limit is parsed without recursion.
        let deep = parse_arg(&nest(1_000), 1_000).unwrap();
        let mut v = &deep;
        let mut levels = 0;
        while let Value::Array(items) = v {
            levels += 1;
            match items.first() {
                Some(inner) => v = inner,
                None => break,
            }
        }
        assert_eq!(levels, 1_000);
    }

    /// Writes `v` in the argument syntax, every scalar typed and escaped.
    fn render(v: &Value, out: &mut String) {
        fn escaped(s: &str, out: &mut String) {
            for c in s.chars() {
                if matches!(c, '\\' | ',' | ')' | '}' | ':' | '(' | '{') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        match v {
            Value::Int(i) => out.push_str(&format!("i/{i}")),
            Value::I8(i) => out.push_str(&format!("I/{i}")),
            Value::Bool(b) => out.push_str(if *b { "b/t" } else { "b/false" }),
            Value::Double(d) => out.push_str(&format!("d/{d:?}")),
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
                    render(item, out);
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
                    render(item, out);
                }
                out.push('}');
            }
        }
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<i32>().prop_map(Value::Int),
            any::<i64>().prop_map(Value::I8),
            any::<bool>().prop_map(Value::Bool),
            any::<f64>()
                .prop_filter("finite", |d| d.is_finite())
                .prop_map(Value::Double),
            any::<String>().prop_map(Value::String),
            "[a-z(){}:,\\\\/ ]{0,8}".prop_map(Value::String),
            Just(Value::Nil),
            proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Base64),
            prop_oneof![
                Just("20260101T12:00:00"),
                Just("1998-07-17T14:08:55Z"),
                Just("19980717T14:08:55.25+02:00"),
            ]
            .prop_map(|t| Value::DateTime(DateTime::parse(t).unwrap())),
        ];
        leaf.prop_recursive(6, 48, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec(("[a-z:,(){}\\\\]{0,4}", inner), 0..5)
                    .prop_map(|m| Value::Struct(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn rendered_values_parse_back(v in arb_value()) {
            let mut text = String::new();
            render(&v, &mut text);
            prop_assert_eq!(parse_arg(&text, DEPTH).map_err(|e| e.to_string()), Ok(v), "{}", text);
        }

        #[test]
        fn any_word_parses_or_fails_cleanly(
            word in "(array/\\(|struct/\\{|[a-z]{1,3}/|[(){}:,\\\\]|[0-9.e+-]|\\PC){0,40}"
        ) {
            match parse_arg(&word, 8) {
                Ok(_) => {}
                Err(e) => prop_assert!(e.offset <= word.chars().count()),
            }
        }
    }
}
