use super::*;
use crate::Struct;

fn service() -> SoapService {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    d.register("echo", |v: Value| v);
    d.register("quote", || "That beverage, sir, is off the hook.");
    d.insert("both", {
        let mut p = crate::dispatch::Procedure::new(|a: Value, b: Value| vec![a, b]);
        p.signature([["array", "int", "int"], ["array", "double", "string"]]);
        p
    });
    SoapService::new(d).namespace("urn:t")
}

fn env11(body: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"{SOAP11_ENVELOPE_NS}\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><s:Body>{body}</s:Body></s:Envelope>"
    )
    .into_bytes()
}

fn head() -> RequestHead {
    RequestHead::new("POST", "/SOAP")
}

fn decode(body: &[u8]) -> Result<SoapCall, SoapFault> {
    service().decode_call(&head(), body, &Limits::default())
}

#[test]
fn literal_params_take_the_signature_types() {
    let call = decode(&env11(
        "<add xmlns=\"urn:t\"><arg0>2</arg0><arg1> 3 </arg1></add>",
    ))
    .unwrap();
    assert_eq!(call.method_call().name, "add");
    assert_eq!(call.method_call().params, [Value::Int(2), Value::Int(3)]);
    // The first signature that fits.
    let call = decode(&env11("<both><a>1.5</a><b>x</b></both>")).unwrap();
    assert_eq!(
        call.method_call().params,
        [Value::Double(1.5), Value::String("x".into())]
    );
    let fault = decode(&env11("<add><a>two</a><b>3</b></add>")).unwrap_err();
    assert_eq!(fault.code, FaultCode::Client);
    assert!(
        fault.fault.string.contains("add: argument 1"),
        "{}",
        fault.fault.string
    );
}

#[test]
fn encoded_params_take_their_xsi_type() {
    let call = decode(&env11(
        "<ns:echo xmlns:ns=\"urn:x\"><v xsi:type=\"xsd:boolean\">true</v></ns:echo>",
    ))
    .unwrap();
    assert_eq!(call.method_call().params, [Value::Bool(true)]);
    let call = decode(&env11(
        "<echo><v><item xsi:type=\"xsd:int\">1</item><item xsi:nil=\"true\"/></v></echo>",
    ))
    .unwrap();
    assert_eq!(
        call.method_call().params,
        [Value::Array(vec![Value::Int(1), Value::Nil])]
    );
    let call = decode(&env11("<echo><v><a_x0020_b>x</a_x0020_b></v></echo>")).unwrap();
    let mut s = Struct::new();
    s.insert("a b", "x");
    assert_eq!(call.method_call().params, [Value::Struct(s)]);
}

#[test]
fn soap12_and_its_faults() {
    let body = format!(
        "<e:Envelope xmlns:e=\"{SOAP12_ENVELOPE_NS}\"><e:Body><quote/></e:Body></e:Envelope>"
    );
    let s = service();
    let call = s
        .decode_call(&head(), body.as_bytes(), &Limits::default())
        .unwrap();
    assert_eq!(call.version(), SoapVersion::V12);
    let ok = s.encode_result(&call, &Ok(Value::from("hi")));
    assert_eq!(ok.status(), 200);
    assert!(ok.content_type().starts_with("application/soap+xml"));
    let not_found = s.encode_result(&call, &Err(Fault::new(8001, "nope")));
    assert_eq!(not_found.status(), 400);
    let text = String::from_utf8(not_found.into_body()).unwrap();
    assert!(
        text.contains("<soap:Value>soap:Sender</soap:Value>"),
        "{text}"
    );
    assert!(text.contains(">8001</tns:faultCode>"), "{text}");
    let failed = s.encode_result(&call, &Err(Fault::new(12, "hello")));
    assert_eq!(failed.status(), 500);
    assert!(
        String::from_utf8(failed.into_body())
            .unwrap()
            .contains("soap:Receiver")
    );
}

#[test]
fn soap11_faults_are_500() {
    let s = service();
    let call = s
        .decode_call(&head(), &env11("<quote/>"), &Limits::default())
        .unwrap();
    let r = s.encode_result(&call, &Err(Fault::new(8001, "no <such>")));
    assert_eq!(r.status(), 500);
    let text = String::from_utf8(r.into_body()).unwrap();
    assert!(
        text.contains("<faultcode>soap:Client</faultcode>"),
        "{text}"
    );
    assert!(
        text.contains("<faultstring>no &lt;such&gt;</faultstring>"),
        "{text}"
    );
}

