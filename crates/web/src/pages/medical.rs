//! What doctors and nurses do: their day ("Ma journée"), a worker's medical file (with the
//! reason asked outside the worker's team), and recording a visit. Every route here is
//! medical: only doctors and nurses with their second factor reach it, and each read or
//! write is traced by the store.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;
use domain::authz::{MedicalGrant, Principal};
use domain::medical::{
    InaptitudePrerequisites, Measurements, OUTCOMES, REFERRALS, VisitRecord, outcome_label,
};
use domain::rules::{VISIT_KINDS, kind_label};
use store::{AgendaOf, NewVisit, SECTIONS, section_label};

use super::ValidForm;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::medical::{issue_document, medical_grant, team_grant, visit_role};
use crate::services::{parse_optional_date, today};
use crate::state::AppState;

/// Who opens medical files.
pub const MEDICAL_ROLES: &[Role] = &[Role::Doctor, Role::Nurse];

struct DayRow {
    time: String,
    worker_id: Option<i64>,
    worker: String,
    company: String,
    visit: String,
    status: &'static str,
    appointment_id: Option<i64>,
    to_record: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "medical/my_day.html")]
struct MyDayPage {
    layout: Layout,
    day: String,
    /// The account is linked to a professional (whose agenda this is).
    linked: bool,
    rows: Vec<DayRow>,
    done: usize,
    to_finish: usize,
    /// Files of the team's workers opened from outside the team (last 30 days), for doctors.
    break_glass: Vec<(String, String, i64, String, String)>,
}

