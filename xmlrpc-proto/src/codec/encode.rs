//! Writing `methodCall` and `methodResponse` documents.
//!
//! # The form written
//!
//! Every document is UTF-8 and starts with the XML declaration
//! `<?xml version="1.0"?>`. Elements are written without whitespace between
//! them and never self-closing (`<string></string>`, `<params></params>`),
//! except `<nil/>`, whose only form is the empty element. In text, `&`, `<`
//! and `>` are written as entity references and `\r` as `&#13;` (a raw
//! carriage return would be turned into a line feed by the reader's XML
//! parser). dateTime values are written as their text, unchanged.
//!
//! Characters that XML 1.0 cannot carry at all (C0 controls other than tab,
//! line feed and carriage return, U+FFFE and U+FFFF) are refused in strings,
//! member names and method names, and so are non-finite doubles: there is
//! no way to write them that a peer would read back.
//!
//! # Doubles
//!
//! A double is written in plain decimal notation with the fewest
//! significant digits that read back to the same `f64` (found with `ryu`),
//! always with a decimal point and never with an exponent: `3.0`, `0.1`,
//! `-0.0`, `10000000000000000.0`, `0.000001`. The XML-RPC specification
//! allows only this form, and it is the one every peer reads: Python's
//! `float()`, Apache's `Double.valueOf` and xmlrpc-c's parser. Very large or
//! very small magnitudes make long texts (at most about 330 bytes for
//! `5e-324`), a price paid only by such values.

use base64::Engine as _;

use crate::{Fault, MethodCall, Value};

/// What kind of value could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A string, member name or method name holds a character XML 1.0
    /// cannot carry: a C0 control other than tab, line feed and carriage
    /// return, or U+FFFE / U+FFFF.
    ForbiddenChar,
    /// A double is NaN or infinite; XML-RPC has no form for it.
    NonFiniteDouble,
    /// A `Nil` value while [`EncodeOptions::allow_nil`] is off.
    NilNotAllowed,
    /// An `I8` value beyond the `i32` range while
    /// [`EncodeOptions::allow_i8`] is off.
    I8NotAllowed,
}

/// Why a value could not be written.
///
/// ```
/// use xmlrpc_proto::codec::{EncodeErrorKind, encode_response};
/// use xmlrpc_proto::{EncodeOptions, Value};
///
/// let mut out = Vec::new();
/// let err = encode_response(&Ok(Value::Double(f64::NAN)), &EncodeOptions::default(), &mut out)
///     .unwrap_err();
/// assert_eq!(err.kind(), EncodeErrorKind::NonFiniteDouble);
/// assert!(out.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct EncodeError {
    kind: EncodeErrorKind,
    reason: String,
}

impl EncodeError {
    /// What kind of value could not be written.
    #[must_use]
    pub fn kind(&self) -> EncodeErrorKind {
        self.kind
    }

    #[cold]
    fn forbidden(place: &str, c: char) -> Self {
        Self {
            kind: EncodeErrorKind::ForbiddenChar,
            reason: format!(
                "{place} contains U+{:04X}, a character XML 1.0 cannot carry",
                u32::from(c)
            ),
        }
    }
}

/// How extension elements (`nil`, `i8`) are spelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtensionStyle {
    /// `<nil/>` and `<i8>`: what Python, Twisted and xmlrpc-c write and read.
    #[default]
    Plain,
    /// `<ex:nil/>` and `<ex:i8>`, with the prefix bound on the root element to
    /// `http://ws.apache.org/xmlrpc/namespaces/extensions`: what Apache
    /// XML-RPC writes and expects when its extensions are enabled.
    Apache,
}

/// How string values are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StringStyle {
    /// `<value><string>text</string></value>`.
    #[default]
    Tagged,
    /// `<value>text</value>`: the specification's default type, read as a
    /// string by every peer. Slightly shorter.
    Bare,
}

/// The namespace Apache XML-RPC uses for its extension types.
pub const APACHE_EXTENSIONS_NS: &str = "http://ws.apache.org/xmlrpc/namespaces/extensions";

