//! A worker's identity, employments and category, and the doctor's decision on the category.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::Role;
use domain::followup::FollowUp;
use serde::Deserialize;
use store::Actor;

use super::ValidForm;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::required;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "workers/show.html")]
struct WorkerPage {
    layout: Layout,
    id: i64,
    name: String,
    reference: String,
    birth: String,
    category: String,
    employments: Vec<Vec<String>>,
    decisions: Vec<String>,
    /// Hardship factors declared by payroll (DSN), as declared.
    payroll_hardship: Vec<String>,
    can_decide: bool,
    followup: super::followup::FollowUpView,
    notice: Option<String>,
    error: Option<String>,
}

pub(super) async fn worker_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let db = state.db();
    let worker = db.find_worker(id).await?;
    let employments = db.list_worker_employments(id).await?;
    let decisions = db.list_category_decisions(id).await?;
    let declared = match employments.first() {
        Some(e) => db
            .find_latest_declaration(
                e.establishment_id,
                chrono::Datelike::year(&crate::services::today()),
            )
            .await?
            .and_then(|d| d.lines.into_iter().find(|l| l.employment_id == e.id))
            .map(|l| l.category),
        None => None,
    };
    let category = match (decisions.first(), declared) {
        (Some(d), _) => format!("{} (décision du médecin)", d.category.label()),
        (None, Some(c)) => format!("{} (déclarée)", c.label()),
        (None, None) => "non déclarée cette année".into(),
    };
    let followup = super::followup::follow_up_view(state, user, id, &employments).await?;
    let payroll_hardship = payroll_hardship_lines(db.list_payroll_hardship(id).await?);
    let page = WorkerPage {
        payroll_hardship,
        followup,
        id,
        name: worker.display_name(),
        reference: worker.worker_ref.clone(),
        birth: worker.birth_date.format("%d/%m/%Y").to_string(),
        category,
        employments: employments
            .iter()
            .map(|e| {
                vec![
                    format!("{} ({})", e.establishment_name, e.siret),
                    e.job_title.clone(),
                    e.contract.label().to_string(),
                    e.hired_on.format("%d/%m/%Y").to_string(),
                    e.left_on
                        .map(|d| d.format("%d/%m/%Y").to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
        decisions: decisions
            .iter()
            .map(|d| {
                format!(
                    "{} — {} : {} (Dr {})",
                    d.decided_at.format("%d/%m/%Y"),
                    d.category.code(),
                    d.reason,
                    d.decided_by
                )
            })
            .collect(),
        can_decide: user.role == Role::Doctor,
        notice,
        error,
        layout,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

/// One line per establishment and factor: the months payroll declared it, and the month a
/// factor `99` cancelled it.
fn payroll_hardship_lines(rows: Vec<(String, String, chrono::NaiveDate)>) -> Vec<String> {
    let month = |d: chrono::NaiveDate| d.format("%m/%Y").to_string();
    let mut lines = Vec::new();
    for (siret, factor, _) in &rows {
        if factor == "99" || lines.iter().any(|(s, f, _)| s == siret && f == factor) {
            continue;
        }
        let months: Vec<chrono::NaiveDate> = rows
            .iter()
            .filter(|(s, f, _)| s == siret && f == factor)
            .map(|(_, _, m)| *m)
            .collect();
        let (first, last) = (months[0], months[months.len() - 1]);
        let cancelled = rows
            .iter()
            .find(|(s, f, m)| s == siret && f == "99" && *m > last)
            .map(|(_, _, m)| format!(" ; annulé par la paie en {}", month(*m)))
            .unwrap_or_default();
        let text = format!(
            "{} — établissement {siret} — déclaré de {} à {}{cancelled}",
            import::dsn::factor_label(factor),
            month(first),
            month(last)
        );
        lines.push((siret.clone(), factor.clone(), text));
    }
    lines.into_iter().map(|(_, _, text)| text).collect()
}

pub async fn show_worker(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    worker_page(&state, &user, layout, parse_id(&id)?, None, None).await
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide_category(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<DecisionForm>,
) -> Result<Response, AppError> {
    super::followup::change_facts(&state, &user, layout, &id, |id, state, user| async move {
        let category = FollowUp::from_code(form.category.trim())
            .ok_or_else(|| AppError::invalid("Catégorie", "SIS, SIA ou SIR attendu"))?;
        let reason = required("Motif", &form.reason, 500)?;
        state
            .db()
            .record_category_decision(&Actor(user.login.clone()), id, category, &reason)
            .await?;
        Ok(format!("Décision enregistrée : {}.", category.code()))
    })
    .await
}
