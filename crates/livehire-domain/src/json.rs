//! One way to walk a JSON body: paths, typed reads of a field, and errors.
//!
//! - [`Path`] names a place in a body: `requirements.skills`,
//!   `sessions[2].segments[0].end_minute`.
//! - [`Obj`] is an object at a path; [`Obj::field`] gives a [`Field`]: a path
//!   and what is there, if anything.
//! - A field is read by a reader from [`read`] (or any
//!   `FnOnce(&Value) -> Result<T, String>`): [`Field::opt`] when it may be left
//!   out, [`Field::req`] when it may not. A refused read is a [`Fault`], the
//!   path and the message.
//! - Faults are reported in one of two modes: **collect all**, where
//!   [`Errors`] gathers every fault as a [`FieldError`] (the 422 bodies), or
//!   **first error**, where `?` turns the first fault into `"path: message"`
//!   (`From<Fault> for String`, the live events' style).
//!
//! **Null.** A field holding `null` reads as left out; a [`Field::strict`] one
//! hands `null` to its reader, which refuses it as the wrong kind of value.
//!
//! **Words.** Each reader says what is wrong in words of its own. Clients read
//! these messages (422 bodies, event errors), so a call site that has always
//! used other words passes them in with [`read::say`].
//!
//! [`lenient`] reads figures without refusing anything (a profile's search
//! fields), for values validated elsewhere.

use std::fmt;
use std::ops::RangeBounds;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::FieldError;

/// A place in a JSON body: object keys joined by `.`, array items as `[i]`
/// (`a.b[2].c`). The root is the empty path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Path(String);

impl Path {
    /// The body itself.
    pub(crate) fn root() -> Path {
        Path(String::new())
    }

    /// A path that starts with `name` (an event type, a parent written out).
    pub(crate) fn named(name: &str) -> Path {
        Path(name.to_string())
    }

    /// The member `key` of the object here: `a` → `a.key`, the root → `key`.
    pub(crate) fn key(&self, key: &str) -> Path {
        if self.0.is_empty() {
            Path(key.to_string())
        } else {
            Path(format!("{}.{key}", self.0))
        }
    }

    /// Item `i` of the list here: `a` → `a[i]`.
    pub(crate) fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Path> for String {
    fn from(p: Path) -> String {
        p.0
    }
}

impl From<&Path> for String {
    fn from(p: &Path) -> String {
        p.0.clone()
    }
}

/// A refused read: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fault {
    /// Where.
    pub(crate) path: Path,
    /// What is wrong, in the words the client sees.
    pub(crate) message: String,
}

impl Fault {
    /// `message` about the value at `path`.
    pub(crate) fn new(path: Path, message: impl Into<String>) -> Fault {
        Fault {
            path,
            message: message.into(),
        }
    }
}

impl fmt::Display for Fault {
    /// `path: message` (the message alone at the root).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.0.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Collect-all mode: a fault is one of the body's field errors.
impl From<Fault> for FieldError {
    fn from(f: Fault) -> FieldError {
        FieldError::new(f.path, f.message)
    }
}

/// First-error mode: a fault is the error, `"path: message"`.
impl From<Fault> for String {
    fn from(f: Fault) -> String {
        f.to_string()
    }
}

/// Collect-all mode: every fault found in a body, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Errors(Vec<FieldError>);

impl Errors {
    /// No errors yet.
    pub(crate) fn new() -> Errors {
        Errors::default()
    }

