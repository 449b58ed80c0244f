//! Self-contained HTML pages of the reports: inline CSS, the SVG charts
//! inlined, nothing fetched. Every text taken from data goes through [`esc`].

use livehire_domain::live::{KeyFigures, Metrics, TikTokShopMetrics};
use rust_decimal::Decimal;

use crate::app::{SeriesReport, SeriesRow, SessionReport};

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

/// A figure as escaped cell text.
fn show(v: impl std::fmt::Display) -> String {
    esc(&v.to_string())
}

/// A text that may be missing as escaped cell text (`—` when missing).
fn show_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "—".into(), show)
}

/// A share (0–1) as a percentage with two decimals.
fn percent(d: Decimal) -> String {
    format!("{:.2}%", number(d) * 100.0)
}

/// An exact decimal as the nearest `f64`, read from its text as a JSON
/// reader would.
pub fn number(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
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

/// A figure of the metrics: its field name and its cell text.
type Ours = Option<(&'static str, fn(&Metrics) -> String)>;
/// A figure under TikTok Shop's name: the name and its cell text.
type Theirs = Option<(&'static str, fn(&TikTokShopMetrics) -> String)>;

/// The key figures: a label, livehire's field and TikTok Shop's field.
const FIGURES: &[(&str, Ours, Theirs)] = &[
    (
        "Peak concurrent viewers",
        Some(("peak_concurrent_viewers", |m| {
            show(m.peak_concurrent_viewers)
        })),
        Some(("pcu", |t| show(t.pcu))),
    ),
    (
        "Average concurrent viewers",
        None,
        Some(("acu", |t| show(t.acu))),
    ),
    (
        "Viewers at the end",
        Some(("concurrent_viewers", |m| show(m.concurrent_viewers))),
        None,
    ),
    (
        "Unique viewers",
        Some(("unique_viewers", |m| show(m.unique_viewers))),
        Some(("viewers", |t| show(t.viewers))),
    ),
    (
        "Views (re-joins included)",
        None,
        Some(("views", |t| show(t.views))),
    ),
    (
        "Average watch time, seconds",
        Some(("avg_watch_time_seconds", |m| show(m.avg_watch_time_seconds))),
        Some(("avg_viewing_duration", |t| show(t.avg_viewing_duration))),
    ),
    (
        "GMV",
        Some(("gmv", |m| show(m.gmv))),
        Some(("gmv", |t| show(t.gmv))),
    ),
    (
        "Units sold",
        Some(("units", |m| show(m.units))),
        Some(("items_sold", |t| show(t.items_sold))),
    ),
    (
        "Buyers",
        Some(("buyers", |m| show(m.buyers))),
        Some(("customers", |t| show(t.customers))),
    ),
    (
        "Orders",
        Some(("orders", |m| show(m.orders))),
        Some(("sku_orders", |t| show(t.sku_orders))),
    ),
    (
        "GMV per 1,000 viewers",
        Some(("gpm", |m| show(m.gpm))),
        Some(("watch_gpm", |t| show(t.watch_gpm))),
    ),
    (
        "Conversion rate (buyers ÷ unique viewers)",
        Some(("conversion_rate", |m| percent(m.conversion_rate))),
        None,
    ),
];

/// A count of the metrics.
type Count = fn(&Metrics) -> u64;

/// The engagement figures: a label, the field and its value.
const ENGAGEMENT: &[(&str, &str, Count)] = &[
    ("Chat messages", "chat_messages", |m| m.chat_messages),
    ("Questions", "questions", |m| m.questions),
    ("Questions answered", "questions_answered", |m| {
        m.questions_answered
    }),
    ("Likes", "likes", |m| m.likes),
    ("Shares", "shares", |m| m.shares),
    ("Follows", "follows", |m| m.follows),
    ("Gifts value", "gifts_value", |m| m.gifts_value),
    ("Refunded orders", "refunds", |m| m.refunds),
];

/// A key figure of one kind of source as cell text.
type KeyFigure = fn(&KeyFigures) -> String;

/// Who reported the figures: each kind of source's key figures side by side
/// (`docs/trust.md`), the verified ones being those a payout reads.
fn sources_table(m: &Metrics) -> String {
    let src = &m.sources;
    let from = m.figures_source.as_str();
    let mut b = format!(
        "<h2>Who reported what</h2><p class=\"meta\">Figures from: <code>{}</code>. \
         Verified figures come from sources the host does not control (the agent, its ingest key, \
         the flash-sale checkout, TikTok Shop, an import); a payout reads them.</p>",
        esc(from)
    );
    b.push_str("<div class=\"card\"><table><thead><tr><th>Figure</th><th class=\"num\">verified</th><th class=\"num\">host-reported</th></tr></thead><tbody>");
    // A kind of source that sent nothing shows a dash, not zeros.
    let has = |kind: &str| from == kind || from == "mixed";
    let cell = |kind: &str, text: String| if has(kind) { text } else { "—".to_string() };
    let rows: [(&str, KeyFigure); 6] = [
        ("GMV", |k| show(k.gmv)),
        ("Orders", |k| show(k.orders)),
        ("Buyers", |k| show(k.buyers)),
        ("Unique viewers", |k| show(k.unique_viewers)),
        ("Peak concurrent viewers", |k| {
            show(k.peak_concurrent_viewers)
        }),
        ("Questions", |k| show(k.questions)),
    ];
    for (label, figure) in rows {
        b.push_str(&format!(
            "<tr><td>{label}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            cell("verified", figure(&src.verified)),
            cell("host_reported", figure(&src.host_reported)),
        ));
    }
    b.push_str(&format!(
        "<tr><td>Conversion</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        cell("verified", percent(src.verified.conversion_rate)),
        cell("host_reported", percent(src.host_reported.conversion_rate)),
    ));
    b.push_str("</tbody></table></div>");
    b
}

/// The session report page from the JSON report and its SVG.
pub fn session_page(report: &SessionReport, svg: &str) -> String {
    let m = &report.metrics;
    let tts = &m.tiktok_shop;
    let s = &report.session;
    let title = report.task.title.as_str();
    let mut b = String::new();
    b.push_str(&format!("<h1>{}</h1>", esc(title)));
    let mut meta = format!("Session <code>{}</code>", show(&s.id));
    if let Some(w) = s.week {
        meta.push_str(&format!(" · week {w}"));
    }
    if let Some(t) = &s.theme {
        meta.push_str(&format!(" · {}", esc(t)));
    }
    meta.push_str(&format!(
        " · {} · {} → {} · currency {} · generated {}",
        show(s.status),
        show_opt(report.window.start.as_ref()),
        show_opt(report.window.end.as_ref()),
        show(&report.currency),
        show(&report.generated_at),
    ));
    b.push_str(&format!("<p class=\"meta\">{meta}</p>"));
    b.push_str(&format!("<div class=\"card\">{svg}</div>"));

    b.push_str("<h2>Key figures</h2><div class=\"card\"><table><thead><tr><th>Figure</th><th>livehire</th><th class=\"num\">value</th><th>TikTok Shop</th><th class=\"num\">value</th><th>TikTok Shop formula</th></tr></thead><tbody>");
    for (label, ours, theirs) in FIGURES {
        let (on, ov) = match ours {
            Some((n, value)) => (format!("<code>{n}</code>"), value(m)),
            None => (String::new(), String::new()),
        };
        let (tn, tv) = match theirs {
            Some((n, value)) => (format!("<code>{n}</code>"), value(tts)),
            None => (String::new(), String::new()),
        };
        let formula = theirs
            .and_then(|(n, _)| report.formulas.get(n))
            .map(esc)
            .unwrap_or_default();
        b.push_str(&format!(
            "<tr><td>{label}</td><td>{on}</td><td class=\"num\">{ov}</td><td>{tn}</td><td class=\"num\">{tv}</td><td class=\"formula\">{formula}</td></tr>"
        ));
    }
    b.push_str("</tbody></table></div>");

    b.push_str(&sources_table(m));

    b.push_str("<h2>Top products</h2><div class=\"card\"><table><thead><tr><th>#</th><th>Product</th><th class=\"num\">Orders</th><th class=\"num\">Units</th><th class=\"num\">GMV</th></tr></thead><tbody>");
    if m.products.is_empty() {
        b.push_str("<tr><td colspan=\"5\">No orders.</td></tr>");
    }
    for (i, p) in m.products.iter().enumerate() {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            i + 1,
            show(&p.product_id),
            show(p.orders),
            show(p.units),
            show(p.gmv),
        ));
    }
    b.push_str("</tbody></table></div>");

    b.push_str("<h2>Flash sales</h2><div class=\"card\"><table><thead><tr><th>Product</th><th>Start</th><th>End</th><th class=\"num\">Price</th><th class=\"num\">Stock</th><th class=\"num\">Sold</th><th class=\"num\">GMV</th></tr></thead><tbody>");
    if report.flash_sales.is_empty() {
        b.push_str("<tr><td colspan=\"7\">No flash sales.</td></tr>");
    }
    for f in &report.flash_sales {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            show(&f.product_id),
            show(&f.starts_at),
            show(&f.ends_at),
            show(f.price),
            show(f.stock),
            show(f.sold),
            show(f.gmv),
        ));
    }
    b.push_str("</tbody></table></div>");

    b.push_str("<h2>Engagement</h2><div class=\"card\"><table><tbody>");
    for (label, field, value) in ENGAGEMENT {
        b.push_str(&format!(
            "<tr><td>{label}</td><td><code>{field}</code></td><td class=\"num\">{}</td></tr>",
            value(m)
        ));
    }
    b.push_str("</tbody></table></div>");
    page(&format!("{title} — session report"), &b)
}

