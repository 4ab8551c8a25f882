// Social sign-in for the 1.4 peer, set up as a managed project has it, against the loopback
// OpenID provider of ../oidc-provider (PEER_OIDC_ISSUER):
//   - the cross-domain plugin (every managed project has it: state in the database, `?ott=`
//     on the callback's redirect), with `myapp://` trusted for the app's callback;
//   - providers `oidc` (client banata-app), `other` (client other-app) and `short` (client
//     short-lived, one-second ID tokens) through Better Auth's generic OAuth plugin, which adds them to /sign-in/social,
//     with the callback of a built-in provider (/callback/<id>) and PKCE;
//   - ID-token sign-in for them the way Better Auth's Google provider checks tokens (jwtVerify
//     with the issuer's keys, issuer, audience = client id, at most an hour old, the nonce when
//     given): the generic plugin has none of its own.

/**
 * The options and plugins to add; `lib` carries `plugins`, `crossDomain` and `jose`. Without
 * `issuer`, only the cross-domain plugin (every managed project has it).
 */
export function socialOptions(lib, baseURL, issuer) {
  if (!issuer) return { trustedOrigins: [], plugins: [lib.crossDomain({ siteUrl: baseURL })] };
  const clients = { oidc: "banata-app", other: "other-app", short: "short-lived" };
  const config = Object.entries(clients).map(([providerId, clientId]) => ({
    providerId,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientId,
    clientSecret: `${clientId}-secret`,
    scopes: ["openid", "email", "profile"],
    pkce: true,
    redirectURI: `${baseURL}/api/auth/callback/${providerId}`,
  }));
  const keys = lib.jose.createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const idTokens = {
    id: "peer-id-token-sign-in",
    init(ctx) {
      for (const provider of ctx.socialProviders) {
        const clientId = clients[provider.id];
        if (!clientId) continue;
        provider.verifyIdToken = async (token, nonce) => {
          try {
            const { alg } = lib.jose.decodeProtectedHeader(token);
            const { payload } = await lib.jose.jwtVerify(token, keys, {
              algorithms: [alg],
              issuer,
              audience: clientId,
              maxTokenAge: "1h",
            });
            return !(nonce && payload.nonce !== nonce);
          } catch {
            return false;
          }
        };
      }
    },
  };
  return {
    trustedOrigins: ["myapp://"],
    plugins: [
      lib.plugins.genericOAuth({ config }),
      idTokens,
      lib.crossDomain({ siteUrl: baseURL }),
    ],
  };
}
