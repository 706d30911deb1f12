use super::*;

fn notice() -> AppointmentNotice {
    AppointmentNotice {
        appointment_id: 42,
        establishment_id: 7,
        worker_name: "Jeanne Martin".into(),
        worker_email: Some("jeanne@example.org".into()),
        worker_mobile: Some("0612345678".into()),
        establishment_name: "Boulangerie Dupont".into(),
        establishment_email: Some("rh@dupont.example".into()),
        establishment_address: "3 rue des Lilas, 69003 Lyon".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
        time: "09:30".into(),
        duration_min: 20,
        centre_name: "Centre Lyon Part-Dieu".into(),
        centre_address: "10 rue Garibaldi, 69003 Lyon".into(),
        role: "nurse".into(),
        professional_name: "Paul Durand".into(),
        kind: "VIP_INITIAL".into(),
        subtype: String::new(),
        previous: None,
        revision: 0,
    }
}

fn context() -> MessageContext {
    MessageContext {
        service_name: "SPSTI du Rhône".into(),
        excuse_delay_hours: 48,
        no_show_fee: None,
    }
}

#[test]
fn a_convocation_goes_to_the_worker_and_the_employer_with_the_calendar() {
    let messages = compose(
        &Templates::default(),
        &context(),
        &notice(),
        Purpose::Convocation,
    );
    assert_eq!(messages.len(), 2);
    let worker = &messages[0];
    assert_eq!(worker.channel, Channel::Email);
    assert_eq!(worker.recipient, "jeanne@example.org");
    assert!(
        worker.subject.contains("08/12/2026 à 09 h 30"),
        "{}",
        worker.subject
    );
    for expected in [
        "Bonjour Jeanne Martin",
        "visite d'information et de prévention initiale",
        "infirmier Paul Durand",
        "Centre Lyon Part-Dieu, 10 rue Garibaldi, 69003 Lyon",
        "pièce d'identité",
        "48 heures avant",
    ] {
        assert!(worker.body.contains(expected), "missing « {expected} »");
    }
    let ics = worker.calendar.as_deref().expect("an iCalendar attachment");
    assert!(ics.contains("BEGIN:VEVENT"));
    assert!(ics.contains("UID:appointment-42@spsti"));
    // 09:30 in Paris in December is 08:30 UTC.
    assert!(ics.contains("DTSTART:20261208T083000Z"), "{ics}");
    assert!(ics.contains("DTEND:20261208T085000Z"), "{ics}");
    let employer = &messages[1];
    assert_eq!(employer.recipient, "rh@dupont.example");
    assert!(
        employer
            .body
            .contains("portail employeur au plus tard 48 heures")
    );
    assert!(!employer.body.contains('{'), "{}", employer.body);
}

#[test]
fn a_worker_without_e_mail_gets_a_letter_at_the_establishment() {
    let mut notice = notice();
    notice.worker_email = None;
    let messages = compose(
        &Templates::default(),
        &context(),
        &notice,
        Purpose::Convocation,
    );
    assert_eq!(messages[0].channel, Channel::Letter);
    assert!(
        messages[0]
            .recipient
            .starts_with("Jeanne Martin\naux bons soins de Boulangerie Dupont")
    );
    assert_eq!(messages[0].calendar, None);
}

#[test]
fn a_reminder_goes_by_e_mail_and_sms_to_the_worker_once() {
    let messages = compose(
        &Templates::default(),
        &context(),
        &notice(),
        Purpose::Reminder,
    );
    let channels: Vec<Channel> = messages.iter().map(|m| m.channel).collect();
    assert_eq!(channels, [Channel::Email, Channel::Sms]);
    assert_eq!(
        messages[0].dedup_key.as_deref(),
        Some("reminder:42:0:email")
    );
    assert!(messages[1].body.len() < 200, "an SMS stays short");
}

#[test]
fn a_cancellation_cancels_the_calendar_event_and_a_move_names_both_dates() {
    let cancelled = compose(
        &Templates::default(),
        &context(),
        &notice(),
        Purpose::Cancelled,
    );
    assert!(
        cancelled[0]
            .calendar
            .as_deref()
            .unwrap()
            .contains("METHOD:CANCEL")
    );
    let mut moved = notice();
    moved.previous = Some((
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        "14:00".into(),
    ));
    moved.revision = 1;
    let messages = compose(&Templates::default(), &context(), &moved, Purpose::Moved);
    assert!(messages[0].body.contains("prévu le 01/12/2026 à 14 h 00"));
    assert!(
        messages[0]
            .calendar
            .as_deref()
            .unwrap()
            .contains("SEQUENCE:1")
    );
}

#[test]
fn a_no_show_tells_the_employer_only_with_the_fee() {
    let mut context = context();
    context.no_show_fee = Some("25,00 €".into());
    let messages = compose(&Templates::default(), &context, &notice(), Purpose::NoShow);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].recipient, "rh@dupont.example");
    assert!(messages[0].body.contains("frais d'absence de 25,00 €"));
}

#[test]
fn paris_time_follows_summer_time() {
    let at = |y, m, d, h| {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    };
    let utc = |y, m, d, h| at(y, m, d, h).and_utc();
    assert_eq!(paris_to_utc(at(2026, 12, 8, 9)), utc(2026, 12, 8, 8));
    assert_eq!(paris_to_utc(at(2026, 7, 1, 9)), utc(2026, 7, 1, 7));
    // 2027: summer time from Sunday 28 March to Sunday 31 October.
    assert_eq!(paris_to_utc(at(2027, 3, 27, 9)), utc(2027, 3, 27, 8));
    assert_eq!(paris_to_utc(at(2027, 3, 29, 9)), utc(2027, 3, 29, 7));
    assert_eq!(paris_to_utc(at(2027, 10, 30, 9)), utc(2027, 10, 30, 7));
    assert_eq!(paris_to_utc(at(2027, 11, 1, 9)), utc(2027, 11, 1, 8));
}
