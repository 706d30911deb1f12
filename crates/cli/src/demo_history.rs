//! Demonstration history: five years of appointments done (most workers up to date, some
//! overdue, some never seen), a few no-shows, work stoppages and visit requests; then the
//! obligations of everyone are computed. Deterministic for a given seed.

use chrono::{Duration, NaiveDate};
use domain::followup::FollowUp;
use domain::rules::dates::{add_months, add_years, year_of};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use store::{Actor, Db, History, PastVisit, StoreError, VisitRequest, WorkStoppage};
use web::services::declarations::category_for;

use crate::demo_members::DemoWorker;

fn between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1);
    from + Duration::days(rng.random_range(0..span))
}

struct Generator<'a> {
    rng: &'a mut ChaCha8Rng,
    today: NaiveDate,
    history: History,
}

impl Generator<'_> {
    fn visit(&mut self, w: &DemoWorker, kind: &str, date: NaiveDate) {
        let performer = if kind.starts_with("EMA") || self.rng.random_bool(0.3) {
            "doctor"
        } else {
            "nurse"
        };
        // One convocation in twenty-five was missed before the visit took place.
        if self.rng.random_bool(0.04) {
            self.push(w, kind, date - Duration::days(14), performer, "absent");
        }
        self.push(w, kind, date, performer, "done");
    }

    fn push(&mut self, w: &DemoWorker, kind: &str, date: NaiveDate, performer: &str, status: &str) {
        let n = self.history.visits.len();
        self.history.visits.push(PastVisit {
            appointment_ref: Some(format!("H{n:08}")),
            worker_id: w.worker_id,
            establishment_id: Some(w.establishment_id),
            date,
            kind: kind.into(),
            subtype: String::new(),
            performer: performer.into(),
            status: status.into(),
        });
    }

    /// The visits of the worker's track over the last five years.
    fn track(&mut self, w: &DemoWorker) {
        let today = self.today;
        let category = category_for(&w.exposures, w.birth_date, today);
        let up_to_date = self.rng.random_bool(0.75);
        if category == FollowUp::Reinforced {
            if !up_to_date {
                return;
            }
            let from = add_years(today, -4).max(w.hired_on - Duration::days(30));
            let exam = between(self.rng, from, today - Duration::days(1));
            let kind = if exam <= w.hired_on + Duration::days(30) {
                "EMA_HIRE"
            } else {
                "EMA_PERIODIC"
            };
            self.visit(w, kind, exam);
            let intermediate = add_years(exam, 2) - Duration::days(self.rng.random_range(0..90));
            if intermediate < today && self.rng.random_bool(0.7) {
                self.visit(w, "SIR_INTERMEDIATE", intermediate);
            }
            return;
        }
        let frequent = w
            .exposures
            .iter()
            .any(|e| matches!(e.as_str(), "night_worker" | "disabled"));
        let period = if frequent { 3 } else { 5 };
        let recent_hire = w.hired_on > add_years(today, -period);
        if recent_hire && (up_to_date || self.rng.random_bool(0.5)) {
            let initial = add_months(w.hired_on, 1) + Duration::days(self.rng.random_range(0..45));
            if initial < today {
                self.visit(w, "VIP_INITIAL", initial);
            }
        } else if up_to_date {
            let last = between(
                self.rng,
                add_years(today, -period),
                today - Duration::days(1),
            );
            self.visit(w, "VIP_PERIODIC", last);
        }
        let year45 = year_of(w.birth_date) + 45;
        if (2022..=year_of(today)).contains(&year45) && self.rng.random_bool(0.4) {
            let date = between(
                self.rng,
                NaiveDate::from_ymd_opt(year45, 1, 1).expect("date"),
                NaiveDate::from_ymd_opt(year45, 12, 31)
                    .expect("date")
                    .min(today),
            );
            if date >= w.hired_on {
                self.visit(w, "MID_CAREER", date);
            }
        }
    }

    fn stoppage_or_request(&mut self, w: &DemoWorker) {
        let today = self.today;
        let roll = self.rng.random_range(0..1000);
        if roll < 30 {
            let start = between(
                self.rng,
                today - Duration::days(240),
                today - Duration::days(40),
            );
            let length = self.rng.random_range(20..200);
            let returned = start + Duration::days(length);
            let reason = match roll % 10 {
                0..=6 => "sickness",
                7 | 8 => "work_accident",
                _ => "occupational_disease",
            };
            self.history.stoppages.push((
                w.worker_id,
                WorkStoppage {
                    employment_id: w.employment_id,
                    reason: reason.into(),
                    start_on: start,
                    end_on: (returned >= today).then_some(returned),
                    returned_on: (returned < today).then_some(returned),
                },
            ));
        } else if roll < 42 {
            let (kind, requester) = match roll % 4 {
                0 => ("PRE_RETURN", "treating_doctor"),
                1 => ("ON_DEMAND", "employer"),
                _ => ("ON_DEMAND", "worker"),
            };
            self.history.requests.push((
                w.worker_id,
                VisitRequest {
                    employment_id: w.employment_id,
                    kind: kind.into(),
                    requester: requester.into(),
                    asked_on: today - Duration::days(self.rng.random_range(0..30)),
                    recorded_by: String::new(),
                },
            ));
        }
    }
}

pub async fn generate_history(
    db: &Db,
    rng: &mut ChaCha8Rng,
    workers: &[DemoWorker],
) -> Result<String, StoreError> {
    if workers.is_empty() {
        return Ok("historique déjà généré".into());
    }
    let today = store::today();
    let mut generator = Generator {
        rng,
        today,
        history: History::default(),
    };
    for w in workers {
        generator.track(w);
        generator.stoppage_or_request(w);
    }
    let history = generator.history;
    db.insert_history(&Actor("demo".into()), &history).await?;
    tracing::debug!(appointments = history.visits.len(), "demo history written");
    let report = db.refresh_all_obligations(today).await?;
    Ok(format!(
        "{} rendez-vous sur 5 ans, {} arrêts de travail, {} demandes de visite, {} obligations calculées",
        history.visits.len(),
        history.stoppages.len(),
        history.requests.len(),
        report.obligations
    ))
}
