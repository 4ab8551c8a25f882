//! Raw social sign-in steps for the differential test, the same on the devserver and Better
//! Auth 1.4.21: the variables a case of the `social` profile needs (`setup: "social-…"`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

type Vars = BTreeMap<String, String>;
type Failure = Box<dyn std::error::Error + Send + Sync>;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

async fn approve(issuer: &str, url: &str, login: &str) -> Result<String, Failure> {
    let answer: Value = http()
        .post(format!("{issuer}/__test/approve"))
        .json(&json!({ "url": url, "login": login }))
        .send()
        .await?
        .json()
        .await?;
    Ok(answer["location"]
        .as_str()
        .ok_or_else(|| format!("the provider refused: {answer}"))?
        .to_owned())
}

async fn id_token(issuer: &str, client: &str, login: &str, nonce: &str) -> Result<String, Failure> {
    let answer: Value = http()
        .post(format!("{issuer}/__test/id-token"))
        .json(&json!({ "client": client, "login": login, "nonce": nonce }))
        .send()
        .await?
        .json()
        .await?;
    Ok(answer["id_token"]
        .as_str()
        .ok_or_else(|| format!("no ID token: {answer}"))?
        .to_owned())
}

/// A redirect sign-in started and approved at the provider: the server callback's path and
/// query (under `/api/auth`) as `callback`, and its `state`.
async fn approved_callback(
    base: &str,
    issuer: &str,
    email: &str,
    vars: &mut Vars,
) -> Result<(), Failure> {
    let started: Value = http()
        .post(format!("{base}/api/auth/sign-in/social"))
        .json(&json!({ "provider": "oidc", "callbackURL": "myapp://auth" }))
        .send()
        .await?
        .json()
        .await?;
    let url = started["url"]
        .as_str()
        .ok_or("setup: no authorization URL")?;
    let back = url::Url::parse(&approve(issuer, url, email).await?)?;
    let state = back
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let path = back.path().strip_prefix("/api/auth").unwrap_or(back.path());
    vars.insert(
        "callback".into(),
        format!("{path}?{}", back.query().unwrap_or_default()),
    );
    vars.insert("state".into(), state);
    Ok(())
}

/// The variables of a `social-…` set-up: `social-callback` (an approved callback),
/// `social-session` (a user signed in through the redirect flow: `token`), `social-id-token`
/// (`idToken` for the app, `otherIdToken` for another app, nonce `n-1`).
pub async fn vars(
    base: &str,
    issuer: &str,
    setup: &str,
    email: &str,
    mut vars: Vars,
) -> Result<Vars, Failure> {
    match setup {
        "social-callback" => approved_callback(base, issuer, email, &mut vars).await?,
        "social-session" => {
            approved_callback(base, issuer, email, &mut vars).await?;
            let landed = http()
                .get(format!("{base}/api/auth{}", vars["callback"]))
                .send()
                .await?;
            let location = landed.headers()["location"].to_str()?.to_owned();
            let ott = url::Url::parse(&location)?
                .query_pairs()
                .find(|(k, _)| k == "ott")
                .map(|(_, v)| v.into_owned())
                .ok_or("setup: no one-time token on the callback's redirect")?;
            let session: Value = http()
                .post(format!(
                    "{base}/api/auth/cross-domain/one-time-token/verify"
                ))
                .json(&json!({ "token": ott }))
                .send()
                .await?
                .json()
                .await?;
            let token = session["session"]["token"]
                .as_str()
                .ok_or("setup: no session")?;
            vars.insert("token".into(), token.to_owned());
        }
        "social-id-token" => {
            vars.insert(
                "idToken".into(),
                id_token(issuer, "banata-app", email, "n-1").await?,
            );
            vars.insert(
                "otherIdToken".into(),
                id_token(issuer, "other-app", email, "n-1").await?,
            );
        }
        other => return Err(format!("unknown set-up {other}").into()),
    }
    Ok(vars)
}
