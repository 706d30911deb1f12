//! `spsti outbox send|status|letters|reminders`: the outbox jobs the server also runs, for
//! cron or an operator.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Subcommand;
use notify::outbox::{LogSmsGateway, OutboxWorker};
use notify::pdf::{Letter, letters_pdf};
use store::Db;

use crate::Failure;

#[derive(Subcommand)]
pub(crate) enum OutboxCommand {
    /// Send every e-mail and SMS due now (SMTP from SPSTI_SMTP_HOST…).
    Send {
        /// Send at most this many messages.
        #[arg(long)]
        max: Option<usize>,
    },
    /// Counts of queued, sent and failed messages, and the latest failures.
    Status,
    /// Make one PDF of the letters waiting to be printed, and mark them printed.
    Letters {
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the reminders of the appointments of a day (default: 2 days from today).
    Reminders {
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
}

pub(crate) async fn run(db: &Db, command: OutboxCommand) -> Result<(), Failure> {
    match command {
        OutboxCommand::Send { max } => {
            let worker = OutboxWorker::new(
                db.clone(),
                notify::Mailer::from_env()?,
                Arc::new(LogSmsGateway),
            );
            let started = std::time::Instant::now();
            let report = worker.send_due_up_to(max.unwrap_or(usize::MAX)).await?;
            println!(
                "{} envoyé(s), {} à réessayer, {} en échec ({:.1} s)",
                report.sent,
                report.retried,
                report.failed,
                started.elapsed().as_secs_f64()
            );
        }
        OutboxCommand::Status => {
            let counts = db.outbox_counts().await?;
            println!(
                "en attente : {}, envoyés : {}, en échec : {}, courriers à imprimer : {}",
                counts.queued, counts.sent, counts.failed, counts.letters_to_print
            );
            let failed = db
                .list_messages(&store::MessageQuery {
                    status: Some("failed".into()),
                    limit: 20,
                    ..Default::default()
                })
                .await?;
            for message in failed {
                println!(
                    "  n° {} ({}) : {}",
                    message.id,
                    message.channel_label(),
                    message.last_error.unwrap_or_default()
                );
            }
        }
        OutboxCommand::Letters { out } => {
            let letters = db
                .take_letters_to_print(&store::Actor("cli".into()))
                .await?;
            let today = store::today().format("%d/%m/%Y").to_string();
            let service = notify::message_context_from_env().service_name;
            let pages: Vec<Letter> = letters
                .iter()
                .map(|m| Letter {
                    service_name: service.clone(),
                    date: today.clone(),
                    recipient: m.recipient.lines().map(str::to_string).collect(),
                    subject: m.subject.clone(),
                    body: m.body.clone(),
                })
                .collect();
            std::fs::write(&out, letters_pdf(&pages))?;
            println!("{} courrier(s) dans {}", pages.len(), out.display());
        }
        OutboxCommand::Reminders { date } => {
            let date = date.unwrap_or_else(|| store::today() + chrono::Duration::days(2));
            let written = db
                .queue_reminders(date, &notify::message_context_from_env())
                .await?;
            println!(
                "{written} rappel(s) mis en file pour le {}",
                date.format("%d/%m/%Y")
            );
        }
    }
    Ok(())
}
