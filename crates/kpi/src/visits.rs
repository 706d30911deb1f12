//! Health appointments: K3 (done, by kind, subtype and performer), K4 and its variants
//! (attendance), K5 (capacity).

use std::collections::HashMap;

use polars::prelude::*;

use crate::KpiError;
use crate::frames::{Frames, count_of, rows};
use crate::table::{Cell, Table, int, rate, text};

pub fn k3_k4_k5(frames: &Frames) -> Result<Vec<Table>, KpiError> {
    let appointments = frames.appointments.clone().lazy();
    let in_year = frames.in_year("date");
    let done = col("status").eq(lit("done"));

    let mut k3 = Table::new(
        "K3",
        &[
            "kind",
            "subtype",
            "performer",
            "count",
            "teleconsultation",
            "experimental",
        ],
    );
    let mut by_kind = rows(
        appointments
            .clone()
            .filter(in_year.clone().and(done.clone()))
            .group_by([col("kind"), col("subtype"), col("performer")])
            .agg([
                len().cast(DataType::Int64).alias("count"),
                col("teleconsultation").sum().alias("teleconsultation"),
                col("experimental").sum().alias("experimental"),
            ]),
        &["kind", "subtype", "performer"],
        &["count", "teleconsultation", "experimental"],
    )?;
    by_kind.sort();
    for (k, v) in by_kind {
        k3.push(vec![
            ("kind", text(k[0].clone())),
            ("subtype", text(k[1].clone())),
            ("performer", text(k[2].clone())),
            ("count", int(v[0])),
            ("teleconsultation", int(v[1])),
            ("experimental", int(v[2])),
        ]);
    }

    let counted = appointments.clone().filter(
        in_year.clone().and(
            col("status")
                .eq(lit("done"))
                .or(col("status").eq(lit("absent")))
                .or(col("status").eq(lit("excused")))
                .or(col("status").eq(lit("excused_replaced"))),
        ),
    );
    let attendance = |key: &str| -> Result<Vec<(String, [i64; 4])>, KpiError> {
        let mut out: Vec<(String, [i64; 4])> = rows(
            counted
                .clone()
                .filter(col(key).is_not_null())
                .group_by([col(key)])
                .agg([
                    count_of(col("status").eq(lit("done"))).alias("done"),
                    count_of(col("status").eq(lit("absent"))).alias("absent"),
                    count_of(
                        col("status")
                            .eq(lit("excused"))
                            .or(col("status").eq(lit("excused_replaced"))),
                    )
                    .alias("excused"),
                    count_of(col("status").eq(lit("excused_replaced"))).alias("excused_replaced"),
                ]),
            &[key],
            &["done", "absent", "excused", "excused_replaced"],
        )?
        .into_iter()
        .map(|(k, v)| (k[0].clone(), [v[0], v[1], v[2], v[3]]))
        .collect();
        out.sort();
        Ok(out)
    };
    let figures = |key_field: &'static str, key: String, v: [i64; 4]| {
        let [done, absent, excused, replaced] = v;
        vec![
            (key_field, text(key)),
            ("done", int(done)),
            ("absent", int(absent)),
            ("excused", int(excused)),
            ("excused_replaced", int(replaced)),
            ("no_show_rate", rate(absent, done + absent)),
            (
                "lost_rate_before_replacement",
                rate(absent + excused, done + absent + excused),
            ),
            (
                "lost_rate",
                rate(
                    absent + excused - replaced,
                    done + absent + excused - replaced,
                ),
            ),
        ]
    };
    let fields_with = |key: &'static str| {
        vec![
            key,
            "done",
            "absent",
            "excused",
            "excused_replaced",
            "no_show_rate",
            "lost_rate_before_replacement",
            "lost_rate",
        ]
    };
    let mut k4 = Table::new("K4", &fields_with("performer"));
    let per_performer: HashMap<String, [i64; 4]> = attendance("performer")?.into_iter().collect();
    let mut all = [0i64; 4];
    for performer in ["doctor", "nurse"] {
        let v = per_performer.get(performer).copied().unwrap_or([0; 4]);
        for (total, x) in all.iter_mut().zip(v) {
            *total += x;
        }
        k4.push(figures("performer", performer.into(), v));
    }
    k4.push(figures("performer", "all".into(), all));
    let mut tables = vec![k3, k4];
    for (id, key) in [
        ("K4_team", "team"),
        ("K4_professional", "professional"),
        ("K4_month", "month"),
    ] {
        let mut table = Table::new(id, &fields_with(key));
        for (k, v) in attendance(key)? {
            table.push(figures(key, k, v));
        }
        tables.push(table);
    }

    let slots: HashMap<String, i64> = rows(
        frames
            .slots
            .clone()
            .lazy()
            .filter(in_year.clone())
            .group_by([col("role")])
            .agg([len().cast(DataType::Int64).alias("slots")]),
        &["role"],
        &["slots"],
    )?
    .into_iter()
    .map(|(k, v)| (k[0].clone(), v[0]))
    .collect();
    let done_by: HashMap<String, i64> = rows(
        appointments
            .filter(in_year.and(done))
            .group_by([col("performer")])
            .agg([len().cast(DataType::Int64).alias("done")]),
        &["performer"],
        &["done"],
    )?
    .into_iter()
    .map(|(k, v)| (k[0].clone(), v[0]))
    .collect();
    let mut k5 = Table::new("K5", &["performer", "slots", "done", "use_rate"]);
    let (mut all_slots, mut all_done) = (0, 0);
    let capacity = |performer: &str, slots: i64, done: i64| -> Vec<(&'static str, Cell)> {
        vec![
            ("performer", text(performer)),
            ("slots", int(slots)),
            ("done", int(done)),
            ("use_rate", rate(done, slots)),
        ]
    };
    for performer in ["doctor", "nurse"] {
        let s = slots.get(performer).copied().unwrap_or(0);
        let d = done_by.get(performer).copied().unwrap_or(0);
        all_slots += s;
        all_done += d;
        k5.push(capacity(performer, s, d));
    }
    k5.push(capacity("all", all_slots, all_done));
    tables.push(k5);
    Ok(tables)
}
