//! Consistent copies of a running database and their restoration: SQLite's `VACUUM INTO`
//! (safe while the server writes), `pg_dump`/`pg_restore` for PostgreSQL.

use std::path::Path;
use std::process::Command;

use crate::db::{Db, DbConfig, StoreError, with_pool};

impl Db {
    /// Writes a consistent copy of the database to `file`, which must not exist.
    pub async fn backup(&self, config: &DbConfig, file: &Path) -> Result<(), StoreError> {
        if file.exists() {
            return Err(StoreError::Invalid(format!(
                "le fichier {} existe déjà : choisissez un autre nom",
                file.display()
            )));
        }
        match (self, config) {
            (Db::Sqlite(pool), DbConfig::Sqlite(_)) => {
                let target = file
                    .to_str()
                    .ok_or_else(|| StoreError::Invalid("chemin non UTF-8".into()))?;
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(pool)
                    .await?;
                Ok(())
            }
            (Db::Postgres(_), DbConfig::Postgres(url)) => run_tool(
                Command::new("pg_dump")
                    .args(["--format=custom", "--no-owner", "--file"])
                    .arg(file)
                    .arg(url),
                "pg_dump",
            ),
            _ => Err(StoreError::Invalid(
                "configuration et base incohérentes".into(),
            )),
        }
    }

    /// Replaces the data of `config` with the backup `file`. For SQLite the server must be
    /// stopped; the current file is kept beside it as `.before-restore`.
    pub async fn restore(config: &DbConfig, file: &Path) -> Result<(), StoreError> {
        if !file.exists() {
            return Err(StoreError::Invalid(format!(
                "le fichier {} n'existe pas",
                file.display()
            )));
        }
        match config {
            DbConfig::Sqlite(path) => {
                // Check the file is a database of ours before touching anything.
                let probe = Db::connect(&DbConfig::Sqlite(file.to_path_buf())).await?;
                let ok = with_pool!(&probe, pool => {
                    sqlx::query("SELECT COUNT(*) FROM schema_migrations").fetch_one(pool).await.is_ok()
                });
                probe.close().await;
                if !ok {
                    return Err(StoreError::Invalid(format!(
                        "{} n'est pas une sauvegarde SPSTI",
                        file.display()
                    )));
                }
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(e.to_string()))?;
                }
                let io =
                    |e: std::io::Error| StoreError::Io(format!("restauration impossible : {e}"));
                if path.exists() {
                    std::fs::rename(path, path.with_extension("db.before-restore")).map_err(io)?;
                }
                for suffix in ["-wal", "-shm"] {
                    let side = format!("{}{suffix}", path.display());
                    let _ = std::fs::remove_file(side);
                }
                let staging = path.with_extension("db.restoring");
                std::fs::copy(file, &staging).map_err(io)?;
                std::fs::rename(&staging, path).map_err(io)?;
                Ok(())
            }
            DbConfig::Postgres(url) => run_tool(
                Command::new("pg_restore")
                    .args([
                        "--clean",
                        "--if-exists",
                        "--no-owner",
                        "--single-transaction",
                        "--dbname",
                    ])
                    .arg(url)
                    .arg(file),
                "pg_restore",
            ),
        }
    }
}

fn run_tool(command: &mut Command, name: &str) -> Result<(), StoreError> {
    let output = command
        .output()
        .map_err(|e| StoreError::Io(format!("{name} introuvable ou impossible à lancer : {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(StoreError::Io(format!(
            "{name} a échoué : {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
