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

use std::sync::LazyLock;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

/// The seed's three host profiles plus the added search fields, as JSON text.
const SEED_HOSTS_JSON: &str = include_str!("hosts/seed_hosts.json");

static SEED_HOSTS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    // Invariant: hosts/seed_hosts.json is a JSON array checked in with this file
    // and parsed by the unit tests below, so it cannot fail at run time.
    serde_json::from_str(SEED_HOSTS_JSON).expect("hosts/seed_hosts.json is a valid JSON array")
});

/// The seed document's three host profiles, in order: "Live Queen Chen"
/// (`ph_profile_tiktok_live_001`), "Skincare Expert Liu"
/// (`ph_profile_tiktok_live_002`) and "Flash Sale King Zhang"
/// (`ph_profile_tiktok_live_003`).
///
/// Every field of the seed is kept exactly (Example 2's broken bracket is
/// repaired). Added so the hosts are findable by search: `skills`, `niches`,
/// `tiktok_shop_verified` (true), `live_commerce_experience` (true), `time_zone`
/// (`Asia/Shanghai`), and for Liu / Zhang `rating` (4.8 / 4.7) and
/// `completion_count` (41 / 112), which the seed omits.
pub fn seed_hosts() -> Vec<Value> {
    SEED_HOSTS.clone()
}

// ---------------------------------------------------------------------------
// Static tables
// ---------------------------------------------------------------------------

/// A market a generated host works in.
struct Region {
    time_zone: &'static str,
    currency: &'static str,
    /// Units of `currency` per 1 CNY (fixed demo rate).
    per_cny: f64,
    /// Relative share of generated hosts.
    weight: u32,
    /// Names combined with a stage-style prefix ("Live Queen Chen").
    names: &'static [&'static str],
    /// Language pair used by bilingual hosts.
    languages: &'static str,
    /// Share of hosts in this market who host bilingually.
    bilingual_rate: f64,
}

const CHINESE_FAMILY: &[&str] = &[
    "Chen", "Liu", "Zhang", "Wang", "Li", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma", "Lin",
    "He", "Guo", "Luo", "Gao", "Zheng", "Liang", "Xie", "Tang", "Han", "Feng", "Deng", "Cao",
    "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai", "Jiang", "Yu", "Du", "Ye",
    "Cheng", "Wei", "Su", "Lu", "Ding", "Ren", "Shen", "Yao", "Qian", "Fang", "Bai",
];
const SINGAPORE_NAMES: &[&str] = &[
    "Tan", "Lim", "Ng", "Goh", "Lee", "Ong", "Teo", "Chua", "Koh", "Aisha", "Priya", "Rajan",
    "Farhan", "Mei", "Jasmine", "Ethan",
];
const INDONESIA_NAMES: &[&str] = &[
    "Putri", "Dewi", "Sari", "Rina", "Ayu", "Budi", "Rizky", "Intan", "Siti", "Fajar", "Wulan",
    "Dimas", "Nabila", "Bayu", "Citra", "Agus",
];
const THAI_NAMES: &[&str] = &[
    "Ploy", "Mint", "Fah", "Nam", "Pim", "Aom", "Bee", "Nok", "Beam", "Ice", "Gift", "Praew",
    "Toon", "Kwan", "Som", "Jaa",
];
const FILIPINO_NAMES: &[&str] = &[
    "Santos",
    "Reyes",
    "Cruz",
    "Bautista",
    "Garcia",
    "Mendoza",
    "Ramos",
    "Aquino",
    "Villanueva",
    "Castillo",
    "Flores",
    "Navarro",
    "Bea",
    "Kim",
    "Joy",
    "Migs",
];
const MALAYSIA_NAMES: &[&str] = &[
    "Aisyah", "Farah", "Nurul", "Tan", "Lim", "Wong", "Hafiz", "Amir", "Mei", "Suresh", "Siti",
    "Izzah", "Chong", "Kavitha", "Hana", "Zul",
];
const VIETNAM_NAMES: &[&str] = &[
    "Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do", "Ngo", "Linh", "Trang",
    "Mai", "Huong", "Minh", "Thao",
];
const UK_NAMES: &[&str] = &[
    "Emma",
    "Sophie",
    "Olivia",
    "Amelia",
    "Jess",
    "Charlotte",
    "Harry",
    "Oliver",
    "Priya",
    "Chloe",
    "Freya",
    "Aaliyah",
    "Callum",
    "Isla",
    "Zara",
    "Leo",
];
const US_NAMES: &[&str] = &[
    "Madison", "Ashley", "Taylor", "Jordan", "Kayla", "Brianna", "Tyler", "Maya", "Sofia",
    "Destiny", "Marcus", "Jasmine", "Camila", "Tiana", "Brooke", "Diego", "Nina", "Andre",
];

/// Markets; weights sum to 100. Every market quotes in CNY, the seed's
/// currency, so that GMV and rate figures sort like with like across hosts.
const REGIONS: &[Region] = &[
    Region {
        time_zone: "Asia/Shanghai",
        currency: "CNY",
        per_cny: 1.0,
        weight: 50,
        names: CHINESE_FAMILY,
        languages: "Mandarin + English",
        bilingual_rate: 0.08,
    },
    Region {
        time_zone: "Asia/Singapore",
        currency: "CNY",
        per_cny: 1.0,
        weight: 6,
        names: SINGAPORE_NAMES,
        languages: "English + Mandarin",
        bilingual_rate: 0.55,
    },
    Region {
        time_zone: "Asia/Jakarta",
        currency: "CNY",
        per_cny: 1.0,
        weight: 8,
        names: INDONESIA_NAMES,
        languages: "Bahasa Indonesia + English",
        bilingual_rate: 0.25,
    },
    Region {
        time_zone: "Asia/Bangkok",
        currency: "CNY",
        per_cny: 1.0,
        weight: 6,
        names: THAI_NAMES,
        languages: "Thai + English",
        bilingual_rate: 0.2,
    },
    Region {
        time_zone: "Asia/Manila",
        currency: "CNY",
        per_cny: 1.0,
        weight: 6,
        names: FILIPINO_NAMES,
        languages: "Filipino + English",
        bilingual_rate: 0.5,
    },
    Region {
        time_zone: "Asia/Kuala_Lumpur",
        currency: "CNY",
        per_cny: 1.0,
        weight: 5,
        names: MALAYSIA_NAMES,
        languages: "Malay + English",
        bilingual_rate: 0.45,
    },
    Region {
        time_zone: "Asia/Ho_Chi_Minh",
        currency: "CNY",
        per_cny: 1.0,
        weight: 5,
        names: VIETNAM_NAMES,
        languages: "Vietnamese + English",
        bilingual_rate: 0.2,
    },
    Region {
        time_zone: "Europe/London",
        currency: "CNY",
        per_cny: 1.0,
        weight: 5,
        names: UK_NAMES,
        languages: "English + Hindi",
        bilingual_rate: 0.1,
    },
    Region {
        time_zone: "America/Los_Angeles",
        currency: "CNY",
        per_cny: 1.0,
        weight: 5,
        names: US_NAMES,
        languages: "English + Spanish",
        bilingual_rate: 0.3,
    },
    Region {
        time_zone: "America/New_York",
        currency: "CNY",
        per_cny: 1.0,
        weight: 4,
        names: US_NAMES,
        languages: "English + Spanish",
        bilingual_rate: 0.2,
    },
];

