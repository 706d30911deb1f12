//! Fee schedules, invoices numbered without gaps per year, payments and reminders.

use chrono::NaiveDate;
use domain::fees::{FeeSchedule, InvoiceLine, Workforce, from_cents, to_cents};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};

/// A member to invoice for a year: its establishment, kind and declared workforce.
#[derive(Debug, Clone, Serialize)]
pub struct Billable {
    pub establishment_id: i64,
    pub self_employed: bool,
    pub workforce: Workforce,
}

/// An invoice to write: its establishment and lines.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub establishment_id: i64,
    pub lines: Vec<InvoiceLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredLine {
    pub label: String,
    pub quantity: i32,
    pub unit_cents: i64,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub paid_on: NaiveDate,
    pub amount_cents: i64,
    pub reference: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Invoice {
    pub id: i64,
    pub year: i32,
    pub number: i32,
    pub establishment_id: i64,
    pub siret: String,
    pub establishment_name: String,
    pub kind: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub total_cents: i64,
    pub paid_cents: i64,
    pub reminders: i64,
    pub lines: Vec<StoredLine>,
    pub payments: Vec<Payment>,
}

impl Invoice {
    /// `2026-000042`: the year and the number without gaps within it.
    pub fn reference(&self) -> String {
        format!("{}-{:06}", self.year, self.number)
    }
    pub fn balance_cents(&self) -> i64 {
        self.total_cents - self.paid_cents
    }
}

/// Filters of the invoice list.
#[derive(Debug, Clone, Default)]
pub struct InvoiceQuery {
    pub year: Option<i32>,
    pub establishment_id: Option<i64>,
    pub unpaid_only: bool,
    pub min_reminders: Option<i64>,
    pub limit: i64,
}

const INVOICE_SELECT: &str = "SELECT i.id, i.year, i.number, i.establishment_id, e.siret, e.name AS establishment_name, i.kind,
    i.issued_on, i.due_on, i.total_cents,
    CAST(COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id), 0) AS BIGINT) AS paid_cents,
    (SELECT COUNT(*) FROM invoice_reminders r WHERE r.invoice_id = i.id) AS reminders
    FROM invoices i JOIN establishments e ON e.id = i.establishment_id";

macro_rules! invoice_from_row {
    ($row:expr) => {
        Invoice {
            id: $row.try_get("id")?,
            year: $row.try_get("year")?,
            number: $row.try_get("number")?,
            establishment_id: $row.try_get("establishment_id")?,
            siret: $row.try_get("siret")?,
            establishment_name: $row.try_get("establishment_name")?,
            kind: $row.try_get("kind")?,
            issued_on: $row.try_get("issued_on")?,
            due_on: $row.try_get("due_on")?,
            total_cents: $row.try_get("total_cents")?,
            paid_cents: $row.try_get("paid_cents")?,
            reminders: $row.try_get("reminders")?,
            lines: Vec::new(),
            payments: Vec::new(),
        }
    };
}

