//! Prevention programmes: their definition (steps and questions as JSON), the targeted
//! establishments and their participation step by step, under the journey's rules of
//! `domain::prevention::programmes` checked inside the transaction that writes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::Role;
use domain::prevention::programmes::{
    ParticipationFact, StepDefinition, StepFact, StepStatus, check_answer, check_step_open,
    check_steps, check_validator, profile_missing, size_band, status_after_submit, unanswered,
};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};

#[derive(Debug, Clone, Serialize)]
pub struct NewProgramme {
    pub name: String,
    pub theme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub steps: Vec<StepDefinition>,
}

#[derive(Debug, Clone)]
pub struct Programme {
    pub id: i64,
    pub name: String,
    pub theme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub steps: Vec<StepDefinition>,
    pub targeted: i64,
}

/// One step of a participation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepProgress {
    pub status: StepStatus,
    pub answers: BTreeMap<String, String>,
    pub started_on: Option<NaiveDate>,
    pub submitted_on: Option<NaiveDate>,
    pub validated_on: Option<NaiveDate>,
    pub changed_on: Option<NaiveDate>,
    pub review_comment: String,
}

impl Default for StepProgress {
    fn default() -> Self {
        StepProgress {
            status: StepStatus::NotStarted,
            answers: BTreeMap::new(),
            started_on: None,
            submitted_on: None,
            validated_on: None,
            changed_on: None,
            review_comment: String::new(),
        }
    }
}

/// One step of one establishment's participation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRef {
    pub programme_id: i64,
    pub establishment_id: i64,
    /// The step's position in the programme (0 for E0).
    pub step: usize,
}

/// A targeted establishment's participation in a programme.
#[derive(Debug, Clone)]
pub struct Participation {
    pub id: i64,
    pub programme_id: i64,
    pub establishment_id: i64,
    pub establishment_name: String,
    pub siret: String,
    pub team_id: Option<i64>,
    pub targeted_on: NaiveDate,
    pub headcount: Option<i32>,
    pub email: Option<String>,
    pub naf_code: Option<String>,
    /// One per step of the programme, in order.
    pub steps: Vec<StepProgress>,
}

impl Participation {
    /// What the profile still lacks before the journey opens.
    pub fn profile_missing(&self) -> Vec<&'static str> {
        profile_missing(
            self.email.as_deref(),
            self.headcount.and_then(|h| u32::try_from(h).ok()),
            self.naf_code.as_deref(),
        )
    }

    pub fn statuses(&self) -> Vec<StepStatus> {
        self.steps.iter().map(|s| s.status).collect()
    }
}

fn steps_from_json(text: &str) -> Result<Vec<StepDefinition>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Io(format!("étapes du programme : {e}")))
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("serialisable")
}

const PROGRAMME_SELECT: &str = "SELECT p.id, p.name, p.theme, p.starts_on, p.ends_on, p.steps_json,
    (SELECT COUNT(*) FROM programme_participations t WHERE t.programme_id = p.id) AS targeted FROM programmes p";

const PARTICIPATION_SELECT: &str =
    "SELECT t.id, t.programme_id, t.establishment_id, e.name, e.siret, e.team_id,
    t.targeted_on, t.headcount, e.email, e.naf_code
    FROM programme_participations t JOIN establishments e ON e.id = t.establishment_id";

macro_rules! programme_from_row {
    ($r:expr) => {
        Programme {
            id: $r.try_get("id")?,
            name: $r.try_get("name")?,
            theme: $r.try_get("theme")?,
            starts_on: $r.try_get("starts_on")?,
            ends_on: $r.try_get("ends_on")?,
            steps: steps_from_json(&$r.try_get::<String, _>("steps_json")?)?,
            targeted: $r.try_get("targeted")?,
        }
    };
}

