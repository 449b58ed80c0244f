//! The built-in profiles: the seed's case study 1 and its three example hosts,
//! with the products each sells.

/// A product on sale in a simulated session, as the seed names it.
#[derive(Clone, Copy, Debug)]
pub struct ProfileProduct {
    /// Product id (`prod_001`, … as the server numbers a task's products).
    pub product_id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Live price in CNY.
    pub price_cny: f64,
}

/// What a simulated session should look like: one of the seed's hosts or its
/// case study. Figures are for a session of `minutes`.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    /// `--profile` name.
    pub name: &'static str,
    /// Where the figures come from.
    pub description: &'static str,
    /// Session length the figures are for.
    pub minutes: u32,
    /// Distinct viewers.
    pub unique_viewers: u32,
    /// Peak concurrent viewers.
    pub peak_viewers: u32,
    /// Average watch time per unique viewer, minutes.
    pub avg_watch_minutes: f64,
    /// Buyers ÷ unique viewers.
    pub conversion_rate: f64,
    /// Orders ÷ buyers.
    pub orders_per_buyer: f64,
    /// GMV in CNY.
    pub gmv_cny: f64,
    /// Minutes between flash sales.
    pub flash_every_minutes: f64,
    /// Share of buyers whose first order is in a flash sale (of those
    /// watching while one runs).
    pub flash_share: f64,
    /// Share of leaving viewers who come back once.
    pub return_rate: f64,
    /// Chat messages per viewer-minute.
    pub chat_rate: f64,
    /// Questions per viewer-minute.
    pub question_rate: f64,
    /// Like events per viewer-minute (each 1 to a few dozen taps).
    pub like_rate: f64,
    /// Shares per viewer-minute.
    pub share_rate: f64,
    /// Gifts per viewer-minute.
    pub gift_rate: f64,
    /// Share of viewers who follow the host.
    pub follow_share: f64,
    /// The products and prices used when the task lists none.
    pub products: &'static [ProfileProduct],
}

const CASE_STUDY_PRODUCTS: &[ProfileProduct] = &[
    ProfileProduct {
        product_id: "prod_001",
        name: "Vitamin C Serum",
        price_cny: 139.30,
    },
    ProfileProduct {
        product_id: "prod_002",
        name: "Retinol Night Cream",
        price_cny: 186.75,
    },
    ProfileProduct {
        product_id: "prod_003",
        name: "Hydrating Face Mask",
        price_cny: 53.40,
    },
];

const CHEN_PRODUCTS: &[ProfileProduct] = &[
    ProfileProduct {
        product_id: "prod_001",
        name: "Velvet Lip Tint Set",
        price_cny: 59.00,
    },
    ProfileProduct {
        product_id: "prod_002",
        name: "Silk Scarf",
        price_cny: 99.00,
    },
    ProfileProduct {
        product_id: "prod_003",
        name: "Hydrating Toner",
        price_cny: 69.00,
    },
    ProfileProduct {
        product_id: "prod_004",
        name: "LED Ring Light",
        price_cny: 49.00,
    },
];

const LIU_PRODUCTS: &[ProfileProduct] = &[
    ProfileProduct {
        product_id: "prod_001",
        name: "Ceramide Barrier Cream",
        price_cny: 168.00,
    },
    ProfileProduct {
        product_id: "prod_002",
        name: "Snail Mucin Essence",
        price_cny: 129.00,
    },
    ProfileProduct {
        product_id: "prod_003",
        name: "Mineral Sunscreen SPF50",
        price_cny: 99.00,
    },
    ProfileProduct {
        product_id: "prod_004",
        name: "Cleansing Balm",
        price_cny: 119.00,
    },
];

