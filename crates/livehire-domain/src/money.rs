//! Money: ISO 4217 currencies and exact decimal amounts.
//!
//! Amounts are [`Decimal`]s in a currency's major unit (`1500.00` CNY), never
//! floating point. They are read from JSON by their source text, rounded half-even
//! to the currency's minor unit once per line, and stored as integer minor units.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The largest amount (in major units) any money field may hold: one trillion.
///
/// A hundred times the largest live-commerce session ever reported, and small
/// enough that every sum the payout engine makes (a task's sessions at the
/// session GMV limit, its bonuses, a tip) stays exact and fits in `i64` minor
/// units even for three-decimal currencies (see [`crate::limits`]).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// An ISO 4217 currency, parsed from its upper-case alphabetic code (`CNY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Parses an upper-case ISO 4217 alphabetic code (`"CNY"`, `"USD"`, `"JPY"`).
    ///
    /// Lower-case codes and codes ISO 4217 does not define are rejected with a
    /// message naming the value.
    pub fn parse(code: &str) -> Result<Currency, String> {
        if let Some(c) = iso_currency::Currency::from_code(code) {
            return Ok(Currency(c));
        }
        let upper = code.to_ascii_uppercase();
        if upper != code && iso_currency::Currency::from_code(&upper).is_some() {
            return Err(format!(
                "'{code}' is not an upper-case ISO 4217 currency code (did you mean '{upper}'?)"
            ));
        }
        Err(format!(
            "'{code}' is not an ISO 4217 currency code (expected an upper-case code such as CNY or USD)"
        ))
    }

    /// The three-letter ISO 4217 code, e.g. `"CNY"`.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Decimal places of the currency's minor unit: CNY 2, JPY 0, KWD 3; 0 for
    /// codes without a defined minor unit (XAU, XXX).
    pub fn minor_units(&self) -> u32 {
        self.0.exponent().map_or(0, u32::from)
    }

    /// The underlying `iso_currency` value.
    pub fn iso(&self) -> iso_currency::Currency {
        self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// Reads an exact decimal from a JSON number (by its source text, so `1500.00`
/// stays `1500.00`) or from a numeric string such as `"1500.00"`.
///
/// Anything else (booleans, `"1,500"`, `"abc"`, objects) is an error whose message
/// starts with "must be a number".
pub fn parse_amount(v: &Value) -> Result<Decimal, String> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let s = s.trim();
            if !is_decimal_text(s) {
                return Err(format!("must be a number, got the string {s:?}"));
            }
            s.to_string()
        }
        other => return Err(format!("must be a number, got {}", json_kind(other))),
    };
    decimal_from_text(&text)
        .ok_or_else(|| format!("must be a number with at most 28 significant digits, got {text}"))
}

/// Parses plain decimal text (`-12`, `1500.00`, `1.5e3`) exactly.
fn decimal_from_text(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
    }
}

/// Whether `s` is a JSON-style number: `-?digits(.digits)?([eE][+-]?digits)?`.
fn is_decimal_text(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => all_digits(int) && all_digits(frac),
        None => all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Names the JSON type of a value for error messages.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Rounds half-even (banker's rounding) to the currency's minor unit and gives the
/// result exactly that many decimal places (`1500` CNY → `1500.00`).
pub fn round(amount: Decimal, currency: Currency) -> Decimal {
    let dp = currency.minor_units();
    let mut rounded = amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven);
    rounded.rescale(dp);
    rounded
}

/// Checks that `amount` needs no more decimal places than the currency allows
/// (trailing zeros do not count: `1500.000` CNY is fine, `0.005` CNY is not).
pub fn check_scale(amount: Decimal, currency: Currency) -> Result<(), String> {
    let allowed = currency.minor_units();
    if amount.normalize().scale() > allowed {
        Err(format!(
            "has more decimal places than {currency} allows ({allowed})"
        ))
    } else {
        Ok(())
    }
}

/// Checks that a money field is non-negative, within [`MAX_AMOUNT`] and has a
/// valid scale for the currency.
pub fn check_amount(amount: Decimal, currency: Currency) -> Result<(), String> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(format!("must not be negative, got {amount}"));
    }
    if amount > MAX_AMOUNT {
        return Err(format!("must be at most {MAX_AMOUNT}, got {amount}"));
    }
    check_scale(amount, currency)
}

