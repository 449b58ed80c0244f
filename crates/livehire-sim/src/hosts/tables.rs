//! The word lists and markets generated hosts are drawn from: regions with
//! their names, currencies and demo exchange rates; niches with their order
//! values, phrases and related niches; skills, specialties, bio sentences and
//! technical setups.

/// A market a generated host works in.
pub(super) struct Region {
    pub(super) time_zone: &'static str,
    pub(super) currency: &'static str,
    /// Units of `currency` per 1 CNY (fixed demo rate).
    pub(super) per_cny: f64,
    /// Relative share of generated hosts.
    pub(super) weight: u32,
    /// Names combined with a stage-style prefix ("Live Queen Chen").
    pub(super) names: &'static [&'static str],
    /// Language pair used by bilingual hosts.
    pub(super) languages: &'static str,
    /// Share of hosts in this market who host bilingually.
    pub(super) bilingual_rate: f64,
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
pub(super) const REGIONS: &[Region] = &[
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
pub(super) struct Niche {
    pub(super) key: &'static str,
    /// Words used in bios ("home goods").
    pub(super) label: &'static str,
    /// Relative frequency as a host's main niche.
    pub(super) weight: u32,
    /// Average order value range in CNY.
    pub(super) aov_cny: (f64, f64),
    /// `product_expertise` phrases.
    pub(super) phrases: &'static [&'static str],
    /// Niches a host of this niche often also sells.
    pub(super) related: &'static [&'static str],
    /// Stage-name prefixes.
    pub(super) prefixes: &'static [&'static str],
    /// Niche-specific `hosting_specialties`.
    pub(super) specialties: &'static [&'static str],
}

pub(super) const NICHES: &[Niche] = &[
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
pub(super) const HIGH_VOLUME_NICHES: &[&str] = &[
    "consumer_goods",
    "daily_necessities",
    "home_goods",
    "fashion",
    "food",
];

/// Every skill a generated host can list, in the order they are listed.
pub(super) const SKILLS: &[&str] = &[
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

pub(super) const GENERAL_SPECIALTIES: &[&str] = &[
    "Real-time audience interaction",
    "Product demonstrations",
    "High-energy sales presentations",
    "Persuasive storytelling",
    "Live Q&A with viewers",
    "Engaging host commentary",
];
pub(super) const FLASH_SPECIALTIES: &[&str] = &[
    "Flash sale announcements",
    "Countdown urgency creation",
    "Limited stock announcements",
    "Fast-paced product rotation",
];
pub(super) const BUILDING_SPECIALTIES: &[&str] = &[
    "Community building and fan clubs",
    "Consistent weekly live schedule",
];

pub(super) const TYPE_PREFIXES_HIGH_VOLUME: &[&str] = &[
    "Flash Sale King",
    "Flash Sale Queen",
    "Deal Master",
    "Bargain King",
    "Live Queen",
];
pub(super) const TYPE_PREFIXES_PRO: &[&str] = &["Live Queen", "Live King", "Live Pro", "Shop Live"];

/// Closing bio sentences for hosts with live-commerce experience.
pub(super) const STYLE_SENTENCES: &[&str] = &[
    "Engaging, energetic host who converts viewers into buyers.",
    "Fast-paced, energetic hosting style.",
    "Known for honest reviews and a loyal community.",
    "Calm, knowledgeable presenter who answers every question live.",
    "Warm, funny and relatable on camera.",
    "Turns every product into a story viewers want to be part of.",
];
/// Closing bio sentences for hosts new to live commerce (no sales claims).
pub(super) const NEW_HOST_SENTENCES: &[&str] = &[
    "Known for honest reviews and a loyal community.",
    "Warm, funny and relatable on camera.",
    "Loves chatting with viewers in real time.",
    "Turns every product into a story viewers want to be part of.",
    "Calm, clear presenter who explains products simply.",
];

/// `technical_setup` parts per tier (0 phone, 1 home studio, 2 professional).
pub(super) const QUALITY: [&[&str]; 3] = [
    &["Mobile HD", "Smartphone 1080p"],
    &["HD", "Professional"],
    &["Professional HD setup", "Professional 1080p multi-camera"],
];
pub(super) const EQUIPMENT: [&[&str]; 3] = [
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
pub(super) const INTERNET: [&[&str]; 3] = [
    &[
        "30 Mbps broadband",
        "50 Mbps broadband",
        "5G mobile hotspot",
    ],
    &["100 Mbps broadband", "200 Mbps fiber"],
    &["100 Mbps fiber", "500 Mbps fiber", "1 Gbps fiber"],
];
pub(super) const STUDIO: [&[&str]; 3] = [
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
