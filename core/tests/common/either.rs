//! The same SDK flow on the devserver and on Better Auth 1.4.21, configured alike, for tests
//! that need each server's mailbox.

use banata_auth::Client;
use banata_devserver::{DevServer, DevServerConfig, DevServerHandle};

use super::peer::{Peer, PeerVersion};

pub enum Server {
    Dev(DevServerHandle),
    Peer(Peer),
}

impl Server {
    pub async fn devserver(config: DevServerConfig) -> Server {
        Server::Dev(DevServer::start(config).await.expect("devserver starts"))
    }

    /// The 1.4.21 peer with `env` (its `PEER_*` settings).
    pub fn peer(env: &[(&str, &str)]) -> Server {
        Server::Peer(Peer::start_with(PeerVersion::V1_4, env))
    }

    pub fn client(&self) -> Client {
        match self {
            Server::Dev(d) => Client::new(d.url()).unwrap(),
            Server::Peer(p) => p.client(),
        }
    }

    /// The token (a code, or a link's token) of the newest mail of `kind` to `to`.
    pub async fn mailed(&self, to: &str, kind: &str) -> String {
        match self {
            Server::Dev(d) => d
                .mailbox(to)
                .into_iter()
                .rev()
                .find(|m| m.kind == kind)
                .map(|m| m.token)
                .unwrap_or_else(|| panic!("no {kind} mail to {to}")),
            Server::Peer(p) => p.mail(to, kind).await["token"].as_str().unwrap().to_owned(),
        }
    }
}
