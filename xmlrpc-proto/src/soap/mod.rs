//! SOAP 1.1 and 1.2 beside XML-RPC: the same [`Dispatcher`] answering
//! SOAP envelopes, with a generated WSDL, like Twisted's `SOAPPublisher`
//! mounted next to an `XMLRPC` resource.
//!
//! Sans-IO like the rest of the crate: [`SoapService::decode_call`] turns
//! an envelope into a [`MethodCall`], [`SoapService::encode_result`]
//! turns the dispatcher's result into the HTTP answer, and
//! [`SoapService::wsdl`] writes the service description. Mounted on a
//! [`Site`](crate::dispatch::Site), a service is served by every runtime:
//! `POST` carries envelopes, `GET` (conventionally `?wsdl`) fetches the
//! WSDL.
//!
//! # The mapping
//!
//! - The method is the first element of the `Body`, by its local name
//!   (any namespace); its child elements are the params, in order.
//! - A param is typed by its `xsi:type` if it has one (RPC encoding, as
//!   SOAPpy sends), else by the procedure's declared types for its
//!   position (document/literal, as zeep, JAX-WS and .NET send from the
//!   WSDL: the first signature whose types all parse wins), else by its
//!   shape (children all named `item`: an array; other children: a
//!   struct with their names as keys; text: a string). `xsi:nil="true"`
//!   is nil.
//! - The answer is `<{method}Response><{method}Result>` with an
//!   `xsi:type` on every element.
//! - A fault is a `Fault` whose `detail` holds the XML-RPC fault code and
//!   string. A call the server cannot read, an unknown procedure or bad
//!   params are the caller's fault (`Client` in SOAP 1.1, `Sender` in
//!   SOAP 1.2); a procedure's fault or failure is the server's (`Server`,
//!   `Receiver`). Faults go out with HTTP 500, except SOAP 1.2 `Sender`
//!   faults: 400.
//! - A header block with `mustUnderstand` is refused (`MustUnderstand`):
//!   no header is understood. An envelope of an unknown namespace gets
//!   `VersionMismatch`.
//! - The envelope is read within the XML-RPC [`Limits`]: body size,
//!   nesting depth, number of elements, text length; a `DOCTYPE` and any
//!   entity beyond XML's five are refused.
//!
//! ```
//! use xmlrpc_proto::dispatch::{Dispatcher, Reply};
//! use xmlrpc_proto::soap::{SoapService, SoapVersion};
//! use xmlrpc_proto::{Limits, RequestHead};
//!
//! let mut d = Dispatcher::new();
//! d.register("add", |a: i32, b: i32| a + b);
//! let soap = SoapService::new(d);
//!
//! let envelope = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
//!   <soap:Body><add xmlns="urn:example"><a>2</a><b>3</b></add></soap:Body>
//! </soap:Envelope>"#;
//! let head = RequestHead::new("POST", "/SOAP");
//! let call = soap.decode_call(&head, envelope, &Limits::default()).unwrap();
//! assert_eq!(call.version(), SoapVersion::V11);
//! let result = soap
//!     .dispatcher()
//!     .call(&head, call.method_call().clone())
//!     .into_ready()
//!     .unwrap();
//! let answer = soap.encode_result(&call, &result);
//! assert_eq!(answer.status(), 200);
//! let text = String::from_utf8(answer.into_body()).unwrap();
//! assert!(text.contains(r#"<tns:addResult xsi:type="xsd:int">5</tns:addResult>"#));
//! ```

mod envelope;
mod value;
mod wsdl;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::dispatch::{Dispatcher, Lookup};
use crate::{Fault, HttpResponse, Limits, MethodCall, RequestHead, Value};

/// The namespace of SOAP 1.1 envelopes.
pub const SOAP11_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The namespace of SOAP 1.2 envelopes.
pub const SOAP12_ENVELOPE_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The target namespace of a service unless [`SoapService::namespace`]
/// sets another.
pub const DEFAULT_NAMESPACE: &str = "urn:xmlrpc-rs:soap";

