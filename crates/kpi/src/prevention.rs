//! Prevention: K6 (fiches d'entreprise, overall and per sector and team), K7 (actions on the
//! work site), K8 (prevention of job loss).

use std::collections::HashMap;

use domain::prevention::ACTION_TYPES;
use domain::prevention::pdp::{ADVICE_TYPES, PARTNERS};
use polars::prelude::*;

use crate::KpiError;
use crate::frames::{Frames, count_of, rows};
use crate::table::{Table, int, rate, text};

/// Each member with its K6/K7 flags: active at the end of the year, covered by a fiche of
/// the last 4 years, new the year before (and covered within a year of joining), reached by
/// an action or a fiche in the last 4 years.
fn member_flags(frames: &Frames) -> LazyFrame {
    let end = frames.end;
    let four_years_back = crate::frames::year_bounds(frames.year - 4).1;
    let window_start = crate::frames::year_bounds(frames.year - 3).0;
    let (prev_start, prev_end) = crate::frames::year_bounds(frames.year - 1);
    let sheets = frames.sheets.clone().lazy();
    let per_member = |frame: LazyFrame, name: &str| {
        frame
            .group_by([col("establishment_id")])
            .agg([len().cast(DataType::Int64).alias(name)])
    };
    let covered = per_member(
        sheets.clone().filter(
            col("finalised")
                .gt_eq(lit(four_years_back))
                .and(col("finalised").lt_eq(lit(end))),
        ),
        "covering_sheets",
    );
    let sheet_in_window = |c: &str| col(c).gt_eq(lit(window_start)).and(col(c).lt_eq(lit(end)));
    let reached_by_sheet = per_member(
        sheets
            .clone()
            .filter(sheet_in_window("started").or(sheet_in_window("finalised"))),
        "window_sheets",
    );
    let reached_by_action = per_member(
        frames.actions.clone().lazy().filter(
            col("date")
                .gt_eq(lit(window_start))
                .and(col("date").lt_eq(lit(end))),
        ),
        "window_actions",
    );
    let members = frames.members.clone().lazy();
    let on_time = per_member(
        members
            .clone()
            .select([
                col("establishment_id"),
                col("joined"),
                col("joined_plus_1y"),
            ])
            .join(
                sheets,
                [col("establishment_id")],
                [col("establishment_id")],
                JoinArgs::new(JoinType::Inner),
            )
            .filter(
                col("finalised")
                    .gt_eq(col("joined"))
                    .and(col("finalised").lt_eq(col("joined_plus_1y"))),
            ),
        "sheets_on_time",
    );
    let left = |frame: LazyFrame, other: LazyFrame| {
        frame.join(
            other,
            [col("establishment_id")],
            [col("establishment_id")],
            JoinArgs::new(JoinType::Left),
        )
    };
    let active = col("joined")
        .lt_eq(lit(end))
        .and(col("struck").is_null().or(col("struck").gt(lit(end))));
    let new_prev = col("joined")
        .gt_eq(lit(prev_start))
        .and(col("joined").lt_eq(lit(prev_end)));
    left(
        left(
            left(left(members, covered), reached_by_sheet),
            reached_by_action,
        ),
        on_time,
    )
    .with_columns([
        active.clone().cast(DataType::Int64).alias("active"),
        active
            .clone()
            .and(col("covering_sheets").is_not_null())
            .cast(DataType::Int64)
            .alias("covered"),
        new_prev.clone().cast(DataType::Int64).alias("new_prev"),
        new_prev
            .and(col("sheets_on_time").is_not_null())
            .cast(DataType::Int64)
            .alias("new_with_fe"),
        active
            .and(
                col("window_sheets")
                    .is_not_null()
                    .or(col("window_actions").is_not_null()),
            )
            .cast(DataType::Int64)
            .alias("reached"),
    ])
}

