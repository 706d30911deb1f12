//! Awareness sessions: planned by a preventer (for one establishment or open to all),
//! registrations from the employer portal within the capacity, then held (attendance per
//! company) or cancelled — each outcome recorded as actions on the work site (K7).

use chrono::NaiveDate;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};

/// A session as listed.
#[derive(Debug, Clone)]
pub struct AwarenessSession {
    pub id: i64,
    pub title: String,
    pub date: NaiveDate,
    pub place: String,
    /// The establishment of an intra-company session.
    pub establishment_id: Option<i64>,
    pub capacity: i32,
    pub registered: i64,
    pub state: String,
    pub author: String,
}

/// A registration: (establishment id, its name, participants, attended).
pub type Registration = (i64, String, i32, Option<i32>);

const SELECT: &str = "SELECT s.id, s.title, s.date, s.place, s.establishment_id, s.capacity, s.state, s.author,
        COALESCE((SELECT SUM(r.participants) FROM awareness_registrations r WHERE r.session_id = s.id), 0) AS registered
     FROM awareness_sessions s";

macro_rules! session_from_row {
    ($r:expr) => {
        AwarenessSession {
            id: $r.try_get("id")?,
            title: $r.try_get("title")?,
            date: $r.try_get("date")?,
            place: $r.try_get("place")?,
            establishment_id: $r.try_get("establishment_id")?,
            capacity: $r.try_get("capacity")?,
            registered: $r.try_get("registered")?,
            state: $r.try_get("state")?,
            author: $r.try_get("author")?,
        }
    };
}

