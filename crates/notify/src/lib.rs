//! Outgoing messages. For now: e-mail through SMTP (lettre), or kept in memory and logged when
//! no SMTP server is configured (development, demo).

pub mod outbox;
pub mod pdf;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MailError {
    #[error("adresse e-mail invalide « {0} »")]
    InvalidAddress(String),
    #[error("envoi impossible : {0}")]
    Transport(String),
    /// Refused by the server for good (unknown mailbox, message rejected).
    #[error("refusé par le serveur : {0}")]
    Refused(String),
}

impl MailError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Transport(_))
    }
}

/// A message of the outbox as the mailer sends it: its stable Message-ID, and the
/// appointment as an iCalendar attachment when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub calendar: Option<String>,
    /// A PDF to attach (file name, bytes): an issued certificate or opinion.
    pub pdf: Option<(String, Vec<u8>)>,
}

/// The service's name and settings quoted in messages, from `SPSTI_SERVICE_NAME` and
/// `SPSTI_EXCUSE_DELAY_HOURS` (how long before an appointment an employer may still excuse a
/// worker in the portal, 48 by default).
pub fn message_context_from_env() -> domain::messages::MessageContext {
    domain::messages::MessageContext {
        service_name: std::env::var("SPSTI_SERVICE_NAME")
            .unwrap_or_else(|_| "Service de prévention et de santé au travail".into()),
        excuse_delay_hours: excuse_delay_hours(),
        no_show_fee: None,
    }
}

/// `SPSTI_EXCUSE_DELAY_HOURS`, 48 by default.
pub fn excuse_delay_hours() -> u32 {
    std::env::var("SPSTI_EXCUSE_DELAY_HOURS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

/// A plain-text e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// SMTP settings, from `SPSTI_SMTP_HOST`, `SPSTI_SMTP_PORT`, `SPSTI_SMTP_USER`,
/// `SPSTI_SMTP_PASSWORD` and `SPSTI_MAIL_FROM`.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .field("from", &self.from)
            .finish()
    }
}

impl SmtpConfig {
    /// The configuration from the environment, or `None` when `SPSTI_SMTP_HOST` is unset.
    pub fn from_env() -> Option<SmtpConfig> {
        let host = std::env::var("SPSTI_SMTP_HOST")
            .ok()
            .filter(|h| !h.is_empty())?;
        let port = std::env::var("SPSTI_SMTP_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(25);
        let credentials = match (
            std::env::var("SPSTI_SMTP_USER"),
            std::env::var("SPSTI_SMTP_PASSWORD"),
        ) {
            (Ok(user), Ok(password)) if !user.is_empty() => Some((user, password)),
            _ => None,
        };
        let from = std::env::var("SPSTI_MAIL_FROM")
            .unwrap_or_else(|_| "Service de santé au travail <no-reply@spsti.localhost>".into());
        Some(SmtpConfig {
            host,
            port,
            credentials,
            from,
        })
    }
}

/// Where e-mails go.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP server: messages are kept in memory (tests read them); only the fact is logged.
    Memory(Arc<Mutex<Vec<OutgoingMail>>>),
}

impl Mailer {
    pub fn smtp(config: &SmtpConfig) -> Result<Mailer, MailError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| MailError::InvalidAddress(config.from.clone()))?;
        // Local relays (and the test sink) speak plain SMTP; TLS is the relay's business.
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .timeout(Some(Duration::from_secs(10)));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer::Smtp {
            transport: builder.build(),
            from,
        })
    }

    pub fn memory() -> Mailer {
        Mailer::Memory(Arc::new(Mutex::new(Vec::new())))
    }

    /// SMTP when configured, memory otherwise.
    pub fn from_env() -> Result<Mailer, MailError> {
        match SmtpConfig::from_env() {
            Some(config) => Mailer::smtp(&config),
            None => Ok(Mailer::memory()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { .. } => "SMTP".into(),
            Mailer::Memory(_) => {
                "aucun serveur SMTP (e-mails gardés en mémoire et journalisés)".into()
            }
        }
    }

    pub async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError::InvalidAddress(mail.to.clone()))?;
        match self {
            Mailer::Smtp { transport, from } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.body)
                    .map_err(|e| MailError::Transport(e.to_string()))?;
                transport
                    .send(message)
                    .await
                    .map_err(|e| MailError::Transport(e.to_string()))?;
                Ok(())
            }
            Mailer::Memory(sent) => {
                tracing::info!("e-mail kept in memory (no SMTP server configured)");
                sent.lock().expect("mail list lock").push(mail);
                Ok(())
            }
        }
    }

    /// Sends an outbox message with its Message-ID and its iCalendar attachment.
    pub async fn send_outbox(&self, mail: &OutboxMail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError::InvalidAddress(mail.to.clone()))?;
        match self {
            Mailer::Smtp { transport, from } => {
                let builder = Message::builder()
                    .message_id(Some(mail.message_id.clone()))
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject.clone());
                let text = SinglePart::plain(mail.body.clone());
                let mut attachments = Vec::new();
                if let Some(calendar) = &mail.calendar {
                    attachments.push(
                        Attachment::new("rendez-vous.ics".into()).body(
                            calendar.clone().into_bytes(),
                            ContentType::parse("text/calendar; charset=utf-8")
                                .expect("a valid content type"),
                        ),
                    );
                }
                if let Some((name, bytes)) = &mail.pdf {
                    attachments.push(Attachment::new(name.clone()).body(
                        bytes.clone(),
                        ContentType::parse("application/pdf").expect("a valid content type"),
                    ));
                }
                let message = if attachments.is_empty() {
                    builder.singlepart(text)
                } else {
                    let mut parts = MultiPart::mixed().singlepart(text);
                    for attachment in attachments {
                        parts = parts.singlepart(attachment);
                    }
                    builder.multipart(parts)
                }
                .map_err(|e| MailError::Refused(e.to_string()))?;
                transport.send(message).await.map_err(|e| {
                    if e.is_permanent() {
                        MailError::Refused(e.to_string())
                    } else {
                        MailError::Transport(e.to_string())
                    }
                })?;
                Ok(())
            }
            Mailer::Memory(sent) => {
                sent.lock().expect("mail list lock").push(OutgoingMail {
                    to: mail.to.clone(),
                    subject: mail.subject.clone(),
                    body: mail.body.clone(),
                });
                Ok(())
            }
        }
    }

    /// Messages kept in memory (empty for SMTP).
    pub fn sent(&self) -> Vec<OutgoingMail> {
        match self {
            Mailer::Memory(sent) => sent.lock().expect("mail list lock").clone(),
            Mailer::Smtp { .. } => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_mailer_keeps_messages_and_checks_addresses() {
        let mailer = Mailer::memory();
        let mail = OutgoingMail {
            to: "a@example.org".into(),
            subject: "S".into(),
            body: "B".into(),
        };
        mailer.send(mail.clone()).await.unwrap();
        assert_eq!(mailer.sent(), vec![mail]);
        let bad = OutgoingMail {
            to: "pas une adresse".into(),
            subject: "S".into(),
            body: "B".into(),
        };
        assert!(matches!(
            mailer.send(bad).await,
            Err(MailError::InvalidAddress(_))
        ));
    }

    #[test]
    fn smtp_debug_hides_the_password() {
        let config = SmtpConfig {
            host: "h".into(),
            port: 25,
            credentials: Some(("u".into(), "s3cret".into())),
            from: "a@b.c".into(),
        };
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
