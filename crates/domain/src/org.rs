//! The organisation of the service: sectors, centres, teams (équipes santé travail) and the
//! professionals who work in them.

use serde::{Deserialize, Serialize};

use crate::ids::{CentreId, ProfessionalId, SectorId, TeamId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sector {
    pub id: SectorId,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Centre {
    pub id: CentreId,
    pub code: String,
    pub name: String,
    pub sector: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub code: String,
    pub name: String,
    pub sector: String,
}

/// The job of a professional of the service (professionals.csv `role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfessionalRole {
    Doctor,
    Nurse,
    Assistant,
    Preventer,
    Adviser,
}

impl ProfessionalRole {
    pub const ALL: [ProfessionalRole; 5] = [
        ProfessionalRole::Doctor,
        ProfessionalRole::Nurse,
        ProfessionalRole::Assistant,
        ProfessionalRole::Preventer,
        ProfessionalRole::Adviser,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProfessionalRole::Doctor => "doctor",
            ProfessionalRole::Nurse => "nurse",
            ProfessionalRole::Assistant => "assistant",
            ProfessionalRole::Preventer => "preventer",
            ProfessionalRole::Adviser => "adviser",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProfessionalRole::Doctor => "Médecin du travail",
            ProfessionalRole::Nurse => "Infirmier(e) en santé au travail",
            ProfessionalRole::Assistant => "Assistant(e) en santé au travail",
            ProfessionalRole::Preventer => "Préventeur / IPRP",
            ProfessionalRole::Adviser => "Conseiller en prévention",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Professional {
    pub id: ProfessionalId,
    pub reference: String,
    pub last_name: String,
    pub first_name: String,
    pub role: ProfessionalRole,
    pub team: Option<String>,
    pub email: Option<String>,
}

impl Professional {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}