/// A SOAP version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SoapVersion {
    /// SOAP 1.1: `text/xml`.
    V11,
    /// SOAP 1.2: `application/soap+xml`.
    V12,
}

impl SoapVersion {
    /// The envelope namespace.
    #[must_use]
    pub fn envelope_namespace(self) -> &'static str {
        match self {
            Self::V11 => SOAP11_ENVELOPE_NS,
            Self::V12 => SOAP12_ENVELOPE_NS,
        }
    }

    /// The content type of a message.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            Self::V11 => "text/xml; charset=utf-8",
            Self::V12 => "application/soap+xml; charset=utf-8",
        }
    }

    fn from_namespace(ns: &[u8]) -> Option<Self> {
        if ns == SOAP11_ENVELOPE_NS.as_bytes() {
            Some(Self::V11)
        } else if ns == SOAP12_ENVELOPE_NS.as_bytes() {
            Some(Self::V12)
        } else {
            None
        }
    }

    /// The version a request's `Content-Type` names: 1.2 for
    /// `application/soap+xml`, else 1.1.
    fn of_request(head: &RequestHead) -> Self {
        let ct = head.headers.get("content-type").unwrap_or_default();
        let media = ct
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        if media.eq_ignore_ascii_case(b"application/soap+xml") {
            Self::V12
        } else {
            Self::V11
        }
    }
}

/// What is wrong with a request envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SoapErrorKind {
    /// Longer than [`Limits::max_body_bytes`].
    TooLarge,
    /// Not valid in its character encoding.
    Encoding,
    /// Not well-formed XML.
    Syntax,
    /// A `<!DOCTYPE>`.
    DocType,
    /// Not a SOAP envelope (another root, no body, text in it...).
    NotEnvelope,
    /// An envelope of a namespace that is neither SOAP 1.1 nor 1.2.
    VersionMismatch,
    /// A header block that must be understood.
    MustUnderstand,
    /// An empty body.
    NoMethod,
    /// Elements nested deeper than [`Limits::max_depth`].
    DepthLimit,
    /// More elements than [`Limits::max_values`].
    ValueLimit,
    /// A text longer than [`Limits::max_string_bytes`].
    StringLimit,
    /// A param that does not read as the type the procedure expects.
    BadParams,
}

/// Why a request envelope was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoapError {
    kind: SoapErrorKind,
    detail: String,
}

impl SoapError {
    pub(crate) fn new(kind: SoapErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> SoapErrorKind {
        self.kind
    }
}

impl fmt::Display for SoapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for SoapError {}

/// A SOAP fault's code: whose fault it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultCode {
    /// The envelope's namespace is not a SOAP version's.
    VersionMismatch,
    /// A header block that must be understood was not.
    MustUnderstand,
    /// The request is at fault (SOAP 1.1 `Client`, 1.2 `Sender`).
    Client,
    /// The server is (SOAP 1.1 `Server`, 1.2 `Receiver`).
    Server,
}

impl FaultCode {
    fn name(self, version: SoapVersion) -> &'static str {
        match (self, version) {
            (Self::VersionMismatch, _) => "VersionMismatch",
            (Self::MustUnderstand, _) => "MustUnderstand",
            (Self::Client, SoapVersion::V11) => "Client",
            (Self::Client, SoapVersion::V12) => "Sender",
            (Self::Server, SoapVersion::V11) => "Server",
            (Self::Server, SoapVersion::V12) => "Receiver",
        }
    }
}

/// A decoded SOAP call: its version and the XML-RPC call it carries.
#[derive(Clone, Debug, PartialEq)]
pub struct SoapCall {
    version: SoapVersion,
    call: MethodCall,
}

impl SoapCall {
    /// The SOAP version the answer must use.
    #[must_use]
    pub fn version(&self) -> SoapVersion {
        self.version
    }

    /// The call.
    #[must_use]
    pub fn method_call(&self) -> &MethodCall {
        &self.call
    }

    /// The call, taken out.
    #[must_use]
    pub fn into_method_call(self) -> MethodCall {
        self.call
    }

