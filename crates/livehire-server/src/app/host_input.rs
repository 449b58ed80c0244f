//! What a host writes: a registration ([`NewHost`]), a merge patch of its
//! profile ([`HostPatch`]), and the operator's demo profiles ([`DemoHost`]).
//!
//! Each is typed where the server reads the profile and keeps every other
//! field verbatim in `extra`, in the order the client sent it. The edge reads
//! them from JSON (`parse`); a field of the wrong type is answered in the
//! profile rules' words (`livehire_domain::host::validate_profile`), as the
//! rules that read a whole profile (time zones, niche words, `min` ≤ `max`,
//! handles) are, which the service applies to the profile it will store.

use livehire_domain::ids::HostId;
use livehire_domain::{host, identity};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use utoipa::ToSchema;

use super::host_view::{CompensationRange, FollowerStats, LiveCommerceMetrics, Platform};
use super::json_order::{KeyOrder, keeps_key_order};
use crate::error::{ApiError, ApiResult};

/// `POST /api/v1/humans/register` body: a host profile in the seed's shape.
/// `human_id`, `rating`, `ratings_count`, `completion_count`,
/// `metrics_source`, `monitored_metrics`, `ratings` and `self_declared` are
/// the server's and ignored. `tiktok_shop_verified` and `badges` are the
/// host's claims, kept under `self_declared` until the operator verifies them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(remote = "Self")]
pub struct NewHost {
    /// Display name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub avatar_url: Option<String>,
    /// `tiktok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub platform: Option<Platform>,
    /// The host's TikTok username: 1 to 24 letters (a-z), digits, `_` or
    /// `.`, optionally after `@`; one host holds a handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = r"^\s*@?[A-Za-z0-9_.]{1,24}\s*$")]
    pub tiktok_handle: Option<String>,
    /// `professional_live_seller`, `niche_specialist`, … (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub host_type: Option<String>,
    /// What the host asks; `min` at most `max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub compensation_range: Option<CompensationRange>,
    /// The host's audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub follower_stats: Option<FollowerStats>,
    /// How the host sells live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub live_commerce_metrics: Option<LiveCommerceMetrics>,
    /// Product kinds the host knows (niches are read from them when
    /// `niches` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub product_expertise: Option<Vec<String>>,
    /// How the host hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub hosting_specialties: Option<Vec<String>>,
    /// Badges the host claims (the operator verifies them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub badges: Option<Vec<String>>,
    /// About the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub bio: Option<String>,
    /// Skills, words such as `live_streaming`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub skills: Option<Vec<String>>,
    /// Niches: single words of letters, digits and `_` (`beauty`, `home_goods`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub niches: Option<Vec<String>>,
    /// The host says its TikTok Shop is verified (the operator verifies it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tiktok_shop_verified: Option<bool>,
    /// Whether the host has sold live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub live_commerce_experience: Option<bool>,
    /// IANA time zone such as `Asia/Shanghai`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub time_zone: Option<String>,
    /// Every other field of the profile (`technical_setup`,
    /// `recent_sessions`, …), kept and served exactly as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The order the client sent the fields in.
    #[serde(skip)]
    order: KeyOrder,
}

keeps_key_order!(NewHost);

impl NewHost {
    /// Reads a registration body: the server's own fields dropped, the rest
    /// typed; 422 naming each field of the wrong type.
    pub fn parse(body: Map<String, Value>) -> ApiResult<NewHost> {
        let mut body = Value::Object(body);
        host::strip_server_maintained(&mut body);
        NewHost::read(&body).map_err(|e| wrong_types(&body, true, &e))
    }
}

/// Why a profile (or the profile a patch makes) does not type: the profile
/// rules' errors (with the handle's when `handle` says it is checked), which
/// name every field of the wrong type among every other broken rule.
fn wrong_types(
    profile: &Value,
    handle: bool,
    e: &serde_path_to_error::Error<serde_json::Error>,
) -> ApiError {
    let mut errors = host::validate_profile(profile).err().unwrap_or_default();
    if handle {
        errors.extend(identity::check_handle(profile));
    }
    if errors.is_empty() {
        ApiError::field(e.path().to_string(), "has the wrong type")
    } else {
        ApiError::Validation(errors)
    }
}

/// One field of a merge patch (RFC 7396): left out (kept as it is), `null`
/// (removed) or a new value.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    /// Left out: the field keeps its value.
    #[default]
    Keep,
    /// `null`: the field is removed.
    Remove,
    /// The field's new value (an object merges into the current one).
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the patch leaves the field as it is.
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Keep | Patch::Remove => serializer.serialize_none(),
            Patch::Set(v) => v.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|v| v.map_or(Patch::Remove, Patch::Set))
    }
}

