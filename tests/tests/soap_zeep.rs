//! The `quoter` example (the seed's last one) as outside peers see it:
//! zeep reads its WSDL and calls the SOAP endpoint with no configuration
//! but the URL, over SOAP 1.1 and 1.2, and sees faults as
//! `zeep.exceptions.Fault`; Python's `xmlrpc.client` calls the same
//! procedures at `/RPC2`.

use xmlrpc_tests::conformance::ConformanceProcess;

const SCRIPT: &str = r#"
import sys, xmlrpc.client
import zeep, zeep.exceptions

base = sys.argv[1]
client = zeep.Client(base + "SOAP?wsdl")
print("quote", repr(client.service.quote()))
print("add", repr(client.service.add(2, 3)))

def detail_code(f):
    node = f.detail.find(".//{urn:quoter}faultCode") if f.detail is not None else None
    return None if node is None else node.text

try:
    client.service.fault()
    print("fault no fault")
except zeep.exceptions.Fault as f:
    print("fault", f.code, f.message, detail_code(f))
try:
    client.service.add(2147483647, 1)
    print("overflow no fault")
except zeep.exceptions.Fault as f:
    print("overflow", f.code, f.message, detail_code(f))

soap12 = client.bind("Quoter", "QuoterSoap12")
print("add12", repr(soap12.add(4, 5)))
try:
    soap12.fault()
except zeep.exceptions.Fault as f:
    print("fault12", f.code, f.message, detail_code(f))

rpc = xmlrpc.client.ServerProxy(base + "RPC2")
print("xmlrpc", repr(rpc.quote()), rpc.add(2, 3))
"#;

#[test]
fn zeep_calls_the_quoter_through_its_wsdl() {
    let Some(python) = xmlrpc_tests::zeep::python() else {
        return;
    };
    let mut server = ConformanceProcess::start("xmlrpc-tokio", "quoter", &[]);
    assert!(
        server
            .first_line
            .starts_with("listening on http://127.0.0.1:")
    );
    let out = xmlrpc_tests::zeep::run_script(&python, SCRIPT, &[&server.url]);
    let quote = xmlrpc_conformance::examples::QUOTE;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            format!("quote '{quote}'").as_str(),
            "add 5",
            "fault soap:Server hello 12",
            "overflow soap:Server the sum does not fit in an int 3",
            "add12 9",
            "fault12 soap:Receiver hello 12",
            format!("xmlrpc '{quote}' 5").as_str(),
        ],
        "{out}"
    );
    assert_eq!(
        server.close_stdin_and_wait(std::time::Duration::from_secs(10)),
        Some(0)
    );
}
