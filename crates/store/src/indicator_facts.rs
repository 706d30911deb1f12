//! Reads the facts of the indicators (KPI.md) for a year: plain rows for the `kpi` crate.

use chrono::NaiveDate;
use domain::indicators::{
    ActionFact, AppointmentFact, DeclaredLine, EmploymentFact, IndicatorFacts, MemberFact,
    RetentionFact, SheetFact, SlotFact,
};
use sqlx::Row;

use crate::db::{Db, StoreError, with_pool};
use crate::obligations::split_codes;

impl Db {
    /// The facts the tables of `year` are computed from (appointments up to its last day).
    pub async fn load_indicator_facts(&self, year: i32) -> Result<IndicatorFacts, StoreError> {
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?;
        let mut facts = IndicatorFacts::default();
        with_pool!(self, pool => {
            for r in sqlx::query("SELECT code FROM sectors ORDER BY code").fetch_all(pool).await? {
                facts.sectors.push(r.try_get("code")?);
            }
            for r in sqlx::query("SELECT t.code, s.code AS sector FROM teams t JOIN sectors s ON s.id = t.sector_id ORDER BY t.code")
                .fetch_all(pool)
                .await?
            {
                facts.teams.push((r.try_get("code")?, r.try_get("sector")?));
            }
            for r in sqlx::query(
                "SELECT e.id, e.siret, e.naf_code, s.code AS sector, t.code AS team, c.kind, e.joined_on, e.struck_off_on, e.strike_off_reason
                 FROM establishments e JOIN companies c ON c.id = e.company_id JOIN sectors s ON s.id = e.sector_id
                 LEFT JOIN teams t ON t.id = e.team_id ORDER BY e.id",
            )
            .fetch_all(pool)
            .await?
            {
                facts.members.push(MemberFact {
                    establishment_id: r.try_get("id")?,
                    siret: r.try_get("siret")?,
                    naf_code: r.try_get("naf_code")?,
                    sector: r.try_get("sector")?,
                    team: r.try_get("team")?,
                    kind: r.try_get("kind")?,
                    joined_on: r.try_get("joined_on")?,
                    struck_off_on: r.try_get("struck_off_on")?,
                    strike_off_reason: r.try_get("strike_off_reason")?,
                });
            }
            for r in sqlx::query(
                "SELECT d.establishment_id, d.year, l.employment_id, m.worker_id, l.category, l.exposures, w.sex, w.birth_date
                 FROM declarations d JOIN declaration_lines l ON l.declaration_id = d.id
                 JOIN employments m ON m.id = l.employment_id JOIN workers w ON w.id = m.worker_id
                 WHERE d.status = 'submitted' AND d.year <= $1
                   AND d.version = (SELECT MAX(d2.version) FROM declarations d2
                                    WHERE d2.establishment_id = d.establishment_id AND d2.year = d.year AND d2.status = 'submitted')",
            )
            .bind(year)
            .fetch_all(pool)
            .await?
            {
                facts.declared.push(DeclaredLine {
                    establishment_id: r.try_get("establishment_id")?,
                    year: r.try_get::<i32, _>("year")?,
                    employment_id: r.try_get("employment_id")?,
                    worker_id: r.try_get("worker_id")?,
                    category: r.try_get("category")?,
                    exposures: split_codes(&r.try_get::<String, _>("exposures")?),
                    sex: r.try_get("sex")?,
                    birth_date: r.try_get("birth_date")?,
                });
            }
            for r in sqlx::query("SELECT m.id, m.worker_id, m.establishment_id, m.hired_on, m.left_on, m.contract, w.birth_date
                 FROM employments m JOIN workers w ON w.id = m.worker_id")
                .fetch_all(pool)
                .await?
            {
                facts.employments.push(EmploymentFact {
                    employment_id: r.try_get("id")?,
                    worker_id: r.try_get("worker_id")?,
                    establishment_id: r.try_get("establishment_id")?,
                    hired_on: r.try_get("hired_on")?,
                    left_on: r.try_get("left_on")?,
                    contract: r.try_get("contract")?,
                    birth_date: r.try_get("birth_date")?,
                });
            }
            for r in sqlx::query(
                "SELECT a.worker_id, a.establishment_id, a.date, a.kind, a.subtype, a.performer, a.status, a.teleconsultation,
                        a.experimental, p.reference, t.code AS team
                 FROM appointments a LEFT JOIN professionals p ON p.id = a.professional_id LEFT JOIN teams t ON t.id = p.team_id
                 WHERE a.date <= $1 AND a.status NOT IN ('planned', 'cancelled')",
            )
            .bind(end)
            .fetch_all(pool)
            .await?
            {
                facts.appointments.push(AppointmentFact {
                    worker_id: r.try_get("worker_id")?,
                    establishment_id: r.try_get("establishment_id")?,
                    date: r.try_get("date")?,
                    kind: r.try_get("kind")?,
                    subtype: r.try_get("subtype")?,
                    performer: r.try_get("performer")?,
                    status: r.try_get("status")?,
                    teleconsultation: r.try_get("teleconsultation")?,
                    experimental: r.try_get("experimental")?,
                    professional: r.try_get("reference")?,
                    team: r.try_get("team")?,
                });
            }
            for r in sqlx::query(
                "SELECT s.date, p.role, t.code AS team FROM slots s JOIN professionals p ON p.id = s.professional_id
                 LEFT JOIN teams t ON t.id = p.team_id WHERE s.date >= $1 AND s.date <= $2",
            )
            .bind(NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::NotFound)?)
            .bind(end)
            .fetch_all(pool)
            .await?
            {
                facts.slots.push(SlotFact { date: r.try_get("date")?, role: r.try_get("role")?, team: r.try_get("team")? });
            }
            for r in sqlx::query("SELECT establishment_id, started_on, finalised_on FROM risk_sheets").fetch_all(pool).await? {
                facts.sheets.push(SheetFact {
                    establishment_id: r.try_get("establishment_id")?,
                    started_on: r.try_get("started_on")?,
                    finalised_on: r.try_get("finalised_on")?,
                });
            }
            for r in sqlx::query("SELECT establishment_id, date, type, worker_id, workers FROM workplace_actions").fetch_all(pool).await? {
                facts.actions.push(ActionFact {
                    establishment_id: r.try_get("establishment_id")?,
                    date: r.try_get("date")?,
                    kind: r.try_get("type")?,
                    worker_id: r.try_get("worker_id")?,
                    workers: r.try_get::<Option<i32>, _>("workers")?.map(i64::from),
                });
            }
            for r in sqlx::query(
                "SELECT c.worker_id, i.date, i.item, i.partner FROM pdp_items i JOIN pdp_cases c ON c.id = i.case_id
                 UNION ALL SELECT worker_id, opened_on, 'case_opened', '' FROM pdp_cases
                 UNION ALL SELECT worker_id, closed_on, 'case_closed', '' FROM pdp_cases WHERE closed_on IS NOT NULL",
            )
            .fetch_all(pool)
            .await?
            {
                facts.retention.push(RetentionFact { worker_id: r.try_get("worker_id")?, date: r.try_get("date")?, item: r.try_get("item")?, partner: r.try_get("partner")? });
            }
        });
        Ok(facts)
    }
}
