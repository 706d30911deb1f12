//! Upsert by natural key, written once for every exchange table: read what exists, compare
//! in memory, insert the new rows in bulk, update only the rows that differ.

use std::collections::HashMap;

use super::sql::{SqlTx, Ty, Value};
use crate::db::StoreError;

/// A table as the exchange sees it: its natural key, the columns a file sets, and the
/// columns written only when a row is created.
pub(crate) struct Table<'a> {
    pub name: &'a str,
    pub key: &'a [(&'a str, Ty)],
    pub fields: &'a [(&'a str, Ty)],
    pub insert_only: &'a [&'a str],
}

/// One row a file asks for.
#[derive(Debug, Clone)]
pub(crate) struct Wanted {
    pub key: Vec<Value>,
    pub fields: Vec<Value>,
    pub insert_only: Vec<Value>,
}

/// What happened to one wanted row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    Unchanged,
    Updated,
    Inserted,
}

pub(crate) type Ids = HashMap<Vec<Value>, i64>;

/// Rows of the table by key: (id, fields); `scope` is a WHERE clause that keeps the rows a
/// file can touch (everything without it).
pub(crate) async fn load_keyed<T: SqlTx>(
    tx: &mut T,
    table: &Table<'_>,
    scope: Option<&str>,
) -> Result<HashMap<Vec<Value>, (i64, Vec<Value>)>, StoreError> {
    let mut columns = vec![("id", Ty::Int)];
    columns.extend_from_slice(table.key);
    columns.extend_from_slice(table.fields);
    let rows = tx
        .select_rows(
            &columns,
            &format!("FROM {} {}", table.name, scope.unwrap_or_default()),
        )
        .await?;
    let key_len = table.key.len();
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let fields = row.split_off(1 + key_len);
            let key = row.split_off(1);
            (key, (row[0].as_int().unwrap_or_default(), fields))
        })
        .collect())
}

/// Ids of the rows of the table in `scope`, by key.
pub(crate) async fn load_ids<T: SqlTx>(
    tx: &mut T,
    table: &Table<'_>,
    scope: Option<&str>,
) -> Result<Ids, StoreError> {
    let mut columns = vec![("id", Ty::Int)];
    columns.extend_from_slice(table.key);
    let rows = tx
        .select_rows(
            &columns,
            &format!("FROM {} {}", table.name, scope.unwrap_or_default()),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let key = row.split_off(1);
            (key, row[0].as_int().unwrap_or_default())
        })
        .collect())
}

/// Writes `wanted` (unique keys); returns what happened to each and the ids of all keys.
pub(crate) async fn upsert<T: SqlTx>(
    tx: &mut T,
    table: &Table<'_>,
    wanted: &[Wanted],
) -> Result<(Vec<Change>, Ids), StoreError> {
    upsert_in(tx, table, wanted, None).await
}

/// The same, reading only the rows of `scope` (a WHERE clause that holds every wanted key).
pub(crate) async fn upsert_in<T: SqlTx>(
    tx: &mut T,
    table: &Table<'_>,
    wanted: &[Wanted],
    scope: Option<&str>,
) -> Result<(Vec<Change>, Ids), StoreError> {
    let existing = load_keyed(tx, table, scope).await?;
    let mut changes = Vec::with_capacity(wanted.len());
    let mut inserts = Vec::new();
    let update_columns: Vec<&str> = table.fields.iter().map(|(c, _)| *c).collect();
    for row in wanted {
        match existing.get(&row.key) {
            None => {
                changes.push(Change::Inserted);
                let mut values = row.key.clone();
                values.extend(row.fields.iter().cloned());
                values.extend(row.insert_only.iter().cloned());
                inserts.push(values);
            }
            Some((_, fields)) if *fields == row.fields => changes.push(Change::Unchanged),
            Some((id, _)) => {
                changes.push(Change::Updated);
                tx.update_by_id(table.name, *id, &update_columns, &row.fields)
                    .await?;
            }
        }
    }
    let mut ids: Ids = existing
        .into_iter()
        .map(|(key, (id, _))| (key, id))
        .collect();
    if !inserts.is_empty() {
        let mut columns: Vec<&str> = table.key.iter().map(|(c, _)| *c).collect();
        columns.extend(update_columns.iter().copied());
        columns.extend(table.insert_only.iter().copied());
        tx.insert_values(table.name, &columns, &inserts).await?;
        ids = load_ids(tx, table, scope).await?;
    }
    Ok((changes, ids))
}

/// `WHERE column IN ('a', 'b')` for text values, quotes doubled (both databases read
/// standard SQL literals); `None` above `limit` values, where reading everything is cheaper.
pub(crate) fn text_scope<'a>(
    column: &str,
    values: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Option<String> {
    let quoted: Vec<String> = values
        .into_iter()
        .map(|v| format!("'{}'", v.replace('\'', "''").replace('\0', "")))
        .collect();
    if quoted.len() > limit {
        return None;
    }
    Some(if quoted.is_empty() {
        "WHERE 1 = 0".to_string()
    } else {
        format!("WHERE {column} IN ({})", quoted.join(", "))
    })
}

/// `WHERE column IN (1, 2)` for ids.
pub(crate) fn id_scope(column: &str, ids: impl IntoIterator<Item = i64>) -> String {
    let list: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    if list.is_empty() {
        "WHERE 1 = 0".to_string()
    } else {
        format!("WHERE {column} IN ({})", list.join(", "))
    }
}
