//! The operator-status state machine.
//!
//! (Over 500 lines with its tests on purpose: the machine and the table of
//! rules that pins it down read best side by side.)
//!
//! Two facts are kept apart: the status the operator *chose* (online, or away
//! with an optional pause type) and their *connection* (live workspace
//! connections). What everyone else sees, the presence, is derived from both.
//!
//! A lost connection first makes the operator `disconnected`; only when the
//! company's grace period passes without a reconnect does the operator count
//! as offline. A reconnect inside the grace period restores everything
//! silently: no history entry is written for the blip.

use serde::{Deserialize, Serialize};

use crate::{DomainError, Millis};

/// The status an operator chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Online,
    Away,
}

/// What others see: derived from the chosen status and the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Offline,
    Disconnected,
    Online,
    Away,
    Break,
}

/// Why a status or presence changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    Manual,
    Login,
    Logout,
    Disconnect,
    Reconnect,
    MissedOffer,
    Supervisor,
    Api,
}

text_enum!(Status { Online => "online", Away => "away" });
text_enum!(Presence {
    Offline => "offline",
    Disconnected => "disconnected",
    Online => "online",
    Away => "away",
    Break => "break",
});
text_enum!(Cause {
    Manual => "manual",
    Login => "login",
    Logout => "logout",
    Disconnect => "disconnect",
    Reconnect => "reconnect",
    MissedOffer => "missed_offer",
    Supervisor => "supervisor",
    Api => "api",
});

/// Everything the state machine knows about one operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorState {
    pub logged_in: bool,
    pub status: Status,
    pub pause_type_id: Option<String>,
    /// Open workspace connections (WebSockets) right now.
    pub live_connections: u32,
    /// When the last live connection closed, while logged in with none open.
    pub disconnected_since: Option<Millis>,
    /// The grace period ran out: the operator counts as offline.
    pub grace_expired: bool,
    /// When the current recorded presence began.
    pub since: Millis,
    /// The cause of the last recorded change.
    pub cause: Cause,
}

/// What an operator, the system or a supervisor asks of the state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Login {
        status_after_login: Status,
    },
    Logout,
    SetStatus {
        status: Status,
        pause_type_id: Option<String>,
        cause: Cause,
    },
    Connect,
    Disconnect,
    /// A node of the cluster died holding `count` of this operator's
    /// connections: they are lost at once, as if the network had dropped.
    LoseConnections {
        count: u32,
    },
    ExpireGrace {
        grace_ms: Millis,
    },
}

/// The outcome of applying a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// Something others can see changed: tell every tab and supervisor.
    pub changed: bool,
    /// A new history span starts (at `started_at`).
    pub record: bool,
    pub started_at: Millis,
}

impl Transition {
    fn none(now: Millis) -> Transition {
        Transition {
            changed: false,
            record: false,
            started_at: now,
        }
    }
    fn silent(now: Millis) -> Transition {
        Transition {
            changed: true,
            record: false,
            started_at: now,
        }
    }
    fn recorded(at: Millis) -> Transition {
        Transition {
            changed: true,
            record: true,
            started_at: at,
        }
    }
}

impl OperatorState {
    /// A user who has never logged in.
    pub fn new(now: Millis) -> OperatorState {
        OperatorState {
            logged_in: false,
            status: Status::Online,
            pause_type_id: None,
            live_connections: 0,
            disconnected_since: None,
            grace_expired: false,
            since: now,
            cause: Cause::Logout,
        }
    }

    /// The presence others see right now.
    pub fn presence(&self) -> Presence {
        if self.logged_in && !self.grace_expired && self.live_connections == 0 {
            Presence::Disconnected
        } else {
            self.recorded_presence()
        }
    }

    /// The presence as history records it: a disconnection still inside the
    /// grace period is not a change of its own.
    pub fn recorded_presence(&self) -> Presence {
        if !self.logged_in || self.grace_expired {
            return Presence::Offline;
        }
        match (self.status, &self.pause_type_id) {
            (Status::Online, _) => Presence::Online,
            (Status::Away, None) => Presence::Away,
            (Status::Away, Some(_)) => Presence::Break,
        }
    }

