//! companies.csv: member establishments, their companies created by SIREN.

use std::collections::HashMap;

use domain::exchange::{CompanyRow, Line};

use super::org::{unknown_code, write_accepted};
use super::sql::{SqlTx, Ty, Value};
use super::table::{Table, Wanted};
use super::{Applied, ids_by_code, text_or_null};
use crate::db::{StoreError, now};
use crate::members::search_text;

const ESTABLISHMENTS: Table = Table {
    name: "establishments",
    key: &[("siret", Ty::Text)],
    fields: &[
        ("company_id", Ty::Int),
        ("name", Ty::Text),
        ("naf_code", Ty::Text),
        ("sector_id", Ty::Int),
        ("team_id", Ty::Int),
        ("joined_on", Ty::Date),
        ("struck_off_on", Ty::Date),
        ("strike_off_reason", Ty::Text),
        ("address", Ty::Text),
        ("postcode", Ty::Text),
        ("city", Ty::Text),
        ("email", Ty::Text),
        ("phone", Ty::Text),
        ("search_text", Ty::Text),
    ],
    insert_only: &[],
};

pub(crate) async fn apply_companies<T: SqlTx>(
    tx: &mut T,
    lines: &[Line<CompanyRow>],
) -> Result<Applied, StoreError> {
    let sectors = ids_by_code(tx, "sectors", "code").await?;
    let teams = ids_by_code(tx, "teams", "code").await?;
    let mut applied = Applied::default();
    let mut accepted = Vec::new();
    for line in lines {
        let row = &line.row;
        let Some(sector) = sectors.get(&row.sector) else {
            applied.reject(line.line, "sector", unknown_code("secteur", &row.sector));
            continue;
        };
        let team = match &row.team {
            None => None,
            Some(code) => match teams.get(code) {
                Some(id) => Some(*id),
                None => {
                    applied.reject(line.line, "team", unknown_code("équipe", code));
                    continue;
                }
            },
        };
        accepted.push((row, *sector, team));
    }
    // Companies: created by SIREN with the first establishment's name and kind.
    let existing = tx
        .select_rows(
            &[("siren", Ty::Text), ("id", Ty::Int), ("name", Ty::Text)],
            "FROM companies",
        )
        .await?;
    let mut companies: HashMap<String, (i64, String)> = existing
        .into_iter()
        .filter_map(|r| {
            Some((
                r[0].as_text()?.to_string(),
                (r[1].as_int()?, r[2].as_text()?.to_string()),
            ))
        })
        .collect();
    let created_at = now();
    for (row, _, _) in &accepted {
        let siren = &row.siret[..9];
        if companies.contains_key(siren) {
            continue;
        }
        let id = tx
            .insert_returning_id(
                "companies",
                &["siren", "name", "kind", "created_at"],
                &[
                    Value::text(siren),
                    Value::text(&row.name),
                    Value::text(row.kind.code()),
                    Value::At(created_at),
                ],
            )
            .await?;
        companies.insert(siren.to_string(), (id, row.name.clone()));
    }
    let wanted = accepted
        .into_iter()
        .map(|(row, sector, team)| {
            let (company_id, company_name) = &companies[&row.siret[..9]];
            Wanted {
                key: vec![Value::text(&row.siret)],
                fields: vec![
                    Value::int(*company_id),
                    Value::text(&row.name),
                    text_or_null(&row.naf_code),
                    Value::int(sector),
                    Value::Int(team),
                    Value::date(row.joined_on),
                    Value::Date(row.struck_off_on),
                    Value::Text(row.strike_off_reason.map(|r| r.code().to_string())),
                    Value::text(&row.address),
                    Value::text(&row.postcode),
                    Value::text(&row.city),
                    text_or_null(&row.email),
                    text_or_null(&row.phone),
                    Value::text(search_text(
                        &row.siret,
                        &row.name,
                        company_name,
                        &row.city,
                        row.naf_code.as_deref(),
                        &row.postcode,
                    )),
                ],
                insert_only: Vec::new(),
            }
        })
        .collect();
    write_accepted(tx, &ESTABLISHMENTS, wanted, &mut applied).await?;
    Ok(applied)
}
