//! The NAF rév. 2 nomenclature (INSEE): 732 sub-classes `NN.NNL`, each in one of 21 sections
//! `A`–`U`. Shipped as data (`data/naf-rev2.csv`).

use std::collections::HashMap;
use std::sync::LazyLock;

const NAF_CSV: &str = include_str!("../data/naf-rev2.csv");

/// INSEE's French labels of the 21 sections.
pub const SECTIONS: [(char, &str); 21] = [
    ('A', "Agriculture, sylviculture et pêche"),
    ('B', "Industries extractives"),
    ('C', "Industrie manufacturière"),
    (
        'D',
        "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    ),
    (
        'E',
        "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
    ),
    ('F', "Construction"),
    ('G', "Commerce ; réparation d'automobiles et de motocycles"),
    ('H', "Transports et entreposage"),
    ('I', "Hébergement et restauration"),
    ('J', "Information et communication"),
    ('K', "Activités financières et d'assurance"),
    ('L', "Activités immobilières"),
    ('M', "Activités spécialisées, scientifiques et techniques"),
    ('N', "Activités de services administratifs et de soutien"),
    ('O', "Administration publique"),
    ('P', "Enseignement"),
    ('Q', "Santé humaine et action sociale"),
    ('R', "Arts, spectacles et activités récréatives"),
    ('S', "Autres activités de services"),
    (
        'T',
        "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages en tant que producteurs de biens et services pour usage propre",
    ),
    ('U', "Activités extra-territoriales"),
];

/// One sub-class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NafCode {
    pub code: &'static str,
    pub section: char,
    pub label: &'static str,
}

static TABLE: LazyLock<HashMap<&'static str, NafCode>> = LazyLock::new(|| {
    NAF_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.splitn(3, ';');
            let code = parts.next()?;
            let section = parts.next()?.chars().next()?;
            let label = parts.next()?;
            Some((
                code,
                NafCode {
                    code,
                    section,
                    label,
                },
            ))
        })
        .collect()
});

/// The sub-class of a code such as `56.10A`, if it exists.
pub fn find_naf(code: &str) -> Option<&'static NafCode> {
    TABLE.get(code)
}

/// Checks a NAF code: format `NN.NNL` and existence in the nomenclature.
pub fn validate_naf(code: &str) -> Result<&'static NafCode, String> {
    let bytes = code.as_bytes();
    let well_formed = bytes.len() == 6
        && bytes[..2].iter().all(u8::is_ascii_digit)
        && bytes[2] == b'.'
        && bytes[3..5].iter().all(u8::is_ascii_digit)
        && bytes[5].is_ascii_uppercase();
    if !well_formed {
        return Err(format!(
            "code NAF « {code} » mal formé (attendu NN.NNL, par exemple 56.10A)"
        ));
    }
    find_naf(code)
        .ok_or_else(|| format!("code NAF « {code} » absent de la nomenclature NAF rév. 2"))
}

pub fn section_label(section: char) -> Option<&'static str> {
    SECTIONS
        .iter()
        .find(|(s, _)| *s == section)
        .map(|(_, label)| *label)
}

/// All sub-classes, sorted by code.
pub fn all_naf_codes() -> Vec<&'static NafCode> {
    let mut codes: Vec<_> = TABLE.values().collect();
    codes.sort_by_key(|c| c.code);
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nomenclature_is_complete() {
        assert_eq!(all_naf_codes().len(), 732);
        for (section, _) in SECTIONS {
            assert!(
                all_naf_codes().iter().any(|c| c.section == section),
                "section {section}"
            );
        }
    }

    #[test]
    fn codes_are_checked_for_format_and_existence() {
        let bakery = validate_naf("10.71C").unwrap();
        assert_eq!(bakery.section, 'C');
        assert_eq!(section_label('C'), Some("Industrie manufacturière"));
        assert_eq!(validate_naf("56.10A").unwrap().section, 'I');
        assert!(validate_naf("5610A").unwrap_err().contains("mal formé"));
        assert!(validate_naf("99.99Z").unwrap_err().contains("absent"));
        assert_eq!(validate_naf("97.00Z").unwrap().section, 'T');
    }
}
