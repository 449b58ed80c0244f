//! Self-contained HTML pages of the reports: inline CSS, the SVG charts
//! inlined, nothing fetched. Every text taken from data goes through [`esc`].

use serde_json::Value;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A JSON value as escaped cell text (`—` for null).
fn show(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => esc(s),
        other => esc(&other.to_string()),
    }
}

/// A share (0–1) as a percentage with two decimals, `—` for null.
fn percent(v: &Value) -> String {
    match v.as_f64() {
        Some(f) => format!("{:.2}%", f * 100.0),
        None => "—".into(),
    }
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f9;color:#212529}
main{max-width:1240px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px}
.meta{color:#6c757d;margin:0 0 16px}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:10px;padding:16px;margin-bottom:16px;overflow-x:auto}
.card svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #edf0f2;vertical-align:top}
th{background:#f8f9fa;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px;background:#f1f3f5;padding:1px 5px;border-radius:4px}
.formula{color:#6c757d;font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(370px,1fr));gap:12px}
.pos{color:#047857}.neg{color:#b91c1c}
";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>\n",
        esc(title)
    )
}

/// The key figures: a label, livehire's field and TikTok Shop's field.
const FIGURES: &[(&str, Option<&str>, Option<&str>)] = &[
    (
        "Peak concurrent viewers",
        Some("peak_concurrent_viewers"),
        Some("pcu"),
    ),
    ("Average concurrent viewers", None, Some("acu")),
    ("Viewers at the end", Some("concurrent_viewers"), None),
    ("Unique viewers", Some("unique_viewers"), Some("viewers")),
    ("Views (re-joins included)", None, Some("views")),
    (
        "Average watch time, seconds",
        Some("avg_watch_time_seconds"),
        Some("avg_viewing_duration"),
    ),
    ("GMV", Some("gmv"), Some("gmv")),
    ("Units sold", Some("units"), Some("items_sold")),
    ("Buyers", Some("buyers"), Some("customers")),
    ("Orders", Some("orders"), Some("sku_orders")),
    ("GMV per 1,000 viewers", Some("gpm"), Some("watch_gpm")),
    (
        "Conversion rate (buyers ÷ unique viewers)",
        Some("conversion_rate"),
        None,
    ),
];

const ENGAGEMENT: &[(&str, &str)] = &[
    ("Chat messages", "chat_messages"),
    ("Questions", "questions"),
    ("Questions answered", "questions_answered"),
    ("Likes", "likes"),
    ("Shares", "shares"),
    ("Follows", "follows"),
    ("Gifts value", "gifts_value"),
    ("Refunded orders", "refunds"),
];

/// The session report page from the JSON report and its SVG.
/// Who reported the figures: each kind of source's key figures side by side
/// (`docs/trust.md`), the verified ones being those a payout reads.
fn sources_table(m: &Value) -> String {
    let src = &m["sources"];
    let mut b = format!(
        "<h2>Who reported what</h2><p class=\"meta\">Figures from: <code>{}</code>. \
         Verified figures come from sources the host does not control (the agent, its ingest key, \
         the flash-sale checkout, TikTok Shop, an import); a payout reads them.</p>",
        show(&m["figures_source"])
    );
    b.push_str("<div class=\"card\"><table><thead><tr><th>Figure</th><th class=\"num\">verified</th><th class=\"num\">host-reported</th></tr></thead><tbody>");
    // A kind of source that sent nothing shows a dash, not zeros.
    let from = m["figures_source"].as_str().unwrap_or("none");
    let has = |kind: &str| from == kind || from == "mixed";
    let cell = |kind: &str, text: String| if has(kind) { text } else { "—".to_string() };
    for (label, key) in [
        ("GMV", "gmv"),
        ("Orders", "orders"),
        ("Buyers", "buyers"),
        ("Unique viewers", "unique_viewers"),
        ("Peak concurrent viewers", "peak_concurrent_viewers"),
        ("Questions", "questions"),
    ] {
        b.push_str(&format!(
            "<tr><td>{label}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            cell("verified", show(&src["verified"][key])),
            cell("host_reported", show(&src["host_reported"][key])),
        ));
    }
    b.push_str(&format!(
        "<tr><td>Conversion</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        cell("verified", percent(&src["verified"]["conversion_rate"])),
        cell(
            "host_reported",
            percent(&src["host_reported"]["conversion_rate"])
        ),
    ));
    b.push_str("</tbody></table></div>");
    b
}

pub fn session_page(report: &Value, svg: &str) -> String {
    let m = &report["metrics"];
    let tts = &m["tiktok_shop"];
    let s = &report["session"];
    let title = report["task"]["title"].as_str().unwrap_or("Live session");
    let mut b = String::new();
    b.push_str(&format!("<h1>{}</h1>", esc(title)));
    let mut meta = format!("Session <code>{}</code>", show(&s["id"]));
    if let Some(w) = s["week"].as_i64() {
        meta.push_str(&format!(" · week {w}"));
    }
    if let Some(t) = s["theme"].as_str() {
        meta.push_str(&format!(" · {}", esc(t)));
    }
    meta.push_str(&format!(
        " · {} · {} → {} · currency {} · generated {}",
        show(&s["status"]),
        show(&report["window"]["start"]),
        show(&report["window"]["end"]),
        show(&report["currency"]),
        show(&report["generated_at"]),
    ));
    b.push_str(&format!("<p class=\"meta\">{meta}</p>"));
    b.push_str(&format!("<div class=\"card\">{svg}</div>"));

    b.push_str("<h2>Key figures</h2><div class=\"card\"><table><thead><tr><th>Figure</th><th>livehire</th><th class=\"num\">value</th><th>TikTok Shop</th><th class=\"num\">value</th><th>TikTok Shop formula</th></tr></thead><tbody>");
    for (label, ours, theirs) in FIGURES {
        let cell = |name: &Option<&str>, obj: &Value| match name {
            Some(n) => (format!("<code>{n}</code>"), show(&obj[*n])),
            None => (String::new(), String::new()),
        };
        let (on, ov) = cell(ours, m);
        let (tn, tv) = cell(theirs, tts);
        let ov = if *ours == Some("conversion_rate") {
            percent(&m["conversion_rate"])
        } else {
            ov
        };
        let formula = theirs
            .map(|n| show(&report["formulas"][n]))
            .unwrap_or_default();
        b.push_str(&format!(
            "<tr><td>{label}</td><td>{on}</td><td class=\"num\">{ov}</td><td>{tn}</td><td class=\"num\">{tv}</td><td class=\"formula\">{formula}</td></tr>"
        ));
    }
    b.push_str("</tbody></table></div>");

    b.push_str(&sources_table(m));

    b.push_str("<h2>Top products</h2><div class=\"card\"><table><thead><tr><th>#</th><th>Product</th><th class=\"num\">Orders</th><th class=\"num\">Units</th><th class=\"num\">GMV</th></tr></thead><tbody>");
    let products = m["products"].as_array().cloned().unwrap_or_default();
    if products.is_empty() {
        b.push_str("<tr><td colspan=\"5\">No orders.</td></tr>");
    }
    for (i, p) in products.iter().enumerate() {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            i + 1,
            show(&p["product_id"]),
            show(&p["orders"]),
            show(&p["units"]),
            show(&p["gmv"]),
        ));
    }
    b.push_str("</tbody></table></div>");

    b.push_str("<h2>Flash sales</h2><div class=\"card\"><table><thead><tr><th>Product</th><th>Start</th><th>End</th><th class=\"num\">Price</th><th class=\"num\">Stock</th><th class=\"num\">Sold</th><th class=\"num\">GMV</th></tr></thead><tbody>");
    let sales = report["flash_sales"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if sales.is_empty() {
        b.push_str("<tr><td colspan=\"7\">No flash sales.</td></tr>");
    }
    for f in &sales {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            show(&f["product_id"]),
            show(&f["starts_at"]),
            show(&f["ends_at"]),
            show(&f["price"]),
            show(&f["stock"]),
            show(&f["sold"]),
            show(&f["gmv"]),
        ));
    }
    b.push_str("</tbody></table></div>");

    b.push_str("<h2>Engagement</h2><div class=\"card\"><table><tbody>");
    for (label, field) in ENGAGEMENT {
        b.push_str(&format!(
            "<tr><td>{label}</td><td><code>{field}</code></td><td class=\"num\">{}</td></tr>",
            show(&m[*field])
        ));
    }
    b.push_str("</tbody></table></div>");
    page(&format!("{title} — session report"), &b)
}

