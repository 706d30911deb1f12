//! Any bytes read as an exchange file of every kind: a report or an error, never a panic.
#![no_main]

use domain::exchange::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = import::parse_file(data, None);
    for kind in FileKind::ALL {
        if let Ok(parsed) = import::parse_file(data, Some(kind)) {
            // What was read writes back and reads again.
            let written = import::write_csv(&parsed.rows);
            let again = import::parse_file(&written, Some(kind)).expect("own output reads");
            assert_eq!(again.rows.len(), parsed.rows.len());
        }
    }
});
