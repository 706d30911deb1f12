//! slots.csv and appointments.csv.

use domain::exchange::{AppointmentRow, Line, SlotRow};

use super::org::{unknown_code, write_accepted};
use super::sql::{SqlTx, Ty, Value};
use super::table::{Change, Table, Wanted};
use super::{Applied, ids_by_code, text_or_null};
use crate::db::StoreError;

const SLOTS: Table = Table {
    name: "slots",
    key: &[
        ("professional_id", Ty::Int),
        ("date", Ty::Date),
        ("time", Ty::Text),
    ],
    fields: &[("centre_id", Ty::Int), ("duration_min", Ty::Int)],
    insert_only: &["status", "source"],
};

const APPOINTMENTS: Table = Table {
    name: "appointments",
    key: &[("appointment_ref", Ty::Text)],
    fields: &[
        ("worker_id", Ty::Int),
        ("establishment_id", Ty::Int),
        ("date", Ty::Date),
        ("time", Ty::Text),
        ("duration_min", Ty::Int),
        ("kind", Ty::Text),
        ("subtype", Ty::Text),
        ("performer", Ty::Text),
        ("professional_id", Ty::Int),
        ("centre_id", Ty::Int),
        ("status", Ty::Text),
        ("teleconsultation", Ty::Bool),
        ("experimental", Ty::Bool),
        ("outcome", Ty::Text),
    ],
    insert_only: &[],
};

pub(crate) async fn apply_slots<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<SlotRow>],
) -> Result<Applied, StoreError> {
    let professionals = ids_by_code(tx, "professionals", "reference").await?;
    let centres = ids_by_code(tx, "centres", "code").await?;
    let mut applied = Applied::default();
    let mut wanted = Vec::new();
    for Line { line, row } in lines {
        let Some(professional) = professionals.get(&row.professional_ref) else {
            applied.reject(
                *line,
                "professional_ref",
                unknown_code("professionnel", &row.professional_ref),
            );
            continue;
        };
        let Some(centre) = centres.get(&row.centre) else {
            applied.reject(*line, "centre", unknown_code("centre", &row.centre));
            continue;
        };
        wanted.push(Wanted {
            key: vec![
                Value::int(*professional),
                Value::date(row.date),
                Value::text(&row.time),
            ],
            fields: vec![Value::int(*centre), Value::int(row.duration_min)],
            insert_only: vec![Value::text("open"), Value::text("import")],
        });
    }
    write_accepted(tx, &SLOTS, wanted, &mut applied).await?;
    Ok(applied)
}

pub(crate) async fn apply_appointments<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<AppointmentRow>],
) -> Result<Applied, StoreError> {
    let workers = ids_by_code(tx, "workers", "worker_ref").await?;
    let establishments = ids_by_code(tx, "establishments", "siret").await?;
    let professionals = ids_by_code(tx, "professionals", "reference").await?;
    let centres = ids_by_code(tx, "centres", "code").await?;
    let mut applied = Applied::default();
    let mut wanted = Vec::new();
    let mut worker_of_wanted = Vec::new();
    for Line { line, row } in lines {
        let Some(worker) = workers.get(&row.worker_ref) else {
            applied.reject(
                *line,
                "worker_ref",
                unknown_code("salarié", &row.worker_ref),
            );
            continue;
        };
        let lookup = |map: &std::collections::HashMap<String, i64>,
                      code: &Option<String>,
                      what: &str|
         -> Result<Option<i64>, String> {
            match code {
                None => Ok(None),
                Some(code) => map
                    .get(code)
                    .map(|id| Some(*id))
                    .ok_or_else(|| unknown_code(what, code)),
            }
        };
        let establishment = match lookup(&establishments, &row.siret, "établissement") {
            Ok(id) => id,
            Err(reason) => {
                applied.reject(*line, "siret", reason);
                continue;
            }
        };
        let professional = match lookup(&professionals, &row.professional_ref, "professionnel") {
            Ok(id) => id,
            Err(reason) => {
                applied.reject(*line, "professional_ref", reason);
                continue;
            }
        };
        let centre = match lookup(&centres, &row.centre, "centre") {
            Ok(id) => id,
            Err(reason) => {
                applied.reject(*line, "centre", reason);
                continue;
            }
        };
        worker_of_wanted.push(*worker);
        wanted.push(Wanted {
            key: vec![Value::text(&row.appointment_ref)],
            fields: vec![
                Value::int(*worker),
                Value::Int(establishment),
                Value::date(row.date),
                text_or_null(&row.time),
                Value::int(row.duration_min),
                Value::text(&row.kind),
                Value::text(&row.subtype),
                Value::text(&row.performer),
                Value::Int(professional),
                Value::Int(centre),
                Value::text(&row.status),
                Value::Bool(row.teleconsultation),
                Value::Bool(row.experimental),
                Value::text(&row.outcome),
            ],
            insert_only: Vec::new(),
        });
    }
    write_accepted(tx, &APPOINTMENTS, wanted, &mut applied).await?;
    let changes = &applied.changes[applied.changes.len() - worker_of_wanted.len()..];
    let touched: Vec<i64> = worker_of_wanted
        .into_iter()
        .zip(changes)
        .filter(|(_, change)| **change != Change::Unchanged)
        .map(|(worker, _)| worker)
        .collect();
    applied.workers.extend(touched);
    Ok(applied)
}
