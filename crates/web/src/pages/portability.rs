//! The employer's data going in and out: a DSN payroll file as the proposal of the year's
//! workforce declaration (the employer reviews the exposures before submitting), and every
//! record of the establishment in the exchange formats (GDPR portability), as one ZIP file.

use std::io::Write;

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use domain::exchange::{FileKind, Line, Rows};
use store::Actor;

use super::declarations::employer_establishment;
use super::portal::portal_page;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::state::AppState;

/// Reads the uploaded DSN file; every month must be the employer's own establishment.
pub async fn upload_portal_dsn(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let e = employer_establishment(&state, &user).await?;
    let malformed = || AppError::invalid("Formulaire", "envoi mal formé");
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| malformed())? {
        if field.name() == Some("file") {
            bytes = field.bytes().await.map_err(|_| malformed())?.to_vec();
        }
    }
    let outcome = import_proposal(&state, &user.login, &e.siret, &bytes).await?;
    match outcome {
        Ok(year) => Ok(Redirect::to(&format!("/portal/declarations/{year}")).into_response()),
        Err(message) => portal_page(&state, layout, e, None, Some(message)).await,
    }
}

/// The months of a DSN file applied as proposals; the year to review, or why nothing (or
/// not every month) was imported.
async fn import_proposal(
    state: &AppState,
    login: &str,
    siret: &str,
    bytes: &[u8],
) -> Result<Result<i32, String>, AppError> {
    if bytes.is_empty() {
        return Ok(Err(
            "Fichier DSN : choisissez le fichier produit par votre logiciel de paie".into(),
        ));
    }
    let mut months = match import::dsn::read_payroll(bytes) {
        Ok(months) => months,
        Err(error) => return Ok(Err(format!("Fichier DSN : {error} ; rien n'a été importé"))),
    };
    if let Some(other) = months.iter().find(|m| m.siret != siret) {
        return Ok(Err(format!(
            "Fichier DSN : ce fichier concerne l'établissement {}, pas le vôtre ({siret}) ; rien n'a été importé",
            other.siret
        )));
    }
    months.sort_by_key(|m| m.month);
    let actor = Actor(login.to_string());
    let mut year = crate::services::today().year();
    for month in &months {
        match state
            .db()
            .import_payroll_month(&actor, month, true, false)
            .await
        {
            Ok(_) => year = month.month.year(),
            Err(store::StoreError::Invalid(reason)) => {
                return Ok(Err(format!(
                    "Fichier DSN : {reason} ; ce mois n'a pas été importé"
                )));
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(Ok(year))
}

fn keep<T>(rows: Vec<Line<T>>, mine: impl Fn(&T) -> bool) -> Vec<Line<T>> {
    rows.into_iter().filter(|l| mine(&l.row)).collect()
}

/// The establishment's own records of each exchange file.
fn own_rows(rows: Rows, siret: &str) -> Option<Rows> {
    Some(match rows {
        Rows::Companies(r) => Rows::Companies(keep(r, |c| c.siret == siret)),
        Rows::Workers(r) => Rows::Workers(keep(r, |w| w.siret == siret)),
        Rows::Appointments(r) => Rows::Appointments(keep(r, |a| a.siret.as_deref() == Some(siret))),
        Rows::RiskSheets(r) => Rows::RiskSheets(keep(r, |s| s.siret == siret)),
        Rows::WorkplaceActions(r) => Rows::WorkplaceActions(keep(r, |a| a.siret == siret)),
        _ => return None,
    })
}

/// Every record of the employer's establishment, one CSV file per kind, in a ZIP file.
pub async fn download_portal_export(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let e = employer_establishment(&state, &user).await?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let failed = |e: zip::result::ZipError| AppError::Internal(format!("archive : {e}"));
    for kind in [
        FileKind::Companies,
        FileKind::Workers,
        FileKind::Appointments,
        FileKind::RiskSheets,
        FileKind::WorkplaceActions,
    ] {
        let Some(rows) = own_rows(state.db().export_rows(kind).await?, &e.siret) else {
            continue;
        };
        zip.start_file(format!("{}.csv", kind.code()), options)
            .map_err(failed)?;
        zip.write_all(&import::write_csv(&rows))
            .map_err(|e| AppError::Internal(format!("archive : {e}")))?;
    }
    let bytes = zip.finish().map_err(failed)?.into_inner();
    state
        .db()
        .record_portability_export(&Actor(user.login.clone()), &e.siret)
        .await?;
    Ok(super::file_response(
        "application/zip",
        "attachment",
        &format!("donnees-{}.zip", e.siret),
        bytes,
    ))
}
