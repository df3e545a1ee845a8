//! Conversions between Rust types and [`Value`]: [`FromValue`] and
//! [`IntoValue`].
//!
//! See [`FromValue`] for the mapping between Rust types and XML-RPC types.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, Hash};

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::{DateTime, Struct, Value};

/// The signature name of [`Value`] itself: a parameter or result that may
/// be of any XML-RPC type.
///
/// XML-RPC introspection has no standard name for "any type"; this crate
/// uses `"value"`.
pub const ANY_TYPE: &str = "value";

/// A value of the wrong type or out of range for the Rust type asked for.
///
/// Its message says what was expected and what arrived, for example
/// `expected int, found string`. An error met inside an array or a struct
/// carries the path to the offending element, shown before the message:
/// `[2].name: expected string, found int`.
///
/// ```
/// use xmlrpc_proto::{FromValue, Struct, Value};
///
/// let mut s = Struct::new();
/// s.insert("name", Value::Int(7));
/// let v = Value::Array(vec![Value::Struct(Struct::new()), Value::Struct(s)]);
/// let err = Vec::<std::collections::HashMap<String, String>>::from_value(v).unwrap_err();
/// assert_eq!(err.to_string(), "[1].name: expected string, found int");
/// assert_eq!(err.path(), "[1].name");
/// assert_eq!(err.message(), "expected string, found int");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionError {
    path: String,
    message: String,
}

/// Member names longer than this are shortened in error paths.
const MAX_NAME_IN_PATH: usize = 64;

impl ConversionError {
    /// `expected EXPECTED, found TYPE`, with the XML-RPC type name of
    /// `found`.
    #[must_use]
    pub fn mismatch(expected: &str, found: &Value) -> Self {
        Self::expected(expected, found.type_name())
    }

    /// `expected EXPECTED, found FOUND`, for any description of what
    /// arrived (`expected int in range of u16, found 70000`).
    pub fn expected(expected: impl fmt::Display, found: impl fmt::Display) -> Self {
        Self::custom(format!("expected {expected}, found {found}"))
    }

