//! Decoding `methodCall` and `methodResponse` documents.
//!
//! One pass over the bytes with quick-xml's borrowed events: no DOM, no
//! recursion (arrays and structs being read live on an explicit stack whose
//! height is bounded by [`Limits::max_depth`]), and one UTF-8 check for the
//! whole document. What real peers send is accepted (see [`decode_call`]);
//! anything else is refused with a [`DecodeError`] naming the reason and the
//! byte offset.
//!
//! Before that, the plain form that most peers write (no comments, CDATA,
//! attributes or character references) is tried by the reader of
//! [`fast`](super::fast), straight from the bytes. It reads a subset of
//! these documents to the same values and gives up on anything else, which
//! is then read here; so every verdict and every error comes from this
//! decoder.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::fast;
use super::transcode::{self, Origin};
use crate::{DateTime, Fault, Limits, MethodCall, Struct, Value};

/// What is wrong with a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The document is longer than [`Limits::max_body_bytes`].
    TooLarge,
    /// The bytes are not valid UTF-8.
    InvalidUtf8,
    /// The bytes are not valid in the declared encoding (ISO-8859-1,
    /// US-ASCII, UTF-16...).
    InvalidEncoding,
    /// The XML declaration names an encoding this decoder does not read.
    UnsupportedEncoding,
    /// The XML is not well-formed (bad markup, mismatched end tag...).
    Syntax,
    /// A `<!DOCTYPE>`: refused so that no entity is ever defined or read.
    DocType,
    /// An entity reference other than XML's five (`&lt;` `&gt;` `&amp;`
    /// `&apos;` `&quot;`).
    UnknownEntity,
    /// A character reference (`&#...;`) that names no XML character.
    InvalidCharRef,
    /// The document ends before its root element is closed.
    UnexpectedEof,
    /// The root element is not `methodCall` (or `methodResponse`).
    WrongRoot,
    /// An element where the XML-RPC grammar allows none, or another one.
    UnexpectedElement,
    /// Text where the XML-RPC grammar allows only whitespace.
    UnexpectedText,
    /// Something other than whitespace, comments or processing instructions
    /// after the root element.
    TrailingContent,
    /// A value type element this decoder does not know.
    UnknownType,
    /// An `<int>`, `<i4>` or `<i8>` that is not an integer.
    InvalidInt,
    /// An integer outside the range of its type.
    IntOverflow,
    /// A `<double>` that is not a finite decimal number.
    InvalidDouble,
    /// A `<boolean>` other than `0`, `1`, `true` or `false`.
    InvalidBoolean,
    /// A `<base64>` that is not base64.
    InvalidBase64,
    /// A `<dateTime.iso8601>` that is not a valid date and time.
    InvalidDateTime,
    /// A `methodCall` without `methodName`.
    MissingMethodName,
    /// A struct `member` without `name`.
    MissingMemberName,
    /// A `param`, `member`, `fault` or response without a value.
    MissingValue,
    /// A response with more than one value.
    MultipleValues,
    /// A fault that is not a struct with an int `faultCode` and a string
    /// `faultString`.
    InvalidFault,
    /// Arrays and structs nested deeper than [`Limits::max_depth`].
    DepthLimit,
    /// More values than [`Limits::max_values`].
    ValueLimit,
    /// A string, base64 payload or name longer than
    /// [`Limits::max_string_bytes`].
    StringLimit,
}

impl DecodeErrorKind {
    fn reason(self) -> &'static str {
        match self {
            Self::TooLarge => "document too large",
            Self::InvalidUtf8 => "invalid UTF-8",
            Self::InvalidEncoding => "invalid bytes for the document's encoding",
            Self::UnsupportedEncoding => "unsupported encoding",
            Self::Syntax => "malformed XML",
            Self::DocType => "DOCTYPE not allowed",
            Self::UnknownEntity => "unknown entity",
            Self::InvalidCharRef => "invalid character reference",
            Self::UnexpectedEof => "unexpected end of document",
            Self::WrongRoot => "wrong root element",
            Self::UnexpectedElement => "unexpected element",
            Self::UnexpectedText => "unexpected text",
            Self::TrailingContent => "content after the root element",
            Self::UnknownType => "unknown value type",
            Self::InvalidInt => "invalid integer",
            Self::IntOverflow => "integer out of range",
            Self::InvalidDouble => "invalid double",
            Self::InvalidBoolean => "invalid boolean",
            Self::InvalidBase64 => "invalid base64",
            Self::InvalidDateTime => "invalid dateTime.iso8601",
            Self::MissingMethodName => "missing methodName",
            Self::MissingMemberName => "struct member without a name",
            Self::MissingValue => "missing value",
            Self::MultipleValues => "more than one value in a response",
            Self::InvalidFault => "invalid fault",
            Self::DepthLimit => "nesting deeper than the limit",
            Self::ValueLimit => "more values than the limit",
            Self::StringLimit => "string longer than the limit",
        }
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// Why a document could not be decoded, and where.
///
/// The offset counts bytes of the input as given (for a transcoded
/// document, bytes of the original encoding).
///
/// ```
/// use xmlrpc_proto::codec::{DecodeErrorKind, decode_call};
/// use xmlrpc_proto::Limits;
///
/// let err = decode_call(b"<methodCall><methodName>x</methodName><oops/></methodCall>",
///                       &Limits::default()).unwrap_err();
/// assert_eq!(err.kind(), DecodeErrorKind::UnexpectedElement);
/// assert_eq!(err.offset(), 38);
/// assert_eq!(err.to_string(), "unexpected element <oops> at byte 38");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError {
    // Boxed: decoding returns `Result`s everywhere, and a one-word error
    // keeps them small.
    inner: Box<ErrorInner>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct ErrorInner {
    kind: DecodeErrorKind,
    offset: usize,
    detail: Option<Box<str>>,
}

impl DecodeError {
    #[cold]
    pub(super) fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self {
            inner: Box::new(ErrorInner {
                kind,
                offset,
                detail: None,
            }),
        }
    }

    pub(super) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.inner.detail = Some(detail.into().into_boxed_str());
        self
    }

    pub(super) fn set_offset(&mut self, offset: usize) {
        self.inner.offset = offset;
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> DecodeErrorKind {
        self.inner.kind
    }

    /// The byte offset in the input where the problem was found.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.inner.offset
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("kind", &self.inner.kind)
            .field("offset", &self.inner.offset)
            .field("detail", &self.inner.detail)
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.inner.kind.reason())?;
        if let Some(detail) = &self.inner.detail {
            write!(f, " {detail}")?;
        }
        write!(f, " at byte {}", self.inner.offset)
    }
}

impl std::error::Error for DecodeError {}

/// Any XML-RPC document: a call or a response.
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    /// A `methodCall`.
    Call(MethodCall),
    /// A `methodResponse`: a value or a fault.
    Response(Result<Value, Fault>),
}

