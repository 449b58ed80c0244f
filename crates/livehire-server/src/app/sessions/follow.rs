//! Following a session on a shared store: several instances take a
//! session's events and orders, each counting what it took, so each reads
//! back what the others stored before it answers from its figures.
//!
//! A session's event batches commit in `seq` order and a sale's orders in
//! position order (the store serialises both), so "everything after the last
//! one read" never skips one that commits later. What this instance stored
//! itself is counted when it is stored and skipped when read back (batches
//! by `seq`, [`Follow::counted_here`]; orders are counted once per id
//! anyway). The session's times and its sales come along: a session started
//! or ended on another instance starts or ends here, and a sale started
//! there sells here.

use std::sync::Arc;

use livehire_domain::live::{self, Provenance, Source};
use livehire_store::{SessionStatus, StoredBatch};

use super::{is_settled, ms, sale_of};
use crate::app::App;
use crate::error::ApiResult;
use crate::live::sale::{order_ref, placed_ms};
use crate::live::{Follow, SessionLive};

/// Orders read at once.
const ORDERS_AT_ONCE: u32 = 4_096;

impl App {
    /// Reads what every instance stored for `live`'s session since this
    /// instance last looked, and counts it here: its event batches, its
    /// flash sales' orders, the session's start and end and whether its task
    /// is settled. Nothing to do on a store one process uses.
    pub(crate) async fn follow_session(&self, live: &Arc<SessionLive>) -> ApiResult<()> {
        if !self.store().shared() {
            return Ok(());
        }
        let mut follow = live.follow.lock().await;
        self.follow_locked(live, &mut follow).await
    }

    async fn follow_locked(&self, live: &Arc<SessionLive>, follow: &mut Follow) -> ApiResult<()> {
        let task = self.store().session_task(&live.id).await?;
        let Some(s) = task.sessions.iter().find(|x| x.id == live.id).cloned() else {
            return Ok(());
        };

        // Event batches.
        let batches = self
            .store()
            .event_batches_since(&live.id, follow.batches_after)
            .await?;
        let mut held = [0i128; 2];
        if !batches.is_empty() {
            let mut agg = live
                .counting()
                .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?;
            for b in &batches {
                follow.batches_after = follow.batches_after.max(b.seq);
                if follow.counted_here.remove(&b.seq) {
                    continue;
                }
                // A connector that reconnects to this instance replays what
                // another one took: those messages are not counted again.
                if !b.msg_ids.is_empty()
                    && let Ok(mut seen) = live.seen_msg_ids.lock()
                {
                    seen.extend(b.msg_ids.iter().cloned());
                }
                let (p, amounts) = count_batch(&mut agg, b, live.currency)?;
                held[usize::from(p == Provenance::HostReported)] += amounts;
            }
            let after = follow.batches_after;
            follow.counted_here.retain(|seq| *seq > after);
        }
        live.reserve_gmv_unchecked(Provenance::Verified, held[0]);
        live.reserve_gmv_unchecked(Provenance::HostReported, held[1]);

        // Flash sales and their orders.
        for rec in self.store().session_flash_sales(&live.id).await? {
            let sale = match self.live().sale(&rec.id) {
                Some(sale) => sale,
                None => {
                    let Some(sale) = sale_of(rec.clone(), &s, live.clone(), &[]) else {
                        continue;
                    };
                    let sale = Arc::new(sale);
                    self.live().add_sale(sale.clone());
                    sale
                }
            };
            let (after, units) = follow.orders_after.entry(rec.id.clone()).or_default();
            loop {
                let rows = self
                    .store()
                    .flash_orders_since(&rec.id, *after, ORDERS_AT_ONCE)
                    .await?;
                if !rows.is_empty() {
                    let mut agg = live
                        .counting()
                        .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?;
                    for (position, o) in &rows {
                        agg.apply_order(&order_ref(&rec, o, placed_ms(o)), Provenance::Verified);
                        *after = *position;
                        *units += o.quantity;
                    }
                }
                if rows.len() < ORDERS_AT_ONCE as usize {
                    break;
                }
            }
            sale.observe_remaining(rec.stock - *units);
        }

        // The session's times, and whether it is live here.
        let started = s.started_at.as_deref().and_then(ms);
        let ended = s.ended_at.as_deref().and_then(ms);
        if let Ok(mut t) = live.times.lock() {
            *t = (started.or(t.0), ended.or(t.1));
        }
        live.set_host(task.assigned_human_id.as_deref());
        if let Ok(mut m) = self.live().live.lock() {
            if s.status == SessionStatus::Live {
                m.insert(live.id.clone(), live.clone());
            } else {
                m.remove(&live.id);
            }
        }
        if let Some(end) = ended {
            for sale in self.live().all_sales() {
                if sale.rec.session_id == live.id {
                    sale.close(end);
                }
            }
        }
        if is_settled(&task)
            && let Ok(mut settled) = live.settled.try_write()
        {
            *settled = true;
        }
        Ok(())
    }
}

/// Counts a stored batch under its sender's provenance; the provenance and
/// the batch's order amounts (minor units).
pub(super) fn count_batch(
    agg: &mut crate::live::Counting<'_>,
    b: &StoredBatch,
    currency: livehire_domain::money::Currency,
) -> ApiResult<(Provenance, i128)> {
    // A sender this build does not know counts as the host's own.
    let p = Source::parse(&b.source).map_or(Provenance::HostReported, Source::provenance);
    let mut amounts = 0i128;
    for line in b.body.lines().filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(anyhow::Error::from)?;
        let e =
            live::parse_event(&v, currency).map_err(|m| anyhow::anyhow!("stored event: {m}"))?;
        if let live::EventBody::Order { amount_minor, .. } = &e.body {
            amounts += i128::from(*amount_minor);
        }
        agg.apply(&e, p);
    }
    Ok((p, amounts))
}
