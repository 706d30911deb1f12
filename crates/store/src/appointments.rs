//! Appointments after planning: booking one into a slot (by hand or as a replacement),
//! moving, cancelling, attendance (done, absent, excused), with the messages each change
//! sends written to the outbox in the same transaction.

use chrono::NaiveDate;
use domain::messages::{AppointmentNotice, MessageContext, Purpose, Templates, compose};
use domain::rules::DOCTOR_ONLY_KINDS;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx};
use crate::obligations::ObligationsTx;
use crate::outbox::OutboxTx;
use domain::french_date;

/// What attendance can be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attendance {
    Done,
    Absent,
    Excused,
}

impl Attendance {
    pub fn parse(code: &str) -> Option<Attendance> {
        match code {
            "done" => Some(Attendance::Done),
            "absent" => Some(Attendance::Absent),
            "excused" => Some(Attendance::Excused),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Attendance::Done => "done",
            Attendance::Absent => "absent",
            Attendance::Excused => "excused",
        }
    }
}

/// A booking into a slot.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub slot_id: i64,
    pub worker_id: i64,
    pub establishment_id: i64,
    pub kind: String,
    pub subtype: String,
    /// The excused appointment whose slot this one takes (indicator K4).
    pub replaces_id: Option<i64>,
}

/// An appointment with the facts its pages and messages show.
#[derive(Debug, Clone)]
pub struct AppointmentFacts {
    pub id: i64,
    pub worker_id: i64,
    pub slot_id: Option<i64>,
    pub status: String,
    pub kind: String,
    pub performer: String,
    pub replaces_id: Option<i64>,
    pub notice: AppointmentNotice,
}

