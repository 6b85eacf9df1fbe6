//! Users managed by admins: create, change, deactivate.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(admins_create_change_and_deactivate_users);

async fn admins_create_change_and_deactivate_users(app: TestApp) {
    let c = app.company("acme").await;
    let other = app.company("other").await;
    let stranger = app.user(&other, "Stranger", Role::Operator).await;
    let admin_user = app.user(&c, "Admin", Role::Admin).await;
    let admin = app.login(&admin_user).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;

    let r = admin
        .post("/api/v1/users", json!({"name": "Nina", "email": "Nina@Acme.test", "password": "long enough", "role": "operator"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["email"], "nina@acme.test");
    assert_eq!(r.body["role"], "operator");
    let nina_id = r.body["id"].as_str().expect("id").to_owned();

    // Bad input, each with its code and nothing created.
    for (body, status, code) in [
        (
            json!({"name": "X", "email": "nina@acme.test", "password": "long enough", "role": "operator"}),
            StatusCode::CONFLICT,
            "email_taken",
        ),
        (
            json!({"name": "X", "email": "x@acme.test", "password": "short", "role": "operator"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "weak_password",
        ),
        (
            json!({"name": "X", "email": "not-an-address", "role": "operator"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_email",
        ),
        (
            json!({"name": " ", "email": "y@acme.test", "role": "operator"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
        ),
        (
            json!({"name": "X", "email": "z@acme.test", "role": "king"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ] {
        let r = admin.post("/api/v1/users", body).await;
        assert_eq!(r.status, status, "{}", r.body);
        assert_eq!(r.body["error"]["code"], code);
    }
    let r = boss
        .post(
            "/api/v1/users",
            json!({"name": "Q", "email": "q@acme.test", "role": "operator"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let listed = boss.get("/api/v1/users").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(3));

    // The new operator logs in with the password the admin set...
    let r = app
        .anonymous()
        .post(
            "/api/v1/auth/login",
            json!({"email": "nina@acme.test", "password": "long enough"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.anonymous().get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let helper = app
        .login(&app.user(&c, "Helper", Role::Operator).await)
        .await;
    let r = helper.get("/api/v1/users").await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "operators do not list users"
    );

    // ...is promoted and renamed...
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{nina_id}"),
            Some(json!({"role": "supervisor", "name": "Nina K."})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["role"], "supervisor");
    assert_eq!(r.body["name"], "Nina K.");

    // ...and deactivated: logged out everywhere, gone from the lists.
    let tab = {
        let mut c = app.anonymous();
        let r = c
            .send(
                Method::POST,
                "/api/v1/auth/login",
                Some(json!({"email": "nina@acme.test", "password": "long enough"})),
            )
            .await;
        c.cookie = r
            .set_cookie
            .and_then(|s| s.split(';').next().map(str::to_owned));
        c.csrf = r.body["csrf_token"].as_str().map(str::to_owned);
        c
    };
    let mut ws = tab.ws(None).await;
    let r = admin
        .send(Method::DELETE, &format!("/api/v1/users/{nina_id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let mut saw_logged_out = false;
    for _ in 0..3 {
        if ws.next_event().await["type"] == "logged_out" {
            saw_logged_out = true;
            break;
        }
    }
    assert!(saw_logged_out);
    assert_eq!(tab.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let r = app
        .anonymous()
        .post(
            "/api/v1/auth/login",
            json!({"email": "nina@acme.test", "password": "long enough"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        admin.get(&format!("/api/v1/users/{nina_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let operators = admin.get("/api/v1/operators").await.body;
    assert!(operators["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|o| o["id"] != nina_id.as_str()));
    // The history stays.
    let key = app.api_key(&c).await;
    let r = app
        .with_api_key(&key)
        .get(&format!("/api/v1/operators/{nina_id}/state-history"))
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let r = admin
        .send(
            Method::DELETE,
            &format!("/api/v1/users/{}", admin_user.id),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "cannot_deactivate_self");
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "x"}))),
        (Method::DELETE, None),
    ] {
        let r = admin
            .send(method, &format!("/api/v1/users/{}", stranger.id), body)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

on_both_stores!(a_user_is_created_with_groups_channels_and_an_extension_in_one_step);

/// API.md: `POST /users` takes `groups`. A refusal of any part leaves no user
/// behind; a changed membership routes at once.
async fn a_user_is_created_with_groups_channels_and_an_extension_in_one_step(app: TestApp) {
    let c = app.company("acme").await;
    let other = app.company("other").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let other_admin = app
        .login(&app.user(&other, "Oscar", Role::Admin).await)
        .await;
    let r = admin.post("/api/v1/groups", json!({"name": "Sales"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sales = r.body["id"].as_str().expect("id").to_owned();
    let r = other_admin
        .post("/api/v1/groups", json!({"name": "Theirs"}))
        .await;
    let theirs = r.body["id"].as_str().expect("id").to_owned();
    let builtin = admin.get("/api/v1/groups").await.body["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let r = admin
        .post(
            "/api/v1/users",
            json!({"name": "Pavel", "email": "pavel@acme.test", "password": "long enough",
                   "role": "operator", "groups": [sales],
                   "channels": [{"channel": "chat", "capacity": 2}, {"channel": "phone"}],
                   "phone_extension": "201"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["groups"], json!([sales]));
    assert_eq!(r.body["phone_extension"], "201");
    assert_eq!(r.body["channels"].as_array().map(Vec::len), Some(2));
    let pavel = r.body["id"].as_str().expect("id").to_owned();
    let r = admin.get(&format!("/api/v1/groups/{sales}")).await;
    assert_eq!(r.body["members"], json!([pavel]));
    let r = admin.get(&format!("/api/v1/users/{pavel}")).await;
    assert_eq!(r.body["groups"], json!([sales]));
    assert_eq!(r.body["channels"][0]["channel"], "chat");

    // Another company's group, the built-in group or an unknown id: 422, and
    // no user; a taken extension: 409, and no user.
    for group in [&theirs, &builtin, &"grp_nothing".to_owned()] {
        let r = admin
            .post(
                "/api/v1/users",
                json!({"name": "Eva", "email": "eva@acme.test", "role": "operator", "groups": [group]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "unknown_group");
    }
    let r = admin
        .post(
            "/api/v1/users",
            json!({"name": "Eva", "email": "eva@acme.test", "role": "operator", "phone_extension": "201"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "extension_taken");
    let users = admin.get("/api/v1/users").await.body;
    assert!(users["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|u| u["email"] != "eva@acme.test"));
    // The address is still free.
    let r = admin
        .post(
            "/api/v1/users",
            json!({"name": "Eva", "email": "eva@acme.test", "role": "operator"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["groups"], json!([]));
    let eva = r.body["id"].as_str().expect("id").to_owned();

    // PATCH replaces the groups; a refused change changes nothing.
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{pavel}"),
            Some(json!({"groups": [theirs], "name": "Never"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = admin.get(&format!("/api/v1/users/{pavel}")).await;
    assert_eq!(r.body["name"], "Pavel");
    assert_eq!(r.body["groups"], json!([sales]));
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{pavel}"),
            Some(json!({"groups": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["groups"], json!([]));
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{eva}"),
            Some(json!({"groups": [sales], "channels": [{"channel": "chat", "capacity": 1}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = admin.get(&format!("/api/v1/groups/{sales}")).await;
    assert_eq!(r.body["members"], json!([eva]));

    // A client waiting in Sales is offered to Eva, its member now.
    let mut eva_tab = app.anonymous();
    let r = eva_tab
        .send(
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"email": "eva@acme.test", "password": "unused"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "no password set yet");
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{eva}"),
            Some(json!({"password": "eva's password"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = eva_tab
        .send(
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"email": "eva@acme.test", "password": "eva's password"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eva_tab.cookie = r
        .set_cookie
        .and_then(|s| s.split(';').next().map(str::to_owned));
    eva_tab.csrf = r.body["csrf_token"].as_str().map(str::to_owned);
    let mut ws = eva_tab.ws(None).await;
    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "group_id": sales}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let offer = ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["group_id"], sales.as_str());

    // Another company's admin does not see or change these users.
    let r = other_admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{eva}"),
            Some(json!({"groups": [theirs]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

on_both_stores!(a_set_password_link_works_once_and_ends_old_logins);

/// Issue 14: instead of telling a new user a password, the admin gives them
/// a link to choose one; it works once, before it expires, and ends every
/// login they had.
async fn a_set_password_link_works_once_and_ends_old_logins(app: TestApp) {
    let c = app.company("acme").await;
    let other = app.company("other").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let stranger = app
        .login(&app.user(&other, "Oscar", Role::Admin).await)
        .await;
    let nina = app.user(&c, "Nina", Role::Operator).await;
    let old_tab = app.login(&nina).await;
    let path = format!("/api/v1/users/{}/password-link", nina.id);
    assert_eq!(
        stranger.post(&path, json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let r = old_tab
        .post(
            &format!("/api/v1/users/{}/password-link", nina.id),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "operators make no links");
    let r = admin.post(&path, json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let url = r.body["url"].as_str().expect("url").to_owned();
    let (_, token) = url
        .split_once("/set-password#")
        .expect("token in the fragment");
    assert_eq!(r.body["expires_at"], "2026-01-08T08:00:00.000Z");

    let set = |token: &str, password: &str| {
        let body = json!({"token": token, "password": password});
        let anon = app.anonymous();
        async move { anon.post("/api/v1/auth/set-password", body).await }
    };
    let r = set(token, "short").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "weak_password");
    let r = set("made-up", "long enough pw").await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.body["error"]["code"], "link_invalid");
    let r = set(token, "nina's own pw").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Once only; the old login is over; the new password works.
    assert_eq!(set(token, "another pw 123").await.status, StatusCode::GONE);
    assert_eq!(
        old_tab.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .anonymous()
        .post(
            "/api/v1/auth/login",
            json!({"email": nina.email, "password": "nina's own pw"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // A newer link replaces the older; an expired one is refused.
    let first = admin.post(&path, json!({})).await.body["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let second = admin.post(&path, json!({})).await.body["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let token_of = |u: &str| u.split_once('#').map(|(_, t)| t.to_owned()).expect("t");
    assert_eq!(
        set(&token_of(&first), "long enough pw").await.status,
        StatusCode::GONE
    );
    app.clock.advance_ms(72 * 3600 * 1000);
    assert_eq!(
        set(&token_of(&second), "long enough pw").await.status,
        StatusCode::GONE
    );
}
