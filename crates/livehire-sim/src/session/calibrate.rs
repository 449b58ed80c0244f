//! The arrival density and its calibration: the bump's steepness `k` and the
//! mean visit `w` that give a profile its average watch time and peak, and the
//! flash sales' start times.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::Profile;
use super::{FLASH_ARRIVAL_BOOST, FLASH_MINUTES, GRID_MS, LAST_ARRIVAL_MS, MINUTE_MS};
use super::{RETURN_GAP_MEAN_MS, RETURN_GAP_MIN_MS, RETURN_WATCH_RATIO};

/// The arrival density's shape on a grid of [`GRID_MS`] steps.
pub(super) fn arrival_weights(duration_ms: i64, k: f64, bursts: &[(i64, i64)]) -> Vec<f64> {
    let steps = ((duration_ms + GRID_MS - 1) / GRID_MS).max(1) as usize;
    let (a, b) = (0.7 * k, k);
    // The bump's maximum, so the floor is relative to it.
    let mode = if a + b > 0.0 { a / (a + b) } else { 0.5 };
    let bump_max = mode.powf(a) * (1.0 - mode).powf(b);
    (0..steps)
        .map(|i| {
            let mid = i as i64 * GRID_MS + GRID_MS / 2;
            if mid > duration_ms - LAST_ARRIVAL_MS {
                return 0.0;
            }
            let x = mid as f64 / duration_ms as f64;
            let bump = x.powf(a) * (1.0 - x).powf(b) / bump_max;
            let boost = if bursts.iter().any(|&(s, l)| mid >= s && mid < s + l) {
                1.0 + FLASH_ARRIVAL_BOOST
            } else {
                1.0
            };
            (0.06 + bump) * boost
        })
        .collect()
}

/// Expected (average watch time per viewer in ms, peak concurrency per
/// viewer) for arrival shape `k` and mean visit `w_ms`.
fn expected_curve(weights: &[f64], duration_ms: i64, w_ms: f64, return_rate: f64) -> (f64, f64) {
    let total: f64 = weights.iter().sum();
    let dt = GRID_MS as f64;
    let w2 = w_ms * RETURN_WATCH_RATIO;
    let (s1, s2) = ((-dt / w_ms).exp(), (-dt / w2).exp());
    let (h1, h2) = (w_ms / dt * (1.0 - s1), w2 / dt * (1.0 - s2));
    let sg = (-dt / RETURN_GAP_MEAN_MS).exp();
    let delay = (RETURN_GAP_MIN_MS / GRID_MS) as usize;
    let mut line = vec![0.0; delay.max(1)];
    let last_arrival_step = ((duration_ms - LAST_ARRIVAL_MS).max(0) / GRID_MS) as usize;
    let (mut c1, mut c2, mut pool) = (0.0f64, 0.0f64, 0.0f64);
    let (mut area, mut peak) = (0.0f64, 0.0f64);
    for (i, wgt) in weights.iter().enumerate() {
        let step = (duration_ms - i as i64 * GRID_MS).min(GRID_MS) as f64 / dt;
        let arrive1 = wgt / total;
        let released = pool * (1.0 - sg);
        let slot = i % line.len();
        pool = pool * sg + line[slot];
        let arrive2 = if i < last_arrival_step { released } else { 0.0 };
        let leave1 = c1 * (1.0 - s1) + arrive1 * (1.0 - h1);
        area += step * (c1 * w_ms * (1.0 - s1) + arrive1 * w_ms * (1.0 - h1));
        area += step * (c2 * w2 * (1.0 - s2) + arrive2 * w2 * (1.0 - h2));
        c1 = c1 * s1 + arrive1 * h1;
        c2 = c2 * s2 + arrive2 * h2;
        line[slot] = leave1 * return_rate;
        peak = peak.max(c1 + c2);
    }
    (area, peak)
}

/// Solves (k, w) for a profile: its average watch time and peak at its own
/// length, with flash sales at their nominal times.
pub(super) fn calibrate(profile: &Profile) -> (f64, f64) {
    let duration_ms = i64::from(profile.minutes) * MINUTE_MS;
    let nominal: Vec<(i64, i64)> = burst_starts(duration_ms, profile.flash_every_minutes, None)
        .into_iter()
        .map(|s| (s, (FLASH_MINUTES * 60_000.0) as i64))
        .collect();
    let target_watch = profile.avg_watch_minutes * 60_000.0;
    // The realised peak is the maximum of a noisy curve: aim a little lower.
    let peak = f64::from(profile.peak_viewers);
    let target_peak = (peak - 1.5 * peak.sqrt()) / f64::from(profile.unique_viewers);
    let solve_w = |weights: &[f64]| {
        let (mut lo, mut hi) = (20_000.0f64, 2_000.0 * 60_000.0);
        for _ in 0..48 {
            let mid = (lo * hi).sqrt();
            if expected_curve(weights, duration_ms, mid, profile.return_rate).0 < target_watch {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo * hi).sqrt()
    };
    let (mut lo, mut hi) = (0.0f64, 40.0f64);
    for _ in 0..40 {
        let k = (lo + hi) / 2.0;
        let weights = arrival_weights(duration_ms, k, &nominal);
        let w = solve_w(&weights);
        if expected_curve(&weights, duration_ms, w, profile.return_rate).1 < target_peak {
            lo = k;
        } else {
            hi = k;
        }
    }
    let k = (lo + hi) / 2.0;
    let w = solve_w(&arrival_weights(duration_ms, k, &nominal));
    (k, w)
}

/// Flash-sale start times: ten minutes in, then every `every` minutes (×
/// 0.85–1.05 when jittered), each ending two minutes before the session does.
pub(super) fn burst_starts(
    duration_ms: i64,
    every: f64,
    mut rng: Option<&mut ChaCha8Rng>,
) -> Vec<i64> {
    let len = (FLASH_MINUTES * 60_000.0) as i64;
    let mut out = Vec::new();
    let first = match rng.as_deref_mut() {
        Some(r) => 10.0 + r.random_range(-1.5..1.5),
        None => 10.0,
    };
    let mut s = (first * 60_000.0) as i64;
    while s + len <= duration_ms - 2 * MINUTE_MS {
        out.push(s);
        let gap = match rng.as_deref_mut() {
            Some(r) => every * r.random_range(0.85..1.05),
            None => every,
        };
        s += (gap * 60_000.0) as i64;
    }
    out
}
