//! Simulated live sessions for `livehire simulate`: a pure, seeded generator of
//! a whole session's events, calibrated to the seed document's hosts.
//!
//! [`generate`] turns a [`Profile`] (the seed's case study 1 or one of its three
//! example hosts) and [`Options`] (length, seed, currency, the task's products)
//! into a [`SimSession`]: every native event of the session in time order, with
//! times in milliseconds from the session's start, and the flash sales to run
//! through the API, each with its buyers' order attempts and the outcome the
//! server will give each one when they are placed one after another.
//!
//! # The model
//!
//! - **Arrivals.** Each unique viewer first arrives at a time drawn from a
//!   density over the session: a bump `x^(0.7k) (1 − x)^k` (x the fraction of
//!   the session gone) over a floor, so concurrency ramps up, peaks around the
//!   middle and tails off; arrivals double while a flash sale runs. Drawing a
//!   fixed number of arrival times from a density is a Poisson process
//!   conditioned on its count. The first viewer is waiting when the stream opens
//!   (time 0).
//! - **Watching.** A visit lasts 10 s plus an exponential time (mean `w`),
//!   cut at the session's end, where everyone still watching leaves. A share of
//!   the viewers who leave come back once, after a minute plus an exponential
//!   gap (mean 8 minutes), for a shorter visit (mean `0.6 w`).
//! - **Calibration.** The bump's steepness `k` and `w` are solved (bisection on
//!   the expected concurrency curve, computed on a 10-second grid) so that the
//!   profile's own session gives its average watch time per unique viewer and
//!   its peak concurrency; a shorter or longer `--minutes` keeps `k`, `w` and the
//!   arrival rate.
//! - **Talk.** Chat messages, questions, likes, shares and gifts are Poisson
//!   counts per visit at per-viewer-minute rates (times a per-viewer activity
//!   drawn from an exponential of mean 1), so their rate follows concurrency; 60 %
//!   of questions are answered a minute or two later; a few viewers follow.
//! - **Buying.** `conversion × unique viewers` buyers are drawn without
//!   replacement with weight = their watch time; each places `1 + Poisson(orders
//!   per buyer − 1)` orders at times inside their visits. Quantities are
//!   `1 + Poisson(μ)` (read from uniforms drawn up front), `μ` solved by
//!   bisection on the resolved orders so the average order value is the
//!   profile's GMV ÷ orders at the products' prices (it cannot go below the
//!   prices themselves: one unit per order).
//! - **Flash sales.** About every `flash_every_minutes` (the first ten minutes
//!   in, as the seed's run-of-show advises) a five-minute sale of one product at
//!   80 % of its price starts. A share of buyers watching then place their first
//!   order in it instead, early in the countdown, so the order rate spikes.
//!   Stock is set against that demand: every other sale sells out (stock 60–85 %
//!   of the units asked for), the others do not (105–130 %). Some buyers try
//!   again straight after, and meet the per-buyer limit (or sold out). A buyer
//!   refused for stock buys the product at its regular price shortly after, so
//!   the conversion stays the profile's.
//!
//! Everything is drawn from one ChaCha8 stream seeded with [`Options::seed`]: the
//! same profile, options and seed give the same session.

mod buying;
mod calibrate;
mod clock;
mod draw;
mod generator;
mod options;
mod profiles;
mod sim_session;
#[cfg(test)]
mod tests;

pub use clock::{FAST_FACTOR, compress};
pub use generator::generate;
pub use options::{Options, SimProduct, products_from_task};
pub use profiles::{PROFILES, Profile, ProfileProduct, profile};
pub use sim_session::{AttemptOutcome, FlashAttempt, FlashSalePlan, Planned, SimSession};

// The model's constants, shared by the calibration and the generator.

const MINUTE_MS: i64 = 60_000;
/// Shortest visit.
const MIN_WATCH_MS: i64 = 10_000;
/// No one arrives (or comes back) in the session's last 30 seconds.
const LAST_ARRIVAL_MS: i64 = 30_000;
/// Return visits last this share of a first visit, on average.
const RETURN_WATCH_RATIO: f64 = 0.6;
/// A viewer comes back at least this long after leaving…
const RETURN_GAP_MIN_MS: i64 = 60_000;
/// …plus an exponential time of this mean.
const RETURN_GAP_MEAN_MS: f64 = 8.0 * 60_000.0;
/// Arrivals are multiplied by `1 + FLASH_ARRIVAL_BOOST` while a flash sale runs.
const FLASH_ARRIVAL_BOOST: f64 = 1.0;
/// A flash sale's price: this share of the product's.
const FLASH_PRICE_RATIO: f64 = 0.8;
/// A flash sale's countdown.
const FLASH_MINUTES: f64 = 5.0;
/// Units one buyer may take in a flash sale.
pub const FLASH_PER_BUYER_LIMIT: u64 = 3;
/// Largest regular order, in units.
const MAX_REGULAR_QUANTITY: u64 = 10;
/// Share of questions the host answers.
const ANSWERED_SHARE: f64 = 0.6;
/// Share of flash buyers who try again right after their first order.
const RETRY_SHARE: f64 = 0.15;
/// The product on show changes this often (between flash sales).
const PIN_EVERY_MINUTES: i64 = 15;
/// Calibration grid step.
const GRID_MS: i64 = 10_000;
