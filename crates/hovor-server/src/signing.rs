//! Signatures on what Hovor sends out (webhook deliveries, dial requests):
//! `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub fn signature(secret: &str, unix_s: i64, body: &str) -> String {
    // HMAC accepts a key of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes a key of any length"),
    };
    mac.update(format!("{unix_s}.{body}").as_bytes());
    format!("t={unix_s},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_of_time_and_body() {
        let s = signature("secret", 1_700_000_000, "{}");
        assert!(s.starts_with("t=1700000000,v1="));
        assert_eq!(s.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(s, signature("other", 1_700_000_000, "{}"));
    }
}