    /// Records an error found by the caller's own rules.
    pub(crate) fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(path, message));
    }

    /// Records a fault.
    pub(crate) fn add(&mut self, fault: Fault) {
        self.0.push(fault.into());
    }

    /// Records errors found elsewhere (a nested parser's).
    pub(crate) fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.0.extend(errors);
    }

    /// The value read, or `None` with the fault recorded.
    pub(crate) fn take<T>(&mut self, read: Result<T, Fault>) -> Option<T> {
        read.map_err(|f| self.add(f)).ok()
    }

    /// Like [`take`](Self::take) for an optional read: `None` when left out
    /// or refused (and then recorded).
    pub(crate) fn opt<T>(&mut self, read: Result<Option<T>, Fault>) -> Option<T> {
        self.take(read).flatten()
    }

    /// How many errors so far.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none were found.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors found.
    pub(crate) fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(value)` when no error was found, else every error.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// A JSON object at a path.
#[derive(Clone, Debug)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: Path,
}

impl<'a> Obj<'a> {
    /// The object `map`, found at `path`.
    pub(crate) fn new(map: &'a Map<String, Value>, path: Path) -> Obj<'a> {
        Obj { map, path }
    }

    /// `v` at `path` when it is an object (the caller words the refusal).
    pub(crate) fn of(v: &'a Value, path: Path) -> Option<Obj<'a>> {
        v.as_object().map(|map| Obj::new(map, path))
    }

    /// Where the object is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The member `key` as it is (`null` included), for reads that refuse nothing.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// The member `key`, to read.
    pub(crate) fn field(&self, key: &str) -> Field<'a> {
        Field::new(self.path.key(key), self.map.get(key))
    }

    /// The member `key` when it is an object; `None` otherwise (nothing refused).
    pub(crate) fn object(&self, key: &str) -> Option<Obj<'a>> {
        Obj::of(self.map.get(key)?, self.path.key(key))
    }
}

/// One field to read: its path and its value, if any.
#[derive(Clone, Debug)]
pub(crate) struct Field<'a> {
    path: Path,
    value: Option<&'a Value>,
    strict: bool,
}

impl<'a> Field<'a> {
    /// The value at `path` (`None`: left out). `null` reads as left out.
    pub(crate) fn new(path: Path, value: Option<&'a Value>) -> Field<'a> {
        Field {
            path,
            value,
            strict: false,
        }
    }

    /// The same field with `null` read as a value (which readers refuse as
    /// the wrong kind) rather than as left out.
    pub(crate) fn strict(self) -> Field<'a> {
        Field {
            strict: true,
            ..self
        }
    }

    /// Where the field is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// What a reader gets: `None` when the field is left out (or `null`,
    /// unless strict).
    pub(crate) fn value(&self) -> Option<&'a Value> {
        self.value.filter(|v| self.strict || !v.is_null())
    }

    /// Whether a reader gets a value.
    pub(crate) fn is_given(&self) -> bool {
        self.value().is_some()
    }

    /// A fault at this field.
    pub(crate) fn fault(&self, message: impl Into<String>) -> Fault {
        Fault::new(self.path.clone(), message)
    }

    /// Reads the field if given: `Ok(None)` when left out.
    pub(crate) fn opt<T>(
        &self,
        read: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Result<Option<T>, Fault> {
        self.value()
            .map(|v| read(v).map_err(|m| self.fault(m)))
            .transpose()
    }

    /// Reads the field, which must be given (`missing` says so otherwise).
    pub(crate) fn req<T>(
        &self,
        missing: &str,
        read: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Result<T, Fault> {
        self.need(missing, self.opt(read))
    }

    /// Makes an optional read of this field required: `None` becomes the
    /// fault `missing`.
    pub(crate) fn need<T>(
        &self,
        missing: &str,
        read: Result<Option<T>, Fault>,
    ) -> Result<T, Fault> {
        read?.ok_or_else(|| self.fault(missing))
    }

    /// The field as an object, if given; `not_object` refuses anything else.
    pub(crate) fn object(&self, not_object: &str) -> Result<Option<Obj<'a>>, Fault> {
        self.opt(|v| v.as_object().ok_or_else(|| not_object.to_string()))
            .map(|m| m.map(|map| Obj::new(map, self.path.clone())))
    }

    /// The field as a list, if given: each item a strict field at `path[i]`;
    /// `not_list` refuses anything else.
    pub(crate) fn items(&self, not_list: &str) -> Result<Option<Vec<Field<'a>>>, Fault> {
        let items = self.opt(|v| v.as_array().ok_or_else(|| not_list.to_string()))?;
        Ok(items.map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, item)| Field::new(self.path.index(i), Some(item)).strict())
                .collect()
        }))
    }
}

/// Readers of one JSON value. Each refuses in its own words (listed); wrap
/// one in [`say`] to use the call site's.
pub(crate) mod read {
    use super::*;
    use crate::limits;
    use crate::money;
    use rust_decimal::Decimal;

    /// Any reader, refusing in the words `msg` whatever the fault.
    pub(crate) fn say<'v, T>(
        msg: &str,
        read: impl FnOnce(&'v Value) -> Result<T, String>,
    ) -> impl FnOnce(&'v Value) -> Result<T, String> {
        move |v| read(v).map_err(|_| msg.to_string())
    }

    /// A string as it is. "must be a string".
    pub(crate) fn string(v: &Value) -> Result<&str, String> {
        v.as_str().ok_or_else(|| "must be a string".to_string())
    }

    /// A string as it is. "must be a string, got a number".
    pub(crate) fn string_got(v: &Value) -> Result<&str, String> {
        v.as_str()
            .ok_or_else(|| format!("must be a string, got {}", money::json_kind(v)))
    }

    /// A string with more than spaces. "must not be empty", "must be a string".
    pub(crate) fn non_blank(v: &Value) -> Result<String, String> {
        match string(v)? {
            s if s.trim().is_empty() => Err("must not be empty".to_string()),
            s => Ok(s.to_string()),
        }
    }

    /// A string of at most `max` characters. "must be a string, got a
    /// number", "must be at most 2000 characters, got 2001".
    pub(crate) fn text<'v>(max: usize) -> impl FnOnce(&'v Value) -> Result<String, String> {
        move |v| {
            let s = string_got(v)?;
            let n = s.chars().count();
            if n > max {
                return Err(format!("must be at most {max} characters, got {n}"));
            }
            Ok(s.to_string())
        }
    }

    /// `true` or `false`. "must be true or false".
    pub(crate) fn boolean(v: &Value) -> Result<bool, String> {
        v.as_bool()
            .ok_or_else(|| "must be true or false".to_string())
    }

    /// A list of strings. "must be a list of strings".
    pub(crate) fn strings(v: &Value) -> Result<Vec<String>, String> {
        v.as_array()
            .and_then(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect()
            })
            .ok_or_else(|| "must be a list of strings".to_string())
    }

    /// A number within `range`; `msg` refuses anything else.
    pub(crate) fn number<'v>(
        range: impl RangeBounds<f64>,
        msg: &str,
    ) -> impl FnOnce(&'v Value) -> Result<f64, String> {
        move |v| {
            v.as_f64()
                .filter(|n| range.contains(n))
                .ok_or_else(|| msg.to_string())
        }
    }

    /// A whole number ≥ 0 however JSON writes it (`3`, `3.0`, `3e0`), below
    /// 9×10¹⁵. "must be a whole number", "must be a non-negative number".
    pub(crate) fn whole(v: &Value) -> Result<i64, String> {
        match v.as_f64() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n < 9.0e15 => Ok(n as i64),
            Some(n) if n >= 0.0 => Err("must be a whole number".to_string()),
            _ => Err("must be a non-negative number".to_string()),
        }
    }

    /// A [`whole`] number from `lo` to `hi`. Its words, and "must be between
    /// 1 and 100".
    pub(crate) fn whole_between<'v>(
        lo: i64,
        hi: i64,
    ) -> impl FnOnce(&'v Value) -> Result<i64, String> {
        move |v| match whole(v)? {
            n if (lo..=hi).contains(&n) => Ok(n),
            _ => Err(format!("must be between {lo} and {hi}")),
        }
    }

    /// A JSON integer ≥ 0. "must be a whole number ≥ 0".
    pub(crate) fn uint(v: &Value) -> Result<u64, String> {
        v.as_u64()
            .ok_or_else(|| "must be a whole number ≥ 0".to_string())
    }

    /// A count: a JSON integer ≥ 0 or a string of digits. "must be ≥ 0",
    /// "must be a whole number, got 1.5", "must be a whole number, got a
    /// boolean", "is too large: 99999999999999999999".
    pub(crate) fn count(v: &Value) -> Result<u64, String> {
        match v {
            Value::Number(n) => match n.as_u64() {
                Some(c) => Ok(c),
                None if n.as_i64().is_some() => Err("must be ≥ 0".to_string()),
                None => Err(format!("must be a whole number, got {n}")),
            },
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<u64>().map_err(|_| format!("is too large: {s}"))
            }
            other => Err(format!(
                "must be a whole number, got {}",
                money::json_kind(other)
            )),
        }
    }

    /// A [`count`] from `min` to `max` (a bound of [`crate::limits`]). Its
    /// words, "must be ≥ 1" and "must be at most 10,000, got 10,001".
    pub(crate) fn count_within<'v>(
        min: u64,
        max: u64,
    ) -> impl FnOnce(&'v Value) -> Result<u64, String> {
        move |v| {
            let c = count(v)?;
            if c < min {
                return Err(format!("must be ≥ {min}"));
            }
            limits::check_count(c, max)?;
            Ok(c)
        }
    }

    /// An id: a string [`limits::check_id`] accepts, or an integer read as its
    /// digits. Its words, and "must be a string id, got a boolean".
    pub(crate) fn id(v: &Value) -> Result<String, String> {
        match v {
            Value::String(s) => limits::check_id(s).map(|()| s.clone()),
            Value::Number(n) if n.as_i64().is_some() || n.as_u64().is_some() => Ok(n.to_string()),
            other => Err(format!(
                "must be a string id, got {}",
                money::json_kind(other)
            )),
        }
    }

    const RFC3339_EXAMPLE: &str = "\"2026-03-15T19:00:00Z\"";

    /// An RFC 3339 date-time. "must be an RFC 3339 date-time string such as
    /// …", "\"tomorrow\" is not an RFC 3339 date-time such as …".
    pub(crate) fn time(v: &Value) -> Result<DateTime<Utc>, String> {
        let s = v.as_str().ok_or_else(|| {
            format!("must be an RFC 3339 date-time string such as {RFC3339_EXAMPLE}")
        })?;
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| format!("\"{s}\" is not an RFC 3339 date-time such as {RFC3339_EXAMPLE}"))
    }

    /// A [`time`] after `now`. Its words, and "must be in the future
    /// (2025-01-01T00:00:00Z has passed)".
    pub(crate) fn future<'v>(
        now: DateTime<Utc>,
    ) -> impl FnOnce(&'v Value) -> Result<DateTime<Utc>, String> {
        move |v| {
            let t = time(v)?;
            if t <= now {
                let s = v.as_str().unwrap_or_default();
                return Err(format!("must be in the future ({s} has passed)"));
            }
            Ok(t)
        }
    }

    /// An amount ([`money::parse_amount`]) from 0 to [`money::MAX_AMOUNT`].
    /// parse_amount's words, "must not be negative", "must be at most
    /// 79228162514264.337593543950335".
    pub(crate) fn amount(v: &Value) -> Result<Decimal, String> {
        match money::parse_amount(v)? {
            d if d.is_sign_negative() => Err("must not be negative".to_string()),
            d if d > money::MAX_AMOUNT => Err(format!("must be at most {}", money::MAX_AMOUNT)),
            d => Ok(d),
        }
    }
}

/// Reads that refuse nothing, for figures validated elsewhere: what cannot be
/// read is `None` (or empty).
pub(crate) mod lenient {
    use rust_decimal::Decimal;
    use serde_json::Value;

    /// The value at `path` (object keys) below `v`.
    pub(crate) fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
        path.iter().try_fold(v, |v, key| v.get(key))
    }

    /// The strings of a list; empty for anything else.
    pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The text of a number, or of a string holding one with thousands
    /// separators (`"85,000"`).
    fn numeric_text(v: Option<&Value>) -> Option<String> {
        match v? {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.replace(',', "").trim().to_string()),
            _ => None,
        }
    }

    /// A number, or a string holding one (`"85,000"`).
    pub(crate) fn number(v: Option<&Value>) -> Option<f64> {
        match v? {
            Value::Number(n) => n.as_f64(),
            other => numeric_text(Some(other))?.parse().ok(),
        }
    }

    /// An amount in hundredths, rounded (`"850.005"` → 85001).
    pub(crate) fn cents(v: Option<&Value>) -> Option<i64> {
        let d: Decimal = numeric_text(v)?.parse().ok()?;
        d.checked_mul(Decimal::ONE_HUNDRED)?.round().try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn body() -> Value {
        json!({
            "title": "Launch", "blank": "  ", "n": 3, "flag": true, "nothing": null,
            "sessions": [{"segments": [{"minute": 5}, {"minute": "x"}]}],
            "tags": ["a", "b"], "mixed": ["a", 1]
        })
    }

    fn root(v: &Value) -> Obj<'_> {
        Obj::of(v, Path::root()).unwrap()
    }

    #[test]
    fn paths_join_keys_and_indices() {
        let p = Path::root()
            .key("sessions")
            .index(2)
            .key("segments")
            .index(0);
        assert_eq!(
            p.key("minute").to_string(),
            "sessions[2].segments[0].minute"
        );
        assert_eq!(Path::root().key("a").to_string(), "a");
        assert_eq!(
            Path::named("order").key("amount").to_string(),
            "order.amount"
        );
        assert_eq!(Path::root().index(1).to_string(), "[1]");
        let b = body();
        let sessions = root(&b).field("sessions").items("").unwrap().unwrap();
        let seg = sessions[0].object("").unwrap().unwrap();
        let items = seg.field("segments").items("").unwrap().unwrap();
        let second = items[1].object("").unwrap().unwrap();
        assert_eq!(
            second.field("minute").path().to_string(),
            "sessions[0].segments[1].minute"
        );
    }

    #[test]
    fn left_out_null_and_strict() {
        let b = body();
        let r = root(&b);
        assert_eq!(r.field("absent").opt(read::boolean), Ok(None));
        assert_eq!(r.field("nothing").opt(read::boolean), Ok(None));
        assert_eq!(
            r.field("nothing").strict().opt(read::boolean),
            Err(Fault {
                path: Path::named("nothing"),
                message: "must be true or false".into()
            })
        );
        assert!(!r.field("absent").strict().is_given());
        assert_eq!(
            r.field("nothing").req("is required", read::boolean),
            Err(r.field("nothing").fault("is required"))
        );
        assert_eq!(r.field("flag").req("is required", read::boolean), Ok(true));
        assert_eq!(r.get("nothing"), Some(&Value::Null));
        assert!(r.object("title").is_none());
    }

    #[test]
    fn each_read_names_its_fault() {
        let b = body();
        let r = root(&b);
        let msg = |key: &str, read: fn(&Value) -> Result<String, String>| {
            r.field(key).opt(read).unwrap_err().message
        };
        assert_eq!(msg("blank", read::non_blank), "must not be empty");
        assert_eq!(msg("n", read::non_blank), "must be a string");
        assert_eq!(
            msg("n", |v| read::string_got(v).map(str::to_string)),
            "must be a string, got a number"
        );
        assert_eq!(
            msg("title", |v| read::text(3)(v)),
            "must be at most 3 characters, got 6"
        );
        assert_eq!(
            msg("n", |v| read::text(3)(v)),
            "must be a string, got a number"
        );
        assert_eq!(
            r.field("mixed").opt(read::strings).unwrap_err().message,
            "must be a list of strings"
        );
        assert_eq!(
            r.field("tags").opt(read::strings),
            Ok(Some(vec!["a".to_string(), "b".to_string()]))
        );
        assert_eq!(
            r.field("title").opt(read::boolean).unwrap_err().message,
            "must be true or false"
        );
        assert_eq!(
            r.field("n")
                .opt(read::number(0.0..=1.0, "must be between 0 and 1"))
                .unwrap_err()
                .message,
            "must be between 0 and 1"
        );
        assert_eq!(
            r.field("n").opt(read::number(0.0.., "unused")),
            Ok(Some(3.0))
        );
        assert_eq!(
            r.field("title")
                .object("must be an object")
                .unwrap_err()
                .message,
            "must be an object"
        );
        assert_eq!(
            r.field("title")
                .items("must be a list")
                .unwrap_err()
                .message,
            "must be a list"
        );
    }

    #[test]
    fn counts_and_numbers() {
        let whole = |v: Value| read::whole(&v);
        assert_eq!(whole(json!(3)), Ok(3));
        assert_eq!(whole(serde_json::from_str("3.0").unwrap()), Ok(3));
        assert_eq!(whole(json!(1.5)), Err("must be a whole number".into()));
        assert_eq!(
            whole(json!(-1)),
            Err("must be a non-negative number".into())
        );
        assert_eq!(
            whole(json!("3")),
            Err("must be a non-negative number".into())
        );
        assert_eq!(
            read::whole_between(1, 100)(&json!(101)),
            Err("must be between 1 and 100".into())
        );
        assert_eq!(read::whole_between(1, 100)(&json!(100)), Ok(100));

        assert_eq!(read::uint(&json!(7)), Ok(7));
        assert_eq!(
            read::uint(&serde_json::from_str("3.0").unwrap()),
            Err("must be a whole number ≥ 0".into())
        );

        assert_eq!(read::count(&json!("12")), Ok(12));
        assert_eq!(read::count(&json!(-1)), Err("must be ≥ 0".into()));
        assert_eq!(
            read::count(&json!(1.5)),
            Err("must be a whole number, got 1.5".into())
        );
        assert_eq!(
            read::count(&json!(true)),
            Err("must be a whole number, got a boolean".into())
        );
        assert_eq!(
            read::count(&json!("99999999999999999999")),
            Err("is too large: 99999999999999999999".into())
        );
        assert_eq!(
            read::count_within(1, 10)(&json!(0)),
            Err("must be ≥ 1".into())
        );
        assert_eq!(
            read::count_within(1, 10_000)(&json!(10_001)),
            Err("must be at most 10,000, got 10,001".into())
        );
    }

    #[test]
    fn ids_times_and_amounts() {
        assert_eq!(read::id(&json!(7)), Ok("7".into()));
        assert_eq!(read::id(&json!(" ")), Err("must not be empty".into()));
        assert_eq!(
            read::id(&json!([])),
            Err("must be a string id, got an array".into())
        );

        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            read::time(&json!("2026-03-15T19:00:00+08:00")),
            Ok(Utc.with_ymd_and_hms(2026, 3, 15, 11, 0, 0).unwrap())
        );
        assert_eq!(
            read::time(&json!(1)),
            Err("must be an RFC 3339 date-time string such as \"2026-03-15T19:00:00Z\"".into())
        );
        assert_eq!(
            read::time(&json!("soon")),
            Err("\"soon\" is not an RFC 3339 date-time such as \"2026-03-15T19:00:00Z\"".into())
        );
        assert_eq!(
            read::future(now)(&json!("2025-01-01T00:00:00Z")),
            Err("must be in the future (2025-01-01T00:00:00Z has passed)".into())
        );

        assert_eq!(
            read::amount(&json!("12.50")).map(|d| d.to_string()),
            Ok("12.50".into())
        );
        assert_eq!(read::amount(&json!(-1)), Err("must not be negative".into()));
        assert!(
            read::amount(&json!(true))
                .unwrap_err()
                .starts_with("must be a number")
        );
    }

    #[test]
    fn say_puts_the_call_sites_words() {
        let v = json!({"orders": 1.5});
        let r = root(&v);
        assert_eq!(
            r.field("orders")
                .opt(read::say("must be a whole number ≥ 0", read::whole))
                .unwrap_err()
                .message,
            "must be a whole number ≥ 0"
        );
    }

    #[test]
    fn collect_all_mode_keeps_every_fault_in_order() {
        let b = body();
        let r = root(&b);
        let mut errs = Errors::new();
        assert_eq!(
            errs.take(r.field("title").req("is required", read::non_blank)),
            Some("Launch".into())
        );
        assert_eq!(
            errs.take(r.field("blank").req("is required", read::non_blank)),
            None
        );
        assert_eq!(errs.opt(r.field("absent").opt(read::boolean)), None);
        assert_eq!(
            errs.take(r.field("absent").req("is required", read::boolean)),
            None
        );
        errs.push(Path::root().key("tags").index(1), "is not a tag");
        assert_eq!(errs.len(), 3);
        assert_eq!(
            errs.finish(()).unwrap_err(),
            [
                FieldError::new("blank", "must not be empty"),
                FieldError::new("absent", "is required"),
                FieldError::new("tags[1]", "is not a tag"),
            ]
        );
        assert_eq!(Errors::new().finish(1), Ok(1));
    }

    #[test]
    fn first_error_mode_stops_at_the_first_fault() {
        fn parse(v: &Value) -> Result<(String, u64), String> {
            let o = Obj::new(v.as_object().unwrap(), Path::named("like"));
            let viewer = o.field("viewer_id").req("required", read::id)?;
            let count = o
                .field("count")
                .opt(read::count_within(1, 100))?
                .unwrap_or(1);
            Ok((viewer, count))
        }
        assert_eq!(parse(&json!({"viewer_id": 5})), Ok(("5".into(), 1)));
        assert_eq!(
            parse(&json!({"count": 0})),
            Err("like.viewer_id: required".into())
        );
        assert_eq!(
            parse(&json!({"viewer_id": "v", "count": 0})),
            Err("like.count: must be ≥ 1".into())
        );
        let root_fault = Field::new(Path::root(), None).fault("must be an object");
        assert_eq!(String::from(root_fault), "must be an object");
    }

    #[test]
    fn lenient_reads_refuse_nothing() {
        let v = json!({"a": {"b": "85,000.5"}, "list": ["x", 1, "y"], "n": 2});
        assert_eq!(
            lenient::number(lenient::at(&v, &["a", "b"])),
            Some(85_000.5)
        );
        assert_eq!(
            lenient::cents(lenient::at(&v, &["a", "b"])),
            Some(8_500_050)
        );
        assert_eq!(lenient::cents(v.get("n")), Some(200));
        assert_eq!(lenient::number(v.get("list")), None);
        assert_eq!(lenient::at(&v, &["a", "missing"]), None);
        assert_eq!(lenient::strings(v.get("list")), ["x", "y"]);
        assert!(lenient::strings(v.get("n")).is_empty());
    }
}
