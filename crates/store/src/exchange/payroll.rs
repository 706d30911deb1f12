//! A month of payroll (DSN) applied to a member establishment: workers matched by NIR,
//! employments by contract start, the year's declaration line, work stoppages and the
//! hardship factors payroll declared. One transaction per month; a month of an establishment
//! that is not a member writes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use domain::company::Sex;
use domain::exchange::{Line, PayrollMonth, PayrollWorker, WorkerRow};
use domain::followup::compute_category;
use domain::rules::dates::age_on;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ids_by_code;
use super::sql::{SqlTx, Ty, Value};
use super::table::{Change, Table, Wanted, load_keyed, text_scope, upsert_in};
use super::workers::{DeclarationTarget, apply_workers};
use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, now};
use crate::obligations::{ObligationsTx, split_codes};
use crate::queues::today;

const WORK_STOPPAGES: Table = Table {
    name: "work_stoppages",
    key: &[
        ("employment_id", Ty::Int),
        ("reason", Ty::Text),
        ("start_on", Ty::Date),
    ],
    fields: &[("end_on", Ty::Date), ("returned_on", Ty::Date)],
    insert_only: &["worker_id", "recorded_by", "recorded_at"],
};

const PAYROLL_HARDSHIP: Table = Table {
    name: "payroll_hardship",
    key: &[
        ("employment_id", Ty::Int),
        ("factor", Ty::Text),
        ("declared_month", Ty::Date),
    ],
    fields: &[],
    insert_only: &[],
};

/// Exposure codes that only payroll sets: a factor `99` removes them before the month's own.
const PAYROLL_EXPOSURES: [&str; 2] = ["night_worker", "hyperbaric"];

/// What a month of payroll did (or would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PayrollOutcome {
    pub siret: String,
    pub month: Option<NaiveDate>,
    /// False when the establishment is not a member: nothing was written.
    pub member: bool,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Stoppages recorded or changed.
    pub stoppages: usize,
    /// Hardship factors recorded.
    pub hardship: usize,
    pub committed: bool,
}

/// A worker created by payroll: a reference that does not reveal the NIR, the same at every
/// import.
fn payroll_worker_ref(nir: &str) -> String {
    let digest = Sha256::digest(nir.as_bytes());
    format!("DSN-{}", &hex::encode(digest)[..12].to_uppercase())
}

/// A worker as the application knows it, by NIR.
struct KnownWorker {
    reference: String,
    last_name: String,
    first_name: String,
    sex: String,
    birth_date: Option<NaiveDate>,
    email: Option<String>,
    mobile: Option<String>,
}

fn invalid_line(line: usize, reason: &str) -> StoreError {
    StoreError::Invalid(format!("ligne {line} : {reason}"))
}

fn worker_row(
    w: &PayrollWorker,
    known: Option<&KnownWorker>,
    employment: Option<&(String, Option<String>, Option<NaiveDate>)>,
    exposures: Vec<String>,
    siret: &str,
    year: i32,
) -> Result<WorkerRow, StoreError> {
    let last_name = w
        .last_name
        .clone()
        .or(known.map(|k| k.last_name.clone()))
        .ok_or_else(|| invalid_line(w.line, "nom de famille (S21.G00.30.002) absent"))?;
    let first_name = w
        .first_name
        .clone()
        .or(known.map(|k| k.first_name.clone()))
        .ok_or_else(|| invalid_line(w.line, "prénoms (S21.G00.30.004) absents"))?;
    let sex = w
        .sex
        .or(known.and_then(|k| Sex::from_code(&k.sex)))
        .ok_or_else(|| invalid_line(w.line, "sexe (S21.G00.30.005) absent"))?;
    let birth_date = w
        .birth_date
        .or(known.and_then(|k| k.birth_date))
        .ok_or_else(|| invalid_line(w.line, "date de naissance (S21.G00.30.006) absente"))?;
    let minor = age_on(birth_date, w.hired_on) < 18;
    let at = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists");
    let (category, _) = compute_category(exposures.iter().map(String::as_str), minor, at);
    Ok(WorkerRow {
        worker_ref: known.map_or_else(|| payroll_worker_ref(&w.nir), |k| k.reference.clone()),
        last_name,
        first_name,
        sex,
        birth_date,
        nir: Some(w.nir.clone()),
        email: w.email.clone().or(known.and_then(|k| k.email.clone())),
        mobile: known.and_then(|k| k.mobile.clone()),
        siret: siret.to_string(),
        job_title: w
            .job_title
            .clone()
            .or(employment.map(|e| e.0.clone()))
            .unwrap_or_default(),
        pcs_ese: w.pcs_ese.clone().or(employment.and_then(|e| e.1.clone())),
        hired_on: w.hired_on,
        left_on: w.left_on.or(employment.and_then(|e| e.2)),
        contract: w.contract,
        declaration_year: year,
        category,
        exposures,
    })
}

