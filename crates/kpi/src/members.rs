//! Members and workforce: K1 (by NAF section), K2 (by sector and size), K9 (membership
//! flows), K10 (workforce by age and sex).

use std::collections::HashMap;

use polars::prelude::*;

use crate::KpiError;
use crate::frames::{AGE_CLASSES, Frames, count_of, rows};
use crate::table::{Table, int, text};

pub fn k1_k2(frames: &Frames) -> Result<Vec<Table>, KpiError> {
    let active = frames.active_with_workforce();
    let sums = || {
        [
            len().cast(DataType::Int64).alias("members"),
            col("sir").sum().alias("sir"),
            col("sia").sum().alias("sia"),
            col("sis").sum().alias("sis"),
            col("workforce").sum().alias("workforce"),
        ]
    };
    let mut k1 = Table::new(
        "K1",
        &[
            "section",
            "label",
            "members",
            "sir",
            "sia",
            "sis",
            "workforce",
        ],
    );
    let mut by_section = rows(
        active.clone().group_by([col("section")]).agg(sums()),
        &["section"],
        &["members", "sir", "sia", "sis", "workforce"],
    )?;
    // Sections A..U, then the members without a NAF code.
    by_section.sort_by_key(|(k, _)| (k[0] == "-", k[0].clone()));
    for (key, v) in by_section {
        let section = key[0].clone();
        let label = section
            .chars()
            .next()
            .and_then(domain::naf::section_label)
            .unwrap_or("Sans code NAF");
        k1.push(vec![
            ("section", text(section.clone())),
            ("label", text(label)),
            ("members", int(v[0])),
            ("sir", int(v[1])),
            ("sia", int(v[2])),
            ("sis", int(v[3])),
            ("workforce", int(v[4])),
        ]);
    }

    let band = |lower: i64, upper: Option<i64>| {
        let above = col("workforce").gt_eq(lit(lower));
        count_of(match upper {
            Some(upper) => above.and(col("workforce").lt_eq(lit(upper))),
            None => above,
        })
    };
    let k2_aggs = || {
        let mut aggs = vec![
            band(0, Some(19)).alias("lt20"),
            band(20, Some(49)).alias("from20to49"),
            band(50, Some(299)).alias("from50to299"),
            band(300, None).alias("ge300"),
        ];
        aggs.extend(sums());
        aggs
    };
    let fields = [
        "lt20",
        "from20to49",
        "from50to299",
        "ge300",
        "members",
        "sis",
        "sir",
        "sia",
        "workforce",
    ];
    let by_sector: HashMap<String, Vec<i64>> = rows(
        active.clone().group_by([col("sector")]).agg(k2_aggs()),
        &["sector"],
        &fields,
    )?
    .into_iter()
    .map(|(k, v)| (k[0].clone(), v))
    .collect();
    let total = rows(
        active
            .with_column(lit("TOTAL").alias("all"))
            .group_by([col("all")])
            .agg(k2_aggs()),
        &["all"],
        &fields,
    )?
    .into_iter()
    .next()
    .map_or(vec![0; fields.len()], |(_, v)| v);
    let mut k2_fields = vec!["sector"];
    k2_fields.extend(fields);
    let mut k2 = Table::new("K2", &k2_fields);
    let zero = vec![0; fields.len()];
    let sectors = &frames.sector_list;
    for sector in sectors.iter().map(String::as_str).chain(["TOTAL"]) {
        let values = if sector == "TOTAL" {
            &total
        } else {
            by_sector.get(sector).unwrap_or(&zero)
        };
        let mut record = vec![("sector", text(sector))];
        record.extend(fields.iter().zip(values).map(|(f, v)| (*f, int(*v))));
        k2.push(record);
    }
    Ok(vec![k1, k2])
}

