//! Agent and host accounts, keys, `GET /me`.

use livehire_domain::ids::{self, AgentId, HostId};
use livehire_domain::{host, identity};
use livehire_store::{AgentRecord, Caller, CallerKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::host_input::NewHost;
use super::host_view::HostView;
use super::{App, key_digest};
use crate::error::{ApiError, ApiResult};

/// `POST /api/v1/agents/register` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    /// Display name of the agent (or the brand it acts for), 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// What the agent does.
    pub description: Option<String>,
    /// Where the operator can be reached: an email address.
    #[schema(max_length = 320)]
    pub contact_email: Option<String>,
}

/// A new account: its id and its key, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentRegistration {
    /// `ph_agent_…`.
    #[schema(value_type = String)]
    pub agent_id: AgentId,
    /// `ph_sk_…`: keep it, it is not shown again.
    pub api_key: String,
}

/// A new host account.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewHostKey {
    /// `ph_profile_…`.
    #[schema(value_type = String)]
    pub human_id: HostId,
    /// `ph_hk_…`: keep it, it is not shown again.
    pub api_key: String,
}

/// The two kinds of account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    /// An AI agent acting for a brand (`ph_sk_…` keys).
    Agent,
    /// A livestream host (`ph_hk_…` keys).
    Host,
}

/// An agent's record, as `GET /api/v1/me` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentView {
    /// `ph_agent_…`.
    #[schema(value_type = String)]
    pub agent_id: AgentId,
    /// Display name.
    pub name: String,
    /// What the agent does.
    pub description: Option<String>,
    /// Where the operator can be reached.
    pub contact_email: Option<String>,
    /// When it registered (RFC 3339).
    pub created_at: String,
}

/// The caller's own record: an agent's, or a host's public profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AccountProfile {
    /// An agent's record.
    Agent(AgentView),
    /// A host's profile, with its ratings.
    Host(Box<HostView>),
}

/// `GET /api/v1/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `agent` or `host`.
    pub kind: AccountKind,
    /// The caller's id (`ph_agent_…` or `ph_profile_…`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The agent's record or the host's profile.
    pub profile: AccountProfile,
}

/// A key rotation's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedKey {
    /// The new key; every earlier key of the account stops working now.
    pub api_key: String,
    /// How many keys were revoked.
    pub revoked: usize,
}

impl App {
    /// Registers an agent and returns its first key.
    pub async fn register_agent(&self, new: NewAgent) -> ApiResult<AgentRegistration> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ApiError::field(
                "name",
                "must be a non-empty string of at most 200 characters",
            ));
        }
        if let Some(email) = &new.contact_email
            && (!email.contains('@') || email.len() > 320)
        {
            return Err(ApiError::field("contact_email", "must be an email address"));
        }
        let (id, key) = {
            let mut rng = rand::rng();
            (
                ids::new_id(ids::AGENT, self.now(), &mut rng),
                ids::new_key(ids::AGENT_KEY, &mut rng),
            )
        };
        let record = AgentRecord {
            id: id.clone(),
            name: name.to_string(),
            description: new.description,
            contact_email: new.contact_email,
            created_at: self.now_text(),
        };
        self.store()
            .create_agent(&record, &key_digest(&key))
            .await?;
        tracing::info!(agent_id = %id, "agent registered");
        Ok(AgentRegistration {
            agent_id: AgentId::from(id),
            api_key: key,
        })
    }

    /// Registers a host from its profile and returns its id and first key;
    /// 422 naming each field that breaks a profile rule.
    pub async fn register_host(&self, new: NewHost) -> ApiResult<NewHostKey> {
        let mut profile = new.into_json();
        host::strip_server_maintained(&mut profile);
        let mut errors = host::validate_profile(&profile).err().unwrap_or_default();
        errors.extend(identity::check_handle(&profile));
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let (id, key) = {
            let mut rng = rand::rng();
            (
                ids::new_id(ids::HOST, self.now(), &mut rng),
                ids::new_key(ids::HOST_KEY, &mut rng),
            )
        };
        let write = self.host_write(&id, profile, 0.0, 0);
        let index = self.inner.host_index.writer().await;
        self.store().create_host(&write, &key_digest(&key)).await?;
        index
            .hosts_written(self.store(), std::slice::from_ref(&write))
            .await;
        tracing::info!(human_id = %id, "host registered");
        Ok(NewHostKey {
            human_id: HostId::from(id),
            api_key: key,
        })
    }

    /// The caller's own account.
    pub async fn me(&self, caller: &Caller) -> ApiResult<Me> {
        match caller.kind {
            CallerKind::Agent => {
                let a = self.store().agent(&caller.id).await?;
                Ok(Me {
                    kind: AccountKind::Agent,
                    id: a.id.clone(),
                    name: a.name.clone(),
                    profile: AccountProfile::Agent(AgentView {
                        agent_id: AgentId::from(a.id),
                        name: a.name,
                        description: a.description,
                        contact_email: a.contact_email,
                        created_at: a.created_at,
                    }),
                })
            }
            CallerKind::Host => {
                let h = self.host(&HostId::from(caller.id.as_str())).await?;
                Ok(Me {
                    kind: AccountKind::Host,
                    id: caller.id.clone(),
                    name: h.name.clone(),
                    profile: AccountProfile::Host(Box::new(h)),
                })
            }
        }
    }

    /// Replaces every key of the caller with a new one, and ends every web
    /// session of the account: a key that leaked may have opened one.
    pub async fn rotate_key(&self, caller: &Caller) -> ApiResult<RotatedKey> {
        self.rotate_key_keeping(caller, None).await
    }

    /// [`App::rotate_key`] asked for from a web session (the cookie
    /// `current`), which stays open; the account's other sessions end.
    pub async fn rotate_key_keeping(
        &self,
        caller: &Caller,
        current: Option<&str>,
    ) -> ApiResult<RotatedKey> {
        let prefix = match caller.kind {
            CallerKind::Agent => ids::AGENT_KEY,
            CallerKind::Host => ids::HOST_KEY,
        };
        let key = ids::new_key(prefix, &mut rand::rng());
        let revoked = self
            .store()
            .rotate_key(caller, &key_digest(&key), &self.now_text())
            .await?;
        self.forget_keys(&revoked);
        self.end_web_sessions(caller, current).await?;
        Ok(RotatedKey {
            api_key: key,
            revoked: revoked.len(),
        })
    }
}