    /// The call's params, taken out with a copy of its name: what is left
    /// is enough to write the answer.
    pub(crate) fn take_call(&mut self) -> MethodCall {
        MethodCall::new(
            self.call.name.clone(),
            std::mem::take(&mut self.call.params),
        )
    }
}

/// A refused SOAP request: the fault to answer, in the request's version.
#[derive(Clone, Debug, PartialEq)]
pub struct SoapFault {
    /// The version of the answer.
    pub version: SoapVersion,
    /// Whose fault it is.
    pub code: FaultCode,
    /// The XML-RPC fault (code and string) carried in the `detail`.
    pub fault: Fault,
}

/// A [`Dispatcher`] published over SOAP, with its WSDL.
///
/// ```
/// use xmlrpc_proto::dispatch::Dispatcher;
/// use xmlrpc_proto::soap::SoapService;
///
/// let mut d = Dispatcher::new();
/// d.register("quote", || "That beverage, sir, is off the hook.");
/// let soap = SoapService::new(d).namespace("urn:quoter").name("Quoter");
/// let wsdl = soap.wsdl("http://localhost:7080/SOAP");
/// assert!(wsdl.contains(r#"<wsdl:service name="Quoter">"#));
/// assert!(wsdl.contains(r#"<xsd:element name="quoteResult" type="xsd:string"/>"#));
/// ```
#[derive(Clone, Debug)]
pub struct SoapService {
    dispatcher: Arc<Dispatcher>,
    namespace: String,
    name: String,
    location: Option<String>,
}

impl From<Arc<Dispatcher>> for SoapService {
    fn from(d: Arc<Dispatcher>) -> Self {
        Self::new(d)
    }
}

impl From<Dispatcher> for SoapService {
    fn from(d: Dispatcher) -> Self {
        Self::new(d)
    }
}

