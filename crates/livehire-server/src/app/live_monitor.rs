//! The live monitor: every session of the caller's hired tasks (an agent's
//! own, a host's assigned ones), as the dashboard's `/dashboard/tiktok-live`
//! lists them.

use std::collections::HashMap;

use livehire_store::{Caller, CallerKind, TaskFilter};

use super::{App, SessionStatus, SessionView};
use crate::error::ApiResult;

/// Tasks read a page at a time for the monitor.
const MONITOR_PAGE: u32 = 200;
/// At most this many tasks are read for the monitor (the newest).
pub const MONITOR_TASKS: usize = 1_000;

/// A session as the live monitor lists it: the session with its task's
/// title and time zone, and its host.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoredSession {
    /// The session.
    pub session: SessionView,
    /// Its task's title.
    pub task_title: String,
    /// Its task's IANA time zone (`live_session_details.time_zone`), if set.
    pub time_zone: Option<String>,
    /// The assigned host (`ph_profile_…`).
    pub host_id: String,
    /// The host's display name, if its profile has one.
    pub host_name: Option<String>,
}

impl MonitoredSession {
    /// When it started, else when it is planned (RFC 3339): what "newest" sorts by.
    fn time(&self) -> &str {
        self.session
            .started_at
            .as_deref()
            .or(self.session.scheduled_time.as_deref())
            .unwrap_or("")
    }
}

impl App {
    /// The sessions of the caller's tasks that have a host: an agent's own
    /// tasks, a host's assigned ones. Live first, then scheduled, then
    /// ended; newest first within each (of the newest [`MONITOR_TASKS`] tasks).
    pub async fn live_monitor(&self, caller: &Caller) -> ApiResult<Vec<MonitoredSession>> {
        let mut filter = TaskFilter {
            limit: MONITOR_PAGE,
            ..TaskFilter::default()
        };
        match caller.kind {
            CallerKind::Agent => filter.agent_id = Some(caller.id.clone()),
            CallerKind::Host => filter.host_id = Some(caller.id.clone()),
        }
        let mut names: HashMap<String, Option<String>> = HashMap::new();
        let mut out = Vec::new();
        let mut read = 0;
        loop {
            let page = self.store().list_tasks(&filter).await?;
            read += page.data.len();
            for task in &page.data {
                let Some(host_id) = task.assigned_human_id.clone() else {
                    continue;
                };
                // A host's listing holds open tasks too: only its own count.
                if caller.kind == CallerKind::Host && host_id != caller.id {
                    continue;
                }
                if !names.contains_key(&host_id) {
                    let name = self.store().host(&host_id).await.ok().and_then(|h| {
                        h.profile
                            .get("name")
                            .and_then(|n| n.as_str())
                            .map(str::to_string)
                    });
                    names.insert(host_id.clone(), name);
                }
                let time_zone = task
                    .body
                    .get("live_session_details")
                    .and_then(|d| d.get("time_zone"))
                    .and_then(|z| z.as_str())
                    .map(str::to_string);
                for s in &task.sessions {
                    out.push(MonitoredSession {
                        session: SessionView::of(task, s),
                        task_title: task.title.clone(),
                        time_zone: time_zone.clone(),
                        host_id: host_id.clone(),
                        host_name: names.get(&host_id).cloned().flatten(),
                    });
                }
            }
            match page.next {
                Some(next) if read < MONITOR_TASKS => filter.before_seq = Some(next),
                _ => break,
            }
        }
        let rank = |s: SessionStatus| match s {
            SessionStatus::Live => 0,
            SessionStatus::Scheduled => 1,
            SessionStatus::Ended => 2,
        };
        out.sort_by(|a, b| {
            rank(a.session.status)
                .cmp(&rank(b.session.status))
                .then_with(|| b.time().cmp(a.time()))
                .then_with(|| b.session.id.cmp(&a.session.id))
        });
        Ok(out)
    }
}
