//! The live service layer's boundary is typed (`shared/DESIGN.md`, "What the
//! first build taught us"): no public function of these files answers a bare
//! `serde_json::Value`, and their view structs hold none. A source scan, so
//! a method that slips back to `-> ApiResult<Value>` fails here before it
//! reaches the OpenAPI document as `{"type": "object"}`.

/// The files of the live slice: service methods, their views, the runtime.
const FILES: &[(&str, &str)] = &[
    ("app/sessions.rs", include_str!("../sessions.rs")),
    ("app/sessions/views.rs", include_str!("views.rs")),
    ("app/sessions/input.rs", include_str!("input.rs")),
    ("app/flash_sales.rs", include_str!("../flash_sales.rs")),
    (
        "app/flash_sales/views.rs",
        include_str!("../flash_sales/views.rs"),
    ),
    ("app/reports.rs", include_str!("../reports.rs")),
    ("app/reports/views.rs", include_str!("../reports/views.rs")),
    ("app/outbox.rs", include_str!("../outbox.rs")),
    ("live/mod.rs", include_str!("../../live/mod.rs")),
    ("live/sale.rs", include_str!("../../live/sale.rs")),
    ("live/stream.rs", include_str!("../../live/stream.rs")),
];

/// View files: every field is typed.
const VIEW_FILES: &[&str] = &[
    "app/sessions/views.rs",
    "app/flash_sales/views.rs",
    "app/reports/views.rs",
];

/// The identifiers of a piece of Rust source.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// The public functions of `source` (test code excluded) whose return type
/// names `Value`: (name, signature).
fn answering_value(source: &str) -> Vec<(String, String)> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut found = Vec::new();
    let mut at = 0;
    for line in code.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let t = line.trim_start();
        if !(t.starts_with("pub ") || t.starts_with("pub(")) {
            continue;
        }
        // `pub fn`, `pub async fn`, `pub(crate) const fn`, …; not fields.
        let Some(fn_at) = t.find(" fn ") else {
            continue;
        };
        if t[..fn_at].contains([':', '=', '{']) {
            continue;
        }
        let rest = &code[start..];
        let signature = &rest[..rest.find(['{', ';']).unwrap_or(rest.len())];
        let Some((_, returns)) = signature.split_once("->") else {
            continue;
        };
        if words(returns).any(|w| w == "Value") {
            let name = words(&t[fn_at + 4..]).next().unwrap_or("?");
            found.push((name.to_string(), signature.trim().to_string()));
        }
    }
    found
}

#[test]
fn the_scan_finds_a_method_that_answers_a_bare_value() {
    let bad = "impl App {
    pub async fn session(&self, id: &str) -> ApiResult<Value> {
        todo!()
    }
    pub(crate) fn pair(
        &self,
    ) -> (serde_json::Value, u8) {
        todo!()
    }
    pub fn fine(&self, v: Value) -> ApiResult<SessionView> { todo!() }
    pub data: Value,
}
";
    let names: Vec<String> = answering_value(bad).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["session", "pair"]);
}

#[test]
fn no_public_function_of_the_live_slice_answers_a_bare_json_value() {
    let offenders: Vec<String> = FILES
        .iter()
        .flat_map(|(file, source)| {
            answering_value(source)
                .into_iter()
                .map(move |(name, signature)| format!("{file}: {name}: {signature}"))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "answer a view struct deriving Serialize and ToSchema instead:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_live_views_hold_no_untyped_json() {
    for (file, source) in FILES.iter().filter(|(f, _)| VIEW_FILES.contains(f)) {
        assert!(
            !words(source).any(|w| w == "Value"),
            "{file} names serde_json::Value: give the field a type"
        );
    }
}
