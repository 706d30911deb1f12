//! Fiches d'entreprise: versions with their work units, the transitions draft → finalised →
//! delivered (checked by the domain), and the coverage plan of the service.

use chrono::NaiveDate;
use domain::messages::{Channel, NewMessage, Purpose};
use domain::prevention::{
    FicheState, WorkUnit, check_deliver, check_finalise, check_work_unit, coverage_gap,
};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, with_pool};
use crate::outbox::OutboxTx;

/// A version of an establishment's FE.
#[derive(Debug, Clone)]
pub struct RiskSheet {
    pub id: i64,
    pub establishment_id: i64,
    pub version: i32,
    pub state: FicheState,
    pub started_on: NaiveDate,
    pub finalised_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub author: String,
    pub recommendations: String,
    /// (unit id, unit).
    pub units: Vec<(i64, WorkUnit)>,
}

/// An establishment on the coverage plan.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub establishment_id: i64,
    pub siret: String,
    pub name: String,
    pub team: Option<String>,
    pub preventers: String,
    /// The professional ids of the team's preventers.
    pub preventer_ids: Vec<i64>,
    pub joined_on: NaiveDate,
    pub last_finalised: Option<NaiveDate>,
    pub gap: &'static str,
    pub gap_label: &'static str,
    pub due: NaiveDate,
}

macro_rules! sheet_from_row {
    ($row:expr) => {
        RiskSheet {
            id: $row.try_get("id")?,
            establishment_id: $row.try_get("establishment_id")?,
            version: $row.try_get("version")?,
            state: FicheState::parse(&$row.try_get::<String, _>("state")?)
                .unwrap_or(FicheState::Draft),
            started_on: $row.try_get("started_on")?,
            finalised_on: $row.try_get("finalised_on")?,
            delivered_on: $row.try_get("delivered_on")?,
            author: $row.try_get("author")?,
            recommendations: $row.try_get("recommendations")?,
            units: Vec::new(),
        }
    };
}

const SHEET_COLUMNS: &str = "id, establishment_id, version, state, started_on, finalised_on, delivered_on, author, recommendations";

