//! What every report checks first: who asks, and the window and time zone
//! it covers.

use hovor_core::reports::calendar::DEFAULT_TZ;
use hovor_core::reports::{check_window, parse_tz, Tz, WindowError};
use hovor_core::time::parse_rfc3339;
use hovor_core::Millis;
use hovor_store::ReportGroup;

use crate::error::{ApiError, ApiResult};
use crate::extract::Actor;
use crate::AppState;

/// Supervisors, admins and admin API keys (a key of a narrower scope never
/// gets this far).
pub fn require_overseer(actor: &Actor) -> ApiResult<()> {
    if actor.role().oversees_others() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only supervisors and administrators see reports",
        ))
    }
}

/// A checked window `[from, to)` and the time zone its days are of.
#[derive(Debug, Clone, Copy)]
pub struct ReportWindow {
    pub from: Millis,
    pub to: Millis,
    pub tz: Tz,
}

impl ReportWindow {
    /// 422 `invalid_time` for a timestamp that is not RFC 3339, `invalid_tz`
    /// for an unknown time zone, `invalid_window` for a window that does not
    /// go forward or is longer than 93 days.
    pub fn parse(from: &str, to: &str, tz: Option<&str>) -> ApiResult<ReportWindow> {
        let tz = match tz {
            None => DEFAULT_TZ,
            Some(name) => parse_tz(name).ok_or_else(|| {
                ApiError::invalid(
                    "invalid_tz",
                    format!("tz must be an IANA time zone such as Europe/Prague, not {name:?}"),
                )
            })?,
        };
        let from = instant("from", from)?;
        let to = instant("to", to)?;
        check_window(from, to, tz).map_err(|e| {
            ApiError::invalid(
                "invalid_window",
                match e {
                    WindowError::NotAfter => e.to_string(),
                    WindowError::TooLong => format!("{e}: ask for a shorter window"),
                },
            )
        })?;
        Ok(ReportWindow { from, to, tz })
    }
}

fn instant(name: &str, text: &str) -> ApiResult<Millis> {
    parse_rfc3339(text).ok_or_else(|| {
        ApiError::invalid(
            "invalid_time",
            format!("{name} must be an RFC 3339 timestamp, not {text:?}"),
        )
    })
}

/// The caller's company's group, or 404.
pub async fn group(app: &AppState, actor: &Actor, id: &str) -> ApiResult<ReportGroup> {
    app.store
        .report_group(actor.company_id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("the group"))
}
