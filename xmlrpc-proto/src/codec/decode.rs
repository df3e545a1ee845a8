//! Decoding `methodCall` and `methodResponse` documents.
//!
//! One pass over the bytes with quick-xml's borrowed events: no DOM, no
//! recursion (arrays and structs being read live on an explicit stack whose
//! height is bounded by [`Limits::max_depth`]), and one UTF-8 check for the
//! whole document. What real peers send is accepted (see [`decode_call`]);
//! anything else is refused with a [`DecodeError`] naming the reason and the
//! byte offset.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::transcode;
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
    run(input, limits, |p| match p.root()? {
        Root::Call(empty) => p.call_body(empty),
        Root::Response(_) => Err(p
            .error(DecodeErrorKind::WrongRoot)
            .with_detail("<methodResponse>, expected <methodCall>")),
    })
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
    run(input, limits, |p| match p.root()? {
        Root::Response(empty) => p.response_body(empty),
        Root::Call(_) => Err(p
            .error(DecodeErrorKind::WrongRoot)
            .with_detail("<methodCall>, expected <methodResponse>")),
    })
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
    run(input, limits, |p| match p.root()? {
        Root::Call(empty) => p.call_body(empty).map(Document::Call),
        Root::Response(empty) => p.response_body(empty).map(Document::Response),
    })
}

