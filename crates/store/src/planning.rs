//! The planner's data: a team's free slots and its workers' open obligations over a period,
//! merged into one request per worker (the most urgent rank, the longest duration, the
//! strictest performer); and the confirmation that books the proposal in one transaction.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::messages::{MessageContext, Purpose};
use domain::planner::{PlanRequest, Problem, Slot};
use domain::rules::VISIT_KINDS;
use sqlx::Row;

use crate::Actor;
use crate::appointments::AppointmentsTx;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, with_pool};
use crate::outbox::OutboxTx;

/// What an appointment booked for a request answers.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub worker_id: i64,
    pub establishment_id: i64,
    pub kind: String,
    pub subtype: String,
}

/// A slot as the booking needs it.
#[derive(Debug, Clone)]
pub struct SlotFacts {
    pub slot_id: i64,
    pub professional_id: i64,
    pub centre_id: i64,
    pub role: String,
    pub date: NaiveDate,
    pub time: String,
    pub duration_min: u32,
}

/// A planning problem with what is needed to book its solution.
pub struct PlanningData {
    pub problem: Problem,
    pub requests: HashMap<String, RequestFacts>,
    pub slots: HashMap<String, SlotFacts>,
}

/// Default durations (SCHEDULING.md): examinations 30 minutes, other visits 20.
pub fn duration_of(kind: &str) -> u32 {
    if kind.starts_with("EMA") || kind == "POST_EXPOSURE" {
        30
    } else {
        20
    }
}

impl Db {
    /// The duration of each visit kind: the defaults, with the admin's changes.
    pub async fn visit_durations(&self) -> Result<Vec<(&'static str, u32)>, StoreError> {
        let stored: HashMap<String, i32> = with_pool!(self, pool => {
            let rows = sqlx::query("SELECT kind, minutes FROM visit_durations").fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("kind")?, r.try_get("minutes")?))).collect::<Result<_, StoreError>>()?
        });
        Ok(VISIT_KINDS
            .iter()
            .map(|kind| {
                (
                    *kind,
                    stored
                        .get(*kind)
                        .map_or_else(|| duration_of(kind), |m| (*m).max(0) as u32),
                )
            })
            .collect())
    }

    /// Sets visit durations (minutes, 5 to 240), all or none.
    pub async fn set_visit_durations(
        &self,
        actor: &Actor,
        durations: &[(String, u32)],
    ) -> Result<(), StoreError> {
        for (kind, minutes) in durations {
            if !VISIT_KINDS.contains(&kind.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "Visite : code « {kind} » inconnu"
                )));
            }
            if !(5..=240).contains(minutes) {
                return Err(StoreError::Invalid(format!(
                    "Durée ({kind}) : entre 5 et 240 minutes"
                )));
            }
        }
        in_tx!(self, tx => {
            for (kind, minutes) in durations {
                sqlx::query(
                    "INSERT INTO visit_durations (kind, minutes, updated_by, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (kind) DO UPDATE SET minutes = excluded.minutes, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(kind)
                .bind(*minutes as i32)
                .bind(&actor.0)
                .bind(crate::db::now())
                .execute(&mut *tx)
                .await?;
            }
            tx.audit(AuditEntry::new(actor, "set", "visit_durations", durations.len())
                .after(&serde_json::json!(durations))).await?;
            Ok(())
        })
    }
}

