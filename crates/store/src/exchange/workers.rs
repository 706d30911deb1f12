//! workers.csv: one line per worker, employment and declaration year. A line writes the
//! worker, the employment, and the line of the establishment's latest submitted declaration
//! of that year (a submitted declaration is created when the year has none).

use std::collections::HashMap;

use domain::exchange::{Line, WorkerRow};

use super::sql::{SqlTx, Ty, Value};
use super::table::{Change, Table, Wanted, id_scope, text_scope, upsert_in};
use super::{Applied, Progress, ids_by_code, text_or_null};
use crate::Actor;
use crate::db::{StoreError, now};

const WORKERS: Table = Table {
    name: "workers",
    key: &[("worker_ref", Ty::Text)],
    fields: &[
        ("last_name", Ty::Text),
        ("first_name", Ty::Text),
        ("sex", Ty::Text),
        ("birth_date", Ty::Date),
        ("nir", Ty::Text),
        ("email", Ty::Text),
        ("mobile", Ty::Text),
    ],
    insert_only: &["created_at"],
};

const EMPLOYMENTS: Table = Table {
    name: "employments",
    key: &[
        ("worker_id", Ty::Int),
        ("establishment_id", Ty::Int),
        ("hired_on", Ty::Date),
    ],
    fields: &[
        ("job_title", Ty::Text),
        ("pcs_ese", Ty::Text),
        ("contract", Ty::Text),
        ("left_on", Ty::Date),
    ],
    insert_only: &[],
};

const DECLARATION_LINES: Table = Table {
    name: "declaration_lines",
    key: &[("declaration_id", Ty::Int), ("employment_id", Ty::Int)],
    fields: &[("exposures", Ty::Text), ("category", Ty::Text)],
    insert_only: &[],
};

/// Up to this many workers, a file reads only its own rows.
const SCOPED_UP_TO: usize = 5000;

/// For each key, the index of the line with the latest declaration year (later values win).
fn latest_by<K: std::hash::Hash + Eq>(
    lines: &[&Line<WorkerRow>],
    key: impl Fn(&WorkerRow) -> K,
) -> HashMap<K, usize> {
    let mut latest: HashMap<K, usize> = HashMap::new();
    for (index, line) in lines.iter().enumerate() {
        let entry = latest.entry(key(&line.row)).or_insert(index);
        if lines[*entry].row.declaration_year <= line.row.declaration_year {
            *entry = index;
        }
    }
    latest
}

/// Which declaration of the year a line goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeclarationTarget {
    /// The latest submitted one (created, submitted, when the year has none): the service's
    /// imports.
    Submitted,
    /// The employer's draft (created from the latest submitted lines when missing): a
    /// proposal the employer reviews before submitting.
    Draft,
}

/// The declaration each (establishment, year) lines go to, created when missing.
async fn declarations_for<T: SqlTx>(
    tx: &mut T,
    actor: &Actor,
    target: DeclarationTarget,
    wanted: impl Iterator<Item = (i64, i32)>,
) -> Result<HashMap<(i64, i32), i64>, StoreError> {
    let rows = tx
        .select_rows(
            &[
                ("id", Ty::Int),
                ("establishment_id", Ty::Int),
                ("year", Ty::Int),
                ("version", Ty::Int),
                ("status", Ty::Text),
            ],
            "FROM declarations",
        )
        .await?;
    /// The latest version of an (establishment, year), its latest submitted (version, id),
    /// its draft's id.
    type Versions = (i64, Option<(i64, i64)>, Option<i64>);
    let mut known: HashMap<(i64, i32), Versions> = HashMap::new();
    for row in rows {
        let (Some(id), Some(establishment), Some(year), Some(version)) = (
            row[0].as_int(),
            row[1].as_int(),
            row[2].as_int(),
            row[3].as_int(),
        ) else {
            continue;
        };
        let entry = known
            .entry((establishment, year as i32))
            .or_insert((0, None, None));
        entry.0 = entry.0.max(version);
        match row[4].as_text() {
            Some("submitted") if entry.1.is_none_or(|(v, _)| v < version) => {
                entry.1 = Some((version, id));
            }
            Some("draft") => entry.2 = Some(id),
            _ => {}
        }
    }
    let mut chosen = HashMap::new();
    for key in wanted {
        if chosen.contains_key(&key) {
            continue;
        }
        let existing = known.get(&key);
        let id = match (target, existing) {
            (DeclarationTarget::Submitted, Some((_, Some((_, id)), _))) => *id,
            (DeclarationTarget::Draft, Some((_, _, Some(id)))) => *id,
            (DeclarationTarget::Draft, other) => {
                let version = other.map_or(0, |(v, _, _)| *v) + 1;
                let draft = insert_declaration(tx, actor, key, version, false).await?;
                if let Some((_, Some((_, submitted)), _)) = other {
                    copy_lines(tx, *submitted, draft).await?;
                }
                draft
            }
            (DeclarationTarget::Submitted, other) => {
                let version = other.map_or(0, |(v, _, _)| *v) + 1;
                insert_declaration(tx, actor, key, version, true).await?
            }
        };
        chosen.insert(key, id);
    }
    Ok(chosen)
}

