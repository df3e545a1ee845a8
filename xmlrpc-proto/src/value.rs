//! The XML-RPC value model: [`Value`], [`Struct`], [`Fault`] and [`MethodCall`].

use std::fmt;

use crate::DateTime;

/// One XML-RPC value.
///
/// The set of variants is the XML-RPC specification's plus the two common
/// extensions, `<nil/>` and `<i8>`. It is closed on purpose (the wire format
/// is fixed), so the enum is not `#[non_exhaustive]` and a `match` over it
/// can be exhaustive.
///
/// ```
/// use xmlrpc_proto::{Struct, Value};
///
/// let v = Value::Array(vec![Value::Int(1), Value::from("two"), Value::Nil]);
/// assert_eq!(v.type_name(), "array");
/// let mut s = Struct::new();
/// s.insert("answer", Value::Int(42));
/// assert_eq!(Value::Struct(s)["answer"], Value::Int(42));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `<i4>` or `<int>`: a 32-bit signed integer.
    Int(i32),
    /// `<i8>` (extension): a 64-bit signed integer.
    I8(i64),
    /// `<boolean>`: `0` or `1` on the wire.
    Bool(bool),
    /// `<string>`, or a `<value>` without a type element.
    String(String),
    /// `<double>`: always finite when written.
    Double(f64),
    /// `<dateTime.iso8601>`.
    DateTime(DateTime),
    /// `<base64>`: the decoded bytes.
    Base64(Vec<u8>),
    /// `<struct>`: named members, in the order received.
    Struct(Struct),
    /// `<array>`.
    Array(Vec<Self>),
    /// `<nil/>` (extension).
    Nil,
}

impl Value {
    /// The XML-RPC name of this value's type, as used in introspection
    /// signatures and error messages (`"int"`, `"i8"`, `"boolean"`,
    /// `"string"`, `"double"`, `"dateTime.iso8601"`, `"base64"`, `"struct"`,
    /// `"array"`, `"nil"`).
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

    /// The integer, if this is an `int` or an `i8` value.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Self::Int(i) => Some(i64::from(i)),
            Self::I8(i) => Some(i),
            _ => None,
        }
    }

    /// The number, if this is a `double` value.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Self::Double(d) => Some(d),
            _ => None,
        }
    }

    /// The boolean, if this is a `boolean` value.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Self::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&[Self]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if this is a struct.
    #[must_use]
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Self::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is a base64 value.
    #[must_use]
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Base64(b) => Some(b),
            _ => None,
        }
    }

    /// The dateTime, if this is a `dateTime.iso8601` value.
    #[must_use]
    pub fn as_datetime(&self) -> Option<&DateTime> {
        match self {
            Self::DateTime(d) => Some(d),
            _ => None,
        }
    }

    /// Whether this is `<nil/>`.
    #[must_use]
    pub fn is_nil(&self) -> bool {
        matches!(self, Self::Nil)
    }

    /// The member `name` of a struct, or `None` when this is not a struct
    /// or has no such member.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Self> {
        self.as_struct().and_then(|s| s.get(name))
    }
}

static NIL: Value = Value::Nil;

/// `value["name"]`: a struct's member, or `Nil` when absent or not a struct.
impl std::ops::Index<&str> for Value {
    type Output = Self;
    fn index(&self, name: &str) -> &Self {
        self.get(name).unwrap_or(&NIL)
    }
}

/// `value[i]`: an array's element, or `Nil` when out of range or not an array.
impl std::ops::Index<usize> for Value {
    type Output = Self;
    fn index(&self, i: usize) -> &Self {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NIL)
    }
}

/// Struct members are kept first-come order as in a Python `dict`.
///
/// # Duplicate member names
///
/// A struct holds each name at most once. Inserting a name that is already
/// present replaces its value and keeps its original position; so does a
/// document that repeats a member name: the **last value wins, at the
/// position of the first** (what Python's `xmlrpc.client` and most peers,
/// which load structs into hash maps, end up with).
///
/// ```
/// use xmlrpc_proto::{Struct, Value};
///
/// let mut s = Struct::new();
/// s.insert("a", Value::Int(1));
/// s.insert("b", Value::Int(2));
/// s.insert("a", Value::Int(3));
/// let names: Vec<&str> = s.iter().map(|(k, _)| k).collect();
/// assert_eq!(names, ["a", "b"]);
/// assert_eq!(s.get("a"), Some(&Value::Int(3)));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Struct {
    members: Vec<(String, Value)>,
}

/// Above this many members, de-duplication uses a hash set instead of a
/// linear scan, so that a hostile struct with many members stays linear.
const LINEAR_SCAN_MAX: usize = 16;