/// A product niche and what goes with it.
struct Niche {
    key: &'static str,
    /// Words used in bios ("home goods").
    label: &'static str,
    /// Relative frequency as a host's main niche.
    weight: u32,
    /// Average order value range in CNY.
    aov_cny: (f64, f64),
    /// `product_expertise` phrases.
    phrases: &'static [&'static str],
    /// Niches a host of this niche often also sells.
    related: &'static [&'static str],
    /// Stage-name prefixes.
    prefixes: &'static [&'static str],
    /// Niche-specific `hosting_specialties`.
    specialties: &'static [&'static str],
}

const NICHES: &[Niche] = &[
    Niche {
        key: "beauty",
        label: "beauty",
        weight: 16,
        aov_cny: (80.0, 220.0),
        phrases: &[
            "Beauty & skincare",
            "Makeup & cosmetics",
            "Color cosmetics",
            "Beauty tools",
        ],
        related: &["skincare", "fashion", "jewelry"],
        prefixes: &["Beauty Boss", "Glam Queen", "Makeup Maven", "Beauty Bestie"],
        specialties: &[
            "Live makeup tutorials",
            "Shade matching on camera",
            "Before/after case studies",
        ],
    },
    Niche {
        key: "skincare",
        label: "skincare",
        weight: 10,
        aov_cny: (90.0, 250.0),
        phrases: &[
            "Skincare products",
            "K-beauty",
            "Anti-aging treatments",
            "Clean beauty",
            "Sunscreen & SPF",
        ],
        related: &["beauty", "daily_necessities", "fitness"],
        prefixes: &[
            "Skincare Expert",
            "Glow Guru",
            "Glow Coach",
            "Skin Care Sister",
        ],
        specialties: &[
            "Detailed ingredient breakdowns",
            "Skin type consultations during live",
            "Before/after case studies",
        ],
    },
    Niche {
        key: "fashion",
        label: "fashion",
        weight: 14,
        aov_cny: (70.0, 200.0),
        phrases: &[
            "Fashion accessories",
            "Women's fashion",
            "Streetwear",
            "Fashion deals",
            "Bags & shoes",
        ],
        related: &["beauty", "jewelry", "fitness", "outdoor"],
        prefixes: &["Style Queen", "Style Icon", "Outfit Master", "Fashion Fix"],
        specialties: &[
            "Live try-on hauls",
            "Outfit styling tips",
            "Size and fit guidance",
        ],
    },
    Niche {
        key: "electronics",
        label: "electronics",
        weight: 7,
        aov_cny: (120.0, 250.0),
        phrases: &[
            "Electronics",
            "Phone accessories",
            "Audio & headphones",
            "Small appliances",
        ],
        related: &["tech", "gadgets", "smart_home"],
        prefixes: &["Gadget Pro", "Tech Deals", "Gadget Guru", "Unbox King"],
        specialties: &[
            "Unboxing and spec comparisons",
            "Side-by-side product tests",
        ],
    },
    Niche {
        key: "home_goods",
        label: "home goods",
        weight: 9,
        aov_cny: (60.0, 160.0),
        phrases: &["Home goods", "Home essentials", "Kitchenware", "Home decor"],
        related: &["daily_necessities", "smart_home", "food", "baby", "pets"],
        prefixes: &["Home Haul", "Cozy Home", "Home Deals Queen", "Kitchen Hero"],
        specialties: &["Room makeover demos", "Kitchen gadget demonstrations"],
    },
    Niche {
        key: "food",
        label: "food",
        weight: 8,
        aov_cny: (60.0, 110.0),
        phrases: &[
            "Snacks & treats",
            "Specialty foods",
            "Tea & coffee",
            "Healthy snacks",
        ],
        related: &["daily_necessities", "home_goods", "fitness"],
        prefixes: &["Snack King", "Foodie", "Tasty Deals", "Snack Queen"],
        specialties: &[
            "Live tasting and cooking demos",
            "Origin stories of specialty foods",
        ],
    },
    Niche {
        key: "tech",
        label: "tech",
        weight: 4,
        aov_cny: (150.0, 250.0),
        phrases: &["Consumer tech", "Laptops & tablets", "PC peripherals"],
        related: &["electronics", "gadgets", "smart_home"],
        prefixes: &["Tech Deals", "Tech Talk", "Gadget Guru", "Tech Pro"],
        specialties: &[
            "Unboxing and spec comparisons",
            "Hands-on setup walkthroughs",
        ],
    },
    Niche {
        key: "smart_home",
        label: "smart home",
        weight: 3,
        aov_cny: (140.0, 250.0),
        phrases: &["Smart home devices", "Home automation", "Robot vacuums"],
        related: &["electronics", "home_goods", "tech", "gadgets"],
        prefixes: &["Smart Home Pro", "Smart Living", "Gadget Guru"],
        specialties: &["Hands-on setup walkthroughs", "App pairing demos"],
    },
    Niche {
        key: "gadgets",
        label: "gadgets",
        weight: 5,
        aov_cny: (80.0, 180.0),
        phrases: &["Gadgets", "Everyday gadgets", "Viral gadgets"],
        related: &["electronics", "tech", "smart_home", "outdoor"],
        prefixes: &["Gadget Pro", "Gadget Guru", "Cool Finds", "Unbox King"],
        specialties: &["Rapid-fire gadget demos", "Unboxing and first impressions"],
    },
    Niche {
        key: "consumer_goods",
        label: "consumer goods",
        weight: 6,
        aov_cny: (60.0, 120.0),
        phrases: &["Consumer goods", "Household brands", "Value packs"],
        related: &["daily_necessities", "home_goods", "food"],
        prefixes: &["Deal Hunter", "Bargain Queen", "Deal Master", "Daily Deals"],
        specialties: &["Multi-product bundling", "Value comparisons"],
    },
    Niche {
        key: "daily_necessities",
        label: "daily necessities",
        weight: 5,
        aov_cny: (60.0, 100.0),
        phrases: &["Daily necessities", "Personal care", "Cleaning supplies"],
        related: &["consumer_goods", "home_goods", "baby"],
        prefixes: &["Daily Deals", "Bargain Queen", "Deal Hunter", "Stock Up"],
        specialties: &["Multi-product bundling", "Stock-up deal breakdowns"],
    },
    Niche {
        key: "jewelry",
        label: "jewelry",
        weight: 4,
        aov_cny: (120.0, 250.0),
        phrases: &[
            "Jewelry",
            "Fine jewelry",
            "Fashion jewelry",
            "Jade & pearls",
        ],
        related: &["fashion", "beauty"],
        prefixes: &["Sparkle Queen", "Jewel Box", "Gem Hunter"],
        specialties: &["Close-up sparkle demos", "Styling and layering tips"],
    },
    Niche {
        key: "fitness",
        label: "fitness",
        weight: 4,
        aov_cny: (70.0, 200.0),
        phrases: &["Fitness gear", "Activewear", "Sports nutrition"],
        related: &["outdoor", "food", "fashion"],
        prefixes: &["Fit Coach", "Gym Deals", "Fit Life"],
        specialties: &["Workout demos with gear", "Activewear try-ons"],
    },
    Niche {
        key: "baby",
        label: "baby",
        weight: 3,
        aov_cny: (70.0, 180.0),
        phrases: &["Baby products", "Mother & baby care", "Kids' toys"],
        related: &["home_goods", "daily_necessities", "food"],
        prefixes: &["Mommy Picks", "Baby Deals", "Super Mom", "Daddy Deals"],
        specialties: &[
            "Parent-to-parent product reviews",
            "Safety feature walkthroughs",
        ],
    },
    Niche {
        key: "pets",
        label: "pet",
        weight: 3,
        aov_cny: (60.0, 150.0),
        phrases: &["Pet supplies", "Pet food & treats", "Pet accessories"],
        related: &["home_goods", "daily_necessities", "outdoor"],
        prefixes: &["Pet Pal", "Paw Deals", "Cat Mom", "Dog Dad"],
        specialties: &["Live demos with pets", "Pet nutrition Q&A"],
    },
    Niche {
        key: "outdoor",
        label: "outdoor",
        weight: 3,
        aov_cny: (90.0, 250.0),
        phrases: &["Outdoor gear", "Camping equipment", "Travel accessories"],
        related: &["fitness", "gadgets", "fashion"],
        prefixes: &["Trail Gear", "Outdoor Pro", "Camp Queen"],
        specialties: &["Gear field tests", "Packing list walkthroughs"],
    },
];

