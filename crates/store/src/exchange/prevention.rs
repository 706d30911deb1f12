//! risk_sheets.csv, workplace_actions.csv and retention.csv (PDP).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::exchange::{Line, RetentionRow, RiskSheetRow, WorkplaceActionRow};
use domain::prevention::actions::action_label;

use super::org::{unknown_code, write_accepted};
use super::sql::{SqlTx, Ty, Value};
use super::table::{Change, Table, Wanted, load_keyed};
use super::{Applied, ids_by_code};
use crate::Actor;
use crate::db::{StoreError, now};

const RISK_SHEETS: Table = Table {
    name: "risk_sheets",
    key: &[("establishment_id", Ty::Int), ("started_on", Ty::Date)],
    fields: &[
        ("finalised_on", Ty::Date),
        ("delivered_on", Ty::Date),
        ("author", Ty::Text),
        ("state", Ty::Text),
    ],
    insert_only: &["version"],
};

const WORKPLACE_ACTIONS: Table = Table {
    name: "workplace_actions",
    key: &[("action_ref", Ty::Text)],
    fields: &[
        ("establishment_id", Ty::Int),
        ("date", Ty::Date),
        ("type", Ty::Text),
        ("title", Ty::Text),
        ("worker_id", Ty::Int),
        ("workers", Ty::Int),
        ("author", Ty::Text),
    ],
    insert_only: &["created_at"],
};

fn unknown_establishment(siret: &str) -> String {
    format!("établissement {siret} inconnu : importez d'abord les adhérents")
}

pub(crate) async fn apply_risk_sheets<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<RiskSheetRow>],
) -> Result<Applied, StoreError> {
    let establishments = ids_by_code(tx, "establishments", "siret").await?;
    let existing = load_keyed(tx, &RISK_SHEETS, None).await?;
    let versions = tx
        .select_rows(
            &[("establishment_id", Ty::Int), ("version", Ty::Int)],
            "FROM (SELECT establishment_id, MAX(version) AS version FROM risk_sheets GROUP BY establishment_id) v",
        )
        .await?;
    let mut last_version: HashMap<i64, i64> = versions
        .into_iter()
        .filter_map(|r| Some((r[0].as_int()?, r[1].as_int()?)))
        .collect();
    let drafts = tx
        .select_rows(
            &[("establishment_id", Ty::Int), ("started_on", Ty::Date)],
            "FROM risk_sheets WHERE state = 'draft'",
        )
        .await?;
    let mut draft_of: HashMap<i64, NaiveDate> = drafts
        .into_iter()
        .filter_map(|r| Some((r[0].as_int()?, r[1].as_date()?)))
        .collect();
    // Versions follow the dates: an establishment's new sheets are numbered in date order.
    let mut ordered: Vec<&Line<RiskSheetRow>> = lines.iter().collect();
    ordered.sort_by_key(|l| (l.row.siret.clone(), l.row.started_on));
    let mut applied = Applied::default();
    let mut wanted = Vec::new();
    for Line { line, row } in ordered {
        let Some(establishment) = establishments.get(&row.siret).copied() else {
            applied.reject(*line, "siret", unknown_establishment(&row.siret));
            continue;
        };
        let state = match (row.finalised_on, row.delivered_on) {
            (_, Some(_)) => "delivered",
            (Some(_), None) => "finalised",
            (None, None) => "draft",
        };
        let key = vec![Value::int(establishment), Value::date(row.started_on)];
        if state == "draft" {
            match draft_of.get(&establishment) {
                Some(started) if *started != row.started_on => {
                    applied.reject(
                        *line,
                        "finalised_on",
                        "l'établissement a déjà une fiche en cours (brouillon) : une seule à la fois",
                    );
                    continue;
                }
                _ => {
                    draft_of.insert(establishment, row.started_on);
                }
            }
        }
        let version = if existing.contains_key(&key) {
            0
        } else {
            let next = last_version.entry(establishment).or_insert(0);
            *next += 1;
            *next
        };
        wanted.push(Wanted {
            key,
            fields: vec![
                Value::Date(row.finalised_on),
                Value::Date(row.delivered_on),
                Value::text(&row.author_ref),
                Value::text(state),
            ],
            insert_only: vec![Value::int(version)],
        });
    }
    write_accepted(tx, &RISK_SHEETS, wanted, &mut applied).await?;
    Ok(applied)
}

pub(crate) async fn apply_workplace_actions<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<WorkplaceActionRow>],
) -> Result<Applied, StoreError> {
    let establishments = ids_by_code(tx, "establishments", "siret").await?;
    let workers = ids_by_code(tx, "workers", "worker_ref").await?;
    let created_at = now();
    let mut applied = Applied::default();
    let mut wanted = Vec::new();
    for Line { line, row } in lines {
        let Some(establishment) = establishments.get(&row.siret).copied() else {
            applied.reject(*line, "siret", unknown_establishment(&row.siret));
            continue;
        };
        let worker = match &row.worker_ref {
            None => None,
            Some(reference) => match workers.get(reference) {
                Some(id) => Some(*id),
                None => {
                    applied.reject(*line, "worker_ref", unknown_code("salarié", reference));
                    continue;
                }
            },
        };
        wanted.push(Wanted {
            key: vec![Value::text(&row.action_ref)],
            fields: vec![
                Value::int(establishment),
                Value::date(row.date),
                Value::text(&row.action_type),
                Value::text(action_label(&row.action_type)),
                Value::Int(worker),
                Value::Int(row.workers.map(i64::from)),
                Value::text(&row.author_ref),
            ],
            insert_only: vec![Value::At(created_at)],
        });
    }
    write_accepted(tx, &WORKPLACE_ACTIONS, wanted, &mut applied).await?;
    Ok(applied)
}

