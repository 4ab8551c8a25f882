//! Social sign-in end to end against a real OpenID Connect provider on loopback
//! (`oidc-provider`), on the devserver and on Better Auth 1.4.21 set up as a managed project
//! (generic OAuth providers on `/sign-in/social`, the cross-domain plugin): the redirect flow
//! completed from the app's callback URL, ID-token sign-in, linking, unlinking and provider
//! tokens, and the refusals: a forged state, a replayed code, another audience's token, an
//! expired token, a wrong nonce.

mod common;

use std::time::Duration;

use banata_auth::{
    AccountInfoQuery, Client, ErrorKind, ProviderAccount, SignInSocial, SignInWithIdToken,
};
use banata_devserver::{DevServer, DevServerConfig};
use common::either::Server;
use common::oidc::OidcProvider;
use common::{Recorder, unique_email};

/// The app's callback (a custom scheme, trusted on both servers).
const APP_CALLBACK: &str = "myapp://auth";

/// What the user's browser does with the provider's redirect: loads the server's callback
/// (no cookies of the app's) and is sent on; returns where to.
async fn follow_callback(callback: &str) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(callback)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302, "the callback redirects");
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn with_query(url: &str, key: &str, value: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != key)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair(key, value);
    url.into()
}

fn query(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn redirect_flow(server: &Server, provider: &OidcProvider) {
    let client = server.client();
    let events = Recorder::attach(&client);
    let email = unique_email("social");
    let started = client
        .auth()
        .sign_in_social(SignInSocial::new("oidc", APP_CALLBACK))
        .await
        .unwrap();
    assert!(started.url.starts_with(&provider.issuer), "{}", started.url);
    assert_eq!(
        query(&started.url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let back = provider.approve(&started.url, &email).await;
    let landed = follow_callback(&back).await;
    assert!(landed.starts_with("myapp://auth?ott="), "{landed}");

    let signed_in = client
        .auth()
        .complete_social_sign_in(landed.as_str())
        .await
        .unwrap();
    assert_eq!(signed_in.user.email.as_deref(), Some(email.as_str()));
    assert_eq!(
        signed_in.user.email_verified,
        Some(true),
        "the provider verified the address"
    );
    let session = client
        .auth()
        .get_session()
        .await
        .unwrap()
        .expect("signed in");
    assert_eq!(session.user.id, signed_in.user.id);
    let accounts = client.auth().list_accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].provider_id, "oidc");
    assert_eq!(accounts[0].account_id, email, "the provider's subject");
    let seen = events.wait_for(1).await;
    assert_eq!(seen[0].event_type.as_str(), "session.created");
    assert_eq!(seen[0].data.method.as_deref(), Some("oidc"));

    // The one-time token works once.
    let again = server
        .client()
        .auth()
        .complete_social_sign_in(landed.as_str())
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("INVALID_TOKEN"), "{again}");

    // The same callback again: its state is used up.
    let replayed = follow_callback(&back).await;
    assert_eq!(
        query(&replayed, "error").as_deref(),
        Some("please_restart_the_process")
    );
    let refused = client
        .auth()
        .complete_social_sign_in(replayed.as_str())
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Authentication);
    assert_eq!(refused.code(), Some("PLEASE_RESTART_THE_PROCESS"));

    // A forged state.
    let second = client
        .auth()
        .sign_in_social(SignInSocial::new("oidc", APP_CALLBACK))
        .await
        .unwrap();
    let back2 = provider.approve(&second.url, &email).await;
    let forged = follow_callback(&with_query(&back2, "state", "forged-state")).await;
    assert_eq!(
        query(&forged, "error").as_deref(),
        Some("please_restart_the_process")
    );

    // The first flow's (used) code with the second flow's state: the provider refuses it, and
    // the error comes back to the app.
    let code = query(&back, "code").unwrap();
    let replayed_code = follow_callback(&with_query(&back2, "code", &code)).await;
    assert!(
        replayed_code.starts_with("myapp://auth?"),
        "{replayed_code}"
    );
    let refused = client
        .auth()
        .complete_social_sign_in(replayed_code.as_str())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("INVALID_CODE"), "{refused}");

    // The user said no at the provider.
    let third = client
        .auth()
        .sign_in_social(SignInSocial::new("oidc", APP_CALLBACK))
        .await
        .unwrap();
    let state = query(&third.url, "state").unwrap();
    let callback = url::Url::parse(&back).unwrap();
    let denied = format!(
        "{}://{}{}?error=access_denied&error_description=no&state={state}",
        callback.scheme(),
        callback.host_str().unwrap(),
        callback.port().map(|p| format!(":{p}")).unwrap_or_default() + callback.path(),
    );
    let landed = follow_callback(&denied).await;
    let refused = client
        .auth()
        .complete_social_sign_in(landed.as_str())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("ACCESS_DENIED"));

    let unknown = client
        .auth()
        .sign_in_social(SignInSocial::new("nope", APP_CALLBACK))
        .await
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
    assert_eq!(unknown.code(), Some("PROVIDER_NOT_FOUND"));
}

