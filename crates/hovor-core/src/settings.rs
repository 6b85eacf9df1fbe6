//! Company-wide settings with their defaults and limits.

use serde::{Deserialize, Serialize};

use crate::files::{FileKind, MAX_CHAT_FILE_MB};
use crate::{DomainError, Status};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CompanySettings {
    /// May operators switch their own channels on and off?
    pub operators_may_toggle_channels: bool,
    /// The chosen status an operator gets at login (the spec: online).
    pub status_after_login: Status,
    /// How long an operator with no live connection stays `disconnected`
    /// before being treated as offline.
    pub disconnect_grace_s: u32,
    /// How long an offered session waits for the operator to accept.
    pub offer_timeout_s: u32,
    /// Does a missed offer set the operator away?
    pub away_on_missed_offer: bool,
    /// How long a waiting client may have no open widget or invitation page
    /// before their session leaves the queue as `abandoned`.
    pub client_gone_s: u32,
    /// Clients are asked to rate a conversation when it ends.
    pub ratings_enabled: bool,
    /// The kinds of file clients and operators may send in chats (none:
    /// no files in chats).
    pub chat_file_kinds: Vec<FileKind>,
    /// The largest file sent in a chat, in MB (1–25).
    pub chat_file_max_mb: u32,
}

impl Default for CompanySettings {
    fn default() -> Self {
        CompanySettings {
            operators_may_toggle_channels: true,
            status_after_login: Status::Online,
            disconnect_grace_s: 60,
            offer_timeout_s: 30,
            away_on_missed_offer: true,
            client_gone_s: 60,
            ratings_enabled: true,
            chat_file_kinds: vec![FileKind::Images, FileKind::Pdf, FileKind::Office],
            chat_file_max_mb: 10,
        }
    }
}

/// A partial update of the settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub operators_may_toggle_channels: Option<bool>,
    pub status_after_login: Option<Status>,
    pub disconnect_grace_s: Option<u32>,
    pub offer_timeout_s: Option<u32>,
    pub away_on_missed_offer: Option<bool>,
    pub client_gone_s: Option<u32>,
    pub ratings_enabled: Option<bool>,
    pub chat_file_kinds: Option<Vec<FileKind>>,
    pub chat_file_max_mb: Option<u32>,
}

pub const GRACE_RANGE_S: (u32, u32) = (1, 3600);
pub const OFFER_TIMEOUT_RANGE_S: (u32, u32) = (5, 600);
pub const CLIENT_GONE_RANGE_S: (u32, u32) = (5, 3600);

impl CompanySettings {
    /// Returns the settings with the patch applied, or why the patch is invalid.
    /// The original is untouched either way.
    pub fn patched(&self, patch: &SettingsPatch) -> Result<CompanySettings, DomainError> {
        let mut next = self.clone();
        if let Some(v) = patch.operators_may_toggle_channels {
            next.operators_may_toggle_channels = v;
        }
        if let Some(v) = patch.status_after_login {
            next.status_after_login = v;
        }
        if let Some(v) = patch.disconnect_grace_s {
            check_range("disconnect_grace_s", v, GRACE_RANGE_S)?;
            next.disconnect_grace_s = v;
        }
        if let Some(v) = patch.offer_timeout_s {
            check_range("offer_timeout_s", v, OFFER_TIMEOUT_RANGE_S)?;
            next.offer_timeout_s = v;
        }
        if let Some(v) = patch.away_on_missed_offer {
            next.away_on_missed_offer = v;
        }
        if let Some(v) = patch.client_gone_s {
            check_range("client_gone_s", v, CLIENT_GONE_RANGE_S)?;
            next.client_gone_s = v;
        }
        if let Some(v) = patch.ratings_enabled {
            next.ratings_enabled = v;
        }
        if let Some(kinds) = &patch.chat_file_kinds {
            let mut kinds = kinds.clone();
            kinds.sort_unstable();
            kinds.dedup();
            next.chat_file_kinds = kinds;
        }
        if let Some(v) = patch.chat_file_max_mb {
            if !(1..=MAX_CHAT_FILE_MB).contains(&v) {
                return Err(DomainError::InvalidSetting(format!(
                    "chat_file_max_mb must be between 1 and {MAX_CHAT_FILE_MB}, not {v}"
                )));
            }
            next.chat_file_max_mb = v;
        }
        Ok(next)
    }
}

fn check_range(name: &str, value: u32, (min, max): (u32, u32)) -> Result<(), DomainError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(DomainError::InvalidSetting(format!(
            "{name} must be between {min} and {max} seconds, not {value}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_spec() {
        let s = CompanySettings::default();
        assert_eq!(s.status_after_login, Status::Online);
        assert_eq!(s.disconnect_grace_s, 60);
        assert!(s.operators_may_toggle_channels);
        assert_eq!(s.client_gone_s, 60);
        assert_eq!(
            s.chat_file_kinds,
            [FileKind::Images, FileKind::Pdf, FileKind::Office]
        );
        assert_eq!(s.chat_file_max_mb, 10);
    }

    #[test]
    fn chat_file_limits_are_checked() {
        for mb in [0, 26] {
            let patch = SettingsPatch {
                chat_file_max_mb: Some(mb),
                ..Default::default()
            };
            assert!(CompanySettings::default().patched(&patch).is_err(), "{mb}");
        }
        let patch = SettingsPatch {
            chat_file_max_mb: Some(25),
            chat_file_kinds: Some(vec![FileKind::Text, FileKind::Images, FileKind::Text]),
            ..Default::default()
        };
        let next = CompanySettings::default().patched(&patch).unwrap();
        assert_eq!(next.chat_file_max_mb, 25);
        assert_eq!(next.chat_file_kinds, [FileKind::Images, FileKind::Text]);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let patch = SettingsPatch {
            status_after_login: Some(Status::Away),
            ..Default::default()
        };
        let next = CompanySettings::default().patched(&patch).unwrap();
        assert_eq!(next.status_after_login, Status::Away);
        assert_eq!(next.disconnect_grace_s, 60);
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let patch = SettingsPatch {
            disconnect_grace_s: Some(0),
            ..Default::default()
        };
        let err = CompanySettings::default().patched(&patch).unwrap_err();
        assert_eq!(err.code(), "invalid_setting");
        for gone in [0, 4, 3601] {
            let patch = SettingsPatch {
                client_gone_s: Some(gone),
                ..Default::default()
            };
            assert!(
                CompanySettings::default().patched(&patch).is_err(),
                "{gone}"
            );
        }
        let patch = SettingsPatch {
            client_gone_s: Some(30),
            ..Default::default()
        };
        let next = CompanySettings::default().patched(&patch).unwrap();
        assert_eq!(next.client_gone_s, 30);
    }

    #[test]
    fn stored_settings_missing_new_fields_get_defaults() {
        let s: CompanySettings = serde_json::from_str(r#"{"disconnect_grace_s": 5}"#).unwrap();
        assert_eq!(s.disconnect_grace_s, 5);
        assert_eq!(s.offer_timeout_s, 30);
    }
}
