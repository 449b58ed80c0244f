//! What a host looks like on the wire: the profile as served ([`HostView`]),
//! the blocks a profile shares with what a host writes, and a page of search
//! results ([`HostSearchPage`]).
//!
//! A profile is the seed's shape. The fields the server reads or keeps are
//! typed here; every other field a host sent (`technical_setup`,
//! `recent_sessions`, …) is kept verbatim in an `extra` map, and a profile is
//! served with its keys in the order it was stored in
//! ([`super::json_order`]), so typing it changes no byte a client sees.

use livehire_domain::ids::{HostId, TaskId};
use livehire_domain::matching::Match;
use livehire_store::RatingRecord;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::json_order::{KeyOrder, keeps_key_order};
use crate::error::ApiResult;

/// Where a host streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// TikTok.
    Tiktok,
}

/// `follower_stats`: the host's audience.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowerStats {
    /// Followers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0)]
    pub followers: Option<Number>,
    /// Average concurrent viewers of a live session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0)]
    pub avg_live_viewers: Option<Number>,
    /// Peak concurrent viewers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0)]
    pub peak_concurrent_viewers: Option<Number>,
    /// Any other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `live_commerce_metrics`: how the host sells live, as the host states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LiveCommerceMetrics {
    /// Average GMV of a session, in the host's `compensation_range.currency`
    /// (at most 1,000,000,000,000, `livehire_domain::money::MAX_AMOUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0, maximum = 1000000000000.0)]
    pub avg_gmv_per_session: Option<Number>,
    /// Buyers ÷ viewers, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0, maximum = 1)]
    pub avg_conversion_rate: Option<Number>,
    /// Units sold in an average session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0)]
    pub avg_products_sold_per_session: Option<Number>,
    /// Average watch time, minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0)]
    pub avg_watch_time_minutes: Option<Number>,
    /// Share of viewers who come back, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0, maximum = 1)]
    pub repeat_viewer_rate: Option<Number>,
    /// Live sessions hosted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0)]
    pub total_sessions_hosted: Option<Number>,
    /// Any other field (`total_lifetime_gmv`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `compensation_range`: what the host asks for a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompensationRange {
    /// The least the host takes (at most 1,000,000,000,000); `max_rate`
    /// searches compare it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0, maximum = 1000000000000.0)]
    pub min: Option<Number>,
    /// The most the host asks, at least `min` (at most 1,000,000,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<f64>, minimum = 0, maximum = 1000000000000.0)]
    pub max: Option<Number>,
    /// ISO 4217 code such as `CNY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    /// Any other field (`pricing_model`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Where a profile's figures come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetricsSource {
    /// The host's own figures.
    #[default]
    SelfReported,
    /// Averages of the host's verified sessions (`monitored_metrics`).
    Monitored,
}

/// `monitored_metrics`: averages over the host's verified sessions of
/// approved tasks, which search, eligibility and matching read in place of
/// the host's own figures. A `null` figure leaves the host's own in use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MonitoredMetrics {
    /// Verified sessions averaged.
    pub sessions: u64,
    /// The currency of `avg_gmv_per_session` (the host's
    /// `compensation_range.currency`, else CNY).
    pub currency: String,
    /// Mean GMV of the sessions in `currency`, 2 decimals.
    #[schema(value_type = Option<f64>)]
    pub avg_gmv_per_session: Option<Number>,
    /// Mean average concurrent viewers, whole.
    #[schema(value_type = Option<f64>)]
    pub avg_live_viewers: Option<Number>,
    /// The highest peak.
    pub peak_concurrent_viewers: u64,
    /// Mean conversion, 4 decimals.
    #[schema(value_type = Option<f64>)]
    pub avg_conversion_rate: Option<Number>,
    /// Mean average watch time, minutes, 1 decimal.
    #[schema(value_type = Option<f64>)]
    pub avg_watch_time_minutes: Option<Number>,
}

/// `self_declared`: what the host claims of the fields only the operator
/// verifies, exactly as the host sent them (a key is absent when the host
/// claimed nothing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SelfDeclared {
    /// The host says its TikTok Shop is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tiktok_shop_verified: Option<bool>,
    /// The badges the host claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub badges: Option<Vec<String>>,
    /// Other records of what the host once declared (a handle another host
    /// proved, see `docs/trust.md`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A rating an agent gave the host here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HostRating {
    /// The task rated.
    #[schema(value_type = String)]
    pub task_id: TaskId,
    /// 1–5 stars.
    pub overall_rating: i64,
    /// The agent's review.
    pub review_text: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&RatingRecord> for HostRating {
    fn from(r: &RatingRecord) -> Self {
        HostRating {
            task_id: TaskId::from(r.task_id.as_str()),
            overall_rating: r.overall_rating,
            review_text: r.review_text.clone(),
            created_at: r.created_at.clone(),
        }
    }
}

