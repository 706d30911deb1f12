//! The tables as one spreadsheet: a sheet per table, the field names in bold on the first
//! row, numbers as numbers (exact counts: the directors' export).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::export::columns;
use crate::table::{Cell, Table};

pub fn tables_xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.id)?;
        let columns = columns(table);
        for (c, field) in columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *field, &bold)?;
        }
        for (r, record) in table.records.iter().enumerate() {
            let row = r as u32 + 1;
            for (c, field) in columns.iter().enumerate() {
                let col = c as u16;
                match record
                    .iter()
                    .find(|(f, _)| f == field)
                    .map(|(_, cell)| cell)
                {
                    Some(Cell::Int(n)) | Some(Cell::MaybeInt(Some(n))) => {
                        sheet.write_number(row, col, *n as f64)?;
                    }
                    Some(Cell::Rate(Some(x))) => {
                        sheet.write_number(row, col, *x)?;
                    }
                    Some(Cell::Text(t)) => {
                        sheet.write_string(row, col, t)?;
                    }
                    _ => {}
                }
            }
        }
    }
    workbook.save_to_buffer()
}
