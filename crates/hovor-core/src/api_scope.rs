//! What an API key may reach. A key without a scope, or with `admin`, acts
//! as an admin of its company (keys made before scopes restricted keep
//! working). `telephony` reaches only the telephone exchange's endpoints,
//! so a compromised exchange cannot act for the company.

/// The scopes a key may be given.
pub const SCOPES: &[&str] = &["admin", "telephony"];

/// Where the `telephony` scope reaches.
pub const TELEPHONY_PREFIX: &str = "/api/v1/telephony/";

/// Acts as an admin: no scope at all, or `admin`.
pub fn is_admin(scopes: &[String]) -> bool {
    scopes.is_empty() || scopes.iter().any(|s| s == "admin")
}

/// May a key with these scopes call this path?
pub fn reaches(scopes: &[String], path: &str) -> bool {
    if is_admin(scopes) {
        return true;
    }
    scopes.iter().any(|s| s == "telephony") && path.starts_with(TELEPHONY_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_telephony_key_reaches_the_telephony_endpoints_only() {
        let pbx = scopes(&["telephony"]);
        assert!(reaches(&pbx, "/api/v1/telephony/route"));
        assert!(reaches(&pbx, "/api/v1/telephony/calls"));
        assert!(!reaches(&pbx, "/api/v1/users"));
        assert!(!reaches(&pbx, "/api/v1/api-keys"));
        assert!(!reaches(&pbx, "/api/v1/telephony"));
        assert!(!reaches(&pbx, "/api/v1/telephonyx/route"));
        assert!(!is_admin(&pbx));
    }

    #[test]
    fn keys_without_a_scope_or_with_admin_reach_everything() {
        assert!(reaches(&[], "/api/v1/users"));
        let both = scopes(&["admin", "telephony"]);
        assert!(reaches(&both, "/api/v1/users"));
        assert!(reaches(&both, "/api/v1/telephony/route"));
        assert!(is_admin(&[]));
    }
}