pub async fn show_my_day(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    let db = state.db();
    let professional = db.find_user(user.user_id).await?.professional_id;
    let day = today();
    let entries = match professional {
        Some(p) => {
            db.list_agenda(AgendaOf::Professional(p.0), day, day)
                .await?
        }
        None => Vec::new(),
    };
    let rows: Vec<DayRow> = entries
        .into_iter()
        .filter(|e| e.appointment_id.is_some())
        .map(|e| {
            let status = e.appointment_status.as_deref();
            DayRow {
                time: e.time,
                worker_id: e.worker_id,
                worker: e.worker_name.unwrap_or_default(),
                company: e.establishment_name.unwrap_or_default(),
                visit: e.kind.as_deref().map(kind_label).unwrap_or("").into(),
                status: crate::services::agenda::status_label(status, &e.slot_status),
                appointment_id: e.appointment_id,
                to_record: status == Some("planned"),
            }
        })
        .collect();
    let break_glass = match (user.role, user.team) {
        (Role::Doctor, Some(team)) => db
            .list_break_glass(team.0, chrono::Utc::now() - chrono::Duration::days(30))
            .await?
            .into_iter()
            .map(|t| {
                (
                    super::format_time(t.at),
                    t.professional,
                    t.worker_id,
                    t.worker_name,
                    t.justification.unwrap_or_default(),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(MyDayPage {
        layout,
        break_glass,
        linked: professional.is_some(),
        day: crate::services::agenda::french_day(day),
        done: rows.iter().filter(|r| r.status == "venu").count(),
        to_finish: rows.iter().filter(|r| r.to_record).count(),
        rows,
    }
    .into_response())
}

struct EntryView {
    id: i64,
    section: &'static str,
    content: String,
    version: i32,
    author: String,
    at: String,
    superseded: bool,
}

struct VisitView {
    document_id: Option<i64>,
    recommendations: String,
    date: String,
    visit: String,
    author: String,
    outcome: &'static str,
    measurements: String,
}

/// An employment with what the employer declared of it this year.
struct JobView {
    establishment: String,
    job_title: String,
    period: String,
    category: String,
    exposures: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "medical/file.html")]
struct FilePage {
    layout: Layout,
    worker_id: i64,
    worker: String,
    birth: String,
    jobs: Vec<JobView>,
    objects: bool,
    attachments: Vec<(i64, &'static str, String, String, String)>,
    attachment_sections: &'static [(&'static str, &'static str)],
    break_glass: bool,
    entries: Vec<EntryView>,
    visits: Vec<VisitView>,
    retention_end: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "medical/reason.html")]
struct ReasonPage {
    layout: Layout,
    worker_id: i64,
    error: Option<String>,
}

fn measurements_text(m: &Measurements) -> String {
    let mut parts = Vec::new();
    if let Some(h) = m.height_cm {
        parts.push(format!("taille {h} cm"));
    }
    if let Some(w) = m.weight_kg {
        parts.push(format!("poids {w} kg"));
    }
    if let Some(b) = m.bmi() {
        parts.push(format!("IMC {b}"));
    }
    if let (Some(s), Some(d)) = (m.systolic_mmhg, m.diastolic_mmhg) {
        parts.push(format!("tension {s}/{d} mmHg"));
    }
    if let (Some(l), Some(r)) = (m.vision_left, m.vision_right) {
        parts.push(format!("vision {l}/10 et {r}/10"));
    }
    if let (Some(l), Some(r)) = (m.hearing_left_db, m.hearing_right_db) {
        parts.push(format!("audition {l} dB et {r} dB"));
    }
    if let Some(u) = &m.urine {
        parts.push(format!("urines : {u}"));
    }
    parts.join(", ")
}

async fn file_page(
    state: &AppState,
    layout: Layout,
    grant: &MedicalGrant,
) -> Result<Response, AppError> {
    let worker_id = grant.worker_id().0;
    let db = state.db();
    let worker = db.find_worker(worker_id).await?;
    let file = db.open_medical_file(grant).await?;
    let year = chrono::Datelike::year(&today());
    let mut jobs = Vec::new();
    for e in db.list_worker_employments(worker_id).await? {
        let line = db
            .find_latest_declaration(e.establishment_id, year)
            .await?
            .and_then(|d| d.lines.into_iter().find(|l| l.employment_id == e.id));
        jobs.push(JobView {
            establishment: e.establishment_name.clone(),
            job_title: e.job_title.clone(),
            period: match e.left_on {
                Some(left) => format!(
                    "du {} au {}",
                    e.hired_on.format("%d/%m/%Y"),
                    left.format("%d/%m/%Y")
                ),
                None => format!("depuis le {}", e.hired_on.format("%d/%m/%Y")),
            },
            category: line
                .as_ref()
                .map(|l| l.category.label().to_string())
                .unwrap_or_else(|| "non déclarée cette année".into()),
            exposures: line.map(|l| l.exposures.join(", ")).unwrap_or_default(),
        });
    }
    Ok(FilePage {
        layout,
        worker_id,
        worker: format!("{} {}", worker.first_name, worker.last_name),
        birth: worker.birth_date.format("%d/%m/%Y").to_string(),
        jobs,
        objects: db
            .medical_file_context(worker_id)
            .await?
            .objects_to_other_professionals,
        attachments: db
            .list_medical_attachments(grant)
            .await?
            .into_iter()
            .map(|a| {
                (
                    a.id,
                    domain::medical::ATTACHMENT_SECTIONS
                        .iter()
                        .find(|(code, _)| *code == a.section)
                        .map_or("", |(_, label)| label),
                    a.title,
                    format!("{} Kio", a.size_bytes / 1024 + 1),
                    super::format_time(a.created_at),
                )
            })
            .collect(),
        attachment_sections: &domain::medical::ATTACHMENT_SECTIONS,
        break_glass: grant.is_break_glass(),
        entries: file
            .entries
            .into_iter()
            .map(|e| EntryView {
                id: e.id,
                section: section_label(&e.section),
                content: e.content,
                version: e.version,
                author: e.author,
                at: super::format_time(e.created_at),
                superseded: e.superseded,
            })
            .collect(),
        visits: file
            .visits
            .into_iter()
            .map(|v| VisitView {
                document_id: v.document_id,
                recommendations: v.recommendations,
                date: v.date.format("%d/%m/%Y").to_string(),
                visit: kind_label(&v.kind).into(),
                author: v.author,
                outcome: outcome_label(&v.outcome),
                measurements: measurements_text(&v.measurements),
            })
            .collect(),
        retention_end: file
            .retention_end
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|| "aucune visite : pas encore de date".into()),
    }
    .into_response())
}

pub async fn show_medical_file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    state.db().find_worker(worker_id).await?;
    match medical_grant(&state, &user, worker_id, None).await? {
        Some(grant) => file_page(&state, layout, &grant).await,
        None => Ok((
            StatusCode::FORBIDDEN,
            ReasonPage {
                layout,
                worker_id,
                error: None,
            },
        )
            .into_response()),
    }
}

#[derive(serde::Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// Opens a file outside one's team with a reason, flagged in the trace for the team.
pub async fn open_with_reason(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<ReasonForm>,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    state.db().find_worker(worker_id).await?;
    match medical_grant(&state, &user, worker_id, Some(form.reason.trim())).await {
        Ok(Some(grant)) => file_page(&state, layout, &grant).await,
        Ok(None) | Err(AppError::Forbidden(_)) if form.reason.trim().chars().count() < 10 => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            ReasonPage {
                layout,
                worker_id,
                error: Some("Motif : au moins 10 caractères".into()),
            },
        )
            .into_response()),
        Ok(None) => Err(AppError::Forbidden(String::new())),
        Err(other) => Err(other),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "medical/visit.html")]
