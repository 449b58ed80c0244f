//! Run-of-show: a proposed minute-by-minute plan for each live session of a task
//! (SPEC §3, `POST /api/v1/tasks/{id}/run-of-show`), the check an agent's edited
//! plan must pass, and where a live session stands against its plan.
//!
//! The plan follows the seed's "During Live Session: Engagement Tactics":
//! - **Opening**, minutes 0–10: welcome, overview of the session plan, and the
//!   first flash sale (or spotlight, below) announced (its product and minute).
//! - **Product segments** of 8–12 minutes rotating through *every* product of the
//!   task. When there are more products than segments, a segment presents several
//!   products, so each session still shows every product at least once.
//! - **Flash sales** starting every 20–30 minutes. Each lasts its product's
//!   `flash_sale_duration_minutes` (5 when unset, at most 20 so the rotation keeps
//!   its pace); flash sales rotate through the products on their own.
//!
//!   A flash sale needs a live price below the product's usual one: a product
//!   takes part only when the task gives it a `live_discount_price` below its
//!   `retail_price`, or a `launch_discount` above 0% (its live price is then the
//!   retail price less the discount). When no product of the task has one, the
//!   same slots become **spotlights** (`kind: "spotlight"`): a short segment
//!   recapping one product at its listed price, which never calls itself a flash
//!   sale and says that a flash sale needs a live price. Placeholder products
//!   (below) have no price, so their plans hold spotlights.
//! - **Closing**, the last 10 minutes: the final flash sale or spotlight (the
//!   closing's start counts as one when spacing them), a recap of the session, and
//!   a teaser of the next session — or, for the task's last session, a thank-you
//!   and a call to follow.
//!
//! Segments are contiguous from minute 0 to the session's duration. The planner
//! picks the number of flash sales and the lead-in before the first one by a small
//! search that keeps flash-sale spacing within 20–30 minutes first, product segments
//! within 8–12 minutes second, and then prefers 25-minute spacing, 10-minute
//! segments and a first flash sale 10 minutes after the opening.
//!
//! **Short sessions.** The opening and closing are 10 minutes from 40 minutes up
//! (at 40 the middle still holds two 10-minute product segments). Below that they
//! shrink to a quarter of the session each (a 30-minute session: 7 + 16 + 7), and a
//! session under 3 minutes is a single product segment.
//!
//! **Products.** The task's `products` are used, rotating across the sessions of a
//! series: a session starts with the product after the last one the previous
//! session presented. A task without a product list gets numbered placeholders
//! (`product_1`, "Product 1", …): `products_count` of them when the task gives one
//! (see [`products_count`]; at most [`MAX_PLACEHOLDER_PRODUCTS`]), else one per
//! product segment. Placeholders restart at 1 in every session, since a series that
//! only counts its products (Workflow 2's "10-12 items" per weekly theme) sells a
//! different set each time.

use std::ops::RangeInclusive;

mod edit;
mod inputs;
mod plan;
mod planner;
mod progress;
mod rhythm;
#[cfg(test)]
mod test_tasks;
mod wording;

pub use edit::validate;
pub use plan::{RunOfShow, Segment, SegmentKind, SessionPlanOfShow};
pub use planner::{products_count, propose};
pub use progress::position;
pub use rhythm::{advice, flash_sale_starts, offer_starts};

/// Length of the opening in sessions of 40 minutes or more.
pub const OPENING_MINUTES: u32 = 10;
/// Length of the closing in sessions of 40 minutes or more.
pub const CLOSING_MINUTES: u32 = 10;
/// A flash sale's length when its product names none.
pub const DEFAULT_FLASH_SALE_MINUTES: u32 = 5;
/// The longest flash-sale segment the planner makes.
pub const MAX_FLASH_SALE_MINUTES: u32 = 20;
/// Minutes between the starts of consecutive flash sales.
pub const FLASH_SALE_SPACING: RangeInclusive<u32> = 20..=30;
/// Length of a product segment.
pub const PRODUCT_SEGMENT_MINUTES: RangeInclusive<u32> = 8..=12;
/// At most this many placeholder products are planned.
pub const MAX_PLACEHOLDER_PRODUCTS: u32 = 100;
/// Longest segment title, in characters (proposed titles are cut to fit).
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest segment notes, in characters (proposed notes are cut to fit).
pub const MAX_NOTES_CHARS: usize = 2000;
