//! The `system.*` procedures: introspection and `system.multicall`.

use super::procedure::{arg_message, count_message};
use super::{Dispatcher, LookupError, Reply};
use crate::{ConversionError, Fault, RequestHead, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum System {
    ListMethods,
    MethodHelp,
    MethodSignature,
    Multicall,
}

impl System {
    pub(crate) const ALL: [Self; 4] = [
        Self::ListMethods,
        Self::MethodHelp,
        Self::MethodSignature,
        Self::Multicall,
    ];

    pub(crate) fn short_name(self) -> &'static str {
        match self {
            Self::ListMethods => "listMethods",
            Self::MethodHelp => "methodHelp",
            Self::MethodSignature => "methodSignature",
            Self::Multicall => "multicall",
        }
    }

    pub(crate) fn help(self) -> &'static str {
        match self {
            Self::ListMethods => "Lists the names of the procedures this server offers, sorted.",
            Self::MethodHelp => {
                "Returns the help text of the named procedure, or an empty string when it has none."
            }
            Self::MethodSignature => {
                "Returns the signatures of the named procedure, each an array of type names with \
                 the return type first, or an empty string when it has none."
            }
            Self::Multicall => {
                "Calls each {methodName, params} struct of the array in turn; returns an array \
                 holding each result in a one-element array and each fault as a \
                 {faultCode, faultString} struct."
            }
        }
    }

    pub(crate) fn signature(self) -> &'static [&'static str] {
        match self {
            Self::ListMethods => &["array"],
            Self::MethodHelp => &["string", "string"],
            Self::MethodSignature => &["array", "string"],
            Self::Multicall => &["array", "array"],
        }
    }
}

/// Takes exactly one param of the wanted kind, or gives the fault message.
fn one_param(name: &str, ty: &'static str, params: Vec<Value>) -> Result<Value, String> {
    if params.len() != 1 {
        return Err(count_message(name, &[ty], params.len()));
    }
    // Length checked just above.
    let v = params.into_iter().next().unwrap_or(Value::Nil);
    let ok = match ty {
        "string" => v.as_str().is_some(),
        _ => v.as_array().is_some(),
    };
    if ok {
        Ok(v)
    } else {
        Err(arg_message(name, 1, &ConversionError::mismatch(ty, &v)))
    }
}

impl Dispatcher {
    /// The built-in `system.*` procedure called `name`, if enabled.
    pub(crate) fn system_procedure(&self, name: &str) -> Option<System> {
        let short = name
            .strip_prefix("system")?
            .strip_prefix(self.separator.as_str())?;
        let sys = System::ALL.into_iter().find(|s| s.short_name() == short)?;
        let enabled = match sys {
            System::Multicall => self.multicall_max.is_some(),
            _ => self.introspection,
        };
        enabled.then_some(sys)
    }

