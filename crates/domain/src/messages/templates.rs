//! Message templates: plain French text with `{placeholders}`, shipped in
//! `templates/messages/` and replaceable by an admin (the replacement is stored).
//! A template file's first line is the subject, the rest is the body.

use std::collections::HashMap;

/// A template's code, what it is for, and its shipped text.
pub struct TemplateSpec {
    pub code: &'static str,
    pub description: &'static str,
    pub default_text: &'static str,
}

pub const TEMPLATES: &[TemplateSpec] = &[
    TemplateSpec {
        code: "convocation",
        description: "Convocation du salarié (e-mail ou lettre)",
        default_text: include_str!("../../../../templates/messages/convocation.txt"),
    },
    TemplateSpec {
        code: "convocation_employer",
        description: "Convocation envoyée à l'employeur",
        default_text: include_str!("../../../../templates/messages/convocation_employer.txt"),
    },
    TemplateSpec {
        code: "reminder",
        description: "Rappel au salarié 2 jours avant (e-mail)",
        default_text: include_str!("../../../../templates/messages/reminder.txt"),
    },
    TemplateSpec {
        code: "reminder_sms",
        description: "Rappel au salarié 2 jours avant (SMS, corps seul)",
        default_text: include_str!("../../../../templates/messages/reminder_sms.txt"),
    },
    TemplateSpec {
        code: "moved",
        description: "Rendez-vous déplacé (salarié et employeur)",
        default_text: include_str!("../../../../templates/messages/moved.txt"),
    },
    TemplateSpec {
        code: "cancelled",
        description: "Rendez-vous annulé (salarié et employeur)",
        default_text: include_str!("../../../../templates/messages/cancelled.txt"),
    },
    TemplateSpec {
        code: "document",
        description: "Document remis au salarié (attestation, avis), joint",
        default_text: include_str!("../../../../templates/messages/document.txt"),
    },
    TemplateSpec {
        code: "document_employer",
        description: "Document adressé à l'employeur (attestation, avis), joint",
        default_text: include_str!("../../../../templates/messages/document_employer.txt"),
    },
    TemplateSpec {
        code: "no_show",
        description: "Absence non excusée, à l'employeur",
        default_text: include_str!("../../../../templates/messages/no_show.txt"),
    },
];

/// Every placeholder a template may use.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("service", "nom du service"),
    ("salarie", "prénom et nom du salarié"),
    ("entreprise", "établissement employeur"),
    ("visite", "nature de la visite"),
    ("professionnel", "rôle et nom du professionnel"),
    ("date", "date du rendez-vous"),
    ("heure", "heure du rendez-vous"),
    ("duree", "durée prévue en minutes"),
    ("centre", "centre"),
    ("adresse_centre", "adresse du centre"),
    ("documents", "documents à apporter"),
    ("delai_excuse", "délai d'excuse en heures"),
    ("ancienne_date", "date avant déplacement"),
    ("ancienne_heure", "heure avant déplacement"),
    ("frais", "frais d'absence facturés, s'il y en a"),
    ("document", "titre du document joint"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

impl Template {
    /// A template file: the subject on the first line, then the body.
    pub fn parse(text: &str) -> Template {
        let (subject, body) = text.split_once('\n').unwrap_or((text, ""));
        Template {
            subject: subject.trim().to_string(),
            body: body.trim_end().to_string() + "\n",
        }
    }
}

/// The templates in use: the shipped ones, with the admin's replacements.
#[derive(Debug, Clone)]
pub struct Templates(HashMap<&'static str, Template>);

impl Default for Templates {
    fn default() -> Templates {
        Templates(
            TEMPLATES
                .iter()
                .map(|spec| (spec.code, Template::parse(spec.default_text)))
                .collect(),
        )
    }
}

impl Templates {
    /// The shipped templates with `overrides` (code, subject, body) applied; unknown codes
    /// are ignored.
    pub fn with_overrides(overrides: impl IntoIterator<Item = (String, Template)>) -> Templates {
        let mut templates = Templates::default();
        for (code, template) in overrides {
            if let Some(spec) = TEMPLATES.iter().find(|spec| spec.code == code) {
                templates.0.insert(spec.code, template);
            }
        }
        templates
    }

    pub fn get(&self, code: &str) -> &Template {
        self.0
            .get(code)
            .unwrap_or_else(|| panic!("template {code} is shipped"))
    }
}

/// Replaces each `{name}` of `text` by its value; other braces are left as they are.
pub fn render(text: &str, values: &HashMap<&str, String>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if values.contains_key(&after[..end]) => {
                out.push_str(&values[&after[..end]]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks a template an admin wrote: a subject, a body, and only known placeholders.
pub fn check_template(code: &str, template: &Template) -> Result<(), String> {
    if !TEMPLATES.iter().any(|spec| spec.code == code) {
        return Err(format!("Modèle : code « {code} » inconnu"));
    }
    if template.subject.trim().is_empty() {
        return Err("Sujet : obligatoire".into());
    }
    if template.body.trim().is_empty() {
        return Err("Texte : obligatoire".into());
    }
    for (field, text) in [("Sujet", &template.subject), ("Texte", &template.body)] {
        let mut rest = text.as_str();
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('}') else { break };
            let name = &after[..end];
            if !name.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !PLACEHOLDERS.iter().any(|(known, _)| *known == name)
            {
                return Err(format!("{field} : champ « {{{name}}} » inconnu"));
            }
            rest = &after[end + 1..];
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_templates_use_known_placeholders_only() {
        let templates = Templates::default();
        for spec in TEMPLATES {
            let template = templates.get(spec.code);
            assert_eq!(check_template(spec.code, template), Ok(()), "{}", spec.code);
            assert!(!template.subject.is_empty());
        }
    }

    #[test]
    fn render_replaces_known_names_and_keeps_other_braces() {
        let values = HashMap::from([("date", "01/12/2026".to_string())]);
        assert_eq!(
            render("le {date} {autre} {", &values),
            "le 01/12/2026 {autre} {"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_refused_with_the_field() {
        let template = Template {
            subject: "S".into(),
            body: "Bonjour {prenom}".into(),
        };
        assert_eq!(
            check_template("convocation", &template),
            Err("Texte : champ « {prenom} » inconnu".into())
        );
        assert!(check_template("inconnu", &template).is_err());
    }

    #[test]
    fn overrides_replace_shipped_templates() {
        let custom = Template {
            subject: "Autre".into(),
            body: "B".into(),
        };
        let templates = Templates::with_overrides([("reminder".to_string(), custom.clone())]);
        assert_eq!(templates.get("reminder"), &custom);
        assert_ne!(templates.get("convocation"), &custom);
    }
}