const ZHANG_PRODUCTS: &[ProfileProduct] = &[
    ProfileProduct {
        product_id: "prod_001",
        name: "Bamboo Paper Towels (12 rolls)",
        price_cny: 39.90,
    },
    ProfileProduct {
        product_id: "prod_002",
        name: "Stainless Steel Pan",
        price_cny: 89.00,
    },
    ProfileProduct {
        product_id: "prod_003",
        name: "65W Fast Charger",
        price_cny: 29.90,
    },
    ProfileProduct {
        product_id: "prod_004",
        name: "Canvas Sneakers",
        price_cny: 159.00,
    },
    ProfileProduct {
        product_id: "prod_005",
        name: "Stackable Storage Boxes",
        price_cny: 49.00,
    },
];

/// The built-in profiles, `--profile` names first.
pub const PROFILES: [Profile; 4] = [
    Profile {
        name: "case-study-1",
        description: "the seed's case study 1: a 3-hour skincare launch, peak 3,800, 12,500 unique viewers, 26 min average watch, 1,247 orders, GMV 247,000 CNY, flash sales every 30 minutes",
        minutes: 180,
        unique_viewers: 12_500,
        peak_viewers: 3_800,
        avg_watch_minutes: 26.0,
        conversion_rate: 0.0998,
        orders_per_buyer: 1.0,
        gmv_cny: 247_000.0,
        flash_every_minutes: 30.0,
        flash_share: 0.35,
        return_rate: 0.12,
        chat_rate: 0.03,
        question_rate: 0.005,
        like_rate: 0.08,
        share_rate: 0.002,
        gift_rate: 0.001,
        follow_share: 0.03,
        products: CASE_STUDY_PRODUCTS,
    },
    Profile {
        name: "live-queen-chen",
        description: "Live Queen Chen (seed example 1): 3 hours, 2,500 average live viewers, peak 4,200 (her recent session), 28 min average watch, 6.5 % conversion, 85,000 CNY GMV",
        minutes: 180,
        unique_viewers: 16_000,
        peak_viewers: 4_200,
        avg_watch_minutes: 28.0,
        conversion_rate: 0.065,
        orders_per_buyer: 1.1,
        gmv_cny: 85_000.0,
        flash_every_minutes: 30.0,
        flash_share: 0.35,
        return_rate: 0.15,
        chat_rate: 0.04,
        question_rate: 0.004,
        like_rate: 0.1,
        share_rate: 0.003,
        gift_rate: 0.002,
        follow_share: 0.04,
        products: CHEN_PRODUCTS,
    },
    Profile {
        name: "skincare-expert-liu",
        description: "Skincare Expert Liu (seed example 2): 2 hours, 1,200 average live viewers, 32 min average watch, 5.8 % conversion, 45,000 CNY GMV, many returning viewers",
        minutes: 120,
        unique_viewers: 4_500,
        peak_viewers: 2_500,
        avg_watch_minutes: 32.0,
        conversion_rate: 0.058,
        orders_per_buyer: 1.3,
        gmv_cny: 45_000.0,
        flash_every_minutes: 30.0,
        flash_share: 0.25,
        return_rate: 0.25,
        chat_rate: 0.03,
        question_rate: 0.01,
        like_rate: 0.06,
        share_rate: 0.002,
        gift_rate: 0.001,
        follow_share: 0.05,
        products: LIU_PRODUCTS,
    },
    Profile {
        name: "flash-sale-king-zhang",
        description: "Flash Sale King Zhang (seed example 3): 2 hours, 5,000 average live viewers, 22 min average watch, 7.8 % conversion, 180,000 CNY GMV, a flash sale every 20 minutes",
        minutes: 120,
        unique_viewers: 27_000,
        peak_viewers: 10_500,
        avg_watch_minutes: 22.0,
        conversion_rate: 0.078,
        orders_per_buyer: 1.1,
        gmv_cny: 180_000.0,
        flash_every_minutes: 20.0,
        flash_share: 0.55,
        return_rate: 0.1,
        chat_rate: 0.03,
        question_rate: 0.003,
        like_rate: 0.1,
        share_rate: 0.003,
        gift_rate: 0.001,
        follow_share: 0.02,
        products: ZHANG_PRODUCTS,
    },
];

/// The profile called `name`.
pub fn profile(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}
