//! A test application: a fresh database (SQLite or PostgreSQL), the router called in
//! process, clients with their own cookie jars, and `login_as(role)`.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use domain::Role;
use http_body_util::BodyExt;
use notify::{Mailer, OutgoingMail};
use store::test_support::TestDb;
use store::{Actor, NewUser};
use tower::ServiceExt;
use web::{AppState, WebConfig};

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    router: Router,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (files).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// Text of the element with this id (first match), without tags.
    pub fn text_of(&self, id: &str) -> Option<String> {
        let start = self.body.find(&format!("id=\"{id}\""))?;
        let open_end = start + self.body[start..].find('>')? + 1;
        let mut depth = 0;
        let mut text = String::new();
        let mut rest = &self.body[open_end..];
        while !rest.is_empty() {
            if rest.starts_with("</") {
                if depth == 0 {
                    break;
                }
                depth -= 1;
                text.push(' ');
                rest = &rest[rest.find('>')? + 1..];
            } else if rest.starts_with('<') {
                depth += 1;
                rest = &rest[rest.find('>')? + 1..];
            } else {
                let next = rest.find('<').unwrap_or(rest.len());
                text.push_str(&rest[..next]);
                rest = &rest[next..];
            }
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        Some(
            text.replace("&#39;", "'")
                .replace("&#x27;", "'")
                .replace("&quot;", "\"")
                .replace("&#34;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        )
    }
}

fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| web::secrets::hash_password(PASSWORD))
        .clone()
}

impl TestApp {
    pub fn with_db(db: TestDb) -> TestApp {
        let state = AppState::new(
            db.db.clone(),
            Mailer::memory(),
            WebConfig {
                base_url: "http://spsti.test".into(),
                secure_cookies: false,
                trust_proxy: true,
                service_name: "SPSTI de test".into(),
            },
        );
        let router = web::build_app(state.clone());
        TestApp { db, state, router }
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
            ip: "192.0.2.1".into(),
        }
    }

    pub fn sent_mail(&self) -> Vec<OutgoingMail> {
        self.state.mailer().sent()
    }

    /// Creates an account with [`PASSWORD`]; doctors and nurses get a TOTP secret enrolled.
    pub async fn create_user(&self, login: &str, role: Role) -> store::User {
        self.create_linked_user(login, role, None).await
    }

    /// The same, linked to a professional (their team and agenda).
    pub async fn create_linked_user(
        &self,
        login: &str,
        role: Role,
        professional_id: Option<i64>,
    ) -> store::User {
        let db = &self.db.db;
        let id = db
            .insert_user(
                &Actor("test".into()),
                &NewUser {
                    login: login.into(),
                    display_name: format!("Utilisateur {login}"),
                    email: Some(format!("{login}@example.org")),
                    role,
                    siret: (role == Role::Employer).then(|| "73282932000074".to_string()),
                    professional_id: professional_id.map(domain::ids::ProfessionalId),
                    password_hash: Some(password_hash()),
                },
            )
            .await
            .unwrap();
        if role.requires_second_factor() {
            db.set_pending_totp_secret(id, &web::secrets::new_totp_secret())
                .await
                .unwrap();
            db.enable_totp(&Actor("test".into()), id, 0, &[])
                .await
                .unwrap();
        }
        db.find_user(id).await.unwrap()
    }

    /// A client logged in as a new user of `role` (second factor done for doctors and nurses).
    pub async fn login_as(&self, role: Role) -> Client {
        self.login_linked(role, None).await
    }

    /// A client logged in as a new user of `role` linked to a professional.
    pub async fn login_linked(&self, role: Role, professional_id: Option<i64>) -> Client {
        let login = format!("{}-{}", role.code(), rand_suffix());
        let user = self.create_linked_user(&login, role, professional_id).await;
        let mut client = self.client();
        let response = client.login(&login, PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        if role.requires_second_factor() {
            assert_eq!(response.location(), Some("/login/2fa"));
            let code = current_code(user.totp_secret.as_deref().unwrap());
            let done = client.post_form("/login/2fa", &[("code", &code)]).await;
            assert_eq!(done.location(), Some("/"), "{}", done.body);
        }
        client
    }

    pub async fn finish(self) {
        self.db.drop_db().await;
    }
}

fn rand_suffix() -> String {
    web::secrets::random_token()[..8]
        .to_lowercase()
        .replace(['-', '_'], "x")
}

/// The TOTP code of the current time step.
pub fn current_code(secret: &str) -> String {
    web::secrets::totp_code(secret, chrono::Utc::now().timestamp() as u64).unwrap()
}

/// The TOTP code of the next time step (still accepted thanks to the ±1 step skew).
pub fn next_code(secret: &str) -> String {
    web::secrets::totp_code(secret, chrono::Utc::now().timestamp() as u64 + 30).unwrap()
}

pub struct Client {
    router: Router,
    pub cookies: HashMap<String, String>,
    pub ip: String,
}

impl Client {
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Body,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("x-forwarded-for", &self.ip);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(header::COOKIE, cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Method::GET, path, Body::empty(), &[]).await
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("spsti_csrf").cloned().unwrap_or_default()
    }

    /// Posts a form with the CSRF token (fetching the cookie first when needed).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        if !self.cookies.contains_key("spsti_csrf") {
            self.get("/login").await;
        }
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts a multipart form (a file upload) with the CSRF token: text fields, then the file.
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Response {
        // Mixed case, as browsers send it (WebKitFormBoundary…): the boundary is case-sensitive.
        const BOUNDARY: &str = "----SpstiTestBoundary7c1F";
        let csrf = self.csrf();
        let mut body = Vec::new();
        for (name, value) in
            std::iter::once(("csrf_token", csrf.as_str())).chain(fields.iter().copied())
        {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        let (name, filename, bytes) = file;
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send(
            Method::POST,
            path,
            Body::from(body),
            &[(header::CONTENT_TYPE.as_str(), content_type.as_str())],
        )
        .await
    }

    /// Posts a form as given (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Method::POST,
            path,
            Body::from(body),
            &[(
                header::CONTENT_TYPE.as_str(),
                "application/x-www-form-urlencoded",
            )],
        )
        .await
    }

    pub async fn login(&mut self, login: &str, password: &str) -> Response {
        self.post_form("/login", &[("login", login), ("password", password)])
            .await
    }
}

/// Writes an application test once and runs it on SQLite (`NAME::sqlite`) and PostgreSQL
/// (`NAME::postgres`, when configured; always under `CI=true`).
#[macro_export]
macro_rules! app_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::helpers::TestApp;

            async fn scenario($app: &TestApp) $body

            #[tokio::test]
            async fn sqlite() {
                let app = TestApp::with_db(store::test_support::TestDb::sqlite().await);
                scenario(&app).await;
                app.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = store::test_support::TestDb::postgres().await else {
                    eprintln!("PostgreSQL not configured (DATABASE_URL): skipped outside CI");
                    return;
                };
                let app = TestApp::with_db(db);
                scenario(&app).await;
                app.finish().await;
            }
        }
    };
}
