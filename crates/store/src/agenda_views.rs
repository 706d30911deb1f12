//! What the agenda pages show (slots with their appointments, per professional or centre),
//! manual slots within opening hours, blocking a slot, and the replacement candidates of a
//! slot freed by an excuse.

use chrono::{Datelike, NaiveDate, NaiveTime};
use domain::planner::candidates_for_slot;
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, with_pool};
use crate::planning::RequestFacts;
use domain::french_date;

/// One line of an agenda: a slot, and the appointment on it when there is one.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaEntry {
    pub slot_id: i64,
    pub professional_id: i64,
    pub professional_name: String,
    pub role: String,
    pub centre_id: i64,
    pub centre_name: String,
    pub date: NaiveDate,
    pub time: String,
    pub duration_min: i32,
    pub slot_status: String,
    pub appointment_id: Option<i64>,
    pub appointment_status: Option<String>,
    pub kind: Option<String>,
    pub worker_id: Option<i64>,
    pub worker_name: Option<String>,
    pub establishment_name: Option<String>,
    pub replaces_id: Option<i64>,
}

/// An appointment as its employer sees it.
#[derive(Debug, Clone)]
pub struct EstablishmentAppointment {
    pub id: i64,
    pub date: NaiveDate,
    pub time: String,
    pub kind: String,
    pub status: String,
    pub performer: String,
    pub worker_name: String,
    pub centre_name: String,
}

/// Which agenda to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaOf {
    Professional(i64),
    Centre(i64),
}

/// A worker who may take a freed slot.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub worker_name: String,
    pub rank: u8,
    pub due: Option<NaiveDate>,
    pub facts: RequestFacts,
}

