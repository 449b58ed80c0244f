//! The seed's tasks as the run-of-show tests use them: Getting Started and
//! Workflows 1–3.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::task::TaskDraft;

pub(super) fn task(body: &Value) -> TaskDraft {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    TaskDraft::parse(body, now).unwrap()
}

/// Getting Started step 3: 2 hours, `products_count` 8, no product list.
pub(super) fn getting_started() -> Value {
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
pub(super) fn launch_premiere() -> Value {
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
pub(super) fn weekly_series() -> Value {
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
pub(super) fn smart_home_qa() -> Value {
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