    /// When the presence others see began.
    pub fn presence_since(&self) -> Millis {
        match (self.presence(), self.disconnected_since) {
            (Presence::Disconnected, Some(at)) => at,
            _ => self.since,
        }
    }

    /// Only `online` operators receive new offers.
    pub fn routable(&self) -> bool {
        self.presence() == Presence::Online
    }

    /// Applies a command at time `now`. On error nothing has changed.
    pub fn apply(&mut self, command: Command, now: Millis) -> Result<Transition, DomainError> {
        match command {
            Command::Login { status_after_login } => Ok(self.login(status_after_login, now)),
            Command::Logout => Ok(self.logout(now)),
            Command::SetStatus {
                status,
                pause_type_id,
                cause,
            } => self.set_status(status, pause_type_id, cause, now),
            Command::Connect => Ok(self.connect(now)),
            Command::Disconnect => Ok(self.disconnect(now)),
            Command::LoseConnections { count } => Ok(self.lose_connections(count, now)),
            Command::ExpireGrace { grace_ms } => Ok(self.expire_grace(grace_ms, now)),
        }
    }

    /// A password login. It starts a new working session with the
    /// company's status after login — unless a workspace of this operator is
    /// connected right now: a second tab or device joins that session and
    /// never changes the status chosen there. (A reconnect within a live
    /// login session is `Connect`, which restores the chosen status.)
    fn login(&mut self, status_after_login: Status, now: Millis) -> Transition {
        if self.logged_in && self.live_connections > 0 {
            return Transition::none(now);
        }
        self.logged_in = true;
        self.status = status_after_login;
        self.pause_type_id = None;
        self.grace_expired = false;
        self.disconnected_since = (self.live_connections == 0).then_some(now);
        self.since = now;
        self.cause = Cause::Login;
        Transition::recorded(now)
    }

    fn logout(&mut self, now: Millis) -> Transition {
        if !self.logged_in {
            return Transition::none(now);
        }
        self.logged_in = false;
        self.grace_expired = false;
        self.disconnected_since = None;
        self.since = now;
        self.cause = Cause::Logout;
        Transition::recorded(now)
    }

    fn set_status(
        &mut self,
        status: Status,
        pause_type_id: Option<String>,
        cause: Cause,
        now: Millis,
    ) -> Result<Transition, DomainError> {
        if status == Status::Online && pause_type_id.is_some() {
            return Err(DomainError::PauseTypeRequiresAway);
        }
        if self.status == status && self.pause_type_id == pause_type_id {
            return Ok(Transition::none(now));
        }
        self.status = status;
        self.pause_type_id = pause_type_id;
        self.since = now;
        self.cause = cause;
        Ok(Transition::recorded(now))
    }

    fn connect(&mut self, now: Millis) -> Transition {
        self.live_connections += 1;
        if !self.logged_in || self.live_connections > 1 {
            return Transition::none(now);
        }
        self.disconnected_since = None;
        if self.grace_expired {
            self.grace_expired = false;
            self.since = now;
            self.cause = Cause::Reconnect;
            Transition::recorded(now)
        } else {
            Transition::silent(now)
        }
    }

    fn disconnect(&mut self, now: Millis) -> Transition {
        self.live_connections = self.live_connections.saturating_sub(1);
        if !self.logged_in || self.live_connections > 0 || self.disconnected_since.is_some() {
            return Transition::none(now);
        }
        self.disconnected_since = Some(now);
        Transition::silent(now)
    }

    fn lose_connections(&mut self, count: u32, now: Millis) -> Transition {
        if count == 0 {
            return Transition::none(now);
        }
        self.live_connections = self.live_connections.saturating_sub(count - 1);
        self.disconnect(now)
    }