impl Db {
    /// The slots of a professional or a centre from `from` to `to`, with their appointments
    /// (cancelled ones left out), in date, time and professional order.
    pub async fn list_agenda(
        &self,
        of: AgendaOf,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AgendaEntry>, StoreError> {
        let (filter, id) = match of {
            AgendaOf::Professional(id) => ("s.professional_id", id),
            AgendaOf::Centre(id) => ("s.centre_id", id),
        };
        let sql = format!(
            "SELECT s.id AS slot_id, s.professional_id, p.first_name || ' ' || p.last_name AS professional_name, p.role,
                s.centre_id, c.name AS centre_name, s.date, s.time, s.duration_min, s.status AS slot_status,
                a.id AS appointment_id, a.status AS appointment_status, a.kind, a.replaces_id, w.id AS worker_id,
                w.first_name || ' ' || w.last_name AS worker_name, e.name AS establishment_name
             FROM slots s JOIN professionals p ON p.id = s.professional_id JOIN centres c ON c.id = s.centre_id
             LEFT JOIN appointments a ON a.slot_id = s.id AND a.status <> 'cancelled'
             LEFT JOIN workers w ON w.id = a.worker_id
             LEFT JOIN establishments e ON e.id = a.establishment_id
             WHERE {filter} = $1 AND s.date >= $2 AND s.date <= $3
             ORDER BY s.date, s.time, p.last_name, s.id, a.id"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(from).bind(to).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(AgendaEntry {
                slot_id: r.try_get("slot_id")?,
                professional_id: r.try_get("professional_id")?,
                professional_name: r.try_get("professional_name")?,
                role: r.try_get("role")?,
                centre_id: r.try_get("centre_id")?,
                centre_name: r.try_get("centre_name")?,
                date: r.try_get("date")?,
                time: r.try_get("time")?,
                duration_min: r.try_get("duration_min")?,
                slot_status: r.try_get("slot_status")?,
                appointment_id: r.try_get("appointment_id")?,
                appointment_status: r.try_get("appointment_status")?,
                kind: r.try_get("kind")?,
                worker_id: r.try_get("worker_id")?,
                worker_name: r.try_get("worker_name")?,
                establishment_name: r.try_get("establishment_name")?,
                replaces_id: r.try_get("replaces_id")?,
            })).collect()
        })
    }

    /// Adds a slot by hand; it must lie within the professional's opening hours at that
    /// centre and outside their closures.
    pub async fn add_manual_slot(
        &self,
        actor: &Actor,
        professional_id: i64,
        centre_id: i64,
        date: NaiveDate,
        start: NaiveTime,
        duration_min: u32,
    ) -> Result<i64, StoreError> {
        if !(5..=240).contains(&duration_min) {
            return Err(StoreError::Invalid("Durée : entre 5 et 240 minutes".into()));
        }
        let end = start + chrono::Duration::minutes(i64::from(duration_min));
        if end <= start {
            return Err(StoreError::Invalid(
                "Heure : le créneau doit finir le même jour".into(),
            ));
        }
        let time = start.format("%H:%M").to_string();
        in_tx!(self, tx => {
            let hours = sqlx::query(
                "SELECT start_time, end_time FROM opening_hours WHERE professional_id = $1 AND centre_id = $2 AND weekday = $3",
            )
            .bind(professional_id)
            .bind(centre_id)
            .bind(date.weekday().number_from_monday() as i32)
            .fetch_all(&mut *tx)
            .await?;
            let mut ranges = Vec::new();
            for r in &hours {
                ranges.push((r.try_get::<String, _>("start_time")?, r.try_get::<String, _>("end_time")?));
            }
            let end_text = end.format("%H:%M").to_string();
            if !ranges.iter().any(|(open, close)| open.as_str() <= time.as_str() && end_text.as_str() <= close.as_str()) {
                let known = if ranges.is_empty() {
                    "aucun horaire ce jour-là dans ce centre".to_string()
                } else {
                    ranges.iter().map(|(a, b)| format!("{a}–{b}")).collect::<Vec<_>>().join(", ")
                };
                return Err(StoreError::Invalid(format!(
                    "Heure : {time}–{end_text} est hors des horaires d'ouverture ({known})"
                )));
            }
            let closed = sqlx::query("SELECT reason FROM agenda_closures WHERE professional_id = $1 AND from_date <= $2 AND to_date >= $2")
                .bind(professional_id)
                .bind(date)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = closed {
                return Err(StoreError::Invalid(format!(
                    "Date : le {} est fermé ({})", french_date(date), row.try_get::<String, _>("reason")?
                )));
            }
            let id: i64 = sqlx::query(
                "INSERT INTO slots (professional_id, centre_id, date, time, duration_min, status, source)
                 VALUES ($1, $2, $3, $4, $5, 'open', 'manual') RETURNING id",
            )
            .bind(professional_id)
            .bind(centre_id)
            .bind(date)
            .bind(&time)
            .bind(duration_min as i32)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, format!("Heure : un créneau existe déjà le {} à {time}", french_date(date))))?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "add_slot", "slot", id)).await?;
            Ok(id)
        })
    }

    /// Blocks an open slot (no appointment planned on it) or opens a blocked one again.
    pub async fn set_slot_blocked(
        &self,
        actor: &Actor,
        slot_id: i64,
        blocked: bool,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            let taken = sqlx::query("SELECT 1 FROM appointments WHERE slot_id = $1 AND status = 'planned'")
                .bind(slot_id)
                .fetch_optional(&mut *tx)
                .await?;
            if blocked && taken.is_some() {
                return Err(StoreError::Conflict(
                    "Créneau : un rendez-vous y est prévu ; déplacez-le ou annulez-le d'abord".into(),
                ));
            }
            let (from, to) = if blocked { ("open", "blocked") } else { ("blocked", "open") };
            let done = sqlx::query("UPDATE slots SET status = $1 WHERE id = $2 AND status = $3")
                .bind(to)
                .bind(slot_id)
                .bind(from)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.audit(AuditEntry::new(actor, if blocked { "block" } else { "unblock" }, "slot", slot_id)).await?;
            Ok(())
        })
    }

    /// The workers who may take the slot now (short notice allowed), most urgent first: the
    /// planner on that one slot.
    pub async fn replacement_candidates(
        &self,
        slot_id: i64,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<Candidate>, StoreError> {
        let (team, date): (Option<i64>, NaiveDate) = with_pool!(self, pool => {
            let r = sqlx::query("SELECT p.team_id, s.date FROM slots s JOIN professionals p ON p.id = s.professional_id WHERE s.id = $1")
                .bind(slot_id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            (r.try_get("team_id")?, r.try_get("date")?)
        });
        let Some(team) = team else {
            return Ok(Vec::new());
        };
        let data = self.planning_data(team, date, date, today, 0).await?;
        let ids = candidates_for_slot(&data.problem, &format!("s{slot_id}"), limit);
        let mut candidates = Vec::new();
        for id in ids {
            let request = data
                .problem
                .requests
                .iter()
                .find(|r| r.id == id)
                .expect("a candidate is a request");
            let facts = data.requests[&id].clone();
            let worker_name = with_pool!(self, pool => {
                let r = sqlx::query("SELECT first_name || ' ' || last_name AS name FROM workers WHERE id = $1")
                    .bind(facts.worker_id)
                    .fetch_one(pool)
                    .await?;
                r.try_get::<String, _>("name")?
            });
            candidates.push(Candidate {
                worker_name,
                rank: request.rank,
                due: request.due,
                facts,
            });
        }
        Ok(candidates)
    }

    /// The professional of an appointment.
    pub async fn list_agenda_professional_of(
        &self,
        appointment_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT professional_id FROM appointments WHERE id = $1")
                .bind(appointment_id)
                .fetch_optional(pool)
                .await?;
            Ok(row.map(|r| r.try_get::<Option<i64>, _>("professional_id")).transpose()?.flatten())
        })
    }

    /// The date and professional of a slot.
    pub async fn slot_day(&self, slot_id: i64) -> Result<Option<(NaiveDate, i64)>, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT date, professional_id FROM slots WHERE id = $1")
                .bind(slot_id)
                .fetch_optional(pool)
                .await?;
            row.map(|r| Ok((r.try_get("date")?, r.try_get("professional_id")?))).transpose()
        })
    }

    /// An establishment's appointments from `from` on (the employer portal: date, place,
    /// kind and status, never medical content).
    pub async fn list_establishment_appointments(
        &self,
        establishment_id: i64,
        from: NaiveDate,
    ) -> Result<Vec<EstablishmentAppointment>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT a.id, a.date, a.time, a.kind, a.status, a.performer, w.first_name || ' ' || w.last_name AS worker_name,
                    COALESCE(c.name, '') AS centre_name
                 FROM appointments a JOIN workers w ON w.id = a.worker_id LEFT JOIN centres c ON c.id = a.centre_id
                 WHERE a.establishment_id = $1 AND a.date >= $2 AND a.status <> 'cancelled'
                 ORDER BY a.date, a.time, a.id LIMIT 500",
            )
            .bind(establishment_id)
            .bind(from)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(EstablishmentAppointment {
                id: r.try_get("id")?,
                date: r.try_get("date")?,
                time: r.try_get::<Option<String>, _>("time")?.unwrap_or_default(),
                kind: r.try_get("kind")?,
                status: r.try_get("status")?,
                performer: r.try_get("performer")?,
                worker_name: r.try_get("worker_name")?,
                centre_name: r.try_get("centre_name")?,
            })).collect()
        })
    }
}
