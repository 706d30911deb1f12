//! Prevention programmes (PREVENTION.md): guided journeys of steps a targeted company goes
//! through (TMS Pros: E0 to E4). The rules of a journey (a step opens once the previous one
//! is validated, the journey once the company's profile is complete; who validates what) and
//! the funnel the director reads, all pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Role;

/// The kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Text,
    YesNo,
    Number,
    Date,
    Choice,
    File,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub label: String,
    pub kind: QuestionKind,
    /// The choices of a `choice` question.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

/// Who validates a step; `None`: submitting it validates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    None,
    Preventer,
    Partner,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDefinition {
    pub code: String,
    pub title: String,
    pub questions: Vec<Question>,
    pub validated_by: Validator,
}

/// The status of a company's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    NotStarted,
    InProgress,
    Submitted,
    Validated,
    SentBack,
}

impl StepStatus {
    pub const ALL: [StepStatus; 5] = [
        StepStatus::NotStarted,
        StepStatus::InProgress,
        StepStatus::Submitted,
        StepStatus::Validated,
        StepStatus::SentBack,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StepStatus::NotStarted => "not_started",
            StepStatus::InProgress => "in_progress",
            StepStatus::Submitted => "submitted",
            StepStatus::Validated => "validated",
            StepStatus::SentBack => "sent_back",
        }
    }

    pub fn from_code(code: &str) -> Option<StepStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            StepStatus::NotStarted => "à commencer",
            StepStatus::InProgress => "en cours",
            StepStatus::Submitted => "transmise, en attente de validation",
            StepStatus::Validated => "validée",
            StepStatus::SentBack => "renvoyée pour complément",
        }
    }
}

/// The side a comment's author speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Company,
    Cse,
    Service,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Company => "entreprise",
            Side::Cse => "CSE",
            Side::Service => "service",
        }
    }
}

fn question(id: &str, label: &str, kind: QuestionKind, options: &[&str]) -> Question {
    Question {
        id: id.into(),
        label: label.into(),
        kind,
        options: options.iter().map(|o| o.to_string()).collect(),
        required: true,
    }
}

/// The steps of a TMS Pros journey, the template a new programme starts from.
pub fn tms_pros_steps() -> Vec<StepDefinition> {
    use QuestionKind::*;
    let step = |code: &str, title: &str, questions, validated_by| StepDefinition {
        code: code.into(),
        title: title.into(),
        questions,
        validated_by,
    };
    vec![
        step(
            "E0",
            "Inscription",
            vec![question(
                "referent",
                "Référent du programme dans l'entreprise",
                Text,
                &[],
            )],
            Validator::None,
        ),
        step(
            "E1",
            "En quoi suis-je concerné ?",
            vec![
                question(
                    "tms_cases",
                    "Nombre de TMS reconnus ces 3 dernières années",
                    Number,
                    &[],
                ),
                question(
                    "absences",
                    "Des absences liées aux TMS ont-elles été constatées ?",
                    YesNo,
                    &[],
                ),
            ],
            Validator::Preventer,
        ),
        step(
            "E2",
            "Par quoi commencer ?",
            vec![
                question("person", "Personne ressource formée", Text, &[]),
                question(
                    "situations",
                    "Situations de travail prioritaires",
                    Text,
                    &[],
                ),
            ],
            Validator::Preventer,
        ),
        step(
            "E3",
            "Comment agir ?",
            vec![
                question("plan", "Plan d'actions (fichier)", File, &[]),
                question("deadline", "Échéance du plan", Date, &[]),
            ],
            Validator::Preventer,
        ),
        step(
            "E4",
            "Quels résultats ?",
            vec![question(
                "result",
                "Résultat des actions",
                Choice,
                &[
                    "amélioration nette",
                    "amélioration partielle",
                    "pas d'amélioration",
                ],
            )],
            Validator::Partner,
        ),
    ]
}

