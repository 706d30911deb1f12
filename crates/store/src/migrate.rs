//! Migrations: one numbered SQL file per version in `migrations/sqlite/` and the same number
//! in `migrations/postgres/`, embedded in the binary and applied in order at start.

use sqlx::Row;

use crate::db::{Db, StoreError, in_tx, now};

/// One schema version, with its text for each backend.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($version:expr, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sqlite: include_str!(concat!("../../../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../../../migrations/postgres/", $file)),
        }
    };
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation.sql"),
    migration!(2, "0002_members.sql"),
    migration!(3, "0003_member_indexes.sql"),
    migration!(4, "0004_obligations.sql"),
    migration!(5, "0005_agendas.sql"),
    migration!(6, "0006_bookings.sql"),
    migration!(7, "0007_outbox.sql"),
    migration!(8, "0008_medical.sql"),
    migration!(9, "0009_risk_sheets.sql"),
    migration!(10, "0010_workplace_actions.sql"),
    migration!(11, "0011_pdp.sql"),
    migration!(12, "0012_awareness_sessions.sql"),
    migration!(13, "0013_study_links.sql"),
    migration!(14, "0014_exchange.sql"),
    migration!(15, "0015_programmes.sql"),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)";

impl Db {
    /// Applies the migrations not applied yet, each in its own transaction. Returns the
    /// versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        let mut applied_now = Vec::new();
        for migration in MIGRATIONS {
            let applied = in_tx!(self, tx => {
                sqlx::raw_sql(CREATE_TABLE).execute(&mut *tx).await?;
                let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(migration.version)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some();
                if !done {
                    let text = match self {
                        Db::Sqlite(_) => migration.sqlite,
                        Db::Postgres(_) => migration.postgres,
                    };
                    sqlx::raw_sql(text).execute(&mut *tx).await?;
                    sqlx::query(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    )
                    .bind(migration.version)
                    .bind(migration.name)
                    .bind(now().to_rfc3339())
                    .execute(&mut *tx)
                    .await?;
                }
                !done
            });
            if applied {
                tracing::info!(
                    version = migration.version,
                    name = migration.name,
                    "migration applied"
                );
                applied_now.push(migration.version);
            }
        }
        Ok(applied_now)
    }

    /// Tables and their columns, sorted, as the database describes them.
    pub async fn describe_schema(&self) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let rows = match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT m.name AS table_name, p.name AS column_name
                     FROM sqlite_master m JOIN pragma_table_info(m.name) p
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                     ORDER BY m.name, p.name",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.get::<String, _>("table_name"),
                    r.get::<String, _>("column_name"),
                )
            })
            .collect::<Vec<_>>(),
            Db::Postgres(pool) => sqlx::query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name
                 FROM information_schema.columns WHERE table_schema = current_schema()
                 ORDER BY table_name, column_name",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.get::<String, _>("table_name"),
                    r.get::<String, _>("column_name"),
                )
            })
            .collect(),
        };
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in rows {
            match tables.last_mut() {
                Some((name, columns)) if *name == table => columns.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        Ok(tables)
    }
}
