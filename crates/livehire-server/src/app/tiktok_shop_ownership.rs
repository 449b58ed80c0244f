//! Who a TikTok Shop webhook speaks for.
//!
//! Connecting a shop is a claim: any number of agents may hold a pending
//! claim on one shop id, none of them blocks another, and none is
//! attributed anything. A webhook whose signature verifies with a claim's
//! app key and secret proves that claim: in one transaction it becomes the
//! shop's owner and the shop's other claims are dropped. The first claim
//! proven owns the shop (one owner per shop is the primary key of the
//! owners' table); a shop with an owner takes no new claims, so the owner is
//! never displaced, and its webhooks verify with the owner's secret only.

use livehire_store::TiktokShopRecord;
use serde_json::Value;

use super::App;
use super::tiktok_shop_api::{id_of, signature_ok};
use crate::error::{ApiError, ApiResult};

/// The one answer to an unknown shop and to a bad signature.
pub(super) const BAD_SIGNATURE: &str = "the webhook signature does not verify";

impl App {
    /// The shop's owner that a signed webhook speaks for: the owner whose
    /// secret verifies `authorization` over `body`, or the pending claim that
    /// does, proven by it now. 401 (the same for an unknown shop) when none
    /// verifies.
    pub(super) async fn webhook_shop(
        &self,
        authorization: Option<&str>,
        body: &[u8],
        v: &Value,
    ) -> ApiResult<TiktokShopRecord> {
        let unauthorized = || ApiError::Unauthorized(BAD_SIGNATURE);
        let (Some(shop_id), Some(auth)) = (id_of(&v["shop_id"]), authorization) else {
            return Err(unauthorized());
        };
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
}
