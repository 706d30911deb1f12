//! The only crate that writes SQL. One [`Db`] enum over SQLite (the default) and PostgreSQL;
//! each operation has one query text with `$N` placeholders, valid on both.

mod agenda_views;
mod agendas;
mod appointments;
mod audit;
mod awareness;
mod backup;
mod bulk;
mod db;
mod exchange;
mod followup_facts;
mod indicator_facts;
mod invoices;
mod medical;
mod medical_access;
mod medical_documents;
mod medical_purge;
mod members;
mod migrate;
mod obligations;
mod org;
mod outbox;
mod pdp;
mod planning;
mod prevention_history;
mod programme_followup;
mod programmes;
mod queues;
mod risk_sheets;
mod security;
mod sessions;
mod tokens;
mod users;
mod workforce;
mod workplace_actions;

pub mod test_support;

pub use agenda_views::{AgendaEntry, AgendaOf, Candidate, EstablishmentAppointment};
pub use agendas::{StoredClosure, StoredSlot};
pub use appointments::{AppointmentFacts, Attendance, NewBooking};
pub use audit::{AuditEntry, AuditRecord, ChainReport};
pub use awareness::{AwarenessSession, Registration};
pub use bulk::BulkDeclaration;
pub use db::{Db, DbConfig, StoreError, now};
pub use exchange::{ImportOptions, ImportOutcome, PayrollOutcome, Progress};
pub use followup_facts::{FollowUpSettings, History, PastVisit, VisitRequest, WorkStoppage};
pub use invoices::{Billable, Invoice, InvoiceQuery, NewInvoice, Payment, StoredLine};
pub use medical::{
    FileContext, MedicalEntry, MedicalFile, NewVisit, RecordedVisit, SECTIONS, section_label,
};
pub use medical_access::{MedicalAccess, Trace};
pub use medical_documents::{MedicalAttachment, NewDocument, StoredDocument};
pub use medical_purge::PurgeReport;
pub use members::{ContactEdit, Establishment, EstablishmentEdit, MemberQuery, NewMember};
pub use migrate::{MIGRATIONS, Migration};
pub use org::{NewCentre, NewProfessional, NewTeam};
pub use outbox::{MessageQuery, OutboxCounts, OutboxMessage};
pub use pdp::{PdpCase, Warning};
pub use planning::{PlanningData, RequestFacts, SlotFacts, duration_of};
pub use prevention_history::{PastAction, PastPdpCase, PastSheet, PreventionHistory};
pub use programme_followup::{ProgrammeAttachment, ProgrammeComment};
pub use programmes::{
    NewProgramme, Participation, Programme, StepProgress, StepRef, TargetCriteria,
};
pub use queues::{
    Queue, QueuePage, QueueQuery, QueueRow, RankCount, RefreshReport, SchemaEdition,
    StoredObligation, today,
};
pub use risk_sheets::{CoverageRow, RiskSheet};
pub use security::SecurityEvent;
pub use sessions::{Session, SessionStage};
pub use tokens::ApiToken;
pub use users::{NewUser, PURPOSE_INVITE, PURPOSE_RESET, User};
pub use workforce::{
    CategoryDecision, Declaration, DeclarationLine, DeclarationStatus, Employment, NewEmployment,
    NewWorker, Worker,
};
pub use workplace_actions::WorkplaceAction;

/// Who made a change, as written in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    pub fn system() -> Self {
        Actor("system".into())
    }
}
