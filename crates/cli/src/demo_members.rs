//! Demonstration members: establishments in the size bands of DOMAIN.md, their workers with
//! the category mix of the service, declarations for the last three years, fee schedules,
//! invoices and payments. Deterministic for a given seed.

use chrono::{Datelike, NaiveDate};
use domain::company::{CompanyKind, Contract, Sex};
use domain::followup::FollowUp;
use domain::identifiers::validate_siret;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;
use store::{
    Actor, BulkDeclaration, Db, InvoiceQuery, NewEmployment, NewMember, NewWorker, StoreError,
};
use web::services::declarations::{category_date, category_for};

use crate::demo::{DEMO_SIRET, Scale};

/// Members per size band (<20, 20–49, 50–299, ≥300) and workers in all.
fn bands(scale: Scale) -> ([usize; 4], usize, [usize; 3]) {
    match scale {
        // SIS, SIR, SIA workers of DOMAIN.md.
        Scale::Service => ([6420, 587, 317, 23], 91_650, [63_631, 18_648, 9_371]),
        Scale::Small => ([30, 6, 3, 1], 900, [625, 183, 92]),
    }
}

const NAMES: [&str; 20] = [
    "Boulangerie",
    "Garage",
    "Transports",
    "Menuiserie",
    "Pharmacie",
    "Hôtel",
    "Restaurant",
    "Plomberie",
    "Imprimerie",
    "Maçonnerie",
    "Clinique",
    "Supermarché",
    "Électricité",
    "Coiffure",
    "Nettoyage",
    "Logistique",
    "Fonderie",
    "Laboratoire",
    "Agence",
    "Métallerie",
];
const TOWNS: [(&str, &str, &str); 12] = [
    ("Metz", "57000", "EST"),
    ("Thionville", "57100", "EST"),
    ("Forbach", "57600", "EST"),
    ("Lille", "59000", "NORD"),
    ("Roubaix", "59100", "NORD"),
    ("Douai", "59500", "NORD"),
    ("Nantes", "44000", "OUEST"),
    ("Rennes", "35000", "OUEST"),
    ("Angers", "49000", "OUEST"),
    ("Toulouse", "31000", "SUD"),
    ("Montpellier", "34000", "SUD"),
    ("Nîmes", "30000", "SUD"),
];
const NAF: [&str; 16] = [
    "10.71C", "45.20A", "49.41A", "16.23Z", "47.73Z", "55.10Z", "56.10A", "43.22A", "18.12Z",
    "43.99C", "86.10Z", "47.11F", "43.21A", "96.02A", "81.21Z", "52.29B",
];
const LAST: [&str; 20] = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier",
];
const FIRST_F: [&str; 10] = [
    "Anne", "Camille", "Élise", "Inès", "Karine", "Léa", "Mathilde", "Océane", "Rose", "Zoé",
];
const FIRST_M: [&str; 10] = [
    "Bruno",
    "David",
    "François",
    "Hugo",
    "Julien",
    "Laurent",
    "Nicolas",
    "Pierre",
    "Quentin",
    "Sébastien",
];
const SIR_CODES: [&str; 6] = [
    "cmr",
    "asbestos",
    "manual_handling_55kg",
    "ionizing_radiation_b",
    "lead",
    "scaffolding",
];
const SIA_CODES: [&str; 4] = ["night_worker", "disabled", "bio_agents_2", "pregnant"];

/// A valid SIRET from a counter (Luhn key on the SIREN and on the whole number).
fn siret_for(n: usize) -> String {
    let base = 300_000_000 + n * 10;
    let siren = (0..10)
        .map(|k| format!("{}", base + k))
        .find(|s| domain::identifiers::validate_siren(s).is_ok())
        .expect("a key digit");
    (0..100)
        .map(|nic| format!("{siren}{:05}", 10 + nic))
        .find(|s| validate_siret(s).is_ok())
        .expect("a valid NIC")
}

fn random_date(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1);
    from + chrono::Duration::days(rng.random_range(0..span))
}

