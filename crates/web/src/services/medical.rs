//! The access decision for a worker's medical file, from the request's principal.

use domain::authz::{
    MedicalAccessDenied, MedicalGrant, Principal, WorkerFileContext, grant_medical_access,
};
use domain::ids::WorkerId;

use crate::error::AppError;
use crate::state::AppState;

/// The grant to act on `worker_id`'s file, or why not. A professional outside the worker's
/// team gets `Ok(None)` until they give a reason ("bris de glace").
pub async fn medical_grant(
    state: &AppState,
    user: &Principal,
    worker_id: i64,
    justification: Option<&str>,
) -> Result<Option<MedicalGrant>, AppError> {
    let file = state.db().medical_file_context(worker_id).await?;
    let decision = grant_medical_access(
        user,
        &WorkerFileContext {
            worker_id: WorkerId(worker_id),
            team: file.team,
            objects_to_other_professionals: file.objects_to_other_professionals,
            objected_users: &file.objected_users,
        },
        justification,
    );
    match decision {
        Ok(grant) => Ok(Some(grant)),
        Err(MedicalAccessDenied::JustificationRequired) if justification.is_none() => Ok(None),
        Err(denied) => {
            tracing::warn!(
                user = user.user_id.0,
                worker = worker_id,
                "medical file access refused"
            );
            Err(AppError::Forbidden(denied.to_string()))
        }
    }
}

/// "doctor" or "nurse", as the visit rules name the roles.
pub fn visit_role(user: &Principal) -> &'static str {
    if user.role == domain::Role::Doctor {
        "doctor"
    } else {
        "nurse"
    }
}

/// The document the visit's outcome gives, rendered as PDF with a new verification code.
pub async fn issue_document(
    state: &AppState,
    user: &Principal,
    appointment: &store::AppointmentFacts,
    record: &domain::medical::VisitRecord,
) -> Result<Option<store::NewDocument>, AppError> {
    let Some(title) = domain::medical::document_title(record) else {
        return Ok(None);
    };
    let db = state.db();
    let worker = db.find_worker(appointment.worker_id).await?;
    let employment = db
        .list_worker_employments(appointment.worker_id)
        .await?
        .into_iter()
        .filter(|e| e.establishment_id == appointment.notice.establishment_id)
        .max_by_key(|e| e.hired_on);
    let (employer, job_title) = match &employment {
        Some(e) => (
            format!("{} (SIRET {})", e.establishment_name, e.siret),
            e.job_title.clone(),
        ),
        None => (appointment.notice.establishment_name.clone(), String::new()),
    };
    let role = if user.role == domain::Role::Doctor {
        "médecin du travail"
    } else {
        "infirmier(ère) en santé au travail"
    };
    let is_opinion = matches!(
        record.outcome.as_str(),
        "fit" | "fit_with_adjustments" | "unfit"
    );
    let verification_code = crate::secrets::readable_code(3);
    let today = crate::services::today().format("%d/%m/%Y").to_string();
    let pdf = notify::pdf::certificate_pdf(&notify::pdf::CertificateDocument {
        service_name: state.config().service_name.clone(),
        title: title.to_string(),
        worker: format!("{} {}", worker.first_name, worker.last_name),
        birth_date: worker.birth_date.format("%d/%m/%Y").to_string(),
        employer,
        job_title,
        visit: domain::rules::kind_label(&record.kind).to_string(),
        visit_date: appointment.notice.date.format("%d/%m/%Y").to_string(),
        professional: format!("{}, {role}", user.display_name),
        next_visit: record
            .next_visit_months
            .map(|months| format!("dans {months} mois au plus tard")),
        recommendations: record.recommendations.clone(),
        contest_notice: if is_opinion {
            domain::medical::CONTEST_NOTICE.to_string()
        } else {
            String::new()
        },
        verification_code: verification_code.clone(),
        issued_on: today,
    });
    Ok(Some(store::NewDocument {
        title: title.to_string(),
        verification_code,
        pdf,
    }))
}

/// The grant of a doctor or nurse of the worker's team (no reason given) for an existing
/// worker; from outside the team, 403 (the file page asks for the reason).
pub async fn team_grant(
    state: &AppState,
    user: &Principal,
    worker_id: i64,
) -> Result<MedicalGrant, AppError> {
    state.db().find_worker(worker_id).await?;
    medical_grant(state, user, worker_id, None)
        .await?
        .ok_or_else(|| AppError::Forbidden(String::new()))
}
