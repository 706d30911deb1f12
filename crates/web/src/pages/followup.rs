//! The follow-up part of a worker's page: stored obligations with their article and an
//! "Expliquer" page, appointments of the history, and the facts that change obligations
//! (visit requests, work stoppages, the doctor's periodicity and list).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::Role;
use domain::authz::Principal;
use domain::rules::{self, kind_label, performer_label, subtype_label};
use serde::Deserialize;
use store::{Actor, VisitRequest, WorkStoppage};

use super::ValidForm;
use super::members::parse_id;
use super::workers::worker_page;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::{parse_date, parse_optional_date};
use crate::state::AppState;
use domain::french_date as french;

/// Roles that record a visit request for a worker.
pub const REQUEST_RECORDERS: &[Role] = &[Role::Admin, Role::Assistant, Role::Doctor, Role::Nurse];
const REQUESTERS: [&str; 6] = [
    "worker",
    "employer",
    "occupational_doctor",
    "treating_doctor",
    "insurance_doctor",
    "certificate",
];
const LEAVE_REASONS: [(&str, &str); 4] = [
    ("sickness", "Maladie ou accident non professionnel"),
    ("work_accident", "Accident du travail"),
    ("occupational_disease", "Maladie professionnelle"),
    ("maternity", "Maternité"),
];

pub struct ObligationView {
    pub visit: String,
    pub establishment: String,
    pub employment_id: i64,
    pub earliest: String,
    pub due: String,
    pub overdue: bool,
    pub performer: &'static str,
    pub reference: String,
    pub doctor_rank: String,
    pub nurse_rank: String,
}

impl ObligationView {
    /// The row of an obligation (its establishment left for the caller to set).
    fn of(o: &rules::Obligation, today: chrono::NaiveDate) -> ObligationView {
        ObligationView {
            visit: visit_label(&o.kind, &o.subtype),
            establishment: String::new(),
            employment_id: 0,
            earliest: french(o.earliest),
            overdue: o.due.is_some_and(|d| d < today),
            due: o
                .due
                .map(french)
                .unwrap_or_else(|| "sans délai légal".into()),
            performer: performer_label(&o.performer),
            reference: o.reference.clone(),
            doctor_rank: rank(o.doctor_rank),
            nurse_rank: rank(o.nurse_rank),
        }
    }
}

/// What the worker page shows of the follow-up.
pub struct FollowUpView {
    pub obligations: Vec<ObligationView>,
    pub history: Vec<[String; 4]>,
    pub requests: Vec<String>,
    pub stoppages: Vec<String>,
    pub employments: Vec<(i64, String)>,
    pub periodicity: String,
    pub listed_by: Vec<String>,
    pub requesters: Vec<(&'static str, &'static str)>,
    pub reasons: Vec<(&'static str, &'static str)>,
    pub can_request: bool,
    pub can_record_stoppage: bool,
    pub is_doctor: bool,
    pub on_my_list: bool,
}

fn visit_label(kind: &str, subtype: &str) -> String {
    match subtype_label(subtype) {
        "" => kind_label(kind).to_string(),
        label => format!("{} ({label})", kind_label(kind)),
    }
}

fn rank(rank: Option<u8>) -> String {
    rank.map_or("—".into(), |r| r.to_string())
}

/// The professional behind a doctor's account, for their list.
async fn own_professional(state: &AppState, user: &Principal) -> Result<Option<i64>, AppError> {
    if user.role != Role::Doctor {
        return Ok(None);
    }
    Ok(state
        .db()
        .find_user(user.user_id)
        .await?
        .professional_id
        .map(|p| p.0))
}