async fn apply_month<T: SqlTx + AuditTx + ObligationsTx>(
    tx: &mut T,
    actor: &Actor,
    month: &PayrollMonth,
    target: DeclarationTarget,
) -> Result<PayrollOutcome, StoreError> {
    let mut outcome = PayrollOutcome {
        siret: month.siret.clone(),
        month: Some(month.month),
        ..PayrollOutcome::default()
    };
    if !month.siret.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(outcome);
    }
    let establishments = ids_by_code(tx, "establishments", "siret").await?;
    let Some(establishment) = establishments.get(&month.siret).copied() else {
        return Ok(outcome);
    };
    outcome.member = true;
    let year = month.month.year();
    let mut known: HashMap<String, KnownWorker> = HashMap::new();
    for r in tx
        .select_rows(
            &[
                ("nir", Ty::Text),
                ("worker_ref", Ty::Text),
                ("last_name", Ty::Text),
                ("first_name", Ty::Text),
                ("sex", Ty::Text),
                ("birth_date", Ty::Date),
                ("email", Ty::Text),
                ("mobile", Ty::Text),
            ],
            &format!(
                "FROM workers {}",
                text_scope(
                    "nir",
                    month.workers.iter().map(|w| w.nir.as_str()),
                    usize::MAX
                )
                .unwrap_or_default()
            ),
        )
        .await?
    {
        let text = |v: &Value| v.as_text().unwrap_or_default().to_string();
        known.insert(
            text(&r[0]),
            KnownWorker {
                reference: text(&r[1]),
                last_name: text(&r[2]),
                first_name: text(&r[3]),
                sex: text(&r[4]),
                birth_date: r[5].as_date(),
                email: r[6].as_text().map(str::to_string),
                mobile: r[7].as_text().map(str::to_string),
            },
        );
    }
    type EmploymentValues = (String, Option<String>, Option<NaiveDate>);
    let mut employments: HashMap<(String, NaiveDate), (i64, EmploymentValues)> = HashMap::new();
    for r in tx
        .select_rows(
            &[
                ("w.nir", Ty::Text),
                ("m.hired_on", Ty::Date),
                ("m.id", Ty::Int),
                ("m.job_title", Ty::Text),
                ("m.pcs_ese", Ty::Text),
                ("m.left_on", Ty::Date),
            ],
            &format!(
                "FROM employments m JOIN workers w ON w.id = m.worker_id
                 WHERE w.nir IS NOT NULL AND m.establishment_id = {establishment}"
            ),
        )
        .await?
    {
        if let (Some(nir), Some(hired_on), Some(id)) =
            (r[0].as_text(), r[1].as_date(), r[2].as_int())
        {
            employments.insert(
                (nir.to_string(), hired_on),
                (
                    id,
                    (
                        r[3].as_text().unwrap_or_default().to_string(),
                        r[4].as_text().map(str::to_string),
                        r[5].as_date(),
                    ),
                ),
            );
        }
    }
    // The year's declared exposures per employment, the latest version winning.
    let mut declared: HashMap<i64, Vec<String>> = HashMap::new();
    for r in tx
        .select_rows(
            &[("l.employment_id", Ty::Int), ("l.exposures", Ty::Text)],
            &format!(
                "FROM declaration_lines l JOIN declarations d ON d.id = l.declaration_id
                 WHERE d.establishment_id = {establishment} AND d.year = {year} ORDER BY d.version"
            ),
        )
        .await?
    {
        if let Some(id) = r[0].as_int() {
            declared.insert(id, split_codes(r[1].as_text().unwrap_or_default()));
        }
    }
    let mut lines = Vec::with_capacity(month.workers.len());
    let mut seen = HashSet::new();
    for w in &month.workers {
        if !seen.insert((w.nir.clone(), w.hired_on)) {
            continue;
        }
        let employment = employments.get(&(w.nir.clone(), w.hired_on));
        let mut exposures: Vec<String> = employment
            .and_then(|(id, _)| declared.get(id).cloned())
            .unwrap_or_default();
        if w.cancels_hardship {
            exposures.retain(|c| !PAYROLL_EXPOSURES.contains(&c.as_str()));
        }
        exposures.extend(w.exposures.iter().cloned());
        exposures.sort_unstable();
        exposures.dedup();
        let row = worker_row(
            w,
            known.get(&w.nir),
            employment.map(|(_, values)| values),
            exposures,
            &month.siret,
            year,
        )?;
        lines.push(Line { line: w.line, row });
    }
    let applied = apply_workers(tx, actor, &lines, target, &|_, _| {}).await?;
    if let Some(refused) = applied.rejected.first() {
        return Err(StoreError::Invalid(refused.to_string()));
    }
    let mut touched: HashSet<i64> = applied.workers.iter().copied().collect();
    for change in &applied.changes {
        match change {
            Change::Inserted => outcome.inserted += 1,
            Change::Updated => outcome.updated += 1,
            Change::Unchanged => outcome.unchanged += 1,
        }
    }

    // Employments and workers as they are now, for stoppages and factors.
    let mut employment_of: HashMap<(String, NaiveDate), (i64, i64)> = HashMap::new();
    for r in tx
        .select_rows(
            &[
                ("w.nir", Ty::Text),
                ("m.hired_on", Ty::Date),
                ("m.id", Ty::Int),
                ("w.id", Ty::Int),
            ],
            &format!(
                "FROM employments m JOIN workers w ON w.id = m.worker_id
                 WHERE w.nir IS NOT NULL AND m.establishment_id = {establishment}"
            ),
        )
        .await?
    {
        if let (Some(nir), Some(hired_on), Some(id), Some(worker)) =
            (r[0].as_text(), r[1].as_date(), r[2].as_int(), r[3].as_int())
        {
            employment_of.insert((nir.to_string(), hired_on), (id, worker));
        }
    }
    let own_employments = format!(
        "WHERE employment_id IN (SELECT id FROM employments WHERE establishment_id = {establishment})"
    );
    let existing = load_keyed(tx, &WORK_STOPPAGES, Some(&own_employments)).await?;
    let recorded_at = now();
    let mut stoppages = Vec::new();
    let mut stoppage_workers = Vec::new();
    for s in &month.stoppages {
        let Some((employment, worker)) = employment_of.get(&(s.nir.clone(), s.hired_on)) else {
            return Err(invalid_line(
                s.line,
                "arrêt de travail d'un contrat inconnu",
            ));
        };
        let key = vec![
            Value::int(*employment),
            Value::text(&s.reason),
            Value::date(s.start),
        ];
        let (end, returned_on) = match existing.get(&key) {
            Some((_, fields)) => (
                fields[0].as_date().max(s.end),
                s.returned_on.or(fields[1].as_date()),
            ),
            None => (s.end, s.returned_on),
        };
        if stoppages.iter().any(|w: &Wanted| w.key == key) {
            continue;
        }
        stoppages.push(Wanted {
            key,
            fields: vec![Value::Date(end), Value::Date(returned_on)],
            insert_only: vec![
                Value::int(*worker),
                Value::text(&actor.0),
                Value::At(recorded_at),
            ],
        });
        stoppage_workers.push(*worker);
    }
    let (changes, _) = upsert_in(tx, &WORK_STOPPAGES, &stoppages, Some(&own_employments)).await?;
    for (change, worker) in changes.iter().zip(stoppage_workers) {
        if *change != Change::Unchanged {
            outcome.stoppages += 1;
            touched.insert(worker);
        }
    }
    let mut factors = Vec::new();
    let mut seen_factors = HashSet::new();
    for w in &month.workers {
        let Some((employment, _)) = employment_of.get(&(w.nir.clone(), w.hired_on)) else {
            continue;
        };
        for factor in &w.hardship {
            if seen_factors.insert((*employment, factor.clone())) {
                factors.push(Wanted {
                    key: vec![
                        Value::int(*employment),
                        Value::text(factor),
                        Value::date(month.month),
                    ],
                    fields: Vec::new(),
                    insert_only: Vec::new(),
                });
            }
        }
    }
    let (changes, _) = upsert_in(tx, &PAYROLL_HARDSHIP, &factors, Some(&own_employments)).await?;
    outcome.hardship = changes.iter().filter(|c| **c == Change::Inserted).count();
    let touched: Vec<i64> = touched.into_iter().collect();
    if !touched.is_empty() {
        tx.refresh_obligations(Some(&touched), today()).await?;
    }
    tx.audit(
        AuditEntry::new(actor, "import_dsn", "establishment", &month.siret).after(
            &serde_json::json!({
                "month": month.month,
                "inserted": outcome.inserted,
                "updated": outcome.updated,
                "stoppages": outcome.stoppages,
                "hardship": outcome.hardship,
            }),
        ),
    )
    .await?;
    Ok(outcome)
}