/// A merge patch of `follower_stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowerStatsPatch {
    /// Followers.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub followers: Patch<Number>,
    /// Average concurrent viewers of a live session.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub avg_live_viewers: Patch<Number>,
    /// Peak concurrent viewers.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub peak_concurrent_viewers: Patch<Number>,
    /// Other fields, merged as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A merge patch of `live_commerce_metrics`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LiveCommerceMetricsPatch {
    /// Average GMV of a session (at most 1,000,000,000,000).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000.0)]
    pub avg_gmv_per_session: Patch<Number>,
    /// Buyers ÷ viewers, 0–1.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1)]
    pub avg_conversion_rate: Patch<Number>,
    /// Units sold in an average session.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub avg_products_sold_per_session: Patch<Number>,
    /// Average watch time, minutes.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub avg_watch_time_minutes: Patch<Number>,
    /// Share of viewers who come back, 0–1.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1)]
    pub repeat_viewer_rate: Patch<Number>,
    /// Live sessions hosted.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub total_sessions_hosted: Patch<Number>,
    /// Other fields, merged as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A merge patch of `compensation_range`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompensationRangePatch {
    /// The least the host takes (at most 1,000,000,000,000).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000.0)]
    pub min: Patch<Number>,
    /// The most the host asks (at most 1,000,000,000,000).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000.0)]
    pub max: Patch<Number>,
    /// ISO 4217 code such as `CNY`.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{3}$")]
    pub currency: Patch<String>,
    /// Other fields, merged as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `PATCH /api/v1/humans/{human_id}` body: a JSON merge patch (RFC 7396) of
/// the caller's profile: a field left out stays, `null` removes it, an
/// object merges into the current one, anything else replaces it. The
/// server's own fields are ignored; `tiktok_shop_verified` and `badges`
/// change the host's claims (`self_declared`), never the verified values.
/// The patched profile must keep to the registration's rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(remote = "Self")]
pub struct HostPatch {
    /// Display name, 1–200 characters.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub name: Patch<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Patch<String>,
    /// `tiktok`.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<Platform>)]
    pub platform: Patch<Platform>,
    /// The host's TikTok username (see registration).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<String>, pattern = r"^\s*@?[A-Za-z0-9_.]{1,24}\s*$")]
    pub tiktok_handle: Patch<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<String>)]
    pub host_type: Patch<String>,
    /// Merged into the current range.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<CompensationRangePatch>)]
    pub compensation_range: Patch<CompensationRangePatch>,
    /// Merged into the current figures.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<FollowerStatsPatch>)]
    pub follower_stats: Patch<FollowerStatsPatch>,
    /// Merged into the current figures.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<LiveCommerceMetricsPatch>)]
    pub live_commerce_metrics: Patch<LiveCommerceMetricsPatch>,
    /// Replaces the list.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<Vec<String>>)]
    pub product_expertise: Patch<Vec<String>>,
    /// Replaces the list.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<Vec<String>>)]
    pub hosting_specialties: Patch<Vec<String>>,
    /// The badges the host claims.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<Vec<String>>)]
    pub badges: Patch<Vec<String>>,
    /// About the host.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<String>)]
    pub bio: Patch<String>,
    /// Replaces the list.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<Vec<String>>)]
    pub skills: Patch<Vec<String>>,
    /// Replaces the list (single words of letters, digits and `_`).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<Vec<String>>)]
    pub niches: Patch<Vec<String>>,
    /// The host's claim that its TikTok Shop is verified.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<bool>)]
    pub tiktok_shop_verified: Patch<bool>,
    /// Whether the host has sold live.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<bool>)]
    pub live_commerce_experience: Patch<bool>,
    /// IANA time zone.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    #[schema(value_type = Option<String>)]
    pub time_zone: Patch<String>,
    /// Every other field, merged as sent (`null` removes it).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The order the client sent the fields in.
    #[serde(skip)]
    order: KeyOrder,
}

keeps_key_order!(HostPatch);

impl HostPatch {
    /// Reads a patch body: the server's own fields dropped, the rest typed;
    /// 422 naming each field of the wrong type.
    pub fn parse(patch: Map<String, Value>) -> ApiResult<HostPatch> {
        let mut patch = Value::Object(patch);
        host::strip_server_maintained(&mut patch);
        HostPatch::read(&patch).map_err(|e| {
            // Named as a patched profile's fields are: on a profile that
            // keeps every rule but the patch's.
            let mut patched = serde_json::json!({"name": "-"});
            host::merge_patch(&mut patched, &patch);
            wrong_types(&patched, patch.get("tiktok_handle").is_some(), &e)
        })
    }
}

/// One of the operator's demo profiles (`livehire seed`, `serve --demo`):
/// a profile with its own id and the figures the server otherwise keeps.
/// What it claims is stored as verified; it is not held to the
/// registration's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(remote = "Self")]
pub struct DemoHost {
    /// `ph_profile_…`.
    #[schema(value_type = String)]
    pub human_id: HostId,
    /// The host's rating; `null` while unrated.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub rating: Option<Number>,
    /// Sessions the host completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<u64>)]
    pub completion_count: Option<Number>,
    /// How many ratings `rating` stands on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<u64>)]
    pub ratings_count: Option<Number>,
    /// The profile.
    #[serde(flatten)]
    pub profile: NewHost,
    /// The order of the profile's fields.
    #[serde(skip)]
    order: KeyOrder,
}