macro_rules! participation_from_row {
    ($r:expr) => {
        Participation {
            id: $r.try_get("id")?,
            programme_id: $r.try_get("programme_id")?,
            establishment_id: $r.try_get("establishment_id")?,
            establishment_name: $r.try_get("name")?,
            siret: $r.try_get("siret")?,
            team_id: $r.try_get("team_id")?,
            targeted_on: $r.try_get("targeted_on")?,
            headcount: $r.try_get("headcount")?,
            email: $r.try_get("email")?,
            naf_code: $r.try_get("naf_code")?,
            steps: Vec::new(),
        }
    };
}

/// Reads the stored steps of a participation into `steps` (one per programme step).
macro_rules! load_steps {
    ($executor:expr, $participation:expr, $count:expr) => {{
        let mut steps = vec![StepProgress::default(); $count];
        let rows = sqlx::query(
            "SELECT step, status, answers_json, started_on, submitted_on, validated_on, changed_on, review_comment
             FROM programme_steps WHERE participation_id = $1",
        )
        .bind($participation)
        .fetch_all($executor)
        .await?;
        for r in rows {
            let index: i32 = r.try_get("step")?;
            let Some(step) = steps.get_mut(index as usize) else {
                continue;
            };
            *step = StepProgress {
                status: StepStatus::from_code(&r.try_get::<String, _>("status")?)
                    .unwrap_or(StepStatus::NotStarted),
                answers: serde_json::from_str(&r.try_get::<String, _>("answers_json")?)
                    .unwrap_or_default(),
                started_on: r.try_get("started_on")?,
                submitted_on: r.try_get("submitted_on")?,
                validated_on: r.try_get("validated_on")?,
                changed_on: r.try_get("changed_on")?,
                review_comment: r.try_get("review_comment")?,
            };
        }
        steps
    }};
}