    /// An error with this message.
    pub fn custom(message: impl Into<String>) -> Self {
        Self {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The message, without the path.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the error was met, from the outermost value: `[2].name`, or
    /// `""` for the value itself.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The same error, met in the element `index` of an array.
    #[must_use]
    pub fn at_index(mut self, index: usize) -> Self {
        self.prepend(&format!("[{index}]"));
        self
    }

    /// The same error, met in the member `name` of a struct (names longer
    /// than 64 characters are shortened).
    #[must_use]
    pub fn at_member(mut self, name: &str) -> Self {
        match name.char_indices().nth(MAX_NAME_IN_PATH) {
            Some((end, _)) => self.prepend(&format!("{}…", &name[..end])),
            None => self.prepend(name),
        }
        self
    }

    fn prepend(&mut self, segment: &str) {
        let sep = if self.path.is_empty() || self.path.starts_with('[') {
            ""
        } else {
            "."
        };
        self.path = format!("{segment}{sep}{}", self.path);
    }
}

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ConversionError {}

/// A Rust type that can be built from an XML-RPC [`Value`]: what handler
/// parameters and client results are converted with.
///
/// # The mapping
///
/// | Rust | XML-RPC | signature name |
/// |---|---|---|
/// | `i8`, `i16`, `i32`, `u16` | `int` (an `i8` in range is accepted too) | `"int"` |
/// | `i64`, `isize`, `u32`, `u64`, `usize`, `i128`, `u128` | `int` when the number fits 32 bits, else `i8` | `"i8"` |
/// | `bool` | `boolean` | `"boolean"` |
/// | `f64`, `f32` | `double` (an `int`, or an `i8` a double holds exactly, is accepted too) | `"double"` |
/// | `String`, `&str`, `Box<str>`, `Cow<str>`, `char` | `string` | `"string"` |
/// | `Vec<u8>`, `Box<[u8]>`, `[u8; N]`, `&[u8]` | `base64` | `"base64"` |
/// | [`DateTime`], `time::PrimitiveDateTime`, `time::OffsetDateTime` | `dateTime.iso8601` | `"dateTime.iso8601"` |
/// | `Vec<T>`, `VecDeque<T>`, `Box<[T]>`, `[T; N]`, `&[T]`, sets, tuples of 1 to 12 | `array` | `"array"` |
/// | `HashMap<String, T>`, `BTreeMap<String, T>`, [`Struct`] | `struct` | `"struct"` |
/// | `Option<T>` | `nil` for `None`, else as `T` | as `T` |
/// | `()` | `nil` | `"nil"` |
/// | [`Value`] | any value, unchanged | `"value"` ([`ANY_TYPE`]) |
///
/// Borrowed forms (`&str`, `&[T]`, `&[u8]`, and `&T` for any cloneable
/// `T: IntoValue`) only convert into values; `Box<T>` converts as `T`. With the
/// `serde` feature, `Serde<T>` converts any `Serialize`/`Deserialize` type.
///
/// `u8` has no conversion of its own, so that `Vec<u8>` can mean `base64`
/// rather than an array of ints. Convert a single byte through `u16` or
/// `i32` and `u8::try_from`.
///
/// A [`ConversionError`] says what was expected and what arrived, and where
/// inside arrays and structs: `[2].name: expected string, found int`.
///
/// # Example
///
/// ```
/// use xmlrpc_proto::{FromValue, Value};
///
/// let v = Value::Array(vec![Value::Int(1), Value::from("two")]);
/// let (n, s) = <(u16, String)>::from_value(v).unwrap();
/// assert_eq!((n, s.as_str()), (1, "two"));
///
/// let err = u16::from_value(Value::Int(70000)).unwrap_err();
/// assert_eq!(err.to_string(), "expected int in range of u16, found 70000");
/// assert_eq!(<Vec<u16>>::xmlrpc_type(), "array");
/// ```
pub trait FromValue: Sized {
    /// Converts `value`, consuming it (strings and arrays are moved, not
    /// copied).
    ///
    /// # Errors
    ///
    /// When the value has another type or is out of range.
    fn from_value(value: Value) -> Result<Self, ConversionError>;

    /// The XML-RPC type name used in introspection signatures (`"int"`,
    /// `"string"`, `"array"`, ...).
    fn xmlrpc_type() -> &'static str;
}

/// A Rust type that can be turned into an XML-RPC [`Value`]: what handler
/// results and client parameters are converted with.
///
/// The types covered are those of [`FromValue`], in the other direction.
///
/// ```
/// use xmlrpc_proto::{IntoValue, Value};
///
/// assert_eq!(5_u64.into_value(), Ok(Value::Int(5)));
/// assert_eq!((1_i64 << 40).into_value(), Ok(Value::I8(1 << 40)));
/// assert_eq!(vec![0_u8, 1].into_value(), Ok(Value::Base64(vec![0, 1])));
/// assert_eq!(
///     ("a", Some(true), None::<i32>).into_value(),
///     Ok(Value::Array(vec![Value::from("a"), Value::Bool(true), Value::Nil]))
/// );
/// assert!(u64::MAX.into_value().is_err());
/// ```
pub trait IntoValue {
    /// Converts `self`.
    ///
    /// # Errors
    ///
    /// When the value cannot be represented in XML-RPC (an integer beyond
    /// `i8`, for example).
    fn into_value(self) -> Result<Value, ConversionError>;

    /// The XML-RPC type name used in introspection signatures.
    fn xmlrpc_type() -> &'static str
    where
        Self: Sized;
}

// ---------------------------------------------------------------- Value, Struct

/// Any value, unchanged. Its signature name is [`ANY_TYPE`].
impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        Ok(value)
    }
    fn xmlrpc_type() -> &'static str {
        ANY_TYPE
    }
}

