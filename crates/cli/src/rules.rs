//! `spsti rules eval` (the JSON contract of DATA-FORMATS.md) and `spsti rules explain`.

use std::io::{Read, Write};

use domain::rules::{self, PrioritySchema, Situation};

use crate::{Failure, invalid};
use domain::french_date as french;

fn read_stdin_json() -> Result<serde_json::Value, Failure> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    serde_json::from_str(&input).map_err(|e| invalid(format!("entrée JSON illisible : {e}")))
}

fn situation_from(value: serde_json::Value, place: &str) -> Result<Situation, Failure> {
    serde_json::from_value(value)
        .map_err(|e| invalid(format!("{place}champ manquant ou invalide : {e}")))
}

/// One situation or an array of them in, the obligations of each out.
pub(crate) fn eval() -> Result<(), Failure> {
    let evaluate = |value, index: Option<usize>| -> Result<serde_json::Value, Failure> {
        let place = index.map(|i| format!("[{i}].")).unwrap_or_default();
        let situation = situation_from(value, &place)?;
        let obligations =
            rules::evaluate(&situation).map_err(|e| invalid(format!("{place}{e}")))?;
        Ok(serde_json::json!({ "obligations": obligations }))
    };
    let output = match read_stdin_json()? {
        serde_json::Value::Array(items) => serde_json::Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| evaluate(item, Some(i)))
                .collect::<Result<_, _>>()?,
        ),
        single => evaluate(single, None)?,
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &output)?;
    writeln!(stdout)?;
    Ok(())
}

fn rank(rank: Option<u8>) -> String {
    rank.map_or("—".into(), |r| r.to_string())
}

/// The reasoning for one situation, in French.
pub(crate) fn explain_text(
    situation: &Situation,
    schema: &PrioritySchema,
) -> Result<String, Failure> {
    let explained = rules::explain(situation, schema).map_err(|e| invalid(e.to_string()))?;
    let mut out = format!(
        "Situation au {} : {}\n\nRaisonnement :\n",
        french(situation.at),
        explained.category.label()
    );
    for step in &explained.trace {
        if step.reference.is_empty() {
            out.push_str(&format!("  - {}\n", step.text));
        } else {
            out.push_str(&format!("  - [{}] {}\n", step.reference, step.text));
        }
    }
    out.push_str("\nObligations ouvertes :\n");
    if explained.obligations.is_empty() {
        out.push_str("  aucune\n");
    }
    for o in &explained.obligations {
        let subtype = rules::subtype_label(&o.subtype);
        let due = o.due.map_or("sans délai légal".into(), |d| {
            format!("échéance {}", french(d))
        });
        out.push_str(&format!(
            "  - {}{} ({}) : à partir du {}, {due}, par : {} ; rang file médecin {}, file infirmier {}\n",
            rules::kind_label(&o.kind),
            if subtype.is_empty() { String::new() } else { format!(", {subtype}") },
            o.reference,
            french(o.earliest),
            rules::performer_label(&o.performer),
            rank(o.doctor_rank),
            rank(o.nurse_rank),
        ));
    }
    Ok(out)
}

pub(crate) fn explain() -> Result<(), Failure> {
    let situation = situation_from(read_stdin_json()?, "")?;
    let text = explain_text(&situation, &PrioritySchema::default())?;
    print!("{text}");
    Ok(())
}
