//! The WSDL 1.1 description of a [`SoapService`]: document/literal
//! wrapped, which zeep, JAX-WS and .NET read without help.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::SoapService;
use super::value::{escape_into, is_ncname};
use crate::dispatch::Lookup;

/// The XSD type of an XML-RPC type name.
fn xsd_type(name: &str) -> &'static str {
    match name {
        "int" | "i4" => "xsd:int",
        "i8" => "xsd:long",
        "boolean" => "xsd:boolean",
        "string" => "xsd:string",
        "double" => "xsd:double",
        "dateTime.iso8601" => "xsd:dateTime",
        "base64" => "xsd:base64Binary",
        "array" => "tns:Array",
        "struct" => "tns:Struct",
        _ => "xsd:anyType",
    }
}

/// One operation: its name, the XSD type of each param and of the
/// result, and its help text.
struct Operation {
    name: String,
    params: Vec<&'static str>,
    result: &'static str,
    help: String,
}

/// The type of each position over all signatures: the common type, or
/// `xsd:anyType` where they disagree.
fn merge<'a>(columns: impl Iterator<Item = &'a str>) -> &'static str {
    let mut common: Option<&'static str> = None;
    for c in columns {
        let t = xsd_type(c);
        match common {
            None => common = Some(t),
            Some(prev) if prev == t => {}
            Some(_) => return "xsd:anyType",
        }
    }
    common.unwrap_or("xsd:anyType")
}

