//! Authentication: session cookies, bearer tokens, password login with throttling, second
//! factor. Yields the typed principal that handlers receive.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{Duration, Utc};
use domain::authz::Principal;
use domain::throttle::{FREE_FAILURES, FREE_FAILURES_PER_ADDRESS, lock_seconds};
use store::{Session, SessionStage, User};

use crate::error::AppError;
use crate::secrets::{token_hash, verify_password_async};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "spsti_session";
pub const CSRF_COOKIE: &str = "spsti_csrf";
/// A session unused for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// A session older than this is closed whatever its use.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(8);
/// Window over which failures from one address are counted.
const ADDRESS_WINDOW: Duration = Duration::minutes(15);

/// The value of cookie `name`, if sent.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Secure behind TLS; `max_age` 0 deletes.
pub fn cookie_header(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).expect("cookie characters are URL-safe")
}

/// The client's address: the socket's, or the first of `X-Forwarded-For` behind a trusted
/// proxy.
pub fn client_ip(
    parts_headers: &HeaderMap,
    connect: Option<&ConnectInfo<std::net::SocketAddr>>,
    trust_proxy: bool,
) -> String {
    if trust_proxy
        && let Some(forwarded) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return forwarded.trim().to_string();
    }
    connect
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "inconnue".to_string())
}

/// The client address of a request, as an extractor.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let connect = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>();
        Ok(ClientIp(client_ip(
            &parts.headers,
            connect,
            state.config().trust_proxy,
        )))
    }
}

/// The logged-in user, as put in the request by the route's guard.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

