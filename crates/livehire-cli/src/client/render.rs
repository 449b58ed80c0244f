//! How the client commands show the server's answers: tables, money and
//! counts with thousands separators. Amounts are shown as the server wrote
//! them (the JSON number's text, kept by serde_json's
//! `arbitrary_precision`), never through a float.

use std::io::Write;

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{ContentArrangement, Table};
use serde_json::Value;

use super::Failure;

/// Writes `text` and a newline to stdout; a closed pipe (`| head`) is not a
/// failure.
pub fn out(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Other(format!("writing to stdout: {e}"))),
    }
}

/// A table with `header`, sized to the terminal when there is one.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    t
}

/// Right-aligns the columns at `indexes` (amounts and counts).
pub fn right(table: &mut Table, indexes: &[usize]) {
    for &i in indexes {
        if let Some(c) = table.column_mut(i) {
            c.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
}

/// A decimal number's text with thousands separators in its whole part:
/// `-46784.16` → `-46,784.16`. Text that is not a plain decimal number
/// (an exponent, words) is answered as it is.
pub fn separated(text: &str) -> String {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let plain = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()));
    if !plain {
        return text.to_string();
    }
    livehire_domain::money::group_thousands(text)
}

/// A JSON number (or decimal string) with thousands separators; `-` for
/// null or absent.
pub fn number(v: &Value) -> String {
    match v {
        Value::Number(n) => separated(&n.to_string()),
        Value::String(s) => separated(s),
        Value::Null => "-".to_string(),
        other => other.to_string(),
    }
}

/// An amount and its currency as the server wrote them: `46,784.16 CNY`.
pub fn money(amount: &Value, currency: &Value) -> String {
    match (amount, currency.as_str()) {
        (Value::Null, _) => "-".to_string(),
        (a, Some(c)) if !c.is_empty() => format!("{} {c}", number(a)),
        (a, _) => number(a),
    }
}

/// A string field, or `-`.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_string(),
        Value::Number(_) => number(v),
        other => other.to_string(),
    }
}

/// A list of strings joined with `, `; `-` when empty.
pub fn list(v: &Value) -> String {
    match v.as_array() {
        Some(items) if !items.is_empty() => items.iter().map(text).collect::<Vec<_>>().join(", "),
        _ => "-".to_string(),
    }
}

/// Cuts `s` to at most `max` characters, with `…` when cut.
pub fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Prints `table` and, when the page has more, how to read the next one.
pub fn page(table: Table, page: &Value) -> Result<(), Failure> {
    let count = page["data"].as_array().map_or(0, Vec::len);
    if count == 0 {
        out("(none)")?;
    } else {
        out(&table.to_string())?;
    }
    if let Some(next) = page["next_cursor"].as_str() {
        out(&format!("next cursor: {next}  (--cursor {next}, or --all)"))?;
    }
    Ok(())
}

/// Prints `label: value` lines, the labels aligned.
pub fn fields(rows: &[(&str, String)]) -> Result<(), Failure> {
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let text = rows
        .iter()
        .map(|(l, v)| format!("{l:<width$}  {v}"))
        .collect::<Vec<_>>()
        .join("\n");
    out(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn thousands_are_separated_without_touching_the_digits() {
        assert_eq!(separated("0"), "0");
        assert_eq!(separated("999"), "999");
        assert_eq!(separated("1000"), "1,000");
        assert_eq!(separated("46784.16"), "46,784.16");
        assert_eq!(separated("-1234567.80"), "-1,234,567.80");
        assert_eq!(separated("1000000000000.00"), "1,000,000,000,000.00");
        assert_eq!(separated("0.058"), "0.058");
        assert_eq!(separated("1e5"), "1e5");
        assert_eq!(separated("9,800,000 CNY"), "9,800,000 CNY");
    }

    #[test]
    fn money_keeps_the_servers_text_and_currency() {
        // arbitrary_precision: the number's text is kept, trailing zeros too.
        let v: Value = serde_json::from_str(r#"{"a": 3015.84, "b": 50000.00, "c": 0.10}"#).unwrap();
        assert_eq!(money(&v["a"], &json!("CNY")), "3,015.84 CNY");
        assert_eq!(money(&v["b"], &json!("CNY")), "50,000.00 CNY");
        assert_eq!(money(&v["c"], &json!("USD")), "0.10 USD");
        assert_eq!(money(&json!("1234.5"), &Value::Null), "1,234.5");
        assert_eq!(money(&Value::Null, &json!("CNY")), "-");
        // A value past f64's exact range stays exact.
        let big: Value = serde_json::from_str("123456789012345678.01").unwrap();
        assert_eq!(money(&big, &json!("CNY")), "123,456,789,012,345,678.01 CNY");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(short("abc", 5), "abc");
        assert_eq!(short("abcdef", 4), "abc…");
    }
}