/// A figure of a series report's table and charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesFigure {
    /// `unique_viewers`.
    UniqueViewers,
    /// `peak_concurrent_viewers`.
    PeakViewers,
    /// `gmv`.
    Gmv,
    /// `orders`.
    Orders,
    /// `conversion_rate`, shown as a percentage.
    ConversionRate,
    /// `avg_watch_time_seconds`.
    AvgWatchTime,
}

impl SeriesFigure {
    /// The figures, in the table's order.
    pub const ALL: [SeriesFigure; 6] = [
        SeriesFigure::UniqueViewers,
        SeriesFigure::PeakViewers,
        SeriesFigure::Gmv,
        SeriesFigure::Orders,
        SeriesFigure::ConversionRate,
        SeriesFigure::AvgWatchTime,
    ];

    /// The column's and the chart's label.
    pub fn label(self) -> &'static str {
        match self {
            SeriesFigure::UniqueViewers => "Unique viewers",
            SeriesFigure::PeakViewers => "Peak viewers",
            SeriesFigure::Gmv => "GMV",
            SeriesFigure::Orders => "Orders",
            SeriesFigure::ConversionRate => "Conversion",
            SeriesFigure::AvgWatchTime => "Avg watch time, s",
        }
    }

    /// The figure of one session; `None` when it was not monitored.
    pub fn value(self, row: &SeriesRow) -> Option<Decimal> {
        match self {
            SeriesFigure::UniqueViewers => row.unique_viewers.map(Decimal::from),
            SeriesFigure::PeakViewers => row.peak_concurrent_viewers.map(Decimal::from),
            SeriesFigure::Gmv => row.gmv,
            SeriesFigure::Orders => row.orders.map(Decimal::from),
            SeriesFigure::ConversionRate => row.conversion_rate,
            SeriesFigure::AvgWatchTime => row.avg_watch_time_seconds,
        }
    }
}

