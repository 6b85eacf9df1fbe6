//! Invitations: single use for operators, reusable from the API, exactly
//! once under concurrent redemption, bound to their operator.

use hovor_core::{Channel, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{TestApp, START};
use crate::on_both_stores;

on_both_stores!(
    a_hundred_simultaneous_redemptions,
    an_invitation_connects_to_its_operator_only_and_its_pages_tell_the_truth,
);

async fn redeem_many(app: &TestApp, code: &str, n: usize) -> (usize, usize) {
    let attempts = (0..n).map(|_| {
        let anon = app.anonymous();
        let path = format!("/api/v1/client/invitations/{code}/redeem");
        async move { anon.send(Method::POST, &path, None).await }
    });
    let replies = futures_util::future::join_all(attempts).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let gone = replies
        .iter()
        .filter(|r| r.status == StatusCode::GONE && r.body["error"]["code"] == "invitation_used")
        .count();
    (created, gone)
}

async fn a_hundred_simultaneous_redemptions(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let tab = app.login(&jana).await;
    let single = tab.post("/api/v1/invitations", json!({})).await;
    assert_eq!(single.status, StatusCode::CREATED, "{}", single.body);
    let code = single.body["code"].as_str().expect("code").to_owned();
    assert_eq!(redeem_many(&app, &code, 100).await, (1, 99));
    let sessions = app
        .store()
        .sessions(&c.id, &Default::default(), 500)
        .await
        .expect("sessions");
    assert_eq!(sessions.len(), 1, "exactly one session");

    let key = app.api_key(&c).await;
    let api = app.with_api_key(&key);
    let reusable = api
        .post(
            "/api/v1/invitations",
            json!({"operator_id": jana.id, "label": "newsletter"}),
        )
        .await;
    assert_eq!(reusable.status, StatusCode::CREATED, "{}", reusable.body);
    assert_eq!(reusable.body["reusable"], true);
    assert_eq!(reusable.body["created_by"], "api");
    let code = reusable.body["code"].as_str().expect("code").to_owned();
    assert_eq!(redeem_many(&app, &code, 100).await, (100, 0));
    let id = reusable.body["id"].as_str().expect("id");
    assert_eq!(
        api.get(&format!("/api/v1/invitations/{id}")).await.body["uses"],
        100
    );

    let r = api
        .send(
            Method::POST,
            &format!("/api/v1/invitations/{id}/invalidate"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["invalidated_at"].is_string());
    let again = api
        .send(
            Method::POST,
            &format!("/api/v1/invitations/{id}/invalidate"),
            None,
        )
        .await;
    assert_eq!(
        again.body["invalidated_at"], r.body["invalidated_at"],
        "idempotent"
    );
    let r = app
        .anonymous()
        .send(
            Method::POST,
            &format!("/api/v1/client/invitations/{code}/redeem"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.body["error"]["code"], "invitation_invalidated");
    assert_eq!(
        app.store()
            .sessions(&c.id, &Default::default(), 500)
            .await
            .expect("sessions")
            .len(),
        101
    );
}

async fn an_invitation_connects_to_its_operator_only_and_its_pages_tell_the_truth(app: TestApp) {
    let c = app.company("acme").await;
    let mut users = Vec::new();
    for name in ["Jana", "Tomas"] {
        let u = app.user(&c, name, Role::Operator).await;
        app.store()
            .assign_channels(&c.id, &u.id, &[(Channel::Chat, 3)], None, START)
            .await
            .expect("assign")
            .into_unpublished();
        users.push(u);
    }
    let jana = app.login(&users[0]).await;
    let tomas = app.login(&users[1]).await;
    let mut tomas_ws = tomas.ws(None).await;

    let r = jana
        .post("/api/v1/invitations", json!({"operator_id": users[1].id}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "an operator invites for themself only"
    );
    let r = app
        .with_api_key(&app.api_key(&c).await)
        .post("/api/v1/invitations", json!({}))
        .await;
    assert_eq!(r.body["error"]["code"], "operator_id_required");
    let inv = jana
        .post("/api/v1/invitations", json!({"label": "Karel"}))
        .await
        .body;
    assert_eq!(inv["reusable"], false);
    assert_eq!(inv["created_by"], "operator");
    let code = inv["code"].as_str().expect("code").to_owned();
    assert_eq!(
        code.len(),
        23,
        "20 base32 characters (100 bits) in four groups"
    );
    assert_eq!(inv["url"], format!("{}/i/{code}", app.base));

    // Opening the link consumes nothing (link previews, mail scanners).
    let http = reqwest::Client::new();
    for _ in 0..3 {
        let page = http
            .get(format!("{}/i/{code}", app.base))
            .header("accept-language", "cs-CZ")
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("html");
        assert!(
            html.contains("Jana") && html.contains("lang=\"cs\""),
            "{html}"
        );
    }
    let id = inv["id"].as_str().expect("id");
    assert_eq!(
        jana.get(&format!("/api/v1/invitations/{id}")).await.body["uses"],
        0
    );
    // Tomas cannot see or invalidate Jana's invitation.
    assert_eq!(
        tomas.get(&format!("/api/v1/invitations/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = tomas
        .send(
            Method::POST,
            &format!("/api/v1/invitations/{id}/invalidate"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        tomas.get("/api/v1/invitations").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // Jana is not connected: the client waits for her, Tomas is not offered it.
    let typed = code.to_lowercase().replace('-', " ");
    let r = app
        .anonymous()
        .send(
            Method::POST,
            &format!("/api/v1/client/invitations/{typed}/redeem"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["session"]["source"], "invitation");
    assert_eq!(
        r.body["session"]["target_operator_id"],
        users[0].id.as_str()
    );
    let session_id = r.body["session"]["id"].as_str().expect("id").to_owned();
    tomas_ws.expect_silence_of("session.offered", 300).await;
    let r = tomas
        .send(
            Method::POST,
            &format!("/api/v1/sessions/{session_id}/accept"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let mut jana_ws = jana.ws(None).await;
    let offer = jana_ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["id"], session_id.as_str());

    // The used code: 410 page and API; an unknown one: 404.
    let page = http
        .get(format!("{}/i/{code}", app.base))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 410);
    assert!(page.text().await.expect("html").contains("used"));
    let listed = jana.get("/api/v1/invitations?active=false").await.body;
    assert_eq!(listed["items"][0]["uses"], 1);
    let unknown = http
        .get(format!("{}/i/00000-00000-00000-00000", app.base))
        .send()
        .await
        .expect("page");
    assert_eq!(unknown.status(), 404);

    // Guessing is limited per address.
    let mut last = StatusCode::OK;
    for n in 0..25 {
        let r = app
            .anonymous()
            .send(
                Method::POST,
                &format!("/api/v1/client/invitations/{n:05}-00000-00000-00001/redeem"),
                None,
            )
            .await;
        last = r.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}