/// Main niches favoured by high-volume flash-sale sellers.
const HIGH_VOLUME_NICHES: &[&str] = &[
    "consumer_goods",
    "daily_necessities",
    "home_goods",
    "fashion",
    "food",
];

/// Every skill a generated host can list, in the order they are listed.
const SKILLS: &[&str] = &[
    "live_streaming",
    "sales_presentation",
    "product_demonstration",
    "audience_engagement",
    "product_education",
    "flash_sales",
    "audience_building",
    "skincare_expertise",
    "tech_expertise",
    "educational_content",
    "storytelling",
    "bilingual_hosting",
];

const GENERAL_SPECIALTIES: &[&str] = &[
    "Real-time audience interaction",
    "Product demonstrations",
    "High-energy sales presentations",
    "Persuasive storytelling",
    "Live Q&A with viewers",
    "Engaging host commentary",
];
const FLASH_SPECIALTIES: &[&str] = &[
    "Flash sale announcements",
    "Countdown urgency creation",
    "Limited stock announcements",
    "Fast-paced product rotation",
];
const BUILDING_SPECIALTIES: &[&str] = &[
    "Community building and fan clubs",
    "Consistent weekly live schedule",
];

const TYPE_PREFIXES_HIGH_VOLUME: &[&str] = &[
    "Flash Sale King",
    "Flash Sale Queen",
    "Deal Master",
    "Bargain King",
    "Live Queen",
];
const TYPE_PREFIXES_PRO: &[&str] = &["Live Queen", "Live King", "Live Pro", "Shop Live"];

/// Closing bio sentences for hosts with live-commerce experience.
const STYLE_SENTENCES: &[&str] = &[
    "Engaging, energetic host who converts viewers into buyers.",
    "Fast-paced, energetic hosting style.",
    "Known for honest reviews and a loyal community.",
    "Calm, knowledgeable presenter who answers every question live.",
    "Warm, funny and relatable on camera.",
    "Turns every product into a story viewers want to be part of.",
];
/// Closing bio sentences for hosts new to live commerce (no sales claims).
const NEW_HOST_SENTENCES: &[&str] = &[
    "Known for honest reviews and a loyal community.",
    "Warm, funny and relatable on camera.",
    "Loves chatting with viewers in real time.",
    "Turns every product into a story viewers want to be part of.",
    "Calm, clear presenter who explains products simply.",
];

/// `technical_setup` parts per tier (0 phone, 1 home studio, 2 professional).
const QUALITY: [&[&str]; 3] = [
    &["Mobile HD", "Smartphone 1080p"],
    &["HD", "Professional"],
    &["Professional HD setup", "Professional 1080p multi-camera"],
];
const EQUIPMENT: [&[&str]; 3] = [
    &[
        "Smartphone on tripod, ring light, clip-on mic",
        "Smartphone gimbal, LED panel, wireless lavalier",
    ],
    &[
        "Ring light, HD webcam, studio mic",
        "Mirrorless camera, softbox lights, lapel mic",
    ],
    &[
        "DSLR camera, ring light, lapel mic",
        "Cinema camera, 3-point lighting, shotgun mic, hardware encoder",
    ],
];
const INTERNET: [&[&str]; 3] = [
    &[
        "30 Mbps broadband",
        "50 Mbps broadband",
        "5G mobile hotspot",
    ],
    &["100 Mbps broadband", "200 Mbps fiber"],
    &["100 Mbps fiber", "500 Mbps fiber", "1 Gbps fiber"],
];
const STUDIO: [&[&str]; 3] = [
    &[
        "Home setup with backdrop",
        "Bedroom corner with product shelf",
    ],
    &["Converted home studio", "Clean minimalist studio corner"],
    &[
        "Dedicated live streaming room",
        "Rented commerce studio with product wall",
    ],
];

// ---------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum HostType {
    Professional,
    NicheSpecialist,
    HighVolume,
    RisingCreator,
    BrandAmbassador,
}

impl HostType {
    fn as_str(self) -> &'static str {
        match self {
            HostType::Professional => "professional_live_seller",
            HostType::NicheSpecialist => "niche_specialist",
            HostType::HighVolume => "high_volume_seller",
            HostType::RisingCreator => "rising_creator",
            HostType::BrandAmbassador => "brand_ambassador",
        }
    }
}

/// Demo exchange rate: units of `currency` per 1 CNY, for the currencies used
/// by [`generated_host`] (`None` for any other currency).
pub fn cny_rate(currency: &str) -> Option<f64> {
    REGIONS
        .iter()
        .find(|r| r.currency == currency)
        .map(|r| r.per_cny)
}

