//! Members: checking what staff and employers type before it reaches the store.

use domain::company::CompanyKind;
use domain::identifiers::validate_siret;
use domain::naf::validate_naf;
use serde::Deserialize;
use store::{ContactEdit, EstablishmentEdit, NewMember};

use super::{optional_email, parse_date, required};
use crate::error::AppError;
use crate::pages::non_empty;

/// The member form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub naf_code: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub joined_on: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

fn check_naf(text: &str) -> Result<Option<String>, AppError> {
    match non_empty(text) {
        Some(code) => validate_naf(&code.to_uppercase())
            .map(|naf| Some(naf.code.to_string()))
            .map_err(|m| AppError::invalid("Code NAF", m)),
        None => Ok(None),
    }
}

fn check_postcode(text: &str) -> Result<String, AppError> {
    let value = text.trim();
    let five_digits = value.len() == 5 && value.bytes().all(|b| b.is_ascii_digit());
    if !value.is_empty() && !five_digits {
        return Err(AppError::invalid(
            "Code postal",
            format!("« {value} » : 5 chiffres attendus"),
        ));
    }
    Ok(value.to_string())
}

fn check_phone(text: &str) -> Result<Option<String>, AppError> {
    let value = text.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if digits < 10
        || value
            .chars()
            .any(|c| !(c.is_ascii_digit() || " +.-()".contains(c)))
    {
        return Err(AppError::invalid(
            "Téléphone",
            format!("numéro invalide « {value} »"),
        ));
    }
    Ok(Some(value.to_string()))
}

impl MemberForm {
    pub fn to_new_member(&self) -> Result<NewMember, AppError> {
        let siret: String = self.siret.chars().filter(|c| !c.is_whitespace()).collect();
        validate_siret(&siret).map_err(|e| AppError::invalid("SIRET", e.to_string()))?;
        let name = required("Nom de l'établissement", &self.name, 200)?;
        Ok(NewMember {
            siret,
            company_name: non_empty(&self.company_name).unwrap_or_else(|| name.clone()),
            name,
            naf_code: check_naf(&self.naf_code)?,
            kind: CompanyKind::from_code(self.kind.trim()).ok_or_else(|| {
                AppError::invalid(
                    "Type d'adhérent",
                    format!(
                        "« {} » inconnu (attendu : {})",
                        self.kind,
                        CompanyKind::codes().join(", ")
                    ),
                )
            })?,
            sector: required("Secteur", &self.sector, 20)?,
            team: non_empty(&self.team),
            joined_on: parse_date("Date d'adhésion", &self.joined_on)?,
            address: self.address.trim().to_string(),
            postcode: check_postcode(&self.postcode)?,
            city: self.city.trim().to_string(),
            email: optional_email("E-mail", &self.email)?,
            phone: check_phone(&self.phone)?,
        })
    }

    pub fn to_edit(&self) -> Result<EstablishmentEdit, AppError> {
        Ok(EstablishmentEdit {
            name: required("Nom de l'établissement", &self.name, 200)?,
            naf_code: check_naf(&self.naf_code)?,
            sector: required("Secteur", &self.sector, 20)?,
            team: non_empty(&self.team),
            address: self.address.trim().to_string(),
            postcode: check_postcode(&self.postcode)?,
            city: self.city.trim().to_string(),
            email: optional_email("E-mail", &self.email)?,
            phone: check_phone(&self.phone)?,
        })
    }

    pub fn to_contacts(&self) -> Result<ContactEdit, AppError> {
        Ok(ContactEdit {
            address: required("Adresse", &self.address, 300)?,
            postcode: check_postcode(&self.postcode)?,
            city: required("Ville", &self.city, 100)?,
            email: optional_email("E-mail", &self.email)?,
            phone: check_phone(&self.phone)?,
        })
    }

    pub fn from_establishment(e: &store::Establishment) -> MemberForm {
        MemberForm {
            siret: e.siret.clone(),
            company_name: e.company_name.clone(),
            name: e.name.clone(),
            naf_code: e.naf_code.clone().unwrap_or_default(),
            kind: e.kind.code().into(),
            sector: e.sector.clone(),
            team: e.team.clone().unwrap_or_default(),
            joined_on: e.joined_on.to_string(),
            address: e.address.clone(),
            postcode: e.postcode.clone(),
            city: e.city.clone(),
            email: e.email.clone().unwrap_or_default(),
            phone: e.phone.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> MemberForm {
        MemberForm {
            siret: "732 829 320 00074".into(),
            name: "Boulangerie".into(),
            naf_code: "10.71c".into(),
            kind: "company".into(),
            sector: "EST".into(),
            joined_on: "01/02/2026".into(),
            postcode: "57000".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_form_gives_a_member() {
        let member = valid().to_new_member().unwrap();
        assert_eq!(member.siret, "73282932000074");
        assert_eq!(member.naf_code.as_deref(), Some("10.71C"));
        assert_eq!(member.company_name, "Boulangerie");
    }

    #[test]
    fn each_bad_field_is_named() {
        type Change = fn(&mut MemberForm);
        let cases: Vec<(Change, &str)> = vec![
            (|f| f.siret = "73282932000075".into(), "SIRET"),
            (|f| f.naf_code = "99.99Z".into(), "Code NAF"),
            (|f| f.kind = "plc".into(), "Type d'adhérent"),
            (|f| f.joined_on = "2026-02-30".into(), "Date d'adhésion"),
            (|f| f.postcode = "570".into(), "Code postal"),
            (|f| f.email = "x".into(), "E-mail"),
            (|f| f.phone = "abc".into(), "Téléphone"),
            (|f| f.name = " ".into(), "Nom de l'établissement"),
        ];
        for (change, field) in cases {
            let mut form = valid();
            change(&mut form);
            let err = form.to_new_member().unwrap_err();
            assert!(err.detail().starts_with(field), "{field}: {}", err.detail());
        }
    }
}
