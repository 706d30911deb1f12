//! The outbox against a real local SMTP server (Debian `python3-aiosmtpd`, writing a
//! Maildir) that is stopped and restarted in the middle of a batch: every message arrives,
//! none is lost, and each carries the Message-ID stored in the outbox.

use std::collections::HashSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::messages::{Channel, NewMessage, Purpose};
use spsti_notify::outbox::{LogSmsGateway, OutboxWorker};
use spsti_notify::{Mailer, SmtpConfig};
use store::MessageQuery;
use store::test_support::TestDb;

fn aiosmtpd_available() -> bool {
    let found = Command::new("/usr/bin/python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !found && std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but python3-aiosmtpd is not installed: the SMTP test cannot run");
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(port: u16, maildir: &Path) -> Child {
    let child = Command::new("/usr/bin/python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .spawn()
        .expect("aiosmtpd starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "aiosmtpd did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// The Message-ID of every message in the Maildir (duplicates kept).
fn received_ids(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter_map(|text| {
            text.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .map(|l| l["message-id:".len()..].trim().to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restarted_mid_batch_loses_no_message() {
    if !aiosmtpd_available() {
        eprintln!("python3-aiosmtpd not installed: skipped outside CI");
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let maildir: PathBuf = std::env::temp_dir().join(format!("spsti-smtp-{nanos}"));
    let port = free_port();
    let mut server = start_server(port, &maildir);

    let t = TestDb::sqlite().await;
    const COUNT: usize = 400;
    let messages: Vec<NewMessage> = (0..COUNT)
        .map(|i| NewMessage {
            channel: Channel::Email,
            recipient: format!("salarie{i}@example.org"),
            subject: format!("Convocation {i}"),
            body: "Bonjour,\nvous êtes convoqué(e).\n".into(),
            calendar: Some("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n".into()),
            purpose: Purpose::Convocation,
            appointment_id: None,
            establishment_id: None,
            dedup_key: None,
            document_id: None,
        })
        .collect();
    t.db.enqueue_messages(&messages).await.unwrap();

    let mailer = Mailer::smtp(&SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        credentials: None,
        from: "SPSTI <no-reply@spsti.localhost>".into(),
    })
    .unwrap();
    let worker = OutboxWorker::new(t.db.clone(), mailer, Arc::new(LogSmsGateway));
    let sender = tokio::spawn(worker.run(Duration::from_millis(200)));

    // Stop the server once part of the batch has arrived, then start it again.
    let started = Instant::now();
    while received_ids(&maildir).len() < 50 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no message arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let during_outage = t.db.outbox_counts().await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut server = start_server(port, &maildir);

    let started = Instant::now();
    loop {
        let counts = t.db.outbox_counts().await.unwrap();
        if counts.sent as usize == COUNT {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not all sent: {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    sender.abort();
    server.kill().unwrap();
    server.wait().unwrap();

    assert!(
        (during_outage.sent as usize) < COUNT,
        "the server stopped in the middle of the batch: {during_outage:?}"
    );
    let stored: Vec<String> =
        t.db.list_messages(&MessageQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.message_id)
        .collect();
    let received: HashSet<String> = received_ids(&maildir).into_iter().collect();
    let missing: Vec<&String> = stored.iter().filter(|id| !received.contains(*id)).collect();
    assert!(missing.is_empty(), "lost: {missing:?}");
    assert_eq!(
        received.len(),
        COUNT,
        "every message once, recognisable by its Message-ID"
    );
    let failed = t.db.outbox_counts().await.unwrap().failed;
    assert_eq!(failed, 0);
    let _ = std::fs::remove_dir_all(&maildir);
    t.drop_db().await;
}

#[tokio::test]
async fn an_invalid_address_is_marked_failed_with_the_reason_and_the_rest_is_sent() {
    let t = TestDb::sqlite().await;
    let message = |to: &str| NewMessage {
        channel: Channel::Email,
        recipient: to.into(),
        subject: "Convocation".into(),
        body: "Bonjour".into(),
        calendar: None,
        purpose: Purpose::Convocation,
        appointment_id: None,
        establishment_id: None,
        dedup_key: None,
        document_id: None,
    };
    let sms = NewMessage {
        channel: Channel::Sms,
        recipient: "0612345678".into(),
        ..message("")
    };
    t.db.enqueue_messages(&[
        message("pas une adresse"),
        message("jeanne@example.org"),
        sms,
    ])
    .await
    .unwrap();
    let mailer = Mailer::memory();
    let worker = OutboxWorker::new(t.db.clone(), mailer.clone(), Arc::new(LogSmsGateway));
    let report = worker.send_due().await.unwrap();
    assert_eq!((report.sent, report.failed, report.retried), (2, 1, 0));
    assert_eq!(mailer.sent().len(), 1);
    let failed =
        t.db.list_messages(&MessageQuery {
            status: Some("failed".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("adresse e-mail invalide « pas une adresse »")
    );
    assert_eq!(
        worker.send_due().await.unwrap(),
        Default::default(),
        "nothing left due"
    );
    t.drop_db().await;
}
