//! Generated hosts: deterministic, unique, in the seed's shape, with plausible
//! distributions, and fast.

use super::*;

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

fn pearson(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let cov: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let vx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let vy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
    cov / (vx.sqrt() * vy.sqrt())
}

const N: u64 = 2_000;

fn population() -> Vec<Value> {
    (0..N).map(generated_host).collect()
}

#[test]
fn generated_host_is_deterministic() {
    for i in [0, 1, 7, 42, 123_456, u64::MAX] {
        let a = serde_json::to_string(&generated_host(i)).unwrap();
        let b = serde_json::to_string(&generated_host(i)).unwrap();
        assert_eq!(a, b);
    }
    assert_ne!(generated_host(1), generated_host(2));
    assert_eq!(generated_host(42)["human_id"], "ph_profile_gen_000042");
    assert_eq!(
        generated_host(1_234_567)["human_id"],
        "ph_profile_gen_1234567"
    );
}

#[test]
fn generated_hosts_have_unique_ids_and_handles() {
    let hosts = population();
    let ids: std::collections::HashSet<_> = hosts
        .iter()
        .map(|h| h["human_id"].as_str().unwrap().to_owned())
        .collect();
    let handles: std::collections::HashSet<_> = hosts
        .iter()
        .map(|h| h["tiktok_handle"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), hosts.len());
    assert_eq!(handles.len(), hosts.len());
    for h in &hosts {
        assert!(h["tiktok_handle"].as_str().unwrap().starts_with('@'));
        assert!(h["tiktok_handle"].as_str().unwrap().len() <= 24);
    }
    let names: std::collections::HashSet<_> = hosts
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.len() > 500, "only {} distinct names", names.len());
}

#[test]
fn generated_hosts_have_the_profile_shape() {
    const ALLOWED_NICHES: &[&str] = &[
        "beauty",
        "skincare",
        "fashion",
        "electronics",
        "home_goods",
        "food",
        "tech",
        "smart_home",
        "gadgets",
        "consumer_goods",
        "daily_necessities",
        "jewelry",
        "fitness",
        "baby",
        "pets",
        "outdoor",
    ];
    const HOST_TYPES: &[&str] = &[
        "professional_live_seller",
        "niche_specialist",
        "high_volume_seller",
        "rising_creator",
        "brand_ambassador",
    ];
    for h in population() {
        for key in [
            "human_id",
            "name",
            "avatar_url",
            "platform",
            "tiktok_handle",
            "rating",
            "completion_count",
            "host_type",
            "compensation_range",
            "follower_stats",
            "live_commerce_metrics",
            "product_expertise",
            "hosting_specialties",
            "technical_setup",
            "badges",
            "bio",
            "skills",
            "niches",
            "tiktok_shop_verified",
            "live_commerce_experience",
            "time_zone",
        ] {
            assert!(h.get(key).is_some(), "missing {key}");
        }
        assert_eq!(h["platform"], "tiktok");
        assert!(HOST_TYPES.contains(&h["host_type"].as_str().unwrap()));
        let rating = num(&h["rating"]);
        assert!((3.5..=5.0).contains(&rating));
        assert!(h["rating"].to_string().len() <= 3, "{}", h["rating"]);

        let niches = h["niches"].as_array().unwrap();
        assert!((1..=4).contains(&niches.len()));
        for n in niches {
            assert!(ALLOWED_NICHES.contains(&n.as_str().unwrap()), "{n}");
        }
        let skills = h["skills"].as_array().unwrap();
        for s in skills {
            assert!(SKILLS.contains(&s.as_str().unwrap()));
        }
        let spec = h["hosting_specialties"].as_array().unwrap();
        assert!((3..=5).contains(&spec.len()), "{spec:?}");
        let exp = h["product_expertise"].as_array().unwrap();
        assert!((1..=5).contains(&exp.len()), "{exp:?}");

        let tz = h["time_zone"].as_str().unwrap();
        assert!(tz.parse::<chrono_tz::Tz>().is_ok(), "{tz}");
        let cur = h["compensation_range"]["currency"].as_str().unwrap();
        assert!(iso_currency::Currency::from_code(cur).is_some(), "{cur}");

        let experienced = h["live_commerce_experience"].as_bool().unwrap();
        let verified = h["tiktok_shop_verified"].as_bool().unwrap();
        assert!(experienced || !verified);
        assert_eq!(
            h["badges"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b == "tiktok_shop_verified"),
            verified
        );
        let m = &h["live_commerce_metrics"];
        let conv = num(&m["avg_conversion_rate"]);
        if experienced {
            assert!((0.01..=0.12).contains(&conv), "{conv}");
            assert!(m["total_sessions_hosted"].as_u64().unwrap() > 0);
            assert!(m["avg_gmv_per_session"].as_u64().unwrap() > 0);
        } else {
            assert_eq!(conv, 0.0);
            assert_eq!(m["total_sessions_hosted"], 0);
            assert_eq!(m["avg_gmv_per_session"], 0);
        }
        let f = &h["follower_stats"];
        let followers = num(&f["followers"]);
        let avg = num(&f["avg_live_viewers"]);
        let peak = num(&f["peak_concurrent_viewers"]);
        assert!((5_000.0..=2_000_000.0).contains(&followers));
        let share = avg / followers;
        assert!((0.0035..=0.035).contains(&share), "{share}");
        assert!((1.8..=4.3).contains(&(peak / avg)), "{}", peak / avg);

        let c = &h["compensation_range"];
        let rate = cny_rate(cur).unwrap();
        let (min, max) = (num(&c["min"]), num(&c["max"]));
        assert!(min / rate >= 280.0, "{min} {cur}");
        assert!((2.8..=6.5).contains(&(max / min)), "{min} {max}");
        if experienced {
            let gmv = num(&m["avg_gmv_per_session"]);
            let pct = min / gmv;
            // At least 300 CNY, else 2–4 % of GMV (rounded to 2 figures).
            assert!(
                min / rate <= 340.0 || (0.018..=0.045).contains(&pct),
                "{pct}"
            );
        }
        let bio = h["bio"].as_str().unwrap();
        assert!(bio.contains("followers"), "{bio}");
        let label = niche(niches[0].as_str().unwrap()).unwrap().label;
        assert!(bio.contains(label), "{bio} / {label}");
    }
}

