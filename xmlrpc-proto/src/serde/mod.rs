//! Any `Serialize`/`Deserialize` type to and from [`Value`] (feature
//! `serde`).
//!
//! [`to_value`] and [`from_value`] map a Rust type through its serde
//! implementation, and the [`Serde`] wrapper lets handlers and clients take
//! and return such types wherever a [`FromValue`]/[`IntoValue`] is expected.
//!
//! # The mapping
//!
//! | serde | XML-RPC |
//! |---|---|
//! | `bool` | `boolean` |
//! | `i8`, `i16`, `i32`, `u8`, `u16` | `int` |
//! | `i64`, `u32`, `u64`, `i128`, `u128` | `int` when the number fits 32 bits, else `i8`; beyond `i64`: an error |
//! | `f32`, `f64` | `double` (NaN and the infinities: an error) |
//! | `char`, `str` | `string` |
//! | bytes (`serialize_bytes`, as `serde_bytes` does) | `base64` |
//! | `None`, `()`, unit structs | `nil` |
//! | sequences, tuples, tuple structs | `array` |
//! | structs | `struct`, members in field order |
//! | maps | `struct`; keys must be strings (integer keys are written in decimal) |
//! | unit variants | `string`: the variant's name |
//! | other variants | `struct` with one member, the variant's name (serde's externally tagged form) |
//! | [`DateTime`], and `time` types through [`primitive_datetime`] / [`offset_datetime`] | `dateTime.iso8601` |
//! | [`Value`], [`Struct`] | themselves |
//!
//! Deserializing goes by the value's own type (`deserialize_any`), with
//! these additions: a `dateTime.iso8601` reads as its text, a `base64` as
//! bytes or as a sequence of `u8` (so a plain `Vec<u8>` field accepts it),
//! an `int` or `i8` as any number type that holds it, `nil` as `None` or
//! `()`, and an enum from a string (unit variant) or a one-member struct.
//!
//! Deserialization recurses once per level of the value, so a value is as
//! deep as the decoder's [`Limits::max_depth`](crate::Limits) allowed.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use xmlrpc_proto::{Value, from_value, to_value};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize)]
//! struct Point {
//!     x: i32,
//!     y: i32,
//!     label: Option<String>,
//! }
//!
//! let p = Point { x: 1, y: -2, label: None };
//! let v = to_value(&p).unwrap();
//! assert_eq!(v["x"], Value::Int(1));
//! assert_eq!(v["label"], Value::Nil);
//! assert_eq!(from_value::<Point>(v).unwrap(), p);
//! ```

mod de;
mod ser;

use std::fmt;

use ::serde::de::{DeserializeOwned, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use ::serde::ser::SerializeMap;
use ::serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{ConversionError, DateTime, FromValue, IntoValue, Struct, Value};

/// The newtype name under which a [`DateTime`] serializes its text; the
/// serializer of this module turns it back into a `dateTime.iso8601`.
const DATETIME_NAME: &str = "$xmlrpc_proto::DateTime";
/// The newtype name under which a [`Value::I8`] serializes its number.
const I8_NAME: &str = "$xmlrpc_proto::i8";
/// The newtype name under which a [`Value`] asks to be deserialized, so that
/// the deserializer of this module can hand over dateTimes and `i8`s with
/// their type.
const VALUE_NAME: &str = "$xmlrpc_proto::Value";
/// The enum variants of that hand-over.
const DATETIME_VARIANT: &str = "dateTime.iso8601";
const I8_VARIANT: &str = "i8";

/// Converts any `Serialize` type to a [`Value`].
///
/// # Errors
///
/// For what XML-RPC cannot hold: an integer beyond `i8`, a NaN or infinite
/// double, a map key that is not a string or an integer. The error's path
/// says where it was met.
///
/// ```
/// use std::collections::BTreeMap;
/// use xmlrpc_proto::{Value, to_value};
///
/// let m = BTreeMap::from([("a", vec![1_u64, 1 << 40])]);
/// let v = to_value(&m).unwrap();
/// assert_eq!(v["a"][1], Value::I8(1 << 40));
///
/// let err = to_value(&[u64::MAX]).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "[0]: expected integer in range of i8, found 18446744073709551615"
/// );
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, ConversionError> {
    value.serialize(ser::ValueSerializer)
}

/// Converts a [`Value`] to any `Deserialize` type.
///
/// # Errors
///
/// When the value does not have the shape the type wants; the error's path
/// says where.
///
/// ```
/// use serde::Deserialize;
/// use xmlrpc_proto::{Struct, Value, from_value};
///
/// #[derive(Debug, Deserialize)]
/// struct User {
///     name: String,
/// }
///
/// let mut s = Struct::new();
/// s.insert("name", Value::Int(3));
/// let err = from_value::<Vec<User>>(Value::Array(vec![Value::Struct(s)])).unwrap_err();
/// assert_eq!(err.to_string(), "[0].name: expected a string, found int");
/// ```
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ConversionError> {
    T::deserialize(de::ValueDeserializer::new(value))
}

/// A `Serialize`/`Deserialize` type used where a [`FromValue`] or
/// [`IntoValue`] is expected: handler parameters and results, client
/// arguments and results.
///
/// Its signature name is `"struct"`, the usual case; wrap the elements of a
/// collection (`Vec<Serde<T>>`) rather than the collection to keep
/// signatures exact.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use xmlrpc_proto::{FromValue, IntoValue, Serde};
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize)]
/// struct Job {
///     id: u32,
///     tags: Vec<String>,
/// }
///
/// let v = Serde(Job { id: 7, tags: vec!["a".into()] }).into_value().unwrap();
/// let Serde(job) = Serde::<Job>::from_value(v).unwrap();
/// assert_eq!(job.id, 7);
/// assert_eq!(<Serde<Job> as FromValue>::xmlrpc_type(), "struct");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serde<T>(pub T);

