//! Decoding into values that borrow their text from the document.
//!
//! [`decode_call_ref`] and [`decode_response_ref`] read the same documents
//! as [`decode_call`](super::decode_call) and
//! [`decode_response`](super::decode_response), with the same grammar,
//! limits and errors, but return [`ValueRef`]s: strings, member names and
//! dateTimes borrow from the input unless an entity, a character reference,
//! a CDATA section or a line end forces a copy. That saves an allocation
//! per string, which is most of the cost of decoding large documents.
//! [`ValueRef::into_owned`] gives the [`Value`] that the owned decoder
//! returns for the same document.

use std::borrow::Cow;

use super::decode::{Acc, Build, DecodeError, FaultPart, Parser, Scalar, fault_of, parse, prepare};
use super::fast;
use crate::{DateTime, Fault, Limits, MethodCall, Struct, Value};

/// One XML-RPC value whose text may borrow from the decoded document.
///
/// The borrowing twin of [`Value`], as returned by [`decode_call_ref`] and
/// [`decode_response_ref`]. Struct members are kept as the document lists
/// them, repeated names included; [`ValueRef::get`] and
/// [`ValueRef::into_owned`] apply [`Struct`]'s rule (the last value wins,
/// at the position of the first).
///
/// ```
/// use std::borrow::Cow;
/// use xmlrpc_proto::codec::{ValueRef, decode_response_ref};
/// use xmlrpc_proto::{Limits, Value};
///
/// let doc = b"<methodResponse><params><param><value><struct>\
///             <member><name>name</name><value>Tom &amp; Jerry</value></member>\
///             <member><name>id</name><value><int>7</int></value></member>\
///             </struct></value></param></params></methodResponse>";
/// let value = decode_response_ref(doc, &Limits::default()).unwrap().unwrap();
/// // Borrowed from `doc`, except where an entity forced a copy.
/// assert!(matches!(value.get("name"), Some(ValueRef::String(Cow::Owned(s))) if s == "Tom & Jerry"));
/// assert_eq!(value.get("id"), Some(&ValueRef::Int(7)));
/// assert_eq!(value.into_owned()["id"], Value::Int(7));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum ValueRef<'a> {
    /// `<i4>` or `<int>`: a 32-bit signed integer.
    Int(i32),
    /// `<i8>` (extension): a 64-bit signed integer.
    I8(i64),
    /// `<boolean>`.
    Bool(bool),
    /// `<string>`, or a `<value>` without a type element.
    String(Cow<'a, str>),
    /// `<double>`.
    Double(f64),
    /// `<dateTime.iso8601>`.
    DateTime(DateTimeRef<'a>),
    /// `<base64>`: the decoded bytes.
    Base64(Vec<u8>),
    /// `<struct>`: the members in document order, repeated names included.
    Struct(Vec<(Cow<'a, str>, Self)>),
    /// `<array>`.
    Array(Vec<Self>),
    /// `<nil/>` (extension).
    Nil,
}

/// A valid `dateTime.iso8601` text, without its surrounding whitespace,
/// borrowed from the document when it can be.
///
/// Made only by the decoder, which has checked it: converting it to a
/// [`DateTime`] cannot fail.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateTimeRef<'a>(Cow<'a, str>);

impl DateTimeRef<'_> {
    /// The text as received.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned [`DateTime`].
    #[must_use]
    pub fn to_datetime(&self) -> DateTime {
        DateTime::from_checked(&self.0)
    }

    fn into_static(self) -> DateTimeRef<'static> {
        DateTimeRef(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> ValueRef<'a> {
    /// The XML-RPC name of this value's type, as [`Value::type_name`].
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Int(_) => "int",
            Self::I8(_) => "i8",
            Self::Bool(_) => "boolean",
            Self::String(_) => "string",
            Self::Double(_) => "double",
            Self::DateTime(_) => "dateTime.iso8601",
            Self::Base64(_) => "base64",
            Self::Struct(_) => "struct",
            Self::Array(_) => "array",
            Self::Nil => "nil",
        }
    }

    /// The string, if this is a string value.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of member `name` of a struct (the last one, when the name
    /// is repeated), or `None` when this is not a struct or has no such
    /// member.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Self> {
        match self {
            Self::Struct(members) => members
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The owned [`Value`]: exactly what [`decode_call`](super::decode_call)
    /// or [`decode_response`](super::decode_response) return for the same
    /// document. Works without recursion, whatever the nesting.
    #[must_use]
    pub fn into_owned(self) -> Value {
        /// An array or struct being converted.
        enum Job<'a> {
            Array(std::vec::IntoIter<ValueRef<'a>>, Vec<Value>),
            Struct(
                std::vec::IntoIter<(Cow<'a, str>, ValueRef<'a>)>,
                Vec<(String, Value)>,
                String,
            ),
        }
        let mut jobs: Vec<Job<'a>> = Vec::new();
        let mut next = self;
        loop {
            let mut done = match next {
                Self::Array(items) => {
                    let out = Vec::with_capacity(items.len());
                    jobs.push(Job::Array(items.into_iter(), out));
                    None
                }
                Self::Struct(members) => {
                    let out = Vec::with_capacity(members.len());
                    jobs.push(Job::Struct(members.into_iter(), out, String::new()));
                    None
                }
                scalar => Some(scalar.scalar_into_owned()),
            };
            loop {
                let Some(job) = jobs.last_mut() else {
                    // The stack is empty only after a scalar or a finished
                    // container: `done` holds it.
                    return done.unwrap_or(Value::Nil);
                };
                let child = match job {
                    Job::Array(rest, out) => {
                        out.extend(done.take());
                        rest.next()
                    }
                    Job::Struct(rest, out, name) => {
                        if let Some(v) = done.take() {
                            out.push((std::mem::take(name), v));
                        }
                        rest.next().map(|(k, v)| {
                            *name = k.into_owned();
                            v
                        })
                    }
                };
                if let Some(child) = child {
                    next = child;
                    break;
                }
                done = match jobs.pop() {
                    Some(Job::Array(_, out)) => Some(Value::Array(out)),
                    Some(Job::Struct(_, out, _)) => Some(Value::Struct(Struct::from_members(out))),
                    None => None,
                };
            }
        }
    }

    /// A scalar's owned value (arrays and structs give `Nil`: the callers
    /// handle them).
    fn scalar_into_owned(self) -> Value {
        match self {
            Self::Int(i) => Value::Int(i),
            Self::I8(i) => Value::I8(i),
            Self::Bool(b) => Value::Bool(b),
            Self::String(s) => Value::String(s.into_owned()),
            Self::Double(d) => Value::Double(d),
            Self::DateTime(d) => Value::DateTime(d.to_datetime()),
            Self::Base64(b) => Value::Base64(b),
            Self::Nil | Self::Struct(_) | Self::Array(_) => Value::Nil,
        }
    }
}

impl From<ValueRef<'_>> for Value {
    fn from(v: ValueRef<'_>) -> Self {
        v.into_owned()
    }
}

/// A `methodCall` whose text may borrow from the decoded document.
///
/// ```
/// use xmlrpc_proto::codec::{ValueRef, decode_call_ref};
/// use xmlrpc_proto::Limits;
///
/// let call = decode_call_ref(
///     b"<methodCall><methodName>add</methodName><params>\
///       <param><value><i4>1</i4></value></param>\
///       <param><value><int>2</int></value></param></params></methodCall>",
///     &Limits::default(),
/// )
/// .unwrap();
/// assert_eq!(call.name, "add");
/// assert_eq!(call.params, [ValueRef::Int(1), ValueRef::Int(2)]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MethodCallRef<'a> {
    /// `methodName`.
    pub name: Cow<'a, str>,
    /// The `params`, in order.
    pub params: Vec<ValueRef<'a>>,
}