/// Checks the steps of a programme; the message names the step.
pub fn check_steps(steps: &[StepDefinition]) -> Result<(), String> {
    if steps.is_empty() {
        return Err("Étapes : un programme a au moins une étape".into());
    }
    for (index, step) in steps.iter().enumerate() {
        if step.code.trim().is_empty() || step.title.trim().is_empty() {
            return Err(format!("Étape {} : code et titre obligatoires", index + 1));
        }
        if steps[..index].iter().any(|s| s.code == step.code) {
            return Err(format!(
                "Étape {} : code « {} » en double",
                index + 1,
                step.code
            ));
        }
        for q in &step.questions {
            if q.kind == QuestionKind::Choice && q.options.len() < 2 {
                return Err(format!(
                    "Étape {} : la question « {} » propose au moins deux choix",
                    step.code, q.label
                ));
            }
        }
    }
    Ok(())
}

/// The journey opens once the company's profile says who to contact, how many work there
/// and what they do.
pub fn profile_missing(
    contact_email: Option<&str>,
    headcount: Option<u32>,
    naf_code: Option<&str>,
) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if contact_email.is_none_or(|e| e.trim().is_empty()) {
        missing.push("e-mail de contact");
    }
    if headcount.is_none() {
        missing.push("effectif");
    }
    if naf_code.is_none_or(|n| n.trim().is_empty()) {
        missing.push("code NAF");
    }
    missing
}

/// Whether the company may work on step `index` (answer, attach, submit).
pub fn check_step_open(
    steps: &[StepDefinition],
    statuses: &[StepStatus],
    index: usize,
    profile_missing: &[&str],
) -> Result<(), String> {
    if !profile_missing.is_empty() {
        return Err(format!(
            "Profil de l'entreprise incomplet ({}) : complétez-le pour commencer le parcours",
            profile_missing.join(", ")
        ));
    }
    let step = steps
        .get(index)
        .ok_or_else(|| "Étape : inconnue dans ce programme".to_string())?;
    if index > 0 && statuses.get(index - 1) != Some(&StepStatus::Validated) {
        return Err(format!(
            "Étape {} : elle s'ouvre quand l'étape {} est validée",
            step.code,
            steps[index - 1].code
        ));
    }
    match statuses.get(index) {
        Some(StepStatus::Submitted) => Err(format!(
            "Étape {} : transmise, elle attend sa validation",
            step.code
        )),
        Some(StepStatus::Validated) => Err(format!("Étape {} : déjà validée", step.code)),
        _ => Ok(()),
    }
}

/// An answer checked against its question; the value as stored.
pub fn check_answer(question: &Question, value: &str) -> Result<String, String> {
    let value = value.trim();
    let refuse = |why: &str| Err(format!("{} : {why}", question.label));
    if value.is_empty() {
        return Ok(String::new());
    }
    match question.kind {
        QuestionKind::Text | QuestionKind::File => Ok(value.to_string()),
        QuestionKind::YesNo => match value {
            "oui" | "non" => Ok(value.to_string()),
            _ => refuse("répondez oui ou non"),
        },
        QuestionKind::Number => match value.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(value.replace(',', ".")),
            _ => refuse("un nombre est attendu"),
        },
        QuestionKind::Date => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(date) => Ok(date.to_string()),
            Err(_) => refuse("une date est attendue (AAAA-MM-JJ)"),
        },
        QuestionKind::Choice if question.options.iter().any(|o| o == value) => {
            Ok(value.to_string())
        }
        QuestionKind::Choice => refuse("choisissez une des réponses proposées"),
    }
}

/// Required questions still without an answer, when a step is submitted.
pub fn unanswered<'a>(
    step: &'a StepDefinition,
    answer_of: impl Fn(&str) -> Option<&'a str>,
) -> Vec<&'a str> {
    step.questions
        .iter()
        .filter(|q| q.required && answer_of(&q.id).is_none_or(|a| a.trim().is_empty()))
        .map(|q| q.label.as_str())
        .collect()
}

/// The status a submitted step takes: validated at once when nobody validates it.
pub fn status_after_submit(step: &StepDefinition) -> StepStatus {
    match step.validated_by {
        Validator::None => StepStatus::Validated,
        _ => StepStatus::Submitted,
    }
}

