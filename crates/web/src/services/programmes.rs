//! The prevention programmes' figures for the indicators: each programme running during
//! the year, its funnel (targeted, then each step validated), in the annual report.

use chrono::Datelike;
use domain::prevention::programmes::funnel;
use kpi::{Cell, Table};
use store::{Db, StoreError};

/// Table `PROGRAMMES` of the annual report: one record per programme and stage, for the
/// companies of the scope (team, sector).
pub async fn programmes_table(db: &Db, year: i32, scope: &kpi::Scope) -> Result<Table, StoreError> {
    let mut table = Table::new("PROGRAMMES", &["programme", "stage", "count", "percent"]);
    for programme in db.list_programmes().await? {
        if programme.starts_on.year() > year || programme.ends_on.year() < year {
            continue;
        }
        let facts: Vec<_> = db
            .load_programme_facts(programme.id)
            .await?
            .into_iter()
            .filter(|f| {
                scope
                    .team
                    .as_ref()
                    .is_none_or(|t| f.team.as_ref() == Some(t))
            })
            .filter(|f| scope.sector.as_ref().is_none_or(|s| &f.sector == s))
            .collect();
        let codes: Vec<String> = programme.steps.iter().map(|s| s.code.clone()).collect();
        for stage in funnel(&codes, &facts) {
            table.push(vec![
                ("programme", Cell::Text(programme.name.clone())),
                ("stage", Cell::Text(stage.stage)),
                ("count", Cell::Int(stage.count as i64)),
                ("percent", Cell::Rate(stage.percent)),
            ]);
        }
    }
    Ok(table)
}
