//! Connections to mail servers: TCP to a public address (unless the
//! deployment allows private ones), then TLS from the first byte or after
//! STARTTLS, verified against the usual web roots and, where a deployment
//! names one, its own CA (`HOVOR_MAIL_CA_FILE`).

use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::{bail, Context};
use hovor_core::outbound_address::is_public;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// How long a connection (and its TLS handshake) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// A connection to a mail server, encrypted or not (one type, so the IMAP
/// and SMTP clients above need not care).
#[derive(Debug)]
pub enum MailStream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for MailStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for MailStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_flush(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// What every mail connection of this node trusts, and may reach.
#[derive(Clone)]
pub struct MailTls {
    connector: TlsConnector,
}

impl std::fmt::Debug for MailTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MailTls")
    }
}

impl MailTls {
    /// The web's roots only.
    pub fn web_roots() -> MailTls {
        MailTls::new(None).expect("the built-in roots")
    }

    /// The web's roots, and the CA in `extra_ca` (PEM) if given.
    pub fn new(extra_ca: Option<&Path>) -> anyhow::Result<MailTls> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = extra_ca {
            let pem = std::fs::read(path)
                .with_context(|| format!("reading the mail CA file {}", path.display()))?;
            let mut found = 0;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.with_context(|| format!("a certificate in {}", path.display()))?;
                roots
                    .add(cert)
                    .with_context(|| format!("a certificate in {}", path.display()))?;
                found += 1;
            }
            if found == 0 {
                bail!("{} holds no PEM certificate", path.display());
            }
        }
        let config = ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(MailTls {
            connector: TlsConnector::from(Arc::new(config)),
        })
    }

    /// A TCP connection to `host:port`, refused when the name points at a
    /// loopback, private or link-local address and those are not allowed.
    pub async fn tcp(
        &self,
        host: &str,
        port: u16,
        allow_private: bool,
    ) -> anyhow::Result<TcpStream> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let found: Vec<SocketAddr> =
            tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((bare, port)))
                .await
                .context("looking the server up took too long")?
                .with_context(|| format!("{host} does not resolve"))?
                .collect();
        let usable: Vec<SocketAddr> = found
            .into_iter()
            .filter(|a| allow_private || is_public(a.ip()))
            .collect();
        if usable.is_empty() {
            bail!(
                "{host} is a loopback, private or link-local address; this server connects only \
                 to public ones (HOVOR_ALLOW_PRIVATE_WEBHOOKS=1 allows private ones)"
            );
        }
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&usable[..]))
            .await
            .context("connecting took too long")?
            .with_context(|| format!("connecting to {host}:{port}"))?;
        stream.set_nodelay(true).ok();
        Ok(stream)
    }

    /// TLS over `stream`, verifying the certificate is `host`'s.
    pub async fn tls(&self, stream: TcpStream, host: &str) -> anyhow::Result<MailStream> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(bare.to_owned())
            .with_context(|| format!("{host} is not a name TLS can verify"))?;
        let tls = tokio::time::timeout(CONNECT_TIMEOUT, self.connector.connect(name, stream))
            .await
            .context("the TLS handshake took too long")?
            .with_context(|| format!("TLS with {host}"))?;
        Ok(MailStream::Tls(Box::new(tls)))
    }
}
