//! Phone lines and the telephone exchange: the pure rules of `hovor-core`
//! applied to what the store knows and the clock says, announced live
//! whenever one of their inputs changes; call reports, the route question
//! and signed dial requests.

use std::collections::HashMap;

use axum::http::StatusCode;
use hovor_core::phone::{self, connector_up, CallEvent, PhoneLine};
use hovor_core::routing::{plan_offers, Candidate, Waiting};
use hovor_core::{Channel, ChannelSetting, Millis};
use hovor_store::{CallReport, Session, User};

use crate::error::{ApiError, ApiResult};
use crate::signing::signature;
use crate::AppState;

/// Every user's line in the company: `None` for those without the phone
/// channel.
pub async fn lines(
    app: &AppState,
    company_id: &str,
) -> ApiResult<HashMap<String, Option<PhoneLine>>> {
    let facts = app.store.telephony_facts(company_id).await?;
    let channels = app.store.company_channels(company_id).await?;
    let mut out = HashMap::new();
    for user in app.store.users(company_id).await? {
        let own: Vec<ChannelSetting> = channels
            .iter()
            .filter(|(id, _)| *id == user.id)
            .map(|(_, c)| *c)
            .collect();
        let line = phone::line_of(
            &own,
            user.phone_extension.as_deref(),
            &facts.extensions,
            facts.last_seen,
            app.now(),
        );
        out.insert(user.id, line);
    }
    Ok(out)
}

pub async fn line_of(
    app: &AppState,
    company_id: &str,
    user_id: &str,
) -> ApiResult<Option<PhoneLine>> {
    Ok(lines(app, company_id).await?.remove(user_id).flatten())
}

/// Pushes the current line of these users to their tabs and supervisors.
pub async fn announce(app: &AppState, company_id: &str, user_ids: &[String]) -> ApiResult<()> {
    let all = lines(app, company_id).await?;
    for id in user_ids {
        if let Some(Some(line)) = all.get(id) {
            app.store
                .announce_phone_line(company_id, id, Some(line), app.now())
                .await?
                .publish(app);
        }
    }
    Ok(())
}

/// Pushes one user's line after their phone channel was assigned or taken
/// away: the handset appears, or goes (`phone_line: null`).
pub async fn announce_assignment(app: &AppState, company_id: &str, user_id: &str) -> ApiResult<()> {
    let line = line_of(app, company_id, user_id).await?;
    app.store
        .announce_phone_line(company_id, user_id, line.as_ref(), app.now())
        .await?
        .publish(app);
    Ok(())
}

/// Announces every phone operator of the company (the connector changed).
pub async fn announce_all(app: &AppState, company_id: &str) -> ApiResult<()> {
    let ids: Vec<String> = lines(app, company_id)
        .await?
        .into_iter()
        .filter_map(|(id, line)| line.map(|_| id))
        .collect();
    announce(app, company_id, &ids).await
}

/// What routing decides from: the waiting sessions and the operators, their
/// lines' readiness now included.
pub async fn routing_snapshot(
    app: &AppState,
    company_id: &str,
) -> ApiResult<(Vec<Waiting>, Vec<Candidate>)> {
    Ok(app.store.routing_snapshot(company_id, app.now()).await?)
}

/// The exchange spoke: if the connector had been down, every line changes
/// (and is announced: returns true).
pub async fn exchange_seen(app: &AppState, company_id: &str) -> ApiResult<bool> {
    if app.store.touch_connector(company_id, app.now()).await? {
        announce_all(app, company_id).await?;
        return Ok(true);
    }
    Ok(false)
}

/// Run every tick: connectors that fell silent make their lines grey.
pub async fn check_connectors(app: &AppState) -> anyhow::Result<()> {
    for (company_id, last_seen, announced_up) in app.store.connectors().await? {
        if announced_up && !connector_up(last_seen, app.now()) {
            // Every node watches; the one that records it announces it.
            if !app
                .store
                .set_connector_announced(&company_id, false)
                .await?
            {
                continue;
            }
            announce_all(app, &company_id)
                .await
                .map_err(|e| anyhow::anyhow!("announcing lines of {company_id}: {}", e.message))?;
        }
    }
    Ok(())
}

