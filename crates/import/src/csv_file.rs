//! The CSV conventions of DATA-FORMATS.md: UTF-8 (a BOM is accepted), separator `;` or `,`
//! detected from the header line, exactly the expected columns in any order, empty cell = no
//! value, dates `YYYY-MM-DD` or `DD/MM/YYYY`, booleans `0`/`1`.

use std::collections::HashMap;

use chrono::NaiveDate;
use thiserror::Error;

/// A problem with the file as a whole (nothing of it can be read).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FileError {
    #[error("le fichier n'est pas encodé en UTF-8 (ligne {line}) : enregistrez-le en UTF-8")]
    NotUtf8 { line: usize },
    #[error("le fichier est vide : la première ligne doit être l'en-tête")]
    Empty,
    #[error("colonnes manquantes : {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("colonnes inconnues : {} (colonnes attendues : {})", .unknown.join(", "), .expected.join(", "))]
    UnknownColumns {
        unknown: Vec<String>,
        expected: Vec<String>,
    },
    #[error("colonne en double : {0}")]
    DuplicateColumn(String),
    #[error("type de fichier non reconnu : l'en-tête ({}) n'est celui d'aucun fichier connu ; précisez le type (--kind)", .0.join(", "))]
    UnknownKind(Vec<String>),
    #[error("ligne {line} illisible : {reason}")]
    Malformed { line: usize, reason: String },
}

/// One data line, its cells looked up by column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Line number in the file (the header is line 1).
    pub line: usize,
    cells: HashMap<String, String>,
}

/// A problem with one cell, reported with its line and column.
pub use domain::exchange::LineError as CellError;

impl Record {
    /// The trimmed cell, `None` when empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .get(column)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn error(&self, column: &str, reason: impl Into<String>) -> CellError {
        CellError {
            line: self.line,
            column: column.to_string(),
            reason: reason.into(),
        }
    }

    pub fn required(&self, column: &str) -> Result<&str, CellError> {
        self.get(column)
            .ok_or_else(|| self.error(column, "valeur obligatoire"))
    }

    pub fn date(&self, column: &str) -> Result<Option<NaiveDate>, CellError> {
        self.get(column)
            .map(|v| {
                parse_date(v).ok_or_else(|| {
                    self.error(
                        column,
                        format!("date invalide « {v} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
                    )
                })
            })
            .transpose()
    }

    /// A date that must be given.
    pub fn required_date(&self, column: &str) -> Result<NaiveDate, CellError> {
        self.date(column)?
            .ok_or_else(|| self.error(column, "valeur obligatoire"))
    }

    /// A whole number within `range`.
    pub fn integer(
        &self,
        column: &str,
        range: std::ops::RangeInclusive<i32>,
    ) -> Result<Option<i32>, CellError> {
        self.get(column)
            .map(|v| match v.parse::<i32>() {
                Ok(n) if range.contains(&n) => Ok(n),
                _ => Err(self.error(
                    column,
                    format!(
                        "nombre « {v} » invalide (attendu un entier de {} à {})",
                        range.start(),
                        range.end()
                    ),
                )),
            })
            .transpose()
    }

    /// A time `HH:MM`.
    pub fn time(&self, column: &str) -> Result<Option<String>, CellError> {
        self.get(column)
            .map(|v| {
                chrono::NaiveTime::parse_from_str(v, "%H:%M")
                    .ok()
                    .filter(|_| v.len() == 5)
                    .map(|t| t.format("%H:%M").to_string())
                    .ok_or_else(|| {
                        self.error(column, format!("heure invalide « {v} » (attendu HH:MM)"))
                    })
            })
            .transpose()
    }

    pub fn boolean(&self, column: &str) -> Result<Option<bool>, CellError> {
        match self.get(column) {
            None => Ok(None),
            Some("0") => Ok(Some(false)),
            Some("1") => Ok(Some(true)),
            Some(v) => Err(self.error(column, format!("valeur « {v} » invalide (attendu 0 ou 1)"))),
        }
    }

    /// A code among `allowed`.
    pub fn code(&self, column: &str, allowed: &[&str]) -> Result<Option<&str>, CellError> {
        match self.get(column) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v)),
            Some(v) => Err(self.error(
                column,
                format!("code « {v} » inconnu (attendu : {})", allowed.join(", ")),
            )),
        }
    }
}

/// `YYYY-MM-DD` or `DD/MM/YYYY`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
        .filter(|_| text.len() == 10)
}

/// The separator of a header line: `;` unless it has more commas.
fn separator_of(header_line: &[u8]) -> u8 {
    if header_line.iter().filter(|b| **b == b';').count()
        >= header_line.iter().filter(|b| **b == b',').count()
    {
        b';'
    } else {
        b','
    }
}

/// The file's bytes after an optional BOM, checked to be UTF-8.
fn utf8_body(bytes: &[u8]) -> Result<&[u8], FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(err) = std::str::from_utf8(bytes) {
        let line = 1 + bytes[..err.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        return Err(FileError::NotUtf8 { line });
    }
    Ok(bytes)
}

/// A CSV reader over the file's body (after the BOM), with the header's separator.
fn open_csv(bytes: &[u8]) -> Result<(&[u8], csv::Reader<&[u8]>), FileError> {
    let bytes = utf8_body(bytes)?;
    let header_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    if header_line.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    let reader = csv::ReaderBuilder::new()
        .delimiter(separator_of(header_line))
        .flexible(false)
        .from_reader(bytes);
    Ok((bytes, reader))
}

