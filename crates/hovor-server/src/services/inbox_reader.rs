//! Reading one inbox over IMAP: new messages are fetched (without marking
//! them), stored — each joining its thread or starting a session — and only
//! then marked `\Seen` and counted read. A crash or a dropped connection
//! between the two reads the message again, and the store keeps it once
//! (by its Message-ID). New mail is awaited with IDLE where the server
//! offers it, and by polling otherwise.

use std::time::Duration;

use anyhow::{bail, Context};
use async_imap::extensions::idle::IdleResponse;
use async_imap::types::UnsolicitedResponse;
use futures_util::TryStreamExt;
use hovor_core::email::{InboxState, MailSecurity};
use hovor_store::{Inbox, Ingested};
use tokio_util::sync::CancellationToken;

use crate::mail::connect::MailStream;
use crate::mail::{parse, password_context};
use crate::AppState;

type Imap = async_imap::Session<MailStream>;

/// How long one IDLE lasts before it is renewed (servers end it at 30
/// minutes; NAT boxes forget quieter connections sooner).
const IDLE_FOR: Duration = Duration::from_secs(5 * 60);
/// The largest message read; a larger one is stored as a note saying so.
pub const MAX_MESSAGE_BYTES: u32 = 30 * 1024 * 1024;

/// Logs in to the inbox's IMAP server.
async fn open(app: &AppState, inbox: &Inbox) -> anyhow::Result<Imap> {
    let sealed = app
        .store
        .inbox_passwords(&inbox.id)
        .await?
        .context("the inbox is gone")?;
    let password = app
        .config
        .secrets
        .open(&sealed.imap, &password_context(&inbox.id, "imap"))?;
    let server = &inbox.imap;
    let mail = &app.config.mail_tls;
    let allow_private = app.config.allow_private_targets;
    let tcp = mail.tcp(&server.host, server.port, allow_private).await?;
    let client = match server.security {
        MailSecurity::Tls => {
            let mut client = async_imap::Client::new(mail.tls(tcp, &server.host).await?);
            greeting(&mut client).await?;
            client
        }
        MailSecurity::Starttls => {
            let mut plain = async_imap::Client::new(MailStream::Plain(tcp));
            greeting(&mut plain).await?;
            plain
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .context("the server refused STARTTLS")?;
            let MailStream::Plain(tcp) = plain.into_inner() else {
                bail!("STARTTLS over a TLS connection");
            };
            // No greeting after STARTTLS.
            async_imap::Client::new(mail.tls(tcp, &server.host).await?)
        }
        MailSecurity::None => {
            let mut client = async_imap::Client::new(MailStream::Plain(tcp));
            greeting(&mut client).await?;
            client
        }
    };
    let session = client
        .login(&server.username, &password)
        .await
        .map_err(|(e, _)| anyhow::anyhow!("logging in as {}: {e}", server.username))?;
    Ok(session)
}

async fn greeting(client: &mut async_imap::Client<MailStream>) -> anyhow::Result<()> {
    client
        .read_response()
        .await
        .context("reading the server's greeting")?
        .context("the server closed the connection before greeting")?;
    Ok(())
}

/// Reads the inbox until `stop` (the inbox was changed, deleted, or is read
/// by another node now, or the node stops): `Ok` when stopped, an error
/// when the connection failed (the caller tries again).
pub async fn read_until_stopped(
    app: &AppState,
    inbox: &Inbox,
    stop: &CancellationToken,
) -> anyhow::Result<()> {
    let mut imap = tokio::select! {
        opened = open(app, inbox) => opened?,
        () = stop.cancelled() => return Ok(()),
    };
    let idle = imap
        .capabilities()
        .await
        .context("asking for the server's capabilities")?
        .has_str("IDLE");
    let mailbox = imap
        .select(&inbox.imap.folder)
        .await
        .with_context(|| format!("opening the folder {:?}", inbox.imap.folder))?;
    let validity = i64::from(mailbox.uid_validity.unwrap_or(0));
    // A folder seen for the first time (or renumbered by the server) is read
    // from its unread messages on; after that, by UID.
    let mut last_uid = (inbox.uid_validity == Some(validity)).then_some(inbox.last_uid);
    loop {
        let newest = read_new(app, inbox, &mut imap, validity, last_uid).await?;
        if last_uid.is_none() {
            let next = mailbox.uid_next.map_or(0, |n| i64::from(n) - 1);
            let start = newest.unwrap_or(0).max(next);
            app.store
                .set_inbox_cursor(&inbox.id, validity, start)
                .await?;
            last_uid = Some(start);
        } else if let Some(newest) = newest {
            last_uid = Some(newest);
        }
        app.store
            .set_inbox_state(&inbox.id, InboxState::Ok, None, app.now())
            .await?;
        if idle {
            // Mail that arrived while we were reading (told in the answers to
            // our commands) or just before IDLE began (told before the server
            // said it was idling) is not told again in IDLE: it waits in the
            // unsolicited responses, and sends us straight back to reading.
            let unsolicited = imap.unsolicited_responses.clone();
            let mut handle = imap.idle();
            handle.init().await.context("starting IDLE")?;
            let mut news = false;
            while let Ok(told) = unsolicited.try_recv() {
                news |= matches!(
                    told,
                    UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
                );
            }
            let woke = if news {
                Some(IdleResponse::ManualInterrupt)
            } else {
                let (wait, interrupt) = handle.wait_with_timeout(IDLE_FOR);
                let woke = tokio::select! {
                    woke = wait => Some(woke.context("waiting in IDLE")?),
                    () = stop.cancelled() => None,
                };
                drop(interrupt);
                woke
            };
            imap = handle.done().await.context("ending IDLE")?;
            match woke {
                None => break,
                Some(IdleResponse::NewData(_) | IdleResponse::Timeout) => {}
                Some(IdleResponse::ManualInterrupt) => {}
            }
        } else {
            tokio::select! {
                () = tokio::time::sleep(app.config.mail_poll_every) => {}
                () = stop.cancelled() => break,
            }
            imap.noop().await.context("polling the server")?;
        }
    }
    imap.logout().await.ok();
    Ok(())
}

