//! Yearly fee invoices: issuing them from the declarations, the printable PDF, payments
//! (typed or imported from a bank CSV), reminders and strike-off proposals.

use chrono::{Duration, NaiveDate};
use domain::fees::{
    FeeSchedule, format_euros, from_cents, parse_euros, to_cents, yearly_fee_lines,
};
use notify::pdf::InvoiceDocument;
use store::{Actor, Invoice, InvoiceQuery, NewInvoice};

use crate::error::AppError;
use crate::state::AppState;

/// Invoices written per transaction: each batch is whole or absent, and a run that stops
/// half-way is resumed by running it again.
const BATCH: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueReport {
    pub written: u64,
    pub candidates: usize,
}

/// Issues the year's invoices to every member that has none yet.
pub async fn issue_yearly_invoices(
    state: &AppState,
    actor: &Actor,
    year: i32,
    issued_on: NaiveDate,
) -> Result<IssueReport, AppError> {
    let db = state.db();
    let schedule = db.find_fee_schedule(year).await?.ok_or_else(|| {
        AppError::invalid(
            "Année",
            format!("aucun barème de cotisation n'est fixé pour {year}"),
        )
    })?;
    let billable = db.list_billable(year).await?;
    let invoices: Vec<NewInvoice> = billable
        .iter()
        .map(|b| NewInvoice {
            establishment_id: b.establishment_id,
            lines: yearly_fee_lines(&schedule, b.workforce, b.self_employed),
        })
        .collect();
    let due_on = issued_on + Duration::days(30);
    let mut written = 0;
    for batch in invoices.chunks(BATCH) {
        written += db
            .insert_yearly_invoices(actor, year, issued_on, due_on, batch)
            .await?;
    }
    Ok(IssueReport {
        written,
        candidates: invoices.len(),
    })
}

/// The board's schedule as typed in the fees form (amounts in euros, French or English
/// decimal separator).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub per_worker: String,
    #[serde(default)]
    pub sis: String,
    #[serde(default)]
    pub sia: String,
    #[serde(default)]
    pub sir: String,
    #[serde(default)]
    pub minimum: String,
    #[serde(default)]
    pub no_show: String,
    #[serde(default)]
    pub self_employed: String,
}

impl ScheduleForm {
    pub fn to_schedule(&self) -> Result<FeeSchedule, AppError> {
        let year = self
            .year
            .trim()
            .parse::<i32>()
            .map_err(|_| {
                AppError::invalid(
                    "Année",
                    format!("« {} » n'est pas une année", self.year.trim()),
                )
            })
            .and_then(super::declarations::check_year)?;
        let amount = |field: &str, text: &str| -> Result<rust_decimal::Decimal, AppError> {
            let value = parse_euros(text).ok_or_else(|| {
                AppError::invalid(field, format!("montant invalide « {} »", text.trim()))
            })?;
            if value.is_sign_negative() {
                return Err(AppError::invalid(field, "montant négatif"));
            }
            Ok(value)
        };
        let per_category = if [&self.sis, &self.sia, &self.sir]
            .iter()
            .all(|t| t.trim().is_empty())
        {
            None
        } else {
            Some([
                amount("Tarif SIS", &self.sis)?,
                amount("Tarif SIA", &self.sia)?,
                amount("Tarif SIR", &self.sir)?,
            ])
        };
        Ok(FeeSchedule {
            year,
            per_worker: amount("Cotisation par salarié", &self.per_worker)?,
            per_category,
            minimum: amount("Cotisation minimale", &self.minimum)?,
            no_show: if self.no_show.trim().is_empty() {
                rust_decimal::Decimal::ZERO
            } else {
                amount("Frais d'absence", &self.no_show)?
            },
            self_employed: amount("Offre travailleur indépendant", &self.self_employed)?,
        })
    }
}

pub fn euros(cents: i64) -> String {
    format_euros(from_cents(cents))
}

