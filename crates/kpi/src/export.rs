//! The tables laid out for people: CSV files (one per table, `;`-separated, decimal comma,
//! UTF-8 with a BOM so that spreadsheets read the accents).

use crate::table::{Cell, Table};

fn csv_field(value: &str) -> String {
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A cell as a French spreadsheet reads it.
pub fn french_cell(cell: &Cell) -> String {
    match cell {
        Cell::Rate(Some(_)) => cell.display().replace('.', ","),
        other => other.display(),
    }
}

/// Every field a table's records use, in order (the table's fields, then any extra field a
/// record carries).
pub fn columns(table: &Table) -> Vec<&'static str> {
    let mut columns = table.fields.clone();
    for record in &table.records {
        for (field, _) in record {
            if !columns.contains(field) {
                columns.push(field);
            }
        }
    }
    columns
}

pub fn table_csv(table: &Table) -> Vec<u8> {
    let columns = columns(table);
    let mut out = String::from("\u{feff}");
    out.push_str(&columns.join(";"));
    out.push_str("\r\n");
    for record in &table.records {
        let line: Vec<String> = columns
            .iter()
            .map(|c| {
                record
                    .iter()
                    .find(|(f, _)| f == c)
                    .map(|(_, cell)| csv_field(&french_cell(cell)))
                    .unwrap_or_default()
            })
            .collect();
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}
