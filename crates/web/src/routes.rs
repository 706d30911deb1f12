//! The route table: every route states who may call it, and the server, the authorisation
//! guard, `spsti routes --format json` and the OpenAPI document are all built from it.

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use domain::Role;
use serde::Serialize;
use store::SessionStage;

use crate::auth::{CurrentSession, CurrentUser, find_bearer_user, find_session, principal_of};
use crate::error::{AppError, error_for_path};
use crate::state::AppState;
use crate::{api, pages};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// A session whose password was checked and which now owes its TOTP code.
    SecondFactorStep,
    /// A logged-in session, also one that must still enrol its second factor.
    Enrolment,
    /// A fully logged-in user (session or API token) with one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    /// The roles that pass, for the route table (empty for public routes).
    pub fn roles(self) -> Vec<Role> {
        match self {
            Access::Public => Vec::new(),
            Access::SecondFactorStep | Access::Enrolment => Role::ALL.to_vec(),
            Access::Roles(roles) => roles.to_vec(),
        }
    }
}

pub const ALL: &[Role] = &Role::ALL;
/// The service's staff: everyone but employers.
pub const STAFF: &[Role] = &[
    Role::Admin,
    Role::Director,
    Role::Doctor,
    Role::Nurse,
    Role::Assistant,
    Role::Preventer,
];
pub const ADMIN: &[Role] = &[Role::Admin];
pub const EMPLOYER: &[Role] = &[Role::Employer];
use crate::pages::agenda::AGENDA_KEEPERS;
use crate::pages::coverage::COVERAGE_READERS;
use crate::pages::fiches::{FE_READERS, FE_WRITERS};
use crate::pages::followup::REQUEST_RECORDERS;
use crate::pages::indicators::KPI_READERS;
use crate::pages::invoices::PAYMENT_RECORDERS;
use crate::pages::medical::MEDICAL_ROLES;
use crate::pages::members::{EDITORS, INVOICE_READERS, WORKER_READERS};
use crate::pages::messages::OUTBOX_READERS;
use crate::pages::pdp::PDP_TEAM;
use crate::pages::planner::PLANNERS;
use crate::pages::programmes::{FUNNEL_READERS, PROGRAMME_MANAGERS};
use crate::pages::queues::QUEUE_READERS;

/// One route of the application.
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    /// The route reads or writes medical content (DMST).
    pub medical: bool,
    /// French summary, for the OpenAPI document.
    pub summary: &'static str,
    pub handler: fn() -> MethodRouter<AppState>,
}

macro_rules! route {
    ($method:ident $path:literal, $access:expr, $summary:literal, $handler:path) => {
        RouteSpec {
            method: route!(@name $method),
            path: $path,
            access: $access,
            medical: false,
            summary: $summary,
            handler: || $method($handler),
        }
    };
    (medical $method:ident $path:literal, $access:expr, $summary:literal, $handler:path) => {
        RouteSpec {
            medical: true,
            ..route!($method $path, $access, $summary, $handler)
        }
    };
    (@name get) => { "GET" };
    (@name put) => { "PUT" };
    (@name post) => { "POST" };
}