async fn id_token_flow(server: &Server, provider: &OidcProvider) -> (Client, String) {
    let client = server.client();
    let email = unique_email("idtoken");
    let token = provider.id_token("banata-app", &email, "nonce-1").await;

    let mut wrong_nonce = SignInWithIdToken::new("oidc", token.clone());
    wrong_nonce.nonce = Some("another-nonce".into());
    let e = client
        .auth()
        .sign_in_with_id_token(wrong_nonce)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("INVALID_TOKEN"), "{e}");
    assert!(
        !format!("{e:?}{e}").contains(&token),
        "the token stays out of errors"
    );

    let other_audience = provider.id_token("other-app", &email, "nonce-1").await;
    let mut request = SignInWithIdToken::new("oidc", other_audience);
    request.nonce = Some("nonce-1".into());
    let e = client
        .auth()
        .sign_in_with_id_token(request)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("INVALID_TOKEN"));

    // Another user's claims under the original signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let claims = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &parts[1])
            .unwrap(),
    )
    .unwrap()
    .replace(&email, "mallory@example.com");
    parts[1] = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims);
    let tampered = parts.join(".");
    let e = client
        .auth()
        .sign_in_with_id_token(SignInWithIdToken::new("oidc", tampered))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("INVALID_TOKEN"));

    let short = provider.id_token("short-lived", &email, "nonce-2").await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let mut expired = SignInWithIdToken::new("short", short);
    expired.nonce = Some("nonce-2".into());
    let e = client
        .auth()
        .sign_in_with_id_token(expired)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("INVALID_TOKEN"), "an expired token");

    let events = Recorder::attach(&client);
    let mut request = SignInWithIdToken::new("oidc", token);
    request.nonce = Some("nonce-1".into());
    assert!(!format!("{request:?}").contains("eyJ"));
    let result = client.auth().sign_in_with_id_token(request).await.unwrap();
    assert_eq!(result.user.email.as_deref(), Some(email.as_str()));
    assert!(result.token.is_some());
    let session = client
        .auth()
        .get_session()
        .await
        .unwrap()
        .expect("signed in");
    assert_eq!(session.user.email.as_deref(), Some(email.as_str()));
    let seen = events.wait_for(1).await;
    assert_eq!(seen[0].data.method.as_deref(), Some("oidc"));
    (client, email)
}

/// Links `other` to a user signed in with an ID token, reads its tokens, unlinks it.
async fn linking(client: &Client, email: &str, provider: &OidcProvider) {
    let events = Recorder::attach(client);
    let started = client
        .auth()
        .link_social(SignInSocial::new("other", "myapp://linked"))
        .await
        .unwrap();

    // Another address at the provider does not link.
    let stranger = provider.approve(&started.url, "stranger@example.com").await;
    let landed = follow_callback(&stranger).await;
    let refused = client
        .auth()
        .complete_link_social(landed.as_str())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("EMAIL_DOESN'T_MATCH"), "{refused}");

    let started = client
        .auth()
        .link_social(SignInSocial::new("other", "myapp://linked"))
        .await
        .unwrap();
    let back = provider.approve(&started.url, email).await;
    let landed = follow_callback(&back).await;
    assert_eq!(
        landed, "myapp://linked",
        "linking creates no session: no one-time token"
    );
    let linked = client
        .auth()
        .complete_link_social(landed.as_str())
        .await
        .unwrap();
    assert_eq!(linked.provider_id, "other");
    assert_eq!(
        linked.account_id,
        format!("other-{email}"),
        "the other app's subject"
    );
    let seen = events.wait_for(1).await;
    assert_eq!(seen[0].event_type.as_str(), "account.linked");
    assert_eq!(seen[0].data.method.as_deref(), Some("other"));

    let access = client
        .auth()
        .get_access_token(ProviderAccount::new("other"))
        .await
        .unwrap();
    assert!(!access.access_token.expose().is_empty());
    assert!(!format!("{access:?}").contains(access.access_token.expose()));
    let refreshed = client
        .auth()
        .refresh_access_token(ProviderAccount::new("other"))
        .await
        .unwrap();
    assert_ne!(
        refreshed.access_token.expose(),
        access.access_token.expose()
    );
    assert_eq!(refreshed.provider_id, "other");
    let info = client
        .auth()
        .account_info(AccountInfoQuery {
            account_id: format!("other-{email}"),
        })
        .await
        .unwrap();
    assert_eq!(info.user["email"], email);

    let accounts = client.auth().list_accounts().await.unwrap();
    let mut providers: Vec<&str> = accounts.iter().map(|a| a.provider_id.as_str()).collect();
    providers.sort_unstable();
    assert_eq!(providers, ["oidc", "other"]);
    let unlinked = client
        .auth()
        .unlink_account(ProviderAccount::new("other"))
        .await
        .unwrap();
    assert!(unlinked.status);
    let seen = events.wait_for(2).await;
    assert_eq!(seen[1].event_type.as_str(), "account.unlinked");
    let last = client
        .auth()
        .unlink_account(ProviderAccount::new("oidc"))
        .await
        .unwrap_err();
    assert_eq!(last.code(), Some("YOU_CANT_UNLINK_YOUR_LAST_ACCOUNT"));
}

async fn whole_suite(server: Server, provider: &OidcProvider) {
    redirect_flow(&server, provider).await;
    let (client, email) = id_token_flow(&server, provider).await;
    linking(&client, &email, provider).await;
}

#[tokio::test]
async fn social_sign_in_on_the_devserver() {
    let provider = OidcProvider::start();
    let server = Server::Dev(
        DevServer::start(DevServerConfig {
            trusted_origins: vec!["myapp://".into()],
            social_providers: provider.devserver_providers(),
            ..Default::default()
        })
        .await
        .unwrap(),
    );
    whole_suite(server, &provider).await;
}

#[tokio::test]
async fn social_sign_in_on_better_auth_1_4() {
    let provider = OidcProvider::start();
    let server = Server::peer(&[("PEER_OIDC_ISSUER", provider.issuer.as_str())]);
    whole_suite(server, &provider).await;
}
