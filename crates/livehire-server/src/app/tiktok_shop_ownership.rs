//! Who a TikTok Shop webhook speaks for, and whether it is fresh.
//!
//! Connecting a shop is a claim: any number of agents may hold a pending
//! claim on one shop id, none of them blocks another, and none is
//! attributed anything. A webhook whose signature verifies with a claim's
//! app key and secret proves that claim: in one transaction it becomes the
//! shop's owner and the shop's other claims are dropped. The first claim
//! proven owns the shop (one owner per shop is the primary key of the
//! owners' table); a shop with an owner takes no new claims, so the owner is
//! never displaced, and its webhooks verify with the owner's secret only.
//!
//! A webhook must carry a `timestamp` (epoch seconds) within
//! [`WEBHOOK_WINDOW_SECS`] of the server's clock either way; a stale or
//! early one is refused after its signature is checked and before it
//! proves or counts anything, so a captured notification cannot be replayed.

use livehire_store::{TiktokShopNotification, TiktokShopRecord};

use super::App;
use super::tiktok_shop::WebhookNotification;
use super::tiktok_shop_api::signature_ok;
use crate::error::{ApiError, ApiResult};

/// How far a webhook's `timestamp` may be from the server's clock, in
/// either direction.
pub const WEBHOOK_WINDOW_SECS: i64 = 300;

/// The outcome logged for a notification refused for its timestamp.
pub const STALE_OUTCOME: &str = "refused_timestamp";

/// The one answer to an unknown shop and to a bad signature.
pub(super) const BAD_SIGNATURE: &str = "the webhook signature does not verify";

impl App {
    /// The shop's owner that a signed, fresh webhook speaks for: the owner
    /// whose secret verifies `authorization` over `body`, or the pending
    /// claim that does, proven by it now. 401 (the same for an unknown shop)
    /// when none verifies; 422 naming `timestamp` when the notification is
    /// not within [`WEBHOOK_WINDOW_SECS`] of now.
    pub(super) async fn webhook_shop(
        &self,
        authorization: Option<&str>,
        notice: &WebhookNotification,
    ) -> ApiResult<TiktokShopRecord> {
        let unauthorized = || ApiError::Unauthorized(BAD_SIGNATURE);
        let (Some(shop_id), Some(auth)) = (notice.shop_id.clone(), authorization) else {
            return Err(unauthorized());
        };
        let body = notice.body();
        let signed = match self.store().tiktok_shop(&shop_id).await? {
            Some(owner) => signature_ok(&owner, auth, body).then_some(owner),
            None => self
                .store()
                .tiktok_shop_claims(&shop_id)
                .await?
                .into_iter()
                .find(|claim| signature_ok(claim, auth, body)),
        };
        let Some(signed) = signed else {
            tracing::warn!(
                shop_id,
                "TikTok Shop webhook that no connection's secret verifies"
            );
            return Err(unauthorized());
        };
        self.check_webhook_time(&signed, notice).await?;
        if signed.proven_at.is_some() {
            return Ok(signed);
        }
        let proof = self
            .store()
            .prove_tiktok_shop_claim(&shop_id, &signed.agent_id, &self.now_text())
            .await?;
        match proof.owner {
            Some(owner) if owner.agent_id == signed.agent_id => {
                tracing::info!(
                    shop_id,
                    agent_id = %owner.agent_id,
                    dropped_claims = ?proof.dropped_claims,
                    "TikTok Shop ownership proven by a signed webhook"
                );
                Ok(owner)
            }
            // Another claim was proven first: the webhook counts only if it
            // verifies with the owner's secret too.
            Some(owner) if signature_ok(&owner, auth, body) => Ok(owner),
            _ => {
                tracing::warn!(shop_id, agent_id = %signed.agent_id,
                    "TikTok Shop claim lost to a claim proven first");
                Err(unauthorized())
            }
        }
    }

    /// Refuses (422 naming `timestamp`) a notification stamped more than
    /// [`WEBHOOK_WINDOW_SECS`] before or after now, or not stamped; logged,
    /// and kept in the notification log when it has an id.
    async fn check_webhook_time(
        &self,
        shop: &TiktokShopRecord,
        notice: &WebhookNotification,
    ) -> ApiResult<()> {
        let now = self.now().timestamp();
        let at = notice.timestamp;
        let fresh = at
            .and_then(|at| now.checked_sub(at))
            .is_some_and(|skew| skew.unsigned_abs() <= WEBHOOK_WINDOW_SECS.unsigned_abs());
        if fresh {
            return Ok(());
        }
        let notification_id = notice.notification_id.clone();
        tracing::warn!(
            shop_id = %shop.shop_id,
            notification_id = notification_id.as_deref().unwrap_or(""),
            timestamp = ?at,
            now,
            "TikTok Shop webhook refused: its timestamp is outside the window"
        );
        if let Some(notification_id) = notification_id {
            let log = TiktokShopNotification {
                notification_id,
                shop_id: shop.shop_id.clone(),
                order_id: notice.order_id.clone(),
                order_status: notice.order_status.clone(),
                outcome: STALE_OUTCOME.to_string(),
                session_id: None,
                received_at: self.now_text(),
            };
            if let Err(e) = self.store().log_tiktok_shop_notification(&log).await {
                tracing::warn!(error = ?e, "logging a TikTok Shop notification failed");
            }
        }
        Err(ApiError::field(
            "timestamp",
            match at {
                None => "is required: the notification's time in epoch seconds".to_string(),
                Some(_) => {
                    format!("must be within {WEBHOOK_WINDOW_SECS} seconds of the server's clock")
                }
            },
        ))
    }
}