/// A new declaration of (establishment, year): a draft, or submitted now.
async fn insert_declaration<T: SqlTx>(
    tx: &mut T,
    actor: &Actor,
    (establishment, year): (i64, i32),
    version: i64,
    submitted: bool,
) -> Result<i64, StoreError> {
    let at = now();
    let mut columns = vec![
        "establishment_id",
        "year",
        "version",
        "status",
        "created_at",
        "created_by",
    ];
    let mut values = vec![
        Value::int(establishment),
        Value::int(year),
        Value::int(version),
        Value::text(if submitted { "submitted" } else { "draft" }),
        Value::At(at),
        Value::text(&actor.0),
    ];
    if submitted {
        columns.extend(["submitted_at", "submitted_by"]);
        values.extend([Value::At(at), Value::text(&actor.0)]);
    }
    tx.insert_returning_id("declarations", &columns, &values)
        .await
}

/// The lines of a submitted declaration copied into a new draft.
async fn copy_lines<T: SqlTx>(tx: &mut T, from: i64, to: i64) -> Result<(), StoreError> {
    let rows = tx
        .select_rows(
            &[
                ("employment_id", Ty::Int),
                ("exposures", Ty::Text),
                ("category", Ty::Text),
            ],
            &format!("FROM declaration_lines WHERE declaration_id = {from}"),
        )
        .await?;
    let copies: Vec<Vec<Value>> = rows
        .into_iter()
        .map(|mut row| {
            row.insert(0, Value::int(to));
            row
        })
        .collect();
    tx.insert_values(
        "declaration_lines",
        &["declaration_id", "employment_id", "exposures", "category"],
        &copies,
    )
    .await
}