/// Decodes a `methodCall` document.
///
/// Accepted as real peers send them: a `<value>` without a type element is
/// a string (whitespace kept; empty `<value/>` is `""`); whitespace between
/// elements and around numbers; CDATA and XML's entity and character
/// references; `<i4>` and `<int>`; extension types by local name whatever
/// their prefix (`<ex:i8>`, `<ex:nil/>`); `<array>` without `<data>`; a
/// missing `<params>`; base64 with line breaks; `<boolean>` `true`/`false`;
/// UTF-8 (with or without byte order mark), UTF-16 with its byte order
/// mark, and ISO-8859-1, windows-1252 or US-ASCII when declared.
///
/// ```
/// use xmlrpc_proto::codec::decode_call;
/// use xmlrpc_proto::{Limits, Value};
///
/// let call = decode_call(
///     b"<?xml version=\"1.0\"?><methodCall><methodName>add</methodName>\
///       <params><param><value><i4>1</i4></value></param>\
///       <param><value><int> 2 </int></value></param></params></methodCall>",
///     &Limits::default(),
/// )
/// .unwrap();
/// assert_eq!(call.name, "add");
/// assert_eq!(call.params, [Value::Int(1), Value::Int(2)]);
/// ```
///
/// # Errors
///
/// When the document is not a well-formed call within `limits`; see
/// [`DecodeErrorKind`].
pub fn decode_call(input: &[u8], limits: &Limits) -> Result<MethodCall, DecodeError> {
    let (text, origin) = prepare(input, limits)?;
    let (name, params) = match fast::call::<Own>(&text, limits) {
        Some(call) => call,
        None => parse::<Own, _>(&text, origin, limits, Parser::call)?,
    };
    Ok(MethodCall { name, params })
}

/// Decodes a `methodResponse` document: `Ok(Ok(value))`, `Ok(Err(fault))`.
///
/// The fault's members may come in any order; unknown members are ignored.
///
/// ```
/// use xmlrpc_proto::codec::decode_response;
/// use xmlrpc_proto::{Fault, Limits, Value};
///
/// let ok = decode_response(
///     b"<methodResponse><params><param><value>hi</value></param></params></methodResponse>",
///     &Limits::default(),
/// );
/// assert_eq!(ok, Ok(Ok(Value::from("hi"))));
///
/// let fault = decode_response(
///     b"<methodResponse><fault><value><struct>\
///       <member><name>faultString</name><value>no</value></member>\
///       <member><name>faultCode</name><value><int>4</int></value></member>\
///       </struct></value></fault></methodResponse>",
///     &Limits::default(),
/// );
/// assert_eq!(fault, Ok(Err(Fault::new(4, "no"))));
/// ```
///
/// # Errors
///
/// When the document is not a well-formed response within `limits`; see
/// [`DecodeErrorKind`].
pub fn decode_response(input: &[u8], limits: &Limits) -> Result<Result<Value, Fault>, DecodeError> {
    let (text, origin) = prepare(input, limits)?;
    match fast::response::<Own>(&text, limits) {
        Some(response) => Ok(response),
        None => parse::<Own, _>(&text, origin, limits, Parser::response),
    }
}

/// Decodes a document that may be a call or a response.
///
/// ```
/// use xmlrpc_proto::codec::{Document, decode_document};
/// use xmlrpc_proto::Limits;
///
/// let doc = decode_document(b"<methodCall><methodName>ping</methodName></methodCall>",
///                           &Limits::default()).unwrap();
/// assert!(matches!(doc, Document::Call(c) if c.name == "ping"));
/// ```
///
/// # Errors
///
/// When the document is neither, or not well-formed within `limits`.
pub fn decode_document(input: &[u8], limits: &Limits) -> Result<Document, DecodeError> {
    let (text, origin) = prepare(input, limits)?;
    if let Some((name, params)) = fast::call::<Own>(&text, limits) {
        return Ok(Document::Call(MethodCall { name, params }));
    }
    if let Some(response) = fast::response::<Own>(&text, limits) {
        return Ok(Document::Response(response));
    }
    parse::<Own, _>(&text, origin, limits, |p| match p.root()? {
        Root::Call(empty) => p
            .call_body(empty)
            .map(|(name, params)| Document::Call(MethodCall { name, params })),
        Root::Response(empty) => p.response_body(empty).map(Document::Response),
    })
}

/// The root element found.
enum Root {
    /// `methodCall`; `true` when it is an empty element.
    Call(bool),
    /// `methodResponse`; `true` when it is an empty element.
    Response(bool),
}

/// The elements the decoder knows, by local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Value,
    Array,
    Data,
    Struct,
    Member,
    Name,
    Params,
    Param,
    Fault,
    MethodName,
    MethodCall,
    MethodResponse,
    Int,
    I8,
    Boolean,
    String,
    Double,
    DateTime,
    Base64,
    Nil,
    Other,
}

/// The element's [`Tag`] by local name (any prefix is ignored).
///
/// Array patterns compile to a few byte comparisons, where byte-string
/// patterns would call `memcmp`; names are short, so the prefix is found
/// by a plain scan.
#[inline]
fn tag(e: &BytesStart<'_>) -> Tag {
    let qname = e.name().into_inner();
    match tag_of(qname) {
        // Most documents use no prefix: look for one only on a miss.
        Tag::Other => match qname.iter().rposition(|&b| b == b':') {
            Some(i) => tag_of(&qname[i + 1..]),
            None => Tag::Other,
        },
        t => t,
    }
}

#[inline]
fn tag_of(local: &[u8]) -> Tag {
    match *local {
        [b'v', b'a', b'l', b'u', b'e'] => Tag::Value,
        [b'i', b'4'] => Tag::Int,
        [b'i', b'n', b't'] => Tag::Int,
        [b'i', b'1'] => Tag::Int,
        [b'i', b'2'] => Tag::Int,
        [b's', b't', b'r', b'i', b'n', b'g'] => Tag::String,
        [b's', b't', b'r', b'u', b'c', b't'] => Tag::Struct,
        [b'm', b'e', b'm', b'b', b'e', b'r'] => Tag::Member,
        [b'n', b'a', b'm', b'e'] => Tag::Name,
        [b'a', b'r', b'r', b'a', b'y'] => Tag::Array,
        [b'd', b'a', b't', b'a'] => Tag::Data,
        [b'd', b'o', b'u', b'b', b'l', b'e'] => Tag::Double,
        [b'f', b'l', b'o', b'a', b't'] => Tag::Double,
        [b'b', b'o', b'o', b'l', b'e', b'a', b'n'] => Tag::Boolean,
        [b'i', b'8'] => Tag::I8,
        [b'n', b'i', b'l'] => Tag::Nil,
        [b'b', b'a', b's', b'e', b'6', b'4'] => Tag::Base64,
        [
            b'd',
            b'a',
            b't',
            b'e',
            b'T',
            b'i',
            b'm',
            b'e',
            b'.',
            b'i',
            b's',
            b'o',
            b'8',
            b'6',
            b'0',
            b'1',
        ] => Tag::DateTime,
        [b'd', b'a', b't', b'e', b'T', b'i', b'm', b'e'] => Tag::DateTime,
        [b'p', b'a', b'r', b'a', b'm'] => Tag::Param,
        [b'p', b'a', b'r', b'a', b'm', b's'] => Tag::Params,
        [b'f', b'a', b'u', b'l', b't'] => Tag::Fault,
        [b'm', b'e', b't', b'h', b'o', b'd', b'N', b'a', b'm', b'e'] => Tag::MethodName,
        [b'm', b'e', b't', b'h', b'o', b'd', b'C', b'a', b'l', b'l'] => Tag::MethodCall,
        [
            b'm',
            b'e',
            b't',
            b'h',
            b'o',
            b'd',
            b'R',
            b'e',
            b's',
            b'p',
            b'o',
            b'n',
            b's',
            b'e',
        ] => Tag::MethodResponse,
        _ => Tag::Other,
    }
}

