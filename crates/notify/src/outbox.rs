//! The outbox worker: sends the queued e-mails and SMS, a few at a time, and records each
//! result. A transient failure (server down, timeout) keeps the message queued for a later
//! attempt with a growing delay; a refusal (invalid address, mailbox rejected) marks it
//! failed with the reason. Killed at any point, it resumes from the database.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use store::{Db, OutboxMessage, StoreError};
use tokio::task::JoinSet;

use crate::{MailError, Mailer, OutboxMail};

/// Where SMS go. The default gateway only logs that one was sent; a service plugs in its
/// provider by implementing this trait.
pub trait SmsGateway: Send + Sync {
    fn send<'a>(
        &'a self,
        to: &'a str,
        text: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
}

/// Logs each SMS (the last digits of the number, never the text).
pub struct LogSmsGateway;

impl SmsGateway for LogSmsGateway {
    fn send<'a>(
        &'a self,
        to: &'a str,
        _text: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let digits: String = to.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 10 {
                return Err(format!("numéro de mobile invalide « {to} »"));
            }
            let tail = &digits[digits.len() - 2..];
            tracing::info!(to = %format!("…{tail}"), "SMS handed to the log gateway");
            Ok(())
        })
    }
}

/// What one pass sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// The delay before attempt `attempts + 1`: 10 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(0, 9) as u32;
    Duration::from_secs((10u64 << exponent).min(3600))
}

#[derive(Clone)]
pub struct OutboxWorker {
    db: Db,
    mailer: Mailer,
    sms: Arc<dyn SmsGateway>,
    concurrency: usize,
}

enum Outcome {
    Sent,
    Retry(String),
    Failed(String),
}

impl OutboxWorker {
    pub fn new(db: Db, mailer: Mailer, sms: Arc<dyn SmsGateway>) -> OutboxWorker {
        OutboxWorker {
            db,
            mailer,
            sms,
            concurrency: 8,
        }
    }

    async fn deliver(
        db: &Db,
        mailer: &Mailer,
        sms: &dyn SmsGateway,
        message: &OutboxMessage,
    ) -> Outcome {
        let pdf = match message.document_id {
            Some(id) => match db.outbox_attachment(id).await {
                Ok(pdf) => Some(pdf),
                Err(e) => return Outcome::Retry(e.to_string()),
            },
            None => None,
        };
        let result = match message.channel.as_str() {
            "sms" => sms
                .send(&message.recipient, &message.body)
                .await
                .map_err(MailError::Refused),
            _ => {
                mailer
                    .send_outbox(&OutboxMail {
                        message_id: message.message_id.clone(),
                        to: message.recipient.clone(),
                        subject: message.subject.clone(),
                        body: message.body.clone(),
                        calendar: message.calendar.clone(),
                        pdf,
                    })
                    .await
            }
        };
        match result {
            Ok(()) => Outcome::Sent,
            Err(e) if e.is_transient() => Outcome::Retry(e.to_string()),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    /// Sends every message due now, `concurrency` at a time; returns what happened.
    pub async fn send_due(&self) -> Result<SendReport, StoreError> {
        self.send_due_up_to(usize::MAX).await
    }

    /// Sends at most `max` of the messages due now.
    pub async fn send_due_up_to(&self, max: usize) -> Result<SendReport, StoreError> {
        let mut report = SendReport::default();
        loop {
            let handled = report.sent + report.failed + report.retried;
            let room = max.saturating_sub(handled).min(200);
            if room == 0 {
                return Ok(report);
            }
            let batch = self.db.list_due_messages(store::now(), room as i64).await?;
            if batch.is_empty() {
                return Ok(report);
            }
            let mut tasks = JoinSet::new();
            let mut pending = batch.into_iter();
            let mut sent = Vec::new();
            let mut progress = false;
            loop {
                while tasks.len() < self.concurrency {
                    let Some(message) = pending.next() else { break };
                    let (db, mailer, sms) =
                        (self.db.clone(), self.mailer.clone(), self.sms.clone());
                    tasks.spawn(async move {
                        let outcome = Self::deliver(&db, &mailer, sms.as_ref(), &message).await;
                        (message, outcome)
                    });
                }
                let Some(joined) = tasks.join_next().await else {
                    break;
                };
                let (message, outcome) = joined.map_err(|e| StoreError::Io(e.to_string()))?;
                match outcome {
                    Outcome::Sent => {
                        sent.push(message.id);
                        progress = true;
                    }
                    Outcome::Retry(error) => {
                        let next = Utc::now()
                            + chrono::Duration::from_std(backoff(message.attempts))
                                .unwrap_or_default();
                        tracing::warn!(
                            message = message.id,
                            attempts = message.attempts + 1,
                            "message not sent, will retry"
                        );
                        self.db.mark_message_retry(message.id, &error, next).await?;
                        report.retried += 1;
                    }
                    Outcome::Failed(error) => {
                        tracing::warn!(message = message.id, "message refused, marked failed");
                        self.db.mark_message_failed(message.id, &error).await?;
                        report.failed += 1;
                        progress = true;
                    }
                }
            }
            report.sent += sent.len();
            self.db.mark_messages_sent(&sent).await?;
            if !progress {
                // Everything of this batch waits for a later attempt.
                return Ok(report);
            }
        }
    }

    /// Runs until the process stops: sends what is due, then sleeps until the next attempt
    /// (at most `poll`, so that new messages go out quickly).
    pub async fn run(self, poll: Duration) {
        loop {
            match self.send_due().await {
                Ok(report) if report != SendReport::default() => {
                    tracing::info!(
                        sent = report.sent,
                        retried = report.retried,
                        failed = report.failed,
                        "outbox pass"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox pass failed"),
            }
            let wait = match self.db.next_message_attempt().await {
                Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().min(poll),
                _ => poll,
            };
            tokio::time::sleep(wait.max(Duration::from_millis(200))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::from_secs(10));
        assert_eq!(backoff(1), Duration::from_secs(20));
        assert_eq!(backoff(5), Duration::from_secs(320));
        assert_eq!(backoff(30), Duration::from_secs(3600));
    }

    #[tokio::test]
    async fn the_log_gateway_refuses_a_number_too_short() {
        assert!(LogSmsGateway.send("0612345678", "x").await.is_ok());
        assert!(LogSmsGateway.send("06", "x").await.is_err());
    }
}
