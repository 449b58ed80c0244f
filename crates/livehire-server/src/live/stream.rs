//! The ticker that feeds every live session's stream: a metrics snapshot each
//! second, and each running flash sale's remaining stock and seconds left.
//!
//! On a shared store (several instances), events and orders reach a session
//! through any instance. Each commit that changes a live session names it
//! (PostgreSQL `NOTIFY`); [`on_session_changes`] reads a named session this
//! instance streams back from the store ([`crate::app::App`]'s
//! `follow_session`) and sends a snapshot at once, so what was posted to
//! another instance reaches this one's subscribers within tens of
//! milliseconds. The ticker also reads each watched session back four times
//! a second and sends what that brought, for names the feed lost.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use super::{FlashSaleLive, LiveRuntime};
use crate::app::{App, FlashSaleState};

/// How often the ticker looks when it follows a shared store.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// How long names of changed sessions are gathered before they are read
/// back: a busy session's commits name it hundreds of times a second.
const GATHER: Duration = Duration::from_millis(40);

/// Runs until the feed ends: for each live session a commit named (any
/// instance's), if this instance streams it, reads it back and sends its
/// subscribers a snapshot.
pub async fn on_session_changes(app: App, mut feed: tokio::sync::mpsc::Receiver<String>) {
    while let Some(first) = feed.recv().await {
        let mut named = HashSet::from([first]);
        tokio::time::sleep(GATHER).await;
        while let Ok(id) = feed.try_recv() {
            named.insert(id);
        }
        for id in named {
            let held = app.live().sessions.lock().await.get(&id).cloned();
            let Some(s) = held.filter(|s| s.subscribers() > 0) else {
                continue;
            };
            if let Err(e) = app.follow_session(&s).await {
                tracing::warn!(session_id = %s.id, error = %e, "reading a session back from the store failed");
                continue;
            }
            let now_ms = chrono::Utc::now().timestamp_millis();
            if let Some(snapshot) = s.snapshot(now_ms).await {
                s.publish("metrics", None, &*snapshot);
            }
        }
    }
}

/// Runs forever: once a second, publishes to every live session with
/// listeners; with `follow` (an app over a shared store), also reads those
/// sessions back from the store every [`FOLLOW_EVERY`] and publishes what
/// changed at once.
pub async fn ticker(runtime: Arc<LiveRuntime>, follow: Option<App>) {
    let period = match follow {
        Some(_) => FOLLOW_EVERY,
        None => Duration::from_secs(1),
    };
    let per_second = (Duration::from_secs(1).as_millis() / period.as_millis()).max(1) as u64;
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Per session: the aggregator generation of its last snapshot sent.
    let mut sent: HashMap<String, u64> = HashMap::new();
    let mut n: u64 = 0;
    loop {
        tick.tick().await;
        let full = n.is_multiple_of(per_second);
        n = n.wrapping_add(1);
        let now_ms = chrono::Utc::now().timestamp_millis();
        let sessions: Vec<_> = match runtime.live.lock() {
            Ok(m) => m.values().cloned().collect(),
            Err(_) => continue,
        };
        let sales: Vec<Arc<FlashSaleLive>> = runtime.all_sales();
        sent.retain(|id, _| sessions.iter().any(|s| &s.id == id));
        for s in sessions {
            if s.subscribers() == 0 {
                continue;
            }
            if let Some(app) = &follow
                && let Err(e) = app.follow_session(&s).await
            {
                tracing::warn!(session_id = %s.id, error = %e, "reading a session back from the store failed");
            }
            let generation = s.counted_generation();
            let changed = sent.get(&s.id).is_none_or(|g| *g < generation);
            if !full && !changed {
                continue;
            }
            if let Some(snapshot) = s.snapshot(now_ms).await {
                s.publish("metrics", None, &*snapshot);
                sent.insert(s.id.clone(), generation);
            }
            if !full {
                continue;
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