    fn expire_grace(&mut self, grace_ms: Millis, now: Millis) -> Transition {
        let Some(lost_at) = self.disconnected_since else {
            return Transition::none(now);
        };
        if !self.logged_in || self.grace_expired || self.live_connections > 0 {
            return Transition::none(now);
        }
        if now < lost_at + grace_ms {
            return Transition::none(now);
        }
        self.grace_expired = true;
        self.since = lost_at;
        self.cause = Cause::Disconnect;
        Transition::recorded(lost_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRACE: Millis = 60_000;

    fn logged_in_and_connected() -> OperatorState {
        let mut s = OperatorState::new(0);
        s.apply(
            Command::Login {
                status_after_login: Status::Online,
            },
            1_000,
        )
        .unwrap();
        s.apply(Command::Connect, 1_500).unwrap();
        s
    }

    fn set(status: Status, pause: Option<&str>, cause: Cause) -> Command {
        Command::SetStatus {
            status,
            pause_type_id: pause.map(str::to_owned),
            cause,
        }
    }

    #[test]
    fn a_new_user_is_offline() {
        let s = OperatorState::new(0);
        assert_eq!(s.presence(), Presence::Offline);
        assert!(!s.routable());
    }

    #[test]
    fn login_applies_the_company_default_and_records_it() {
        for (default, presence) in [
            (Status::Online, Presence::Online),
            (Status::Away, Presence::Away),
        ] {
            let mut s = OperatorState::new(0);
            let t = s
                .apply(
                    Command::Login {
                        status_after_login: default,
                    },
                    10,
                )
                .unwrap();
            assert!(t.record && t.changed);
            assert_eq!(s.status, default);
            assert_eq!(s.cause, Cause::Login);
            assert_eq!(s.recorded_presence(), presence);
            // Logged in but no workspace connected yet.
            assert_eq!(s.presence(), Presence::Disconnected);
            s.apply(Command::Connect, 20).unwrap();
            assert_eq!(s.presence(), presence);
        }
    }

    #[test]
    fn a_second_login_or_tab_changes_nothing() {
        let mut s = logged_in_and_connected();
        s.apply(set(Status::Away, Some("lunch"), Cause::Manual), 2_000)
            .unwrap();
        let before = s.clone();
        let t = s
            .apply(
                Command::Login {
                    status_after_login: Status::Online,
                },
                3_000,
            )
            .unwrap();
        assert_eq!(t, Transition::none(3_000));
        let t = s.apply(Command::Connect, 3_100).unwrap();
        assert!(!t.changed && !t.record);
        assert_eq!(s.status, before.status);
        assert_eq!(s.pause_type_id, before.pause_type_id);
        assert_eq!(s.live_connections, 2);
        assert_eq!(s.presence(), Presence::Break);
    }

    #[test]
    fn logging_in_again_after_the_grace_period_applies_the_status_after_login() {
        // Jana picks a pause, closes the browser without logging out, and
        // comes back the next day with her password.
        let mut s = logged_in_and_connected();
        s.apply(set(Status::Away, Some("personal"), Cause::Manual), 2_000)
            .unwrap();
        s.apply(Command::Disconnect, 3_000).unwrap();
        s.apply(Command::ExpireGrace { grace_ms: GRACE }, 3_000 + GRACE)
            .unwrap();
        assert_eq!(s.presence(), Presence::Offline);
        let t = s
            .apply(
                Command::Login {
                    status_after_login: Status::Online,
                },
                90_000_000,
            )
            .unwrap();
        assert_eq!(t, Transition::recorded(90_000_000));
        assert_eq!(
            (s.status, s.pause_type_id.as_deref()),
            (Status::Online, None)
        );
        assert_eq!(s.cause, Cause::Login);
        assert!(!s.grace_expired);
        // Her workspace connects: that is part of the login, not a reconnect.
        let t = s.apply(Command::Connect, 90_000_500).unwrap();
        assert!(!t.record);
        assert_eq!(s.cause, Cause::Login);
        assert_eq!(s.presence(), Presence::Online);
    }

    #[test]
    fn a_password_login_while_no_workspace_is_connected_starts_afresh() {
        // Inside the grace period, with every tab closed: a login with the
        // password is a new working session (a reconnect would have kept it).
        let mut s = logged_in_and_connected();
        s.apply(set(Status::Away, Some("lunch"), Cause::Manual), 2_000)
            .unwrap();
        s.apply(Command::Disconnect, 3_000).unwrap();
        s.apply(
            Command::Login {
                status_after_login: Status::Away,
            },
            4_000,
        )
        .unwrap();
        assert_eq!((s.status, s.pause_type_id.as_deref()), (Status::Away, None));
        assert_eq!(s.since, 4_000);
    }

    #[test]
    fn choosing_a_status_records_it_with_its_cause() {
        let cases = [
            (Status::Away, None, Presence::Away, Cause::Manual),
            (
                Status::Away,
                Some("lunch"),
                Presence::Break,
                Cause::Supervisor,
            ),
            (Status::Online, None, Presence::Online, Cause::Api),
        ];
        let mut s = logged_in_and_connected();
        s.apply(set(Status::Away, Some("other"), Cause::Manual), 1_900)
            .unwrap();
        for (i, (status, pause, presence, cause)) in cases.into_iter().enumerate() {
            let now = 2_000 + i as Millis;
            let t = s.apply(set(status, pause, cause), now).unwrap();
            assert_eq!(t, Transition::recorded(now));
            assert_eq!(s.presence(), presence);
            assert_eq!(s.cause, cause);
            assert_eq!(s.since, now);
        }
    }

    #[test]
    fn choosing_the_current_status_again_is_not_a_change() {
        let mut s = logged_in_and_connected();
        let t = s
            .apply(set(Status::Online, None, Cause::Manual), 5_000)
            .unwrap();
        assert_eq!(t, Transition::none(5_000));
        assert_eq!(s.since, 1_000);
    }

    #[test]
    fn a_pause_type_needs_away() {
        let mut s = logged_in_and_connected();
        let before = s.clone();
        let err = s
            .apply(set(Status::Online, Some("lunch"), Cause::Manual), 2_000)
            .unwrap_err();
        assert_eq!(err, DomainError::PauseTypeRequiresAway);
        assert_eq!(s, before, "a refused command leaves no partial state");
    }

    #[test]
    fn losing_the_last_connection_is_silent_until_the_grace_period_ends() {
        let mut s = logged_in_and_connected();
        s.apply(Command::Connect, 1_600).unwrap();
        // Closing one of two tabs changes nothing.
        assert!(!s.apply(Command::Disconnect, 2_000).unwrap().changed);
        assert_eq!(s.presence(), Presence::Online);

        let t = s.apply(Command::Disconnect, 3_000).unwrap();
        assert!(t.changed && !t.record);
        assert_eq!(s.presence(), Presence::Disconnected);
        assert_eq!(s.presence_since(), 3_000);
        assert!(!s.routable());

        // Not yet expired.
        let t = s
            .apply(Command::ExpireGrace { grace_ms: GRACE }, 3_000 + GRACE - 1)
            .unwrap();
        assert!(!t.changed);
        assert_eq!(s.presence(), Presence::Disconnected);

        // Expired: offline, recorded from the moment the connection was lost.
        let t = s
            .apply(Command::ExpireGrace { grace_ms: GRACE }, 3_000 + GRACE)
            .unwrap();
        assert_eq!(t, Transition::recorded(3_000));
        assert_eq!(s.presence(), Presence::Offline);
        assert_eq!(s.cause, Cause::Disconnect);
        // The chosen status is kept for when the operator comes back.
        assert_eq!(s.status, Status::Online);

        // Expiring twice records nothing more.
        let t = s
            .apply(Command::ExpireGrace { grace_ms: GRACE }, 3_000 + 2 * GRACE)
            .unwrap();
        assert!(!t.changed);
    }

    #[test]
    fn reconnecting_inside_the_grace_period_restores_everything_silently() {
        let mut s = logged_in_and_connected();
        s.apply(set(Status::Away, Some("lunch"), Cause::Manual), 2_000)
            .unwrap();
        let before = s.clone();
        s.apply(Command::Disconnect, 3_000).unwrap();
        let t = s.apply(Command::Connect, 3_000 + GRACE - 1).unwrap();
        assert!(t.changed && !t.record);
        assert_eq!(s, before);
        // The stale expiry check that follows must not fire.
        let t = s
            .apply(Command::ExpireGrace { grace_ms: GRACE }, 3_000 + GRACE)
            .unwrap();
        assert!(!t.changed);
    }

    #[test]
    fn reconnecting_after_the_grace_period_is_recorded() {
        let mut s = logged_in_and_connected();
        s.apply(Command::Disconnect, 3_000).unwrap();
        s.apply(Command::ExpireGrace { grace_ms: GRACE }, 100_000)
            .unwrap();
        let t = s.apply(Command::Connect, 200_000).unwrap();
        assert_eq!(t, Transition::recorded(200_000));
        assert_eq!(s.cause, Cause::Reconnect);
        assert_eq!(s.presence(), Presence::Online);
    }

    #[test]
    fn logout_makes_the_operator_offline_whatever_is_open() {
        let mut s = logged_in_and_connected();
        let t = s.apply(Command::Logout, 4_000).unwrap();
        assert_eq!(t, Transition::recorded(4_000));
        assert_eq!(s.presence(), Presence::Offline);
        assert_eq!(s.cause, Cause::Logout);
        // The tab that is still closing does not bring anything back.
        assert!(!s.apply(Command::Disconnect, 4_100).unwrap().changed);
        assert!(!s.apply(Command::Logout, 4_200).unwrap().changed);
        assert_eq!(s.presence(), Presence::Offline);
    }

    #[test]
    fn status_can_be_chosen_for_an_offline_operator_without_making_them_present() {
        let mut s = OperatorState::new(0);
        let t = s
            .apply(set(Status::Away, None, Cause::Supervisor), 10)
            .unwrap();
        assert!(t.record);
        assert_eq!(s.presence(), Presence::Offline);
    }

    #[test]
    fn texts_round_trip() {
        for p in [
            Presence::Offline,
            Presence::Disconnected,
            Presence::Online,
            Presence::Away,
            Presence::Break,
        ] {
            assert_eq!(Presence::parse(p.as_str()), Some(p));
        }
        assert_eq!(Cause::parse("missed_offer"), Some(Cause::MissedOffer));
        assert_eq!(Status::parse("busy"), None);
    }

    #[test]
    fn a_dead_node_takes_its_connections_with_it() {
        let mut s = OperatorState::new(0);
        s.apply(
            Command::Login {
                status_after_login: Status::Online,
            },
            1_000,
        )
        .unwrap();
        for at in [1_100, 1_200, 1_300] {
            s.apply(Command::Connect, at).unwrap();
        }
        // Two of the three were on the node that died: one tab remains.
        let t = s
            .apply(Command::LoseConnections { count: 2 }, 5_000)
            .unwrap();
        assert!(!t.changed);
        assert_eq!(s.live_connections, 1);
        assert_eq!(s.presence(), Presence::Online);
        assert!(
            !s.apply(Command::LoseConnections { count: 0 }, 5_100)
                .unwrap()
                .changed
        );
        // The last one too: the grace period starts, as after a lost network.
        s.apply(Command::LoseConnections { count: 1 }, 6_000)
            .unwrap();
        assert_eq!(s.live_connections, 0);
        assert_eq!(s.disconnected_since, Some(6_000));
        assert_eq!(s.presence(), Presence::Disconnected);
        // More than it had is still none.
        s.apply(Command::LoseConnections { count: 5 }, 7_000)
            .unwrap();
        assert_eq!(s.live_connections, 0);
        assert_eq!(s.disconnected_since, Some(6_000));
    }
}
