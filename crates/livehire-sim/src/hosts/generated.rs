//! The generator of synthetic hosts: [`generated_host`] and the demo exchange
//! rates ([`cny_rate`]). How the figures are distributed and relate is in the
//! [`hosts`](super) module docs.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use super::draw::{log_uniform, lognormal, pick, pick_weighted, std_normal, uniform};
use super::format::{capitalize, compact, join_words, round_dp, round_sig, thousands};
use super::tables::{
    BUILDING_SPECIALTIES, EQUIPMENT, FLASH_SPECIALTIES, GENERAL_SPECIALTIES, HIGH_VOLUME_NICHES,
    INTERNET, NEW_HOST_SENTENCES, NICHES, Niche, QUALITY, REGIONS, SKILLS, STUDIO, STYLE_SENTENCES,
    TYPE_PREFIXES_HIGH_VOLUME, TYPE_PREFIXES_PRO,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum HostType {
    Professional,
    NicheSpecialist,
    HighVolume,
    RisingCreator,
    BrandAmbassador,
}

impl HostType {
    fn as_str(self) -> &'static str {
        match self {
            HostType::Professional => "professional_live_seller",
            HostType::NicheSpecialist => "niche_specialist",
            HostType::HighVolume => "high_volume_seller",
            HostType::RisingCreator => "rising_creator",
            HostType::BrandAmbassador => "brand_ambassador",
        }
    }
}

/// Demo exchange rate: units of `currency` per 1 CNY, for the currencies used
/// by [`generated_host`] (`None` for any other currency).
pub fn cny_rate(currency: &str) -> Option<f64> {
    REGIONS
        .iter()
        .find(|r| r.currency == currency)
        .map(|r| r.per_cny)
}