impl Db {
    /// The FE versions of an establishment, newest first (without units).
    pub async fn list_risk_sheets(
        &self,
        establishment_id: i64,
    ) -> Result<Vec<RiskSheet>, StoreError> {
        let sql = format!(
            "SELECT {SHEET_COLUMNS} FROM risk_sheets WHERE establishment_id = $1 ORDER BY version DESC"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(establishment_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(sheet_from_row!(r))).collect()
        })
    }

    /// One FE version with its work units.
    pub async fn find_risk_sheet(&self, id: i64) -> Result<RiskSheet, StoreError> {
        let sql = format!("SELECT {SHEET_COLUMNS} FROM risk_sheets WHERE id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?.ok_or(StoreError::NotFound)?;
            let mut sheet = sheet_from_row!(row);
            for r in sqlx::query("SELECT id, name, headcount, risks FROM risk_sheet_units WHERE sheet_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(pool)
                .await?
            {
                let risks: String = r.try_get("risks")?;
                sheet.units.push((r.try_get("id")?, WorkUnit {
                    name: r.try_get("name")?,
                    headcount: r.try_get::<i32, _>("headcount")?.max(0) as u32,
                    risks: serde_json::from_str(&risks).unwrap_or_default(),
                }));
            }
            Ok(sheet)
        })
    }

    /// Starts a new version (a first FE, the yearly update or a new version): a draft that
    /// takes over the work units of the latest version. One draft at a time.
    pub async fn start_risk_sheet(
        &self,
        actor: &Actor,
        establishment_id: i64,
        today: NaiveDate,
    ) -> Result<i64, StoreError> {
        in_tx!(self, tx => {
            let latest = sqlx::query("SELECT id, version FROM risk_sheets WHERE establishment_id = $1 ORDER BY version DESC LIMIT 1")
                .bind(establishment_id)
                .fetch_optional(&mut *tx)
                .await?;
            let (previous, version) = match &latest {
                Some(r) => (Some(r.try_get::<i64, _>("id")?), r.try_get::<i32, _>("version")? + 1),
                None => (None, 1),
            };
            let id: i64 = sqlx::query(
                "INSERT INTO risk_sheets (establishment_id, version, state, started_on, author, recommendations)
                 SELECT $1, $2, 'draft', $3, $4, COALESCE((SELECT recommendations FROM risk_sheets WHERE id = $5), '') RETURNING id",
            )
            .bind(establishment_id)
            .bind(version)
            .bind(today)
            .bind(&actor.0)
            .bind(previous)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, "Fiche : un brouillon est déjà en cours pour cet établissement"))?
            .try_get("id")?;
            if let Some(previous) = previous {
                sqlx::query(
                    "INSERT INTO risk_sheet_units (sheet_id, name, headcount, risks)
                     SELECT $1, name, headcount, risks FROM risk_sheet_units WHERE sheet_id = $2 ORDER BY id",
                )
                .bind(id)
                .bind(previous)
                .execute(&mut *tx)
                .await?;
            }
            tx.audit(AuditEntry::new(actor, "start", "risk_sheet", id).after(&serde_json::json!({"establishment_id": establishment_id, "version": version}))).await?;
            Ok(id)
        })
    }

    async fn draft_state(&self, sheet_id: i64) -> Result<FicheState, StoreError> {
        let sheet = self.find_risk_sheet(sheet_id).await?;
        if sheet.state != FicheState::Draft {
            return Err(StoreError::Conflict(
                "Fiche : seule une fiche en brouillon se modifie ; commencez une nouvelle version"
                    .into(),
            ));
        }
        Ok(sheet.state)
    }

    /// Adds a work unit to a draft.
    pub async fn add_work_unit(
        &self,
        actor: &Actor,
        sheet_id: i64,
        unit: &WorkUnit,
    ) -> Result<i64, StoreError> {
        check_work_unit(unit).map_err(StoreError::Invalid)?;
        self.draft_state(sheet_id).await?;
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO risk_sheet_units (sheet_id, name, headcount, risks)
                 SELECT $1, $2, $3, $4 FROM risk_sheets WHERE id = $1 AND state = 'draft' RETURNING id",
            )
            .bind(sheet_id)
            .bind(unit.name.trim())
            .bind(unit.headcount as i32)
            .bind(serde_json::to_string(&unit.risks).unwrap_or_default())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::Conflict("Fiche : elle n'est plus en brouillon".into()))?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "add_unit", "risk_sheet", sheet_id)).await?;
            Ok(id)
        })
    }

    /// Removes a work unit of a draft.
    pub async fn remove_work_unit(
        &self,
        actor: &Actor,
        sheet_id: i64,
        unit_id: i64,
    ) -> Result<(), StoreError> {
        self.draft_state(sheet_id).await?;
        in_tx!(self, tx => {
            let done = sqlx::query("DELETE FROM risk_sheet_units WHERE id = $1 AND sheet_id = $2")
                .bind(unit_id)
                .bind(sheet_id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.audit(AuditEntry::new(actor, "remove_unit", "risk_sheet", sheet_id)).await?;
            Ok(())
        })
    }

    /// The service's recommendations of a draft.
    pub async fn set_sheet_recommendations(
        &self,
        actor: &Actor,
        sheet_id: i64,
        text: &str,
    ) -> Result<(), StoreError> {
        self.draft_state(sheet_id).await?;
        in_tx!(self, tx => {
            sqlx::query("UPDATE risk_sheets SET recommendations = $1 WHERE id = $2 AND state = 'draft'")
                .bind(text.trim())
                .bind(sheet_id)
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "recommendations", "risk_sheet", sheet_id)).await?;
            Ok(())
        })
    }

    /// Finalises a draft that describes at least one work unit.
    pub async fn finalise_risk_sheet(
        &self,
        actor: &Actor,
        sheet_id: i64,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let sheet = self.find_risk_sheet(sheet_id).await?;
        check_finalise(sheet.state, sheet.units.len()).map_err(StoreError::Conflict)?;
        in_tx!(self, tx => {
            sqlx::query("UPDATE risk_sheets SET state = 'finalised', finalised_on = $1 WHERE id = $2 AND state = 'draft'")
                .bind(today)
                .bind(sheet_id)
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "finalise", "risk_sheet", sheet_id)).await?;
            Ok(())
        })
    }

    /// Delivers a finalised FE: its PDF kept, the employer told by e-mail (the FE is in the
    /// portal), one transaction.
    pub async fn deliver_risk_sheet(
        &self,
        actor: &Actor,
        sheet_id: i64,
        today: NaiveDate,
        pdf: &[u8],
        service_name: &str,
    ) -> Result<(), StoreError> {
        let sheet = self.find_risk_sheet(sheet_id).await?;
        check_deliver(sheet.state).map_err(StoreError::Conflict)?;
        in_tx!(self, tx => {
            sqlx::query("UPDATE risk_sheets SET state = 'delivered', delivered_on = $1, pdf = $2 WHERE id = $3 AND state = 'finalised'")
                .bind(today)
                .bind(pdf)
                .bind(sheet_id)
                .execute(&mut *tx)
                .await?;
            let establishment = sqlx::query("SELECT name, email FROM establishments WHERE id = $1")
                .bind(sheet.establishment_id)
                .fetch_one(&mut *tx)
                .await?;
            let email: Option<String> = establishment.try_get("email")?;
            if let Some(email) = email.filter(|e| !e.trim().is_empty()) {
                let name: String = establishment.try_get("name")?;
                tx.enqueue(&[NewMessage {
                    channel: Channel::Email,
                    recipient: email,
                    subject: format!("Fiche d'entreprise de {name} (version {})", sheet.version),
                    body: format!(
                        "Bonjour,\n\nLa fiche d'entreprise de {name} (version {}), établie par le {service_name}, est disponible dans votre portail employeur. Elle décrit les risques de vos unités de travail et les recommandations du service.\n\n{service_name}\n",
                        sheet.version
                    ),
                    calendar: None,
                    purpose: Purpose::Document,
                    appointment_id: None,
                    establishment_id: Some(sheet.establishment_id),
                    dedup_key: Some(format!("risk_sheet:{sheet_id}")),
                    document_id: None,
                }])
                .await?;
            }
            tx.audit(AuditEntry::new(actor, "deliver", "risk_sheet", sheet_id)).await?;
            Ok(())
        })
    }

    /// The delivered PDF of an FE of this establishment.
    pub async fn risk_sheet_pdf(
        &self,
        establishment_id: i64,
        sheet_id: i64,
    ) -> Result<Vec<u8>, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT pdf FROM risk_sheets WHERE id = $1 AND establishment_id = $2 AND pdf IS NOT NULL")
                .bind(sheet_id)
                .bind(establishment_id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(row.try_get("pdf")?)
        })
    }

    /// The coverage plan at `today`: active members without an FE, with one older than 4
    /// years, new members without one; per team (all teams with `None`), with the team's
    /// preventers and the due date, the most overdue first.
    pub async fn list_fe_coverage(
        &self,
        today: NaiveDate,
        team: Option<&str>,
    ) -> Result<Vec<CoverageRow>, StoreError> {
        let mut rows = with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT e.id, e.siret, e.name, t.code AS team, e.joined_on,
                    (SELECT MAX(s.finalised_on) FROM risk_sheets s WHERE s.establishment_id = e.id) AS last_finalised
                 FROM establishments e LEFT JOIN teams t ON t.id = e.team_id
                 WHERE e.joined_on <= $1 AND (e.struck_off_on IS NULL OR e.struck_off_on > $1)
                   AND ($2 = '' OR t.code = $2)",
            )
            .bind(today)
            .bind(team.unwrap_or(""))
            .fetch_all(pool)
            .await?;
            let mut out = Vec::new();
            for r in rows {
                let joined_on: NaiveDate = r.try_get("joined_on")?;
                let last_finalised: Option<NaiveDate> = r.try_get("last_finalised")?;
                if let Some((gap, due)) = coverage_gap(today, joined_on, last_finalised) {
                    out.push(CoverageRow {
                        establishment_id: r.try_get("id")?,
                        siret: r.try_get("siret")?,
                        name: r.try_get("name")?,
                        team: r.try_get("team")?,
                        preventers: String::new(),
                        preventer_ids: Vec::new(),
                        joined_on,
                        last_finalised,
                        gap: gap.code(),
                        gap_label: gap.label(),
                        due,
                    });
                }
            }
            out
        });
        // The preventers of each team, read once.
        let mut preventers: std::collections::HashMap<String, Vec<(i64, String)>> =
            std::collections::HashMap::new();
        with_pool!(self, pool => {
            for r in sqlx::query(
                "SELECT t.code, p.id, p.first_name || ' ' || p.last_name AS name FROM professionals p JOIN teams t ON t.id = p.team_id
                 WHERE p.role = 'preventer' ORDER BY p.last_name, p.first_name, p.id",
            )
            .fetch_all(pool)
            .await?
            {
                preventers.entry(r.try_get("code")?).or_default().push((r.try_get("id")?, r.try_get("name")?));
            }
        });
        for row in &mut rows {
            if let Some(team) = row.team.as_ref().and_then(|t| preventers.get(t)) {
                row.preventers = team
                    .iter()
                    .map(|(_, name)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                row.preventer_ids = team.iter().map(|(id, _)| *id).collect();
            }
        }
        rows.sort_by_key(|r| (r.due, r.establishment_id));
        Ok(rows)
    }
}
