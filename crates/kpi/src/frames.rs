//! The facts of a year as polars frames: dates as day numbers, and the derived columns the
//! tables group by (NAF section, age class, K8 item, K7 workers, month).

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use domain::indicators::IndicatorFacts;
use domain::rules::dates::{add_years, age_on};
use polars::prelude::*;

use crate::{KpiError, Scope};

/// A date as a day number, the frames' date type.
pub fn day(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

/// The first and last day numbers of a year.
pub fn year_bounds(year: i32) -> (i32, i32) {
    (
        day(NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January")),
        day(NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December")),
    )
}

pub const AGE_CLASSES: [&str; 6] = ["<21", "21-30", "31-40", "41-50", "51-60", ">60"];

fn age_class(age: i32) -> &'static str {
    match age {
        ..=20 => "<21",
        21..=30 => "21-30",
        31..=40 => "31-40",
        41..=50 => "41-50",
        51..=60 => "51-60",
        _ => ">60",
    }
}

/// The K8 item a retention line counts under.
fn retention_item(item: &str, partner: &str) -> String {
    match item {
        "referral" => partner.to_string(),
        "supervised_trial" => "supervised_trials".into(),
        "case_opened" => "cases_opened".into(),
        "case_closed" => "cases_closed".into(),
        other => other.to_string(),
    }
}

pub struct Frames {
    pub year: i32,
    pub sector_list: Vec<String>,
    pub start: i32,
    pub end: i32,
    pub members: DataFrame,
    pub declared: DataFrame,
    pub appointments: DataFrame,
    pub slots: DataFrame,
    pub sheets: DataFrame,
    pub actions: DataFrame,
    pub retention: DataFrame,
}

impl Frames {
    pub fn load(facts: &IndicatorFacts, year: i32) -> Result<Self, KpiError> {
        let (start, end) = year_bounds(year);
        let last_day = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December");
        let m = &facts.members;
        let members = df!(
            "establishment_id" => m.iter().map(|m| m.establishment_id).collect::<Vec<_>>(),
            "section" => m.iter().map(|m| {
                m.naf_code
                    .as_deref()
                    .and_then(domain::naf::find_naf)
                    .map_or("-".to_string(), |n| n.section.to_string())
            }).collect::<Vec<_>>(),
            "sector" => m.iter().map(|m| m.sector.clone()).collect::<Vec<_>>(),
            "team" => m.iter().map(|m| m.team.clone().unwrap_or_default()).collect::<Vec<_>>(),
            "kind" => m.iter().map(|m| m.kind.clone()).collect::<Vec<_>>(),
            "joined" => m.iter().map(|m| day(m.joined_on)).collect::<Vec<_>>(),
            "joined_plus_1y" => m.iter().map(|m| day(add_years(m.joined_on, 1))).collect::<Vec<_>>(),
            "struck" => m.iter().map(|m| m.struck_off_on.map(day)).collect::<Vec<_>>(),
            "reason" => m.iter().map(|m| m.strike_off_reason.clone().unwrap_or_default()).collect::<Vec<_>>(),
        )?;
        let d = &facts.declared;
        let declared = df!(
            "establishment_id" => d.iter().map(|l| l.establishment_id).collect::<Vec<_>>(),
            "year" => d.iter().map(|l| l.year).collect::<Vec<_>>(),
            "category" => d.iter().map(|l| l.category.clone()).collect::<Vec<_>>(),
            "sex" => d.iter().map(|l| l.sex.clone()).collect::<Vec<_>>(),
            "age_class" => d.iter().map(|l| age_class(age_on(l.birth_date, last_day)).to_string()).collect::<Vec<_>>(),
        )?;
        let a = &facts.appointments;
        let appointments = df!(
            "date" => a.iter().map(|a| day(a.date)).collect::<Vec<_>>(),
            "month" => a.iter().map(|a| a.date.format("%Y-%m").to_string()).collect::<Vec<_>>(),
            "kind" => a.iter().map(|a| a.kind.clone()).collect::<Vec<_>>(),
            "subtype" => a.iter().map(|a| a.subtype.clone()).collect::<Vec<_>>(),
            "performer" => a.iter().map(|a| a.performer.clone()).collect::<Vec<_>>(),
            "status" => a.iter().map(|a| a.status.clone()).collect::<Vec<_>>(),
            "teleconsultation" => a.iter().map(|a| i64::from(a.teleconsultation)).collect::<Vec<_>>(),
            "experimental" => a.iter().map(|a| i64::from(a.experimental)).collect::<Vec<_>>(),
            "professional" => a.iter().map(|a| a.professional.clone()).collect::<Vec<_>>(),
            "team" => a.iter().map(|a| a.team.clone()).collect::<Vec<_>>(),
        )?;
        let slots = df!(
            "date" => facts.slots.iter().map(|s| day(s.date)).collect::<Vec<_>>(),
            "role" => facts.slots.iter().map(|s| s.role.clone()).collect::<Vec<_>>(),
        )?;
        let sheets = df!(
            "establishment_id" => facts.sheets.iter().map(|s| s.establishment_id).collect::<Vec<_>>(),
            "started" => facts.sheets.iter().map(|s| s.started_on.map(day)).collect::<Vec<_>>(),
            "finalised" => facts.sheets.iter().map(|s| s.finalised_on.map(day)).collect::<Vec<_>>(),
        )?;
        let actions = df!(
            "establishment_id" => facts.actions.iter().map(|a| a.establishment_id).collect::<Vec<_>>(),
            "date" => facts.actions.iter().map(|a| day(a.date)).collect::<Vec<_>>(),
            "type" => facts.actions.iter().map(|a| a.kind.clone()).collect::<Vec<_>>(),
            // An empty `workers` cell counts 1 when the action names a worker, else 0.
            "workers" => facts.actions.iter().map(|a| a.workers.unwrap_or(i64::from(a.worker_id.is_some()))).collect::<Vec<_>>(),
        )?;
        let retention = df!(
            "date" => facts.retention.iter().map(|r| day(r.date)).collect::<Vec<_>>(),
            "item" => facts.retention.iter().map(|r| retention_item(&r.item, &r.partner)).collect::<Vec<_>>(),
        )?;
        Ok(Frames {
            year,
            sector_list: facts.sectors.clone(),
            start,
            end,
            members,
            declared,
            appointments,
            slots,
            sheets,
            actions,
            retention,
        })
    }

    /// Members active at the end of the year.
    pub fn active_members(&self) -> LazyFrame {
        let end = self.end;
        self.members.clone().lazy().filter(
            col("joined")
                .lt_eq(lit(end))
                .and(col("struck").is_null().or(col("struck").gt(lit(end)))),
        )
    }

    /// The declared workforce of each member for `year`, by category.
    pub fn workforce(&self, year: i32) -> LazyFrame {
        self.declared
            .clone()
            .lazy()
            .filter(col("year").eq(lit(year)))
            .group_by([col("establishment_id")])
            .agg([
                count_of(col("category").eq(lit("SIS"))).alias("sis"),
                count_of(col("category").eq(lit("SIA"))).alias("sia"),
                count_of(col("category").eq(lit("SIR"))).alias("sir"),
                len().cast(DataType::Int64).alias("workforce"),
            ])
    }

    /// Active members with their workforce of the year (0 when they did not declare).
    pub fn active_with_workforce(&self) -> LazyFrame {
        self.active_members()
            .join(
                self.workforce(self.year),
                [col("establishment_id")],
                [col("establishment_id")],
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                col("sis").fill_null(lit(0i64)),
                col("sia").fill_null(lit(0i64)),
                col("sir").fill_null(lit(0i64)),
                col("workforce").fill_null(lit(0i64)),
            ])
    }

    pub fn in_year(&self, column: &str) -> Expr {
        col(column)
            .gt_eq(lit(self.start))
            .and(col(column).lt_eq(lit(self.end)))
    }
}

/// How many rows satisfy a condition (inside an aggregation).
pub fn count_of(condition: Expr) -> Expr {
    condition.cast(DataType::Int64).sum()
}

/// A row of a grouped frame: its keys, its values.
pub type GroupRow = (Vec<String>, Vec<i64>);

/// Rows of a collected frame: its string key columns (null → "") and integer value columns
/// (null → 0).
pub fn rows(frame: LazyFrame, keys: &[&str], values: &[&str]) -> Result<Vec<GroupRow>, KpiError> {
    let df = frame.collect()?;
    let mut key_columns = Vec::new();
    for key in keys {
        let column = df.column(key)?.cast(&DataType::String)?;
        let strings = column.str()?;
        key_columns.push(
            (0..strings.len())
                .map(|i| strings.get(i).unwrap_or_default().to_string())
                .collect::<Vec<_>>(),
        );
    }
    let mut value_columns = Vec::new();
    for value in values {
        let column = df.column(value)?.cast(&DataType::Int64)?;
        let numbers = column.i64()?;
        value_columns.push(
            (0..numbers.len())
                .map(|i| numbers.get(i).unwrap_or(0))
                .collect::<Vec<_>>(),
        );
    }
    Ok((0..df.height())
        .map(|i| {
            (
                key_columns.iter().map(|c| c[i].clone()).collect(),
                value_columns.iter().map(|c| c[i]).collect(),
            )
        })
        .collect())
}

/// The facts within a scope: the team's (or the sector's teams') members, their
/// declarations, sheets, actions and workers' PDP lines, the appointments and slots of the
/// team's professionals.
pub fn restrict(facts: &IndicatorFacts, scope: &Scope) -> Result<IndicatorFacts, KpiError> {
    if scope.team.is_none() && scope.sector.is_none() {
        return Ok(facts.clone());
    }
    if let Some(sector) = &scope.sector
        && !facts.sectors.contains(sector)
    {
        return Err(KpiError::Invalid(format!(
            "Secteur : code « {sector} » inconnu"
        )));
    }
    if let Some(team) = &scope.team
        && !facts.teams.iter().any(|(code, _)| code == team)
    {
        return Err(KpiError::Invalid(format!(
            "Équipe : code « {team} » inconnue"
        )));
    }
    let teams: Vec<(String, String)> = facts
        .teams
        .iter()
        .filter(|(code, sector)| {
            scope.team.as_ref().is_none_or(|t| t == code)
                && scope.sector.as_ref().is_none_or(|s| s == sector)
        })
        .cloned()
        .collect();
    let team_codes: HashSet<&str> = teams.iter().map(|(c, _)| c.as_str()).collect();
    let in_scope_team =
        |team: &Option<String>| team.as_deref().is_some_and(|t| team_codes.contains(t));
    let members: Vec<_> = facts
        .members
        .iter()
        .filter(|m| {
            // A sector without a team filter keeps its members that have no team.
            in_scope_team(&m.team)
                || (scope.team.is_none() && scope.sector.as_ref() == Some(&m.sector))
        })
        .cloned()
        .collect();
    let ids: HashSet<i64> = members.iter().map(|m| m.establishment_id).collect();
    let employed: HashSet<i64> = facts
        .employments
        .iter()
        .filter(|e| ids.contains(&e.establishment_id))
        .map(|e| e.worker_id)
        .collect();
    Ok(IndicatorFacts {
        sectors: facts
            .sectors
            .iter()
            .filter(|s| {
                scope.sector.as_ref().is_none_or(|x| x == *s)
                    && (scope.team.is_none() || teams.iter().any(|(_, ts)| ts == *s))
            })
            .cloned()
            .collect(),
        members,
        declared: facts
            .declared
            .iter()
            .filter(|l| ids.contains(&l.establishment_id))
            .cloned()
            .collect(),
        employments: facts
            .employments
            .iter()
            .filter(|e| ids.contains(&e.establishment_id))
            .cloned()
            .collect(),
        appointments: facts
            .appointments
            .iter()
            .filter(|a| match &a.team {
                Some(_) => in_scope_team(&a.team),
                None => a.establishment_id.is_some_and(|e| ids.contains(&e)),
            })
            .cloned()
            .collect(),
        slots: facts
            .slots
            .iter()
            .filter(|s| in_scope_team(&s.team))
            .cloned()
            .collect(),
        sheets: facts
            .sheets
            .iter()
            .filter(|s| ids.contains(&s.establishment_id))
            .cloned()
            .collect(),
        actions: facts
            .actions
            .iter()
            .filter(|a| ids.contains(&a.establishment_id))
            .cloned()
            .collect(),
        retention: facts
            .retention
            .iter()
            .filter(|r| employed.contains(&r.worker_id))
            .cloned()
            .collect(),
        teams,
    })
}
