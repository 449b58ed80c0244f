//! What a delivery says beyond its events: who feeds the session (a
//! connector or an ingest key, and when it last sent), and whether the
//! host's stream ended or came back.
//!
//! A connector reports a stream's end (`controlMessage` action 3 or 4,
//! `streamEnd`). The session does not end there: the host may have dropped
//! and go live again. The end is recorded on the session
//! (`stream_ended_at`); events stamped after it show the host is back, and
//! the record is cleared, so the same session goes on. A live session whose
//! stream stays ended past the grace ends by itself, at the stream's end
//! (`end_streams_past_grace`, run every second by a worker).

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::DateTime;
use livehire_domain::live::Source;
use livehire_store::{FeedRecord, SessionRecord};

use super::{EventFormat, ms};
use crate::app::{App, timestamp};
use crate::error::ApiResult;

/// How long a stream may stay ended before its session ends by itself,
/// unless the server is told otherwise (`--stream-end-grace-seconds`).
pub const DEFAULT_STREAM_END_GRACE: Duration = Duration::from_secs(300);

/// A feed's last delivery is written at most this often (a bridge posts
/// about once a second; the dashboard needs no finer time).
const FEED_WRITE_EVERY_MS: i64 = 1_000;

/// What an ingestion learnt besides its events.
pub(crate) struct Delivery {
    /// Who sent it.
    pub source: Source,
    /// How its events were shaped.
    pub format: EventFormat,
    /// When it arrived, epoch ms.
    pub now_ms: i64,
    /// The earliest stream end it reported (its time, or `now_ms`).
    pub stream_ended: Option<i64>,
    /// Its latest accepted event stamped with a time of its own.
    pub latest_own_ts: Option<i64>,
}

fn text(t_ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(t_ms).map(timestamp)
}

impl App {
    /// Sets how long a stream may stay ended before its session ends.
    pub fn set_stream_end_grace(&self, grace: Duration) {
        let ms = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
        self.inner.stream_end_grace_ms.store(ms, Ordering::Relaxed);
    }

    fn stream_end_grace_ms(&self) -> i64 {
        self.inner.stream_end_grace_ms.load(Ordering::Relaxed)
    }

    /// Records what delivery `d` to session `s` says: the feed (connector
    /// batches and ingest keys), a stream's end, or that the host is live
    /// again after one.
    pub(crate) async fn after_delivery(&self, s: &SessionRecord, d: &Delivery) -> ApiResult<()> {
        let is_feed = d.format == EventFormat::TikTokLiveConnector || d.source == Source::IngestKey;
        if is_feed {
            let feed = FeedRecord {
                last_at: self.now_text(),
                source: d.source.as_str().to_string(),
                format: d.format.as_str().to_string(),
            };
            let fresh = s.feed.as_ref().is_some_and(|f| {
                f.source == feed.source
                    && f.format == feed.format
                    && ms(&f.last_at).is_some_and(|t| d.now_ms - t < FEED_WRITE_EVERY_MS)
            });
            if !fresh {
                self.store().record_feed(&s.id, &feed).await?;
            }
        }
        if s.status != livehire_store::SessionStatus::Live {
            return Ok(());
        }
        let ended_before = s.stream_ended_at.as_deref().and_then(ms);
        match (d.stream_ended, d.latest_own_ts) {
            // Events stamped after the end it reports: the host went live
            // again within this batch.
            (Some(end), Some(latest)) if latest > end => {
                if ended_before.is_some_and(|e| e < latest)
                    && let Some(t) = text(latest)
                {
                    self.store().clear_stream_end(&s.id, &t).await?;
                }
            }
            (Some(end), _) => {
                if let Some(t) = text(end) {
                    self.store().mark_stream_ended(&s.id, &t).await?;
                    tracing::info!(session_id = %s.id, stream_ended_at = %t, "stream ended");
                }
            }
            (None, Some(latest)) if ended_before.is_some_and(|e| e < latest) => {
                if let Some(t) = text(latest)
                    && self.store().clear_stream_end(&s.id, &t).await?
                {
                    tracing::info!(session_id = %s.id, "stream live again; the session goes on");
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Ends every live session whose stream has stayed ended past the grace,
    /// at the time its stream ended; answers how many this pass ended. Run
    /// every second by a worker; tests call it after moving the clock (a
    /// pass under way finishes first, so on return every such session has
    /// ended).
    pub async fn end_streams_past_grace(&self) -> ApiResult<usize> {
        let _one_pass = self.inner.ending_streams.lock().await;
        let now = self.now().timestamp_millis();
        let Some(cutoff) = text(now.saturating_sub(self.stream_end_grace_ms())) else {
            return Ok(0);
        };
        let mut ended = 0;
        for (id, stream_ended_at) in self.store().streams_ended_by(&cutoff).await? {
            let task = self.store().session_task(&id).await?;
            let Some(s) = task.sessions.iter().find(|x| x.id == id) else {
                continue;
            };
            match self.finish_session(&task, s, &stream_ended_at).await {
                Ok(()) => ended += 1,
                // Ended meanwhile, by its host or another instance.
                Err(e) => {
                    tracing::info!(session_id = %id, error = %e, "not ended after its stream")
                }
            }
        }
        Ok(ended)
    }
}

/// The worker that ends sessions whose stream stayed ended past the grace,
/// checking every `every`.
pub async fn end_streams_past_grace_every(app: App, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = app.end_streams_past_grace().await {
            tracing::warn!(error = %e, "ending sessions after their stream failed");
        }
    }
}
