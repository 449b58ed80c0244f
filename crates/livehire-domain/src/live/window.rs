//! When a session takes events: its live window (SPEC §6 "Provenance and
//! windows"; `docs/trust.md`).
//!
//! | rule | value |
//! |---|---|
//! | a session that has not started | takes no events (an agent may import a recording instead) |
//! | earliest event time | the start minus [`CLOCK_SKEW_MS`] |
//! | latest event time | the server's clock plus [`CLOCK_SKEW_MS`]; once ended, the end plus [`CLOCK_SKEW_MS`] |
//! | last delivery | the end plus [`LATE_GRACE_MS`] (late connector and webhook deliveries) |
//! | a settled task (approved or cancelled) | nothing changes its sessions' figures |
//!
//! An import of a recording defines the window of a session that never went
//! live: from its first event to its last, at most [`MAX_IMPORT_SPAN_MS`] long,
//! after the task was posted and not ahead of the server's clock.

use super::event::format_ts;

/// How far an event may be stamped before the session's start or ahead of the
/// server's clock: two minutes of clock skew between a connector and the server.
pub const CLOCK_SKEW_MS: i64 = 2 * 60_000;

/// How long after a session ends late deliveries still count: ten minutes.
pub const LATE_GRACE_MS: i64 = 10 * 60_000;

/// The longest recording an import may hold: one day.
pub const MAX_IMPORT_SPAN_MS: i64 = 24 * 60 * 60_000;

/// A session's start and end, epoch ms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveWindow {
    /// When the session went live; `None` while scheduled.
    pub started_ms: Option<i64>,
    /// When it ended; `None` while scheduled or live.
    pub ended_ms: Option<i64>,
}

impl LiveWindow {
    /// Whether the session takes deliveries at `now_ms` at all; the reason,
    /// for every event of a delivery, when it does not.
    pub fn intake(&self, now_ms: i64) -> Result<(), String> {
        if self.started_ms.is_none() {
            return Err(
                "the session has not started; events are accepted once it is live \
                 (an agent can import a recording of a session that ran elsewhere)"
                    .to_string(),
            );
        }
        if let Some(end) = self.ended_ms {
            let last = end.saturating_add(LATE_GRACE_MS);
            if now_ms > last {
                return Err(format!(
                    "the session ended at {}; late deliveries were accepted until {}",
                    format_ts(end),
                    format_ts(last)
                ));
            }
        }
        Ok(())
    }

    /// Whether an event stamped `ts_ms`, received at `now_ms`, belongs to the
    /// session; the reason when it does not (the delivery is assumed to pass
    /// [`Self::intake`]).
    pub fn admit(&self, ts_ms: i64, now_ms: i64) -> Result<(), String> {
        let Some(start) = self.started_ms else {
            return self.intake(now_ms);
        };
        if ts_ms < start.saturating_sub(CLOCK_SKEW_MS) {
            return Err(format!(
                "ts: {} is before the session started at {} (2 minutes of clock skew are allowed)",
                format_ts(ts_ms),
                format_ts(start)
            ));
        }
        if let Some(end) = self.ended_ms
            && ts_ms > end.saturating_add(CLOCK_SKEW_MS)
        {
            return Err(format!(
                "ts: {} is after the session ended at {}",
                format_ts(ts_ms),
                format_ts(end)
            ));
        }
        if ts_ms > now_ms.saturating_add(CLOCK_SKEW_MS) {
            return Err(format!(
                "ts: {} is ahead of the server's clock ({}) by more than 2 minutes",
                format_ts(ts_ms),
                format_ts(now_ms)
            ));
        }
        Ok(())
    }