/// The significant structure events.
enum Mark {
    Start(Tag),
    Empty(Tag),
    End,
}

/// Where an array being read stands with respect to `<data>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Data {
    /// Just after `<array>`.
    Unknown,
    /// Inside `<data>`.
    Open,
    /// Values directly inside `<array>`.
    Bare,
    /// After `</data>`: only `</array>` may follow.
    Closed,
}

/// An array or struct being read. Its finished children wait on the
/// parser's shared stacks from `start` on, so that each container is
/// allocated once, at its final size, when it closes.
enum Frame {
    Array {
        /// Where its items start in [`Parser::items`].
        start: usize,
        data: Data,
    },
    Struct {
        /// Where its members start in [`Parser::members`].
        start: usize,
    },
}

/// What the content of an opened `<value>` turned out to be.
enum Content<V> {
    /// A complete value; its `</value>` has been read.
    Done(V),
    /// `<array>` was opened.
    Array,
    /// `<struct>` was opened.
    Struct,
}

/// What follows inside the innermost open array or struct.
enum Step<V> {
    /// A `<value>` was opened.
    Open,
    /// A complete value: an empty `<value/>` child, or the container
    /// itself, closed together with its `</value>`.
    Done(V),
}

/// How the parser makes values: one grammar, two value types (the owned
/// [`Value`] and the borrowing [`ValueRef`](super::ValueRef)).
pub(super) trait Build<'a> {
    /// A string or a name.
    type Str;
    /// A value.
    type Value;
    /// The text of a string, a name or a method name.
    fn text(text: Acc<'a>) -> Self::Str;
    /// A string value.
    fn string(s: Self::Str) -> Self::Value;
    /// A scalar value.
    fn scalar(v: Scalar) -> Self::Value;
    /// A `dateTime.iso8601` whose text (without its surrounding whitespace)
    /// was validated.
    fn datetime(text: Acc<'a>) -> Self::Value;
    /// An array of these items.
    fn array(items: Vec<Self::Value>) -> Self::Value;
    /// A struct of the drained members, in document order, repeats
    /// included.
    fn structure(members: std::vec::Drain<'_, (Self::Str, Self::Value)>) -> Self::Value;
    /// The fault a `<fault>`'s value stands for.
    fn fault(value: Self::Value) -> Result<Fault, &'static str>;
}

/// The values that borrow nothing.
pub(super) enum Scalar {
    Int(i32),
    I8(i64),
    Bool(bool),
    Double(f64),
    Base64(Vec<u8>),
    Nil,
}

/// Builds owned [`Value`]s.
pub(super) enum Own {}

impl<'a> Build<'a> for Own {
    type Str = String;
    type Value = Value;

    #[inline]
    fn text(text: Acc<'a>) -> String {
        text.into_string()
    }

    #[inline]
    fn string(s: String) -> Value {
        Value::String(s)
    }

    #[inline]
    fn scalar(v: Scalar) -> Value {
        match v {
            Scalar::Int(i) => Value::Int(i),
            Scalar::I8(i) => Value::I8(i),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Double(d) => Value::Double(d),
            Scalar::Base64(b) => Value::Base64(b),
            Scalar::Nil => Value::Nil,
        }
    }

    fn datetime(text: Acc<'a>) -> Value {
        Value::DateTime(DateTime::from_checked(text.as_str().trim_ascii()))
    }

    #[inline]
    fn array(items: Vec<Value>) -> Value {
        Value::Array(items)
    }

    fn structure(members: std::vec::Drain<'_, (String, Value)>) -> Value {
        if members.len() <= SMALL_STRUCT {
            // Few members: repeats are replaced by a scan, in one allocation.
            let mut s = Struct::with_capacity(members.len());
            for (name, v) in members {
                s.insert(name, v);
            }
            Value::Struct(s)
        } else {
            Value::Struct(Struct::from_members(members.collect()))
        }
    }

    fn fault(value: Value) -> Result<Fault, &'static str> {
        let Value::Struct(s) = value else {
            return Err("(not a struct)");
        };
        let mut code = None;
        let mut string = None;
        for (name, v) in s {
            match name.as_str() {
                "faultCode" => code = Some(FaultPart::of(v)),
                "faultString" => string = Some(FaultPart::of(v)),
                _ => {}
            }
        }
        fault_of(code, string)
    }
}

/// A member of a fault struct, whatever the value type.
pub(super) enum FaultPart {
    Int(i64),
    String(String),
    Other,
}

impl FaultPart {
    fn of(v: Value) -> Self {
        match v {
            Value::Int(c) => Self::Int(i64::from(c)),
            Value::I8(c) => Self::Int(c),
            Value::String(s) => Self::String(s),
            _ => Self::Other,
        }
    }
}

/// A `Fault` from its two members (the last of each name).
pub(super) fn fault_of(
    code: Option<FaultPart>,
    string: Option<FaultPart>,
) -> Result<Fault, &'static str> {
    let code = match code {
        Some(FaultPart::Int(c)) => i32::try_from(c).map_err(|_| "(faultCode out of range)")?,
        Some(_) => return Err("(faultCode is not an int)"),
        None => return Err("(no faultCode)"),
    };
    let string = match string {
        Some(FaultPart::String(s)) => s,
        Some(_) => return Err("(faultString is not a string)"),
        None => return Err("(no faultString)"),
    };
    Ok(Fault { code, string })
}

/// Up to this many members, an owned struct de-duplicates names by
/// scanning; beyond it, by [`Struct::from_members`] in linear time.
const SMALL_STRUCT: usize = 16;

/// Text content made of one or more pieces (text, CDATA, references);
/// one piece stays borrowed.
pub(super) enum Acc<'a> {
    Empty,
    One(&'a str),
    Many(String),
}

impl<'a> Acc<'a> {
    pub(super) fn as_str(&self) -> &str {
        match self {
            Self::Empty => "",
            Self::One(s) => s,
            Self::Many(s) => s,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.as_str().len()
    }

    pub(super) fn into_string(self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::One(s) => s.to_owned(),
            Self::Many(s) => s,
        }
    }

    /// The text as a string to append `more` bytes or more to: room for a
    /// few more pieces, so that text split by references grows without
    /// copying at every piece.
    fn into_growable(self, more: usize) -> String {
        match self {
            Self::Many(s) => s,
            first => {
                let first = first.as_str();
                let mut s = String::with_capacity((first.len() + more).max(16) * 2);
                s.push_str(first);
                s
            }
        }
    }