/// The figures of a series report's table: label and field.
pub const SERIES_FIGURES: &[(&str, &str)] = &[
    ("Unique viewers", "unique_viewers"),
    ("Peak viewers", "peak_concurrent_viewers"),
    ("GMV", "gmv"),
    ("Orders", "orders"),
    ("Conversion", "conversion_rate"),
    ("Avg watch time, s", "avg_watch_time_seconds"),
];

fn growth_cell(v: &Value) -> String {
    match v.as_f64() {
        Some(g) => {
            let class = if g >= 0.0 { "pos" } else { "neg" };
            let sign = if g > 0.0 { "+" } else { "" };
            format!(
                "<span class=\"{class}\">{sign}{}%</span>",
                esc(&v.to_string())
            )
        }
        None => "—".into(),
    }
}

/// The series report page from the JSON report and one bar chart per figure.
pub fn series_page(report: &Value, charts: &[String]) -> String {
    let title = report["task"]["title"].as_str().unwrap_or("Live series");
    let mut b = String::new();
    b.push_str(&format!("<h1>{}</h1>", esc(title)));
    b.push_str(&format!(
        "<p class=\"meta\">Series report · task <code>{}</code> · currency {} · generated {}</p>",
        show(&report["task"]["id"]),
        show(&report["currency"]),
        show(&report["generated_at"]),
    ));
    b.push_str("<div class=\"card\"><table><thead><tr><th>Week</th><th>Theme</th><th>Scheduled</th><th>Status</th>");
    for (label, _) in SERIES_FIGURES {
        b.push_str(&format!("<th class=\"num\">{label}</th>"));
    }
    b.push_str("</tr></thead><tbody>");
    let sessions = report["sessions"].as_array().cloned().unwrap_or_default();
    for s in &sessions {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            show(&s["week"]),
            show(&s["theme"]),
            show(&s["scheduled_time"]),
            show(&s["status"]),
        ));
        for (_, field) in SERIES_FIGURES {
            let cell = if *field == "conversion_rate" {
                percent(&s[*field])
            } else {
                show(&s[*field])
            };
            b.push_str(&format!("<td class=\"num\">{cell}</td>"));
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
    let g = &report["growth"];
    b.push_str(&format!(
        "<p>Growth from week {} to week {}: unique viewers {}, GMV {}.</p></div>",
        show(&g["from_week"]),
        show(&g["to_week"]),
        growth_cell(&g["unique_viewers_pct"]),
        growth_cell(&g["gmv_pct"]),
    ));
    b.push_str("<div class=\"grid\">");
    for c in charts {
        b.push_str(&format!("<div class=\"card\">{c}</div>"));
    }
    b.push_str("</div>");
    page(&format!("{title} — series report"), &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<b>x</b> & \"y\" 'z'"),
            "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; &#39;z&#39;"
        );
    }
}