impl MethodCallRef<'_> {
    /// The owned [`MethodCall`], as [`decode_call`](super::decode_call)
    /// returns it.
    #[must_use]
    pub fn into_owned(self) -> MethodCall {
        MethodCall {
            name: self.name.into_owned(),
            params: self.params.into_iter().map(ValueRef::into_owned).collect(),
        }
    }
}

/// Decodes a `methodCall` document into values that borrow from `input`.
///
/// The same documents are accepted, within the same limits and with the
/// same errors, as by [`decode_call`](super::decode_call). A document in
/// another encoding than UTF-8 is converted first: its values then own
/// their text.
///
/// # Errors
///
/// When the document is not a well-formed call within `limits`; see
/// [`DecodeErrorKind`](super::DecodeErrorKind).
pub fn decode_call_ref<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<MethodCallRef<'a>, DecodeError> {
    let (text, origin) = prepare(input, limits)?;
    let (name, params) = match text {
        Cow::Borrowed(text) => match fast::call::<Borrow>(text, limits) {
            Some(call) => call,
            None => parse::<Borrow, _>(text, origin, limits, Parser::call)?,
        },
        Cow::Owned(text) => match fast::call::<Detach>(&text, limits) {
            Some(call) => call,
            None => parse::<Detach, _>(&text, origin, limits, Parser::call)?,
        },
    };
    Ok(MethodCallRef { name, params })
}

