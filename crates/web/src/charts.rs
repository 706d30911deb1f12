//! Charts as SVG written on the server: bars and lines readable without JavaScript, each
//! with a title and its values printed beside the marks (the page also shows the tables).

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number with one decimal and a decimal comma.
pub(crate) fn french_number(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 190.0;
const TOP: f64 = 30.0;

/// The highest value the axis shows: the data and the target, with headroom.
fn scale_max(values: impl Iterator<Item = f64>, target: Option<f64>) -> f64 {
    let max = values.chain(target).fold(0.0_f64, f64::max);
    if max <= 0.0 { 1.0 } else { max * 1.15 }
}

fn y_of(value: f64, max: f64) -> f64 {
    BOTTOM - (value / max) * (BOTTOM - TOP)
}

fn target_line(target: Option<(f64, &str)>, max: f64) -> String {
    match target {
        Some((value, label)) => {
            let y = y_of(value, max);
            format!(
                "<line x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#a4001d\" stroke-dasharray=\"6 4\"/>\
                 <text x=\"{WIDTH}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"#a4001d\">{}</text>",
                y - 4.0,
                escape(label)
            )
        }
        None => String::new(),
    }
}

fn frame(title: &str, body: String) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\" class=\"chart\">\
         <title>{t}</title><line x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{BOTTOM}\" y2=\"{BOTTOM}\" stroke=\"#4a5360\"/>{body}</svg>",
        t = escape(title)
    )
}

/// Bars with their value above each, and an optional target line.
pub fn bar_chart(
    title: &str,
    bars: &[(String, Option<f64>)],
    target: Option<(f64, &str)>,
    unit: &str,
) -> String {
    let max = scale_max(bars.iter().filter_map(|(_, v)| *v), target.map(|t| t.0));
    let slot = (WIDTH - LEFT) / bars.len().max(1) as f64;
    let mut body = String::new();
    for (i, (label, value)) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.2;
        let width = slot * 0.6;
        let shown = value.map_or("—".to_string(), |v| format!("{}{unit}", french_number(v)));
        if let Some(v) = value {
            let y = y_of(*v, max);
            body.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"#0b5cad\"/>",
                BOTTOM - y
            ));
        }
        let top = value.map_or(BOTTOM, |v| y_of(v, max));
        body.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">{}</text>",
            x + width / 2.0,
            top - 5.0,
            escape(&shown),
            x + width / 2.0,
            BOTTOM + 16.0,
            escape(label)
        ));
    }
    body.push_str(&target_line(target, max));
    frame(title, body)
}

/// A line through the points (a point without value breaks nothing: it is left out), its
/// values printed, and an optional target line.
pub fn line_chart(
    title: &str,
    points: &[(String, Option<f64>)],
    target: Option<(f64, &str)>,
    unit: &str,
) -> String {
    let max = scale_max(points.iter().filter_map(|(_, v)| *v), target.map(|t| t.0));
    let step = (WIDTH - LEFT - 30.0) / (points.len().max(2) - 1) as f64;
    let mut body = String::new();
    let mut path = Vec::new();
    for (i, (label, value)) in points.iter().enumerate() {
        let x = LEFT + 15.0 + step * i as f64;
        body.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">{}</text>",
            BOTTOM + 16.0,
            escape(label)
        ));
        if let Some(v) = value {
            let y = y_of(*v, max);
            path.push(format!("{x:.1},{y:.1}"));
            body.push_str(&format!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#0b5cad\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">{}{unit}</text>",
                y - 8.0,
                french_number(*v)
            ));
        }
    }
    if path.len() > 1 {
        body.insert_str(
            0,
            &format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2\"/>",
                path.join(" ")
            ),
        );
    }
    body.push_str(&target_line(target, max));
    frame(title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_print_their_values_and_escape_labels() {
        let bars = bar_chart(
            "Absences <médecins>",
            &[("Médecins".into(), Some(4.25)), ("Infirmiers".into(), None)],
            Some((5.0, "objectif 5 %")),
            " %",
        );
        assert!(bars.contains("<title>Absences &lt;médecins&gt;</title>"));
        assert!(bars.contains("4,2 %") || bars.contains("4,3 %"));
        assert!(bars.contains("—"), "no value is said, not drawn as 0");
        assert!(bars.contains("objectif 5 %"));
        let line = line_chart(
            "Tendance",
            &[
                ("2022".into(), Some(6.0)),
                ("2023".into(), None),
                ("2024".into(), Some(4.0)),
            ],
            None,
            " %",
        );
        assert_eq!(line.matches("<circle").count(), 2);
        assert!(line.contains("<polyline"));
    }
}
