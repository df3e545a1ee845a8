//! The `serde` feature: `to_value`, `from_value` and `Serde<T>`.
#![cfg(feature = "serde")]

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use time::macros::datetime;
use time::{OffsetDateTime, PrimitiveDateTime};
use xmlrpc_proto::{DateTime, FromValue, IntoValue, Serde, Struct, Value, from_value, to_value};

fn s(text: &str) -> Value {
    Value::from(text)
}

fn st(members: &[(&str, Value)]) -> Value {
    Value::Struct(
        members
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Struct>(),
    )
}

fn arr(items: &[Value]) -> Value {
    Value::Array(items.to_vec())
}

fn dt(text: &str) -> Value {
    Value::DateTime(DateTime::parse(text).unwrap())
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_struct().unwrap().keys().collect()
}

fn round_trip<T>(x: &T) -> Value
where
    T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let v = to_value(x).unwrap();
    assert_eq!(&from_value::<T>(v.clone()).unwrap(), x, "through {v:?}");
    v
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    name: String,
    tags: Vec<String>,
    score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Outer {
    zeta: i32,
    alpha: Vec<Inner>,
    lookup: HashMap<String, Vec<Option<i64>>>,
    when: DateTime,
    #[serde(with = "raw_bytes")]
    blob: Vec<u8>,
    plain: Vec<u8>,
    flag: bool,
    big: u64,
    nothing: (),
    pair: (u8, char),
}

/// Bytes written with `serialize_bytes`, as `serde_bytes` does.
mod raw_bytes {
    pub(super) fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(b)
    }
    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

fn outer() -> Outer {
    Outer {
        zeta: -1,
        alpha: vec![
            Inner {
                name: "a".into(),
                tags: vec![],
                score: None,
            },
            Inner {
                name: "b".into(),
                tags: vec!["x".into(), "y".into()],
                score: Some(0.5),
            },
        ],
        lookup: HashMap::from([("k".to_owned(), vec![Some(1 << 40), None])]),
        when: DateTime::parse("19980717T14:08:55").unwrap(),
        blob: vec![0, 255],
        plain: vec![1, 2],
        flag: true,
        big: 1 << 33,
        nothing: (),
        pair: (7, 'c'),
    }
}

#[test]
fn derived_structs_map_to_structs_in_field_order() {
    let v = round_trip(&outer());
    assert_eq!(
        keys(&v),
        [
            "zeta", "alpha", "lookup", "when", "blob", "plain", "flag", "big", "nothing", "pair"
        ]
    );
    assert_eq!(v["zeta"], Value::Int(-1));
    assert_eq!(v["alpha"][1]["tags"], arr(&[s("x"), s("y")]));
    assert_eq!(v["alpha"][0]["score"], Value::Nil);
    assert_eq!(v["alpha"][1]["score"], Value::Double(0.5));
    assert_eq!(v["lookup"]["k"], arr(&[Value::I8(1 << 40), Value::Nil]));
    assert_eq!(v["when"], dt("19980717T14:08:55"));
    assert_eq!(v["blob"], Value::Base64(vec![0, 255]));
    // A plain `Vec<u8>` serializes as a sequence of ints ...
    assert_eq!(v["plain"], arr(&[Value::Int(1), Value::Int(2)]));
    assert_eq!(v["big"], Value::I8(1 << 33));
    assert_eq!(v["nothing"], Value::Nil);
    assert_eq!(v["pair"], arr(&[Value::Int(7), s("c")]));

    // ... and reads base64 too.
    let mut m = v.as_struct().unwrap().clone();
    m.insert("plain", Value::Base64(vec![1, 2]));
    assert_eq!(from_value::<Outer>(Value::Struct(m)).unwrap(), outer());
}