/// A host's public profile: the host's own fields (typed where the server
/// reads them, the rest verbatim), what the operator verified, and the
/// figures the server keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(remote = "Self")]
pub struct HostView {
    /// `ph_profile_…`.
    #[schema(value_type = String)]
    pub human_id: HostId,
    /// Display name.
    pub name: String,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub avatar_url: Option<String>,
    /// `tiktok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub platform: Option<Platform>,
    /// The host's TikTok username; one host holds a handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tiktok_handle: Option<String>,
    /// The server's rating of the host from agents' ratings, `null` while unrated.
    #[schema(value_type = Option<f64>, required = true)]
    pub rating: Option<Number>,
    /// Tasks the host completed here (or stated by the operator's demo data).
    #[serde(default)]
    #[schema(required = true)]
    pub completion_count: u64,
    /// How many ratings `rating` stands on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ratings_count: Option<u64>,
    /// `professional_live_seller`, `niche_specialist`, … (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub host_type: Option<String>,
    /// What the host asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub compensation_range: Option<CompensationRange>,
    /// The host's audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub follower_stats: Option<FollowerStats>,
    /// How the host sells live, as the host states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub live_commerce_metrics: Option<LiveCommerceMetrics>,
    /// Product kinds the host knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub product_expertise: Option<Vec<String>>,
    /// How the host hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub hosting_specialties: Option<Vec<String>>,
    /// The badges the operator verified.
    #[serde(default)]
    #[schema(required = true)]
    pub badges: Vec<String>,
    /// About the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub bio: Option<String>,
    /// Skills, lower-case words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub skills: Option<Vec<String>>,
    /// Niches, lower-case words (`beauty`, `home_goods`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub niches: Option<Vec<String>>,
    /// Whether the operator verified the host's TikTok Shop (search's
    /// `tiktok_shop_verified` and task eligibility read this).
    #[serde(default)]
    #[schema(required = true)]
    pub tiktok_shop_verified: bool,
    /// Whether the host has sold live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub live_commerce_experience: Option<bool>,
    /// IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub time_zone: Option<String>,
    /// Where the figures search reads come from.
    #[serde(default)]
    #[schema(required = true)]
    pub metrics_source: MetricsSource,
    /// Averages of the host's verified sessions, once it has some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub monitored_metrics: Option<MonitoredMetrics>,
    /// The host's own claims of what only the operator verifies.
    #[serde(default)]
    #[schema(required = true)]
    pub self_declared: SelfDeclared,
    /// The newest 20 ratings agents gave here (`GET /api/v1/humans/{human_id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ratings: Option<Vec<HostRating>>,
    /// Every other field of the host's profile, exactly as the host sent it
    /// (`technical_setup`, `recent_sessions`, `audience_demographics`, …):
    /// the one place a profile holds free-form JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The stored key order, which the served profile keeps.
    #[serde(skip)]
    order: KeyOrder,
}

keeps_key_order!(HostView);

impl HostView {
    /// Reads a stored profile. A field the server knows that is stored with
    /// another type (data older than a rule) is served as stored, from
    /// `extra`, rather than failing the request.
    pub(crate) fn of_stored(profile: &Value) -> ApiResult<HostView> {
        let mut readable = profile.clone();
        let mut stray = Map::new();
        loop {
            match HostView::read(&readable) {
                Ok(mut view) => {
                    view.extra.extend(stray);
                    view.order = KeyOrder::of(profile);
                    return Ok(view);
                }
                Err(e) => {
                    let key = match e.path().iter().next() {
                        Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
                        _ => String::new(),
                    };
                    let Some(value) = readable.as_object_mut().and_then(|m| m.shift_remove(&key))
                    else {
                        return Err(anyhow::anyhow!("a stored host profile: {e}").into());
                    };
                    tracing::warn!(field = %key, error = %e, "a stored host profile field is served as stored");
                    stray.insert(key, value);
                }
            }
        }
    }

    /// Adds the host's ratings (replacing a stored field of that name).
    pub(crate) fn set_ratings(&mut self, ratings: Vec<HostRating>) {
        self.extra.shift_remove("ratings");
        self.ratings = Some(ratings);
    }
}

/// A search result matched to a task (`for_task`): the profile and its match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchedHost {
    /// The host's profile.
    #[serde(flatten)]
    pub host: HostView,
    /// How well the host fits the task, and why.
    #[serde(rename = "match")]
    pub host_match: Match,
}

