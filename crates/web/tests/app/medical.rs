//! The professional's day, recording a visit, the medical file and its reason outside the
//! team, through the pages; medical content never reaches non-medical roles.

use axum::http::StatusCode;
use domain::Role;
use domain::ids::WorkerId;
use store::{Actor, NewBooking};

use crate::agenda::{hire, open_agenda};
use crate::app_test;
use crate::members::{create_member, organisation};

const CANARY: &str = "CANARI-MEDICAL-7731";

app_test!(
    a_nurse_records_a_visit_and_medical_content_stays_medical,
    |app| {
        organisation(app).await;
        let (nurse, _) = open_agenda(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        let worker = hire(app, bakery, "Arnaud", Some("arnaud@example.org")).await;
        let db = &app.db.db;
        let today = store::today();
        let slot = db.list_slots(nurse, today, today).await.unwrap()[0].id;
        let appointment = db
            .book_appointment(
                &Actor("t".into()),
                &NewBooking {
                    slot_id: slot,
                    worker_id: worker,
                    establishment_id: bakery,
                    kind: "VIP_INITIAL".into(),
                    subtype: String::new(),
                    replaces_id: None,
                },
                today,
                &app.state.message_context(),
            )
            .await
            .unwrap();

        let mut ide = app.login_linked(Role::Nurse, Some(nurse)).await;
        let day = ide.get("/my-day").await;
        assert_eq!(day.status, StatusCode::OK);
        assert!(
            day.body
                .contains(&format!("/appointments/{appointment}/visit")),
            "{}",
            day.body
        );
        let form = ide.get(&format!("/appointments/{appointment}/visit")).await;
        assert_eq!(form.status, StatusCode::OK);

        let path = format!("/appointments/{appointment}/visit");
        let fields = |outcome: &'static str, height: &'static str, confirm: bool| {
            let mut f = vec![
                ("kind", "VIP_INITIAL"),
                ("outcome", outcome),
                (
                    "section_findings",
                    "Examen sans particularité CANARI-MEDICAL-7731",
                ),
                ("height_cm", height),
                ("weight_kg", "70,5"),
                ("next_visit_months", "36"),
                ("referral", ""),
                ("duration_min", "20"),
            ];
            if confirm {
                f.push(("confirm_measurements", "1"));
            }
            f
        };
        let opinion = ide.post_form(&path, &fields("fit", "175", false)).await;
        assert_eq!(opinion.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(opinion.body.contains("seul le médecin"), "{}", opinion.body);
        let typo = ide
            .post_form(&path, &fields("follow_up_certificate", "17", false))
            .await;
        assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(typo.body.contains("Je confirme ces valeurs"));
        let saved = ide
            .post_form(&path, &fields("follow_up_certificate", "17", true))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let twice = ide
            .post_form(&path, &fields("follow_up_certificate", "175", false))
            .await;
        assert!(twice.body.contains("déjà enregistrée"), "{}", twice.body);

        let file = ide.get(&format!("/workers/{worker}/medical")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file.body.contains(CANARY));

        // The whole file for the worker (portability), traced like an opening.
        let reads_before = app
            .db
            .db
            .list_medical_access(WorkerId(worker))
            .await
            .unwrap()
            .len();
        let export = ide
            .get(&format!("/workers/{worker}/medical/export.json"))
            .await;
        assert_eq!(export.status, StatusCode::OK);
        let document = export.json();
        assert!(
            document["medical_file"]["entries"]
                .to_string()
                .contains(CANARY)
        );
        assert!(document["worker"]["worker_ref"].is_string());
        assert!(
            document["employments"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        );
        assert!(
            app.db
                .db
                .list_medical_access(WorkerId(worker))
                .await
                .unwrap()
                .len()
                > reads_before
        );

        // Files: a PDF is kept; an executable or a file too large is refused, nothing stored.
        let upload = format!("/workers/{worker}/medical/attachments");
        let fields = [("section", "exams"), ("title", "Audiogramme")];
        let pdf = ide
            .post_file(
                &upload,
                &fields,
                ("file", "audiogramme.pdf", b"%PDF-1.7 CANARI-MEDICAL-7731"),
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
        assert!(pdf.body.contains("Audiogramme"));
        let exe = ide
            .post_file(
                &upload,
                &fields,
                ("file", "audiogramme.pdf", b"MZ\x90\x00 not a pdf"),
            )
            .await;
        assert_eq!(exe.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            exe.body.contains("seuls les PDF et les images PNG ou JPEG"),
            "{}",
            exe.body
        );
        let mut big = b"%PDF-".to_vec();
        big.resize(1024 * 1024 + 10, b'x');
        let too_big = ide
            .post_file(&upload, &fields, ("file", "gros.pdf", &big))
            .await;
        assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            too_big.body.contains("dépasse la taille autorisée"),
            "{}",
            too_big.body
        );
        let listed: Vec<String> = pdf
            .body
            .split(&format!("/workers/{worker}/medical/attachments/"))
            .skip(1)
            .map(|p| p.split('"').next().unwrap().to_string())
            .collect();
        assert_eq!(listed.len(), 1, "only the PDF was stored");
        let downloaded = ide
            .get(&format!(
                "/workers/{worker}/medical/attachments/{}",
                listed[0]
            ))
            .await;
        assert_eq!(
            downloaded.headers.get("content-type").unwrap(),
            "application/pdf"
        );
        assert!(downloaded.body.contains(CANARY));
        assert!(file.body.contains("attestation de suivi"));

        // Non-medical roles: refused on the medical routes, and the canary nowhere else.
        for role in [
            Role::Admin,
            Role::Assistant,
            Role::Director,
            Role::Preventer,
            Role::Employer,
        ] {
            let mut client = app.login_as(role).await;
            let refused = client.get(&format!("/workers/{worker}/medical")).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role:?}");
            for page in [
                format!("/workers/{worker}"),
                format!("/agenda?professional={nurse}"),
                "/portal/appointments".to_string(),
                "/outbox".to_string(),
                format!("/api/v1/agenda?professional={nurse}"),
            ] {
                let response = client.get(&page).await;
                assert!(
                    !response.body.contains(CANARY),
                    "{role:?} saw the canary on {page}"
                );
            }
        }

        // A doctor of no team must give a reason; it is traced with the file.
        let mut other = app.login_as(Role::Doctor).await;
        let asked = other.get(&format!("/workers/{worker}/medical")).await;
        assert_eq!(asked.status, StatusCode::FORBIDDEN);
        assert!(asked.body.contains("indiquez le motif"));
        let short = other
            .post_form(
                &format!("/workers/{worker}/medical"),
                &[("reason", "urgent")],
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        let opened = other
            .post_form(
                &format!("/workers/{worker}/medical"),
                &[("reason", "Remplacement de l'infirmier en congé")],
            )
            .await;
        assert_eq!(opened.status, StatusCode::OK);
        assert!(opened.body.contains(CANARY));
        let traces = db.list_medical_access(WorkerId(worker)).await.unwrap();
        assert!(traces.iter().any(|t| t.justification.as_deref() == Some("Remplacement de l'infirmier en congé")));
        assert!(traces.iter().filter(|t| t.action == "read").count() >= 2);
    }
);

/// A doctor of EST-1 with a 30-minute slot today at the first centre.
pub(crate) async fn doctor_slot(app: &crate::helpers::TestApp) -> (i64, i64) {
    let db = &app.db.db;
    let actor = Actor("t".into());
    let doctor = db
        .upsert_professional(
            &actor,
            &store::NewProfessional {
                reference: "MED1".into(),
                last_name: "Curie".into(),
                first_name: "Marie".into(),
                role: domain::org::ProfessionalRole::Doctor,
                team: Some("EST-1".into()),
                email: None,
            },
        )
        .await
        .unwrap()
        .0;
    let centre = db.list_centres().await.unwrap()[0].id.0;
    let start = chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap();
    let hours: Vec<domain::agenda::OpeningHours> = [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ]
    .into_iter()
    .map(|weekday| domain::agenda::OpeningHours {
        weekday,
        start,
        end: chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        slot_minutes: 30,
    })
    .collect();
    db.set_opening_hours(&actor, doctor, centre, &hours)
        .await
        .unwrap();
    let slot = db
        .add_manual_slot(&actor, doctor, centre, store::today(), start, 30)
        .await
        .unwrap();
    (doctor, slot)
}

app_test!(
    a_doctor_issues_an_opinion_the_employer_reads_it_without_medical_content,
    |app| {
        organisation(app).await;
        open_agenda(app).await;
        let (doctor, slot) = doctor_slot(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        let worker = hire(app, bakery, "Arnaud", Some("arnaud@example.org")).await;
        let appointment = app
            .db
            .db
            .book_appointment(
                &Actor("t".into()),
                &NewBooking {
                    slot_id: slot,
                    worker_id: worker,
                    establishment_id: bakery,
                    kind: "EMA_HIRE".into(),
                    subtype: String::new(),
                    replaces_id: None,
                },
                store::today(),
                &app.state.message_context(),
            )
            .await
            .unwrap();
        let mut med = app.login_linked(Role::Doctor, Some(doctor)).await;
        let path = format!("/appointments/{appointment}/visit");
        let mut fields = vec![
            ("kind", "EMA_HIRE"),
            ("outcome", "fit_with_adjustments"),
            (
                "section_findings",
                "Lombalgie chronique CANARI-MEDICAL-7731",
            ),
            ("referral", ""),
            ("duration_min", "30"),
        ];
        let missing = med.post_form(&path, &fields).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.body.contains("Recommandations"), "{}", missing.body);
        fields.push(("recommendations", "Pas de port de charges de plus de 10 kg"));
        let saved = med.post_form(&path, &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

        let mut boss = app.login_as(Role::Employer).await;
        let list = boss.get("/portal/documents").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body
                .contains("Avis d&#39;aptitude avec mesures d&#39;aménagement"),
            "{}",
            list.body
        );
        assert!(!list.body.contains(CANARY));
        let id: String = list
            .body
            .split("/portal/documents/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_string();
        let pdf = boss.get(&format!("/portal/documents/{id}/pdf")).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.body.starts_with("%PDF-"));
        assert!(!pdf.body.contains(CANARY), "the opinion holds no finding");
        assert!(
            pdf.body
                .contains("(Pas de port de charges de plus de 10 kg)")
        );
        // Anyone holding the document checks its code.
        let code = list
            .body
            .split("<td>")
            .filter(|c| c.len() > 14 && c.as_bytes()[4] == b'-')
            .map(|c| c[..14].to_string())
            .next()
            .unwrap();
        let verified = app.client().get(&format!("/verify?code={code}")).await;
        assert!(
            verified.body.contains("Document authentique"),
            "{}",
            verified.body
        );
        let unknown = app.client().get("/verify?code=AAAA-BBBB-CCCC").await;
        assert!(unknown.body.contains("Aucun document"));
        // The document went to the worker and the employer through the outbox.
        let messages = app
            .db
            .db
            .list_messages(&store::MessageQuery {
                appointment_id: Some(appointment),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            messages.iter().filter(|m| m.document_id.is_some()).count(),
            2
        );
    }
);
