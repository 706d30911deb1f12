//! The employer portal: the employer's own establishment, contacts, declaration and invoices.
//! Every lookup goes through the account's SIRET, so another company's data answers 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use store::{Actor, Establishment, InvoiceQuery};

use super::ValidForm;
use super::declarations::employer_establishment;
use super::invoices::{InvoiceListRow, invoice_list_rows, list_page};
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::invoicing::invoice_pdf;
use crate::services::members::MemberForm;
use crate::services::today;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "portal/home.html")]
struct PortalPage {
    layout: Layout,
    e: Establishment,
    joined: String,
    team: String,
    email: String,
    phone: String,
    year: i32,
    declaration_state: String,
    unpaid: String,
    notice: Option<String>,
    error: Option<String>,
}

pub(crate) async fn portal_page(
    state: &AppState,
    layout: Layout,
    e: Establishment,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let year = today().year();
    let declaration_state = match state.db().find_latest_declaration(e.id, year).await? {
        None => "à compléter".to_string(),
        Some(d) if d.status == store::DeclarationStatus::Draft => {
            format!("version {} en cours de saisie", d.version)
        }
        Some(d) => format!("version {} transmise", d.version),
    };
    let unpaid = state
        .db()
        .list_invoices(&InvoiceQuery {
            establishment_id: Some(e.id),
            unpaid_only: true,
            limit: 100,
            ..Default::default()
        })
        .await?;
    let page = PortalPage {
        joined: e.joined_on.format("%d/%m/%Y").to_string(),
        team: e.team.clone().unwrap_or_else(|| "non affectée".into()),
        email: e.email.clone().unwrap_or_default(),
        phone: e.phone.clone().unwrap_or_default(),
        year,
        declaration_state,
        unpaid: if unpaid.is_empty() {
            "aucune facture en attente".into()
        } else {
            format!("{} facture(s) à régler", unpaid.len())
        },
        e,
        notice,
        error,
        layout,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

pub async fn show_portal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    let e = employer_establishment(&state, &user).await?;
    portal_page(&state, layout, e, None, None).await
}

pub async fn update_portal_contacts(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<MemberForm>,
) -> Result<Response, AppError> {
    let e = employer_establishment(&state, &user).await?;
    let outcome = match form.to_contacts() {
        Ok(contacts) => state
            .db()
            .update_contacts(&Actor(user.login.clone()), e.id, &contacts)
            .await
            .map_err(AppError::from),
        Err(err) => Err(err),
    };
    let e = state.db().find_establishment(e.id).await?;
    match outcome {
        Ok(()) => {
            portal_page(
                &state,
                layout,
                e,
                Some("Coordonnées enregistrées.".into()),
                None,
            )
            .await
        }
        Err(err @ AppError::Invalid { .. }) => {
            portal_page(&state, layout, e, None, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}

pub async fn list_portal_invoices(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    let e = employer_establishment(&state, &user).await?;
    let invoices = state
        .db()
        .list_invoices(&InvoiceQuery {
            establishment_id: Some(e.id),
            limit: 200,
            ..Default::default()
        })
        .await?;
    let rows: Vec<InvoiceListRow> = invoice_list_rows(&invoices);
    Ok(list_page(
        layout,
        format!("Factures — {}", e.name),
        rows,
        false,
        "/portal/invoices",
    )
    .into_response())
}

/// The PDF of one of the employer's own invoices.
pub async fn download_portal_invoice(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let e = employer_establishment(&state, &user).await?;
    let invoice = state.db().find_invoice(parse_id(&id)?).await?;
    if invoice.establishment_id != e.id {
        return Err(AppError::NotFound);
    }
    pdf_response(&state, &invoice).await
}

pub async fn pdf_response(
    state: &AppState,
    invoice: &store::Invoice,
) -> Result<Response, AppError> {
    let pdf = invoice_pdf(state, invoice).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"facture-{}.pdf\"",
                    invoice.reference()
                ),
            ),
        ],
        pdf,
    )
        .into_response())
}