impl SoapService {
    /// Publishes `dispatcher`, in the namespace [`DEFAULT_NAMESPACE`], as
    /// the service `Service`.
    pub fn new(dispatcher: impl Into<Arc<Dispatcher>>) -> Self {
        Self {
            dispatcher: dispatcher.into(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            name: "Service".to_owned(),
            location: None,
        }
    }

    /// The target namespace of the WSDL and of the answers' elements.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The service's name in the WSDL (an XML name; anything else is
    /// replaced by `Service`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.name = if value::is_ncname(&name) {
            name
        } else {
            "Service".to_owned()
        };
        self
    }

    /// The endpoint address written in the WSDL. By default it is made
    /// from each `GET` request: `http://` (or the scheme in
    /// `X-Forwarded-Proto`), its `Host` and its path.
    #[must_use]
    pub fn location(mut self, url: impl Into<String>) -> Self {
        self.location = Some(url.into());
        self
    }

    /// The dispatcher that runs the calls.
    #[must_use]
    pub fn dispatcher(&self) -> &Arc<Dispatcher> {
        &self.dispatcher
    }

    /// The WSDL 1.1 description (document/literal wrapped, SOAP 1.1 and
    /// 1.2 bindings) of every procedure the dispatcher lists, except
    /// `system.*` and names that are not XML names, with the endpoint at
    /// `location`. Types come from each procedure's declared signatures,
    /// or from its Rust types; a position where they disagree (or of any
    /// type) is `xsd:anyType`.
    #[must_use]
    pub fn wsdl(&self, location: &str) -> String {
        wsdl::write(self, location)
    }

    /// Reads a request envelope into the call it carries, typing its
    /// params by the procedure's signatures.
    ///
    /// # Errors
    ///
    /// The fault to answer when the envelope cannot be read or its params
    /// do not fit the procedure (a `Client` fault with the dispatcher's
    /// FAILURE code and `Can't deserialize input: REASON`), when it has a
    /// header to understand (`MustUnderstand`) or is of no known SOAP
    /// version (`VersionMismatch`).
    pub fn decode_call(
        &self,
        head: &RequestHead,
        body: &[u8],
        limits: &Limits,
    ) -> Result<SoapCall, SoapFault> {
        let fallback = SoapVersion::of_request(head);
        let envelope::Envelope { version, method } =
            envelope::read(body, limits).map_err(|e| self.refusal(fallback, &e))?;
        let name = method.name;
        if !value::is_xml_name(&name) {
            let e = SoapError::new(SoapErrorKind::NotEnvelope, "the method is not an XML name");
            return Err(self.refusal(version, &e));
        }
        let params = method.children;
        let candidates = self.param_types(&name, params.len());
        let params = convert(&name, params, &candidates).map_err(|detail| {
            self.refusal(version, &SoapError::new(SoapErrorKind::BadParams, detail))
        })?;
        Ok(SoapCall {
            version,
            call: MethodCall::new(name, params),
        })
    }

    /// The fault answering a refused envelope.
    fn refusal(&self, version: SoapVersion, e: &SoapError) -> SoapFault {
        let code = match e.kind {
            SoapErrorKind::VersionMismatch => FaultCode::VersionMismatch,
            SoapErrorKind::MustUnderstand => FaultCode::MustUnderstand,
            _ => FaultCode::Client,
        };
        let version = if code == FaultCode::VersionMismatch {
            SoapVersion::V11
        } else {
            version
        };
        SoapFault {
            version,
            code,
            fault: Fault::new(
                self.dispatcher.failure_code(),
                format!("Can't deserialize input: {e}"),
            ),
        }
    }

    /// The type lists to try for `n` params of `name`: each declared
    /// signature of that arity, then the Rust types. Empty when the
    /// procedure is unknown (or its lookup panics).
    fn param_types(&self, name: &str, n: usize) -> Vec<Vec<String>> {
        let d = &self.dispatcher;
        let Ok(Ok(p)) = catch_unwind(AssertUnwindSafe(|| d.lookup_procedure(name))) else {
            return Vec::new();
        };
        let mut out: Vec<Vec<String>> = p
            .signatures()
            .unwrap_or_default()
            .iter()
            .filter(|s| s.len() == n + 1)
            .map(|s| s[1..].to_vec())
            .collect();
        if p.param_types().len() == n {
            out.push(p.param_types().iter().map(|&t| t.to_owned()).collect());
        }
        out
    }

    /// The answer to a call: `200 OK` with the result, or the fault (HTTP
    /// 500; 400 for a SOAP 1.2 `Sender` fault). A fault with the
    /// dispatcher's NOT_FOUND code is the caller's (`Client`), any other
    /// the server's.
    #[must_use]
    pub fn encode_result(&self, call: &SoapCall, result: &Result<Value, Fault>) -> HttpResponse {
        match result {
            Ok(v) => match self.encode_value(call.version, &call.call.name, v) {
                Ok(r) => r,
                Err(reason) => {
                    tracing::error!(error = %reason, "result could not be written");
                    self.encode_fault(&SoapFault {
                        version: call.version,
                        code: FaultCode::Server,
                        fault: Fault::new(
                            self.dispatcher.failure_code(),
                            format!("Can't serialize output: {reason}"),
                        ),
                    })
                }
            },
            Err(f) => {
                let code = if f.code == self.dispatcher.not_found_code() {
                    FaultCode::Client
                } else {
                    FaultCode::Server
                };
                self.encode_fault(&SoapFault {
                    version: call.version,
                    code,
                    fault: f.clone(),
                })
            }
        }
    }

    fn open_envelope(&self, out: &mut String, version: SoapVersion) {
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<soap:Envelope xmlns:soap=\"");
        out.push_str(version.envelope_namespace());
        out.push_str(
            "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:tns=\"",
        );
        value::escape_into(out, &self.namespace);
        out.push_str("\"><soap:Body>");
    }

    fn encode_value(
        &self,
        version: SoapVersion,
        method: &str,
        v: &Value,
    ) -> Result<HttpResponse, String> {
        let mut out = String::with_capacity(512);
        self.open_envelope(&mut out, version);
        out.push_str("<tns:");
        out.push_str(method);
        out.push_str("Response>");
        value::write(&mut out, "tns", &format!("{method}Result"), v)?;
        out.push_str("</tns:");
        out.push_str(method);
        out.push_str("Response></soap:Body></soap:Envelope>\n");
        Ok(HttpResponse::new(200, version.content_type(), out))
    }

    /// The answer carrying `fault`.
    #[must_use]
    pub fn encode_fault(&self, fault: &SoapFault) -> HttpResponse {
        let version = fault.version;
        let mut out = String::with_capacity(512);
        self.open_envelope(&mut out, version);
        let code = fault.code.name(version);
        let mut text = String::new();
        value::escape_into(&mut text, &clean(&fault.fault.string));
        let detail = format!(
            "<tns:xmlrpcFault><tns:faultCode xsi:type=\"xsd:int\">{}</tns:faultCode>\
             <tns:faultString xsi:type=\"xsd:string\">{text}</tns:faultString></tns:xmlrpcFault>",
            fault.fault.code
        );
        match version {
            SoapVersion::V11 => {
                out.push_str(&format!(
                    "<soap:Fault><faultcode>soap:{code}</faultcode><faultstring>{text}\
                     </faultstring><detail>{detail}</detail></soap:Fault>"
                ));
            }
            SoapVersion::V12 => {
                out.push_str(&format!(
                    "<soap:Fault><soap:Code><soap:Value>soap:{code}</soap:Value></soap:Code>\
                     <soap:Reason><soap:Text xml:lang=\"en\">{text}</soap:Text></soap:Reason>\
                     <soap:Detail>{detail}</soap:Detail></soap:Fault>"
                ));
            }
        }
        out.push_str("</soap:Body></soap:Envelope>\n");
        let status = if version == SoapVersion::V12 && fault.code == FaultCode::Client {
            400
        } else {
            500
        };
        HttpResponse::new(status, version.content_type(), out)
    }

    /// The answer to a request that is not a call: the WSDL for `GET` and
    /// `HEAD`, `405` for other methods but `POST`. `None` for `POST`.
    #[must_use]
    pub fn answer_other(&self, head: &RequestHead) -> Option<HttpResponse> {
        match head.method.as_str() {
            "POST" => None,
            "GET" | "HEAD" => {
                let location = self.location.clone().unwrap_or_else(|| location_of(head));
                Some(HttpResponse::new(
                    200,
                    "text/xml; charset=utf-8",
                    self.wsdl(&location),
                ))
            }
            _ => Some(HttpResponse::method_not_allowed("GET, HEAD, POST")),
        }
    }
}

