//! Buying: who buys and when, the flash sales' attempts and stock, and the
//! quantities that give a profile its average order value.

use rand::Rng;

use livehire_domain::live::EventBody;

use super::draw::{exp, poisson};
use super::generator::{Generator, Viewer};
use super::{AttemptOutcome, FlashAttempt, FlashSalePlan};
use super::{
    FLASH_MINUTES, FLASH_PER_BUYER_LIMIT, FLASH_PRICE_RATIO, MAX_REGULAR_QUANTITY, RETRY_SHARE,
};

impl Generator<'_> {
    /// Buyers, their orders, and the flash sales with their attempts.
    ///
    /// Every random draw is made first ([`OrderDraws`]); quantities are then
    /// resolved for the `μ` that gives the profile's average order value, found
    /// by bisection on the resolved orders themselves.
    pub(super) fn orders(&mut self, viewers: &[Viewer], starts: &[i64]) -> Vec<FlashSalePlan> {
        let draws = self.draw_orders(viewers, starts);
        let rate = crate::hosts::cny_rate(self.opts.currency.code()).unwrap_or(1.0);
        let scale = 10f64.powi(self.opts.currency.minor_units() as i32);
        let p = self.profile;
        let profile_orders =
            f64::from(p.unique_viewers) * p.conversion_rate * p.orders_per_buyer.max(1.0);
        let aov = p.gmv_cny / profile_orders.max(1.0) * rate * scale;
        let value = |mu: f64| {
            let r = self.resolve(&draws, viewers, starts, mu);
            r.gmv_minor as f64 / (r.orders.len() as f64 + r.accepted as f64).max(1.0)
        };
        let mu = if value(0.0) >= aov {
            0.0
        } else {
            let (mut lo, mut hi) = (0.0f64, 30.0f64);
            for _ in 0..40 {
                let mid = (lo + hi) / 2.0;
                if value(mid) < aov {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            (lo + hi) / 2.0
        };
        let resolved = self.resolve(&draws, viewers, starts, mu);
        for (ts, viewer, product, quantity) in resolved.orders {
            let order_id = self.order_id();
            let p = &self.products[product];
            let body = EventBody::Order {
                order_id,
                viewer_id: viewers[viewer].id.clone(),
                product_id: p.id.clone(),
                quantity,
                amount_minor: p.price_minor * quantity as i64,
                currency: self.opts.currency.code().to_string(),
                flash_sale_id: None,
            };
            self.push(ts, body);
        }
        resolved.sales
    }

    /// The random part of buying: who buys, when, what, and the uniforms their
    /// quantities are read from.
    fn draw_orders(&mut self, viewers: &[Viewer], starts: &[i64]) -> OrderDraws {
        let p = self.profile;
        let flash_len = (FLASH_MINUTES * 60_000.0) as i64;
        let n_products = self.products.len();

        // Buyers: weighted by watch time, without replacement
        // (Efraimidis–Spirakis keys).
        let n_buyers =
            ((viewers.len() as f64 * p.conversion_rate).round() as usize).min(viewers.len());
        let mut keyed: Vec<(f64, usize)> = viewers
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let u = 1.0 - self.rng.random::<f64>();
                (u.ln() / v.watched().max(1) as f64, i)
            })
            .collect();
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut buyers: Vec<usize> = keyed[..n_buyers].iter().map(|&(_, i)| i).collect();
        buyers.sort_unstable();

        // The flash sales a buyer could order in: (sale, visit, lo, hi).
        let eligible = |v: &Viewer| -> Vec<(usize, usize, i64, i64)> {
            let mut out = Vec::new();
            for (b, &s) in starts.iter().enumerate() {
                for (vi, visit) in v.visits.iter().enumerate() {
                    let lo = s.max(visit.join + 1_000);
                    let hi = (s + flash_len).min(visit.leave - 2_000);
                    if hi - lo >= 5_000 {
                        out.push((b, vi, lo, hi));
                        break;
                    }
                }
            }
            out
        };
        let can_flash = buyers
            .iter()
            .filter(|&&b| !eligible(&viewers[b]).is_empty())
            .count();
        let flash_prob = if can_flash == 0 {
            0.0
        } else {
            (p.flash_share * buyers.len() as f64 / can_flash as f64).min(1.0)
        };

        let mut draws = OrderDraws::default();
        for &b in &buyers {
            let v = &viewers[b];
            let n_orders = 1 + poisson(&mut self.rng, p.orders_per_buyer - 1.0);
            for o in 0..n_orders {
                let options = if o == 0 { eligible(v) } else { Vec::new() };
                if !options.is_empty() && self.rng.random_bool(flash_prob) {
                    let (sale, visit, lo, hi) = options[self.rng.random_range(0..options.len())];
                    // Early in the countdown: the rush.
                    let mut ts = lo + exp(&mut self.rng, 60_000.0) as i64;
                    if ts >= hi {
                        ts = lo + self.rng.random_range(0..hi - lo);
                    }
                    let again = ts + 3_000 + self.rng.random_range(0..20_000);
                    let retry = (self.rng.random_bool(RETRY_SHARE) && again < hi).then_some(again);
                    let leave = v.visits[visit].leave;
                    let room = (leave - 1_000 - ts).max(1);
                    let fallback_ts = ts + (20_000 + exp(&mut self.rng, 60_000.0) as i64).min(room);
                    draws.flash.push(FlashDraw {
                        sale,
                        ts,
                        buyer: b,
                        u: self.rng.random(),
                        retry,
                        fallback_ts,
                        fallback_u: self.rng.random(),
                    });
                } else {
                    let (_, ts) = v.time_at(self.rng.random());
                    let product = self.rng.random_range(0..n_products);
                    draws.regular.push((ts, b, product, self.rng.random()));
                }
            }
        }
        draws.stock_factors = (0..starts.len())
            .map(|i| {
                if i % 2 == 0 {
                    self.rng.random_range(0.6..0.85)
                } else {
                    self.rng.random_range(1.05..1.3)
                }
            })
            .collect();
        draws
    }

    /// Quantities for `mu`, the sales' stock against demand, and the server's
    /// answers to the attempts in time order.
    fn resolve(&self, d: &OrderDraws, viewers: &[Viewer], starts: &[i64], mu: f64) -> Resolved {
        let n_products = self.products.len();
        let mut out = Resolved::default();
        for &(ts, b, product, u) in &d.regular {
            let q = quantity_at(u, mu, MAX_REGULAR_QUANTITY);
            out.gmv_minor += self.products[product].price_minor * q as i64;
            out.orders.push((ts, b, product, q));
        }
        for (si, &s) in starts.iter().enumerate() {
            let product = si % n_products;
            let price_minor = ((self.products[product].price_minor as f64 * FLASH_PRICE_RATIO)
                .round() as i64)
                .max(1);
            // (ts, buyer, quantity, first attempt?, draw)
            let mut mine: Vec<(i64, usize, u64, bool, usize)> = Vec::new();
            for (i, f) in d.flash.iter().enumerate().filter(|(_, f)| f.sale == si) {
                let q = quantity_at(f.u, mu, FLASH_PER_BUYER_LIMIT);
                mine.push((f.ts, f.buyer, q, true, i));
                if let Some(again) = f.retry {
                    mine.push((again, f.buyer, FLASH_PER_BUYER_LIMIT, false, i));
                }
            }
            mine.sort_by_key(|a| (a.0, a.1, !a.3));
            let demand: u64 = mine.iter().filter(|a| a.3).map(|a| a.2).sum();
            let stock = ((demand as f64 * d.stock_factors[si]).round() as u64).max(1);
            let mut sold = 0u64;
            let mut bought: std::collections::HashMap<usize, u64> = Default::default();
            let mut attempts = Vec::with_capacity(mine.len());
            for &(ts, b, q, first, i) in &mine {
                let have = bought.get(&b).copied().unwrap_or(0);
                let outcome = if q > stock - sold {
                    AttemptOutcome::SoldOut
                } else if have + q > FLASH_PER_BUYER_LIMIT {
                    AttemptOutcome::LimitExceeded
                } else {
                    sold += q;
                    *bought.entry(b).or_default() += q;
                    out.accepted += 1;
                    out.gmv_minor += price_minor * q as i64;
                    AttemptOutcome::Accepted
                };
                if first && outcome == AttemptOutcome::SoldOut {
                    // Sold out: buys it at the regular price a little later.
                    let f = &d.flash[i];
                    let qr = quantity_at(f.fallback_u, mu, MAX_REGULAR_QUANTITY);
                    out.gmv_minor += self.products[product].price_minor * qr as i64;
                    out.orders.push((f.fallback_ts, b, product, qr));
                }
                attempts.push(FlashAttempt {
                    ts_ms: ts,
                    buyer_id: viewers[b].id.clone(),
                    quantity: q,
                    outcome,
                });
            }
            out.sales.push(FlashSalePlan {
                at_ms: s,
                duration_ms: (FLASH_MINUTES * 60_000.0) as i64,
                product_id: self.products[product].id.clone(),
                price_minor,
                stock,
                per_buyer_limit: FLASH_PER_BUYER_LIMIT,
                attempts,
            });
        }
        out
    }
}

