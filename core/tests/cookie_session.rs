//! Sessions in the browser's cookies ([`CookieSession`]), one request at a time as an app
//! server sees them, on the devserver and on Better Auth 1.4.21 set up as a managed project:
//! the cookies the SDK relays are the server's own (a browser sending them straight to the
//! server is in the same session, and a session the browser started there is the SDK's),
//! `rememberMe: false` keeps the session cookie to the browser's life, a second factor spans
//! two requests, and sign-out ends the cookies and the session.

mod common;

use banata_auth::{
    Client, CookieOptions, CookieSession, SignInEmail, SignInResult, SignUpEmail, TwoFactorCode,
    VerifyEmail,
};
use banata_devserver::DevServerConfig;
use common::either::Server;
use common::{PASSWORD, unique_email};
use cookie::Cookie;

/// A browser's cookie jar for one site: what the app's answers set, sent back on the next request.
#[derive(Default)]
struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn take(&mut self, set_cookie_lines: &[String]) {
        for line in set_cookie_lines {
            let cookie = Cookie::parse(line.clone()).unwrap();
            self.cookies.retain(|(name, _)| name != cookie.name());
            let expired = cookie.max_age().is_some_and(|a| a.whole_seconds() <= 0);
            if !expired {
                self.cookies
                    .push((cookie.name().to_owned(), cookie.value().to_owned()));
            }
        }
    }

    fn header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            let pairs: Vec<_> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            pairs.join("; ")
        })
    }

    fn holds(&self, suffix: &str) -> bool {
        self.cookies.iter().any(|(name, _)| name.ends_with(suffix))
    }

    /// One request to the app: the SDK sees its cookies, the answer's cookies come back.
    async fn request<T>(
        &mut self,
        project: &Client,
        handler: impl AsyncFnOnce(Client) -> T,
    ) -> (T, Vec<String>) {
        let cookies = CookieSession::from_request(self.header().as_deref(), local());
        let answer = handler(project.with_cookie_session(&cookies)).await;
        let lines = cookies.set_cookie_headers();
        self.take(&lines);
        (answer, lines)
    }
}

/// The app on a development machine (plain HTTP, as both servers here are).
fn local() -> CookieOptions {
    CookieOptions {
        secure: false,
        domain: None,
    }
}

/// `get-session` as the `better-auth` browser client asks it: with the cookies only.
async fn browser_get_session(server_url: &str, cookie: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{server_url}/api/auth/get-session"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn verified_user(server: &Server, project: &Client, tag: &str) -> String {
    let email = unique_email(tag);
    let client =
        project.with_session_store(std::sync::Arc::new(banata_auth::MemorySessionStore::new()));
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Cookie", &email, PASSWORD))
        .await
        .unwrap();
    let token = server.mailed(&email, "verification").await;
    client
        .auth()
        .verify_email(VerifyEmail::new(token.as_str()))
        .await
        .unwrap();
    email
}

fn url(server: &Server) -> String {
    server
        .client()
        .base_url()
        .to_string()
        .trim_end_matches('/')
        .to_owned()
}

