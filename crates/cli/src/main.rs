//! `spsti`: the server and every batch job of the SPSTI management system.

mod agenda;
mod billing;
mod demo;
mod demo_agendas;
mod demo_history;
mod demo_members;
mod demo_prevention;
mod exchange;
mod indicators;
mod medical;
mod outbox;
mod plan;
mod rules;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use domain::Role;
use store::{Actor, Db, DbConfig};
use web::accounts::{Access, NewAccount, create_account};
use web::{AppState, WebConfig};

#[derive(Parser)]
#[command(
    name = "spsti",
    version,
    about = "Logiciel de service de prévention et de santé au travail"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application.
    Serve {
        #[arg(long, env = "SPSTI_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Start on a fresh database filled with the small demonstration data.
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations.
    Migrate,
    /// Generate demonstration data.
    Demo {
        #[arg(long, value_enum, default_value = "small")]
        scale: demo::Scale,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage personal access tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The regulation engine.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Agendas: opening hours, closures, slots.
    Agenda {
        #[command(subcommand)]
        command: agenda::AgendaCommand,
    },
    /// The planner: `spsti plan --team T --from D --to D [--dry-run]` books a team's
    /// appointments for a period; `spsti plan solve` is its pure core on JSON.
    #[command(args_conflicts_with_subcommands = true)]
    Plan {
        #[command(subcommand)]
        command: Option<PlanCommand>,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// Days between today and the first slot a convocation may give.
        #[arg(long, default_value_t = 7)]
        notice_days: u32,
        /// Show the proposal without booking anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// The medical files: purge of the files past their retention.
    Medical {
        #[command(subcommand)]
        command: medical::MedicalCommand,
    },
    /// Messages: send the outbox, its state, letters to print, reminders.
    Outbox {
        #[command(subcommand)]
        command: outbox::OutboxCommand,
    },
    /// The stored obligations the queues read.
    Obligations {
        #[command(subcommand)]
        command: ObligationsCommand,
    },
    /// Print the route table (method, path, roles, medical).
    Routes {
        #[arg(long, value_enum, default_value = "json")]
        format: RoutesFormat,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The board's fee schedule.
    Fees {
        #[command(subcommand)]
        command: billing::FeesCommand,
    },
    /// Yearly fee invoices, reminders, unpaid list.
    Invoices {
        #[command(subcommand)]
        command: billing::InvoicesCommand,
    },
    /// Payments received.
    Payments {
        #[command(subcommand)]
        command: billing::PaymentsCommand,
    },
    /// The indicators of the multi-year plan (KPI.md) for a year.
    Kpi(indicators::KpiArgs),
    /// Import a CSV or XLSX file of DATA-FORMATS.md (one transaction per file).
    Import(exchange::ImportArgs),
    /// Import monthly DSN payroll files (workers, contracts, stoppages, hardship factors).
    ImportDsn(exchange::ImportDsnArgs),
    /// Export the data in the formats of DATA-FORMATS.md.
    Export(exchange::ExportArgs),
    /// Write a consistent copy of the database (works while the server runs).
    Backup { file: PathBuf },
    /// Replace the database with a backup (stop the server first on SQLite).
    Restore { file: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; without a password, an invitation e-mail is sent.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        role: Role,
        /// Establishment of an employer account.
        #[arg(long)]
        siret: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Name shown in the application (defaults to the login).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a user and print it (shown once).
    Create {
        #[arg(long)]
        user: String,
        /// Validity in days (no limit when absent).
        #[arg(long)]
        days: Option<u32>,
        #[arg(long, default_value = "jeton créé en ligne de commande")]
        name: String,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Read one situation (or a JSON array of them) on stdin, write the obligations on stdout.
    Eval,
    /// Read one situation on stdin and say, in French, which rule fired and why.
    Explain,
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Read a planning problem on stdin (DATA-FORMATS.md "Planner"), write the placements and
    /// the unplaced requests with their reason on stdout.
    Solve,
}

#[derive(Subcommand)]
enum ObligationsCommand {
    /// Recompute every worker's obligations (the nightly job; the server also runs it).
    Refresh {
        /// Compute at this date (YYYY-MM-DD) instead of today.
        #[arg(long)]
        at: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and name the first broken row.
    Verify,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoutesFormat {
    Json,
    Table,
}

/// An error for the user, in French, with its exit code.
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure {
            message: err.to_string(),
            code: 1,
        }
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: 2,
    }
}

fn init_tracing(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SPSTI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("SPSTI_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(if matches!(cli.command, Command::Serve { .. }) {
        "info"
    } else {
        "warn"
    });
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("erreur : {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn app_state(db: Db, addr: Option<SocketAddr>) -> Result<AppState, Failure> {
    let default_base = addr
        .map(|a| format!("http://{a}"))
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let mailer = notify::Mailer::from_env()?;
    Ok(AppState::new(
        db,
        mailer,
        WebConfig::from_env(&default_base),
    ))
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Serve { addr, demo } => serve(addr, demo).await,
        Command::Migrate => {
            let config = DbConfig::from_env();
            let db = Db::connect(&config).await?;
            let applied = db.migrate().await?;
            println!(
                "{} : {} migration(s) appliquée(s) {:?}",
                config.describe(),
                applied.len(),
                applied
            );
            Ok(())
        }
        Command::Demo { scale, seed } => {
            let started = std::time::Instant::now();
            let state = app_state(Db::open(&DbConfig::from_env()).await?, None)?;
            let report = demo::generate(&state, scale, seed).await?;
            println!("{report} ({:.1} s)", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    login,
                    role,
                    siret,
                    email,
                    name,
                    password_stdin,
                },
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let email = email.or_else(|| login.contains('@').then(|| login.clone()));
            let state = app_state(Db::open(&DbConfig::from_env()).await?, None)?;
            let account = NewAccount {
                display_name: name.unwrap_or_else(|| login.clone()),
                login,
                email,
                role,
                siret,
                password,
            };
            let actor = Actor(format!(
                "cli:{}",
                std::env::var("USER").unwrap_or_else(|_| "root".into())
            ));
            let (id, access) = create_account(&state, &actor, account)
                .await
                .map_err(|e| invalid(e.detail()))?;
            match access {
                Access::Password => println!("compte {id} créé"),
                Access::Invited(email) => {
                    println!("compte {id} créé, invitation envoyée à {email}");
                    for mail in state.mailer().sent() {
                        println!(
                            "(aucun serveur SMTP configuré : voici le message)\n{}",
                            mail.body
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { user, days, name },
        } => {
            let db = Db::open(&DbConfig::from_env()).await?;
            let account = db
                .find_user_by_login(&user)
                .await?
                .ok_or_else(|| invalid(format!("utilisateur inconnu « {user} »")))?;
            if account.role.requires_second_factor() && !account.totp_enabled {
                return Err(invalid(
                    "les comptes médecin et infirmier doivent activer la double authentification avant de recevoir un jeton",
                ));
            }
            let token = format!("spsti_{}", web::secrets::random_token());
            let expires = days.map(|d| chrono::Utc::now() + chrono::Duration::days(i64::from(d)));
            db.create_api_token(
                &Actor("cli".into()),
                account.id,
                &name,
                &web::secrets::token_hash(&token),
                &token[..12],
                expires,
            )
            .await?;
            println!("{token}");
            Ok(())
        }
        Command::Rules { command } => match command {
            RulesCommand::Eval => rules::eval(),
            RulesCommand::Explain => rules::explain(),
        },
        Command::Plan {
            command: Some(PlanCommand::Solve),
            ..
        } => plan::solve(),
        Command::Plan {
            command: None,
            team,
            from,
            to,
            notice_days,
            dry_run,
        } => {
            let (Some(team), Some(from), Some(to)) = (team, from, to) else {
                return Err(invalid(
                    "--team, --from et --to sont requis (ou : spsti plan solve)",
                ));
            };
            let db = Db::open(&DbConfig::from_env()).await?;
            plan::plan_team(&db, &team, from, to, notice_days, dry_run).await
        }
        Command::Agenda { command } => {
            let db = Db::open(&DbConfig::from_env()).await?;
            agenda::run(&db, command).await
        }
        Command::Medical { command } => {
            let db = Db::open(&DbConfig::from_env()).await?;
            medical::run(&db, command).await
        }
        Command::Kpi(args) => {
            let db = Db::open(&DbConfig::from_env()).await?;
            indicators::run(&db, args).await
        }
        Command::Import(args) => {
            let db = Db::open(&DbConfig::from_env()).await?;
            exchange::run_import(&db, args).await
        }
        Command::ImportDsn(args) => {
            let db = Db::open(&DbConfig::from_env()).await?;
            exchange::run_import_dsn(&db, args).await
        }
        Command::Export(args) => {
            let db = Db::open(&DbConfig::from_env()).await?;
            exchange::run_export(&db, args).await
        }
        Command::Outbox { command } => {
            let db = Db::open(&DbConfig::from_env()).await?;
            outbox::run(&db, command).await
        }
        Command::Obligations {
            command: ObligationsCommand::Refresh { at },
        } => {
            let db = Db::open(&DbConfig::from_env()).await?;
            let report = db
                .refresh_all_obligations(at.unwrap_or_else(store::today))
                .await?;
            println!(
                "{} obligations recalculées ({} situations refusées) : chargement {} ms, calcul {} ms, écriture {} ms",
                report.obligations,
                report.refused,
                report.load_ms,
                report.compute_ms,
                report.write_ms
            );
            Ok(())
        }
        Command::Routes { format } => {
            let routes = web::routes::describe_routes();
            match format {
                RoutesFormat::Json => println!("{}", serde_json::to_string_pretty(&routes)?),
                RoutesFormat::Table => {
                    for r in routes {
                        let roles: Vec<&str> = r.roles.iter().map(|r| r.code()).collect();
                        println!(
                            "{:<5} {:<32} {}{}",
                            r.method,
                            r.path,
                            if r.public {
                                "public".into()
                            } else {
                                roles.join(",")
                            },
                            if r.medical { " [médical]" } else { "" }
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = Db::open(&DbConfig::from_env()).await?;
            let report = db.verify_audit_chain().await?;
            match report.first_broken {
                None => {
                    println!("chaîne d'audit intègre : {} lignes vérifiées", report.rows);
                    Ok(())
                }
                Some((id, reason)) => Err(Failure {
                    message: format!(
                        "chaîne d'audit rompue à la ligne {id} : {reason} ({} lignes intègres avant elle)",
                        report.rows
                    ),
                    code: 1,
                }),
            }
        }
        Command::Fees { command } => {
            billing::fees(
                &app_state(Db::open(&DbConfig::from_env()).await?, None)?,
                command,
            )
            .await
        }
        Command::Invoices { command } => {
            billing::invoices(
                &app_state(Db::open(&DbConfig::from_env()).await?, None)?,
                command,
            )
            .await
        }
        Command::Payments { command } => {
            billing::payments(
                &app_state(Db::open(&DbConfig::from_env()).await?, None)?,
                command,
            )
            .await
        }
        Command::Backup { file } => {
            let config = DbConfig::from_env();
            let db = Db::connect(&config).await?;
            db.backup(&config, &file).await?;
            println!("sauvegarde écrite dans {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let config = DbConfig::from_env();
            Db::restore(&config, &file).await?;
            println!("{} restaurée depuis {}", config.describe(), file.display());
            Ok(())
        }
    }
}

async fn serve(addr: SocketAddr, demo: bool) -> Result<(), Failure> {
    let mut config = DbConfig::from_env();
    if demo && let DbConfig::Sqlite(path) = &config {
        // A fresh demonstration database beside the real one, never the real one.
        let demo_path = path.with_file_name("demo.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", demo_path.display()));
        }
        config = DbConfig::Sqlite(demo_path);
    }
    let db = Db::open(&config).await?;
    let state = app_state(db.clone(), Some(addr))?;
    if demo {
        demo::generate(&state, demo::Scale::Small, 42).await?;
    }
    let housekeeping = tokio::spawn(housekeeping(db.clone()));
    let outbox = tokio::spawn(
        notify::outbox::OutboxWorker::new(
            db.clone(),
            state.mailer().clone(),
            std::sync::Arc::new(notify::outbox::LogSmsGateway),
        )
        .run(std::time::Duration::from_secs(5)),
    );
    println!(
        "SPSTI : {} — base {}, e-mail : {}",
        state.config().base_url,
        config.describe(),
        state.mailer().describe()
    );
    if demo {
        println!("{}", demo::logins_text());
    }
    web::serve(state, addr).await?;
    // The background jobs stop before the pool closes (they resume from the database).
    outbox.abort();
    housekeeping.abort();
    db.close().await;
    Ok(())
}

/// Hourly: reminders of the appointments 2 days ahead, expired sessions, and technical logs past their 12-month retention; once a day
/// (the first hour of a new day), every worker's obligations.
async fn housekeeping(db: Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    let mut refreshed_on = store::today();
    loop {
        tick.tick().await;
        if store::today() != refreshed_on {
            refreshed_on = store::today();
            match db
                .purge_medical_files(&store::Actor::system(), refreshed_on, false)
                .await
            {
                Ok(report) => tracing::info!(files = report.files, "medical files purged"),
                Err(err) => tracing::error!(error = %err, "medical purge failed"),
            }

            match db.refresh_all_obligations(refreshed_on).await {
                Ok(report) => tracing::info!(
                    obligations = report.obligations,
                    refused = report.refused,
                    "obligations refreshed"
                ),
                Err(err) => tracing::error!(error = %err, "obligations refresh failed"),
            }
        }
        // Idempotent (one reminder per appointment and channel), so every hour is fine.
        let reminders_on = store::today() + chrono::Duration::days(2);
        match db
            .queue_reminders(reminders_on, &notify::message_context_from_env())
            .await
        {
            Ok(written) => tracing::info!(written, "reminders queued"),
            Err(err) => tracing::error!(error = %err, "reminders failed"),
        }
        let now = chrono::Utc::now();
        let sessions = db
            .purge_sessions(
                now - web::auth::IDLE_TIMEOUT,
                now - web::auth::ABSOLUTE_TIMEOUT,
            )
            .await;
        let logs = db.purge_technical_logs().await;
        match (sessions, logs) {
            (Ok(s), Ok(l)) => tracing::info!(sessions = s, technical_logs = l, "housekeeping done"),
            (s, l) => tracing::error!(sessions = ?s.err(), logs = ?l.err(), "housekeeping failed"),
        }
    }
}
