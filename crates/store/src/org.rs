//! Sectors, centres, teams and professionals. Upserts by natural key (code, reference), so
//! that the demo and the imports can be re-run.

use domain::ids::{CentreId, ProfessionalId, SectorId, TeamId};
use domain::org::{Centre, Professional, ProfessionalRole, Sector, Team};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, with_pool};

#[derive(Debug, Clone, Serialize)]
pub struct NewCentre {
    pub code: String,
    pub name: String,
    pub sector: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewTeam {
    pub code: String,
    pub name: String,
    pub sector: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewProfessional {
    pub reference: String,
    pub last_name: String,
    pub first_name: String,
    pub role: ProfessionalRole,
    pub team: Option<String>,
    pub email: Option<String>,
}

fn unknown(what: &str, code: &str) -> StoreError {
    StoreError::Invalid(format!("{what} inconnu : « {code} »"))
}

/// Resolves a code to an id inside the transaction, or says which code is unknown.
macro_rules! id_of {
    ($tx:expr, $table:literal, $code:expr, $what:literal) => {{
        let row = sqlx::query(concat!("SELECT id FROM ", $table, " WHERE code = $1"))
            .bind($code)
            .fetch_optional(&mut *$tx)
            .await?;
        match row {
            Some(row) => row.try_get::<i64, _>("id")?,
            None => return Err(unknown($what, $code)),
        }
    }};
}

impl Db {
    /// Creates or renames a sector.
    pub async fn upsert_sector(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
    ) -> Result<SectorId, StoreError> {
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO sectors (code, name) VALUES ($1, $2)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name RETURNING id",
            )
            .bind(code)
            .bind(name)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "upsert", "sector", code)
                .after(&serde_json::json!({"code": code, "name": name}))).await?;
            Ok(SectorId(id))
        })
    }

    pub async fn upsert_centre(
        &self,
        actor: &Actor,
        centre: &NewCentre,
    ) -> Result<CentreId, StoreError> {
        in_tx!(self, tx => {
            let sector_id = id_of!(tx, "sectors", &centre.sector, "secteur");
            let id: i64 = sqlx::query(
                "INSERT INTO centres (code, name, sector_id, address, postcode, city) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, sector_id = excluded.sector_id,
                   address = excluded.address, postcode = excluded.postcode, city = excluded.city
                 RETURNING id",
            )
            .bind(&centre.code)
            .bind(&centre.name)
            .bind(sector_id)
            .bind(&centre.address)
            .bind(&centre.postcode)
            .bind(&centre.city)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "upsert", "centre", &centre.code).after(centre)).await?;
            Ok(CentreId(id))
        })
    }

    pub async fn upsert_team(&self, actor: &Actor, team: &NewTeam) -> Result<TeamId, StoreError> {
        in_tx!(self, tx => {
            let sector_id = id_of!(tx, "sectors", &team.sector, "secteur");
            let id: i64 = sqlx::query(
                "INSERT INTO teams (code, name, sector_id) VALUES ($1, $2, $3)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, sector_id = excluded.sector_id
                 RETURNING id",
            )
            .bind(&team.code)
            .bind(&team.name)
            .bind(sector_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "upsert", "team", &team.code).after(team)).await?;
            Ok(TeamId(id))
        })
    }

    pub async fn upsert_professional(
        &self,
        actor: &Actor,
        professional: &NewProfessional,
    ) -> Result<ProfessionalId, StoreError> {
        in_tx!(self, tx => {
            let team_id = match &professional.team {
                Some(code) => Some(id_of!(tx, "teams", code, "équipe")),
                None => None,
            };
            let id: i64 = sqlx::query(
                "INSERT INTO professionals (reference, last_name, first_name, role, team_id, email)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (reference) DO UPDATE SET last_name = excluded.last_name,
                   first_name = excluded.first_name, role = excluded.role, team_id = excluded.team_id,
                   email = excluded.email
                 RETURNING id",
            )
            .bind(&professional.reference)
            .bind(&professional.last_name)
            .bind(&professional.first_name)
            .bind(professional.role.code())
            .bind(team_id)
            .bind(&professional.email)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "upsert", "professional", &professional.reference)
                .after(professional)).await?;
            Ok(ProfessionalId(id))
        })
    }

    pub async fn list_sectors(&self) -> Result<Vec<Sector>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT id, code, name FROM sectors ORDER BY code").fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok(Sector { id: SectorId(r.try_get("id")?), code: r.try_get("code")?, name: r.try_get("name")? }))
                .collect()
        })
    }

    pub async fn list_centres(&self) -> Result<Vec<Centre>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT c.id, c.code, c.name, s.code AS sector, c.address, c.postcode, c.city
                 FROM centres c JOIN sectors s ON s.id = c.sector_id ORDER BY c.code",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Centre {
                        id: CentreId(r.try_get("id")?),
                        code: r.try_get("code")?,
                        name: r.try_get("name")?,
                        sector: r.try_get("sector")?,
                        address: r.try_get("address")?,
                        postcode: r.try_get("postcode")?,
                        city: r.try_get("city")?,
                    })
                })
                .collect()
        })
    }

    pub async fn list_teams(&self) -> Result<Vec<Team>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT t.id, t.code, t.name, s.code AS sector FROM teams t JOIN sectors s ON s.id = t.sector_id ORDER BY t.code",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Team {
                        id: TeamId(r.try_get("id")?),
                        code: r.try_get("code")?,
                        name: r.try_get("name")?,
                        sector: r.try_get("sector")?,
                    })
                })
                .collect()
        })
    }

    pub async fn list_professionals(&self) -> Result<Vec<Professional>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT p.id, p.reference, p.last_name, p.first_name, p.role, t.code AS team, p.email
                 FROM professionals p LEFT JOIN teams t ON t.id = p.team_id ORDER BY p.last_name, p.first_name, p.id",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    let role: String = r.try_get("role")?;
                    Ok(Professional {
                        id: ProfessionalId(r.try_get("id")?),
                        reference: r.try_get("reference")?,
                        last_name: r.try_get("last_name")?,
                        first_name: r.try_get("first_name")?,
                        role: ProfessionalRole::from_code(&role)
                            .ok_or_else(|| StoreError::Invalid(format!("rôle inconnu {role}")))?,
                        team: r.try_get("team")?,
                        email: r.try_get("email")?,
                    })
                })
                .collect()
        })
    }

    /// Id of the professional with this reference.
    pub async fn find_professional_id(
        &self,
        reference: &str,
    ) -> Result<ProfessionalId, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT id FROM professionals WHERE reference = $1")
                .bind(reference)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(ProfessionalId(row.try_get("id")?))
        })
    }
}