/// Any value, unchanged. Its signature name is [`ANY_TYPE`].
impl IntoValue for Value {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(self)
    }
    fn xmlrpc_type() -> &'static str {
        ANY_TYPE
    }
}

impl FromValue for Struct {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Struct(s) => Ok(s),
            other => Err(ConversionError::mismatch("struct", &other)),
        }
    }
    fn xmlrpc_type() -> &'static str {
        "struct"
    }
}

impl IntoValue for Struct {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::Struct(self))
    }
    fn xmlrpc_type() -> &'static str {
        "struct"
    }
}

/// A reference converts like the value it points to (which is cloned).
impl<T: IntoValue + Clone> IntoValue for &T {
    fn into_value(self) -> Result<Value, ConversionError> {
        self.clone().into_value()
    }
    fn xmlrpc_type() -> &'static str {
        T::xmlrpc_type()
    }
}

impl<T: FromValue> FromValue for Box<T> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        T::from_value(value).map(Self::new)
    }
    fn xmlrpc_type() -> &'static str {
        T::xmlrpc_type()
    }
}

impl<T: IntoValue> IntoValue for Box<T> {
    fn into_value(self) -> Result<Value, ConversionError> {
        (*self).into_value()
    }
    fn xmlrpc_type() -> &'static str {
        T::xmlrpc_type()
    }
}

// ---------------------------------------------------------------- integers

fn integer(value: Value, expected: &str) -> Result<i64, ConversionError> {
    match value {
        Value::Int(i) => Ok(i64::from(i)),
        Value::I8(i) => Ok(i),
        other => Err(ConversionError::mismatch(expected, &other)),
    }
}

/// Integers that always fit an `int`.
macro_rules! int32 {
    ($($t:ty),*) => {$(
        /// Accepts an `int`, or an `i8` within range.
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                let n = integer(value, "int")?;
                <$t>::try_from(n).map_err(|_| {
                    ConversionError::expected(concat!("int in range of ", stringify!($t)), n)
                })
            }
            fn xmlrpc_type() -> &'static str {
                "int"
            }
        }

        impl IntoValue for $t {
            fn into_value(self) -> Result<Value, ConversionError> {
                Ok(Value::Int(i32::from(self)))
            }
            fn xmlrpc_type() -> &'static str {
                "int"
            }
        }
    )*};
}

int32!(i8, i16, i32, u16);

/// Integers that may need an `i8`.
macro_rules! int64 {
    ($($t:ty),*) => {$(
        /// Accepts an `int` or an `i8` within range.
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                let n = integer(value, "int or i8")?;
                <$t>::try_from(n).map_err(|_| {
                    ConversionError::expected(
                        concat!("int or i8 in range of ", stringify!($t)),
                        n,
                    )
                })
            }
            fn xmlrpc_type() -> &'static str {
                "i8"
            }
        }

        /// An `int` when the number fits 32 bits, else an `i8`.
        ///
        /// # Errors
        ///
        /// When the number is beyond the range of `i8` (a signed 64-bit
        /// integer).
        impl IntoValue for $t {
            #[allow(clippy::useless_conversion, irrefutable_let_patterns)]
            fn into_value(self) -> Result<Value, ConversionError> {
                let Ok(n) = i64::try_from(self) else {
                    return Err(ConversionError::expected("integer in range of i8", self));
                };
                Ok(i32::try_from(n).map_or(Value::I8(n), Value::Int))
            }
            fn xmlrpc_type() -> &'static str {
                "i8"
            }
        }
    )*};
}

int64!(i64, isize, u32, u64, usize, i128, u128);

// ---------------------------------------------------------------- scalars

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(ConversionError::mismatch("boolean", &other)),
        }
    }
    fn xmlrpc_type() -> &'static str {
        "boolean"
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::Bool(self))
    }
    fn xmlrpc_type() -> &'static str {
        "boolean"
    }
}

