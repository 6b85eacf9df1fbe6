//! Real mail servers for the e-mail tests: Debian's dovecot (IMAP) and
//! aiosmtpd (SMTP), started by `scripts/mail-servers/mailservers.py` in a
//! directory of the test's own, on free ports, with a throwaway CA.

use std::io::{BufRead, BufReader, Lines, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::Value;

/// The mail tests run unless HOVOR_SKIP_MAIL=1 says otherwise (the test
/// script sets it, loudly, only when dovecot or aiosmtpd is missing and CI
/// does not require them). Missing servers without it fail the test.
pub fn mail_skipped() -> bool {
    std::env::var("HOVOR_SKIP_MAIL").is_ok_and(|v| v == "1")
}

pub struct MailServers {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    pub imaps_port: u16,
    pub imap_port: u16,
    pub smtp_port: u16,
    pub ca: PathBuf,
    info: Value,
    _dir: tempfile::TempDir,
}

impl MailServers {
    /// Servers with these `user:password` accounts; `None` when skipped.
    pub fn start(users: &[&str]) -> Option<MailServers> {
        MailServers::start_with(users, &[])
    }

    /// With extra options of `mailservers.py` (`--no-idle`).
    pub fn start_with(users: &[&str], options: &[&str]) -> Option<MailServers> {
        if mail_skipped() {
            eprintln!("SKIPPED: mail servers disabled by HOVOR_SKIP_MAIL=1");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/mail-servers/mailservers.py"
        );
        let mut command = Command::new("python3");
        command.arg(script).arg("--dir").arg(dir.path());
        for user in users {
            command.args(["--user", user]);
        }
        command.args(options);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start scripts/mail-servers/mailservers.py (python3, dovecot-imapd, aiosmtpd)");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let line = stdout
            .next()
            .expect("the mail servers say they are ready")
            .expect("read their first line");
        let info: Value = serde_json::from_str(&line).expect("their JSON line");
        let port = |key: &str| {
            info[key]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .expect(key)
        };
        Some(MailServers {
            imaps_port: port("imaps_port"),
            imap_port: port("imap_port"),
            smtp_port: port("smtp_port"),
            ca: PathBuf::from(info["ca"].as_str().expect("ca")),
            info,
            child,
            stdin,
            stdout,
            _dir: dir,
        })
    }

    /// Runs a control command (`deliver USER PATH`, `restart-imap`…) and
    /// waits for its answer.
    pub fn command(&mut self, line: &str) -> Value {
        let stdin = self.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{line}").expect("write a command");
        stdin.flush().expect("flush");
        let answer = self
            .stdout
            .next()
            .expect("an answer")
            .expect("read an answer");
        let value: Value = serde_json::from_str(&answer).expect("a JSON answer");
        assert!(value.get("error").is_none(), "{line}: {value}");
        value
    }

    /// The messages delivered to `user` (new, unread), as text.
    pub fn received(&self, user: &str) -> Vec<String> {
        let dir =
            PathBuf::from(self.info["maildirs"][user].as_str().expect("a known user")).join("new");
        let mut found: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| {
                        let when = e.metadata().and_then(|m| m.modified()).ok()?;
                        Some((when, std::fs::read_to_string(e.path()).ok()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found.into_iter().map(|(_, text)| text).collect()
    }

    /// Drops a raw message into `user`'s INBOX, as if it had been delivered.
    pub fn deliver(&mut self, user: &str, raw: &str) {
        let path = self._dir.path().join(format!("msg-{}.eml", rand_suffix()));
        std::fs::write(&path, raw.replace('\n', "\r\n")).expect("write the message");
        self.command(&format!("deliver {user} {}", path.display()));
    }
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

impl Drop for MailServers {
    fn drop(&mut self) {
        // Closing stdin shuts them down cleanly.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}