/// The printable invoice.
pub async fn invoice_pdf(state: &AppState, invoice: &Invoice) -> Result<Vec<u8>, AppError> {
    let establishment = state
        .db()
        .find_establishment(invoice.establishment_id)
        .await?;
    let mut recipient = vec![establishment.company_name.clone()];
    if establishment.name != establishment.company_name {
        recipient.push(establishment.name.clone());
    }
    recipient.push(establishment.address.clone());
    recipient.push(format!("{} {}", establishment.postcode, establishment.city));
    recipient.push(format!("SIRET {}", establishment.siret));
    let doc = InvoiceDocument {
        service_name: state.config().service_name.clone(),
        reference: invoice.reference(),
        issued_on: invoice.issued_on.format("%d/%m/%Y").to_string(),
        due_on: invoice.due_on.format("%d/%m/%Y").to_string(),
        recipient: recipient
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .collect(),
        lines: invoice
            .lines
            .iter()
            .map(|l| {
                (
                    l.label.clone(),
                    l.quantity.to_string(),
                    euros(l.unit_cents),
                    euros(l.amount_cents),
                )
            })
            .collect(),
        total: euros(invoice.total_cents),
        paid: euros(invoice.paid_cents),
        balance: euros(invoice.balance_cents()),
        payment_note: format!(
            "Règlement par virement en indiquant la référence {}, ou par chèque à l'ordre du service.",
            invoice.reference()
        ),
    };
    tokio::task::spawn_blocking(move || notify::pdf::invoice_pdf(&doc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A payment typed by staff.
pub async fn record_payment(
    state: &AppState,
    actor: &Actor,
    invoice_id: i64,
    paid_on: &str,
    amount: &str,
    reference: &str,
) -> Result<(), AppError> {
    let paid_on = super::parse_date("Date de paiement", paid_on)?;
    let amount = parse_euros(amount).ok_or_else(|| {
        AppError::invalid("Montant", format!("montant invalide « {} »", amount.trim()))
    })?;
    let reference = super::required("Référence", reference, 100)?;
    state
        .db()
        .record_payment(actor, invoice_id, paid_on, to_cents(amount), &reference)
        .await?;
    Ok(())
}

/// Result of a payment file import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentImport {
    pub read: usize,
    pub imported: usize,
    pub already_known: usize,
    pub rejected: Vec<String>,
}

pub const PAYMENT_COLUMNS: &[&str] = &["invoice", "paid_on", "amount", "reference"];

/// Imports a CSV of payments (`invoice;paid_on;amount;reference`, invoice as `2026-000042`).
/// A payment already recorded (same invoice and reference) is counted, not added again.
pub async fn import_payments(
    state: &AppState,
    actor: &Actor,
    bytes: &[u8],
    dry_run: bool,
) -> Result<PaymentImport, AppError> {
    let records = import::csv_file::read_csv(bytes, PAYMENT_COLUMNS)
        .map_err(|e| AppError::invalid("Fichier", e.to_string()))?;
    let mut report = PaymentImport {
        read: records.len(),
        ..Default::default()
    };
    for record in records {
        let line = record.line;
        let parsed = (|| {
            let reference = record.required("invoice").map_err(|e| e.to_string())?;
            let (year, number) = reference
                .split_once('-')
                .and_then(|(y, n)| Some((y.parse::<i32>().ok()?, n.parse::<i32>().ok()?)))
                .ok_or_else(|| format!("ligne {line}, colonne invoice : référence « {reference} » invalide (attendu 2026-000042)"))?;
            let paid_on = record
                .date("paid_on")
                .map_err(|e| e.to_string())?
                .ok_or(format!(
                    "ligne {line}, colonne paid_on : valeur obligatoire"
                ))?;
            let amount_text = record.required("amount").map_err(|e| e.to_string())?;
            let amount = parse_euros(amount_text).ok_or_else(|| {
                format!("ligne {line}, colonne amount : montant invalide « {amount_text} »")
            })?;
            let bank_reference = record
                .required("reference")
                .map_err(|e| e.to_string())?
                .to_string();
            Ok::<_, String>((year, number, paid_on, to_cents(amount), bank_reference))
        })();
        let (year, number, paid_on, cents, bank_reference) = match parsed {
            Ok(values) => values,
            Err(reason) => {
                report.rejected.push(reason);
                continue;
            }
        };
        let Some(invoice_id) = state.db().find_invoice_id_by_number(year, number).await? else {
            report.rejected.push(format!(
                "ligne {line}, colonne invoice : facture {year}-{number:06} inconnue"
            ));
            continue;
        };
        if dry_run {
            report.imported += 1;
            continue;
        }
        match state
            .db()
            .record_payment(actor, invoice_id, paid_on, cents, &bank_reference)
            .await
        {
            Ok(()) => report.imported += 1,
            Err(store::StoreError::Conflict(_)) => report.already_known += 1,
            Err(store::StoreError::Invalid(message)) => report
                .rejected
                .push(format!("ligne {line}, colonne amount : {message}")),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(report)
}

/// Unpaid invoices past due get a reminder (recorded, and e-mailed to the establishment when
/// it has an address). Returns how many were sent.
pub async fn send_reminders(
    state: &AppState,
    actor: &Actor,
    today: NaiveDate,
) -> Result<usize, AppError> {
    let unpaid = state
        .db()
        .list_invoices(&InvoiceQuery {
            unpaid_only: true,
            limit: 10_000,
            ..Default::default()
        })
        .await?;
    let mut sent = 0;
    for invoice in unpaid.iter().filter(|i| i.due_on < today) {
        state.db().record_reminder(actor, invoice.id, today).await?;
        let establishment = state
            .db()
            .find_establishment(invoice.establishment_id)
            .await?;
        if let Some(email) = establishment.email {
            let mail = notify::OutgoingMail {
                to: email,
                subject: format!("Relance : facture {} non réglée", invoice.reference()),
                body: format!(
                    "Bonjour,\n\nSauf erreur de notre part, la facture {} du {} ({}) reste due pour {}. Merci de la régler dès que possible.\n\n{}\n",
                    invoice.reference(),
                    invoice.issued_on.format("%d/%m/%Y"),
                    establishment.name,
                    euros(invoice.balance_cents()),
                    state.config().service_name
                ),
            };
            if let Err(err) = state.mailer().send(mail).await {
                tracing::warn!(invoice = invoice.id, error = %err, "reminder e-mail not sent");
            }
        }
        sent += 1;
    }
    Ok(sent)
}