fn growth_cell(v: Option<Decimal>) -> String {
    match v {
        Some(g) => {
            let f = number(g);
            let class = if f >= 0.0 { "pos" } else { "neg" };
            let sign = if f > 0.0 { "+" } else { "" };
            format!("<span class=\"{class}\">{sign}{}%</span>", show(g))
        }
        None => "—".into(),
    }
}

/// The series report page from the JSON report and one bar chart per figure.
pub fn series_page(report: &SeriesReport, charts: &[String]) -> String {
    let title = report.task.title.as_str();
    let mut b = String::new();
    b.push_str(&format!("<h1>{}</h1>", esc(title)));
    b.push_str(&format!(
        "<p class=\"meta\">Series report · task <code>{}</code> · currency {} · generated {}</p>",
        show(&report.task.id),
        show(&report.currency),
        show(&report.generated_at),
    ));
    b.push_str("<div class=\"card\"><table><thead><tr><th>Week</th><th>Theme</th><th>Scheduled</th><th>Status</th>");
    for figure in SeriesFigure::ALL {
        b.push_str(&format!("<th class=\"num\">{}</th>", figure.label()));
    }
    b.push_str("</tr></thead><tbody>");
    for s in &report.sessions {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            show(s.week),
            show_opt(s.theme.as_ref()),
            show_opt(s.scheduled_time.as_ref()),
            show(s.status),
        ));
        for figure in SeriesFigure::ALL {
            let value = figure.value(s);
            let cell = match (figure, value) {
                (SeriesFigure::ConversionRate, Some(v)) => percent(v),
                (_, v) => show_opt(v),
            };
            b.push_str(&format!("<td class=\"num\">{cell}</td>"));
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
    let g = &report.growth;
    b.push_str(&format!(
        "<p>Growth from week {} to week {}: unique viewers {}, GMV {}.</p></div>",
        show_opt(g.from_week),
        show_opt(g.to_week),
        growth_cell(g.unique_viewers_pct),
        growth_cell(g.gmv_pct),
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