/// Every route of the application.
pub fn route_table() -> Vec<RouteSpec> {
    use Access::*;
    vec![
        route!(get "/healthz", Public, "État du service", api::healthz),
        route!(get "/static/{file}", Public, "Feuilles de style", pages::assets::serve_asset),
        route!(get "/login", Public, "Formulaire de connexion", pages::login::show_login),
        route!(post "/login", Public, "Connexion", pages::login::submit_login),
        route!(post "/logout", Public, "Déconnexion", pages::login::logout),
        route!(get "/login/2fa", SecondFactorStep, "Code de double authentification", pages::login::show_second_factor),
        route!(post "/login/2fa", SecondFactorStep, "Vérification du code", pages::login::submit_second_factor),
        route!(get "/account/2fa", Enrolment, "Activation de la double authentification", pages::enrolment::show_enrolment),
        route!(post "/account/2fa", Enrolment, "Confirmation de l'activation", pages::enrolment::confirm_enrolment),
        route!(get "/password/forgot", Public, "Mot de passe oublié", pages::password::show_forgot),
        route!(post "/password/forgot", Public, "Demande de lien de réinitialisation", pages::password::request_reset),
        route!(get "/password/reset/{token}", Public, "Nouveau mot de passe", pages::password::show_reset),
        route!(post "/password/reset/{token}", Public, "Enregistrement du nouveau mot de passe", pages::password::submit_reset),
        route!(get "/", Roles(ALL), "Accueil", pages::home::show_home),
        route!(get "/verify", Public, "Vérification d'une attestation ou d'un avis par son code", pages::medical::verify_document),
        route!(get "/account/tokens", Roles(ALL), "Jetons d'accès personnels", pages::tokens::list_tokens),
        route!(post "/account/tokens", Roles(ALL), "Création d'un jeton", pages::tokens::create_token),
        route!(post "/account/tokens/{id}/revoke", Roles(ALL), "Révocation d'un jeton", pages::tokens::revoke_token),
        route!(get "/organisation", Roles(STAFF), "Secteurs, centres, équipes et professionnels", pages::organisation::show_organisation),
        route!(get "/admin/users", Roles(ADMIN), "Comptes utilisateurs", pages::admin::list_users),
        route!(post "/admin/users", Roles(ADMIN), "Création d'un compte", pages::admin::create_user),
        route!(get "/admin/imports", Roles(ADMIN), "Imports de données (reprise)", pages::imports::show_imports),
        route!(post "/admin/imports", Roles(ADMIN), "Vérification d'un fichier à importer", pages::imports::upload_import),
        route!(get "/admin/imports/{id}", Roles(ADMIN), "Un import : rapport et progression", pages::imports::show_import),
        route!(post "/admin/imports/{id}/confirm", Roles(ADMIN), "Confirmation d'un import", pages::imports::confirm_import),
        route!(get "/admin/audit", Roles(ADMIN), "Journal d'audit et événements de sécurité", pages::admin::show_audit),
        route!(get "/admin/priority-schema", Roles(ADMIN), "Schéma de priorités des files", pages::schema::show_schema),
        route!(post "/admin/priority-schema", Roles(ADMIN), "Nouvelle édition du schéma de priorités", pages::schema::save_schema),
        route!(get "/companies", Roles(STAFF), "Recherche des adhérents", pages::members::list_companies),
        route!(get "/companies/new", Roles(EDITORS), "Formulaire de nouvel adhérent", pages::members::show_new_company),
        route!(post "/companies", Roles(EDITORS), "Création d'un adhérent", pages::members::create_company),
        route!(get "/establishments/{id}", Roles(STAFF), "Fiche d'un établissement adhérent", pages::members::show_establishment),
        route!(get "/establishments/{id}/edit", Roles(EDITORS), "Formulaire de modification", pages::members::show_edit_establishment),
        route!(post "/establishments/{id}/edit", Roles(EDITORS), "Modification d'un établissement", pages::members::update_establishment),
        route!(post "/establishments/{id}/strike-off", Roles(EDITORS), "Radiation", pages::members::strike_off_establishment),
        route!(post "/establishments/{id}/rejoin", Roles(EDITORS), "Réadhésion", pages::members::rejoin_establishment),
        route!(post "/establishments/{id}/team", Roles(EDITORS), "Changement d'équipe", pages::members::move_establishment),
        route!(get "/teams/{team}/portfolio", Roles(STAFF), "Portefeuille d'une équipe", pages::members::show_portfolio),
        route!(post "/teams/{team}/portfolio/reassign", Roles(EDITORS), "Réaffectation groupée", pages::members::reassign_portfolio),
        route!(get "/establishments/{id}/declarations/{year}", Roles(WORKER_READERS), "Déclaration d'effectif", pages::declarations::show_declaration),
        route!(post "/establishments/{id}/declarations/{year}/open", Roles(EDITORS), "Ouverture ou correction d'une déclaration", pages::declarations::open_staff_declaration),
        route!(post "/establishments/{id}/declarations/{year}/lines/{employment}", Roles(EDITORS), "Expositions d'un salarié", pages::declarations::set_staff_line),
        route!(post "/establishments/{id}/declarations/{year}/lines/{employment}/remove", Roles(EDITORS), "Retrait d'un salarié", pages::declarations::remove_staff_line),
        route!(post "/establishments/{id}/declarations/{year}/submit", Roles(EDITORS), "Transmission d'une déclaration", pages::declarations::submit_staff_declaration),
        route!(post "/establishments/{id}/declarations/{year}/hires", Roles(EDITORS), "Déclaration d'une embauche", pages::declarations::staff_hire),
        route!(post "/establishments/{id}/declarations/{year}/employments/{employment}/leave", Roles(EDITORS), "Déclaration d'une sortie", pages::declarations::staff_leave),
        route!(get "/workers/{id}", Roles(WORKER_READERS), "Fiche d'un salarié", pages::workers::show_worker),
        route!(post "/workers/{id}/category", Roles(&[Role::Doctor]), "Décision du médecin sur la catégorie de suivi", pages::workers::decide_category),
        route!(medical get "/my-day", Roles(MEDICAL_ROLES), "Ma journée : rendez-vous du jour du professionnel", pages::medical::show_my_day),
        route!(medical get "/workers/{id}/medical", Roles(MEDICAL_ROLES), "Dossier médical d'un salarié", pages::medical::show_medical_file),
        route!(medical post "/workers/{id}/medical", Roles(MEDICAL_ROLES), "Ouverture motivée d'un dossier hors de l'équipe", pages::medical::open_with_reason),
        route!(medical post "/workers/{id}/medical/entries/{entry}", Roles(MEDICAL_ROLES), "Correction d'une rubrique (nouvelle version)", pages::medical::correct_entry),
        route!(medical get "/workers/{id}/medical/documents/{document}", Roles(MEDICAL_ROLES), "Document d'une visite (PDF, impression tracée)", pages::medical::print_document),
        route!(medical post "/workers/{id}/medical/objection", Roles(MEDICAL_ROLES), "Opposition du salarié à l'accès hors de son équipe", pages::medical::set_objection),
        route!(medical get "/workers/{id}/medical/traces.csv", Roles(MEDICAL_ROLES), "Traces d'accès au dossier (export pour le salarié)", pages::medical::export_traces),
        route!(medical get "/workers/{id}/medical/export.json", Roles(MEDICAL_ROLES), "Dossier complet du salarié, pour lui (portabilité)", pages::medical::export_worker_file),
        route!(medical post "/workers/{id}/medical/attachments", Roles(MEDICAL_ROLES), "Ajout d'un fichier au dossier (PDF, PNG, JPEG)", pages::medical::upload_attachment),
        route!(medical get "/workers/{id}/medical/attachments/{attachment}", Roles(MEDICAL_ROLES), "Fichier du dossier médical", pages::medical::download_attachment),
        route!(medical get "/appointments/{id}/visit", Roles(MEDICAL_ROLES), "Formulaire de visite", pages::medical::show_visit_form),
        route!(medical post "/appointments/{id}/visit", Roles(MEDICAL_ROLES), "Enregistrement d'une visite", pages::medical::record_visit),
        route!(get "/queues", Roles(QUEUE_READERS), "Files d'attente par équipe ou par professionnel", pages::queues::show_queue),
        route!(get "/workers/{id}/employments/{employment}/explain", Roles(WORKER_READERS), "Explication des obligations d'un salarié", pages::followup::explain_obligations),
        route!(post "/workers/{id}/requests", Roles(REQUEST_RECORDERS), "Demande de visite (pré-reprise, à la demande)", pages::followup::record_request),
        route!(post "/workers/{id}/stoppages", Roles(EDITORS), "Arrêt de travail", pages::followup::record_stoppage),
        route!(post "/workers/{id}/periodicity", Roles(&[Role::Doctor]), "Périodicité fixée par le médecin", pages::followup::set_periodicity),
        route!(post "/workers/{id}/watch", Roles(&[Role::Doctor]), "Liste du médecin des SIS à voir en priorité", pages::followup::set_watch),
        route!(get "/agenda", Roles(AGENDA_KEEPERS), "Agenda du jour ou de la semaine, par professionnel ou par centre", pages::agenda::show_agenda),
        route!(get "/agenda/print", Roles(AGENDA_KEEPERS), "Liste du jour à imprimer", pages::agenda::print_agenda),
        route!(post "/slots", Roles(AGENDA_KEEPERS), "Ajout d'un créneau", pages::agenda::add_slot),
        route!(post "/slots/{id}/block", Roles(AGENDA_KEEPERS), "Blocage ou déblocage d'un créneau", pages::agenda::block_slot),
        route!(get "/slots/{id}/candidates", Roles(AGENDA_KEEPERS), "Salariés pouvant prendre un créneau (remplacement)", pages::agenda::show_candidates),
        route!(post "/slots/{id}/book", Roles(AGENDA_KEEPERS), "Réservation d'un créneau pour un salarié", pages::agenda::book_candidate),
        route!(post "/appointments/{id}/attendance", Roles(AGENDA_KEEPERS), "Présence : venu, absent, excusé", pages::agenda::record_attendance),
        route!(get "/appointments/{id}/move", Roles(AGENDA_KEEPERS), "Choix d'un nouveau créneau", pages::agenda::show_move),
        route!(post "/appointments/{id}/move", Roles(AGENDA_KEEPERS), "Déplacement d'un rendez-vous", pages::agenda::move_appointment),
        route!(post "/appointments/{id}/cancel", Roles(AGENDA_KEEPERS), "Annulation d'un rendez-vous", pages::agenda::cancel_appointment),
        route!(get "/planner", Roles(PLANNERS), "Proposition de planification d'une équipe", pages::planner::show_planner),
        route!(post "/planner/confirm", Roles(PLANNERS), "Confirmation de la planification", pages::planner::confirm_plan),
        route!(get "/outbox", Roles(OUTBOX_READERS), "File d'envoi des messages", pages::messages::show_outbox),
        route!(post "/outbox/{id}/retry", Roles(OUTBOX_READERS), "Nouvel envoi d'un message en échec", pages::messages::retry_message),
        route!(post "/outbox/letters", Roles(OUTBOX_READERS), "Courriers à imprimer (PDF)", pages::messages::print_letters),
        route!(get "/admin/durations", Roles(ADMIN), "Durée des visites (planification)", pages::planner::show_durations),
        route!(post "/admin/durations", Roles(ADMIN), "Modification de la durée des visites", pages::planner::set_durations),
        route!(get "/admin/messages", Roles(ADMIN), "Modèles de messages", pages::messages::show_templates),
        route!(post "/admin/messages/{code}", Roles(ADMIN), "Modification d'un modèle de message", pages::messages::save_template),
        route!(get "/establishments/{id}/fiches", Roles(FE_READERS), "Fiches d'entreprise d'un établissement", pages::fiches::list_fiches),
        route!(post "/establishments/{id}/fiches", Roles(FE_WRITERS), "Nouvelle fiche ou nouvelle version", pages::fiches::start_fiche),
        route!(get "/fiches/{id}", Roles(FE_READERS), "Une fiche d'entreprise", pages::fiches::show_fiche),
        route!(post "/fiches/{id}/units", Roles(FE_WRITERS), "Ajout d'une unité de travail", pages::fiches::add_unit),
        route!(post "/fiches/{id}/units/{unit}/remove", Roles(FE_WRITERS), "Retrait d'une unité de travail", pages::fiches::remove_unit),
        route!(post "/fiches/{id}/recommendations", Roles(FE_WRITERS), "Recommandations du service", pages::fiches::set_recommendations),
        route!(post "/fiches/{id}/finalise", Roles(FE_WRITERS), "Finalisation d'une fiche", pages::fiches::finalise_fiche),
        route!(post "/fiches/{id}/deliver", Roles(FE_WRITERS), "Remise de la fiche à l'employeur", pages::fiches::deliver_fiche),
        route!(get "/fiches/{id}/pdf", Roles(FE_READERS), "PDF d'une fiche remise", pages::fiches::download_fiche),
        route!(get "/establishments/{id}/actions", Roles(FE_READERS), "Actions en milieu de travail d'un établissement", pages::actions::list_establishment_actions),
        route!(post "/establishments/{id}/actions", Roles(FE_WRITERS), "Enregistrement d'une action en milieu de travail", pages::actions::add_action),
        route!(get "/actions/{id}/report", Roles(FE_READERS), "Rapport d'une action", pages::actions::download_report),
        route!(get "/prevention/sessions", Roles(FE_WRITERS), "Actions de sensibilisation", pages::awareness::list_sessions),
        route!(post "/prevention/sessions", Roles(FE_WRITERS), "Planification d'une session de sensibilisation", pages::awareness::create_session),
        route!(get "/prevention/sessions/{id}", Roles(FE_WRITERS), "Une session de sensibilisation", pages::awareness::show_session),
        route!(post "/prevention/sessions/{id}/close", Roles(FE_WRITERS), "Session tenue (présents) ou annulée", pages::awareness::close_session),
        route!(get "/prevention/plan", Roles(FE_WRITERS), "Mon plan d'actions", pages::actions::show_plan),
        route!(get "/programmes", Roles(PROGRAMME_MANAGERS), "Programmes de prévention", pages::programmes::show_programmes),
        route!(post "/programmes", Roles(PROGRAMME_MANAGERS), "Création d'un programme (modèle TMS Pros ou copie)", pages::programmes::create_programme),
        route!(get "/programmes/{id}", Roles(PROGRAMME_MANAGERS), "Un programme : portefeuille et entreprises bloquées", pages::programmes::show_programme),
        route!(post "/programmes/{id}/targets", Roles(PROGRAMME_MANAGERS), "Ciblage d'entreprises par SIRET", pages::programmes::target_companies),
        route!(get "/programmes/{id}/participations/{establishment}", Roles(PROGRAMME_MANAGERS), "Parcours d'une entreprise (service)", pages::programmes::show_participation),
        route!(post "/programmes/{id}/participations/{establishment}/steps/{step}/review", Roles(PROGRAMME_MANAGERS), "Validation ou renvoi d'une étape", pages::programmes::review_step),
        route!(post "/programmes/{id}/criteria", Roles(PROGRAMME_MANAGERS), "Ciblage par code NAF, secteur et taille", pages::programmes::target_by_criteria),
        route!(post "/programmes/{id}/invite", Roles(PROGRAMME_MANAGERS), "Invitation des entreprises ciblées (e-mail)", pages::programme_exchanges::invite_companies),
        route!(post "/programmes/{id}/remind", Roles(PROGRAMME_MANAGERS), "Relance des entreprises bloquées (e-mail)", pages::programme_exchanges::remind_companies),
        route!(post "/programmes/{id}/participations/{establishment}/steps/{step}/comments", Roles(PROGRAMME_MANAGERS), "Commentaire du service sur une étape", pages::programme_exchanges::add_service_comment),
        route!(get "/programmes/{id}/participations/{establishment}/attachments/{attachment}", Roles(PROGRAMME_MANAGERS), "Pièce jointe d'une étape (service)", pages::programme_exchanges::download_service_attachment),
        route!(get "/programmes/{id}/funnel", Roles(FUNNEL_READERS), "Entonnoir d'un programme", pages::programmes::show_funnel),
        route!(get "/programmes/{id}/funnel.xlsx", Roles(FUNNEL_READERS), "Entonnoir d'un programme (XLSX)", pages::programmes::download_funnel_xlsx),
        route!(get "/programmes/{id}/funnel.csv", Roles(FUNNEL_READERS), "Entonnoir d'un programme (CSV)", pages::programmes::download_funnel_csv),
        route!(get "/pdp", Roles(PDP_TEAM), "Dossiers PDP et repérage précoce", pages::pdp::show_pdp),
        route!(post "/workers/{id}/pdp", Roles(PDP_TEAM), "Ouverture d'un dossier PDP", pages::pdp::open_case),
        route!(get "/pdp/{id}", Roles(PDP_TEAM), "Un dossier PDP", pages::pdp::show_case),
        route!(post "/pdp/{id}/items", Roles(PDP_TEAM), "Action de suivi PDP", pages::pdp::add_item),
        route!(post "/pdp/{id}/close", Roles(PDP_TEAM), "Clôture d'un dossier PDP", pages::pdp::close_case),
        route!(medical post "/pdp/{id}/medical-notes", Roles(MEDICAL_ROLES), "Note médicale d'un dossier PDP", pages::pdp::add_medical_note),
        route!(get "/indicators", Roles(KPI_READERS), "Tableau de bord des indicateurs", pages::indicators::show_dashboard),
        route!(get "/indicators/tables/{id}", Roles(KPI_READERS), "Un tableau d'indicateurs", pages::indicators::show_table),
        route!(get "/indicators/tables/{id}/csv", Roles(KPI_READERS), "Un tableau d'indicateurs (CSV)", pages::indicators::download_table_csv),
        route!(get "/indicators/xlsx", Roles(KPI_READERS), "Tous les tableaux d'indicateurs (XLSX)", pages::indicators::download_xlsx),
        route!(get "/indicators/report", Roles(KPI_READERS), "Rapport annuel d'activité (HTML)", pages::indicators::show_report),
        route!(get "/indicators/report/pdf", Roles(KPI_READERS), "Rapport annuel d'activité (PDF)", pages::indicators::download_report_pdf),
        route!(get "/prevention/coverage", Roles(COVERAGE_READERS), "Fiches d'entreprise à établir (couverture)", pages::coverage::show_coverage),
        route!(get "/invoices", Roles(INVOICE_READERS), "Factures", pages::invoices::list_invoices),
        route!(get "/invoices/{id}", Roles(INVOICE_READERS), "Une facture", pages::invoices::show_invoice),
        route!(get "/invoices/{id}/pdf", Roles(INVOICE_READERS), "PDF d'une facture", pages::invoices::download_invoice),
        route!(post "/invoices/{id}/payments", Roles(PAYMENT_RECORDERS), "Enregistrement d'un paiement", pages::invoices::create_payment),
        route!(get "/fees", Roles(INVOICE_READERS), "Barème des cotisations", pages::invoices::show_fees),
        route!(post "/fees", Roles(ADMIN), "Fixation du barème", pages::invoices::set_fees),
        route!(get "/portal", Roles(EMPLOYER), "Portail employeur", pages::portal::show_portal),
        route!(post "/portal/contacts", Roles(EMPLOYER), "Coordonnées de l'établissement", pages::portal::update_portal_contacts),
        route!(get "/portal/declarations/{year}", Roles(EMPLOYER), "Déclaration d'effectif (employeur)", pages::declarations::show_portal_declaration),
        route!(post "/portal/declarations/{year}/open", Roles(EMPLOYER), "Ouverture ou correction (employeur)", pages::declarations::open_portal_declaration),
        route!(post "/portal/declarations/{year}/lines/{employment}", Roles(EMPLOYER), "Expositions d'un salarié (employeur)", pages::declarations::set_portal_line),
        route!(post "/portal/declarations/{year}/lines/{employment}/remove", Roles(EMPLOYER), "Retrait d'un salarié (employeur)", pages::declarations::remove_portal_line),
        route!(post "/portal/declarations/{year}/submit", Roles(EMPLOYER), "Transmission (employeur)", pages::declarations::submit_portal_declaration),
        route!(post "/portal/declarations/{year}/hires", Roles(EMPLOYER), "Embauche (employeur)", pages::declarations::portal_hire),
        route!(post "/portal/declarations/{year}/employments/{employment}/leave", Roles(EMPLOYER), "Sortie (employeur)", pages::declarations::portal_leave),
        route!(post "/portal/dsn", Roles(EMPLOYER), "Proposition de déclaration à partir d'un fichier DSN (employeur)", pages::portability::upload_portal_dsn),
        route!(get "/portal/export", Roles(EMPLOYER), "Export des données de l'établissement (portabilité)", pages::portability::download_portal_export),
        route!(get "/portal/programmes", Roles(EMPLOYER), "Programmes de prévention (employeur)", pages::portal_programmes::list_portal_programmes),
        route!(get "/portal/programmes/{id}", Roles(EMPLOYER), "Parcours d'un programme (employeur)", pages::portal_programmes::show_journey),
        route!(post "/portal/programmes/{id}/profile", Roles(EMPLOYER), "Profil de l'entreprise pour un programme (employeur)", pages::portal_programmes::save_profile),
        route!(post "/portal/programmes/{id}/steps/{step}", Roles(EMPLOYER), "Réponses et transmission d'une étape (employeur)", pages::portal_programmes::save_step),
        route!(post "/portal/programmes/{id}/steps/{step}/comments", Roles(EMPLOYER), "Commentaire de l'entreprise ou du CSE (employeur)", pages::programme_exchanges::add_portal_comment),
        route!(post "/portal/programmes/{id}/steps/{step}/attachments", Roles(EMPLOYER), "Pièce jointe d'une étape (employeur)", pages::programme_exchanges::upload_portal_attachment),
        route!(get "/portal/programmes/{id}/attachments/{attachment}", Roles(EMPLOYER), "Pièce jointe (employeur)", pages::programme_exchanges::download_portal_attachment),
        route!(get "/portal/programmes/{id}/export.csv", Roles(EMPLOYER), "Export de sa participation (employeur)", pages::programme_exchanges::export_portal_participation),
        route!(get "/portal/appointments", Roles(EMPLOYER), "Convocations des salariés (employeur)", pages::messages::show_portal_appointments),
        route!(post "/portal/appointments/{id}/excuse", Roles(EMPLOYER), "Excuse d'un salarié (employeur)", pages::messages::excuse_from_portal),
        route!(get "/portal/documents", Roles(EMPLOYER), "Attestations et avis des salariés (employeur)", pages::medical::list_portal_documents),
        route!(get "/portal/documents/{id}/pdf", Roles(EMPLOYER), "PDF d'une attestation ou d'un avis (employeur)", pages::medical::download_portal_document),
        route!(get "/portal/fiches", Roles(EMPLOYER), "Fiche d'entreprise (employeur)", pages::fiches::list_portal_fiches),
        route!(get "/portal/fiches/{id}/pdf", Roles(EMPLOYER), "PDF de la fiche d'entreprise (employeur)", pages::fiches::download_portal_fiche),
        route!(get "/portal/sessions", Roles(EMPLOYER), "Actions de sensibilisation (employeur)", pages::awareness::list_portal_sessions),
        route!(post "/portal/sessions/{id}/register", Roles(EMPLOYER), "Inscription à une session (employeur)", pages::awareness::register_from_portal),
        route!(get "/portal/invoices", Roles(EMPLOYER), "Factures (employeur)", pages::portal::list_portal_invoices),
        route!(get "/portal/invoices/{id}/pdf", Roles(EMPLOYER), "PDF d'une facture (employeur)", pages::portal::download_portal_invoice),
        route!(get "/api/v1/openapi.json", Public, "Description OpenAPI 3.1 de l'API", api::openapi_document),
        route!(get "/api/v1/me", Roles(ALL), "Utilisateur courant", api::show_me),
        route!(get "/api/v1/sectors", Roles(STAFF), "Secteurs", api::list_sectors),
        route!(get "/api/v1/centres", Roles(STAFF), "Centres", api::list_centres),
        route!(get "/api/v1/establishments", Roles(STAFF), "Recherche des adhérents actifs (q, team, page, per_page)", api::list_establishments),
        route!(get "/api/v1/establishments/{id}", Roles(STAFF), "Un établissement adhérent et son effectif déclaré", api::show_establishment),
        route!(get "/api/v1/teams", Roles(STAFF), "Équipes santé travail", api::list_teams),
        route!(get "/api/v1/professionals", Roles(STAFF), "Professionnels", api::list_professionals),
        route!(get "/api/v1/queues", Roles(QUEUE_READERS), "File d'attente (team, queue, professional, centre, siret, kind, overdue, page)", pages::queues::api_queue),
        route!(get "/api/v1/fiches/coverage", Roles(COVERAGE_READERS), "Fiches d'entreprise à établir (team)", pages::coverage::api_coverage),
        route!(get "/api/v1/agenda", Roles(AGENDA_KEEPERS), "Agenda (professional ou centre, date, view=day|week)", pages::agenda::api_agenda),
        route!(post "/api/v1/tokens", Roles(ALL), "Création d'un jeton d'accès personnel", api::create_token),
        route!(get "/api/v1/audit/verify", Roles(ADMIN), "Vérification de la chaîne d'audit", api::verify_audit),
    ]
}

