//! The flash-sale overlay page for streaming software browser sources: a
//! transparent background, a countdown and the stock left, kept live over SSE.
//!
//! The page's style and script are constant; what differs per sale (and
//! its few words, in the page's language) travels in `data-` attributes. Its content policy can therefore name the two by
//! hash ([`policy`]) instead of allowing any inline style or script.

use std::sync::LazyLock;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::app::FlashSaleState;
use crate::reports::html::esc as escape;
use crate::web::Lang;

const STYLE: &str = "
html,body{background:transparent;margin:0;font-family:system-ui,sans-serif}
.box{display:inline-block;margin:16px;padding:14px 22px;border-radius:14px;background:rgba(15,15,20,.78);color:#fff}
.label{font-size:14px;letter-spacing:.08em;text-transform:uppercase;color:#ff5c8a}
.time{font-size:48px;font-weight:800;font-variant-numeric:tabular-nums}
.stock{font-size:22px} .bar{height:8px;background:#333;border-radius:4px;margin-top:8px}
.fill{height:8px;width:0;background:#ff5c8a;border-radius:4px} .done .time{color:#aaa}
";

const SCRIPT: &str = r#"
const $ = (id) => document.getElementById(id);
const box = $("box"), stock = Number(box.dataset.stock);
let endsAt = Date.parse(box.dataset.endsAt), status = box.dataset.status;
function show(s) {
  status = s.status; endsAt = Date.parse(s.ends_at) || endsAt;
  $("remaining").textContent = s.remaining;
  $("fill").style.width = (stock ? 100 * s.remaining / stock : 0) + "%";
  box.dataset.status = s.status;
  if (s.status !== "active") box.classList.add("done");
}
function tick() {
  if (status === "sold_out") { $("time").textContent = box.dataset.soldOut; return; }
  const left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
  $("time").textContent = left > 0 ? String(Math.floor(left / 60)).padStart(2, "0") + ":" + String(left % 60).padStart(2, "0") : box.dataset.ended;
}
show({status, ends_at: box.dataset.endsAt, remaining: Number(box.dataset.remaining)});
const es = new EventSource(box.dataset.stream);
es.addEventListener("flash_sale", (e) => show(JSON.parse(e.data)));
es.addEventListener("sold_out", (e) => show(JSON.parse(e.data)));
setInterval(tick, 250); tick();
"#;

/// A CSP source naming `text` by its SHA-256.
fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The overlay's content policy: its own style and script (by hash), its
/// event stream from this origin, nothing else.
pub fn policy() -> &'static str {
    static POLICY: LazyLock<String> = LazyLock::new(|| {
        format!(
            "default-src 'none'; style-src {}; script-src {}; connect-src 'self'; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            hash_source(STYLE),
            hash_source(SCRIPT)
        )
    });
    &POLICY
}

/// Renders the page for a sale's current state, its words in `lang`.
pub fn render(id: &str, token: &str, state: &FlashSaleState, lang: Lang) -> String {
    let stream = escape(&format!("/overlay/flash-sales/{id}/stream?token={token}"));
    let remaining = state.remaining;
    let stock = state.stock;
    let ends_at = escape(&state.ends_at);
    let product = escape(&state.product_id);
    let status = state.status.as_str();
    let tag = lang.tag();
    let label = escape(&lang.t("overlay-flash-sale"));
    let sold_out = escape(&lang.t("overlay-sold-out"));
    let ended = escape(&lang.t("overlay-ended"));
    // The count is a number the script updates: its element goes into the
    // message (the translator's text, escaped around it).
    const MARK: &str = "\u{1}";
    let left = escape(&lang.t_args(
        "overlay-left",
        &[
            ("remaining", MARK.to_string()),
            ("stock", stock.to_string()),
        ],
    ))
    .replace(MARK, &format!("<span id=\"remaining\">{remaining}</span>"));
    format!(
        r#"<!doctype html>
<html lang="{tag}"><head><meta charset="utf-8"><title>{label}</title>
<style>{STYLE}</style></head>
<body><div class="box" id="box" data-status="{status}" data-stock="{stock}" data-remaining="{remaining}" data-ends-at="{ends_at}" data-stream="{stream}" data-sold-out="{sold_out}" data-ended="{ended}">
<div class="label">{label} · {product}</div>
<div class="time" id="time">--:--</div>
<div class="stock">{left}</div>
<div class="bar"><div class="fill" id="fill"></div></div>
</div>
<script>{SCRIPT}</script></body></html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_exactly_the_style_and_script_the_page_carries() {
        let state = FlashSaleState {
            id: "ph_fs_1".into(),
            session_id: "ph_sess_1".to_string().into(),
            product_id: "prod_<b>".into(),
            stock: 50,
            sold: 2,
            remaining: 48,
            seconds_left: 60,
            ends_at: "2026-12-02T05:00:00Z".into(),
            status: crate::app::FlashSaleStatus::Active,
        };
        let page = render("ph_fs_1", "tok\"<en>", &state, Lang::Zh);
        let inline = |open: &str, close: &str| -> String {
            let start = page.find(open).unwrap() + open.len();
            let end = start + page[start..].find(close).unwrap();
            page[start..end].to_string()
        };
        let policy = policy();
        assert!(policy.contains(&hash_source(&inline("<style>", "</style>"))));
        assert!(policy.contains(&hash_source(&inline("<script>", "</script>"))));
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        // Per-sale values are attributes, escaped; nothing is put into the script.
        assert!(page.contains("token=tok&quot;&lt;en&gt;"), "{page}");
        assert!(page.contains("prod_&lt;b&gt;"), "{page}");
        // Its words are the asked language's, the count still the script's.
        assert!(page.contains("<html lang=\"zh-CN\">"), "{page}");
        assert!(page.contains("限时抢购"), "{page}");
        assert!(page.contains("<span id=\"remaining\">48</span>"), "{page}");
        let en = render("ph_fs_1", "t", &state, Lang::En);
        assert!(
            en.contains("<span id=\"remaining\">48</span> of 50 left"),
            "{en}"
        );
        assert!(en.contains("data-sold-out=\"SOLD OUT\""), "{en}");
        let inline_en = &en[en.find("<script>").unwrap() + 8..en.find("</script>").unwrap()];
        assert!(
            policy.contains(&hash_source(inline_en)),
            "one script for every language"
        );
        assert!(
            !page.contains(" style="),
            "no inline style attribute: {page}"
        );
    }
}