    /// The text, borrowed from the document when it is one piece.
    pub(super) fn into_cow(self) -> Cow<'a, str> {
        match self {
            Self::Empty => Cow::Borrowed(""),
            Self::One(s) => Cow::Borrowed(s),
            Self::Many(s) => Cow::Owned(s),
        }
    }

    /// Appends text as it appears in the document: line ends are
    /// normalised to `\n` as XML requires.
    #[inline]
    pub(super) fn push(&mut self, piece: &'a str) {
        if memchr::memchr(b'\r', piece.as_bytes()).is_some() {
            let mut s = std::mem::replace(self, Self::Empty).into_growable(piece.len());
            let mut rest = piece;
            while let Some(i) = rest.find('\r') {
                s.push_str(&rest[..i]);
                s.push('\n');
                rest = &rest[i + 1..];
                if let Some(r) = rest.strip_prefix('\n') {
                    rest = r;
                }
            }
            s.push_str(rest);
            *self = Self::Many(s);
            return;
        }
        self.push_raw(piece);
    }

    /// Appends text without line-end normalisation.
    #[inline]
    pub(super) fn push_raw(&mut self, piece: &'a str) {
        match self {
            Self::Empty => *self = Self::One(piece),
            Self::One(_) => {
                let mut s = std::mem::replace(self, Self::Empty).into_growable(piece.len());
                s.push_str(piece);
                *self = Self::Many(s);
            }
            Self::Many(s) => s.push_str(piece),
        }
    }

    fn push_owned(&mut self, piece: &str) {
        let mut s = std::mem::replace(self, Self::Empty).into_growable(piece.len());
        s.push_str(piece);
        *self = Self::Many(s);
    }

    /// Appends a character from a reference (not line-end normalised).
    pub(super) fn push_char(&mut self, c: char) {
        let mut s = std::mem::replace(self, Self::Empty).into_growable(4);
        s.push(c);
        *self = Self::Many(s);
    }
}

pub(super) fn is_xml_space(s: &[u8]) -> bool {
    s.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// base64 as peers write it: padding optional, trailing bits ignored.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The size check and the conversion to UTF-8 that every decode starts
/// with.
pub(super) fn prepare<'i>(input: &'i [u8], limits: &Limits) -> Res<(Cow<'i, str>, Origin)> {
    if input.len() > limits.max_body_bytes {
        return Err(
            DecodeError::new(DecodeErrorKind::TooLarge, limits.max_body_bytes).with_detail(
                format!("({} bytes, limit {})", input.len(), limits.max_body_bytes),
            ),
        );
    }
    transcode::to_utf8(input)
}