/// Drops the characters XML cannot carry from a fault string.
fn clean(s: &str) -> String {
    s.chars().filter(|&c| value::xml_char(c)).collect()
}

/// The endpoint URL of a request: scheme, `Host` and path.
fn location_of(head: &RequestHead) -> String {
    let path = crate::dispatch::site::path_of(&head.path);
    let host = head
        .headers
        .get_str("host")
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = match head.headers.get_str("x-forwarded-proto") {
        Some(p) if p.trim().eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    let path: String = path
        .chars()
        .filter(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '&'))
        .collect();
    format!("{scheme}://{host}{path}")
}

/// Converts the params with the first type list that fits them all.
fn convert(
    method: &str,
    params: Vec<envelope::Node>,
    candidates: &[Vec<String>],
) -> Result<Vec<Value>, String> {
    let untyped = |params: Vec<envelope::Node>, types: Option<&[String]>| {
        params
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let t = types.and_then(|t| t.get(i)).map(String::as_str);
                value::to_value(p, t).map_err(|e| format!("{method}: argument {}: {e}", i + 1))
            })
            .collect::<Result<Vec<Value>, String>>()
    };
    match candidates {
        [] => untyped(params, None),
        [only] => untyped(params, Some(only)),
        [rest @ .., last] => {
            let mut first_error = None;
            for types in rest {
                match untyped(params.clone(), Some(types)) {
                    Ok(v) => return Ok(v),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            untyped(params, Some(last)).map_err(|e| first_error.unwrap_or(e))
        }
    }
}

#[cfg(test)]
mod tests;