/// Synthetic host profile number `index`, in the shape of the seed's examples.
///
/// Deterministic: the same index always gives byte-identical JSON. The
/// `human_id` is `ph_profile_gen_{index:06}` and the `tiktok_handle` ends in the
/// index, so both are unique per index. See the module docs for how the figures
/// are distributed and how they relate to one another.
pub fn generated_host(index: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(index);
    let g = &mut rng;

    let region = pick_weighted(g, REGIONS, |r| r.weight);
    let experienced = g.random_bool(0.70);
    let verified = experienced && g.random_bool(0.75);

    // Audience.
    let follower_median = if experienced { 72_000.0 } else { 42_000.0 };
    let followers = round_sig(lognormal(g, follower_median, 1.05, 5_000.0, 2_000_000.0), 3);
    let host_type = pick_host_type(g, experienced, followers);

    let mut viewer_share = log_uniform(g, 0.005, 0.03);
    if host_type == HostType::HighVolume {
        viewer_share = (viewer_share * 1.25).min(0.03);
    }
    let avg_viewers = round_sig(followers as f64 * viewer_share, 2).max(20);
    let peak_viewers = round_sig(avg_viewers as f64 * uniform(g, 2.0, 4.0), 2);

    // Niches.
    let niches = pick_niches(g, host_type);
    let primary = niches[0];

    // Engagement.
    let (watch_lo, watch_hi, rep_lo, rep_hi) = match (experienced, host_type) {
        (false, _) => (5.0, 20.0, 0.10, 0.35),
        (true, HostType::HighVolume) => (15.0, 26.0, 0.25, 0.45),
        (true, HostType::NicheSpecialist) => (24.0, 40.0, 0.35, 0.60),
        (true, HostType::Professional) => (20.0, 34.0, 0.30, 0.50),
        (true, HostType::BrandAmbassador) => (16.0, 30.0, 0.20, 0.40),
        (true, HostType::RisingCreator) => (10.0, 24.0, 0.12, 0.32),
    };
    let watch_minutes = uniform(g, watch_lo, watch_hi).round();
    let repeat_rate = round_dp(uniform(g, rep_lo, rep_hi), 2);

    // Sales.
    let (conversion, gmv_cny, sessions, lifetime_cny) = if experienced {
        let mut c = if g.random_bool(0.85) {
            (uniform(g, 0.03, 0.08) + uniform(g, 0.03, 0.08)) / 2.0
        } else if g.random_bool(0.5) {
            uniform(g, 0.01, 0.03)
        } else {
            uniform(g, 0.08, 0.12)
        };
        c += match host_type {
            HostType::NicheSpecialist => 0.004,
            HostType::HighVolume => 0.006,
            HostType::RisingCreator => -0.006,
            _ => 0.0,
        };
        let conversion = round_dp(c.clamp(0.01, 0.12), 3);
        let session_minutes = if host_type == HostType::HighVolume {
            pick(g, &[150.0, 180.0, 240.0])
        } else {
            pick(g, &[90.0, 120.0, 150.0, 180.0])
        };
        let turnover = (session_minutes / watch_minutes).clamp(6.0, 12.0);
        let aov = log_uniform(g, primary.aov_cny.0, primary.aov_cny.1);
        let gmv_cny = avg_viewers as f64 * turnover * conversion * aov;
        let sessions = if host_type == HostType::RisingCreator {
            log_uniform(g, 3.0, 40.0)
        } else {
            log_uniform(g, 15.0, 320.0)
        }
        .round() as u64;
        let lifetime_cny = gmv_cny * sessions as f64 * uniform(g, 0.8, 1.2);
        (conversion, gmv_cny, sessions, lifetime_cny)
    } else {
        (0.0, 0.0, 0, 0.0)
    };
    let to_local = |cny: f64, digits: i32| round_sig(cny * region.per_cny, digits);
    let gmv_local = to_local(gmv_cny, 3);
    let lifetime_local = to_local(lifetime_cny, 2);

    // Reputation.
    let rating_penalty = if experienced { 0.0 } else { 0.15 };
    let rating = round_dp(
        (5.0 - std_normal(g).abs() * 0.4 - rating_penalty).clamp(3.5, 5.0),
        1,
    );
    let completion_count = if experienced {
        ((sessions as f64 * uniform(g, 0.25, 0.65)).round() as u64).max(1)
    } else {
        g.random_range(1..=5)
    };

    // Pay.
    let min_cny = if experienced {
        gmv_cny * uniform(g, 0.02, 0.04)
    } else {
        followers as f64 * uniform(g, 0.003, 0.008)
    }
    .max(300.0);
    let comp_min = to_local(min_cny, 2).max(to_local(300.0, 2));
    let comp_max = round_sig(comp_min as f64 * uniform(g, 3.0, 6.0), 2);
    let pricing_model = if g.random_bool(if experienced { 0.8 } else { 0.3 }) {
        "base_plus_commission"
    } else {
        "fixed_fee"
    };

    // Skills.
    let has_niche = |keys: &[&str]| niches.iter().any(|n| keys.contains(&n.key));
    let bilingual = g.random_bool(region.bilingual_rate);
    let flash = match host_type {
        HostType::HighVolume => g.random_bool(0.9),
        _ if experienced => g.random_bool(0.25),
        _ => false,
    };
    let mut skill_flags = [false; 12];
    skill_flags[0] = g.random_bool(0.9);
    skill_flags[1] = g.random_bool(if experienced { 0.9 } else { 0.3 });
    skill_flags[2] = g.random_bool(if experienced { 0.75 } else { 0.35 });
    skill_flags[3] = g.random_bool(if experienced { 0.8 } else { 0.85 });
    skill_flags[4] = g.random_bool(if host_type == HostType::NicheSpecialist {
        0.7
    } else {
        0.15
    });
    skill_flags[5] = flash;
    skill_flags[6] = g.random_bool(match host_type {
        HostType::RisingCreator | HostType::HighVolume => 0.6,
        _ => 0.15,
    });
    skill_flags[7] = has_niche(&["skincare"]) && g.random_bool(0.8);
    skill_flags[8] =
        has_niche(&["tech", "electronics", "gadgets", "smart_home"]) && g.random_bool(0.7);
    skill_flags[9] = g.random_bool(if host_type == HostType::NicheSpecialist {
        0.5
    } else {
        0.15
    });
    skill_flags[10] = g.random_bool(0.3);
    skill_flags[11] = bilingual;
    let skills: Vec<&str> = SKILLS
        .iter()
        .zip(skill_flags)
        .filter_map(|(s, on)| on.then_some(*s))
        .collect();

    // Expertise and specialties.
    let mut expertise: Vec<&str> = Vec::with_capacity(5);
    for n in &niches {
        push_unique(&mut expertise, pick(g, n.phrases));
    }
    let want = g.random_range(2..=4usize).max(niches.len());
    for _ in 0..8 {
        if expertise.len() >= want {
            break;
        }
        let n = pick(g, &niches);
        push_unique(&mut expertise, pick(g, n.phrases));
    }
    let target = g.random_range(3..=5usize);
    let mut specialties: Vec<String> = Vec::with_capacity(target);
    let add = |list: &mut Vec<String>, s: &str| {
        if list.len() < target && !list.iter().any(|x| x == s) {
            list.push(s.to_owned());
        }
    };
    add(&mut specialties, pick(g, primary.specialties));
    if flash {
        add(&mut specialties, pick(g, FLASH_SPECIALTIES));
        add(&mut specialties, pick(g, FLASH_SPECIALTIES));
    }
    if skill_flags[4] {
        add(&mut specialties, "Educational + sales approach");
    }
    if bilingual {
        add(
            &mut specialties,
            &format!("Bilingual hosting ({})", region.languages),
        );
    }
    if skill_flags[6] {
        add(&mut specialties, pick(g, BUILDING_SPECIALTIES));
    }
    if niches.len() > 1 {
        add(&mut specialties, pick(g, niches[1].specialties));
    }
    for _ in 0..8 {
        add(&mut specialties, pick(g, GENERAL_SPECIALTIES));
    }

    // Setup.
    let tier = match (experienced, host_type) {
        (true, HostType::Professional | HostType::HighVolume) => 2,
        (true, _) if followers >= 150_000 => 2,
        (true, _) => 1,
        (false, _) if followers >= 200_000 => 1,
        (false, _) => usize::from(g.random_bool(0.3)),
    };
    let technical_setup = object([
        ("streaming_quality", pick(g, QUALITY[tier]).into()),
        ("equipment", pick(g, EQUIPMENT[tier]).into()),
        ("internet", pick(g, INTERNET[tier]).into()),
        ("studio", pick(g, STUDIO[tier]).into()),
    ]);

    // Badges.
    let mut badges: Vec<&str> = Vec::new();
    if experienced && gmv_cny >= 50_000.0 && rating >= 4.6 {
        badges.push("top_live_seller");
    }
    if verified {
        badges.push("tiktok_shop_verified");
    }
    if lifetime_cny >= 1_000_000.0 {
        badges.push("million_gmv_club");
    }
    if experienced && conversion >= 0.08 {
        badges.push("high_conversion");
    }
    if repeat_rate >= 0.45 {
        badges.push("loyal_audience");
    }
    if host_type == HostType::RisingCreator && rating >= 4.5 {
        badges.push("rising_star");
    }
    if flash && sessions >= 50 {
        badges.push("flash_sale_pro");
    }

    // Name and handle.
    let prefix = match host_type {
        HostType::HighVolume if g.random_bool(0.6) => pick(g, TYPE_PREFIXES_HIGH_VOLUME),
        HostType::Professional if g.random_bool(0.4) => pick(g, TYPE_PREFIXES_PRO),
        _ => pick(g, primary.prefixes),
    };
    let person = pick(g, region.names);
    let name = format!("{prefix} {person}");
    let mut handle = String::with_capacity(32);
    handle.push('@');
    // The whole name if it fits in 16 letters, else the prefix's first word and
    // the family/given name ("Beauty Bestie Bautista" -> "beautybautista").
    let slug_of = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let mut slug = slug_of(&name);
    if slug.len() > 16 {
        let first = prefix.split(' ').next().unwrap_or(prefix);
        slug = slug_of(first);
        slug.push_str(&slug_of(person));
    }
    slug.truncate(16);
    handle.push_str(&slug);
    handle.push_str(&index.to_string());

    // Bio.
    let cur = region.currency;
    let niche_words = join_words(niches.iter().take(2).map(|n| n.label));
    let mut bio = match host_type {
        HostType::Professional => {
            format!(
                "Professional TikTok Live host with {} followers.",
                compact(followers)
            )
        }
        HostType::NicheSpecialist => format!(
            "{} specialist hosting educational live shopping sessions for {} followers.",
            capitalize(primary.label),
            compact(followers)
        ),
        HostType::HighVolume => format!(
            "High-volume live commerce specialist. {} followers.",
            compact(followers)
        ),
        HostType::BrandAmbassador => format!(
            "Brand ambassador and TikTok Live host with {} followers.",
            compact(followers)
        ),
        HostType::RisingCreator => {
            format!(
                "Rising TikTok creator with {} followers.",
                compact(followers)
            )
        }
    };
    if experienced {
        if lifetime_cny >= 1_000_000.0 {
            bio.push_str(&format!(
                " {} {cur} lifetime sales.",
                compact(lifetime_local)
            ));
        }
        bio.push_str(&format!(
            " Specializing in {niche_words} live shopping with average {} {cur} GMV per session.",
            compact(gmv_local)
        ));
        if host_type == HostType::NicheSpecialist || repeat_rate >= 0.45 {
            bio.push_str(&format!(
                " {}% repeat viewer rate.",
                (repeat_rate * 100.0).round() as u64
            ));
        }
    } else {
        bio.push_str(&format!(
            " Creates {niche_words} content and is new to live shopping, ready to host first TikTok Shop sessions."
        ));
    }
    bio.push(' ');
    bio.push_str(pick(
        g,
        if experienced {
            STYLE_SENTENCES
        } else {
            NEW_HOST_SENTENCES
        },
    ));

    let niche_keys: Vec<&str> = niches.iter().map(|n| n.key).collect();
    object([
        ("human_id", format!("ph_profile_gen_{index:06}").into()),
        ("name", name.into()),
        (
            "avatar_url",
            format!("https://avatars.livehire.example/gen_{index:06}.jpg").into(),
        ),
        ("platform", "tiktok".into()),
        ("tiktok_handle", handle.into()),
        ("rating", rating.into()),
        ("completion_count", completion_count.into()),
        ("host_type", host_type.as_str().into()),
        (
            "compensation_range",
            object([
                ("min", comp_min.into()),
                ("max", comp_max.into()),
                ("currency", cur.into()),
                ("pricing_model", pricing_model.into()),
            ]),
        ),
        (
            "follower_stats",
            object([
                ("followers", followers.into()),
                ("avg_live_viewers", avg_viewers.into()),
                ("peak_concurrent_viewers", peak_viewers.into()),
            ]),
        ),
        (
            "live_commerce_metrics",
            object([
                ("avg_gmv_per_session", gmv_local.into()),
                ("avg_conversion_rate", conversion.into()),
                ("avg_watch_time_minutes", (watch_minutes as u64).into()),
                ("repeat_viewer_rate", repeat_rate.into()),
                ("total_sessions_hosted", sessions.into()),
                (
                    "total_lifetime_gmv",
                    format!("{} {cur}", thousands(lifetime_local)).into(),
                ),
            ]),
        ),
        ("product_expertise", str_array(&expertise)),
        (
            "hosting_specialties",
            Value::Array(specialties.into_iter().map(Value::String).collect()),
        ),
        ("technical_setup", technical_setup),
        ("badges", str_array(&badges)),
        ("bio", bio.into()),
        ("skills", str_array(&skills)),
        ("niches", str_array(&niche_keys)),
        ("tiktok_shop_verified", verified.into()),
        ("live_commerce_experience", experienced.into()),
        ("time_zone", region.time_zone.into()),
    ])
}