pub(crate) async fn apply_workers<T: SqlTx>(
    tx: &mut T,
    actor: &Actor,
    lines: &[Line<WorkerRow>],
    target: DeclarationTarget,
    progress: Progress<'_>,
) -> Result<Applied, StoreError> {
    let establishments = ids_by_code(tx, "establishments", "siret").await?;
    let mut applied = Applied::default();
    let mut accepted: Vec<&Line<WorkerRow>> = Vec::with_capacity(lines.len());
    for line in lines {
        if establishments.contains_key(&line.row.siret) {
            accepted.push(line);
        } else {
            applied.reject(
                line.line,
                "siret",
                format!(
                    "établissement {} inconnu : importez d'abord les adhérents",
                    line.row.siret
                ),
            );
        }
    }
    let total = lines.len();
    let created_at = now();

    let worker_lines = latest_by(&accepted, |r| r.worker_ref.clone());
    let mut worker_order: Vec<(&String, &usize)> = worker_lines.iter().collect();
    worker_order.sort_by_key(|(_, index)| **index);
    let wanted_workers: Vec<Wanted> = worker_order
        .iter()
        .map(|(_, index)| {
            let r = &accepted[**index].row;
            Wanted {
                key: vec![Value::text(&r.worker_ref)],
                fields: vec![
                    Value::text(&r.last_name),
                    Value::text(&r.first_name),
                    Value::text(r.sex.code()),
                    Value::date(r.birth_date),
                    text_or_null(&r.nir),
                    text_or_null(&r.email),
                    text_or_null(&r.mobile),
                ],
                insert_only: vec![Value::At(created_at)],
            }
        })
        .collect();
    // A file of a few workers reads only theirs; a large one reads the whole table at once.
    let worker_scope = text_scope(
        "worker_ref",
        worker_order.iter().map(|(reference, _)| reference.as_str()),
        SCOPED_UP_TO,
    );
    let (worker_changes, worker_ids) =
        upsert_in(tx, &WORKERS, &wanted_workers, worker_scope.as_deref()).await?;
    let worker_change: HashMap<&String, Change> = worker_order
        .iter()
        .map(|(reference, _)| *reference)
        .zip(worker_changes)
        .collect();
    progress(total / 3, total);

    let worker_id = |r: &WorkerRow| worker_ids[&vec![Value::text(&r.worker_ref)]];
    let employment_key = |r: &WorkerRow| {
        vec![
            Value::int(worker_id(r)),
            Value::int(establishments[&r.siret]),
            Value::date(r.hired_on),
        ]
    };
    let employment_lines = latest_by(&accepted, employment_key);
    let mut employment_order: Vec<(&Vec<Value>, &usize)> = employment_lines.iter().collect();
    employment_order.sort_by_key(|(_, index)| **index);
    let wanted_employments: Vec<Wanted> = employment_order
        .iter()
        .map(|(key, index)| {
            let r = &accepted[**index].row;
            Wanted {
                key: (*key).clone(),
                fields: vec![
                    Value::text(&r.job_title),
                    text_or_null(&r.pcs_ese),
                    Value::text(r.contract.code()),
                    Value::Date(r.left_on),
                ],
                insert_only: Vec::new(),
            }
        })
        .collect();
    let employment_scope = worker_scope
        .is_some()
        .then(|| id_scope("worker_id", worker_ids.values().copied()));
    let (employment_changes, employment_ids) = upsert_in(
        tx,
        &EMPLOYMENTS,
        &wanted_employments,
        employment_scope.as_deref(),
    )
    .await?;
    let employment_change: HashMap<&Vec<Value>, Change> = employment_order
        .iter()
        .map(|(key, _)| *key)
        .zip(employment_changes)
        .collect();
    progress(2 * total / 3, total);

    let declarations = declarations_for(
        tx,
        actor,
        target,
        accepted
            .iter()
            .map(|l| (establishments[&l.row.siret], l.row.declaration_year)),
    )
    .await?;
    let wanted_lines: Vec<Wanted> = accepted
        .iter()
        .map(|l| {
            let r = &l.row;
            Wanted {
                key: vec![
                    Value::int(declarations[&(establishments[&r.siret], r.declaration_year)]),
                    Value::int(employment_ids[&employment_key(r)]),
                ],
                fields: vec![
                    Value::text(r.exposures.join("|")),
                    Value::text(r.category.code()),
                ],
                insert_only: Vec::new(),
            }
        })
        .collect();
    let line_scope = id_scope("declaration_id", declarations.values().copied());
    let (line_changes, _) =
        upsert_in(tx, &DECLARATION_LINES, &wanted_lines, Some(&line_scope)).await?;
    for (line, line_change) in accepted.iter().zip(line_changes) {
        let r = &line.row;
        let change = line_change
            .max(worker_change[&r.worker_ref].min(Change::Updated))
            .max(employment_change[&employment_key(r)].min(Change::Updated));
        if change != Change::Unchanged {
            applied.workers.push(worker_id(r));
        }
        applied.changes.push(change);
    }
    Ok(applied)
}
