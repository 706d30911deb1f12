//! The annual activity report: the tables laid out by the definition kept in
//! `reports/annual-report.json` (titles, columns and their French labels, K3 grouped A/B/C
//! with totals), with the `<5` masking of KPI.md, as sections any output (HTML, PDF) prints.

use serde::Deserialize;

use crate::table::{Cell, Table};

/// The definition shipped with the application.
pub const ANNUAL_REPORT: &str = include_str!("../../../reports/annual-report.json");

#[derive(Debug, Clone, Deserialize)]
pub struct ReportDefinition {
    pub title: String,
    pub note: String,
    pub sections: Vec<SectionDefinition>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SectionDefinition {
    pub table: String,
    pub title: String,
    /// (field, French heading).
    pub columns: Vec<(String, String)>,
    /// A total line summing the count columns.
    #[serde(default)]
    pub total: bool,
    /// Rows gathered in groups by their `kind`, each with its totals per performer.
    #[serde(default)]
    pub groups: Vec<GroupDefinition>,
    /// Counts of 1 to 4 are shown as `<5` (cells built from medical data).
    #[serde(default)]
    pub mask: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GroupDefinition {
    pub label: String,
    pub kinds: Vec<String>,
}

/// A section as printed: headings, rows of text, and which rows are totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSection {
    pub title: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total_rows: Vec<usize>,
}

/// A finished report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub title: String,
    pub note: String,
    pub sections: Vec<ReportSection>,
}

pub fn annual_definition() -> ReportDefinition {
    serde_json::from_str(ANNUAL_REPORT).expect("reports/annual-report.json is valid")
}

/// The French label of a coded value, by the field it is in.
fn label(field: &str, value: &str) -> String {
    let known = match field {
        "performer" => match value {
            "doctor" => "Médecin",
            "nurse" => "Infirmier",
            "all" => "Ensemble",
            _ => "",
        },
        "kind" => domain::rules::kind_label(value),
        "subtype" => domain::rules::subtype_label(value),
        "type" => match value {
            "members_reached_4y" => "Adhérents ayant bénéficié d'une action en 4 ans",
            other => domain::prevention::action_label(other),
        },
        "item" => match value {
            "supervised_trials" => "Essais encadrés",
            "pre_return_by_occupational_doctor" => {
                "Visites de pré-reprise par le médecin du travail"
            }
            "mid_career_visits" => "Visites de mi-carrière",
            "workstation_studies" => "Études de poste",
            "cases_opened" => "Dossiers ouverts",
            "cases_closed" => "Dossiers clos",
            other => {
                let advice = domain::prevention::pdp::item_label(other);
                if advice.is_empty() {
                    domain::prevention::pdp::partner_label(other)
                } else {
                    advice
                }
            }
        },
        "sex" => match value {
            "F" => "Femmes",
            "M" => "Hommes",
            _ => "",
        },
        _ => "",
    };
    if known.is_empty() {
        value.to_string()
    } else {
        known.to_string()
    }
}

fn shown(cell: Option<&Cell>, field: &str, mask: bool) -> String {
    match cell {
        None => String::new(),
        Some(Cell::Text(t)) => label(field, t),
        Some(Cell::Int(n)) if mask && (1..5).contains(n) => "<5".into(),
        Some(rate @ Cell::Rate(Some(_))) => crate::export::french_cell(rate),
        Some(other) => other.display(),
    }
}

