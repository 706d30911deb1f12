//! A computed table: its id (KPI.md), its fields in order, its records.

use serde_json::Value;

/// One cell of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    /// A rate in percent (1 decimal), `None` when its denominator is 0.
    Rate(Option<f64>),
    /// A count that may not exist (a percentile of nothing).
    MaybeInt(Option<i64>),
    Text(String),
}

impl Cell {
    pub fn json(&self) -> Value {
        match self {
            Cell::Int(n) => Value::from(*n),
            Cell::Rate(Some(r)) => Value::from(*r),
            Cell::MaybeInt(Some(n)) => Value::from(*n),
            Cell::Rate(None) | Cell::MaybeInt(None) => Value::Null,
            Cell::Text(t) => Value::from(t.as_str()),
        }
    }

    /// The cell as people read it (CSV, spreadsheets, report): empty when there is none.
    pub fn display(&self) -> String {
        match self {
            Cell::Int(n) | Cell::MaybeInt(Some(n)) => n.to_string(),
            Cell::Rate(Some(r)) => format!("{r:.1}"),
            Cell::Rate(None) | Cell::MaybeInt(None) => String::new(),
            Cell::Text(t) => t.clone(),
        }
    }
}

/// A table: its fields, and records whose cells follow them (a record may carry an extra
/// field, as K7's `members_reached_4y` carries `rate`).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub id: &'static str,
    pub fields: Vec<&'static str>,
    pub records: Vec<Vec<(&'static str, Cell)>>,
}

impl Table {
    pub fn new(id: &'static str, fields: &[&'static str]) -> Self {
        Table {
            id,
            fields: fields.to_vec(),
            records: Vec::new(),
        }
    }

    pub fn push(&mut self, record: Vec<(&'static str, Cell)>) {
        self.records.push(record);
    }

    /// The value of a field of the record whose key field equals `key`.
    pub fn get(&self, key_field: &str, key: &str, field: &str) -> Option<&Cell> {
        self.records
            .iter()
            .find(|r| {
                r.iter()
                    .any(|(f, c)| *f == key_field && matches!(c, Cell::Text(t) if t == key))
            })
            .and_then(|r| r.iter().find(|(f, _)| *f == field).map(|(_, c)| c))
    }

    pub fn records_json(&self) -> Value {
        Value::Array(
            self.records
                .iter()
                .map(|record| {
                    Value::Object(
                        record
                            .iter()
                            .map(|(field, cell)| (field.to_string(), cell.json()))
                            .collect(),
                    )
                })
                .collect(),
        )
    }
}

/// Shorthands for records.
pub fn int(n: i64) -> Cell {
    Cell::Int(n)
}

pub fn text(t: impl Into<String>) -> Cell {
    Cell::Text(t.into())
}

pub fn rate(part: i64, whole: i64) -> Cell {
    Cell::Rate(crate::rate(part.max(0) as u64, whole.max(0) as u64))
}
