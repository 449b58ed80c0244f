//! Demo data: the seed's three host profiles and a deterministic generator of
//! realistic synthetic hosts.
//!
//! * [`seed_hosts`] returns the three host profiles of the seed document
//!   ("TikTok Live Commerce Host Profiles", Examples 1–3) with every field kept
//!   exactly as written there, plus the search fields the seed leaves implicit
//!   (`skills`, `niches`, `tiktok_shop_verified`, `live_commerce_experience`,
//!   `time_zone`, and for Examples 2 and 3 `rating` / `completion_count`). The
//!   seed's Example 2 is not valid JSON (`hosting_specialties` is closed by `}`);
//!   only that bracket is repaired.
//! * [`generated_host`] builds profile number `index` of an unbounded synthetic
//!   population. The same index always gives byte-identical JSON: every random
//!   choice comes from a `ChaCha8Rng` seeded with the index, and word lists are
//!   static slices, so generating 100,000 hosts takes a fraction of a second.
//!
//! # How generated figures relate
//!
//! All money is first computed in CNY and then converted to the host's regional
//! currency with a fixed demo rate ([`cny_rate`]), so figures are comparable
//! across regions.
//!
//! * `followers`: log-normal, median ≈ 60k, truncated to 5,000–2,000,000.
//! * `avg_live_viewers`: 0.5 %–3 % of followers (log-uniform);
//!   `peak_concurrent_viewers`: 2–4 × the average.
//! * `avg_conversion_rate`: 0.01–0.12, 85 % of hosts in 0.03–0.08.
//! * `avg_gmv_per_session` = avg viewers × turnover × conversion × average order
//!   value, where turnover (unique viewers per concurrent slot) is session length
//!   ÷ average watch time clamped to 6–12, and the average order value is
//!   60–250 CNY depending on the host's main niche. The seed's hosts fit the same
//!   relation (Chen: 2,500 × 0.065 × ≈523 = 85,000).
//! * `compensation_range.min` is 2 %–4 % of average GMV (at least 300 CNY),
//!   `max` is 3–6 × `min`.
//! * About 70 % of hosts have `live_commerce_experience`; about 75 % of those are
//!   `tiktok_shop_verified`. Hosts without live-commerce experience have never
//!   sold live: `avg_gmv_per_session`, `avg_conversion_rate` and
//!   `total_sessions_hosted` are 0 (they still stream, so viewer, watch-time and
//!   repeat-viewer figures are filled).
//! * About half the hosts are in `Asia/Shanghai` and priced in CNY; the rest are
//!   spread over South-East Asia, the UK and the US with their own currencies.

mod draw;
mod format;
mod generated;
mod seed;
mod tables;

pub use generated::{cny_rate, generated_host};
pub use seed::seed_hosts;
