//! The flash-sale overlay page for streaming software browser sources: a
//! transparent background, a countdown and the stock left, kept live over SSE.

use crate::app::FlashSaleState;

use crate::reports::html::esc as escape;

/// Renders the page for a sale's current state.
pub fn render(id: &str, token: &str, state: &FlashSaleState) -> String {
    let stream = format!(
        "/overlay/flash-sales/{}/stream?token={}",
        escape(id),
        escape(token)
    );
    let remaining = state.remaining;
    let stock = state.stock;
    let ends_at = escape(&state.ends_at);
    let product = escape(&state.product_id);
    let status = state.status.as_str();
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Flash sale</title>
<style>
html,body{{background:transparent;margin:0;font-family:system-ui,sans-serif}}
.box{{display:inline-block;margin:16px;padding:14px 22px;border-radius:14px;background:rgba(15,15,20,.78);color:#fff}}
.label{{font-size:14px;letter-spacing:.08em;text-transform:uppercase;color:#ff5c8a}}
.time{{font-size:48px;font-weight:800;font-variant-numeric:tabular-nums}}
.stock{{font-size:22px}} .bar{{height:8px;background:#333;border-radius:4px;margin-top:8px}}
.fill{{height:8px;background:#ff5c8a;border-radius:4px}} .done .time{{color:#aaa}}
</style></head>
<body><div class="box" id="box" data-status="{status}">
<div class="label">Flash sale · {product}</div>
<div class="time" id="time">--:--</div>
<div class="stock"><span id="remaining">{remaining}</span> of {stock} left</div>
<div class="bar"><div class="fill" id="fill" style="width:{pct}%"></div></div>
</div>
<script>
let endsAt = Date.parse("{ends_at}"), stock = {stock}, status = "{status}";
const $ = (id) => document.getElementById(id);
function show(s) {{
  status = s.status; endsAt = Date.parse(s.ends_at) || endsAt;
  $("remaining").textContent = s.remaining;
  $("fill").style.width = (stock ? 100 * s.remaining / stock : 0) + "%";
  $("box").dataset.status = s.status;
  if (s.status !== "active") $("box").classList.add("done");
}}
function tick() {{
  if (status === "sold_out") {{ $("time").textContent = "SOLD OUT"; return; }}
  const left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
  $("time").textContent = left > 0 ? String(Math.floor(left / 60)).padStart(2, "0") + ":" + String(left % 60).padStart(2, "0") : "ENDED";
}}
const es = new EventSource("{stream}");
es.addEventListener("flash_sale", (e) => show(JSON.parse(e.data)));
es.addEventListener("sold_out", (e) => show(JSON.parse(e.data)));
setInterval(tick, 250); tick();
</script></body></html>
"#,
        pct = if stock > 0 {
            remaining * 100 / stock
        } else {
            0
        },
    )
}
