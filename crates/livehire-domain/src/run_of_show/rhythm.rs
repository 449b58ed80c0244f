//! The rhythm of a plan's offers: where its flash sales (or spotlights) start,
//! and advice when their spacing strays from the seed's 20–30 minutes.

use super::{FLASH_SALE_SPACING, SegmentKind, SessionPlanOfShow};

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

/// Advisory remarks on a session plan that [`validate`](super::validate) does not enforce: flash
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
