//! Operator status over HTTP: login default, changes with causes, history
//! and the time summary under a controllable clock.

use hovor_core::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{eventually, TestApp, START};
use crate::on_both_stores;

const MIN: i64 = 60_000;

on_both_stores!(
    login_makes_the_operator_online_and_a_second_login_changes_nothing,
    status_after_login_follows_the_company_setting,
    history_records_causes_and_the_summary_adds_up,
    supervisors_and_api_keys_change_status_with_their_cause,
    pause_types_are_managed_by_admins_and_archived_on_delete,
    pause_types_keep_the_order_the_admin_gives_them,
    logout_makes_the_operator_offline,
    logging_in_again_after_the_grace_period_starts_with_the_status_after_login,
);

async fn login_makes_the_operator_online_and_a_second_login_changes_nothing(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let lunch = app.pause_type(&c, "Lunch", false).await;

    let tab = app.login(&jana).await;
    let state = tab.state_of(&jana.id).await;
    assert_eq!(state["status"], "online");
    assert_eq!(state["cause"], "login");
    // Logged in over HTTP, no workspace connected yet.
    assert_eq!(state["presence"], "disconnected");
    let ws = tab.ws(None).await;
    assert_eq!(
        ws.hello_state["presence"], "online",
        "hello reports this connection"
    );
    assert_eq!(tab.state_of(&jana.id).await["presence"], "online");

    tab.set_status(&jana.id, "away", Some(&lunch)).await;
    app.clock.advance_ms(MIN);
    // Another device logs in and opens the workspace: nothing changes.
    let other_device = app.login(&jana).await;
    let ws2 = other_device.ws(None).await;
    let state = other_device.state_of(&jana.id).await;
    assert_eq!(state["status"], "away");
    assert_eq!(state["presence"], "break");
    assert_eq!(state["pause_type"]["name"], "Lunch");
    assert_eq!(state["cause"], "manual");
    let me = other_device.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["state"]["presence"], "break");
    assert_eq!(me.body["user"]["email"], jana.email);
    drop((ws, ws2));
}