fn operations(service: &SoapService) -> Vec<Operation> {
    let d = &**service.dispatcher();
    let Ok(mut names) = catch_unwind(AssertUnwindSafe(|| d.list_procedures())) else {
        return Vec::new();
    };
    names.sort();
    names.dedup();
    // Element names in use: each operation takes its name and its name
    // with `Response`; a procedure that would reuse one is left out.
    let mut taken: HashSet<String> = ["Array", "Struct", "xmlrpcFault"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut out = Vec::new();
    for name in names {
        if name.starts_with("system.") || !is_ncname(&name) {
            continue;
        }
        let response = format!("{name}Response");
        if taken.contains(&name) || taken.contains(&response) {
            continue;
        }
        let Ok(Ok(p)) = catch_unwind(AssertUnwindSafe(|| d.lookup_procedure(&name))) else {
            continue;
        };
        let (params, result) = match p.signatures() {
            Some(sigs) if !sigs.is_empty() => {
                let arity = sigs
                    .iter()
                    .map(Vec::len)
                    .max()
                    .unwrap_or(1)
                    .saturating_sub(1);
                let params = (0..arity)
                    .map(|i| merge(sigs.iter().filter_map(|s| s.get(i + 1).map(String::as_str))))
                    .collect();
                let result = merge(sigs.iter().filter_map(|s| s.first().map(String::as_str)));
                (params, result)
            }
            _ => (
                p.param_types().iter().map(|t| xsd_type(t)).collect(),
                xsd_type(p.return_type()),
            ),
        };
        taken.insert(name.clone());
        taken.insert(response);
        out.push(Operation {
            help: p.help_text().to_owned(),
            name,
            params,
            result,
        });
    }
    out
}

fn element(out: &mut String, name: &str, ty: &str) {
    if ty == "xsd:anyType" {
        let _ = write!(
            out,
            "<xsd:element name=\"{name}\" type=\"xsd:anyType\" nillable=\"true\"/>"
        );
    } else {
        let _ = write!(out, "<xsd:element name=\"{name}\" type=\"{ty}\"/>");
    }
}

pub(super) fn write(service: &SoapService, location: &str) -> String {
    let ops = operations(service);
    let name = &service.name;
    let mut tns = String::new();
    escape_into(&mut tns, &service.namespace);
    let mut loc = String::new();
    escape_into(&mut loc, location);
    let mut out = String::with_capacity(4096 + ops.len() * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <wsdl:definitions name=\"{name}\" targetNamespace=\"{tns}\" \
         xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" \
         xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\" \
         xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:tns=\"{tns}\">\n\
         <wsdl:types><xsd:schema targetNamespace=\"{tns}\" elementFormDefault=\"qualified\">\n\
         <xsd:complexType name=\"Array\"><xsd:sequence><xsd:element name=\"item\" \
         type=\"xsd:anyType\" nillable=\"true\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>\
         </xsd:sequence></xsd:complexType>\n\
         <xsd:complexType name=\"Struct\"><xsd:sequence><xsd:any minOccurs=\"0\" \
         maxOccurs=\"unbounded\" processContents=\"lax\"/></xsd:sequence></xsd:complexType>\n\
         <xsd:element name=\"xmlrpcFault\"><xsd:complexType><xsd:sequence>\
         <xsd:element name=\"faultCode\" type=\"xsd:int\"/>\
         <xsd:element name=\"faultString\" type=\"xsd:string\"/>\
         </xsd:sequence></xsd:complexType></xsd:element>\n"
    );
    for op in &ops {
        let n = &op.name;
        let _ = write!(
            out,
            "<xsd:element name=\"{n}\"><xsd:complexType><xsd:sequence>"
        );
        for (i, ty) in op.params.iter().enumerate() {
            element(&mut out, &format!("arg{i}"), ty);
        }
        let _ = write!(
            out,
            "</xsd:sequence></xsd:complexType></xsd:element>\n\
             <xsd:element name=\"{n}Response\"><xsd:complexType><xsd:sequence>"
        );
        element(&mut out, &format!("{n}Result"), op.result);
        out.push_str("</xsd:sequence></xsd:complexType></xsd:element>\n");
    }
    out.push_str("</xsd:schema></wsdl:types>\n");
    for op in &ops {
        let n = &op.name;
        let _ = write!(
            out,
            "<wsdl:message name=\"{n}Request\"><wsdl:part name=\"parameters\" element=\"tns:{n}\"/></wsdl:message>\n\
             <wsdl:message name=\"{n}Response\"><wsdl:part name=\"parameters\" element=\"tns:{n}Response\"/></wsdl:message>\n"
        );
    }
    let _ = writeln!(out, "<wsdl:portType name=\"{name}PortType\">");
    for op in &ops {
        let n = &op.name;
        let _ = write!(out, "<wsdl:operation name=\"{n}\">");
        if !op.help.is_empty() {
            out.push_str("<wsdl:documentation>");
            escape_into(&mut out, &op.help);
            out.push_str("</wsdl:documentation>");
        }
        let _ = writeln!(
            out,
            "<wsdl:input message=\"tns:{n}Request\"/><wsdl:output message=\"tns:{n}Response\"/></wsdl:operation>"
        );
    }
    out.push_str("</wsdl:portType>\n");
    for (suffix, prefix) in [("Soap", "soap"), ("Soap12", "soap12")] {
        let _ = writeln!(
            out,
            "<wsdl:binding name=\"{name}{suffix}\" type=\"tns:{name}PortType\">\
             <{prefix}:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>"
        );
        for op in &ops {
            let n = &op.name;
            let _ = writeln!(
                out,
                "<wsdl:operation name=\"{n}\"><{prefix}:operation soapAction=\"{tns}#{n}\" style=\"document\"/>\
                 <wsdl:input><{prefix}:body use=\"literal\"/></wsdl:input>\
                 <wsdl:output><{prefix}:body use=\"literal\"/></wsdl:output></wsdl:operation>"
            );
        }
        out.push_str("</wsdl:binding>\n");
    }
    let _ = write!(
        out,
        "<wsdl:service name=\"{name}\">\
         <wsdl:port name=\"{name}Soap\" binding=\"tns:{name}Soap\"><soap:address location=\"{loc}\"/></wsdl:port>\
         <wsdl:port name=\"{name}Soap12\" binding=\"tns:{name}Soap12\"><soap12:address location=\"{loc}\"/></wsdl:port>\
         </wsdl:service>\n</wsdl:definitions>\n"
    );
    out
}