/// The largest magnitude below which every integer is exact in an `f64`.
const F64_EXACT: u64 = 1 << 53;

/// Accepts a `double`, and also an `int` or an `i8` whose magnitude is at
/// most 2^53 (a lossless widening: peers often send whole numbers as ints).
impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Double(d) => Ok(d),
            Value::Int(i) => Ok(Self::from(i)),
            #[allow(clippy::cast_precision_loss)]
            Value::I8(i) if i.unsigned_abs() <= F64_EXACT => Ok(i as Self),
            Value::I8(i) => Err(ConversionError::expected(
                "double",
                format_args!("i8 {i}, which a double cannot hold exactly"),
            )),
            other => Err(ConversionError::mismatch("double", &other)),
        }
    }
    fn xmlrpc_type() -> &'static str {
        "double"
    }
}

/// # Errors
///
/// For NaN and the infinities, which XML-RPC cannot carry.
impl IntoValue for f64 {
    fn into_value(self) -> Result<Value, ConversionError> {
        if self.is_finite() {
            Ok(Value::Double(self))
        } else {
            Err(ConversionError::expected("a finite double", self))
        }
    }
    fn xmlrpc_type() -> &'static str {
        "double"
    }
}

/// As `f64` (ints accepted), then rounded to the nearest `f32`; a finite
/// number beyond the range of `f32` is an error.
impl FromValue for f32 {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let d = f64::from_value(value)?;
        if d.is_finite() && d.abs() > f64::from(Self::MAX) {
            return Err(ConversionError::expected("double in range of f32", d));
        }
        #[allow(clippy::cast_possible_truncation)]
        Ok(d as Self)
    }
    fn xmlrpc_type() -> &'static str {
        "double"
    }
}

impl IntoValue for f32 {
    fn into_value(self) -> Result<Value, ConversionError> {
        f64::from(self).into_value()
    }
    fn xmlrpc_type() -> &'static str {
        "double"
    }
}

impl FromValue for () {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Nil => Ok(()),
            other => Err(ConversionError::mismatch("nil", &other)),
        }
    }
    fn xmlrpc_type() -> &'static str {
        "nil"
    }
}

impl IntoValue for () {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::Nil)
    }
    fn xmlrpc_type() -> &'static str {
        "nil"
    }
}

// ---------------------------------------------------------------- strings

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(ConversionError::mismatch("string", &other)),
        }
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

impl IntoValue for String {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::String(self))
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::String(self.to_owned()))
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

impl FromValue for Box<str> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        String::from_value(value).map(String::into_boxed_str)
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

impl IntoValue for Box<str> {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::String(self.into_string()))
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

impl FromValue for Cow<'_, str> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        String::from_value(value).map(Cow::Owned)
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

impl IntoValue for Cow<'_, str> {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::String(self.into_owned()))
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

/// A string of exactly one character.
impl FromValue for char {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let s = String::from_value(value)?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(ConversionError::expected(
                "string of one character",
                format_args!("string of {} characters", s.chars().count()),
            )),
        }
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

impl IntoValue for char {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::String(self.to_string()))
    }
    fn xmlrpc_type() -> &'static str {
        "string"
    }
}

// ---------------------------------------------------------------- bytes

impl FromValue for Vec<u8> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Base64(b) => Ok(b),
            other => Err(ConversionError::mismatch("base64", &other)),
        }
    }
    fn xmlrpc_type() -> &'static str {
        "base64"
    }
}

impl IntoValue for Vec<u8> {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::Base64(self))
    }
    fn xmlrpc_type() -> &'static str {
        "base64"
    }
}

impl FromValue for Box<[u8]> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        Vec::<u8>::from_value(value).map(Vec::into_boxed_slice)
    }
    fn xmlrpc_type() -> &'static str {
        "base64"
    }
}

