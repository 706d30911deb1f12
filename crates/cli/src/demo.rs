//! Demonstration data: a plausible service (sectors EST/NORD/OUEST/SUD, 12 centres, teams,
//! professionals) and one account per role. Deterministic for a given seed; re-running it
//! updates rather than duplicates.

use clap::ValueEnum;
use domain::Role;
use domain::org::ProfessionalRole;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::{Actor, NewCentre, NewProfessional, NewTeam, NewUser};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Scale {
    /// A few teams: for trying the application.
    Small,
    /// The size of one real service (DOMAIN.md): 14 doctors, 26 nurses, 40 assistants…
    Service,
}

/// The password of every demonstration account.
pub const DEMO_PASSWORD: &str = "demo-spsti-2026";
/// The establishment of the demonstration employer.
pub const DEMO_SIRET: &str = "73282932000074";

const SECTORS: [(&str, &str); 4] = [
    ("EST", "Secteur Est"),
    ("NORD", "Secteur Nord"),
    ("OUEST", "Secteur Ouest"),
    ("SUD", "Secteur Sud"),
];

const CENTRES: [(&str, &str, &str, &str, &str); 12] = [
    (
        "EST",
        "Centre de Metz",
        "12 rue Serpenoise",
        "57000",
        "Metz",
    ),
    (
        "EST",
        "Centre de Thionville",
        "3 place de la Liberté",
        "57100",
        "Thionville",
    ),
    (
        "EST",
        "Centre de Forbach",
        "8 avenue Saint-Rémy",
        "57600",
        "Forbach",
    ),
    (
        "NORD",
        "Centre de Lille",
        "45 rue Nationale",
        "59000",
        "Lille",
    ),
    (
        "NORD",
        "Centre de Roubaix",
        "2 boulevard Gambetta",
        "59100",
        "Roubaix",
    ),
    (
        "NORD",
        "Centre de Douai",
        "17 rue de Bellain",
        "59500",
        "Douai",
    ),
    (
        "OUEST",
        "Centre de Nantes",
        "6 quai de la Fosse",
        "44000",
        "Nantes",
    ),
    (
        "OUEST",
        "Centre de Rennes",
        "21 rue d'Isly",
        "35000",
        "Rennes",
    ),
    (
        "OUEST",
        "Centre d'Angers",
        "9 boulevard Foch",
        "49000",
        "Angers",
    ),
    (
        "SUD",
        "Centre de Toulouse",
        "30 allées Jean-Jaurès",
        "31000",
        "Toulouse",
    ),
    (
        "SUD",
        "Centre de Montpellier",
        "14 rue Foch",
        "34000",
        "Montpellier",
    ),
    (
        "SUD",
        "Centre de Nîmes",
        "5 boulevard Victor-Hugo",
        "30000",
        "Nîmes",
    ),
];

const FIRST_NAMES: [&str; 24] = [
    "Anne",
    "Bruno",
    "Camille",
    "David",
    "Élise",
    "François",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Julien",
    "Karine",
    "Laurent",
    "Mathilde",
    "Nicolas",
    "Océane",
    "Pierre",
    "Quentin",
    "Rose",
    "Sébastien",
    "Thérèse",
    "Ulysse",
    "Valérie",
    "William",
    "Zoé",
];
const LAST_NAMES: [&str; 24] = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
];

struct Staffing {
    teams: usize,
    doctors: usize,
    nurses: usize,
    assistants: usize,
    preventers: usize,
    advisers: usize,
}

fn staffing(scale: Scale) -> Staffing {
    match scale {
        Scale::Small => Staffing {
            teams: 4,
            doctors: 4,
            nurses: 6,
            assistants: 6,
            preventers: 4,
            advisers: 2,
        },
        Scale::Service => Staffing {
            teams: 14,
            doctors: 14,
            nurses: 26,
            assistants: 40,
            preventers: 18,
            advisers: 10,
        },
    }
}

/// The demonstration accounts: login, role, display name.
const ACCOUNTS: [(&str, Role, &str); 7] = [
    ("admin", Role::Admin, "Administrateur"),
    ("direction", Role::Director, "Directrice du service"),
    ("medecin", Role::Doctor, ""),
    ("infirmier", Role::Nurse, ""),
    ("assistant", Role::Assistant, ""),
    ("preventeur", Role::Preventer, ""),
    (
        "employeur",
        Role::Employer,
        "Boulangerie Martin (employeur)",
    ),
];

pub fn logins_text() -> String {
    let mut text = format!("Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :\n");
    for (login, role, _) in ACCOUNTS {
        let note = match role {
            Role::Doctor | Role::Nurse => {
                " — double authentification à activer à la première connexion"
            }
            Role::Employer => " — ou e-mail employeur@example.org avec le SIRET 73282932000074",
            _ => "",
        };
        text.push_str(&format!("  {login:<11} {}{note}\n", role.label()));
    }
    text
}

