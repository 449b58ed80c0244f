//! The generator: viewers and their visits, what they say and do while
//! watching, and the product on show. Buying is in [`buying`](super::buying).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use livehire_domain::live::{EventBody, LiveEvent};

use super::calibrate::{arrival_weights, burst_starts, calibrate};
use super::draw::{exp, poisson};
use super::{ANSWERED_SHARE, FLASH_MINUTES, GRID_MS, LAST_ARRIVAL_MS, MIN_WATCH_MS, MINUTE_MS};
use super::{Options, PIN_EVERY_MINUTES, Profile, SimSession};
use super::{RETURN_GAP_MEAN_MS, RETURN_GAP_MIN_MS, RETURN_WATCH_RATIO};

/// Generates a session. Pure: the same arguments give the same session.
pub fn generate(profile: &Profile, opts: &Options) -> SimSession {
    Generator::new(profile, opts).run()
}

const CHAT_LINES: &[&str] = &[
    "❤️❤️❤️",
    "hi from Shanghai!",
    "主播好美",
    "6666",
    "link please",
    "just ordered!",
    "已下单 🛒",
    "waiting for the flash sale",
    "love the texture",
    "can you show it again?",
    "so excited for this",
    "first time here 👋",
    "买了两瓶",
    "the colour is gorgeous",
    "any more discount codes?",
];

const QUESTION_LINES: &[&str] = &[
    "Is the {p} OK for sensitive skin?",
    "How long does shipping take?",
    "Can I use the {p} every day?",
    "{p}敏感肌可以用吗？",
    "Is there a bundle price?",
    "What's the shelf life of the {p}?",
    "Does the {p} come in a bigger size?",
    "Will the flash price come back?",
    "保质期多久？",
    "Is the {p} fragrance-free?",
];

const GIFT_VALUES: &[u64] = &[1, 1, 1, 5, 5, 10, 30, 99, 199];

pub(super) struct Visit {
    pub(super) join: i64,
    pub(super) leave: i64,
}

pub(super) struct Viewer {
    pub(super) id: String,
    pub(super) visits: Vec<Visit>,
    activity: f64,
}

impl Viewer {
    pub(super) fn watched(&self) -> i64 {
        self.visits.iter().map(|v| v.leave - v.join).sum()
    }

    /// A time inside the visits, `t`-th of the watched time (0 ≤ t < 1), kept
    /// at least 5 s after a join and 2 s before a leave where the visit allows.
    pub(super) fn time_at(&self, t: f64) -> (usize, i64) {
        let total = self.watched() as f64;
        let mut at = t * total;
        for (i, v) in self.visits.iter().enumerate() {
            let len = (v.leave - v.join) as f64;
            if at < len || i + 1 == self.visits.len() {
                let (lo, hi) = inner(v);
                let ts = (v.join + at as i64).clamp(lo, hi);
                return (i, ts);
            }
            at -= len;
        }
        (0, self.visits[0].join)
    }
}

/// The part of a visit orders are placed in.
fn inner(v: &Visit) -> (i64, i64) {
    let lo = v.join + 5_000;
    let hi = v.leave - 2_000;
    if lo <= hi {
        (lo, hi)
    } else {
        let mid = v.join + (v.leave - v.join) / 2;
        (mid, mid)
    }
}

pub(super) struct Product {
    pub(super) id: String,
    name: String,
    pub(super) price_minor: i64,
}

pub(super) struct Generator<'a> {
    pub(super) profile: &'a Profile,
    pub(super) opts: &'a Options,
    pub(super) rng: ChaCha8Rng,
    duration_ms: i64,
    pub(super) products: Vec<Product>,
    events: Vec<LiveEvent>,
    next_order: u64,
    next_msg: u64,
}