/// Decodes a `methodResponse` document into values that borrow from
/// `input`: `Ok(Ok(value))`, `Ok(Err(fault))`.
///
/// The same documents are accepted, within the same limits and with the
/// same errors, as by [`decode_response`](super::decode_response).
///
/// ```
/// use xmlrpc_proto::codec::{ValueRef, decode_response_ref};
/// use xmlrpc_proto::{Fault, Limits};
///
/// let ok = decode_response_ref(
///     b"<methodResponse><params><param><value>hi</value></param></params></methodResponse>",
///     &Limits::default(),
/// );
/// assert_eq!(ok, Ok(Ok(ValueRef::String("hi".into()))));
/// ```
///
/// # Errors
///
/// When the document is not a well-formed response within `limits`; see
/// [`DecodeErrorKind`](super::DecodeErrorKind).
pub fn decode_response_ref<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Result<ValueRef<'a>, Fault>, DecodeError> {
    let (text, origin) = prepare(input, limits)?;
    match text {
        Cow::Borrowed(text) => match fast::response::<Borrow>(text, limits) {
            Some(response) => Ok(response),
            None => parse::<Borrow, _>(text, origin, limits, Parser::response),
        },
        Cow::Owned(text) => match fast::response::<Detach>(&text, limits) {
            Some(response) => Ok(response),
            None => parse::<Detach, _>(&text, origin, limits, Parser::response),
        },
    }
}

/// Builds [`ValueRef`]s borrowing from the document.
enum Borrow {}

/// Builds [`ValueRef`]s that own their text, from a converted document
/// that does not outlive the decode.
enum Detach {}

fn scalar<'v>(v: Scalar) -> ValueRef<'v> {
    match v {
        Scalar::Int(i) => ValueRef::Int(i),
        Scalar::I8(i) => ValueRef::I8(i),
        Scalar::Bool(b) => ValueRef::Bool(b),
        Scalar::Double(d) => ValueRef::Double(d),
        Scalar::Base64(b) => ValueRef::Base64(b),
        Scalar::Nil => ValueRef::Nil,
    }
}

fn fault(value: ValueRef<'_>) -> Result<Fault, &'static str> {
    let ValueRef::Struct(members) = value else {
        return Err("(not a struct)");
    };
    let part = |v| match v {
        ValueRef::Int(c) => FaultPart::Int(i64::from(c)),
        ValueRef::I8(c) => FaultPart::Int(c),
        ValueRef::String(s) => FaultPart::String(s.into_owned()),
        _ => FaultPart::Other,
    };
    let mut code = None;
    let mut string = None;
    // Repeated names: the last value wins, as in a `Struct`.
    for (name, v) in members {
        match &*name {
            "faultCode" => code = Some(part(v)),
            "faultString" => string = Some(part(v)),
            _ => {}
        }
    }
    fault_of(code, string)
}

/// The text of a checked dateTime, trimmed as [`DateTime::parse`] trims it.
fn datetime_text(text: Acc<'_>) -> Cow<'_, str> {
    match text.into_cow() {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_ascii()),
        Cow::Owned(s) => Cow::Owned(s.trim_ascii().to_owned()),
    }
}

impl<'a> Build<'a> for Borrow {
    type Str = Cow<'a, str>;
    type Value = ValueRef<'a>;

    #[inline]
    fn text(text: Acc<'a>) -> Cow<'a, str> {
        text.into_cow()
    }

    #[inline]
    fn string(s: Cow<'a, str>) -> ValueRef<'a> {
        ValueRef::String(s)
    }

    #[inline]
    fn scalar(v: Scalar) -> ValueRef<'a> {
        scalar(v)
    }

    fn datetime(text: Acc<'a>) -> ValueRef<'a> {
        ValueRef::DateTime(DateTimeRef(datetime_text(text)))
    }

    #[inline]
    fn array(items: Vec<ValueRef<'a>>) -> ValueRef<'a> {
        ValueRef::Array(items)
    }

    #[inline]
    fn structure(members: std::vec::Drain<'_, (Cow<'a, str>, ValueRef<'a>)>) -> ValueRef<'a> {
        ValueRef::Struct(members.collect())
    }

    fn fault(value: ValueRef<'a>) -> Result<Fault, &'static str> {
        fault(value)
    }
}

impl<'a> Build<'a> for Detach {
    type Str = Cow<'static, str>;
    type Value = ValueRef<'static>;

    fn text(text: Acc<'a>) -> Cow<'static, str> {
        Cow::Owned(text.into_string())
    }

    fn string(s: Cow<'static, str>) -> ValueRef<'static> {
        ValueRef::String(s)
    }

    fn scalar(v: Scalar) -> ValueRef<'static> {
        scalar(v)
    }

    fn datetime(text: Acc<'a>) -> ValueRef<'static> {
        ValueRef::DateTime(DateTimeRef(datetime_text(text)).into_static())
    }

    fn array(items: Vec<ValueRef<'static>>) -> ValueRef<'static> {
        ValueRef::Array(items)
    }

    fn structure(
        members: std::vec::Drain<'_, (Cow<'static, str>, ValueRef<'static>)>,
    ) -> ValueRef<'static> {
        ValueRef::Struct(members.collect())
    }

    fn fault(value: ValueRef<'static>) -> Result<Fault, &'static str> {
        fault(value)
    }
}