fn header_names(reader: &mut csv::Reader<&[u8]>) -> Result<Vec<String>, FileError> {
    Ok(reader
        .headers()
        .map_err(|e| FileError::Malformed {
            line: 1,
            reason: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect())
}

/// The column names of a CSV file's header (to guess its kind).
pub fn read_csv_header(bytes: &[u8]) -> Result<Vec<String>, FileError> {
    header_names(&mut open_csv(bytes)?.1)
}

/// Checks that `headers` names exactly `expected`, once each, in any order.
pub fn check_header(headers: &[String], expected: &[&str]) -> Result<(), FileError> {
    let mut seen = std::collections::HashSet::new();
    if let Some(duplicate) = headers.iter().find(|h| !seen.insert(h.as_str())) {
        return Err(FileError::DuplicateColumn(duplicate.clone()));
    }
    let unknown: Vec<String> = headers
        .iter()
        .filter(|h| !expected.contains(&h.as_str()))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(FileError::UnknownColumns {
            unknown,
            expected: expected.iter().map(|s| s.to_string()).collect(),
        });
    }
    let missing: Vec<String> = expected
        .iter()
        .filter(|e| !headers.iter().any(|h| h == *e))
        .map(|s| s.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns(missing));
    }
    Ok(())
}

impl Record {
    /// A line's cells, named by the header (already checked).
    pub fn new(
        line: usize,
        headers: &[String],
        values: impl IntoIterator<Item = String>,
    ) -> Record {
        Record {
            line,
            cells: headers.iter().cloned().zip(values).collect(),
        }
    }
}

/// Reads a whole file whose header must name exactly `expected` (in any order).
pub fn read_csv(bytes: &[u8], expected: &[&str]) -> Result<Vec<Record>, FileError> {
    let (bytes, mut reader) = open_csv(bytes)?;
    let headers = header_names(&mut reader)?;
    check_header(&headers, expected)?;
    // The csv crate's own line count is off with CRLF endings: count from the byte offset,
    // carrying the count forward (records come in order).
    let counted = std::cell::Cell::new((0usize, 1usize));
    let line_at = |position: Option<&csv::Position>| {
        position
            .map(|p| {
                // With CRLF the position points at the `\n` ending the previous line.
                let end = (p.byte() as usize + 1).min(bytes.len());
                let (from, lines) = counted.get();
                let (from, lines) = if end >= from { (from, lines) } else { (0, 1) };
                let total = lines + bytes[from..end].iter().filter(|b| **b == b'\n').count();
                counted.set((end, total));
                total
            })
            .unwrap_or(0)
    };
    let mut records = Vec::new();
    for result in reader.records() {
        let row = result.map_err(|e| FileError::Malformed {
            line: line_at(e.position()),
            reason: match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => {
                    format!("{len} cellules au lieu de {expected_len}")
                }
                _ => e.to_string(),
            },
        })?;
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        records.push(Record::new(
            line_at(row.position()),
            &headers,
            row.iter().map(str::to_string),
        ));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["sector", "name"];

    #[test]
    fn semicolon_bom_and_crlf_are_read() {
        let file = "\u{feff}name;sector\r\nSecteur Est;EST\r\n;\r\nSecteur Nord;NORD\r\n";
        let records = read_csv(file.as_bytes(), COLUMNS).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].get("sector"), Some("EST"));
        assert_eq!(records[1].line, 4);
    }

    #[test]
    fn comma_separator_is_detected() {
        let records = read_csv(b"sector,name\nEST,\"Est, Lorraine\"\n", COLUMNS).unwrap();
        assert_eq!(records[0].get("name"), Some("Est, Lorraine"));
    }

    #[test]
    fn unknown_and_missing_columns_are_named() {
        assert_eq!(
            read_csv(b"sector;name;colour\n", COLUMNS),
            Err(FileError::UnknownColumns {
                unknown: vec!["colour".into()],
                expected: vec!["sector".into(), "name".into()]
            })
        );
        assert_eq!(
            read_csv(b"sector\nEST\n", COLUMNS),
            Err(FileError::MissingColumns(vec!["name".into()]))
        );
        assert!(
            read_csv(b"sector;sector;name\n", COLUMNS)
                .unwrap_err()
                .to_string()
                .contains("en double")
        );
    }

    #[test]
    fn latin1_bytes_are_refused_with_their_line() {
        let err = read_csv(b"sector;name\nEST;R\xe9gion\n", COLUMNS).unwrap_err();
        assert_eq!(err, FileError::NotUtf8 { line: 2 });
        assert!(err.to_string().contains("UTF-8"));
    }

    #[test]
    fn short_line_is_malformed() {
        let err = read_csv(b"sector;name\nEST\n", COLUMNS).unwrap_err();
        assert!(
            matches!(err, FileError::Malformed { line: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn dates_booleans_and_codes() {
        assert_eq!(
            parse_date("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(
            parse_date("28/02/2026"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-2-3"), None);
        let records = read_csv(b"sector;name\n1;31/12/2026\n", COLUMNS).unwrap();
        assert_eq!(records[0].boolean("sector"), Ok(Some(true)));
        assert_eq!(
            records[0].date("name").unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        let err = records[0].code("sector", &["EST", "NORD"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ligne 2, colonne sector : code « 1 » inconnu (attendu : EST, NORD)"
        );
        assert_eq!(records[0].date("sector").unwrap_err().column, "sector");
    }
}
