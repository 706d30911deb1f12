//! The directors' dashboard: the key figures of a year and month against the targets, SVG
//! charts, each table of KPI.md on its own page with drill-down, downloads (CSV, XLSX) and
//! the annual report (HTML, PDF). A team's doctor and nurse see their team and their own
//! figures.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use domain::Role;
use kpi::{Cell, Table};
use serde::Deserialize;

use super::file_response;
use crate::auth::CurrentUser;
use crate::charts::{bar_chart, french_number, line_chart};
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::indicators::{Targets, Viewer, tables, viewer, visible};
use crate::services::today;
use crate::state::AppState;

/// Directors; a team's doctors and nurses (their team's figures).
pub const KPI_READERS: &[Role] = &[Role::Director, Role::Doctor, Role::Nurse];

/// The tables whose counts come from workers' medical data: 1 to 4 is shown `<5`.
const MEDICAL_TABLES: [&str; 7] = [
    "K3",
    "K4",
    "K4_team",
    "K4_professional",
    "K4_month",
    "K8",
    "K11",
];

#[derive(Debug, Default, Deserialize)]
pub struct IndicatorParams {
    #[serde(default)]
    year: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    sector: String,
}

struct Chosen {
    year: i32,
    month: u32,
    viewer: Viewer,
}

async fn chosen(
    state: &AppState,
    user: &domain::authz::Principal,
    params: &IndicatorParams,
) -> Result<Chosen, AppError> {
    let now = today();
    let year = match params.year.trim() {
        "" => now.year(),
        text => text
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .ok_or_else(|| {
                AppError::invalid("Année", format!("« {text} » n'est pas une année (AAAA)"))
            })?,
    };
    let month = match params.month.trim() {
        "" if year == now.year() => now.month(),
        "" => 12,
        text => text
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| {
                AppError::invalid("Mois", format!("« {text} » n'est pas un mois (1 à 12)"))
            })?,
    };
    let viewer = viewer(state, user, &params.team, &params.sector).await?;
    Ok(Chosen {
        year,
        month,
        viewer,
    })
}

fn find<'a>(tables: &'a [Table], id: &str) -> &'a Table {
    tables
        .iter()
        .find(|t| t.id == id)
        .expect("every table is computed")
}

fn number(table: &Table, key: Option<(&str, &str)>, field: &str) -> Option<f64> {
    let record = match key {
        Some((key_field, key)) => table.records.iter().find(|r| {
            r.iter()
                .any(|(f, c)| *f == key_field && matches!(c, Cell::Text(t) if t == key))
        })?,
        None => table.records.first()?,
    };
    match &record.iter().find(|(f, _)| *f == field)?.1 {
        Cell::Int(n) | Cell::MaybeInt(Some(n)) => Some(*n as f64),
        Cell::Rate(r) => *r,
        _ => None,
    }
}

fn shown(value: Option<f64>, unit: &str) -> String {
    match value {
        Some(v) if unit == " %" => format!("{}{unit}", french_number(v)),
        Some(v) => format!("{v:.0}{unit}"),
        None => "—".into(),
    }
}

/// The query string that keeps the chosen year and scope.
fn query(chosen: &Chosen) -> String {
    let mut q = format!("year={}", chosen.year);
    if chosen.viewer.director {
        if let Some(t) = &chosen.viewer.scope.team {
            q.push_str(&format!("&team={t}"));
        }
        if let Some(s) = &chosen.viewer.scope.sector {
            q.push_str(&format!("&sector={s}"));
        }
    }
    q
}

struct Figure {
    label: &'static str,
    value: String,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    year: i32,
    month: u32,
    query: String,
    director: bool,
    team: String,
    sector: String,
    teams: Vec<(String, String)>,
    sectors: Vec<String>,
    figures: Vec<Figure>,
    charts: Vec<String>,
    table_ids: Vec<(&'static str, &'static str)>,
}

