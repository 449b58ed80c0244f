//! Task message threads: one private thread per involved host, plus the brief.

use livehire_domain::access::Action;
use livehire_domain::events::EventKind;
use livehire_domain::ids::{self, HostId, TaskId};
use livehire_store::{Caller, CallerKind, MessageRecord, OutboxRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{App, Page, PageRequest, parse_seq_cursor, seq_cursor};
use crate::error::{ApiError, ApiResult};

/// The thread every involved host can read.
pub const BRIEF: &str = "brief";

/// `POST /api/v1/tasks/{id}/messages` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMessage {
    /// The message, verbatim (newlines kept).
    pub text: String,
    /// Agent only: the host whose thread this goes to (`ph_profile_…`).
    #[schema(value_type = Option<String>)]
    pub human_id: Option<HostId>,
}

/// A message as served.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// `ph_msg_…`.
    pub id: String,
    /// The task.
    #[schema(value_type = String)]
    pub task_id: TaskId,
    /// `brief` or the host's thread (`ph_profile_…`).
    pub thread: String,
    /// The host of a private thread (null for the brief).
    #[schema(value_type = Option<String>)]
    pub human_id: Option<HostId>,
    /// `agent` or `host`.
    pub sender_kind: String,
    /// Who sent it.
    pub sender_id: String,
    /// The text.
    pub text: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&MessageRecord> for MessageView {
    fn from(m: &MessageRecord) -> Self {
        MessageView {
            id: m.id.clone(),
            task_id: m.task_id.clone().into(),
            thread: m.thread.clone(),
            human_id: ((m.thread != BRIEF).then(|| m.thread.clone())).map(Into::into),
            sender_kind: m.sender_kind.clone(),
            sender_id: m.sender_id.clone(),
            text: m.text.clone(),
            created_at: m.created_at.clone(),
        }
    }
}

impl App {
    /// Whether a host is involved in a task (invited, applied or assigned).
    async fn involved(
        &self,
        task_id: &str,
        assigned: Option<&str>,
        human_id: &str,
    ) -> ApiResult<bool> {
        Ok(assigned == Some(human_id)
            || self
                .store()
                .task_hosts(task_id)
                .await?
                .iter()
                .any(|h| h.human_id == human_id))
    }

    /// Posts a message to the right thread.
    pub async fn post_message(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        msg: NewMessage,
    ) -> ApiResult<MessageView> {
        let (task, _) = self.task_for(caller, task_id, Action::Message).await?;
        if msg.text.trim().is_empty() {
            return Err(ApiError::field("text", "must not be empty"));
        }
        if msg.text.chars().count() > 20_000 {
            return Err(ApiError::field("text", "must be at most 20,000 characters"));
        }
        let assigned = task.assigned_human_id.as_deref();
        let thread = match caller.kind {
            CallerKind::Agent => match msg.human_id {
                Some(h) => {
                    if !self.involved(task_id, assigned, &h).await? {
                        return Err(ApiError::field(
                            "human_id",
                            format!("{h} is not involved in this task (invite them first)"),
                        ));
                    }
                    h.into_string()
                }
                None => assigned.unwrap_or(BRIEF).to_string(),
            },
            CallerKind::Host => {
                if let Some(h) = &msg.human_id
                    && h.as_str() != caller.id
                {
                    return Err(ApiError::field(
                        "human_id",
                        "a host writes only to its own thread",
                    ));
                }
                caller.id.clone()
            }
        };
        let record = MessageRecord {
            id: ids::new_id(ids::MESSAGE, self.now(), &mut rand::rng()),
            seq: 0,
            task_id: task_id.to_string(),
            thread,
            sender_kind: caller.kind.as_str().to_string(),
            sender_id: caller.id.clone(),
            text: msg.text,
            created_at: self.now_text(),
        };
        let event = OutboxRecord {
            id: 0,
            kind: EventKind::MessageCreated.as_str().to_string(),
            task_id: Some(task_id.to_string()),
            session_id: None,
            agent_id: Some(task.agent_id.clone()),
            human_id: (record.thread != BRIEF).then(|| record.thread.clone()),
            data: serde_json::json!({"message_id": record.id, "thread": record.thread,
                "sender_kind": record.sender_kind, "sender_id": record.sender_id, "text": record.text}),
            dedupe_key: None,
            created_at: record.created_at.clone(),
        };
        let stored = self.store().add_message(&record, &[event]).await?;
        self.events_written();
        Ok(MessageView::from(&stored))
    }

    /// Lists the messages the caller may read: an agent all threads (or one,
    /// with `human_id`), a host the brief and its own thread.
    pub async fn list_messages(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        human_id: Option<&HostId>,
        page: PageRequest,
    ) -> ApiResult<Page<MessageView>> {
        self.task_for(caller, task_id, Action::Message).await?;
        let threads = match caller.kind {
            CallerKind::Agent => match human_id {
                Some(h) => vec![BRIEF.to_string(), h.to_string()],
                None => Vec::new(),
            },
            CallerKind::Host => {
                if human_id.is_some_and(|h| h.as_str() != caller.id) {
                    return Err(ApiError::NotFound("thread".into()));
                }
                vec![BRIEF.to_string(), caller.id.clone()]
            }
        };
        let after = page.cursor.as_deref().map(parse_seq_cursor).transpose()?;
        let found = self
            .store()
            .list_messages(task_id, &threads, after, page.limit)
            .await?;
        Ok(Page {
            data: found.data.iter().map(MessageView::from).collect(),
            next_cursor: found.next.map(seq_cursor),
        })
    }
}