/// A JSON object with the given fields, in order.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut m = Map::with_capacity(N);
    for (key, value) in fields {
        m.insert(key.to_owned(), value);
    }
    Value::Object(m)
}

fn str_array(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(*s)).collect())
}

fn pick_host_type(g: &mut ChaCha8Rng, experienced: bool, followers: u64) -> HostType {
    use HostType::*;
    let table: &[(HostType, u32)] = match (experienced, followers) {
        (false, _) => &[
            (RisingCreator, 65),
            (BrandAmbassador, 20),
            (NicheSpecialist, 15),
        ],
        (true, f) if f >= 250_000 => &[(HighVolume, 45), (Professional, 35), (BrandAmbassador, 20)],
        (true, f) if f < 20_000 => &[(RisingCreator, 60), (NicheSpecialist, 40)],
        (true, _) => &[
            (Professional, 40),
            (NicheSpecialist, 35),
            (BrandAmbassador, 10),
            (HighVolume, 5),
            (RisingCreator, 10),
        ],
    };
    pick_weighted(g, table, |(_, w)| *w).0
}

fn niche(key: &str) -> Option<&'static Niche> {
    NICHES.iter().find(|n| n.key == key)
}

/// 1–4 niches, main niche first; extra niches mostly related to the main one.
fn pick_niches(g: &mut ChaCha8Rng, host_type: HostType) -> Vec<&'static Niche> {
    let primary = match host_type {
        HostType::HighVolume if g.random_bool(0.6) => {
            niche(pick(g, HIGH_VOLUME_NICHES)).unwrap_or(&NICHES[0])
        }
        _ => pick_weighted(g, NICHES, |n| n.weight),
    };
    let count = match host_type {
        HostType::NicheSpecialist => 1 + usize::from(g.random_bool(0.3)),
        HostType::HighVolume => g.random_range(3..=4),
        _ => g.random_range(1..=3),
    };
    let mut out = Vec::with_capacity(4);
    out.push(primary);
    let mut tries = 0;
    while out.len() < count && tries < 20 {
        tries += 1;
        let candidate = if g.random_bool(0.7) {
            niche(pick(g, primary.related)).unwrap_or(&NICHES[0])
        } else {
            pick_weighted(g, NICHES, |n| n.weight)
        };
        if !out.iter().any(|n| n.key == candidate.key) {
            out.push(candidate);
        }
    }
    out
}

fn push_unique<'a>(list: &mut Vec<&'a str>, s: &'a str) {
    if !list.contains(&s) {
        list.push(s);
    }
}

#[cfg(test)]
#[path = "generated_tests.rs"]
mod tests;
