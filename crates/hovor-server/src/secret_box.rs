//! Credentials Hovor has to use again later (an inbox's IMAP and SMTP
//! passwords) are kept sealed at rest: ChaCha20-Poly1305 under the
//! deployment's secret key, each bound to the record and field it belongs
//! to, so a sealed value copied into another row does not open.
//!
//! The key is `HOVOR_SECRET_KEY` (64 hex digits), which every node of a
//! cluster must share; without it, a node keeps one in `secret.key` in its
//! data directory, created on first start (right for one node, SQLite or
//! PostgreSQL).

use std::path::Path;

use anyhow::{bail, Context};
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};

const KEY_LEN: usize = 32;
/// Sealed values start with this: a later format can be told apart.
const VERSION: &str = "v1:";

pub struct SecretBox {
    key: LessSafeKey,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(…)")
    }
}

impl SecretBox {
    pub fn from_key(bytes: &[u8; KEY_LEN]) -> SecretBox {
        let key = UnboundKey::new(&CHACHA20_POLY1305, bytes).expect("a 32-byte key");
        SecretBox {
            key: LessSafeKey::new(key),
        }
    }

    /// A key of its own, kept nowhere (tests and one-off tools).
    pub fn random() -> SecretBox {
        let mut key = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SecretBox::from_key(&key)
    }

    /// The key from `HOVOR_SECRET_KEY`'s 64 hex digits.
    pub fn from_hex(text: &str) -> anyhow::Result<SecretBox> {
        let bytes = hex::decode(text.trim()).context("HOVOR_SECRET_KEY is not hexadecimal")?;
        let Ok(key) = <[u8; KEY_LEN]>::try_from(bytes.as_slice()) else {
            bail!("HOVOR_SECRET_KEY must be 64 hex digits (32 bytes)");
        };
        Ok(SecretBox::from_key(&key))
    }

    /// The key kept in `dir/secret.key`, made (readable by its owner only)
    /// when there is none.
    pub fn in_data_dir(dir: &Path) -> anyhow::Result<SecretBox> {
        let path = dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                SecretBox::from_hex(&text).with_context(|| format!("reading {}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; KEY_LEN];
                rand::rngs::OsRng.fill_bytes(&mut key);
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                write_private(&path, &hex::encode(key))
                    .with_context(|| format!("writing {}", path.display()))?;
                Ok(SecretBox::from_key(&key))
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// `plain` sealed for `context` (say, `inbox:<id>:imap`).
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut data,
            )
            .expect("sealing a short value");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!("{VERSION}{}", hex::encode(out))
    }

    /// The plain value, or an error when it was sealed under another key or
    /// for another context, or was altered.
    pub fn open(&self, sealed: &str, context: &str) -> anyhow::Result<String> {
        let Some(body) = sealed.strip_prefix(VERSION) else {
            bail!("not a sealed value");
        };
        let bytes = hex::decode(body).context("a sealed value is not hexadecimal")?;
        if bytes.len() < NONCE_LEN {
            bail!("a sealed value is too short");
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| anyhow::anyhow!("a sealed value's nonce is malformed"))?;
        let mut data = data.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut data)
            .map_err(|_| {
                anyhow::anyhow!(
                    "a sealed value does not open: it was sealed under another HOVOR_SECRET_KEY, or altered"
                )
            })?;
        String::from_utf8(plain.to_vec()).context("a sealed value is not text")
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_context() {
        let a = SecretBox::from_key(&[7; KEY_LEN]);
        let sealed = a.seal("heslo k poště", "inbox:1:imap");
        assert!(!sealed.contains("heslo"));
        assert_eq!(
            a.open(&sealed, "inbox:1:imap").expect("opens"),
            "heslo k poště"
        );
        assert!(a.open(&sealed, "inbox:2:imap").is_err(), "another row");
        let b = SecretBox::from_key(&[8; KEY_LEN]);
        assert!(b.open(&sealed, "inbox:1:imap").is_err(), "another key");
        let last = sealed.chars().last().expect("not empty");
        let altered = format!(
            "{}{}",
            &sealed[..sealed.len() - 1],
            if last == '0' { '1' } else { '0' }
        );
        assert!(a.open(&altered, "inbox:1:imap").is_err(), "altered");
        assert_ne!(
            a.seal("x", "c"),
            a.seal("x", "c"),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn the_data_dir_key_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("hovor-key-{}", rand::random::<u64>()));
        let first = SecretBox::in_data_dir(&dir).expect("made");
        let sealed = first.seal("x", "c");
        let again = SecretBox::in_data_dir(&dir).expect("read");
        assert_eq!(again.open(&sealed, "c").expect("opens"), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key"))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_bad_environment_key_is_refused() {
        assert!(SecretBox::from_hex("abc").is_err());
        assert!(SecretBox::from_hex(&"0".repeat(64)).is_ok());
    }
}
