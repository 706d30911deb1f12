//! Spreadsheets (XLSX): the first sheet, read with calamine, holds the same columns as the
//! CSV file; its cells become the same records, so every check is shared.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::csv_file::{FileError, Record, check_header};

/// A cell as the CSV file would write it: dates `YYYY-MM-DD` (times `HH:MM`), whole numbers
/// without decimals (SIRETs typed as numbers), booleans `0`/`1`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(at) if dt.as_f64() < 1.0 => at.format("%H:%M").to_string(),
            Some(at) => at.format("%Y-%m-%d").to_string(),
            None => dt.as_f64().to_string(),
        },
    }
}

fn first_sheet(bytes: &[u8]) -> Result<(usize, Vec<Vec<String>>), FileError> {
    let unreadable = |reason: String| FileError::Malformed { line: 1, reason };
    let mut workbook = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("classeur XLSX illisible ({e})")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(FileError::Empty)?
        .map_err(|e| unreadable(format!("première feuille illisible ({e})")))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    // Columns left of the used range are empty in every row: keep them so that positions hold.
    let rows = range
        .rows()
        .map(|row| {
            std::iter::repeat_n(String::new(), first_column)
                .chain(row.iter().map(cell_text))
                .collect()
        })
        .collect();
    Ok((first_row, rows))
}

/// The column names of the first sheet's first row.
pub fn read_xlsx_header(bytes: &[u8]) -> Result<Vec<String>, FileError> {
    let (_, rows) = first_sheet(bytes)?;
    let header: Vec<String> = rows.into_iter().next().ok_or(FileError::Empty)?;
    Ok(header
        .into_iter()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .collect())
}

/// Reads the first sheet, whose first row must name exactly `expected`.
pub fn read_xlsx(bytes: &[u8], expected: &[&str]) -> Result<Vec<Record>, FileError> {
    let (first_row, rows) = first_sheet(bytes)?;
    let mut rows = rows.into_iter();
    let header_cells = rows.next().ok_or(FileError::Empty)?;
    let width = header_cells
        .iter()
        .rposition(|h| !h.trim().is_empty())
        .map_or(0, |last| last + 1);
    let headers: Vec<String> = header_cells[..width]
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.is_empty() {
        return Err(FileError::Empty);
    }
    check_header(&headers, expected)?;
    let mut records = Vec::new();
    for (index, row) in rows.enumerate() {
        let line = first_row + index + 2;
        if row.iter().skip(width).any(|cell| !cell.trim().is_empty()) {
            return Err(FileError::Malformed {
                line,
                reason: format!("cellules au-delà des {width} colonnes de l'en-tête"),
            });
        }
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let mut cells = row;
        cells.resize(width, String::new());
        records.push(Record::new(line, &headers, cells));
    }
    Ok(records)
}
