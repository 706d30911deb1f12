//! The roles of the application's users (DOMAIN.md "Who uses it").

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Director,
    Doctor,
    Nurse,
    Assistant,
    Preventer,
    Employer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Director,
        Role::Doctor,
        Role::Nurse,
        Role::Assistant,
        Role::Preventer,
        Role::Employer,
    ];

    /// The code stored in the database and used on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Director => "director",
            Role::Doctor => "doctor",
            Role::Nurse => "nurse",
            Role::Assistant => "assistant",
            Role::Preventer => "preventer",
            Role::Employer => "employer",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrateur",
            Role::Director => "Direction",
            Role::Doctor => "Médecin du travail",
            Role::Nurse => "Infirmier(e) en santé au travail",
            Role::Assistant => "Assistant(e) en santé au travail",
            Role::Preventer => "Préventeur",
            Role::Employer => "Employeur",
        }
    }

    /// Roles that may read medical content must use a second factor (DESIGN.md, Web).
    pub fn requires_second_factor(self) -> bool {
        matches!(self, Role::Doctor | Role::Nurse)
    }

    /// Health professionals: the only roles that can ever be granted medical content.
    pub fn is_health_professional(self) -> bool {
        matches!(self, Role::Doctor | Role::Nurse)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::from_code(s).ok_or_else(|| {
            format!(
                "rôle inconnu « {s} » (attendu : {})",
                Role::ALL.map(|r| r.code()).join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            assert_eq!(role.code().parse::<Role>().unwrap(), role);
        }
        assert!("chef".parse::<Role>().unwrap_err().contains("rôle inconnu"));
    }

    #[test]
    fn only_doctors_and_nurses_need_a_second_factor() {
        let with: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.requires_second_factor())
            .collect();
        assert_eq!(with, vec![Role::Doctor, Role::Nurse]);
    }
}