impl<'a> Generator<'a> {
    fn new(profile: &'a Profile, opts: &'a Options) -> Self {
        let rate = crate::hosts::cny_rate(opts.currency.code()).unwrap_or(1.0);
        let scale = 10f64.powi(opts.currency.minor_units() as i32);
        let profile_price = |i: usize| {
            ((profile.products[i % profile.products.len()].price_cny * rate * scale).round() as i64)
                .max(1)
        };
        let products: Vec<Product> = if opts.products.is_empty() {
            profile
                .products
                .iter()
                .enumerate()
                .map(|(i, p)| Product {
                    id: p.product_id.to_string(),
                    name: p.name.to_string(),
                    price_minor: profile_price(i),
                })
                .collect()
        } else {
            opts.products
                .iter()
                .enumerate()
                .map(|(i, p)| Product {
                    id: p.product_id.clone(),
                    name: p.name.clone().unwrap_or_else(|| {
                        profile.products[i % profile.products.len()].name.into()
                    }),
                    price_minor: p.price_minor.unwrap_or_else(|| profile_price(i)),
                })
                .collect()
        };
        Generator {
            profile,
            opts,
            rng: ChaCha8Rng::seed_from_u64(opts.seed),
            duration_ms: i64::from(opts.minutes.max(1)) * MINUTE_MS,
            products,
            events: Vec::new(),
            next_order: 0,
            next_msg: 0,
        }
    }

    pub(super) fn push(&mut self, ts_ms: i64, body: EventBody) {
        self.events.push(LiveEvent { ts_ms, body });
    }

    pub(super) fn order_id(&mut self) -> String {
        self.next_order += 1;
        format!("sim-o{:06}", self.next_order)
    }

    fn msg_id(&mut self, prefix: char) -> String {
        self.next_msg += 1;
        format!("sim-{prefix}{:06}", self.next_msg)
    }

    fn run(mut self) -> SimSession {
        let profile = self.profile;
        let t_end = self.duration_ms;
        let (k, w) = calibrate(profile);
        let flash_len = (FLASH_MINUTES * 60_000.0) as i64;
        let starts = burst_starts(t_end, profile.flash_every_minutes, Some(&mut self.rng));
        let bursts: Vec<(i64, i64)> = starts.iter().map(|&s| (s, flash_len)).collect();

        // Arrivals: inverse CDF of the density on its grid.
        let weights = arrival_weights(t_end, k, &bursts);
        let total: f64 = weights.iter().sum();
        let mut cdf = Vec::with_capacity(weights.len());
        let mut acc = 0.0;
        for w in &weights {
            acc += w / total;
            cdf.push(acc);
        }
        let n_viewers = ((f64::from(profile.unique_viewers) * f64::from(self.opts.minutes.max(1))
            / f64::from(profile.minutes))
        .round() as usize)
            .max(1);
        let mut viewers = Vec::with_capacity(n_viewers);
        for n in 0..n_viewers {
            let join = if n == 0 {
                0
            } else {
                let u: f64 = self.rng.random();
                let i = cdf.partition_point(|&c| c <= u).min(cdf.len() - 1);
                let frac: f64 = self.rng.random();
                ((i as f64 + frac) * GRID_MS as f64) as i64
            }
            .min(t_end - LAST_ARRIVAL_MS)
            .max(0);
            let watch = MIN_WATCH_MS + exp(&mut self.rng, w - MIN_WATCH_MS as f64) as i64;
            let leave = (join + watch).min(t_end);
            let mut visits = vec![Visit { join, leave }];
            if leave < t_end && self.rng.random_bool(profile.return_rate) {
                let back =
                    leave + RETURN_GAP_MIN_MS + exp(&mut self.rng, RETURN_GAP_MEAN_MS) as i64;
                let watch2 = MIN_WATCH_MS
                    + exp(&mut self.rng, w * RETURN_WATCH_RATIO - MIN_WATCH_MS as f64) as i64;
                if back < t_end - LAST_ARRIVAL_MS {
                    visits.push(Visit {
                        join: back,
                        leave: (back + watch2).min(t_end),
                    });
                }
            }
            let activity = exp(&mut self.rng, 1.0);
            viewers.push(Viewer {
                id: format!("v{:06}", n + 1),
                visits,
                activity,
            });
        }

        for v in &viewers {
            self.viewer_events(v);
        }
        self.pins(&starts);
        let flash_sales = self.orders(&viewers, &starts);

        self.events.sort_by_key(|e| e.ts_ms);
        SimSession {
            profile: profile.name,
            seed: self.opts.seed,
            currency: self.opts.currency,
            duration_ms: t_end,
            events: self.events,
            flash_sales,
        }
    }