keeps_key_order!(DemoHost);

impl DemoHost {
    /// Types a demo profile (as `livehire_sim::hosts` makes them).
    pub fn from_profile(profile: &Value) -> Result<DemoHost, String> {
        DemoHost::read(profile).map_err(|e| {
            let id = profile["human_id"].as_str().unwrap_or("?");
            format!("demo host {id}: {}: {}", e.path(), e.inner())
        })
    }

    /// Types demo profiles, failing on the first that does not type.
    pub fn from_profiles(profiles: &[Value]) -> Result<Vec<DemoHost>, String> {
        profiles.iter().map(DemoHost::from_profile).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn a_registration_is_stored_as_sent() {
        let body = json!({"human_id": "ph_profile_mine", "name": "Liu", "platform": "tiktok",
            "host_type": "niche", "follower_stats": {"peak_concurrent_viewers": 3500, "followers": 95000},
            "technical_setup": {"studio": "yes"}, "rating": 5,
            "compensation_range": {"min": 1200, "max": 6000.50, "currency": "CNY", "pricing_model": "b"},
            "bio": "b", "badges": ["top"]});
        let new = NewHost::parse(object(body.clone())).unwrap();
        assert_eq!(new.platform, Some(Platform::Tiktok));
        assert_eq!(new.extra.keys().collect::<Vec<_>>(), ["technical_setup"]);
        let mut expected = body;
        host::strip_server_maintained(&mut expected);
        assert_eq!(new.into_json().to_string(), expected.to_string());
    }

    #[test]
    fn wrong_types_are_named_in_the_rules_words() {
        let err = NewHost::parse(object(
            json!({"name": 5, "follower_stats": {"followers": "many"}}),
        ))
        .unwrap_err();
        let ApiError::Validation(errors) = err else {
            panic!("{err:?}")
        };
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["name", "follower_stats.followers"]);
        let ApiError::Validation(errors) =
            HostPatch::parse(object(json!({"bio": 5, "platform": "youtube"}))).unwrap_err()
        else {
            panic!()
        };
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["bio", "platform"]);
    }

    #[test]
    fn a_patch_keeps_its_nulls_and_its_order() {
        let body = json!({"session_format": null, "follower_stats": {"followers": 185000, "avg_live_viewers": null},
            "bio": "New", "avatar_url": null, "rating": 5});
        let patch = HostPatch::parse(object(body)).unwrap();
        assert_eq!(patch.avatar_url, Patch::Remove);
        assert_eq!(patch.name, Patch::Keep);
        assert_eq!(
            patch.into_json().to_string(),
            r#"{"session_format":null,"follower_stats":{"followers":185000,"avg_live_viewers":null},"bio":"New","avatar_url":null}"#
        );
    }

    #[test]
    fn the_documented_bounds_are_the_rules() {
        use livehire_domain::identity::MAX_HANDLE_CHARS;
        use livehire_domain::money::MAX_AMOUNT;
        use rust_decimal::prelude::ToPrimitive;
        use utoipa::PartialSchema;

        let schemas = [
            LiveCommerceMetrics::schema(),
            CompensationRange::schema(),
            LiveCommerceMetricsPatch::schema(),
            CompensationRangePatch::schema(),
        ];
        let mut money = 0;
        for schema in schemas {
            let schema = serde_json::to_value(schema).unwrap();
            for (_, p) in schema["properties"].as_object().unwrap() {
                if p["maximum"].as_f64().is_some_and(|m| m > 1.0) {
                    assert_eq!(p["maximum"].as_f64(), MAX_AMOUNT.to_f64());
                    money += 1;
                }
            }
        }
        assert_eq!(money, 6, "avg_gmv_per_session, min and max, patched or not");
        let new = serde_json::to_value(NewHost::schema()).unwrap();
        let handle = new["properties"]["tiktok_handle"]["pattern"]
            .as_str()
            .unwrap();
        assert!(
            handle.contains(&format!("{{1,{MAX_HANDLE_CHARS}}}")),
            "{handle}"
        );
        assert_eq!(new["required"], json!(["name"]));
    }

    #[test]
    fn a_demo_profile_keeps_its_own_figures_and_order() {
        let profile = json!({"human_id": "ph_profile_d", "name": "D", "rating": 4.9,
            "completion_count": 89, "recent_sessions": [{"gmv": 1}], "badges": ["b"]});
        let demo = DemoHost::from_profile(&profile).unwrap();
        assert_eq!(demo.human_id.as_str(), "ph_profile_d");
        assert_eq!(demo.into_json().to_string(), profile.to_string());
        assert!(DemoHost::from_profile(&json!({"name": "no id"})).is_err());
    }
}
