//! Reading the files a service brings from its previous software (DATA-FORMATS.md) and
//! writing them back: CSV and XLSX exchange files read into typed rows with a French report
//! of the lines refused, and the payroll files (DSN).

pub mod csv_file;
pub mod dsn;
pub mod report;
pub mod rows;
pub mod xlsx_file;

use std::collections::HashMap;

use domain::exchange::{FileKind, Line, LineError, Rows};

pub use csv_file::FileError;
use csv_file::Record;
use rows::ExchangeRow;

/// A spreadsheet or a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// XLSX files are ZIP archives: they start with `PK`.
    pub fn of(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// The column names of a file's header.
pub fn header_of(bytes: &[u8]) -> Result<Vec<String>, FileError> {
    match Format::of(bytes) {
        Format::Csv => csv_file::read_csv_header(bytes),
        Format::Xlsx => xlsx_file::read_xlsx_header(bytes),
    }
}

/// The kind of a file, from its header.
pub fn detect_kind(bytes: &[u8]) -> Result<FileKind, FileError> {
    let header = header_of(bytes)?;
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    FileKind::guess(&names).ok_or(FileError::UnknownKind(header))
}

/// A file read: its valid rows, the lines refused, and how many lines it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    pub rows: Rows,
    pub rejected: Vec<LineError>,
    pub read: usize,
}

fn parse_lines<T: ExchangeRow>(records: &[Record]) -> (Vec<Line<T>>, Vec<LineError>) {
    let mut rows = Vec::with_capacity(records.len());
    let mut rejected = Vec::new();
    let mut first_line_of: HashMap<String, usize> = HashMap::with_capacity(records.len());
    for record in records {
        match T::parse(record) {
            Ok(row) => match first_line_of.get(&row.key()) {
                Some(first) => rejected.push(record.error(
                    T::KEY_COLUMN,
                    format!("clé en double : déjà présente à la ligne {first}"),
                )),
                None => {
                    first_line_of.insert(row.key(), record.line);
                    rows.push(Line {
                        line: record.line,
                        row,
                    });
                }
            },
            Err(error) => rejected.push(error),
        }
    }
    (rows, rejected)
}

/// Reads a CSV or XLSX file of `kind` (guessed from the header when `None`).
pub fn parse_file(bytes: &[u8], kind: Option<FileKind>) -> Result<ParsedFile, FileError> {
    let kind = match kind {
        Some(kind) => kind,
        None => detect_kind(bytes)?,
    };
    let records = match Format::of(bytes) {
        Format::Csv => csv_file::read_csv(bytes, kind.columns())?,
        Format::Xlsx => xlsx_file::read_xlsx(bytes, kind.columns())?,
    };
    macro_rules! parse_as {
        ($variant:ident) => {{
            let (rows, rejected) = parse_lines(&records);
            (Rows::$variant(rows), rejected)
        }};
    }
    let (rows, rejected) = match kind {
        FileKind::Sectors => parse_as!(Sectors),
        FileKind::Teams => parse_as!(Teams),
        FileKind::Centres => parse_as!(Centres),
        FileKind::Professionals => parse_as!(Professionals),
        FileKind::Companies => parse_as!(Companies),
        FileKind::Workers => parse_as!(Workers),
        FileKind::Slots => parse_as!(Slots),
        FileKind::Appointments => parse_as!(Appointments),
        FileKind::RiskSheets => parse_as!(RiskSheets),
        FileKind::WorkplaceActions => parse_as!(WorkplaceActions),
        FileKind::Retention => parse_as!(Retention),
    };
    Ok(ParsedFile {
        rows,
        rejected,
        read: records.len(),
    })
}

fn write_lines<T: ExchangeRow>(kind: FileKind, lines: &[Line<T>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let mut write = || -> Result<(), csv::Error> {
        writer.write_record(kind.columns())?;
        for line in lines {
            writer.write_record(line.row.cells())?;
        }
        Ok(())
    };
    write().expect("writing CSV to memory cannot fail");
    writer.into_inner().expect("flushing to memory cannot fail")
}

/// The rows as the exchange file of their kind: UTF-8, `;`, the header in the documented
/// order, dates `YYYY-MM-DD`.
pub fn write_csv(rows: &Rows) -> Vec<u8> {
    let kind = rows.kind();
    match rows {
        Rows::Sectors(r) => write_lines(kind, r),
        Rows::Teams(r) => write_lines(kind, r),
        Rows::Centres(r) => write_lines(kind, r),
        Rows::Professionals(r) => write_lines(kind, r),
        Rows::Companies(r) => write_lines(kind, r),
        Rows::Workers(r) => write_lines(kind, r),
        Rows::Slots(r) => write_lines(kind, r),
        Rows::Appointments(r) => write_lines(kind, r),
        Rows::RiskSheets(r) => write_lines(kind, r),
        Rows::WorkplaceActions(r) => write_lines(kind, r),
        Rows::Retention(r) => write_lines(kind, r),
    }
}
