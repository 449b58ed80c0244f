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

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use rust_decimal::Decimal;

use crate::error::FieldError;
use crate::matching::thousands;
use crate::money::{self, Currency};
use crate::task::{Product, SessionPlan, TaskDraft};

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

/// What a segment of the show is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// Welcome, session overview, first flash sale announced.
    Opening,
    /// Product presentation: demo, Q&A.
    Product,
    /// A limited-time offer at a live price below retail, with a countdown.
    FlashSale,
    /// One product recapped at its listed price: the flash-sale slot of a task
    /// that gives no product a live price.
    Spotlight,
    /// Final flash sale (or spotlight), recap, teaser or thank-you.
    Closing,
}

impl SegmentKind {
    /// The snake_case wire name.
    pub fn name(&self) -> &'static str {
        match self {
            SegmentKind::Opening => "opening",
            SegmentKind::Product => "product",
            SegmentKind::FlashSale => "flash_sale",
            SegmentKind::Spotlight => "spotlight",
            SegmentKind::Closing => "closing",
        }
    }

    fn parse(s: &str) -> Option<SegmentKind> {
        Some(match s {
            "opening" => SegmentKind::Opening,
            "product" => SegmentKind::Product,
            "flash_sale" => SegmentKind::FlashSale,
            "spotlight" => SegmentKind::Spotlight,
            "closing" => SegmentKind::Closing,
            _ => return None,
        })
    }
}

/// One stretch of a session, `[start_minute, end_minute)` from the session start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// First minute (inclusive).
    pub start_minute: u32,
    /// Minute the next segment starts (exclusive).
    pub end_minute: u32,
    /// What happens.
    pub kind: SegmentKind,
    /// Short title for the host's screen.
    pub title: String,
    /// Products featured (`product_id`s of the task, or placeholders).
    pub product_ids: Vec<String>,
    /// What to do, in a sentence or two.
    pub notes: String,
}

/// The plan of one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPlanOfShow {
    /// Position of the session in the task, from 0.
    pub session_index: u32,
    /// The session's planned length.
    pub duration_minutes: u32,
    /// Contiguous segments from minute 0 to `duration_minutes`.
    pub segments: Vec<Segment>,
}

/// The plan of every session of a task, in session order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOfShow {
    /// One plan per session of the task.
    pub sessions: Vec<SessionPlanOfShow>,
}

/// The number of products a task without a product list means to sell, from its
/// body: `live_session_details.products_count`, or the largest number in
/// `products_per_session` ("10-12 items" → 12, so every item gets a slot). At
/// most [`MAX_PLACEHOLDER_PRODUCTS`]; None when absent or zero.
pub fn products_count(body: &Value) -> Option<u32> {
    let details = body.get("live_session_details")?;
    let n = match details.get("products_count") {
        Some(v) if v.as_u64().is_some() => v.as_u64(),
        _ => match details.get("products_per_session") {
            Some(Value::String(s)) => s
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|part| part.parse::<u64>().ok())
                .max(),
            Some(v) => v.as_u64(),
            None => None,
        },
    }?;
    (n > 0).then(|| n.min(u64::from(MAX_PLACEHOLDER_PRODUCTS)) as u32)
}

/// A product as the planner sees it.
#[derive(Debug, Clone)]
struct Item {
    id: String,
    name: String,
    flash_minutes: u32,
    price: Option<String>,
    stock: Option<u64>,
    placeholder: bool,
    /// Whether the task gives it a live price below its usual one, so that it
    /// may be sold in a flash sale.
    discounted: bool,
}

impl Item {
    fn from_product(p: &Product, currency: Currency) -> Item {
        let code = currency.code();
        let launch_discount = p.launch_discount.filter(|d| *d > Decimal::ZERO);
        // The live price: `live_discount_price`, else retail less `launch_discount`.
        let live = p.live_discount_price.or_else(|| {
            let off = launch_discount?;
            let retail = p.retail_price?;
            Some(money::round(
                retail * (Decimal::ONE_HUNDRED - off) / Decimal::ONE_HUNDRED,
                currency,
            ))
        });
        let discounted = match (live, p.retail_price) {
            (Some(live), Some(retail)) => live < retail,
            (Some(_), None) => false,
            (None, _) => launch_discount.is_some(),
        };
        let price = match (live, p.retail_price) {
            (Some(live), Some(retail)) if live < retail => Some(format!(
                "{} {code} live (retail {})",
                thousands(live),
                thousands(retail)
            )),
            (Some(price), _) | (None, Some(price)) => Some(format!("{} {code}", thousands(price))),
            (None, None) => launch_discount.map(|off| format!("{}% off", thousands(off))),
        };
        Item {
            id: p.product_id.clone(),
            name: p.name.clone().unwrap_or_else(|| p.product_id.clone()),
            flash_minutes: flash_minutes(p.flash_sale_duration_minutes),
            price,
            stock: p.stock_quantity,
            placeholder: false,
            discounted,
        }
    }

    fn placeholder(n: u32) -> Item {
        Item {
            id: format!("product_{n}"),
            name: format!("Product {n}"),
            flash_minutes: DEFAULT_FLASH_SALE_MINUTES,
            price: None,
            stock: None,
            placeholder: true,
            discounted: false,
        }
    }
}

fn flash_minutes(m: Option<u32>) -> u32 {
    m.unwrap_or(DEFAULT_FLASH_SALE_MINUTES)
        .clamp(1, MAX_FLASH_SALE_MINUTES)
}

/// Proposes a run-of-show for every session of `task`. `products_count` is used
/// only when the task lists no products (see [`products_count`]).
pub fn propose(task: &TaskDraft, products_count: Option<u32>) -> RunOfShow {
    let listed: Vec<Item> = task
        .products
        .iter()
        .map(|p| Item::from_product(p, task.currency))
        .collect();
    let discounted: Vec<Item> = listed.iter().filter(|i| i.discounted).cloned().collect();
    let flash_items = (!discounted.is_empty()).then_some(discounted.as_slice());
    let counted: Option<Vec<Item>> = products_count.filter(|n| *n > 0).map(|n| {
        (1..=n.min(MAX_PLACEHOLDER_PRODUCTS))
            .map(Item::placeholder)
            .collect()
    });
    let mut product_cursor = 0;
    let mut flash_cursor = 0;
    let count = task.sessions.len();
    let sessions = task
        .sessions
        .iter()
        .enumerate()
        .map(|(i, session)| {
            let context = SessionContext {
                index: i,
                count,
                session,
                next: task.sessions.get(i + 1),
                time_zone: task.time_zone,
            };
            if !listed.is_empty() {
                plan_session(
                    &context,
                    Lineup::Items(&listed),
                    flash_items,
                    &mut product_cursor,
                    &mut flash_cursor,
                )
            } else {
                let (mut p, mut f) = (0, 0);
                let lineup = counted
                    .as_deref()
                    .map_or(Lineup::OnePerSegment, Lineup::Items);
                plan_session(&context, lineup, None, &mut p, &mut f)
            }
        })
        .collect();
    RunOfShow { sessions }
}

/// What the products of a session are.
#[derive(Clone, Copy)]
enum Lineup<'a> {
    /// These products (never empty).
    Items(&'a [Item]),
    /// Unknown products: one placeholder per product segment.
    OnePerSegment,
}

struct SessionContext<'a> {
    index: usize,
    count: usize,
    session: &'a SessionPlan,
    next: Option<&'a SessionPlan>,
    time_zone: Option<chrono_tz::Tz>,
}

/// The shape of a session's middle: product time before the first flash sale,
/// then the minutes from each flash-sale start to the next (the last to the
/// closing).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    lead_in: u32,
    gaps: Vec<u32>,
}

/// Opening and closing lengths for a session of `d` minutes.
fn frame(d: u32) -> (u32, u32) {
    if d >= 40 {
        (OPENING_MINUTES, CLOSING_MINUTES)
    } else if d >= 3 {
        let edge = (d / 4).max(1);
        (edge, edge)
    } else {
        (0, 0)
    }
}