impl MatchedHost {
    /// A profile with its match (replacing a field of the host's named `match`).
    pub(crate) fn new(mut host: HostView, host_match: Match) -> MatchedHost {
        host.extra.shift_remove("match");
        MatchedHost { host, host_match }
    }
}

/// A page of search results, `{data: [profile…], next_cursor}`. The
/// profiles are stored as rendered JSON (a profile is rendered when it
/// changes, not per search), so a page is their concatenation, written as is.
#[derive(Debug, Clone)]
pub struct HostSearchPage {
    /// JSON text written by this server (the index's rendered profiles, or
    /// `serde_json`): not parsed again per search.
    json: String,
}

impl HostSearchPage {
    /// A page written whole (by the index, or from typed results).
    pub(crate) fn of_json(body: String) -> ApiResult<HostSearchPage> {
        Ok(HostSearchPage { json: body })
    }

    /// A page of matched hosts.
    pub(crate) fn of_matches(
        data: Vec<MatchedHost>,
        next_cursor: Option<String>,
    ) -> ApiResult<HostSearchPage> {
        let page = super::Page { data, next_cursor };
        Self::of_json(serde_json::to_string(&page).map_err(anyhow::Error::from)?)
    }

    /// The page as JSON text.
    pub fn as_json(&self) -> &str {
        &self.json
    }

    /// The page as JSON text, owned.
    pub fn into_json(self) -> String {
        self.json
    }
}

impl Serialize for HostSearchPage {
    /// Embeds the page as it is (checked as JSON only here, for the doors
    /// that serialize it inside another value; HTTP writes the text).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawValue::from_string(self.json.clone())
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

impl PartialSchema for HostSearchPage {
    fn schema() -> RefOr<Schema> {
        let profiles = ArrayBuilder::new()
            .items(RefOr::Ref(Ref::from_schema_name(HostView::name())))
            .description(Some(
                "The profiles; with `for_task`, each has a `match` (a `MatchedHost`)",
            ));
        let cursor = ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
            .description(Some(
                "Pass back as `cursor` for the next page; `null` on the last",
            ));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("data", profiles)
            .required("data")
            .property("next_cursor", cursor)
            .required("next_cursor")
            .into()
    }
}

impl ToSchema for HostSearchPage {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("HostSearchPage")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((HostView::name().into(), HostView::schema()));
        <HostView as ToSchema>::schemas(schemas);
        schemas.push((MatchedHost::name().into(), MatchedHost::schema()));
        <MatchedHost as ToSchema>::schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_stored_profile_is_served_byte_for_byte() {
        let stored = json!({"human_id": "ph_profile_x", "name": "Chen", "avatar_url": "a",
            "platform": "tiktok", "rating": 4.90, "completion_count": 89, "host_type": "pro",
            "compensation_range": {"min": 2000, "max": 10000.50, "currency": "CNY", "pricing_model": "b"},
            "follower_stats": {"followers": 180000, "peak_concurrent_viewers": 8000, "avg_live_viewers": 2500},
            "technical_setup": {"studio": "yes"}, "badges": ["top_live_seller"], "bio": "b",
            "metrics_source": "self_reported", "tiktok_shop_verified": true,
            "self_declared": {"badges": ["top_live_seller"], "tiktok_handle": "@old"}});
        let view = HostView::of_stored(&stored).unwrap();
        assert_eq!(
            view.follower_stats.as_ref().unwrap().followers,
            Some(180000.into())
        );
        assert_eq!(view.extra.len(), 1, "technical_setup");
        assert_eq!(serde_json::to_string(&view).unwrap(), stored.to_string());
    }

    #[test]
    fn a_field_stored_with_another_type_is_served_as_stored() {
        let stored = json!({"human_id": "ph_profile_x", "name": "Old",
            "follower_stats": {"followers": "180,000"}, "rating": null, "completion_count": 0,
            "metrics_source": "self_reported", "badges": [], "tiktok_shop_verified": false,
            "self_declared": {}});
        let view = HostView::of_stored(&stored).unwrap();
        assert!(view.follower_stats.is_none());
        assert_eq!(serde_json::to_string(&view).unwrap(), stored.to_string());
    }

    #[test]
    fn a_page_is_written_as_its_profiles_are_stored() {
        let text = r#"{"data":[{"b":1,"a":2}],"next_cursor":"c"}"#;
        let page = HostSearchPage::of_json(text.to_string()).unwrap();
        assert_eq!(serde_json::to_string(&page).unwrap(), text);
        assert_eq!(page.as_json(), text);
    }
}
