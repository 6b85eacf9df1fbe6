//! Alert settings are stored server-side and follow the operator.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(notification_settings_follow_the_operator_and_bad_ones_change_nothing);

async fn notification_settings_follow_the_operator_and_bad_ones_change_nothing(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let tomas = app.user(&c, "Tomas", Role::Operator).await;
    let tab = app.login(&jana).await;
    let defaults = tab.get("/api/v1/me").await.body["notification_settings"].clone();
    assert_eq!(
        defaults,
        json!({"when": "inactive",
               "new_client": {"sound": true, "tone": "chime", "volume": 70, "browser": true},
               "new_message": {"sound": true, "tone": "pop", "volume": 70, "browser": true}})
    );
    let mut other_tab = tab.ws(None).await;

    let path = "/api/v1/me/notification-settings";
    let r = tab
        .send(
            Method::PATCH,
            path,
            Some(json!({"new_message": {"sound": false, "volume": 30}, "when": "always"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["when"], "always");
    assert_eq!(
        r.body["new_message"],
        json!({"sound": false, "tone": "pop", "volume": 30, "browser": true})
    );
    assert_eq!(r.body["new_client"], defaults["new_client"]);
    let e = other_tab.next_of("me.notification_settings_changed").await;
    assert_eq!(e["data"]["notification_settings"], r.body);

    for bad in [
        json!({"new_client": {"tone": "siren"}}),
        json!({"new_client": {"volume": 101}}),
        json!({"vibrate": true}),
        json!({"when": "sometimes"}),
    ] {
        let r = tab.send(Method::PATCH, path, Some(bad.clone())).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
        assert_eq!(r.body["error"]["code"], "invalid_notification_settings");
    }
    // On another computer: the same settings; a colleague keeps the defaults.
    let elsewhere = app.login(&jana).await;
    let mine = elsewhere.get("/api/v1/me").await.body["notification_settings"].clone();
    assert_eq!(mine["new_message"]["volume"], 30);
    assert_eq!(mine["when"], "always");
    let theirs =
        app.login(&tomas).await.get("/api/v1/me").await.body["notification_settings"].clone();
    assert_eq!(theirs, defaults);
    let key = app.api_key(&c).await;
    let r = app
        .with_api_key(&key)
        .send(Method::PATCH, path, Some(json!({"when": "always"})))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