/// Runs `body` over `text`, checks that nothing but whitespace, comments
/// and processing instructions follows the root, and maps error offsets
/// back to the input.
pub(super) fn parse<'a, B: Build<'a>, T>(
    text: &'a str,
    origin: Origin,
    limits: &Limits,
    body: impl FnOnce(&mut Parser<'a, B>) -> Res<T>,
) -> Res<T> {
    let mut parser = Parser::new(text, limits);
    let out = body(&mut parser).and_then(|v| parser.finish().map(|()| v));
    out.map_err(|mut e| {
        e.set_offset(origin.input_offset(text, e.offset()));
        e
    })
}

pub(super) struct Parser<'a, B: Build<'a>> {
    reader: Reader<&'a [u8]>,
    /// The whole document, validated UTF-8: every borrowed event slice is a
    /// sub-slice of it.
    src: &'a str,
    max_depth: usize,
    max_values: usize,
    max_string: usize,
    /// Start of the event read last.
    pos: usize,
    /// `<value>`s seen.
    values: usize,
    /// The open arrays and structs, innermost last.
    frames: Vec<Frame>,
    /// The finished items of the open arrays.
    items: Vec<B::Value>,
    /// The finished members of the open structs.
    members: Vec<(B::Str, B::Value)>,
    /// The names of the members whose values are being read.
    names: Vec<B::Str>,
    /// Base64 text with its whitespace removed.
    scratch: Vec<u8>,
}

pub(super) type Res<T> = Result<T, DecodeError>;

impl<'a, B: Build<'a>> Parser<'a, B> {
    fn new(src: &'a str, limits: &Limits) -> Self {
        let mut reader = Reader::from_str(src);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Self {
            reader,
            src,
            max_depth: limits.max_depth,
            max_values: limits.max_values,
            max_string: limits.max_string_bytes,
            pos: 0,
            values: 0,
            frames: Vec::new(),
            items: Vec::new(),
            members: Vec::new(),
            names: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// A whole `methodCall` document: its name and parameters.
    pub(super) fn call(&mut self) -> Res<(B::Str, Vec<B::Value>)> {
        match self.root()? {
            Root::Call(empty) => self.call_body(empty),
            Root::Response(_) => Err(self
                .error(DecodeErrorKind::WrongRoot)
                .with_detail("<methodResponse>, expected <methodCall>")),
        }
    }

    /// A whole `methodResponse` document.
    pub(super) fn response(&mut self) -> Res<Result<B::Value, Fault>> {
        match self.root()? {
            Root::Response(empty) => self.response_body(empty),
            Root::Call(_) => Err(self
                .error(DecodeErrorKind::WrongRoot)
                .with_detail("<methodCall>, expected <methodResponse>")),
        }
    }

    #[cold]
    fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(kind, self.pos)
    }

    /// Where the next event starts. Each reading loop records it in `pos`
    /// and matches `read_event()`'s result in place: moving a whole event
    /// out of the call costs more than reading the fields needed.
    #[inline]
    fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    #[cold]
    fn xml_error(&self, e: &quick_xml::Error) -> DecodeError {
        let at = usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX);
        let kind = match e {
            quick_xml::Error::Encoding(_) => DecodeErrorKind::InvalidUtf8,
            quick_xml::Error::Escape(quick_xml::escape::EscapeError::InvalidCharRef(_)) => {
                DecodeErrorKind::InvalidCharRef
            }
            quick_xml::Error::Escape(_) => DecodeErrorKind::UnknownEntity,
            _ => DecodeErrorKind::Syntax,
        };
        let text: String = e.to_string().chars().take(120).collect();
        DecodeError::new(kind, at.min(self.src.len())).with_detail(format!("({text})"))
    }

    /// The text of a borrowed event slice, without a second UTF-8 check.
    #[inline]
    fn text_of(&self, bytes: Cow<'a, [u8]>) -> Res<Cow<'a, str>> {
        match bytes {
            Cow::Borrowed(b) => {
                let start = (b.as_ptr() as usize).wrapping_sub(self.src.as_ptr() as usize);
                if let Some(s) = start
                    .checked_add(b.len())
                    .and_then(|end| self.src.get(start..end))
                {
                    return Ok(Cow::Borrowed(s));
                }
                std::str::from_utf8(b)
                    .map(Cow::Borrowed)
                    .map_err(|_| self.error(DecodeErrorKind::InvalidUtf8))
            }
            Cow::Owned(b) => String::from_utf8(b)
                .map(Cow::Owned)
                .map_err(|_| self.error(DecodeErrorKind::InvalidUtf8)),
        }
    }

    fn resolve(&self, r: &BytesRef<'_>) -> Res<char> {
        if r.is_char_ref() {
            return match r.resolve_char_ref() {
                Ok(Some(c)) if matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..) => {
                    Ok(c)
                }
                _ => Err(self.error(DecodeErrorKind::InvalidCharRef)),
            };
        }
        match &**r {
            b"lt" => Ok('<'),
            b"gt" => Ok('>'),
            b"amp" => Ok('&'),
            b"apos" => Ok('\''),
            b"quot" => Ok('"'),
            name => Err(self
                .error(DecodeErrorKind::UnknownEntity)
                .with_detail(format!(
                    "&{};",
                    String::from_utf8_lossy(&name[..name.len().min(64)])
                ))),
        }
    }

    /// The next start, empty or end tag, skipping whitespace, comments and
    /// processing instructions.
    ///
    /// Events are matched where they are returned, and only the element's
    /// [`Tag`] leaves: moving whole events costs more than reading them.
    fn mark(&mut self) -> Res<Mark> {
        loop {
            self.pos = self.position();
            match self.reader.read_event() {
                Err(e) => return Err(self.xml_error(&e)),
                Ok(Event::Start(e)) => return Ok(Mark::Start(tag(&e))),
                Ok(Event::End(_)) => return Ok(Mark::End),
                Ok(Event::Empty(e)) => return Ok(Mark::Empty(tag(&e))),
                Ok(Event::Text(t)) => {
                    if !is_xml_space(&t) {
                        return Err(self.error(DecodeErrorKind::UnexpectedText));
                    }
                }
                Ok(Event::Comment(_) | Event::PI(_)) => {}
                Ok(Event::CData(_) | Event::GeneralRef(_)) => {
                    return Err(self.error(DecodeErrorKind::UnexpectedText));
                }
                Ok(Event::DocType(_)) => return Err(self.error(DecodeErrorKind::DocType)),
                Ok(Event::Decl(_)) => {
                    return Err(self
                        .error(DecodeErrorKind::Syntax)
                        .with_detail("(XML declaration not at the start)"));
                }
                Ok(Event::Eof) => return Err(self.error(DecodeErrorKind::UnexpectedEof)),
            }
        }
    }

    /// Reads the end tag of the element we are in.
    fn end(&mut self) -> Res<()> {
        match self.mark()? {
            Mark::End => Ok(()),
            Mark::Start(_) | Mark::Empty(_) => Err(self.unexpected()),
        }
    }

    #[cold]
    fn unexpected(&self) -> DecodeError {
        self.error(DecodeErrorKind::UnexpectedElement)
            .with_detail(self.name_at(self.pos))
    }

    /// The name of the element whose tag starts at `at`, for messages.
    #[cold]
    fn name_at(&self, at: usize) -> String {
        let rest = self.src.as_bytes().get(at + 1..).unwrap_or_default();
        let n = rest
            .iter()
            .take(64)
            .take_while(|&&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>'))
            .count();
        format!("<{}>", String::from_utf8_lossy(&rest[..n]))
    }

    /// The text content of the element we are in, up to its end tag.
    ///
    /// `text` says whether this is text (line ends normalised) or a typed
    /// scalar whose whitespace does not matter.
    fn content(&mut self, limit: usize, text: bool) -> Res<Acc<'a>> {
        let mut acc = Acc::Empty;
        loop {
            self.pos = self.position();
            match self.reader.read_event() {
                Err(e) => return Err(self.xml_error(&e)),
                Ok(Event::Text(t)) => match self.text_of(t.into_inner())? {
                    Cow::Borrowed(s) if text => acc.push(s),
                    Cow::Borrowed(s) => acc.push_raw(s),
                    Cow::Owned(s) => acc.push_owned(&s),
                },
                Ok(Event::CData(t)) => match self.text_of(t.into_inner())? {
                    Cow::Borrowed(s) if text => acc.push(s),
                    Cow::Borrowed(s) => acc.push_raw(s),
                    Cow::Owned(s) => acc.push_owned(&s),
                },
                Ok(Event::GeneralRef(r)) => acc.push_char(self.resolve(&r)?),
                Ok(Event::End(_)) => return Ok(acc),
                Ok(Event::Comment(_) | Event::PI(_)) => continue,
                Ok(Event::Start(_)) | Ok(Event::Empty(_)) => return Err(self.unexpected()),
                Ok(Event::DocType(_)) => return Err(self.error(DecodeErrorKind::DocType)),
                Ok(Event::Decl(_)) => return Err(self.error(DecodeErrorKind::Syntax)),
                Ok(Event::Eof) => return Err(self.error(DecodeErrorKind::UnexpectedEof)),
            }
            if acc.len() > limit {
                return Err(self.error(DecodeErrorKind::StringLimit));
            }
        }
    }

    /// Counts one `<value>`.
    #[inline]
    fn count_value(&mut self) -> Res<()> {
        self.values += 1;
        if self.values > self.max_values {
            return Err(self.error(DecodeErrorKind::ValueLimit));
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame) -> Res<()> {
        if self.frames.len() >= self.max_depth {
            return Err(self.error(DecodeErrorKind::DepthLimit));
        }
        self.frames.push(frame);
        Ok(())
    }

    /// The items of the array that starts at `start` in [`Parser::items`],
    /// in a vector of their own.
    fn take_items(&mut self, start: usize) -> Vec<B::Value> {
        if start == 0 {
            // The outermost array: its items are the whole stack.
            std::mem::take(&mut self.items)
        } else {
            // Items are pushed above the start of the innermost array only,
            // so `start` is within the stack.
            self.items.split_off(start.min(self.items.len()))
        }
    }

    /// Reads a whole value; the `<value>` start tag has just been read (and
    /// counted). Arrays and structs are read with the explicit stack.
    fn value(&mut self) -> Res<B::Value> {
        debug_assert!(self.frames.is_empty());
        'open: loop {
            let mut step = match self.value_content()? {
                Content::Done(v) => Step::Done(v),
                Content::Array => {
                    self.push(Frame::Array {
                        start: self.items.len(),
                        data: Data::Unknown,
                    })?;
                    self.next_in_top()?
                }
                Content::Struct => {
                    self.push(Frame::Struct {
                        start: self.members.len(),
                    })?;
                    self.next_in_top()?
                }
            };
            loop {
                let v = match step {
                    Step::Open => continue 'open,
                    Step::Done(v) => v,
                };
                match self.frames.last() {
                    None => return Ok(v),
                    Some(Frame::Array { .. }) => self.items.push(v),
                    Some(Frame::Struct { .. }) => {
                        // Each member's name is pushed before its value is
                        // read, and taken once here.
                        let Some(name) = self.names.pop() else {
                            return Err(self.error(DecodeErrorKind::Syntax));
                        };
                        self.members.push((name, v));
                        // `</member>`
                        self.end()?;
                    }
                }
                step = self.next_in_top()?;
            }
        }
    }

    /// Reads what follows in the innermost open array or struct.
    fn next_in_top(&mut self) -> Res<Step<B::Value>> {
        loop {
            let mark = self.mark()?;
            let is_empty = matches!(mark, Mark::Empty(_));
            let Some(top) = self.frames.last_mut() else {
                // Only called with a frame open.
                return Err(self.error(DecodeErrorKind::Syntax));
            };
            match top {
                Frame::Array { data, .. } => match mark {
                    Mark::Start(Tag::Value) | Mark::Empty(Tag::Value) if *data != Data::Closed => {
                        if *data == Data::Unknown {
                            *data = Data::Bare;
                        }
                        self.count_value()?;
                        if is_empty {
                            return Ok(Step::Done(B::string(B::text(Acc::Empty))));
                        }
                        return Ok(Step::Open);
                    }
                    Mark::Start(Tag::Data) if *data == Data::Unknown => {
                        *data = Data::Open;
                    }
                    Mark::Empty(Tag::Data) if *data == Data::Unknown => {
                        *data = Data::Closed;
                    }
                    Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
                    Mark::End if *data == Data::Open => *data = Data::Closed,
                    Mark::End => {
                        let Some(Frame::Array { start, .. }) = self.frames.pop() else {
                            // The top frame was just matched as an array.
                            return Err(self.error(DecodeErrorKind::Syntax));
                        };
                        // `</value>`
                        self.end()?;
                        return Ok(Step::Done(B::array(self.take_items(start))));
                    }
                },
                Frame::Struct { .. } => match mark {
                    Mark::Start(Tag::Member) => {
                        let name = self.member_name()?;
                        self.names.push(name);
                        return match self.mark()? {
                            Mark::Start(Tag::Value) => {
                                self.count_value()?;
                                Ok(Step::Open)
                            }
                            Mark::Empty(Tag::Value) => {
                                self.count_value()?;
                                Ok(Step::Done(B::string(B::text(Acc::Empty))))
                            }
                            Mark::Start(_) | Mark::Empty(_) => Err(self.unexpected()),
                            Mark::End => Err(self
                                .error(DecodeErrorKind::MissingValue)
                                .with_detail("in struct member")),
                        };
                    }
                    Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
                    Mark::End => {
                        let Some(Frame::Struct { start }) = self.frames.pop() else {
                            // The top frame was just matched as a struct.
                            return Err(self.error(DecodeErrorKind::Syntax));
                        };
                        // `</value>`
                        self.end()?;
                        // As for arrays: members of the innermost struct
                        // only sit above `start`.
                        let start = start.min(self.members.len());
                        return Ok(Step::Done(B::structure(self.members.drain(start..))));
                    }
                },
            }
        }
    }

    /// Reads `<name>...</name>` at the start of a member.
    fn member_name(&mut self) -> Res<B::Str> {
        match self.mark()? {
            Mark::Start(Tag::Name) => Ok(B::text(self.content(self.max_string, true)?)),
            Mark::Empty(Tag::Name) => Ok(B::text(Acc::Empty)),
            Mark::Start(t) | Mark::Empty(t) if t != Tag::Value => Err(self.unexpected()),
            _ => Err(self.error(DecodeErrorKind::MissingMemberName)),
        }
    }

    /// Reads the content of a `<value>` whose start tag was just read.
    fn value_content(&mut self) -> Res<Content<B::Value>> {
        let mut text = Acc::Empty;
        loop {
            self.pos = self.position();
            match self.reader.read_event() {
                Err(e) => return Err(self.xml_error(&e)),
                Ok(Event::Text(t)) => match self.text_of(t.into_inner())? {
                    Cow::Borrowed(s) => text.push(s),
                    Cow::Owned(s) => text.push_owned(&s),
                },
                Ok(Event::CData(t)) => match self.text_of(t.into_inner())? {
                    Cow::Borrowed(s) => text.push(s),
                    Cow::Owned(s) => text.push_owned(&s),
                },
                Ok(Event::GeneralRef(r)) => text.push_char(self.resolve(&r)?),
                Ok(Event::End(_)) => return Ok(Content::Done(B::string(B::text(text)))),
                Ok(Event::Start(e)) => {
                    if !is_xml_space(text.as_str().as_bytes()) {
                        return Err(self.error(DecodeErrorKind::UnexpectedText));
                    }
                    return self.typed(tag(&e), false);
                }
                Ok(Event::Empty(e)) => {
                    if !is_xml_space(text.as_str().as_bytes()) {
                        return Err(self.error(DecodeErrorKind::UnexpectedText));
                    }
                    return self.typed(tag(&e), true);
                }
                Ok(Event::Comment(_) | Event::PI(_)) => continue,
                Ok(Event::DocType(_)) => return Err(self.error(DecodeErrorKind::DocType)),
                Ok(Event::Decl(_)) => return Err(self.error(DecodeErrorKind::Syntax)),
                Ok(Event::Eof) => return Err(self.error(DecodeErrorKind::UnexpectedEof)),
            }
            if text.len() > self.max_string {
                return Err(self.error(DecodeErrorKind::StringLimit));
            }
        }
    }

    /// Reads a typed value: `t` is its type element.
    fn typed(&mut self, t: Tag, empty: bool) -> Res<Content<B::Value>> {
        match t {
            Tag::Array if !empty => return Ok(Content::Array),
            Tag::Struct if !empty => return Ok(Content::Struct),
            _ => {}
        }
        let at = self.pos;
        let text = if empty {
            Acc::Empty
        } else {
            match t {
                Tag::String => self.content(self.max_string, true)?,
                _ => self.content(usize::MAX, false)?,
            }
        };
        let err = |kind| DecodeError::new(kind, at);
        let value = match t {
            Tag::String => B::string(B::text(text)),
            Tag::Int => B::scalar(Scalar::Int(parse_int(text.as_str()).map_err(err)?)),
            Tag::I8 => B::scalar(Scalar::I8(parse_int(text.as_str()).map_err(err)?)),
            Tag::Boolean => B::scalar(Scalar::Bool(parse_bool(text.as_str()).ok_or_else(
                || err(DecodeErrorKind::InvalidBoolean).with_detail(quoted(text.as_str())),
            )?)),
            Tag::Double => B::scalar(Scalar::Double(parse_double(text.as_str()).ok_or_else(
                || err(DecodeErrorKind::InvalidDouble).with_detail(quoted(text.as_str())),
            )?)),
            Tag::DateTime => match DateTime::check(text.as_str()) {
                Ok(_) => B::datetime(text),
                Err(why) => {
                    return Err(
                        err(DecodeErrorKind::InvalidDateTime).with_detail(format!("({why})"))
                    );
                }
            },
            Tag::Base64 => B::scalar(Scalar::Base64(decode_base64(
                text.as_str(),
                at,
                self.max_string,
                &mut self.scratch,
            )?)),
            Tag::Nil => {
                if !is_xml_space(text.as_str().as_bytes()) {
                    return Err(err(DecodeErrorKind::UnexpectedText).with_detail("in <nil>"));
                }
                B::scalar(Scalar::Nil)
            }
            Tag::Array => B::array(Vec::new()),
            Tag::Struct => {
                let n = self.members.len();
                B::structure(self.members.drain(n..))
            }
            _ => return Err(err(DecodeErrorKind::UnknownType).with_detail(self.name_at(at))),
        };
        // `</value>`
        self.end()?;
        Ok(Content::Done(value))
    }

    /// Reads the prolog and the root start tag.
    fn root(&mut self) -> Res<Root> {
        let mut first = true;
        loop {
            self.pos = self.position();
            let (t, empty) = match self.reader.read_event() {
                Err(e) => return Err(self.xml_error(&e)),
                Ok(Event::Start(e)) => (tag(&e), false),
                Ok(Event::Empty(e)) => (tag(&e), true),
                Ok(Event::Decl(_)) if first => {
                    first = false;
                    continue;
                }
                Ok(Event::Text(t)) if is_xml_space(&t) => {
                    first = false;
                    continue;
                }
                Ok(Event::Comment(_) | Event::PI(_)) => {
                    first = false;
                    continue;
                }
                Ok(Event::DocType(_)) => return Err(self.error(DecodeErrorKind::DocType)),
                Ok(Event::Eof) => return Err(self.error(DecodeErrorKind::UnexpectedEof)),
                Ok(Event::Decl(_)) => {
                    return Err(self
                        .error(DecodeErrorKind::Syntax)
                        .with_detail("(XML declaration not at the start)"));
                }
                Ok(Event::End(_)) => return Err(self.error(DecodeErrorKind::Syntax)),
                Ok(Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) => {
                    return Err(self.error(DecodeErrorKind::UnexpectedText));
                }
            };
            return match t {
                Tag::MethodCall => Ok(Root::Call(empty)),
                Tag::MethodResponse => Ok(Root::Response(empty)),
                _ => Err(self
                    .error(DecodeErrorKind::WrongRoot)
                    .with_detail(self.name_at(self.pos))),
            };
        }
    }

    /// Reads a `<param>`'s value and its `</param>`; `<param>` was just read.
    fn param(&mut self) -> Res<B::Value> {
        let value = match self.mark()? {
            Mark::Start(Tag::Value) => {
                self.count_value()?;
                self.value()?
            }
            Mark::Empty(Tag::Value) => {
                self.count_value()?;
                B::string(B::text(Acc::Empty))
            }
            Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
            Mark::End => {
                return Err(self
                    .error(DecodeErrorKind::MissingValue)
                    .with_detail("in <param>"));
            }
        };
        // `</param>`
        self.end()?;
        Ok(value)
    }

    fn call_body(&mut self, empty: bool) -> Res<(B::Str, Vec<B::Value>)> {
        if empty {
            return Err(self.error(DecodeErrorKind::MissingMethodName));
        }
        let name = match self.mark()? {
            Mark::Start(Tag::MethodName) => B::text(self.content(self.max_string, true)?),
            Mark::Empty(Tag::MethodName) => B::text(Acc::Empty),
            _ => return Err(self.error(DecodeErrorKind::MissingMethodName)),
        };
        let mut params = Vec::new();
        match self.mark()? {
            // No `<params>`.
            Mark::End => return Ok((name, params)),
            Mark::Empty(Tag::Params) => {}
            Mark::Start(Tag::Params) => loop {
                match self.mark()? {
                    Mark::Start(Tag::Param) => params.push(self.param()?),
                    Mark::Empty(Tag::Param) => {
                        return Err(self
                            .error(DecodeErrorKind::MissingValue)
                            .with_detail("in <param>"));
                    }
                    Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
                    Mark::End => break,
                }
            },
            Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
        }
        // `</methodCall>`
        self.end()?;
        Ok((name, params))
    }

    fn response_body(&mut self, empty: bool) -> Res<Result<B::Value, Fault>> {
        if empty {
            return Err(self.error(DecodeErrorKind::MissingValue));
        }
        let out = match self.mark()? {
            Mark::Start(Tag::Params) => {
                let value = match self.mark()? {
                    Mark::Start(Tag::Param) => self.param()?,
                    Mark::Start(t) | Mark::Empty(t) if t != Tag::Param => {
                        return Err(self.unexpected());
                    }
                    _ => return Err(self.error(DecodeErrorKind::MissingValue)),
                };
                match self.mark()? {
                    // `</params>`
                    Mark::End => {}
                    Mark::Start(Tag::Param) | Mark::Empty(Tag::Param) => {
                        return Err(self.error(DecodeErrorKind::MultipleValues));
                    }
                    Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
                }
                Ok(value)
            }
            Mark::Start(Tag::Fault) => {
                let at = self.pos;
                let value = match self.mark()? {
                    Mark::Start(Tag::Value) => {
                        self.count_value()?;
                        self.value()?
                    }
                    Mark::Empty(Tag::Value) => {
                        self.count_value()?;
                        B::string(B::text(Acc::Empty))
                    }
                    Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
                    Mark::End => {
                        return Err(self
                            .error(DecodeErrorKind::MissingValue)
                            .with_detail("in <fault>"));
                    }
                };
                // `</fault>`
                self.end()?;
                Err(B::fault(value).map_err(|why| {
                    DecodeError::new(DecodeErrorKind::InvalidFault, at).with_detail(why)
                })?)
            }
            Mark::Empty(Tag::Params | Tag::Fault) => {
                return Err(self.error(DecodeErrorKind::MissingValue));
            }
            Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
            Mark::End => return Err(self.error(DecodeErrorKind::MissingValue)),
        };
        // `</methodResponse>`
        self.end()?;
        Ok(out)
    }

    /// Checks that only whitespace, comments and processing instructions
    /// follow the root element.
    fn finish(&mut self) -> Res<()> {
        loop {
            self.pos = self.position();
            match self.reader.read_event() {
                Err(e) => return Err(self.xml_error(&e)),
                Ok(Event::Eof) => return Ok(()),
                Ok(Event::Text(t)) if is_xml_space(&t) => {}
                Ok(Event::Comment(_) | Event::PI(_)) => {}
                Ok(Event::DocType(_)) => return Err(self.error(DecodeErrorKind::DocType)),
                Ok(_) => return Err(self.error(DecodeErrorKind::TrailingContent)),
            }
        }
    }
}