impl Struct {
    /// An empty struct.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            members: Vec::new(),
        }
    }

    /// An empty struct with room for `n` members.
    #[must_use]
    pub fn with_capacity(n: usize) -> Self {
        Self {
            members: Vec::with_capacity(n),
        }
    }

    /// Builds a struct from members in order, applying the duplicate policy
    /// (last value wins, at the first position) in time linear in the
    /// number of members.
    #[must_use]
    pub fn from_members(members: Vec<(String, Value)>) -> Self {
        if members.len() <= LINEAR_SCAN_MAX {
            let mut s = Self::with_capacity(members.len());
            for (k, v) in members {
                s.insert(k, v);
            }
            return s;
        }
        let mut index: std::collections::HashMap<String, usize> =
            std::collections::HashMap::with_capacity(members.len());
        let mut out: Vec<(String, Value)> = Vec::with_capacity(members.len());
        for (k, v) in members {
            if let Some(&i) = index.get(&k) {
                out[i].1 = v;
            } else {
                index.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
        Self { members: out }
    }

    /// The number of members.
    #[must_use]
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the struct has no members.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The value of member `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The value of member `name`, mutably.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.members
            .iter_mut()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// Whether member `name` is present.
    #[must_use]
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets member `name`. An existing member keeps its position and its
    /// old value is returned; a new one goes last.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        let name = name.into();
        let value = value.into();
        if let Some(slot) = self.get_mut(&name) {
            return Some(std::mem::replace(slot, value));
        }
        self.members.push((name, value));
        None
    }

    /// Removes member `name`, keeping the order of the others.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.members.iter().position(|(k, _)| k == name)?;
        Some(self.members.remove(i).1)
    }

    /// The members in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.members.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The member names in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.members.iter().map(|(k, _)| k.as_str())
    }

    /// The members as a slice of `(name, value)` pairs, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[(String, Value)] {
        &self.members
    }

    /// The members as a vector of `(name, value)` pairs, in order.
    #[must_use]
    pub fn into_vec(self) -> Vec<(String, Value)> {
        self.members
    }
}

impl IntoIterator for Struct {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.members.into_iter()
    }
}

impl<'a> IntoIterator for &'a Struct {
    type Item = &'a (String, Value);
    type IntoIter = std::slice::Iter<'a, (String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.members.iter()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Struct {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::from_members(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl std::ops::Index<&str> for Struct {
    type Output = Value;
    fn index(&self, name: &str) -> &Value {
        self.get(name).unwrap_or(&NIL)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Self::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Self::Double(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::String(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::String(v.to_owned())
    }
}
impl From<Vec<Self>> for Value {
    fn from(v: Vec<Self>) -> Self {
        Self::Array(v)
    }
}
impl From<Struct> for Value {
    fn from(v: Struct) -> Self {
        Self::Struct(v)
    }
}
impl From<DateTime> for Value {
    fn from(v: DateTime) -> Self {
        Self::DateTime(v)
    }
}

/// An XML-RPC fault: the error answer of a procedure, with a numeric code
/// and a human-readable string.
///
/// A fault is data, not a failure of this library: handlers return it on
/// purpose and clients receive it as a normal outcome of a call.
///
/// ```
/// use xmlrpc_proto::Fault;
///
/// let f = Fault::new(123, "The fault procedure is faulty.");
/// assert_eq!(f.to_string(), "fault 123: The fault procedure is faulty.");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fault {
    /// `faultCode`.
    pub code: i32,
    /// `faultString`.
    pub string: String,
}

impl Fault {
    /// A fault with this code and string.
    pub fn new(code: i32, string: impl Into<String>) -> Self {
        Self {
            code,
            string: string.into(),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault {}: {}", self.code, self.string)
    }
}

impl std::error::Error for Fault {}

/// A `methodCall`: the procedure's name and its positional parameters.
///
/// ```
/// use xmlrpc_proto::{MethodCall, Value};
///
/// let call = MethodCall::new("add", vec![Value::Int(1), Value::Int(2)]);
/// assert_eq!(call.name, "add");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MethodCall {
    /// `methodName`.
    pub name: String,
    /// The `params`, in order.
    pub params: Vec<Value>,
}

impl MethodCall {
    /// A call of `name` with `params`.
    pub fn new(name: impl Into<String>, params: Vec<Value>) -> Self {
        Self {
            name: name.into(),
            params,
        }
    }
}

/// The outcome carried by a `methodResponse`: one value, or a fault.
pub type Response = Result<Value, Fault>;
