// The Better Auth conformance peer, shared by both pinned versions: `server.mjs` here runs it on
// better-auth 1.7.25, `../better-auth-peer-1.4/server.mjs` on 1.4.21 (the version the platform
// pins). Each entry imports its own better-auth and passes the pieces in, so one file holds the
// configuration and the test-only routes. A real Better Auth server on loopback only, started
// by the test harnesses on a free port.
//
// Env:
//   PEER_PORT          port (default 3999; 0 = pick a free port, printed on stdout)
//   PEER_HOST          bind address (default 127.0.0.1; only loopback is accepted)
//   PEER_DB            memory (default) | sqljs | pg | better-sqlite3 (1.7 entry only)
//   PEER_PG_URL        postgres connection string when PEER_DB=pg
//   PEER_SQLITE_FILE   file for PEER_DB=better-sqlite3 (default :memory:)
//   PEER_ADMIN_EMAILS  comma list; users signing up with these emails get role "admin"
//                      (default admin@example.com; only where the admin plugin is on)
//   PEER_EMAIL_VERIFICATION "1" requires e-mail verification (the platform's default, and the
//                      1.4 entry's), "0" does not (the 1.7 entry's default)
//   PEER_TWO_FACTOR    "1" adds the two-factor plugin to the 1.4 entry (the 1.7 one always has it),
//                      its one-time codes mailed to the mailbox
//   PEER_RATE_LIMIT    "1" to enable Better Auth's rate limiter (off by default,
//                      as it is outside NODE_ENV=production)
//   PEER_APIKEY_RATE_LIMIT  "0" disables the api-key plugin's per-key limiter
//                      (library default: 10 requests per key per 24 h)
//   PEER_JWT           "0" leaves out the jwt plugin (no set-auth-jwt, /token, /jwks); the 1.4
//                      entry has the platform's convex plugin instead (/convex/token, /convex/jwks)
//   PEER_SECURE_COOKIES "1" sets advanced.useSecureCookies (`__Secure-` names + Secure)
//   PEER_COOKIE_CACHE  "1" enables session.cookieCache (adds better-auth.session_data)
//   PEER_SECRET        overrides the fixed test secret
//   PEER_DELETE_VERIFICATION "1" confirms account deletions by a mailed link
//   PEER_OIDC_ISSUER   the loopback OpenID provider (../oidc-provider): adds social sign-in as a
//                      managed project has it (1.4 entry, which always has the platform's
//                      cross-domain plugin; see social.mjs)
//   PEER_CODE_LIFETIME seconds mailed codes and sign-in links live (email-OTP, magic link and
//                      two-factor codes), to test expired ones; the plugins' defaults otherwise
//
// Plugins: organization, bearer, api-key; 1.4 adds username, multi-session, one-time-token and
// the platform's convex plugin (@convex-dev/better-auth); 1.7 adds admin, two-factor and jwt.
//
// Test-only routes: GET /__peer/health, GET /__peer/mailbox?to= (the mails that would have
// been sent, in the devserver's /__dev/mailbox shape), GET /__peer/reset-token?email=,
// POST /__peer/verify-api-key.
//
// On startup prints one line to stdout: `READY http://127.0.0.1:<port> <ms>ms`.
import http from "node:http";
import { socialOptions } from "./social.mjs";

/**
 * Starts the peer.
 * @param {object} lib what the entry imported from its better-auth:
 *   `{ version, betterAuth, toNodeHandler, getAuthTables, memoryAdapter, plugins, platform }`,
 *   `plugins` holding the plugin factories and `platform` true for the platform's plugin set
 *   (username, multi-session, one-time token; no admin plugin); with `convex` and
 *   `getAuthConfigProvider` from @convex-dev/better-auth, the convex plugin replaces jwt.
 */
