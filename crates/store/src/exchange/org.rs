//! sectors.csv, teams.csv, centres.csv, professionals.csv.

use domain::exchange::{CentreRow, Line, ProfessionalRow, SectorRow, TeamRow};

use super::sql::{SqlTx, Ty, Value};
use super::table::{Table, Wanted, upsert};
use super::{Applied, ids_by_code, text_or_null};
use crate::db::StoreError;

const SECTORS: Table = Table {
    name: "sectors",
    key: &[("code", Ty::Text)],
    fields: &[("name", Ty::Text)],
    insert_only: &[],
};

const TEAMS: Table = Table {
    name: "teams",
    key: &[("code", Ty::Text)],
    fields: &[("name", Ty::Text), ("sector_id", Ty::Int)],
    insert_only: &[],
};

const CENTRES: Table = Table {
    name: "centres",
    key: &[("code", Ty::Text)],
    fields: &[
        ("name", Ty::Text),
        ("sector_id", Ty::Int),
        ("address", Ty::Text),
        ("postcode", Ty::Text),
        ("city", Ty::Text),
    ],
    insert_only: &[],
};

const PROFESSIONALS: Table = Table {
    name: "professionals",
    key: &[("reference", Ty::Text)],
    fields: &[
        ("last_name", Ty::Text),
        ("first_name", Ty::Text),
        ("role", Ty::Text),
        ("team_id", Ty::Int),
        ("email", Ty::Text),
    ],
    insert_only: &[],
};

/// Upserts the accepted rows and records their changes.
pub(crate) async fn write_accepted<T: SqlTx>(
    tx: &mut T,
    table: &Table<'_>,
    wanted: Vec<Wanted>,
    applied: &mut Applied,
) -> Result<(), StoreError> {
    let (changes, _) = upsert(tx, table, &wanted).await?;
    applied.changes.extend(changes);
    Ok(())
}

fn plain(key: &str, fields: Vec<Value>) -> Wanted {
    Wanted {
        key: vec![Value::text(key)],
        fields,
        insert_only: Vec::new(),
    }
}

pub(crate) async fn apply_sectors<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<SectorRow>],
) -> Result<Applied, StoreError> {
    let mut applied = Applied::default();
    let wanted = lines
        .iter()
        .map(|l| plain(&l.row.sector, vec![Value::text(&l.row.name)]))
        .collect();
    write_accepted(tx, &SECTORS, wanted, &mut applied).await?;
    Ok(applied)
}

pub(crate) async fn apply_teams<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<TeamRow>],
) -> Result<Applied, StoreError> {
    let sectors = ids_by_code(tx, "sectors", "code").await?;
    let mut applied = Applied::default();
    let mut wanted = Vec::new();
    for Line { line, row } in lines {
        match sectors.get(&row.sector) {
            None => applied.reject(*line, "sector", unknown_code("secteur", &row.sector)),
            Some(sector) => wanted.push(plain(
                &row.team,
                vec![Value::text(&row.name), Value::int(*sector)],
            )),
        }
    }
    write_accepted(tx, &TEAMS, wanted, &mut applied).await?;
    Ok(applied)
}

pub(crate) fn unknown_code(what: &str, code: &str) -> String {
    format!("{what} « {code} » inconnu : importez-le d'abord")
}

pub(crate) async fn apply_centres<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<CentreRow>],
) -> Result<Applied, StoreError> {
    let sectors = ids_by_code(tx, "sectors", "code").await?;
    let mut applied = Applied::default();
    let mut wanted = Vec::new();
    for Line { line, row } in lines {
        match sectors.get(&row.sector) {
            None => applied.reject(*line, "sector", unknown_code("secteur", &row.sector)),
            Some(sector) => wanted.push(plain(
                &row.centre,
                vec![
                    Value::text(&row.name),
                    Value::int(*sector),
                    Value::text(&row.address),
                    Value::text(&row.postcode),
                    Value::text(&row.city),
                ],
            )),
        }
    }
    write_accepted(tx, &CENTRES, wanted, &mut applied).await?;
    Ok(applied)
}

pub(crate) async fn apply_professionals<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<ProfessionalRow>],
) -> Result<Applied, StoreError> {
    let teams = ids_by_code(tx, "teams", "code").await?;
    let mut applied = Applied::default();
    let mut wanted = Vec::new();
    for Line { line, row } in lines {
        let team = match &row.team {
            None => None,
            Some(code) => match teams.get(code) {
                Some(id) => Some(*id),
                None => {
                    applied.reject(*line, "team", unknown_code("équipe", code));
                    continue;
                }
            },
        };
        wanted.push(plain(
            &row.professional_ref,
            vec![
                Value::text(&row.last_name),
                Value::text(&row.first_name),
                Value::text(row.role.code()),
                Value::Int(team),
                text_or_null(&row.email),
            ],
        ));
    }
    write_accepted(tx, &PROFESSIONALS, wanted, &mut applied).await?;
    Ok(applied)
}