/// Writes one step's progress (insert or replace).
macro_rules! save_step {
    ($tx:expr, $participation:expr, $index:expr, $step:expr) => {{
        let step: &StepProgress = $step;
        sqlx::query("DELETE FROM programme_steps WHERE participation_id = $1 AND step = $2")
            .bind($participation)
            .bind($index as i32)
            .execute(&mut *$tx)
            .await?;
        sqlx::query(
            "INSERT INTO programme_steps (participation_id, step, status, answers_json, started_on, submitted_on,
                validated_on, changed_on, review_comment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($participation)
        .bind($index as i32)
        .bind(step.status.code())
        .bind(to_json(&step.answers))
        .bind(step.started_on)
        .bind(step.submitted_on)
        .bind(step.validated_on)
        .bind(step.changed_on.unwrap_or_else(|| now().date_naive()))
        .bind(&step.review_comment)
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Db {
    pub async fn create_programme(
        &self,
        actor: &Actor,
        programme: &NewProgramme,
    ) -> Result<i64, StoreError> {
        if programme.name.trim().is_empty() {
            return Err(StoreError::Invalid("Nom : obligatoire".into()));
        }
        if programme.ends_on < programme.starts_on {
            return Err(StoreError::Invalid("Fin : antérieure au début".into()));
        }
        check_steps(&programme.steps).map_err(StoreError::Invalid)?;
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO programmes (name, theme, starts_on, ends_on, steps_json, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(programme.name.trim())
            .bind(programme.theme.trim())
            .bind(programme.starts_on)
            .bind(programme.ends_on)
            .bind(to_json(&programme.steps))
            .bind(&actor.0)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "create", "programme", id).after(programme)).await?;
            Ok(id)
        })
    }

    /// A new programme with the same theme and steps (no targets): next year's edition.
    pub async fn copy_programme(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    ) -> Result<i64, StoreError> {
        let source = self.find_programme(id).await?;
        self.create_programme(
            actor,
            &NewProgramme {
                name: name.to_string(),
                theme: source.theme,
                starts_on,
                ends_on,
                steps: source.steps,
            },
        )
        .await
    }

    pub async fn list_programmes(&self) -> Result<Vec<Programme>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{PROGRAMME_SELECT} ORDER BY p.starts_on DESC, p.id DESC")))
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| Ok(programme_from_row!(r))).collect()
        })
    }

    pub async fn find_programme(&self, id: i64) -> Result<Programme, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("{PROGRAMME_SELECT} WHERE p.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(programme_from_row!(row))
        })
    }

    /// Targets member establishments by SIRET; returns (added, already targeted, SIRETs that
    /// are not members).
    pub async fn target_sirets(
        &self,
        actor: &Actor,
        programme_id: i64,
        sirets: &[String],
        on: NaiveDate,
    ) -> Result<(usize, usize, Vec<String>), StoreError> {
        self.find_programme(programme_id).await?;
        in_tx!(self, tx => {
            let (mut added, mut already, mut unknown) = (0, 0, Vec::new());
            for siret in sirets {
                let row = sqlx::query("SELECT id FROM establishments WHERE siret = $1 AND struck_off_on IS NULL")
                    .bind(siret)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(row) = row else {
                    unknown.push(siret.clone());
                    continue;
                };
                let establishment: i64 = row.try_get("id")?;
                let inserted = sqlx::query(
                    "INSERT INTO programme_participations (programme_id, establishment_id, targeted_on)
                     VALUES ($1, $2, $3) ON CONFLICT (programme_id, establishment_id) DO NOTHING",
                )
                .bind(programme_id)
                .bind(establishment)
                .bind(on)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if inserted == 1 { added += 1 } else { already += 1 }
            }
            tx.audit(AuditEntry::new(actor, "target", "programme", programme_id)
                .after(&serde_json::json!({"added": added, "already": already, "unknown": unknown.len()})))
                .await?;
            Ok((added, already, unknown))
        })
    }

    /// The participation of an establishment in a programme, with its steps.
    pub async fn find_participation(
        &self,
        programme_id: i64,
        establishment_id: i64,
    ) -> Result<Participation, StoreError> {
        Ok(self.find_journey(programme_id, establishment_id).await?.1)
    }

    /// A programme and an establishment's participation in it, the programme read once.
    pub async fn find_journey(
        &self,
        programme_id: i64,
        establishment_id: i64,
    ) -> Result<(Programme, Participation), StoreError> {
        let programme = self.find_programme(programme_id).await?;
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{PARTICIPATION_SELECT} WHERE t.programme_id = $1 AND t.establishment_id = $2"
            )))
            .bind(programme_id)
            .bind(establishment_id)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)?;
            let mut participation = participation_from_row!(row);
            participation.steps = load_steps!(pool, participation.id, programme.steps.len());
            Ok((programme, participation))
        })
    }

    /// The programmes an establishment takes part in.
    pub async fn list_establishment_programmes(
        &self,
        establishment_id: i64,
    ) -> Result<Vec<Programme>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{PROGRAMME_SELECT} WHERE p.id IN (SELECT programme_id FROM programme_participations WHERE establishment_id = $1)
                 ORDER BY p.starts_on DESC"
            )))
            .bind(establishment_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(programme_from_row!(r))).collect()
        })
    }

    /// The headcount the company states in its profile.
    pub async fn set_programme_headcount(
        &self,
        actor: &Actor,
        participation_id: i64,
        headcount: i32,
    ) -> Result<(), StoreError> {
        if !(0..=1_000_000).contains(&headcount) {
            return Err(StoreError::Invalid(
                "Effectif : un nombre de salariés".into(),
            ));
        }
        in_tx!(self, tx => {
            sqlx::query("UPDATE programme_participations SET headcount = $1 WHERE id = $2")
                .bind(headcount)
                .bind(participation_id)
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "set_headcount", "programme_participation", participation_id)
                .after(&serde_json::json!({"headcount": headcount}))).await?;
            Ok(())
        })
    }

    /// Saves the company's answers to a step (and submits it with `submit`): refused while
    /// the profile is incomplete or the previous step not validated; a submitted step needs
    /// every required answer. Returns the step's new status.
    pub async fn save_step_answers(
        &self,
        actor: &Actor,
        at: StepRef,
        answers: &[(String, String)],
        submit: bool,
    ) -> Result<StepStatus, StoreError> {
        let StepRef {
            programme_id,
            establishment_id,
            step: index,
        } = at;
        let (programme, participation) = self.find_journey(programme_id, establishment_id).await?;
        let today = now().date_naive();
        in_tx!(self, tx => {
            // Read again inside the transaction: a reviewer may have acted meanwhile.
            let mut steps = load_steps!(&mut *tx, participation.id, programme.steps.len());
            let statuses: Vec<StepStatus> = steps.iter().map(|s| s.status).collect();
            check_step_open(&programme.steps, &statuses, index, &participation.profile_missing())
                .map_err(StoreError::Invalid)?;
            let definition = &programme.steps[index];
            let step = &mut steps[index];
            for (id, value) in answers {
                let question = definition
                    .questions
                    .iter()
                    .find(|q| &q.id == id)
                    .ok_or_else(|| StoreError::Invalid(format!("Question « {id} » : inconnue à l'étape {}", definition.code)))?;
                let value = check_answer(question, value).map_err(StoreError::Invalid)?;
                if value.is_empty() {
                    step.answers.remove(id);
                } else {
                    step.answers.insert(id.clone(), value);
                }
            }
            step.started_on = step.started_on.or(Some(today));
            step.changed_on = Some(today);
            step.status = StepStatus::InProgress;
            if submit {
                let missing = unanswered(definition, |id| step.answers.get(id).map(String::as_str));
                if !missing.is_empty() {
                    return Err(StoreError::Invalid(format!(
                        "Étape {} : réponses manquantes ({})",
                        definition.code,
                        missing.join(", ")
                    )));
                }
                step.status = status_after_submit(definition);
                step.submitted_on = Some(today);
                if step.status == StepStatus::Validated {
                    step.validated_on = Some(today);
                }
            }
            let status = step.status;
            save_step!(tx, participation.id, index, &steps[index]);
            tx.audit(AuditEntry::new(actor, if submit { "submit_step" } else { "save_step" }, "programme_participation", participation.id)
                .after(&serde_json::json!({"step": definition.code, "status": status.code()}))).await?;
            Ok(status)
        })
    }

    /// Validates a submitted step, or sends it back with a comment (required then).
    pub async fn review_step(
        &self,
        actor: &Actor,
        role: Role,
        at: StepRef,
        validate: bool,
        comment: &str,
    ) -> Result<(), StoreError> {
        let StepRef {
            programme_id,
            establishment_id,
            step: index,
        } = at;
        let (programme, participation) = self.find_journey(programme_id, establishment_id).await?;
        let definition = programme
            .steps
            .get(index)
            .ok_or_else(|| StoreError::Invalid("Étape : inconnue dans ce programme".into()))?;
        if !validate && comment.trim().is_empty() {
            return Err(StoreError::Invalid(
                "Commentaire : dites à l'entreprise ce qui manque".into(),
            ));
        }
        let today = now().date_naive();
        in_tx!(self, tx => {
            let mut steps = load_steps!(&mut *tx, participation.id, programme.steps.len());
            let step = &mut steps[index];
            check_validator(role, definition, step.status).map_err(StoreError::Invalid)?;
            step.status = if validate { StepStatus::Validated } else { StepStatus::SentBack };
            step.validated_on = validate.then_some(today);
            step.changed_on = Some(today);
            step.review_comment = comment.trim().to_string();
            save_step!(tx, participation.id, index, &steps[index]);
            tx.audit(AuditEntry::new(actor, if validate { "validate_step" } else { "send_back_step" }, "programme_participation", participation.id)
                .after(&serde_json::json!({"step": definition.code}))).await?;
            Ok(())
        })
    }

    /// The facts of the funnel: every targeted establishment with its steps (read as two
    /// JSON arrays built by the database: thousands of rows move faster as one value).
    pub async fn load_programme_facts(
        &self,
        programme_id: i64,
    ) -> Result<Vec<ParticipationFact>, StoreError> {
        let programme = self.find_programme(programme_id).await?;
        let count = programme.steps.len();
        type Target = (
            i64,
            i64,
            NaiveDate,
            Option<i64>,
            String,
            Option<String>,
            Option<String>,
        );
        let targets: Vec<Target> = self
            .json_rows(
                &["t.id", "t.establishment_id", "t.targeted_on", "t.headcount", "s.code", "tm.code", "e.naf_code"],
                &format!(
                    "FROM programme_participations t JOIN establishments e ON e.id = t.establishment_id
                     JOIN sectors s ON s.id = e.sector_id LEFT JOIN teams tm ON tm.id = e.team_id
                     WHERE t.programme_id = {programme_id}"
                ),
                &[],
            )
            .await?;
        type Progress = (
            i64,
            i64,
            String,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
        );
        let steps: Vec<Progress> = self
            .json_rows(
                &["s.participation_id", "s.step", "s.status", "s.started_on", "s.validated_on", "s.changed_on"],
                &format!(
                    "FROM programme_steps s JOIN programme_participations t ON t.id = s.participation_id
                     WHERE t.programme_id = {programme_id}"
                ),
                &[],
            )
            .await?;
        let mut index_of = std::collections::HashMap::with_capacity(targets.len());
        let mut facts: Vec<ParticipationFact> = Vec::with_capacity(targets.len());
        let blank = StepFact {
            status: StepStatus::NotStarted,
            started_on: None,
            validated_on: None,
            changed_on: None,
        };
        let mut targets = targets;
        targets.sort_by_key(|t| t.0);
        for (id, establishment_id, targeted_on, headcount, sector, team, naf) in targets {
            index_of.insert(id, facts.len());
            facts.push(ParticipationFact {
                establishment_id,
                sector,
                team,
                naf_section: naf
                    .as_deref()
                    .and_then(domain::naf::find_naf)
                    .map(|n| n.section),
                size_band: headcount.map_or("effectif non renseigné", |h| {
                    size_band(u32::try_from(h.max(0)).unwrap_or(u32::MAX))
                }),
                targeted_on,
                steps: vec![blank; count],
            });
        }
        for (participation, step, status, started_on, validated_on, changed_on) in steps {
            let Some(&at) = index_of.get(&participation) else {
                continue;
            };
            if let Some(slot) = usize::try_from(step)
                .ok()
                .and_then(|s| facts[at].steps.get_mut(s))
            {
                *slot = StepFact {
                    status: StepStatus::from_code(&status).unwrap_or(StepStatus::NotStarted),
                    started_on,
                    validated_on,
                    changed_on,
                };
            }
        }
        Ok(facts)
    }
}