impl Db {
    pub async fn set_fee_schedule(
        &self,
        actor: &Actor,
        schedule: &FeeSchedule,
    ) -> Result<(), StoreError> {
        let [sis, sia, sir] = schedule
            .per_category
            .map(|p| p.map(|a| Some(to_cents(a))))
            .unwrap_or([None, None, None]);
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO fee_schedules (year, per_worker_cents, sis_cents, sia_cents, sir_cents, minimum_cents, no_show_cents, self_employed_cents)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (year) DO UPDATE SET per_worker_cents = excluded.per_worker_cents, sis_cents = excluded.sis_cents,
                   sia_cents = excluded.sia_cents, sir_cents = excluded.sir_cents, minimum_cents = excluded.minimum_cents,
                   no_show_cents = excluded.no_show_cents, self_employed_cents = excluded.self_employed_cents",
            )
            .bind(schedule.year)
            .bind(to_cents(schedule.per_worker))
            .bind(sis)
            .bind(sia)
            .bind(sir)
            .bind(to_cents(schedule.minimum))
            .bind(to_cents(schedule.no_show))
            .bind(to_cents(schedule.self_employed))
            .execute(&mut *tx)
            .await?;
            tx.audit(AuditEntry::new(actor, "set", "fee_schedule", schedule.year).after(schedule)).await?;
            Ok(())
        })
    }

    pub async fn find_fee_schedule(&self, year: i32) -> Result<Option<FeeSchedule>, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT per_worker_cents, sis_cents, sia_cents, sir_cents, minimum_cents, no_show_cents, self_employed_cents
                 FROM fee_schedules WHERE year = $1",
            )
            .bind(year)
            .fetch_optional(pool)
            .await?;
            row.map(|r| {
                let category: [Option<i64>; 3] = [r.try_get("sis_cents")?, r.try_get("sia_cents")?, r.try_get("sir_cents")?];
                Ok(FeeSchedule {
                    year,
                    per_worker: from_cents(r.try_get("per_worker_cents")?),
                    per_category: match category {
                        [Some(a), Some(b), Some(c)] => Some([from_cents(a), from_cents(b), from_cents(c)]),
                        _ => None,
                    },
                    minimum: from_cents(r.try_get("minimum_cents")?),
                    no_show: from_cents(r.try_get("no_show_cents")?),
                    self_employed: from_cents(r.try_get("self_employed_cents")?),
                })
            })
            .transpose()
        })
    }

    /// Members of `year` (joined by its end, not struck off before its start) that have no
    /// yearly invoice for it yet, with the workforce of their latest submitted declaration.
    pub async fn list_billable(&self, year: i32) -> Result<Vec<Billable>, StoreError> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| StoreError::Invalid("année invalide".into()))?;
        let end = NaiveDate::from_ymd_opt(year, 12, 31)
            .ok_or_else(|| StoreError::Invalid("année invalide".into()))?;
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT e.id, c.kind,
                    COALESCE(SUM(CASE WHEN l.category = 'SIS' THEN 1 ELSE 0 END), 0) AS sis,
                    COALESCE(SUM(CASE WHEN l.category = 'SIA' THEN 1 ELSE 0 END), 0) AS sia,
                    COALESCE(SUM(CASE WHEN l.category = 'SIR' THEN 1 ELSE 0 END), 0) AS sir
                 FROM establishments e JOIN companies c ON c.id = e.company_id
                 LEFT JOIN declarations d ON d.establishment_id = e.id AND d.year = $1 AND d.status = 'submitted'
                   AND d.version = (SELECT MAX(d2.version) FROM declarations d2
                                    WHERE d2.establishment_id = e.id AND d2.year = $1 AND d2.status = 'submitted')
                 LEFT JOIN declaration_lines l ON l.declaration_id = d.id
                 WHERE e.joined_on <= $2 AND (e.struck_off_on IS NULL OR e.struck_off_on >= $3)
                   AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.establishment_id = e.id AND i.year = $1 AND i.kind = 'yearly')
                 GROUP BY e.id, c.kind ORDER BY e.id",
            )
            .bind(year)
            .bind(end)
            .bind(start)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(Billable {
                    establishment_id: r.try_get("id")?,
                    self_employed: kind == "self_employed",
                    workforce: Workforce {
                        sis: r.try_get::<i64, _>("sis")? as u32,
                        sia: r.try_get::<i64, _>("sia")? as u32,
                        sir: r.try_get::<i64, _>("sir")? as u32,
                    },
                })
            }).collect()
        })
    }

    /// Writes yearly invoices in one transaction, numbered after the year's last number.
    /// An establishment already invoiced for the year is skipped (re-running issues nothing
    /// twice); numbers stay without gaps even with two issuers at once. Returns how many
    /// were written.
    pub async fn insert_yearly_invoices(
        &self,
        actor: &Actor,
        year: i32,
        issued_on: NaiveDate,
        due_on: NaiveDate,
        invoices: &[NewInvoice],
    ) -> Result<u64, StoreError> {
        let is_pg = matches!(self, Db::Postgres(_));
        in_tx!(self, tx => {
            if is_pg {
                sqlx::query("SELECT pg_advisory_xact_lock(7001, $1)").bind(year).execute(&mut *tx).await?;
            }
            let mut number: i32 = sqlx::query("SELECT COALESCE(MAX(number), 0) AS n FROM invoices WHERE year = $1")
                .bind(year)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
            let mut written = 0;
            for invoice in invoices {
                let exists = sqlx::query("SELECT 1 FROM invoices WHERE establishment_id = $1 AND year = $2 AND kind = 'yearly'")
                    .bind(invoice.establishment_id)
                    .bind(year)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some();
                if exists {
                    continue;
                }
                number += 1;
                // Charges waiting for the next invoice (no-show fees) go on this one.
                let charges = sqlx::query(
                    "SELECT id, label, amount_cents FROM pending_charges WHERE establishment_id = $1 AND invoice_id IS NULL ORDER BY id",
                )
                .bind(invoice.establishment_id)
                .fetch_all(&mut *tx)
                .await?;
                let mut total: i64 = invoice.lines.iter().map(|l| to_cents(l.amount)).sum();
                for charge in &charges {
                    total += charge.try_get::<i64, _>("amount_cents")?;
                }
                let id: i64 = sqlx::query(
                    "INSERT INTO invoices (year, number, establishment_id, kind, issued_on, due_on, total_cents)
                     VALUES ($1, $2, $3, 'yearly', $4, $5, $6) RETURNING id",
                )
                .bind(year)
                .bind(number)
                .bind(invoice.establishment_id)
                .bind(issued_on)
                .bind(due_on)
                .bind(total)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                for line in &invoice.lines {
                    sqlx::query(
                        "INSERT INTO invoice_lines (invoice_id, label, quantity, unit_cents, amount_cents) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id)
                    .bind(&line.label)
                    .bind(line.quantity as i32)
                    .bind(to_cents(line.unit_price))
                    .bind(to_cents(line.amount))
                    .execute(&mut *tx)
                    .await?;
                }
                for charge in &charges {
                    let cents: i64 = charge.try_get("amount_cents")?;
                    sqlx::query(
                        "INSERT INTO invoice_lines (invoice_id, label, quantity, unit_cents, amount_cents) VALUES ($1, $2, 1, $3, $3)",
                    )
                    .bind(id)
                    .bind(charge.try_get::<String, _>("label")?)
                    .bind(cents)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE pending_charges SET invoice_id = $1 WHERE id = $2")
                        .bind(id)
                        .bind(charge.try_get::<i64, _>("id")?)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.audit(AuditEntry::new(actor, "issue", "invoice", format!("{year}-{number:06}"))
                    .after(&serde_json::json!({"establishment_id": invoice.establishment_id, "total_cents": total})))
                    .await?;
                written += 1;
            }
            Ok(written)
        })
    }

    pub async fn list_invoices(&self, query: &InvoiceQuery) -> Result<Vec<Invoice>, StoreError> {
        let mut conditions = vec!["1 = 1".to_string()];
        if query.year.is_some() {
            conditions.push("i.year = $1".into());
        } else {
            conditions.push("$1 = $1".into());
        }
        if query.establishment_id.is_some() {
            conditions.push("i.establishment_id = $2".into());
        } else {
            conditions.push("$2 = $2".into());
        }
        if query.unpaid_only {
            conditions.push("i.total_cents > COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id), 0)".into());
        }
        conditions.push(
            "(SELECT COUNT(*) FROM invoice_reminders r WHERE r.invoice_id = i.id) >= $3".into(),
        );
        let sql = format!(
            "{INVOICE_SELECT} WHERE {} ORDER BY i.year DESC, i.number DESC LIMIT {}",
            conditions.join(" AND "),
            query.limit.clamp(1, 10_000)
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(query.year.unwrap_or(0))
                .bind(query.establishment_id.unwrap_or(0))
                .bind(query.min_reminders.unwrap_or(0))
                .fetch_all(pool)
                .await?;
            rows.iter().map(|row| Ok(invoice_from_row!(row))).collect()
        })
    }

    /// One invoice with its lines and payments.
    pub async fn find_invoice(&self, id: i64) -> Result<Invoice, StoreError> {
        let sql = format!("{INVOICE_SELECT} WHERE i.id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?.ok_or(StoreError::NotFound)?;
            let mut invoice = invoice_from_row!(row);
            invoice.lines = sqlx::query("SELECT label, quantity, unit_cents, amount_cents FROM invoice_lines WHERE invoice_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|l| Ok(StoredLine {
                    label: l.try_get("label")?,
                    quantity: l.try_get("quantity")?,
                    unit_cents: l.try_get("unit_cents")?,
                    amount_cents: l.try_get("amount_cents")?,
                }))
                .collect::<Result<_, StoreError>>()?;
            invoice.payments = sqlx::query("SELECT paid_on, amount_cents, reference, recorded_by FROM payments WHERE invoice_id = $1 ORDER BY paid_on, id")
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|p| Ok(Payment {
                    paid_on: p.try_get("paid_on")?,
                    amount_cents: p.try_get("amount_cents")?,
                    reference: p.try_get("reference")?,
                    recorded_by: p.try_get("recorded_by")?,
                }))
                .collect::<Result<_, StoreError>>()?;
            Ok(invoice)
        })
    }

    /// Records a payment; the same reference twice on one invoice is refused (re-importing a
    /// bank file does not pay twice).
    pub async fn record_payment(
        &self,
        actor: &Actor,
        invoice_id: i64,
        paid_on: NaiveDate,
        amount_cents: i64,
        reference: &str,
    ) -> Result<(), StoreError> {
        if amount_cents <= 0 {
            return Err(StoreError::Invalid("Montant : doit être positif".into()));
        }
        in_tx!(self, tx => {
            let exists = sqlx::query("SELECT 1 FROM invoices WHERE id = $1").bind(invoice_id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "INSERT INTO payments (invoice_id, paid_on, amount_cents, reference, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(invoice_id)
            .bind(paid_on)
            .bind(amount_cents)
            .bind(reference)
            .bind(&actor.0)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, format!("Référence : le paiement « {reference} » est déjà enregistré sur cette facture")))?;
            tx.audit(AuditEntry::new(actor, "pay", "invoice", invoice_id)
                .after(&serde_json::json!({"paid_on": paid_on, "amount_cents": amount_cents, "reference": reference})))
                .await?;
            Ok(())
        })
    }

    pub async fn record_reminder(
        &self,
        actor: &Actor,
        invoice_id: i64,
        sent_on: NaiveDate,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query("INSERT INTO invoice_reminders (invoice_id, sent_on) VALUES ($1, $2)")
                .bind(invoice_id)
                .bind(sent_on)
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "remind", "invoice", invoice_id).after(&serde_json::json!({"sent_on": sent_on}))).await?;
            Ok(())
        })
    }

    /// The invoice of `year` with this reference number, for payment imports.
    pub async fn find_invoice_id_by_number(
        &self,
        year: i32,
        number: i32,
    ) -> Result<Option<i64>, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT id FROM invoices WHERE year = $1 AND number = $2").bind(year).bind(number).fetch_optional(pool).await?;
            row.map(|r| Ok(r.try_get("id")?)).transpose()
        })
    }
}

impl Db {
    /// Years that have a fee schedule, latest first.
    pub async fn list_fee_schedule_years(&self) -> Result<Vec<i32>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT year FROM fee_schedules ORDER BY year DESC").fetch_all(pool).await?;
            rows.iter().map(|r| Ok(r.try_get("year")?)).collect()
        })
    }
}