async fn status_after_login_follows_the_company_setting(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.user(&c, "Admin", Role::Admin).await;
    let eva = app.user(&c, "Eva", Role::Operator).await;
    let admin_client = app.login(&admin).await;
    let r = admin_client
        .send(
            reqwest::Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({"status_after_login": "away"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status_after_login"], "away");
    assert_eq!(r.body["disconnect_grace_s"], 60);

    let tab = app.login(&eva).await;
    let _ws = tab.ws(None).await;
    let state = tab.state_of(&eva.id).await;
    assert_eq!(state["status"], "away");
    assert_eq!(state["presence"], "away");
    assert_eq!(state["cause"], "login");
}

async fn history_records_causes_and_the_summary_adds_up(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let boss = app.user(&c, "Boss", Role::Supervisor).await;
    let lunch = app.pause_type(&c, "Lunch", false).await;
    let training = app.pause_type(&c, "Training", true).await;

    // 08:00 login and connect; 60 min online.
    let tab = app.login(&jana).await;
    let _ws = tab.ws(None).await;
    app.clock.advance_ms(60 * MIN);
    // 09:00 lunch for 30 min.
    tab.set_status(&jana.id, "away", Some(&lunch)).await;
    app.clock.advance_ms(30 * MIN);
    // 09:30 away without a reason for 10 min.
    tab.set_status(&jana.id, "away", None).await;
    app.clock.advance_ms(10 * MIN);
    // 09:40 the supervisor puts her in training for 20 min.
    app.login(&boss)
        .await
        .set_status(&jana.id, "away", Some(&training))
        .await;
    app.clock.advance_ms(20 * MIN);
    // 10:00 online again for 15 min, then logout; 5 more minutes pass.
    tab.set_status(&jana.id, "online", None).await;
    app.clock.advance_ms(15 * MIN);
    let r = tab
        .send(reqwest::Method::POST, "/api/v1/auth/logout", None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.clock.advance_ms(5 * MIN);

    let sup = app.login(&boss).await;
    let from = "2026-01-05T07:00:00Z";
    let to = "2026-01-05T11:00:00Z";
    let summary = sup
        .get(&format!(
            "/api/v1/operators/{}/state-summary?from={from}&to={to}",
            jana.id
        ))
        .await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    let s = &summary.body;
    assert_eq!(s["online_s"], 75 * 60, "{s}");
    assert_eq!(s["away_s"], 10 * 60, "{s}");
    let breaks = s["break_s"].as_array().expect("break_s");
    assert_eq!(breaks.len(), 2, "{s}");
    assert_eq!(breaks[0]["pause_type"]["name"], "Lunch");
    assert_eq!(breaks[0]["paid"], false);
    assert_eq!(breaks[0]["seconds"], 30 * 60);
    assert_eq!(breaks[1]["pause_type"]["name"], "Training");
    assert_eq!(breaks[1]["paid"], true);
    assert_eq!(breaks[1]["seconds"], 20 * 60);
    // The window is four hours, but "to" is clamped to now (10:20).
    let now_window = (3 * 60 + 20) * 60;
    assert_eq!(s["offline_s"], now_window - (75 + 10 + 30 + 20) * 60, "{s}");

    let history = sup
        .get(&format!(
            "/api/v1/operators/{}/state-history?from={from}&to={to}",
            jana.id
        ))
        .await;
    assert_eq!(history.status, StatusCode::OK);
    let items = history.body["items"].as_array().expect("items");
    let seen: Vec<(&str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["presence"].as_str().unwrap_or(""),
                i["cause"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("offline", "logout"),
            ("online", "manual"),
            ("break", "supervisor"),
            ("away", "manual"),
            ("break", "manual"),
            ("online", "login"),
        ]
    );
    assert_eq!(items[0]["ended_at"], serde_json::Value::Null);
    assert_eq!(items[5]["started_at"], "2026-01-05T08:00:00.000Z");
    assert_eq!(items[5]["ended_at"], "2026-01-05T09:00:00.000Z");
    assert_eq!(items[2]["pause_type"]["name"], "Training");

    // Paging: two at a time, following the cursor, gives the same list.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!(
                "/api/v1/operators/{}/state-history?from={from}&to={to}&limit=2&cursor={c}",
                jana.id
            ),
            None => format!(
                "/api/v1/operators/{}/state-history?from={from}&to={to}&limit=2",
                jana.id
            ),
        };
        let page = sup.get(&path).await.body;
        paged.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(&paged, items);
    assert_eq!(START, 1_767_600_000_000);
}

async fn supervisors_and_api_keys_change_status_with_their_cause(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let boss = app.user(&c, "Boss", Role::Supervisor).await;
    let tab = app.login(&jana).await;
    let _ws = tab.ws(None).await;

    let by_boss = app
        .login(&boss)
        .await
        .set_status(&jana.id, "away", None)
        .await;
    assert_eq!(by_boss["cause"], "supervisor");
    assert_eq!(by_boss["presence"], "away");

    let key = app.api_key(&c).await;
    let by_api = app
        .with_api_key(&key)
        .set_status(&jana.id, "online", None)
        .await;
    assert_eq!(by_api["cause"], "api");
    assert_eq!(by_api["presence"], "online");

    let list = app.with_api_key(&key).get("/api/v1/operators").await;
    assert_eq!(list.status, StatusCode::OK);
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Boss", "Jana"]);
}

async fn pause_types_are_managed_by_admins_and_archived_on_delete(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let jana_user = app.user(&c, "Jana", Role::Operator).await;
    let jana = app.login(&jana_user).await;

    let r = jana
        .post("/api/v1/pause-types", json!({"name": "Nap", "paid": true}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = admin
        .post("/api/v1/pause-types", json!({"name": "  ", "paid": true}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "invalid_name");

    let r = admin
        .post(
            "/api/v1/pause-types",
            json!({"name": "Doctor", "paid": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().expect("id").to_owned();
    let r = admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/pause-types/{id}"),
            Some(json!({"name": "Doctor visit"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["name"], "Doctor visit");
    assert_eq!(r.body["paid"], true);

    jana.set_status(&jana_user.id, "away", Some(&id)).await;
    jana.set_status(&jana_user.id, "online", None).await;
    let r = admin
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/pause-types/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let listed = jana.get("/api/v1/pause-types").await.body;
    assert_eq!(listed["items"][0]["archived"], true);

    // An archived type can no longer be chosen; history keeps its name.
    let r = jana
        .put(
            &format!("/api/v1/operators/{}/state", jana_user.id),
            json!({"status": "away", "pause_type_id": id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "unknown_pause_type");
    let history = jana
        .get(&format!("/api/v1/operators/{}/state-history", jana_user.id))
        .await
        .body;
    assert_eq!(history["items"][1]["pause_type"]["name"], "Doctor visit");
}

async fn pause_types_keep_the_order_the_admin_gives_them(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let jana = app.login(&app.user(&c, "Jana", Role::Operator).await).await;
    let mut workspace = jana.ws(None).await;
    let mut ids = Vec::new();
    for name in ["Lunch", "Doctor", "Training", "Meeting"] {
        let r = admin
            .post("/api/v1/pause-types", json!({"name": name, "paid": true}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.body["id"].as_str().expect("id").to_owned());
    }
    let names = |listed: &serde_json::Value| -> Vec<String> {
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let positions = |listed: &serde_json::Value| -> Vec<i64> {
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["position"].as_i64().expect("position"))
            .collect()
    };
    let listed = jana.get("/api/v1/pause-types").await.body;
    assert_eq!(names(&listed), ["Lunch", "Doctor", "Training", "Meeting"]);
    assert_eq!(positions(&listed), [0, 1, 2, 3]);
    // The open workspace hears of each change, to refresh its status menu.
    workspace.next_of("settings.changed").await;

    let moved = admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/pause-types/{}", ids[3]),
            Some(json!({"position": 0})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["position"], 0);
    let listed = jana.get("/api/v1/pause-types").await.body;
    assert_eq!(names(&listed), ["Meeting", "Lunch", "Doctor", "Training"]);
    assert_eq!(positions(&listed), [0, 1, 2, 3]);

    // Past the end means last; a new one goes after it.
    admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/pause-types/{}", ids[0]),
            Some(json!({"position": 99})),
        )
        .await;
    admin
        .post(
            "/api/v1/pause-types",
            json!({"name": "Smoke", "paid": false}),
        )
        .await;
    let listed = jana.get("/api/v1/pause-types").await.body;
    assert_eq!(
        names(&listed),
        ["Meeting", "Doctor", "Training", "Lunch", "Smoke"]
    );

    // Refusals change nothing.
    let path = format!("/api/v1/pause-types/{}", ids[1]);
    let r = jana
        .send(reqwest::Method::PATCH, &path, Some(json!({"position": 0})))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = admin
        .send(reqwest::Method::PATCH, &path, Some(json!({"position": -1})))
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.body["error"]["code"].is_string(), "{}", r.body);
    let r = admin
        .send(
            reqwest::Method::PATCH,
            "/api/v1/pause-types/pau_nope",
            Some(json!({"position": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        names(&jana.get("/api/v1/pause-types").await.body)[0],
        "Meeting"
    );

    // Admins moving at once still leave one place for each.
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/pause-types/{id}"))
        .collect();
    let moves = paths.iter().enumerate().map(|(i, path)| {
        admin.send(
            reqwest::Method::PATCH,
            path,
            Some(json!({"position": 3 - i})),
        )
    });
    for r in futures_util::future::join_all(moves).await {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let listed = jana.get("/api/v1/pause-types").await.body;
    assert_eq!(positions(&listed), [0, 1, 2, 3, 4]);
    let mut seen = names(&listed);
    seen.sort();
    assert_eq!(seen, ["Doctor", "Lunch", "Meeting", "Smoke", "Training"]);
}

async fn logout_makes_the_operator_offline(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;

    let r = tab
        .send(reqwest::Method::POST, "/api/v1/auth/logout", None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.set_cookie.unwrap_or_default().contains("Max-Age=0"));
    let event = ws.next_event().await;
    assert_eq!(event["data"]["state"]["presence"], "offline");
    assert_eq!(event["data"]["state"]["cause"], "logout");
    assert_eq!(ws.next_event().await["type"], "logged_out");

    let state = boss.state_of(&jana.id).await;
    assert_eq!(state["presence"], "offline");
    assert_eq!(state["cause"], "logout");
    // The old cookie no longer works.
    assert_eq!(tab.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

/// Jana picks a pause, closes the browser without logging out, the grace
/// period passes, and she logs in again with her password: she starts
/// Online (the company's status after login), recorded as a login.
async fn logging_in_again_after_the_grace_period_starts_with_the_status_after_login(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let personal = app.pause_type(&c, "Personal", false).await;
    let tab = app.login(&jana).await;
    let ws = tab.ws(None).await;
    tab.set_status(&jana.id, "away", Some(&personal)).await;
    ws.close().await;
    // The grace period runs from when the server saw the connection go.
    eventually("presence disconnected", || async {
        tab.state_of(&jana.id).await["presence"] == "disconnected"
    })
    .await;
    app.clock.advance_ms(61_000);
    assert_eq!(app.reap().await, 1);
    assert_eq!(
        tab.state_of(&jana.id).await["presence"],
        "offline",
        "offline after the grace period"
    );
    assert_eq!(tab.state_of(&jana.id).await["cause"], "disconnect");

    app.clock.advance_ms(12 * 60 * MIN);
    let next_day = app.login(&jana).await;
    let state = next_day.state_of(&jana.id).await;
    assert_eq!(state["status"], "online", "{state}");
    assert!(state["pause_type"].is_null(), "{state}");
    assert_eq!(state["cause"], "login");
    let _ws = next_day.ws(None).await;
    let state = next_day.state_of(&jana.id).await;
    assert_eq!(state["presence"], "online");
    assert_eq!(state["cause"], "login", "connecting is part of the login");
}
