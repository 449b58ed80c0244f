//! Random draws for the host generator, all from the caller's seeded generator.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Uniform element of a non-empty static slice.
pub(super) fn pick<T: Copy>(g: &mut ChaCha8Rng, items: &[T]) -> T {
    items[g.random_range(0..items.len())]
}

/// Element of a non-empty slice, chosen with probability proportional to `weight`.
pub(super) fn pick_weighted<'a, T>(
    g: &mut ChaCha8Rng,
    items: &'a [T],
    weight: impl Fn(&T) -> u32,
) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut roll = g.random_range(0..total.max(1));
    for item in items {
        let w = weight(item);
        if roll < w {
            return item;
        }
        roll -= w;
    }
    &items[items.len() - 1]
}

pub(super) fn uniform(g: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * g.random::<f64>()
}

pub(super) fn log_uniform(g: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    uniform(g, lo.ln(), hi.ln()).exp()
}

/// Standard normal sample (Box–Muller).
pub(super) fn std_normal(g: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - g.random::<f64>(); // (0, 1]
    let u2 = g.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal sample with the given median and log-sd, redrawn (then clamped)
/// to stay within `[lo, hi]`.
pub(super) fn lognormal(g: &mut ChaCha8Rng, median: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    for _ in 0..8 {
        let x = median * (sigma * std_normal(g)).exp();
        if (lo..=hi).contains(&x) {
            return x;
        }
    }
    median
}