/// One line of `spsti routes --format json`.
#[derive(Debug, Serialize)]
pub struct RouteDescription {
    pub method: &'static str,
    pub path: &'static str,
    pub roles: Vec<Role>,
    pub medical: bool,
    pub public: bool,
}

pub fn describe_routes() -> Vec<RouteDescription> {
    route_table()
        .into_iter()
        .map(|r| RouteDescription {
            method: r.method,
            path: r.path,
            roles: r.access.roles(),
            medical: r.medical,
            public: r.access == Access::Public,
        })
        .collect()
}

/// The router, each route behind the guard of its access rule.
pub fn build_router(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for spec in route_table() {
        let mut guarded =
            (spec.handler)().route_layer(from_fn_with_state((state.clone(), spec.access), guard));
        if crate::csrf::is_upload(spec.path) {
            guarded = guarded.layer(axum::extract::DefaultBodyLimit::max(
                crate::csrf::UPLOAD_LIMIT,
            ));
        }
        router = router.route(spec.path, guarded);
    }
    router
        .fallback(
            |uri: axum::http::Uri| async move { error_for_path(uri.path(), AppError::NotFound) },
        )
        .with_state(state)
}

/// Checks the route's access rule and puts the principal (or the session) in the request.
async fn guard(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    match authorise(&state, access, &mut request).await {
        Ok(None) => next.run(request).await,
        Ok(Some(redirect)) => redirect.into_response(),
        Err(err) => error_for_path(&path, err),
    }
}

