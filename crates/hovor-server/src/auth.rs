//! Passwords, login tokens and API keys.
//!
//! Passwords are hashed with Argon2id. Session tokens and API keys are random
//! secrets of which only a SHA-256 digest is stored, so a copy of the
//! database opens no account.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "hovor_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const API_KEY_PREFIX: &str = "hovor_";

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as checking a real password, so that a wrong e-mail
/// and a wrong password cannot be told apart by timing.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// Hashes and checks passwords on the blocking pool, a few at a time: each
/// Argon2 run takes 19 MiB and a core for tens of milliseconds, so a burst
/// of logins waits its turn instead of raising memory with every request.
pub struct PasswordHashing {
    turns: tokio::sync::Semaphore,
}

impl PasswordHashing {
    pub fn new(at_once: usize) -> PasswordHashing {
        PasswordHashing {
            turns: tokio::sync::Semaphore::new(at_once.max(1)),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!("password hashing closed: {e}"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| anyhow::anyhow!("password hashing task: {e}"))
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.run(move || hash_password(&password)).await?
    }

    /// Checks a password against a stored hash; against none (an unknown
    /// e-mail) it spends the same time and fails.
    pub async fn verify(&self, password: String, stored: Option<String>) -> anyhow::Result<bool> {
        self.run(move || match stored {
            Some(hash) => verify_password(&password, &hash),
            None => {
                verify_against_dummy(&password);
                false
            }
        })
        .await
    }

    /// Runs waiting for a turn now (for tests and metrics).
    pub fn free_turns(&self) -> usize {
        self.turns.available_permits()
    }
}

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn new_api_key() -> String {
    format!("{API_KEY_PREFIX}{}", random_token())
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of one cookie in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horse ", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = "a=1; hovor_session=abc; hovor_session_old=zzz";
        assert_eq!(cookie_value(h, "hovor_session"), Some("abc"));
        assert_eq!(cookie_value(h, "b"), None);
    }

    #[test]
    fn secrets_compare() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