    /// The full names of the enabled `system.*` procedures.
    pub(crate) fn system_names(&self) -> impl Iterator<Item = String> + '_ {
        System::ALL
            .into_iter()
            .map(|s| format!("system{}{}", self.separator, s.short_name()))
            .filter(|n| self.system_procedure(n).is_some())
    }

    pub(crate) fn call_system(
        &self,
        sys: System,
        head: &RequestHead,
        name: &str,
        params: Vec<Value>,
        in_multicall: bool,
    ) -> Reply {
        let result = match sys {
            System::ListMethods => {
                if params.is_empty() {
                    Ok(Value::Array(
                        self.list_methods().into_iter().map(Value::String).collect(),
                    ))
                } else {
                    Err(Fault::new(
                        self.failure_code,
                        count_message(name, &[], params.len()),
                    ))
                }
            }
            System::MethodHelp | System::MethodSignature => {
                match one_param(name, "string", params) {
                    Err(msg) => Err(Fault::new(self.failure_code, msg)),
                    Ok(Value::String(target)) => self.describe(sys, &target),
                    Ok(_) => Err(Fault::new(self.failure_code, "unreachable")),
                }
            }
            System::Multicall => {
                if in_multicall {
                    return Reply::fault(Fault::new(
                        self.failure_code,
                        format!("{name}: recursive system.multicall is not allowed"),
                    ));
                }
                match one_param(name, "array", params) {
                    Err(msg) => Err(Fault::new(self.failure_code, msg)),
                    Ok(Value::Array(calls)) => return self.multicall(head, name, calls),
                    Ok(_) => Err(Fault::new(self.failure_code, "unreachable")),
                }
            }
        };
        Reply::ready(result)
    }

    /// Every procedure name, `system.*` included, sorted and without
    /// repeats: what `system.listMethods` answers.
    #[must_use]
    pub fn list_methods(&self) -> Vec<String> {
        let mut names = super::Lookup::list_procedures(self);
        names.extend(self.system_names());
        names.sort_unstable();
        names.dedup();
        names
    }

    fn describe(&self, sys: System, target: &str) -> Result<Value, Fault> {
        if let Some(builtin) = self.system_procedure(target) {
            return Ok(match sys {
                System::MethodHelp => Value::String(builtin.help().to_owned()),
                _ => Value::Array(vec![Value::Array(
                    builtin
                        .signature()
                        .iter()
                        .map(|&t| Value::from(t))
                        .collect(),
                )]),
            });
        }
        let p = match super::Lookup::lookup_procedure(self, target) {
            Ok(p) => p,
            Err(LookupError::NotFound(msg)) => return Err(Fault::new(self.not_found_code, msg)),
            Err(LookupError::Fault(f)) => return Err(f),
        };
        Ok(match sys {
            System::MethodHelp => Value::String(p.help_text().to_owned()),
            _ => match p.signatures() {
                Some(sigs) => Value::Array(
                    sigs.iter()
                        .map(|s| Value::Array(s.iter().map(|t| Value::from(t.as_str())).collect()))
                        .collect(),
                ),
                None => Value::String(String::new()),
            },
        })
    }

    fn multicall(&self, head: &RequestHead, name: &str, calls: Vec<Value>) -> Reply {
        let max = self.multicall_max.unwrap_or(0);
        if calls.len() > max {
            return Reply::fault(Fault::new(
                self.failure_code,
                format!("{name}: {} calls exceed the limit of {max}", calls.len()),
            ));
        }
        let parts = calls
            .into_iter()
            .enumerate()
            .map(|(i, entry)| match split_entry(entry) {
                Some((method, params)) => self.dispatch(head, &method, params, true),
                None => Reply::fault(Fault::new(
                    self.failure_code,
                    format!(
                        "{name}: call {}: expected a struct with methodName (string) and params (array)",
                        i + 1
                    ),
                )),
            })
            .collect();
        Reply::multi(parts)
    }
}

/// `{methodName, params}` → name and params (a missing `params` is none).
fn split_entry(entry: Value) -> Option<(String, Vec<Value>)> {
    let Value::Struct(s) = entry else {
        return None;
    };
    let mut name = None;
    let mut params = Some(Vec::new());
    for (k, v) in s {
        match (k.as_str(), v) {
            ("methodName", Value::String(n)) => name = Some(n),
            ("methodName", _) => return None,
            ("params", Value::Array(p)) => params = Some(p),
            ("params", _) => params = None,
            _ => {}
        }
    }
    Some((name?, params?))
}

#[cfg(test)]
mod tests {
    use super::super::reply::multicall_entry;
    use super::*;

    #[test]
    fn entries() {
        assert_eq!(
            multicall_entry(Ok(Value::Int(1))),
            Value::Array(vec![Value::Int(1)])
        );
        let f = multicall_entry(Err(Fault::new(3, "x")));
        assert_eq!(f["faultCode"], Value::Int(3));
        assert_eq!(f["faultString"], Value::from("x"));
        assert!(split_entry(Value::Int(1)).is_none());
    }
}