#[test]
fn numbers() {
    assert_eq!(to_value(&5_u64).unwrap(), Value::Int(5));
    assert_eq!(to_value(&-5_i64).unwrap(), Value::Int(-5));
    assert_eq!(to_value(&(1_u32 << 31)).unwrap(), Value::I8(1 << 31));
    assert_eq!(to_value(&200_u8).unwrap(), Value::Int(200));
    assert_eq!(to_value(&-1_i128).unwrap(), Value::Int(-1));
    assert_eq!(to_value(&1.5_f32).unwrap(), Value::Double(1.5));
    assert_eq!(
        to_value(&u64::MAX).unwrap_err().to_string(),
        "expected integer in range of i8, found 18446744073709551615"
    );
    assert_eq!(
        to_value(&f64::NAN).unwrap_err().to_string(),
        "expected a finite double, found NaN"
    );

    assert_eq!(from_value::<u64>(Value::I8(1 << 40)).unwrap(), 1 << 40);
    assert_eq!(from_value::<f64>(Value::Int(2)).unwrap(), 2.0);
    assert_eq!(from_value::<i128>(Value::I8(-7)).unwrap(), -7);
    assert_eq!(
        from_value::<u8>(Value::Int(300)).unwrap_err().to_string(),
        "invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        from_value::<i32>(s("1")).unwrap_err().to_string(),
        "expected i32, found string"
    );
    assert_eq!(
        from_value::<bool>(Value::Int(1)).unwrap_err().to_string(),
        "expected a boolean, found int"
    );
}

#[test]
fn errors_carry_paths() {
    #[derive(Debug, Serialize)]
    struct Big {
        list: Vec<BTreeMap<String, u64>>,
    }
    let err = to_value(&Big {
        list: vec![
            BTreeMap::new(),
            BTreeMap::from([("n".to_owned(), u64::MAX)]),
        ],
    })
    .unwrap_err();
    assert_eq!(err.path(), "list[1].n");

    let mut v = to_value(&outer()).unwrap();
    let Value::Struct(m) = &mut v else { panic!() };
    let Value::Array(a) = m.get_mut("alpha").unwrap() else {
        panic!()
    };
    let Value::Struct(inner) = &mut a[1] else {
        panic!()
    };
    inner.insert("tags", arr(&[s("x"), Value::Int(3)]));
    assert_eq!(
        from_value::<Outer>(v).unwrap_err().to_string(),
        "alpha[1].tags[1]: expected a string, found int"
    );

    let err = from_value::<Inner>(st(&[("name", s("a"))])).unwrap_err();
    assert_eq!(err.to_string(), "missing field `tags`");
    let err = from_value::<Inner>(arr(&[])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid length 0, expected struct Inner with 3 elements"
    );
    let err = from_value::<(i32, i32)>(arr(&[Value::Int(1)])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid length 1, expected a tuple of size 2"
    );
    let err = from_value::<(i32,)>(arr(&[Value::Int(1), Value::Int(2)])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid length 2, expected fewer elements in array"
    );
    let err = from_value::<Inner>(s("x")).unwrap_err();
    assert_eq!(err.to_string(), "expected struct Inner, found string");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Empty,
    Circle(f64),
    Rect(i32, i32),
    Named { name: String, sides: u16 },
}

#[test]
fn enums_are_externally_tagged() {
    assert_eq!(round_trip(&Shape::Empty), s("Empty"));
    assert_eq!(
        round_trip(&Shape::Circle(1.5)),
        st(&[("Circle", Value::Double(1.5))])
    );
    assert_eq!(
        round_trip(&Shape::Rect(1, 2)),
        st(&[("Rect", arr(&[Value::Int(1), Value::Int(2)]))])
    );
    assert_eq!(
        round_trip(&Shape::Named {
            name: "tri".into(),
            sides: 3
        }),
        st(&[("Named", st(&[("name", s("tri")), ("sides", Value::Int(3))]))])
    );
    round_trip(&vec![Some(Shape::Empty), None]);

    // A unit variant may also come as a one-member struct holding nil.
    assert_eq!(
        from_value::<Shape>(st(&[("Empty", Value::Nil)])).unwrap(),
        Shape::Empty
    );

    for (v, msg) in [
        (
            s("Hexagon"),
            "unknown variant `Hexagon`, expected one of `Empty`, `Circle`, `Rect`, `Named`",
        ),
        (s("Circle"), "expected newtype variant, found unit variant"),
        (
            st(&[("Empty", Value::Int(1))]),
            "Empty: expected unit variant, found int",
        ),
        (
            st(&[("Circle", s("x"))]),
            "Circle: expected f64, found string",
        ),
        (
            st(&[("Rect", Value::Int(1))]),
            "Rect: expected tuple variant, found int",
        ),
        (
            st(&[("Rect", arr(&[Value::Int(1)]))]),
            "Rect: invalid length 1, expected tuple variant Shape::Rect with 2 elements",
        ),
        (
            st(&[("Named", Value::Nil)]),
            "Named: expected struct variant, found nil",
        ),
        (
            st(&[("Named", st(&[("name", s("x"))]))]),
            "Named: missing field `sides`",
        ),
        (
            st(&[("Rect", Value::Nil), ("Empty", Value::Nil)]),
            "expected string or struct with one member (an enum), found struct",
        ),
        (
            Value::Int(0),
            "expected string or struct with one member (an enum), found int",
        ),
    ] {
        assert_eq!(
            from_value::<Shape>(v.clone()).unwrap_err().to_string(),
            msg,
            "{v:?}"
        );
    }
}