/// How values are written.
///
/// The default is strict XML-RPC, the form every peer reads: no `nil`, no
/// `i8`, strings in `<string>`. Set the public fields, or chain the
/// `with_*` setters:
///
/// ```
/// use xmlrpc_proto::EncodeOptions;
/// use xmlrpc_proto::codec::ExtensionStyle;
///
/// let opts = EncodeOptions::default()
///     .with_allow_nil(true)
///     .with_extension_style(ExtensionStyle::Apache);
/// assert!(opts.allow_nil && !opts.allow_i8);
///
/// let mut opts = EncodeOptions::default();
/// opts.allow_i8 = true;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncodeOptions {
    /// Write `Value::Nil` as `<nil/>` (Twisted's `allowNone`, Python's
    /// `allow_none`). Default `false`: nil is refused with
    /// [`EncodeErrorKind::NilNotAllowed`], since a strict peer would reject
    /// the whole document.
    pub allow_nil: bool,
    /// Write `Value::I8` as `<i8>`. Default `false`: an `I8` that fits `i32`
    /// is written as `<int>`, and a larger one is refused with
    /// [`EncodeErrorKind::I8NotAllowed`].
    pub allow_i8: bool,
    /// The spelling of `nil` and `i8`. Default [`ExtensionStyle::Plain`].
    pub extension_style: ExtensionStyle,
    /// Whether strings are wrapped in `<string>`. Default
    /// [`StringStyle::Tagged`].
    pub string_style: StringStyle,
}

impl EncodeOptions {
    /// Both extensions allowed, plain spelling: what Python with
    /// `allow_none=True` and the conformance servers exchange.
    #[must_use]
    pub fn extensions() -> Self {
        Self {
            allow_nil: true,
            allow_i8: true,
            ..Self::default()
        }
    }

    /// Sets [`EncodeOptions::allow_nil`].
    #[must_use]
    pub fn with_allow_nil(mut self, allow: bool) -> Self {
        self.allow_nil = allow;
        self
    }

    /// Sets [`EncodeOptions::allow_i8`].
    #[must_use]
    pub fn with_allow_i8(mut self, allow: bool) -> Self {
        self.allow_i8 = allow;
        self
    }

    /// Sets [`EncodeOptions::extension_style`].
    #[must_use]
    pub fn with_extension_style(mut self, style: ExtensionStyle) -> Self {
        self.extension_style = style;
        self
    }

    /// Sets [`EncodeOptions::string_style`].
    #[must_use]
    pub fn with_string_style(mut self, style: StringStyle) -> Self {
        self.string_style = style;
        self
    }

    fn apache(&self) -> bool {
        self.extension_style == ExtensionStyle::Apache
    }
}

const DECL: &[u8] = b"<?xml version=\"1.0\"?>";

/// Appends a `methodCall` document to `out`.
///
/// ```
/// use xmlrpc_proto::codec::encode_call;
/// use xmlrpc_proto::{EncodeOptions, MethodCall, Value};
///
/// let mut out = Vec::new();
/// encode_call(&MethodCall::new("add", vec![Value::Int(1)]), &EncodeOptions::default(), &mut out)
///     .unwrap();
/// assert_eq!(
///     out,
///     b"<?xml version=\"1.0\"?><methodCall><methodName>add</methodName>\
///       <params><param><value><int>1</int></value></param></params></methodCall>"
/// );
/// ```
///
/// # Errors
///
/// When a value cannot be written under `options` (see [`EncodeErrorKind`]);
/// `out` is then left as it was.
pub fn encode_call(
    call: &MethodCall,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let start = out.len();
    let r = write_call(call, options, out);
    if r.is_err() {
        out.truncate(start);
    }
    r
}

/// Appends a `methodResponse` document (a value or a fault) to `out`.
///
/// ```
/// use xmlrpc_proto::codec::encode_response;
/// use xmlrpc_proto::{EncodeOptions, Value};
///
/// let mut out = Vec::new();
/// encode_response(&Ok(Value::from("a<b")), &EncodeOptions::default(), &mut out).unwrap();
/// assert_eq!(
///     out,
///     b"<?xml version=\"1.0\"?><methodResponse><params><param>\
///       <value><string>a&lt;b</string></value></param></params></methodResponse>"
/// );
/// ```
///
/// # Errors
///
/// When a value cannot be written under `options` (see [`EncodeErrorKind`]);
/// `out` is then left as it was.
pub fn encode_response(
    response: &Result<Value, Fault>,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    match response {
        Ok(v) => {
            let start = out.len();
            let r = write_response(v, options, out);
            if r.is_err() {
                out.truncate(start);
            }
            r
        }
        Err(f) => encode_fault(f, options, out),
    }
}

