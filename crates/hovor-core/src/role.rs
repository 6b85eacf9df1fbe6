//! User roles and what each may do.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Operator => "operator",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "supervisor" => Some(Role::Supervisor),
            "operator" => Some(Role::Operator),
            _ => None,
        }
    }

    /// Supervisors and admins watch every operator of their company live and
    /// may change anyone's status.
    pub fn oversees_others(self) -> bool {
        matches!(self, Role::Admin | Role::Supervisor)
    }

    /// Only admins manage company-wide configuration (pause types, settings).
    pub fn administers(self) -> bool {
        matches!(self, Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_prints() {
        for role in [Role::Admin, Role::Supervisor, Role::Operator] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_admins_administer() {
        assert!(Role::Admin.administers());
        assert!(!Role::Supervisor.administers());
        assert!(Role::Supervisor.oversees_others());
        assert!(!Role::Operator.oversees_others());
    }
}
