//! Any bytes read as a DSN file, then mapped to payroll months: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(declarations) = import::dsn::parse_dsn(data) {
        for declaration in &declarations {
            let _ = import::dsn::payroll_month(declaration);
        }
    }
});
