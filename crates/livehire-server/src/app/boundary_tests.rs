//! The service boundary is typed: a scan of the sources of tasks, offers,
//! messages, the run of show, settlement, accounts, hosts, the operator,
//! wallets and TikTok Shop fails if a public function returns a bare
//! `serde_json::Value`, if a service method (`impl App`) takes one, if a
//! served view holds one outside its documented `extra` map (the client's
//! own fields, kept verbatim), or if a handler answers `Json<Value>`,
//! documents a bare `Object` body or reads JSON it does not type.

/// The service files, by name.
const SERVICE: &[(&str, &str)] = &[
    ("app/tasks.rs", include_str!("tasks.rs")),
    ("app/task_view.rs", include_str!("task_view.rs")),
    ("app/task_terms.rs", include_str!("task_terms.rs")),
    ("app/offers.rs", include_str!("offers.rs")),
    ("app/messages.rs", include_str!("messages.rs")),
    ("app/run_of_show.rs", include_str!("run_of_show.rs")),
    ("app/settlement.rs", include_str!("settlement.rs")),
    ("app/settlement_view.rs", include_str!("settlement_view.rs")),
    ("app/figure_inputs.rs", include_str!("figure_inputs.rs")),
    ("app/accounts.rs", include_str!("accounts.rs")),
    ("app/hosts.rs", include_str!("hosts.rs")),
    ("app/host_view.rs", include_str!("host_view.rs")),
    ("app/host_input.rs", include_str!("host_input.rs")),
    ("app/host_index.rs", include_str!("host_index.rs")),
    ("app/operator.rs", include_str!("operator.rs")),
    ("app/wallet.rs", include_str!("wallet.rs")),
    ("app/tiktok_shop.rs", include_str!("tiktok_shop.rs")),
    ("app/tiktok_shop_api.rs", include_str!("tiktok_shop_api.rs")),
    (
        "app/tiktok_shop_ownership.rs",
        include_str!("tiktok_shop_ownership.rs"),
    ),
];

/// Their handlers.
const HANDLERS: &[(&str, &str)] = &[
    ("http/tasks.rs", include_str!("../http/tasks.rs")),
    ("http/hiring.rs", include_str!("../http/hiring.rs")),
    ("http/messages.rs", include_str!("../http/messages.rs")),
    ("http/accounts.rs", include_str!("../http/accounts.rs")),
    ("http/hosts.rs", include_str!("../http/hosts.rs")),
    ("http/admin.rs", include_str!("../http/admin.rs")),
    ("http/wallet.rs", include_str!("../http/wallet.rs")),
    (
        "http/tiktok_shop.rs",
        include_str!("../http/tiktok_shop.rs"),
    ),
];

/// How a handler reads a JSON object it then parses into a typed body
/// (`NewHost::parse`, `HostPatch::parse`), so that every field of the wrong
/// type is named in the profile rules' words: the one way a handler may hold
/// free-form JSON.
const JSON_OBJECT_FOR_PARSE: &str = "AppJson<Map<String, Value>>";

/// Whether a type's text names `serde_json::Value` (`Value`, `Map<String,
/// Value>`, `Vec<Value>`, …) as a word.
fn names_value(ty: &str) -> bool {
    ty.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| word == "Value")
}

/// Each public function's signature, from `pub` to its body's `{`.
fn public_signatures(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("pub ") {
        let tail = &rest[at..];
        let head = tail.split(['(', '{', ';', '=']).next().unwrap_or("");
        if head.contains(" fn ") {
            let end = tail.find('{').unwrap_or(tail.len());
            out.push(tail[..end].to_string());
        }
        rest = &rest[at + 4..];
    }
    out
}

/// The public functions of the service's `impl App` blocks.
fn service_methods(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let source = format!("\n{source}");
    for block in source.split("\nimpl App {").skip(1) {
        let body = block.split("\n}\n").next().unwrap_or("");
        out.extend(public_signatures(body));
    }
    out
}

/// The fields of every struct deriving `Serialize`: (struct, the field's
/// attributes and declaration).
fn served_fields(source: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut attributes = String::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        let line = line.trim();
        match &current {
            None => {
                if line.starts_with("#[derive(") {
                    attributes = line.to_string();
                } else if let Some(rest) = line.strip_prefix("pub struct ") {
                    let serialized = attributes.contains("Serialize");
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if serialized && rest.trim_end().ends_with('{') {
                        current = Some(name);
                    } else if serialized {
                        // A tuple struct: its one declaration is its fields.
                        out.push((name, format!("{attributes} pub 0: {rest}")));
                    }
                    attributes.clear();
                } else if !line.starts_with("#[") && !line.starts_with("///") {
                    attributes.clear();
                }
            }
            Some(name) => {
                if line == "}" {
                    current = None;
                } else if line.starts_with("#[") {
                    attributes.push_str(line);
                } else if line.starts_with("pub ") {
                    out.push((name.clone(), format!("{attributes} {line}")));
                    attributes.clear();
                }
            }
        }
    }
    out
}