impl IntoValue for Box<[u8]> {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::Base64(self.into_vec()))
    }
    fn xmlrpc_type() -> &'static str {
        "base64"
    }
}

impl IntoValue for &[u8] {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::Base64(self.to_vec()))
    }
    fn xmlrpc_type() -> &'static str {
        "base64"
    }
}

/// A `base64` value of exactly `N` bytes.
impl<const N: usize> FromValue for [u8; N] {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let bytes = Vec::<u8>::from_value(value)?;
        let len = bytes.len();
        bytes.try_into().map_err(|_| {
            ConversionError::expected(
                format_args!("base64 of {N} bytes"),
                format_args!("base64 of {len} bytes"),
            )
        })
    }
    fn xmlrpc_type() -> &'static str {
        "base64"
    }
}

impl<const N: usize> IntoValue for [u8; N] {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::Base64(self.to_vec()))
    }
    fn xmlrpc_type() -> &'static str {
        "base64"
    }
}

// ---------------------------------------------------------------- arrays

fn array(value: Value) -> Result<Vec<Value>, ConversionError> {
    match value {
        Value::Array(a) => Ok(a),
        other => Err(ConversionError::mismatch("array", &other)),
    }
}

fn elements(n: usize) -> String {
    if n == 1 {
        "array of 1 element".to_owned()
    } else {
        format!("array of {n} elements")
    }
}

fn convert_elements<T: FromValue, C: FromIterator<T>>(value: Value) -> Result<C, ConversionError> {
    array(value)?
        .into_iter()
        .enumerate()
        .map(|(i, v)| T::from_value(v).map_err(|e| e.at_index(i)))
        .collect()
}

fn into_elements<T: IntoValue>(
    items: impl IntoIterator<Item = T>,
) -> Result<Value, ConversionError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.into_value().map_err(|e| e.at_index(i)))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

macro_rules! sequence {
    ($($(#[$doc:meta])* [$($gen:tt)*] $t:ty),* $(,)?) => {$(
        $(#[$doc])*
        impl<$($gen)*> FromValue for $t {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                convert_elements(value)
            }
            fn xmlrpc_type() -> &'static str {
                "array"
            }
        }

        impl<$($gen)*> IntoValue for $t
        where
            T: IntoValue,
        {
            fn into_value(self) -> Result<Value, ConversionError> {
                into_elements(self)
            }
            fn xmlrpc_type() -> &'static str {
                "array"
            }
        }
    )*};
}

sequence!(
    [T: FromValue] Vec<T>,
    [T: FromValue] VecDeque<T>,
    [T: FromValue + Ord] BTreeSet<T>,
    /// Duplicate elements collapse into one.
    [T: FromValue + Eq + Hash, S: BuildHasher + Default] HashSet<T, S>,
);

impl<T: FromValue> FromValue for Box<[T]> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        Vec::<T>::from_value(value).map(Vec::into_boxed_slice)
    }
    fn xmlrpc_type() -> &'static str {
        "array"
    }
}

impl<T: IntoValue> IntoValue for Box<[T]> {
    fn into_value(self) -> Result<Value, ConversionError> {
        into_elements(self.into_vec())
    }
    fn xmlrpc_type() -> &'static str {
        "array"
    }
}

impl<T: IntoValue + Clone> IntoValue for &[T] {
    fn into_value(self) -> Result<Value, ConversionError> {
        into_elements(self.iter().cloned())
    }
    fn xmlrpc_type() -> &'static str {
        "array"
    }
}

/// An array of exactly `N` elements.
impl<T: FromValue, const N: usize> FromValue for [T; N] {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let items = array(value)?;
        if items.len() != N {
            return Err(ConversionError::expected(
                elements(N),
                elements(items.len()),
            ));
        }
        let items: Vec<T> = convert_elements(Value::Array(items))?;
        let len = items.len();
        items
            .try_into()
            .map_err(|_| ConversionError::expected(elements(N), elements(len)))
    }
    fn xmlrpc_type() -> &'static str {
        "array"
    }
}

