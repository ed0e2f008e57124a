//! The built-in function library of RML-FNML: GREL and IDLab functions, and
//! those a researcher cleaning a spreadsheet needs. Each function is looked
//! up by its IRI once, when the plan is compiled; running it is a call
//! through a plain function pointer.
//!
//! STUB: the interface only; a helper is implementing it.

use crate::source::Value;

/// A function the engine can run.
#[derive(Debug)]
pub struct Function {
    /// The function's IRI (`grel:toUpperCase`, expanded).
    pub iri: &'static str,
    /// Parameter IRIs that must be given.
    pub required: &'static [&'static str],
    /// Parameter IRIs that may be given.
    pub optional: &'static [&'static str],
    /// Runs the function; `Err` says why the arguments do not fit.
    pub call: fn(&Arguments<'_>) -> Result<Vec<Value>, String>,
}

/// The values given to each parameter of one call.
#[derive(Debug, Default)]
pub struct Arguments<'a> {
    pub values: Vec<(&'a str, Vec<Value>)>,
}

impl Arguments<'_> {
    /// Every value given to `parameter`, in order.
    pub fn all(&self, parameter: &str) -> &[Value] {
        self.values.iter().find(|(p, _)| *p == parameter).map_or(&[], |(_, values)| values.as_slice())
    }

    /// The first value given to `parameter`.
    pub fn first(&self, parameter: &str) -> Option<&str> {
        self.all(parameter).first().map(|v| v.text.as_str())
    }
}

/// The function with this IRI, if the library has it.
pub fn lookup(_iri: &str) -> Option<&'static Function> {
    None
}