/// Splits `minutes` of product time into segment lengths as close to 8–12 (then
/// 10) as possible; longer pieces first.
fn split(minutes: u32) -> Vec<u32> {
    if minutes == 0 {
        return Vec::new();
    }
    let lo = (minutes / PRODUCT_SEGMENT_MINUTES.end()).max(1);
    let hi = (minutes / PRODUCT_SEGMENT_MINUTES.start()).max(1) + 1;
    let n = (lo..=hi)
        .min_by_key(|n| split_cost(minutes, *n))
        .unwrap_or(1);
    let (q, r) = (minutes / n, minutes % n);
    (0..n).map(|i| q + u32::from(i < r)).collect()
}

fn segment_cost(len: u32) -> u64 {
    let (lo, hi) = (
        *PRODUCT_SEGMENT_MINUTES.start(),
        *PRODUCT_SEGMENT_MINUTES.end(),
    );
    let outside = lo.saturating_sub(len) + len.saturating_sub(hi);
    u64::from(outside) * 20 + u64::from(len.abs_diff(10))
}

fn split_cost(minutes: u32, n: u32) -> u64 {
    if n == 0 || n > minutes {
        return u64::MAX / 4;
    }
    let (q, r) = (minutes / n, minutes % n);
    u64::from(r) * segment_cost(q + 1) + u64::from(n - r) * segment_cost(q)
}

fn best_split_cost(minutes: u32) -> u64 {
    split(minutes).iter().map(|len| segment_cost(*len)).sum()
}

/// `total` minutes in `k` near-equal parts, larger first.
fn distribute(total: u32, k: u32) -> Vec<u32> {
    let (q, r) = (total / k, total % k);
    (0..k).map(|i| q + u32::from(i < r)).collect()
}

/// Cost of a minute outside the 20–30-minute flash-sale spacing: large enough that
/// no preference (segment lengths, lead-in) ever outweighs it.
const SPACING_PENALTY: u64 = 10_000;

/// Chooses the middle's shape for a session whose middle starts at `opening` and
/// lasts `middle` minutes; `flash_len(i)` is the length of the i-th flash sale.
fn choose_layout(opening: u32, middle: u32, flash_len: &dyn Fn(usize) -> u32) -> Layout {
    let (lo, hi) = (*FLASH_SALE_SPACING.start(), *FLASH_SALE_SPACING.end());
    let spacing_cost = |gap: u32| {
        let outside = lo.saturating_sub(gap) + gap.saturating_sub(hi);
        u64::from(outside) * SPACING_PENALTY + u64::from(gap.abs_diff(25)) * 2
    };
    let cost = |layout: &Layout| -> u64 {
        let first = opening + layout.lead_in;
        let mut c = u64::from(first.saturating_sub(hi)) * SPACING_PENALTY;
        let mut segments = split(layout.lead_in).len();
        c += best_split_cost(layout.lead_in);
        if !layout.gaps.is_empty() {
            c += u64::from(layout.lead_in.abs_diff(10)) * 6;
        }
        for (i, gap) in layout.gaps.iter().enumerate() {
            c += spacing_cost(*gap);
            let product_time = gap - flash_len(i).min(*gap);
            c += best_split_cost(product_time);
            segments += split(product_time).len();
        }
        if segments == 0 {
            c += 1 << 40;
        }
        c
    };
    let mut best = Layout {
        lead_in: middle,
        gaps: Vec::new(),
    };
    let mut best_cost = cost(&best);
    let max_k = (middle / 15 + 1).min(middle);
    for k in 1..=max_k {
        for lead_in in 0..=20.min(middle - k) {
            let candidate = Layout {
                lead_in,
                gaps: distribute(middle - lead_in, k),
            };
            let c = cost(&candidate);
            if c < best_cost {
                best = candidate;
                best_cost = c;
            }
        }
    }
    best
}

/// One piece of a session's skeleton before products are attached.
enum Slot {
    Opening(u32),
    Product(u32),
    /// Length and the flash sale's (or spotlight's) position in the session.
    Flash(u32, usize),
    Closing(u32),
}

/// Plans one session. `flash_items` are the task's discounted products, when
/// it has any: flash sales rotate through them. Without them the flash-sale
/// slots are spotlights rotating through the session's products.
fn plan_session(
    cx: &SessionContext,
    lineup: Lineup,
    flash_items: Option<&[Item]>,
    product_cursor: &mut usize,
    flash_cursor: &mut usize,
) -> SessionPlanOfShow {
    let d = cx.session.duration_minutes;
    let (opening, closing) = frame(d);
    let middle = d - opening - closing;
    let known_flash = |i: usize| match (flash_items, lineup) {
        (Some(items), _) | (None, Lineup::Items(items)) => {
            items[(*flash_cursor + i) % items.len()].flash_minutes
        }
        (None, Lineup::OnePerSegment) => DEFAULT_FLASH_SALE_MINUTES,
    };
    let mut slots = Vec::new();
    if opening == 0 {
        slots.push(Slot::Product(d));
    } else {
        let layout = choose_layout(opening, middle, &known_flash);
        slots.push(Slot::Opening(opening));
        slots.extend(split(layout.lead_in).into_iter().map(Slot::Product));
        for (i, gap) in layout.gaps.iter().enumerate() {
            let flash = known_flash(i).min(*gap);
            slots.push(Slot::Flash(flash, i));
            slots.extend(split(gap - flash).into_iter().map(Slot::Product));
        }
        slots.push(Slot::Closing(closing));
    }

    let product_slots = slots
        .iter()
        .filter(|s| matches!(s, Slot::Product(_)))
        .count();
    let generated: Vec<Item>;
    let items: &[Item] = match lineup {
        Lineup::Items(items) => items,
        Lineup::OnePerSegment => {
            generated = (1..=product_slots.max(1) as u32)
                .map(Item::placeholder)
                .collect();
            &generated
        }
    };
    let groups = product_groups(items.len(), product_slots, product_cursor);
    let flash_count = slots
        .iter()
        .filter(|s| matches!(s, Slot::Flash(..)))
        .count();
    let flash = flash_items.is_some();
    let offered: &[Item] = flash_items.unwrap_or(items);
    let flash_item = |i: usize| &offered[(*flash_cursor + i) % offered.len()];
    let first_flash_minute = {
        let mut t = 0;
        let mut found = None;
        for s in &slots {
            match s {
                Slot::Flash(..) | Slot::Closing(_) if found.is_none() => found = Some(t),
                _ => {}
            }
            t += slot_len(s);
        }
        found.unwrap_or(0)
    };

    let mut segments = Vec::with_capacity(slots.len());
    let mut t = 0;
    let mut product_slot = 0;
    for slot in &slots {
        let len = slot_len(slot);
        let (kind, title, product_ids, notes) = match slot {
            Slot::Opening(_) => {
                let first = flash_item(0);
                (
                    SegmentKind::Opening,
                    opening_title(cx, flash),
                    vec![first.id.clone()],
                    opening_notes(cx, items, first, first_flash_minute, flash),
                )
            }
            Slot::Product(_) => {
                let group: Vec<&Item> = groups[product_slot].iter().map(|i| &items[*i]).collect();
                product_slot += 1;
                (
                    SegmentKind::Product,
                    product_title(&group),
                    group.iter().map(|i| i.id.clone()).collect(),
                    product_notes(&group),
                )
            }
            Slot::Flash(minutes, i) if flash => {
                let item = flash_item(*i);
                (
                    SegmentKind::FlashSale,
                    format!("Flash sale: {}", item.name),
                    vec![item.id.clone()],
                    flash_notes(item, *minutes),
                )
            }
            Slot::Flash(minutes, i) => {
                let item = flash_item(*i);
                (
                    SegmentKind::Spotlight,
                    format!("Spotlight: {}", item.name),
                    vec![item.id.clone()],
                    spotlight_notes(item, *minutes),
                )
            }
            Slot::Closing(_) => {
                let item = flash_item(flash_count);
                (
                    SegmentKind::Closing,
                    closing_title(cx, flash),
                    vec![item.id.clone()],
                    closing_notes(cx, item, flash),
                )
            }
        };
        segments.push(Segment {
            start_minute: t,
            end_minute: t + len,
            kind,
            title: clip(title, MAX_TITLE_CHARS),
            product_ids,
            notes: clip(notes, MAX_NOTES_CHARS),
        });
        t += len;
    }
    let closing_flash = usize::from(closing > 0);
    *flash_cursor = (*flash_cursor + flash_count + closing_flash) % offered.len();
    SessionPlanOfShow {
        session_index: cx.index as u32,
        duration_minutes: d,
        segments,
    }
}

