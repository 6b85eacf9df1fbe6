//! Files kept in an S3-compatible bucket (HOVOR_FILES_S3_BUCKET) instead of
//! a directory: a chat's files go into the bucket and come back byte for
//! byte to the participants, nothing is written to a directory, an unused
//! upload is removed from the bucket only after its grace, and a bucket that
//! cannot be used stops the node at start.

use std::sync::Arc;
use std::time::Duration;

use hovor_server::files::FileStore;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::process::start_with_env;
use crate::harness::s3::S3Server;
use crate::harness::{test_config, Backend, TestApp};

const BUCKET: &str = "hovor-files";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    files_in_a_bucket(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    files_in_a_bucket(Backend::Postgres).await;
}

fn key_of(bytes: &[u8]) -> String {
    let sha256 = FileStore::digest(bytes);
    format!("{}/{sha256}", &sha256[..2])
}

async fn files_in_a_bucket(backend: Backend) {
    let Some(s3) = S3Server::start().await else {
        return;
    };
    s3.create_bucket(BUCKET).await;
    let files = FileStore::in_bucket(BUCKET, s3.settings()).expect("the bucket's settings");
    files.check().await.expect("the bucket can be used");
    let mut config = test_config();
    config.files = Arc::new(files);
    let Some(app) = TestApp::spawn_with(backend, config).await else {
        return;
    };
    assert!(
        app.state.config.files.dir().is_none(),
        "no directory in use"
    );

    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 3).await;
    let jana = &tabs[0];
    let _online = jana.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let client = app.anonymous().bearer(&token);

    // The client's photo and Jana's PDF go into the bucket, named by their
    // SHA-256.
    let r = client
        .upload(
            &format!("/api/v1/client/sessions/{id}/files?name=hrnek.png&client_msg_id=f1"),
            PNG.to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let photo = r.body["attachments"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = jana
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = jana
        .upload(
            &format!("/api/v1/sessions/{id}/files?name=nabidka.pdf"),
            PDF.to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let offer = r.body["attachments"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let keys = s3.keys(BUCKET).await;
    assert!(
        keys.contains(&key_of(PNG)),
        "the photo is in the bucket: {keys:?}"
    );
    assert!(
        keys.contains(&key_of(PDF)),
        "the PDF is in the bucket: {keys:?}"
    );
    assert!(
        !keys.iter().any(|k| k.starts_with("hovor-check/")),
        "the start's test file was removed: {keys:?}"
    );

    // Back from the bucket, byte for byte, to each side.
    let (status, _, bytes) = jana
        .download(&format!("/api/v1/sessions/{id}/attachments/{photo}"))
        .await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PNG));
    let (status, _, bytes) = client
        .download(&format!("/api/v1/client/sessions/{id}/attachments/{offer}"))
        .await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));

    // An upload nothing names: kept while young, then removed from the
    // bucket (the janitor's rule).
    let files = &app.state.config.files;
    let orphan = files.put(b"an upload never sent").await.expect("stored");
    let hour = Duration::from_secs(3600);
    assert!(!files.remove_unused(&orphan, hour).await.expect("kept"));
    assert!(files.get(&orphan).await.is_ok());
    assert!(files
        .remove_unused(&orphan, Duration::ZERO)
        .await
        .expect("removed"));
    assert!(files.get(&orphan).await.is_err());
    assert!(!files
        .remove_unused(&orphan, Duration::ZERO)
        .await
        .expect("gone already"));
    let keys = s3.keys(BUCKET).await;
    assert!(!keys.contains(&key_of(b"an upload never sent")), "{keys:?}");
    assert!(keys.contains(&key_of(PNG)), "the photo stays: {keys:?}");
}

#[tokio::test]
async fn a_bucket_that_cannot_be_used_is_said_at_start() {
    let Some(s3) = S3Server::start().await else {
        return;
    };
    let missing = FileStore::in_bucket("no-such-bucket", s3.settings()).expect("settings");
    let e = missing.check().await.expect_err("a missing bucket");
    let said = format!("{e:#}");
    assert!(
        said.contains("no-such-bucket") && said.contains("HOVOR_FILES_S3_BUCKET"),
        "{said}"
    );
}

/// The binary as an operator of a deployment runs it: the bucket named by
/// HOVOR_FILES_S3_BUCKET, reached with the usual AWS_* variables.
#[tokio::test]
async fn the_binary_takes_the_bucket_from_its_environment() {
    let Some(s3) = S3Server::start().await else {
        return;
    };
    s3.create_bucket(BUCKET).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().to_str().expect("a UTF-8 path");
    let endpoint = s3.endpoint.clone();
    let vars = |bucket: &'static str| {
        [
            ("HOVOR_FILES_S3_BUCKET", bucket),
            ("AWS_ENDPOINT", endpoint.as_str()),
            ("AWS_ALLOW_HTTP", "true"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "hovor-test"),
            ("AWS_SECRET_ACCESS_KEY", "hovor-test-secret"),
        ]
    };

    // A bucket that is not there: the node does not start, and says why.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hovor"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir", data_dir])
        .envs(vars("no-such-bucket"))
        .output()
        .expect("run hovor demo");
    assert!(!out.status.success(), "started without its bucket");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("no-such-bucket") && said.contains("HOVOR_FILES_S3_BUCKET"),
        "{said}"
    );

    // The bucket that is: it starts, and left nothing of its check behind.
    let (_server, url) = start_with_env(&["--data-dir", data_dir], &vars(BUCKET));
    let health = reqwest::get(format!("{url}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(s3.keys(BUCKET).await, Vec::<String>::new());
}