struct VisitPage {
    layout: Layout,
    appointment_id: i64,
    worker: String,
    day: String,
    kinds: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    referrals: Vec<(&'static str, &'static str)>,
    sections: Vec<(&'static str, &'static str)>,
    values: HashMap<String, String>,
    warnings: Vec<String>,
    error: Option<String>,
}

impl VisitPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }
}

async fn visit_grant(
    state: &AppState,
    user: &Principal,
    appointment_id: i64,
) -> Result<(MedicalGrant, store::AppointmentFacts), AppError> {
    let appointment = state.db().find_appointment(appointment_id).await?;
    let grant = medical_grant(state, user, appointment.worker_id, None)
        .await?
        .ok_or_else(|| {
            AppError::Forbidden(
                "ce salarié n'est pas suivi par votre équipe : ouvrez d'abord son dossier en indiquant le motif".into(),
            )
        })?;
    Ok((grant, appointment))
}

fn visit_page(
    layout: Layout,
    appointment: &store::AppointmentFacts,
    values: HashMap<String, String>,
    warnings: Vec<String>,
    error: Option<String>,
) -> Response {
    let failed = error.is_some() || !warnings.is_empty();
    let page = VisitPage {
        layout,
        appointment_id: appointment.id,
        worker: appointment.notice.worker_name.clone(),
        day: crate::services::agenda::french_day(appointment.notice.date),
        kinds: VISIT_KINDS.iter().map(|k| (*k, kind_label(k))).collect(),
        outcomes: OUTCOMES.to_vec(),
        referrals: REFERRALS.to_vec(),
        sections: SECTIONS.to_vec(),
        values,
        warnings,
        error,
    };
    super::form_response(page, failed)
}

pub async fn show_visit_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (_, appointment) = visit_grant(&state, &user, parse_id(&id)?).await?;
    let mut values = HashMap::from([
        ("kind".to_string(), appointment.kind.clone()),
        ("outcome".to_string(), "none".to_string()),
        (
            "duration_min".to_string(),
            appointment.notice.duration_min.to_string(),
        ),
    ]);
    // The study a preventer recorded for this worker is proposed as the R4624-42 date.
    if let Some(study_on) = state
        .db()
        .latest_worker_study_on(appointment.worker_id, today())
        .await?
    {
        values.insert("workstation_study_on".into(), study_on.to_string());
    }
    Ok(visit_page(layout, &appointment, values, Vec::new(), None))
}

fn number<T: std::str::FromStr>(
    values: &HashMap<String, String>,
    name: &str,
    field: &str,
) -> Result<Option<T>, AppError> {
    match values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .replace(',', ".")
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid(field, "un nombre")),
    }
}

fn parse_visit(
    values: &HashMap<String, String>,
    appointment_id: i64,
) -> Result<NewVisit, AppError> {
    let text = |name: &str| values.get(name).map_or("", |v| v.trim()).to_string();
    let date = |name: &str, field: &str| parse_optional_date(field, &text(name));
    let measurements = Measurements {
        height_cm: number(values, "height_cm", "Taille")?,
        weight_kg: number(values, "weight_kg", "Poids")?,
        systolic_mmhg: number(values, "systolic_mmhg", "Tension systolique")?,
        diastolic_mmhg: number(values, "diastolic_mmhg", "Tension diastolique")?,
        vision_left: number(values, "vision_left", "Vision œil gauche")?,
        vision_right: number(values, "vision_right", "Vision œil droit")?,
        hearing_left_db: number(values, "hearing_left_db", "Audition gauche")?,
        hearing_right_db: number(values, "hearing_right_db", "Audition droite")?,
        urine: super::non_empty(&text("urine")),
    };
    Ok(NewVisit {
        appointment_id,
        record: VisitRecord {
            kind: text("kind"),
            outcome: text("outcome"),
            next_visit_months: number(values, "next_visit_months", "Prochaine visite")?,
            referral: text("referral"),
            prerequisites: InaptitudePrerequisites {
                examination_on: date("examination_on", "Date de l'examen")?,
                workstation_study_on: date("workstation_study_on", "Date de l'étude de poste")?,
                fiche_updated_on: date("fiche_updated_on", "Date de la fiche d'entreprise")?,
                exchange_with_worker_on: date(
                    "exchange_worker_on",
                    "Date de l'échange avec le salarié",
                )?,
                exchange_with_employer_on: date(
                    "exchange_employer_on",
                    "Date de l'échange avec l'employeur",
                )?,
            },
            teleconsultation: text("teleconsultation") == "1",
            experimental: text("experimental") == "1",
            duration_min: number(values, "duration_min", "Durée")?.unwrap_or(20),
            recommendations: text("recommendations"),
            propose_adjustments: text("propose_adjustments") == "1",
        },
        measurements,
        sections: SECTIONS
            .iter()
            .map(|(code, _)| (code.to_string(), text(&format!("section_{code}"))))
            .collect(),
        document: None,
    })
}

