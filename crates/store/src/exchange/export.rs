//! Every exchange file read back from the database, in the formats it was imported with:
//! exporting then importing into an empty database gives the same data. Rows created in the
//! application without a reference get one from their id (`RDV-12`, `AMT-7`, `PDP-3`).

use domain::company::{CompanyKind, Contract, Sex, StrikeOffReason};
use domain::exchange::{
    AppointmentRow, CentreRow, CompanyRow, FileKind, Line, ProfessionalRow, RetentionRow,
    RiskSheetRow, Rows, SectorRow, SlotRow, TeamRow, WorkerRow, WorkplaceActionRow,
};
use domain::followup::FollowUp;
use domain::org::ProfessionalRole;

use super::sql::{SqlTx, Ty, Value};
use crate::db::{Db, StoreError};
use crate::obligations::split_codes;

/// The author of a fiche or an action: the professional's reference when the author is a
/// user linked to one.
const AUTHOR_REF: &str = "COALESCE((SELECT p.reference FROM users u JOIN professionals p ON p.id = u.professional_id WHERE u.login = x.author), x.author)";

fn text(value: &Value) -> String {
    value.as_text().unwrap_or_default().to_string()
}

fn optional(value: &Value) -> Option<String> {
    value
        .as_text()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn bad(what: &str, value: &Value) -> StoreError {
    StoreError::Io(format!("{what} inattendu en base : {value:?}"))
}

fn date(value: &Value) -> Result<chrono::NaiveDate, StoreError> {
    value.as_date().ok_or_else(|| bad("date", value))
}

fn code<T>(value: &Value, parse: impl Fn(&str) -> Option<T>, what: &str) -> Result<T, StoreError> {
    value
        .as_text()
        .and_then(parse)
        .ok_or_else(|| bad(what, value))
}

fn lines<T>(
    rows: Vec<Vec<Value>>,
    build: impl Fn(&[Value]) -> Result<T, StoreError>,
) -> Result<Vec<Line<T>>, StoreError> {
    rows.iter()
        .map(|r| build(r).map(|row| Line { line: 0, row }))
        .collect()
}

async fn read<T: SqlTx>(tx: &mut T, kind: FileKind) -> Result<Rows, StoreError> {
    use Ty::{Bool, Date, Int, Text};
    Ok(match kind {
        FileKind::Sectors => Rows::Sectors(lines(
            tx.select_rows(&[("code", Text), ("name", Text)], "FROM sectors ORDER BY code")
                .await?,
            |r| {
                Ok(SectorRow {
                    sector: text(&r[0]),
                    name: text(&r[1]),
                })
            },
        )?),
        FileKind::Teams => Rows::Teams(lines(
            tx.select_rows(
                &[("t.code", Text), ("t.name", Text), ("s.code", Text)],
                "FROM teams t JOIN sectors s ON s.id = t.sector_id ORDER BY t.code",
            )
            .await?,
            |r| {
                Ok(TeamRow {
                    team: text(&r[0]),
                    name: text(&r[1]),
                    sector: text(&r[2]),
                })
            },
        )?),
        FileKind::Centres => Rows::Centres(lines(
            tx.select_rows(
                &[
                    ("c.code", Text),
                    ("c.name", Text),
                    ("s.code", Text),
                    ("c.address", Text),
                    ("c.postcode", Text),
                    ("c.city", Text),
                ],
                "FROM centres c JOIN sectors s ON s.id = c.sector_id ORDER BY c.code",
            )
            .await?,
            |r| {
                Ok(CentreRow {
                    centre: text(&r[0]),
                    name: text(&r[1]),
                    sector: text(&r[2]),
                    address: text(&r[3]),
                    postcode: text(&r[4]),
                    city: text(&r[5]),
                })
            },
        )?),
        FileKind::Professionals => Rows::Professionals(lines(
            tx.select_rows(
                &[
                    ("p.reference", Text),
                    ("p.last_name", Text),
                    ("p.first_name", Text),
                    ("p.role", Text),
                    ("t.code", Text),
                    ("p.email", Text),
                ],
                "FROM professionals p LEFT JOIN teams t ON t.id = p.team_id ORDER BY p.reference",
            )
            .await?,
            |r| {
                Ok(ProfessionalRow {
                    professional_ref: text(&r[0]),
                    last_name: text(&r[1]),
                    first_name: text(&r[2]),
                    role: code(&r[3], ProfessionalRole::from_code, "rôle")?,
                    team: optional(&r[4]),
                    email: optional(&r[5]),
                })
            },
        )?),
        FileKind::Companies => Rows::Companies(lines(
            tx.select_rows(
                &[
                    ("e.siret", Text),
                    ("e.name", Text),
                    ("e.naf_code", Text),
                    ("s.code", Text),
                    ("t.code", Text),
                    ("c.kind", Text),
                    ("e.joined_on", Date),
                    ("e.struck_off_on", Date),
                    ("e.strike_off_reason", Text),
                    ("e.address", Text),
                    ("e.postcode", Text),
                    ("e.city", Text),
                    ("e.email", Text),
                    ("e.phone", Text),
                ],
                "FROM establishments e JOIN companies c ON c.id = e.company_id
                 JOIN sectors s ON s.id = e.sector_id LEFT JOIN teams t ON t.id = e.team_id
                 ORDER BY e.siret",
            )
            .await?,
            |r| {
                Ok(CompanyRow {
                    siret: text(&r[0]),
                    name: text(&r[1]),
                    naf_code: optional(&r[2]),
                    sector: text(&r[3]),
                    team: optional(&r[4]),
                    kind: code(&r[5], CompanyKind::from_code, "type d'adhérent")?,
                    joined_on: date(&r[6])?,
                    struck_off_on: r[7].as_date(),
                    strike_off_reason: r[8].as_text().and_then(StrikeOffReason::from_code),
                    address: text(&r[9]),
                    postcode: text(&r[10]),
                    city: text(&r[11]),
                    email: optional(&r[12]),
                    phone: optional(&r[13]),
                })
            },
        )?),
        FileKind::Workers => Rows::Workers(lines(
            tx.select_rows(
                &[
                    ("w.worker_ref", Text),
                    ("w.last_name", Text),
                    ("w.first_name", Text),
                    ("w.sex", Text),
                    ("w.birth_date", Date),
                    ("w.nir", Text),
                    ("w.email", Text),
                    ("w.mobile", Text),
                    ("e.siret", Text),
                    ("m.job_title", Text),
                    ("m.pcs_ese", Text),
                    ("m.hired_on", Date),
                    ("m.left_on", Date),
                    ("m.contract", Text),
                    ("d.year", Int),
                    ("l.category", Text),
                    ("l.exposures", Text),
                ],
                "FROM declaration_lines l JOIN declarations d ON d.id = l.declaration_id
                 JOIN employments m ON m.id = l.employment_id JOIN workers w ON w.id = m.worker_id
                 JOIN establishments e ON e.id = d.establishment_id
                 WHERE d.status = 'submitted' AND d.version = (SELECT MAX(d2.version) FROM declarations d2
                   WHERE d2.establishment_id = d.establishment_id AND d2.year = d.year AND d2.status = 'submitted')
                 ORDER BY w.worker_ref, e.siret, m.hired_on, d.year",
            )
            .await?,
            |r| {
                let mut exposures = split_codes(r[16].as_text().unwrap_or_default());
                exposures.sort_unstable();
                exposures.dedup();
                Ok(WorkerRow {
                    worker_ref: text(&r[0]),
                    last_name: text(&r[1]),
                    first_name: text(&r[2]),
                    sex: code(&r[3], Sex::from_code, "sexe")?,
                    birth_date: date(&r[4])?,
                    nir: optional(&r[5]),
                    email: optional(&r[6]),
                    mobile: optional(&r[7]),
                    siret: text(&r[8]),
                    job_title: text(&r[9]),
                    pcs_ese: optional(&r[10]),
                    hired_on: date(&r[11])?,
                    left_on: r[12].as_date(),
                    contract: code(&r[13], Contract::from_code, "contrat")?,
                    declaration_year: r[14].as_int().unwrap_or_default() as i32,
                    category: code(&r[15], FollowUp::from_code, "catégorie")?,
                    exposures,
                })
            },
        )?),
        FileKind::Slots => Rows::Slots(lines(
            tx.select_rows(
                &[
                    ("p.reference", Text),
                    ("c.code", Text),
                    ("x.date", Date),
                    ("x.time", Text),
                    ("x.duration_min", Int),
                ],
                "FROM slots x JOIN professionals p ON p.id = x.professional_id
                 JOIN centres c ON c.id = x.centre_id ORDER BY p.reference, x.date, x.time",
            )
            .await?,
            |r| {
                Ok(SlotRow {
                    professional_ref: text(&r[0]),
                    centre: text(&r[1]),
                    date: date(&r[2])?,
                    time: text(&r[3]),
                    duration_min: r[4].as_int().unwrap_or_default() as i32,
                })
            },
        )?),
        FileKind::Appointments => Rows::Appointments(lines(
            tx.select_rows(
                &[
                    ("COALESCE(a.appointment_ref, 'RDV-' || a.id)", Text),
                    ("w.worker_ref", Text),
                    ("e.siret", Text),
                    ("a.date", Date),
                    ("a.time", Text),
                    ("a.duration_min", Int),
                    ("a.kind", Text),
                    ("a.subtype", Text),
                    ("a.performer", Text),
                    ("p.reference", Text),
                    ("c.code", Text),
                    ("a.status", Text),
                    ("a.teleconsultation", Bool),
                    ("a.experimental", Bool),
                    ("a.outcome", Text),
                ],
                "FROM appointments a JOIN workers w ON w.id = a.worker_id
                 LEFT JOIN establishments e ON e.id = a.establishment_id
                 LEFT JOIN professionals p ON p.id = a.professional_id
                 LEFT JOIN centres c ON c.id = a.centre_id ORDER BY a.date, a.id",
            )
            .await?,
            |r| {
                Ok(AppointmentRow {
                    appointment_ref: text(&r[0]),
                    worker_ref: text(&r[1]),
                    siret: optional(&r[2]),
                    date: date(&r[3])?,
                    time: optional(&r[4]),
                    duration_min: r[5].as_int().unwrap_or_default() as i32,
                    kind: text(&r[6]),
                    subtype: text(&r[7]),
                    performer: text(&r[8]),
                    professional_ref: optional(&r[9]),
                    centre: optional(&r[10]),
                    status: text(&r[11]),
                    teleconsultation: r[12] == Value::Bool(true),
                    experimental: r[13] == Value::Bool(true),
                    outcome: text(&r[14]),
                })
            },
        )?),
        FileKind::RiskSheets => Rows::RiskSheets(lines(
            tx.select_rows(
                &[
                    ("e.siret", Text),
                    ("x.started_on", Date),
                    ("x.finalised_on", Date),
                    ("x.delivered_on", Date),
                    (AUTHOR_REF, Text),
                ],
                "FROM risk_sheets x JOIN establishments e ON e.id = x.establishment_id
                 ORDER BY e.siret, x.version",
            )
            .await?,
            |r| {
                Ok(RiskSheetRow {
                    siret: text(&r[0]),
                    started_on: date(&r[1])?,
                    finalised_on: r[2].as_date(),
                    delivered_on: r[3].as_date(),
                    author_ref: text(&r[4]),
                })
            },
        )?),
        FileKind::WorkplaceActions => Rows::WorkplaceActions(lines(
            tx.select_rows(
                &[
                    ("COALESCE(x.action_ref, 'AMT-' || x.id)", Text),
                    ("e.siret", Text),
                    ("x.date", Date),
                    ("x.type", Text),
                    ("w.worker_ref", Text),
                    ("x.workers", Int),
                    (AUTHOR_REF, Text),
                ],
                "FROM workplace_actions x JOIN establishments e ON e.id = x.establishment_id
                 LEFT JOIN workers w ON w.id = x.worker_id ORDER BY x.date, x.id",
            )
            .await?,
            |r| {
                Ok(WorkplaceActionRow {
                    action_ref: text(&r[0]),
                    siret: text(&r[1]),
                    date: date(&r[2])?,
                    action_type: text(&r[3]),
                    worker_ref: optional(&r[4]),
                    workers: r[5].as_int().map(|n| n as i32),
                    author_ref: text(&r[6]),
                })
            },
        )?),
        FileKind::Retention => Rows::Retention(lines(
            tx.select_rows(
                &[
                    ("x.item_ref", Text),
                    ("w.worker_ref", Text),
                    ("x.date", Date),
                    ("x.item", Text),
                    ("x.partner", Text),
                ],
                "FROM (SELECT COALESCE(i.item_ref, 'PDP-' || i.id) AS item_ref, c.worker_id, i.date, i.item, i.partner, 1 AS rank
                         FROM pdp_items i JOIN pdp_cases c ON c.id = i.case_id
                       UNION ALL SELECT COALESCE(opened_ref, 'PDP-DOSSIER-' || id || '-O'), worker_id, opened_on, 'case_opened', '', 0 FROM pdp_cases
                       UNION ALL SELECT COALESCE(closed_ref, 'PDP-DOSSIER-' || id || '-F'), worker_id, closed_on, 'case_closed', '', 2 FROM pdp_cases WHERE closed_on IS NOT NULL) x
                 JOIN workers w ON w.id = x.worker_id ORDER BY x.date, x.rank, x.item_ref",
            )
            .await?,
            |r| {
                Ok(RetentionRow {
                    item_ref: text(&r[0]),
                    worker_ref: text(&r[1]),
                    date: date(&r[2])?,
                    item: text(&r[3]),
                    partner: optional(&r[4]),
                })
            },
        )?),
    })
}

impl Db {
    /// Every row of one exchange file, read in one snapshot.
    pub async fn export_rows(&self, kind: FileKind) -> Result<Rows, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                read(&mut tx, kind).await
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                read(&mut tx, kind).await
            }
        }
    }
}
