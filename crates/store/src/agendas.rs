//! Agendas: opening hours, closures and slots. Generating slots for a period is idempotent
//! (a slot that exists is kept), and a closure blocks the open slots it covers.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use domain::agenda::{Closure, OpeningHours, generate_slots, public_holidays};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};

const ROWS_PER_STATEMENT: usize = 1000;

/// A slot of an agenda.
#[derive(Debug, Clone, Serialize)]
pub struct StoredSlot {
    pub id: i64,
    pub professional_id: i64,
    pub centre_id: i64,
    pub date: NaiveDate,
    pub time: String,
    pub duration_min: i32,
    pub status: String,
    pub source: String,
}

/// A closure as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredClosure {
    pub closure: Closure,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn weekday_number(day: Weekday) -> i32 {
    day.number_from_monday() as i32
}

fn weekday_of(number: i32) -> Weekday {
    Weekday::try_from((number.clamp(1, 7) - 1) as u8).unwrap_or(Weekday::Mon)
}

fn time_of(text: &str) -> Result<NaiveTime, StoreError> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| StoreError::Invalid(format!("heure enregistrée illisible « {text} »")))
}

impl Db {
    /// Replaces a professional's weekly opening hours (in one centre).
    pub async fn set_opening_hours(
        &self,
        actor: &Actor,
        professional_id: i64,
        centre_id: i64,
        hours: &[OpeningHours],
    ) -> Result<(), StoreError> {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).expect("a Monday");
        generate_slots(hours, day, day, &[], &[])
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        in_tx!(self, tx => {
            sqlx::query("DELETE FROM opening_hours WHERE professional_id = $1").bind(professional_id).execute(&mut *tx).await?;
            for h in hours {
                sqlx::query(
                    "INSERT INTO opening_hours (professional_id, centre_id, weekday, start_time, end_time, slot_minutes) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(professional_id)
                .bind(centre_id)
                .bind(weekday_number(h.weekday))
                .bind(h.start.format("%H:%M").to_string())
                .bind(h.end.format("%H:%M").to_string())
                .bind(h.slot_minutes as i32)
                .execute(&mut *tx)
                .await?;
            }
            tx.audit(AuditEntry::new(actor, "set_opening_hours", "professional", professional_id).after(&hours)).await?;
            Ok(())
        })
    }

