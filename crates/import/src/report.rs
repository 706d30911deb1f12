//! The French report of an import: each refused line with its number, column and reason,
//! then the counts `lus`, `importés`, `mis à jour`, `rejetés`.

use domain::exchange::{FileKind, LineError};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub kind: FileKind,
    /// Data lines read (blank lines aside).
    pub read: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Refused lines, by line number (reading and database checks together).
    pub rejected: Vec<LineError>,
    pub dry_run: bool,
    /// Whether the changes were written.
    pub committed: bool,
}

impl ImportReport {
    pub fn text(&self) -> String {
        let mut out = String::new();
        for error in &self.rejected {
            out.push_str(&format!("rejetée : {error}\n"));
        }
        out.push_str(&format!(
            "fichier {} : {} lus, {} importés, {} mis à jour, {} inchangés, {} rejetés\n",
            self.kind.code(),
            self.read,
            self.inserted,
            self.updated,
            self.unchanged,
            self.rejected.len()
        ));
        out.push_str(if self.dry_run {
            "simulation (--dry-run) : rien n'a été écrit\n"
        } else if self.committed {
            "les changements ont été enregistrés\n"
        } else {
            "rien n'a été écrit (--strict : au moins une ligne est rejetée)\n"
        });
        out
    }
}
