//! Member companies and their workers: the codes of companies.csv and workers.csv.

use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            /// The codes, for messages listing what is allowed.
            pub fn codes() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.code()).collect()
            }
        }
    };
}

code_enum!(
    /// Kind of member (companies.csv `kind`).
    CompanyKind {
        Company => "company", "Entreprise",
        TempAgency => "temp_agency", "Entreprise de travail temporaire",
        Household => "household", "Particulier employeur",
        SelfEmployed => "self_employed", "Travailleur indépendant",
    }
);

code_enum!(
    /// Why a member was struck off (companies.csv `strike_off_reason`).
    StrikeOffReason {
        Unpaid => "unpaid", "Cotisation impayée",
        BreachOfObligations => "breach_of_obligations", "Manquement aux obligations",
        CeasedActivity => "ceased_activity", "Cessation d'activité",
        LeftTerritory => "left_territory", "Départ du territoire",
        Other => "other", "Autre motif",
    }
);

code_enum!(
    /// Employment contract (workers.csv `contract`).
    Contract {
        Cdi => "CDI", "CDI",
        Cdd => "CDD", "CDD",
        Interim => "INTERIM", "Intérim",
        Apprentice => "APPRENTICE", "Apprentissage",
        Other => "OTHER", "Autre",
    }
);

code_enum!(
    Sex {
        Female => "F", "Femme",
        Male => "M", "Homme",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for kind in CompanyKind::ALL {
            assert_eq!(CompanyKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(
            StrikeOffReason::from_code("unpaid"),
            Some(StrikeOffReason::Unpaid)
        );
        assert_eq!(
            Contract::from_code("APPRENTICE"),
            Some(Contract::Apprentice)
        );
        assert_eq!(Sex::codes(), vec!["F", "M"]);
        assert_eq!(CompanyKind::from_code("plc"), None);
    }
}

/// Lower case without accents, for searching names whatever the typing.
pub fn fold_for_search(text: &str) -> String {
    text.chars()
        .flat_map(|c| c.to_lowercase())
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' | 'ì' => 'i',
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            'ñ' => 'n',
            'œ' => 'o',
            'æ' => 'a',
            '’' | '\'' => ' ',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod search_tests {
    #[test]
    fn accents_and_case_are_folded() {
        assert_eq!(
            super::fold_for_search("Société Générale d’Élec"),
            "societe generale d elec"
        );
    }
}
