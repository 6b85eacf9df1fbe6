//! Inboxes (issue 15): admins set where the company's e-mail is read and
//! sent from; passwords go in and never come out, and are stored sealed.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(admins_manage_inboxes_whose_passwords_are_sealed);

fn inbox_body(address: &str) -> Value {
    json!({
        "name": "Podpora",
        "address": address,
        "imap": {"host": "imap.example.com", "port": 993, "security": "tls",
                 "username": "podpora@acme.test", "password": "imap-heslo-123"},
        "smtp": {"host": "smtp.example.com", "port": 587, "security": "starttls",
                 "username": "podpora@acme.test", "password": "smtp-heslo-456"},
    })
}

async fn admins_manage_inboxes_whose_passwords_are_sealed(app: TestApp) {
    let c = app.company("acme").await;
    let other = app.company("other").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let stranger = app
        .login(&app.user(&other, "Stranger", Role::Admin).await)
        .await;

    let r = boss
        .post("/api/v1/inboxes", inbox_body("podpora@acme.test"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = admin
        .post("/api/v1/inboxes", inbox_body(" Podpora@ACME.test "))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().expect("id").to_owned();
    assert_eq!(r.body["address"], "podpora@acme.test");
    assert_eq!(r.body["imap"]["folder"], "INBOX");
    assert_eq!(r.body["state"], "connecting");
    assert_eq!(r.body["active"], true);
    let text = r.body.to_string();
    assert!(!text.contains("heslo"), "no password in the answer: {text}");
    // At rest: sealed, never the plain password.
    let plain = app
        .count_rows("SELECT COUNT(*) FROM inboxes WHERE imap_password LIKE '%heslo%' OR smtp_password LIKE '%heslo%'")
        .await;
    assert_eq!(plain, 0);
    let sealed = app
        .count_rows("SELECT COUNT(*) FROM inboxes WHERE imap_password LIKE 'v1:%' AND smtp_password LIKE 'v1:%' AND imap_password <> smtp_password")
        .await;
    assert_eq!(sealed, 1);

    // Refusals change nothing.
    let r = admin
        .post("/api/v1/inboxes", inbox_body("podpora@acme.test"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "inbox_address_taken");
    let mut bad = inbox_body("jinam@acme.test");
    bad["imap"]["host"] = json!("imap://x.cz/");
    let r = admin.post("/api/v1/inboxes", bad).await;
    assert_eq!(r.body["error"]["code"], "invalid_host", "{}", r.body);
    let mut bad = inbox_body("jinam@acme.test");
    bad["smtp"]["password"] = Value::Null;
    let r = admin.post("/api/v1/inboxes", bad).await;
    assert_eq!(r.body["error"]["code"], "invalid_password", "{}", r.body);
    let mut bad = inbox_body("jinam@acme.test");
    bad["group_id"] = json!("grp_nope");
    let r = admin.post("/api/v1/inboxes", bad).await;
    assert_eq!(r.body["error"]["code"], "unknown_group", "{}", r.body);
    let mut bad = inbox_body("jinam@acme.test");
    bad["imap"]["security"] = json!("ssl3");
    let r = admin.post("/api/v1/inboxes", bad).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = admin.get("/api/v1/inboxes").await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));

    // Another company sees none of it.
    let path = format!("/api/v1/inboxes/{id}");
    assert_eq!(stranger.get(&path).await.status, StatusCode::NOT_FOUND);
    let r = stranger
        .send(Method::PATCH, &path, Some(json!({"name": "Mine"})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger.send(Method::DELETE, &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger.get("/api/v1/inboxes").await.body["items"],
        json!([])
    );

    // A change of name keeps the passwords; a new password is sealed anew
    // and the inbox is read afresh.
    let before = sealed_imap(&app).await;
    let r = admin
        .send(
            Method::PATCH,
            &path,
            Some(json!({"name": "Zákaznická podpora"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["name"], "Zákaznická podpora");
    assert_eq!(sealed_imap(&app).await, before);
    let r = admin
        .send(
            Method::PATCH,
            &path,
            Some(json!({"imap": {"host": "mail.example.com", "port": 143, "security": "starttls",
                                 "username": "podpora", "password": "nové-heslo", "folder": "Podpora"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["imap"]["host"], "mail.example.com");
    assert_eq!(r.body["imap"]["folder"], "Podpora");
    assert_eq!(r.body["state"], "connecting");
    assert_ne!(sealed_imap(&app).await, before);

    let r = admin.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&path).await.status, StatusCode::NOT_FOUND);
    // Its address is free again.
    let r = admin
        .post("/api/v1/inboxes", inbox_body("podpora@acme.test"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// The stored IMAP password's length: a name change keeps it, a new
/// (shorter) password changes it.
async fn sealed_imap(app: &TestApp) -> i64 {
    app.count_rows("SELECT COALESCE(SUM(LENGTH(imap_password)), 0) FROM inboxes")
        .await
}