/// A buyer's first order, placed in a flash sale.
struct FlashDraw {
    sale: usize,
    ts: i64,
    buyer: usize,
    /// Quantity uniform.
    u: f64,
    /// When the buyer tries again (and meets the per-buyer limit), if they do.
    retry: Option<i64>,
    /// If refused for stock: when they buy at the regular price…
    fallback_ts: i64,
    /// …and the quantity uniform.
    fallback_u: f64,
}

/// Everything random about buying, drawn before quantities are resolved.
#[derive(Default)]
struct OrderDraws {
    /// (ts, buyer, product, quantity uniform).
    regular: Vec<(i64, usize, usize, f64)>,
    flash: Vec<FlashDraw>,
    stock_factors: Vec<f64>,
}

/// Orders and sales for one `μ`.
#[derive(Default)]
struct Resolved {
    /// Regular orders: (ts, buyer, product, quantity).
    orders: Vec<(i64, usize, usize, u64)>,
    /// Accepted flash-sale orders.
    accepted: u64,
    gmv_minor: i64,
    sales: Vec<FlashSalePlan>,
}

/// `1 + k` for the smallest `k` with `P(Poisson(mu) ≤ k) ≥ u`, at most `cap`.
fn quantity_at(u: f64, mu: f64, cap: u64) -> u64 {
    let mut pmf = (-mu).exp();
    let mut cdf = pmf;
    let mut k = 0u64;
    while cdf < u && k + 1 < cap {
        k += 1;
        pmf *= mu / k as f64;
        cdf += pmf;
    }
    1 + k
}
