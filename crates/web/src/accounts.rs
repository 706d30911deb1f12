//! Creating accounts (admin page and `spsti user add`): checks, then either a password or an
//! invitation e-mail with a link valid 7 days.

use chrono::Duration;
use domain::Role;
use domain::identifiers::validate_siret;
use domain::ids::UserId;
use domain::password::check_password_policy;
use store::{Actor, NewUser, PURPOSE_INVITE};

use crate::error::AppError;
use crate::secrets::{hash_password_async, random_token, token_hash};
use crate::state::AppState;

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub siret: Option<String>,
    pub password: Option<String>,
}

/// How the new user gets in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Password,
    /// An invitation was sent to this address.
    Invited(String),
}

fn check(account: &NewAccount) -> Result<(), AppError> {
    let login = account.login.as_str();
    if login.is_empty() || login.len() > 100 {
        return Err(AppError::invalid(
            "Identifiant",
            "obligatoire, 100 caractères au plus",
        ));
    }
    if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(AppError::invalid(
            "Identifiant",
            "lettres sans accent, chiffres et . _ - @ uniquement",
        ));
    }
    if account.display_name.trim().is_empty() {
        return Err(AppError::invalid("Nom affiché", "obligatoire"));
    }
    if let Some(email) = &account.email
        && (!email.contains('@') || email.contains(char::is_whitespace) || email.len() > 254)
    {
        return Err(AppError::invalid(
            "E-mail",
            format!("adresse invalide « {email} »"),
        ));
    }
    match (&account.siret, account.role) {
        (None, Role::Employer) => {
            return Err(AppError::invalid(
                "SIRET",
                "obligatoire pour un compte employeur",
            ));
        }
        (Some(siret), Role::Employer) => {
            validate_siret(siret).map_err(|e| AppError::invalid("SIRET", e.to_string()))?
        }
        (Some(_), _) => {
            return Err(AppError::invalid("SIRET", "réservé aux comptes employeurs"));
        }
        (None, _) => {}
    }
    match &account.password {
        Some(password) => check_password_policy(password)
            .map_err(|e| AppError::invalid("Mot de passe", e.to_string())),
        None if account.email.is_none() => Err(AppError::invalid(
            "E-mail",
            "obligatoire pour envoyer une invitation quand aucun mot de passe n'est donné",
        )),
        None => Ok(()),
    }
}

/// Creates the account; without a password, e-mails an invitation link.
pub async fn create_account(
    state: &AppState,
    actor: &Actor,
    account: NewAccount,
) -> Result<(UserId, Access), AppError> {
    check(&account)?;
    let password_hash = match account.password.clone() {
        Some(password) => Some(hash_password_async(password).await),
        None => None,
    };
    let id = state
        .db()
        .insert_user(
            actor,
            &NewUser {
                login: account.login.clone(),
                display_name: account.display_name.trim().to_string(),
                email: account.email.clone(),
                role: account.role,
                siret: account.siret.clone(),
                professional_id: None,
                password_hash,
            },
        )
        .await?;
    if account.password.is_some() {
        return Ok((id, Access::Password));
    }
    let email = account.email.clone().unwrap_or_default();
    let token = random_token();
    state
        .db()
        .create_password_link(id, &token_hash(&token), PURPOSE_INVITE, Duration::days(7))
        .await?;
    let link = format!("{}/password/reset/{token}", state.config().base_url);
    let siret_line = account
        .siret
        .as_deref()
        .map(|s| format!("Pour vous connecter, utilisez votre e-mail et le SIRET {s}.\n\n"))
        .unwrap_or_default();
    state
        .mailer()
        .send(notify::OutgoingMail {
            to: email.clone(),
            subject: format!("Invitation : votre compte {}", state.config().service_name),
            body: format!(
                "Bonjour {},\n\nUn compte « {} » vous a été ouvert (identifiant : {}).\nChoisissez votre mot de passe avec ce lien, valable 7 jours et utilisable une fois :\n\n{link}\n\n{siret_line}{}\n",
                account.display_name,
                account.role.label(),
                account.login,
                state.config().service_name
            ),
        })
        .await
        .map_err(|e| AppError::invalid("E-mail", e.to_string()))?;
    Ok((id, Access::Invited(email)))
}
