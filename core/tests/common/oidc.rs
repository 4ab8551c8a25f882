//! The loopback OpenID provider (tests/oidc-provider: `oidc-provider`, a certified
//! implementation) with its test clients, killed on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use banata_devserver::SocialProviderConfig;
use serde_json::{Value, json};

/// A running provider.
pub struct OidcProvider {
    child: Child,
    pub issuer: String,
}

impl OidcProvider {
    pub fn start() -> OidcProvider {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/oidc-provider");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the OpenID provider is not installed: run scripts/install.sh"
        );
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("READY ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let issuer = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the OpenID provider prints READY within 30 s");
        OidcProvider { child, issuer }
    }

    /// The devserver's providers: `oidc` (client banata-app), `other` (client other-app) and
    /// `short` (client short-lived: one-second ID tokens), as the 1.4 peer has them.
    pub fn devserver_providers(&self) -> Vec<SocialProviderConfig> {
        [
            ("oidc", "banata-app"),
            ("other", "other-app"),
            ("short", "short-lived"),
        ]
        .into_iter()
        .map(|(id, client)| {
            format!(
                "id={id},issuer={},client-id={client},client-secret={client}-secret",
                self.issuer
            )
            .parse()
            .unwrap()
        })
        .collect()
    }

    /// Plays the user at the provider: signs in as `login` at `authorization_url`, consents, and
    /// returns where the provider sends the browser back (code and state).
    pub async fn approve(&self, authorization_url: &str, login: &str) -> String {
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/__test/approve", self.issuer))
            .json(&json!({ "url": authorization_url, "login": login }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["location"]
            .as_str()
            .unwrap_or_else(|| panic!("the provider refused: {answer}"))
            .to_owned()
    }

    /// An ID token for `client` about `login`, as a native app gets one from the provider's
    /// SDK (the provider's `/__test/id-token` runs the app's own code flow).
    pub async fn id_token(&self, client: &str, login: &str, nonce: &str) -> String {
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/__test/id-token", self.issuer))
            .json(&json!({ "client": client, "login": login, "nonce": nonce }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["id_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no ID token: {answer}"))
            .to_owned()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
