//! Walks every route of the route table with every role (and without login) and checks the
//! status against the route's declared access: allowed roles pass, others get 403,
//! anonymous callers are sent to the login page (401 on the API).

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::Role;
use web::routes::{Access, route_table};

use crate::app_test;

/// The concrete path used for a route: path parameters replaced by a fixed id.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| if part.starts_with('{') { "1" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

async fn call(
    client: &mut crate::helpers::Client,
    method: &str,
    path: &str,
) -> crate::helpers::Response {
    let csrf = client.csrf();
    if method == "GET" {
        client.get(path).await
    } else if path.starts_with("/api/") {
        client
            .send(
                Method::POST,
                path,
                Body::from("{}"),
                &[
                    ("content-type", "application/json"),
                    ("x-csrf-token", &csrf),
                ],
            )
            .await
    } else {
        client.post_form(path, &[]).await
    }
}

app_test!(every_route_answers_each_role_as_declared, |app| {
    let mut failures = Vec::new();
    let mut clients = Vec::new();
    for role in Role::ALL {
        clients.push((role, app.login_as(role).await));
    }
    let mut anonymous = app.client();
    anonymous.get("/login").await;
    for route in route_table() {
        let path = concrete(route.path);
        // Logging out would end the session used by the following routes.
        if route.path == "/logout" {
            continue;
        }
        for (role, client) in clients.iter_mut() {
            let response = call(client, route.method, &path).await;
            let status = response.status;
            let went_to_login = response
                .location()
                .is_some_and(|l| l.starts_with("/login") && route.path != "/login/2fa");
            let allowed = match route.access {
                Access::Roles(roles) => roles.contains(role),
                _ => true,
            };
            let ok = if allowed {
                status != StatusCode::FORBIDDEN
                    && status != StatusCode::UNAUTHORIZED
                    && !went_to_login
            } else {
                status == StatusCode::FORBIDDEN
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {role}: {status} (allowed: {allowed})",
                    route.method, route.path
                ));
            }
        }
        let response = call(&mut anonymous, route.method, &path).await;
        let ok = match route.access {
            Access::Public => {
                response.status != StatusCode::FORBIDDEN
                    && response.status != StatusCode::UNAUTHORIZED
            }
            _ if route.path.starts_with("/api/") => response.status == StatusCode::UNAUTHORIZED,
            _ => {
                response.status == StatusCode::SEE_OTHER
                    && response.location().is_some_and(|l| l.starts_with("/login"))
            }
        };
        if !ok {
            failures.push(format!(
                "{} {} anonymous: {}",
                route.method, route.path, response.status
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "route matrix failures:\n{}",
        failures.join("\n")
    );
});

app_test!(forbidden_access_is_logged, |app| {
    let mut assistant = app.login_as(Role::Assistant).await;
    let response = assistant.get("/admin/users").await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(response.body.contains("Accès refusé"));
    let events = app.db.db.list_security_events(10).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == "forbidden" && e.detail.contains("/admin/users")),
        "{events:?}"
    );
});

#[test]
fn every_route_declares_its_access_and_the_table_has_no_duplicates() {
    let routes = route_table();
    let mut seen = std::collections::HashSet::new();
    for route in &routes {
        assert!(
            seen.insert((route.method, route.path)),
            "duplicate route {} {}",
            route.method,
            route.path
        );
        if let Access::Roles(roles) = route.access {
            assert!(
                !roles.is_empty(),
                "{} {} accepts no role",
                route.method,
                route.path
            );
        }
        assert!(!route.summary.is_empty());
    }
    let described = web::routes::describe_routes();
    let json = serde_json::to_value(&described).unwrap();
    let me = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/api/v1/me")
        .unwrap();
    assert_eq!(me["method"], "GET");
    assert_eq!(me["medical"], false);
    assert_eq!(me["roles"].as_array().unwrap().len(), 7);
    let admin_only = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/admin/users")
        .unwrap();
    assert_eq!(admin_only["roles"], serde_json::json!(["admin"]));
}