#[test]
fn other_enum_representations() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "kind")]
    enum Tagged {
        A { x: i32 },
        B { y: String },
    }
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Num(i64),
        Text(String),
    }
    let v = round_trip(&Tagged::B { y: "z".into() });
    assert_eq!(v, st(&[("kind", s("B")), ("y", s("z"))]));
    round_trip(&Tagged::A { x: 1 });
    assert_eq!(round_trip(&Either::Num(3)), Value::Int(3));
    assert_eq!(round_trip(&Either::Text("t".into())), s("t"));
    assert_eq!(
        from_value::<Either>(Value::I8(1 << 40)).unwrap(),
        Either::Num(1 << 40)
    );
}

#[test]
fn flatten_and_defaults() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Page {
        #[serde(default)]
        number: u32,
        #[serde(flatten)]
        rest: BTreeMap<String, Value>,
    }
    let v = st(&[("a", Value::Int(1)), ("when", dt("20260101T00:00:00"))]);
    let p: Page = from_value(v).unwrap();
    assert_eq!(p.number, 0);
    // Buffered through serde's own content type, a dateTime arrives as text.
    assert_eq!(p.rest["a"], Value::Int(1));
    assert_eq!(p.rest["when"], s("20260101T00:00:00"));
    let v = to_value(&p).unwrap();
    assert_eq!(keys(&v), ["number", "a", "when"]);
}

#[test]
fn maps_need_string_keys() {
    let v = to_value(&BTreeMap::from([(1, "one"), (-2, "minus two")])).unwrap();
    assert_eq!(v, st(&[("-2", s("minus two")), ("1", s("one"))]));
    assert_eq!(
        to_value(&BTreeMap::from([(true, 1)]))
            .unwrap_err()
            .to_string(),
        "expected string as struct member name, found boolean"
    );
    let m: HashMap<String, Vec<bool>> =
        from_value(st(&[("k", arr(&[Value::Bool(false)]))])).unwrap();
    assert_eq!(m["k"], [false]);
    // Integer keys are read back from their text, as JSON does.
    let v = round_trip(&BTreeMap::from([(7, "x".to_owned()), (-1, "y".to_owned())]));
    assert_eq!(v, st(&[("-1", s("y")), ("7", s("x"))]));
    assert_eq!(
        from_value::<BTreeMap<u8, i32>>(st(&[("300", Value::Int(1))]))
            .unwrap_err()
            .to_string(),
        "300: expected u8, found string"
    );
    #[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    enum Color {
        Red,
        Blue,
    }
    let v = round_trip(&BTreeMap::from([(Color::Blue, 1), (Color::Red, 2)]));
    assert_eq!(keys(&v), ["Red", "Blue"]);
}

