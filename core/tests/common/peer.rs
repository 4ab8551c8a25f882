//! A real Better Auth server (tests/better-auth-peer*) on a free loopback port, killed on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use banata_auth::Client;

/// The pinned Better Auth versions the suites run against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerVersion {
    /// 1.4.21, the platform's: configured like a managed project, e-mail verification required.
    V1_4,
    /// 1.7.25, the newest: no e-mail verification, the admin plugin on.
    V1_7,
}

impl PeerVersion {
    fn dir(self) -> &'static str {
        match self {
            PeerVersion::V1_4 => "better-auth-peer-1.4",
            PeerVersion::V1_7 => "better-auth-peer",
        }
    }

    /// Whether sign-in needs a verified address on this peer.
    pub fn requires_verification(self) -> bool {
        self == PeerVersion::V1_4
    }
}

/// A running peer.
pub struct Peer {
    child: Child,
    pub url: String,
    pub version: PeerVersion,
}

impl Peer {
    pub fn start(version: PeerVersion) -> Peer {
        Peer::start_with(version, &[])
    }

    /// A peer with extra `PEER_*` settings (see tests/better-auth-peer/peer.mjs).
    pub fn start_with(version: PeerVersion, env: &[(&str, &str)]) -> Peer {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests")
            .join(version.dir());
        assert!(
            dir.join("node_modules/better-auth").is_dir(),
            "the Better Auth peer {version:?} is not installed: run scripts/install.sh"
        );
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .env("PEER_PORT", "0")
            .env("PEER_DB", "memory")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node starts (Node 20 is required)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("READY ") {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the peer prints READY within 60 s");
        Peer {
            child,
            url,
            version,
        }
    }

    pub fn client(&self) -> Client {
        Client::builder(&self.url)
            .initial_retry_delay(Duration::from_millis(10))
            .build()
            .unwrap()
    }

    /// The newest mail of `kind` to `to` that the peer would have sent: `{url, token, ...}`.
    pub async fn mail(&self, to: &str, kind: &str) -> serde_json::Value {
        let body: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/__peer/mailbox", self.url))
            .query(&[("to", to)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["mails"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["kind"] == kind).cloned())
            .unwrap_or_else(|| panic!("no {kind} mail to {to}"))
    }

    pub async fn reset_token(&self, email: &str) -> String {
        self.mail(email, "password-reset").await["token"]
            .as_str()
            .expect("a reset token was issued")
            .to_owned()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