fn postal(address: &str, postcode: &str, city: &str) -> String {
    let town = format!("{postcode} {city}");
    [address.trim(), town.trim()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appointment work inside a caller's transaction.
pub(crate) trait AppointmentsTx: OutboxTx {
    async fn appointment(&mut self, id: i64) -> Result<AppointmentFacts, StoreError>;
    /// The open slot `slot_id` with (professional, centre, role, date, time, duration), or a
    /// French refusal when it is blocked or taken.
    async fn free_slot(
        &mut self,
        slot_id: i64,
    ) -> Result<(i64, i64, String, NaiveDate, String, i32), StoreError>;
    async fn check_worker_free(
        &mut self,
        worker_id: i64,
        date: NaiveDate,
        except: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Writes the messages of `purpose` for the appointment to the outbox.
    async fn notify(
        &mut self,
        id: i64,
        purpose: Purpose,
        context: &MessageContext,
    ) -> Result<usize, StoreError> {
        let templates = self.templates().await?;
        self.notify_with(id, purpose, context, &templates).await
    }
    /// The same with the templates already loaded (many appointments in one transaction).
    async fn notify_with(
        &mut self,
        id: i64,
        purpose: Purpose,
        context: &MessageContext,
        templates: &Templates,
    ) -> Result<usize, StoreError>;
}

macro_rules! impl_appointments_tx {
    ($database:ty) => {
        impl AppointmentsTx for sqlx::Transaction<'_, $database> {
            async fn appointment(&mut self, id: i64) -> Result<AppointmentFacts, StoreError> {
                let r = sqlx::query(
                    "SELECT a.id, a.worker_id, a.slot_id, a.status, a.establishment_id, a.date, a.time, a.duration_min, a.kind, a.subtype,
                        a.performer, a.revision, a.replaces_id,
                        w.first_name, w.last_name, w.email AS worker_email, w.mobile,
                        COALESCE(e.name, '') AS establishment_name, e.email AS establishment_email,
                        COALESCE(e.address, '') AS e_address, COALESCE(e.postcode, '') AS e_postcode, COALESCE(e.city, '') AS e_city,
                        COALESCE(c.name, '') AS centre_name, COALESCE(c.address, '') AS c_address,
                        COALESCE(c.postcode, '') AS c_postcode, COALESCE(c.city, '') AS c_city,
                        COALESCE(p.first_name || ' ' || p.last_name, '') AS professional_name
                     FROM appointments a JOIN workers w ON w.id = a.worker_id
                     LEFT JOIN establishments e ON e.id = a.establishment_id
                     LEFT JOIN centres c ON c.id = a.centre_id
                     LEFT JOIN professionals p ON p.id = a.professional_id
                     WHERE a.id = $1",
                )
                .bind(id)
                .fetch_optional(&mut **self)
                .await?
                .ok_or(StoreError::NotFound)?;
                let first: String = r.try_get("first_name")?;
                let last: String = r.try_get("last_name")?;
                let performer: String = r.try_get("performer")?;
                let kind: String = r.try_get("kind")?;
                let notice = AppointmentNotice {
                    appointment_id: id,
                    establishment_id: r.try_get::<Option<i64>, _>("establishment_id")?.unwrap_or_default(),
                    worker_name: format!("{first} {last}"),
                    worker_email: r.try_get::<Option<String>, _>("worker_email")?.filter(|e| !e.trim().is_empty()),
                    worker_mobile: r.try_get::<Option<String>, _>("mobile")?.filter(|m| !m.trim().is_empty()),
                    establishment_name: r.try_get("establishment_name")?,
                    establishment_email: r.try_get::<Option<String>, _>("establishment_email")?.filter(|e| !e.trim().is_empty()),
                    establishment_address: postal(&r.try_get::<String, _>("e_address")?, &r.try_get::<String, _>("e_postcode")?, &r.try_get::<String, _>("e_city")?),
                    date: r.try_get("date")?,
                    time: r.try_get::<Option<String>, _>("time")?.unwrap_or_default(),
                    duration_min: r.try_get::<i32, _>("duration_min")?.max(0) as u32,
                    centre_name: r.try_get("centre_name")?,
                    centre_address: postal(&r.try_get::<String, _>("c_address")?, &r.try_get::<String, _>("c_postcode")?, &r.try_get::<String, _>("c_city")?),
                    role: performer.clone(),
                    professional_name: r.try_get("professional_name")?,
                    kind: kind.clone(),
                    subtype: r.try_get("subtype")?,
                    previous: None,
                    revision: r.try_get::<i32, _>("revision")?.max(0) as u32,
                };
                Ok(AppointmentFacts {
                    id,
                    worker_id: r.try_get("worker_id")?,
                    slot_id: r.try_get("slot_id")?,
                    status: r.try_get("status")?,
                    kind,
                    performer,
                    replaces_id: r.try_get("replaces_id")?,
                    notice,
                })
            }

            async fn free_slot(&mut self, slot_id: i64) -> Result<(i64, i64, String, NaiveDate, String, i32), StoreError> {
                let r = sqlx::query(
                    "SELECT s.professional_id, s.centre_id, p.role, s.date, s.time, s.duration_min, s.status,
                        EXISTS (SELECT 1 FROM appointments a WHERE a.slot_id = s.id AND a.status IN ('planned', 'done')) AS taken
                     FROM slots s JOIN professionals p ON p.id = s.professional_id WHERE s.id = $1",
                )
                .bind(slot_id)
                .fetch_optional(&mut **self)
                .await?
                .ok_or_else(|| StoreError::Invalid("Créneau : introuvable".into()))?;
                let date: NaiveDate = r.try_get("date")?;
                let time: String = r.try_get("time")?;
                if r.try_get::<bool, _>("taken")? {
                    return Err(StoreError::Conflict(format!("Créneau : celui du {} à {time} est déjà pris", french_date(date))));
                }
                if r.try_get::<String, _>("status")? != "open" {
                    return Err(StoreError::Conflict(format!("Créneau : celui du {} à {time} est bloqué", french_date(date))));
                }
                Ok((r.try_get("professional_id")?, r.try_get("centre_id")?, r.try_get("role")?, date, time, r.try_get("duration_min")?))
            }

            async fn check_worker_free(&mut self, worker_id: i64, date: NaiveDate, except: Option<i64>) -> Result<(), StoreError> {
                let same_day = sqlx::query("SELECT 1 FROM appointments WHERE worker_id = $1 AND date = $2 AND status = 'planned' AND id <> $3")
                    .bind(worker_id)
                    .bind(date)
                    .bind(except.unwrap_or(-1))
                    .fetch_optional(&mut **self)
                    .await?;
                if same_day.is_some() {
                    return Err(StoreError::Conflict(format!("Salarié : il a déjà un rendez-vous le {}", french_date(date))));
                }
                Ok(())
            }

            async fn notify_with(
                &mut self,
                id: i64,
                purpose: Purpose,
                context: &MessageContext,
                templates: &Templates,
            ) -> Result<usize, StoreError> {
                let facts = self.appointment(id).await?;
                let messages = compose(templates, context, &facts.notice, purpose);
                self.enqueue(&messages).await
            }
        }
    };
}

impl_appointments_tx!(sqlx::Sqlite);
impl_appointments_tx!(sqlx::Postgres);

fn check_role(kind: &str, role: &str) -> Result<(), StoreError> {
    if role == "nurse" && DOCTOR_ONLY_KINDS.contains(&kind) {
        return Err(StoreError::Invalid(
            "Créneau : cette visite relève du médecin, pas d'un créneau d'infirmier".into(),
        ));
    }
    Ok(())
}

impl Db {
    pub async fn find_appointment(&self, id: i64) -> Result<AppointmentFacts, StoreError> {
        in_tx!(self, tx => tx.appointment(id).await)
    }

    /// Books a worker into a free slot and writes the convocations, in one transaction.
    pub async fn book_appointment(
        &self,
        actor: &Actor,
        booking: &NewBooking,
        today: NaiveDate,
        context: &MessageContext,
    ) -> Result<i64, StoreError> {
        in_tx!(self, tx => {
            let (professional, centre, role, date, time, duration) = tx.free_slot(booking.slot_id).await?;
            if date < today {
                return Err(StoreError::Invalid("Créneau : il est déjà passé".into()));
            }
            check_role(&booking.kind, &role)?;
            tx.check_worker_free(booking.worker_id, date, None).await?;
            let id: i64 = sqlx::query(
                "INSERT INTO appointments (worker_id, establishment_id, date, time, duration_min, kind, subtype, performer,
                    professional_id, centre_id, status, slot_id, replaces_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'planned', $11, $12) RETURNING id",
            )
            .bind(booking.worker_id)
            .bind(booking.establishment_id)
            .bind(date)
            .bind(&time)
            .bind(duration)
            .bind(&booking.kind)
            .bind(&booking.subtype)
            .bind(&role)
            .bind(professional)
            .bind(centre)
            .bind(booking.slot_id)
            .bind(booking.replaces_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, "Créneau : déjà pris"))?
            .try_get("id")?;
            if let Some(excused) = booking.replaces_id {
                let original = tx.appointment(excused).await?;
                if original.status != "excused" || original.slot_id != Some(booking.slot_id) {
                    return Err(StoreError::Conflict("Remplacement : le rendez-vous remplacé n'est pas excusé sur ce créneau".into()));
                }
            }
            tx.notify(id, Purpose::Convocation, context).await?;
            tx.audit(AuditEntry::new(actor, "book", "appointment", id)
                .after(&serde_json::json!({"slot_id": booking.slot_id, "worker_id": booking.worker_id, "replaces_id": booking.replaces_id})))
                .await?;
            Ok(id)
        })
    }

    /// Moves a planned appointment to another free slot; the worker and the employer are told.
    pub async fn move_appointment(
        &self,
        actor: &Actor,
        id: i64,
        slot_id: i64,
        today: NaiveDate,
        context: &MessageContext,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            let before = tx.appointment(id).await?;
            if before.status != "planned" {
                return Err(StoreError::Conflict("Rendez-vous : seul un rendez-vous prévu peut être déplacé".into()));
            }
            let (professional, centre, role, date, time, duration) = tx.free_slot(slot_id).await?;
            if date < today {
                return Err(StoreError::Invalid("Créneau : il est déjà passé".into()));
            }
            check_role(&before.kind, &role)?;
            tx.check_worker_free(before.worker_id, date, Some(id)).await?;
            sqlx::query(
                "UPDATE appointments SET slot_id = $1, date = $2, time = $3, duration_min = $4, professional_id = $5, centre_id = $6,
                    performer = $7, revision = revision + 1 WHERE id = $8",
            )
            .bind(slot_id)
            .bind(date)
            .bind(&time)
            .bind(duration)
            .bind(professional)
            .bind(centre)
            .bind(&role)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, "Créneau : déjà pris"))?;
            let mut after = tx.appointment(id).await?;
            after.notice.previous = Some((before.notice.date, before.notice.time.clone()));
            let templates = tx.templates().await?;
            tx.enqueue(&compose(&templates, context, &after.notice, Purpose::Moved)).await?;
            tx.audit(AuditEntry::new(actor, "move", "appointment", id)
                .before(&serde_json::json!({"slot_id": before.slot_id}))
                .after(&serde_json::json!({"slot_id": slot_id})))
                .await?;
            Ok(())
        })
    }

    /// Cancels a planned appointment (the slot is free again); the worker and the employer
    /// are told. The obligation stays open for the next plan.
    pub async fn cancel_appointment(
        &self,
        actor: &Actor,
        id: i64,
        context: &MessageContext,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            let before = tx.appointment(id).await?;
            if before.status != "planned" {
                return Err(StoreError::Conflict("Rendez-vous : seul un rendez-vous prévu peut être annulé".into()));
            }
            sqlx::query("UPDATE appointments SET status = 'cancelled', revision = revision + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.notify(id, Purpose::Cancelled, context).await?;
            tx.audit(AuditEntry::new(actor, "cancel", "appointment", id)).await?;
            Ok(())
        })
    }

    /// Records attendance. A no-show tells the employer, adds the no-show fee of the year
    /// (when the board set one) to the establishment's next invoice, and reopens the
    /// obligation; a replacement that came marks the appointment it replaced as
    /// `excused_replaced`.
    pub async fn record_attendance(
        &self,
        actor: &Actor,
        id: i64,
        attendance: Attendance,
        today: NaiveDate,
        context: &MessageContext,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            let before = tx.appointment(id).await?;
            if before.status != "planned" {
                return Err(StoreError::Conflict(format!(
                    "Présence : déjà enregistrée pour ce rendez-vous (statut « {} »)", before.status
                )));
            }
            if attendance != Attendance::Excused && before.notice.date > today {
                return Err(StoreError::Invalid("Présence : le rendez-vous n'a pas encore eu lieu".into()));
            }
            sqlx::query("UPDATE appointments SET status = $1 WHERE id = $2")
                .bind(attendance.code())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            match attendance {
                Attendance::Done => {
                    if let Some(original) = before.replaces_id {
                        sqlx::query("UPDATE appointments SET status = 'excused_replaced' WHERE id = $1 AND status = 'excused'")
                            .bind(original)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                Attendance::Absent => {
                    let year = chrono::Datelike::year(&before.notice.date);
                    let fee: Option<i64> = sqlx::query("SELECT no_show_cents FROM fee_schedules WHERE year = $1")
                        .bind(year)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|r| r.try_get("no_show_cents"))
                        .transpose()?
                        .filter(|cents| *cents > 0);
                    if let Some(cents) = fee.filter(|_| before.notice.establishment_id > 0) {
                        sqlx::query(
                            "INSERT INTO pending_charges (establishment_id, appointment_id, label, amount_cents, created_on)
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(before.notice.establishment_id)
                        .bind(id)
                        .bind(format!("Absence non excusée au rendez-vous du {}", french_date(before.notice.date)))
                        .bind(cents)
                        .bind(today)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let context = MessageContext {
                        no_show_fee: fee.map(|cents| format!("{},{:02} €", cents / 100, cents % 100)),
                        ..context.clone()
                    };
                    tx.notify(id, Purpose::NoShow, &context).await?;
                }
                Attendance::Excused => {}
            }
            tx.refresh_obligations(Some(&[before.worker_id]), today).await?;
            tx.audit(AuditEntry::new(actor, "attendance", "appointment", id)
                .after(&serde_json::json!({"status": attendance.code()})))
                .await?;
            Ok(())
        })
    }

    /// Writes the reminders of the appointments planned on `date` (2 days ahead, run daily);
    /// a reminder already written is not written again. Returns how many were written.
    pub async fn queue_reminders(
        &self,
        date: NaiveDate,
        context: &MessageContext,
    ) -> Result<usize, StoreError> {
        in_tx!(self, tx => {
            let ids: Vec<i64> = sqlx::query("SELECT id FROM appointments WHERE date = $1 AND status = 'planned' ORDER BY id")
                .bind(date)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
            let templates = tx.templates().await?;
            let mut written = 0;
            for id in ids {
                written += tx.notify_with(id, Purpose::Reminder, context, &templates).await?;
            }
            Ok(written)
        })
    }
}
