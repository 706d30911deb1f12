//! The PDP team's pages: cases and the early-warning list, a case's follow-up (advice,
//! referrals, trials, closing result), and its medical notes for doctors and nurses only.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::prevention::pdp::{
    ADVICE_TYPES, PARTNERS, RESULTS, SIGNALS, item_label, partner_label, result_label, signal_label,
};
use domain::{Role, french_date};
use serde::Deserialize;
use store::{Actor, PdpCase};

use super::ValidForm;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::medical::medical_grant;
use crate::services::{parse_date, today};
use crate::state::AppState;

/// The PDP team: the non-medical follow-up.
pub const PDP_TEAM: &[Role] = &[
    Role::Admin,
    Role::Doctor,
    Role::Nurse,
    Role::Assistant,
    Role::Preventer,
];

struct CaseRow {
    id: i64,
    worker: String,
    signal: &'static str,
    opened_on: String,
    status: String,
}

fn case_row(c: &PdpCase) -> CaseRow {
    CaseRow {
        id: c.id,
        worker: c.worker_name.clone(),
        signal: signal_label(&c.signal),
        opened_on: french_date(c.opened_on),
        status: match (&c.closed_on, &c.result) {
            (Some(on), Some(result)) => {
                format!("clos le {} : {}", french_date(*on), result_label(result))
            }
            _ => "ouvert".into(),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pdp/list.html")]
struct ListPage {
    layout: Layout,
    cases: Vec<CaseRow>,
    warnings: Vec<(i64, String, u32, String, bool)>,
    signals: &'static [(&'static str, &'static str)],
}

pub async fn show_pdp(State(state): State<AppState>, layout: Layout) -> Result<Response, AppError> {
    let db = state.db();
    let cases = db.list_pdp_cases().await?.iter().map(case_row).collect();
    let warnings = db
        .list_early_warnings(today(), 100)
        .await?
        .into_iter()
        .map(|w| {
            let factors = w
                .factors
                .iter()
                .map(|f| format!("{} (+{})", f.label, f.points))
                .collect::<Vec<_>>()
                .join(" ; ");
            (w.worker_id, w.worker_name, w.score, factors, w.open_case)
        })
        .collect();
    Ok(ListPage {
        layout,
        cases,
        warnings,
        signals: &SIGNALS,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    signal: String,
}

pub async fn open_case(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<OpenForm>,
) -> Result<Response, AppError> {
    let worker = parse_id(&id)?;
    state.db().find_worker(worker).await?;
    let case = state
        .db()
        .open_pdp_case(
            &Actor(user.login.clone()),
            worker,
            form.signal.trim(),
            today(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pdp/{case}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "pdp/show.html")]
struct CasePage {
    layout: Layout,
    case: CaseRow,
    worker_id: i64,
    open: bool,
    items: Vec<(String, &'static str, &'static str, String, String)>,
    item_kinds: Vec<(&'static str, &'static str)>,
    partners: &'static [(&'static str, &'static str)],
    results: &'static [(&'static str, &'static str)],
    /// Workstation studies serving the case: (action id, date, title, establishment id,
    /// establishment, author, has report).
    studies: Vec<(i64, String, String, i64, String, String, bool)>,
    /// The medical notes, for a doctor or nurse of the worker's team.
    notes: Option<Vec<(String, String, String)>>,
    error: Option<String>,
}

async fn case_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let case = state.db().find_pdp_case(id).await?;
    let notes = if user.role.is_health_professional() {
        match medical_grant(state, user, case.worker_id, None).await {
            Ok(Some(grant)) => Some(state.db().list_pdp_medical_notes(&grant, id).await?),
            _ => None,
        }
    } else {
        None
    };
    let mut item_kinds: Vec<(&'static str, &'static str)> = ADVICE_TYPES.to_vec();
    item_kinds.push(("referral", item_label("referral")));
    item_kinds.push(("supervised_trial", item_label("supervised_trial")));
    let studies = state
        .db()
        .list_pdp_case_studies(id)
        .await?
        .into_iter()
        .map(|a| {
            (
                a.id,
                french_date(a.date),
                a.title,
                a.establishment_id,
                a.establishment_name,
                a.author,
                a.has_report,
            )
        })
        .collect();
    let failed = error.is_some();
    let page = CasePage {
        layout,
        studies,
        worker_id: case.worker_id,
        open: case.closed_on.is_none(),
        items: case
            .items
            .iter()
            .map(|(date, item, partner, outcome, by)| {
                (
                    french_date(*date),
                    item_label(item),
                    partner_label(partner),
                    outcome.clone(),
                    by.clone(),
                )
            })
            .collect(),
        case: case_row(&case),
        item_kinds,
        partners: &PARTNERS,
        results: &RESULTS,
        notes,
        error,
    };
    Ok(super::form_response(page, failed))
}

pub async fn show_case(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    case_page(&state, &user, layout, parse_id(&id)?, None).await
}

async fn after_change(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    super::redirect_or_show(result, &format!("/pdp/{id}"), |message| {
        case_page(state, user, layout, id, Some(message))
    })
    .await
}

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    partner: String,
    #[serde(default)]
    outcome: String,
}

pub async fn add_item(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<ItemForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let result = async {
        let date = parse_date("Date", &form.date)?;
        state
            .db()
            .add_pdp_item(
                &Actor(user.login.clone()),
                id,
                date,
                form.item.trim(),
                form.partner.trim(),
                &form.outcome,
            )
            .await?;
        Ok(())
    }
    .await;
    after_change(&state, &user, layout, id, result).await
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    result: String,
}

pub async fn close_case(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<CloseForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let result = state
        .db()
        .close_pdp_case(&Actor(user.login.clone()), id, form.result.trim(), today())
        .await
        .map_err(AppError::from);
    after_change(&state, &user, layout, id, result).await
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    content: String,
}

/// A medical note on the case (doctors and nurses of the worker's team), traced.
pub async fn add_medical_note(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<NoteForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let case = state.db().find_pdp_case(id).await?;
    let grant = medical_grant(&state, &user, case.worker_id, None)
        .await?
        .ok_or_else(|| AppError::Forbidden(String::new()))?;
    let result = state
        .db()
        .add_pdp_medical_note(&grant, id, &form.content)
        .await
        .map_err(AppError::from);
    after_change(&state, &user, layout, id, result).await
}
