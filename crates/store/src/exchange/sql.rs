//! A small typed layer over either backend's transaction, so that the import logic is
//! written once: values carry their SQL type (PostgreSQL refuses an untyped NULL in a date
//! column), reads come back as one JSON array built by the database.

use chrono::NaiveDate;

use crate::db::StoreError;

/// Rows per INSERT statement: well under SQLite's bound parameters.
const ROWS_PER_STATEMENT: usize = 400;

/// A SQL value with its type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Date(Option<NaiveDate>),
    Bool(bool),
    /// A timestamp (written only: creation and recording times).
    At(chrono::DateTime<chrono::Utc>),
}

impl Value {
    pub(crate) fn text(s: impl Into<String>) -> Value {
        Value::Text(Some(s.into()))
    }
    pub(crate) fn int(n: impl Into<i64>) -> Value {
        Value::Int(Some(n.into()))
    }
    pub(crate) fn date(d: NaiveDate) -> Value {
        Value::Date(Some(d))
    }
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => *n,
            _ => None,
        }
    }
    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => s.as_deref(),
            _ => None,
        }
    }
    pub(crate) fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => *d,
            _ => None,
        }
    }
}

/// The type of a column read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Text,
    Int,
    Date,
    Bool,
}

impl Ty {
    /// The select expression: booleans as 0/1 so that both backends give the same JSON.
    fn select(self, column: &str) -> String {
        match self {
            Ty::Bool => format!("CASE WHEN {column} THEN 1 ELSE 0 END"),
            _ => column.to_string(),
        }
    }

    fn decode(self, json: &serde_json::Value) -> Result<Value, StoreError> {
        let bad = || StoreError::Io(format!("valeur inattendue en base : {json}"));
        Ok(match self {
            Ty::Text => Value::Text(match json {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }),
            Ty::Int => Value::Int(match json {
                serde_json::Value::Null => None,
                other => Some(other.as_i64().ok_or_else(bad)?),
            }),
            Ty::Date => Value::Date(match json {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(
                    NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d")
                        .map_err(|_| bad())?,
                ),
                _ => return Err(bad()),
            }),
            Ty::Bool => Value::Bool(json.as_i64().ok_or_else(bad)? != 0),
        })
    }
}

/// What the exchange code needs from a transaction of either backend.
pub(crate) trait SqlTx {
    /// Rows of `SELECT columns tail`, decoded by their types, in the order `tail` gives (the
    /// aggregate reads an ordered subquery).
    async fn select_rows(
        &mut self,
        columns: &[(&str, Ty)],
        tail: &str,
    ) -> Result<Vec<Vec<Value>>, StoreError>;
    async fn update_by_id(
        &mut self,
        table: &str,
        id: i64,
        columns: &[&str],
        values: &[Value],
    ) -> Result<(), StoreError>;
    async fn insert_values(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value>],
    ) -> Result<(), StoreError>;
    async fn insert_returning_id(
        &mut self,
        table: &str,
        columns: &[&str],
        values: &[Value],
    ) -> Result<i64, StoreError>;
}

macro_rules! bind_value {
    ($query:expr, $value:expr) => {
        match $value {
            Value::Text(v) => {
                $query.push_bind(v.clone());
            }
            Value::Int(v) => {
                $query.push_bind(*v);
            }
            Value::Date(v) => {
                $query.push_bind(*v);
            }
            Value::Bool(v) => {
                $query.push_bind(*v);
            }
            Value::At(v) => {
                $query.push_bind(*v);
            }
        }
    };
}

macro_rules! impl_sql_tx {
    ($database:ty, $aggregate:literal) => {
        impl SqlTx for sqlx::Transaction<'_, $database> {
            async fn select_rows(
                &mut self,
                columns: &[(&str, Ty)],
                tail: &str,
            ) -> Result<Vec<Vec<Value>>, StoreError> {
                let list: Vec<String> = columns.iter().map(|(c, ty)| ty.select(c)).collect();
                let sql = format!($aggregate, list.join(", "), tail);
                let text: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_one(&mut **self)
                    .await?;
                let rows: Vec<Vec<serde_json::Value>> = serde_json::from_str(&text)
                    .map_err(|e| StoreError::Io(format!("lecture : {e}")))?;
                rows.iter()
                    .map(|row| {
                        columns
                            .iter()
                            .zip(row)
                            .map(|((_, ty), json)| ty.decode(json))
                            .collect()
                    })
                    .collect()
            }

            async fn update_by_id(
                &mut self,
                table: &str,
                id: i64,
                columns: &[&str],
                values: &[Value],
            ) -> Result<(), StoreError> {
                let mut query =
                    sqlx::QueryBuilder::<$database>::new(format!("UPDATE {table} SET "));
                for (i, (column, value)) in columns.iter().zip(values).enumerate() {
                    if i > 0 {
                        query.push(", ");
                    }
                    query.push(format!("{column} = "));
                    bind_value!(query, value);
                }
                query.push(" WHERE id = ");
                query.push_bind(id);
                query.build().execute(&mut **self).await?;
                Ok(())
            }

            async fn insert_values(
                &mut self,
                table: &str,
                columns: &[&str],
                rows: &[Vec<Value>],
            ) -> Result<(), StoreError> {
                for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                    let mut query = sqlx::QueryBuilder::<$database>::new(format!(
                        "INSERT INTO {table} ({}) ",
                        columns.join(", ")
                    ));
                    query.push_values(chunk, |mut row, values| {
                        for value in values {
                            bind_value!(row, value);
                        }
                    });
                    query.build().execute(&mut **self).await?;
                }
                Ok(())
            }

            async fn insert_returning_id(
                &mut self,
                table: &str,
                columns: &[&str],
                values: &[Value],
            ) -> Result<i64, StoreError> {
                let mut query = sqlx::QueryBuilder::<$database>::new(format!(
                    "INSERT INTO {table} ({}) VALUES (",
                    columns.join(", ")
                ));
                let mut separated = query.separated(", ");
                for value in values {
                    bind_value!(separated, value);
                }
                query.push(") RETURNING id");
                Ok(query
                    .build_query_scalar::<i64>()
                    .fetch_one(&mut **self)
                    .await?)
            }
        }
    };
}

impl_sql_tx!(
    sqlx::Sqlite,
    "SELECT json_group_array(json(r)) FROM (SELECT json_array({}) AS r {}) q"
);
impl_sql_tx!(
    sqlx::Postgres,
    "SELECT COALESCE(json_agg(r), '[]')::text FROM (SELECT json_build_array({}) AS r {}) q"
);