pub async fn generate(
    state: &web::AppState,
    scale: Scale,
    seed: u64,
) -> Result<String, web::error::AppError> {
    let db = state.db();
    let actor = Actor("demo".into());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for (code, name) in SECTORS {
        db.upsert_sector(&actor, code, name).await?;
    }
    for (i, (sector, name, address, postcode, city)) in CENTRES.iter().enumerate() {
        db.upsert_centre(
            &actor,
            &NewCentre {
                code: format!("C{:02}", i + 1),
                name: name.to_string(),
                sector: sector.to_string(),
                address: address.to_string(),
                postcode: postcode.to_string(),
                city: city.to_string(),
            },
        )
        .await?;
    }
    let staff = staffing(scale);
    let team_codes: Vec<String> = (0..staff.teams)
        .map(|i| format!("{}-{}", SECTORS[i % 4].0, i / 4 + 1))
        .collect();
    for (i, code) in team_codes.iter().enumerate() {
        db.upsert_team(
            &actor,
            &NewTeam {
                code: code.clone(),
                name: format!(
                    "Équipe santé travail {} {}",
                    SECTORS[i % 4].1.trim_start_matches("Secteur "),
                    i / 4 + 1
                ),
                sector: SECTORS[i % 4].0.to_string(),
            },
        )
        .await?;
    }
    let mut first_of_role = std::collections::HashMap::new();
    let groups = [
        (ProfessionalRole::Doctor, staff.doctors, "MED"),
        (ProfessionalRole::Nurse, staff.nurses, "IDE"),
        (ProfessionalRole::Assistant, staff.assistants, "AST"),
        (ProfessionalRole::Preventer, staff.preventers, "PRV"),
        (ProfessionalRole::Adviser, staff.advisers, "CPR"),
    ];
    let mut count = 0;
    for (role, n, prefix) in groups {
        for i in 0..n {
            let first = *FIRST_NAMES.choose(&mut rng).expect("names");
            let last = *LAST_NAMES.choose(&mut rng).expect("names");
            let reference = format!("{prefix}{:03}", i + 1);
            let id = db
                .upsert_professional(
                    &actor,
                    &NewProfessional {
                        reference: reference.clone(),
                        last_name: last.to_string(),
                        first_name: first.to_string(),
                        role,
                        team: Some(team_codes[i % team_codes.len()].clone()),
                        email: Some(format!(
                            "{}.{}{}@spsti.example",
                            ascii(first),
                            ascii(last),
                            rng.random_range(1..99)
                        )),
                    },
                )
                .await?;
            first_of_role
                .entry(role)
                .or_insert((id, format!("{first} {last}")));
            count += 1;
        }
    }
    let password_hash = web::secrets::hash_password(DEMO_PASSWORD);
    for (login, role, name) in ACCOUNTS {
        if db.find_user_by_login(login).await?.is_some() {
            continue;
        }
        let professional = match role {
            Role::Doctor => first_of_role.get(&ProfessionalRole::Doctor),
            Role::Nurse => first_of_role.get(&ProfessionalRole::Nurse),
            Role::Assistant => first_of_role.get(&ProfessionalRole::Assistant),
            Role::Preventer => first_of_role.get(&ProfessionalRole::Preventer),
            _ => None,
        };
        let display_name = match professional {
            Some((_, name)) => name.clone(),
            None => name.to_string(),
        };
        db.insert_user(
            &actor,
            &NewUser {
                login: login.to_string(),
                display_name,
                email: Some(if role == Role::Employer {
                    "employeur@example.org".into()
                } else {
                    format!("{login}@spsti.example")
                }),
                role,
                siret: (role == Role::Employer).then(|| DEMO_SIRET.to_string()),
                professional_id: professional.map(|(id, _)| *id),
                password_hash: Some(password_hash.clone()),
            },
        )
        .await?;
    }
    let started = std::time::Instant::now();
    let (members, workers, member_list) =
        crate::demo_members::generate_members(db, scale, &mut rng, &team_codes).await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo members"
    );
    let billing = crate::demo_members::generate_billing(state, &mut rng).await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo billing"
    );
    let history = crate::demo_history::generate_history(db, &mut rng, &workers).await?;
    let prevention =
        crate::demo_prevention::generate_prevention(db, &mut rng, &member_list, &workers).await?;
    let agendas = crate::demo_agendas::generate_agendas(db).await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo history"
    );
    Ok(format!(
        "données de démonstration : {} secteurs, {} centres, {} équipes, {count} professionnels, {} comptes ; {members} ; {billing} ; {history} ; {prevention} ; {agendas}",
        SECTORS.len(),
        CENTRES.len(),
        team_codes.len(),
        ACCOUNTS.len()
    ))
}

/// Lower-case ASCII form of a name, for e-mail addresses.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'ï' | 'î' => 'i',
            'ç' => 'c',
            'à' | 'â' => 'a',
            'ô' => 'o',
            'ù' | 'û' => 'u',
            other => other.to_ascii_lowercase(),
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}
