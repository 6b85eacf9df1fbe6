//! API keys through the API: shown once, listed without the secret, revoked.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(admins_create_list_and_revoke_api_keys);

async fn admins_create_list_and_revoke_api_keys(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let operator = app.login(&app.user(&c, "Jana", Role::Operator).await).await;
    let r = admin
        .post(
            "/api/v1/api-keys",
            json!({"name": "PBX", "scopes": ["telephony"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let secret = r.body["secret"].as_str().expect("secret").to_owned();
    let id = r.body["id"].as_str().expect("id").to_owned();
    assert!(secret.starts_with("hovor_"));
    assert_eq!(r.body["scopes"], json!(["telephony"]));

    let listed = admin.get("/api/v1/api-keys").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["items"][0]["name"], "PBX");
    assert!(
        !listed.body.to_string().contains(&secret),
        "the secret is never shown again"
    );

    // The exchange's key reaches the telephony endpoints, nothing else: a
    // compromised exchange is not a compromised company.
    let key = app.with_api_key(&secret);
    for (method, path, body) in [
        (Method::GET, "/api/v1/operators", None),
        (
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"name": "Mallory", "email": "m@acme.test", "password": "long enough pw",
                "role": "admin", "channels": []}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/api-keys",
            Some(json!({"name": "mine"})),
        ),
    ] {
        let r = key.send(method, path, body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "scope_forbidden");
    }
    let route = json!({"call_id": "c1", "from": "+420777000111"});
    let r = key.post("/api/v1/telephony/route", route.clone()).await;
    assert_eq!(
        r.body["error"]["code"], "no_operator_available",
        "{}",
        r.body
    );
    let users = admin.get("/api/v1/users").await.body;
    assert!(!users.to_string().contains("Mallory"), "nothing was made");
    // Without a scope, or with `admin`, a key acts as an admin.
    let r = admin
        .post(
            "/api/v1/api-keys",
            json!({"name": "CRM and PBX", "scopes": ["admin", "telephony"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let both = app.with_api_key(r.body["secret"].as_str().expect("secret"));
    assert_eq!(both.get("/api/v1/operators").await.status, StatusCode::OK);
    let r = both.post("/api/v1/telephony/route", route).await;
    assert_eq!(
        r.body["error"]["code"], "no_operator_available",
        "{}",
        r.body
    );
    let plain = app.with_api_key(&app.api_key(&c).await);
    assert_eq!(plain.get("/api/v1/operators").await.status, StatusCode::OK);

    for bad in [
        json!({"name": ""}),
        json!({"name": "x", "scopes": ["root"]}),
    ] {
        assert_eq!(
            admin.post("/api/v1/api-keys", bad).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        operator.get("/api/v1/api-keys").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        operator
            .post("/api/v1/api-keys", json!({"name": "mine"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let other = app.company("other").await;
    let stranger = app
        .login(&app.user(&other, "Boss", Role::Admin).await)
        .await;
    assert_eq!(
        stranger
            .send(Method::DELETE, &format!("/api/v1/api-keys/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let r = admin
        .send(Method::DELETE, &format!("/api/v1/api-keys/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        key.get("/api/v1/operators").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        admin
            .send(Method::DELETE, &format!("/api/v1/api-keys/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
