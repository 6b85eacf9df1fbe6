//! Channel assignment and availability: the operator's switch, the company
//! lock, and live updates to the operator's tabs and supervisors.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(
    operators_switch_their_assigned_channels_and_everyone_sees_it_live,
    the_company_lock_refuses_operators_and_allows_supervisors_and_admins,
    admins_assign_channels_and_bad_assignments_change_nothing,
    a_settings_change_reaches_open_workspaces_live,
    assigning_the_phone_channel_shows_the_handset_in_an_open_workspace,
);

/// Issue 14: an admin assigns the phone channel to an operator who is
/// logged in; their open workspace hears of their new line at once (the
/// handset appears), and of its removal (`phone_line: null`, it goes).
async fn assigning_the_phone_channel_shows_the_handset_in_an_open_workspace(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let path = format!("/api/v1/users/{}", jana.id);
    let tab = app.login(&jana).await;
    assert_eq!(tab.get("/api/v1/me").await.body["phone_line"], Value::Null);
    let mut ws = tab.ws(None).await;
    let mut boss_ws = boss.ws(None).await;

    let r = admin
        .send(
            Method::PATCH,
            &path,
            Some(json!({"channels": [{"channel": "chat"}, {"channel": "phone"}], "phone_extension": "305"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = ws.next_of("operator.phone_line_changed").await;
    assert_eq!(e["data"]["operator_id"], jana.id.as_str());
    assert_eq!(e["data"]["phone_line"]["extension"], "305");
    assert_eq!(e["data"]["phone_line"]["state"], "unavailable");
    let e = boss_ws.next_of("operator.phone_line_changed").await;
    assert_eq!(e["data"]["phone_line"]["extension"], "305");
    assert_eq!(
        tab.get("/api/v1/me").await.body["phone_line"]["extension"],
        "305"
    );

    // Taken away: the line is gone, in the workspace as in /me.
    let r = admin
        .send(
            Method::PATCH,
            &path,
            Some(json!({"channels": [{"channel": "chat"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    loop {
        let e = ws.next_of("operator.phone_line_changed").await;
        if e["data"]["phone_line"].is_null() {
            break;
        }
    }
    assert_eq!(tab.get("/api/v1/me").await.body["phone_line"], Value::Null);
}

/// When an admin forbids channel switching, an operator's open workspace
/// hears of it at once (a `settings.changed` frame), so its switches stop
/// looking usable without a reload. (Issue 12.)
async fn a_settings_change_reaches_open_workspaces_live(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let r = admin
        .send(
            Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({ "operators_may_toggle_channels": false })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    ws.next_of("settings.changed").await;
    let settings = tab.get("/api/v1/company/settings").await.body;
    assert_eq!(settings["operators_may_toggle_channels"], false);
    // A refused patch changes nothing and tells nobody.
    let r = admin
        .send(
            Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({ "client_gone_s": 1 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    ws.expect_silence_of("settings.changed", 300).await;
}

fn summary(channels: &Value) -> Vec<(String, bool, u64)> {
    channels
        .as_array()
        .expect("channels array")
        .iter()
        .map(|c| {
            (
                c["channel"].as_str().unwrap_or("?").to_owned(),
                c["enabled"].as_bool().unwrap_or(false),
                c["capacity"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn ch(name: &str, enabled: bool, capacity: u64) -> (String, bool, u64) {
    (name.to_owned(), enabled, capacity)
}

async fn operators_switch_their_assigned_channels_and_everyone_sees_it_live(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let r = admin
        .post(
            "/api/v1/users",
            json!({"name": "Jana", "email": "jana@acme.test", "password": "long enough", "role": "operator",
                   "channels": [{"channel": "av"}, {"channel": "chat", "capacity": 2}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        summary(&r.body["channels"]),
        vec![ch("chat", true, 2), ch("av", true, 1)]
    );
    let jana_id = r.body["id"].as_str().expect("id").to_owned();
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let tomas = app.user(&c, "Tomas", Role::Operator).await;

    // The admin's password, not the harness one: log in by hand.
    let mut tab = app.anonymous();
    let r = tab
        .post(
            "/api/v1/auth/login",
            json!({"email": "jana@acme.test", "password": "long enough"}),
        )
        .await;
    tab.cookie = r
        .set_cookie
        .and_then(|s| s.split(';').next().map(str::to_owned));
    tab.csrf = r.body["csrf_token"].as_str().map(str::to_owned);

    let me = tab.get("/api/v1/me").await.body;
    assert_eq!(
        summary(&me["channels"]),
        vec![ch("chat", true, 2), ch("av", true, 1)]
    );
    let mut other_tab = tab.ws(None).await;
    let mut boss_ws = boss.ws(None).await;

    let r = tab
        .put(
            &format!("/api/v1/operators/{jana_id}/channels/chat"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"channel": "chat", "enabled": false, "capacity": 2})
    );
    for ws in [&mut other_tab, &mut boss_ws] {
        let e = ws.next_event().await;
        assert_eq!(e["event"], "operator.channel_changed");
        assert_eq!(e["data"]["operator_id"], jana_id.as_str());
        assert_eq!(
            summary(&e["data"]["channels"]),
            vec![ch("chat", false, 2), ch("av", true, 1)]
        );
    }
    let listed = boss.get("/api/v1/operators").await.body;
    let entry = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["id"] == jana_id.as_str())
        .cloned()
        .expect("jana listed");
    assert_eq!(
        summary(&entry["channels"]),
        vec![ch("chat", false, 2), ch("av", true, 1)]
    );
    let r = boss
        .get(&format!("/api/v1/operators/{jana_id}/channels"))
        .await;
    assert_eq!(
        summary(&r.body),
        vec![ch("chat", false, 2), ch("av", true, 1)]
    );

    // Not assigned, unknown, someone else's.
    for (path, status) in [
        (
            format!("/api/v1/operators/{jana_id}/channels/email"),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/v1/operators/{jana_id}/channels/fax"),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/v1/operators/{}/channels/chat", tomas.id),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let r = tab.put(&path, json!({"enabled": true})).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
    }
    let r = tab
        .put(
            &format!("/api/v1/operators/{jana_id}/channels/chat"),
            json!({"enabled": "yes"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Switching on again restores the kept capacity.
    let r = tab
        .put(
            &format!("/api/v1/operators/{jana_id}/channels/chat"),
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"channel": "chat", "enabled": true, "capacity": 2})
    );

    // Another company's admin sees nothing of it.
    let other = app.company("other").await;
    let stranger = app
        .login(&app.user(&other, "Stranger", Role::Admin).await)
        .await;
    let r = stranger
        .put(
            &format!("/api/v1/operators/{jana_id}/channels/chat"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger
            .get(&format!("/api/v1/operators/{jana_id}/channels"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn the_company_lock_refuses_operators_and_allows_supervisors_and_admins(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    app.store()
        .assign_channels(
            &c.id,
            &jana.id,
            &[(hovor_core::Channel::Chat, 3)],
            None,
            crate::harness::START,
        )
        .await
        .expect("assign")
        .into_unpublished();
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let tab = app.login(&jana).await;
    let path = format!("/api/v1/operators/{}/channels/chat", jana.id);

    let r = admin
        .send(
            Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({"operators_may_toggle_channels": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        tab.get("/api/v1/company/settings").await.body["operators_may_toggle_channels"],
        false
    );

    let r = tab.put(&path, json!({"enabled": false})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"]["code"], "channel_toggle_forbidden");
    assert_eq!(
        summary(&tab.get("/api/v1/me").await.body["channels"]),
        vec![ch("chat", true, 3)]
    );

    let r = boss.put(&path, json!({"enabled": false})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["enabled"], false);
    let r = admin.put(&path, json!({"enabled": true})).await;
    assert_eq!(r.status, StatusCode::OK);
    let key = app.api_key(&c).await;
    let r = app
        .with_api_key(&key)
        .put(&path, json!({"enabled": false}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        summary(&tab.get("/api/v1/me").await.body["channels"]),
        vec![ch("chat", false, 3)]
    );
}

async fn admins_assign_channels_and_bad_assignments_change_nothing(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let path = format!("/api/v1/users/{}", jana.id);
    let r = admin
        .send(
            Method::PATCH,
            &path,
            Some(json!({"channels": [{"channel": "chat", "capacity": 4}, {"channel": "av"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let tab = app.login(&jana).await;
    let r = tab
        .put(
            &format!("/api/v1/operators/{}/channels/chat", jana.id),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    for bad in [
        json!({"channels": [{"channel": "chat"}, {"channel": "chat"}]}),
        json!({"channels": [{"channel": "chat", "capacity": 0}]}),
        json!({"channels": [{"channel": "fax"}]}),
    ] {
        let r = admin.send(Method::PATCH, &path, Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    assert_eq!(
        summary(&tab.get("/api/v1/me").await.body["channels"]),
        vec![ch("chat", false, 4), ch("av", true, 1)]
    );

    // Replacing: chat is kept (still off, new capacity), av goes, email comes switched on.
    let r = admin
        .send(
            Method::PATCH,
            &path,
            Some(json!({"channels": [{"channel": "email"}, {"channel": "chat", "capacity": 2}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        summary(&r.body["channels"]),
        vec![ch("chat", false, 2), ch("email", true, 5)]
    );
    assert_eq!(
        summary(&tab.get("/api/v1/me").await.body["channels"]),
        vec![ch("chat", false, 2), ch("email", true, 5)]
    );
}
