//! Files in chats, both ways: the company's kinds and size hold, what a
//! file is is read from its bytes, only the conversation's participants
//! fetch them, and a file message is a message like any other (ordered,
//! resent idempotently, replayed on reconnect, in the transcript).

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(
    files_go_both_ways_to_the_participants_only,
    the_company_sets_the_kinds_and_the_size,
);

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

fn file_of(message: &Value) -> &Value {
    &message["attachments"][0]
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

async fn files_go_both_ways_to_the_participants_only(app: TestApp) {
    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana", "Petr"], 3).await;
    let jana = &tabs[0];
    let petr = &tabs[1];
    let _ws = jana.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let client = app.anonymous().bearer(&token);
    let mut client_ws = app.client_ws(&token, None).await;

    // The client sends a photo while waiting: a message of its own.
    let send = |q: &str| format!("/api/v1/client/sessions/{id}/files?{q}");
    let r = client
        .upload(
            &send("name=rozbit%C3%BD%20hrnek.png&client_msg_id=f1"),
            PNG.to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["author"], "client");
    assert_eq!(r.body["text"], "");
    let photo = file_of(&r.body).clone();
    assert_eq!(photo["name"], "rozbitý hrnek.png");
    assert_eq!(photo["content_type"], "image/png");
    assert_eq!(photo["size"], PNG.len());
    let photo_seq = r.body["seq"].as_i64().expect("seq");
    // Sent again (a retry after a lost answer): the same message, once.
    let r = client
        .upload(
            &send("name=rozbit%C3%BD%20hrnek.png&client_msg_id=f1"),
            PNG.to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["seq"], photo_seq);
    assert_eq!(file_of(&r.body)["id"], photo["id"]);
    let event = client_ws.next_of("message.created").await;
    assert_eq!(file_of(&event["data"]["message"])["id"], photo["id"]);

    let r = jana
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Jana sees it among the messages and fetches it: a picture, shown.
    let r = jana.get(&format!("/api/v1/sessions/{id}/messages")).await;
    let listed: Vec<&Value> = r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| !m["attachments"].as_array().expect("attachments").is_empty())
        .collect();
    assert_eq!(listed.len(), 1, "one file message: {}", r.body);
    let at = |who: &str, f: &Value| format!("/api/v1/{who}sessions/{id}/attachments/{}", id_of(f));
    let (status, headers, bytes) = jana.download(&at("", &photo)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    assert_eq!(headers["content-type"], "image/png");
    assert!(headers["content-disposition"]
        .to_str()
        .is_ok_and(|d| d.starts_with("inline")));

    // Jana sends a PDF; the client hears it and downloads it (never shown).
    let r = jana
        .upload(
            &format!("/api/v1/sessions/{id}/files?name=nab%C3%ADdka.pdf"),
            PDF.to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["author"], "operator");
    assert_eq!(r.body["operator_name"], "Jana");
    let offer = file_of(&r.body).clone();
    let event = client_ws.next_of("message.created").await;
    assert_eq!(file_of(&event["data"]["message"])["name"], "nabídka.pdf");
    let (status, headers, bytes) = client.download(&at("client/", &offer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"]
        .to_str()
        .is_ok_and(|d| d.starts_with("attachment") && d.contains("nab%C3%ADdka.pdf")));
    let (status, _, bytes) = client.download(&at("client/", &photo)).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PNG));

    // Only the participants: not a colleague who does not hold it, not
    // another client, not another company.
    let (status, _, _) = petr.download(&at("", &offer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (other, other_token) = app.start_chat("acme", "Eva").await;
    let stranger = app.anonymous().bearer(&other_token);
    let (status, _, _) = stranger.download(&at("client/", &offer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another client's file");
    let (status, _, _) = stranger
        .download(&format!(
            "/api/v1/client/sessions/{other}/attachments/{}",
            id_of(&offer)
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a file of another session");
    let (status, _, _) = app.anonymous().download(&at("client/", &offer)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let other_company = app.company("other").await;
    let outsider = app
        .login(&app.user(&other_company, "Cizí", Role::Admin).await)
        .await;
    let (status, _, _) = outsider.download(&at("", &offer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Petr cannot send into Jana's chat.
    let r = petr
        .upload(
            &format!("/api/v1/sessions/{id}/files?name=x.pdf"),
            PDF.to_vec(),
        )
        .await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::CONFLICT),
        "{} {}",
        r.status,
        r.body
    );

    // The bytes decide: a program called a PDF, an SVG, and text (not among
    // the default kinds) are refused; so is an empty file.
    let r = client
        .upload(
            &send("name=faktura.pdf"),
            b"\x7fELF\x02\x01\x01\0\0\0".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "unsupported_file_type");
    let r = client
        .upload(
            &send("name=a.svg"),
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let r = client
        .upload(&send("name=a.csv"), b"a;b\n1;2\n".to_vec())
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let r = client.upload(&send("name=a.png"), Vec::new()).await;
    assert_eq!(r.body["error"]["code"], "empty_file", "{}", r.body);
    // Larger than 10 MB.
    let big = [PNG, &vec![0u8; 10 * 1024 * 1024]].concat();
    let r = client.upload(&send("name=big.png"), big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "file_too_large");
    // Refused files left no message.
    let r = client
        .get(&format!("/api/v1/client/sessions/{id}/messages"))
        .await;
    let with_files = r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| !m["attachments"].as_array().expect("attachments").is_empty())
        .count();
    assert_eq!(with_files, 2, "{}", r.body);

    // Clearing away unsent e-mail uploads leaves chat files alone.
    app.store()
        .forget_unsent_uploads(i64::MAX, 100)
        .await
        .expect("forget");
    let (status, _, _) = client.download(&at("client/", &offer)).await;
    assert_eq!(status, StatusCode::OK);

    // A reconnecting client is told the file message again.
    let mut again = app.client_ws(&token, Some(0)).await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let event = again.next_of("message.created").await;
        seen.push(file_of(&event["data"]["message"])["name"].clone());
    }
    assert_eq!(seen, [json!("rozbitý hrnek.png"), json!("nabídka.pdf")]);

    // The transcript names the files.
    let (_, _, text) = client
        .download(&format!("/api/v1/client/sessions/{id}/transcript?lang=cs"))
        .await;
    let text = String::from_utf8(text).expect("utf-8");
    assert!(
        text.contains("Karel: [soubor: rozbitý hrnek.png]"),
        "{text}"
    );
    assert!(text.contains("Jana: [soubor: nabídka.pdf]"), "{text}");

    // Once the conversation has ended, nothing more is sent.
    jana.post(&format!("/api/v1/sessions/{id}/end"), json!({}))
        .await;
    let r = client.upload(&send("name=late.png"), PNG.to_vec()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // …but what was sent stays the client's to fetch.
    let (status, _, _) = client.download(&at("client/", &offer)).await;
    assert_eq!(status, StatusCode::OK);
}

async fn the_company_sets_the_kinds_and_the_size(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 3).await;
    let _ws = tabs[0].ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let client = app.anonymous().bearer(&token);
    let send = |name: &str| format!("/api/v1/client/sessions/{id}/files?name={name}");
    let settings = |body: Value| {
        let admin = &admin;
        async move {
            admin
                .send(Method::PATCH, "/api/v1/company/settings", Some(body))
                .await
        }
    };
    let r = admin.get("/api/v1/company/settings").await;
    assert_eq!(
        r.body["chat_file_kinds"],
        json!(["images", "pdf", "office"]),
        "{}",
        r.body
    );
    assert_eq!(r.body["chat_file_max_mb"], 10);

    // Pictures and text only, at most 1 MB.
    let r = settings(json!({"chat_file_kinds": ["text", "images"], "chat_file_max_mb": 1})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["chat_file_kinds"], json!(["images", "text"]));
    let r = client.upload(&send("a.csv"), b"a;b\n1;2\n".to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(file_of(&r.body)["content_type"], "text/csv");
    let r = client.upload(&send("a.pdf"), PDF.to_vec()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let big = [PNG, &vec![0u8; 1024 * 1024]].concat();
    let r = client.upload(&send("big.png"), big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("1 MB")),
        "{}",
        r.body
    );
    // Out of range.
    let r = settings(json!({"chat_file_max_mb": 26})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = settings(json!({"chat_file_kinds": ["programs"]})).await;
    assert!(r.status.is_client_error(), "{}", r.body);

    // No files at all.
    let r = settings(json!({"chat_file_kinds": []})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = client.upload(&send("a.png"), PNG.to_vec()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "files_off");
    // The client sees what the company takes (the widget offers it).
    let view = client.get(&format!("/api/v1/client/sessions/{id}")).await;
    assert_eq!(view.body["files"]["kinds"], json!([]), "{}", view.body);
    settings(json!({"chat_file_kinds": ["images"], "chat_file_max_mb": 5})).await;
    let view = client.get(&format!("/api/v1/client/sessions/{id}")).await;
    assert_eq!(
        view.body["files"],
        json!({"kinds": ["images"], "max_mb": 5}),
        "{}",
        view.body
    );
}