impl Db {
    /// Plans a session (intra-company when `establishment_id` is given).
    pub async fn create_awareness_session(
        &self,
        actor: &Actor,
        title: &str,
        date: NaiveDate,
        place: &str,
        establishment_id: Option<i64>,
        capacity: u32,
    ) -> Result<i64, StoreError> {
        if title.trim().is_empty() {
            return Err(StoreError::Invalid("Thème : obligatoire".into()));
        }
        if !(1..=500).contains(&capacity) {
            return Err(StoreError::Invalid("Places : entre 1 et 500".into()));
        }
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO awareness_sessions (title, date, place, establishment_id, capacity, state, author)
                 VALUES ($1, $2, $3, $4, $5, 'planned', $6) RETURNING id",
            )
            .bind(title.trim())
            .bind(date)
            .bind(place.trim())
            .bind(establishment_id)
            .bind(capacity as i32)
            .bind(&actor.0)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "create", "awareness_session", id)).await?;
            Ok(id)
        })
    }

    /// Sessions from `from` on, by date; for an employer, those open to all and its own.
    pub async fn list_awareness_sessions(
        &self,
        from: NaiveDate,
        establishment_id: Option<i64>,
    ) -> Result<Vec<AwarenessSession>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE s.date >= $1 AND ($2 = 0 OR s.establishment_id IS NULL OR s.establishment_id = $2) ORDER BY s.date, s.id"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(from).bind(establishment_id.unwrap_or(0)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(session_from_row!(r))).collect()
        })
    }

    /// The planned sessions an establishment takes part in from `from` on: its intra-company
    /// ones and the inter-company ones it registered for.
    pub async fn list_establishment_planned_sessions(
        &self,
        establishment_id: i64,
        from: NaiveDate,
    ) -> Result<Vec<AwarenessSession>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE s.date >= $1 AND s.state = 'planned'
               AND (s.establishment_id = $2
                    OR EXISTS (SELECT 1 FROM awareness_registrations r WHERE r.session_id = s.id AND r.establishment_id = $2))
             ORDER BY s.date, s.id"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(from).bind(establishment_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(session_from_row!(r))).collect()
        })
    }

    /// A session and its registrations.
    pub async fn find_awareness_session(
        &self,
        id: i64,
    ) -> Result<(AwarenessSession, Vec<Registration>), StoreError> {
        let sql = format!("{SELECT} WHERE s.id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?.ok_or(StoreError::NotFound)?;
            let session = session_from_row!(row);
            let mut registrations = Vec::new();
            for r in sqlx::query(
                "SELECT r.establishment_id, e.name, r.participants, r.attended FROM awareness_registrations r
                 JOIN establishments e ON e.id = r.establishment_id WHERE r.session_id = $1 ORDER BY e.name",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            {
                registrations.push((r.try_get("establishment_id")?, r.try_get("name")?, r.try_get("participants")?, r.try_get("attended")?));
            }
            Ok((session, registrations))
        })
    }

    /// Registers (or changes the registration of) an establishment, within the capacity, for
    /// a session still to come that is open to it.
    pub async fn register_for_session(
        &self,
        actor: &Actor,
        session_id: i64,
        establishment_id: i64,
        participants: u32,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        if !(1..=100).contains(&participants) {
            return Err(StoreError::Invalid("Participants : entre 1 et 100".into()));
        }
        in_tx!(self, tx => {
            let session = sqlx::query(
                "SELECT date, state, capacity, establishment_id,
                    COALESCE((SELECT SUM(participants) FROM awareness_registrations WHERE session_id = $1 AND establishment_id <> $2), 0) AS others
                 FROM awareness_sessions WHERE id = $1",
            )
            .bind(session_id)
            .bind(establishment_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
            let own: Option<i64> = session.try_get("establishment_id")?;
            if own.is_some_and(|own| own != establishment_id) {
                return Err(StoreError::NotFound);
            }
            let date: NaiveDate = session.try_get("date")?;
            if session.try_get::<String, _>("state")? != "planned" || date < today {
                return Err(StoreError::Conflict("Inscription : la session n'est plus ouverte".into()));
            }
            let others: i64 = session.try_get("others")?;
            let capacity: i32 = session.try_get("capacity")?;
            if others + i64::from(participants) > i64::from(capacity) {
                return Err(StoreError::Invalid(format!(
                    "Participants : il reste {} place(s)", (i64::from(capacity) - others).max(0)
                )));
            }
            sqlx::query(
                "INSERT INTO awareness_registrations (session_id, establishment_id, participants, registered_by)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (session_id, establishment_id) DO UPDATE SET participants = excluded.participants, registered_by = excluded.registered_by",
            )
            .bind(session_id)
            .bind(establishment_id)
            .bind(participants as i32)
            .bind(&actor.0)
            .execute(&mut *tx)
            .await?;
            tx.audit(AuditEntry::new(actor, "register", "awareness_session", session_id)).await?;
            Ok(())
        })
    }

    /// Records a session held (attendance per registered company: an
    /// `awareness_session_held` action for each company that came) or cancelled (an
    /// `awareness_session_cancelled` action for each registered company), in one transaction.
    pub async fn close_awareness_session(
        &self,
        actor: &Actor,
        session_id: i64,
        held: bool,
        attendance: &[(i64, u32)],
    ) -> Result<(), StoreError> {
        let (session, registrations) = self.find_awareness_session(session_id).await?;
        if session.state != "planned" {
            return Err(StoreError::Conflict("Session : déjà close".into()));
        }
        in_tx!(self, tx => {
            sqlx::query("UPDATE awareness_sessions SET state = $1 WHERE id = $2 AND state = 'planned'")
                .bind(if held { "held" } else { "cancelled" })
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            for (establishment, _, participants, _) in &registrations {
                let attended = attendance.iter().find(|(e, _)| e == establishment).map_or(0, |(_, n)| *n);
                if held && attended > *participants as u32 {
                    return Err(StoreError::Invalid("Présents : pas plus que les inscrits".into()));
                }
                sqlx::query("UPDATE awareness_registrations SET attended = $1 WHERE session_id = $2 AND establishment_id = $3")
                    .bind(if held { attended as i32 } else { 0 })
                    .bind(session_id)
                    .bind(establishment)
                    .execute(&mut *tx)
                    .await?;
                if held && attended == 0 {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO workplace_actions (establishment_id, date, type, title, workers, author, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(establishment)
                .bind(session.date)
                .bind(if held { "awareness_session_held" } else { "awareness_session_cancelled" })
                .bind(&session.title)
                .bind(if held { attended as i32 } else { 0 })
                .bind(&actor.0)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            }
            tx.audit(AuditEntry::new(actor, if held { "held" } else { "cancel" }, "awareness_session", session_id)).await?;
            Ok(())
        })
    }
}