async fn one_session_with_the_browser_client(server: Server) {
    let project = server.client();
    let email = verified_user(&server, &project, "cookies").await;
    let mut browser = Browser::default();

    let (signed_in, lines) = browser
        .request(&project, async |c| {
            c.auth()
                .sign_in_email(SignInEmail::new(&email, PASSWORD))
                .await
        })
        .await;
    assert!(matches!(signed_in.unwrap(), SignInResult::SignedIn(_)));
    assert!(
        browser.holds(".session_token") && browser.holds(".convex_jwt"),
        "{lines:?}"
    );
    let session_line = lines
        .iter()
        .find(|l| l.starts_with("better-auth.session_token="))
        .unwrap();
    assert!(
        session_line.contains("HttpOnly") && session_line.contains("Max-Age=604800"),
        "{session_line}"
    );

    // The next request is signed in, and the server sees the cookies as its own session.
    let (current, _) = browser
        .request(&project, async |c| c.auth().get_session().await)
        .await;
    let current = current.unwrap().expect("signed in");
    assert_eq!(current.user.email.as_deref(), Some(email.as_str()));
    let seen = browser_get_session(&url(&server), &browser.header().unwrap()).await;
    assert_eq!(seen["session"]["id"], current.session.id, "{seen}");
    // The JWT cookie verifies locally.
    let verified = project
        .authenticate([("cookie", browser.header().unwrap().as_str())])
        .await
        .unwrap();
    assert_eq!(verified.user_id, current.user.id);

    // Sign-out ends the cookies and the session.
    let (out, lines) = browser
        .request(&project, async |c| c.auth().sign_out().await)
        .await;
    out.unwrap();
    assert!(
        !browser.holds(".session_token")
            && !browser.holds(".convex_jwt")
            && !browser.cookies.iter().any(|(n, _)| n.contains("_multi-")),
        "{lines:?}"
    );
    let old = format!(
        "better-auth.session_token={}",
        session_line.split(['=', ';']).nth(1).unwrap()
    );
    assert!(
        browser_get_session(&url(&server), &old).await.is_null(),
        "the session ended"
    );
    let (after, lines) = browser
        .request(&project, async |c| c.auth().get_session().await)
        .await;
    assert!(after.unwrap().is_none());
    assert!(lines.is_empty(), "nothing to change: {lines:?}");

    // A session the browser started on the server is the SDK's too.
    let started = reqwest::Client::new()
        .post(format!("{}/api/auth/sign-in/email", url(&server)))
        .json(&serde_json::json!({ "email": email, "password": PASSWORD, "rememberMe": false }))
        .send()
        .await
        .unwrap();
    let set: Vec<String> = started
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let mut other = Browser::default();
    other.take(&set);
    assert!(other.holds(".dont_remember"));
    let (current, _) = other
        .request(&project, async |c| c.auth().get_session().await)
        .await;
    assert_eq!(
        current.unwrap().unwrap().user.email.as_deref(),
        Some(email.as_str())
    );
}

async fn forgetful_sign_in_and_a_second_factor(server: Server) {
    let project = server.client();
    let email = verified_user(&server, &project, "cookie-2fa").await;
    let setup_client =
        project.with_session_store(std::sync::Arc::new(banata_auth::MemorySessionStore::new()));
    setup_client
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    let setup = setup_client
        .auth()
        .enable_two_factor(PASSWORD)
        .await
        .unwrap();
    let totp = totp_rs::TOTP::from_url_unchecked(setup.totp_uri.expose()).unwrap();
    setup_client
        .auth()
        .verify_totp(totp.generate_current().unwrap().as_str())
        .await
        .unwrap();

    let mut browser = Browser::default();
    let (step, _) = browser
        .request(&project, async |c| {
            c.auth()
                .sign_in_email(SignInEmail::new(&email, PASSWORD).remember_me(false))
                .await
        })
        .await;
    assert!(matches!(
        step.unwrap(),
        SignInResult::SecondFactorRequired(_)
    ));
    assert!(browser.holds(".two_factor") && !browser.holds(".session_token"));

    // The second step is another request, carrying the pending sign-in's cookie.
    let (done, lines) = browser
        .request(&project, async |c| {
            c.auth()
                .verify_totp(TwoFactorCode {
                    code: totp.generate_current().unwrap(),
                    trust_device: None,
                })
                .await
        })
        .await;
    assert_eq!(done.unwrap().user.email.as_deref(), Some(email.as_str()));
    let session_line = lines
        .iter()
        .find(|l| l.starts_with("better-auth.session_token="))
        .unwrap();
    assert!(
        !session_line.contains("Max-Age"),
        "ends with the browser: {session_line}"
    );
    assert!(
        browser.holds(".dont_remember") && !browser.holds(".two_factor"),
        "{lines:?} {:?}",
        browser.cookies
    );
    let (current, _) = browser
        .request(&project, async |c| c.auth().get_session().await)
        .await;
    assert_eq!(
        current.unwrap().unwrap().user.email.as_deref(),
        Some(email.as_str())
    );
}

fn devserver_config() -> DevServerConfig {
    DevServerConfig {
        two_factor: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn devserver_cookies_are_the_servers_session() {
    one_session_with_the_browser_client(Server::devserver(devserver_config()).await).await;
}

#[tokio::test]
async fn better_auth_1_4_cookies_are_the_servers_session() {
    one_session_with_the_browser_client(Server::peer(&[])).await;
}

#[tokio::test]
async fn devserver_second_factor_across_requests() {
    forgetful_sign_in_and_a_second_factor(Server::devserver(devserver_config()).await).await;
}

#[tokio::test]
async fn better_auth_1_4_second_factor_across_requests() {
    forgetful_sign_in_and_a_second_factor(Server::peer(&[("PEER_TWO_FACTOR", "1")])).await;
}