/// Who may validate or send back a submitted step: the service's preventer (and the
/// director or the administrator, who stand in for any of them and for the partner).
pub fn check_validator(
    role: Role,
    step: &StepDefinition,
    status: StepStatus,
) -> Result<(), String> {
    if status != StepStatus::Submitted {
        return Err(format!(
            "Étape {} : seule une étape transmise se valide ou se renvoie",
            step.code
        ));
    }
    let allowed = match step.validated_by {
        Validator::None => false,
        Validator::Preventer => matches!(role, Role::Preventer | Role::Director | Role::Admin),
        Validator::Partner => matches!(role, Role::Director | Role::Admin),
    };
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "Étape {} : sa validation revient {}",
            step.code,
            match step.validated_by {
                Validator::Partner => "au partenaire (saisie par la direction)",
                _ => "au préventeur du service",
            }
        ))
    }
}

/// Size bands of the funnel (those of KPI.md K1).
pub fn size_band(headcount: u32) -> &'static str {
    match headcount {
        0..=19 => "moins de 20",
        20..=49 => "20 à 49",
        50..=299 => "50 à 299",
        _ => "300 et plus",
    }
}

/// One targeted company as the funnel reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationFact {
    pub establishment_id: i64,
    pub sector: String,
    pub team: Option<String>,
    pub naf_section: Option<char>,
    pub size_band: &'static str,
    pub targeted_on: NaiveDate,
    /// Per step, in order: (status, first change, validation date, last change).
    pub steps: Vec<StepFact>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepFact {
    pub status: StepStatus,
    pub started_on: Option<NaiveDate>,
    pub validated_on: Option<NaiveDate>,
    pub changed_on: Option<NaiveDate>,
}

/// One stage of the funnel: targeted, then each step validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    pub stage: String,
    pub count: usize,
    /// Percent of the targeted companies, one decimal; `None` with nobody targeted.
    pub percent: Option<f64>,
}

fn percent(count: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| (count as f64 * 1000.0 / of as f64).round() / 10.0)
}

/// Targeted → each step validated, in counts and percent of the targeted.
pub fn funnel(step_codes: &[String], facts: &[ParticipationFact]) -> Vec<Stage> {
    funnel_of(step_codes, &facts.iter().collect::<Vec<_>>())
}

fn funnel_of(step_codes: &[String], facts: &[&ParticipationFact]) -> Vec<Stage> {
    let targeted = facts.len();
    let mut validated = vec![0usize; step_codes.len()];
    for fact in facts {
        for (index, step) in fact.steps.iter().enumerate().take(step_codes.len()) {
            if step.status == StepStatus::Validated {
                validated[index] += 1;
            }
        }
    }
    std::iter::once(Stage {
        stage: "ciblées".into(),
        count: targeted,
        percent: percent(targeted, targeted),
    })
    .chain(step_codes.iter().zip(validated).map(|(code, count)| Stage {
        stage: code.clone(),
        count,
        percent: percent(count, targeted),
    }))
    .collect()
}

/// The funnel per group (sector, team, NAF section, size band), groups in order.
pub fn funnel_by(
    step_codes: &[String],
    facts: &[ParticipationFact],
    group: impl Fn(&ParticipationFact) -> String,
) -> Vec<(String, Vec<Stage>)> {
    let mut groups: std::collections::BTreeMap<String, Vec<&ParticipationFact>> =
        std::collections::BTreeMap::new();
    for fact in facts {
        groups.entry(group(fact)).or_default().push(fact);
    }
    groups
        .into_iter()
        .map(|(name, members)| (name, funnel_of(step_codes, &members)))
        .collect()
}

