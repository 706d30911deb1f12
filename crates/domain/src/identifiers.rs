//! Checks of French identifiers: SIREN and SIRET (Luhn, with the La Poste exception) and the
//! NIR (social security number, with its 2-digit key).

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum IdentifierError {
    #[error("le {field} doit comporter {expected} chiffres (reçu « {value} »)")]
    Length {
        field: &'static str,
        expected: usize,
        value: String,
    },
    #[error("le {field} « {value} » n'est pas valide (clé de contrôle incorrecte)")]
    Checksum { field: &'static str, value: String },
}

/// SIREN of La Poste, whose establishments' SIRETs do not satisfy Luhn but have a digit sum
/// that is a multiple of 5.
const LA_POSTE_SIREN: &str = "356000000";

fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

fn check_digits(field: &'static str, value: &str, len: usize) -> Result<(), IdentifierError> {
    if value.len() != len || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdentifierError::Length {
            field,
            expected: len,
            value: value.to_string(),
        });
    }
    Ok(())
}

/// Checks a 9-digit SIREN.
pub fn validate_siren(siren: &str) -> Result<(), IdentifierError> {
    check_digits("SIREN", siren, 9)?;
    if luhn_valid(siren) {
        Ok(())
    } else {
        Err(IdentifierError::Checksum {
            field: "SIREN",
            value: siren.to_string(),
        })
    }
}

/// Checks a 14-digit SIRET (SIREN + NIC).
pub fn validate_siret(siret: &str) -> Result<(), IdentifierError> {
    check_digits("SIRET", siret, 14)?;
    let valid = if siret.starts_with(LA_POSTE_SIREN) {
        let sum: u32 = siret.bytes().map(|b| u32::from(b - b'0')).sum();
        luhn_valid(siret) || sum.is_multiple_of(5)
    } else {
        luhn_valid(siret) && luhn_valid(&siret[..9])
    };
    if valid {
        Ok(())
    } else {
        Err(IdentifierError::Checksum {
            field: "SIRET",
            value: siret.to_string(),
        })
    }
}

/// The 13 first characters of a NIR as a number, Corsica's 2A/2B read as 19/18 for the key.
fn nir_number(first13: &str) -> Option<u64> {
    let upper = first13.to_ascii_uppercase();
    let normalised = if upper.get(5..7) == Some("2A") {
        format!("{}19{}", &upper[..5], &upper[7..])
    } else if upper.get(5..7) == Some("2B") {
        format!("{}18{}", &upper[..5], &upper[7..])
    } else {
        upper
    };
    if normalised.len() == 13 && normalised.bytes().all(|b| b.is_ascii_digit()) {
        normalised.parse().ok()
    } else {
        None
    }
}

/// The 2-digit key of a 13-character NIR: 97 − (number mod 97).
pub fn nir_key(first13: &str) -> Option<u8> {
    nir_number(first13).map(|n| (97 - (n % 97)) as u8)
}

/// Checks a 15-character NIR (13 characters then the key).
pub fn validate_nir(nir: &str) -> Result<(), IdentifierError> {
    let invalid_length = || IdentifierError::Length {
        field: "NIR",
        expected: 15,
        value: nir.to_string(),
    };
    if nir.len() != 15 || !nir.is_ascii() {
        return Err(invalid_length());
    }
    let key = nir_key(&nir[..13]).ok_or_else(invalid_length)?;
    let given: u8 = nir[13..].parse().map_err(|_| invalid_length())?;
    if key == given {
        Ok(())
    } else {
        Err(IdentifierError::Checksum {
            field: "NIR",
            value: nir.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siren_luhn() {
        assert_eq!(validate_siren("732829320"), Ok(()));
        assert!(matches!(
            validate_siren("732829321"),
            Err(IdentifierError::Checksum { .. })
        ));
        assert!(matches!(
            validate_siren("73282932"),
            Err(IdentifierError::Length { .. })
        ));
        assert!(matches!(
            validate_siren("73282932A"),
            Err(IdentifierError::Length { .. })
        ));
    }

    #[test]
    fn siret_luhn_and_siren_part() {
        assert_eq!(validate_siret("73282932000074"), Ok(()));
        assert!(validate_siret("73282932000075").is_err());
        let err = validate_siret("123").unwrap_err().to_string();
        assert!(
            err.contains("SIRET") && err.contains("14 chiffres"),
            "{err}"
        );
    }

    #[test]
    fn la_poste_siret_uses_digit_sum_rule() {
        // A real La Poste establishment: digit sum 45, Luhn fails, yet valid.
        assert!(!luhn_valid("35600000049837"));
        assert_eq!(validate_siret("35600000049837"), Ok(()));
        // Digit sum 31: neither rule holds.
        assert!(validate_siret("35600000000098").is_err());
    }

    #[test]
    fn nir_key_and_corsica() {
        // 1 85 05 78 006 084 → key 97 − (1850578006084 mod 97)
        let n: u64 = 1850578006084;
        let key = 97 - n % 97;
        let nir = format!("1850578006084{key:02}");
        assert_eq!(validate_nir(&nir), Ok(()));
        let wrong = format!("1850578006084{:02}", (key % 97) + 1);
        assert!(validate_nir(&wrong).is_err());
        // Corsica: 2A read as 19 for the key.
        let corsica_num: u64 = 2850519006084;
        let corsica = format!("28505{}006084{:02}", "2A", 97 - corsica_num % 97);
        assert_eq!(validate_nir(&corsica), Ok(()));
        assert!(validate_nir("12345").is_err());
    }
}
