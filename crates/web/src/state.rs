//! Shared state of the application and its configuration.

use std::sync::Arc;

use notify::Mailer;
use store::Db;

use crate::services::indicators::IndicatorCache;

/// Settings of the web layer, from `SPSTI_…` variables with defaults in code.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Public address of the application, used in links sent by e-mail.
    pub base_url: String,
    /// Mark cookies `Secure` (served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Name of the service shown in pages and e-mails.
    pub service_name: String,
}

impl WebConfig {
    pub fn from_env(default_base_url: &str) -> WebConfig {
        let base_url =
            std::env::var("SPSTI_BASE_URL").unwrap_or_else(|_| default_base_url.to_string());
        let flag = |name: &str| {
            std::env::var(name)
                .map(|v| matches!(v.as_str(), "1" | "true" | "yes"))
                .unwrap_or(false)
        };
        WebConfig {
            secure_cookies: base_url.starts_with("https://") || flag("SPSTI_SECURE_COOKIES"),
            trust_proxy: flag("SPSTI_TRUST_PROXY"),
            service_name: std::env::var("SPSTI_SERVICE_NAME")
                .unwrap_or_else(|_| "Service de prévention et de santé au travail".into()),
            base_url: base_url.trim_end_matches('/').to_string(),
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub mailer: Mailer,
    pub config: WebConfig,
    indicators: IndicatorCache,
    imports: crate::services::imports::ImportJobs,
}

impl AppState {
    pub fn new(db: Db, mailer: Mailer, config: WebConfig) -> AppState {
        AppState(Arc::new(Inner {
            db,
            mailer,
            config,
            indicators: IndicatorCache::default(),
            imports: Default::default(),
        }))
    }
    pub fn db(&self) -> &Db {
        &self.0.db
    }
    pub(crate) fn imports(&self) -> &crate::services::imports::ImportJobs {
        &self.0.imports
    }
    pub(crate) fn indicators(&self) -> &IndicatorCache {
        &self.0.indicators
    }
    pub fn mailer(&self) -> &Mailer {
        &self.0.mailer
    }
    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }
    /// What messages quote: the service's name, the employer's excuse delay.
    pub fn message_context(&self) -> domain::messages::MessageContext {
        domain::messages::MessageContext {
            service_name: self.0.config.service_name.clone(),
            excuse_delay_hours: notify::excuse_delay_hours(),
            no_show_fee: None,
        }
    }
}
