//! The file store: the bytes of attachments, in a directory
//! (`HOVOR_FILES_DIR`, by default `files/` in the data directory), each
//! file named by its SHA-256. The database says whose a file is; the
//! directory only holds bytes. Writing the same bytes twice keeps one
//! copy, so a message read again after a crash stores nothing new.
//!
//! Several nodes must share the directory (a network volume), as they
//! share the database.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore { dir: dir.into() }
    }

    /// A directory of its own under the system's temporary directory (tests
    /// and tools that store nothing for long).
    pub fn temporary() -> FileStore {
        FileStore::new(
            std::env::temp_dir().join(format!("hovor-files-{}", hovor_store::new_id("tmp"))),
        )
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The SHA-256 (hex) of `bytes`, their name in the store.
    pub fn digest(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn path(&self, sha256: &str) -> anyhow::Result<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("{sha256:?} does not name a stored file");
        }
        Ok(self.dir.join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes` (durably: written, synced, then renamed into place)
    /// and returns their name.
    pub async fn put(&self, bytes: &[u8]) -> anyhow::Result<String> {
        let sha256 = FileStore::digest(bytes);
        let path = self.path(&sha256)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(sha256);
        }
        let folder = path.parent().context("a stored file's folder")?;
        tokio::fs::create_dir_all(folder)
            .await
            .with_context(|| format!("creating {}", folder.display()))?;
        let partial = folder.join(format!(".{}.partial", hovor_store::new_id("w")));
        let written = async {
            let mut file = tokio::fs::File::create(&partial).await?;
            file.write_all(bytes).await?;
            file.sync_all().await?;
            tokio::fs::rename(&partial, &path).await
        }
        .await;
        if let Err(e) = written {
            tokio::fs::remove_file(&partial).await.ok();
            return Err(e).with_context(|| format!("writing {}", path.display()));
        }
        Ok(sha256)
    }

    /// The bytes stored under `sha256`.
    pub async fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.path(sha256)?;
        tokio::fs::read(&path)
            .await
            .with_context(|| format!("reading the stored file {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_same_bytes_are_kept_once_and_read_back() {
        let store = FileStore::temporary();
        let a = store.put(b"faktura").await.expect("stored");
        let b = store.put(b"faktura").await.expect("stored again");
        assert_eq!(a, b);
        assert_eq!(store.get(&a).await.expect("read"), b"faktura");
        let folder = store.dir().join(&a[..2]);
        let entries = std::fs::read_dir(&folder).expect("folder").count();
        assert_eq!(entries, 1, "no partial files left behind");
        assert!(store.get("../../etc/passwd").await.is_err());
        std::fs::remove_dir_all(store.dir()).ok();
    }
}