/// Converts an amount to integer minor units exactly (`1500.00` CNY → `150000`).
///
/// Errors if the amount has more decimal places than the currency allows (it would
/// need rounding) or does not fit in an `i64`.
pub fn to_minor(amount: Decimal, currency: Currency) -> Result<i64, String> {
    check_scale(amount, currency)?;
    let factor = Decimal::from(10_i64.pow(currency.minor_units()));
    amount
        .checked_mul(factor)
        .and_then(|minor| minor.to_i64())
        .ok_or_else(|| format!("{amount} {currency} is too large to store"))
}

/// Converts integer minor units back to an amount with the currency's scale
/// (`150000` CNY → `1500.00`).
pub fn from_minor(minor: i64, currency: Currency) -> Decimal {
    Decimal::new(minor, currency.minor_units())
}

/// Groups the integer digits of a number's text with commas, keeping any sign
/// and fraction as given: `"9800000"` → `"9,800,000"`, `"-1500.50"` →
/// `"-1,500.50"`. For display only (reasons, bios, summaries).
pub fn group_thousands(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped_with_sign_and_fraction_kept() {
        assert_eq!(super::group_thousands("9800000"), "9,800,000");
        assert_eq!(super::group_thousands("100"), "100");
        assert_eq!(super::group_thousands("-1500.50"), "-1,500.50");
        assert_eq!(super::group_thousands("247000.5"), "247,000.5");
    }

    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    fn cny() -> Currency {
        Currency::parse("CNY").unwrap()
    }

    #[test]
    fn parses_upper_case_iso_codes() {
        assert_eq!(cny().code(), "CNY");
        assert_eq!(Currency::parse("USD").unwrap().to_string(), "USD");
        assert_eq!(Currency::parse("JPY").unwrap().minor_units(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_units(), 3);
        assert_eq!(cny().minor_units(), 2);
        assert_eq!(Currency::parse("XAU").unwrap().minor_units(), 0);
    }

    #[test]
    fn rejects_lower_case_and_unknown_codes_naming_the_value() {
        let err = Currency::parse("cny").unwrap_err();
        assert!(err.contains("'cny'") && err.contains("CNY"), "{err}");
        let err = Currency::parse("ABC").unwrap_err();
        assert!(err.contains("'ABC'"), "{err}");
        assert!(Currency::parse("").is_err());
        assert!(Currency::parse("CNYX").is_err());
    }

    #[test]
    fn currency_serialises_as_its_code_and_round_trips() {
        assert_eq!(serde_json::to_string(&cny()).unwrap(), "\"CNY\"");
        let back: Currency = serde_json::from_str("\"JPY\"").unwrap();
        assert_eq!(back.code(), "JPY");
        assert!(serde_json::from_str::<Currency>("\"jpy\"").is_err());
    }

    #[test]
    fn max_amount_is_one_trillion() {
        assert_eq!(MAX_AMOUNT, dec!(1_000_000_000_000));
    }

    #[test]
    fn parse_amount_keeps_the_source_text() {
        let v: Value = serde_json::from_str("1500.00").unwrap();
        let d = parse_amount(&v).unwrap();
        assert_eq!(d.to_string(), "1500.00");
        assert_eq!(
            parse_amount(&json!("1500.00")).unwrap().to_string(),
            "1500.00"
        );
        assert_eq!(parse_amount(&json!(0.08)).unwrap(), dec!(0.08));
        assert_eq!(parse_amount(&json!(-3)).unwrap(), dec!(-3));
        let v: Value = serde_json::from_str("1.5e3").unwrap();
        assert_eq!(parse_amount(&v).unwrap(), dec!(1500));
        assert_eq!(parse_amount(&json!(" 12 ")).unwrap(), dec!(12));
    }

    #[test]
    fn parse_amount_rejects_non_numbers() {
        for v in [
            json!(true),
            json!(null),
            json!("abc"),
            json!("1,500"),
            json!("1_000"),
            json!("12."),
            json!(""),
            json!([1]),
            json!({"a": 1}),
        ] {
            let err = parse_amount(&v).unwrap_err();
            assert!(err.starts_with("must be a number"), "{v}: {err}");
        }
        let huge: Value = serde_json::from_str("1e40").unwrap();
        assert!(
            parse_amount(&huge)
                .unwrap_err()
                .starts_with("must be a number")
        );
    }

    #[test]
    fn round_is_half_even_to_minor_units() {
        assert_eq!(round(dec!(0.125), cny()), dec!(0.12));
        assert_eq!(round(dec!(0.135), cny()), dec!(0.14));
        assert_eq!(round(dec!(1500), cny()).to_string(), "1500.00");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(round(dec!(2.5), jpy), dec!(2));
        assert_eq!(round(dec!(3.5), jpy), dec!(4));
        assert_eq!(round(dec!(10160.000), cny()).to_string(), "10160.00");
    }

    #[test]
    fn check_scale_names_the_currency_and_limit() {
        assert!(check_scale(dec!(1500.00), cny()).is_ok());
        assert!(check_scale(dec!(1500.000), cny()).is_ok());
        assert_eq!(
            check_scale(dec!(0.005), cny()).unwrap_err(),
            "has more decimal places than CNY allows (2)"
        );
        let jpy = Currency::parse("JPY").unwrap();
        assert!(check_scale(dec!(1.5), jpy).is_err());
    }

    #[test]
    fn check_amount_rejects_negative_and_huge() {
        assert!(check_amount(dec!(0), cny()).is_ok());
        assert!(check_amount(dec!(-0.00), cny()).is_ok());
        assert!(
            check_amount(dec!(-1), cny())
                .unwrap_err()
                .contains("negative")
        );
        assert!(check_amount(MAX_AMOUNT + dec!(1), cny()).is_err());
    }

    #[test]
    fn minor_unit_conversions() {
        assert_eq!(to_minor(dec!(1500.00), cny()).unwrap(), 150_000);
        assert_eq!(to_minor(dec!(1500), cny()).unwrap(), 150_000);
        assert!(to_minor(dec!(0.001), cny()).is_err());
        assert!(to_minor(dec!(100_000_000_000_000_000), cny()).is_err());
        assert_eq!(from_minor(150_000, cny()).to_string(), "1500.00");
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(to_minor(dec!(1.234), kwd).unwrap(), 1234);
        assert_eq!(from_minor(1234, kwd), dec!(1.234));
        assert_eq!(to_minor(MAX_AMOUNT, kwd).unwrap(), 1_000_000_000_000_000);
    }

    proptest! {
        #[test]
        fn minor_round_trip(minor in -1_000_000_000_000_i64..1_000_000_000_000) {
            for code in ["CNY", "JPY", "KWD"] {
                let c = Currency::parse(code).unwrap();
                prop_assert_eq!(to_minor(from_minor(minor, c), c).unwrap(), minor);
            }
        }

        #[test]
        fn round_is_within_half_a_minor_unit(m in -1_000_000_000_i64..1_000_000_000, scale in 0u32..6) {
            let amount = Decimal::new(m, scale);
            let r = round(amount, cny());
            prop_assert!((r - amount).abs() <= dec!(0.005));
            prop_assert_eq!(r.scale(), 2);
            prop_assert!(to_minor(r, cny()).is_ok());
        }
    }
}