/// A worker's PDP case as the retention import follows it.
#[derive(Debug, Clone)]
struct Case {
    id: i64,
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
}

impl Case {
    fn covers(&self, day: NaiveDate) -> bool {
        self.opened_on <= day && self.closed_on.is_none_or(|closed| day <= closed)
    }
}

/// The signal recorded on a case opened by an import (the previous software's reason is
/// not in the file).
pub const IMPORTED_SIGNAL: &str = "imported";
/// The result of a case closed by an import.
const IMPORTED_RESULT: &str = "other";

/// Lines of retention.csv: `case_opened` opens the worker's case, `case_closed` closes it,
/// every other item goes to the case open at its date. A line already imported (its
/// `item_ref` is known) is left as it is.
pub(crate) async fn apply_retention<T: SqlTx>(
    tx: &mut T,
    actor: &Actor,
    lines: &[Line<RetentionRow>],
) -> Result<Applied, StoreError> {
    let workers = ids_by_code(tx, "workers", "worker_ref").await?;
    let mut known: HashSet<String> = HashSet::new();
    for (column, table) in [
        ("item_ref", "pdp_items"),
        ("opened_ref", "pdp_cases"),
        ("closed_ref", "pdp_cases"),
    ] {
        let rows = tx
            .select_rows(
                &[(column, Ty::Text)],
                &format!("FROM {table} WHERE {column} IS NOT NULL"),
            )
            .await?;
        known.extend(
            rows.into_iter()
                .filter_map(|r| r[0].as_text().map(str::to_string)),
        );
    }
    let mut cases: HashMap<i64, Vec<Case>> = HashMap::new();
    for row in tx
        .select_rows(
            &[
                ("worker_id", Ty::Int),
                ("id", Ty::Int),
                ("opened_on", Ty::Date),
                ("closed_on", Ty::Date),
            ],
            "FROM pdp_cases",
        )
        .await?
    {
        if let (Some(worker), Some(id), Some(opened_on)) =
            (row[0].as_int(), row[1].as_int(), row[2].as_date())
        {
            cases.entry(worker).or_default().push(Case {
                id,
                opened_on,
                closed_on: row[3].as_date(),
            });
        }
    }
    let order = |item: &str| match item {
        "case_opened" => 0,
        "case_closed" => 2,
        _ => 1,
    };
    let mut ordered: Vec<&Line<RetentionRow>> = lines.iter().collect();
    ordered.sort_by_key(|l| (l.row.date, order(&l.row.item), l.line));
    let mut applied = Applied::default();
    let mut items = Vec::new();
    for Line { line, row } in ordered {
        if known.contains(&row.item_ref) {
            applied.changes.push(Change::Unchanged);
            continue;
        }
        let Some(worker) = workers.get(&row.worker_ref).copied() else {
            applied.reject(
                *line,
                "worker_ref",
                unknown_code("salarié", &row.worker_ref),
            );
            continue;
        };
        let worker_cases = cases.entry(worker).or_default();
        match row.item.as_str() {
            "case_opened" => {
                if worker_cases.iter().any(|c| c.closed_on.is_none()) {
                    applied.reject(
                        *line,
                        "item",
                        "ce salarié a déjà un dossier PDP ouvert : fermez-le (case_closed) avant d'en ouvrir un autre",
                    );
                    continue;
                }
                let id = tx
                    .insert_returning_id(
                        "pdp_cases",
                        &[
                            "worker_id",
                            "signal",
                            "opened_on",
                            "opened_by",
                            "opened_ref",
                        ],
                        &[
                            Value::int(worker),
                            Value::text(IMPORTED_SIGNAL),
                            Value::date(row.date),
                            Value::text(&actor.0),
                            Value::text(&row.item_ref),
                        ],
                    )
                    .await?;
                worker_cases.push(Case {
                    id,
                    opened_on: row.date,
                    closed_on: None,
                });
            }
            "case_closed" => {
                let Some(case) = worker_cases
                    .iter_mut()
                    .find(|c| c.closed_on.is_none() && c.opened_on <= row.date)
                else {
                    applied.reject(
                        *line,
                        "item",
                        "aucun dossier PDP ouvert à cette date pour ce salarié",
                    );
                    continue;
                };
                case.closed_on = Some(row.date);
                tx.update_by_id(
                    "pdp_cases",
                    case.id,
                    &["closed_on", "result", "closed_ref"],
                    &[
                        Value::date(row.date),
                        Value::text(IMPORTED_RESULT),
                        Value::text(&row.item_ref),
                    ],
                )
                .await?;
            }
            _ => {
                let Some(case) = worker_cases.iter().find(|c| c.covers(row.date)) else {
                    applied.reject(
                        *line,
                        "date",
                        "aucun dossier PDP ouvert à cette date pour ce salarié (une ligne case_opened doit le précéder)",
                    );
                    continue;
                };
                items.push(vec![
                    Value::text(&row.item_ref),
                    Value::int(case.id),
                    Value::date(row.date),
                    Value::text(&row.item),
                    Value::text(row.partner.clone().unwrap_or_default()),
                    Value::text(&actor.0),
                ]);
            }
        }
        known.insert(row.item_ref.clone());
        applied.changes.push(Change::Inserted);
    }
    tx.insert_values(
        "pdp_items",
        &[
            "item_ref",
            "case_id",
            "date",
            "item",
            "partner",
            "recorded_by",
        ],
        &items,
    )
    .await?;
    Ok(applied)
}
