//! Request extractors: lenient JSON bodies, Bearer authentication, raw query pairs.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use livehire_store::Caller;
use serde::de::DeserializeOwned;

use crate::app::App;
use crate::error::ApiError;

/// Largest request body accepted (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Reads a request body up to [`BODY_LIMIT`], answering 413 past it.
pub async fn read_body(req: Request) -> Result<Bytes, ApiError> {
    read_body_up_to(req, BODY_LIMIT).await
}

/// Reads a request body up to `limit` bytes, answering 413 past it.
pub async fn read_body_up_to(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    if let Some(len) = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && len > limit
    {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::PayloadTooLarge { limit })
}

/// Whether a content type may carry a JSON body: `application/json` (and `+json`),
/// none at all, or `application/x-www-form-urlencoded` — what `curl -d` sends
/// when the seed's examples leave the header out.
pub fn json_content_type_ok(ct: Option<&str>) -> bool {
    let Some(ct) = ct else { return true };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.is_empty()
        || essence == "application/json"
        || essence.ends_with("+json")
        || essence == "application/x-www-form-urlencoded"
}

/// Parses JSON bytes into `T`: syntax errors → 400 with line and column, type
/// errors → 422 with the JSON path of the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    // The fast path; only a failure pays for tracking the path of the error.
    if let Ok(value) = serde_json::from_slice::<T>(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::InvalidJson {
                    line: inner.line(),
                    column: inner.column(),
                    message: inner.to_string(),
                }
            }
            _ => {
                let msg = inner.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg);
                let path = if path == "." { String::new() } else { path };
                let (path, message) = in_api_words(path, msg);
                ApiError::field(path, message)
            }
        }
    })?;
    de.end().map_err(|e| ApiError::InvalidJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    Ok(value)
}

/// Restates a serde error about the field at `path` in the API's words, so
/// no Rust type name (`i64`, `struct NewOrder`) reaches a caller: a wrong
/// type becomes "must be a whole number", "must be a string", "must be a
/// number"…; a missing or unknown field is named in the path. Messages of
/// the API's own (custom errors) pass through.
pub fn in_api_words(path: String, msg: &str) -> (String, String) {
    let join = |field: &str| {
        if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    let quoted = |text: &str| -> Vec<String> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    if let Some(rest) = msg.strip_prefix("missing field ") {
        let field = quoted(rest).into_iter().next().unwrap_or_default();
        return (join(&field), "is required".into());
    }
    if let Some(rest) = msg.strip_prefix("duplicate field ") {
        let field = quoted(rest).into_iter().next().unwrap_or_default();
        return (join(&field), "is given more than once".into());
    }
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let (field, expected) = rest.split_once(", ").unwrap_or((rest, ""));
        let field = quoted(field).into_iter().next().unwrap_or_default();
        let known = quoted(expected);
        let message = if known.is_empty() {
            "is not a known field".to_string()
        } else {
            format!("is not a known field; expected one of {}", known.join(", "))
        };
        // serde_path_to_error stops at the object when the key is unknown.
        let path = if path.rsplit('.').next() == Some(field.as_str()) {
            path
        } else {
            join(&field)
        };
        return (path, message);
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let (_, expected) = rest.split_once(", ").unwrap_or((rest, ""));
        let known = quoted(expected);
        return (path, format!("must be one of {}", known.join(", ")));
    }
    let expected = ["invalid type: ", "invalid value: ", "invalid length "]
        .iter()
        .find_map(|p| msg.strip_prefix(p))
        .and_then(|rest| rest.rsplit_once(", expected ").map(|(_, e)| e));
    let Some(expected) = expected else {
        return (path, msg.to_string());
    };
    let message = match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "must be a whole number".to_string(),
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            "must be a whole number, 0 or more".to_string()
        }
        "f32" | "f64" => "must be a number".to_string(),
        "a string" | "a borrowed string" | "a character" | "a char" => {
            "must be a string".to_string()
        }
        "a boolean" => "must be true or false".to_string(),
        "a map" | "map" => "must be a JSON object".to_string(),
        "a sequence" | "a tuple" | "tuple" => "must be a list".to_string(),
        "unit" => "must be null".to_string(),
        e if e.starts_with("struct ") || e.starts_with("tuple struct ") => {
            "must be a JSON object".to_string()
        }
        e if e.starts_with("a sequence") || e.starts_with("a tuple of size") => {
            "must be a list".to_string()
        }
        e if e.starts_with("enum ") || e.starts_with("variant ") => {
            "is not one of the accepted values".to_string()
        }
        e if (e.starts_with("a ") || e.starts_with("an ")) && !e.contains("::") => {
            format!("must be {e}")
        }
        _ => "has the wrong type".to_string(),
    };
    (path, message)
}

