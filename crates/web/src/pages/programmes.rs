//! Prevention programmes for the service: define one (from the TMS Pros template or a copy),
//! target companies, follow the portfolio's progress and the companies stuck on a step,
//! validate or send back steps; the director's funnel.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;
use domain::french_date;
use domain::prevention::programmes::{
    ParticipationFact, Stage, StepStatus, funnel, funnel_by, median_days, stuck, tms_pros_steps,
};
use serde::Deserialize;
use store::{Actor, NewProgramme, Participation, Programme};

use super::ValidForm;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::{parse_date, today};
use crate::state::AppState;

/// Who defines programmes and targets companies.
pub const PROGRAMME_MANAGERS: &[Role] = &[Role::Admin, Role::Director, Role::Preventer];
/// Who reads the funnel.
pub const FUNNEL_READERS: &[Role] = &[Role::Admin, Role::Director];

/// Refuses a company outside the preventer's portfolio.
pub(crate) fn check_portfolio(
    user: &domain::authz::Principal,
    participation: &Participation,
) -> Result<(), AppError> {
    if in_portfolio(user, participation) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "cette entreprise n'est pas dans le portefeuille de votre équipe".into(),
        ))
    }
}

/// A preventer follows their team's companies; directors and administrators every one.
fn in_portfolio(user: &domain::authz::Principal, participation: &Participation) -> bool {
    user.role != Role::Preventer
        || (user.team.is_some() && participation.team_id == user.team.map(|t| t.0))
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/list.html")]
struct ListPage {
    layout: Layout,
    programmes: Vec<(i64, String, String, String, i64)>,
    /// The TMS Pros steps as JSON, the starting point of a new programme's steps.
    template: String,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    layout: Layout,
    error: Option<String>,
) -> Result<Response, AppError> {
    let programmes = state
        .db()
        .list_programmes()
        .await?
        .into_iter()
        .map(|p| {
            (
                p.id,
                p.name,
                p.theme,
                format!(
                    "du {} au {}",
                    french_date(p.starts_on),
                    french_date(p.ends_on)
                ),
                p.targeted,
            )
        })
        .collect();
    let failed = error.is_some();
    let template = serde_json::to_string_pretty(&tms_pros_steps()).expect("serialisable");
    Ok(super::form_response(
        ListPage {
            layout,
            programmes,
            template,
            error,
        },
        failed,
    ))
}

pub async fn show_programmes(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    list_page(&state, layout, None).await
}

#[derive(Deserialize)]
pub struct ProgrammeForm {
    name: String,
    theme: String,
    starts_on: String,
    ends_on: String,
    /// Empty: the steps written in `steps`; else the id of the programme whose steps are
    /// copied.
    #[serde(default)]
    copy_of: String,
    /// The steps as JSON (prefilled with the TMS Pros journey); empty: the TMS Pros steps.
    #[serde(default)]
    steps: String,
}

/// The steps a form defines: its JSON, or the TMS Pros journey when left empty.
fn steps_of_form(
    text: &str,
) -> Result<Vec<domain::prevention::programmes::StepDefinition>, AppError> {
    if text.trim().is_empty() {
        return Ok(tms_pros_steps());
    }
    serde_json::from_str(text).map_err(|e| {
        AppError::invalid(
            "Étapes",
            format!(
                "description illisible ({e}) : une liste d'étapes avec code, title, questions (id, label, kind : text, yes_no, number, date, choice, file ; options pour choice) et validated_by (none, preventer, partner)"
            ),
        )
    })
}

pub async fn create_programme(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<ProgrammeForm>,
) -> Result<Response, AppError> {
    let result = async {
        let starts_on = parse_date("Début", &form.starts_on)?;
        let ends_on = parse_date("Fin", &form.ends_on)?;
        let actor = Actor(user.login.clone());
        let id = match form.copy_of.trim() {
            "" => {
                state
                    .db()
                    .create_programme(
                        &actor,
                        &NewProgramme {
                            name: form.name.clone(),
                            theme: form.theme.clone(),
                            starts_on,
                            ends_on,
                            steps: steps_of_form(&form.steps)?,
                        },
                    )
                    .await?
            }
            source => {
                state
                    .db()
                    .copy_programme(&actor, parse_id(source)?, &form.name, starts_on, ends_on)
                    .await?
            }
        };
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/programmes/{id}")).into_response()),
        Err(err @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            list_page(&state, layout, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}

/// The company's current step: the first not validated (or "parcours terminé").
fn current_step(
    programme: &Programme,
    participation: &Participation,
) -> (String, String, Option<i64>) {
    match participation
        .steps
        .iter()
        .position(|s| s.status != StepStatus::Validated)
    {
        None => (
            "parcours terminé".into(),
            StepStatus::Validated.label().into(),
            None,
        ),
        Some(index) => {
            let step = &participation.steps[index];
            (
                format!(
                    "{} — {}",
                    programme.steps[index].code, programme.steps[index].title
                ),
                step.status.label().to_string(),
                Some((today() - step.changed_on.unwrap_or(participation.targeted_on)).num_days()),
            )
        }
    }
}

struct PortfolioRow {
    establishment_id: i64,
    name: String,
    siret: String,
    step: String,
    status: String,
    days: String,
    to_review: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/show.html")]
struct ProgrammePage {
    layout: Layout,
    programme: Programme,
    period: String,
    rows: Vec<PortfolioRow>,
    stuck_days: i64,
    stuck: Vec<PortfolioRow>,
    can_read_funnel: bool,
    sectors: Vec<String>,
    size_bands: [&'static str; 4],
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ProgrammeQuery {
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    invited: Option<usize>,
    #[serde(default)]
    reminded: Option<usize>,
}

async fn programme_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    stuck_days: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let db = state.db();
    let programme = db.find_programme(id).await?;
    let participations: Vec<Participation> = db
        .list_participations(id)
        .await?
        .into_iter()
        .filter(|p| in_portfolio(user, p))
        .collect();
    let row = |p: &Participation| {
        let (step, status, days) = current_step(&programme, p);
        PortfolioRow {
            establishment_id: p.establishment_id,
            name: p.establishment_name.clone(),
            siret: p.siret.clone(),
            step,
            status,
            days: days.map(|d| format!("{d} j")).unwrap_or_default(),
            to_review: p.steps.iter().any(|s| s.status == StepStatus::Submitted),
        }
    };
    let facts: Vec<ParticipationFact> = participations.iter().map(fact_of).collect();
    let stuck = stuck(&facts, today(), stuck_days)
        .into_iter()
        .filter_map(|s| {
            participations
                .iter()
                .find(|p| p.establishment_id == s.establishment_id)
        })
        .map(row)
        .collect();
    let page = ProgrammePage {
        period: format!(
            "du {} au {}",
            french_date(programme.starts_on),
            french_date(programme.ends_on)
        ),
        rows: participations.iter().map(row).collect(),
        stuck,
        stuck_days,
        can_read_funnel: FUNNEL_READERS.contains(&user.role),
        sectors: db
            .list_sectors()
            .await?
            .into_iter()
            .map(|s| s.code)
            .collect(),
        size_bands: SIZE_BANDS,
        programme,
        layout,
        notice,
        error,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

/// The stuck list reads the same facts as the funnel, built from what is already loaded.
fn fact_of(p: &Participation) -> ParticipationFact {
    ParticipationFact {
        establishment_id: p.establishment_id,
        sector: String::new(),
        team: None,
        naf_section: None,
        size_band: "",
        targeted_on: p.targeted_on,
        steps: p
            .steps
            .iter()
            .map(|s| domain::prevention::programmes::StepFact {
                status: s.status,
                started_on: s.started_on,
                validated_on: s.validated_on,
                changed_on: s.changed_on,
            })
            .collect(),
    }
}

fn stuck_days(query: &ProgrammeQuery) -> Result<i64, AppError> {
    match query.days.as_deref().map(str::trim) {
        None | Some("") => Ok(30),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=3650).contains(d))
            .ok_or_else(|| AppError::invalid("Jours", "un nombre de jours (0 à 3650)")),
    }
}

pub async fn show_programme(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    Query(query): Query<ProgrammeQuery>,
) -> Result<Response, AppError> {
    let days = stuck_days(&query)?;
    let notice = match (query.invited, query.reminded) {
        (Some(n), _) => Some(format!("{n} invitation(s) envoyée(s) par e-mail")),
        (_, Some(n)) => Some(format!("{n} relance(s) envoyée(s) par e-mail")),
        _ => None,
    };
    programme_page(&state, &user, layout, parse_id(&id)?, days, notice, None).await
}

#[derive(Deserialize)]
pub struct TargetForm {
    sirets: String,
}

/// Targets the SIRETs pasted (one per line, or separated by `;`, `,` or spaces: a CSV column
/// of SIRETs pastes as it is).
pub async fn target_companies(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<TargetForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let sirets: Vec<String> = form
        .sirets
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    if sirets.is_empty() {
        return programme_page(
            &state,
            &user,
            layout,
            id,
            30,
            None,
            Some("SIRET : collez au moins un SIRET de 14 chiffres".into()),
        )
        .await;
    }
    let (added, already, unknown) = state
        .db()
        .target_sirets(&Actor(user.login.clone()), id, &sirets, today())
        .await?;
    let mut notice = format!("{added} entreprise(s) ciblée(s), {already} déjà ciblée(s)");
    if !unknown.is_empty() {
        notice.push_str(&format!(
            " ; non adhérents (ignorés) : {}",
            unknown.join(", ")
        ));
    }
    programme_page(&state, &user, layout, id, 30, Some(notice), None).await
}

#[derive(Deserialize)]
pub struct CriteriaForm {
    #[serde(default)]
    naf_prefix: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    size_band: String,
}

/// Targets the active members by NAF code, sector and size band (any left empty is ignored).
pub async fn target_by_criteria(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<CriteriaForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let given = |s: &str| Some(s.trim().to_uppercase()).filter(|s| !s.is_empty());
    let band = Some(form.size_band.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(band) = &band
        && !SIZE_BANDS.contains(&band.as_str())
    {
        return Err(AppError::invalid("Taille", format!("« {band} » inconnue")));
    }
    let criteria = store::TargetCriteria {
        naf_prefix: given(&form.naf_prefix),
        sector: given(&form.sector),
        size_band: band,
    };
    if criteria.naf_prefix.is_none() && criteria.sector.is_none() && criteria.size_band.is_none() {
        return programme_page(
            &state,
            &user,
            layout,
            id,
            30,
            None,
            Some("Critères : choisissez au moins un code NAF, un secteur ou une taille".into()),
        )
        .await;
    }
    let (added, already) = state
        .db()
        .target_by_criteria(&Actor(user.login.clone()), id, &criteria, today())
        .await?;
    let notice = format!("{added} entreprise(s) ciblée(s), {already} déjà ciblée(s)");
    programme_page(&state, &user, layout, id, 30, Some(notice), None).await
}

/// The size bands offered for targeting (those of the funnel).
const SIZE_BANDS: [&str; 4] = ["moins de 20", "20 à 49", "50 à 299", "300 et plus"];

struct StepView {
    index: usize,
    comments: Vec<(&'static str, String, String, String)>,
    attachments: Vec<(i64, String)>,
    code: String,
    title: String,
    status: String,
    answers: Vec<(String, String)>,
    review_comment: String,
    reviewable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/participation.html")]
struct ParticipationPage {
    layout: Layout,
    programme_id: i64,
    programme: String,
    establishment_id: i64,
    establishment: String,
    profile_missing: String,
    steps: Vec<StepView>,
    error: Option<String>,
}

async fn participation_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    programme_id: i64,
    establishment_id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (programme, participation) = state
        .db()
        .find_journey(programme_id, establishment_id)
        .await?;
    check_portfolio(user, &participation)?;
    let comments = state.db().list_programme_comments(participation.id).await?;
    let attachments = state
        .db()
        .list_programme_attachments(participation.id)
        .await?;
    let steps = programme
        .steps
        .iter()
        .zip(&participation.steps)
        .enumerate()
        .map(|(index, (definition, progress))| StepView {
            index,
            comments: super::portal_programmes::comments_of(&comments, index),
            attachments: super::portal_programmes::attachments_of(&attachments, index),
            code: definition.code.clone(),
            title: definition.title.clone(),
            status: progress.status.label().to_string(),
            answers: definition
                .questions
                .iter()
                .filter_map(|q| Some((q.label.clone(), progress.answers.get(&q.id)?.clone())))
                .collect(),
            review_comment: progress.review_comment.clone(),
            reviewable: domain::prevention::programmes::check_validator(
                user.role,
                definition,
                progress.status,
            )
            .is_ok(),
        })
        .collect();
    let page = ParticipationPage {
        layout,
        programme_id,
        programme: programme.name,
        establishment_id,
        establishment: format!(
            "{} ({})",
            participation.establishment_name, participation.siret
        ),
        profile_missing: participation.profile_missing().join(", "),
        steps,
        error,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

pub async fn show_participation(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path((id, establishment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    participation_page(
        &state,
        &user,
        layout,
        parse_id(&id)?,
        parse_id(&establishment)?,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn review_step(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path((id, establishment, step)): Path<(String, String, String)>,
    ValidForm(form): ValidForm<ReviewForm>,
) -> Result<Response, AppError> {
    let (id, establishment) = (parse_id(&id)?, parse_id(&establishment)?);
    let step: usize = step.parse().map_err(|_| AppError::NotFound)?;
    let participation = state.db().find_participation(id, establishment).await?;
    if !in_portfolio(&user, &participation) {
        return Err(AppError::Forbidden(
            "cette entreprise n'est pas dans le portefeuille de votre équipe".into(),
        ));
    }
    let result = state
        .db()
        .review_step(
            &Actor(user.login.clone()),
            user.role,
            store::StepRef {
                programme_id: id,
                establishment_id: establishment,
                step,
            },
            form.decision == "validate",
            &form.comment,
        )
        .await
        .map_err(AppError::from);
    super::redirect_or_show(
        result,
        &format!("/programmes/{id}/participations/{establishment}"),
        |message| participation_page(&state, &user, layout, id, establishment, Some(message)),
    )
    .await
}

struct FunnelGroup {
    dimension: &'static str,
    group: String,
    stages: Vec<Stage>,
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/funnel.html")]
struct FunnelPage {
    layout: Layout,
    programme: Programme,
    stages: Vec<Stage>,
    chart: String,
    medians: Vec<(String, String)>,
    groups: Vec<FunnelGroup>,
}

/// A breakdown of the funnel: its name and how a company is grouped.
type Dimension = (&'static str, fn(&ParticipationFact) -> String);

struct FunnelTables {
    programme: Programme,
    codes: Vec<String>,
    stages: Vec<Stage>,
    groups: Vec<FunnelGroup>,
    medians: Vec<Option<i64>>,
}

/// The funnel and its breakdowns, from the programme's facts.
async fn funnel_tables(state: &AppState, id: i64) -> Result<FunnelTables, AppError> {
    let programme = state.db().find_programme(id).await?;
    let facts = state.db().load_programme_facts(id).await?;
    let codes: Vec<String> = programme.steps.iter().map(|s| s.code.clone()).collect();
    let stages = funnel(&codes, &facts);
    let mut groups = Vec::new();
    let dimensions: [Dimension; 4] = [
        ("secteur", |f| f.sector.clone()),
        ("équipe", |f| {
            f.team.clone().unwrap_or_else(|| "sans équipe".into())
        }),
        ("section NAF", |f| {
            f.naf_section.map_or("inconnue".into(), |c| c.to_string())
        }),
        ("taille", |f| f.size_band.to_string()),
    ];
    for (dimension, key) in dimensions {
        for (group, stages) in funnel_by(&codes, &facts, key) {
            groups.push(FunnelGroup {
                dimension,
                group,
                stages,
            });
        }
    }
    let medians = median_days(codes.len(), &facts);
    Ok(FunnelTables {
        programme,
        codes,
        stages,
        groups,
        medians,
    })
}

pub async fn show_funnel(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let FunnelTables {
        programme,
        codes,
        stages,
        groups,
        medians,
    } = funnel_tables(&state, parse_id(&id)?).await?;
    let chart = crate::charts::bar_chart(
        &format!("Entonnoir du programme {}", programme.name),
        &stages
            .iter()
            .map(|s| (s.stage.clone(), s.percent))
            .collect::<Vec<_>>(),
        None,
        " %",
    );
    let medians = codes
        .into_iter()
        .zip(medians)
        .map(|(code, days)| (code, days.map_or("—".into(), |d| format!("{d} j"))))
        .collect();
    Ok(FunnelPage {
        layout,
        programme,
        stages,
        chart,
        medians,
        groups,
    }
    .into_response())
}

/// The funnel and its breakdowns as CSV (`;`, decimal comma), one line per group and stage.
pub async fn download_funnel_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let FunnelTables {
        programme,
        stages,
        groups,
        ..
    } = funnel_tables(&state, parse_id(&id)?).await?;
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    out.write_record(["dimension", "groupe", "etape", "entreprises", "pourcentage"])
        .map_err(internal)?;
    let all = FunnelGroup {
        dimension: "ensemble",
        group: "ensemble".into(),
        stages,
    };
    for group in std::iter::once(&all).chain(&groups) {
        for stage in &group.stages {
            out.write_record([
                group.dimension,
                &group.group,
                &stage.stage,
                &stage.count.to_string(),
                &stage
                    .percent
                    .map(crate::charts::french_number)
                    .unwrap_or_default(),
            ])
            .map_err(internal)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(super::file_response(
        "text/csv; charset=utf-8",
        "attachment",
        &format!("entonnoir-programme-{}.csv", programme.id),
        bytes,
    ))
}

/// The funnel, its breakdowns and the median days as a spreadsheet (one sheet each), as the
/// partner asks for them.
pub async fn download_funnel_xlsx(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    use kpi::{Cell, Table};
    let tables = funnel_tables(&state, parse_id(&id)?).await?;
    let stage_record = |s: &Stage| {
        vec![
            ("etape", Cell::Text(s.stage.clone())),
            ("entreprises", Cell::Int(s.count as i64)),
            ("pourcentage", Cell::Rate(s.percent)),
        ]
    };
    let mut overall = Table::new("entonnoir", &["etape", "entreprises", "pourcentage"]);
    tables
        .stages
        .iter()
        .for_each(|s| overall.push(stage_record(s)));
    let mut groups = Table::new(
        "entonnoir_groupes",
        &["dimension", "groupe", "etape", "entreprises", "pourcentage"],
    );
    for group in &tables.groups {
        for stage in &group.stages {
            let mut record = vec![
                ("dimension", Cell::Text(group.dimension.into())),
                ("groupe", Cell::Text(group.group.clone())),
            ];
            record.extend(stage_record(stage));
            groups.push(record);
        }
    }
    let mut medians = Table::new("duree_mediane_jours", &["etape", "jours"]);
    for (code, days) in tables.codes.iter().zip(&tables.medians) {
        medians.push(vec![
            ("etape", Cell::Text(code.clone())),
            ("jours", Cell::MaybeInt(*days)),
        ]);
    }
    let bytes = kpi::xlsx::tables_xlsx(&[overall, groups, medians])
        .map_err(|e| AppError::Internal(format!("classeur : {e}")))?;
    Ok(super::file_response(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment",
        &format!("entonnoir-programme-{}.xlsx", tables.programme.id),
        bytes,
    ))
}