impl<T: IntoValue, const N: usize> IntoValue for [T; N] {
    fn into_value(self) -> Result<Value, ConversionError> {
        into_elements(self)
    }
    fn xmlrpc_type() -> &'static str {
        "array"
    }
}

// ---------------------------------------------------------------- tuples

fn tuple(value: Value, n: usize) -> Result<std::vec::IntoIter<Value>, ConversionError> {
    let items = array(value)?;
    if items.len() == n {
        Ok(items.into_iter())
    } else {
        Err(ConversionError::expected(
            elements(n),
            elements(items.len()),
        ))
    }
}

fn element<T: FromValue>(
    items: &mut std::vec::IntoIter<Value>,
    index: usize,
) -> Result<T, ConversionError> {
    // `tuple` checked the length, so this `Nil` is never converted; a
    // missing element would still only give an error, not a panic.
    T::from_value(items.next().unwrap_or(Value::Nil)).map_err(|e| e.at_index(index))
}

macro_rules! tuples {
    ($($n:literal => ($($T:ident $i:tt),+);)*) => {$(
        /// An array of exactly as many elements as the tuple has.
        impl<$($T: FromValue),+> FromValue for ($($T,)+) {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                let mut items = tuple(value, $n)?;
                Ok(($(element::<$T>(&mut items, $i)?,)+))
            }
            fn xmlrpc_type() -> &'static str {
                "array"
            }
        }

        impl<$($T: IntoValue),+> IntoValue for ($($T,)+) {
            fn into_value(self) -> Result<Value, ConversionError> {
                Ok(Value::Array(vec![
                    $(self.$i.into_value().map_err(|e| e.at_index($i))?,)+
                ]))
            }
            fn xmlrpc_type() -> &'static str {
                "array"
            }
        }
    )*};
}

tuples! {
    1 => (A 0);
    2 => (A 0, B 1);
    3 => (A 0, B 1, C 2);
    4 => (A 0, B 1, C 2, D 3);
    5 => (A 0, B 1, C 2, D 3, E 4);
    6 => (A 0, B 1, C 2, D 3, E 4, F 5);
    7 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    8 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
    9 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
    10 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
    11 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
    12 => (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
}

// ---------------------------------------------------------------- Option

/// `nil` is `None`; any other value is converted as `T`. The signature
/// name is `T`'s.
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Nil => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
    fn xmlrpc_type() -> &'static str {
        T::xmlrpc_type()
    }
}

/// `None` is `nil`. The signature name is `T`'s.
impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Result<Value, ConversionError> {
        self.map_or(Ok(Value::Nil), IntoValue::into_value)
    }
    fn xmlrpc_type() -> &'static str {
        T::xmlrpc_type()
    }
}

// ---------------------------------------------------------------- maps

fn members<V: FromValue>(value: Value) -> Result<Vec<(String, V)>, ConversionError> {
    let s = Struct::from_value(value)?;
    s.into_iter()
        .map(|(k, v)| match V::from_value(v) {
            Ok(v) => Ok((k, v)),
            Err(e) => Err(e.at_member(&k)),
        })
        .collect()
}

fn into_members<K: Into<String>, V: IntoValue>(
    items: impl IntoIterator<Item = (K, V)>,
) -> Result<Value, ConversionError> {
    items
        .into_iter()
        .map(|(k, v)| {
            let k = k.into();
            match v.into_value() {
                Ok(v) => Ok((k, v)),
                Err(e) => Err(e.at_member(&k)),
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|m| Value::Struct(Struct::from_members(m)))
}

/// A struct, member by member.
impl<V: FromValue, S: BuildHasher + Default> FromValue for HashMap<String, V, S> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        members(value).map(|m| m.into_iter().collect())
    }
    fn xmlrpc_type() -> &'static str {
        "struct"
    }
}

