//! Reads the facts of the indicators (KPI.md) for a year: plain rows for the `kpi` crate,
//! each kind of fact read by its own query, the queries run side by side.

use chrono::NaiveDate;
use domain::indicators::{
    ActionFact, AppointmentFact, DeclaredLine, EmploymentFact, IndicatorFacts, MemberFact,
    RetentionFact, SheetFact, SlotFact,
};
use sqlx::Row;

use crate::db::{Db, StoreError, with_pool};
use crate::obligations::split_codes;

/// The workers seen for an initial visit in the year, between the parameters `$from` and
/// `$to`: their employments and declarations of any year are read (K11 takes the
/// declaration of the hire year, or the nearest later).
fn initial_visit_workers(from: &str, to: &str) -> String {
    format!(
        "SELECT worker_id FROM appointments
         WHERE status = 'done' AND kind IN ('VIP_INITIAL', 'EMA_HIRE') AND date >= {from} AND date <= {to}"
    )
}

impl Db {
    /// The data version the indicators are cached at: every change is audited, so the last
    /// audit row names the state of the facts.
    pub async fn data_version(&self) -> Result<i64, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS version FROM audit_log").fetch_one(pool).await?;
            Ok(row.try_get("version")?)
        })
    }

    /// The facts the tables of `year` are computed from (appointments up to its last day).
    pub async fn load_indicator_facts(&self, year: i32) -> Result<IndicatorFacts, StoreError> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::NotFound)?;
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?;
        // Each query on its own task: the rows are decoded on both cores.
        let (lists, members, declared, employments, visits, prevention) = tokio::try_join!(
            flatten(tokio::spawn({
                let db = self.clone();
                async move { timed("lists", db.load_lists()).await }
            })),
            flatten(tokio::spawn({
                let db = self.clone();
                async move { timed("members", db.load_member_facts()).await }
            })),
            flatten(tokio::spawn({
                let db = self.clone();
                async move { timed("declared", db.load_declared_lines(year, start, end)).await }
            })),
            flatten(tokio::spawn({
                let db = self.clone();
                async move { timed("employments", db.load_employment_facts(start, end)).await }
            })),
            flatten(tokio::spawn({
                let db = self.clone();
                async move { timed("appointments", db.load_appointment_facts(start, end)).await }
            })),
            flatten(tokio::spawn({
                let db = self.clone();
                async move { timed("prevention", db.load_prevention_facts()).await }
            })),
        )?;
        let (sectors, teams) = lists;
        let (appointments, slots) = visits;
        let (sheets, actions, retention) = prevention;
        Ok(IndicatorFacts {
            sectors,
            teams,
            members,
            declared,
            employments,
            appointments,
            slots,
            sheets,
            actions,
            retention,
        })
    }

    async fn load_lists(&self) -> Result<(Vec<String>, Vec<(String, String)>), StoreError> {
        // An aggregate keeps no order: the lists are sorted here, by code.
        let sectors: Vec<(String,)> = self.json_rows(&["code"], "FROM sectors", &[]).await?;
        let mut teams: Vec<(String, String)> = self
            .json_rows(
                &["t.code", "s.code"],
                "FROM teams t JOIN sectors s ON s.id = t.sector_id",
                &[],
            )
            .await?;
        let mut sectors: Vec<String> = sectors.into_iter().map(|(code,)| code).collect();
        sectors.sort();
        teams.sort();
        Ok((sectors, teams))
    }

    /// Rows of a query, transferred as one JSON array of arrays built by the database: the
    /// facts are hundreds of thousands of rows, and one value moves much faster than as many
    /// rows. `tail` is the query from its FROM clause on; `dates` are bound as $1, $2…
    pub(crate) async fn json_rows<T: serde::de::DeserializeOwned>(
        &self,
        columns: &[&str],
        tail: &str,
        dates: &[NaiveDate],
    ) -> Result<Vec<T>, StoreError> {
        let columns = columns.join(", ");
        let text: String = match self {
            Db::Sqlite(pool) => {
                let sql = format!("SELECT json_group_array(json_array({columns})) {tail}");
                let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                for date in dates {
                    query = query.bind(*date);
                }
                query.fetch_one(pool).await?
            }
            Db::Postgres(pool) => {
                let sql = format!(
                    "SELECT COALESCE(json_agg(json_build_array({columns})), '[]')::text {tail}"
                );
                let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                for date in dates {
                    query = query.bind(*date);
                }
                query.fetch_one(pool).await?
            }
        };
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Io(format!("lecture des indicateurs : {e}")))
    }

    async fn load_member_facts(&self) -> Result<Vec<MemberFact>, StoreError> {
        type Row = (
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
            String,
            NaiveDate,
            Option<NaiveDate>,
            Option<String>,
        );
        let rows: Vec<Row> = self
            .json_rows(
                &["e.id", "e.siret", "e.naf_code", "s.code", "t.code", "c.kind", "e.joined_on", "e.struck_off_on", "e.strike_off_reason"],
                "FROM establishments e JOIN companies c ON c.id = e.company_id JOIN sectors s ON s.id = e.sector_id
                 LEFT JOIN teams t ON t.id = e.team_id",
                &[],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    establishment_id,
                    siret,
                    naf_code,
                    sector,
                    team,
                    kind,
                    joined_on,
                    struck_off_on,
                    strike_off_reason,
                )| MemberFact {
                    establishment_id,
                    siret,
                    naf_code,
                    sector,
                    team,
                    kind,
                    joined_on,
                    struck_off_on,
                    strike_off_reason,
                },
            )
            .collect())
    }

    /// The lines of the latest submitted declarations: those of the year, and every year of
    /// the members struck off in the year (K9: their latest declaration) and of the workers
    /// seen for an initial visit in the year (K11).
    async fn load_declared_lines(
        &self,
        year: i32,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<DeclaredLine>, StoreError> {
        type Row = (
            i64,
            i32,
            i64,
            i64,
            String,
            String,
            String,
            NaiveDate,
            NaiveDate,
            Option<NaiveDate>,
            String,
        );
        let tail = format!(
            "FROM declarations d JOIN declaration_lines l ON l.declaration_id = d.id
             JOIN employments m ON m.id = l.employment_id JOIN workers w ON w.id = m.worker_id
             WHERE d.status = 'submitted' AND d.year <= {year}
               AND (d.year = {year}
                    OR d.establishment_id IN (SELECT id FROM establishments WHERE struck_off_on >= $1 AND struck_off_on <= $2)
                    OR m.worker_id IN ({initial}))
               AND d.version = (SELECT MAX(d2.version) FROM declarations d2
                                WHERE d2.establishment_id = d.establishment_id AND d2.year = d.year AND d2.status = 'submitted')",
            initial = initial_visit_workers("$1", "$2")
        );
        let rows: Vec<Row> = self
            .json_rows(
                &[
                    "d.establishment_id",
                    "d.year",
                    "l.employment_id",
                    "m.worker_id",
                    "l.category",
                    "l.exposures",
                    "w.sex",
                    "w.birth_date",
                    "m.hired_on",
                    "m.left_on",
                    "m.contract",
                ],
                &tail,
                &[start, end],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    establishment_id,
                    year,
                    employment_id,
                    worker_id,
                    category,
                    exposures,
                    sex,
                    birth_date,
                    hired_on,
                    left_on,
                    contract,
                )| {
                    DeclaredLine {
                        establishment_id,
                        year,
                        employment_id,
                        worker_id,
                        category,
                        exposures: split_codes(&exposures),
                        sex,
                        birth_date,
                        hired_on,
                        left_on,
                        contract,
                    }
                },
            )
            .collect())
    }

    /// The employments of the workers seen for an initial visit in the year or followed in a
    /// PDP case.
    async fn load_employment_facts(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<EmploymentFact>, StoreError> {
        type Row = (
            i64,
            i64,
            i64,
            NaiveDate,
            Option<NaiveDate>,
            String,
            NaiveDate,
        );
        let tail = format!(
            "FROM employments m JOIN workers w ON w.id = m.worker_id
             WHERE m.worker_id IN ({}) OR m.worker_id IN (SELECT worker_id FROM pdp_cases)",
            initial_visit_workers("$1", "$2")
        );
        let rows: Vec<Row> = self
            .json_rows(
                &[
                    "m.id",
                    "m.worker_id",
                    "m.establishment_id",
                    "m.hired_on",
                    "m.left_on",
                    "m.contract",
                    "w.birth_date",
                ],
                &tail,
                &[start, end],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    employment_id,
                    worker_id,
                    establishment_id,
                    hired_on,
                    left_on,
                    contract,
                    birth_date,
                )| EmploymentFact {
                    employment_id,
                    worker_id,
                    establishment_id,
                    hired_on,
                    left_on,
                    contract,
                    birth_date,
                },
            )
            .collect())
    }

    async fn load_appointment_facts(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<(Vec<AppointmentFact>, Vec<SlotFact>), StoreError> {
        type Row = (
            i64,
            Option<i64>,
            NaiveDate,
            String,
            String,
            String,
            String,
            i64,
            i64,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = self
            .json_rows(
                &["a.worker_id", "a.establishment_id", "a.date", "a.kind", "a.subtype", "a.performer", "a.status",
                  "CASE WHEN a.teleconsultation THEN 1 ELSE 0 END", "CASE WHEN a.experimental THEN 1 ELSE 0 END",
                  "p.reference", "t.code"],
                "FROM appointments a LEFT JOIN professionals p ON p.id = a.professional_id LEFT JOIN teams t ON t.id = p.team_id
                 WHERE a.date <= $1 AND a.status NOT IN ('planned', 'cancelled')",
                &[end],
            )
            .await?;
        let appointments = rows
            .into_iter()
            .map(
                |(
                    worker_id,
                    establishment_id,
                    date,
                    kind,
                    subtype,
                    performer,
                    status,
                    teleconsultation,
                    experimental,
                    professional,
                    team,
                )| {
                    AppointmentFact {
                        worker_id,
                        establishment_id,
                        date,
                        kind,
                        subtype,
                        performer,
                        status,
                        teleconsultation: teleconsultation != 0,
                        experimental: experimental != 0,
                        professional,
                        team,
                    }
                },
            )
            .collect();
        let slots: Vec<(NaiveDate, String, Option<String>)> = self
            .json_rows(
                &["s.date", "p.role", "t.code"],
                "FROM slots s JOIN professionals p ON p.id = s.professional_id
                 LEFT JOIN teams t ON t.id = p.team_id WHERE s.date >= $1 AND s.date <= $2",
                &[start, end],
            )
            .await?;
        Ok((
            appointments,
            slots
                .into_iter()
                .map(|(date, role, team)| SlotFact { date, role, team })
                .collect(),
        ))
    }

    /// Fiches, actions on the work site and PDP lines.
    async fn load_prevention_facts(&self) -> Result<PreventionFacts, StoreError> {
        let sheets: Vec<(i64, Option<NaiveDate>, Option<NaiveDate>)> = self
            .json_rows(
                &["establishment_id", "started_on", "finalised_on"],
                "FROM risk_sheets",
                &[],
            )
            .await?;
        type ActionRow = (i64, NaiveDate, String, Option<i64>, Option<i64>);
        let actions: Vec<ActionRow> = self
            .json_rows(
                &["establishment_id", "date", "type", "worker_id", "workers"],
                "FROM workplace_actions",
                &[],
            )
            .await?;
        let retention: Vec<(i64, NaiveDate, String, String)> = self
            .json_rows(
                &["worker_id", "date", "item", "partner"],
                "FROM (SELECT c.worker_id, i.date, i.item, i.partner FROM pdp_items i JOIN pdp_cases c ON c.id = i.case_id
                       UNION ALL SELECT worker_id, opened_on, 'case_opened', '' FROM pdp_cases
                       UNION ALL SELECT worker_id, closed_on, 'case_closed', '' FROM pdp_cases WHERE closed_on IS NOT NULL) r",
                &[],
            )
            .await?;
        Ok((
            sheets
                .into_iter()
                .map(|(establishment_id, started_on, finalised_on)| SheetFact {
                    establishment_id,
                    started_on,
                    finalised_on,
                })
                .collect(),
            actions
                .into_iter()
                .map(
                    |(establishment_id, date, kind, worker_id, workers)| ActionFact {
                        establishment_id,
                        date,
                        kind,
                        worker_id,
                        workers,
                    },
                )
                .collect(),
            retention
                .into_iter()
                .map(|(worker_id, date, item, partner)| RetentionFact {
                    worker_id,
                    date,
                    item,
                    partner,
                })
                .collect(),
        ))
    }
}

/// Runs a load and logs how long it took (debug level).
async fn timed<T>(name: &str, load: impl std::future::Future<Output = T>) -> T {
    let started = std::time::Instant::now();
    let result = load.await;
    tracing::debug!(
        facts = name,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "indicator facts read"
    );
    result
}

type PreventionFacts = (Vec<SheetFact>, Vec<ActionFact>, Vec<RetentionFact>);

/// A spawned load's result, its panic or cancellation turned into a store error.
async fn flatten<T>(
    handle: tokio::task::JoinHandle<Result<T, StoreError>>,
) -> Result<T, StoreError> {
    handle
        .await
        .map_err(|e| StoreError::Io(format!("lecture des indicateurs interrompue : {e}")))?
}