impl Db {
    /// The free slots of `team_id` from `from` to `to` and one request per worker of the team
    /// with an obligation that may be scheduled by `to` and no appointment planned ahead.
    pub async fn planning_data(
        &self,
        team_id: i64,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
        notice_days: u32,
    ) -> Result<PlanningData, StoreError> {
        let durations: HashMap<&str, u32> = self.visit_durations().await?.into_iter().collect();
        with_pool!(self, pool => {
            let team: String = sqlx::query("SELECT code FROM teams WHERE id = $1")
                .bind(team_id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get("code")?;
            let mut slots = HashMap::new();
            let mut problem_slots = Vec::new();
            let rows = sqlx::query(
                "SELECT s.id, s.professional_id, s.centre_id, s.date, s.time, s.duration_min, p.role FROM slots s
                 JOIN professionals p ON p.id = s.professional_id
                 WHERE p.team_id = $1 AND s.date >= $2 AND s.date <= $3 AND s.status = 'open'
                   AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.slot_id = s.id AND a.status IN ('planned', 'done'))
                 ORDER BY s.date, s.time, s.id",
            )
            .bind(team_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            for r in rows {
                let minutes: i32 = r.try_get("duration_min")?;
                let facts = SlotFacts {
                    slot_id: r.try_get("id")?,
                    professional_id: r.try_get("professional_id")?,
                    centre_id: r.try_get("centre_id")?,
                    role: r.try_get("role")?,
                    date: r.try_get("date")?,
                    time: r.try_get("time")?,
                    duration_min: minutes.max(0) as u32,
                };
                let id = format!("s{}", facts.slot_id);
                problem_slots.push(Slot {
                    id: id.clone(),
                    professional: format!("p{}", facts.professional_id),
                    role: facts.role.clone(),
                    team: team.clone(),
                    date: facts.date,
                    time: facts.time.clone(),
                    duration_min: facts.duration_min,
                });
                slots.insert(id, facts);
            }
            let mut busy: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
            for r in sqlx::query(
                "SELECT a.worker_id, a.date FROM appointments a WHERE a.status = 'planned' AND a.date >= $1
                   AND a.worker_id IN (SELECT worker_id FROM obligations WHERE team_id = $2)",
            )
            .bind(today)
            .bind(team_id)
            .fetch_all(pool)
            .await?
            {
                busy.entry(r.try_get("worker_id")?).or_default().push(r.try_get("date")?);
            }
            let rows = sqlx::query(
                "SELECT worker_id, establishment_id, kind, subtype, earliest, due, performer, doctor_rank, nurse_rank FROM obligations
                 WHERE team_id = $1 AND earliest <= $2 AND (doctor_rank IS NOT NULL OR nurse_rank IS NOT NULL)
                 ORDER BY worker_id, id",
            )
            .bind(team_id)
            .bind(to)
            .fetch_all(pool)
            .await?;
            let mut merged: Vec<(PlanRequest, RequestFacts)> = Vec::new();
            for r in rows {
                let worker_id: i64 = r.try_get("worker_id")?;
                // A worker with an appointment already planned is not convoked again.
                if busy.get(&worker_id).is_some_and(|days| !days.is_empty()) {
                    continue;
                }
                let kind: String = r.try_get("kind")?;
                let performer: String = r.try_get("performer")?;
                let ranks = [r.try_get::<Option<i32>, _>("doctor_rank")?, r.try_get::<Option<i32>, _>("nurse_rank")?];
                let rank = ranks.into_iter().flatten().min().unwrap_or(20).clamp(1, 255) as u8;
                let earliest: NaiveDate = r.try_get("earliest")?;
                let due: Option<NaiveDate> = r.try_get("due")?;
                let request = PlanRequest {
                    id: format!("w{worker_id}"),
                    team: team.clone(),
                    rank,
                    performer: performer.clone(),
                    duration_min: durations.get(kind.as_str()).copied().unwrap_or_else(|| duration_of(&kind)),
                    earliest,
                    due,
                    busy_dates: Vec::new(),
                    company: None,
                };
                let establishment_id: i64 = r.try_get("establishment_id")?;
                let request = PlanRequest { company: Some(format!("e{establishment_id}")), ..request };
                let facts = RequestFacts {
                    worker_id,
                    establishment_id,
                    kind,
                    subtype: r.try_get("subtype")?,
                };
                match merged.last_mut() {
                    Some((current, current_facts)) if current.id == request.id => {
                        if request.rank < current.rank {
                            current.rank = request.rank;
                            *current_facts = facts;
                        }
                        current.duration_min = current.duration_min.max(request.duration_min);
                        if request.performer == "doctor" {
                            current.performer = "doctor".into();
                        } else if request.performer == "nurse" && current.performer == "either" {
                            current.performer = "nurse".into();
                        }
                        current.earliest = current.earliest.min(request.earliest);
                        current.due = match (current.due, request.due) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                    }
                    _ => merged.push((request, facts)),
                }
            }
            let mut requests = HashMap::new();
            let mut problem_requests = Vec::new();
            for (request, facts) in merged {
                requests.insert(request.id.clone(), facts);
                problem_requests.push(request);
            }
            Ok(PlanningData {
                problem: Problem { today, notice_days, slots: problem_slots, requests: problem_requests },
                requests,
                slots,
            })
        })
    }

    /// Books the placements (slot, request) as planned appointments, all or none: a slot
    /// taken meanwhile or a worker already booked that day refuses the whole plan.
    pub async fn book_plan(
        &self,
        actor: &Actor,
        bookings: &[(SlotFacts, RequestFacts)],
        context: &MessageContext,
    ) -> Result<usize, StoreError> {
        in_tx!(self, tx => {
            let templates = tx.templates().await?;
            for (slot, request) in bookings {
                tx.check_worker_free(request.worker_id, slot.date, None).await?;
                let id: i64 = sqlx::query(
                    "INSERT INTO appointments (worker_id, establishment_id, date, time, duration_min, kind, subtype, performer, professional_id, centre_id, status, slot_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'planned', $11) RETURNING id",
                )
                .bind(request.worker_id)
                .bind(request.establishment_id)
                .bind(slot.date)
                .bind(&slot.time)
                .bind(slot.duration_min as i32)
                .bind(&request.kind)
                .bind(&request.subtype)
                .bind(&slot.role)
                .bind(slot.professional_id)
                .bind(slot.centre_id)
                .bind(slot.slot_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| StoreError::conflict_or(e, format!("le créneau du {} à {} est déjà pris", slot.date.format("%d/%m/%Y"), slot.time)))?
                .try_get("id")?;
                tx.notify_with(id, Purpose::Convocation, context, &templates).await?;
            }
            tx.audit(AuditEntry::new(actor, "book_plan", "appointments", bookings.len())).await?;
            Ok(bookings.len())
        })
    }
}
