//! Member companies (legal units, by SIREN) and their establishments (by SIRET): the members
//! of the service, with their sector, team, membership dates and contacts.

use chrono::NaiveDate;
use domain::company::{CompanyKind, StrikeOffReason, fold_for_search};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};

/// What a new member's establishment needs.
#[derive(Debug, Clone, Serialize)]
pub struct NewMember {
    pub siret: String,
    pub company_name: String,
    pub name: String,
    pub naf_code: Option<String>,
    pub kind: CompanyKind,
    pub sector: String,
    pub team: Option<String>,
    pub joined_on: NaiveDate,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The editable fields of an establishment.
#[derive(Debug, Clone, Serialize)]
pub struct EstablishmentEdit {
    pub name: String,
    pub naf_code: Option<String>,
    pub sector: String,
    pub team: Option<String>,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The contacts an employer may change in the portal.
#[derive(Debug, Clone, Serialize)]
pub struct ContactEdit {
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Establishment {
    pub id: i64,
    pub company_id: i64,
    pub siren: String,
    pub company_name: String,
    pub kind: CompanyKind,
    pub siret: String,
    pub name: String,
    pub naf_code: Option<String>,
    pub sector: String,
    pub team: Option<String>,
    pub joined_on: NaiveDate,
    pub struck_off_on: Option<NaiveDate>,
    pub strike_off_reason: Option<StrikeOffReason>,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Establishment {
    /// A member on `day`: joined on or before it and not struck off on or before it.
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.joined_on <= day && self.struck_off_on.is_none_or(|off| off > day)
    }
}

/// A search: free text (name, SIRET, city, NAF) and filters, one page at a time.
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    pub text: Option<String>,
    pub team: Option<String>,
    pub sector: Option<String>,
    /// `Some(true)`: active members only; `Some(false)`: struck off only.
    pub active: Option<bool>,
    pub page: u32,
    pub per_page: u32,
}

pub(crate) const ESTABLISHMENT_COLUMNS: &str =
    "e.id, e.company_id, c.siren, c.name AS company_name, c.kind, e.siret, e.name,
    e.naf_code, s.code AS sector, t.code AS team, e.joined_on, e.struck_off_on, e.strike_off_reason,
    e.address, e.postcode, e.city, e.email, e.phone";
pub(crate) const ESTABLISHMENT_FROM: &str =
    "establishments e JOIN companies c ON c.id = e.company_id
    JOIN sectors s ON s.id = e.sector_id LEFT JOIN teams t ON t.id = e.team_id";

macro_rules! establishment_from_row {
    ($row:expr) => {{
        let kind: String = $row.try_get("kind")?;
        let reason: Option<String> = $row.try_get("strike_off_reason")?;
        $crate::members::Establishment {
            id: $row.try_get("id")?,
            company_id: $row.try_get("company_id")?,
            siren: $row.try_get("siren")?,
            company_name: $row.try_get("company_name")?,
            kind: ::domain::company::CompanyKind::from_code(&kind).ok_or_else(|| {
                $crate::StoreError::Invalid(format!("type d'adhérent inconnu {kind}"))
            })?,
            siret: $row.try_get("siret")?,
            name: $row.try_get("name")?,
            naf_code: $row.try_get("naf_code")?,
            sector: $row.try_get("sector")?,
            team: $row.try_get("team")?,
            joined_on: $row.try_get("joined_on")?,
            struck_off_on: $row.try_get("struck_off_on")?,
            strike_off_reason: reason
                .as_deref()
                .and_then(::domain::company::StrikeOffReason::from_code),
            address: $row.try_get("address")?,
            postcode: $row.try_get("postcode")?,
            city: $row.try_get("city")?,
            email: $row.try_get("email")?,
            phone: $row.try_get("phone")?,
        }
    }};
}

pub(crate) fn search_text(
    siret: &str,
    name: &str,
    company: &str,
    city: &str,
    naf: Option<&str>,
    postcode: &str,
) -> String {
    fold_for_search(&format!(
        "{name} {company} {siret} {city} {postcode} {}",
        naf.unwrap_or("")
    ))
}

macro_rules! code_id {
    ($tx:expr, $table:literal, $code:expr, $what:literal) => {{
        let row = sqlx::query(concat!("SELECT id FROM ", $table, " WHERE code = $1"))
            .bind($code)
            .fetch_optional(&mut *$tx)
            .await?;
        match row {
            Some(row) => row.try_get::<i64, _>("id")?,
            None => {
                return Err(StoreError::Invalid(format!(
                    "{} : code inconnu « {} »",
                    $what, $code
                )));
            }
        }
    }};
}

impl Db {
    /// Registers a member establishment (creating its company by SIREN when new).
    pub async fn create_member(
        &self,
        actor: &Actor,
        member: &NewMember,
    ) -> Result<i64, StoreError> {
        let siren = &member.siret[..9];
        in_tx!(self, tx => {
            let sector_id = code_id!(tx, "sectors", &member.sector, "Secteur");
            let team_id = match &member.team {
                Some(code) => Some(code_id!(tx, "teams", code, "Équipe")),
                None => None,
            };
            let existing = sqlx::query("SELECT id FROM companies WHERE siren = $1").bind(siren).fetch_optional(&mut *tx).await?;
            let company_id: i64 = match existing {
                Some(row) => row.try_get("id")?,
                None => sqlx::query("INSERT INTO companies (siren, name, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                    .bind(siren)
                    .bind(&member.company_name)
                    .bind(member.kind.code())
                    .bind(now())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("id")?,
            };
            let id: i64 = sqlx::query(
                "INSERT INTO establishments (company_id, siret, name, naf_code, sector_id, team_id, joined_on,
                    address, postcode, city, email, phone, search_text)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(company_id)
            .bind(&member.siret)
            .bind(&member.name)
            .bind(&member.naf_code)
            .bind(sector_id)
            .bind(team_id)
            .bind(member.joined_on)
            .bind(&member.address)
            .bind(&member.postcode)
            .bind(&member.city)
            .bind(&member.email)
            .bind(&member.phone)
            .bind(search_text(&member.siret, &member.name, &member.company_name, &member.city, member.naf_code.as_deref(), &member.postcode))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, format!("SIRET : l'établissement {} est déjà adhérent", member.siret)))?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "create", "establishment", &member.siret).after(member)).await?;
            Ok(id)
        })
    }

    pub async fn find_establishment(&self, id: i64) -> Result<Establishment, StoreError> {
        let sql =
            format!("SELECT {ESTABLISHMENT_COLUMNS} FROM {ESTABLISHMENT_FROM} WHERE e.id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?.ok_or(StoreError::NotFound)?;
            Ok(establishment_from_row!(row))
        })
    }

    pub async fn find_establishment_by_siret(
        &self,
        siret: &str,
    ) -> Result<Option<Establishment>, StoreError> {
        let sql =
            format!("SELECT {ESTABLISHMENT_COLUMNS} FROM {ESTABLISHMENT_FROM} WHERE e.siret = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(siret).fetch_optional(pool).await?;
            row.map(|row| Ok(establishment_from_row!(row))).transpose()
        })
    }

    /// The establishments of one company.
    pub async fn list_company_establishments(
        &self,
        company_id: i64,
    ) -> Result<Vec<Establishment>, StoreError> {
        let sql = format!(
            "SELECT {ESTABLISHMENT_COLUMNS} FROM {ESTABLISHMENT_FROM} WHERE e.company_id = $1 ORDER BY e.siret"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(company_id).fetch_all(pool).await?;
            rows.iter().map(|row| Ok(establishment_from_row!(row))).collect()
        })
    }

    /// One page of members matching the query, and the number of matches.
    pub async fn search_members(
        &self,
        query: &MemberQuery,
        today: NaiveDate,
    ) -> Result<(Vec<Establishment>, i64), StoreError> {
        let mut conditions = vec!["1 = 1".to_string()];
        let text = query
            .text
            .as_deref()
            .map(fold_for_search)
            .filter(|t| !t.trim().is_empty());
        let words: Vec<String> = text
            .iter()
            .flat_map(|t| t.split_whitespace().map(|w| format!("%{w}%")))
            .collect();
        let mut next = 1;
        for _ in &words {
            conditions.push(format!("e.search_text LIKE ${next}"));
            next += 1;
        }
        if query.team.is_some() {
            conditions.push(format!("t.code = ${next}"));
            next += 1;
        }
        if query.sector.is_some() {
            conditions.push(format!("s.code = ${next}"));
            next += 1;
        }
        match query.active {
            Some(true) => conditions.push(format!(
                "(e.struck_off_on IS NULL OR e.struck_off_on > ${next})"
            )),
            Some(false) => conditions.push(format!("e.struck_off_on <= ${next}")),
            None => conditions.push(format!("${next} = ${next}")),
        }
        let filter = conditions.join(" AND ");
        let per_page = i64::from(query.per_page.clamp(1, 200));
        let offset = i64::from(query.page.saturating_sub(1)) * per_page;
        let list_sql = format!(
            "SELECT {ESTABLISHMENT_COLUMNS} FROM {ESTABLISHMENT_FROM} WHERE {filter} ORDER BY e.name, e.siret LIMIT {per_page} OFFSET {offset}"
        );
        // The count joins only what the filters need: it reads every match.
        let mut count_from = "establishments e".to_string();
        if query.team.is_some() {
            count_from.push_str(" LEFT JOIN teams t ON t.id = e.team_id");
        }
        if query.sector.is_some() {
            count_from.push_str(" JOIN sectors s ON s.id = e.sector_id");
        }
        let count_sql = format!("SELECT COUNT(*) AS n FROM {count_from} WHERE {filter}");
        macro_rules! bound {
            ($sql:expr) => {{
                let mut q = sqlx::query(sqlx::AssertSqlSafe($sql));
                for w in &words {
                    q = q.bind(w.clone());
                }
                if let Some(team) = &query.team {
                    q = q.bind(team.clone());
                }
                if let Some(sector) = &query.sector {
                    q = q.bind(sector.clone());
                }
                q.bind(today)
            }};
        }
        with_pool!(self, pool => {
            let rows = bound!(list_sql).fetch_all(pool).await?;
            let total: i64 = if (rows.len() as i64) < per_page && offset == 0 {
                rows.len() as i64
            } else {
                bound!(count_sql).fetch_one(pool).await?.try_get("n")?
            };
            let items = rows.iter().map(|row| Ok(establishment_from_row!(row))).collect::<Result<Vec<_>, StoreError>>()?;
            Ok((items, total))
        })
    }

    pub async fn update_establishment(
        &self,
        actor: &Actor,
        id: i64,
        edit: &EstablishmentEdit,
    ) -> Result<(), StoreError> {
        let before = self.find_establishment(id).await?;
        in_tx!(self, tx => {
            let sector_id = code_id!(tx, "sectors", &edit.sector, "Secteur");
            let team_id = match &edit.team {
                Some(code) => Some(code_id!(tx, "teams", code, "Équipe")),
                None => None,
            };
            sqlx::query(
                "UPDATE establishments SET name = $2, naf_code = $3, sector_id = $4, team_id = $5, address = $6,
                    postcode = $7, city = $8, email = $9, phone = $10, search_text = $11 WHERE id = $1",
            )
            .bind(id)
            .bind(&edit.name)
            .bind(&edit.naf_code)
            .bind(sector_id)
            .bind(team_id)
            .bind(&edit.address)
            .bind(&edit.postcode)
            .bind(&edit.city)
            .bind(&edit.email)
            .bind(&edit.phone)
            .bind(search_text(&before.siret, &edit.name, &before.company_name, &edit.city, edit.naf_code.as_deref(), &edit.postcode))
            .execute(&mut *tx)
            .await?;
            tx.audit(AuditEntry::new(actor, "update", "establishment", &before.siret).before(&before).after(edit)).await?;
            Ok(())
        })
    }

    /// The employer's own change of contacts.
    pub async fn update_contacts(
        &self,
        actor: &Actor,
        id: i64,
        edit: &ContactEdit,
    ) -> Result<(), StoreError> {
        let before = self.find_establishment(id).await?;
        let full = EstablishmentEdit {
            name: before.name.clone(),
            naf_code: before.naf_code.clone(),
            sector: before.sector.clone(),
            team: before.team.clone(),
            address: edit.address.clone(),
            postcode: edit.postcode.clone(),
            city: edit.city.clone(),
            email: edit.email.clone(),
            phone: edit.phone.clone(),
        };
        self.update_establishment(actor, id, &full).await
    }

    pub async fn strike_off(
        &self,
        actor: &Actor,
        id: i64,
        on: NaiveDate,
        reason: StrikeOffReason,
    ) -> Result<(), StoreError> {
        let before = self.find_establishment(id).await?;
        if before.struck_off_on.is_some() {
            return Err(StoreError::Conflict(format!(
                "l'établissement {} est déjà radié",
                before.siret
            )));
        }
        if on < before.joined_on {
            return Err(StoreError::Invalid(
                "Date de radiation : antérieure à la date d'adhésion".into(),
            ));
        }
        in_tx!(self, tx => {
            sqlx::query("UPDATE establishments SET struck_off_on = $2, strike_off_reason = $3 WHERE id = $1")
                .bind(id)
                .bind(on)
                .bind(reason.code())
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "strike_off", "establishment", &before.siret)
                .before(&before)
                .after(&serde_json::json!({"struck_off_on": on, "reason": reason}))).await?;
            Ok(())
        })
    }

    pub async fn rejoin(&self, actor: &Actor, id: i64, on: NaiveDate) -> Result<(), StoreError> {
        let before = self.find_establishment(id).await?;
        if before.struck_off_on.is_none() {
            return Err(StoreError::Conflict(format!(
                "l'établissement {} est déjà adhérent",
                before.siret
            )));
        }
        in_tx!(self, tx => {
            sqlx::query("UPDATE establishments SET joined_on = $2, struck_off_on = NULL, strike_off_reason = NULL WHERE id = $1")
                .bind(id)
                .bind(on)
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "rejoin", "establishment", &before.siret)
                .before(&before)
                .after(&serde_json::json!({"joined_on": on}))).await?;
            Ok(())
        })
    }

    /// Moves establishments to a team, all or none.
    pub async fn move_to_team(
        &self,
        actor: &Actor,
        ids: &[i64],
        team: &str,
    ) -> Result<u64, StoreError> {
        in_tx!(self, tx => {
            let team_id = code_id!(tx, "teams", team, "Équipe");
            let mut moved = 0;
            for id in ids {
                let row = sqlx::query("UPDATE establishments SET team_id = $2 WHERE id = $1 RETURNING siret")
                    .bind(id)
                    .bind(team_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let siret: String = row.try_get("siret")?;
                tx.audit(AuditEntry::new(actor, "move_team", "establishment", &siret).after(&serde_json::json!({"team": team}))).await?;
                moved += 1;
            }
            Ok(moved)
        })
    }
}

