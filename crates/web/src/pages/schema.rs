//! The administrator's page of the priority schema: the current edition as an editable
//! table (queue, rank, kind, subtypes, condition), the history of editions, and saving a new
//! edition, which re-ranks every obligation in the same transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use domain::rules::{Condition, Entry, PrioritySchema, VISIT_KINDS, kind_label};
use serde::Deserialize;
use store::Actor;

use super::ValidForm;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::state::AppState;

/// Empty rows offered under the current entries, to add some.
const BLANK_ROWS: usize = 4;

#[derive(Debug, Clone, Default)]
struct EntryRow {
    queue: String,
    rank: String,
    kind: String,
    subtypes: String,
    condition: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/schema.html")]
struct SchemaPage {
    layout: Layout,
    edition: i32,
    rows: Vec<EntryRow>,
    kinds: Vec<(&'static str, &'static str)>,
    conditions: Vec<(&'static str, &'static str)>,
    history: Vec<(i32, String, String, String)>,
    note: String,
    notice: Option<String>,
    error: Option<String>,
}

fn rows_of(schema: &PrioritySchema) -> Vec<EntryRow> {
    let queue = |name: &str, entries: &[Entry]| -> Vec<EntryRow> {
        entries
            .iter()
            .map(|e| EntryRow {
                queue: name.into(),
                rank: e.rank.to_string(),
                kind: e.kind.clone(),
                subtypes: e.subtypes.join(", "),
                condition: e.condition.code().into(),
            })
            .collect()
    };
    let mut rows = queue("doctor", &schema.doctor);
    rows.extend(queue("nurse", &schema.nurse));
    rows
}

async fn schema_page(
    state: &AppState,
    layout: Layout,
    submitted: Option<(Vec<EntryRow>, String)>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let editions = state.db().list_schema_editions().await?;
    let current = &editions[0];
    let (mut rows, note) = submitted.unwrap_or_else(|| (rows_of(&current.schema), String::new()));
    rows.extend(std::iter::repeat_n(EntryRow::default(), BLANK_ROWS));
    let page = SchemaPage {
        layout,
        edition: current.edition,
        rows,
        kinds: VISIT_KINDS[..VISIT_KINDS.len() - 1]
            .iter()
            .map(|k| (*k, kind_label(k)))
            .collect(),
        conditions: Condition::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        history: editions
            .iter()
            .map(|e| {
                (
                    e.edition,
                    e.author.clone(),
                    e.created_at
                        .map(super::format_time)
                        .unwrap_or_else(|| "—".into()),
                    e.note.clone(),
                )
            })
            .collect(),
        note,
        notice,
        error,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

pub async fn show_schema(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    schema_page(&state, layout, None, None, None).await
}

#[derive(Deserialize, Default)]
pub struct SchemaForm {
    #[serde(default)]
    queue: Vec<String>,
    #[serde(default)]
    rank: Vec<String>,
    #[serde(default)]
    kind: Vec<String>,
    #[serde(default)]
    subtypes: Vec<String>,
    #[serde(default)]
    condition: Vec<String>,
    #[serde(default)]
    note: String,
}

/// The submitted rows; those without a kind are dropped (that is how one removes a line).
fn read_form(form: &SchemaForm) -> Result<(Vec<EntryRow>, PrioritySchema), AppError> {
    let n = form.kind.len();
    if [&form.queue, &form.rank, &form.subtypes, &form.condition]
        .iter()
        .any(|column| column.len() != n)
    {
        return Err(AppError::invalid("Schéma", "formulaire incomplet"));
    }
    let mut rows = Vec::new();
    let mut schema = PrioritySchema {
        doctor: Vec::new(),
        nurse: Vec::new(),
    };
    for i in 0..n {
        let row = EntryRow {
            queue: form.queue[i].trim().into(),
            rank: form.rank[i].trim().into(),
            kind: form.kind[i].trim().into(),
            subtypes: form.subtypes[i].trim().into(),
            condition: form.condition[i].trim().into(),
        };
        if row.kind.is_empty() {
            continue;
        }
        let line = format!("ligne {}", rows.len() + 1);
        let rank: u8 = row.rank.parse().map_err(|_| {
            AppError::invalid(
                "Rang",
                format!("{line} : nombre entier attendu, « {} » reçu", row.rank),
            )
        })?;
        let condition = Condition::from_code(&row.condition)
            .ok_or_else(|| AppError::invalid("Condition", format!("{line} : inconnue")))?;
        let entry = Entry {
            rank,
            kind: row.kind.clone(),
            subtypes: row
                .subtypes
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            condition,
        };
        match row.queue.as_str() {
            "doctor" => schema.doctor.push(entry),
            "nurse" => schema.nurse.push(entry),
            other => {
                return Err(AppError::invalid(
                    "File",
                    format!("{line} : « {other} » inconnue (doctor ou nurse)"),
                ));
            }
        }
        rows.push(row);
    }
    Ok((rows, schema))
}

pub async fn save_schema(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<SchemaForm>,
) -> Result<Response, AppError> {
    let note = form.note.trim().chars().take(500).collect::<String>();
    let outcome = match read_form(&form) {
        Ok((rows, schema)) => state
            .db()
            .save_schema_edition(&Actor(user.login.clone()), &schema, &note)
            .await
            .map_err(AppError::from)
            .map_err(|e| (Some(rows), e)),
        Err(e) => Err((None, e)),
    };
    match outcome {
        Ok(edition) => {
            let notice =
                format!("Édition {edition} enregistrée ; les files sont reclassées selon elle.");
            schema_page(&state, layout, None, Some(notice), None).await
        }
        Err((rows, err @ AppError::Invalid { .. })) => {
            let rows = rows.unwrap_or_default();
            schema_page(&state, layout, Some((rows, note)), None, Some(err.detail())).await
        }
        Err((_, other)) => Err(other),
    }
}