/// The session of the request (any stage), as put in the request by the route's guard.
#[derive(Debug, Clone)]
pub struct CurrentSession(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for CurrentSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentSession>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

pub fn principal_of(user: &User, second_factor_verified: bool) -> Principal {
    Principal {
        user_id: user.id,
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        team: user.team,
        siret: user.siret.clone(),
        second_factor_verified,
    }
}

/// The session named by the cookie, if it exists and has not expired (an expired one is
/// deleted). Its last use is refreshed at most once a minute.
pub async fn find_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, AppError> {
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = state.db().find_session(&token_hash(&token)).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    if now - session.last_seen_at > IDLE_TIMEOUT || now - session.created_at > ABSOLUTE_TIMEOUT {
        state.db().delete_session(session.id).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > Duration::minutes(1) {
        state.db().touch_session(session.id).await?;
    }
    Ok(Some(session))
}

/// The user of a valid `Authorization: Bearer` token. Tokens of doctors and nurses without
/// a second factor are refused.
pub async fn find_bearer_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<User>, AppError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(token) = value.strip_prefix("Bearer ") else {
        return Err(AppError::Forbidden(
            "en-tête Authorization non reconnu (attendu : Bearer <jeton>)".into(),
        ));
    };
    match state
        .db()
        .find_valid_api_token(&token_hash(token.trim()))
        .await?
    {
        Some((_, user)) if user.role.requires_second_factor() && !user.totp_enabled => {
            state
                .db()
                .record_security_event(
                    "token_refused_no_2fa",
                    Some(&user.login),
                    None,
                    "jeton d'un compte sans double authentification",
                )
                .await?;
            Err(AppError::Forbidden(
                "les jetons des médecins et infirmiers exigent la double authentification".into(),
            ))
        }
        Some((_, user)) => Ok(Some(user)),
        None => {
            state
                .db()
                .record_security_event(
                    "token_invalid",
                    None,
                    None,
                    "jeton inconnu, révoqué ou expiré",
                )
                .await?;
            Err(AppError::Unauthenticated)
        }
    }
}

/// Creates a session for `user` at `stage` and returns the `Set-Cookie` header. A new id
/// each time: the session is renewed at login and after the second factor.
pub async fn start_session(
    state: &AppState,
    user: &User,
    stage: SessionStage,
) -> Result<HeaderValue, AppError> {
    let token = crate::secrets::random_token();
    state
        .db()
        .create_session(user.id, &token_hash(&token), stage)
        .await?;
    Ok(cookie_header(
        SESSION_COOKIE,
        &token,
        None,
        state.config().secure_cookies,
    ))
}

/// The stage a session starts at after a correct password.
pub fn stage_after_password(user: &User) -> SessionStage {
    if user.totp_enabled {
        SessionStage::AwaitingSecondFactor
    } else if user.role.requires_second_factor() {
        SessionStage::MustEnrolSecondFactor
    } else {
        SessionStage::Complete
    }
}

const BAD_CREDENTIALS: &str = "Identifiant ou mot de passe incorrect.";

/// Checks a login and password, with throttling per address and lockout per account; every
/// failure is logged as a security event.
pub async fn authenticate(
    state: &AppState,
    login: &str,
    siret: Option<&str>,
    password: &str,
    ip: &str,
) -> Result<User, AppError> {
    let db = state.db();
    let (address_failures, latest) = db.recent_failures_from(ip, ADDRESS_WINDOW).await?;
    let address_lock = lock_seconds(address_failures, FREE_FAILURES_PER_ADDRESS);
    if let Some(latest) = latest
        && address_lock > 0
        && Utc::now() < latest + Duration::seconds(address_lock)
    {
        db.record_security_event(
            "login_throttled_address",
            Some(login),
            Some(ip),
            "trop d'échecs depuis cette adresse",
        )
        .await?;
        return Err(AppError::TooManyRequests(format!(
            "Trop de tentatives depuis votre adresse. Réessayez dans {} minute(s).",
            (address_lock + 59) / 60
        )));
    }
    let user = match siret.filter(|s| !s.is_empty()) {
        Some(siret) => db.find_employer_user(siret, login).await?,
        None => db.find_user_by_login(login).await?,
    };
    let Some(user) = user.filter(|u| u.active) else {
        verify_password_async(password.to_string(), None).await;
        db.record_login_attempt(login, ip, false).await?;
        db.record_security_event(
            "login_unknown_user",
            Some(login),
            Some(ip),
            "identifiant inconnu ou désactivé",
        )
        .await?;
        return Err(AppError::invalid("Connexion", BAD_CREDENTIALS));
    };
    if let Some(until) = user.locked_until
        && Utc::now() < until
    {
        db.record_login_attempt(login, ip, false).await?;
        db.record_security_event(
            "login_locked",
            Some(login),
            Some(ip),
            "compte verrouillé temporairement",
        )
        .await?;
        let minutes = ((until - Utc::now()).num_seconds() + 59) / 60;
        return Err(AppError::TooManyRequests(format!(
            "Trop d'échecs : ce compte est verrouillé pendant encore {minutes} minute(s)."
        )));
    }
    if !verify_password_async(password.to_string(), user.password_hash.clone()).await {
        register_failure(state, &user, ip, "login_bad_password").await?;
        return Err(AppError::invalid("Connexion", BAD_CREDENTIALS));
    }
    if user.failed_logins > 0 || user.locked_until.is_some() {
        db.clear_failed_logins(user.id).await?;
    }
    db.record_login_attempt(login, ip, true).await?;
    Ok(user)
}

/// Counts a failed password or code, locking the account with a growing delay.
pub async fn register_failure(
    state: &AppState,
    user: &User,
    ip: &str,
    kind: &str,
) -> Result<(), AppError> {
    let db = state.db();
    let failures = (user.failed_logins + 1) as u32;
    let lock = lock_seconds(failures, FREE_FAILURES);
    let until = (lock > 0).then(|| Utc::now() + Duration::seconds(lock));
    db.record_failed_login(user.id, until).await?;
    db.record_login_attempt(&user.login, ip, false).await?;
    let detail = match until {
        Some(_) => format!("échec n°{failures}, compte verrouillé {lock} s"),
        None => format!("échec n°{failures}"),
    };
    db.record_security_event(kind, Some(&user.login), Some(ip), &detail)
        .await?;
    Ok(())
}
