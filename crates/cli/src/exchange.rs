//! `spsti import`, `spsti export`: the exchange files of DATA-FORMATS.md.

use std::path::PathBuf;

use clap::Args;
use domain::exchange::{FileKind, Rows};
use indicatif::{ProgressBar, ProgressStyle};
use store::{Actor, Db, ImportOptions};

use crate::{Failure, invalid};

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// The CSV or XLSX file.
    file: PathBuf,
    /// sectors, teams, centres, professionals, companies, workers, slots, appointments,
    /// risk_sheets, workplace_actions or retention; guessed from the header when absent.
    #[arg(long)]
    kind: Option<String>,
    /// Check the file and report, without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Write nothing when any line is refused.
    #[arg(long)]
    strict: bool,
}

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// One kind of file; `all` writes every kind into the folder `--out`.
    #[arg(long)]
    kind: String,
    /// The file (or folder with `--kind all`); the standard output without it.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub(crate) fn parse_kind(code: &str) -> Result<FileKind, Failure> {
    FileKind::from_code(code.trim()).ok_or_else(|| {
        invalid(format!(
            "Type de fichier (--kind) : « {code} » inconnu (attendu : {})",
            FileKind::codes().join(", ")
        ))
    })
}

/// A progress bar on the terminal (hidden when the output is not one).
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} lignes ({elapsed})")
            .expect("valid template"),
    );
    bar
}

pub(crate) async fn run_import(db: &Db, args: ImportArgs) -> Result<(), Failure> {
    let kind = args.kind.as_deref().map(parse_kind).transpose()?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| invalid(format!("Fichier : {} illisible ({e})", args.file.display())))?;
    let parsed = import::parse_file(&bytes, kind)
        .map_err(|e| invalid(format!("{} : {e}", args.file.display())))?;
    let bar = progress_bar();
    let on_progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let outcome = db
        .import_rows(
            &Actor("cli:import".into()),
            &parsed.rows,
            ImportOptions {
                dry_run: args.dry_run,
                strict: args.strict,
            },
            parsed.rejected.len(),
            &on_progress,
        )
        .await?;
    bar.finish_and_clear();
    let report = web::services::imports::report(&parsed, outcome, args.dry_run);
    print!("{}", report.text());
    if report.rejected.is_empty() {
        Ok(())
    } else {
        Err(invalid(format!(
            "{} ligne(s) rejetée(s), voir le rapport ci-dessus",
            report.rejected.len()
        )))
    }
}

fn write_out(out: Option<&PathBuf>, bytes: &[u8]) -> Result<(), Failure> {
    match out {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| Failure::from(format!("écriture de {} : {e}", path.display()))),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(bytes).map_err(Failure::from)
        }
    }
}

pub(crate) async fn run_export(db: &Db, args: ExportArgs) -> Result<(), Failure> {
    if args.kind.trim() == "all" {
        let folder = args
            .out
            .ok_or_else(|| invalid("Dossier (--out) : obligatoire avec --kind all"))?;
        std::fs::create_dir_all(&folder)
            .map_err(|e| Failure::from(format!("dossier {} : {e}", folder.display())))?;
        for kind in FileKind::ALL {
            let rows: Rows = db.export_rows(kind).await?;
            let path = folder.join(format!("{}.csv", kind.code()));
            write_out(Some(&path), &import::write_csv(&rows))?;
            eprintln!("{} : {} lignes", path.display(), rows.len());
        }
        return Ok(());
    }
    let kind = parse_kind(&args.kind)?;
    let rows = db.export_rows(kind).await?;
    write_out(args.out.as_ref(), &import::write_csv(&rows))
}

#[derive(Args)]
pub(crate) struct ImportDsnArgs {
    /// Monthly DSN files (applied in the order of their months).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Check the files and report, without writing anything.
    #[arg(long)]
    dry_run: bool,
}

/// `spsti import-dsn FILE…`: each establishment's month in its own transaction, the months
/// in order; a file that cannot be read, or of a company that is not a member, is reported
/// and nothing of it is written.
pub(crate) async fn run_import_dsn(db: &Db, args: ImportDsnArgs) -> Result<(), Failure> {
    let mut months = Vec::new();
    let mut failures = 0;
    for file in &args.files {
        let bytes = std::fs::read(file)
            .map_err(|e| invalid(format!("Fichier : {} illisible ({e})", file.display())))?;
        match import::dsn::read_payroll(&bytes) {
            Ok(read) => months.extend(read.into_iter().map(|m| (file, m))),
            Err(error) => {
                failures += 1;
                println!(
                    "{} : rejeté, {error} ; rien n'a été importé",
                    file.display()
                );
            }
        }
    }
    months.sort_by_key(|(_, m)| m.month);
    let actor = Actor("cli:import-dsn".into());
    for (file, month) in months {
        let label = format!(
            "{} ({}, {})",
            file.display(),
            month.siret,
            month.month.format("%m/%Y")
        );
        match db
            .import_payroll_month(&actor, &month, false, args.dry_run)
            .await
        {
            Ok(outcome) if !outcome.member => {
                failures += 1;
                println!(
                    "{label} : l'établissement {} n'est pas adhérent ; rien n'a été importé",
                    month.siret
                );
            }
            Ok(outcome) => println!(
                "{label} : {} salariés, {} nouveaux, {} mis à jour, {} inchangés, {} arrêts de travail, {} facteurs de pénibilité{}",
                month.workers.len(),
                outcome.inserted,
                outcome.updated,
                outcome.unchanged,
                outcome.stoppages,
                outcome.hardship,
                if args.dry_run {
                    " (simulation : rien n'a été écrit)"
                } else {
                    ""
                }
            ),
            Err(store::StoreError::Invalid(reason)) => {
                failures += 1;
                println!("{label} : rejeté, {reason} ; rien n'a été importé");
            }
            Err(other) => return Err(other.into()),
        }
    }
    if failures == 0 {
        Ok(())
    } else {
        Err(invalid(format!(
            "{failures} fichier(s) ou déclaration(s) non importé(s), voir ci-dessus"
        )))
    }
}