const K6_FIELDS: [&str; 8] = [
    "actions",
    "finalised",
    "active_members",
    "covered",
    "coverage_rate",
    "new_members_prev_year",
    "new_members_with_fe_in_12_months",
    "new_member_fe_rate",
];

pub fn k6(
    frames: &Frames,
    sectors: &[String],
    teams: &[(String, String)],
) -> Result<Vec<Table>, KpiError> {
    let flags = member_flags(frames).with_column(lit("all").alias("all"));
    let sheet_counts = frames
        .sheets
        .clone()
        .lazy()
        .join(
            frames.members.clone().lazy().select([
                col("establishment_id"),
                col("sector"),
                col("team"),
            ]),
            [col("establishment_id")],
            [col("establishment_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(lit("all").alias("all"));
    let per = |key: &str| -> Result<HashMap<String, [i64; 6]>, KpiError> {
        let members: HashMap<String, Vec<i64>> = rows(
            flags.clone().group_by([col(key)]).agg([
                col("active").sum().alias("active"),
                col("covered").sum().alias("covered"),
                col("new_prev").sum().alias("new_prev"),
                col("new_with_fe").sum().alias("new_with_fe"),
            ]),
            &[key],
            &["active", "covered", "new_prev", "new_with_fe"],
        )?
        .into_iter()
        .map(|(k, v)| (k[0].clone(), v))
        .collect();
        let sheets: HashMap<String, Vec<i64>> = rows(
            sheet_counts.clone().group_by([col(key)]).agg([
                count_of(frames.in_year("started").or(frames.in_year("finalised")))
                    .alias("actions"),
                count_of(frames.in_year("finalised")).alias("finalised"),
            ]),
            &[key],
            &["actions", "finalised"],
        )?
        .into_iter()
        .map(|(k, v)| (k[0].clone(), v))
        .collect();
        let keys: std::collections::BTreeSet<&String> =
            members.keys().chain(sheets.keys()).collect();
        Ok(keys
            .into_iter()
            .map(|k| {
                let s = sheets.get(k).cloned().unwrap_or(vec![0, 0]);
                let m = members.get(k).cloned().unwrap_or(vec![0, 0, 0, 0]);
                (k.clone(), [s[0], s[1], m[0], m[1], m[2], m[3]])
            })
            .collect())
    };
    let record = |key: Option<(&'static str, &str)>, v: [i64; 6]| {
        let [actions, finalised, active, covered, new_prev, new_with_fe] = v;
        let mut record = Vec::new();
        if let Some((field, value)) = key {
            record.push((field, text(value)));
        }
        record.extend([
            ("actions", int(actions)),
            ("finalised", int(finalised)),
            ("active_members", int(active)),
            ("covered", int(covered)),
            ("coverage_rate", rate(covered, active)),
            ("new_members_prev_year", int(new_prev)),
            ("new_members_with_fe_in_12_months", int(new_with_fe)),
            ("new_member_fe_rate", rate(new_with_fe, new_prev)),
        ]);
        record
    };
    let mut k6 = Table::new("K6", &K6_FIELDS);
    k6.push(record(
        None,
        per("all")?.get("all").copied().unwrap_or([0; 6]),
    ));
    let mut tables = vec![k6];
    for (id, key, list) in [
        ("K6_sector", "sector", sectors.to_vec()),
        (
            "K6_team",
            "team",
            teams.iter().map(|(code, _)| code.clone()).collect(),
        ),
    ] {
        let mut fields = vec![key];
        fields.extend(K6_FIELDS);
        let mut table = Table::new(id, &fields);
        let figures = per(key)?;
        for code in &list {
            table.push(record(
                Some((key, code)),
                figures.get(code).copied().unwrap_or([0; 6]),
            ));
        }
        tables.push(table);
    }
    Ok(tables)
}

pub fn k7(frames: &Frames) -> Result<Table, KpiError> {
    let by_type: HashMap<String, Vec<i64>> = rows(
        frames
            .actions
            .clone()
            .lazy()
            .filter(frames.in_year("date"))
            .group_by([col("type")])
            .agg([
                len().cast(DataType::Int64).alias("count"),
                col("establishment_id")
                    .n_unique()
                    .cast(DataType::Int64)
                    .alias("companies"),
                col("workers").sum().alias("workers"),
            ]),
        &["type"],
        &["count", "companies", "workers"],
    )?
    .into_iter()
    .map(|(k, v)| (k[0].clone(), v))
    .collect();
    let mut k7 = Table::new("K7", &["type", "count", "companies", "workers"]);
    for (code, _) in ACTION_TYPES {
        let v = by_type.get(code).cloned().unwrap_or(vec![0, 0, 0]);
        k7.push(vec![
            ("type", text(code)),
            ("count", int(v[0])),
            ("companies", int(v[1])),
            ("workers", int(v[2])),
        ]);
    }
    let reached = rows(
        member_flags(frames)
            .with_column(lit("all").alias("all"))
            .group_by([col("all")])
            .agg([
                col("reached").sum().alias("reached"),
                col("active").sum().alias("active"),
            ]),
        &["all"],
        &["reached", "active"],
    )?
    .into_iter()
    .next()
    .map_or(vec![0, 0], |(_, v)| v);
    k7.push(vec![
        ("type", text("members_reached_4y")),
        ("count", int(reached[0])),
        ("companies", int(0)),
        ("workers", int(0)),
        ("rate", rate(reached[0], reached[1])),
    ]);
    Ok(k7)
}

pub fn k8(frames: &Frames) -> Result<Table, KpiError> {
    let lines: HashMap<String, i64> = rows(
        frames
            .retention
            .clone()
            .lazy()
            .filter(frames.in_year("date"))
            .group_by([col("item")])
            .agg([len().cast(DataType::Int64).alias("count")]),
        &["item"],
        &["count"],
    )?
    .into_iter()
    .map(|(k, v)| (k[0].clone(), v[0]))
    .collect();
    let done = frames.in_year("date").and(col("status").eq(lit("done")));
    let visits = rows(
        frames
            .appointments
            .clone()
            .lazy()
            .filter(done)
            .with_column(lit("all").alias("all"))
            .group_by([col("all")])
            .agg([
                count_of(
                    col("kind")
                        .eq(lit("PRE_RETURN"))
                        .and(col("subtype").eq(lit("occupational_doctor"))),
                )
                .alias("pre_return"),
                count_of(col("kind").eq(lit("MID_CAREER"))).alias("mid_career"),
            ]),
        &["all"],
        &["pre_return", "mid_career"],
    )?
    .into_iter()
    .next()
    .map_or(vec![0, 0], |(_, v)| v);
    let studies = rows(
        frames
            .actions
            .clone()
            .lazy()
            .filter(
                frames
                    .in_year("date")
                    .and(col("type").eq(lit("workstation_study"))),
            )
            .with_column(lit("all").alias("all"))
            .group_by([col("all")])
            .agg([len().cast(DataType::Int64).alias("count")]),
        &["all"],
        &["count"],
    )?
    .into_iter()
    .next()
    .map_or(0, |(_, v)| v[0]);
    let mut k8 = Table::new("K8", &["item", "count"]);
    let line = |item: &str| lines.get(item).copied().unwrap_or(0);
    let mut items: Vec<(&str, i64)> = Vec::new();
    items.extend(ADVICE_TYPES.iter().map(|(code, _)| (*code, line(code))));
    items.extend(PARTNERS.iter().map(|(code, _)| (*code, line(code))));
    items.extend([
        ("supervised_trials", line("supervised_trials")),
        ("pre_return_by_occupational_doctor", visits[0]),
        ("mid_career_visits", visits[1]),
        ("workstation_studies", studies),
        ("cases_opened", line("cases_opened")),
        ("cases_closed", line("cases_closed")),
    ]);
    for (item, count) in items {
        k8.push(vec![("item", text(item)), ("count", int(count))]);
    }
    Ok(k8)
}
