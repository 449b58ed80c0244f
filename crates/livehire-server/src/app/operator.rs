//! The operator's powers, in one room: the admin token (`serve --admin-token`),
//! which closes self-service registration unless the operator keeps it open,
//! and which alone verifies what a host claims (TikTok Shop verification and
//! badges; see `livehire_domain::identity`).

use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use livehire_domain::identity::{self, VerificationChange, Verified};
use livehire_domain::ids::HostId;
use livehire_store::StoreError;
use serde::Deserialize;
use utoipa::ToSchema;

use super::host_view::HostView;
use super::{App, key_digest};
use crate::error::{ApiError, ApiResult};

/// The admin token's digest and whether registration needs it.
#[derive(Debug, Default)]
pub(super) struct OperatorAccess {
    /// SHA-256 digest of the admin token; `None` when none is configured.
    token: RwLock<Option<String>>,
    /// Registering an agent or a host needs the admin token.
    registration_closed: AtomicBool,
}

impl OperatorAccess {
    fn token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }
}

/// `POST /api/v1/admin/humans/{human_id}/verification`: what the operator
/// verified of a host. A field left out keeps its current value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVerification {
    /// `true`: the host's TikTok Shop is verified; `false`: it no longer is
    /// (which also removes the `tiktok_shop_verified` badge).
    pub tiktok_shop_verified: Option<bool>,
    /// The complete list of verified badges, lower-case words such as
    /// `top_live_seller` (`[]` revokes them all). Listing
    /// `tiktok_shop_verified` verifies the shop too. At most
    /// 32 (`livehire_domain::identity::MAX_BADGES`), each 1–64 characters.
    #[schema(max_items = 32)]
    pub badges: Option<Vec<String>>,
}

impl App {
    /// Sets the operator's admin token, which verifies hosts' claims. It does
    /// not change whether registration is open (see
    /// [`App::close_registration`]).
    pub fn set_admin_token(&self, admin_token: &str) {
        if let Ok(mut t) = self.inner.operator.token.write() {
            *t = Some(key_digest(admin_token));
        }
    }

    /// Sets the admin token and closes self-service registration: agents and
    /// hosts are then registered only by an operator presenting the token as
    /// the Bearer key.
    pub fn close_registration(&self, admin_token: &str) {
        self.set_admin_token(admin_token);
        self.inner
            .operator
            .registration_closed
            .store(true, Ordering::SeqCst);
    }

    /// Whether a registration request may proceed: always while registration
    /// is open; with the operator's admin token once it is closed.
    pub fn check_registration(&self, bearer: Option<&str>) -> ApiResult<()> {
        if !self
            .inner
            .operator
            .registration_closed
            .load(Ordering::SeqCst)
        {
            return Ok(());
        }
        match (bearer, self.inner.operator.token()) {
            (Some(token), Some(expected)) if key_digest(token) == expected => {
                crate::obs::note_caller(|| "operator".into());
                Ok(())
            }
            _ => Err(ApiError::Forbidden(
                "registration is closed on this server; an operator registers accounts with the admin token".into(),
            )),
        }
    }

    /// Whether `bearer` is the operator's admin token. As for API keys
    /// (SPEC §1): no token or an unknown one → 401; an agent's or a host's
    /// valid key → 403. A server started without an admin token refuses
    /// every request, saying so.
    pub async fn check_admin(&self, bearer: Option<&str>) -> ApiResult<()> {
        const NONE_CONFIGURED: &str =
            "no admin token is configured on this server (serve --admin-token)";
        let Some(token) = bearer else {
            return Err(ApiError::Unauthorized(
                "missing admin token: send Authorization: Bearer <admin token>",
            ));
        };
        let expected = self.inner.operator.token();
        if expected.as_deref() == Some(key_digest(token).as_str()) {
            crate::obs::note_caller(|| "operator".into());
            return Ok(());
        }
        let is_api_key = self.authenticate(token).await.is_ok();
        Err(match (is_api_key, expected.is_some()) {
            (true, true) => ApiError::Forbidden("this needs the operator's admin token".into()),
            (true, false) => ApiError::Forbidden(NONE_CONFIGURED.into()),
            (false, true) => ApiError::Unauthorized("this is not the operator's admin token"),
            (false, false) => ApiError::Unauthorized(NONE_CONFIGURED),
        })
    }

    /// Sets what the operator verified of a host (call [`App::check_admin`]
    /// first). The host's claims stay as they are, under `self_declared`.
    pub async fn verify_host(&self, id: &HostId, new: NewVerification) -> ApiResult<HostView> {
        let change = VerificationChange {
            tiktok_shop_verified: new.tiktok_shop_verified,
            badges: new.badges,
        };
        // The write turn spans the read, so a profile patch cannot write back
        // the values this replaces.
        let index = self.inner.host_index.writer().await;
        let current = match self.store().host(id).await {
            Ok(h) => h.profile,
            Err(StoreError::NotFound) => return Err(ApiError::NotFound(format!("host {id}"))),
            Err(e) => return Err(e.into()),
        };
        let verified = Verified::of(&current)
            .change(&change)
            .map_err(ApiError::Validation)?;
        let write = self.host_write_as_is(id, identity::declared_profile(&current), &verified);
        self.store().update_host(&write).await?;
        index
            .hosts_written(self.store(), std::slice::from_ref(&write))
            .await;
        tracing::info!(
            human_id = %id,
            tiktok_shop_verified = verified.tiktok_shop_verified,
            badges = ?verified.badges,
            "the operator set what is verified of a host"
        );
        HostView::of_stored(&write.profile)
    }
}

#[cfg(test)]
mod tests {
    use livehire_domain::identity::MAX_BADGES;
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn the_documented_badge_bound_is_the_rules() {
        let schema = serde_json::to_value(NewVerification::schema()).unwrap();
        assert_eq!(schema["properties"]["badges"]["maxItems"], MAX_BADGES);
    }
}