impl Db {
    /// Applies one month of payroll in one transaction; with `proposal`, the lines go to the
    /// employer's draft declaration of the year instead of the service's submitted one.
    pub async fn import_payroll_month(
        &self,
        actor: &Actor,
        month: &PayrollMonth,
        proposal: bool,
        dry_run: bool,
    ) -> Result<PayrollOutcome, StoreError> {
        let target = if proposal {
            DeclarationTarget::Draft
        } else {
            DeclarationTarget::Submitted
        };
        super::in_tx_keeping!(self, tx => apply_month(&mut tx, actor, month, target).await?, |outcome: &mut PayrollOutcome| {
            outcome.committed = outcome.member && !dry_run;
            outcome.committed
        })
    }
}

impl Db {
    /// Hardship factors payroll declared for a worker: (SIRET, factor, month), in order.
    pub async fn list_payroll_hardship(
        &self,
        worker_id: i64,
    ) -> Result<Vec<(String, String, NaiveDate)>, StoreError> {
        use sqlx::Row;
        crate::db::with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT e.siret, h.factor, h.declared_month FROM payroll_hardship h
                 JOIN employments m ON m.id = h.employment_id JOIN establishments e ON e.id = m.establishment_id
                 WHERE m.worker_id = $1 ORDER BY e.siret, h.declared_month, h.factor",
            )
            .bind(worker_id)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("siret")?, r.try_get("factor")?, r.try_get("declared_month")?)))
                .collect()
        })
    }
}
