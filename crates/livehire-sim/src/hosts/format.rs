//! Number and word formatting for generated profiles ("180K", "9,800,000",
//! "beauty and fashion").

/// Round a non-negative number to `digits` significant figures (whole units).
pub(super) fn round_sig(x: f64, digits: i32) -> u64 {
    if x < 1.0 {
        return x.max(0.0).round() as u64;
    }
    let magnitude = x.log10().floor() as i32;
    let step = 10f64.powi(magnitude + 1 - digits).max(1.0);
    ((x / step).round() * step) as u64
}

pub(super) fn round_dp(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// "180K", "9.8M", "1.2B", "8.5K", "950" (integer arithmetic: no float formatting).
pub(super) fn compact(x: u64) -> String {
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
pub(super) fn thousands(x: u64) -> String {
    livehire_domain::money::group_thousands(&x.to_string())
}

pub(super) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "beauty", "beauty and fashion".
pub(super) fn join_words<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let words: Vec<&str> = words.collect();
    words.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