    /// The window an imported recording defines: its first and last event
    /// times, checked against the task's posting time and the server's clock.
    pub fn of_import(
        times: impl IntoIterator<Item = i64>,
        posted_ms: i64,
        now_ms: i64,
    ) -> Result<LiveWindow, String> {
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for t in times {
            first = first.min(t);
            last = last.max(t);
        }
        if first > last {
            return Err("a recording holds at least one event".to_string());
        }
        if first < posted_ms.saturating_sub(CLOCK_SKEW_MS) {
            return Err(format!(
                "the recording starts at {}, before the task was posted at {}",
                format_ts(first),
                format_ts(posted_ms)
            ));
        }
        if last > now_ms.saturating_add(CLOCK_SKEW_MS) {
            return Err(format!(
                "the recording ends at {}, ahead of the server's clock ({})",
                format_ts(last),
                format_ts(now_ms)
            ));
        }
        if last - first > MAX_IMPORT_SPAN_MS {
            return Err(format!(
                "the recording spans {} to {}: more than 24 hours",
                format_ts(first),
                format_ts(last)
            ));
        }
        Ok(LiveWindow {
            started_ms: Some(first),
            ended_ms: Some(last),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_900_000_000_000;
    const MIN: i64 = 60_000;

    fn live() -> LiveWindow {
        LiveWindow {
            started_ms: Some(T),
            ended_ms: None,
        }
    }

    fn ended() -> LiveWindow {
        LiveWindow {
            started_ms: Some(T),
            ended_ms: Some(T + 60 * MIN),
        }
    }

    #[test]
    fn a_scheduled_session_takes_nothing() {
        let w = LiveWindow::default();
        assert!(w.intake(T).unwrap_err().contains("has not started"));
        assert!(w.admit(T, T).is_err());
    }

    #[test]
    fn a_live_session_takes_events_from_its_start_to_the_clock_with_skew() {
        let w = live();
        let now = T + 30 * MIN;
        assert!(w.intake(now).is_ok());
        assert!(w.admit(T - 2 * MIN, now).is_ok());
        assert!(
            w.admit(T - 2 * MIN - 1, now)
                .unwrap_err()
                .contains("before the session started")
        );
        assert!(w.admit(now + 2 * MIN, now).is_ok());
        assert!(
            w.admit(now + 2 * MIN + 1, now)
                .unwrap_err()
                .contains("ahead of the server's clock")
        );
        // Year 9999 and 1970.
        assert!(w.admit(253_402_300_799_999, now).is_err());
        assert!(w.admit(0, now).is_err());
    }

    #[test]
    fn an_ended_session_takes_late_deliveries_of_its_own_events_for_ten_minutes() {
        let w = ended();
        let end = T + 60 * MIN;
        assert!(w.intake(end + 10 * MIN).is_ok());
        assert!(
            w.intake(end + 10 * MIN + 1)
                .unwrap_err()
                .contains("late deliveries were accepted until")
        );
        assert!(w.admit(end, end + 5 * MIN).is_ok());
        assert!(w.admit(end + 2 * MIN, end + 5 * MIN).is_ok());
        assert!(
            w.admit(end + 2 * MIN + 1, end + 5 * MIN)
                .unwrap_err()
                .contains("after the session ended")
        );
    }

    #[test]
    fn an_import_defines_its_window_within_bounds() {
        let posted = T - 24 * 60 * MIN;
        let w = LiveWindow::of_import([T + 5, T, T + 90 * MIN], posted, T + 100 * MIN).unwrap();
        assert_eq!(w.started_ms, Some(T));
        assert_eq!(w.ended_ms, Some(T + 90 * MIN));
        assert!(LiveWindow::of_import([], posted, T).is_err());
        assert!(
            LiveWindow::of_import([posted - 3 * MIN], posted, T)
                .unwrap_err()
                .contains("before the task was posted")
        );
        assert!(
            LiveWindow::of_import([T + 10 * MIN], posted, T)
                .unwrap_err()
                .contains("ahead of the server's clock")
        );
        assert!(
            LiveWindow::of_import([posted, posted + 25 * 60 * MIN], posted, T + 48 * 60 * MIN)
                .unwrap_err()
                .contains("more than 24 hours")
        );
    }
}