/// Decodes base64 text as peers send it: on one line, or in lines (MIME
/// style) with whitespace between them; `at` is where errors are
/// reported, `scratch` a buffer to reuse.
pub(super) fn decode_base64(
    text: &str,
    at: usize,
    limit: usize,
    scratch: &mut Vec<u8>,
) -> Res<Vec<u8>> {
    let err = |kind| DecodeError::new(kind, at);
    let text = text.as_bytes();
    // One line (most peers) is decoded in place; lines (MIME style,
    // Python) show whitespace within the first line's width.
    let head = &text[..text.len().min(128)];
    let lines = memchr::memchr3(b'\n', b'\r', b' ', head).is_some();
    let fast = if lines {
        decode_lines(text, scratch)
    } else {
        // Checked before decoding: the output is about 3/4 of the input.
        if text.len() / 4 * 3 > limit.saturating_add(3) {
            return Err(err(DecodeErrorKind::StringLimit));
        }
        match BASE64.decode(text) {
            Ok(out) => Some(out),
            Err(e) if !text.iter().any(|&b| is_space(b)) => {
                return Err(err(DecodeErrorKind::InvalidBase64).with_detail(format!("({e})")));
            }
            Err(_) => None,
        }
    };
    let out = match fast {
        Some(out) => out,
        None => {
            // Tabs, whitespace that the guess of `decode_lines` let
            // through, or not base64: strip exactly, and decode or say
            // why not.
            strip_spaces(text, scratch);
            if scratch.len() / 4 * 3 > limit.saturating_add(3) {
                return Err(err(DecodeErrorKind::StringLimit));
            }
            BASE64
                .decode(&scratch[..])
                .map_err(|e| err(DecodeErrorKind::InvalidBase64).with_detail(format!("({e})")))?
        }
    };
    if out.len() > limit {
        return Err(err(DecodeErrorKind::StringLimit));
    }
    Ok(out)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `text` without its leading whitespace.
fn skip_spaces(text: &[u8]) -> &[u8] {
    let n = text.iter().take_while(|&&b| is_space(b)).count();
    &text[n..]
}

/// Decodes base64 text in lines (whitespace between them) in one pass:
/// the text goes through `buf` a segment at a time, without its
/// whitespace, so that it is never copied whole. `None` when that fails:
/// the text is not base64, or holds whitespace that [`append_lines`] lets
/// through.
fn decode_lines(text: &[u8], buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    const SEGMENT: usize = 8 * 1024;
    // At most this much output; bounded by the body limit.
    let mut out = vec![0; text.len() / 4 * 3 + 3];
    let mut written = 0;
    buf.clear();
    let mut rest = text;
    loop {
        // Segments end at whitespace, so that lines are not cut.
        let cut = match rest.get(SEGMENT..) {
            Some(after) => {
                SEGMENT + memchr::memchr3(b'\n', b'\r', b' ', after).unwrap_or(after.len())
            }
            None => rest.len(),
        };
        let (segment, tail) = rest.split_at(cut);
        append_lines(segment, buf);
        rest = tail;
        let last = rest.is_empty();
        // Whole groups of four, except at the end; padding only at the end.
        let n = if last { buf.len() } else { buf.len() / 4 * 4 };
        if !last && buf[..n].last() == Some(&b'=') {
            return None;
        }
        written += BASE64
            .decode_slice(&buf[..n], out.get_mut(written..)?)
            .ok()?;
        buf.drain(..n);
        if last {
            out.truncate(written);
            return Some(out);
        }
    }
}

/// Appends `text` to `out` without the line breaks and spaces between its
/// lines. Lines are assumed to be as wide as the first one (MIME style)
/// and copied without searching while that holds. Tabs, and whitespace
/// inside a line that the guess let through, are copied: base64 decoding
/// then fails, and the caller strips exactly with [`strip_spaces`].
fn append_lines(text: &[u8], out: &mut Vec<u8>) {
    out.reserve(text.len());
    let next_break = |b: &[u8]| memchr::memchr3(b'\n', b'\r', b' ', b).unwrap_or(b.len());
    let mut rest = skip_spaces(text);
    let width = next_break(rest);
    // The widths peers use (MIME and Python: 76; PEM: 64) are copied as
    // fixed-size blocks.
    rest = match width {
        76 => copy_lines::<76>(rest, out),
        64 => copy_lines::<64>(rest, out),
        _ => rest,
    };
    while !rest.is_empty() {
        let n = match rest.get(width) {
            Some(&b) if width > 0 && is_space(b) => width,
            _ => next_break(rest),
        };
        out.extend_from_slice(&rest[..n]);
        rest = skip_spaces(&rest[n..]);
    }
}

/// Copies lines of `N` bytes, each followed by whitespace, from the start
/// of `text` into `out`; returns the rest from the first other line.
fn copy_lines<'t, const N: usize>(mut text: &'t [u8], out: &mut Vec<u8>) -> &'t [u8] {
    while let Some((line, tail)) = text.split_first_chunk::<N>() {
        let Some((&end, after)) = tail.split_first() else {
            break;
        };
        if !is_space(end) {
            break;
        }
        out.extend_from_slice(line);
        // Mostly one `\n`: the loop of `skip_spaces` only for more.
        text = match after.first() {
            Some(&b) if is_space(b) => skip_spaces(after),
            _ => after,
        };
    }
    text
}