#[test]
fn generated_distributions_are_plausible() {
    let hosts = population();
    let n = hosts.len() as f64;
    let followers: Vec<f64> = hosts
        .iter()
        .map(|h| num(&h["follower_stats"]["followers"]))
        .collect();
    let med = median(followers.clone());
    assert!(
        (40_000.0..=90_000.0).contains(&med),
        "median followers {med}"
    );

    let exp: Vec<&Value> = hosts
        .iter()
        .filter(|h| h["live_commerce_experience"] == true)
        .collect();
    let exp_share = exp.len() as f64 / n;
    assert!((0.65..=0.75).contains(&exp_share), "{exp_share}");
    let verified_share = exp
        .iter()
        .filter(|h| h["tiktok_shop_verified"] == true)
        .count() as f64
        / exp.len() as f64;
    assert!((0.70..=0.80).contains(&verified_share), "{verified_share}");

    let cny_share = hosts
        .iter()
        .filter(|h| h["compensation_range"]["currency"] == "CNY")
        .count() as f64
        / n;
    assert_eq!(cny_share, 1.0, "every demo market quotes in CNY");
    let ls_share = hosts
        .iter()
        .filter(|h| {
            h["skills"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "live_streaming")
        })
        .count() as f64
        / n;
    assert!((0.86..=0.94).contains(&ls_share), "{ls_share}");

    let convs: Vec<f64> = exp
        .iter()
        .map(|h| num(&h["live_commerce_metrics"]["avg_conversion_rate"]))
        .collect();
    let mid =
        convs.iter().filter(|c| (0.03..=0.08).contains(*c)).count() as f64 / convs.len() as f64;
    assert!(mid >= 0.75, "{mid}");

    // GMV ≈ viewers × turnover (6–12) × conversion × order value (60–250 CNY).
    let mut x = Vec::new();
    let mut y = Vec::new();
    for h in &exp {
        let rate = cny_rate(h["compensation_range"]["currency"].as_str().unwrap()).unwrap();
        let gmv = num(&h["live_commerce_metrics"]["avg_gmv_per_session"]) / rate;
        let viewers = num(&h["follower_stats"]["avg_live_viewers"]);
        let conv = num(&h["live_commerce_metrics"]["avg_conversion_rate"]);
        let ratio = gmv / (viewers * conv);
        assert!(
            (6.0 * 60.0 * 0.9..=12.0 * 250.0 * 1.1).contains(&ratio),
            "{ratio}"
        );
        x.push((viewers * conv).ln());
        y.push(gmv.ln());
    }
    let r = pearson(&x, &y);
    assert!(r > 0.85, "log-correlation {r}");

    // Summary for the record (`cargo test -- --nocapture`).
    let mut sorted = followers.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let q = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p) as usize];
    let mut gmvs: Vec<f64> = exp
        .iter()
        .filter(|h| h["compensation_range"]["currency"] == "CNY")
        .map(|h| num(&h["live_commerce_metrics"]["avg_gmv_per_session"]))
        .collect();
    gmvs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mut cs = convs.clone();
    cs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "followers p5/p25/p50/p75/p95/max: {:.0}/{:.0}/{:.0}/{:.0}/{:.0}/{:.0}",
        q(&sorted, 0.05),
        q(&sorted, 0.25),
        q(&sorted, 0.5),
        q(&sorted, 0.75),
        q(&sorted, 0.95),
        q(&sorted, 1.0)
    );
    println!(
        "CNY GMV/session p5/p25/p50/p75/p95/max: {:.0}/{:.0}/{:.0}/{:.0}/{:.0}/{:.0}",
        q(&gmvs, 0.05),
        q(&gmvs, 0.25),
        q(&gmvs, 0.5),
        q(&gmvs, 0.75),
        q(&gmvs, 0.95),
        q(&gmvs, 1.0)
    );
    println!(
        "conversion p5/p50/p95: {}/{}/{}; share in 0.03-0.08: {mid:.2}",
        q(&cs, 0.05),
        q(&cs, 0.5),
        q(&cs, 0.95)
    );
    println!(
        "experienced {exp_share:.3}, verified|experienced {verified_share:.3}, CNY {cny_share:.3}, live_streaming {ls_share:.3}, log-corr(GMV, viewers*conv) {r:.3}"
    );
    let mut types = std::collections::BTreeMap::new();
    let mut zones = std::collections::BTreeMap::new();
    for h in &hosts {
        *types
            .entry(h["host_type"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
        *zones
            .entry(h["time_zone"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    println!("host types: {types:?}");
    println!("time zones: {zones:?}");
    println!(
        "example: {}",
        serde_json::to_string_pretty(&generated_host(7)).unwrap()
    );
}

#[test]
fn generation_is_fast() {
    let start = std::time::Instant::now();
    let total: usize = (0..20_000u64)
        .map(|i| generated_host(i).as_object().map_or(0, Map::len))
        .sum();
    let elapsed = start.elapsed();
    assert!(total > 0);
    println!("20,000 hosts in {elapsed:?}");
    // Generous for debug builds; release is far faster.
    assert!(elapsed.as_secs_f64() < 20.0, "{elapsed:?}");
}