/// Median days from a step's first change to its validation, per step (`None` when no
/// company validated it); the lower middle of an even count.
pub fn median_days(step_count: usize, facts: &[ParticipationFact]) -> Vec<Option<i64>> {
    (0..step_count)
        .map(|index| {
            let mut days: Vec<i64> = facts
                .iter()
                .filter_map(|f| {
                    let step = f.steps.get(index)?;
                    Some((step.validated_on? - step.started_on?).num_days())
                })
                .collect();
            days.sort_unstable();
            (!days.is_empty()).then(|| days[(days.len() - 1) / 2])
        })
        .collect()
}

/// A company waiting on a step for longer than the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck {
    pub establishment_id: i64,
    pub step: usize,
    pub days: i64,
}

/// Companies whose current step (the first not validated) has not moved for more than
/// `days` days, counted from its last change, or from the targeting when never touched.
pub fn stuck(facts: &[ParticipationFact], today: NaiveDate, days: i64) -> Vec<Stuck> {
    let mut out: Vec<Stuck> = facts
        .iter()
        .filter_map(|f| {
            let step = f
                .steps
                .iter()
                .position(|s| s.status != StepStatus::Validated)?;
            let since = f.steps[step].changed_on.unwrap_or(f.targeted_on);
            let waited = (today - since).num_days();
            (waited > days).then_some(Stuck {
                establishment_id: f.establishment_id,
                step,
                days: waited,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.days
            .cmp(&a.days)
            .then(a.establishment_id.cmp(&b.establishment_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn a_step_opens_once_the_previous_is_validated_and_the_profile_complete() {
        let steps = tms_pros_steps();
        let statuses = [
            StepStatus::Validated,
            StepStatus::InProgress,
            StepStatus::NotStarted,
        ];
        assert!(check_step_open(&steps, &statuses, 1, &[]).is_ok());
        let closed = check_step_open(&steps, &statuses, 2, &[]).unwrap_err();
        assert_eq!(
            closed,
            "Étape E2 : elle s'ouvre quand l'étape E1 est validée"
        );
        let missing = profile_missing(Some("rh@example.org"), None, Some("10.71C"));
        assert_eq!(missing, ["effectif"]);
        let blocked = check_step_open(&steps, &statuses, 0, &missing).unwrap_err();
        assert!(blocked.starts_with("Profil de l'entreprise incomplet (effectif)"));
        let submitted = [StepStatus::Validated, StepStatus::Submitted];
        assert!(
            check_step_open(&steps, &submitted, 1, &[])
                .unwrap_err()
                .contains("attend sa validation")
        );
        let sent_back = [StepStatus::Validated, StepStatus::SentBack];
        assert!(
            check_step_open(&steps, &sent_back, 1, &[]).is_ok(),
            "a step sent back is worked again"
        );
    }

    #[test]
    fn validation_rights_follow_the_step() {
        let steps = tms_pros_steps();
        assert_eq!(status_after_submit(&steps[0]), StepStatus::Validated);
        assert_eq!(status_after_submit(&steps[1]), StepStatus::Submitted);
        assert!(check_validator(Role::Preventer, &steps[1], StepStatus::Submitted).is_ok());
        assert!(check_validator(Role::Employer, &steps[1], StepStatus::Submitted).is_err());
        assert!(check_validator(Role::Doctor, &steps[1], StepStatus::Submitted).is_err());
        assert!(
            check_validator(Role::Preventer, &steps[4], StepStatus::Submitted)
                .unwrap_err()
                .contains("partenaire")
        );
        assert!(check_validator(Role::Director, &steps[4], StepStatus::Submitted).is_ok());
        assert!(check_validator(Role::Preventer, &steps[1], StepStatus::InProgress).is_err());
    }

    #[test]
    fn answers_are_checked_by_kind() {
        let steps = tms_pros_steps();
        let number = &steps[1].questions[0];
        assert_eq!(check_answer(number, "3,5"), Ok("3.5".into()));
        assert!(
            check_answer(number, "trois")
                .unwrap_err()
                .starts_with("Nombre de TMS")
        );
        let yes_no = &steps[1].questions[1];
        assert!(check_answer(yes_no, "peut-être").is_err());
        let choice = &steps[4].questions[0];
        assert!(check_answer(choice, "amélioration nette").is_ok());
        assert!(check_answer(choice, "autre").is_err());
        assert!(check_answer(&steps[3].questions[1], "31/12/2026").is_err());
        assert_eq!(
            unanswered(&steps[1], |id| (id == "tms_cases").then_some("2")),
            ["Des absences liées aux TMS ont-elles été constatées ?"]
        );
        let mut bad = tms_pros_steps();
        bad[2].code = "E1".into();
        assert_eq!(
            check_steps(&bad),
            Err("Étape 3 : code « E1 » en double".into())
        );
    }

    fn fact(id: i64, validated: usize, sector: &str, size: u32) -> ParticipationFact {
        let steps = (0..5)
            .map(|i| StepFact {
                status: if i < validated {
                    StepStatus::Validated
                } else if i == validated {
                    StepStatus::InProgress
                } else {
                    StepStatus::NotStarted
                },
                started_on: (i <= validated)
                    .then(|| day("2026-01-01") + chrono::Days::new(10 * i as u64)),
                validated_on: (i < validated)
                    .then(|| day("2026-01-01") + chrono::Days::new(10 * i as u64 + 4 + id as u64)),
                changed_on: (i <= validated)
                    .then(|| day("2026-01-01") + chrono::Days::new(10 * i as u64 + 4)),
            })
            .collect();
        ParticipationFact {
            establishment_id: id,
            sector: sector.into(),
            team: None,
            naf_section: Some('C'),
            size_band: size_band(size),
            targeted_on: day("2025-12-01"),
            steps,
        }
    }

    #[test]
    fn the_funnel_counts_each_step_validated_against_the_targeted() {
        let codes: Vec<String> = tms_pros_steps().into_iter().map(|s| s.code).collect();
        // 8 targeted: 1 never registered, then 7, 6, 4, 3, 2 validated E0…E4.
        let facts = vec![
            fact(1, 0, "EST", 5),
            fact(2, 1, "EST", 5),
            fact(3, 3, "EST", 30),
            fact(4, 2, "NORD", 60),
            fact(5, 5, "NORD", 400),
            fact(6, 4, "NORD", 5),
            fact(7, 3, "EST", 5),
            fact(8, 5, "EST", 5),
        ];
        let stages = funnel(&codes, &facts);
        let counts: Vec<usize> = stages.iter().map(|s| s.count).collect();
        assert_eq!(counts, [8, 7, 6, 5, 3, 2]);
        assert_eq!(stages[1].percent, Some(87.5));
        assert_eq!(stages[5].percent, Some(25.0));
        let by_sector = funnel_by(&codes, &facts, |f| f.sector.clone());
        assert_eq!(by_sector[0].0, "EST");
        assert_eq!(by_sector[0].1[0].count, 5);
        assert_eq!(by_sector[1].1[5].count, 1);
        let by_size = funnel_by(&codes, &facts, |f| f.size_band.to_string());
        assert!(
            by_size
                .iter()
                .any(|(band, stages)| band == "300 et plus" && stages[5].count == 1)
        );
        // E0 validated 4 + id days after its start: companies 2..8 → 6..12, median 9.
        assert_eq!(median_days(5, &facts)[0], Some(9));
        assert_eq!(funnel(&codes, &[])[1].percent, None);
    }

    #[test]
    fn companies_stuck_on_a_step_are_listed_longest_first() {
        let facts = vec![
            fact(1, 0, "EST", 5),
            fact(2, 2, "EST", 5),
            fact(3, 5, "EST", 5),
        ];
        let today = day("2026-03-01");
        let list = stuck(&facts, today, 30);
        assert_eq!(
            list.len(),
            2,
            "the company done with every step is not stuck"
        );
        assert_eq!(
            list[0],
            Stuck {
                establishment_id: 1,
                step: 0,
                days: 55
            }
        );
        assert_eq!(list[1].establishment_id, 2);
        assert_eq!(list[1].step, 2);
        assert!(stuck(&facts, today, 60).is_empty());
    }
}