/// The tables of KPI.md with their French titles, for the list of pages.
const TABLE_TITLES: [(&str, &str); 16] = [
    ("K1", "Adhérents et effectifs par section NAF"),
    ("K2", "Adhérents par secteur et par taille"),
    ("K3", "Visites réalisées"),
    ("K4", "Absentéisme aux rendez-vous"),
    ("K4_team", "Absentéisme par équipe"),
    ("K4_professional", "Absentéisme par professionnel"),
    ("K4_month", "Absentéisme par mois"),
    ("K5", "Capacité et utilisation des créneaux"),
    ("K6", "Fiches d'entreprise"),
    ("K6_sector", "Fiches d'entreprise par secteur"),
    ("K6_team", "Fiches d'entreprise par équipe"),
    ("K7", "Actions en milieu de travail"),
    ("K8", "Prévention de la désinsertion professionnelle"),
    ("K9", "Mouvements d'adhésion"),
    ("K10", "Effectifs par âge et par sexe"),
    ("K11", "Conformité et délais"),
];

pub async fn show_dashboard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Query(params): Query<IndicatorParams>,
) -> Result<Response, AppError> {
    let chosen = chosen(&state, &user, &params).await?;
    let targets = Targets::from_env();
    let current = tables(&state, chosen.year, &chosen.viewer.scope).await?;
    let k4 = find(&current, "K4");
    let month_key = format!("{}-{:02}", chosen.year, chosen.month);
    let k4_month = find(&current, "K4_month");
    let k6 = find(&current, "K6");
    let k5 = find(&current, "K5");
    let k8 = find(&current, "K8");
    let k11 = find(&current, "K11");
    let no_show = |performer: &str| number(k4, Some(("performer", performer)), "no_show_rate");
    let mut figures = vec![
        Figure {
            label: "Taux d'absence aux rendez-vous",
            value: shown(no_show("all"), " %"),
            detail: format!(
                "médecins {}, infirmiers {} ; objectif {}",
                shown(no_show("doctor"), " %"),
                shown(no_show("nurse"), " %"),
                shown(Some(targets.no_show_rate), " %")
            ),
        },
        Figure {
            label: "Absences du mois",
            value: shown(
                number(k4_month, Some(("month", &month_key)), "no_show_rate"),
                " %",
            ),
            detail: format!(
                "{month_key} : {} honorés, {} absences",
                shown(number(k4_month, Some(("month", &month_key)), "done"), ""),
                shown(number(k4_month, Some(("month", &month_key)), "absent"), "")
            ),
        },
        Figure {
            label: "Couverture en fiches d'entreprise",
            value: shown(number(k6, None, "coverage_rate"), " %"),
            detail: format!(
                "{} adhérents sur {} ; nouveaux adhérents avec fiche dans l'année : {} ; objectif {}",
                shown(number(k6, None, "covered"), ""),
                shown(number(k6, None, "active_members"), ""),
                shown(number(k6, None, "new_member_fe_rate"), " %"),
                shown(Some(targets.fe_coverage), " %")
            ),
        },
        Figure {
            label: "Rendez-vous honorés / créneaux",
            value: shown(number(k5, Some(("performer", "all")), "use_rate"), " %"),
            detail: format!(
                "{} honorés pour {} créneaux",
                shown(number(k5, Some(("performer", "all")), "done"), ""),
                shown(number(k5, Some(("performer", "all")), "slots"), "")
            ),
        },
        Figure {
            label: "Visites initiales dans le délai",
            value: shown(number(k11, None, "initial_within_deadline_rate"), " %"),
            detail: format!(
                "{} sur {} ; délai médian {} jours",
                shown(number(k11, None, "initial_within_deadline"), ""),
                shown(number(k11, None, "initial_visits"), ""),
                shown(number(k11, None, "median_days_hire_to_initial"), "")
            ),
        },
        Figure {
            label: "Prévention de la désinsertion professionnelle",
            value: shown(
                number(k8, Some(("item", "cases_opened")), "count"),
                " dossiers ouverts",
            ),
            detail: format!(
                "{} clos, {} orientations vers un partenaire",
                shown(number(k8, Some(("item", "cases_closed")), "count"), ""),
                shown(
                    Some(
                        ["carsat_social_service", "cap_emploi_oeth", "mdph"]
                            .iter()
                            .filter_map(|p| number(k8, Some(("item", p)), "count"))
                            .sum(),
                    ),
                    ""
                )
            ),
        },
    ];
    if let Some(own) = &chosen.viewer.professional {
        let mine = visible(&chosen.viewer, find(&current, "K4_professional"));
        figures.push(Figure {
            label: "Mes absences aux rendez-vous",
            value: shown(
                number(&mine, Some(("professional", own)), "no_show_rate"),
                " %",
            ),
            detail: format!(
                "{} honorés, {} absences",
                shown(number(&mine, Some(("professional", own)), "done"), ""),
                shown(number(&mine, Some(("professional", own)), "absent"), "")
            ),
        });
    }
    let mut trend = Vec::new();
    for year in chosen.year - 4..=chosen.year {
        let tables = if year == chosen.year {
            current.clone()
        } else {
            tables(&state, year, &chosen.viewer.scope).await?
        };
        trend.push((
            year.to_string(),
            number(
                find(&tables, "K4"),
                Some(("performer", "all")),
                "no_show_rate",
            ),
        ));
    }
    let target_label = format!("objectif {}", shown(Some(targets.no_show_rate), " %"));
    let fe_label = format!("objectif {}", shown(Some(targets.fe_coverage), " %"));
    let charts = vec![
        line_chart(
            "Taux d'absence sur 5 ans",
            &trend,
            Some((targets.no_show_rate, &target_label)),
            " %",
        ),
        bar_chart(
            "Taux d'absence par profession",
            &[
                ("Médecins".into(), no_show("doctor")),
                ("Infirmiers".into(), no_show("nurse")),
                ("Ensemble".into(), no_show("all")),
            ],
            Some((targets.no_show_rate, &target_label)),
            " %",
        ),
        bar_chart(
            "Fiches d'entreprise",
            &[
                ("Couverture 4 ans".into(), number(k6, None, "coverage_rate")),
                (
                    "Nouveaux adhérents".into(),
                    number(k6, None, "new_member_fe_rate"),
                ),
            ],
            Some((targets.fe_coverage, &fe_label)),
            " %",
        ),
        bar_chart(
            "Rendez-vous honorés et créneaux",
            &[
                (
                    "Créneaux".into(),
                    number(k5, Some(("performer", "all")), "slots"),
                ),
                (
                    "Honorés".into(),
                    number(k5, Some(("performer", "all")), "done"),
                ),
            ],
            None,
            "",
        ),
    ];
    let db = state.db();
    Ok(DashboardPage {
        layout,
        query: query(&chosen),
        year: chosen.year,
        month: chosen.month,
        director: chosen.viewer.director,
        team: chosen.viewer.scope.team.clone().unwrap_or_default(),
        sector: chosen.viewer.scope.sector.clone().unwrap_or_default(),
        teams: db
            .list_teams()
            .await?
            .into_iter()
            .map(|t| (t.code, t.name))
            .collect(),
        sectors: db
            .list_sectors()
            .await?
            .into_iter()
            .map(|s| s.code)
            .collect(),
        figures,
        charts,
        table_ids: TABLE_TITLES.to_vec(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators/table.html")]
struct TablePage {
    layout: Layout,
    id: String,
    title: &'static str,
    year: i32,
    query: String,
    headings: Vec<String>,
    rows: Vec<Vec<String>>,
    drill: Vec<(&'static str, &'static str)>,
}

/// The French heading of a field, from the report definition when it names it.
fn heading(definition: &kpi::report::ReportDefinition, id: &str, field: &str) -> String {
    let base = id.split('_').next().unwrap_or(id);
    definition
        .sections
        .iter()
        .filter(|s| s.table == base)
        .flat_map(|s| s.columns.iter())
        .find(|(f, _)| f == field)
        .map_or_else(
            || match field {
                "team" => "Équipe".into(),
                "professional" => "Professionnel".into(),
                "month" => "Mois".into(),
                "sector" => "Secteur".into(),
                other => other.to_string(),
            },
            |(_, h)| h.clone(),
        )
}

async fn table_for(
    state: &AppState,
    user: &domain::authz::Principal,
    params: &IndicatorParams,
    id: &str,
) -> Result<(Chosen, Table), AppError> {
    if !TABLE_TITLES.iter().any(|(t, _)| *t == id) {
        return Err(AppError::NotFound);
    }
    let chosen = chosen(state, user, params).await?;
    let all = tables(state, chosen.year, &chosen.viewer.scope).await?;
    let table = visible(&chosen.viewer, find(&all, id));
    Ok((chosen, table))
}

pub async fn show_table(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    Query(params): Query<IndicatorParams>,
) -> Result<Response, AppError> {
    let (chosen, table) = table_for(&state, &user, &params, &id).await?;
    let definition = kpi::report::annual_definition();
    let columns = kpi::export::columns(&table);
    let mask = MEDICAL_TABLES.contains(&table.id);
    let rows = table
        .records
        .iter()
        .map(|record| {
            columns
                .iter()
                .map(
                    |c| match record.iter().find(|(f, _)| f == c).map(|(_, cell)| cell) {
                        Some(Cell::Int(n)) if mask && (1..5).contains(n) => "<5".to_string(),
                        Some(cell) => kpi::export::french_cell(cell),
                        None => String::new(),
                    },
                )
                .collect()
        })
        .collect();
    let drill: Vec<(&str, &str)> = match table.id {
        "K4" | "K4_team" | "K4_professional" | "K4_month" => vec![
            ("K4", "par profession"),
            ("K4_team", "par équipe"),
            ("K4_professional", "par professionnel"),
            ("K4_month", "par mois"),
        ],
        "K6" | "K6_sector" | "K6_team" => vec![
            ("K6", "ensemble"),
            ("K6_sector", "par secteur"),
            ("K6_team", "par équipe"),
        ],
        _ => Vec::new(),
    };
    Ok(TablePage {
        layout,
        title: TABLE_TITLES
            .iter()
            .find(|(t, _)| *t == table.id)
            .map_or("", |(_, t)| t),
        headings: columns
            .iter()
            .map(|c| heading(&definition, table.id, c))
            .collect(),
        id: table.id.to_string(),
        year: chosen.year,
        query: query(&chosen),
        rows,
        drill,
    }
    .into_response())
}

pub async fn download_table_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<IndicatorParams>,
) -> Result<Response, AppError> {
    let (chosen, table) = table_for(&state, &user, &params, &id).await?;
    Ok(file_response(
        "text/csv; charset=utf-8",
        "attachment",
        &format!("{}-{}.csv", table.id, chosen.year),
        kpi::export::table_csv(&table),
    ))
}

async fn visible_tables(
    state: &AppState,
    user: &domain::authz::Principal,
    params: &IndicatorParams,
) -> Result<(Chosen, Vec<Table>), AppError> {
    let chosen = chosen(state, user, params).await?;
    let all = tables(state, chosen.year, &chosen.viewer.scope).await?;
    let visible: Vec<Table> = all.iter().map(|t| visible(&chosen.viewer, t)).collect();
    Ok((chosen, visible))
}

pub async fn download_xlsx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<IndicatorParams>,
) -> Result<Response, AppError> {
    let (chosen, tables) = visible_tables(&state, &user, &params).await?;
    let bytes = kpi::xlsx::tables_xlsx(&tables).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(file_response(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment",
        &format!("indicateurs-{}.xlsx", chosen.year),
        bytes,
    ))
}

/// The annual report of the chosen year and scope, as the user may see it.
async fn annual_report(
    state: &AppState,
    user: &domain::authz::Principal,
    params: &IndicatorParams,
) -> Result<(i32, kpi::report::Report), AppError> {
    let (chosen, mut tables) = visible_tables(state, user, params).await?;
    tables.push(
        crate::services::programmes::programmes_table(
            state.db(),
            chosen.year,
            &chosen.viewer.scope,
        )
        .await?,
    );
    let report = kpi::report::build_report(
        &kpi::report::annual_definition(),
        &tables,
        chosen.year,
        &kpi::report::scope_label(&chosen.viewer.scope),
    );
    Ok((chosen.year, report))
}

pub async fn show_report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<IndicatorParams>,
) -> Result<Response, AppError> {
    let (_, report) = annual_report(&state, &user, &params).await?;
    Ok(axum::response::Html(kpi::report::report_html(&report)).into_response())
}

pub async fn download_report_pdf(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<IndicatorParams>,
) -> Result<Response, AppError> {
    let (year, report) = annual_report(&state, &user, &params).await?;
    Ok(file_response(
        "application/pdf",
        "attachment",
        &format!("rapport-activite-{year}.pdf"),
        notify::pdf::report_pdf(&report_document(&report)),
    ))
}

/// The report as the PDF module prints it.
fn report_document(report: &kpi::report::Report) -> notify::pdf::TableReport {
    notify::pdf::TableReport {
        title: report.title.clone(),
        note: report.note.clone(),
        sections: report
            .sections
            .iter()
            .map(|s| notify::pdf::TableSection {
                title: s.title.clone(),
                headings: s.headings.clone(),
                rows: s.rows.clone(),
                total_rows: s.total_rows.clone(),
            })
            .collect(),
    }
}