pub async fn follow_up_view(
    state: &AppState,
    user: &Principal,
    worker_id: i64,
    employments: &[store::Employment],
) -> Result<FollowUpView, AppError> {
    let db = state.db();
    let today = crate::services::today();
    let settings = db.find_followup_settings(worker_id).await?;
    let me = own_professional(state, user).await?;
    let status = |s: &str| match s {
        "done" => "faite",
        "absent" => "absent",
        "excused" | "excused_replaced" => "excusé",
        "cancelled" => "annulée",
        _ => "prévue",
    };
    Ok(FollowUpView {
        obligations: db
            .list_worker_obligations(worker_id)
            .await?
            .into_iter()
            .map(|o| ObligationView {
                establishment: o.establishment.clone(),
                employment_id: o.employment_id,
                ..ObligationView::of(&o.as_obligation(), today)
            })
            .collect(),
        history: db
            .list_past_visits(worker_id)
            .await?
            .into_iter()
            .map(|v| {
                [
                    french(v.date),
                    visit_label(&v.kind, &v.subtype),
                    performer_label(&v.performer).to_string(),
                    status(&v.status).to_string(),
                ]
            })
            .collect(),
        requests: db
            .list_visit_requests(worker_id)
            .await?
            .into_iter()
            .map(|r| {
                format!(
                    "{} — {} ({}), saisie par {}",
                    french(r.asked_on),
                    kind_label(&r.kind),
                    subtype_label(&r.requester),
                    r.recorded_by
                )
            })
            .collect(),
        stoppages: db
            .list_work_stoppages(worker_id)
            .await?
            .into_iter()
            .map(|s| {
                let reason = LEAVE_REASONS
                    .iter()
                    .find(|(code, _)| *code == s.reason)
                    .map_or(s.reason.as_str(), |(_, label)| label);
                let end = match (s.returned_on, s.end_on) {
                    (Some(r), _) => format!("reprise le {}", french(r)),
                    (None, Some(e)) => format!("fin prévue le {}", french(e)),
                    (None, None) => "en cours".into(),
                };
                format!("{reason} : depuis le {}, {end}", french(s.start_on))
            })
            .collect(),
        employments: employments
            .iter()
            .map(|e| (e.id, format!("{} ({})", e.establishment_name, e.siret)))
            .collect(),
        periodicity: settings
            .periodicity_months
            .map(|m| {
                format!(
                    "{m} mois (fixée par {})",
                    settings.periodicity_set_by.clone().unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "celle de la réglementation".into()),
        on_my_list: me.is_some_and(|id| settings.listed_by.iter().any(|(p, _)| *p == id)),
        listed_by: settings
            .listed_by
            .into_iter()
            .map(|(_, name)| name)
            .collect(),
        requesters: REQUESTERS.iter().map(|r| (*r, subtype_label(r))).collect(),
        reasons: LEAVE_REASONS.to_vec(),
        can_request: REQUEST_RECORDERS.contains(&user.role),
        can_record_stoppage: super::members::EDITORS.contains(&user.role),
        is_doctor: user.role == Role::Doctor,
    })
}

/// Runs a change of a worker's facts and shows the worker page again with its outcome: the
/// notice, or the French message of a refused input (422).
pub(super) async fn change_facts<F, Fut, N>(
    state: &AppState,
    user: &Principal,
    layout: Layout,
    id: &str,
    change: F,
) -> Result<Response, AppError>
where
    F: FnOnce(i64, AppState, Principal) -> Fut,
    Fut: std::future::Future<Output = Result<N, AppError>>,
    N: Into<String>,
{
    let id = parse_id(id)?;
    state.db().find_worker(id).await?;
    match change(id, state.clone(), user.clone()).await {
        Ok(notice) => worker_page(state, user, layout, id, Some(notice.into()), None).await,
        Err(err @ AppError::Invalid { .. }) => {
            worker_page(state, user, layout, id, None, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}

/// The store answers "not found" when the employment is not the worker's.
fn not_an_employment(err: store::StoreError) -> AppError {
    match err {
        store::StoreError::NotFound => {
            AppError::invalid("Emploi", "n'est pas un emploi de ce salarié")
        }
        other => other.into(),
    }
}

fn employment_field(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::invalid("Emploi", "choisissez un emploi du salarié"))
}

#[derive(Deserialize, Default)]
pub struct RequestForm {
    #[serde(default)]
    employment: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    requester: String,
    #[serde(default)]
    asked_on: String,
}

pub async fn record_request(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<RequestForm>,
) -> Result<Response, AppError> {
    change_facts(&state, &user, layout, &id, |id, state, user| async move {
        let employment_id = employment_field(&form.employment)?;
        let kind = form.kind.trim().to_string();
        let allowed = rules::requesters_of(&kind)
            .ok_or_else(|| AppError::invalid("Visite demandée", "pré-reprise ou à la demande"))?;
        let requester = form.requester.trim();
        if !allowed.contains(&requester) {
            let names: Vec<&str> = allowed.iter().map(|r| subtype_label(r)).collect();
            return Err(AppError::invalid(
                "Demandeur",
                format!("pour cette visite : {}", names.join(", ")),
            ));
        }
        let asked_on = parse_date("Date de la demande", &form.asked_on)?;
        if asked_on > crate::services::today() {
            return Err(AppError::invalid("Date de la demande", "dans le futur"));
        }
        let request = VisitRequest {
            employment_id,
            kind,
            requester: requester.into(),
            asked_on,
            recorded_by: user.login.clone(),
        };
        state
            .db()
            .add_visit_request(&Actor(user.login.clone()), id, &request)
            .await
            .map_err(not_an_employment)?;
        Ok("Demande enregistrée ; les obligations sont recalculées.")
    })
    .await
}

#[derive(Deserialize, Default)]
pub struct StoppageForm {
    #[serde(default)]
    employment: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    start_on: String,
    #[serde(default)]
    end_on: String,
    #[serde(default)]
    returned_on: String,
}

pub async fn record_stoppage(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<StoppageForm>,
) -> Result<Response, AppError> {
    change_facts(&state, &user, layout, &id, |id, state, user| async move {
        let employment_id = employment_field(&form.employment)?;
        let reason = LEAVE_REASONS
            .iter()
            .find(|(code, _)| *code == form.reason.trim())
            .ok_or_else(|| AppError::invalid("Motif de l'arrêt", "inconnu"))?
            .0;
        let start_on = parse_date("Début de l'arrêt", &form.start_on)?;
        let end_on = parse_optional_date("Fin prévue", &form.end_on)?;
        let returned_on = parse_optional_date("Date de reprise", &form.returned_on)?;
        if end_on.is_some_and(|e| e < start_on) {
            return Err(AppError::invalid(
                "Fin prévue",
                "antérieure au début de l'arrêt",
            ));
        }
        if returned_on.is_some_and(|r| r < start_on) {
            return Err(AppError::invalid(
                "Date de reprise",
                "antérieure au début de l'arrêt",
            ));
        }
        let stoppage = WorkStoppage {
            employment_id,
            reason: reason.into(),
            start_on,
            end_on,
            returned_on,
        };
        state
            .db()
            .record_work_stoppage(&Actor(user.login.clone()), id, &stoppage)
            .await
            .map_err(not_an_employment)?;
        Ok("Arrêt enregistré ; les obligations sont recalculées.")
    })
    .await
}

#[derive(Deserialize, Default)]
pub struct PeriodicityForm {
    #[serde(default)]
    months: String,
}

pub async fn set_periodicity(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<PeriodicityForm>,
) -> Result<Response, AppError> {
    change_facts(&state, &user, layout, &id, |id, state, user| async move {
        let months = match form.months.trim() {
            "" => None,
            text => match text.parse::<i32>() {
                Ok(m) if (1..=60).contains(&m) => Some(m),
                _ => {
                    return Err(AppError::invalid(
                        "Périodicité",
                        "un nombre de mois entre 1 et 60 (vide : celle de la réglementation)",
                    ));
                }
            },
        };
        state
            .db()
            .set_followup_periodicity(&Actor(user.login.clone()), id, months)
            .await?;
        Ok("Périodicité enregistrée ; les obligations sont recalculées.")
    })
    .await
}

#[derive(Deserialize, Default)]
pub struct WatchForm {
    #[serde(default)]
    listed: String,
}

pub async fn set_watch(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<WatchForm>,
) -> Result<Response, AppError> {
    change_facts(&state, &user, layout, &id, |id, state, user| async move {
        let professional = own_professional(&state, &user).await?.ok_or_else(|| {
            AppError::invalid(
                "Liste du médecin",
                "votre compte n'est lié à aucun professionnel",
            )
        })?;
        let listed = form.listed == "1";
        state
            .db()
            .set_doctor_watch(&Actor(user.login.clone()), professional, id, listed)
            .await?;
        Ok(if listed {
            "Salarié ajouté à votre liste des SIS à voir en priorité."
        } else {
            "Salarié retiré de votre liste."
        })
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "workers/explain.html")]
struct ExplainPage {
    layout: Layout,
    worker_id: i64,
    name: String,
    at: String,
    category: String,
    steps: Vec<(String, String)>,
    obligations: Vec<ObligationView>,
}

/// "Expliquer": the rules that fired for one employment today, and why.
pub async fn explain_obligations(
    State(state): State<AppState>,
    layout: Layout,
    Path((id, employment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (id, employment) = (parse_id(&id)?, parse_id(&employment)?);
    let worker = state.db().find_worker(id).await?;
    let (situation, schema) = state.db().worker_situation(id, employment).await?;
    let explained = rules::explain(&situation, &schema).map_err(|e| {
        AppError::invalid(
            "Situation",
            format!("les faits enregistrés sont incohérents : {e}"),
        )
    })?;
    let today = situation.at;
    let page = ExplainPage {
        layout,
        worker_id: id,
        name: worker.display_name(),
        at: french(situation.at),
        category: explained.category.label().into(),
        steps: explained
            .trace
            .into_iter()
            .map(|s| (s.reference, s.text))
            .collect(),
        obligations: explained
            .obligations
            .into_iter()
            .map(|o| ObligationView {
                employment_id: employment,
                ..ObligationView::of(&o, today)
            })
            .collect(),
    };
    Ok(super::form_response(page, false))
}
