//! Per-operator alert settings: for a new client in the queue and for a new
//! client message, a sound (tone, volume) and a browser notification, and
//! when to alert at all.

use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertWhen {
    /// Only when the workspace window is not active (the spec's default).
    Inactive,
    Always,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Chime,
    Bell,
    Pop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventAlert {
    pub sound: bool,
    pub tone: Tone,
    /// 0 to 100.
    pub volume: u8,
    pub browser: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NotificationSettings {
    pub when: AlertWhen,
    pub new_client: EventAlert,
    pub new_message: EventAlert,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            when: AlertWhen::Inactive,
            new_client: EventAlert {
                sound: true,
                tone: Tone::Chime,
                volume: 70,
                browser: true,
            },
            new_message: EventAlert {
                sound: true,
                tone: Tone::Pop,
                volume: 70,
                browser: true,
            },
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventAlertPatch {
    pub sound: Option<bool>,
    pub tone: Option<Tone>,
    pub volume: Option<u8>,
    pub browser: Option<bool>,
}

/// A partial change; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPatch {
    pub when: Option<AlertWhen>,
    pub new_client: Option<EventAlertPatch>,
    pub new_message: Option<EventAlertPatch>,
}

fn patch_event(current: EventAlert, patch: &EventAlertPatch) -> Result<EventAlert, DomainError> {
    if patch.volume.is_some_and(|v| v > 100) {
        return Err(DomainError::InvalidSetting("volume is 0 to 100".into()));
    }
    Ok(EventAlert {
        sound: patch.sound.unwrap_or(current.sound),
        tone: patch.tone.unwrap_or(current.tone),
        volume: patch.volume.unwrap_or(current.volume),
        browser: patch.browser.unwrap_or(current.browser),
    })
}

impl NotificationSettings {
    /// The settings with the patch applied; the original is untouched.
    pub fn patched(&self, patch: &NotificationPatch) -> Result<NotificationSettings, DomainError> {
        Ok(NotificationSettings {
            when: patch.when.unwrap_or(self.when),
            new_client: match &patch.new_client {
                Some(p) => patch_event(self.new_client, p)?,
                None => self.new_client,
            },
            new_message: match &patch.new_message {
                Some(p) => patch_event(self.new_message, p)?,
                None => self.new_message,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_alert_only_when_inactive_with_sound_and_notification() {
        let s = NotificationSettings::default();
        assert_eq!(s.when, AlertWhen::Inactive);
        assert!(
            s.new_client.sound
                && s.new_client.browser
                && s.new_message.sound
                && s.new_message.browser
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let patch: NotificationPatch =
            serde_json::from_str(r#"{"new_message": {"sound": false}}"#).unwrap();
        let next = NotificationSettings::default().patched(&patch).unwrap();
        assert!(!next.new_message.sound);
        assert_eq!(next.new_message.tone, Tone::Pop);
        assert_eq!(next.new_client, NotificationSettings::default().new_client);
    }

    #[test]
    fn bad_patches_are_refused() {
        let loud: NotificationPatch =
            serde_json::from_str(r#"{"new_client": {"volume": 101}}"#).unwrap();
        assert!(NotificationSettings::default().patched(&loud).is_err());
        assert!(
            serde_json::from_str::<NotificationPatch>(r#"{"new_client": {"tone": "siren"}}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<NotificationPatch>(r#"{"vibrate": true}"#).is_err());
    }
}
