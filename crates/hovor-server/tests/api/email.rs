//! The e-mail channel against real servers (issue 15): an e-mail delivered
//! to the company's mailbox becomes a session offered to the operator with
//! e-mail switched on; a reply to it joins the same thread; the operator's
//! answer reaches the client's mailbox with the thread's headers, and one
//! that fails to send is retried, never dropped; an IMAP server killed and
//! started again loses nothing, and a message read again after a crash is
//! stored once.

use std::time::Duration;

use hovor_core::{Channel, Role};
use hovor_server::mail::connect::MailTls;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::mail::MailServers;
use crate::harness::{
    ask_and_answer, eventually, test_config, Backend, Client, TestApp, TestUser, START,
};

const SUPPORT: &str = "support@acme.test";

/// Each scenario once on SQLite and once on PostgreSQL, with the mail
/// servers (`with_mail`).
macro_rules! with_mail_servers {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            use crate::harness::Backend;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::with_mail(Backend::Sqlite, super::$name).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::with_mail(Backend::Postgres, super::$name).await;
            }
        }
    )+};
}

with_mail_servers!(
    an_email_becomes_a_thread,
    attachments_go_both_ways,
    a_follow_up_goes_to_the_thread_operator,
    a_server_killed_mid_fetch,
    a_chat_transcript_is_emailed_once,
);

mod a_server_without_idle_is_polled {
    use crate::harness::Backend;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::polled(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::polled(Backend::Postgres).await;
    }
}

/// A mail server without IDLE: Hovor asks it for new mail now and then
/// (every 300 ms here, 30 s by default), and a new e-mail arrives.
async fn polled(backend: Backend) {
    let Some(mut mail) = MailServers::start_with(
        &[
            "support@acme.test:podpora-heslo",
            "karel@example.test:karlovo-heslo",
        ],
        &["--no-idle"],
    ) else {
        return;
    };
    let config = hovor_server::state::Config {
        mail_tls: MailTls::new(Some(&mail.ca)).expect("the test CA"),
        mail_poll_every: Duration::from_millis(300),
        ..test_config()
    };
    let Some(app) = TestApp::spawn_with(backend, config).await else {
        return;
    };
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (_, tomas) = email_operator(&app, &c, "Tomáš").await;
    let mut ws = tomas.ws(None).await;
    let inbox = support_inbox(&app, &admin, &mail).await;
    eventually("the inbox reports ok", || async {
        inbox_state(&admin, &inbox).await["state"] == "ok"
    })
    .await;
    mail.deliver(
        SUPPORT,
        &message("polled@example.test", "Dotaz", "", "Jste tam?"),
    );
    let offer = ws
        .next_of_within("session.offered", Duration::from_secs(30))
        .await;
    assert_eq!(
        offer["data"]["session"]["client"]["email"],
        "karel@example.test"
    );
}

/// Runs `scenario` with the mail servers and an app that trusts their CA
/// (returns quietly when either is absent: the harness says so loudly).
async fn with_mail<F>(backend: Backend, scenario: F)
where
    F: for<'a> AsyncFnOnce(&'a TestApp, &'a mut MailServers),
{
    let Some(mut mail) = MailServers::start(&[
        "support@acme.test:podpora-heslo",
        "karel@example.test:karlovo-heslo",
    ]) else {
        return;
    };
    let config = hovor_server::state::Config {
        mail_tls: MailTls::new(Some(&mail.ca)).expect("the test CA"),
        ..test_config()
    };
    let Some(app) = TestApp::spawn_with(backend, config).await else {
        return;
    };
    scenario(&app, &mut mail).await;
}

/// An operator with e-mail (and nothing else), logged in.
async fn email_operator(
    app: &TestApp,
    company: &hovor_store::Company,
    name: &str,
) -> (TestUser, Client) {
    let u = app.user(company, name, Role::Operator).await;
    app.store()
        .assign_channels(&company.id, &u.id, &[(Channel::Email, 5)], None, START)
        .await
        .expect("assign e-mail")
        .into_unpublished();
    let tab = app.login(&u).await;
    (u, tab)
}

