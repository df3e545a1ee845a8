#![no_main]
//! The serde mapping. Any value (arbitrary, or decoded from the bytes of
//! a response) deserializes into a set of Rust types or fails, never
//! panics; whatever it gives serializes, and reads back the same. And any
//! Rust value that serializes reads back equal to itself.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;

use arbitrary::{Arbitrary, Unstructured};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use xmlrpc_proto::codec::decode_response;
use xmlrpc_proto::{DateTime, Limits, Struct, Value, from_value, to_value};

#[derive(Debug, PartialEq, Serialize, Deserialize, Arbitrary)]
struct Point {
    x: i32,
    y: i64,
    label: Option<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, Arbitrary)]
enum Shape {
    Dot,
    Circle { r: f64, at: Point },
    Line(Point, Point),
    Tagged(u16),
    Poly(Vec<Point>),
}

#[derive(Debug, PartialEq, Serialize, Deserialize, Arbitrary)]
struct Record {
    id: u32,
    big: i64,
    ratio: f64,
    small: f32,
    flag: bool,
    letter: char,
    name: String,
    bytes: Vec<u8>,
    tags: Vec<String>,
    shape: Shape,
    shapes: Vec<Shape>,
    pair: (i8, String),
    counts: BTreeMap<String, u8>,
    by_id: BTreeMap<i32, bool>,
    nothing: (),
    maybe: Option<Point>,
    unit: Unit,
    newtype: Newtype,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, Arbitrary)]
struct Unit;

#[derive(Debug, PartialEq, Serialize, Deserialize, Arbitrary)]
struct Newtype(u64);

/// Shapes the mapping reads through serde's buffered paths (`Content`):
/// nothing to compare, only to run.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind")]
enum Internally {
    A { n: i32 },
    B { s: String, more: Option<Vec<u8>> },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Untagged {
    Int(i64),
    Text(String),
    Many(Vec<Untagged>),
    Point(Point),
}

#[derive(Debug, Serialize, Deserialize)]
struct Flattened {
    id: i32,
    #[serde(flatten)]
    rest: HashMap<String, Value>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Strict {
    #[serde(default)]
    a: Option<i32>,
    #[serde(rename = "dateTime")]
    when: Option<DateTime>,
}

/// `v` with the members of every struct sorted by name: a `HashMap`
/// writes its members in no fixed order.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        Value::Struct(s) => {
            let mut members: Vec<(String, Value)> =
                s.iter().map(|(k, x)| (k.to_owned(), sorted(x))).collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Struct(Struct::from_members(members))
        }
        other => other.clone(),
    }
}

/// Reads `value` as a `T`; when it reads, what it writes reads back and
/// writes the same value again (up to the order of struct members).
fn read<T: Serialize + DeserializeOwned + Debug>(value: &Value) {
    let Ok(t) = from_value::<T>(value.clone()) else {
        return;
    };
    let _ = format!("{t:?}");
    // Reading succeeded, writing may still refuse (a NaN read from a
    // double): then there is nothing to compare.
    let Ok(written) = to_value(&t) else {
        return;
    };
    let again: T = match from_value(written.clone()) {
        Ok(a) => a,
        Err(e) => panic!("{t:?} wrote {written:?}, which does not read back: {e}"),
    };
    let again = to_value(&again).map(|v| sorted(&v));
    assert_eq!(again, Ok(sorted(&written)), "{t:?}");
}

fn read_all(value: &Value) {
    read::<i32>(value);
    read::<u64>(value);
    read::<f64>(value);
    read::<bool>(value);
    read::<char>(value);
    read::<String>(value);
    read::<Vec<u8>>(value);
    read::<Option<i32>>(value);
    read::<Vec<Option<String>>>(value);
    read::<(i32, String, bool)>(value);
    read::<HashMap<String, i64>>(value);
    read::<BTreeMap<u8, String>>(value);
    read::<Point>(value);
    read::<Shape>(value);
    read::<Vec<Shape>>(value);
    read::<Record>(value);
    read::<Value>(value);
    read::<Struct>(value);
    read::<DateTime>(value);
    read::<Internally>(value);
    read::<Untagged>(value);
    read::<Flattened>(value);
    read::<Strict>(value);
}

/// `t` written and read back is `t`, unless writing refuses it (NaN,
/// an integer beyond `i8`).
fn round_trip<T: Serialize + DeserializeOwned + Debug + PartialEq>(t: &T) {
    let Ok(written) = to_value(t) else {
        return;
    };
    match from_value::<T>(written.clone()) {
        Ok(back) => assert_eq!(&back, t, "wrote {written:?}"),
        Err(e) => panic!("{t:?} wrote {written:?}, which does not read back: {e}"),
    }
}

#[derive(Debug, Arbitrary)]
enum Input {
    Value(Value),
    Response(Vec<u8>),
    Record(Box<Record>),
    Shapes(Vec<Shape>),
    Map(HashMap<String, Point>),
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    match input {
        Input::Value(v) => read_all(&v),
        Input::Response(bytes) => {
            if let Ok(Ok(v)) = decode_response(&bytes, &Limits::default()) {
                read_all(&v);
            }
        }
        Input::Record(r) => round_trip(&*r),
        Input::Shapes(s) => round_trip(&s),
        Input::Map(m) => round_trip(&m),
    }
});