pub async fn record_visit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(values): ValidForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (grant, appointment) = visit_grant(&state, &user, parse_id(&id)?).await?;
    let mut visit = match parse_visit(&values, appointment.id) {
        Ok(visit) => visit,
        Err(err @ AppError::Invalid { .. }) => {
            return Ok(visit_page(
                layout,
                &appointment,
                values,
                Vec::new(),
                Some(err.detail()),
            ));
        }
        Err(other) => return Err(other),
    };
    let warnings: Vec<String> = visit
        .measurements
        .warnings()
        .into_iter()
        .map(|w| format!("{} : {}", w.field, w.message))
        .collect();
    if !warnings.is_empty() && values.get("confirm_measurements").map(String::as_str) != Some("1") {
        return Ok(visit_page(layout, &appointment, values, warnings, None));
    }
    // The rules first: no document is made for a visit that will be refused.
    if let Err(e) = domain::medical::check_visit(visit_role(&user), &visit.record) {
        return Ok(visit_page(
            layout,
            &appointment,
            values,
            Vec::new(),
            Some(e.to_string()),
        ));
    }
    visit.document = issue_document(&state, &user, &appointment, &visit.record).await?;
    match state
        .db()
        .record_visit(
            &grant,
            visit_role(&user),
            &visit,
            today(),
            &state.message_context(),
        )
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/workers/{}/medical", appointment.worker_id)).into_response(),
        ),
        Err(store::StoreError::Invalid(message) | store::StoreError::Conflict(message)) => Ok(
            visit_page(layout, &appointment, values, Vec::new(), Some(message)),
        ),
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    content: String,
    #[serde(default)]
    reason: String,
}

/// A correction of an entry: a new version, the old one kept and shown as replaced.
pub async fn correct_entry(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path((id, entry)): Path<(String, String)>,
    ValidForm(form): ValidForm<CorrectionForm>,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    let entry = parse_id(&entry)?;
    state.db().find_worker(worker_id).await?;
    let reason = super::non_empty(&form.reason);
    let grant = medical_grant(&state, &user, worker_id, reason.as_deref())
        .await?
        .ok_or_else(|| AppError::Forbidden(String::new()))?;
    match state
        .db()
        .correct_medical_entry(&grant, entry, &form.content)
        .await
    {
        Ok(_) => file_page(&state, layout, &grant).await,
        Err(store::StoreError::Invalid(m) | store::StoreError::Conflict(m)) => {
            Err(AppError::Invalid {
                field: None,
                message: m,
            })
        }
        Err(other) => Err(other.into()),
    }
}

fn pdf_response(document: store::StoredDocument) -> Response {
    super::file_response(
        "application/pdf",
        "inline",
        &format!("{}.pdf", document.verification_code),
        document.pdf,
    )
}