/// A struct, in the map's iteration order.
impl<K: Into<String>, V: IntoValue, S> IntoValue for HashMap<K, V, S> {
    fn into_value(self) -> Result<Value, ConversionError> {
        into_members(self)
    }
    fn xmlrpc_type() -> &'static str {
        "struct"
    }
}

/// A struct, member by member.
impl<V: FromValue> FromValue for BTreeMap<String, V> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        members(value).map(|m| m.into_iter().collect())
    }
    fn xmlrpc_type() -> &'static str {
        "struct"
    }
}

/// A struct, members sorted by name.
impl<K: Into<String>, V: IntoValue> IntoValue for BTreeMap<K, V> {
    fn into_value(self) -> Result<Value, ConversionError> {
        into_members(self)
    }
    fn xmlrpc_type() -> &'static str {
        "struct"
    }
}

// ---------------------------------------------------------------- dateTime

impl FromValue for DateTime {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::DateTime(d) => Ok(d),
            other => Err(ConversionError::mismatch("dateTime.iso8601", &other)),
        }
    }
    fn xmlrpc_type() -> &'static str {
        "dateTime.iso8601"
    }
}

impl IntoValue for DateTime {
    fn into_value(self) -> Result<Value, ConversionError> {
        Ok(Value::DateTime(self))
    }
    fn xmlrpc_type() -> &'static str {
        "dateTime.iso8601"
    }
}

fn check_year(year: i32) -> Result<(), ConversionError> {
    if (0..=9999).contains(&year) {
        Ok(())
    } else {
        Err(ConversionError::expected(
            "dateTime with a year in 0..=9999",
            format_args!("year {year}"),
        ))
    }
}

/// The date and time as written; a zone, if the text has one, is ignored
/// (see [`DateTime::to_primitive`]).
impl FromValue for PrimitiveDateTime {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        DateTime::from_value(value).map(|d| d.to_primitive())
    }
    fn xmlrpc_type() -> &'static str {
        "dateTime.iso8601"
    }
}

/// The compact form with no zone, `19980717T14:08:55`.
///
/// # Errors
///
/// For a year outside 0..=9999, which the wire form cannot hold.
impl IntoValue for PrimitiveDateTime {
    fn into_value(self) -> Result<Value, ConversionError> {
        check_year(self.year())?;
        Ok(Value::DateTime(DateTime::from(self)))
    }
    fn xmlrpc_type() -> &'static str {
        "dateTime.iso8601"
    }
}

/// The instant the text names; a text without a zone (the usual XML-RPC
/// case) is taken as UTC.
impl FromValue for OffsetDateTime {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        DateTime::from_value(value).map(|d| d.assume_offset(UtcOffset::UTC))
    }
    fn xmlrpc_type() -> &'static str {
        "dateTime.iso8601"
    }
}

/// The compact form in the value's own offset, with the offset appended
/// (`Z` for UTC): `19980717T14:08:55+02:00`.
///
/// # Errors
///
/// For a year outside 0..=9999, which the wire form cannot hold.
impl IntoValue for OffsetDateTime {
    fn into_value(self) -> Result<Value, ConversionError> {
        check_year(self.year())?;
        Ok(Value::DateTime(DateTime::from(self)))
    }
    fn xmlrpc_type() -> &'static str {
        "dateTime.iso8601"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest() {
        let e = ConversionError::mismatch("string", &Value::Int(1))
            .at_member("name")
            .at_index(2);
        assert_eq!(e.to_string(), "[2].name: expected string, found int");
        let e = ConversionError::custom("x")
            .at_index(1)
            .at_member("a")
            .at_member("b");
        assert_eq!(e.path(), "b.a[1]");
        let long = "n".repeat(100);
        let e = ConversionError::custom("x").at_member(&long);
        assert_eq!(e.path().chars().count(), MAX_NAME_IN_PATH + 1);
    }
}
