//! Reading the files a service brings from its previous software (DATA-FORMATS.md). This
//! module holds the conventions every CSV file follows; the per-file importers build on it.

pub mod csv_file;