/// Synthetic host profile number `index`, in the shape of the seed's examples.
///
/// Deterministic: the same index always gives byte-identical JSON. The
/// `human_id` is `ph_profile_gen_{index:06}` and the `tiktok_handle` ends in the
/// index, so both are unique per index. See the module docs for how the figures
/// are distributed and how they relate to one another.
pub fn generated_host(index: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(index);
    let g = &mut rng;

    let region = pick_weighted(g, REGIONS, |r| r.weight);
    let experienced = g.random_bool(0.70);
    let verified = experienced && g.random_bool(0.75);

    // Audience.
    let follower_median = if experienced { 72_000.0 } else { 42_000.0 };
    let followers = round_sig(lognormal(g, follower_median, 1.05, 5_000.0, 2_000_000.0), 3);
    let host_type = pick_host_type(g, experienced, followers);

    let mut viewer_share = log_uniform(g, 0.005, 0.03);
    if host_type == HostType::HighVolume {
        viewer_share = (viewer_share * 1.25).min(0.03);
    }
    let avg_viewers = round_sig(followers as f64 * viewer_share, 2).max(20);
    let peak_viewers = round_sig(avg_viewers as f64 * uniform(g, 2.0, 4.0), 2);

    // Niches.
    let niches = pick_niches(g, host_type);
    let primary = niches[0];

    // Engagement.
    let (watch_lo, watch_hi, rep_lo, rep_hi) = match (experienced, host_type) {
        (false, _) => (5.0, 20.0, 0.10, 0.35),
        (true, HostType::HighVolume) => (15.0, 26.0, 0.25, 0.45),
        (true, HostType::NicheSpecialist) => (24.0, 40.0, 0.35, 0.60),
        (true, HostType::Professional) => (20.0, 34.0, 0.30, 0.50),
        (true, HostType::BrandAmbassador) => (16.0, 30.0, 0.20, 0.40),
        (true, HostType::RisingCreator) => (10.0, 24.0, 0.12, 0.32),
    };
    let watch_minutes = uniform(g, watch_lo, watch_hi).round();
    let repeat_rate = round_dp(uniform(g, rep_lo, rep_hi), 2);

    // Sales.
    let (conversion, gmv_cny, sessions, lifetime_cny) = if experienced {
        let mut c = if g.random_bool(0.85) {
            (uniform(g, 0.03, 0.08) + uniform(g, 0.03, 0.08)) / 2.0
        } else if g.random_bool(0.5) {
            uniform(g, 0.01, 0.03)
        } else {
            uniform(g, 0.08, 0.12)
        };
        c += match host_type {
            HostType::NicheSpecialist => 0.004,
            HostType::HighVolume => 0.006,
            HostType::RisingCreator => -0.006,
            _ => 0.0,
        };
        let conversion = round_dp(c.clamp(0.01, 0.12), 3);
        let session_minutes = if host_type == HostType::HighVolume {
            pick(g, &[150.0, 180.0, 240.0])
        } else {
            pick(g, &[90.0, 120.0, 150.0, 180.0])
        };
        let turnover = (session_minutes / watch_minutes).clamp(6.0, 12.0);
        let aov = log_uniform(g, primary.aov_cny.0, primary.aov_cny.1);
        let gmv_cny = avg_viewers as f64 * turnover * conversion * aov;
        let sessions = if host_type == HostType::RisingCreator {
            log_uniform(g, 3.0, 40.0)
        } else {
            log_uniform(g, 15.0, 320.0)
        }
        .round() as u64;
        let lifetime_cny = gmv_cny * sessions as f64 * uniform(g, 0.8, 1.2);
        (conversion, gmv_cny, sessions, lifetime_cny)
    } else {
        (0.0, 0.0, 0, 0.0)
    };
    let to_local = |cny: f64, digits: i32| round_sig(cny * region.per_cny, digits);
    let gmv_local = to_local(gmv_cny, 3);
    let lifetime_local = to_local(lifetime_cny, 2);

    // Reputation.
    let rating_penalty = if experienced { 0.0 } else { 0.15 };
    let rating = round_dp(
        (5.0 - std_normal(g).abs() * 0.4 - rating_penalty).clamp(3.5, 5.0),
        1,
    );
    let completion_count = if experienced {
        ((sessions as f64 * uniform(g, 0.25, 0.65)).round() as u64).max(1)
    } else {
        g.random_range(1..=5)
    };

    // Pay.
    let min_cny = if experienced {
        gmv_cny * uniform(g, 0.02, 0.04)
    } else {
        followers as f64 * uniform(g, 0.003, 0.008)
    }
    .max(300.0);
    let comp_min = to_local(min_cny, 2).max(to_local(300.0, 2));
    let comp_max = round_sig(comp_min as f64 * uniform(g, 3.0, 6.0), 2);
    let pricing_model = if g.random_bool(if experienced { 0.8 } else { 0.3 }) {
        "base_plus_commission"
    } else {
        "fixed_fee"
    };

    // Skills.
    let has_niche = |keys: &[&str]| niches.iter().any(|n| keys.contains(&n.key));
    let bilingual = g.random_bool(region.bilingual_rate);
    let flash = match host_type {
        HostType::HighVolume => g.random_bool(0.9),
        _ if experienced => g.random_bool(0.25),
        _ => false,
    };
    let mut skill_flags = [false; 12];
    skill_flags[0] = g.random_bool(0.9);
    skill_flags[1] = g.random_bool(if experienced { 0.9 } else { 0.3 });
    skill_flags[2] = g.random_bool(if experienced { 0.75 } else { 0.35 });
    skill_flags[3] = g.random_bool(if experienced { 0.8 } else { 0.85 });
    skill_flags[4] = g.random_bool(if host_type == HostType::NicheSpecialist {
        0.7
    } else {
        0.15
    });
    skill_flags[5] = flash;
    skill_flags[6] = g.random_bool(match host_type {
        HostType::RisingCreator | HostType::HighVolume => 0.6,
        _ => 0.15,
    });
    skill_flags[7] = has_niche(&["skincare"]) && g.random_bool(0.8);
    skill_flags[8] =
        has_niche(&["tech", "electronics", "gadgets", "smart_home"]) && g.random_bool(0.7);
    skill_flags[9] = g.random_bool(if host_type == HostType::NicheSpecialist {
        0.5
    } else {
        0.15
    });
    skill_flags[10] = g.random_bool(0.3);
    skill_flags[11] = bilingual;
    let skills: Vec<&str> = SKILLS
        .iter()
        .zip(skill_flags)
        .filter_map(|(s, on)| on.then_some(*s))
        .collect();

    // Expertise and specialties.
    let mut expertise: Vec<&str> = Vec::with_capacity(5);
    for n in &niches {
        push_unique(&mut expertise, pick(g, n.phrases));
    }
    let want = g.random_range(2..=4usize).max(niches.len());
    for _ in 0..8 {
        if expertise.len() >= want {
            break;
        }
        let n = pick(g, &niches);
        push_unique(&mut expertise, pick(g, n.phrases));
    }
    let target = g.random_range(3..=5usize);
    let mut specialties: Vec<String> = Vec::with_capacity(target);
    let add = |list: &mut Vec<String>, s: &str| {
        if list.len() < target && !list.iter().any(|x| x == s) {
            list.push(s.to_owned());
        }
    };
    add(&mut specialties, pick(g, primary.specialties));
    if flash {
        add(&mut specialties, pick(g, FLASH_SPECIALTIES));
        add(&mut specialties, pick(g, FLASH_SPECIALTIES));
    }
    if skill_flags[4] {
        add(&mut specialties, "Educational + sales approach");
    }
    if bilingual {
        add(
            &mut specialties,
            &format!("Bilingual hosting ({})", region.languages),
        );
    }
    if skill_flags[6] {
        add(&mut specialties, pick(g, BUILDING_SPECIALTIES));
    }
    if niches.len() > 1 {
        add(&mut specialties, pick(g, niches[1].specialties));
    }
    for _ in 0..8 {
        add(&mut specialties, pick(g, GENERAL_SPECIALTIES));
    }

    // Setup.
    let tier = match (experienced, host_type) {
        (true, HostType::Professional | HostType::HighVolume) => 2,
        (true, _) if followers >= 150_000 => 2,
        (true, _) => 1,
        (false, _) if followers >= 200_000 => 1,
        (false, _) => usize::from(g.random_bool(0.3)),
    };
    let technical_setup = object([
        ("streaming_quality", pick(g, QUALITY[tier]).into()),
        ("equipment", pick(g, EQUIPMENT[tier]).into()),
        ("internet", pick(g, INTERNET[tier]).into()),
        ("studio", pick(g, STUDIO[tier]).into()),
    ]);

    // Badges.
    let mut badges: Vec<&str> = Vec::new();
    if experienced && gmv_cny >= 50_000.0 && rating >= 4.6 {
        badges.push("top_live_seller");
    }
    if verified {
        badges.push("tiktok_shop_verified");
    }
    if lifetime_cny >= 1_000_000.0 {
        badges.push("million_gmv_club");
    }
    if experienced && conversion >= 0.08 {
        badges.push("high_conversion");
    }
    if repeat_rate >= 0.45 {
        badges.push("loyal_audience");
    }
    if host_type == HostType::RisingCreator && rating >= 4.5 {
        badges.push("rising_star");
    }
    if flash && sessions >= 50 {
        badges.push("flash_sale_pro");
    }

    // Name and handle.
    let prefix = match host_type {
        HostType::HighVolume if g.random_bool(0.6) => pick(g, TYPE_PREFIXES_HIGH_VOLUME),
        HostType::Professional if g.random_bool(0.4) => pick(g, TYPE_PREFIXES_PRO),
        _ => pick(g, primary.prefixes),
    };
    let person = pick(g, region.names);
    let name = format!("{prefix} {person}");
    let mut handle = String::with_capacity(32);
    handle.push('@');
    // The whole name if it fits in 16 letters, else the prefix's first word and
    // the family/given name ("Beauty Bestie Bautista" -> "beautybautista").
    let slug_of = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let mut slug = slug_of(&name);
    if slug.len() > 16 {
        let first = prefix.split(' ').next().unwrap_or(prefix);
        slug = slug_of(first);
        slug.push_str(&slug_of(person));
    }
    slug.truncate(16);
    handle.push_str(&slug);
    handle.push_str(&index.to_string());

    // Bio.
    let cur = region.currency;
    let niche_words = join_words(niches.iter().take(2).map(|n| n.label));
    let mut bio = match host_type {
        HostType::Professional => {
            format!(
                "Professional TikTok Live host with {} followers.",
                compact(followers)
            )
        }
        HostType::NicheSpecialist => format!(
            "{} specialist hosting educational live shopping sessions for {} followers.",
            capitalize(primary.label),
            compact(followers)
        ),
        HostType::HighVolume => format!(
            "High-volume live commerce specialist. {} followers.",
            compact(followers)
        ),
        HostType::BrandAmbassador => format!(
            "Brand ambassador and TikTok Live host with {} followers.",
            compact(followers)
        ),
        HostType::RisingCreator => {
            format!(
                "Rising TikTok creator with {} followers.",
                compact(followers)
            )
        }
    };
    if experienced {
        if lifetime_cny >= 1_000_000.0 {
            bio.push_str(&format!(
                " {} {cur} lifetime sales.",
                compact(lifetime_local)
            ));
        }
        bio.push_str(&format!(
            " Specializing in {niche_words} live shopping with average {} {cur} GMV per session.",
            compact(gmv_local)
        ));
        if host_type == HostType::NicheSpecialist || repeat_rate >= 0.45 {
            bio.push_str(&format!(
                " {}% repeat viewer rate.",
                (repeat_rate * 100.0).round() as u64
            ));
        }
    } else {
        bio.push_str(&format!(
            " Creates {niche_words} content and is new to live shopping, ready to host first TikTok Shop sessions."
        ));
    }
    bio.push(' ');
    bio.push_str(pick(
        g,
        if experienced {
            STYLE_SENTENCES
        } else {
            NEW_HOST_SENTENCES
        },
    ));

    let niche_keys: Vec<&str> = niches.iter().map(|n| n.key).collect();
    object([
        ("human_id", format!("ph_profile_gen_{index:06}").into()),
        ("name", name.into()),
        (
            "avatar_url",
            format!("https://avatars.livehire.example/gen_{index:06}.jpg").into(),
        ),
        ("platform", "tiktok".into()),
        ("tiktok_handle", handle.into()),
        ("rating", rating.into()),
        ("completion_count", completion_count.into()),
        ("host_type", host_type.as_str().into()),
        (
            "compensation_range",
            object([
                ("min", comp_min.into()),
                ("max", comp_max.into()),
                ("currency", cur.into()),
                ("pricing_model", pricing_model.into()),
            ]),
        ),
        (
            "follower_stats",
            object([
                ("followers", followers.into()),
                ("avg_live_viewers", avg_viewers.into()),
                ("peak_concurrent_viewers", peak_viewers.into()),
            ]),
        ),
        (
            "live_commerce_metrics",
            object([
                ("avg_gmv_per_session", gmv_local.into()),
                ("avg_conversion_rate", conversion.into()),
                ("avg_watch_time_minutes", (watch_minutes as u64).into()),
                ("repeat_viewer_rate", repeat_rate.into()),
                ("total_sessions_hosted", sessions.into()),
                (
                    "total_lifetime_gmv",
                    format!("{} {cur}", thousands(lifetime_local)).into(),
                ),
            ]),
        ),
        ("product_expertise", str_array(&expertise)),
        (
            "hosting_specialties",
            Value::Array(specialties.into_iter().map(Value::String).collect()),
        ),
        ("technical_setup", technical_setup),
        ("badges", str_array(&badges)),
        ("bio", bio.into()),
        ("skills", str_array(&skills)),
        ("niches", str_array(&niche_keys)),
        ("tiktok_shop_verified", verified.into()),
        ("live_commerce_experience", experienced.into()),
        ("time_zone", region.time_zone.into()),
    ])
}

