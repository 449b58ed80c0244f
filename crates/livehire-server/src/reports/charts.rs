//! SVG charts drawn with plotters' SVG backend.
//!
//! Text is written as SVG `<text>` elements that the viewer's own fonts
//! render: plotters is built without its `ttf` feature, so nothing here needs
//! system fonts, and its label widths are estimates (every label is short).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of the session report SVG.
pub const SESSION_WIDTH: u32 = 1200;
/// Height of the session report SVG.
pub const SESSION_HEIGHT: u32 = 940;

const FONT: &str = "sans-serif";
const INK: RGBColor = RGBColor(33, 37, 41);
const MUTED: RGBColor = RGBColor(108, 117, 125);
const GRID: RGBColor = RGBColor(233, 236, 239);
/// The concurrent-viewers line (and the series bars).
pub const VIEWERS: RGBColor = RGBColor(37, 99, 235);
/// The cumulative-GMV line.
pub const MONEY: RGBColor = RGBColor(5, 150, 105);
/// The retention curve.
pub const RETAIN: RGBColor = RGBColor(124, 58, 237);
/// Flash-sale windows and their markers.
pub const SALE: RGBColor = RGBColor(234, 88, 12);
const BARS: RGBColor = RGBColor(254, 44, 85);

/// A flash sale's window on the session's time axis.
#[derive(Debug, Clone)]
pub struct SaleMark {
    /// The product on sale (shown as the marker's label).
    pub product_id: String,
    /// Minutes from the session's start.
    pub start_minute: f64,
    /// Minutes from the session's start.
    pub end_minute: f64,
}

/// What the session report's four panels show.
#[derive(Debug, Clone, Default)]
pub struct SessionCharts {
    /// The heading (the task's title and the session).
    pub title: String,
    /// A second line under the heading (time span, key figures).
    pub subtitle: String,
    /// The task's currency code.
    pub currency: String,
    /// Length of the time axis, minutes.
    pub span_minutes: f64,
    /// Width of one timeline bucket, minutes.
    pub bucket_minutes: f64,
    /// (minute, the most viewers watching at once in that minute).
    pub concurrent: Vec<(f64, u64)>,
    /// (minute, cumulative GMV at that moment).
    pub gmv: Vec<(f64, f64)>,
    /// Flash sales on the time axis.
    pub flash_sales: Vec<SaleMark>,
    /// (minutes after joining, share still watching 0–1).
    pub after_join: Vec<(u32, f64)>,
    /// (product id, GMV), largest first, at most [`TOP_PRODUCTS`].
    pub products: Vec<(String, f64)>,
}

/// How many products the top-products panel shows.
pub const TOP_PRODUCTS: usize = 8;

type Res<T> = Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing the chart: {e:?}")
}

fn text(size: u32, color: RGBColor) -> TextStyle<'static> {
    (FONT, size).into_font().color(&color)
}

/// A number in a few characters: `950`, `12.5k`, `1.2M`.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (n, unit) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        return if v.fract() == 0.0 || a >= 10.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        };
    };
    let s = if n.abs() >= 100.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    };
    format!("{}{unit}", s.trim_end_matches(".0"))
}

/// A figure with thousands separators: `14,000`, `800.50` (cents kept
/// only when there are some), grouped by the one money formatter.
pub fn grouped(v: f64) -> String {
    let cents = (v * 100.0).round() as i64;
    let text = if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        rust_decimal::Decimal::new(cents, 2).to_string()
    };
    livehire_domain::money::group_thousands(&text)
}

/// A label cut to `max` characters with an ellipsis.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A nice upper bound for an axis showing values up to `max`.
fn headroom(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let target = max * 1.12;
    let mag = 10f64.powf(target.log10().floor());
    for step in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if step * mag >= target {
            return step * mag;
        }
    }
    10.0 * mag
}

/// A time-axis label: `45 min`, `1:30 h`; on an axis of at most ten minutes,
/// `2:30` (minutes and seconds); under half a minute, `12.5 s`.
fn minute_label(m: f64, span: f64) -> String {
    if span < 0.5 {
        return format!("{:.1} s", m * 60.0);
    }
    if span <= 10.0 {
        let s = (m * 60.0).round() as i64;
        return format!("{}:{:02}", s / 60, s % 60);
    }
    let m = m.round() as i64;
    if m >= 60 {
        format!("{}:{:02} h", m / 60, m % 60)
    } else {
        format!("{m} min")
    }
}

