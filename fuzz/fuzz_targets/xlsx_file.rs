//! Any bytes read as a spreadsheet: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = import::xlsx_file::read_xlsx_header(data);
    let _ = import::xlsx_file::read_xlsx(data, domain::exchange::FileKind::Workers.columns());
});