#[test]
fn units_and_options() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Unit;
    assert_eq!(round_trip(&()), Value::Nil);
    assert_eq!(round_trip(&Unit), Value::Nil);
    assert_eq!(round_trip(&None::<i32>), Value::Nil);
    assert_eq!(round_trip(&Some(3)), Value::Int(3));
    // As in JSON, nested options and unit share one `nil`.
    assert_eq!(to_value(&Some(Some(()))).unwrap(), Value::Nil);
    assert_eq!(from_value::<Option<Option<()>>>(Value::Nil).unwrap(), None);
    // Absent members are `None`.
    #[derive(Debug, PartialEq, Deserialize)]
    struct Opt {
        a: Option<i32>,
    }
    assert_eq!(from_value::<Opt>(st(&[])).unwrap(), Opt { a: None });
}

#[test]
fn values_pass_through_unchanged() {
    let all = st(&[
        ("int", Value::Int(-1)),
        ("i8", Value::I8(5)),
        ("bool", Value::Bool(true)),
        ("string", s("x")),
        ("double", Value::Double(-0.5)),
        ("when", dt("1998-07-17T14:08:55Z")),
        ("bytes", Value::Base64(vec![1, 2, 3])),
        ("array", arr(&[Value::Nil, arr(&[])])),
        ("struct", st(&[("inner", Value::I8(1 << 40))])),
        ("nil", Value::Nil),
    ]);
    assert_eq!(to_value(&all).unwrap(), all);
    assert_eq!(from_value::<Value>(all.clone()).unwrap(), all);
    let s2: Struct = from_value(all.clone()).unwrap();
    assert_eq!(to_value(&s2).unwrap(), all);
    assert_eq!(
        from_value::<Struct>(Value::Int(1)).unwrap_err().to_string(),
        "expected struct, found int"
    );

    // Inside a derived type.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Envelope {
        id: u32,
        payload: Value,
        extra: Vec<Value>,
    }
    let e = Envelope {
        id: 1,
        payload: all.clone(),
        extra: vec![Value::I8(2), dt("20260101T12:00:00")],
    };
    assert_eq!(round_trip(&e)["payload"], all);
}

#[test]
fn values_through_json() {
    let json = serde_json::json!({"a": [1, 2.5, null, "x", true, 10_000_000_000_i64], "b": {}});
    let v: Value = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(
        v,
        st(&[
            (
                "a",
                arr(&[
                    Value::Int(1),
                    Value::Double(2.5),
                    Value::Nil,
                    s("x"),
                    Value::Bool(true),
                    Value::I8(10_000_000_000)
                ])
            ),
            ("b", st(&[])),
        ])
    );
    assert_eq!(serde_json::to_value(&v).unwrap(), json);
    let j = serde_json::to_value(st(&[
        ("when", dt("20260101T12:00:00")),
        ("n", Value::I8(3)),
    ]))
    .unwrap();
    assert_eq!(j, serde_json::json!({"when": "20260101T12:00:00", "n": 3}));
    let d: DateTime = serde_json::from_str("\"2026-01-01T12:00:00\"").unwrap();
    assert_eq!(d.as_str(), "2026-01-01T12:00:00");
    assert!(serde_json::from_str::<DateTime>("\"tomorrow\"").is_err());
    assert!(serde_json::from_str::<Value>("18446744073709551615").is_err());
}

#[test]
fn time_types_with_helpers() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Times {
        #[serde(with = "xmlrpc_proto::serde::primitive_datetime")]
        local: PrimitiveDateTime,
        #[serde(with = "xmlrpc_proto::serde::offset_datetime")]
        instant: OffsetDateTime,
    }
    let t = Times {
        local: datetime!(2026-01-01 12:00:00.25),
        instant: datetime!(2026-01-01 12:00:00 -5),
    };
    let v = round_trip(&t);
    assert_eq!(v["local"], dt("20260101T12:00:00.25"));
    assert_eq!(v["instant"], dt("20260101T12:00:00-05:00"));
    let err = to_value(&Times {
        local: datetime!(-0001-01-01 00:00:00),
        instant: datetime!(2026-01-01 12:00:00 UTC),
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "local: expected dateTime with a year in 0..=9999, found year -1"
    );
    let err = from_value::<Times>(st(&[("local", s("soon"))])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("local: invalid dateTime.iso8601"),
        "{err}"
    );
}

