//! The words of a plan: segment titles and the notes that tell the host what
//! to do, cut to the plan's limits.

use chrono::{DateTime, Utc};

use super::inputs::{Item, SessionContext};

/// Cuts `text` to at most `max` characters, ending with "…" when cut.
pub(super) fn clip(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// "A", "A + B", "A + B + C", or "A + 4 more".
pub(super) fn product_title(group: &[&Item]) -> String {
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

pub(super) fn opening_title(cx: &SessionContext, flash: bool) -> String {
    match &cx.session.theme {
        Some(theme) => format!("Welcome: {theme}"),
        None if flash => "Welcome & first flash-sale preview".to_string(),
        None => "Welcome & first spotlight preview".to_string(),
    }
}

pub(super) fn closing_title(cx: &SessionContext, flash: bool) -> String {
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

pub(super) fn opening_notes(
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

pub(super) fn product_notes(group: &[&Item]) -> String {
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

pub(super) fn flash_notes(item: &Item, minutes: u32) -> String {
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
pub(super) fn spotlight_notes(item: &Item, minutes: u32) -> String {
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

pub(super) fn closing_notes(cx: &SessionContext, final_item: &Item, flash: bool) -> String {
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
