//! Login, CSRF, rate limiting and every bad input of the foundation issue:
//! each gets the contract's error and leaves no partial state.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{TestApp, PASSWORD};
use crate::on_both_stores;

on_both_stores!(
    wrong_credentials_are_401_without_saying_which_part,
    too_many_failed_logins_are_429,
    writes_with_the_cookie_need_the_csrf_token,
    bad_status_input_is_refused_and_changes_nothing,
    unauthenticated_requests_are_401,
);

async fn wrong_credentials_are_401_without_saying_which_part(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let anon = app.anonymous();
    let wrong_password = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": jana.email, "password": "nope"}),
        )
        .await;
    let unknown_email = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": "nobody@acme.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.body["error"]["code"], "invalid_credentials");
    assert_eq!(wrong_password.body, unknown_email.body);
    assert_eq!(unknown_email.status, StatusCode::UNAUTHORIZED);
    assert!(wrong_password.set_cookie.is_none());
    // A failed login does not log the operator in.
    let key = app.api_key(&c).await;
    let state = app.with_api_key(&key).state_of(&jana.id).await;
    assert_eq!(state["presence"], "offline");
    // E-mail is matched without regard to case or spaces.
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": format!(" {} ", jana.email.to_uppercase()), "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn too_many_failed_logins_are_429(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let anon = app.anonymous();
    for _ in 0..10 {
        let r = anon
            .post(
                "/api/v1/auth/login",
                json!({"email": jana.email, "password": "guess"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": jana.email, "password": "guess"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["error"]["code"], "too_many_attempts");
    // Even the right password waits out the limit.
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": jana.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn writes_with_the_cookie_need_the_csrf_token(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let mut tab = app.login(&jana).await;
    let csrf = tab.csrf.take();
    let r = tab
        .put(
            &format!("/api/v1/operators/{}/state", jana.id),
            json!({"status": "away"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"]["code"], "csrf_token_invalid");
    tab.csrf = Some("0".repeat(64));
    let r = tab
        .put(
            &format!("/api/v1/operators/{}/state", jana.id),
            json!({"status": "away"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Reads need no token, and /me hands it back after a reload.
    let me = tab.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["csrf_token"].as_str(), csrf.as_deref());
    assert_eq!(me.body["state"]["status"], "online");
}

async fn bad_status_input_is_refused_and_changes_nothing(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let tomas = app.user(&c, "Tomas", Role::Operator).await;
    let lunch = app.pause_type(&c, "Lunch", false).await;
    let tab = app.login(&jana).await;
    let path = format!("/api/v1/operators/{}/state", jana.id);
    let before = tab.state_of(&jana.id).await;
    let history_path = format!("/api/v1/operators/{}/state-history", jana.id);
    let history_before = tab.get(&history_path).await.body;

    let r = tab
        .raw(Method::PUT, &path, "application/json", "{\"status\": ")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["code"], "malformed_json");

    let r = tab
        .raw(Method::PUT, &path, "text/plain", "{\"status\": \"away\"}")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = tab.put(&path, json!({"status": "busy"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "invalid_body");

    let r = tab
        .put(
            &path,
            json!({"status": "away", "pause_type_id": "pau_nonexistent"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "unknown_pause_type");
    assert!(r.body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));

    let r = tab
        .put(&path, json!({"status": "online", "pause_type_id": lunch}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "pause_type_requires_away");

    // An operator may not change a colleague's status.
    let r = tab
        .put(
            &format!("/api/v1/operators/{}/state", tomas.id),
            json!({"status": "away"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"]["code"], "forbidden");
    let r = tab
        .get(&format!("/api/v1/operators/{}/state-history", tomas.id))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = tab.get(&format!("{history_path}?from=yesterday")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "invalid_time");

    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let r = admin
        .send(
            Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({"disconnect_grace_s": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .send(
            Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({"no_such_setting": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = tab
        .send(
            Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({"disconnect_grace_s": 30})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.get("/api/v1/company/settings").await.body["disconnect_grace_s"],
        60
    );

    assert_eq!(tab.state_of(&jana.id).await, before);
    assert_eq!(tab.state_of(&tomas.id).await["presence"], "offline");
    assert_eq!(tab.get(&history_path).await.body, history_before);
}

async fn unauthenticated_requests_are_401(app: TestApp) {
    let anon = app.anonymous();
    for path in [
        "/api/v1/me",
        "/api/v1/operators",
        "/api/v1/pause-types",
        "/api/v1/company/settings",
    ] {
        let r = anon.get(path).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.body["error"]["code"], "unauthenticated");
    }
    let r = app
        .with_api_key("hovor_0000")
        .get("/api/v1/operators")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = anon.get("/api/v1/no-such-thing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["code"], "not_found");
    assert_eq!(anon.get("/healthz").await.status, StatusCode::OK);
}
