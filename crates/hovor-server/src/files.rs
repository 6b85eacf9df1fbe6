//! The file store: the bytes of attachments, each named by its SHA-256,
//! kept in a directory (`HOVOR_FILES_DIR`, by default `files/` in the data
//! directory) or in an S3-compatible bucket (`HOVOR_FILES_S3_BUCKET`). The
//! database says whose a file is; the store only holds bytes. Writing the
//! same bytes twice keeps one copy, so a message read again after a crash
//! stores nothing new.
//!
//! Several nodes must share the store, as they share the database: the same
//! bucket, or a directory on a network volume.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

#[derive(Debug)]
pub struct FileStore {
    place: Place,
}

#[derive(Debug)]
enum Place {
    Dir(PathBuf),
    Bucket { name: String, bucket: AmazonS3 },
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore {
            place: Place::Dir(dir.into()),
        }
    }

    /// Files in the S3-compatible bucket `name`, reached with `settings`
    /// (endpoint, region, credentials; `AmazonS3Builder::from_env()` reads
    /// the usual `AWS_*` variables).
    pub fn in_bucket(name: &str, settings: AmazonS3Builder) -> anyhow::Result<FileStore> {
        let bucket = settings
            .with_bucket_name(name)
            .build()
            .with_context(|| format!("the file bucket {name:?}"))?;
        Ok(FileStore {
            place: Place::Bucket {
                name: name.to_owned(),
                bucket,
            },
        })
    }

    /// A directory of its own under the system's temporary directory (tests
    /// and tools that store nothing for long).
    pub fn temporary() -> FileStore {
        FileStore::new(
            std::env::temp_dir().join(format!("hovor-files-{}", hovor_store::new_id("tmp"))),
        )
    }

    /// The directory, when the files are kept in one.
    pub fn dir(&self) -> Option<&Path> {
        match &self.place {
            Place::Dir(dir) => Some(dir),
            Place::Bucket { .. } => None,
        }
    }

    /// Where the files are kept, for the log.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::Dir(dir) => format!("the directory {}", dir.display()),
            Place::Bucket { name, .. } => format!("the bucket {name}"),
        }
    }

    /// Whether the store can be used: a bucket must take, give back and
    /// remove a file with these credentials (a missing bucket or a key
    /// without those rights fails here, at start, not at a client's first
    /// upload). A directory is made when first written to.
    pub async fn check(&self) -> anyhow::Result<()> {
        let Place::Bucket { name, bucket } = &self.place else {
            return Ok(());
        };
        let probe = ObjectPath::from(format!("hovor-check/{}", hovor_store::new_id("probe")));
        let tried = async {
            bucket
                .put(&probe, PutPayload::from_static(b"hovor"))
                .await?;
            bucket.head(&probe).await?;
            bucket.delete(&probe).await
        }
        .await;
        tried.with_context(|| {
            format!("storing, reading and removing a test file in the bucket {name:?} (HOVOR_FILES_S3_BUCKET)")
        })
    }

    /// The SHA-256 (hex) of `bytes`, their name in the store.
    pub fn digest(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// A stored file's name below the store's root: `ab/ab12…`.
    fn key(sha256: &str) -> anyhow::Result<String> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("{sha256:?} does not name a stored file");
        }
        Ok(format!("{}/{sha256}", &sha256[..2]))
    }

    /// Stores `bytes` durably and returns their name: in a directory,
    /// written, synced, then renamed into place; in a bucket, put whole
    /// (S3 shows an object only once all of it is there).
    pub async fn put(&self, bytes: &[u8]) -> anyhow::Result<String> {
        let sha256 = FileStore::digest(bytes);
        let key = FileStore::key(&sha256)?;
        match &self.place {
            Place::Dir(dir) => put_in_dir(&dir.join(key), bytes).await?,
            // Put again when it is there already: that makes it fresh again
            // for `remove_unused`, in one request.
            Place::Bucket { name, bucket } => {
                bucket
                    .put(
                        &ObjectPath::from(key.as_str()),
                        PutPayload::from(bytes.to_vec()),
                    )
                    .await
                    .with_context(|| format!("storing {key} in the bucket {name}"))?;
            }
        }
        Ok(sha256)
    }

    /// Removes the file stored under `sha256`, which nothing names any more,
    /// unless it was stored (or stored again) within `grace`: an upload
    /// writes its bytes before it records them, so a file this young may be
    /// about to be named.
    pub async fn remove_unused(&self, sha256: &str, grace: Duration) -> anyhow::Result<bool> {
        let key = FileStore::key(sha256)?;
        match &self.place {
            Place::Dir(dir) => {
                let path = dir.join(key);
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
            }
            Place::Bucket { name, bucket } => {
                let location = ObjectPath::from(key.as_str());
                let meta = match bucket.head(&location).await {
                    Ok(meta) => meta,
                    Err(object_store::Error::NotFound { .. }) => return Ok(false),
                    Err(e) => {
                        return Err(e)
                            .with_context(|| format!("looking up {key} in the bucket {name}"))
                    }
                };
                let age = (chrono::Utc::now() - meta.last_modified)
                    .to_std()
                    .unwrap_or_default();
                if age < grace {
                    return Ok(false);
                }
                bucket
                    .delete(&location)
                    .await
                    .with_context(|| format!("removing {key} from the bucket {name}"))?;
            }
        }
        Ok(true)
    }

    /// The bytes stored under `sha256`.
    pub async fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let key = FileStore::key(sha256)?;
        match &self.place {
            Place::Dir(dir) => {
                let path = dir.join(key);
                tokio::fs::read(&path)
                    .await
                    .with_context(|| format!("reading the stored file {}", path.display()))
            }
            Place::Bucket { name, bucket } => {
                let read = async {
                    bucket
                        .get(&ObjectPath::from(key.as_str()))
                        .await?
                        .bytes()
                        .await
                }
                .await
                .with_context(|| format!("reading {key} from the bucket {name}"))?;
                Ok(read.to_vec())
            }
        }
    }
}

async fn put_in_dir(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if tokio::fs::try_exists(path).await.unwrap_or(false) {
        // Fresh again: `remove_unused` leaves recently stored files.
        return touch(path).await;
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
        tokio::fs::rename(&partial, path).await
    }
    .await;
    if let Err(e) = written {
        tokio::fs::remove_file(&partial).await.ok();
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
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
        let dir = store.dir().expect("a directory");
        let folder = dir.join(&a[..2]);
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
        std::fs::remove_dir_all(dir).ok();
    }
}
