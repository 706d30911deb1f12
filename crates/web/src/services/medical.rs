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