#[test]
fn hostile_and_broken_envelopes() {
    let limits = Limits::default();
    let refuse = |body: &[u8], kind: &str| {
        let f = service().decode_call(&head(), body, &limits).unwrap_err();
        assert!(
            f.fault.string.starts_with("Can't deserialize input"),
            "{}",
            f.fault.string
        );
        assert!(f.fault.string.contains(kind), "{kind}: {}", f.fault.string);
        f
    };
    let doctype = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><s:Envelope \
         xmlns:s=\"{SOAP11_ENVELOPE_NS}\"><s:Body><echo><v>&a;</v></echo></s:Body></s:Envelope>"
    );
    refuse(doctype.as_bytes(), "DOCTYPE");
    let deep = format!(
        "<echo><v>{}{}</v></echo>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    refuse(&env11(&deep), "nesting");
    let wide = format!("<echo><v>{}</v></echo>", "<item/>".repeat(200));
    let small = Limits {
        max_values: 100,
        ..Limits::default()
    };
    let f = service()
        .decode_call(&head(), &env11(&wide), &small)
        .unwrap_err();
    assert!(f.fault.string.contains("elements"), "{}", f.fault.string);
    let big = Limits {
        max_body_bytes: 100,
        ..Limits::default()
    };
    let f = service()
        .decode_call(&head(), &env11(&"<x/>".repeat(100)), &big)
        .unwrap_err();
    assert!(f.fault.string.contains("limit"), "{}", f.fault.string);
    refuse(&env11("<echo><v>&unknown;</v></echo>"), "entity");
    refuse(b"<methodCall/>", "root element");
    refuse(&env11(""), "empty");
    // quick-xml reads names loosely: a method name that is no XML name
    // would break the answer's markup.
    refuse(&env11("<a&b/>"), "XML name");
    refuse(
        b"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><a>",
        "end",
    );
    let f = refuse(
        b"<Envelope xmlns=\"urn:other\"><Body/></Envelope>",
        "namespace",
    );
    assert_eq!(f.code, FaultCode::VersionMismatch);
    let must = format!(
        "<s:Envelope xmlns:s=\"{SOAP11_ENVELOPE_NS}\"><s:Header><h s:mustUnderstand=\"1\"/>\
         </s:Header><s:Body><quote/></s:Body></s:Envelope>"
    );
    let f = refuse(must.as_bytes(), "not understood");
    assert_eq!(f.code, FaultCode::MustUnderstand);
    // A header that need not be understood is skipped.
    let may = must.replace("s:mustUnderstand=\"1\"", "");
    assert!(decode(may.as_bytes()).is_ok());
}

#[test]
fn wsdl_describes_the_procedures() {
    let w = service().wsdl("http://h/SOAP");
    assert!(w.contains(
        "<xsd:element name=\"add\"><xsd:complexType><xsd:sequence>\
        <xsd:element name=\"arg0\" type=\"xsd:int\"/><xsd:element name=\"arg1\" type=\"xsd:int\"/>"
    ));
    assert!(w.contains("<xsd:element name=\"addResult\" type=\"xsd:int\"/>"));
    assert!(w.contains("<xsd:element name=\"arg0\" type=\"xsd:anyType\" nillable=\"true\"/>"));
    assert!(w.contains("<xsd:element name=\"bothResult\" type=\"tns:Array\"/>"));
    assert!(w.contains("<soap:address location=\"http://h/SOAP\"/>"));
    assert!(!w.contains("system."));
}

#[test]
fn location_from_the_request() {
    let mut h = RequestHead::new("GET", "/SOAP?wsdl");
    h.headers.append("Host", "example.com:81");
    assert_eq!(location_of(&h), "http://example.com:81/SOAP");
    h.headers.append("X-Forwarded-Proto", "https");
    assert_eq!(location_of(&h), "https://example.com:81/SOAP");
    let mut bad = RequestHead::new("GET", "/SOAP");
    bad.headers.append("Host", "a\"><x");
    assert_eq!(location_of(&bad), "http://localhost/SOAP");
}

mod round_trip {
    use proptest::prelude::*;

    use super::*;
    use crate::DateTime;

    fn arb_scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i32>().prop_map(Value::Int),
            any::<i64>().prop_map(Value::I8),
            any::<bool>().prop_map(Value::Bool),
            "[\\t\\n\\r -~\u{a0}-\u{d7ff}\u{e000}-\u{fffd}\u{10000}-\u{10ffff}]{0,20}"
                .prop_map(Value::String),
            any::<f64>()
                .prop_filter("not NaN", |d| !d.is_nan())
                .prop_map(Value::Double),
            (
                1900u32..2100,
                1u32..13,
                1u32..29,
                0u32..24,
                0u32..60,
                0u32..60
            )
                .prop_map(|(y, mo, d, h, mi, s)| {
                    let text = format!("{y:04}{mo:02}{d:02}T{h:02}:{mi:02}:{s:02}");
                    Value::DateTime(DateTime::parse(&text).expect("valid"))
                }),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Base64),
            Just(Value::Nil),
        ]
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        arb_scalar().prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("[a-zA-Z_&< .:x0-9]{0,6}", inner), 0..6)
                    .prop_map(|m| Value::Struct(m.into_iter().collect::<Struct>())),
            ]
        })
    }

    /// What the SOAP form cannot tell apart: an i8 that fits an int, and
    /// the spelling of a dateTime.
    fn normal(v: Value) -> Value {
        match v {
            Value::I8(n) => i32::try_from(n).map_or(Value::I8(n), Value::Int),
            Value::DateTime(d) => Value::DateTime(DateTime::from(d.to_primitive())),
            Value::Array(items) => Value::Array(items.into_iter().map(normal).collect()),
            Value::Struct(s) => Value::Struct(s.into_iter().map(|(k, v)| (k, normal(v))).collect()),
            other => other,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A value written as a result reads back as the same value when
        /// sent as a param (typed by its `xsi:type`s).
        #[test]
        fn values_round_trip(v in arb_value()) {
            let mut param = String::new();
            value::write(&mut param, "tns", "v", &v).expect("writable");
            let body = format!(
                "<s:Envelope xmlns:s=\"{SOAP11_ENVELOPE_NS}\" \
                 xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
                 xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:tns=\"urn:t\">\
                 <s:Body><tns:echo>{param}</tns:echo></s:Body></s:Envelope>"
            );
            let call = decode(body.as_bytes()).expect("decodes");
            prop_assert_eq!(call.method_call().params.len(), 1);
            prop_assert_eq!(normal(call.method_call().params[0].clone()), normal(v));
        }

        /// Whatever the bytes, decoding answers (a call or a fault).
        #[test]
        fn any_bytes_are_answered(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = decode(&bytes);
            let mut doc = env11("<echo><v>").into_iter().chain(bytes).collect::<Vec<u8>>();
            doc.extend_from_slice(b"</v></echo></s:Body></s:Envelope>");
            let _ = decode(&doc);
        }
    }
}