fn slot_len(s: &Slot) -> u32 {
    match s {
        Slot::Opening(n) | Slot::Product(n) | Slot::Flash(n, _) | Slot::Closing(n) => *n,
    }
}

/// Which products (indices) each product slot presents, starting at `cursor` and
/// advancing it: one product per slot in rotation when there are enough slots,
/// else every product once, in near-equal consecutive groups.
fn product_groups(products: usize, slots: usize, cursor: &mut usize) -> Vec<Vec<usize>> {
    if products == 0 || slots == 0 {
        return vec![Vec::new(); slots];
    }
    let start = *cursor % products;
    if products <= slots {
        *cursor = (start + slots) % products;
        return (0..slots).map(|j| vec![(start + j) % products]).collect();
    }
    let (q, r) = (products / slots, products % slots);
    let mut next = start;
    (0..slots)
        .map(|j| {
            let size = q + usize::from(j < r);
            let group = (0..size).map(|k| (next + k) % products).collect();
            next += size;
            group
        })
        .collect()
}

/// Cuts `text` to at most `max` characters, ending with "…" when cut.
fn clip(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// "A", "A + B", "A + B + C", or "A + 4 more".
fn product_title(group: &[&Item]) -> String {
    match group {
        [] => "Products".to_string(),
        [first, rest @ ..] if rest.len() > 2 => format!("{} + {} more", first.name, rest.len()),
        _ => group
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

/// What the session's offer slots are called: "flash sale" or "spotlight".
fn offer_name(flash: bool) -> &'static str {
    if flash { "flash sale" } else { "spotlight" }
}

fn opening_title(cx: &SessionContext, flash: bool) -> String {
    match &cx.session.theme {
        Some(theme) => format!("Welcome: {theme}"),
        None if flash => "Welcome & first flash-sale preview".to_string(),
        None => "Welcome & first spotlight preview".to_string(),
    }
}

fn closing_title(cx: &SessionContext, flash: bool) -> String {
    let what = offer_name(flash);
    if cx.next.is_some() {
        format!("Final {what}, recap & next-session teaser")
    } else {
        format!("Final {what}, recap & thank-you")
    }
}

fn names(items: &[Item], limit: usize) -> String {
    let mut text = items
        .iter()
        .take(limit)
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > limit {
        text.push_str(&format!(" and {} more", items.len() - limit));
    }
    text
}

fn opening_notes(
    cx: &SessionContext,
    items: &[Item],
    first: &Item,
    minute: u32,
    flash: bool,
) -> String {
    let theme = cx
        .session
        .theme
        .as_ref()
        .map(|t| format!(" Theme: {t}."))
        .unwrap_or_default();
    let of_series = if cx.count > 1 {
        format!(" (session {} of {})", cx.index + 1, cx.count)
    } else {
        String::new()
    };
    let count = items.len();
    let noun = if count == 1 { "product" } else { "products" };
    format!(
        "Welcome viewers and shout out early arrivals{of_series}.{theme} Overview of today's plan: {count} {noun} ({}). Announce the first {}: {} at minute {minute}.",
        names(items, 5),
        offer_name(flash),
        first.name
    )
}

fn product_notes(group: &[&Item]) -> String {
    let described: Vec<String> = group
        .iter()
        .map(|i| match &i.price {
            Some(price) => format!("{} at {price}", i.name),
            None => i.name.clone(),
        })
        .collect();
    let placeholder = if group.iter().any(|i| i.placeholder) {
        " Placeholder: replace with the product's id and name."
    } else {
        ""
    };
    format!(
        "Demonstrate {}; answer chat questions and shout out buyers.{placeholder}",
        described.join("; ")
    )
}

fn flash_notes(item: &Item, minutes: u32) -> String {
    let price = item
        .price
        .as_ref()
        .map(|p| format!(" at {p}"))
        .unwrap_or_default();
    let stock = item
        .stock
        .map(|s| format!(" ({s} units)"))
        .unwrap_or_default();
    format!(
        "{minutes}-minute flash sale on {}{price}: on-screen countdown, limited stock{stock}, call out orders as they come in.",
        item.name
    )
}

/// A spotlight: the flash-sale slot of a task whose products have no live price.
fn spotlight_notes(item: &Item, minutes: u32) -> String {
    let (price, at_price) = match &item.price {
        Some(p) => (format!(" at {p}"), " at this price"),
        None => (String::new(), ""),
    };
    format!(
        "{minutes}-minute spotlight on {}{price}: recap why it is worth buying and take orders{at_price}. \
         A flash sale needs a live price: give the product a live_discount_price below its \
         retail_price, or a launch_discount.",
        item.name
    )
}

fn closing_notes(cx: &SessionContext, final_item: &Item, flash: bool) -> String {
    let after = match cx.next {
        Some(next) => {
            let what = next
                .theme
                .as_ref()
                .map(|t| format!(" \"{t}\""))
                .unwrap_or_default();
            let when = next
                .scheduled_time
                .map(|t| format!(" on {}", local_time(t, cx.time_zone)))
                .unwrap_or_default();
            format!(
                "tease the next session (session {}{what}{when}) and ask viewers to follow",
                cx.index + 2
            )
        }
        None if cx.count > 1 => {
            "thank viewers for the series and ask them to follow for the next live".to_string()
        }
        None => "thank viewers and ask them to follow for the next live".to_string(),
    };
    let recap = if flash {
        "recap the best deals of the session"
    } else {
        "recap the session's products"
    };
    format!(
        "Final {} on {}; {recap}; {after}.",
        offer_name(flash),
        final_item.name
    )
}

fn local_time(t: DateTime<Utc>, tz: Option<chrono_tz::Tz>) -> String {
    match tz {
        Some(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// The minutes at which flash sales start: every `flash_sale` segment, then the
/// closing (which holds the final flash sale).
pub fn flash_sale_starts(plan: &SessionPlanOfShow) -> Vec<u32> {
    plan.segments
        .iter()
        .filter(|s| matches!(s.kind, SegmentKind::FlashSale | SegmentKind::Closing))
        .map(|s| s.start_minute)
        .collect()
}

/// The minutes at which offers start: every `flash_sale` and `spotlight`
/// segment, then the closing (which holds the final one). A plan without
/// discounts keeps the flash-sale rhythm with spotlights.
pub fn offer_starts(plan: &SessionPlanOfShow) -> Vec<u32> {
    plan.segments
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                SegmentKind::FlashSale | SegmentKind::Spotlight | SegmentKind::Closing
            )
        })
        .map(|s| s.start_minute)
        .collect()
}

/// Advisory remarks on a session plan that [`validate`] does not enforce: flash
/// sales (or, in a plan with spotlights and no flash sale, spotlights) further
/// apart or closer together than 20–30 minutes, and a first one later than
/// minute 30.
pub fn advice(plan: &SessionPlanOfShow) -> Vec<String> {
    let (lo, hi) = (*FLASH_SALE_SPACING.start(), *FLASH_SALE_SPACING.end());
    let has = |kind| plan.segments.iter().any(|s| s.kind == kind);
    let spotlights = has(SegmentKind::Spotlight) && !has(SegmentKind::FlashSale);
    let (one, many) = if spotlights {
        ("spotlight", "spotlights")
    } else {
        ("flash sale", "flash sales")
    };
    let starts = offer_starts(plan);
    let mut out = Vec::new();
    match starts.first() {
        None => out.push("no flash sale is planned".to_string()),
        Some(first) if *first > hi => out.push(format!(
            "the first {one} starts at minute {first}; the seed suggests one every {lo}-{hi} minutes"
        )),
        Some(_) => {}
    }
    for pair in starts.windows(2) {
        let gap = pair[1].abs_diff(pair[0]);
        if !FLASH_SALE_SPACING.contains(&gap) {
            out.push(format!(
                "{many} at minutes {} and {} are {gap} minutes apart (suggested {lo}-{hi})",
                pair[0], pair[1]
            ));
        }
    }
    out
}

/// Where a live session stands `elapsed_minutes` after its start: the index and
/// segment covering that minute; None past the end (or for an empty plan).
pub fn position(plan: &SessionPlanOfShow, elapsed_minutes: u32) -> Option<(usize, &Segment)> {
    let i = plan
        .segments
        .partition_point(|s| s.end_minute <= elapsed_minutes);
    let segment = plan.segments.get(i)?;
    (segment.start_minute <= elapsed_minutes).then_some((i, segment))
}

/// Checks an agent's edited plan against the task and returns it typed.
///
/// The plan must be `{"sessions": [...]}` with one entry per session of the task,
/// each `{session_index?, duration_minutes?, segments: [...]}` (`session_index`, if
/// given, is the entry's position from 0; `duration_minutes`, if given, is the
/// session's). Each segment is `{start_minute, end_minute, kind, title?,
/// product_ids?, notes?}`; segments run contiguously from 0 to the session's
/// duration with `start_minute < end_minute`; when the task lists products, every
/// one appears in some segment of every session and no other id is named. Errors
/// carry paths such as `sessions[0].segments[3].end_minute`. Flash-sale spacing is
/// advisory (see [`advice`]) and not checked.
pub fn validate(plan: &Value, task: &TaskDraft) -> Result<RunOfShow, Vec<FieldError>> {
    let mut errors = Vec::new();
    let Some(sessions) = plan.get("sessions") else {
        let msg = if plan.is_object() {
            "is required: the plan is {\"sessions\": [{\"segments\": [...]}, ...]}"
        } else {
            "the plan must be a JSON object {\"sessions\": [...]}"
        };
        let path = if plan.is_object() { "sessions" } else { "" };
        return Err(vec![FieldError::new(path, msg)]);
    };
    let Some(entries) = sessions.as_array() else {
        return Err(vec![FieldError::new(
            "sessions",
            "must be a list with one plan per session",
        )]);
    };
    if entries.len() != task.sessions.len() {
        errors.push(FieldError::new(
            "sessions",
            format!(
                "must have {} entries, one per session of the task (got {})",
                task.sessions.len(),
                entries.len()
            ),
        ));
    }
    let known: Vec<&str> = task
        .products
        .iter()
        .map(|p| p.product_id.as_str())
        .collect();
    let mut out = Vec::new();
    for (i, (entry, session)) in entries.iter().zip(&task.sessions).enumerate() {
        let path = format!("sessions[{i}]");
        if let Some(s) = session_plan(
            entry,
            &path,
            i,
            session.duration_minutes,
            &known,
            &mut errors,
        ) {
            out.push(s);
        }
    }
    if errors.is_empty() {
        Ok(RunOfShow { sessions: out })
    } else {
        Err(errors)
    }
}

fn session_plan(
    entry: &Value,
    path: &str,
    index: usize,
    duration: u32,
    known: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<SessionPlanOfShow> {
    let Some(obj) = entry.as_object() else {
        errors.push(FieldError::new(
            path,
            "must be an object {\"segments\": [...]}",
        ));
        return None;
    };
    let before = errors.len();
    if let Some(v) = obj.get("session_index")
        && v.as_u64() != Some(index as u64)
    {
        errors.push(FieldError::new(
            format!("{path}.session_index"),
            format!("must be {index}, the position of the session"),
        ));
    }
    if let Some(v) = obj.get("duration_minutes")
        && v.as_u64() != Some(u64::from(duration))
    {
        errors.push(FieldError::new(
            format!("{path}.duration_minutes"),
            format!("must be {duration}, the session's duration"),
        ));
    }
    let Some(items) = obj.get("segments").and_then(Value::as_array) else {
        errors.push(FieldError::new(
            format!("{path}.segments"),
            "must be a list of segments",
        ));
        return None;
    };
    if items.is_empty() {
        errors.push(FieldError::new(
            format!("{path}.segments"),
            "must list at least one segment",
        ));
        return None;
    }
    let mut segments = Vec::with_capacity(items.len());
    let mut expected_start = Some(0);
    for (j, item) in items.iter().enumerate() {
        let seg_path = format!("{path}.segments[{j}]");
        let segment = segment(item, &seg_path, known, errors);
        let Some(segment) = segment else {
            expected_start = None;
            continue;
        };
        if let Some(expected) = expected_start
            && segment.start_minute != expected
        {
            let why = if j == 0 {
                "the first segment starts the session".to_string()
            } else if segment.start_minute > expected {
                format!("a gap after the previous segment, which ends at {expected}")
            } else {
                format!("overlaps the previous segment, which ends at {expected}")
            };
            errors.push(FieldError::new(
                format!("{seg_path}.start_minute"),
                format!("must be {expected}: {why}"),
            ));
        }
        if segment.end_minute <= segment.start_minute {
            errors.push(FieldError::new(
                format!("{seg_path}.end_minute"),
                format!(
                    "must be greater than start_minute ({})",
                    segment.start_minute
                ),
            ));
        } else if segment.end_minute > duration {
            errors.push(FieldError::new(
                format!("{seg_path}.end_minute"),
                format!("must be at most {duration}, the session's duration"),
            ));
        } else if j + 1 == items.len() && segment.end_minute != duration {
            errors.push(FieldError::new(
                format!("{seg_path}.end_minute"),
                format!("must be {duration}: the last segment ends the session"),
            ));
        }
        expected_start = Some(segment.end_minute);
        segments.push(segment);
    }
    let missing: Vec<&str> = known
        .iter()
        .filter(|id| {
            !segments
                .iter()
                .any(|s| s.product_ids.iter().any(|p| p == *id))
        })
        .copied()
        .collect();
    if !missing.is_empty() && segments.len() == items.len() {
        errors.push(FieldError::new(
            format!("{path}.segments"),
            format!(
                "must feature every product of the task; missing {}",
                missing.join(", ")
            ),
        ));
    }
    (errors.len() == before).then_some(SessionPlanOfShow {
        session_index: index as u32,
        duration_minutes: duration,
        segments,
    })
}

fn minute(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<u32> {
    match obj.get(key) {
        None | Some(Value::Null) => {
            errors.push(FieldError::new(format!("{path}.{key}"), "is required"));
            None
        }
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                errors.push(FieldError::new(
                    format!("{path}.{key}"),
                    "must be a whole number of minutes from the session start",
                ));
                None
            }
        },
    }
}

fn text(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    match obj.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.chars().count() <= max_chars => s.clone(),
        Some(_) => {
            errors.push(FieldError::new(
                format!("{path}.{key}"),
                format!("must be a string of at most {max_chars} characters"),
            ));
            String::new()
        }
    }
}

fn segment(
    item: &Value,
    path: &str,
    known: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<Segment> {
    let Some(obj) = item.as_object() else {
        errors.push(FieldError::new(
            path,
            "must be an object {start_minute, end_minute, kind, title, product_ids, notes}",
        ));
        return None;
    };
    let before = errors.len();
    let start = minute(obj, "start_minute", path, errors);
    let end = minute(obj, "end_minute", path, errors);
    let kind = match obj.get("kind") {
        None | Some(Value::Null) => {
            errors.push(FieldError::new(format!("{path}.kind"), "is required"));
            None
        }
        Some(v) => {
            let kind = v.as_str().and_then(SegmentKind::parse);
            if kind.is_none() {
                errors.push(FieldError::new(
                    format!("{path}.kind"),
                    "must be one of opening, product, flash_sale, spotlight, closing",
                ));
            }
            kind
        }
    };
    let title = text(obj, "title", path, MAX_TITLE_CHARS, errors);
    let notes = text(obj, "notes", path, MAX_NOTES_CHARS, errors);
    let mut product_ids = Vec::new();
    match obj.get("product_ids") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ids)) => {
            for (k, id) in ids.iter().enumerate() {
                let id_path = format!("{path}.product_ids[{k}]");
                match id.as_str() {
                    Some(s) if known.is_empty() || known.contains(&s) => {
                        product_ids.push(s.to_string())
                    }
                    Some(s) => errors.push(FieldError::new(
                        id_path,
                        format!(
                            "'{s}' is not a product of the task (its products are {})",
                            known.join(", ")
                        ),
                    )),
                    None => errors.push(FieldError::new(id_path, "must be a string")),
                }
            }
        }
        Some(_) => errors.push(FieldError::new(
            format!("{path}.product_ids"),
            "must be a list of product ids",
        )),
    }
    match (start, end, kind) {
        (Some(start_minute), Some(end_minute), Some(kind)) if errors.len() == before => {
            Some(Segment {
                start_minute,
                end_minute,
                kind,
                title,
                product_ids,
                notes,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde_json::json;

    fn task(body: &Value) -> TaskDraft {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        TaskDraft::parse(body, now).unwrap()
    }

    /// Getting Started step 3: 2 hours, `products_count` 8, no product list.
    fn getting_started() -> Value {
        json!({
            "title": "Live shopping session: Beauty products flash sale",
            "description": "Host a 2-hour TikTok Live session showcasing our beauty product line.",
            "category": "tiktok_live_commerce", "platform": "tiktok",
            "compensation": 1500.00, "currency": "CNY", "deadline": "2026-03-10T20:00:00Z",
            "live_session_details": {"duration_hours": 2, "scheduled_time": "2026-03-15T19:00:00Z",
                "products_count": 8, "expected_viewers": 1000,
                "session_format": "product_showcase_with_flash_sales"}
        })
    }

    /// Workflow 1: the 3-hour skincare launch premiere with three products.
    fn launch_premiere() -> Value {
        json!({
            "title": "LIVE PREMIERE: New skincare line exclusive launch event",
            "description": "Host a special 3-hour TikTok Live event.",
            "category": "tiktok_live_commerce", "platform": "tiktok",
            "compensation": 5000.00, "currency": "CNY", "deadline": "2026-03-20T19:00:00Z",
            "live_session_details": {"session_type": "product_launch_premiere", "duration_hours": 3,
                "scheduled_time": "2026-03-25T19:00:00Z",
                "products": [
                    {"name": "Vitamin C Serum", "retail_price": 199, "launch_discount": "30%"},
                    {"name": "Retinol Night Cream", "retail_price": 249, "launch_discount": "25%"},
                    {"name": "Hydrating Face Mask", "retail_price": 89, "launch_discount": "40%"}
                ]}
        })
    }

    /// Workflow 2: four weekly 2-hour sessions, "10-12 items" each.
    fn weekly_series() -> Value {
        json!({
            "title": "Weekly flash sale live sessions (4-week series)",
            "description": "Host weekly 2-hour TikTok Live flash sale events.",
            "category": "tiktok_live_commerce", "platform": "tiktok",
            "compensation": 6000.00, "currency": "CNY", "deadline": "2026-04-30T20:00:00Z",
            "live_session_details": {"session_type": "recurring_flash_sales", "sessions_count": 4,
                "schedule": [
                    {"week": 1, "date": "2026-04-05T20:00:00Z", "theme": "Beauty essentials"},
                    {"week": 2, "date": "2026-04-12T20:00:00Z", "theme": "Home organization"},
                    {"week": 3, "date": "2026-04-19T20:00:00Z", "theme": "Tech accessories"},
                    {"week": 4, "date": "2026-04-26T20:00:00Z", "theme": "Fashion & jewelry"}],
                "duration_per_session": "2 hours", "products_per_session": "10-12 items"}
        })
    }

    /// Workflow 3: a 90-minute smart-home Q&A with three products.
    fn smart_home_qa() -> Value {
        json!({
            "title": "Live Q&A + shopping: Smart home devices explained",
            "description": "Host a 90-minute educational live session.",
            "category": "tiktok_live_commerce", "platform": "tiktok",
            "compensation": 1800.00, "currency": "CNY", "deadline": "2026-03-28T19:00:00Z",
            "live_session_details": {"session_type": "educational_sales_hybrid", "duration_minutes": 90,
                "scheduled_time": "2026-04-02T19:00:00Z",
                "products": [
                    {"name": "Smart Speaker", "retail_price": 299},
                    {"name": "Smart Light Bulbs (4-pack)", "retail_price": 159},
                    {"name": "Smart Plug Set", "retail_price": 89}
                ]}
        })
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn placeholders(n: u32) -> Vec<String> {
        (1..=n).map(|i| format!("product_{i}")).collect()
    }

    /// The seed's rules, checked on one session plan whose offers are `offer`:
    /// flash sales, or spotlights when the task gives no product a live price.
    fn assert_follows_the_seed(plan: &SessionPlanOfShow, products: &[String], offer: SegmentKind) {
        let (what, other) = match offer {
            SegmentKind::FlashSale => ("flash sale", SegmentKind::Spotlight),
            _ => ("spotlight", SegmentKind::FlashSale),
        };
        let d = plan.duration_minutes;
        let segs = &plan.segments;
        // Contiguous cover of 0..d.
        assert_eq!(segs[0].start_minute, 0);
        assert_eq!(segs.last().unwrap().end_minute, d);
        for pair in segs.windows(2) {
            assert_eq!(pair[0].end_minute, pair[1].start_minute, "{segs:#?}");
        }
        assert!(segs.iter().all(|s| s.start_minute < s.end_minute));
        // Every product appears.
        for p in products {
            assert!(
                segs.iter()
                    .any(|s| s.kind == SegmentKind::Product && s.product_ids.contains(p)),
                "{p} missing from {segs:#?}"
            );
        }
        // Offers of one kind only.
        assert!(segs.iter().all(|s| s.kind != other), "{segs:#?}");
        // Opening 0–10 announces the first offer.
        let opening = &segs[0];
        assert_eq!(opening.kind, SegmentKind::Opening);
        assert_eq!(opening.end_minute, 10);
        let starts = offer_starts(plan);
        let first_offer = segs
            .iter()
            .find(|s| {
                matches!(
                    s.kind,
                    SegmentKind::FlashSale | SegmentKind::Spotlight | SegmentKind::Closing
                )
            })
            .unwrap();
        assert_eq!(opening.product_ids, first_offer.product_ids);
        assert!(
            opening
                .notes
                .contains(&format!("Announce the first {what}: ")),
            "{}",
            opening.notes
        );
        assert!(
            opening
                .notes
                .ends_with(&format!("at minute {}.", starts[0]))
        );
        // Closing is the last 10 minutes.
        let closing = segs.last().unwrap();
        assert_eq!(closing.kind, SegmentKind::Closing);
        assert_eq!(closing.start_minute, d - 10);
        assert!(closing.notes.starts_with(&format!("Final {what} on ")));
        // Offers every 20–30 minutes, the first by minute 30.
        assert!(starts[0] <= 30, "{starts:?}");
        for pair in starts.windows(2) {
            assert!(
                FLASH_SALE_SPACING.contains(&(pair[1] - pair[0])),
                "{starts:?}"
            );
        }
        assert_eq!(advice(plan), Vec::<String>::new());
        // Product segments last 8–12 minutes.
        for s in segs.iter().filter(|s| s.kind == SegmentKind::Product) {
            assert!(
                PRODUCT_SEGMENT_MINUTES.contains(&(s.end_minute - s.start_minute)),
                "{s:?}"
            );
        }
    }

    fn kinds_and_minutes(plan: &SessionPlanOfShow) -> Vec<(u32, u32, &'static str)> {
        plan.segments
            .iter()
            .map(|s| (s.start_minute, s.end_minute, s.kind.name()))
            .collect()
    }

    #[test]
    fn the_launch_premiere_rotates_three_products_over_three_hours() {
        let t = task(&launch_premiere());
        let show = propose(&t, None);
        assert_eq!(show.sessions.len(), 1);
        let plan = &show.sessions[0];
        assert_eq!(plan.duration_minutes, 180);
        assert_follows_the_seed(
            plan,
            &ids(&["prod_001", "prod_002", "prod_003"]),
            SegmentKind::FlashSale,
        );
        assert_eq!(flash_sale_starts(plan), [20, 45, 70, 95, 120, 145, 170]);
        let product_order: Vec<&str> = plan
            .segments
            .iter()
            .filter(|s| s.kind == SegmentKind::Product)
            .map(|s| s.product_ids[0].as_str())
            .collect();
        assert_eq!(
            product_order[..4],
            ["prod_001", "prod_002", "prod_003", "prod_001"]
        );
        let opening = &plan.segments[0];
        assert_eq!(opening.title, "Welcome & first flash-sale preview");
        assert_eq!(
            opening.notes,
            "Welcome viewers and shout out early arrivals. Overview of today's plan: 3 products \
             (Vitamin C Serum, Retinol Night Cream, Hydrating Face Mask). Announce the first \
             flash sale: Vitamin C Serum at minute 20."
        );
        assert_eq!(plan.segments[1].title, "Vitamin C Serum");
        assert_eq!(
            plan.segments[1].notes,
            "Demonstrate Vitamin C Serum at 139.3 CNY live (retail 199); answer chat questions and shout out buyers."
        );
        assert_eq!(
            (plan.segments[2].kind, plan.segments[2].title.as_str()),
            (SegmentKind::FlashSale, "Flash sale: Vitamin C Serum")
        );
        assert_eq!(
            plan.segments[2].notes,
            "5-minute flash sale on Vitamin C Serum at 139.3 CNY live (retail 199): on-screen countdown, limited stock, call out orders as they come in."
        );
        let closing = plan.segments.last().unwrap();
        assert_eq!(closing.title, "Final flash sale, recap & thank-you");
        assert!(
            closing
                .notes
                .ends_with("thank viewers and ask them to follow for the next live."),
            "{}",
            closing.notes
        );
    }

    #[test]
    fn the_getting_started_task_plans_its_eight_counted_products() {
        let body = getting_started();
        assert_eq!(products_count(&body), Some(8));
        let show = propose(&task(&body), products_count(&body));
        let plan = &show.sessions[0];
        assert_eq!(plan.duration_minutes, 120);
        // Placeholders have no price: spotlights keep the rhythm.
        assert_follows_the_seed(plan, &placeholders(8), SegmentKind::Spotlight);
        assert_eq!(offer_starts(plan), [20, 43, 66, 88, 110]);
        assert_eq!(plan.segments[1].title, "Product 1");
        assert!(plan.segments[1].notes.contains("Placeholder"));
    }

    #[test]
    fn a_task_without_products_gets_one_placeholder_per_segment() {
        let mut body = getting_started();
        body["live_session_details"]
            .as_object_mut()
            .unwrap()
            .shift_remove("products_count");
        assert_eq!(products_count(&body), None);
        let plan = &propose(&task(&body), None).sessions[0];
        let product_segments = plan
            .segments
            .iter()
            .filter(|s| s.kind == SegmentKind::Product)
            .count() as u32;
        assert_follows_the_seed(
            plan,
            &placeholders(product_segments),
            SegmentKind::Spotlight,
        );
    }

    #[test]
    fn the_weekly_series_plans_every_session_and_teases_the_next() {
        let body = weekly_series();
        assert_eq!(products_count(&body), Some(12));
        let t = task(&body);
        let show = propose(&t, products_count(&body));
        assert_eq!(show.sessions.len(), 4);
        for (i, plan) in show.sessions.iter().enumerate() {
            assert_eq!(plan.session_index, i as u32);
            assert_eq!(plan.duration_minutes, 120);
            // 12 items in fewer product segments: some segments present two.
            assert_follows_the_seed(plan, &placeholders(12), SegmentKind::Spotlight);
        }
        assert_eq!(
            show.sessions[1].segments[0].title,
            "Welcome: Home organization"
        );
        assert!(
            show.sessions[1].segments[0]
                .notes
                .starts_with("Welcome viewers and shout out early arrivals (session 2 of 4). Theme: Home organization.")
        );
        let first_closing = show.sessions[0].segments.last().unwrap();
        assert_eq!(
            first_closing.title,
            "Final spotlight, recap & next-session teaser"
        );
        assert!(
            first_closing.notes.ends_with(
                "tease the next session (session 2 \"Home organization\" on 2026-04-12 20:00 UTC) and ask viewers to follow."
            ),
            "{}",
            first_closing.notes
        );
        let last_closing = show.sessions[3].segments.last().unwrap();
        assert!(
            last_closing.notes.ends_with(
                "thank viewers for the series and ask them to follow for the next live."
            ),
            "{}",
            last_closing.notes
        );
    }

    #[test]
    fn listed_products_rotate_across_a_series() {
        let mut body = weekly_series();
        body["live_session_details"]["products"] = json!([
            {"product_id": "lip", "name": "Lip Tint"}, {"product_id": "cushion", "name": "Cushion"},
            {"product_id": "serum", "name": "Serum"}, {"product_id": "mask", "name": "Mask"},
            {"product_id": "mist", "name": "Mist"}
        ]);
        body["live_session_details"]["time_zone"] = json!("Asia/Shanghai");
        let t = task(&body);
        let show = propose(&t, products_count(&body));
        let all = ids(&["lip", "cushion", "serum", "mask", "mist"]);
        let order = ["lip", "cushion", "serum", "mask", "mist"];
        for pair in show.sessions.windows(2) {
            assert_follows_the_seed(&pair[0], &all, SegmentKind::Spotlight);
            let last = pair[0]
                .segments
                .iter()
                .rev()
                .find(|s| s.kind == SegmentKind::Product)
                .unwrap();
            let first = pair[1]
                .segments
                .iter()
                .find(|s| s.kind == SegmentKind::Product)
                .unwrap();
            let at = order
                .iter()
                .position(|p| *p == last.product_ids[0])
                .unwrap();
            assert_eq!(first.product_ids[0], order[(at + 1) % order.len()]);
        }
        assert_follows_the_seed(&show.sessions[3], &all, SegmentKind::Spotlight);
        assert!(
            show.sessions[0]
                .segments
                .last()
                .unwrap()
                .notes
                .contains("on 2026-04-13 04:00 CST"),
            "{}",
            show.sessions[0].segments.last().unwrap().notes
        );
    }

    #[test]
    fn the_ninety_minute_qa_session() {
        let t = task(&smart_home_qa());
        let plan = &propose(&t, None).sessions[0];
        // Retail prices only: spotlights, not flash sales at full price.
        assert_follows_the_seed(
            plan,
            &ids(&["prod_001", "prod_002", "prod_003"]),
            SegmentKind::Spotlight,
        );
        assert_eq!(offer_starts(plan), [20, 50, 80]);
        assert_eq!(
            kinds_and_minutes(plan)[..4],
            [
                (0, 10, "opening"),
                (10, 20, "product"),
                (20, 25, "spotlight"),
                (25, 34, "product")
            ]
        );
    }

    #[test]
    fn flash_sales_last_as_long_as_their_product_says() {
        let mut body = launch_premiere();
        for (i, minutes) in [10, 15, 3].iter().enumerate() {
            body["live_session_details"]["products"][i]["flash_sale_duration_minutes"] =
                json!(minutes);
            body["live_session_details"]["products"][i]["stock_quantity"] = json!(500);
        }
        body["live_session_details"]["products"][0]["live_discount_price"] = json!(139.30);
        let plan = &propose(&task(&body), None).sessions[0];
        let flash: Vec<(u32, String)> = plan
            .segments
            .iter()
            .filter(|s| s.kind == SegmentKind::FlashSale)
            .map(|s| (s.end_minute - s.start_minute, s.product_ids[0].clone()))
            .collect();
        for (minutes, id) in &flash {
            let want = match id.as_str() {
                "prod_001" => 10,
                "prod_002" => 15,
                _ => 3,
            };
            assert_eq!(*minutes, want, "{flash:?}");
        }
        let starts = flash_sale_starts(plan);
        for pair in starts.windows(2) {
            assert!(
                FLASH_SALE_SPACING.contains(&(pair[1] - pair[0])),
                "{starts:?}"
            );
        }
        let first_flash = plan
            .segments
            .iter()
            .find(|s| s.kind == SegmentKind::FlashSale)
            .unwrap();
        assert_eq!(
            first_flash.notes,
            "10-minute flash sale on Vitamin C Serum at 139.3 CNY live (retail 199): on-screen countdown, limited stock (500 units), call out orders as they come in."
        );
    }

    #[test]
    fn short_sessions_shrink_the_opening_and_closing() {
        let products = json!([{"name": "A"}, {"name": "B"}, {"name": "C"}]);
        let plan_for = |minutes: u32| {
            let mut body = launch_premiere();
            body["live_session_details"] =
                json!({"duration_minutes": minutes, "products": products.clone()});
            propose(&task(&body), None).sessions.remove(0)
        };
        assert_eq!(
            kinds_and_minutes(&plan_for(30)),
            [
                (0, 7, "opening"),
                (7, 15, "product"),
                (15, 23, "product"),
                (23, 30, "closing")
            ]
        );
        assert_eq!(
            kinds_and_minutes(&plan_for(20)),
            [(0, 5, "opening"), (5, 15, "product"), (15, 20, "closing")]
        );
        assert_eq!(
            plan_for(20).segments[1].product_ids,
            ["prod_001", "prod_002", "prod_003"]
        );
        assert_eq!(
            kinds_and_minutes(&plan_for(3)),
            [(0, 1, "opening"), (1, 2, "product"), (2, 3, "closing")]
        );
        assert_eq!(kinds_and_minutes(&plan_for(2)), [(0, 2, "product")]);
        assert_eq!(kinds_and_minutes(&plan_for(1)), [(0, 1, "product")]);
        assert_eq!(
            kinds_and_minutes(&plan_for(40)),
            [
                (0, 10, "opening"),
                (10, 20, "product"),
                (20, 30, "product"),
                (30, 40, "closing")
            ]
        );
    }

    #[test]
    fn products_count_reads_counts_and_ranges() {
        let with = |details: Value| products_count(&json!({"live_session_details": details}));
        assert_eq!(with(json!({"products_count": 8})), Some(8));
        assert_eq!(
            with(json!({"products_per_session": "10-12 items"})),
            Some(12)
        );
        assert_eq!(with(json!({"products_per_session": 6})), Some(6));
        assert_eq!(with(json!({"products_count": 0})), None);
        assert_eq!(with(json!({"products_count": 1_000_000})), Some(100));
        assert_eq!(with(json!({"products_per_session": "a few"})), None);
        assert_eq!(products_count(&json!({})), None);
    }

    #[test]
    fn the_plan_serialises_with_snake_case_kinds_and_round_trips() {
        let show = propose(&task(&launch_premiere()), None);
        let v = serde_json::to_value(&show).unwrap();
        assert_eq!(v["sessions"][0]["segments"][2]["kind"], "flash_sale");
        assert_eq!(v["sessions"][0]["segments"][0]["start_minute"], 0);
        let back: RunOfShow = serde_json::from_value(v).unwrap();
        assert_eq!(back, show);
    }

    #[test]
    fn position_finds_the_segment_under_way() {
        let show = propose(&task(&smart_home_qa()), None);
        let plan = &show.sessions[0];
        assert_eq!(
            position(plan, 0).map(|(i, s)| (i, s.kind)),
            Some((0, SegmentKind::Opening))
        );
        assert_eq!(position(plan, 9).unwrap().0, 0);
        assert_eq!(
            position(plan, 10).map(|(i, s)| (i, s.kind)),
            Some((1, SegmentKind::Product))
        );
        assert_eq!(position(plan, 22).unwrap().1.kind, SegmentKind::Spotlight);
        let last = plan.segments.len() - 1;
        assert_eq!(
            position(plan, 89).map(|(i, s)| (i, s.kind)),
            Some((last, SegmentKind::Closing))
        );
        assert_eq!(position(plan, 90), None);
        assert_eq!(position(plan, 10_000), None);
        let empty = SessionPlanOfShow {
            session_index: 0,
            duration_minutes: 90,
            segments: Vec::new(),
        };
        assert_eq!(position(&empty, 0), None);
    }

    fn error_pairs(errs: &[FieldError]) -> Vec<(&str, &str)> {
        errs.iter()
            .map(|e| (e.path.as_str(), e.message.as_str()))
            .collect()
    }

    #[test]
    fn a_proposed_plan_validates_unchanged() {
        for body in [
            launch_premiere(),
            getting_started(),
            weekly_series(),
            smart_home_qa(),
        ] {
            let t = task(&body);
            let show = propose(&t, products_count(&body));
            let v = serde_json::to_value(&show).unwrap();
            assert_eq!(validate(&v, &t), Ok(show));
        }
    }

    #[test]
    fn edits_may_move_flash_sales_but_not_leave_gaps() {
        let t = task(&smart_home_qa());
        // One long product block and a single late flash sale: odd pacing, but allowed.
        let plan = json!({"sessions": [{"segments": [
            {"start_minute": 0, "end_minute": 10, "kind": "opening", "title": "Hi"},
            {"start_minute": 10, "end_minute": 70, "kind": "product",
                "product_ids": ["prod_001", "prod_002", "prod_003"], "notes": "Demos and Q&A"},
            {"start_minute": 70, "end_minute": 80, "kind": "flash_sale", "product_ids": ["prod_002"]},
            {"start_minute": 80, "end_minute": 90, "kind": "closing"}
        ]}]});
        let show = validate(&plan, &t).unwrap();
        assert_eq!(show.sessions[0].duration_minutes, 90);
        assert_eq!(show.sessions[0].segments[1].notes, "Demos and Q&A");
        assert_eq!(
            show.sessions[0].segments[0].product_ids,
            Vec::<String>::new()
        );
        assert_eq!(
            advice(&show.sessions[0]),
            [
                "the first flash sale starts at minute 70; the seed suggests one every 20-30 minutes",
                "flash sales at minutes 70 and 80 are 10 minutes apart (suggested 20-30)"
            ]
        );
    }

    #[test]
    fn gaps_overlaps_and_short_plans_are_named_by_path() {
        let t = task(&smart_home_qa());
        let plan = json!({"sessions": [{"session_index": 0, "duration_minutes": 90, "segments": [
            {"start_minute": 0, "end_minute": 10, "kind": "opening"},
            {"start_minute": 12, "end_minute": 30, "kind": "product", "product_ids": ["prod_001", "prod_002", "prod_003"]},
            {"start_minute": 25, "end_minute": 25, "kind": "flash_sale"},
            {"start_minute": 25, "end_minute": 85, "kind": "product"}
        ]}]});
        assert_eq!(
            error_pairs(&validate(&plan, &t).unwrap_err()),
            [
                (
                    "sessions[0].segments[1].start_minute",
                    "must be 10: a gap after the previous segment, which ends at 10"
                ),
                (
                    "sessions[0].segments[2].start_minute",
                    "must be 30: overlaps the previous segment, which ends at 30"
                ),
                (
                    "sessions[0].segments[2].end_minute",
                    "must be greater than start_minute (25)"
                ),
                (
                    "sessions[0].segments[3].end_minute",
                    "must be 90: the last segment ends the session"
                ),
            ]
        );
    }

    #[test]
    fn every_product_must_appear_in_every_session() {
        let t = task(&smart_home_qa());
        let plan = json!({"sessions": [{"segments": [
            {"start_minute": 0, "end_minute": 10, "kind": "opening"},
            {"start_minute": 10, "end_minute": 80, "kind": "product", "product_ids": ["prod_002", "prod_009"]},
            {"start_minute": 80, "end_minute": 95, "kind": "closing"}
        ]}]});
        assert_eq!(
            error_pairs(&validate(&plan, &t).unwrap_err()),
            [
                (
                    "sessions[0].segments[1].product_ids[1]",
                    "'prod_009' is not a product of the task (its products are prod_001, prod_002, prod_003)"
                ),
                (
                    "sessions[0].segments[2].end_minute",
                    "must be at most 90, the session's duration"
                ),
            ]
        );
        let plan = json!({"sessions": [{"segments": [
            {"start_minute": 0, "end_minute": 10, "kind": "opening"},
            {"start_minute": 10, "end_minute": 80, "kind": "product", "product_ids": ["prod_002"]},
            {"start_minute": 80, "end_minute": 90, "kind": "closing"}
        ]}]});
        assert_eq!(
            error_pairs(&validate(&plan, &t).unwrap_err()),
            [(
                "sessions[0].segments",
                "must feature every product of the task; missing prod_001, prod_003"
            )]
        );
    }

    #[test]
    fn malformed_plans_are_named_by_path() {
        let t = task(&weekly_series());
        let errs = |v: Value| {
            validate(&v, &t)
                .unwrap_err()
                .into_iter()
                .map(|e| format!("{}: {}", e.path, e.message))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            errs(json!([1])),
            [": the plan must be a JSON object {\"sessions\": [...]}"]
        );
        assert_eq!(
            errs(json!({})),
            ["sessions: is required: the plan is {\"sessions\": [{\"segments\": [...]}, ...]}"]
        );
        assert_eq!(
            errs(json!({"sessions": {}})),
            ["sessions: must be a list with one plan per session"]
        );
        let good = serde_json::to_value(propose(&t, Some(12))).unwrap();
        let mut three = good.clone();
        three["sessions"].as_array_mut().unwrap().pop();
        assert_eq!(
            errs(three),
            ["sessions: must have 4 entries, one per session of the task (got 3)"]
        );
        let mut bad = good.clone();
        bad["sessions"][1]["session_index"] = json!(5);
        bad["sessions"][1]["duration_minutes"] = json!(60);
        bad["sessions"][2]["segments"][3]["kind"] = json!("giveaway");
        bad["sessions"][2]["segments"][4]["end_minute"] = json!(-1);
        bad["sessions"][2]["segments"][5]["product_ids"] = json!("product_1");
        bad["sessions"][2]["segments"][6]["title"] = json!(7);
        bad["sessions"][3]["segments"] = json!([]);
        bad["sessions"][0]["segments"][0] = json!("opening");
        assert_eq!(
            errs(bad),
            [
                "sessions[0].segments[0]: must be an object {start_minute, end_minute, kind, title, product_ids, notes}",
                "sessions[1].session_index: must be 1, the position of the session",
                "sessions[1].duration_minutes: must be 120, the session's duration",
                "sessions[2].segments[3].kind: must be one of opening, product, flash_sale, spotlight, closing",
                "sessions[2].segments[4].end_minute: must be a whole number of minutes from the session start",
                "sessions[2].segments[5].product_ids: must be a list of product ids",
                "sessions[2].segments[6].title: must be a string of at most 200 characters",
                "sessions[3].segments: must list at least one segment",
            ]
        );
    }

    #[test]
    fn without_a_live_price_the_flash_sale_slots_are_spotlights() {
        let plan = &propose(&task(&smart_home_qa()), None).sessions[0];
        for s in &plan.segments {
            assert_ne!(s.kind, SegmentKind::FlashSale);
            assert!(!s.title.to_lowercase().contains("flash"), "{s:?}");
        }
        let spotlight = &plan.segments[2];
        assert_eq!(spotlight.title, "Spotlight: Smart Speaker");
        assert_eq!(
            spotlight.notes,
            "5-minute spotlight on Smart Speaker at 299 CNY: recap why it is worth buying and take \
             orders at this price. A flash sale needs a live price: give the product a \
             live_discount_price below its retail_price, or a launch_discount."
        );
        assert_eq!(
            plan.segments[0].notes,
            "Welcome viewers and shout out early arrivals. Overview of today's plan: 3 products \
             (Smart Speaker, Smart Light Bulbs (4-pack), Smart Plug Set). Announce the first \
             spotlight: Smart Speaker at minute 20."
        );
        let closing = plan.segments.last().unwrap();
        assert_eq!(closing.title, "Final spotlight, recap & thank-you");
        assert_eq!(
            closing.notes,
            "Final spotlight on Smart Plug Set; recap the session's products; thank viewers and \
             ask them to follow for the next live."
        );
        assert_eq!(advice(plan), Vec::<String>::new());
        // A live price equal to retail, or a 0% launch discount, is no discount.
        let mut body = smart_home_qa();
        body["live_session_details"]["products"][0]["live_discount_price"] = json!(299);
        body["live_session_details"]["products"][1]["launch_discount"] = json!("0%");
        let plan = &propose(&task(&body), None).sessions[0];
        assert!(
            plan.segments
                .iter()
                .all(|s| s.kind != SegmentKind::FlashSale)
        );
    }

    #[test]
    fn flash_sales_rotate_through_the_discounted_products_only() {
        let mut body = launch_premiere();
        // The serum loses its discount; the cream and the mask keep theirs.
        body["live_session_details"]["products"][0]
            .as_object_mut()
            .unwrap()
            .shift_remove("launch_discount");
        let plan = &propose(&task(&body), None).sessions[0];
        assert_follows_the_seed(
            plan,
            &ids(&["prod_001", "prod_002", "prod_003"]),
            SegmentKind::FlashSale,
        );
        let sold: Vec<&str> = plan
            .segments
            .iter()
            .filter(|s| matches!(s.kind, SegmentKind::FlashSale | SegmentKind::Closing))
            .map(|s| s.product_ids[0].as_str())
            .collect();
        assert_eq!(
            sold,
            [
                "prod_002", "prod_003", "prod_002", "prod_003", "prod_002", "prod_003", "prod_002"
            ]
        );
        let first = plan
            .segments
            .iter()
            .find(|s| s.kind == SegmentKind::FlashSale)
            .unwrap();
        // 249 less 25%.
        assert_eq!(
            first.notes,
            "5-minute flash sale on Retinol Night Cream at 186.75 CNY live (retail 249): on-screen \
             countdown, limited stock, call out orders as they come in."
        );
        // The serum is still presented, at its retail price.
        let serum = plan
            .segments
            .iter()
            .find(|s| s.kind == SegmentKind::Product && s.product_ids == ["prod_001"])
            .unwrap();
        assert!(
            serum.notes.contains("Vitamin C Serum at 199 CNY;"),
            "{}",
            serum.notes
        );
    }

    fn products_json(flash: &[Option<u32>]) -> Value {
        Value::Array(
            flash
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let mut p = json!({"product_id": format!("p{i}"), "retail_price": 10 + i,
                        "name": "x".repeat(i * 20)});
                    // Every third product has a live price below retail.
                    if i % 3 == 2 {
                        p["live_discount_price"] = json!(5 + i);
                    }
                    if let Some(f) = f {
                        p["flash_sale_duration_minutes"] = json!(f);
                    }
                    p
                })
                .collect(),
        )
    }

    proptest! {
        #[test]
        fn every_plan_covers_the_session_and_every_product(
            minutes in 1u32..=720,
            sessions in 1u32..=3,
            flash in proptest::collection::vec(proptest::option::of(1u32..=60), 0..25),
            count in proptest::option::of(1u32..=40),
        ) {
            let mut body = launch_premiere();
            body["live_session_details"] = json!({"duration_minutes": minutes,
                "sessions_count": sessions, "products": products_json(&flash)});
            let t = task(&body);
            let show = propose(&t, count);
            prop_assert_eq!(show.sessions.len(), sessions as usize);
            let wanted: Vec<String> = if flash.is_empty() {
                count.map(placeholders).unwrap_or_default()
            } else {
                (0..flash.len()).map(|i| format!("p{i}")).collect()
            };
            let discounted: Vec<String> = (0..flash.len()).filter(|i| i % 3 == 2).map(|i| format!("p{i}")).collect();
            for plan in &show.sessions {
                let segs = &plan.segments;
                // Flash sales sell discounted products only; without any, spotlights.
                for s in segs {
                    match s.kind {
                        SegmentKind::FlashSale => prop_assert!(discounted.contains(&s.product_ids[0])),
                        SegmentKind::Spotlight => prop_assert!(discounted.is_empty()),
                        _ => {}
                    }
                }
                prop_assert_eq!(segs[0].start_minute, 0);
                prop_assert_eq!(segs.last().unwrap().end_minute, minutes);
                for pair in segs.windows(2) {
                    prop_assert_eq!(pair[0].end_minute, pair[1].start_minute);
                }
                prop_assert!(segs.iter().all(|s| s.start_minute < s.end_minute));
                for p in &wanted {
                    prop_assert!(segs.iter().any(|s| s.kind == SegmentKind::Product && s.product_ids.contains(p)));
                }
                if minutes >= 40 {
                    prop_assert_eq!(segs[0].kind, SegmentKind::Opening);
                    prop_assert_eq!(segs[0].end_minute, 10);
                    prop_assert_eq!(segs.last().unwrap().kind, SegmentKind::Closing);
                    prop_assert_eq!(segs.last().unwrap().start_minute, minutes - 10);
                }
                if minutes >= 40 {
                    prop_assert_eq!(advice(plan), Vec::<String>::new());
                }
            }
            let v = serde_json::to_value(&show).unwrap();
            prop_assert_eq!(validate(&v, &t), Ok(show));
        }
    }
}