    /// Joins, leaves and what a viewer says and does while watching.
    fn viewer_events(&mut self, v: &Viewer) {
        let p = self.profile;
        let t_end = self.duration_ms;
        for (i, visit) in v.visits.iter().enumerate() {
            let (join, leave) = (visit.join, visit.leave);
            let span = (leave - join) as f64;
            let minutes = span / 60_000.0;
            let within = |g: &mut Self| join + (g.rng.random::<f64>() * span) as i64;
            self.push(
                join,
                EventBody::ViewerJoin {
                    viewer_id: v.id.clone(),
                },
            );
            for _ in 0..poisson(&mut self.rng, p.chat_rate * minutes * v.activity) {
                let ts = within(self);
                let text = CHAT_LINES[self.rng.random_range(0..CHAT_LINES.len())].to_string();
                let msg_id = Some(self.msg_id('c'));
                self.push(
                    ts,
                    EventBody::Chat {
                        viewer_id: v.id.clone(),
                        text,
                        msg_id,
                    },
                );
            }
            for _ in 0..poisson(&mut self.rng, p.question_rate * minutes * v.activity) {
                let ts = within(self);
                let line = QUESTION_LINES[self.rng.random_range(0..QUESTION_LINES.len())];
                let product = &self.products[self.rng.random_range(0..self.products.len())];
                let text = line.replace("{p}", &product.name);
                let msg_id = self.msg_id('q');
                self.push(
                    ts,
                    EventBody::Question {
                        viewer_id: v.id.clone(),
                        text,
                        msg_id: Some(msg_id.clone()),
                    },
                );
                if self.rng.random_bool(ANSWERED_SHARE) {
                    let at = ts + 20_000 + exp(&mut self.rng, 90_000.0) as i64;
                    if at < t_end {
                        self.push(
                            at,
                            EventBody::QuestionAnswered {
                                msg_id: Some(msg_id),
                                viewer_id: Some(v.id.clone()),
                            },
                        );
                    }
                }
            }
            for _ in 0..poisson(&mut self.rng, p.like_rate * minutes * v.activity) {
                let ts = within(self);
                let count = 1 + exp(&mut self.rng, 6.0) as u64;
                self.push(
                    ts,
                    EventBody::Like {
                        viewer_id: v.id.clone(),
                        count,
                    },
                );
            }
            for _ in 0..poisson(&mut self.rng, p.share_rate * minutes) {
                let ts = within(self);
                self.push(
                    ts,
                    EventBody::Share {
                        viewer_id: v.id.clone(),
                    },
                );
            }
            for _ in 0..poisson(&mut self.rng, p.gift_rate * minutes * v.activity) {
                let ts = within(self);
                let value = GIFT_VALUES[self.rng.random_range(0..GIFT_VALUES.len())];
                self.push(
                    ts,
                    EventBody::Gift {
                        viewer_id: v.id.clone(),
                        value,
                    },
                );
            }
            if i == 0 && self.rng.random_bool(p.follow_share) {
                let ts = within(self);
                self.push(
                    ts,
                    EventBody::Follow {
                        viewer_id: v.id.clone(),
                    },
                );
            }
            self.push(
                leave,
                EventBody::ViewerLeave {
                    viewer_id: v.id.clone(),
                },
            );
        }
    }

    /// The product on show: rotated every 15 minutes, and the sale's product
    /// when a flash sale starts.
    fn pins(&mut self, starts: &[i64]) {
        let n = self.products.len();
        let mut t = 0;
        let mut i = 0;
        while t < self.duration_ms {
            let id = self.products[i % n].id.clone();
            self.push(t, EventBody::ProductPin { product_id: id });
            t += PIN_EVERY_MINUTES * MINUTE_MS;
            i += 1;
        }
        for (b, &s) in starts.iter().enumerate() {
            let id = self.products[b % n].id.clone();
            self.push(s, EventBody::ProductPin { product_id: id });
        }
    }
}
