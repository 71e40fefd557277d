//! A chart of a hosted table's page as an SVG image drawn on the server: bars or a line of a
//! number column over another column. It needs no script, and the page's table below it is
//! its text alternative.
use std::fmt::Write;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 64.0;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Bar,
    Line,
}

/// The chart of `points` (label, value; rows without a value are left out), titled `title`.
pub fn svg(title: &str, points: &[(String, f64)], mark: Mark) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title" class="chart"><title id="chart-title">{}</title>"#,
        escape(title)
    );
    if points.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    let (low, high) = range(points);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_height * (high - v) / (high - low);
    let step = (WIDTH - LEFT - RIGHT) / points.len() as f64;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    for tick in ticks(low, high) {
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ccc"/><text x="{}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y(tick) + 4.0,
            number(tick),
            y = y(tick),
        );
    }
    match mark {
        Mark::Bar => {
            let zero = y(0.0_f64.clamp(low, high));
            for (i, (label, value)) in points.iter().enumerate() {
                let (top, bottom) = (y(*value).min(zero), y(*value).max(zero));
                let _ = write!(
                    out,
                    r##"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="#1f5fa8"><title>{}: {}</title></rect>"##,
                    x(i) - step * 0.4,
                    step * 0.8,
                    (bottom - top).max(0.5),
                    escape(label),
                    number(*value)
                );
            }
        }
        Mark::Line => {
            let line: Vec<String> = points
                .iter()
                .enumerate()
                .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
                .collect();
            let _ = write!(
                out,
                r##"<polyline points="{}" fill="none" stroke="#1f5fa8" stroke-width="2"/>"##,
                line.join(" ")
            );
            for (i, (label, value)) in points.iter().enumerate() {
                let _ = write!(
                    out,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#1f5fa8"><title>{}: {}</title></circle>"##,
                    x(i),
                    y(*value),
                    escape(label),
                    number(*value)
                );
            }
        }
    }
    // At most about 24 labels along the bottom, turned so long ones fit.
    let every = points.len().div_ceil(24);
    for (i, (label, _)) in points.iter().enumerate().step_by(every) {
        let short: String = label.chars().take(16).collect();
        let _ = write!(
            out,
            r#"<text transform="translate({:.1},{}) rotate(-40)" text-anchor="end" font-size="11">{}</text>"#,
            x(i) + 3.0,
            HEIGHT - BOTTOM + 14.0,
            escape(&short)
        );
    }
    out.push_str("</svg>");
    out
}

/// The value axis: from zero (or below, for negative values) to the largest value.
fn range(points: &[(String, f64)]) -> (f64, f64) {
    let low = points.iter().map(|p| p.1).fold(0.0, f64::min);
    let high = points.iter().map(|p| p.1).fold(0.0, f64::max);
    match high - low {
        d if d > 0.0 => (low, high),
        _ => (low, low + 1.0),
    }
}

/// About five round values across the axis.
fn ticks(low: f64, high: f64) -> Vec<f64> {
    let raw = (high - low) / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(magnitude * 10.0);
    let mut tick = (low / step).ceil() * step;
    let mut ticks = Vec::new();
    while tick <= high + step * 1e-9 {
        ticks.push(tick);
        tick += step;
    }
    ticks
}

fn number(value: f64) -> String {
    match value.fract() == 0.0 && value.abs() < 1e15 {
        true => format!("{}", value as i64),
        false => format!("{value:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_with_round_ticks_and_escaped_labels() {
        let points = vec![("jan & feb".to_owned(), 16.0), ("mar".into(), 23.2)];
        let chart = svg("PM10 <per månad>", &points, Mark::Bar);
        assert_eq!(chart.matches("<rect").count(), 2);
        assert!(chart.contains("jan &amp; feb: 16"));
        assert!(chart.contains("PM10 &lt;per månad&gt;"));
        assert_eq!(ticks(0.0, 23.2), [0.0, 5.0, 10.0, 15.0, 20.0]);
        let line = svg("x", &points, Mark::Line);
        assert!(line.contains("<polyline"));
    }
}
