//! The ticker that feeds every live session's stream: a metrics snapshot each
//! second, and each running flash sale's remaining stock and seconds left.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{FlashSaleLive, LiveRuntime};

/// A flash sale's public state at `now_ms`.
pub fn sale_state(sale: &FlashSaleLive, now_ms: i64) -> serde_json::Value {
    let sold = sale.sold();
    let remaining = sale.rec.stock - sold;
    let ends_ms = sale.ends_ms();
    let seconds_left = ((ends_ms - now_ms).max(0) + 999) / 1000;
    let status = if remaining == 0 {
        "sold_out"
    } else if now_ms >= ends_ms {
        "ended"
    } else {
        "active"
    };
    json!({
        "id": sale.rec.id,
        "session_id": sale.rec.session_id,
        "product_id": sale.rec.product_id,
        "stock": sale.rec.stock,
        "sold": sold,
        "remaining": remaining,
        "seconds_left": seconds_left,
        "ends_at": chrono::DateTime::from_timestamp_millis(ends_ms)
            .map_or_else(|| sale.rec.ends_at.clone(), crate::app::timestamp),
        "status": status,
    })
}

/// Runs forever: once a second, publishes to every live session with listeners.
pub async fn ticker(runtime: Arc<LiveRuntime>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let sessions: Vec<_> = match runtime.live.lock() {
            Ok(m) => m.values().cloned().collect(),
            Err(_) => continue,
        };
        let sales: Vec<Arc<FlashSaleLive>> = runtime.all_sales();
        for s in sessions {
            if s.subscribers() == 0 {
                continue;
            }
            let snapshot = s.snapshot(now_ms).await;
            s.publish("metrics", snapshot);
            for sale in sales.iter().filter(|x| x.rec.session_id == s.id) {
                if now_ms < sale.ends_ms() + 2_000 {
                    s.publish("flash_sale", sale_state(sale, now_ms));
                }
            }
        }
    }
}