impl Db {
    /// The active members of a team on `today`, with the workforce of their latest submitted
    /// declaration for `year`.
    pub async fn list_portfolio(
        &self,
        team: &str,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<(Establishment, domain::fees::Workforce)>, StoreError> {
        let sql = format!(
            "SELECT {ESTABLISHMENT_COLUMNS},
                CAST(COALESCE((SELECT SUM(CASE WHEN l.category = 'SIS' THEN 1 ELSE 0 END) FROM declaration_lines l WHERE l.declaration_id = d.id), 0) AS BIGINT) AS sis,
                CAST(COALESCE((SELECT SUM(CASE WHEN l.category = 'SIA' THEN 1 ELSE 0 END) FROM declaration_lines l WHERE l.declaration_id = d.id), 0) AS BIGINT) AS sia,
                CAST(COALESCE((SELECT SUM(CASE WHEN l.category = 'SIR' THEN 1 ELSE 0 END) FROM declaration_lines l WHERE l.declaration_id = d.id), 0) AS BIGINT) AS sir
             FROM {ESTABLISHMENT_FROM}
             LEFT JOIN declarations d ON d.establishment_id = e.id AND d.year = $2 AND d.status = 'submitted'
               AND d.version = (SELECT MAX(d2.version) FROM declarations d2 WHERE d2.establishment_id = e.id AND d2.year = $2 AND d2.status = 'submitted')
             WHERE t.code = $1 AND e.joined_on <= $3 AND (e.struck_off_on IS NULL OR e.struck_off_on > $3)
             ORDER BY e.name, e.siret"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(team).bind(year).bind(today).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    let workforce = domain::fees::Workforce {
                        sis: row.try_get::<i64, _>("sis")? as u32,
                        sia: row.try_get::<i64, _>("sia")? as u32,
                        sir: row.try_get::<i64, _>("sir")? as u32,
                    };
                    Ok((establishment_from_row!(row), workforce))
                })
                .collect()
        })
    }
}