/// Checks the size, converts to UTF-8, runs `body` and checks that nothing
/// but whitespace, comments and processing instructions follows the root.
fn run<T>(
    input: &[u8],
    limits: &Limits,
    body: impl FnOnce(&mut Parser<'_>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    if input.len() > limits.max_body_bytes {
        return Err(
            DecodeError::new(DecodeErrorKind::TooLarge, limits.max_body_bytes).with_detail(
                format!("({} bytes, limit {})", input.len(), limits.max_body_bytes),
            ),
        );
    }
    let (text, origin) = transcode::to_utf8(input)?;
    let mut parser = Parser::new(&text, limits);
    let out = body(&mut parser).and_then(|v| parser.finish().map(|()| v));
    out.map_err(|mut e| {
        e.set_offset(origin.input_offset(&text, e.offset()));
        e
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

/// An array or struct being read.
enum Frame {
    Array {
        items: Vec<Value>,
        data: Data,
    },
    Struct {
        /// Members while there are few: duplicates replaced by a scan.
        small: Struct,
        /// All members once there are many, de-duplicated at the end in
        /// linear time by [`Struct::from_members`].
        wide: Vec<(String, Value)>,
        /// The name of the member whose value is being read.
        name: String,
    },
}

/// Up to this many members, a struct being read de-duplicates names by
/// scanning; beyond it, members are collected and de-duplicated once.
const SMALL_STRUCT: usize = 16;

/// What the content of an opened `<value>` turned out to be.
enum Content {
    /// A complete value; its `</value>` has been read.
    Done(Value),
    /// `<array>` was opened.
    Array,
    /// `<struct>` was opened.
    Struct,
}

/// What follows inside the innermost open array or struct.
enum Step {
    /// A `<value>` was opened.
    Open,
    /// A complete value: an empty `<value/>` child, or the container
    /// itself, closed together with its `</value>`.
    Done(Value),
}

/// Text content made of one or more pieces (text, CDATA, references);
/// one piece stays borrowed.
enum Acc<'a> {
    Empty,
    One(&'a str),
    Many(String),
}

impl<'a> Acc<'a> {
    fn as_str(&self) -> &str {
        match self {
            Self::Empty => "",
            Self::One(s) => s,
            Self::Many(s) => s,
        }
    }

    fn len(&self) -> usize {
        self.as_str().len()
    }

    fn into_string(self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::One(s) => s.to_owned(),
            Self::Many(s) => s,
        }
    }

    /// Appends text as it appears in the document: line ends are
    /// normalised to `\n` as XML requires.
    #[inline]
    fn push(&mut self, piece: &'a str) {
        if memchr::memchr(b'\r', piece.as_bytes()).is_some() {
            let mut s = std::mem::replace(self, Self::Empty).into_string();
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
    fn push_raw(&mut self, piece: &'a str) {
        match self {
            Self::Empty => *self = Self::One(piece),
            Self::One(first) => {
                let mut s = String::with_capacity(first.len() + piece.len());
                s.push_str(first);
                s.push_str(piece);
                *self = Self::Many(s);
            }
            Self::Many(s) => s.push_str(piece),
        }
    }

    fn push_owned(&mut self, piece: &str) {
        let mut s = std::mem::replace(self, Self::Empty).into_string();
        s.push_str(piece);
        *self = Self::Many(s);
    }

    /// Appends a character from a reference (not line-end normalised).
    fn push_char(&mut self, c: char) {
        let mut s = std::mem::replace(self, Self::Empty).into_string();
        s.push(c);
        *self = Self::Many(s);
    }
}

fn is_xml_space(s: &[u8]) -> bool {
    s.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// base64 as peers write it: padding optional, trailing bits ignored.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    /// The whole document, validated UTF-8: every borrowed event slice is a
    /// sub-slice of it.
    src: &'a str,
    limits: &'a Limits,
    /// Start of the event read last.
    pos: usize,
    /// `<value>`s seen.
    values: usize,
    stack: Vec<Frame>,
    /// Base64 text with its whitespace removed.
    scratch: Vec<u8>,
}

type Res<T> = Result<T, DecodeError>;

impl<'a> Parser<'a> {
    fn new(src: &'a str, limits: &'a Limits) -> Self {
        let mut reader = Reader::from_str(src);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Self {
            reader,
            src,
            limits,
            pos: 0,
            values: 0,
            stack: Vec::new(),
            scratch: Vec::new(),
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
    fn count_value(&mut self) -> Res<()> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(self.error(DecodeErrorKind::ValueLimit));
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame) -> Res<()> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.error(DecodeErrorKind::DepthLimit));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Reads a whole value; the `<value>` start tag has just been read (and
    /// counted). Arrays and structs are read with the explicit stack.
    fn value(&mut self) -> Res<Value> {
        debug_assert!(self.stack.is_empty());
        'open: loop {
            let mut step = match self.value_content()? {
                Content::Done(v) => Step::Done(v),
                Content::Array => {
                    self.push(Frame::Array {
                        items: Vec::new(),
                        data: Data::Unknown,
                    })?;
                    self.next_in_top()?
                }
                Content::Struct => {
                    self.push(Frame::Struct {
                        small: Struct::new(),
                        wide: Vec::new(),
                        name: String::new(),
                    })?;
                    self.next_in_top()?
                }
            };
            loop {
                let v = match step {
                    Step::Open => continue 'open,
                    Step::Done(v) => v,
                };
                match self.stack.last_mut() {
                    None => return Ok(v),
                    Some(Frame::Array { items, .. }) => items.push(v),
                    Some(Frame::Struct { small, wide, name }) => {
                        let name = std::mem::take(name);
                        if wide.is_empty() && small.len() < SMALL_STRUCT {
                            small.insert(name, v);
                        } else {
                            if wide.is_empty() {
                                *wide = std::mem::take(small).into_vec();
                            }
                            wide.push((name, v));
                        }
                        // `</member>`
                        self.end()?;
                    }
                }
                step = self.next_in_top()?;
            }
        }
    }

    /// Reads what follows in the innermost open array or struct.
    fn next_in_top(&mut self) -> Res<Step> {
        loop {
            let mark = self.mark()?;
            let is_empty = matches!(mark, Mark::Empty(_));
            let Some(top) = self.stack.last_mut() else {
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
                            return Ok(Step::Done(Value::String(String::new())));
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
                        let Some(Frame::Array { items, .. }) = self.stack.pop() else {
                            // The top frame was just matched as an array.
                            return Err(self.error(DecodeErrorKind::Syntax));
                        };
                        // `</value>`
                        self.end()?;
                        return Ok(Step::Done(Value::Array(items)));
                    }
                },
                Frame::Struct { .. } => match mark {
                    Mark::Start(Tag::Member) => {
                        let name = self.member_name()?;
                        if let Some(Frame::Struct { name: slot, .. }) = self.stack.last_mut() {
                            *slot = name;
                        }
                        return match self.mark()? {
                            Mark::Start(Tag::Value) => {
                                self.count_value()?;
                                Ok(Step::Open)
                            }
                            Mark::Empty(Tag::Value) => {
                                self.count_value()?;
                                Ok(Step::Done(Value::String(String::new())))
                            }
                            Mark::Start(_) | Mark::Empty(_) => Err(self.unexpected()),
                            Mark::End => Err(self
                                .error(DecodeErrorKind::MissingValue)
                                .with_detail("in struct member")),
                        };
                    }
                    Mark::Start(_) | Mark::Empty(_) => return Err(self.unexpected()),
                    Mark::End => {
                        let Some(Frame::Struct { small, wide, .. }) = self.stack.pop() else {
                            // The top frame was just matched as a struct.
                            return Err(self.error(DecodeErrorKind::Syntax));
                        };
                        // `</value>`
                        self.end()?;
                        let s = if wide.is_empty() {
                            small
                        } else {
                            Struct::from_members(wide)
                        };
                        return Ok(Step::Done(Value::Struct(s)));
                    }
                },
            }
        }
    }

    /// Reads `<name>...</name>` at the start of a member.
    fn member_name(&mut self) -> Res<String> {
        match self.mark()? {
            Mark::Start(Tag::Name) => Ok(self
                .content(self.limits.max_string_bytes, true)?
                .into_string()),
            Mark::Empty(Tag::Name) => Ok(String::new()),
            Mark::Start(t) | Mark::Empty(t) if t != Tag::Value => Err(self.unexpected()),
            _ => Err(self.error(DecodeErrorKind::MissingMemberName)),
        }
    }

    /// Reads the content of a `<value>` whose start tag was just read.
    fn value_content(&mut self) -> Res<Content> {
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
                Ok(Event::End(_)) => return Ok(Content::Done(Value::String(text.into_string()))),
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
            if text.len() > self.limits.max_string_bytes {
                return Err(self.error(DecodeErrorKind::StringLimit));
            }
        }
    }

    /// Reads a typed value: `e` is its type element.
    fn typed(&mut self, t: Tag, empty: bool) -> Res<Content> {
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
                Tag::String => self.content(self.limits.max_string_bytes, true)?,
                _ => self.content(usize::MAX, false)?,
            }
        };
        let err = |kind| DecodeError::new(kind, at);
        let value = match t {
            Tag::String => Value::String(text.into_string()),
            Tag::Int => Value::Int(parse_int(text.as_str()).map_err(err)?),
            Tag::I8 => Value::I8(parse_int(text.as_str()).map_err(err)?),
            Tag::Boolean => Value::Bool(parse_bool(text.as_str()).ok_or_else(|| {
                err(DecodeErrorKind::InvalidBoolean).with_detail(quoted(text.as_str()))
            })?),
            Tag::Double => Value::Double(parse_double(text.as_str()).ok_or_else(|| {
                err(DecodeErrorKind::InvalidDouble).with_detail(quoted(text.as_str()))
            })?),
            Tag::DateTime => Value::DateTime(DateTime::parse(text.as_str()).map_err(|d| {
                err(DecodeErrorKind::InvalidDateTime).with_detail(format!("({})", d.reason()))
            })?),
            Tag::Base64 => Value::Base64(self.base64(text.as_str(), at)?),
            Tag::Nil => {
                if !is_xml_space(text.as_str().as_bytes()) {
                    return Err(err(DecodeErrorKind::UnexpectedText).with_detail("in <nil>"));
                }
                Value::Nil
            }
            Tag::Array => Value::Array(Vec::new()),
            Tag::Struct => Value::Struct(Struct::new()),
            _ => return Err(err(DecodeErrorKind::UnknownType).with_detail(self.name_at(at))),
        };
        // `</value>`
        self.end()?;
        Ok(Content::Done(value))
    }

    fn base64(&mut self, text: &str, at: usize) -> Res<Vec<u8>> {
        let bytes = text.as_bytes();
        let limit = self.limits.max_string_bytes;
        let err = |kind| DecodeError::new(kind, at);
        // Most peers send one line: decode it in place. The output is
        // bounded by the input, which is bounded by the body limit.
        let out = match BASE64.decode(bytes) {
            Ok(out) => out,
            Err(e) => {
                let has_space = memchr::memchr3(b'\n', b'\r', b' ', bytes).is_some()
                    || memchr::memchr(b'\t', bytes).is_some();
                if !has_space {
                    return Err(err(DecodeErrorKind::InvalidBase64).with_detail(format!("({e})")));
                }
                // Lines (MIME style): first assume lines of one width,
                // copied without searching; if that guess lets whitespace
                // through, the decode fails and the exact path runs.
                let first_space = bytes
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                    .unwrap_or(bytes.len());
                strip_lines(bytes, first_space, &mut self.scratch);
                if self.scratch.len() / 4 * 3 > limit.saturating_add(3) {
                    return Err(err(DecodeErrorKind::StringLimit));
                }
                match BASE64.decode(&self.scratch[..]) {
                    Ok(out) => out,
                    Err(_) => {
                        strip_spaces(bytes, &mut self.scratch);
                        BASE64.decode(&self.scratch[..]).map_err(|e| {
                            err(DecodeErrorKind::InvalidBase64).with_detail(format!("({e})"))
                        })?
                    }
                }
            }
        };
        if out.len() > limit {
            return Err(err(DecodeErrorKind::StringLimit));
        }
        Ok(out)
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
    fn param(&mut self) -> Res<Value> {
        let value = match self.mark()? {
            Mark::Start(Tag::Value) => {
                self.count_value()?;
                self.value()?
            }
            Mark::Empty(Tag::Value) => {
                self.count_value()?;
                Value::String(String::new())
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

    fn call_body(&mut self, empty: bool) -> Res<MethodCall> {
        if empty {
            return Err(self.error(DecodeErrorKind::MissingMethodName));
        }
        let name = match self.mark()? {
            Mark::Start(Tag::MethodName) => self
                .content(self.limits.max_string_bytes, true)?
                .into_string(),
            Mark::Empty(Tag::MethodName) => String::new(),
            _ => return Err(self.error(DecodeErrorKind::MissingMethodName)),
        };
        let mut params = Vec::new();
        match self.mark()? {
            // No `<params>`.
            Mark::End => return Ok(MethodCall { name, params }),
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
        Ok(MethodCall { name, params })
    }

    fn response_body(&mut self, empty: bool) -> Res<Result<Value, Fault>> {
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
                        Value::String(String::new())
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
                Err(fault(value).map_err(|why| {
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

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Copies `text` into `out` assuming lines of `width` bytes separated by
/// whitespace runs. Bytes inside a "line" are not checked: whitespace copied
/// by a wrong guess makes the base64 decode fail, and the caller then uses
/// [`strip_spaces`].
fn strip_lines(text: &[u8], width: usize, out: &mut Vec<u8>) {
    out.clear();
    out.reserve(text.len());
    let mut rest = text;
    while rest.len() > width && width > 0 {
        let (line, tail) = rest.split_at(width);
        out.extend_from_slice(line);
        let n = tail.iter().take_while(|&&b| is_space(b)).count();
        rest = &tail[n..];
        if n == 0 {
            break;
        }
    }
    while let Some(i) = rest.iter().position(|&b| is_space(b)) {
        out.extend_from_slice(&rest[..i]);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// Copies `text` into `out` without its whitespace.
fn strip_spaces(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(text.iter().copied().filter(|&b| !is_space(b)));
}

/// A `Fault` from the value of `<fault>`.
fn fault(value: Value) -> Result<Fault, &'static str> {
    let Value::Struct(s) = value else {
        return Err("(not a struct)");
    };
    let mut code = None;
    let mut string = None;
    for (name, v) in s {
        match name.as_str() {
            "faultCode" => code = Some(v),
            "faultString" => string = Some(v),
            _ => {}
        }
    }
    let code = match code {
        Some(Value::Int(c)) => c,
        Some(Value::I8(c)) => i32::try_from(c).map_err(|_| "(faultCode out of range)")?,
        Some(_) => return Err("(faultCode is not an int)"),
        None => return Err("(no faultCode)"),
    };
    let string = match string {
        Some(Value::String(s)) => s,
        Some(_) => return Err("(faultString is not a string)"),
        None => return Err("(no faultString)"),
    };
    Ok(Fault { code, string })
}

fn quoted(text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    format!("{shown:?}")
}

/// Trims the whitespace XML allows around numbers.
fn trim(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

fn parse_int<T>(text: &str) -> Result<T, DecodeErrorKind>
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

fn parse_bool(text: &str) -> Option<bool> {
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
fn parse_double(text: &str) -> Option<f64> {
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
