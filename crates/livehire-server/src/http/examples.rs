//! Request examples for the OpenAPI document, taken from the seed
//! (`shared/seed/tiktok-live-commerce-skill.md`) with its 2026 dates moved
//! ten years ahead, as the test fixtures are. `tests/api/openapi.rs` reads
//! them back from the served document and posts each one along the seed's
//! Getting Started workflow, so an example the server would refuse fails a
//! test.

use serde_json::Value;

/// Parses an example written as the seed writes it, so amounts keep their
/// text (`1500.00`). The texts are constant; a test posts every one.
fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// `POST /api/v1/agents/register`.
pub fn agent_registration() -> Value {
    parse(
        r#"{
        "name": "Glow Beauty launch agent",
        "description": "Hires TikTok live-shopping hosts for a beauty brand's launches and flash sales",
        "contact_email": "live-commerce@glowbeauty.example"
    }"#,
    )
}

/// `POST /api/v1/humans/register`: the seed's Example 1 host, without the
/// fields the server keeps itself, with the seed's skill names.
pub fn host_registration() -> Value {
    parse(
        r#"{
        "name": "Live Queen Chen",
        "avatar_url": "https://cdn.pinghuman.ai/avatars/tiktok_live_001.jpg",
        "platform": "tiktok",
        "tiktok_handle": "@livequeenchen",
        "host_type": "professional_live_seller",
        "skills": ["live_streaming", "sales_presentation", "product_demonstration", "audience_engagement"],
        "compensation_range": {"min": 2000, "max": 10000, "currency": "CNY", "pricing_model": "base_plus_commission"},
        "follower_stats": {"followers": 180000, "avg_live_viewers": 2500, "peak_concurrent_viewers": 8000},
        "live_commerce_metrics": {
            "avg_gmv_per_session": 85000,
            "avg_conversion_rate": 0.065,
            "avg_watch_time_minutes": 28,
            "repeat_viewer_rate": 0.42,
            "total_sessions_hosted": 156,
            "total_lifetime_gmv": "9,800,000 CNY"
        },
        "product_expertise": ["Beauty & skincare", "Fashion accessories", "Home goods", "Electronics"],
        "hosting_specialties": [
            "High-energy sales presentations",
            "Real-time audience interaction",
            "Flash sale announcements",
            "Product demonstrations",
            "Persuasive storytelling"
        ],
        "technical_setup": {
            "streaming_quality": "Professional HD setup",
            "equipment": "DSLR camera, ring light, lapel mic",
            "internet": "100 Mbps fiber",
            "studio": "Dedicated live streaming room"
        },
        "recent_sessions": [{
            "date": "2036-02-10",
            "duration": "3 hours",
            "products_sold": 847,
            "gmv": 127000,
            "peak_viewers": 4200,
            "conversion_rate": 0.071
        }],
        "badges": ["top_live_seller", "tiktok_shop_verified", "million_gmv_club"],
        "bio": "Professional TikTok Live host with 180K followers. 9.8M CNY lifetime sales. Specializing in beauty and fashion live shopping with average 85K GMV per session. Engaging, energetic host who converts viewers into buyers."
    }"#,
    )
}

/// `POST /api/v1/admin/humans/{human_id}/verification`: the operator
/// confirms Example 1's shop and badges.
pub fn verification() -> Value {
    parse(
        r#"{"tiktok_shop_verified": true, "badges": ["top_live_seller", "tiktok_shop_verified", "million_gmv_club"]}"#,
    )
}

/// `POST /api/v1/tasks`: the seed's Getting Started step 3 body.
pub fn task() -> Value {
    parse(
        r#"{
        "title": "Live shopping session: Beauty products flash sale",
        "description": "Host a 2-hour TikTok Live session showcasing our beauty product line. Demonstrate products, answer viewer questions, offer exclusive flash deals, and drive sales through TikTok Shop. Engaging, energetic presentation style required.",
        "category": "tiktok_live_commerce",
        "platform": "tiktok",
        "compensation": 1500.00,
        "currency": "CNY",
        "deadline": "2036-03-10T20:00:00Z",
        "requirements": {
            "skills": ["live_streaming", "sales_presentation", "product_demonstration", "audience_engagement"],
            "min_followers": 20000,
            "min_avg_live_viewers": 500,
            "live_commerce_experience": true,
            "tiktok_shop_verified": true
        },
        "live_session_details": {
            "duration_hours": 2,
            "scheduled_time": "2036-03-15T19:00:00Z",
            "products_count": 8,
            "expected_viewers": 1000,
            "session_format": "product_showcase_with_flash_sales"
        },
        "deliverables": {
            "session_duration": "2 hours minimum",
            "must_include": [
                "Product demonstrations for all 8 items",
                "Real-time Q&A with viewers",
                "Flash sale announcements",
                "TikTok Shop integration",
                "Engaging host commentary"
            ],
            "technical_requirements": {
                "video_quality": "1080p HD",
                "stable_internet": "50+ Mbps",
                "professional_lighting": "required",
                "clear_audio": "lapel or shotgun mic"
            }
        },
        "commission_structure": {
            "base_payment": 1500.00,
            "commission_rate": 0.08,
            "performance_bonuses": {"50k_gmv": 800.00, "100k_gmv": 2000.00, "200k_gmv": 5000.00}
        }
    }"#,
    )
}

