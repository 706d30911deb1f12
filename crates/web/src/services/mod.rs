//! Service functions: the checks and rules between a parsed request and the store, shared by
//! pages, the API and the command line.

pub mod agenda;
pub mod declarations;
pub mod imports;
pub mod indicators;
pub mod invoicing;
pub mod medical;
pub mod members;
pub mod programmes;
pub mod queues;

use chrono::NaiveDate;

use crate::error::AppError;

/// Today's date for the service (UTC day, the one the stored obligations use; the agenda
/// module brings Europe/Paris).
pub fn today() -> NaiveDate {
    store::today()
}

/// A required date field (`AAAA-MM-JJ` or `JJ/MM/AAAA`).
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    import::csv_file::parse_date(text.trim()).ok_or_else(|| {
        AppError::invalid(
            field,
            format!("date invalide « {} » (attendu AAAA-MM-JJ)", text.trim()),
        )
    })
}

/// An optional date field.
pub fn parse_optional_date(field: &str, text: &str) -> Result<Option<NaiveDate>, AppError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(field, text).map(Some)
    }
}

/// A required text field, trimmed.
pub fn required(field: &str, text: &str, max: usize) -> Result<String, AppError> {
    let value = text.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "obligatoire"));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("{max} caractères au plus"),
        ));
    }
    Ok(value.to_string())
}

/// An optional e-mail address.
pub fn optional_email(field: &str, text: &str) -> Result<Option<String>, AppError> {
    let value = text.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if !value.contains('@') || value.contains(char::is_whitespace) || value.len() > 254 {
        return Err(AppError::invalid(
            field,
            format!("adresse invalide « {value} »"),
        ));
    }
    Ok(Some(value.to_string()))
}
