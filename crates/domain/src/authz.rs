//! Access decisions. The medical file may only be read or written through a [`MedicalGrant`],
//! which only [`grant_medical_access`] can create: code that skipped the check does not compile.

use serde::Serialize;
use thiserror::Error;

use crate::ids::{TeamId, UserId, WorkerId};
use crate::role::Role;

/// The authenticated user of a request, as the web layer's extractor yields it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// Team of the professional behind the account, for staff.
    pub team: Option<TeamId>,
    /// Establishment of an employer account.
    pub siret: Option<String>,
    /// True once the second factor was checked in this session (or the token's user has one).
    pub second_factor_verified: bool,
}

/// What the authorisation needs to know about the worker whose file is opened.
#[derive(Debug, Clone)]
pub struct WorkerFileContext<'a> {
    pub worker_id: WorkerId,
    pub team: Option<TeamId>,
    /// The worker objected to access by professionals outside their team (R4624-45-6).
    pub objects_to_other_professionals: bool,
    /// Professionals the worker named in an objection.
    pub objected_users: &'a [UserId],
}

/// Permission to act on one worker's medical file. Its fields are private and it has no
/// public constructor: holding one proves the decision was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MedicalGrant {
    user_id: UserId,
    worker_id: WorkerId,
    justification: Option<String>,
}

impl MedicalGrant {
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn worker_id(&self) -> WorkerId {
        self.worker_id
    }
    /// The reason given to open a file outside one's team ("bris de glace").
    pub fn justification(&self) -> Option<&str> {
        self.justification.as_deref()
    }
    pub fn is_break_glass(&self) -> bool {
        self.justification.is_some()
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MedicalAccessDenied {
    #[error("le dossier médical n'est accessible qu'aux médecins et infirmiers du service")]
    NotHealthProfessional,
    #[error("la double authentification est requise pour accéder au dossier médical")]
    SecondFactorMissing,
    #[error(
        "ce travailleur n'est pas suivi par votre équipe : indiquez le motif de l'accès (au moins 10 caractères)"
    )]
    JustificationRequired,
    #[error("le travailleur s'est opposé à l'accès de ce professionnel à son dossier")]
    WorkerObjected,
}

/// Least length of a break-glass justification, so that "." is not a reason.
const MIN_JUSTIFICATION_CHARS: usize = 10;

/// Decides whether `principal` may act on the medical file described by `worker`.
pub fn grant_medical_access(
    principal: &Principal,
    worker: &WorkerFileContext<'_>,
    justification: Option<&str>,
) -> Result<MedicalGrant, MedicalAccessDenied> {
    if !principal.role.is_health_professional() {
        return Err(MedicalAccessDenied::NotHealthProfessional);
    }
    if !principal.second_factor_verified {
        return Err(MedicalAccessDenied::SecondFactorMissing);
    }
    if worker.objected_users.contains(&principal.user_id) {
        return Err(MedicalAccessDenied::WorkerObjected);
    }
    let same_team = principal.team.is_some() && principal.team == worker.team;
    if same_team {
        return Ok(MedicalGrant {
            user_id: principal.user_id,
            worker_id: worker.worker_id,
            justification: None,
        });
    }
    if worker.objects_to_other_professionals {
        return Err(MedicalAccessDenied::WorkerObjected);
    }
    let reason = justification.map(str::trim).unwrap_or_default();
    if reason.chars().count() < MIN_JUSTIFICATION_CHARS {
        return Err(MedicalAccessDenied::JustificationRequired);
    }
    Ok(MedicalGrant {
        user_id: principal.user_id,
        worker_id: worker.worker_id,
        justification: Some(reason.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, team: i64) -> Principal {
        Principal {
            user_id: UserId(7),
            login: "x".into(),
            display_name: "X".into(),
            role,
            team: Some(TeamId(team)),
            siret: None,
            second_factor_verified: true,
        }
    }

    fn worker(team: i64) -> WorkerFileContext<'static> {
        WorkerFileContext {
            worker_id: WorkerId(1),
            team: Some(TeamId(team)),
            objects_to_other_professionals: false,
            objected_users: &[],
        }
    }

    #[test]
    fn doctor_of_the_team_is_granted_without_reason() {
        let grant = grant_medical_access(&principal(Role::Doctor, 1), &worker(1), None).unwrap();
        assert!(!grant.is_break_glass());
        assert_eq!(grant.worker_id(), WorkerId(1));
    }

    #[test]
    fn non_medical_roles_are_refused() {
        for role in [
            Role::Admin,
            Role::Director,
            Role::Assistant,
            Role::Preventer,
            Role::Employer,
        ] {
            assert_eq!(
                grant_medical_access(&principal(role, 1), &worker(1), Some("urgence médicale")),
                Err(MedicalAccessDenied::NotHealthProfessional)
            );
        }
    }

    #[test]
    fn second_factor_is_required() {
        let mut nurse = principal(Role::Nurse, 1);
        nurse.second_factor_verified = false;
        assert_eq!(
            grant_medical_access(&nurse, &worker(1), None),
            Err(MedicalAccessDenied::SecondFactorMissing)
        );
    }

    #[test]
    fn other_team_needs_a_real_justification() {
        let doctor = principal(Role::Doctor, 2);
        assert_eq!(
            grant_medical_access(&doctor, &worker(1), Some("  ok ")),
            Err(MedicalAccessDenied::JustificationRequired)
        );
        let grant =
            grant_medical_access(&doctor, &worker(1), Some("remplacement du Dr Martin")).unwrap();
        assert_eq!(grant.justification(), Some("remplacement du Dr Martin"));
    }

    #[test]
    fn worker_objection_is_enforced() {
        let doctor = principal(Role::Doctor, 2);
        let mut file = worker(1);
        file.objects_to_other_professionals = true;
        assert_eq!(
            grant_medical_access(&doctor, &file, Some("remplacement du Dr Martin")),
            Err(MedicalAccessDenied::WorkerObjected)
        );
        let objected = [UserId(7)];
        let named = WorkerFileContext {
            objected_users: &objected,
            ..worker(2)
        };
        assert_eq!(
            grant_medical_access(&doctor, &named, None),
            Err(MedicalAccessDenied::WorkerObjected)
        );
    }
}
