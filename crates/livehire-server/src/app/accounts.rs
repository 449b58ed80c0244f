//! Agent and host accounts, keys, `GET /me`.

use livehire_domain::{host, identity, ids};
use livehire_store::{AgentRecord, Caller, CallerKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{App, key_digest};
use crate::error::{ApiError, ApiResult};

/// `POST /api/v1/agents/register` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    /// Display name of the agent (or the brand it acts for).
    pub name: String,
    /// What the agent does.
    pub description: Option<String>,
    /// Where the operator can be reached.
    pub contact_email: Option<String>,
}

/// A new account: its id and its key, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentRegistration {
    /// `ph_agent_…`.
    pub agent_id: String,
    /// `ph_sk_…`: keep it, it is not shown again.
    pub api_key: String,
}

/// A new host account.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewHostKey {
    /// `ph_profile_…`.
    pub human_id: String,
    /// `ph_hk_…`: keep it, it is not shown again.
    pub api_key: String,
}

/// `GET /api/v1/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `agent` or `host`.
    pub kind: String,
    /// The caller's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The agent's record or the host's profile.
    #[schema(value_type = Object)]
    pub profile: Value,
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
            agent_id: id,
            api_key: key,
        })
    }

    /// Registers a host from a profile body and returns its id and first key.
    pub async fn register_host(&self, mut profile: Value) -> ApiResult<NewHostKey> {
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
            human_id: id,
            api_key: key,
        })
    }

    /// The caller's own account.
    pub async fn me(&self, caller: &Caller) -> ApiResult<Me> {
        match caller.kind {
            CallerKind::Agent => {
                let a = self.store().agent(&caller.id).await?;
                Ok(Me {
                    kind: "agent".into(),
                    id: a.id.clone(),
                    name: a.name.clone(),
                    profile: serde_json::json!({
                        "agent_id": a.id, "name": a.name, "description": a.description,
                        "contact_email": a.contact_email, "created_at": a.created_at,
                    }),
                })
            }
            CallerKind::Host => {
                let h = self.host(&caller.id).await?;
                Ok(Me {
                    kind: "host".into(),
                    id: caller.id.clone(),
                    name: h
                        .0
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    profile: h.0,
                })
            }
        }
    }

    /// Replaces every key of the caller with a new one.
    pub async fn rotate_key(&self, caller: &Caller) -> ApiResult<RotatedKey> {
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
        Ok(RotatedKey {
            api_key: key,
            revoked: revoked.len(),
        })
    }
}
