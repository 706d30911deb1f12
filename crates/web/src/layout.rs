//! What every page's frame needs: the user, the CSRF token, the navigation of their role.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::Role;
use domain::authz::Principal;

use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppError;
use crate::state::AppState;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

pub struct Layout {
    pub user: Option<Principal>,
    pub role_label: &'static str,
    pub csrf: String,
    pub service_name: String,
    pub nav: Vec<NavLink>,
}

/// The navigation of a role: only what the role may open.
fn navigation(role: Role) -> Vec<NavLink> {
    let mut links = vec![NavLink {
        href: "/",
        label: "Accueil",
    }];
    match role {
        Role::Employer => {
            links.push(NavLink {
                href: "/portal",
                label: "Mon entreprise",
            });
            links.push(NavLink {
                href: "/portal/appointments",
                label: "Convocations",
            });
            links.push(NavLink {
                href: "/portal/documents",
                label: "Attestations et avis",
            });
            links.push(NavLink {
                href: "/portal/fiches",
                label: "Fiche d'entreprise",
            });
            links.push(NavLink {
                href: "/portal/sessions",
                label: "Sensibilisation",
            });
            links.push(NavLink {
                href: "/portal/programmes",
                label: "Programmes de prévention",
            });
            links.push(NavLink {
                href: "/portal/invoices",
                label: "Factures",
            });
        }
        _ => {
            links.push(NavLink {
                href: "/companies",
                label: "Adhérents",
            });
            if crate::pages::queues::QUEUE_READERS.contains(&role) {
                links.push(NavLink {
                    href: "/queues",
                    label: "Files d'attente",
                });
            }
            if crate::pages::pdp::PDP_TEAM.contains(&role) {
                links.push(NavLink {
                    href: "/pdp",
                    label: "PDP",
                });
            }
            if crate::pages::fiches::FE_WRITERS.contains(&role) {
                links.push(NavLink {
                    href: "/prevention/plan",
                    label: "Mon plan d'actions",
                });
                links.push(NavLink {
                    href: "/prevention/sessions",
                    label: "Sensibilisation",
                });
            }
            if crate::pages::programmes::PROGRAMME_MANAGERS.contains(&role) {
                links.push(NavLink {
                    href: "/programmes",
                    label: "Programmes",
                });
            }
            if crate::pages::indicators::KPI_READERS.contains(&role) {
                links.push(NavLink {
                    href: "/indicators",
                    label: "Indicateurs",
                });
            }
            if crate::pages::coverage::COVERAGE_READERS.contains(&role) {
                links.push(NavLink {
                    href: "/prevention/coverage",
                    label: "Fiches à établir",
                });
            }
            if crate::pages::medical::MEDICAL_ROLES.contains(&role) {
                links.push(NavLink {
                    href: "/my-day",
                    label: "Ma journée",
                });
            }
            if crate::pages::agenda::AGENDA_KEEPERS.contains(&role) {
                links.push(NavLink {
                    href: "/agenda",
                    label: "Agendas",
                });
            }
            if crate::pages::planner::PLANNERS.contains(&role) {
                links.push(NavLink {
                    href: "/planner",
                    label: "Planification",
                });
            }
            if crate::pages::messages::OUTBOX_READERS.contains(&role) {
                links.push(NavLink {
                    href: "/outbox",
                    label: "Messages",
                });
            }
            if matches!(role, Role::Admin | Role::Director | Role::Assistant) {
                links.push(NavLink {
                    href: "/invoices",
                    label: "Factures",
                });
            }
            links.push(NavLink {
                href: "/organisation",
                label: "Organisation",
            });
        }
    }
    if role == Role::Admin {
        links.push(NavLink {
            href: "/admin/users",
            label: "Comptes",
        });
        links.push(NavLink {
            href: "/admin/audit",
            label: "Audit",
        });
        links.push(NavLink {
            href: "/admin/imports",
            label: "Imports",
        });
        links.push(NavLink {
            href: "/admin/priority-schema",
            label: "Schéma de priorités",
        });
        links.push(NavLink {
            href: "/admin/messages",
            label: "Modèles de messages",
        });
        links.push(NavLink {
            href: "/admin/durations",
            label: "Durée des visites",
        });
    }
    links.push(NavLink {
        href: "/account/tokens",
        label: "Jetons d'API",
    });
    links.push(NavLink {
        href: "/account/2fa",
        label: "Double authentification",
    });
    links
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = parts.extensions.get::<CurrentUser>().map(|u| u.0.clone());
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let nav = user
            .as_ref()
            .map(|u| navigation(u.role))
            .unwrap_or_default();
        Ok(Layout {
            role_label: user.as_ref().map(|u| u.role.label()).unwrap_or(""),
            user,
            csrf,
            service_name: state.config().service_name.clone(),
            nav,
        })
    }
}