impl Db {
    /// Every participation of a programme with its steps (the portfolio, the exports).
    pub async fn list_participations(
        &self,
        programme_id: i64,
    ) -> Result<Vec<Participation>, StoreError> {
        let programme = self.find_programme(programme_id).await?;
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{PARTICIPATION_SELECT} WHERE t.programme_id = $1 ORDER BY e.name, e.siret"
            )))
            .bind(programme_id)
            .fetch_all(pool)
            .await?;
            let mut participations = Vec::with_capacity(rows.len());
            for r in &rows {
                let mut p = participation_from_row!(r);
                p.steps = vec![StepProgress::default(); programme.steps.len()];
                participations.push(p);
            }
            let index: std::collections::HashMap<i64, usize> =
                participations.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
            let steps = sqlx::query(
                "SELECT s.participation_id, s.step, s.status, s.answers_json, s.started_on, s.submitted_on,
                        s.validated_on, s.changed_on, s.review_comment
                 FROM programme_steps s JOIN programme_participations t ON t.id = s.participation_id
                 WHERE t.programme_id = $1",
            )
            .bind(programme_id)
            .fetch_all(pool)
            .await?;
            for r in steps {
                let Some(&at) = index.get(&r.try_get::<i64, _>("participation_id")?) else { continue };
                let step: i32 = r.try_get("step")?;
                if let Some(slot) = participations[at].steps.get_mut(step as usize) {
                    *slot = StepProgress {
                        status: StepStatus::from_code(&r.try_get::<String, _>("status")?).unwrap_or(StepStatus::NotStarted),
                        answers: serde_json::from_str(&r.try_get::<String, _>("answers_json")?).unwrap_or_default(),
                        started_on: r.try_get("started_on")?,
                        submitted_on: r.try_get("submitted_on")?,
                        validated_on: r.try_get("validated_on")?,
                        changed_on: r.try_get("changed_on")?,
                        review_comment: r.try_get("review_comment")?,
                    };
                }
            }
            Ok(participations)
        })
    }
}

