// A real OpenID Connect provider on loopback for the social sign-in tests: `oidc-provider`
// (a certified implementation) with three test clients. The devserver, a Better Auth peer and
// the SDK's tests sign users in with it as they would with Google or any OIDC issuer.
//
// Env:
//   OIDC_PORT   port (default 0: a free one)
//
// Clients (all `client_secret_post`/`client_secret_basic`, code flow with PKCE, refresh tokens;
// native, so any loopback port of a registered redirect URI is accepted, RFC 8252 §7.3):
//   banata-app    / banata-app-secret     the app's client
//   other-app     / other-app-secret      another app: its ID tokens have the wrong audience
//   short-lived   / short-lived-secret    ID tokens that expire after one second
// Redirect URIs: http://127.0.0.1/api/auth/callback/<id> (Better Auth social and the devserver),
// http://127.0.0.1/api/auth/oauth2/callback/<id> (Better Auth generic OAuth) and
// http://127.0.0.1/app-callback (an app doing the code flow itself, for ID tokens), with <id>
// one of oidc, other, short.
//
// Users: any login is accepted (the provider's development interactions); the login is the
// verified e-mail address and the account id (`sub`); other-app's subjects are `other-<login>`
// (pairwise), so a user's accounts differ between the two apps, as between two providers.
//
// Test-only routes:
//   POST /__test/approve {url, login, follow?} plays the user's browser at the provider: opens
//     the authorization URL, signs in as `login`, consents, and answers {location} with the
//     redirect back to the client (code and state, or an error), without following it; with
//     `follow: true` it loads that callback too (no cookies) and answers where it redirects.
//   POST /__test/id-token {client, login, nonce} answers {id_token}: what a native app gets from
//     the provider's SDK (its own code flow, redirect http://127.0.0.1/app-callback).
//
// On startup prints one line to stdout: `READY http://127.0.0.1:<port>`.
import http from "node:http";
import Provider from "oidc-provider";

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(Number(process.env.OIDC_PORT ?? 0), "127.0.0.1", resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const redirectUris = [];
for (const id of ["oidc", "other", "short"]) {
  redirectUris.push(`http://127.0.0.1/api/auth/callback/${id}`);
  redirectUris.push(`http://127.0.0.1/api/auth/oauth2/callback/${id}`);
}
redirectUris.push("http://127.0.0.1/app-callback");
const client = (id) => ({
  client_id: id,
  // other-app sees its own subject for each user, as a second provider would.
  subject_type: id === "other-app" ? "pairwise" : "public",
  client_secret: `${id}-secret`,
  application_type: "native",
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  redirect_uris: redirectUris,
  token_endpoint_auth_method: "client_secret_post",
});


const provider = new Provider(issuer, {
  clients: [client("banata-app"), client("other-app"), client("short-lived")],
  // Client secrets may come in the body (Better Auth's social providers) or as Basic auth.
  clientAuthMethods: ["client_secret_post", "client_secret_basic"],
  subjectTypes: ["public", "pairwise"],
  pairwiseIdentifier: async (_ctx, accountId) => `other-${accountId}`,
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "picture"] },
  // ID tokens carry the profile claims too: a native app sends only the ID token.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: (_ctx, _token, client) => (client.clientId === "short-lived" ? 1 : 3600),
    RefreshToken: 86400,
    Grant: 86400,
    Interaction: 600,
    Session: 86400,
  },
  // Any login signs in; it is the account id (`sub`) and the verified e-mail address.
  async findAccount(_ctx, id) {
    const login = String(id).toLowerCase();
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: login,
          email_verified: true,
          name: login.split("@")[0],
          picture: `https://avatars.example.com/${id}.png`,
        };
      },
    };
  },
});
provider.proxy = false;

// Plays the user's browser: follows the authorization URL through the login and consent forms
// and returns the redirect to the client.
async function approve(url, login, follow = false) {
  const jar = new Map();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair.split("=");
      jar.set(name.trim(), value.join("="));
    }
  };
  let next = new URL(url, issuer).toString();
  let init = { method: "GET" };
  for (let hop = 0; hop < 20; hop++) {
    const response = await fetch(next, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers ?? {}), cookie: cookieHeader() },
    });
    keep(response);
    const location = response.headers.get("location");
    if (location) {
      const target = new URL(location, next);
      if (target.origin !== issuer) {
        if (!follow) return { location: target.toString() };
        const callback = await fetch(target, { redirect: "manual" });
        const onward = callback.headers.get("location");
        return onward ? { location: onward } : { error: `the callback answered ${callback.status}` };
      }
      next = target.toString();
      init = { method: "GET" };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) return { error: `provider answered ${response.status}`, body: html };
    const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
    const prompt = html.match(/name="prompt" value="([^"]+)"/)?.[1];
    if (!action || !prompt) return { error: "no form on the provider's page", body: html };
    const form = new URLSearchParams({ prompt });
    if (prompt === "login") {
      form.set("login", login);
      form.set("password", "any");
    }
    next = new URL(action, next).toString();
    init = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    };
  }
  return { error: "too many redirects" };
}

// A native app's code flow: the ID token the provider's SDK would hand it.
async function appIdToken(clientId, login, nonce) {
  const redirect = "http://127.0.0.1:9/app-callback";
  const url = new URL(`${issuer}/auth`);
  const params = { client_id: clientId, response_type: "code", scope: "openid email profile", redirect_uri: redirect, state: "app", nonce };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const back = await approve(url.toString(), login);
  if (!back.location) return back;
  const code = new URL(back.location).searchParams.get("code");
  const form = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirect, client_id: clientId, client_secret: `${clientId}-secret` });
  const tokens = await (await fetch(`${issuer}/token`, { method: "POST", body: form })).json();
  return tokens.id_token ? { id_token: tokens.id_token } : { error: JSON.stringify(tokens) };
}

const callback = provider.callback();
server.on("request", async (req, res) => {
  if (req.url === "/__test/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, issuer }));
    return;
  }
  if (req.method === "POST" && (req.url === "/__test/approve" || req.url === "/__test/id-token")) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      const answer = req.url === "/__test/approve"
        ? await approve(String(body.url), String(body.login), Boolean(body.follow))
        : await appIdToken(String(body.client), String(body.login), String(body.nonce ?? ""));
      res.writeHead(answer.error ? 502 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    } catch (error) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error) }));
    }
    return;
  }
  callback(req, res);
});

console.log(`READY ${issuer}`);
