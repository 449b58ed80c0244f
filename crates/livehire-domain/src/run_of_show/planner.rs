//! The planner: a proposed run of show for every session of a task, laid out
//! as the [module docs](super) describe.

use serde_json::Value;

use super::inputs::{Item, SessionContext};
use super::wording::{
    clip, closing_notes, closing_title, flash_notes, opening_notes, opening_title, product_notes,
    product_title, spotlight_notes,
};
use super::{
    CLOSING_MINUTES, DEFAULT_FLASH_SALE_MINUTES, FLASH_SALE_SPACING, MAX_NOTES_CHARS,
    MAX_PLACEHOLDER_PRODUCTS, MAX_TITLE_CHARS, OPENING_MINUTES, PRODUCT_SEGMENT_MINUTES,
};
use super::{RunOfShow, Segment, SegmentKind, SessionPlanOfShow};
use crate::task::TaskDraft;

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

#[cfg(test)]
#[path = "planner_tests.rs"]
mod tests;
