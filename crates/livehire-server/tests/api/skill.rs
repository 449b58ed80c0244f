//! The skill file served to agents: every example in it is run, in order,
//! with curl against the server, and must answer what the file says.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use crate::harness::*;

/// One ```bash block of the skill file.
#[derive(Debug)]
struct Example {
    /// The shell text (comments removed).
    script: String,
    /// The status its `# → NNN` line promises.
    status: u16,
    /// The field names the `# →` line shows (each must be in the answer).
    fields: Vec<String>,
    /// `# keep: NAME=path` lines.
    keep: Vec<(String, String)>,
    /// The first line, to name the example in failures.
    first_line: String,
}

fn examples(markdown: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```bash" {
            continue;
        }
        let mut script = String::new();
        let mut status = None;
        let mut keep = Vec::new();
        let mut fields = Vec::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            if let Some(rest) = l.trim().strip_prefix("# →") {
                let code = rest.split_whitespace().next().unwrap_or("");
                status = Some(
                    code.parse()
                        .unwrap_or_else(|_| panic!("bad status in {l:?}")),
                );
                // `"name":` in the shown answer.
                let mut rest = rest;
                while let Some(start) = rest.find('"') {
                    let after = &rest[start + 1..];
                    let Some(end) = after.find('"') else { break };
                    let name = &after[..end];
                    rest = &after[end + 1..];
                    if rest.starts_with(':') {
                        fields.push(name.to_string());
                    }
                }
            } else if let Some(rest) = l.trim().strip_prefix("# keep:") {
                let (name, path) = rest.trim().split_once('=').expect("keep: NAME=path");
                keep.push((name.to_string(), path.to_string()));
            } else if !l.trim_start().starts_with('#') {
                script.push_str(l);
                script.push('\n');
            }
        }
        let first_line = script.lines().next().unwrap_or("").to_string();
        out.push(Example {
            status: status.unwrap_or_else(|| panic!("example without `# →` line: {first_line}")),
            script,
            fields,
            keep,
            first_line,
        });
    }
    out
}

/// `sessions[0].id` in `v`.
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, i)) => (n, Some(i.trim_end_matches(']').parse::<usize>().ok()?)),
            None => (part, None),
        };
        if !name.is_empty() {
            cur = cur.get(name)?;
        }
        if let Some(i) = index {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

#[tokio::test]
async fn every_example_in_the_served_skill_file_runs_as_written() {
    let app = spawn_app().await;
    // A server with hosts to find, as any running one has.
    app.with_demo_hosts(20).await;
    let res = app.client.get(app.url("/skill.md")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let text = res.text().await.unwrap();
    assert!(
        !text.contains("{{base_url}}"),
        "every placeholder is filled"
    );
    assert!(
        text.contains(&format!("{}/api/v1", app.base)),
        "the file names this server's base URL"
    );
    let same = app
        .client
        .get(app.url("/skills/tiktok-live-commerce/skill.md"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(same, text);

    let examples = examples(&text);
    assert!(examples.len() >= 30, "{} examples", examples.len());
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    for (n, ex) in examples.iter().enumerate() {
        // curl prints the status on a line of its own after the body.
        let script = format!(
            "set -eu\ncurl() {{ command curl -sS -w '\\n%{{http_code}}' \"$@\"; }}\n{}",
            ex.script
        );
        // Off the runtime's thread: the server answers on it.
        let env = vars.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("bash")
                .arg("-c")
                .arg(&script)
                .envs(&env)
                .output()
        })
        .await
        .unwrap()
        .expect("bash and curl are installed");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "example {n} ({}) failed: {}\n{stdout}",
            ex.first_line,
            String::from_utf8_lossy(&out.stderr)
        );
        let (body, status) = stdout.trim_end().rsplit_once('\n').unwrap_or(("", &stdout));
        let status: u16 = status.trim().parse().expect("curl's status line");
        assert_eq!(
            status, ex.status,
            "example {n} ({}) answered {status}: {body}",
            ex.first_line
        );
        for field in &ex.fields {
            assert!(
                body.contains(&format!("\"{field}\":")),
                "example {n} ({}) shows {field:?}, which its answer lacks: {body}",
                ex.first_line
            );
        }
        let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        for (name, path) in &ex.keep {
            let value = at(&json, path)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("example {n}: no {path} in {body}"));
            vars.insert(name.clone(), value.to_string());
        }
    }
    // The walk-through really went from registration to payout.
    let agent_key = &vars["AGENT_KEY"];
    let task = app
        .get(
            &format!("/api/v1/tasks/{}", vars["TASK_ID"]),
            Some(agent_key),
        )
        .await;
    assert_eq!(task.body["status"], "approved", "{}", task.body);
    let sale = app
        .get(
            &format!("/api/v1/flash-sales/{}", vars["SALE_ID"]),
            Some(agent_key),
        )
        .await;
    assert_eq!(sale.body["sold"], 2, "{}", sale.body);
}

#[tokio::test]
async fn llms_txt_points_to_the_skill_file_and_the_openapi_document() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/llms.txt")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.starts_with("# livehire"));
    for link in [
        "/skills/tiktok-live-commerce/skill.md",
        "/api/v1/openapi.json",
    ] {
        let url = format!("{}{link}", app.base);
        assert!(text.contains(&url), "{url} in {text}");
        let linked = app.client.get(&url).send().await.unwrap();
        assert_eq!(linked.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn api_docs_are_served_by_the_server_itself_and_read_its_document() {
    let app = spawn_app().await;
    let page = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Every script and style the page loads comes from this server.
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            let link = part.split('"').next().unwrap_or("");
            assert!(
                !link.starts_with("http") && !link.starts_with("//"),
                "{link} is not served by livehire"
            );
            let url = app.url(&format!("/docs/{}", link.trim_start_matches("./")));
            let asset = app.client.get(&url).send().await.unwrap();
            assert_eq!(asset.status(), 200, "{url}");
        }
    }
    let init = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/v1/openapi.json"), "{init}");
}