/// `POST /sessions/{id}/{step}` (accept, end), which must succeed.
async fn session_step(tab: &Client, id: &str, step: &str) {
    let r = tab
        .send(Method::POST, &format!("/api/v1/sessions/{id}/{step}"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.body);
}

fn message(id: &str, subject: &str, extra: &str, body: &str) -> String {
    format!(
        "From: Karel Klient <karel@example.test>\n\
         To: {SUPPORT}\n\
         Subject: {subject}\n\
         Message-ID: <{id}>\n\
         Date: Mon, 05 Jan 2026 09:00:00 +0100\n\
         {extra}\
         Content-Type: text/plain; charset=utf-8\n\
         \n\
         {body}\n"
    )
}

/// The next `message.created` whose text has `part` (others skipped).
/// (Reading a mailbox on a loaded machine may take a while: 30 s each.)
async fn message_saying(ws: &mut crate::harness::Ws, part: &str) -> Value {
    loop {
        let m = ws
            .next_of_within("message.created", Duration::from_secs(30))
            .await;
        if m["data"]["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(part))
        {
            return m;
        }
    }
}

async fn inbox_state(admin: &Client, id: &str) -> Value {
    admin.get(&format!("/api/v1/inboxes/{id}")).await.body
}

async fn an_email_becomes_a_thread(app: &TestApp, mail: &mut MailServers) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (_, tomas) = email_operator(app, &c, "Tomáš").await;
    let mut ws = tomas.ws(None).await;

    // One unread message waits before the inbox is set up.
    mail.deliver(
        SUPPORT,
        &message(
            "first@example.test",
            "Objednávka 42",
            "",
            "Dobrý den,\nkde je moje zásilka?",
        ),
    );
    let inbox = support_inbox(app, &admin, mail).await;

    // It is read over TLS (verified against the test CA), becomes an
    // e-mail session and is offered to Tomáš.
    let offer = ws.next_of("session.offered").await;
    let session = offer["data"]["session"].clone();
    assert_eq!(session["channel"], "email");
    assert_eq!(session["source"], "email");
    assert_eq!(session["client"]["email"], "karel@example.test");
    assert_eq!(session["client"]["name"], "Karel Klient");
    let id = session["id"].as_str().expect("session id").to_owned();
    eventually("the inbox reports ok", || async {
        inbox_state(&admin, &inbox).await["state"] == "ok"
    })
    .await;
    session_step(&tomas, &id, "accept").await;
    let emails = tomas
        .get(&format!("/api/v1/sessions/{id}/emails"))
        .await
        .body;
    assert_eq!(emails["items"][0]["subject"], "Objednávka 42");
    assert_eq!(emails["items"][0]["direction"], "in");
    assert_eq!(emails["items"][0]["message_id"], "first@example.test");
    let messages = tomas
        .get(&format!("/api/v1/sessions/{id}/messages"))
        .await
        .body;
    assert_eq!(messages["items"][0]["author"], "client");
    assert!(
        messages["items"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("kde je moje zásilka?")),
        "{messages}"
    );

    // Karel writes again, replying to his first e-mail: IDLE brings it in
    // at once, into the same conversation.
    mail.deliver(
        SUPPORT,
        &message(
            "second@example.test",
            "Re: Objednávka 42",
            "In-Reply-To: <first@example.test>\nReferences: <first@example.test>\n",
            "Ještě jsem zapomněl: číslo 42.",
        ),
    );
    let more = message_saying(&mut ws, "číslo 42").await;
    assert_eq!(more["data"]["session_id"], id.as_str());

    // Tomáš answers by e-mail (a chat message would never reach Karel).
    let r = tomas
        .post(
            &format!("/api/v1/sessions/{id}/messages"),
            json!({"text": "Hned to zjistím."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "answer_by_email");
    let r = tomas
        .post(
            &format!("/api/v1/sessions/{id}/email-reply"),
            json!({"text": "Dobrý den,\nzásilka 42 je na cestě.\n.\nTomáš"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["email"]["send_state"], "pending");
    assert_eq!(r.body["email"]["subject"], "Re: Objednávka 42");
    assert_eq!(r.body["message"]["author"], "operator");
    let reply_id = r.body["email"]["message_id"]
        .as_str()
        .expect("id")
        .to_owned();
    hovor_server::services::email_sender::tick(&app.state)
        .await
        .expect("send");
    // The workspace hears it went out, without asking.
    let changed = ws.next_of("email.send_state_changed").await;
    assert_eq!(changed["data"]["session_id"], id.as_str());
    assert_eq!(changed["data"]["email"]["message_id"], reply_id.as_str());
    assert_eq!(changed["data"]["email"]["send_state"], "sent");
    let inbox_mail = mail.received("karel@example.test");
    assert_eq!(inbox_mail.len(), 1, "{inbox_mail:?}");
    let got = &inbox_mail[0];
    assert!(got.contains(&format!("Message-ID: <{reply_id}>")), "{got}");
    assert!(got.contains("In-Reply-To: <second@example.test>"), "{got}");
    assert!(
        got.contains("<first@example.test>") && got.contains("References:"),
        "{got}"
    );
    assert!(got.contains("support@acme.test"), "{got}");
    let read = hovor_server::mail::parse::incoming(got.as_bytes(), START);
    assert_eq!(
        read.text.replace("\r\n", "\n"),
        "Dobrý den,\nzásilka 42 je na cestě.\n.\nTomáš",
        "a lone dot survives"
    );
    // Beside the text, the same as HTML.
    let html = mail_parser::MessageParser::default()
        .parse(got.as_bytes())
        .and_then(|m| m.body_html(0).map(|h| h.replace("\r\n", "\n")))
        .expect("an HTML part");
    assert!(
        html.contains("<p>Dobrý den,<br>\nzásilka 42 je na cestě.<br>\n.<br>\nTomáš</p>"),
        "{html}"
    );
    assert_eq!(read.to, vec!["karel@example.test".to_owned()]);
    let emails = tomas
        .get(&format!("/api/v1/sessions/{id}/emails"))
        .await
        .body;
    assert_eq!(emails["items"][2]["direction"], "out");
    assert_eq!(emails["items"][2]["send_state"], "sent");

    // Karel answers Hovor's reply: the same thread again.
    mail.deliver(
        SUPPORT,
        &message(
            "fourth@example.test",
            "Re: Re: Objednávka 42",
            &format!("In-Reply-To: <{reply_id}>\n"),
            "Děkuji!",
        ),
    );
    let thanks = message_saying(&mut ws, "Děkuji!").await;
    assert_eq!(thanks["data"]["session_id"], id.as_str());

    // The SMTP server cannot be reached: the reply waits and says why, and
    // goes out when it can.
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/inboxes/{inbox}"),
            Some(
                json!({"smtp": {"host": "127.0.0.1", "port": 9, "security": "none",
                                 "username": SUPPORT}}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = tomas
        .post(
            &format!("/api/v1/sessions/{id}/email-reply"),
            json!({"text": "Rádo se stalo."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    hovor_server::services::email_sender::tick(&app.state)
        .await
        .expect("a failed send is no error");
    let changed = ws.next_of("email.send_state_changed").await;
    assert_eq!(changed["data"]["email"]["send_state"], "pending");
    assert!(
        changed["data"]["email"]["send_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{changed}"
    );
    let emails = tomas
        .get(&format!("/api/v1/sessions/{id}/emails"))
        .await
        .body;
    let last = &emails["items"][4];
    assert_eq!(last["send_state"], "pending", "{emails}");
    assert!(
        last["send_error"].as_str().is_some_and(|e| !e.is_empty()),
        "{last}"
    );
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/inboxes/{inbox}"),
            Some(
                json!({"smtp": {"host": "127.0.0.1", "port": mail.smtp_port, "security": "none",
                                 "username": SUPPORT}}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    hovor_server::services::email_sender::tick(&app.state)
        .await
        .expect("tick");
    assert_eq!(
        mail.received("karel@example.test").len(),
        1,
        "not before its retry time"
    );
    app.clock.advance_ms(61_000);
    hovor_server::services::email_sender::tick(&app.state)
        .await
        .expect("tick");
    assert_eq!(mail.received("karel@example.test").len(), 2);
    let emails = tomas
        .get(&format!("/api/v1/sessions/{id}/emails"))
        .await
        .body;
    assert_eq!(emails["items"][4]["send_state"], "sent", "{emails}");

    // The IMAP server dies and comes back; meanwhile a third e-mail, with
    // no threading headers but the same subject, arrives. Nothing is lost.
    mail.command("stop-imap");
    eventually("the inbox reports the failure", || async {
        inbox_state(&admin, &inbox).await["state"] == "failing"
    })
    .await;
    let why = inbox_state(&admin, &inbox).await["last_error"].clone();
    assert!(why.as_str().is_some_and(|w| !w.is_empty()), "{why}");
    mail.deliver(
        SUPPORT,
        &message("third@example.test", "RE: objednávka 42", "", "Haló?"),
    );
    mail.command("start-imap");
    let third = tokio::time::timeout(Duration::from_secs(30), message_saying(&mut ws, "Haló?"))
        .await
        .expect("the third e-mail after the server came back");
    assert_eq!(third["data"]["session_id"], id.as_str());
    eventually("the inbox reports ok again", || async {
        inbox_state(&admin, &inbox).await["state"] == "ok"
    })
    .await;

    // A node that stored e-mails but died before it noted them read reads
    // them again: each is stored once.
    let folder = app
        .store()
        .inbox(&c.id, &inbox)
        .await
        .expect("read")
        .expect("inbox");
    let validity = folder.uid_validity.expect("known");
    app.store()
        .set_inbox_cursor(&inbox, validity, 0)
        .await
        .expect("rewind");
    // An admin's change (the same server, now over STARTTLS) makes the
    // reader start over, from the rewound cursor.
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/inboxes/{inbox}"),
            Some(
                json!({"imap": {"host": "127.0.0.1", "port": mail.imap_port, "security": "starttls",
                                 "username": SUPPORT}}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "connecting");
    hovor_server::services::inbox_readers::tick(&app.state)
        .await
        .expect("a readers' tick");
    eventually("read again over STARTTLS", || async {
        let state = inbox_state(&admin, &inbox).await;
        state["state"] == "ok" && state["imap"]["security"] == "starttls"
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let emails = tomas
        .get(&format!("/api/v1/sessions/{id}/emails"))
        .await
        .body;
    assert_eq!(
        emails["items"].as_array().map(Vec::len),
        Some(6),
        "{emails}"
    );
    let messages = tomas
        .get(&format!("/api/v1/sessions/{id}/messages"))
        .await
        .body;
    assert_eq!(
        messages["items"].as_array().map(Vec::len),
        Some(6),
        "{messages}"
    );
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM sessions WHERE channel = 'email'")
            .await,
        1
    );
}

/// Sets up the demo-like inbox `support@acme.test` over IMAPS and plain
/// SMTP, and starts reading it; its id.
async fn support_inbox(app: &TestApp, admin: &Client, mail: &MailServers) -> String {
    let r = admin
        .post(
            "/api/v1/inboxes",
            json!({
                "name": "Podpora", "address": SUPPORT,
                "imap": {"host": "127.0.0.1", "port": mail.imaps_port, "security": "tls",
                         "username": SUPPORT, "password": "podpora-heslo"},
                "smtp": {"host": "127.0.0.1", "port": mail.smtp_port, "security": "none",
                         "username": SUPPORT, "password": "podpora-heslo"},
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    hovor_server::services::inbox_readers::tick(&app.state)
        .await
        .expect("a readers' tick");
    r.body["id"].as_str().expect("id").to_owned()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    text.as_bytes()
        .chunks(76)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// Files in and out of an e-mail thread, through the real servers: a
/// client's e-mail with a picture, a PDF and a file larger than Hovor
/// keeps, in windows-1250; a malformed one that still reads; the operator
/// sends a PDF back, and a renamed program or an oversized file is refused.
async fn attachments_go_both_ways(app: &TestApp, mail: &mut MailServers) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (tomas_user, tomas) = email_operator(app, &c, "Tomáš").await;
    let stranger = app.login(&app.user(&c, "Jana", Role::Operator).await).await;
    let mut ws = tomas.ws(None).await;
    let big = vec![b'x'; hovor_core::files::MAX_FILE_BYTES + 1];
    // "Dobrý den, posílám fotku." in windows-1250.
    let body_1250: &[u8] = b"Dobr\xfd den, pos\xedl\xe1m fotku.";
    let raw = format!(
        "From: Karel Klient <karel@example.test>\n\
         To: {SUPPORT}\n\
         Subject: =?windows-1250?Q?Rozbit=FD_hrnek?=\n\
         Message-ID: <photo@example.test>\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"XX\"\n\
         \n\
         --XX\n\
         Content-Type: text/plain; charset=windows-1250\n\
         Content-Transfer-Encoding: base64\n\
         \n\
         {}\n\
         --XX\n\
         Content-Type: image/png\n\
         Content-Disposition: attachment; filename=\"hrnek.png\"\n\
         Content-Transfer-Encoding: base64\n\
         \n\
         {}\n\
         --XX\n\
         Content-Type: application/pdf\n\
         Content-Disposition: attachment; filename*=UTF-8''%C3%BA%C4%8Dtenka.pdf\n\
         Content-Transfer-Encoding: base64\n\
         \n\
         {}\n\
         --XX\n\
         Content-Type: application/octet-stream\n\
         Content-Disposition: attachment; filename=\"video.bin\"\n\
         Content-Transfer-Encoding: base64\n\
         \n\
         {}\n\
         --XX--\n",
        b64(body_1250),
        b64(PNG),
        b64(PDF),
        b64(&big),
    );
    mail.deliver(SUPPORT, &raw);
    support_inbox(app, &admin, mail).await;
    // A 15 MB e-mail: read over TLS, parsed and hashed, which takes a while
    // on a loaded machine.
    let offer = ws
        .next_of_within("session.offered", Duration::from_secs(60))
        .await;
    let id = offer["data"]["session"]["id"]
        .as_str()
        .expect("session id")
        .to_owned();
    session_step(&tomas, &id, "accept").await;
    let emails = tomas
        .get(&format!("/api/v1/sessions/{id}/emails"))
        .await
        .body;
    let first = &emails["items"][0];
    assert_eq!(first["subject"], "Rozbitý hrnek");
    assert!(
        first["text"]
            .as_str()
            .is_some_and(|t| t.contains("Dobrý den, posílám fotku.")),
        "{first}"
    );
    let files = first["attachments"].as_array().expect("attachments");
    let by_name = |name: &str| -> Value {
        files
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {files:?}"))
    };
    let png = by_name("hrnek.png");
    assert_eq!(png["content_type"], "image/png");
    assert_eq!(png["available"], true);
    let pdf = by_name("účtenka.pdf");
    assert_eq!(pdf["content_type"], "application/pdf");
    let video = by_name("video.bin");
    assert_eq!(video["available"], false, "larger than Hovor keeps");
    assert_eq!(video["size"], big.len());

    // The picture is shown, the PDF downloaded, the big file explained.
    let at = |f: &Value| {
        format!(
            "/api/v1/sessions/{id}/attachments/{}",
            f["id"].as_str().expect("id")
        )
    };
    let (status, headers, bytes) = tomas.download(&at(&png)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    assert_eq!(headers["content-type"], "image/png");
    assert!(headers["content-disposition"]
        .to_str()
        .is_ok_and(|d| d.starts_with("inline")));
    let (status, headers, bytes) = tomas.download(&at(&pdf)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert!(headers["content-disposition"]
        .to_str()
        .is_ok_and(|d| d.starts_with("attachment") && d.contains("%C3%BA%C4%8Dtenka.pdf")));
    let r = tomas.get(&at(&video)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["code"], "file_not_kept");
    // Only those who may read the conversation fetch its files.
    let (status, _, _) = stranger.download(&at(&png)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let other = app.company("other").await;
    let outsider = app
        .login(&app.user(&other, "Cizí", Role::Admin).await)
        .await;
    let (status, _, _) = outsider.download(&at(&png)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Uploads: the bytes decide, and size is limited.
    let upload = |name: &str| format!("/api/v1/sessions/{id}/attachments?name={name}");
    let r = tomas
        .upload(
            &upload("faktura.pdf"),
            b"\x7fELF\x02\x01\x01\0\0\0".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "unsupported_file_type");
    let r = tomas.upload(&upload("big.pdf"), big.clone()).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "file_too_large");
    let r = stranger.upload(&upload("x.pdf"), PDF.to_vec()).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "not hers to see: {}",
        r.body
    );
    let r = tomas
        .upload(&upload("../../Nab%C3%ADdka.pdf"), PDF.to_vec())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["name"], "Nabídka.pdf");
    assert_eq!(r.body["content_type"], "application/pdf");
    let offer_pdf = r.body["id"].as_str().expect("id").to_owned();
    let r = tomas
        .post(
            &format!("/api/v1/sessions/{id}/email-reply"),
            json!({"text": "Posílám nabídku.", "attachments": ["att_nonexistent"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "unknown_attachment");
    let r = tomas
        .post(
            &format!("/api/v1/sessions/{id}/email-reply"),
            json!({"text": "Posílám **nabídku**:\n- cena\n- termín", "attachments": [offer_pdf]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["email"]["attachments"][0]["name"], "Nabídka.pdf");
    // Sent once: the same upload cannot go out again.
    let r = tomas
        .post(
            &format!("/api/v1/sessions/{id}/email-reply"),
            json!({"text": "Ještě jednou.", "attachments": [offer_pdf]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    hovor_server::services::email_sender::tick(&app.state)
        .await
        .expect("send");
    let got = mail.received("karel@example.test");
    assert_eq!(got.len(), 1, "{got:?}");
    let read = hovor_server::mail::parse::read(got[0].as_bytes(), START);
    assert_eq!(read.email.attachments.len(), 1, "{:?}", read.email);
    assert_eq!(read.email.attachments[0].name, "Nabídka.pdf");
    assert_eq!(read.email.attachments[0].content_type, "application/pdf");
    assert_eq!(read.files[0].1, PDF);
    assert!(read.email.text.contains("Posílám **nabídku**:"));
    let html = mail_parser::MessageParser::default()
        .parse(got[0].as_bytes())
        .and_then(|m| m.body_html(0).map(|h| h.replace("\r\n", "\n")))
        .expect("an HTML part");
    assert!(
        html.contains("Posílám <strong>nabídku</strong>:") && html.contains("<li>cena</li>"),
        "{html}"
    );

    // An e-mail larger than Hovor reads (31 MB) is stored as its headers
    // and a note saying where the rest is.
    let video = vec![7u8; 23 * 1024 * 1024];
    mail.deliver(
        SUPPORT,
        &format!(
            "From: Karel Klient <karel@example.test>\n\
             To: {SUPPORT}\n\
             Subject: Re: Rozbitý hrnek\n\
             In-Reply-To: <photo@example.test>\n\
             Message-ID: <huge@example.test>\n\
             Content-Type: multipart/mixed; boundary=\"V\"\n\
             \n\
             --V\n\
             Content-Type: video/mp4\n\
             Content-Disposition: attachment; filename=\"hrnek.mp4\"\n\
             Content-Transfer-Encoding: base64\n\
             \n\
             {}\n\
             --V--\n",
            b64(&video)
        ),
    );
    let huge = message_saying(&mut ws, "otevřete ho ve schránce").await;
    assert_eq!(huge["data"]["session_id"], id.as_str());
    let text = huge["data"]["message"]["text"].as_str().unwrap_or_default();
    assert!(text.contains("Tento e-mail má 31 MB"), "{text}");
    assert!(text.contains("This e-mail is 31 MB"), "{text}");

    // A malformed e-mail (its parts never close) and one in an unknown
    // charset are stored as something an operator can read.
    mail.deliver(
        SUPPORT,
        "From: Karel Klient <karel@example.test>\n\
         To: support@acme.test\n\
         Subject: Re: Rozbitý hrnek\n\
         In-Reply-To: <photo@example.test>\n\
         Message-ID: <broken@example.test>\n\
         Content-Type: multipart/mixed; boundary=\"NEVER\"\n\
         \n\
         --NEVER\n\
         Content-Type: text/plain\n\
         \n\
         Posílám to znovu, snad to dojde.\n",
    );
    let broken = message_saying(&mut ws, "snad to dojde").await;
    assert_eq!(broken["data"]["session_id"], id.as_str());
    mail.deliver(
        SUPPORT,
        "From: Karel Klient <karel@example.test>\n\
         To: support@acme.test\n\
         Subject: Re: Rozbitý hrnek\n\
         In-Reply-To: <photo@example.test>\n\
         Message-ID: <charset@example.test>\n\
         Content-Type: text/plain; charset=x-no-such-charset\n\
         \n\
         Hello in a charset nobody knows.\n",
    );
    let odd = message_saying(&mut ws, "nobody knows").await;
    assert_eq!(odd["data"]["session_id"], id.as_str());

    // An upload no reply took is forgotten after a day.
    let r = tomas.upload(&upload("zapomenuto.pdf"), PDF.to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let forgotten = r.body["id"].as_str().expect("id").to_owned();
    app.clock
        .advance_ms(hovor_server::services::upload_janitor::KEEP_UNSENT_MS + 1);
    hovor_server::services::upload_janitor::tick(&app.state)
        .await
        .expect("a janitor's tick");
    // (A day later every login has run out: a supervisor looks.)
    let supervisor = app
        .login(&app.user(&c, "Vedoucí", Role::Supervisor).await)
        .await;
    let r = supervisor
        .get(&format!("/api/v1/sessions/{id}/attachments/{forgotten}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // The files that went out stay.
    let (status, _, bytes) = supervisor.download(&at(&pdf)).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));
    let tomas = app.login(&tomas_user).await;

    // A long reply fits (100,000 characters, more than the API's usual
    // body), one character more is refused with the reason.
    let long = "ž".repeat(100_000);
    let r = tomas
        .post(
            &format!("/api/v1/sessions/{id}/email-reply"),
            json!({ "text": long }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = tomas
        .post(
            &format!("/api/v1/sessions/{id}/email-reply"),
            json!({ "text": format!("{long}ž") }),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "message_too_long");
}

/// The newest e-mail session once it is offered: its id and to whom.
async fn offered_email_session(admin: &Client, not: &[&str]) -> (String, String) {
    let mut found = None;
    for _ in 0..100 {
        let list = admin
            .get("/api/v1/sessions?channel=email&status=offered")
            .await
            .body;
        found = list["items"].as_array().and_then(|items| {
            items
                .iter()
                .find(|s| !not.contains(&s["id"].as_str().unwrap_or_default()))
                .map(|s| {
                    (
                        s["id"].as_str().unwrap_or_default().to_owned(),
                        s["offered_to"].as_str().unwrap_or_default().to_owned(),
                    )
                })
        });
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    found.expect("an e-mail session offered within 10 s")
}

/// A client's follow-up to a thread whose conversation ended goes to the
/// operator who answered it, even when a colleague has waited longer for
/// work; when that operator is away, to the colleague (it binds nobody).
async fn a_follow_up_goes_to_the_thread_operator(app: &TestApp, mail: &mut MailServers) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (tomas_user, tomas) = email_operator(app, &c, "Tomáš").await;
    let tomas_id = tomas_user.id;
    let (eva, eva_tab) = email_operator(app, &c, "Eva").await;
    let _tomas_ws = tomas.ws(None).await;
    let _eva_ws = eva_tab.ws(None).await;
    let tabs = [
        (tomas_id.clone(), tomas.clone()),
        (eva.id.clone(), eva_tab.clone()),
    ];
    let tab_of = |id: &str| {
        tabs.iter()
            .find(|(op, _)| op == id)
            .map(|(_, tab)| tab.clone())
            .expect("one of the two")
    };

    mail.deliver(
        SUPPORT,
        &message("order@example.test", "Objednávka 7", "", "Kdy to dorazí?"),
    );
    support_inbox(app, &admin, mail).await;
    let (first, owner) = offered_email_session(&admin, &[]).await;
    let colleague = if owner == tomas_id {
        eva.id.clone()
    } else {
        tomas_id.clone()
    };
    let owner_tab = tab_of(&owner);
    session_step(&owner_tab, &first, "accept").await;
    let r = owner_tab
        .post(
            &format!("/api/v1/sessions/{first}/email-reply"),
            json!({"text": "Zítra."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let reply_id = r.body["email"]["message_id"]
        .as_str()
        .expect("id")
        .to_owned();
    session_step(&owner_tab, &first, "end").await;

    // The colleague has waited longer for work, yet the follow-up goes to
    // the operator who answered.
    mail.deliver(
        SUPPORT,
        &message(
            "order-2@example.test",
            "Re: Objednávka 7",
            &format!("In-Reply-To: <{reply_id}>\n"),
            "A v kolik?",
        ),
    );
    let (second, to) = offered_email_session(&admin, &[&first]).await;
    assert_ne!(second, first, "a new conversation for the ended thread");
    assert_eq!(to, owner, "the thread's operator first");
    let session = admin.get(&format!("/api/v1/sessions/{second}")).await.body;
    assert_eq!(session["preferred_operator_id"], owner.as_str());
    session_step(&owner_tab, &second, "accept").await;
    session_step(&owner_tab, &second, "end").await;

    // Away, the thread's operator is passed over: the colleague gets it.
    owner_tab.set_status(&owner, "away", None).await;
    mail.deliver(
        SUPPORT,
        &message(
            "order-3@example.test",
            "Re: Objednávka 7",
            "In-Reply-To: <order-2@example.test>\n",
            "Haló?",
        ),
    );
    let (third, to) = offered_email_session(&admin, &[&first, &second]).await;
    assert_eq!(
        to, colleague,
        "nobody is bound to the away operator: {third}"
    );
}

/// A dozen large e-mails wait; the IMAP server is SIGKILLed as soon as the
/// first is stored, in the middle of fetching the rest, and started again.
/// Every e-mail ends up stored once, with its attachment.
async fn a_server_killed_mid_fetch(app: &TestApp, mail: &mut MailServers) {
    const COUNT: usize = 12;
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (_, tomas) = email_operator(app, &c, "Tomáš").await;
    let mut ws = tomas.ws(None).await;
    for n in 0..COUNT {
        // 1.5 MB each, so that fetching them all takes a while.
        let file: Vec<u8> = (0..1_500_000u32)
            .map(|i| (i % 251) as u8 ^ n as u8)
            .collect();
        let raw = format!(
            "From: Karel Klient <karel@example.test>\n\
             To: {SUPPORT}\n\
             Subject: Faktury\n\
             Message-ID: <invoice-{n}@example.test>\n\
             MIME-Version: 1.0\n\
             Content-Type: multipart/mixed; boundary=\"F\"\n\
             \n\
             --F\n\
             Content-Type: text/plain; charset=utf-8\n\
             \n\
             Faktura číslo {n}.\n\
             --F\n\
             Content-Type: application/octet-stream\n\
             Content-Disposition: attachment; filename=\"faktura-{n}.bin\"\n\
             Content-Transfer-Encoding: base64\n\
             \n\
             {}\n\
             --F--\n",
            b64(&file)
        );
        mail.deliver(SUPPORT, &raw);
    }
    support_inbox(app, &admin, mail).await;
    // The first is in: the server dies while the others are being read.
    ws.next_of_within("session.offered", Duration::from_secs(60))
        .await;
    mail.command("stop-imap");
    let stored_when_killed = app
        .count_rows("SELECT COUNT(*) FROM emails WHERE direction = 'in'")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    mail.command("start-imap");
    for _ in 0..600 {
        let stored = app
            .count_rows("SELECT COUNT(*) FROM emails WHERE direction = 'in'")
            .await;
        if stored >= COUNT as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A moment more: anything read twice would show now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stored = app
        .count_rows("SELECT COUNT(*) FROM emails WHERE direction = 'in'")
        .await;
    assert_eq!(
        stored, COUNT as i64,
        "each e-mail once ({stored_when_killed} were stored when the server died)"
    );
    assert!(
        stored_when_killed < COUNT as i64,
        "the server died before everything was read"
    );
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM messages WHERE author = 'client'")
            .await,
        COUNT as i64
    );
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM attachments WHERE sha256 IS NOT NULL")
            .await,
        COUNT as i64
    );
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM sessions WHERE channel = 'email'")
            .await,
        1,
        "one thread"
    );
}

/// A client who gave their e-mail gets the transcript of their chat once,
/// from the company's mailbox, after it ended; a client without an address,
/// or a conversation still running, is told why.
async fn a_chat_transcript_is_emailed_once(app: &TestApp, mail: &mut MailServers) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 3).await;
    let _ws = tabs[0].ws(None).await;
    let (id, token) = app
        .start_session(
            json!({"company": "acme", "channel": "chat", "name": "Karel",
                              "email": "karel@example.test"}),
        )
        .await;
    let client = app.anonymous().bearer(&token);
    let send = |lang: &str| {
        let client = &client;
        let path = format!("/api/v1/client/sessions/{id}/transcript/email");
        let body = json!({"lang": lang, "tz": "Europe/Prague"});
        async move { client.post(&path, body).await }
    };
    ask_and_answer(
        &id,
        &client,
        &tabs[0],
        "Dobrý den, kolik stojí hrnek?",
        "Stojí 120 Kč.",
    )
    .await;
    let r = send("cs").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "not_ended_yet");
    tabs[0]
        .post(&format!("/api/v1/sessions/{id}/end"), json!({}))
        .await;
    // No mailbox yet: nothing can go.
    let r = send("cs").await;
    assert_eq!(r.body["error"]["code"], "no_inbox", "{}", r.body);
    support_inbox(app, &admin, mail).await;

    // Two at once (a double click): one e-mail.
    let (a, b) = tokio::join!(send("cs"), send("cs"));
    let mut codes = [a.status, b.status];
    codes.sort();
    assert_eq!(
        codes,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} {}",
        a.body,
        b.body
    );
    let sent = if a.status == StatusCode::OK { &a } else { &b };
    assert_eq!(sent.body["sent_to"], "karel@example.test");
    let got = mail.received("karel@example.test");
    assert_eq!(got.len(), 1, "{got:?}");
    let parsed = mail_parser::MessageParser::default()
        .parse(got[0].as_bytes())
        .expect("an e-mail");
    assert_eq!(parsed.subject(), Some("Vaše konverzace s Company acme"));
    assert_eq!(
        parsed
            .from()
            .and_then(|f| f.first())
            .and_then(|a| a.address()),
        Some(SUPPORT)
    );
    let text = parsed
        .body_text(0)
        .expect("a text body")
        .replace("\r\n", "\n");
    assert!(
        text.contains("Karel: Dobrý den, kolik stojí hrnek?"),
        "{text}"
    );
    assert!(text.contains("Jana: Stojí 120 Kč."), "{text}");
    let r = send("en").await;
    assert_eq!(
        r.body["error"]["code"], "transcript_already_sent",
        "{}",
        r.body
    );
    assert_eq!(mail.received("karel@example.test").len(), 1, "once");

    // A client who gave no address is told so.
    let (other, other_token) = app.start_chat("acme", "Eva").await;
    tabs[0]
        .post(&format!("/api/v1/sessions/{other}/accept"), json!({}))
        .await;
    tabs[0]
        .post(&format!("/api/v1/sessions/{other}/end"), json!({}))
        .await;
    let r = app
        .anonymous()
        .bearer(&other_token)
        .post(
            &format!("/api/v1/client/sessions/{other}/transcript/email"),
            json!({}),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "no_email", "{}", r.body);
}
