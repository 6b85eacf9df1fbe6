//! Who may call the administration and supervision endpoints (issue 14):
//! every admin endpoint refuses an operator and a supervisor (403), every
//! supervision endpoint refuses an operator (403), and another company's
//! admin gets 404 for this company's objects, on both stores.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(admin_and_supervisor_endpoints_refuse_the_wrong_caller);

async fn admin_and_supervisor_endpoints_refuse_the_wrong_caller(app: TestApp) {
    let c = app.company("acme").await;
    let other = app.company("other").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let operator = app.login(&app.user(&c, "Olga", Role::Operator).await).await;
    let stranger = app
        .login(&app.user(&other, "Stranger", Role::Admin).await)
        .await;
    let target = app.user(&c, "Target", Role::Operator).await;
    let id = |r: &Value| r["id"].as_str().expect("id").to_owned();
    let group = id(&admin
        .post("/api/v1/groups", json!({"name": "Sales"}))
        .await
        .body);
    let hook = id(&admin
        .post(
            "/api/v1/webhooks",
            json!({"url": "https://example.com/hook", "events": ["session.created"]}),
        )
        .await
        .body);
    let key = id(&admin
        .post("/api/v1/api-keys", json!({"name": "crm"}))
        .await
        .body);
    let pause = id(&admin
        .post(
            "/api/v1/pause-types",
            json!({"name": "Oběd", "paid": false}),
        )
        .await
        .body);
    let user = &target.id;
    let window = "from=2026-01-05T00:00:00Z&to=2026-01-05T08:00:00Z";

    // (method, path, body, only for admins)
    let endpoints: Vec<(Method, String, Option<Value>, bool)> = vec![
        (
            Method::POST,
            "/api/v1/users".into(),
            Some(json!({"name": "N", "email": "n@acme.test", "role": "operator"})),
            true,
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{user}"),
            Some(json!({"name": "X"})),
            true,
        ),
        (
            Method::POST,
            format!("/api/v1/users/{user}/password-link"),
            Some(json!({})),
            true,
        ),
        (Method::DELETE, format!("/api/v1/users/{user}"), None, true),
        (
            Method::POST,
            "/api/v1/groups".into(),
            Some(json!({"name": "G"})),
            true,
        ),
        (
            Method::PATCH,
            format!("/api/v1/groups/{group}"),
            Some(json!({"strategy": "broadcast"})),
            true,
        ),
        (
            Method::DELETE,
            format!("/api/v1/groups/{group}"),
            None,
            true,
        ),
        (Method::GET, "/api/v1/api-keys".into(), None, true),
        (
            Method::POST,
            "/api/v1/api-keys".into(),
            Some(json!({"name": "k"})),
            true,
        ),
        (
            Method::DELETE,
            format!("/api/v1/api-keys/{key}"),
            None,
            true,
        ),
        (Method::GET, "/api/v1/webhooks".into(), None, true),
        (
            Method::POST,
            "/api/v1/webhooks".into(),
            Some(json!({"url": "https://example.com/h", "events": ["session.created"]})),
            true,
        ),
        (Method::GET, format!("/api/v1/webhooks/{hook}"), None, true),
        (
            Method::PATCH,
            format!("/api/v1/webhooks/{hook}"),
            Some(json!({"active": false})),
            true,
        ),
        (
            Method::GET,
            format!("/api/v1/webhooks/{hook}/deliveries"),
            None,
            true,
        ),
        (
            Method::POST,
            format!("/api/v1/webhooks/{hook}/rotate-secret"),
            Some(json!({})),
            true,
        ),
        (
            Method::DELETE,
            format!("/api/v1/webhooks/{hook}"),
            None,
            true,
        ),
        (
            Method::PATCH,
            "/api/v1/company/settings".into(),
            Some(json!({"offer_timeout_s": 40})),
            true,
        ),
        (
            Method::POST,
            "/api/v1/pause-types".into(),
            Some(json!({"name": "P", "paid": true})),
            true,
        ),
        (
            Method::PATCH,
            format!("/api/v1/pause-types/{pause}"),
            Some(json!({"paid": true})),
            true,
        ),
        (
            Method::DELETE,
            format!("/api/v1/pause-types/{pause}"),
            None,
            true,
        ),
        (Method::GET, "/api/v1/users".into(), None, false),
        (Method::GET, format!("/api/v1/users/{user}"), None, false),
        (Method::GET, "/api/v1/wallboard".into(), None, false),
        (
            Method::GET,
            format!("/api/v1/reports/operators?{window}"),
            None,
            false,
        ),
        (
            Method::GET,
            format!("/api/v1/reports/queue?{window}"),
            None,
            false,
        ),
        (
            Method::GET,
            format!("/api/v1/reports/state-history.csv?{window}"),
            None,
            false,
        ),
        (
            Method::GET,
            format!("/api/v1/reports/sessions.csv?{window}"),
            None,
            false,
        ),
        (
            Method::PUT,
            format!("/api/v1/operators/{user}/state"),
            Some(json!({"status": "away"})),
            false,
        ),
    ];
    for (method, path, body, admin_only) in &endpoints {
        let r = operator.send(method.clone(), path, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "operator: {method} {path}: {}",
            r.body
        );
        if *admin_only {
            let r = boss.send(method.clone(), path, body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "supervisor: {method} {path}: {}",
                r.body
            );
        }
        // Another company's admin never reaches this company's objects.
        let names_an_object = [user.as_str(), &group, &hook, &key, &pause]
            .iter()
            .any(|id| path.contains(*id));
        if names_an_object {
            let r = stranger.send(method.clone(), path, body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "other company: {method} {path}: {}",
                r.body
            );
        }
    }
    // Nothing of the above changed anything: the admin still sees it all.
    assert_eq!(
        admin.get(&format!("/api/v1/users/{user}")).await.body["name"],
        "Target"
    );
    assert_eq!(
        admin.get(&format!("/api/v1/groups/{group}")).await.body["strategy"],
        "longest_idle"
    );
    assert_eq!(
        admin.get(&format!("/api/v1/webhooks/{hook}")).await.body["active"],
        true
    );
    assert_eq!(
        admin.get("/api/v1/api-keys").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // And the admin may do each of them (the deletions last).
    let mut in_order: Vec<_> = endpoints.iter().collect();
    in_order.sort_by_key(|(method, ..)| *method == Method::DELETE);
    for (method, path, body, _) in in_order {
        let r = admin.send(method.clone(), path, body.clone()).await;
        assert!(
            r.status.is_success(),
            "admin: {method} {path}: {} {}",
            r.status,
            r.body
        );
    }
}
