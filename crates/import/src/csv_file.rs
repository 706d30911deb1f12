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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ligne {}, colonne {} : {}",
            self.line, self.column, self.reason
        )
    }
}

impl Record {
    /// The trimmed cell, `None` when empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .get(column)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn error(&self, column: &str, reason: impl Into<String>) -> CellError {
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

/// Reads a whole file whose header must name exactly `expected` (in any order).
pub fn read_csv(bytes: &[u8], expected: &[&str]) -> Result<Vec<Record>, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(err) = std::str::from_utf8(bytes) {
        let line = 1 + bytes[..err.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        return Err(FileError::NotUtf8 { line });
    }
    let header_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    if header_line.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    let separator = if header_line.iter().filter(|b| **b == b';').count()
        >= header_line.iter().filter(|b| **b == b',').count()
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| FileError::Malformed {
            line: 1,
            reason: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
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
    // The csv crate's own line count is off with CRLF endings: count from the byte offset.
    let line_at = |position: Option<&csv::Position>| {
        position
            .map(|p| {
                // With CRLF the position points at the `\n` ending the previous line.
                let end = (p.byte() as usize + 1).min(bytes.len());
                1 + bytes[..end].iter().filter(|b| **b == b'\n').count()
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
        let line = line_at(row.position());
        let cells = headers
            .iter()
            .cloned()
            .zip(row.iter().map(str::to_string))
            .collect();
        records.push(Record { line, cells });
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
