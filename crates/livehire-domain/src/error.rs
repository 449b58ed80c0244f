//! Validation failures that name the offending field.

use serde::Serialize;

/// One invalid field: `path` is the dotted JSON path from the body's root
/// (`commission_structure.commission_rate`, `live_session_details.products[0].retail_price`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Dotted path of the field in the request (or the query parameter name).
    pub path: String,
    /// What is wrong with it, in words a client developer can act on.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Joins a parent path and a child key: `join("a", "b") == "a.b"`, `join("", "b") == "b"`.
pub fn join(parent: &str, child: &str) -> String {
    crate::json::Path::named(parent).key(child).into()
}
