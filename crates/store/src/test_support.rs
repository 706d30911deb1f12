//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database created
//! on the server named by `DATABASE_URL` and dropped at the end. Under `CI=true` a missing
//! PostgreSQL is a failure, never a silent skip.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::db::{Db, DbConfig};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database that exists for one test.
pub struct TestDb {
    pub db: Db,
    pub config: DbConfig,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

fn unique_name() -> String {
    format!(
        "spsti_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    )
}

/// The PostgreSQL server for tests, or `None` when not configured outside CI.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!(
                "CI=true but DATABASE_URL does not name a PostgreSQL server: the PostgreSQL tests cannot run"
            )
        }
        _ => None,
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i)
            if base[..i].ends_with('/') || base[..i].contains('@') || base[..i].contains(':') =>
        {
            &base[..i]
        }
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

impl TestDb {
    /// A migrated SQLite database in a new temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique_name());
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let config = DbConfig::Sqlite(dir.join("spsti.db"));
        let db = Db::open(&config).await.expect("open SQLite");
        TestDb {
            db,
            config,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A migrated PostgreSQL database of its own, or `None` when PostgreSQL is not configured
    /// (outside CI).
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = postgres_admin_url()?;
        let name = unique_name();
        let admin = Db::connect(&DbConfig::Postgres(admin_url.clone()))
            .await
            .expect("connect to PostgreSQL");
        if let Db::Postgres(pool) = &admin {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(pool)
                .await
                .expect("create test database");
        }
        admin.close().await;
        let config = DbConfig::Postgres(with_database(&admin_url, &name));
        let db = Db::open(&config)
            .await
            .expect("open PostgreSQL test database");
        Some(TestDb {
            db,
            config,
            cleanup: Cleanup::PgDatabase { admin_url, name },
        })
    }

    /// Closes and removes the database.
    pub async fn drop_db(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                if let Ok(Db::Postgres(pool)) = Db::connect(&DbConfig::Postgres(admin_url)).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&pool)
                    .await;
                    pool.close().await;
                }
            }
        }
    }
}

/// Writes a store scenario once and runs it on both databases: `NAME::sqlite` always and
/// `NAME::postgres` when PostgreSQL is configured (always under `CI=true`). The body gets
/// `$db: &TestDb`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn scenario($db: &$crate::test_support::TestDb) $body

            #[tokio::test]
            async fn sqlite() {
                let db = $crate::test_support::TestDb::sqlite().await;
                scenario(&db).await;
                db.drop_db().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = $crate::test_support::TestDb::postgres().await else {
                    eprintln!("PostgreSQL not configured (DATABASE_URL): skipped outside CI");
                    return;
                };
                scenario(&db).await;
                db.drop_db().await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_in_the_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
