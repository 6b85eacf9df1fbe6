//! Reports for supervisors and admins (issue 14): time per status and
//! handled sessions per operator and local day or week, the queue per local
//! hour, and the CSV exports, over a history built minute by minute with
//! the test clock.

use hovor_core::group::Strategy;
use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{Client, TestApp};
use crate::on_both_stores;

on_both_stores!(
    reports_count_a_known_morning,
    only_overseers_of_the_company_see_reports,
    report_windows_and_parameters_are_checked,
);

const S: i64 = 1000;
const MIN: i64 = 60 * S;

/// The Prague day of the harness's Monday (local midnight to midnight).
const DAY_FROM: &str = "2026-01-04T23:00:00Z";
const DAY_TO: &str = "2026-01-05T23:00:00Z";

/// A CSV download with the headers that matter.
struct Download {
    status: StatusCode,
    content_type: String,
    disposition: String,
    truncated: Option<String>,
    text: String,
}

async fn download(client: &Client, path: &str) -> Download {
    let mut request = client.http.get(format!("{}{path}", client.base));
    if let Some(cookie) = &client.cookie {
        request = request.header("cookie", cookie);
    }
    if let Some(key) = &client.bearer {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.expect("request");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Download {
        status: response.status(),
        content_type: header("content-type").unwrap_or_default(),
        disposition: header("content-disposition").unwrap_or_default(),
        truncated: header("hovor-truncated"),
        text: response.text().await.expect("body"),
    }
}

/// A CSV document as lines: the byte-order mark first, CRLF line ends.
fn csv(lines: &[String]) -> String {
    let mut text = String::from("\u{feff}");
    for line in lines {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text
}

/// The known morning, Prague time (UTC+1):
/// - 09:00 Jana logs in and opens the workspace (online);
/// - 09:10:00 Karel asks for a chat in Sales and is offered to Jana;
/// - 09:10:10 Lenka asks too and waits (Jana has one chat slot);
/// - 09:10:25 Jana accepts Karel (25 s wait);
/// - 09:11:40 Lenka leaves (abandoned after 90 s);
/// - 09:12 Jana goes on a paid training for 20 minutes;
/// - 09:32 her supervisor puts her online again; the reports are read at
///   09:40.
struct Morning {
    jana: String,
    training: String,
    sales: String,
    karel: String,
    lenka: String,
    boss: Client,
}

async fn known_morning(app: &TestApp) -> Morning {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let training = app.pause_type(&c, "Školení", true).await;
    let (ids, tabs) = app.chat_operators(&c, &["Jana"], 1).await;
    let jana = ids[0].clone();
    let mut jana_ws = tabs[0].ws(None).await;
    let r = admin
        .post(
            "/api/v1/groups",
            json!({"name": "Sales", "members": [jana]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sales = r.body["id"].as_str().expect("group id").to_owned();

    app.clock.advance_ms(10 * MIN);
    let r = chat(app, "=1+2, \"Karel\"", &sales).await;
    let karel = r["session"]["id"].as_str().expect("id").to_owned();
    jana_ws.next_of("session.offered").await;

    app.clock.advance_ms(10 * S);
    let r = chat(app, "Lenka Řeháková", &sales).await;
    let lenka = r["session"]["id"].as_str().expect("id").to_owned();
    let lenka_token = r["client_token"].as_str().expect("token").to_owned();

    app.clock.advance_ms(15 * S);
    let r = tabs[0]
        .send(
            Method::POST,
            &format!("/api/v1/sessions/{karel}/accept"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    app.clock.advance_ms(75 * S);
    let r = app
        .anonymous()
        .bearer(&lenka_token)
        .post(&format!("/api/v1/client/sessions/{lenka}/leave"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["session"]["end_reason"], "abandoned", "{}", r.body);

    app.clock.advance_ms(20 * S);
    tabs[0].set_status(&jana, "away", Some(&training)).await;
    app.clock.advance_ms(20 * MIN);
    boss.set_status(&jana, "online", None).await;
    app.clock.advance_ms(8 * MIN);
    Morning {
        jana,
        training,
        sales,
        karel,
        lenka,
        boss,
    }
}

/// A client asks for a chat in the group.
async fn chat(app: &TestApp, name: &str, group_id: &str) -> Value {
    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "name": name, "group_id": group_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

/// A JSON report, which must be there.
async fn get_ok(client: &Client, path: &str) -> Value {
    let r = client.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.body
}

async fn reports_count_a_known_morning(app: TestApp) {
    let m = known_morning(&app).await;
    let Morning { jana, sales, .. } = &m;

    // Jana's Prague day: 12 + 8 minutes online, 20 minutes of paid
    // training, one session; the day has gone by until 09:40 (9 h 40 min).
    let jana_day = json!({
        "start": "2026-01-04T23:00:00.000Z",
        "end": "2026-01-05T23:00:00.000Z",
        "online_s": 1200,
        "away_s": 0,
        "break_s": [{"pause_type": {"id": m.training, "name": "Školení", "paid": true},
                     "paid": true, "seconds": 1200}],
        "offline_s": (9 * 60 + 40) * 60 - 2400,
        "paid_break_s": 1200,
        "unpaid_break_s": 0,
        "sessions_handled": 1,
        "ratings": 0,
        "after_chat_s": 0,
        "average_rating": null,
    });
    let report = get_ok(
        &m.boss,
        &format!("/api/v1/reports/operators?from={DAY_FROM}&to={DAY_TO}&group_id={sales}"),
    )
    .await;
    assert_eq!(
        report,
        json!({"items": [{"operator_id": jana, "name": "Jana", "buckets": [jana_day]}]})
    );

    // Everyone of the company, by name, when no group is given; the same
    // week as one ISO week (Monday to Monday).
    let report = get_ok(&m.boss, "/api/v1/reports/operators?from=2026-01-04T23:00:00Z&to=2026-01-11T23:00:00Z&bucket=week&tz=Europe/Prague").await;
    let names: Vec<&str> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Admin", "Boss", "Jana"]);
    let week = &report["items"][2]["buckets"];
    assert_eq!(week.as_array().map(Vec::len), Some(1), "{week}");
    assert_eq!(week[0]["start"], "2026-01-04T23:00:00.000Z");
    assert_eq!(week[0]["end"], "2026-01-11T23:00:00.000Z");
    assert_eq!(week[0]["online_s"], 1200);
    assert_eq!(week[0]["paid_break_s"], 1200);
    assert_eq!(week[0]["sessions_handled"], 1);

    // The same instants in UTC days: the Prague hour before midnight UTC is
    // a day of its own, all offline.
    let report = get_ok(
        &m.boss,
        &format!("/api/v1/reports/operators?from={DAY_FROM}&to={DAY_TO}&tz=UTC&group_id={sales}"),
    )
    .await;
    let days = &report["items"][0]["buckets"];
    assert_eq!(days[0]["start"], "2026-01-04T23:00:00.000Z");
    assert_eq!(days[0]["end"], "2026-01-05T00:00:00.000Z");
    assert_eq!(days[0]["offline_s"], 3600);
    assert_eq!(days[0]["sessions_handled"], 0);
    assert_eq!(days[1]["start"], "2026-01-05T00:00:00.000Z");
    assert_eq!(days[1]["online_s"], 1200);
    assert_eq!(days[1]["sessions_handled"], 1);

    // The queue, Prague hours 09-10 and 10-11: Karel waited 25 s and was
    // answered, Lenka gave up after 90 s; both waited at once.
    let queue = get_ok(
        &m.boss,
        "/api/v1/reports/queue?from=2026-01-05T08:00:00Z&to=2026-01-05T10:00:00Z",
    )
    .await;
    assert_eq!(
        queue,
        json!({
            "items": [
                {"start": "2026-01-05T08:00:00.000Z", "end": "2026-01-05T09:00:00.000Z",
                 "created": 2, "answered": 1, "answered_within_sl": 0, "abandoned": 1,
                 "max_waiting": 2, "avg_wait_s": 57.5, "max_wait_s": 90},
                {"start": "2026-01-05T09:00:00.000Z", "end": "2026-01-05T10:00:00.000Z",
                 "created": 0, "answered": 0, "answered_within_sl": 0, "abandoned": 0,
                 "max_waiting": 0, "avg_wait_s": null, "max_wait_s": null},
            ],
            "totals": {"created": 2, "answered": 1, "answered_within_sl": 0, "service_level": 0.0,
                       "abandoned": 1, "avg_wait_s": 57.5, "max_wait_s": 90},
            "service_level_s": 20,
        })
    );
    // Within 30 s Karel counts: one of two.
    let queue = get_ok(&m.boss, &format!(
                "/api/v1/reports/queue?from=2026-01-05T08:00:00Z&to=2026-01-05T10:00:00Z&service_level_s=30&group_id={sales}&channel=chat"
            )).await;
    assert_eq!(queue["totals"]["answered_within_sl"], 1);
    assert_eq!(queue["totals"]["service_level"], 0.5);
    assert_eq!(queue["service_level_s"], 30);
    // Nobody e-mailed: no service level without anyone answered or gone.
    let queue = get_ok(
        &m.boss,
        "/api/v1/reports/queue?from=2026-01-05T08:00:00Z&to=2026-01-05T10:00:00Z&channel=email",
    )
    .await;
    assert_eq!(queue["totals"]["created"], 0);
    assert_eq!(queue["totals"]["service_level"], Value::Null);

    // Jana's history from 09:05 to 09:35, clipped to it.
    let d = download(
        &m.boss,
        &format!(
            "/api/v1/reports/state-history.csv?from=2026-01-05T08:05:00Z&to=2026-01-05T08:35:00Z&operator_id={jana}"
        ),
    )
    .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        d.disposition,
        "attachment; filename=\"hovor-state-history-2026-01-05-2026-01-05.csv\""
    );
    assert_eq!(d.truncated, None);
    assert_eq!(
        d.text,
        csv(&[
            "operator_id,operator_name,presence,status,pause_type,paid,cause,started_at,ended_at,seconds,changed_by".into(),
            format!("{jana},Jana,online,online,,,login,2026-01-05T08:05:00.000Z,2026-01-05T08:12:00.000Z,420,"),
            format!("{jana},Jana,break,away,Školení,true,manual,2026-01-05T08:12:00.000Z,2026-01-05T08:32:00.000Z,1200,"),
            format!("{jana},Jana,online,online,,,supervisor,2026-01-05T08:32:00.000Z,2026-01-05T08:35:00.000Z,180,Boss"),
        ])
    );
    // A span still going on has no end yet; its seconds run to now (09:40).
    let d = download(
        &m.boss,
        &format!("/api/v1/reports/state-history.csv?from=2026-01-05T08:35:00Z&to={DAY_TO}&operator_id={jana}"),
    )
    .await;
    assert_eq!(
        d.text,
        csv(&[
            "operator_id,operator_name,presence,status,pause_type,paid,cause,started_at,ended_at,seconds,changed_by".into(),
            format!("{jana},Jana,online,online,,,supervisor,2026-01-05T08:35:00.000Z,,300,Boss"),
        ])
    );
    // Everyone's, by name.
    let d = download(
        &m.boss,
        &format!("/api/v1/reports/state-history.csv?from={DAY_FROM}&to={DAY_TO}"),
    )
    .await;
    let names: Vec<&str> = d
        .text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    assert_eq!(names, vec!["Admin", "Boss", "Jana", "Jana", "Jana"]);

    // The sessions, with Karel's formula of a name made harmless.
    let d = download(
        &m.boss,
        "/api/v1/reports/sessions.csv?from=2026-01-05T08:00:00Z&to=2026-01-05T09:00:00Z",
    )
    .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        d.disposition,
        "attachment; filename=\"hovor-sessions-2026-01-05-2026-01-05.csv\""
    );
    let (karel, lenka) = (&m.karel, &m.lenka);
    assert_eq!(
        d.text,
        csv(&[
            "session_id,channel,source,group_id,group_name,operator_id,operator_name,status,created_at,accepted_at,ended_at,end_reason,wait_s,client_name".into(),
            format!("{karel},chat,widget,{sales},Sales,{jana},Jana,active,2026-01-05T08:10:00.000Z,2026-01-05T08:10:25.000Z,,,25,\"'=1+2, \"\"Karel\"\"\""),
            format!("{lenka},chat,widget,{sales},Sales,,,ended,2026-01-05T08:10:10.000Z,,2026-01-05T08:11:40.000Z,abandoned,90,Lenka Řeháková"),
        ])
    );
    // Only the built-in group's: none.
    let builtin = get_ok(&m.boss, "/api/v1/wallboard").await["groups"][0]["group_id"]
        .as_str()
        .expect("built-in group")
        .to_owned();
    let d = download(
        &m.boss,
        &format!("/api/v1/reports/sessions.csv?from=2026-01-05T08:00:00Z&to=2026-01-05T09:00:00Z&group_id={builtin}"),
    )
    .await;
    assert_eq!(d.text.lines().count(), 1, "{}", d.text);
}

async fn only_overseers_of_the_company_see_reports(app: TestApp) {
    let c = app.company("acme").await;
    let other = app.company("other").await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let jana_tab = app.login(&jana).await;
    let stranger = app.user(&other, "Stranger", Role::Operator).await;
    let theirs = app
        .store()
        .create_group(
            &other.id,
            "Theirs",
            std::slice::from_ref(&stranger.id),
            None,
            Strategy::LongestIdle,
            crate::harness::START,
        )
        .await
        .expect("group")
        .id;
    let key = app.with_api_key(&app.api_key(&c).await);
    let pbx_key = hovor_server::auth::new_api_key();
    app.store()
        .create_api_key(
            &c.id,
            "pbx",
            &hovor_server::auth::digest(&pbx_key),
            &["telephony".to_owned()],
            crate::harness::START,
        )
        .await
        .expect("telephony key");
    let pbx = app.with_api_key(&pbx_key);

    let window = "from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z";
    let endpoints = [
        "/api/v1/reports/operators",
        "/api/v1/reports/queue",
        "/api/v1/reports/state-history.csv",
        "/api/v1/reports/sessions.csv",
    ];
    for path in endpoints {
        let url = format!("{path}?{window}");
        for (who, client) in [("supervisor", &boss), ("admin", &admin), ("API key", &key)] {
            let d = download(client, &url).await;
            assert_eq!(d.status, StatusCode::OK, "{who} on {path}: {}", d.text);
        }
        let r = jana_tab.get(&url).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "operator on {path}");
        assert_eq!(r.body["error"]["code"], "forbidden", "{}", r.body);
        let r = pbx.get(&url).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "telephony key on {path}");
        assert_eq!(r.body["error"]["code"], "scope_forbidden");
        let r = app.anonymous().get(&url).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "nobody on {path}");
    }

    // Another company's group and operator are not found.
    for path in [
        "/api/v1/reports/operators",
        "/api/v1/reports/queue",
        "/api/v1/reports/sessions.csv",
    ] {
        let r = boss
            .get(&format!("{path}?{window}&group_id={theirs}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "their group on {path}");
        assert_eq!(r.body["error"]["code"], "not_found");
        let r = key
            .get(&format!("{path}?{window}&group_id=grp_nonexistent"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "no group on {path}");
    }
    let r = boss
        .get(&format!(
            "/api/v1/reports/state-history.csv?{window}&operator_id={}",
            stranger.id
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "not_found");
    // Their history is not in ours.
    let d = download(
        &boss,
        &format!("/api/v1/reports/state-history.csv?{window}"),
    )
    .await;
    assert!(!d.text.contains(&stranger.id), "{}", d.text);
    assert!(d.text.contains(&jana.id), "{}", d.text);
}

async fn report_windows_and_parameters_are_checked(app: TestApp) {
    let c = app.company("acme").await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let cases: &[(&str, StatusCode, &str)] = &[
        (
            "/api/v1/reports/operators?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z&tz=Europe/Brno",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_tz",
        ),
        (
            "/api/v1/reports/queue?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z&tz=Mars",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_tz",
        ),
        (
            "/api/v1/reports/operators?from=2026-01-05T00:00:00Z&to=2026-01-05T00:00:00Z",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_window",
        ),
        (
            "/api/v1/reports/queue?from=2026-01-06T00:00:00Z&to=2026-01-05T00:00:00Z",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_window",
        ),
        (
            "/api/v1/reports/sessions.csv?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_window",
        ),
        (
            "/api/v1/reports/state-history.csv?from=yesterday&to=2026-01-05T00:00:00Z",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_time",
        ),
        (
            "/api/v1/reports/queue?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z&service_level_s=0",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_service_level",
        ),
        (
            "/api/v1/reports/operators?to=2026-01-06T00:00:00Z",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/api/v1/reports/operators?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z&bucket=month",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/api/v1/reports/queue?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z&channel=fax",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
    ];
    for (path, status, code) in cases {
        let r = boss.get(path).await;
        assert_eq!(r.status, *status, "{path}: {}", r.body);
        assert_eq!(r.body["error"]["code"], *code, "{path}: {}", r.body);
    }
    // 93 local days are allowed, even across the autumn change (an hour more).
    let r = boss
        .get("/api/v1/reports/operators?from=2026-08-31T22:00:00Z&to=2026-12-02T23:00:00Z&bucket=week")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = boss
        .get("/api/v1/reports/queue?from=2026-01-01T00:00:00Z&to=2026-04-04T00:00:00Z")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Hours are local hours, but as many as the window's: Prague's are
    // UTC's whole hours (the spring change renames one, it takes none).
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(93 * 24));
}
