//! Bulk writes for generated or imported volumes (the demo at service scale, large imports):
//! multi-row inserts in one transaction per call, and one audit row per call that says what
//! was written and how much.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::company::fold_for_search;
use domain::followup::FollowUp;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now};
use crate::members::NewMember;
use crate::workforce::{NewEmployment, NewWorker};

/// Rows per INSERT statement: well under SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 400;

/// A submitted declaration to write in bulk: establishment, year, lines.
pub type BulkDeclaration = (i64, i32, Vec<(i64, Vec<String>, FollowUp)>);

impl Db {
    /// Members (their companies created by SIREN); returns the establishment ids, in order.
    pub async fn bulk_insert_members(
        &self,
        actor: &Actor,
        members: &[NewMember],
    ) -> Result<Vec<i64>, StoreError> {
        let created = now();
        in_tx!(self, tx => {
            let mut sectors: HashMap<String, i64> = HashMap::new();
            for row in sqlx::query("SELECT id, code FROM sectors").fetch_all(&mut *tx).await? {
                sectors.insert(row.try_get("code")?, row.try_get("id")?);
            }
            let mut teams: HashMap<String, i64> = HashMap::new();
            for row in sqlx::query("SELECT id, code FROM teams").fetch_all(&mut *tx).await? {
                teams.insert(row.try_get("code")?, row.try_get("id")?);
            }
            let mut companies: HashMap<String, i64> = HashMap::new();
            for member in members {
                let siren = member.siret[..9].to_string();
                if companies.contains_key(&siren) {
                    continue;
                }
                let id: i64 = sqlx::query(
                    "INSERT INTO companies (siren, name, kind, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (siren) DO UPDATE SET name = companies.name RETURNING id",
                )
                .bind(&siren)
                .bind(&member.company_name)
                .bind(member.kind.code())
                .bind(created)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                companies.insert(siren, id);
            }
            for chunk in members.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO establishments (company_id, siret, name, naf_code, sector_id, team_id, joined_on, address, postcode, city, email, phone, search_text) ",
                );
                let mut problem = None;
                query.push_values(chunk, |mut row, m| {
                    let sector = sectors.get(&m.sector).copied();
                    if sector.is_none() {
                        problem = Some(format!("Secteur : code inconnu « {} »", m.sector));
                    }
                    row.push_bind(companies[&m.siret[..9]])
                        .push_bind(m.siret.clone())
                        .push_bind(m.name.clone())
                        .push_bind(m.naf_code.clone())
                        .push_bind(sector.unwrap_or(0))
                        .push_bind(m.team.as_ref().and_then(|t| teams.get(t).copied()))
                        .push_bind(m.joined_on)
                        .push_bind(m.address.clone())
                        .push_bind(m.postcode.clone())
                        .push_bind(m.city.clone())
                        .push_bind(m.email.clone())
                        .push_bind(m.phone.clone())
                        .push_bind(fold_for_search(&format!("{} {} {} {} {} {}", m.name, m.company_name, m.siret, m.city, m.postcode, m.naf_code.as_deref().unwrap_or(""))));
                });
                if let Some(problem) = problem {
                    return Err(StoreError::Invalid(problem));
                }
                query.build().execute(&mut *tx).await.map_err(|e| StoreError::conflict_or(e, "SIRET : un établissement est déjà adhérent"))?;
            }
            let mut ids = HashMap::new();
            for chunk in members.chunks(ROWS_PER_STATEMENT) {
                let mut lookup = sqlx::QueryBuilder::new("SELECT id, siret FROM establishments WHERE siret IN (");
                let mut separated = lookup.separated(", ");
                for m in chunk {
                    separated.push_bind(m.siret.clone());
                }
                lookup.push(")");
                for row in lookup.build().fetch_all(&mut *tx).await? {
                    ids.insert(row.try_get::<String, _>("siret")?, row.try_get::<i64, _>("id")?);
                }
            }
            tx.audit(AuditEntry::new(actor, "bulk_create", "establishment", members.len())).await?;
            Ok(members.iter().map(|m| ids[&m.siret]).collect())
        })
    }

    /// Workers, each with one employment; returns the employment ids, in order.
    pub async fn bulk_insert_hires(
        &self,
        actor: &Actor,
        hires: &[(NewWorker, NewEmployment)],
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let created = now();
        in_tx!(self, tx => {
            let mut employment_ids = Vec::with_capacity(hires.len());
            for chunk in hires.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO workers (worker_ref, last_name, first_name, sex, birth_date, nir, email, mobile, created_at) ",
                );
                query.push_values(chunk, |mut row, (w, _)| {
                    row.push_bind(w.worker_ref.clone())
                        .push_bind(w.last_name.clone())
                        .push_bind(w.first_name.clone())
                        .push_bind(w.sex.code())
                        .push_bind(w.birth_date)
                        .push_bind(w.nir.clone())
                        .push_bind(w.email.clone())
                        .push_bind(w.mobile.clone())
                        .push_bind(created);
                });
                query.build().execute(&mut *tx).await.map_err(|e| StoreError::conflict_or(e, "référence travailleur déjà utilisée"))?;
                let mut lookup = sqlx::QueryBuilder::new("SELECT id, worker_ref FROM workers WHERE worker_ref IN (");
                let mut separated = lookup.separated(", ");
                for (w, _) in chunk {
                    separated.push_bind(w.worker_ref.clone());
                }
                lookup.push(")");
                let mut worker_ids: HashMap<String, i64> = HashMap::new();
                for row in lookup.build().fetch_all(&mut *tx).await? {
                    worker_ids.insert(row.try_get("worker_ref")?, row.try_get("id")?);
                }
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO employments (worker_id, establishment_id, job_title, pcs_ese, contract, hired_on, left_on) ",
                );
                query.push_values(chunk, |mut row, (w, e)| {
                    row.push_bind(worker_ids[&w.worker_ref])
                        .push_bind(e.establishment_id)
                        .push_bind(e.job_title.clone())
                        .push_bind(e.pcs_ese.clone())
                        .push_bind(e.contract.code())
                        .push_bind(e.hired_on)
                        .push_bind(e.left_on);
                });
                query.build().execute(&mut *tx).await?;
                let mut lookup = sqlx::QueryBuilder::new("SELECT id, worker_id FROM employments WHERE worker_id IN (");
                let mut separated = lookup.separated(", ");
                for id in worker_ids.values() {
                    separated.push_bind(*id);
                }
                lookup.push(")");
                let mut by_worker: HashMap<i64, i64> = HashMap::new();
                for row in lookup.build().fetch_all(&mut *tx).await? {
                    by_worker.insert(row.try_get("worker_id")?, row.try_get("id")?);
                }
                employment_ids.extend(chunk.iter().map(|(w, _)| {
                    let worker = worker_ids[&w.worker_ref];
                    (worker, by_worker[&worker])
                }));
            }
            tx.audit(AuditEntry::new(actor, "bulk_create", "worker", hires.len())).await?;
            Ok(employment_ids)
        })
    }

    /// Submitted declarations (version 1), with their lines.
    pub async fn bulk_insert_declarations(
        &self,
        actor: &Actor,
        declarations: &[BulkDeclaration],
        submitted_on: NaiveDate,
    ) -> Result<(), StoreError> {
        let at = submitted_on
            .and_hms_opt(12, 0, 0)
            .expect("noon exists")
            .and_utc();
        in_tx!(self, tx => {
            let mut lines = 0;
            for (establishment_id, year, declared) in declarations {
                let id: i64 = sqlx::query(
                    "INSERT INTO declarations (establishment_id, year, version, status, created_at, created_by, submitted_at, submitted_by)
                     VALUES ($1, $2, 1, 'submitted', $3, $4, $3, $4) RETURNING id",
                )
                .bind(establishment_id)
                .bind(year)
                .bind(at)
                .bind(&actor.0)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                for chunk in declared.chunks(ROWS_PER_STATEMENT) {
                    let mut query = sqlx::QueryBuilder::new("INSERT INTO declaration_lines (declaration_id, employment_id, exposures, category) ");
                    query.push_values(chunk, |mut row, (employment, exposures, category)| {
                        row.push_bind(id).push_bind(*employment).push_bind(exposures.join("|")).push_bind(category.code());
                    });
                    query.build().execute(&mut *tx).await?;
                }
                lines += declared.len();
            }
            tx.audit(AuditEntry::new(actor, "bulk_create", "declaration", declarations.len())
                .after(&serde_json::json!({"lines": lines}))).await?;
            Ok(())
        })
    }

    /// Payments (invoice, date, cents, reference); one already recorded is skipped.
    pub async fn bulk_insert_payments(
        &self,
        actor: &Actor,
        payments: &[(i64, NaiveDate, i64, String)],
    ) -> Result<(), StoreError> {
        let at = now();
        in_tx!(self, tx => {
            for chunk in payments.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new("INSERT INTO payments (invoice_id, paid_on, amount_cents, reference, recorded_by, recorded_at) ");
                query.push_values(chunk, |mut row, (invoice, paid_on, cents, reference)| {
                    row.push_bind(*invoice).push_bind(*paid_on).push_bind(*cents).push_bind(reference.clone()).push_bind(actor.0.clone()).push_bind(at);
                });
                query.push(" ON CONFLICT (invoice_id, reference) DO NOTHING");
                query.build().execute(&mut *tx).await?;
            }
            tx.audit(AuditEntry::new(actor, "bulk_create", "payment", payments.len())).await?;
            Ok(())
        })
    }
}