impl<T> Serde<T> {
    /// The wrapped value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Serde<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Serde<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned> FromValue for Serde<T> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        from_value(value).map(Self)
    }
    fn xmlrpc_type() -> &'static str {
        "struct"
    }
}

impl<T: Serialize> IntoValue for Serde<T> {
    fn into_value(self) -> Result<Value, ConversionError> {
        to_value(&self.0)
    }
    fn xmlrpc_type() -> &'static str {
        "struct"
    }
}

impl ::serde::ser::Error for ConversionError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::custom(msg.to_string())
    }
}

impl ::serde::de::Error for ConversionError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::custom(msg.to_string())
    }

    fn invalid_type(unexp: ::serde::de::Unexpected<'_>, exp: &dyn ::serde::de::Expected) -> Self {
        use ::serde::de::Unexpected as U;
        let found: &dyn fmt::Display = match unexp {
            U::Bool(_) => &"boolean",
            U::Unsigned(_) | U::Signed(_) => &"int",
            U::Float(_) => &"double",
            U::Char(_) | U::Str(_) => &"string",
            U::Bytes(_) => &"base64",
            U::Unit => &"nil",
            U::Seq => &"array",
            U::Map => &"struct",
            ref other => other,
        };
        Self::expected(exp, found)
    }
}

/// Written as its text; through [`to_value`] it stays a `dateTime.iso8601`.
impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(DATETIME_NAME, self.as_str())
    }
}

/// Read from a text in one of the forms [`DateTime::parse`] accepts (a
/// `dateTime.iso8601` value reads as its text).
impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a dateTime.iso8601 text")
            }
            fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
                DateTime::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Each type as its serde counterpart: `int` as `i32`, `i8` as `i64`,
/// `base64` as bytes, `struct` as a map in member order, `nil` as unit,
/// `dateTime.iso8601` as its text. Through [`to_value`] every value comes
/// back unchanged.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Int(i) => serializer.serialize_i32(*i),
            Self::I8(i) => serializer.serialize_newtype_struct(I8_NAME, i),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::String(s) => serializer.serialize_str(s),
            Self::Double(d) => serializer.serialize_f64(*d),
            Self::DateTime(d) => d.serialize(serializer),
            Self::Base64(b) => serializer.serialize_bytes(b),
            Self::Struct(s) => s.serialize(serializer),
            Self::Array(a) => serializer.collect_seq(a),
            Self::Nil => serializer.serialize_unit(),
        }
    }
}

/// A map, in member order.
impl Serialize for Struct {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Any self-describing input: integers become `int` when they fit 32 bits,
/// else `i8`; maps become structs (keys must be strings); unit and `None`
/// become `nil`. Through [`from_value`] every value comes back unchanged.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(VALUE_NAME, ValueVisitor)
    }
}

/// A map with string keys.
impl<'de> Deserialize<'de> for Struct {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Struct(s) => Ok(s),
            other => Err(::serde::de::Error::custom(format_args!(
                "expected struct, found {}",
                other.type_name()
            ))),
        }
    }
}

struct ValueVisitor;