/// The session report: four panels in a 2 × 2 grid under a heading.
pub fn session_svg(c: &SessionCharts) -> Res<String> {
    let mut out = String::new();
    {
        let root =
            SVGBackend::with_string(&mut out, (SESSION_WIDTH, SESSION_HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (head, body) = root.split_vertically(70);
        head.draw(&Text::new(c.title.clone(), (24, 16), text(24, INK)))
            .map_err(err)?;
        head.draw(&Text::new(c.subtitle.clone(), (24, 46), text(15, MUTED)))
            .map_err(err)?;
        let panels = body.margin(0, 10, 10, 10).split_evenly((2, 2));
        viewers_panel(&panels[0], c)?;
        gmv_panel(&panels[1], c)?;
        retention_panel(&panels[2], c)?;
        products_panel(&panels[3], c)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn empty_note(area: &Area<'_>, note: &str) -> Res<()> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        note.to_string(),
        (w as i32 / 2, h as i32 / 2),
        text(15, MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(err)
}

fn viewers_panel(area: &Area<'_>, c: &SessionCharts) -> Res<()> {
    let span = c.span_minutes.max(1.0 / 60.0);
    let peak = c.concurrent.iter().map(|p| p.1).max().unwrap_or(0) as f64;
    let top = headroom(peak);
    let mut chart = ChartBuilder::on(area)
        .caption("Concurrent viewers (flash sales shaded)", text(17, INK))
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..span, 0f64..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(12, MUTED))
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&|m| minute_label(*m, span))
        .y_label_formatter(&|v| compact(*v))
        .draw()
        .map_err(err)?;
    for (i, s) in c.flash_sales.iter().enumerate() {
        let a = s.start_minute.clamp(0.0, span);
        let b = s
            .end_minute
            .clamp(a, span)
            .max((a + span / 400.0).min(span));
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, 0.0), (b, top)],
                SALE.mix(0.16).filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(a, 0.0), (a, top)],
                SALE.stroke_width(2),
            )))
            .map_err(err)?;
        let y = top * (0.97 - 0.08 * (i % 4) as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                format!("⚡ flash sale: {}", shorten(&s.product_id, 22)),
                (a, y),
                text(12, SALE).pos(Pos::new(HPos::Left, VPos::Top)),
            )))
            .map_err(err)?;
    }
    if c.concurrent.is_empty() {
        return empty_note(area, "no viewer data");
    }
    // Each bucket's value holds for the whole bucket: draw steps.
    let mut pts: Vec<(f64, f64)> = Vec::with_capacity(c.concurrent.len() * 2);
    for &(m, v) in &c.concurrent {
        let v = v as f64;
        pts.push((m.min(span), v));
        pts.push(((m + c.bucket_minutes).min(span), v));
    }
    chart
        .draw_series(AreaSeries::new(pts.iter().copied(), 0.0, VIEWERS.mix(0.10)))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(pts, VIEWERS.stroke_width(2)))
        .map_err(err)?;
    Ok(())
}

fn gmv_panel(area: &Area<'_>, c: &SessionCharts) -> Res<()> {
    let span = c.span_minutes.max(1.0 / 60.0);
    let total = c.gmv.last().map(|p| p.1).unwrap_or(0.0);
    let top = headroom(c.gmv.iter().map(|p| p.1).fold(0.0, f64::max));
    let title = format!("Cumulative GMV ({} {})", grouped(total), c.currency);
    let mut chart = ChartBuilder::on(area)
        .caption(title, text(17, INK))
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..span, 0f64..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(12, MUTED))
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&|m| minute_label(*m, span))
        .y_label_formatter(&|v| compact(*v))
        .draw()
        .map_err(err)?;
    if c.gmv.is_empty() {
        return empty_note(area, "no orders");
    }
    let mut pts = vec![(0.0, 0.0)];
    pts.extend(c.gmv.iter().map(|&(m, v)| (m.min(span), v)));
    if let Some(&(m, v)) = pts.last()
        && m < span
    {
        pts.push((span, v));
    }
    chart
        .draw_series(AreaSeries::new(pts.iter().copied(), 0.0, MONEY.mix(0.10)))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(pts, MONEY.stroke_width(2)))
        .map_err(err)?;
    Ok(())
}

