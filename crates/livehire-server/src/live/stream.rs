//! The ticker that feeds every live session's stream: a metrics snapshot each
//! second, and each running flash sale's remaining stock and seconds left.

use std::sync::Arc;
use std::time::Duration;

use super::{FlashSaleLive, LiveRuntime};
use crate::app::FlashSaleState;

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
            if let Some(snapshot) = s.snapshot(now_ms).await {
                s.publish("metrics", None, &*snapshot);
            }
            for sale in sales.iter().filter(|x| x.rec.session_id == s.id) {
                if now_ms < sale.ends_ms() + 2_000 {
                    let state = FlashSaleState::of(sale, now_ms);
                    s.publish("flash_sale", Some(&sale.rec.id), &state);
                }
            }
        }
    }
}
