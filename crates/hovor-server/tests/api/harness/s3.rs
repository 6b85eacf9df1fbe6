//! An S3-compatible server of the test's own: moto's (`pip install
//! 'moto[server]'`), on a free port, for the files kept in a bucket.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use object_store::aws::AmazonS3Builder;

use super::process::free_port;

/// The bucket tests run unless HOVOR_SKIP_S3=1 says otherwise (the test
/// script sets it, loudly, only when moto is missing and CI does not
/// require it). A missing moto without it fails the test.
pub fn s3_skipped() -> bool {
    std::env::var("HOVOR_SKIP_S3").is_ok_and(|v| v == "1")
}

pub struct S3Server {
    child: Child,
    pub endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Server {
    /// Starts it and waits until it answers; `None` when skipped.
    pub async fn start() -> Option<S3Server> {
        if s3_skipped() {
            eprintln!("SKIPPED: the S3-compatible server disabled by HOVOR_SKIP_S3=1");
            return None;
        }
        let port = free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto's S3 server (python3 -m moto.server; pip install 'moto[server]')");
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http.get(&server.endpoint).send().await.is_ok() {
                return Some(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "moto's S3 server did not answer on {} within 20 s",
            server.endpoint
        );
    }

    /// Makes a bucket.
    pub async fn create_bucket(&self, name: &str) {
        let r = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint))
            .send()
            .await
            .expect("create the bucket");
        assert!(
            r.status().is_success(),
            "creating the bucket: {}",
            r.status()
        );
    }

    /// What Hovor is given: the endpoint and (moto's any) credentials.
    pub fn settings(&self) -> AmazonS3Builder {
        AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("hovor-test")
            .with_secret_access_key("hovor-test-secret")
    }

    /// The keys in a bucket, read by S3's own listing.
    pub async fn keys(&self, bucket: &str) -> Vec<String> {
        let xml = reqwest::Client::new()
            .get(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .expect("list the bucket")
            .text()
            .await
            .expect("the listing");
        xml.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect()
    }
}