/// `POST /api/v1/wallet/deposits`: enough for the task's base and the
/// seed's tip.
pub fn deposit() -> Value {
    parse(r#"{"amount": 10000.00, "currency": "CNY", "reference": "bank-transfer-2036-03-01"}"#)
}

/// `POST /api/v1/tasks/{task_id}/invitations`.
pub fn invitation() -> Value {
    parse(r#"{"human_id": "ph_profile_tiktok_live_001"}"#)
}

/// `POST /api/v1/tasks/{task_id}/applications`.
pub fn application() -> Value {
    parse(
        r#"{
        "pitch": "180K followers and 85K CNY average GMV per session; beauty and fashion live shopping is my specialty.",
        "proposed_compensation": 2000.00
    }"#,
    )
}

/// `POST /api/v1/tasks/{task_id}/assign`: at the task's own base.
pub fn assignment() -> Value {
    parse(r#"{"human_id": "ph_profile_tiktok_live_001", "accept_proposed_compensation": false}"#)
}

/// `POST /api/v1/tasks/{task_id}/messages`: the seed's Workflow 1 message.
pub fn message() -> Value {
    parse(
        r#"{
        "text": "Hi! Excited for the launch event! Here are the teaser talking points for the 3 pre-event videos:\n\nDay -5: \"Big skincare launch coming! Mark your calendars for March 25, 7pm.\"\nDay -3: \"Sneak peek at the products + exclusive discount codes for live viewers only!\"\nDay -1: \"Tomorrow is the day! Setting up the studio now. See you at 7pm for exclusive launch deals!\"\n\nLet me know if you need product samples or additional materials!"
    }"#,
    )
}

/// `POST /api/v1/sessions/{session_id}/events`: the first seconds of the
/// Getting Started session.
pub fn events() -> Value {
    parse(
        r#"[
        {"type": "viewer_join", "ts": "2036-03-15T19:00:05Z", "viewer_id": "viewer_1024"},
        {"type": "viewer_count", "ts": "2036-03-15T19:00:10Z", "count": 1000},
        {"type": "question", "ts": "2036-03-15T19:01:00Z", "viewer_id": "viewer_1024", "text": "Is the serum good for sensitive skin?", "msg_id": "m1"},
        {"type": "question_answered", "ts": "2036-03-15T19:01:30Z", "msg_id": "m1"},
        {"type": "product_pin", "ts": "2036-03-15T19:02:00Z", "product_id": "prod_001"},
        {"type": "order", "ts": "2036-03-15T19:03:00Z", "order_id": "ord_5001", "viewer_id": "viewer_1024", "product_id": "prod_001", "quantity": 1, "amount": 199.00}
    ]"#,
    )
}

/// The same events as NDJSON, one per line.
pub fn events_ndjson() -> String {
    match events() {
        Value::Array(events) => events.iter().map(|e| format!("{e}\n")).collect(),
        _ => String::new(),
    }
}

/// `POST /api/v1/sessions/{session_id}/flash-sales`: the seed's API
/// reference product at its live discount price.
pub fn flash_sale() -> Value {
    parse(
        r#"{"product_id": "prod_001", "price": 199.00, "stock": 100, "duration_minutes": 15, "per_buyer_limit": 2}"#,
    )
}

/// `POST /api/v1/flash-sales/{flash_sale_id}/orders`.
pub fn order() -> Value {
    parse(r#"{"buyer_id": "viewer_1024", "quantity": 2}"#)
}

/// `POST /api/v1/tasks/{task_id}/submission`: what the seed's Workflow 1
/// says a host provides after the session.
pub fn submission() -> Value {
    parse(
        r#"{
        "recording_url": "https://videos.example/livequeenchen/2036-03-15.mp4",
        "highlight_reel_url": "https://videos.example/livequeenchen/2036-03-15-highlights.mp4",
        "gmv_report": {"total_gmv": 127000, "orders": 847, "currency": "CNY"},
        "viewer_analytics": {"peak_viewers": 4200, "unique_viewers": 12000, "avg_watch_time_minutes": 28, "engagement_rate": 0.42},
        "top_products": [{"product_id": "prod_001", "units": 312, "gmv": 62088}]
    }"#,
    )
}

/// `POST /api/v1/tasks/{task_id}/approve`: pay on the figures this server
/// verified (the default; an empty body does the same).
pub fn approval() -> Value {
    parse(r#"{"figures": "verified"}"#)
}

/// `POST /api/v1/tasks/{task_id}/rate`: the seed's Workflow 1 rating.
pub fn rating() -> Value {
    parse(
        r#"{
        "overall_rating": 5,
        "review_text": "Incredible launch event! 245K GMV in 3 hours. Professional, engaging, and highly effective. Will definitely work together again!",
        "tip_amount": 8000.00
    }"#,
    )
}

/// `POST /api/v1/integrations/tiktok-shop`.
pub fn tiktok_shop() -> Value {
    parse(
        r#"{
        "shop_id": "7494049642642441621",
        "app_key": "6abcdefghij12",
        "app_secret": "replace-with-the-app-secret",
        "access_token": "replace-with-the-shop-access-token"
    }"#,
    )
}