fn int64(v: i64) -> Value {
    i32::try_from(v).map_or(Value::I8(v), Value::Int)
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an XML-RPC value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i32<E>(self, v: i32) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(int64(v))
    }
    fn visit_u64<E: ::serde::de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v).map(int64).map_err(|_| {
            E::invalid_value(
                ::serde::de::Unexpected::Unsigned(v),
                &"an integer in range of i8",
            )
        })
    }
    fn visit_i128<E: ::serde::de::Error>(self, v: i128) -> Result<Value, E> {
        i64::try_from(v).map(int64).map_err(|_| {
            E::custom(format_args!(
                "expected an integer in range of i8, found {v}"
            ))
        })
    }
    fn visit_u128<E: ::serde::de::Error>(self, v: u128) -> Result<Value, E> {
        i64::try_from(v).map(int64).map_err(|_| {
            E::custom(format_args!(
                "expected an integer in range of i8, found {v}"
            ))
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Double(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Base64(v.to_vec()))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Base64(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            members.push((k, v));
        }
        Ok(Value::Struct(Struct::from_members(members)))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (variant, access): (String, _) = data.variant()?;
        match variant.as_str() {
            DATETIME_VARIANT => {
                let text: String = access.newtype_variant()?;
                DateTime::parse(&text)
                    .map(Value::DateTime)
                    .map_err(::serde::de::Error::custom)
            }
            I8_VARIANT => access.newtype_variant().map(Value::I8),
            _ => Err(::serde::de::Error::unknown_variant(
                &variant,
                &[DATETIME_VARIANT, I8_VARIANT],
            )),
        }
    }
}

/// `time::PrimitiveDateTime` as a `dateTime.iso8601`, for
/// `#[serde(with = "xmlrpc_proto::serde::primitive_datetime")]`.
///
/// Written in the compact form with no zone; read as written, ignoring any
/// zone (see [`DateTime::to_primitive`]).
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use time::PrimitiveDateTime;
/// use time::macros::datetime;
/// use xmlrpc_proto::{DateTime, Value, from_value, to_value};
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize)]
/// struct Event {
///     #[serde(with = "xmlrpc_proto::serde::primitive_datetime")]
///     at: PrimitiveDateTime,
/// }
///
/// let e = Event { at: datetime!(1998-07-17 14:08:55) };
/// let v = to_value(&e).unwrap();
/// assert_eq!(v["at"], Value::DateTime(DateTime::parse("19980717T14:08:55").unwrap()));
/// assert_eq!(from_value::<Event>(v).unwrap(), e);
/// ```
pub mod primitive_datetime {
    use ::serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::PrimitiveDateTime;

    use crate::DateTime;

    /// Serializes `dt` as a [`DateTime`].
    ///
    /// # Errors
    ///
    /// For a year outside 0..=9999.
    pub fn serialize<S: Serializer>(dt: &PrimitiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        if !(0..=9999).contains(&dt.year()) {
            return Err(::serde::ser::Error::custom(format_args!(
                "expected dateTime with a year in 0..=9999, found year {}",
                dt.year()
            )));
        }
        DateTime::from(*dt).serialize(s)
    }

    /// Deserializes a [`DateTime`] and takes its date and time as written.
    ///
    /// # Errors
    ///
    /// When the input is not a dateTime text.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PrimitiveDateTime, D::Error> {
        DateTime::deserialize(d).map(|d| d.to_primitive())
    }
}

/// `time::OffsetDateTime` as a `dateTime.iso8601`, for
/// `#[serde(with = "xmlrpc_proto::serde::offset_datetime")]`.
///
/// Written in the compact form in the value's own offset with the offset
/// appended (`Z` for UTC); a text without a zone is read as UTC.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use time::OffsetDateTime;
/// use time::macros::datetime;
/// use xmlrpc_proto::{DateTime, Value, from_value, to_value};
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize)]
/// struct Event {
///     #[serde(with = "xmlrpc_proto::serde::offset_datetime")]
///     at: OffsetDateTime,
/// }
///
/// let mut v = to_value(&Event { at: datetime!(1998-07-17 14:08:55 +2) }).unwrap();
/// assert_eq!(v["at"].as_datetime().unwrap().as_str(), "19980717T14:08:55+02:00");
/// let naive = DateTime::parse("19980717T14:08:55").unwrap();
/// let mut s = xmlrpc_proto::Struct::new();
/// s.insert("at", Value::DateTime(naive));
/// let e: Event = from_value(Value::Struct(s)).unwrap();
/// assert_eq!(e.at, datetime!(1998-07-17 14:08:55 UTC));
/// ```
pub mod offset_datetime {
    use ::serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::{OffsetDateTime, UtcOffset};

    use crate::DateTime;

    /// Serializes `dt` as a [`DateTime`].
    ///
    /// # Errors
    ///
    /// For a year outside 0..=9999.
    pub fn serialize<S: Serializer>(dt: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        if !(0..=9999).contains(&dt.year()) {
            return Err(::serde::ser::Error::custom(format_args!(
                "expected dateTime with a year in 0..=9999, found year {}",
                dt.year()
            )));
        }
        DateTime::from(*dt).serialize(s)
    }

    /// Deserializes a [`DateTime`]; a text without a zone is taken as UTC.
    ///
    /// # Errors
    ///
    /// When the input is not a dateTime text.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        DateTime::deserialize(d).map(|d| d.assume_offset(UtcOffset::UTC))
    }
}
