//! The web application: HTML pages (askama) and the JSON API under `/api/v1`, with
//! authentication, authorisation by route, CSRF protection and security headers.

pub mod accounts;
mod api;
pub mod auth;
mod charts;
mod csrf;
pub mod error;
mod layout;
mod middleware;
mod openapi;
mod pages;
pub mod services;

pub mod routes;
pub mod secrets;
mod state;

pub use state::{AppState, WebConfig};

use std::net::SocketAddr;

use axum::Router;

/// The whole application, with its middleware, as served and as tested.
pub fn build_app(state: AppState) -> Router {
    let router = routes::build_router(state.clone());
    middleware::wrap(router, state)
}

/// Serves the application until SIGTERM or Ctrl-C, then lets requests in flight finish.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let app = build_app(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing requests in flight");
}