pub async fn generate_members(
    db: &Db,
    scale: Scale,
    rng: &mut ChaCha8Rng,
    teams: &[String],
) -> Result<(String, Vec<DemoWorker>, Vec<DemoMember>), StoreError> {
    let actor = Actor("demo".into());
    if db.find_establishment_by_siret(DEMO_SIRET).await?.is_some() {
        return Ok(("adhérents déjà générés".into(), Vec::new(), Vec::new()));
    }
    let today = web::services::today();
    let year = today.year();
    let (band_counts, total_workers, category_counts) = bands(scale);
    // Workforce of each member: drawn in its band, the largest band taking the remainder.
    let mut sizes: Vec<usize> = Vec::new();
    for (band, count) in band_counts.iter().enumerate().take(3) {
        let range = [(1, 10), (20, 49), (50, 120)][band];
        sizes.extend((0..*count).map(|_| rng.random_range(range.0..=range.1)));
    }
    let rest = total_workers.saturating_sub(sizes.iter().sum());
    let big = band_counts[3].max(1);
    sizes.extend((0..big).map(|i| (rest / big + usize::from(i < rest % big)).max(300)));
    sizes.shuffle(rng);

    let mut members = Vec::with_capacity(sizes.len());
    for (i, _) in sizes.iter().enumerate() {
        let (city, postcode, sector) = *TOWNS.choose(rng).expect("towns");
        let name = format!(
            "{} {} {}",
            NAMES.choose(rng).expect("names"),
            LAST.choose(rng).expect("names"),
            i + 1
        );
        let kind = match rng.random_range(0..100) {
            0 => CompanyKind::TempAgency,
            1 => CompanyKind::Household,
            2 => CompanyKind::SelfEmployed,
            _ => CompanyKind::Company,
        };
        let team = teams
            .iter()
            .filter(|t| t.starts_with(sector))
            .collect::<Vec<_>>()
            .choose(rng)
            .map(|t| t.to_string());
        let siret = if i == 0 {
            DEMO_SIRET.to_string()
        } else {
            siret_for(i)
        };
        members.push(NewMember {
            company_name: if i == 0 {
                "Boulangerie Martin".into()
            } else {
                name.clone()
            },
            name: if i == 0 {
                "Boulangerie Martin".into()
            } else {
                name
            },
            siret,
            naf_code: Some(NAF.choose(rng).expect("naf").to_string()),
            kind,
            sector: sector.to_string(),
            team,
            joined_on: random_date(
                rng,
                NaiveDate::from_ymd_opt(1990, 1, 1).expect("date"),
                NaiveDate::from_ymd_opt(year - 3, 12, 31).expect("date"),
            ),
            address: format!("{} rue de la République", rng.random_range(1..200)),
            postcode: postcode.to_string(),
            city: city.to_string(),
            email: Some(format!("contact{i}@entreprise.example")),
            phone: Some(format!(
                "03 87 {:02} {:02} {:02}",
                rng.random_range(0..100),
                rng.random_range(0..100),
                rng.random_range(0..100)
            )),
        });
    }
    let establishment_ids = db.bulk_insert_members(&actor, &members).await?;

    // Categories with the exact counts of the service, spread at random.
    let mut categories: Vec<FollowUp> = Vec::with_capacity(total_workers);
    for (category, count) in [FollowUp::Simple, FollowUp::Reinforced, FollowUp::Adapted]
        .into_iter()
        .zip(category_counts)
    {
        categories.extend(std::iter::repeat_n(category, count));
    }
    categories.shuffle(rng);
    let mut hires = Vec::with_capacity(total_workers);
    let mut exposures = Vec::with_capacity(total_workers);
    let mut owner = Vec::with_capacity(total_workers);
    let mut n = 0;
    for (member, size) in sizes.iter().enumerate() {
        for _ in 0..*size {
            let category = categories.get(n).copied().unwrap_or(FollowUp::Simple);
            let female = rng.random_bool(0.45);
            let birth = random_date(
                rng,
                NaiveDate::from_ymd_opt(1961, 1, 1).expect("date"),
                NaiveDate::from_ymd_opt(2003, 12, 31).expect("date"),
            );
            let hired = random_date(
                rng,
                (birth + chrono::Duration::days(18 * 366))
                    .max(NaiveDate::from_ymd_opt(1995, 1, 1).expect("date")),
                today,
            );
            let codes: Vec<String> = match category {
                FollowUp::Reinforced => vec![SIR_CODES.choose(rng).expect("codes").to_string()],
                FollowUp::Adapted => vec![SIA_CODES.choose(rng).expect("codes").to_string()],
                FollowUp::Simple => Vec::new(),
            };
            let mut token = [0u8; 6];
            rng.fill_bytes(&mut token);
            hires.push((
                NewWorker {
                    worker_ref: format!("D{n:07}"),
                    last_name: LAST.choose(rng).expect("names").to_string(),
                    first_name: if female {
                        FIRST_F.choose(rng)
                    } else {
                        FIRST_M.choose(rng)
                    }
                    .expect("names")
                    .to_string(),
                    sex: if female { Sex::Female } else { Sex::Male },
                    birth_date: birth,
                    nir: None,
                    email: None,
                    mobile: None,
                },
                NewEmployment {
                    establishment_id: establishment_ids[member],
                    job_title: "Salarié".into(),
                    pcs_ese: None,
                    contract: match rng.random_range(0..20) {
                        0 => Contract::Apprentice,
                        1 | 2 => Contract::Cdd,
                        3 if members[member].kind == CompanyKind::TempAgency => Contract::Interim,
                        _ => Contract::Cdi,
                    },
                    hired_on: hired,
                    left_on: None,
                },
            ));
            exposures.push(codes);
            owner.push(member);
            n += 1;
        }
    }
    let ids = db.bulk_insert_hires(&actor, &hires).await?;
    let employment_ids: Vec<i64> = ids.iter().map(|(_, employment)| *employment).collect();
    let workers = hires
        .iter()
        .zip(&ids)
        .zip(&exposures)
        .map(
            |(((worker, employment), (worker_id, employment_id)), codes)| DemoWorker {
                worker_id: *worker_id,
                employment_id: *employment_id,
                establishment_id: employment.establishment_id,
                birth_date: worker.birth_date,
                hired_on: employment.hired_on,
                exposures: codes.clone(),
            },
        )
        .collect();

    // Declarations for the last three years, each line's category computed by the rules.
    for declared_year in (year - 2)..=year {
        let day = category_date(declared_year, today);
        let end = NaiveDate::from_ymd_opt(declared_year, 12, 31).expect("date");
        let mut by_member: Vec<Vec<(i64, Vec<String>, FollowUp)>> = vec![Vec::new(); members.len()];
        for (i, (worker, employment)) in hires.iter().enumerate() {
            if employment.hired_on <= end {
                by_member[owner[i]].push((
                    employment_ids[i],
                    exposures[i].clone(),
                    category_for(&exposures[i], worker.birth_date, day),
                ));
            }
        }
        let declarations: Vec<BulkDeclaration> = by_member
            .into_iter()
            .enumerate()
            .filter(|(_, lines)| !lines.is_empty())
            .map(|(member, lines)| (establishment_ids[member], declared_year, lines))
            .collect();
        let submitted_on = NaiveDate::from_ymd_opt(declared_year, 1, 31)
            .expect("date")
            .min(today);
        db.bulk_insert_declarations(&actor, &declarations, submitted_on)
            .await?;
    }
    let summary = format!(
        "{} établissements adhérents, {} salariés, déclarations {}–{year}",
        members.len(),
        hires.len(),
        year - 2
    );
    let demo_members = members
        .iter()
        .zip(&establishment_ids)
        .map(|(m, id)| DemoMember {
            establishment_id: *id,
            joined_on: m.joined_on,
            team: m.team.clone(),
            demo_employer: m.siret == DEMO_SIRET,
        })
        .collect();
    Ok((summary, workers, demo_members))
}

