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
            // Fresh again: `remove_unused` leaves recently stored files.
            touch(&path).await?;
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

    /// Removes the file stored under `sha256`, which nothing names any more,
    /// unless it was stored (or stored again) within `grace`: an upload
    /// writes its bytes before it records them, so a file this young may be
    /// about to be named.
    pub async fn remove_unused(
        &self,
        sha256: &str,
        grace: std::time::Duration,
    ) -> anyhow::Result<bool> {
        let path = self.path(sha256)?;
        let Ok(meta) = tokio::fs::metadata(&path).await else {
            return Ok(false);
        };
        let age = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .unwrap_or_default();
        if age < grace {
            return Ok(false);
        }
        tokio::fs::remove_file(&path)
            .await
            .with_context(|| format!("removing {}", path.display()))?;
        Ok(true)
    }

    /// The bytes stored under `sha256`.
    pub async fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.path(sha256)?;
        tokio::fs::read(&path)
            .await
            .with_context(|| format!("reading the stored file {}", path.display()))
    }
}

async fn touch(path: &Path) -> anyhow::Result<()> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        std::fs::File::options()
            .append(true)
            .open(&path)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()))
            .with_context(|| format!("touching {}", path.display()))
    })
    .await?
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
        // Young files stay; old unused ones go.
        let grace = std::time::Duration::from_secs(3600);
        assert!(!store.remove_unused(&a, grace).await.expect("kept"));
        assert!(store
            .remove_unused(&a, std::time::Duration::ZERO)
            .await
            .expect("removed"));
        assert!(store.get(&a).await.is_err());
        std::fs::remove_dir_all(store.dir()).ok();
    }
}