/// A document of the worker's file, to print (traced).
pub async fn print_document(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    let document = parse_id(&document)?;
    let grant = team_grant(&state, &user, worker_id).await?;
    Ok(pdf_response(
        state.db().print_medical_document(&grant, document).await?,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/documents.html")]
struct PortalDocumentsPage {
    layout: Layout,
    rows: Vec<(i64, String, String, String, String)>,
}

/// The employer's documents: attestations and opinions of its workers (never the file).
pub async fn list_portal_documents(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    let e = super::declarations::employer_establishment(&state, &user).await?;
    let rows = state
        .db()
        .list_establishment_documents(e.id)
        .await?
        .into_iter()
        .map(|d| {
            (
                d.id,
                d.visit_date.format("%d/%m/%Y").to_string(),
                d.worker_name,
                d.title,
                d.verification_code,
            )
        })
        .collect();
    Ok(PortalDocumentsPage { layout, rows }.into_response())
}

pub async fn download_portal_document(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let e = super::declarations::employer_establishment(&state, &user).await?;
    Ok(pdf_response(
        state.db().find_establishment_document(e.id, id).await?,
    ))
}

#[derive(serde::Deserialize)]
pub struct VerifyParams {
    #[serde(default)]
    code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "medical/verify.html")]
struct VerifyPage {
    layout: Layout,
    code: String,
    found: Option<(String, String, String)>,
    asked: bool,
}

/// Anyone holding a document checks that the service issued it: its title, the visit date
/// and the establishment, nothing else.
pub async fn verify_document(
    State(state): State<AppState>,
    layout: Layout,
    axum::extract::Query(params): axum::extract::Query<VerifyParams>,
) -> Result<Response, AppError> {
    let code = params.code.trim().to_uppercase();
    let found = if code.is_empty() {
        None
    } else {
        state.db().verify_document(&code).await?.map(|d| {
            (
                d.title,
                d.visit_date.format("%d/%m/%Y").to_string(),
                d.establishment_name,
            )
        })
    };
    Ok(VerifyPage {
        layout,
        asked: !code.is_empty(),
        code,
        found,
    }
    .into_response())
}

#[derive(serde::Deserialize)]
pub struct ObjectionForm {
    #[serde(default)]
    objects: String,
}

/// Records the worker's objection to access by professionals outside their team.
pub async fn set_objection(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<ObjectionForm>,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    state.db().find_worker(worker_id).await?;
    let grant = medical_grant(&state, &user, worker_id, None)
        .await?
        .ok_or_else(|| {
            AppError::Forbidden("seule l'équipe du salarié enregistre son opposition".into())
        })?;
    state
        .db()
        .set_medical_objection(&grant, form.objects == "1", &[])
        .await?;
    file_page(&state, layout, &grant).await
}

/// The traces of the worker's file as CSV (what the worker may ask for), itself traced.
pub async fn export_traces(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    let grant = team_grant(&state, &user, worker_id).await?;
    let traces = state.db().export_medical_traces(&grant).await?;
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    out.write_record(["date", "professionnel", "rubrique", "action", "motif"])
        .map_err(|e| AppError::Internal(e.to_string()))?;
    for t in traces {
        out.write_record([
            t.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            t.professional,
            t.section,
            t.action,
            t.justification.unwrap_or_default(),
        ])
        .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(super::file_response(
        "text/csv; charset=utf-8",
        "attachment",
        &format!("traces-{worker_id}.csv"),
        bytes,
    ))
}

/// The worker's whole file for the worker (right of access and portability, GDPR art. 15
/// and 20): identity, employments, appointments, stoppages, what payroll declared, and the
/// medical file; the opening is traced like any other.
pub async fn export_worker_file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    let grant = team_grant(&state, &user, worker_id).await?;
    let db = state.db();
    let medical = db.open_medical_file(&grant).await?;
    let document = serde_json::json!({
        "worker": db.find_worker(worker_id).await?,
        "employments": db.list_worker_employments(worker_id).await?,
        "appointments": db.list_past_visits(worker_id).await?,
        "work_stoppages": db.list_work_stoppages(worker_id).await?,
        "payroll_hardship": db.list_payroll_hardship(worker_id).await?,
        "medical_file": medical,
    });
    let bytes =
        serde_json::to_vec_pretty(&document).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(super::file_response(
        "application/json",
        "attachment",
        &format!("dossier-salarie-{worker_id}.json"),
        bytes,
    ))
}

/// Adds a file (exam result, letter) to the worker's file: PDF, PNG or JPEG, 1 Mio at most.
pub async fn upload_attachment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    let grant = team_grant(&state, &user, worker_id).await?;
    let (mut section, mut title, mut content) = (String::new(), String::new(), Vec::new());
    let malformed = || AppError::invalid("Fichier", "formulaire d'envoi mal formé");
    while let Some(field) = form.next_field().await.map_err(|_| malformed())? {
        match field.name() {
            Some("section") => section = field.text().await.map_err(|_| malformed())?,
            Some("title") => title = field.text().await.map_err(|_| malformed())?,
            Some("file") => content = field.bytes().await.map_err(|_| malformed())?.to_vec(),
            _ => {}
        }
    }
    match state
        .db()
        .add_medical_attachment(&grant, section.trim(), &title, &content)
        .await
    {
        Ok(_) => file_page(&state, layout, &grant).await,
        Err(store::StoreError::Invalid(message)) => Err(AppError::Invalid {
            field: None,
            message,
        }),
        Err(other) => Err(other.into()),
    }
}

/// A file of the worker's file (traced as read).
pub async fn download_attachment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let worker_id = parse_id(&id)?;
    let attachment = parse_id(&attachment)?;
    let grant = team_grant(&state, &user, worker_id).await?;
    let file = state
        .db()
        .read_medical_attachment(&grant, attachment)
        .await?;
    Ok(super::file_response(
        &file.media_type,
        "inline",
        &format!("piece-{}", file.id),
        file.content,
    ))
}
