//! Password policy: at least 12 characters, or at least 8 with an upper-case letter, a
//! lower-case letter, a digit and a special character; never a common password.

use thiserror::Error;

const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error(
        "le mot de passe doit comporter au moins 12 caractères, ou au moins 8 avec une majuscule, une minuscule, un chiffre et un caractère spécial"
    )]
    TooWeak,
    #[error(
        "ce mot de passe figure dans la liste des mots de passe courants : choisissez-en un autre"
    )]
    Common,
    #[error("le mot de passe ne doit pas dépasser 256 caractères")]
    TooLong,
}

/// Checks a new password against the policy.
pub fn check_password_policy(password: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length > 256 {
        return Err(PasswordError::TooLong);
    }
    let long_enough = length >= 12;
    let varied = length >= 8
        && password.chars().any(|c| c.is_uppercase())
        && password.chars().any(|c| c.is_lowercase())
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| !c.is_alphanumeric());
    if !long_enough && !varied {
        return Err(PasswordError::TooWeak);
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS
        .lines()
        .any(|common| common.trim().to_lowercase() == lowered)
    {
        return Err(PasswordError::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_characters_suffice() {
        assert_eq!(check_password_policy("correct horse battery"), Ok(()));
    }

    #[test]
    fn eight_varied_characters_suffice() {
        assert_eq!(check_password_policy("Xk7#pQ2v"), Ok(()));
    }

    #[test]
    fn short_or_plain_passwords_are_refused() {
        assert_eq!(
            check_password_policy("abcdefgh"),
            Err(PasswordError::TooWeak)
        );
        assert_eq!(
            check_password_policy("Abcdef1x"),
            Err(PasswordError::TooWeak)
        );
        assert_eq!(check_password_policy("Ab1!"), Err(PasswordError::TooWeak));
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        assert_eq!(
            check_password_policy("Azerty123!"),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password_policy("MOTDEPASSE123"),
            Err(PasswordError::Common)
        );
    }

    #[test]
    fn messages_are_french() {
        assert!(
            PasswordError::TooWeak
                .to_string()
                .contains("au moins 12 caractères")
        );
    }
}