fn value<'a>(record: &'a [(&'static str, Cell)], field: &str) -> Option<&'a Cell> {
    record.iter().find(|(f, _)| *f == field).map(|(_, c)| c)
}

fn count(record: &[(&'static str, Cell)], field: &str) -> i64 {
    match value(record, field) {
        Some(Cell::Int(n)) => *n,
        _ => 0,
    }
}

/// A total line: the label in the first column, the sums of the integer columns.
fn total_row(
    label: &str,
    records: &[&Vec<(&'static str, Cell)>],
    columns: &[(String, String)],
    mask: bool,
) -> Vec<String> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (field, _))| {
            if i == 0 {
                return label.to_string();
            }
            let summable = records
                .first()
                .is_some_and(|r| matches!(value(r, field), Some(Cell::Int(_))));
            if summable {
                let sum: i64 = records.iter().map(|r| count(r, field)).sum();
                shown(Some(&Cell::Int(sum)), field, mask)
            } else {
                String::new()
            }
        })
        .collect()
}

fn section(definition: &SectionDefinition, table: &Table) -> ReportSection {
    let columns = &definition.columns;
    let row = |record: &Vec<(&'static str, Cell)>| -> Vec<String> {
        columns
            .iter()
            .map(|(field, _)| shown(value(record, field), field, definition.mask))
            .collect()
    };
    let mut rows = Vec::new();
    let mut total_rows = Vec::new();
    if definition.groups.is_empty() {
        rows.extend(table.records.iter().map(row));
        if definition.total && !table.records.is_empty() {
            total_rows.push(rows.len());
            let all: Vec<_> = table.records.iter().collect();
            rows.push(total_row("Total", &all, columns, definition.mask));
        }
    } else {
        let kind_of =
            |r: &Vec<(&'static str, Cell)>| value(r, "kind").map(Cell::display).unwrap_or_default();
        for group in &definition.groups {
            let members: Vec<_> = table
                .records
                .iter()
                .filter(|r| group.kinds.contains(&kind_of(r)))
                .collect();
            rows.push(vec![group.label.clone()]);
            total_rows.push(rows.len() - 1);
            rows.extend(members.iter().map(|r| row(r)));
            for (performer, name) in [("doctor", "médecins"), ("nurse", "infirmiers")] {
                let of: Vec<_> = members
                    .iter()
                    .filter(|r| {
                        value(r, "performer").map(Cell::display).as_deref() == Some(performer)
                    })
                    .copied()
                    .collect();
                total_rows.push(rows.len());
                let title = format!("Total {} — {name}", &group.label[..1]);
                rows.push(total_row(&title, &of, columns, definition.mask));
            }
        }
        let all: Vec<_> = table.records.iter().collect();
        total_rows.push(rows.len());
        rows.push(total_row("Total général", &all, columns, definition.mask));
    }
    ReportSection {
        title: definition.title.clone(),
        headings: columns.iter().map(|(_, heading)| heading.clone()).collect(),
        rows,
        total_rows,
    }
}

/// What the title says of a scope: " — équipe T", " — secteur S", or nothing.
pub fn scope_label(scope: &crate::Scope) -> String {
    match (&scope.team, &scope.sector) {
        (Some(team), _) => format!(" — équipe {team}"),
        (None, Some(sector)) => format!(" — secteur {sector}"),
        _ => String::new(),
    }
}

/// The report of a year from its tables.
pub fn build_report(
    definition: &ReportDefinition,
    tables: &[Table],
    year: i32,
    scope: &str,
) -> Report {
    Report {
        title: format!("{} {year}{scope}", definition.title),
        note: definition.note.clone(),
        sections: definition
            .sections
            .iter()
            .filter_map(|d| {
                tables
                    .iter()
                    .find(|t| t.id == d.table)
                    .map(|t| section(d, t))
            })
            .collect(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report as one HTML page (its own styles, printable).
pub fn report_html(report: &Report) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1b1f24}}table{{border-collapse:collapse;margin:0 0 2rem}}\
         th,td{{border:1px solid #c8ccd2;padding:.25rem .5rem;text-align:left}}td.n{{text-align:right}}tr.total{{font-weight:700;background:#f0f2f5}}</style>\
         </head><body><h1>{title}</h1><p>{note}</p>\n",
        title = escape(&report.title),
        note = escape(&report.note)
    );
    for (i, s) in report.sections.iter().enumerate() {
        html.push_str(&format!(
            "<h2>{}. {}</h2>\n<table>\n<thead><tr>",
            i + 1,
            escape(&s.title)
        ));
        for h in &s.headings {
            html.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
        }
        html.push_str("</tr></thead>\n<tbody>\n");
        for (r, row) in s.rows.iter().enumerate() {
            let class = if s.total_rows.contains(&r) {
                " class=\"total\""
            } else {
                ""
            };
            html.push_str(&format!("<tr{class}>"));
            for (c, cell) in row.iter().enumerate() {
                let numeric = c > 0
                    && (cell.parse::<f64>().is_ok()
                        || cell.replace(',', ".").parse::<f64>().is_ok()
                        || cell == "<5");
                let colspan = if row.len() == 1 {
                    format!(" colspan=\"{}\"", s.headings.len())
                } else {
                    String::new()
                };
                html.push_str(&format!(
                    "<td{}{colspan}>{}</td>",
                    if numeric { " class=\"n\"" } else { "" },
                    escape(cell)
                ));
            }
            html.push_str("</tr>\n");
        }
        if s.rows.is_empty() {
            html.push_str(&format!(
                "<tr><td colspan=\"{}\">Aucune donnée.</td></tr>\n",
                s.headings.len()
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("</body></html>\n");
    html
}
