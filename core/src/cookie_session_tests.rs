use super::*;

fn server(line: &str) -> Cookie<'static> {
    Cookie::parse(line.to_owned()).unwrap()
}

fn local() -> CookieOptions {
    CookieOptions {
        secure: false,
        domain: None,
    }
}

#[test]
fn reads_only_better_auth_cookies_from_the_request() {
    let session = CookieSession::from_request(
        Some(
            "theme=dark; __Secure-better-auth.session_token=abc.sig%3D; better-auth.convex_jwt=a.b.c; better-auth.two_factor=p.s; broken",
        ),
        CookieOptions::default(),
    );
    assert_eq!(session.session_token().unwrap().expose(), "abc.sig%3D");
    assert_eq!(session.session_jwt().as_deref(), Some("a.b.c"));
    assert_eq!(
        session.device_cookies(true),
        vec![("__Secure-better-auth.two_factor".into(), "p.s".into())]
    );
    assert_eq!(
        session.device_cookies(false),
        vec![("better-auth.two_factor".into(), "p.s".into())]
    );
    assert!(session.set_cookie_headers().is_empty());
    let shown = format!("{session:?}");
    assert!(
        !shown.contains("abc") && !shown.contains("a.b.c"),
        "{shown}"
    );
}

#[test]
fn relays_the_servers_cookies_under_the_apps_flags() {
    let session = CookieSession::from_request(None, CookieOptions::default());
    session.relay(&server(
        "better-auth.session_token=t.s%2F; HttpOnly; SameSite=Lax; Path=/; Max-Age=604800; Domain=auth.example.com",
    ));
    session.relay(&server(
        "better-auth.convex_jwt=j.w.t; SameSite=Lax; Path=/; Max-Age=900",
    ));
    session.relay(&server("theme=light; Path=/"));
    let lines = session.set_cookie_headers();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let token = server(&lines[0]);
    assert_eq!(token.name(), "__Secure-better-auth.session_token");
    assert_eq!(token.value(), "t.s%2F");
    assert_eq!(token.max_age().unwrap().whole_seconds(), 604800);
    assert_eq!(token.http_only(), Some(true));
    assert_eq!(token.secure(), Some(true));
    assert_eq!(token.domain(), None);
    assert_eq!(token.path(), Some("/"));
    let jwt = server(&lines[1]);
    assert_eq!(jwt.name(), "__Secure-better-auth.convex_jwt");
    assert_eq!(jwt.http_only(), Some(true), "no script reads a token");
    assert_eq!(session.session_jwt().as_deref(), Some("j.w.t"));
    let fields = session.set_cookies();
    assert_eq!(fields[0].name, "__Secure-better-auth.session_token");
    assert_eq!(fields[0].value, "t.s%2F");
    assert_eq!(fields[0].max_age, Some(604800));
    assert!(fields[0].http_only && fields[0].secure);
    assert_eq!(fields[0].same_site, "lax");
    assert!(!format!("{:?}", fields[0]).contains("t.s"));
}

#[tokio::test]
async fn a_token_the_server_set_is_not_written_twice() {
    let session = CookieSession::from_request(None, local());
    session.relay(&server(
        "better-auth.session_token=t.s%3D; HttpOnly; Path=/",
    ));
    session.set(SessionToken::new("t.s=")).await.unwrap();
    let lines = session.set_cookie_headers();
    assert_eq!(lines.len(), 1);
    assert!(
        !lines[0].contains("Max-Age"),
        "a dont-remember session: {}",
        lines[0]
    );
}

#[tokio::test]
async fn a_new_token_becomes_the_session_cookie() {
    let session = CookieSession::from_request(Some("better-auth.session_token=old.s"), local());
    session.set(SessionToken::new("new.s/g=")).await.unwrap();
    let cookie = server(&session.set_cookie_headers()[0]);
    assert_eq!(cookie.name(), "better-auth.session_token");
    assert_eq!(cookie.value(), "new.s%2Fg%3D");
    assert_eq!(
        cookie.max_age().unwrap().whole_seconds(),
        REMEMBERED_SESSION_SECONDS
    );
    assert_eq!(cookie.secure(), None);
    assert_eq!(
        session.get().await.unwrap().unwrap().expose(),
        "new.s%2Fg%3D"
    );

    let forgetful = CookieSession::from_request(Some("better-auth.dont_remember=true.s"), local());
    forgetful.set(SessionToken::new("a.b")).await.unwrap();
    assert_eq!(server(&forgetful.set_cookie_headers()[0]).max_age(), None);
}

#[tokio::test]
async fn clearing_ends_the_session_cookies_the_browser_holds() {
    let session = CookieSession::from_request(
        Some(
            "better-auth.session_token=t.s; better-auth.convex_jwt=j; better-auth.trust_device=d; app=1",
        ),
        CookieOptions {
            secure: false,
            domain: Some("example.com".into()),
        },
    );
    session.clear().await.unwrap();
    assert_eq!(session.get().await.unwrap(), None);
    let ended: Vec<_> = session
        .set_cookie_headers()
        .iter()
        .map(|line| server(line))
        .collect();
    let names: Vec<_> = ended.iter().map(|c| c.name().to_owned()).collect();
    assert_eq!(
        names,
        ["better-auth.session_token", "better-auth.convex_jwt"]
    );
    for cookie in &ended {
        assert_eq!(cookie.value(), "");
        assert_eq!(cookie.max_age().unwrap().whole_seconds(), 0);
        assert_eq!(cookie.domain(), Some("example.com"));
    }
    // What the server expires is ended too, and nothing is ended twice.
    session.relay(&server("better-auth.trust_device=; Max-Age=0; Path=/"));
    session.clear().await.unwrap();
    assert_eq!(session.set_cookie_headers().len(), 3);
}

#[test]
fn options_follow_the_apps_url() {
    assert!(!CookieOptions::for_url("http://localhost:3000").secure);
    assert!(CookieOptions::for_url("https://app.example.com").secure);
    assert_eq!(cookie_value("a.b+c/d="), "a.b%2Bc%2Fd%3D");
    assert_eq!(cookie_value("a.b%3D"), "a.b%3D");
}