pub fn k9(frames: &Frames) -> Result<Table, KpiError> {
    let year = frames.year;
    let members = frames.members.clone().lazy();
    let joined_in_year = frames.in_year("joined");
    let struck_in_year = frames.in_year("struck");
    let flags = rows(
        members
            .clone()
            .join(
                frames.workforce(year),
                [col("establishment_id")],
                [col("establishment_id")],
                JoinArgs::new(JoinType::Left),
            )
            .with_column(lit(1).alias("one"))
            .group_by([col("one")])
            .agg([
                count_of(joined_in_year.clone()).alias("new_members"),
                col("workforce")
                    .fill_null(lit(0i64))
                    .filter(joined_in_year.clone())
                    .sum()
                    .alias("new_members_workforce"),
                count_of(struck_in_year.clone()).alias("struck_off"),
                count_of(
                    struck_in_year.clone().and(
                        col("reason")
                            .eq(lit("unpaid"))
                            .or(col("reason").eq(lit("breach_of_obligations"))),
                    ),
                )
                .alias("struck_off_for_obligations"),
                count_of(joined_in_year.and(col("kind").eq(lit("self_employed"))))
                    .alias("self_employed_affiliations"),
            ]),
        &["one"],
        &[
            "new_members",
            "new_members_workforce",
            "struck_off",
            "struck_off_for_obligations",
            "self_employed_affiliations",
        ],
    )?
    .into_iter()
    .next()
    .map_or(vec![0; 5], |(_, v)| v);
    // The workforce of the members struck off in the year, in their latest declaration.
    let struck: Vec<i64> = rows(
        members
            .filter(struck_in_year)
            .select([col("establishment_id")]),
        &["establishment_id"],
        &[],
    )?
    .into_iter()
    .filter_map(|(k, _)| k[0].parse().ok())
    .collect();
    let declared = rows(
        frames
            .declared
            .clone()
            .lazy()
            .filter(col("year").lt_eq(lit(year)))
            .group_by([col("establishment_id"), col("year")])
            .agg([len().cast(DataType::Int64).alias("lines")]),
        &["establishment_id", "year"],
        &["lines"],
    )?;
    let mut latest: HashMap<i64, (i64, i64)> = HashMap::new();
    for (k, v) in declared {
        let (Ok(id), Ok(y)) = (k[0].parse::<i64>(), k[1].parse::<i64>()) else {
            continue;
        };
        let entry = latest.entry(id).or_insert((y, v[0]));
        if y > entry.0 {
            *entry = (y, v[0]);
        }
    }
    let struck_workforce: i64 = struck
        .iter()
        .map(|id| latest.get(id).map_or(0, |(_, n)| *n))
        .sum();
    let mut k9 = Table::new(
        "K9",
        &[
            "new_members",
            "new_members_workforce",
            "struck_off",
            "struck_off_workforce",
            "struck_off_for_obligations",
            "self_employed_affiliations",
        ],
    );
    k9.push(vec![
        ("new_members", int(flags[0])),
        ("new_members_workforce", int(flags[1])),
        ("struck_off", int(flags[2])),
        ("struck_off_workforce", int(struck_workforce)),
        ("struck_off_for_obligations", int(flags[3])),
        ("self_employed_affiliations", int(flags[4])),
    ]);
    Ok(k9)
}

pub fn k10(frames: &Frames) -> Result<Table, KpiError> {
    let counts: HashMap<(String, String), i64> = rows(
        frames
            .declared
            .clone()
            .lazy()
            .filter(col("year").eq(lit(frames.year)))
            .group_by([col("age_class"), col("sex")])
            .agg([len().cast(DataType::Int64).alias("count")]),
        &["age_class", "sex"],
        &["count"],
    )?
    .into_iter()
    .map(|(k, v)| ((k[0].clone(), k[1].clone()), v[0]))
    .collect();
    let mut k10 = Table::new("K10", &["age_class", "sex", "count"]);
    for class in AGE_CLASSES {
        for sex in ["F", "M"] {
            let count = counts
                .get(&(class.to_string(), sex.to_string()))
                .copied()
                .unwrap_or(0);
            k10.push(vec![
                ("age_class", text(class)),
                ("sex", text(sex)),
                ("count", int(count)),
            ]);
        }
    }
    Ok(k10)
}
