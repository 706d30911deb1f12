//! Invoices for the service's staff: list (unpaid, reminders, strike-off proposals), one
//! invoice with its payments, the PDF, and the board's fee schedule.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use domain::Role;
use domain::fees::format_euros;
use serde::Deserialize;
use store::{Actor, Invoice, InvoiceQuery};

use super::ValidForm;
use super::members::parse_id;
use super::portal::pdf_response;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::invoicing::{ScheduleForm, euros, record_payment};
use crate::services::today;
use crate::state::AppState;

pub const PAYMENT_RECORDERS: &[Role] = &[Role::Admin, Role::Assistant];

pub struct InvoiceListRow {
    pub id: i64,
    pub reference: String,
    pub member: String,
    pub issued_on: String,
    pub due_on: String,
    pub total: String,
    pub balance: String,
    pub reminders: i64,
}

pub fn invoice_list_rows(invoices: &[Invoice]) -> Vec<InvoiceListRow> {
    invoices
        .iter()
        .map(|i| InvoiceListRow {
            id: i.id,
            reference: i.reference(),
            member: format!("{} ({})", i.establishment_name, i.siret),
            issued_on: i.issued_on.format("%d/%m/%Y").to_string(),
            due_on: i.due_on.format("%d/%m/%Y").to_string(),
            total: euros(i.total_cents),
            balance: euros(i.balance_cents()),
            reminders: i.reminders,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "invoices/list.html")]
pub struct ListPage {
    layout: Layout,
    heading: String,
    show_filters: bool,
    link_details: bool,
    pdf_base: &'static str,
    year: String,
    unpaid: bool,
    reminders: String,
    proposal: bool,
    rows: Vec<InvoiceListRow>,
}

pub fn list_page(
    layout: Layout,
    heading: String,
    rows: Vec<InvoiceListRow>,
    staff: bool,
    pdf_base: &'static str,
) -> ListPage {
    ListPage {
        layout,
        heading,
        show_filters: staff,
        link_details: staff,
        pdf_base,
        year: String::new(),
        unpaid: false,
        reminders: String::new(),
        proposal: false,
        rows,
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    unpaid: String,
    #[serde(default)]
    reminders: String,
}

pub async fn list_invoices(
    State(state): State<AppState>,
    layout: Layout,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let year =
        match query.year.trim() {
            "" => None,
            text => Some(text.parse::<i32>().map_err(|_| {
                AppError::invalid("Année", format!("« {text} » n'est pas une année"))
            })?),
        };
    let reminders = match query.reminders.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| {
            AppError::invalid("Relances", format!("« {text} » n'est pas un nombre"))
        })?),
    };
    let unpaid = query.unpaid == "1";
    let invoices = state
        .db()
        .list_invoices(&InvoiceQuery {
            year,
            establishment_id: None,
            unpaid_only: unpaid,
            min_reminders: reminders,
            limit: 500,
        })
        .await?;
    let mut page = list_page(
        layout,
        "Factures".into(),
        invoice_list_rows(&invoices),
        true,
        "/invoices",
    );
    page.year = query.year.clone();
    page.unpaid = unpaid;
    page.reminders = query.reminders.clone();
    page.proposal = unpaid && reminders.is_some_and(|n| n > 0);
    Ok(page.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "invoices/show.html")]
struct InvoicePage {
    layout: Layout,
    id: i64,
    reference: String,
    establishment_id: i64,
    member: String,
    issued_on: String,
    due_on: String,
    lines: Vec<(String, i32, String, String)>,
    total: String,
    paid: String,
    balance: String,
    reminders: i64,
    payments: Vec<String>,
    can_pay: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn invoice_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let i = state.db().find_invoice(id).await?;
    let page = InvoicePage {
        id: i.id,
        reference: i.reference(),
        establishment_id: i.establishment_id,
        member: format!("{} ({})", i.establishment_name, i.siret),
        issued_on: i.issued_on.format("%d/%m/%Y").to_string(),
        due_on: i.due_on.format("%d/%m/%Y").to_string(),
        lines: i
            .lines
            .iter()
            .map(|l| {
                (
                    l.label.clone(),
                    l.quantity,
                    euros(l.unit_cents),
                    euros(l.amount_cents),
                )
            })
            .collect(),
        total: euros(i.total_cents),
        paid: euros(i.paid_cents),
        balance: euros(i.balance_cents()),
        reminders: i.reminders,
        payments: i
            .payments
            .iter()
            .map(|p| {
                format!(
                    "{} — {} — réf. {} (saisi par {})",
                    p.paid_on.format("%d/%m/%Y"),
                    euros(p.amount_cents),
                    p.reference,
                    p.recorded_by
                )
            })
            .collect(),
        can_pay: PAYMENT_RECORDERS.contains(&user.role),
        notice,
        error,
        layout,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

pub async fn show_invoice(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    invoice_page(&state, &user, layout, parse_id(&id)?, None, None).await
}

pub async fn download_invoice(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let invoice = state.db().find_invoice(parse_id(&id)?).await?;
    pdf_response(&state, &invoice).await
}

#[derive(Deserialize, Default)]
pub struct PaymentForm {
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reference: String,
}

pub async fn create_payment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<PaymentForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state.db().find_invoice(id).await?;
    match record_payment(
        &state,
        &Actor(user.login.clone()),
        id,
        &form.paid_on,
        &form.amount,
        &form.reference,
    )
    .await
    {
        Ok(()) => {
            invoice_page(
                &state,
                &user,
                layout,
                id,
                Some("Paiement enregistré.".into()),
                None,
            )
            .await
        }
        Err(err @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            invoice_page(&state, &user, layout, id, None, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "invoices/fees.html")]
struct FeesPage {
    layout: Layout,
    schedules: Vec<Vec<String>>,
    next_year: i32,
    can_edit: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn fees_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let mut schedules = Vec::new();
    for year in state.db().list_fee_schedule_years().await? {
        if let Some(s) = state.db().find_fee_schedule(year).await? {
            schedules.push(vec![
                year.to_string(),
                format_euros(s.per_worker),
                s.per_category
                    .map(|p| p.map(format_euros).join(" / "))
                    .unwrap_or_else(|| "tarif unique".into()),
                format_euros(s.minimum),
                format_euros(s.no_show),
                format_euros(s.self_employed),
            ]);
        }
    }
    let page = FeesPage {
        layout,
        schedules,
        next_year: today().year() + 1,
        can_edit: user.role == Role::Admin,
        notice,
        error,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

pub async fn show_fees(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    fees_page(&state, &user, layout, None, None).await
}

pub async fn set_fees(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<ScheduleForm>,
) -> Result<Response, AppError> {
    match form.to_schedule() {
        Ok(schedule) => {
            state
                .db()
                .set_fee_schedule(&Actor(user.login.clone()), &schedule)
                .await?;
            let notice = format!(
                "Barème {} enregistré ({} par salarié).",
                schedule.year,
                format_euros(schedule.per_worker)
            );
            fees_page(&state, &user, layout, Some(notice), None).await
        }
        Err(err) => fees_page(&state, &user, layout, None, Some(err.detail())).await,
    }
}