/// Stores every message after `last_uid` (or every unread one when it is
/// `None`), oldest first; the newest UID stored.
async fn read_new(
    app: &AppState,
    inbox: &Inbox,
    imap: &mut Imap,
    validity: i64,
    last_uid: Option<i64>,
) -> anyhow::Result<Option<i64>> {
    let query = match last_uid {
        Some(last) => format!("UID {}:*", last + 1),
        None => "UNSEEN".to_owned(),
    };
    let mut uids: Vec<u32> = imap
        .uid_search(&query)
        .await
        .context("searching for new messages")?
        .into_iter()
        // `n:*` names the newest message even when it is older than n.
        .filter(|uid| last_uid.is_none_or(|last| i64::from(*uid) > last))
        .collect();
    uids.sort_unstable();
    let mut newest = None;
    for uid in uids {
        if let Some(fetched) = fetch(imap, uid).await? {
            let mut read = parse::read(&fetched.raw, app.now());
            if let Some(size) = fetched.too_large {
                read.email.text = too_large_note(size);
                read.email.attachments.clear();
                read.files.clear();
            }
            // The attachments' bytes first: a crash after them stores the
            // e-mail again, and the same bytes are kept once.
            for (sha256, bytes) in &read.files {
                let stored = app.config.files.put(bytes).await?;
                if stored != *sha256 {
                    bail!("an attachment was stored under another name");
                }
            }
            let ingested = app
                .store
                .ingest_email(inbox, &read.email, app.now())
                .await?
                .publish(app);
            if let Ingested::Started(session) = &ingested {
                tracing::info!(inbox = %inbox.id, session = %session.id, "an e-mail started a thread");
            }
        }
        // Stored (or gone from the server): now marked read, and counted.
        drain(
            imap.uid_store(uid.to_string(), "+FLAGS (\\Seen)")
                .await
                .context("marking a message read")?,
        )
        .await?;
        app.store
            .set_inbox_cursor(&inbox.id, validity, i64::from(uid))
            .await?;
        newest = Some(i64::from(uid));
    }
    Ok(newest)
}

/// A message as fetched: all of it, or only its headers when it is larger
/// than [`MAX_MESSAGE_BYTES`] (its size in bytes then).
struct Fetched {
    raw: Vec<u8>,
    too_large: Option<u32>,
}

/// One message (`None` when it is no longer there).
async fn fetch(imap: &mut Imap, uid: u32) -> anyhow::Result<Option<Fetched>> {
    let size = {
        let mut found = None;
        let mut stream = imap
            .uid_fetch(uid.to_string(), "RFC822.SIZE")
            .await
            .context("asking a message's size")?;
        while let Some(f) = stream.try_next().await? {
            if f.uid == Some(uid) {
                found = f.size;
            }
        }
        found
    };
    let Some(size) = size else {
        return Ok(None);
    };
    let too_large = (size > MAX_MESSAGE_BYTES).then_some(size);
    let query = if too_large.is_some() {
        "BODY.PEEK[HEADER]"
    } else {
        "BODY.PEEK[]"
    };
    let mut body = None;
    let mut stream = imap
        .uid_fetch(uid.to_string(), query)
        .await
        .context("fetching a message")?;
    while let Some(f) = stream.try_next().await? {
        if f.uid == Some(uid) {
            body = f.body().or_else(|| f.header()).map(<[u8]>::to_vec);
        }
    }
    Ok(body.map(|raw| Fetched { raw, too_large }))
}

/// What an operator reads of an e-mail too large to read: where it is. In
/// both languages, since it is stored as the client's text.
fn too_large_note(size: u32) -> String {
    let mb = size / (1024 * 1024);
    let max = MAX_MESSAGE_BYTES / (1024 * 1024);
    format!(
        "[Tento e-mail má {mb} MB, víc, než Hovor načte ({max} MB); otevřete ho ve schránce. \
         / This e-mail is {mb} MB, more than Hovor reads ({max} MB); open it in the mailbox.]"
    )
}

async fn drain<S>(stream: S) -> anyhow::Result<()>
where
    S: futures_util::Stream<Item = async_imap::error::Result<async_imap::types::Fetch>>,
{
    futures_util::pin_mut!(stream);
    while stream.try_next().await?.is_some() {}
    Ok(())
}
