//! Cost of an issued document: the certificate PDF made when a visit ends with an opinion.

use criterion::{Criterion, criterion_group, criterion_main};
use spsti_notify::pdf::{CertificateDocument, certificate_pdf};

fn certificate(c: &mut Criterion) {
    let doc = CertificateDocument {
        service_name: "Service de prévention et de santé au travail".into(),
        title: "Avis d'aptitude avec mesures d'aménagement".into(),
        worker: "Léa Durand".into(),
        birth_date: "04/05/1990".into(),
        employer: "Boulangerie Martin (SIRET 73282932000074)".into(),
        job_title: "Vendeuse".into(),
        visit: "examen médical d'aptitude périodique".into(),
        visit_date: "04/01/2027".into(),
        professional: "Marie Curie, médecin du travail".into(),
        next_visit: Some("dans 24 mois au plus tard".into()),
        recommendations: "Pas de port de charges de plus de 10 kg. Alterner les tâches debout et assises toutes les deux heures. ".repeat(4),
        contest_notice: domain::medical::CONTEST_NOTICE.into(),
        verification_code: "K7Q2-9XWM-4PAT".into(),
        issued_on: "04/01/2027".into(),
    };
    c.bench_function("certificate_pdf", |b| b.iter(|| certificate_pdf(&doc)));
}

criterion_group!(benches, certificate);
criterion_main!(benches);
