//! The bare relay: the same traffic as Hovor's, with nothing behind it.
//!
//! A peer connects to `/?name=<name>` and sends `{"to":"<name>","id":N}`;
//! the relay passes the frame as it is to that peer and answers the sender
//! `{"type":"ack","id":N}`. No storage, no routing, no authentication: it
//! is what moving these frames costs on this machine, the ceiling every
//! figure of the suite is compared with. Like Hovor it runs one task per
//! connection with small buffers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

type Peers = Arc<Mutex<HashMap<String, mpsc::Sender<Utf8Bytes>>>>;

/// Frames waiting for a slow peer before the relay drops them.
const PEER_QUEUE: usize = 256;

pub fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .max_message_size(Some(64 << 10))
}

pub async fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    println!("relay listening on {}", listener.local_addr()?);
    let peers = Peers::default();
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, peers.clone()));
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    to: &'a str,
    id: u64,
}

// The handshake callback's error type is tungstenite's, large or not.
#[allow(clippy::result_large_err)]
async fn connection(stream: TcpStream, peers: Peers) {
    let mut name = String::new();
    let named = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        name = request
            .uri()
            .query()
            .unwrap_or_default()
            .split('&')
            .find_map(|pair| pair.strip_prefix("name="))
            .unwrap_or_default()
            .to_owned();
        Ok(response)
    };
    let Ok(socket) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, named, Some(socket_config())).await
    else {
        return;
    };
    let (tx, mut inbox) = mpsc::channel(PEER_QUEUE);
    lock(&peers).insert(name.clone(), tx);
    let (mut sink, mut source) = socket.split();
    loop {
        tokio::select! {
            frame = source.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let Ok(envelope) = serde_json::from_str::<Envelope>(text.as_str()) else {
                        continue;
                    };
                    let ack = format!(r#"{{"type":"ack","id":{}}}"#, envelope.id);
                    let peer = lock(&peers).get(envelope.to).cloned();
                    if let Some(peer) = peer {
                        let _ = peer.try_send(text.clone());
                    }
                    if sink.send(Message::Text(ack.into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            Some(text) = inbox.recv() => {
                if sink.send(Message::Text(text)).await.is_err() {
                    break;
                }
            }
        }
    }
    lock(&peers).remove(&name);
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