/// Appends a `methodResponse` document carrying `fault` to `out`: a
/// `<fault>` whose struct has `faultCode` (an `<int>`) and `faultString`.
///
/// # Errors
///
/// When the fault string holds a character XML 1.0 cannot carry; `out` is
/// then left as it was.
pub fn encode_fault(
    fault: &Fault,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let start = out.len();
    let r = write_fault(fault, options, out);
    if r.is_err() {
        out.truncate(start);
    }
    r
}

/// Appends one lone `<value>` element to `out`, with no XML declaration.
///
/// With [`ExtensionStyle::Apache`], the `ex` prefix is bound on this
/// `<value>` element itself, so the fragment stands alone.
///
/// # Errors
///
/// When the value cannot be written under `options`; `out` is then left as
/// it was.
pub fn encode_value(
    value: &Value,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let start = out.len();
    let r = Writer { opts: options, out }.value(value);
    if r.is_err() {
        out.truncate(start);
    } else if options.apache() {
        // Bind the prefix on the fragment's own `<value` start tag.
        let bind = [b" xmlns:ex=\"", APACHE_EXTENSIONS_NS.as_bytes(), b"\""].concat();
        let at = start + b"<value".len();
        out.splice(at..at, bind);
    }
    r
}

/// Writes the XML declaration and the root start tag, and what follows it
/// up to the first `<param>` (`tail`).
fn root_open(name: &[u8], tail: &[u8], options: &EncodeOptions, out: &mut Vec<u8>) {
    out.extend_from_slice(DECL);
    out.push(b'<');
    out.extend_from_slice(name);
    if options.apache() {
        out.extend_from_slice(b" xmlns:ex=\"");
        out.extend_from_slice(APACHE_EXTENSIONS_NS.as_bytes());
        out.push(b'"');
    }
    out.push(b'>');
    out.extend_from_slice(tail);
}

fn write_call(
    call: &MethodCall,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    out.reserve(160 + call.name.len());
    if options.apache() {
        root_open(b"methodCall", b"<methodName>", options, out);
    } else {
        out.extend_from_slice(b"<?xml version=\"1.0\"?><methodCall><methodName>");
    }
    escape_text(&call.name, "method name", out)?;
    out.extend_from_slice(b"</methodName><params>");
    let mut w = Writer { opts: options, out };
    for p in &call.params {
        w.out.extend_from_slice(b"<param>");
        if let Value::Array(_) | Value::Struct(_) = p {
            w.value(p)?;
            w.out.extend_from_slice(b"</param>");
        } else {
            w.scalar(p)?;
            w.out.extend_from_slice(b"</value></param>");
        }
    }
    out.extend_from_slice(b"</params></methodCall>");
    Ok(())
}

fn write_response(
    value: &Value,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    out.reserve(160);
    if options.apache() {
        root_open(b"methodResponse", b"<params><param>", options, out);
    } else {
        out.extend_from_slice(b"<?xml version=\"1.0\"?><methodResponse><params><param>");
    }
    Writer { opts: options, out }.value(value)?;
    out.extend_from_slice(b"</param></params></methodResponse>");
    Ok(())
}

fn write_fault(
    fault: &Fault,
    options: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    out.reserve(260 + fault.string.len());
    root_open(
        b"methodResponse",
        b"<fault><value><struct><member><name>faultCode</name><value><int>",
        options,
        out,
    );
    out.extend_from_slice(itoa::Buffer::new().format(fault.code).as_bytes());
    out.extend_from_slice(b"</int></value></member><member><name>faultString</name><value>");
    let tagged = options.string_style == StringStyle::Tagged;
    if tagged {
        out.extend_from_slice(b"<string>");
    }
    escape_text(&fault.string, "fault string", out)?;
    if tagged {
        out.extend_from_slice(b"</string>");
    }
    out.extend_from_slice(b"</value></member></struct></value></fault></methodResponse>");
    Ok(())
}