/// Copies `text` into `out` without its whitespace.
fn strip_spaces(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(text.iter().copied().filter(|&b| !is_space(b)));
}

fn quoted(text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    format!("{shown:?}")
}

/// Trims the whitespace XML allows around numbers.
fn trim(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

pub(super) fn parse_int<T>(text: &str) -> Result<T, DecodeErrorKind>
where
    T: std::str::FromStr<Err = std::num::ParseIntError>,
{
    trim(text).parse::<T>().map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
            DecodeErrorKind::IntOverflow
        }
        _ => DecodeErrorKind::InvalidInt,
    })
}

pub(super) fn parse_bool(text: &str) -> Option<bool> {
    match trim(text) {
        "1" => Some(true),
        "0" => Some(false),
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A finite decimal number: digits with an optional sign, point and
/// exponent (no `inf`, `nan` or hexadecimal).
pub(super) fn parse_double(text: &str) -> Option<f64> {
    let t = trim(text);
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        || !t.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|d| d.is_finite())
}

#[cfg(test)]
mod tests {
    use super::{Tag, tag_of};

    #[test]
    fn element_names() {
        let known = [
            ("value", Tag::Value),
            ("i4", Tag::Int),
            ("int", Tag::Int),
            ("i1", Tag::Int),
            ("i2", Tag::Int),
            ("string", Tag::String),
            ("struct", Tag::Struct),
            ("member", Tag::Member),
            ("name", Tag::Name),
            ("array", Tag::Array),
            ("data", Tag::Data),
            ("double", Tag::Double),
            ("float", Tag::Double),
            ("boolean", Tag::Boolean),
            ("i8", Tag::I8),
            ("nil", Tag::Nil),
            ("base64", Tag::Base64),
            ("dateTime", Tag::DateTime),
            ("dateTime.iso8601", Tag::DateTime),
            ("param", Tag::Param),
            ("params", Tag::Params),
            ("fault", Tag::Fault),
            ("methodName", Tag::MethodName),
            ("methodCall", Tag::MethodCall),
            ("methodResponse", Tag::MethodResponse),
        ];
        for (name, tag) in known {
            assert_eq!(tag_of(name.as_bytes()), tag, "{name}");
            // Longer, shorter, or with a byte changed: unknown.
            for other in [
                format!("{name}x"),
                format!("{name}\0"),
                format!("\0{name}"),
                name[..name.len() - 1].to_owned(),
                name[1..].to_owned(),
                name.to_uppercase(),
            ] {
                if known.iter().all(|(k, _)| *k != other) {
                    assert_eq!(tag_of(other.as_bytes()), Tag::Other, "{other:?}");
                }
            }
        }
        for other in ["", "v", "valuevalue", "dataname", "i4i4"] {
            assert_eq!(tag_of(other.as_bytes()), Tag::Other, "{other:?}");
        }
    }
}