/// The exchange reports an extension's registration: the owner's handset
/// changes colour live. `None` when no operator has the extension.
pub async fn register(
    app: &AppState,
    company_id: &str,
    extension: &str,
    registered: bool,
) -> ApiResult<Option<String>> {
    let Some(operator_id) = app
        .store
        .register_extension(company_id, extension, registered, app.now())
        .await?
    else {
        return Ok(None);
    };
    if !exchange_seen(app, company_id).await? {
        announce(app, company_id, std::slice::from_ref(&operator_id)).await?;
    }
    app.routing.route(company_id);
    Ok(Some(operator_id))
}

/// A call report, folded into the call's one phone session. A call is known
/// from its `ringing`: `None` (and nothing written) for another event of an
/// unknown call.
pub async fn report_call(
    app: &AppState,
    company_id: &str,
    report: &CallReport,
    operator_id: Option<&str>,
) -> ApiResult<Option<Session>> {
    if report.event != CallEvent::Ringing
        && !app.store.call_known(company_id, &report.call_id).await?
    {
        return Ok(None);
    }
    exchange_seen(app, company_id).await?;
    let session = app
        .store
        .call_report(company_id, report, operator_id, app.now())
        .await?
        .publish(app);
    Ok(Some(session))
}

/// Which extension should ring for a queue call: an operator online, with
/// the phone channel on, a green line, not on another call; longest idle
/// first. `group` `None` is the built-in "All operators".
pub async fn route_call(
    app: &AppState,
    company_id: &str,
    call_id: &str,
    group: Option<String>,
) -> ApiResult<Option<String>> {
    exchange_seen(app, company_id).await?;
    let candidates = app.store.candidates(company_id, app.now()).await?;
    let now: Millis = app.now();
    let probe = Waiting {
        session_id: call_id.to_owned(),
        channel: Channel::Phone,
        group_id: group,
        target_operator_id: None,
        preferred_operator_id: None,
        created_at: now,
        declined_by: Vec::new(),
    };
    let Some((_, chosen)) = plan_offers(&[probe], &candidates, now).into_iter().next() else {
        return Ok(None);
    };
    let extension = app
        .store
        .user(company_id, &chosen)
        .await?
        .and_then(|u| u.phone_extension)
        .ok_or_else(|| ApiError::internal("route", "a ready line without an extension"))?;
    app.store.mark_offered(&chosen, now).await?;
    app.routing_books.offered(company_id, &chosen, now);
    Ok(Some(extension))
}

/// The handset's dial pad: a signed request to the exchange's `dial_url`.
/// Returns the new call's id.
pub async fn dial(app: &AppState, user: &User, to: &str) -> ApiResult<String> {
    let conflict = |code, message: String| ApiError::new(StatusCode::CONFLICT, code, message);
    let line = line_of(app, &user.company_id, &user.id).await?;
    let Some(extension) = line.filter(PhoneLine::ready).and_then(|l| l.extension) else {
        return Err(conflict(
            "line_unavailable",
            "your phone line is not ready".into(),
        ));
    };
    let facts = app.store.telephony_facts(&user.company_id).await?;
    let (Some(url), Some(secret)) = (facts.dial_url, facts.secret) else {
        return Err(conflict(
            "telephony_not_configured",
            "an administrator has to set the exchange's dial URL and secret".into(),
        ));
    };
    let call_id = hovor_store::new_id("call");
    let payload =
        serde_json::json!({ "call_id": call_id, "extension": extension, "to": to }).to_string();
    let headers = [(
        "hovor-signature",
        signature(&secret, app.now() / 1000, &payload),
    )];
    let sent = app.outbound.post(&url, &headers, payload).await;
    match sent {
        Ok(r) if r.status().is_success() => Ok(call_id),
        Ok(r) => Err(conflict(
            "exchange_unreachable",
            format!("the exchange answered {}", r.status()),
        )),
        Err(failure) => Err(conflict(
            "exchange_unreachable",
            format!("the exchange did not answer: {}", failure.as_str()),
        )),
    }
}
