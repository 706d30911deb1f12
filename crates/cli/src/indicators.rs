//! `spsti kpi --year Y --format json|csv|xlsx|html [--out FILE] [--team T] [--sector S]`: the
//! tables of KPI.md for a year, and the annual activity report.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use store::Db;

use crate::{Failure, invalid};

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum KpiFormat {
    Json,
    Csv,
    Xlsx,
    Html,
}

#[derive(Args)]
pub(crate) struct KpiArgs {
    /// The year (YYYY).
    #[arg(long)]
    year: String,
    #[arg(long, value_enum, default_value = "json")]
    format: KpiFormat,
    /// The file (json) or folder (csv: one file per table) to write; json goes to the
    /// standard output without it.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only this team's members, professionals and slots.
    #[arg(long)]
    team: Option<String>,
    /// Only this sector's.
    #[arg(long)]
    sector: Option<String>,
    /// Benchmark: compute on N copies of the year's facts (ids offset), as a service N times
    /// larger would have them.
    #[arg(long, default_value_t = 1, hide = true)]
    replicate: usize,
}

/// The year of `--year`, in French when it is not one.
pub(crate) fn parse_year(text: &str) -> Result<i32, Failure> {
    match text.trim().parse::<i32>() {
        Ok(year) if (1900..=2200).contains(&year) && text.trim().len() == 4 => Ok(year),
        _ => Err(invalid(format!(
            "Année : « {text} » n'est pas une année (AAAA, par exemple 2026)"
        ))),
    }
}

pub(crate) async fn run(db: &Db, args: KpiArgs) -> Result<(), Failure> {
    let year = parse_year(&args.year)?;
    let scope = kpi::Scope {
        team: args.team.filter(|t| !t.trim().is_empty()),
        sector: args.sector.filter(|s| !s.trim().is_empty()),
    };
    let started = std::time::Instant::now();
    let facts = kpi::replicate(&db.load_indicator_facts(year).await?, args.replicate.max(1));
    let loaded = started.elapsed();
    let tables = kpi::compute_tables(&facts, year, &scope).map_err(|e| match e {
        kpi::KpiError::Invalid(message) => invalid(message),
        other => Failure::from(other),
    })?;
    tracing::info!(
        load_ms = loaded.as_millis() as u64,
        compute_ms = (started.elapsed() - loaded).as_millis() as u64,
        "kpi computed"
    );
    match args.format {
        KpiFormat::Json => {
            let json = serde_json::to_string_pretty(&kpi::tables_json(&tables))?;
            match args.out {
                Some(path) => std::fs::write(path, json)?,
                None => {
                    use std::io::Write;
                    // A closed pipe (`| head`) is the reader's choice, not an error.
                    match writeln!(std::io::stdout(), "{json}") {
                        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                            return Err(e.into());
                        }
                        _ => {}
                    }
                }
            }
        }
        KpiFormat::Xlsx | KpiFormat::Html => {
            let Some(path) = args.out else {
                return Err(invalid("--out : indiquez le fichier à écrire"));
            };
            let bytes = match args.format {
                KpiFormat::Xlsx => kpi::xlsx::tables_xlsx(&tables)?,
                _ => {
                    let mut tables = tables.clone();
                    tables
                        .push(web::services::programmes::programmes_table(db, year, &scope).await?);
                    let report = kpi::report::build_report(
                        &kpi::report::annual_definition(),
                        &tables,
                        year,
                        &kpi::report::scope_label(&scope),
                    );
                    kpi::report::report_html(&report).into_bytes()
                }
            };
            std::fs::write(&path, bytes)?;
            println!("{} écrit", path.display());
        }
        KpiFormat::Csv => {
            let Some(folder) = args.out else {
                return Err(invalid(
                    "--out : indiquez le dossier où écrire un fichier CSV par tableau",
                ));
            };
            std::fs::create_dir_all(&folder)?;
            for table in &tables {
                std::fs::write(
                    folder.join(format!("{}.csv", table.id)),
                    kpi::export::table_csv(table),
                )?;
            }
            println!("{} tableaux écrits dans {}", tables.len(), folder.display());
        }
    }
    Ok(())
}
