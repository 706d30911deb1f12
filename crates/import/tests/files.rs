//! Exchange files as other software write them: separators, BOM, line endings, spreadsheets,
//! and the malformed ones, which give a French report and never a panic.

use domain::exchange::{FileKind, Rows};
use spsti_import::{FileError, parse_file, write_csv};

const WORKERS: &str = "worker_ref;last_name;first_name;sex;birth_date;nir;email;mobile;siret;job_title;pcs_ese;hired_on;left_on;contract;night_worker;declaration_year;category;exposures";

fn worker_line(reference: &str, birth: &str, extra: &str) -> String {
    format!(
        "{reference};Durand;Marie;F;{birth};{extra};;;73282932000074;Vendeuse;;2021-03-01;;CDI;1;2025;SIA;lead|asbestos"
    )
}

#[test]
fn a_workers_file_with_bom_crlf_and_comma_dates_is_read() {
    let file = format!(
        "\u{feff}{WORKERS}\r\n{}\r\n{}\r\n",
        worker_line("W1", "12/04/1985", "285047512345607"),
        worker_line("W2", "1985-04-12", "")
    );
    let parsed = parse_file(file.as_bytes(), None).unwrap();
    assert_eq!(parsed.read, 2);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let Rows::Workers(rows) = &parsed.rows else {
        panic!("kind guessed from the header")
    };
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[1].line, 3);
    assert_eq!(rows[0].row.birth_date.to_string(), "1985-04-12");
    assert_eq!(
        rows[0].row.exposures,
        ["asbestos", "lead", "night_worker"],
        "night_worker flag added, codes sorted"
    );
    let written = String::from_utf8(write_csv(&parsed.rows)).unwrap();
    assert!(written.starts_with(WORKERS), "{written}");
    assert!(written.contains(";1;2025;SIA;asbestos|lead\n"), "{written}");
    let again = parse_file(written.as_bytes(), Some(FileKind::Workers)).unwrap();
    assert_eq!(again.rows, parsed.rows.clone().with_lines_renumbered());
}

trait Renumbered {
    fn with_lines_renumbered(self) -> Self;
}

impl Renumbered for Rows {
    /// The same rows as a file written without blank lines numbers them.
    fn with_lines_renumbered(self) -> Rows {
        match self {
            Rows::Workers(mut rows) => {
                for (index, row) in rows.iter_mut().enumerate() {
                    row.line = index + 2;
                }
                Rows::Workers(rows)
            }
            other => other,
        }
    }
}

#[test]
fn comma_separated_files_are_detected() {
    let parsed = parse_file(b"sector,name\nEST,\"Est, Lorraine\"\n", None).unwrap();
    assert_eq!(parsed.rows.kind(), FileKind::Sectors);
    assert_eq!(parsed.read, 1);
}

#[test]
fn cell_problems_name_their_line_and_column() {
    let file = format!(
        "{WORKERS}\n{}\n{}\n{}\n{}\n",
        worker_line("W1", "1985-13-01", ""),
        worker_line("W2", "1985-01-01", "185047512345699"),
        worker_line("W3", "1985-01-01", ""),
        worker_line("W3", "1985-01-01", ""),
    );
    let parsed = parse_file(file.as_bytes(), Some(FileKind::Workers)).unwrap();
    let messages: Vec<String> = parsed.rejected.iter().map(|e| e.to_string()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].starts_with("ligne 2, colonne birth_date : date invalide « 1985-13-01 »"));
    assert!(
        messages[1].starts_with("ligne 3, colonne nir : "),
        "{}",
        messages[1]
    );
    assert_eq!(
        messages[2],
        "ligne 5, colonne worker_ref : clé en double : déjà présente à la ligne 4"
    );
    assert_eq!(parsed.rows.len(), 1);
}

#[test]
fn malformed_files_give_a_file_error() {
    let wrong_separator = format!("{}\n", WORKERS.replace(';', "\t"));
    assert!(matches!(
        parse_file(wrong_separator.as_bytes(), None),
        Err(FileError::UnknownKind(_))
    ));
    assert!(matches!(
        parse_file(wrong_separator.as_bytes(), Some(FileKind::Workers)),
        Err(FileError::UnknownColumns { .. })
    ));
    let missing = WORKERS.replace(";exposures", "");
    assert_eq!(
        parse_file(missing.as_bytes(), Some(FileKind::Workers)),
        Err(FileError::MissingColumns(vec!["exposures".into()]))
    );
    let latin1 = b"sector;name\nEST;R\xe9gion Est\n";
    assert_eq!(
        parse_file(latin1, None),
        Err(FileError::NotUtf8 { line: 2 })
    );
    assert!(
        parse_file(b"", None)
            .unwrap_err()
            .to_string()
            .contains("vide")
    );
    assert!(matches!(
        parse_file(b"PK\x03\x04garbage", Some(FileKind::Sectors)),
        Err(FileError::Malformed { line: 1, .. })
    ));
}

#[test]
fn the_first_sheet_of_a_spreadsheet_is_read_like_a_csv_file() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let header = FileKind::Companies.columns();
    for (column, name) in header.iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    // The SIRET typed as a number, the date as a real date: both read as the CSV text.
    sheet.write_number(1, 0, 73282932000074.0).unwrap();
    sheet.write_string(1, 1, "Boulangerie Martin").unwrap();
    sheet.write_string(1, 2, "1071C").unwrap();
    sheet.write_string(1, 3, "EST").unwrap();
    sheet.write_string(1, 5, "company").unwrap();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let joined = rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 1, 15).unwrap();
    sheet
        .write_datetime_with_format(1, 6, &joined, &date_format)
        .unwrap();
    sheet.write_string(2, 0, "123").unwrap();
    sheet.write_string(2, 1, "Mauvais SIRET").unwrap();
    sheet.write_string(2, 3, "EST").unwrap();
    sheet.write_string(2, 5, "company").unwrap();
    sheet.write_string(2, 6, "2021-01-01").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let parsed = parse_file(&bytes, None).unwrap();
    assert_eq!(parsed.rows.kind(), FileKind::Companies);
    let Rows::Companies(rows) = &parsed.rows else {
        unreachable!()
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row.siret, "73282932000074");
    assert_eq!(rows[0].row.naf_code.as_deref(), Some("10.71C"));
    assert_eq!(rows[0].row.joined_on.to_string(), "2020-01-15");
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(parsed.rejected[0].line, 3);
    assert_eq!(parsed.rejected[0].column, "siret");
}

/// Bytes of every shape: reading never panics.
#[test]
fn arbitrary_bytes_never_panic() {
    let seeds: [&[u8]; 6] = [
        WORKERS.as_bytes(),
        b"sector;name\n\"unterminated\n",
        b"\xEF\xBB\xBF;;;;\r\n\r\n",
        b"PK\x03\x04\x14\x00\x00\x00",
        b"sector;name\nEST;Est\n",
        b"appointment_ref,worker_ref\n",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..3000 {
        let seed = seeds[round % seeds.len()];
        let mut bytes = seed.to_vec();
        for _ in 0..(round % 7) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if bytes.is_empty() {
                bytes.push(state as u8);
                continue;
            }
            let at = (state as usize) % bytes.len();
            match state % 3 {
                0 => bytes[at] = (state >> 8) as u8,
                1 => bytes.insert(at, (state >> 16) as u8),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        let _ = parse_file(&bytes, None);
        let _ = parse_file(&bytes, Some(FileKind::Workers));
        let _ = spsti_import::dsn::parse_dsn(&bytes);
    }
}