#[test]
fn no_public_method_returns_a_bare_value() {
    let mut bare = Vec::new();
    for (file, source) in SERVICE {
        for signature in public_signatures(source) {
            let returns = signature.split_once("->").map_or("", |(_, r)| r);
            if names_value(returns) {
                bare.push(format!(
                    "{file}: {}",
                    signature.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "public functions returning Value: {bare:#?}"
    );
}

#[test]
fn no_service_method_takes_a_bare_value() {
    let mut bare = Vec::new();
    let mut methods = 0;
    for (file, source) in SERVICE {
        for signature in service_methods(source) {
            methods += 1;
            let takes = signature
                .split_once("->")
                .map_or(signature.as_str(), |(p, _)| p);
            if names_value(takes) {
                bare.push(format!(
                    "{file}: {}",
                    signature.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }
    assert!(bare.is_empty(), "service methods taking Value: {bare:#?}");
    assert!(methods > 40, "the scan found {methods} service methods");
}

#[test]
fn served_views_hold_values_only_in_their_documented_extra_map() {
    let mut loose = Vec::new();
    let mut extras = 0;
    for (file, source) in SERVICE {
        for (view, field) in served_fields(source) {
            let declaration = field.rsplit("pub ").next().unwrap_or("");
            let ty = declaration.split_once(':').map_or("", |(_, t)| t);
            if !names_value(ty) {
                continue;
            }
            let documented_extra = declaration.starts_with("extra:")
                && ty.trim() == "Map<String, Value>,"
                && field.contains("#[serde(flatten)]");
            if documented_extra {
                extras += 1;
            } else {
                loose.push(format!("{file}: {view}.{declaration}"));
            }
        }
    }
    assert!(loose.is_empty(), "views holding free-form JSON: {loose:#?}");
    assert_eq!(
        extras, 12,
        "TaskView and SubmissionView keep the client's fields; a host profile \
         (HostView, NewHost, HostPatch, DemoHost through NewHost) and its blocks \
         (follower_stats, live_commerce_metrics, compensation_range and their \
         patches, self_declared) keep the host's"
    );
}

#[test]
fn handlers_answer_typed_bodies_and_document_them() {
    let mut loose = Vec::new();
    for (file, source) in HANDLERS {
        for (n, line) in source.lines().enumerate() {
            let reads_untyped = names_value(line)
                && !line.trim_start().starts_with("use ")
                && !(line.contains(JSON_OBJECT_FOR_PARSE) && source.contains("::parse(body)?"));
            if line.contains("Json<Value>")
                || line.contains("body = Object")
                || line.contains("content = Object")
                || reads_untyped
            {
                loose.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(loose.is_empty(), "untyped answers: {loose:#?}");
}

#[test]
fn the_scan_sees_what_it_looks_for() {
    let source = "impl App {\n    pub async fn bad(&self) -> ApiResult<Value> {\n    }\n}\n\
        #[derive(Debug, Serialize)]\npub struct V {\n    /// x\n    pub a: Option<Value>,\n\
        #[serde(flatten)]\n    pub extra: Map<String, Value>,\n}\n";
    assert_eq!(public_signatures(source).len(), 1);
    assert!(names_value(
        public_signatures(source)[0].split_once("->").unwrap().1
    ));
    assert!(service_methods(source)[0].contains("fn bad("));
    assert!(service_methods("impl Other {\n    pub fn f(v: Value) {\n    }\n}\n").is_empty());
    let fields = served_fields(source);
    assert_eq!(fields.len(), 2);
    assert!(fields[1].1.contains("#[serde(flatten)]"));
    assert!(!names_value("ApiResult<TaskView>"));
    assert!(!names_value("ValueType"));
}

/// Every source file under `src/app`, read from disk (so a file added later
/// is scanned without being listed here).
fn every_app_file() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("src/app is readable")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                out.push((path.display().to_string(), text));
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let mut out = Vec::new();
    walk(&root, &mut out);
    out
}

#[test]
fn no_service_method_anywhere_in_the_app_takes_or_returns_a_bare_value() {
    let mut bare = Vec::new();
    let mut methods = 0;
    let files = every_app_file();
    for (file, source) in &files {
        for signature in service_methods(source) {
            methods += 1;
            if names_value(&signature) {
                bare.push(format!(
                    "{file}: {}",
                    signature.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }
    assert!(files.len() > 30, "the scan read {} files", files.len());
    assert!(bare.is_empty(), "service methods with bare JSON: {bare:#?}");
    assert!(methods >= 80, "the scan found {methods} service methods");
}

/// The status and kind fields of the served views in `source` (how many),
/// and those typed as text.
fn stringly_statuses(file: &str, source: &str) -> (usize, Vec<String>) {
    // Event types name an open set (`task.assigned`, …) that clients must
    // accept growing; they stay text, documented with their values.
    const OPEN_SETS: &[&str] = &["EventView", "WebhookPayload"];
    let mut stringly = Vec::new();
    let mut seen = 0;
    for (view, field) in served_fields(source) {
        let declaration = field.rsplit("pub ").next().unwrap_or_default();
        let Some((name, ty)) = declaration.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if !(name == "status" || name.ends_with("_status") || name == "kind") {
            continue;
        }
        seen += 1;
        let ty = ty.trim().trim_end_matches(',');
        if (ty == "String" || ty == "Option<String>") && !OPEN_SETS.contains(&view.as_str()) {
            stringly.push(format!("{file}: {view}.{name}: {ty}"));
        }
    }
    (seen, stringly)
}

#[test]
fn served_statuses_and_kinds_are_enums_not_strings() {
    let example = "#[derive(Serialize)]\npub struct V {\n    /// Doc.\n    pub status: String,\n    \
                   pub task_status: TaskStatus,\n}\n";
    assert_eq!(
        stringly_statuses("x.rs", example),
        (2, vec!["x.rs: V.status: String".to_string()])
    );
    let (mut seen, mut stringly) = (0, Vec::new());
    for (file, source) in every_app_file() {
        let (n, found) = stringly_statuses(&file, &source);
        seen += n;
        stringly.extend(found);
    }
    assert!(seen >= 10, "the scan found {seen} status and kind fields");
    assert!(
        stringly.is_empty(),
        "statuses served as strings: {stringly:#?}"
    );
}
