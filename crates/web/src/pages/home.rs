//! The home page of each role: what that role can open.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::IntoResponse;
use domain::Role;

use crate::auth::CurrentUser;
use crate::layout::Layout;

pub struct Card {
    pub href: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    name: String,
    cards: Vec<Card>,
    second_factor_optional: bool,
}

fn cards_for(role: Role) -> Vec<Card> {
    let mut cards = Vec::new();
    if role == Role::Employer {
        cards.push(Card {
            href: "/portal",
            title: "Mon entreprise",
            text: "Coordonnées, déclaration d'effectif, embauches et sorties.",
        });
        cards.push(Card {
            href: "/portal/invoices",
            title: "Factures",
            text: "Vos appels de cotisation, à télécharger en PDF.",
        });
    } else {
        cards.push(Card {
            href: "/companies",
            title: "Adhérents",
            text: "Rechercher une entreprise par nom, SIRET, ville ou code NAF.",
        });
        if matches!(role, Role::Admin | Role::Director | Role::Assistant) {
            cards.push(Card {
                href: "/invoices",
                title: "Factures",
                text: "Cotisations, paiements, relances et impayés.",
            });
            cards.push(Card {
                href: "/fees",
                title: "Barème",
                text: "Le barème des cotisations fixé par le conseil d'administration.",
            });
        }
        cards.push(Card {
            href: "/organisation",
            title: "Organisation",
            text: "Secteurs, centres, équipes santé travail et professionnels.",
        });
    }
    if role == Role::Admin {
        cards.push(Card {
            href: "/admin/users",
            title: "Comptes",
            text: "Inviter et gérer les utilisateurs.",
        });
        cards.push(Card {
            href: "/admin/audit",
            title: "Audit",
            text: "Journal des modifications chaîné et événements de sécurité.",
        });
    }
    cards.push(Card {
        href: "/account/tokens",
        title: "Jetons d'API",
        text: "Accès de vos outils (tableurs, logiciels de paie) à l'API.",
    });
    cards
}

pub async fn show_home(CurrentUser(user): CurrentUser, layout: Layout) -> impl IntoResponse {
    HomePage {
        name: user.display_name.clone(),
        cards: cards_for(user.role),
        second_factor_optional: !user.role.requires_second_factor() && !user.second_factor_verified,
        layout,
    }
}