/// Which member establishments a programme targets, besides a list of SIRETs.
#[derive(Debug, Clone, Default)]
pub struct TargetCriteria {
    /// NAF codes starting with this (`10.71`, `47`).
    pub naf_prefix: Option<String>,
    pub sector: Option<String>,
    /// A size band of `domain::prevention::programmes::size_band`, by the headcount of the
    /// latest submitted declaration.
    pub size_band: Option<String>,
}

impl Db {
    /// Targets the active members that match every criterion given; returns (added,
    /// already targeted).
    pub async fn target_by_criteria(
        &self,
        actor: &Actor,
        programme_id: i64,
        criteria: &TargetCriteria,
        on: NaiveDate,
    ) -> Result<(usize, usize), StoreError> {
        let candidates: Vec<(i64, String, Option<String>, String)> = with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT e.id, e.siret, e.naf_code, s.code AS sector FROM establishments e
                 JOIN sectors s ON s.id = e.sector_id WHERE e.struck_off_on IS NULL",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("siret")?, r.try_get("naf_code")?, r.try_get("sector")?)))
                .collect::<Result<Vec<_>, StoreError>>()
        })?;
        let headcounts: std::collections::HashMap<i64, i64> = with_pool!(self, pool => {
            // The latest submitted declaration of each establishment: its number of lines.
            let rows = sqlx::query(
                "SELECT d.establishment_id, d.year, d.version, COUNT(l.id) AS lines FROM declarations d
                 LEFT JOIN declaration_lines l ON l.declaration_id = d.id
                 WHERE d.status = 'submitted' GROUP BY d.id, d.establishment_id, d.year, d.version",
            )
            .fetch_all(pool)
            .await?;
            let mut latest: std::collections::HashMap<i64, ((i32, i32), i64)> = std::collections::HashMap::new();
            for r in rows {
                let establishment: i64 = r.try_get("establishment_id")?;
                let at: (i32, i32) = (r.try_get("year")?, r.try_get("version")?);
                let lines: i64 = r.try_get("lines")?;
                let entry = latest.entry(establishment).or_insert((at, lines));
                if at > entry.0 {
                    *entry = (at, lines);
                }
            }
            Ok::<_, StoreError>(latest.into_iter().map(|(id, (_, lines))| (id, lines)).collect())
        })?;
        let sirets: Vec<String> = candidates
            .into_iter()
            .filter(|(_, _, naf, _)| {
                criteria
                    .naf_prefix
                    .as_deref()
                    .is_none_or(|prefix| naf.as_deref().is_some_and(|n| n.starts_with(prefix)))
            })
            .filter(|(_, _, _, sector)| criteria.sector.as_deref().is_none_or(|s| s == sector))
            .filter(|(id, _, _, _)| {
                criteria.size_band.as_deref().is_none_or(|band| {
                    let headcount = headcounts.get(id).copied().unwrap_or(0);
                    size_band(u32::try_from(headcount).unwrap_or(u32::MAX)) == band
                })
            })
            .map(|(_, siret, _, _)| siret)
            .collect();
        let (added, already, _) = self.target_sirets(actor, programme_id, &sirets, on).await?;
        Ok((added, already))
    }
}