/// A JSON object with the given fields, in order.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut m = Map::with_capacity(N);
    for (key, value) in fields {
        m.insert(key.to_owned(), value);
    }
    Value::Object(m)
}

fn str_array(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(*s)).collect())
}

fn pick_host_type(g: &mut ChaCha8Rng, experienced: bool, followers: u64) -> HostType {
    use HostType::*;
    let table: &[(HostType, u32)] = match (experienced, followers) {
        (false, _) => &[
            (RisingCreator, 65),
            (BrandAmbassador, 20),
            (NicheSpecialist, 15),
        ],
        (true, f) if f >= 250_000 => &[(HighVolume, 45), (Professional, 35), (BrandAmbassador, 20)],
        (true, f) if f < 20_000 => &[(RisingCreator, 60), (NicheSpecialist, 40)],
        (true, _) => &[
            (Professional, 40),
            (NicheSpecialist, 35),
            (BrandAmbassador, 10),
            (HighVolume, 5),
            (RisingCreator, 10),
        ],
    };
    pick_weighted(g, table, |(_, w)| *w).0
}

fn niche(key: &str) -> Option<&'static Niche> {
    NICHES.iter().find(|n| n.key == key)
}

/// 1–4 niches, main niche first; extra niches mostly related to the main one.
fn pick_niches(g: &mut ChaCha8Rng, host_type: HostType) -> Vec<&'static Niche> {
    let primary = match host_type {
        HostType::HighVolume if g.random_bool(0.6) => {
            niche(pick(g, HIGH_VOLUME_NICHES)).unwrap_or(&NICHES[0])
        }
        _ => pick_weighted(g, NICHES, |n| n.weight),
    };
    let count = match host_type {
        HostType::NicheSpecialist => 1 + usize::from(g.random_bool(0.3)),
        HostType::HighVolume => g.random_range(3..=4),
        _ => g.random_range(1..=3),
    };
    let mut out = Vec::with_capacity(4);
    out.push(primary);
    let mut tries = 0;
    while out.len() < count && tries < 20 {
        tries += 1;
        let candidate = if g.random_bool(0.7) {
            niche(pick(g, primary.related)).unwrap_or(&NICHES[0])
        } else {
            pick_weighted(g, NICHES, |n| n.weight)
        };
        if !out.iter().any(|n| n.key == candidate.key) {
            out.push(candidate);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

/// Uniform element of a non-empty static slice.
fn pick<T: Copy>(g: &mut ChaCha8Rng, items: &[T]) -> T {
    items[g.random_range(0..items.len())]
}

/// Element of a non-empty slice, chosen with probability proportional to `weight`.
fn pick_weighted<'a, T>(g: &mut ChaCha8Rng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut roll = g.random_range(0..total.max(1));
    for item in items {
        let w = weight(item);
        if roll < w {
            return item;
        }
        roll -= w;
    }
    &items[items.len() - 1]
}

fn uniform(g: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * g.random::<f64>()
}

fn log_uniform(g: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    uniform(g, lo.ln(), hi.ln()).exp()
}

/// Standard normal sample (Box–Muller).
fn std_normal(g: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - g.random::<f64>(); // (0, 1]
    let u2 = g.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal sample with the given median and log-sd, redrawn (then clamped)
/// to stay within `[lo, hi]`.
fn lognormal(g: &mut ChaCha8Rng, median: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    for _ in 0..8 {
        let x = median * (sigma * std_normal(g)).exp();
        if (lo..=hi).contains(&x) {
            return x;
        }
    }
    median
}

/// Round a non-negative number to `digits` significant figures (whole units).
fn round_sig(x: f64, digits: i32) -> u64 {
    if x < 1.0 {
        return x.max(0.0).round() as u64;
    }
    let magnitude = x.log10().floor() as i32;
    let step = 10f64.powi(magnitude + 1 - digits).max(1.0);
    ((x / step).round() * step) as u64
}

fn round_dp(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

fn push_unique<'a>(list: &mut Vec<&'a str>, s: &'a str) {
    if !list.contains(&s) {
        list.push(s);
    }
}

/// "180K", "9.8M", "1.2B", "8.5K", "950" (integer arithmetic: no float formatting).
fn compact(x: u64) -> String {
    // `x` in tenths of `unit`, rounded half up, shown with one decimal unless whole.
    let tenths = |unit: u64, suffix: &str| {
        let t = (x + unit / 20) / (unit / 10);
        if t.is_multiple_of(10) {
            format!("{}{suffix}", t / 10)
        } else {
            format!("{}.{}{suffix}", t / 10, t % 10)
        }
    };
    if x >= 1_000_000_000 {
        tenths(1_000_000_000, "B")
    } else if x >= 1_000_000 {
        tenths(1_000_000, "M")
    } else if x >= 10_000 {
        format!("{}K", (x + 500) / 1_000)
    } else if x >= 1_000 {
        tenths(1_000, "K")
    } else {
        x.to_string()
    }
}

/// "9,800,000".
fn thousands(x: u64) -> String {
    livehire_domain::money::group_thousands(&x.to_string())
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "beauty", "beauty and fashion".
fn join_words<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let words: Vec<&str> = words.collect();
    words.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(v: &Value) -> f64 {
        v.as_f64().unwrap()
    }

    fn median(mut xs: Vec<f64>) -> f64 {
        xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        xs[xs.len() / 2]
    }

    fn pearson(xs: &[f64], ys: &[f64]) -> f64 {
        let n = xs.len() as f64;
        let mx = xs.iter().sum::<f64>() / n;
        let my = ys.iter().sum::<f64>() / n;
        let cov: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
        let vx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
        let vy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
        cov / (vx.sqrt() * vy.sqrt())
    }

    const N: u64 = 2_000;

    fn population() -> Vec<Value> {
        (0..N).map(generated_host).collect()
    }

    #[test]
    fn seed_hosts_keep_the_seed_figures() {
        let hosts = seed_hosts();
        assert_eq!(hosts.len(), 3);
        let ids: Vec<&str> = hosts
            .iter()
            .map(|h| h["human_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "ph_profile_tiktok_live_001",
                "ph_profile_tiktok_live_002",
                "ph_profile_tiktok_live_003"
            ]
        );
        let (chen, liu, zhang) = (&hosts[0], &hosts[1], &hosts[2]);
        assert_eq!(chen["name"], "Live Queen Chen");
        assert_eq!(
            chen["live_commerce_metrics"]["total_lifetime_gmv"],
            "9,800,000 CNY"
        );
        assert_eq!(chen["live_commerce_metrics"]["avg_gmv_per_session"], 85000);
        assert_eq!(
            chen["live_commerce_metrics"]["avg_conversion_rate"].to_string(),
            "0.065"
        );
        assert_eq!(chen["rating"].to_string(), "4.9");
        assert_eq!(chen["completion_count"], 89);
        assert_eq!(chen["follower_stats"]["avg_live_viewers"], 2500);
        assert_eq!(chen["recent_sessions"][0]["gmv"], 127000);
        assert_eq!(
            chen["badges"],
            json!([
                "top_live_seller",
                "tiktok_shop_verified",
                "million_gmv_club"
            ])
        );

        assert_eq!(liu["name"], "Skincare Expert Liu");
        assert_eq!(liu["hosting_specialties"].as_array().unwrap().len(), 4);
        assert_eq!(
            liu["hosting_specialties"][3],
            "Educational + sales approach"
        );
        assert_eq!(
            liu["unique_selling_point"],
            "Expert knowledge builds trust, high repeat buyer rate"
        );
        assert_eq!(liu["audience_demographics"]["gender"], "90% female");
        assert_eq!(
            liu["live_commerce_metrics"]["repeat_viewer_rate"].to_string(),
            "0.55"
        );
        assert_eq!(liu["rating"].to_string(), "4.8");
        assert_eq!(liu["completion_count"], 41);
        assert_eq!(liu["niches"], json!(["beauty", "skincare"]));
        assert!(liu.get("avatar_url").is_none());

        assert_eq!(zhang["name"], "Flash Sale King Zhang");
        assert_eq!(
            zhang["live_commerce_metrics"]["avg_gmv_per_session"],
            180000
        );
        assert_eq!(
            zhang["live_commerce_metrics"]["avg_products_sold_per_session"],
            2400
        );
        assert_eq!(zhang["live_commerce_metrics"]["flash_sale_specialty"], true);
        assert_eq!(
            zhang["session_format"],
            "10-15 products per hour, rapid turnover, urgency-driven"
        );
        assert_eq!(zhang["rating"].to_string(), "4.7");
        assert_eq!(zhang["completion_count"], 112);
        assert_eq!(
            zhang["niches"],
            json!([
                "consumer_goods",
                "home_goods",
                "fashion",
                "daily_necessities"
            ])
        );

        for h in &hosts {
            let skills = h["skills"].as_array().unwrap();
            for s in [
                "live_streaming",
                "sales_presentation",
                "audience_engagement",
                "product_demonstration",
            ] {
                assert!(skills.iter().any(|x| x == s), "{} lacks {s}", h["name"]);
            }
            assert_eq!(h["tiktok_shop_verified"], true);
            assert_eq!(h["live_commerce_experience"], true);
            assert_eq!(h["time_zone"], "Asia/Shanghai");
            assert_eq!(h["platform"], "tiktok");
        }
        assert!(
            hosts[1]["skills"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "skincare_expertise")
        );
        assert!(
            hosts[2]["skills"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "flash_sales")
        );
    }

    #[test]
    fn seed_hosts_keep_the_seed_field_order() {
        let hosts = seed_hosts();
        let keys: Vec<&str> = hosts[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(&keys[..4], ["human_id", "name", "avatar_url", "platform"]);
        assert_eq!(keys.last(), Some(&"time_zone"));
    }

    #[test]
    fn generated_host_is_deterministic() {
        for i in [0, 1, 7, 42, 123_456, u64::MAX] {
            let a = serde_json::to_string(&generated_host(i)).unwrap();
            let b = serde_json::to_string(&generated_host(i)).unwrap();
            assert_eq!(a, b);
        }
        assert_ne!(generated_host(1), generated_host(2));
        assert_eq!(generated_host(42)["human_id"], "ph_profile_gen_000042");
        assert_eq!(
            generated_host(1_234_567)["human_id"],
            "ph_profile_gen_1234567"
        );
    }

    #[test]
    fn generated_hosts_have_unique_ids_and_handles() {
        let hosts = population();
        let ids: std::collections::HashSet<_> = hosts
            .iter()
            .map(|h| h["human_id"].as_str().unwrap().to_owned())
            .collect();
        let handles: std::collections::HashSet<_> = hosts
            .iter()
            .map(|h| h["tiktok_handle"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), hosts.len());
        assert_eq!(handles.len(), hosts.len());
        for h in &hosts {
            assert!(h["tiktok_handle"].as_str().unwrap().starts_with('@'));
            assert!(h["tiktok_handle"].as_str().unwrap().len() <= 24);
        }
        let names: std::collections::HashSet<_> = hosts
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_owned())
            .collect();
        assert!(names.len() > 500, "only {} distinct names", names.len());
    }

    #[test]
    fn generated_hosts_have_the_profile_shape() {
        const ALLOWED_NICHES: &[&str] = &[
            "beauty",
            "skincare",
            "fashion",
            "electronics",
            "home_goods",
            "food",
            "tech",
            "smart_home",
            "gadgets",
            "consumer_goods",
            "daily_necessities",
            "jewelry",
            "fitness",
            "baby",
            "pets",
            "outdoor",
        ];
        const HOST_TYPES: &[&str] = &[
            "professional_live_seller",
            "niche_specialist",
            "high_volume_seller",
            "rising_creator",
            "brand_ambassador",
        ];
        for h in population() {
            for key in [
                "human_id",
                "name",
                "avatar_url",
                "platform",
                "tiktok_handle",
                "rating",
                "completion_count",
                "host_type",
                "compensation_range",
                "follower_stats",
                "live_commerce_metrics",
                "product_expertise",
                "hosting_specialties",
                "technical_setup",
                "badges",
                "bio",
                "skills",
                "niches",
                "tiktok_shop_verified",
                "live_commerce_experience",
                "time_zone",
            ] {
                assert!(h.get(key).is_some(), "missing {key}");
            }
            assert_eq!(h["platform"], "tiktok");
            assert!(HOST_TYPES.contains(&h["host_type"].as_str().unwrap()));
            let rating = num(&h["rating"]);
            assert!((3.5..=5.0).contains(&rating));
            assert!(h["rating"].to_string().len() <= 3, "{}", h["rating"]);

            let niches = h["niches"].as_array().unwrap();
            assert!((1..=4).contains(&niches.len()));
            for n in niches {
                assert!(ALLOWED_NICHES.contains(&n.as_str().unwrap()), "{n}");
            }
            let skills = h["skills"].as_array().unwrap();
            for s in skills {
                assert!(SKILLS.contains(&s.as_str().unwrap()));
            }
            let spec = h["hosting_specialties"].as_array().unwrap();
            assert!((3..=5).contains(&spec.len()), "{spec:?}");
            let exp = h["product_expertise"].as_array().unwrap();
            assert!((1..=5).contains(&exp.len()), "{exp:?}");

            let tz = h["time_zone"].as_str().unwrap();
            assert!(tz.parse::<chrono_tz::Tz>().is_ok(), "{tz}");
            let cur = h["compensation_range"]["currency"].as_str().unwrap();
            assert!(iso_currency::Currency::from_code(cur).is_some(), "{cur}");

            let experienced = h["live_commerce_experience"].as_bool().unwrap();
            let verified = h["tiktok_shop_verified"].as_bool().unwrap();
            assert!(experienced || !verified);
            assert_eq!(
                h["badges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|b| b == "tiktok_shop_verified"),
                verified
            );
            let m = &h["live_commerce_metrics"];
            let conv = num(&m["avg_conversion_rate"]);
            if experienced {
                assert!((0.01..=0.12).contains(&conv), "{conv}");
                assert!(m["total_sessions_hosted"].as_u64().unwrap() > 0);
                assert!(m["avg_gmv_per_session"].as_u64().unwrap() > 0);
            } else {
                assert_eq!(conv, 0.0);
                assert_eq!(m["total_sessions_hosted"], 0);
                assert_eq!(m["avg_gmv_per_session"], 0);
            }
            let f = &h["follower_stats"];
            let followers = num(&f["followers"]);
            let avg = num(&f["avg_live_viewers"]);
            let peak = num(&f["peak_concurrent_viewers"]);
            assert!((5_000.0..=2_000_000.0).contains(&followers));
            let share = avg / followers;
            assert!((0.0035..=0.035).contains(&share), "{share}");
            assert!((1.8..=4.3).contains(&(peak / avg)), "{}", peak / avg);

            let c = &h["compensation_range"];
            let rate = cny_rate(cur).unwrap();
            let (min, max) = (num(&c["min"]), num(&c["max"]));
            assert!(min / rate >= 280.0, "{min} {cur}");
            assert!((2.8..=6.5).contains(&(max / min)), "{min} {max}");
            if experienced {
                let gmv = num(&m["avg_gmv_per_session"]);
                let pct = min / gmv;
                // At least 300 CNY, else 2–4 % of GMV (rounded to 2 figures).
                assert!(
                    min / rate <= 340.0 || (0.018..=0.045).contains(&pct),
                    "{pct}"
                );
            }
            let bio = h["bio"].as_str().unwrap();
            assert!(bio.contains("followers"), "{bio}");
            let label = niche(niches[0].as_str().unwrap()).unwrap().label;
            assert!(bio.contains(label), "{bio} / {label}");
        }
    }

    #[test]
    fn generated_distributions_are_plausible() {
        let hosts = population();
        let n = hosts.len() as f64;
        let followers: Vec<f64> = hosts
            .iter()
            .map(|h| num(&h["follower_stats"]["followers"]))
            .collect();
        let med = median(followers.clone());
        assert!(
            (40_000.0..=90_000.0).contains(&med),
            "median followers {med}"
        );

        let exp: Vec<&Value> = hosts
            .iter()
            .filter(|h| h["live_commerce_experience"] == true)
            .collect();
        let exp_share = exp.len() as f64 / n;
        assert!((0.65..=0.75).contains(&exp_share), "{exp_share}");
        let verified_share = exp
            .iter()
            .filter(|h| h["tiktok_shop_verified"] == true)
            .count() as f64
            / exp.len() as f64;
        assert!((0.70..=0.80).contains(&verified_share), "{verified_share}");

        let cny_share = hosts
            .iter()
            .filter(|h| h["compensation_range"]["currency"] == "CNY")
            .count() as f64
            / n;
        assert_eq!(cny_share, 1.0, "every demo market quotes in CNY");
        let ls_share = hosts
            .iter()
            .filter(|h| {
                h["skills"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s == "live_streaming")
            })
            .count() as f64
            / n;
        assert!((0.86..=0.94).contains(&ls_share), "{ls_share}");

        let convs: Vec<f64> = exp
            .iter()
            .map(|h| num(&h["live_commerce_metrics"]["avg_conversion_rate"]))
            .collect();
        let mid =
            convs.iter().filter(|c| (0.03..=0.08).contains(*c)).count() as f64 / convs.len() as f64;
        assert!(mid >= 0.75, "{mid}");

        // GMV ≈ viewers × turnover (6–12) × conversion × order value (60–250 CNY).
        let mut x = Vec::new();
        let mut y = Vec::new();
        for h in &exp {
            let rate = cny_rate(h["compensation_range"]["currency"].as_str().unwrap()).unwrap();
            let gmv = num(&h["live_commerce_metrics"]["avg_gmv_per_session"]) / rate;
            let viewers = num(&h["follower_stats"]["avg_live_viewers"]);
            let conv = num(&h["live_commerce_metrics"]["avg_conversion_rate"]);
            let ratio = gmv / (viewers * conv);
            assert!(
                (6.0 * 60.0 * 0.9..=12.0 * 250.0 * 1.1).contains(&ratio),
                "{ratio}"
            );
            x.push((viewers * conv).ln());
            y.push(gmv.ln());
        }
        let r = pearson(&x, &y);
        assert!(r > 0.85, "log-correlation {r}");

        // Summary for the record (`cargo test -- --nocapture`).
        let mut sorted = followers.clone();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let q = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p) as usize];
        let mut gmvs: Vec<f64> = exp
            .iter()
            .filter(|h| h["compensation_range"]["currency"] == "CNY")
            .map(|h| num(&h["live_commerce_metrics"]["avg_gmv_per_session"]))
            .collect();
        gmvs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut cs = convs.clone();
        cs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "followers p5/p25/p50/p75/p95/max: {:.0}/{:.0}/{:.0}/{:.0}/{:.0}/{:.0}",
            q(&sorted, 0.05),
            q(&sorted, 0.25),
            q(&sorted, 0.5),
            q(&sorted, 0.75),
            q(&sorted, 0.95),
            q(&sorted, 1.0)
        );
        println!(
            "CNY GMV/session p5/p25/p50/p75/p95/max: {:.0}/{:.0}/{:.0}/{:.0}/{:.0}/{:.0}",
            q(&gmvs, 0.05),
            q(&gmvs, 0.25),
            q(&gmvs, 0.5),
            q(&gmvs, 0.75),
            q(&gmvs, 0.95),
            q(&gmvs, 1.0)
        );
        println!(
            "conversion p5/p50/p95: {}/{}/{}; share in 0.03-0.08: {mid:.2}",
            q(&cs, 0.05),
            q(&cs, 0.5),
            q(&cs, 0.95)
        );
        println!(
            "experienced {exp_share:.3}, verified|experienced {verified_share:.3}, CNY {cny_share:.3}, live_streaming {ls_share:.3}, log-corr(GMV, viewers*conv) {r:.3}"
        );
        let mut types = std::collections::BTreeMap::new();
        let mut zones = std::collections::BTreeMap::new();
        for h in &hosts {
            *types
                .entry(h["host_type"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
            *zones
                .entry(h["time_zone"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
        println!("host types: {types:?}");
        println!("time zones: {zones:?}");
        println!(
            "example: {}",
            serde_json::to_string_pretty(&generated_host(7)).unwrap()
        );
    }

    #[test]
    fn generation_is_fast() {
        let start = std::time::Instant::now();
        let total: usize = (0..20_000u64)
            .map(|i| generated_host(i).as_object().map_or(0, Map::len))
            .sum();
        let elapsed = start.elapsed();
        assert!(total > 0);
        println!("20,000 hosts in {elapsed:?}");
        // Generous for debug builds; release is far faster.
        assert!(elapsed.as_secs_f64() < 20.0, "{elapsed:?}");
    }

    #[test]
    fn helpers_format_numbers() {
        assert_eq!(compact(180_000), "180K");
        assert_eq!(compact(9_800_000), "9.8M");
        assert_eq!(compact(2_000_000), "2M");
        assert_eq!(compact(8_500), "8.5K");
        assert_eq!(compact(950), "950");
        assert_eq!(thousands(9_800_000), "9,800,000");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(round_sig(183_427.0, 3), 183_000);
        assert_eq!(round_sig(1_449.0, 2), 1_400);
        assert_eq!(round_sig(7.4, 2), 7);
    }
}