/// A generated member, for the prevention history that follows.
pub struct DemoMember {
    pub establishment_id: i64,
    pub joined_on: NaiveDate,
    pub team: Option<String>,
    /// The demo employer's establishment (its fiche is left for the visitor to write).
    pub demo_employer: bool,
}

/// A generated worker, for the history that follows.
pub struct DemoWorker {
    pub worker_id: i64,
    pub employment_id: i64,
    pub establishment_id: i64,
    pub birth_date: NaiveDate,
    pub hired_on: NaiveDate,
    pub exposures: Vec<String>,
}

/// Fee schedules, invoices and payments of the last three years.
pub async fn generate_billing(
    state: &web::AppState,
    rng: &mut ChaCha8Rng,
) -> Result<String, web::error::AppError> {
    let actor = Actor("demo".into());
    let year = web::services::today().year();
    let mut issued = 0;
    let mut paid = 0;
    for billed_year in (year - 2)..=year {
        if state.db().find_fee_schedule(billed_year).await?.is_none() {
            let price = 95 + (billed_year - year + 2);
            let form = web::services::invoicing::ScheduleForm {
                year: billed_year.to_string(),
                per_worker: format!("{price},50"),
                minimum: "150".into(),
                self_employed: "120".into(),
                ..Default::default()
            };
            state
                .db()
                .set_fee_schedule(&actor, &form.to_schedule()?)
                .await?;
        }
        let issued_on = NaiveDate::from_ymd_opt(billed_year, 1, 15)
            .expect("date")
            .min(web::services::today());
        issued +=
            web::services::invoicing::issue_yearly_invoices(state, &actor, billed_year, issued_on)
                .await?
                .written;
        let invoices = state
            .db()
            .list_invoices(&InvoiceQuery {
                year: Some(billed_year),
                limit: 100_000,
                ..Default::default()
            })
            .await?;
        let share = if billed_year == year { 0.8 } else { 0.98 };
        let mut payments: Vec<(i64, NaiveDate, i64, String)> = Vec::new();
        for invoice in invoices.iter().filter(|i| i.paid_cents == 0) {
            if rng.random_bool(share) {
                let paid_on = (invoice.issued_on + chrono::Duration::days(rng.random_range(3..40)))
                    .min(web::services::today());
                payments.push((
                    invoice.id,
                    paid_on,
                    invoice.total_cents,
                    format!("VIR-{}", invoice.reference()),
                ));
            }
        }
        paid += payments.len();
        state.db().bulk_insert_payments(&actor, &payments).await?;
    }
    Ok(format!("{issued} factures émises, {paid} paiements"))
}