    /// A professional's opening hours with their centre.
    pub async fn list_opening_hours(
        &self,
        professional_id: i64,
    ) -> Result<Vec<(OpeningHours, i64)>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT weekday, start_time, end_time, slot_minutes, centre_id FROM opening_hours WHERE professional_id = $1 ORDER BY weekday, start_time",
            )
            .bind(professional_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| {
                let minutes: i32 = r.try_get("slot_minutes")?;
                Ok((OpeningHours {
                    weekday: weekday_of(r.try_get("weekday")?),
                    start: time_of(&r.try_get::<String, _>("start_time")?)?,
                    end: time_of(&r.try_get::<String, _>("end_time")?)?,
                    slot_minutes: minutes.max(0) as u32,
                }, r.try_get("centre_id")?))
            }).collect()
        })
    }

    /// Records a closure and blocks the open slots it covers, in one transaction.
    pub async fn add_closure(
        &self,
        actor: &Actor,
        professional_id: i64,
        closure: &Closure,
    ) -> Result<u64, StoreError> {
        if closure.to < closure.from {
            return Err(StoreError::Invalid(
                "Fin : antérieure au début de l'absence".into(),
            ));
        }
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO agenda_closures (professional_id, from_date, to_date, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(professional_id)
            .bind(closure.from)
            .bind(closure.to)
            .bind(&closure.reason)
            .bind(&actor.0)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            let blocked = sqlx::query(
                "UPDATE slots SET status = 'blocked' WHERE professional_id = $1 AND date >= $2 AND date <= $3 AND status = 'open'",
            )
            .bind(professional_id)
            .bind(closure.from)
            .bind(closure.to)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.audit(AuditEntry::new(actor, "close_agenda", "professional", professional_id).after(closure)).await?;
            Ok(blocked)
        })
    }

    pub async fn list_closures(
        &self,
        professional_id: i64,
    ) -> Result<Vec<StoredClosure>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT from_date, to_date, reason, created_by, created_at FROM agenda_closures WHERE professional_id = $1 ORDER BY from_date",
            )
            .bind(professional_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(StoredClosure {
                closure: Closure { from: r.try_get("from_date")?, to: r.try_get("to_date")?, reason: r.try_get("reason")? },
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
            })).collect()
        })
    }

    /// Creates the slots of every professional with opening hours (or of one) from `from` to
    /// `to`, public holidays of France and closures left out (with Good Friday and 26 December
    /// for centres in Moselle, Bas-Rhin and Haut-Rhin); existing slots are kept. Returns the
    /// number of slots created.
    pub async fn generate_agenda_slots(
        &self,
        actor: &Actor,
        professional_id: Option<i64>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u64, StoreError> {
        let local_law: Vec<i64> = self
            .list_centres()
            .await?
            .into_iter()
            .filter(|c| ["57", "67", "68"].iter().any(|d| c.postcode.starts_with(d)))
            .map(|c| c.id.0)
            .collect();
        let professionals: Vec<i64> = match professional_id {
            Some(id) => vec![id],
            None => with_pool!(self, pool => {
                sqlx::query("SELECT DISTINCT professional_id FROM opening_hours ORDER BY professional_id")
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|r| r.try_get("professional_id"))
                    .collect::<Result<Vec<i64>, _>>()?
            }),
        };
        let holidays = |alsace_moselle: bool| -> Vec<NaiveDate> {
            (chrono::Datelike::year(&from)..=chrono::Datelike::year(&to))
                .flat_map(|year| public_holidays(year, alsace_moselle))
                .map(|(day, _)| day)
                .collect()
        };
        let (general, local) = (holidays(false), holidays(true));
        let mut rows: Vec<(i64, i64, NaiveDate, String, i32)> = Vec::new();
        for professional in &professionals {
            let hours = self.list_opening_hours(*professional).await?;
            let closures: Vec<Closure> = self
                .list_closures(*professional)
                .await?
                .into_iter()
                .map(|c| c.closure)
                .collect();
            let mut by_centre: Vec<(i64, Vec<OpeningHours>)> = Vec::new();
            for (h, centre) in hours {
                match by_centre.iter_mut().find(|(c, _)| *c == centre) {
                    Some((_, list)) => list.push(h),
                    None => by_centre.push((centre, vec![h])),
                }
            }
            for (centre, hours) in by_centre {
                let holidays = if local_law.contains(&centre) {
                    &local
                } else {
                    &general
                };
                let drafts = generate_slots(&hours, from, to, holidays, &closures)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                rows.extend(drafts.into_iter().map(|d| {
                    (
                        *professional,
                        centre,
                        d.date,
                        d.time.format("%H:%M").to_string(),
                        d.duration_min as i32,
                    )
                }));
            }
        }
        in_tx!(self, tx => {
            let mut created = 0;
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO slots (professional_id, centre_id, date, time, duration_min, status, source) ",
                );
                query.push_values(chunk, |mut b, (professional, centre, date, time, minutes)| {
                    b.push_bind(*professional)
                        .push_bind(*centre)
                        .push_bind(*date)
                        .push_bind(time.clone())
                        .push_bind(*minutes)
                        .push_bind("open")
                        .push_bind("template");
                });
                query.push(" ON CONFLICT (professional_id, date, time) DO NOTHING");
                created += query.build().execute(&mut *tx).await?.rows_affected();
            }
            tx.audit(AuditEntry::new(actor, "generate_slots", "agenda", professionals.len())
                .after(&serde_json::json!({"from": from, "to": to, "created": created}))).await?;
            Ok(created)
        })
    }

    /// A professional's slots over a period, in date and time order.
    pub async fn list_slots(
        &self,
        professional_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StoredSlot>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, professional_id, centre_id, date, time, duration_min, status, source FROM slots
                 WHERE professional_id = $1 AND date >= $2 AND date <= $3 ORDER BY date, time",
            )
            .bind(professional_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(StoredSlot {
                id: r.try_get("id")?,
                professional_id: r.try_get("professional_id")?,
                centre_id: r.try_get("centre_id")?,
                date: r.try_get("date")?,
                time: r.try_get("time")?,
                duration_min: r.try_get("duration_min")?,
                status: r.try_get("status")?,
                source: r.try_get("source")?,
            })).collect()
        })
    }
}