/// An open container on the explicit stack of [`Writer::value`].
enum Frame<'a> {
    Array(std::slice::Iter<'a, Value>),
    Struct(std::slice::Iter<'a, (String, Value)>),
}

struct Writer<'o, 'b> {
    opts: &'o EncodeOptions,
    out: &'b mut Vec<u8>,
}

impl Writer<'_, '_> {
    /// Writes `value` as a `<value>` element. Nesting uses an explicit
    /// stack, so any depth is written without growing the call stack.
    fn value(&mut self, value: &Value) -> Result<(), EncodeError> {
        let first = match value {
            Value::Array(items) => {
                self.out.extend_from_slice(b"<value><array><data>");
                Frame::Array(items.iter())
            }
            Value::Struct(s) => {
                self.out.extend_from_slice(b"<value><struct>");
                Frame::Struct(s.as_slice().iter())
            }
            scalar => {
                self.scalar(scalar)?;
                self.out.extend_from_slice(b"</value>");
                return Ok(());
            }
        };
        let mut stack: Vec<Frame<'_>> = Vec::with_capacity(8);
        stack.push(first);
        // Each turn writes one child of the innermost open container, or
        // closes that container when it has none left.
        while let Some(top) = stack.last_mut() {
            match top {
                Frame::Array(items) => {
                    let Some(v) = items.next() else {
                        stack.pop();
                        self.close(b"</data></array></value>", &stack);
                        continue;
                    };
                    match v {
                        Value::Array(items) => {
                            self.out.extend_from_slice(b"<value><array><data>");
                            stack.push(Frame::Array(items.iter()));
                        }
                        Value::Struct(s) => {
                            self.out.extend_from_slice(b"<value><struct>");
                            stack.push(Frame::Struct(s.as_slice().iter()));
                        }
                        scalar => {
                            self.scalar(scalar)?;
                            self.out.extend_from_slice(b"</value>");
                        }
                    }
                }
                Frame::Struct(members) => {
                    let Some((name, v)) = members.next() else {
                        stack.pop();
                        self.close(b"</struct></value>", &stack);
                        continue;
                    };
                    self.out.extend_from_slice(b"<member><name>");
                    escape_text(name, "member name", self.out)?;
                    self.out.extend_from_slice(b"</name>");
                    match v {
                        Value::Array(items) => {
                            self.out.extend_from_slice(b"<value><array><data>");
                            stack.push(Frame::Array(items.iter()));
                        }
                        Value::Struct(s) => {
                            self.out.extend_from_slice(b"<value><struct>");
                            stack.push(Frame::Struct(s.as_slice().iter()));
                        }
                        scalar => {
                            self.scalar(scalar)?;
                            self.out.extend_from_slice(b"</value></member>");
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes the end tags of a container just popped, and `</member>`
    /// when it was the value of a struct member.
    #[inline]
    fn close(&mut self, end: &[u8], stack: &[Frame<'_>]) {
        self.out.extend_from_slice(end);
        if let Some(Frame::Struct(_)) = stack.last() {
            self.out.extend_from_slice(b"</member>");
        }
    }

    /// Writes `<value>` and the type element of a value that is not a
    /// container (the caller writes `</value>`).
    #[inline(always)]
    fn scalar(&mut self, v: &Value) -> Result<(), EncodeError> {
        let out = &mut *self.out;
        match v {
            Value::Int(i) => {
                out.extend_from_slice(b"<value><int>");
                out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
                out.extend_from_slice(b"</int>");
            }
            Value::I8(i) => {
                if self.opts.allow_i8 {
                    let ex = self.opts.apache();
                    out.extend_from_slice(if ex {
                        b"<value><ex:i8>"
                    } else {
                        b"<value><i8>"
                    });
                    out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
                    out.extend_from_slice(if ex { b"</ex:i8>" } else { b"</i8>" });
                } else if let Ok(small) = i32::try_from(*i) {
                    out.extend_from_slice(b"<value><int>");
                    out.extend_from_slice(itoa::Buffer::new().format(small).as_bytes());
                    out.extend_from_slice(b"</int>");
                } else {
                    return Err(EncodeError {
                        kind: EncodeErrorKind::I8NotAllowed,
                        reason: format!(
                            "i8 value {i} does not fit an <int> and EncodeOptions::allow_i8 is off"
                        ),
                    });
                }
            }
            Value::Bool(b) => out.extend_from_slice(if *b {
                b"<value><boolean>1</boolean>"
            } else {
                b"<value><boolean>0</boolean>"
            }),
            Value::String(s) => {
                if self.opts.string_style == StringStyle::Tagged {
                    out.extend_from_slice(b"<value><string>");
                    escape_text(s, "string", out)?;
                    out.extend_from_slice(b"</string>");
                } else {
                    out.extend_from_slice(b"<value>");
                    escape_text(s, "string", out)?;
                }
            }
            Value::Double(d) => {
                out.extend_from_slice(b"<value><double>");
                write_double(*d, out)?;
                out.extend_from_slice(b"</double>");
            }
            Value::DateTime(dt) => {
                // The text was validated on construction: digits, `-`, `:`,
                // `.`, `,`, `T`, `Z` and signs only, nothing to escape.
                out.extend_from_slice(b"<value><dateTime.iso8601>");
                out.extend_from_slice(dt.as_str().as_bytes());
                out.extend_from_slice(b"</dateTime.iso8601>");
            }
            Value::Base64(bytes) => {
                out.extend_from_slice(b"<value><base64>");
                write_base64(bytes, out);
                out.extend_from_slice(b"</base64>");
            }
            Value::Nil => {
                if !self.opts.allow_nil {
                    return Err(EncodeError {
                        kind: EncodeErrorKind::NilNotAllowed,
                        reason: "nil is not allowed: EncodeOptions::allow_nil is off".to_owned(),
                    });
                }
                out.extend_from_slice(if self.opts.apache() {
                    b"<value><ex:nil/>"
                } else {
                    b"<value><nil/>"
                });
            }
            // `value` writes containers itself and never passes them here.
            Value::Array(_) | Value::Struct(_) => {}
        }
        Ok(())
    }
}

fn write_base64(bytes: &[u8], out: &mut Vec<u8>) {
    let engine = &base64::engine::general_purpose::STANDARD;
    // `encoded_len` is `None` only when the length overflows `usize`, which
    // no slice in memory can reach; fall back to the allocating path anyway.
    let Some(n) = base64::encoded_len(bytes.len(), true) else {
        out.extend_from_slice(engine.encode(bytes).as_bytes());
        return;
    };
    let start = out.len();
    out.resize(start + n, 0);
    // The slice has exactly the encoded length, so this cannot fail.
    let written = engine.encode_slice(bytes, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
}

/// Bytes that end a run of plain text: the escapes, C0 controls, and 0xEF
/// (the lead byte of U+FFFE and U+FFFF, checked in full when met).
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = !matches!(b, 0x09 | 0x0A);
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[0xEF] = true;
    t
};

/// Appends `s` as XML character data, escaped; refuses characters XML 1.0
/// cannot carry (`place` names what is being written, for the message).
#[inline]
fn escape_text(s: &str, place: &str, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    match escape(s.as_bytes(), out) {
        Ok(()) => Ok(()),
        Err(c) => Err(EncodeError::forbidden(place, c)),
    }
}

/// [`escape_text`] without the message: the forbidden character is the
/// whole error, so the result stays in registers.
#[inline]
fn escape(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), char> {
    let mut run = 0;
    let mut i = 0;
    while let Some(p) = bytes[i..].iter().position(|&b| STOP[usize::from(b)]) {
        i += p;
        let b = bytes[i];
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            0xEF => {
                // U+FFFE is EF BF BE and U+FFFF is EF BF BF.
                if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
                {
                    return Err(if bytes[i + 2] == 0xBE {
                        '\u{FFFE}'
                    } else {
                        '\u{FFFF}'
                    });
                }
                i += 1;
                continue;
            }
            _ => return Err(char::from(b)),
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(rep);
        i += 1;
        run = i;
    }
    out.extend_from_slice(&bytes[run..]);
    Ok(())
}

/// Appends `d` in plain decimal notation with the shortest round-trip
/// digits (see the module documentation).
fn write_double(d: f64, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    if !d.is_finite() {
        return Err(EncodeError {
            kind: EncodeErrorKind::NonFiniteDouble,
            reason: format!("double {d} is not finite: XML-RPC cannot carry it"),
        });
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(d).as_bytes();
    // ryu writes plain decimal for magnitudes from 1e-5 to below 1e16 (and
    // for zero); inside a margin of that range there is no exponent to
    // look for.
    let magnitude = d.abs();
    if magnitude == 0.0 || (1e-4..1e15).contains(&magnitude) {
        out.extend_from_slice(text);
        return Ok(());
    }
    let Some(e) = text.iter().position(|&c| c == b'e') else {
        // ryu already wrote plain decimal with a point, e.g. `3.0`, `0.001`.
        out.extend_from_slice(text);
        return Ok(());
    };
    // Scientific form: `[-]D[.DDD]e[-]X`.
    let (mantissa, exp) = (&text[..e], &text[e + 1..]);
    let (neg, mantissa) = match mantissa.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, mantissa),
    };
    let mut digits = [0u8; 20];
    let mut n = 0;
    for &c in mantissa {
        if c != b'.' && n < digits.len() {
            digits[n] = c;
            n += 1;
        }
    }
    let digits = &digits[..n];
    let (exp_neg, exp_digits) = match exp.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, exp),
    };
    let mut x: i32 = 0;
    for &c in exp_digits {
        x = x * 10 + i32::from(c - b'0');
    }
    if exp_neg {
        x = -x;
    }
    // The decimal point goes after `point` digits (may be <= 0 or > len).
    let point = 1 + x;
    if neg {
        out.push(b'-');
    }
    let len = digits.len() as i32;
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (-point) as usize, b'0');
        out.extend_from_slice(digits);
    } else if point >= len {
        out.extend_from_slice(digits);
        out.resize(out.len() + (point - len) as usize, b'0');
        out.extend_from_slice(b".0");
    } else {
        let p = point as usize;
        out.extend_from_slice(&digits[..p]);
        out.push(b'.');
        out.extend_from_slice(&digits[p..]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DateTime, Struct};

    fn resp(v: Value, opts: &EncodeOptions) -> Result<String, EncodeError> {
        let mut out = Vec::new();
        encode_response(&Ok(v), opts, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// The `<value>` part of a response.
    fn body(v: Value, opts: &EncodeOptions) -> Result<String, EncodeError> {
        let s = resp(v, opts)?;
        let head = match opts.extension_style {
            ExtensionStyle::Plain => {
                "<?xml version=\"1.0\"?><methodResponse><params><param>".to_owned()
            }
            ExtensionStyle::Apache => format!(
                "<?xml version=\"1.0\"?><methodResponse xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"><params><param>"
            ),
        };
        let s = s.strip_prefix(&head).unwrap();
        Ok(s.strip_suffix("</param></params></methodResponse>")
            .unwrap()
            .to_owned())
    }

    fn d() -> EncodeOptions {
        EncodeOptions::default()
    }

    #[test]
    fn scalars() {
        let o = d();
        for (v, want) in [
            (Value::Int(-7), "<value><int>-7</int></value>"),
            (Value::Bool(true), "<value><boolean>1</boolean></value>"),
            (Value::Bool(false), "<value><boolean>0</boolean></value>"),
            (Value::from(""), "<value><string></string></value>"),
            (Value::Double(3.0), "<value><double>3.0</double></value>"),
            (Value::Base64(vec![]), "<value><base64></base64></value>"),
            (
                Value::Base64(b"hello".to_vec()),
                "<value><base64>aGVsbG8=</base64></value>",
            ),
            (
                Value::DateTime(DateTime::parse("19980717T14:08:55").unwrap()),
                "<value><dateTime.iso8601>19980717T14:08:55</dateTime.iso8601></value>",
            ),
            (Value::I8(5), "<value><int>5</int></value>"),
            (
                Value::Array(vec![]),
                "<value><array><data></data></array></value>",
            ),
            (
                Value::Struct(Struct::new()),
                "<value><struct></struct></value>",
            ),
        ] {
            assert_eq!(body(v, &o).unwrap(), want);
        }
    }

    #[test]
    fn nested() {
        let mut s = Struct::new();
        s.insert("a", Value::Array(vec![Value::Int(1), Value::from("x")]));
        s.insert("b&", Value::Struct(Struct::new()));
        assert_eq!(
            body(Value::Struct(s), &d()).unwrap(),
            "<value><struct><member><name>a</name><value><array><data>\
             <value><int>1</int></value><value><string>x</string></value>\
             </data></array></value></member><member><name>b&amp;</name>\
             <value><struct></struct></value></member></struct></value>"
        );
    }

    #[test]
    fn very_deep_value_does_not_recurse() {
        let mut v = Value::Int(1);
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        let mut out = Vec::new();
        encode_value(&v, &d(), &mut out).unwrap();
        let open = "<value><array><data>";
        let close = "</data></array></value>";
        let inner = "<value><int>1</int></value>";
        assert_eq!(
            out.len(),
            100_000 * (open.len() + close.len()) + inner.len()
        );
        assert!(out.starts_with(open.as_bytes()) && out.ends_with(close.as_bytes()));
        // Dropping a deep value recurses in std; unwind it by hand.
        let mut cur = v;
        while let Value::Array(mut a) = cur {
            cur = a.pop().unwrap_or(Value::Nil);
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(
            body(Value::from("a&b<c>d\re\tf\ng\"h'i"), &d()).unwrap(),
            "<value><string>a&amp;b&lt;c&gt;d&#13;e\tf\ng\"h'i</string></value>"
        );
        assert_eq!(
            body(Value::from("\u{2603}\u{FFFD}\u{F000}\u{1F600}"), &d()).unwrap(),
            "<value><string>\u{2603}\u{FFFD}\u{F000}\u{1F600}</string></value>"
        );
        assert_eq!(
            body(Value::from("&&"), &d()).unwrap(),
            "<value><string>&amp;&amp;</string></value>"
        );
    }

    #[test]
    fn forbidden_chars() {
        for s in [
            "\0",
            "a\u{1}",
            "\u{8}b",
            "\u{b}",
            "\u{c}",
            "x\u{1f}",
            "\u{FFFE}",
            "a\u{FFFF}",
        ] {
            let e = resp(Value::from(s), &d()).unwrap_err();
            assert_eq!(e.kind(), EncodeErrorKind::ForbiddenChar, "{s:?}");
            assert!(e.to_string().starts_with("string contains U+"), "{e}");
        }
        let mut st = Struct::new();
        st.insert("a\u{0}", Value::Int(1));
        let e = resp(Value::Struct(st), &d()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "member name contains U+0000, a character XML 1.0 cannot carry"
        );
        let mut out = b"keep".to_vec();
        let e = encode_call(&MethodCall::new("a\u{7}", vec![]), &d(), &mut out).unwrap_err();
        assert_eq!(e.kind(), EncodeErrorKind::ForbiddenChar);
        assert!(e.to_string().starts_with("method name contains U+0007"));
        assert_eq!(out, b"keep");
        let e = encode_response(&Err(Fault::new(1, "\u{FFFF}")), &d(), &mut out).unwrap_err();
        assert!(e.to_string().starts_with("fault string contains U+FFFF"));
        assert_eq!(out, b"keep");
    }

    #[test]
    fn doubles() {
        for (x, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (0.1, "0.1"),
            (1e16, "10000000000000000.0"),
            (1.5e17, "150000000000000000.0"),
            (1e-7, "0.0000001"),
            (-1.25e-7, "-0.000000125"),
            (123_456.789, "123456.789"),
            (1.2345e20, "123450000000000000000.0"),
            (5e-324, "0.000"),
        ] {
            let mut out = Vec::new();
            write_double(x, &mut out).unwrap();
            let s = String::from_utf8(out).unwrap();
            assert!(s.starts_with(want), "{x}: {s}");
            assert!(!s.contains('e') && s.contains('.'), "{s}");
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), x.to_bits(), "{s}");
        }
        let mut out = Vec::new();
        write_double(f64::MAX, &mut out).unwrap();
        assert_eq!(out.len(), 311);
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e = resp(Value::Double(x), &d()).unwrap_err();
            assert_eq!(e.kind(), EncodeErrorKind::NonFiniteDouble);
        }
    }

    #[test]
    fn double_round_trips_sampled() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if !f.is_finite() {
                continue;
            }
            let mut out = Vec::new();
            write_double(f, &mut out).unwrap();
            let s = std::str::from_utf8(&out).unwrap();
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), f.to_bits(), "{s}");
        }
    }

    #[test]
    fn nil_option() {
        let e = resp(Value::Nil, &d()).unwrap_err();
        assert_eq!(e.kind(), EncodeErrorKind::NilNotAllowed);
        let o = d().with_allow_nil(true);
        assert_eq!(body(Value::Nil, &o).unwrap(), "<value><nil/></value>");
        let o = o.with_extension_style(ExtensionStyle::Apache);
        assert_eq!(body(Value::Nil, &o).unwrap(), "<value><ex:nil/></value>");
    }

    #[test]
    fn i8_option() {
        let big = Value::I8(1 << 40);
        let e = resp(big.clone(), &d()).unwrap_err();
        assert_eq!(e.kind(), EncodeErrorKind::I8NotAllowed);
        assert_eq!(
            body(Value::I8(i64::from(i32::MIN)), &d()).unwrap(),
            "<value><int>-2147483648</int></value>"
        );
        let o = d().with_allow_i8(true);
        assert_eq!(
            body(big.clone(), &o).unwrap(),
            "<value><i8>1099511627776</i8></value>"
        );
        assert_eq!(body(Value::I8(3), &o).unwrap(), "<value><i8>3</i8></value>");
        let o = o.with_extension_style(ExtensionStyle::Apache);
        assert_eq!(
            body(big, &o).unwrap(),
            "<value><ex:i8>1099511627776</ex:i8></value>"
        );
    }

    #[test]
    fn bare_strings() {
        let o = d().with_string_style(StringStyle::Bare);
        assert_eq!(body(Value::from("a<"), &o).unwrap(), "<value>a&lt;</value>");
        assert_eq!(body(Value::from(""), &o).unwrap(), "<value></value>");
        let mut out = Vec::new();
        encode_fault(&Fault::new(4, "x"), &o, &mut out).unwrap();
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains("<name>faultString</name><value>x</value>")
        );
    }

    #[test]
    fn documents() {
        let mut out = Vec::new();
        encode_call(&MethodCall::new("m", vec![]), &d(), &mut out).unwrap();
        assert_eq!(
            out,
            b"<?xml version=\"1.0\"?><methodCall><methodName>m</methodName><params></params></methodCall>"
        );
        out.clear();
        encode_fault(&Fault::new(-3, "no <way>"), &d(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "<?xml version=\"1.0\"?><methodResponse><fault><value><struct><member>\
             <name>faultCode</name><value><int>-3</int></value></member><member>\
             <name>faultString</name><value><string>no &lt;way&gt;</string></value>\
             </member></struct></value></fault></methodResponse>"
        );
        out.clear();
        let o = EncodeOptions::extensions().with_extension_style(ExtensionStyle::Apache);
        encode_call(&MethodCall::new("m", vec![Value::Nil]), &o, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            format!(
                "<?xml version=\"1.0\"?><methodCall xmlns:ex=\"{APACHE_EXTENSIONS_NS}\">\
                 <methodName>m</methodName><params><param><value><ex:nil/></value></param>\
                 </params></methodCall>"
            )
        );
        out.clear();
        encode_value(&Value::Nil, &o, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("<value xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"><ex:nil/></value>")
        );
    }

    #[test]
    fn apache_value_fragment_binds_its_prefix() {
        let o = EncodeOptions::extensions().with_extension_style(ExtensionStyle::Apache);
        let mut out = b"before".to_vec();
        let mut s = Struct::new();
        s.insert("n", Value::Nil);
        encode_value(&Value::Array(vec![Value::Struct(s)]), &o, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            format!(
                "before<value xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"><array><data><value><struct>\
                 <member><name>n</name><value><ex:nil/></value></member></struct></value>\
                 </data></array></value>"
            )
        );
        let bad = Value::Array(vec![Value::Double(f64::INFINITY)]);
        assert!(encode_value(&bad, &o, &mut out).is_err());
        assert!(out.starts_with(b"before<value xmlns:ex=") && out.ends_with(b"</array></value>"));
    }

    #[test]
    fn error_leaves_output_untouched() {
        let mut out = b"prefix".to_vec();
        let v = Value::Array(vec![Value::Int(1), Value::Nil]);
        assert!(encode_response(&Ok(v.clone()), &d(), &mut out).is_err());
        assert!(encode_value(&v, &d(), &mut out).is_err());
        assert!(encode_call(&MethodCall::new("m", vec![v]), &d(), &mut out).is_err());
        assert_eq!(out, b"prefix");
    }

    #[test]
    fn never_self_closing_except_nil() {
        let mut s = Struct::new();
        s.insert("", Value::from(""));
        let v = Value::Array(vec![
            Value::from(""),
            Value::Base64(vec![]),
            Value::Array(vec![]),
            Value::Struct(s),
            Value::Nil,
        ]);
        let mut out = Vec::new();
        encode_call(
            &MethodCall::new("", vec![v]),
            &EncodeOptions::extensions(),
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("/>").count(), 1, "{text}");
        assert!(text.contains("<nil/>"));
    }
}