/// A JSON body, accepted with a lenient content type (see [`json_content_type_ok`]).
/// An empty body reads as `{}`; any other body must be a JSON object (serde
/// would otherwise read a struct from an array, field by position).
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("?").to_string());
        if !json_content_type_ok(ct.as_deref()) {
            return Err(ApiError::UnsupportedMediaType(ct.unwrap_or_default()));
        }
        let bytes = read_body(req).await?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') {
            // A syntax error still gets its line and column.
            serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).map_err(|e| {
                ApiError::InvalidJson {
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                }
            })?;
            return Err(ApiError::field("", "must be a JSON object"));
        }
        parse_json(&bytes).map(AppJson)
    }
}

/// The authenticated caller (`Authorization: Bearer <key>`).
pub struct Auth(pub Caller);

impl FromRequestParts<App> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let key = bearer(parts).ok_or(ApiError::Unauthorized(
            "missing API key: send Authorization: Bearer <key>",
        ))?;
        app.authenticate(key).await.map(Auth)
    }
}

/// The operator, who presented the admin token as the Bearer key (see
/// [`App::check_admin`] for the answers otherwise).
pub struct AdminToken;

impl FromRequestParts<App> for AdminToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        app.check_admin(bearer(parts)).await.map(|()| AdminToken)
    }
}

/// The Bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The query string as ordered pairs, so repeated keys (`skills[]=a&skills[]=b`) survive.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q)
            .map(QueryPairs)
            .map_err(|e| ApiError::BadRequest(format!("malformed query string: {e}")))
    }
}

impl QueryPairs {
    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Body {
        name: String,
        count: Option<i64>,
        small: Option<u32>,
        ratio: Option<f64>,
        flag: Option<bool>,
        tags: Option<Vec<String>>,
        inner: Option<Inner>,
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Inner {
        quantity: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Flash,
        Live,
    }

    fn refused(body: serde_json::Value) -> (String, String) {
        match parse_json::<Body>(body.to_string().as_bytes()) {
            Err(ApiError::Validation(fields)) => {
                (fields[0].path.clone(), fields[0].message.clone())
            }
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn type_errors_are_told_in_the_apis_words_with_the_field_path() {
        let cases = [
            (json!({"name": 5}), "name", "must be a string"),
            (
                json!({"name": "n", "count": "1"}),
                "count",
                "must be a whole number",
            ),
            (
                json!({"name": "n", "count": 1.5}),
                "count",
                "must be a whole number",
            ),
            (
                json!({"name": "n", "small": -1}),
                "small",
                "must be a whole number, 0 or more",
            ),
            (
                json!({"name": "n", "small": 5_000_000_000_u64}),
                "small",
                "must be a whole number, 0 or more",
            ),
            (
                json!({"name": "n", "ratio": "0.5"}),
                "ratio",
                "must be a number",
            ),
            (
                json!({"name": "n", "flag": "yes"}),
                "flag",
                "must be true or false",
            ),
            (
                json!({"name": "n", "tags": "a,b"}),
                "tags",
                "must be a list",
            ),
            (
                json!({"name": "n", "tags": [1]}),
                "tags[0]",
                "must be a string",
            ),
            (
                json!({"name": "n", "inner": []}),
                "inner",
                "must be a JSON object",
            ),
            (
                json!({"name": "n", "inner": {}}),
                "inner.quantity",
                "is required",
            ),
            (
                json!({"name": "n", "inner": {"quantity": "2"}}),
                "inner.quantity",
                "must be a whole number",
            ),
            (
                json!({"name": "n", "kind": "slow"}),
                "kind",
                "must be one of flash, live",
            ),
            (json!({}), "name", "is required"),
            (json!([]), "", "must be a JSON object"),
            (json!("text"), "", "must be a JSON object"),
            (
                json!({"name": "n", "colour": 1}),
                "colour",
                "is not a known field; expected one of name, count, small, ratio, flag, tags, inner, kind",
            ),
        ];
        for (body, path, message) in cases {
            let (p, m) = refused(body.clone());
            assert_eq!((p.as_str(), m.as_str()), (path, message), "{body}");
            for rust in ["i64", "u32", "f64", "struct", "Body", "Inner", "Kind"] {
                assert!(!m.contains(rust), "{body}: {m}");
            }
        }
    }

    #[test]
    fn messages_of_the_apis_own_pass_through() {
        assert_eq!(
            in_api_words("currency".into(), "'cny' is not an ISO 4217 currency code"),
            (
                "currency".to_string(),
                "'cny' is not an ISO 4217 currency code".to_string()
            )
        );
    }
}
