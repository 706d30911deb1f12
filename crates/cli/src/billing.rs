//! `spsti fees`, `spsti invoices` and `spsti payments`: the yearly billing from the command
//! line (cron or an operator).

use std::path::PathBuf;

use clap::Subcommand;
use store::{Actor, InvoiceQuery};
use web::AppState;
use web::services::invoicing::{
    ScheduleForm, euros, import_payments, issue_yearly_invoices, send_reminders,
};

use crate::Failure;

#[derive(Subcommand)]
pub enum FeesCommand {
    /// Set the fee schedule of a year (amounts in euros).
    Set {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        per_worker: String,
        #[arg(long)]
        minimum: String,
        #[arg(long)]
        self_employed: String,
        #[arg(long, default_value = "")]
        sis: String,
        #[arg(long, default_value = "")]
        sia: String,
        #[arg(long, default_value = "")]
        sir: String,
        #[arg(long, default_value = "0")]
        no_show: String,
    },
}

#[derive(Subcommand)]
pub enum InvoicesCommand {
    /// Issue the year's fee invoices from the declarations (re-running issues nothing twice).
    Issue {
        #[arg(long)]
        year: i32,
        /// Issue date (default: today).
        #[arg(long)]
        date: Option<String>,
    },
    /// Send a reminder for every unpaid invoice past its due date.
    Remind {
        #[arg(long)]
        date: Option<String>,
    },
    /// Unpaid invoices after N reminders or more: the members to propose for striking off.
    Unpaid {
        #[arg(long, env = "SPSTI_STRIKE_OFF_REMINDERS", default_value_t = 2)]
        reminders: i64,
    },
}

#[derive(Subcommand)]
pub enum PaymentsCommand {
    /// Import a CSV of payments: invoice;paid_on;amount;reference.
    Import {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
}

fn date_or_today(date: Option<String>) -> Result<chrono::NaiveDate, Failure> {
    match date {
        Some(text) => {
            web::services::parse_date("--date", &text).map_err(|e| crate::invalid(e.detail()))
        }
        None => Ok(web::services::today()),
    }
}

fn actor() -> Actor {
    Actor(format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "root".into())
    ))
}

pub async fn fees(state: &AppState, command: FeesCommand) -> Result<(), Failure> {
    let FeesCommand::Set {
        year,
        per_worker,
        minimum,
        self_employed,
        sis,
        sia,
        sir,
        no_show,
    } = command;
    let form = ScheduleForm {
        year: year.to_string(),
        per_worker,
        sis,
        sia,
        sir,
        minimum,
        no_show,
        self_employed,
    };
    let schedule = form.to_schedule().map_err(|e| crate::invalid(e.detail()))?;
    state.db().set_fee_schedule(&actor(), &schedule).await?;
    println!("barème {year} enregistré");
    Ok(())
}

pub async fn invoices(state: &AppState, command: InvoicesCommand) -> Result<(), Failure> {
    match command {
        InvoicesCommand::Issue { year, date } => {
            let started = std::time::Instant::now();
            let report = issue_yearly_invoices(state, &actor(), year, date_or_today(date)?)
                .await
                .map_err(|e| crate::invalid(e.detail()))?;
            println!(
                "{} facture(s) émise(s) pour {year} ({} adhérent(s) à facturer) en {:.2} s",
                report.written,
                report.candidates,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        InvoicesCommand::Remind { date } => {
            let sent = send_reminders(state, &actor(), date_or_today(date)?)
                .await
                .map_err(|e| crate::invalid(e.detail()))?;
            println!("{sent} relance(s) envoyée(s)");
            Ok(())
        }
        InvoicesCommand::Unpaid { reminders } => {
            let unpaid = state
                .db()
                .list_invoices(&InvoiceQuery {
                    unpaid_only: true,
                    min_reminders: Some(reminders),
                    limit: 10_000,
                    ..Default::default()
                })
                .await?;
            println!("facture;siret;adherent;reste_du;relances");
            for invoice in &unpaid {
                println!(
                    "{};{};{};{};{}",
                    invoice.reference(),
                    invoice.siret,
                    invoice.establishment_name,
                    euros(invoice.balance_cents()),
                    invoice.reminders
                );
            }
            eprintln!(
                "{} adhérent(s) à proposer à la radiation (impayé après {reminders} relance(s) ou plus)",
                unpaid.len()
            );
            Ok(())
        }
    }
}

pub async fn payments(state: &AppState, command: PaymentsCommand) -> Result<(), Failure> {
    let PaymentsCommand::Import { file, dry_run } = command;
    let bytes =
        std::fs::read(&file).map_err(|e| crate::invalid(format!("{} : {e}", file.display())))?;
    let report = import_payments(state, &actor(), &bytes, dry_run)
        .await
        .map_err(|e| crate::invalid(e.detail()))?;
    for line in &report.rejected {
        println!("rejeté : {line}");
    }
    println!(
        "lus : {}, importés : {}, déjà enregistrés : {}, rejetés : {}{}",
        report.read,
        report.imported,
        report.already_known,
        report.rejected.len(),
        if dry_run {
            " (essai : rien n'a été écrit)"
        } else {
            ""
        }
    );
    if report.rejected.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            message: "des lignes ont été rejetées".into(),
            code: 2,
        })
    }
}