export async function startPeer(lib) {
  const t0 = performance.now();
  const HOST = process.env.PEER_HOST ?? "127.0.0.1";
  if (!["127.0.0.1", "::1", "localhost"].includes(HOST)) {
    console.error(`refusing to bind non-loopback host ${HOST}`);
    process.exit(2);
  }
  const requestedPort = Number(process.env.PEER_PORT ?? 3999);
  const DB_KIND = process.env.PEER_DB ?? "memory";
  const ADMIN_EMAILS = (process.env.PEER_ADMIN_EMAILS ?? "admin@example.com")
    .split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const codeLifetime = process.env.PEER_CODE_LIFETIME ? Number(process.env.PEER_CODE_LIFETIME) : undefined;
  const requireVerification = (process.env.PEER_EMAIL_VERIFICATION ?? (lib.platform ? "1" : "0")) === "1";
  const mails = [];
  const deliver = (to, kind, subject, url, token) => {
    mails.push({ to: String(to), kind, subject, url, token, sentAt: Date.now() });
    if (mails.length > 1000) mails.shift();
  };
  const SECRET = process.env.PEER_SECRET ??
    "banata-auth-conformance-peer-fixed-secret-0123456789abcdef";

  // Bind first so PEER_PORT=0 works: baseURL must carry the real port.
  const server = http.createServer();
  await new Promise((res, rej) => {
    server.once("error", rej);
    server.listen(requestedPort, HOST, res);
  });
  const port = server.address().port;
  const hostForUrl = HOST.includes(":") ? `[${HOST}]` : HOST;
  const baseURL = `http://${hostForUrl}:${port}`;

  const p = lib.plugins;
  // The convex plugin reads its issuer (the site URL) from here when it is made.
  if (lib.convex) process.env.CONVEX_SITE_URL = baseURL;
  // The platform's plugin set has the cross-domain plugin; social providers only with an issuer.
  const social = lib.crossDomain
    ? socialOptions(lib, baseURL, process.env.PEER_OIDC_ISSUER?.replace(/\/$/, ""))
    : null;
  const options = {
    appName: "banata-auth-peer",
    baseURL,
    basePath: "/api/auth",
    secret: SECRET,
    trustedOrigins: [baseURL, "http://localhost:*", "http://127.0.0.1:*", ...(social?.trustedOrigins ?? [])],
    // The platform's setting; its cross-domain plugin switches state back to the database.
    ...(lib.platform ? { account: { storeStateStrategy: "cookie" } } : {}),
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      // The platform's settings (spec/banata-api.md §3.1).
      requireEmailVerification: requireVerification,
      autoSignIn: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      async sendResetPassword({ user, url, token }) {
        deliver(user.email, "password-reset", "Reset your password", url, token);
      },
    },
    // Changing the e-mail address and deleting the account: on, without extra mails (the
    // change is confirmed through the verification mail to the new address).
    user: {
      changeEmail: { enabled: true },
      deleteUser: {
        enabled: true,
        ...(process.env.PEER_DELETE_VERIFICATION === "1"
          ? {
              async sendDeleteAccountVerification({ user, url, token }) {
                deliver(user.email, "delete-account", "Confirm deleting your account", url, token);
              },
            }
          : {}),
      },
    },
    emailVerification: {
      async sendVerificationEmail({ user, url, token }) {
        deliver(user.email, "verification", "Verify your email address", url, token);
      },
    },
    rateLimit: { enabled: process.env.PEER_RATE_LIMIT === "1" },
    ...(process.env.PEER_COOKIE_CACHE === "1"
      ? { session: { cookieCache: { enabled: true, maxAge: 300 } } }
      : {}),
    ...(process.env.PEER_SECURE_COOKIES === "1"
      ? { advanced: { useSecureCookies: true } }
      : {}),
    databaseHooks: {
      user: {
        create: {
          async before(user) {
            if (!lib.platform && ADMIN_EMAILS.includes(String(user.email).toLowerCase())) {
              return { data: { ...user, role: "admin" } };
            }
            return { data: user };
          },
        },
      },
    },
    plugins: [
      // Two-factor is off in managed projects; the 1.7 peer has it for the SDK's sign-in steps.
      ...(lib.platform ? [p.username(), p.multiSession(), p.oneTimeToken()] : [p.admin()]),
      ...(!lib.platform || process.env.PEER_TWO_FACTOR === "1"
        ? [p.twoFactor({
            otpOptions: {
              // `period` is in minutes.
              ...(codeLifetime ? { period: codeLifetime / 60 } : {}),
              async sendOTP({ user, otp }) {
                deliver(user.email, "two-factor-otp", "Your sign-in code", "", otp);
              },
            },
          })]
        : []),
      ...(process.env.PEER_EMAIL_OTP === "1"
        ? [p.emailOTP({
            ...(codeLifetime ? { expiresIn: codeLifetime } : {}),
            async sendVerificationOTP({ email, otp, type }) {
              deliver(email, "email-otp", `Your ${type} code`, "", otp);
            },
          })]
        : []),
      ...(process.env.PEER_MAGIC_LINK === "1"
        ? [p.magicLink({
            ...(codeLifetime ? { expiresIn: codeLifetime } : {}),
            async sendMagicLink({ email, url, token }) {
              deliver(email, "magic-link", "Sign in", url, token);
            },
          })]
        : []),
      p.organization(),
      p.bearer(),
      // The platform's session JWTs come from the convex plugin (RS256, aud "convex", the
      // convex_jwt cookie); elsewhere Better Auth's own jwt plugin.
      ...(lib.convex
        ? [lib.convex({
            authConfig: { providers: [lib.getAuthConfigProvider({ basePath: "/api/auth" })] },
            options: { basePath: "/api/auth" },
          })]
        : process.env.PEER_JWT === "0" ? [] : [p.jwt()]),
      // enableSessionForAPIKeys: `x-api-key: <key>` authenticates any session
      // endpoint (get-session, list-sessions, organization/*, ...).
      // The platform's settings: metadata on, the per-key rate limit off.
      p.apiKey({
        enableSessionForAPIKeys: true,
        enableMetadata: true,
        ...(lib.platform || process.env.PEER_APIKEY_RATE_LIMIT === "0" ? { rateLimit: { enabled: false } } : {}),
      }),
      ...(social?.plugins ?? []),
    ],
  };

  let database;
  let migrate = false;
  if (DB_KIND === "memory") {
    const db = {};
    for (const t of Object.values(lib.getAuthTables(options))) db[t.modelName] = [];
    database = lib.memoryAdapter(db);
    if (lib.convex) {
      // Outside a Convex mutation the convex plugin turns every write into a no-op; the Convex
      // adapter says it is in one with this flag, which the memory adapter has no option for.
      const memory = database;
      database = (adapterOptions) => {
        const adapter = memory(adapterOptions);
        adapter.options = { ...adapter.options, isRunMutationCtx: true };
        return adapter;
      };
    }
  } else if (lib.openDatabase) {
    database = await lib.openDatabase(DB_KIND);
    migrate = true;
  } else {
    console.error(`PEER_DB ${DB_KIND} is not available on better-auth ${lib.version}`);
    process.exit(2);
  }

  const auth = lib.betterAuth({ ...options, database });
  if (migrate) await lib.runMigrations(auth.options);

  const json = (res, status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const handler = lib.toNodeHandler(auth);
  server.on("request", async (req, res) => {
    const url = new URL(req.url ?? "/", baseURL);
    if (url.pathname === "/__peer/health") return json(res, 200, { ok: true, db: DB_KIND, version: lib.version });
    if (url.pathname === "/__peer/mailbox" && req.method === "GET") {
      const to = url.searchParams.get("to")?.toLowerCase();
      return json(res, 200, { mails: mails.filter((m) => !to || m.to.toLowerCase() === to) });
    }
    // The newest password reset token that would have been mailed.
    if (url.pathname === "/__peer/reset-token" && req.method === "GET") {
      const email = (url.searchParams.get("email") ?? "").toLowerCase();
      const mail = mails.findLast((m) => m.kind === "password-reset" && m.to.toLowerCase() === email);
      return json(res, mail ? 200 : 404, mail ? { token: mail.token } : { message: "no reset token" });
    }
    // The api-key plugin's verify endpoint is server-only (no HTTP route).
    // Body: {"key": "...", "permissions"?: {...}}.
    if (url.pathname === "/__peer/verify-api-key" && req.method === "POST") {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      try {
        return json(res, 200, await auth.api.verifyApiKey({ body: JSON.parse(raw || "{}") }));
      } catch (e) {
        return json(res, e?.statusCode ?? 500, { message: String(e?.message ?? e), code: e?.body?.code });
      }
    }
    return handler(req, res);
  });

  // Warm the auth context (plugin init, JWKS etc.) before announcing readiness.
  await auth.$context;
  console.log(`READY ${baseURL} ${Math.round(performance.now() - t0)}ms db=${DB_KIND} better-auth=${lib.version}`);

  const stop = () => server.close(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