#[test]
fn serde_wrapper() {
    let v = Serde(outer()).into_value().unwrap();
    assert_eq!(v, to_value(&outer()).unwrap());
    let Serde(back) = Serde::<Outer>::from_value(v).unwrap();
    assert_eq!(back, outer());
    assert_eq!(<Serde<Outer> as FromValue>::xmlrpc_type(), "struct");
    assert_eq!(<Serde<Outer> as IntoValue>::xmlrpc_type(), "struct");
    let err = Vec::<Serde<Inner>>::from_value(arr(&[st(&[])])).unwrap_err();
    assert_eq!(err.to_string(), "[0]: missing field `name`");
    let mut w = Serde(3);
    *w += 1;
    assert_eq!(w.into_inner(), 4);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    id: i64,
    ratio: f64,
    label: String,
    on: bool,
    parts: Vec<(u16, Option<String>)>,
    attrs: BTreeMap<String, i32>,
    kind: Shape,
}

fn arb_shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        (-1e9..1e9_f64).prop_map(Shape::Circle),
        (any::<i32>(), any::<i32>()).prop_map(|(a, b)| Shape::Rect(a, b)),
        (".{0,8}", any::<u16>()).prop_map(|(name, sides)| Shape::Named { name, sides }),
    ]
}

fn arb_record() -> impl Strategy<Value = Record> {
    (
        any::<i64>(),
        -1e12..1e12_f64,
        ".{0,16}",
        any::<bool>(),
        prop::collection::vec((any::<u16>(), proptest::option::of(".{0,8}")), 0..4),
        prop::collection::btree_map(".{0,8}", any::<i32>(), 0..4),
        arb_shape(),
    )
        .prop_map(|(id, ratio, label, on, parts, attrs, kind)| Record {
            id,
            ratio,
            label,
            on,
            parts,
            attrs,
            kind,
        })
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        ".{0,8}".prop_map(Value::String),
        (-1e300..1e300_f64).prop_map(Value::Double),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Value::Base64),
        Just(Value::Nil),
        Just(dt("19980717T14:08:55")),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((".{0,4}", inner), 0..8)
                .prop_map(|m| Value::Struct(Struct::from_members(m))),
        ]
    })
}

proptest! {
    #[test]
    fn records_round_trip(r in arb_record()) {
        round_trip(&r);
        round_trip(&vec![r.clone(), r]);
    }

    #[test]
    fn any_value_round_trips(v in arb_value()) {
        prop_assert_eq!(to_value(&v).unwrap(), v.clone());
        prop_assert_eq!(from_value::<Value>(v.clone()).unwrap(), v.clone());
        // Reading into an unrelated type gives an error, never a panic.
        let _ = from_value::<Record>(v.clone());
        let _ = from_value::<Vec<Shape>>(v.clone());
        let _ = from_value::<HashMap<String, Option<Vec<u8>>>>(v);
    }
}

#[test]
fn nesting_is_bounded() {
    fn deep(n: usize, leaf: Value) -> Value {
        let mut v = leaf;
        for i in 0..n {
            v = if i % 2 == 0 {
                Value::Array(vec![v])
            } else {
                let mut s = Struct::new();
                s.insert("m", v);
                Value::Struct(s)
            };
        }
        v
    }
    // On the default stack of a spawned thread (2 MiB), in a debug build.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let ok = deep(128, Value::Int(1));
            assert_eq!(to_value(&ok).unwrap(), ok);
            assert_eq!(from_value::<Value>(ok.clone()).unwrap(), ok);
            assert!(from_value::<serde_json::Value>(ok).is_ok());

            let msg = "value nested deeper than 128 arrays and structs";
            let too = deep(129, Value::Int(1));
            assert!(to_value(&too).unwrap_err().to_string().ends_with(msg));
            assert!(
                from_value::<Value>(too.clone())
                    .unwrap_err()
                    .to_string()
                    .ends_with(msg)
            );
            assert!(
                from_value::<serde_json::Value>(too)
                    .unwrap_err()
                    .to_string()
                    .ends_with(msg)
            );

            let far = deep(2000, Value::Nil);
            assert!(to_value(&far).is_err());
            assert!(from_value::<Value>(far).is_err());
        })
        .unwrap()
        .join()
        .unwrap();
}