fn retention_panel(area: &Area<'_>, c: &SessionCharts) -> Res<()> {
    let last = c.after_join.last().map(|p| p.0).unwrap_or(60).max(1);
    let span = f64::from(last) * 1.05;
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Retention: share still watching after joining",
            text(17, INK),
        )
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..span, 0f64..105.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(12, MUTED))
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&|m| minute_label(*m, span))
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .draw()
        .map_err(err)?;
    if c.after_join.is_empty() {
        return empty_note(area, "not enough per-viewer data yet");
    }
    let pts: Vec<(f64, f64)> = std::iter::once((0.0, 100.0))
        .chain(
            c.after_join
                .iter()
                .map(|&(m, s)| (f64::from(m), (s * 100.0).clamp(0.0, 100.0))),
        )
        .collect();
    chart
        .draw_series(LineSeries::new(pts.iter().copied(), RETAIN.stroke_width(2)))
        .map_err(err)?;
    chart
        .draw_series(
            pts.iter()
                .skip(1)
                .map(|&p| Circle::new(p, 4, RETAIN.filled())),
        )
        .map_err(err)?;
    // Label the points, skipping one that would overlap the previous label.
    let mut last_x: Option<i32> = None;
    for &(m, s) in pts.iter().skip(1) {
        let (x, _) = chart.backend_coord(&(m, s));
        if last_x.is_some_and(|l| x - l < 34) {
            continue;
        }
        last_x = Some(x);
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((m, s))
                    + Text::new(
                        format!("{s:.0}%"),
                        (6, -6),
                        text(11, RETAIN).pos(Pos::new(HPos::Left, VPos::Bottom)),
                    ),
            ))
            .map_err(err)?;
    }
    Ok(())
}

fn products_panel(area: &Area<'_>, c: &SessionCharts) -> Res<()> {
    let n = c.products.len().min(TOP_PRODUCTS);
    let rows = n.max(1) as f64;
    let top = headroom(c.products.iter().map(|p| p.1).fold(0.0, f64::max));
    let title = format!("Top products by GMV ({})", c.currency);
    let mut chart = ChartBuilder::on(area)
        .caption(title, text(17, INK))
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(150)
        .build_cartesian_2d(0f64..top, 0f64..rows)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text(12, MUTED))
        .x_labels(6)
        .x_label_formatter(&|v| compact(*v))
        .draw()
        .map_err(err)?;
    if n == 0 {
        return empty_note(area, "no orders");
    }
    for (i, (id, gmv)) in c.products.iter().take(n).enumerate() {
        // Largest at the top.
        let y = rows - i as f64;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.2), (*gmv, y - 0.8)],
                BARS.mix(0.85).filled(),
            )))
            .map_err(err)?;
        let (x0, y0) = chart.backend_coord(&(0.0, y - 0.5));
        area.draw(&Text::new(
            shorten(id, 20),
            (
                x0 - 8 - area.get_base_pixel().0,
                y0 - area.get_base_pixel().1,
            ),
            text(13, INK).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((*gmv, y - 0.5))
                    + Text::new(
                        grouped(*gmv),
                        (6, 0),
                        text(12, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                    ),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// One small bar chart of a series report: a bar per session, `n/a` where a
/// session has no figure.
pub fn bar_chart_svg(
    title: &str,
    labels: &[String],
    values: &[Option<f64>],
    format: &dyn Fn(f64) -> String,
) -> Res<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (360, 230)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = labels.len().max(1) as f64;
        let top = headroom(values.iter().flatten().copied().fold(0.0, f64::max));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, text(15, INK))
            .margin(10)
            .x_label_area_size(26)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..n, 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(text(11, MUTED))
            .x_labels(0)
            .y_labels(5)
            .y_label_formatter(&|v| format(*v))
            .draw()
            .map_err(err)?;
        for (i, label) in labels.iter().enumerate() {
            let x = i as f64;
            let (bx, by) = chart.backend_coord(&(x + 0.5, 0.0));
            root.draw(&Text::new(
                shorten(label, 10),
                (bx, by + 6),
                text(12, INK).pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
            match values.get(i).copied().flatten() {
                Some(v) => {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(x + 0.18, 0.0), (x + 0.82, v)],
                            VIEWERS.mix(0.85).filled(),
                        )))
                        .map_err(err)?;
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format(v),
                            (x + 0.5, v),
                            text(11, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                        )))
                        .map_err(err)?;
                }
                None => {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            "n/a".to_string(),
                            (x + 0.5, 0.0),
                            text(11, MUTED).pos(Pos::new(HPos::Center, VPos::Bottom)),
                        )))
                        .map_err(err)?;
                }
            }
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn figures_are_grouped_with_cents_only_when_there_are_some() {
        assert_eq!(grouped(14_000.0), "14,000");
        assert_eq!(grouped(800.5), "800.50");
        assert_eq!(grouped(1_234_567.891), "1,234,567.89");
        assert_eq!(grouped(-0.5), "-0.50");
        assert_eq!(grouped(-2_500.0), "-2,500");
        assert_eq!(grouped(0.0), "0");
    }
}