async fn authorise(
    state: &AppState,
    access: Access,
    request: &mut Request,
) -> Result<Option<Redirect>, AppError> {
    let headers = request.headers().clone();
    match access {
        Access::Public => Ok(None),
        Access::SecondFactorStep | Access::Enrolment => {
            let Some(session) = find_session(state, &headers).await? else {
                return Ok(Some(Redirect::to("/login")));
            };
            let allowed = match access {
                Access::SecondFactorStep => session.stage == SessionStage::AwaitingSecondFactor,
                _ => session.stage != SessionStage::AwaitingSecondFactor,
            };
            if !allowed {
                return Ok(Some(Redirect::to(
                    if session.stage == SessionStage::Complete {
                        "/"
                    } else {
                        "/login"
                    },
                )));
            }
            let verified = session.user.totp_enabled && session.stage == SessionStage::Complete;
            request
                .extensions_mut()
                .insert(CurrentUser(principal_of(&session.user, verified)));
            request.extensions_mut().insert(CurrentSession(session));
            Ok(None)
        }
        Access::Roles(roles) => {
            let principal = if let Some(user) = find_bearer_user(state, &headers).await? {
                principal_of(&user, user.totp_enabled)
            } else {
                let Some(session) = find_session(state, &headers).await? else {
                    return Err(AppError::Unauthenticated);
                };
                match session.stage {
                    SessionStage::AwaitingSecondFactor => {
                        return Ok(Some(Redirect::to("/login/2fa")));
                    }
                    SessionStage::MustEnrolSecondFactor => {
                        return Ok(Some(Redirect::to("/account/2fa")));
                    }
                    SessionStage::Complete => {}
                }
                let principal = principal_of(&session.user, session.user.totp_enabled);
                request.extensions_mut().insert(CurrentSession(session));
                principal
            };
            if !roles.contains(&principal.role) {
                state
                    .db()
                    .record_security_event(
                        "forbidden",
                        Some(&principal.login),
                        None,
                        &format!(
                            "{} {} refusé au rôle {}",
                            request.method(),
                            request.uri().path(),
                            principal.role
                        ),
                    )
                    .await?;
                return Err(AppError::Forbidden(String::new()));
            }
            request.extensions_mut().insert(CurrentUser(principal));
            Ok(None)
        }
    }
}
