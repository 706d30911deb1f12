//! `spsti agenda hours|close|generate`: opening hours, closures and slot generation.

use chrono::NaiveDate;
use clap::Subcommand;
use domain::agenda::{Closure, parse_opening_hours};
use store::{Actor, Db};

use crate::{Failure, invalid};

#[derive(Subcommand)]
pub(crate) enum AgendaCommand {
    /// Set a professional's weekly opening hours in a centre, e.g.
    /// `--hours "lun=08:30-12:00/30; lun=13:30-17:00/30; mar=08:30-12:00/30"`.
    Hours {
        #[arg(long)]
        professional: String,
        #[arg(long)]
        centre: String,
        #[arg(long)]
        hours: String,
    },
    /// Record a closure (leave, training): no slot is generated then, open slots are blocked.
    Close {
        #[arg(long)]
        professional: String,
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
        #[arg(long)]
        reason: String,
    },
    /// Create the slots of a period from the opening hours (public holidays of France left
    /// out, Good Friday and 26 December too for centres in Alsace-Moselle). Re-running creates
    /// nothing twice.
    Generate {
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
        #[arg(long)]
        professional: Option<String>,
    },
}

async fn professional_id(db: &Db, reference: &str) -> Result<i64, Failure> {
    db.list_professionals()
        .await?
        .into_iter()
        .find(|p| p.reference == reference)
        .map(|p| p.id.0)
        .ok_or_else(|| {
            invalid(format!(
                "Professionnel : référence « {reference} » inconnue"
            ))
        })
}

pub(crate) async fn run(db: &Db, command: AgendaCommand) -> Result<(), Failure> {
    let actor = Actor("cli".into());
    match command {
        AgendaCommand::Hours {
            professional,
            centre,
            hours,
        } => {
            let professional = professional_id(db, &professional).await?;
            let centre = db
                .list_centres()
                .await?
                .into_iter()
                .find(|c| c.code == centre)
                .ok_or_else(|| invalid(format!("Centre : code « {centre} » inconnu")))?;
            let hours = parse_opening_hours(&hours).map_err(|e| invalid(e.to_string()))?;
            db.set_opening_hours(&actor, professional, centre.id.0, &hours)
                .await
                .map_err(|e| invalid(e.to_string()))?;
            println!("{} horaire(s) enregistré(s)", hours.len());
        }
        AgendaCommand::Close {
            professional,
            from,
            to,
            reason,
        } => {
            let professional = professional_id(db, &professional).await?;
            let closure = Closure { from, to, reason };
            let blocked = db
                .add_closure(&actor, professional, &closure)
                .await
                .map_err(|e| invalid(e.to_string()))?;
            println!("absence enregistrée, {blocked} créneau(x) bloqué(s)");
        }
        AgendaCommand::Generate {
            from,
            to,
            professional,
        } => {
            let professional = match professional {
                Some(reference) => Some(professional_id(db, &reference).await?),
                None => None,
            };
            let created = db
                .generate_agenda_slots(&actor, professional, from, to)
                .await
                .map_err(|e| invalid(e.to_string()))?;
            println!("{created} créneau(x) créé(s) du {from} au {to}");
        }
    }
    Ok(())
}
