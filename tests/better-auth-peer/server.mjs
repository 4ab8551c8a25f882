// Better Auth conformance peer: a real Better Auth server on loopback only, started by the
// test harness (core/tests/better_auth_peer.rs) on a free port.
//
// Env:
//   PEER_PORT          port (default 3999; 0 = pick a free port, printed on stdout)
//   PEER_HOST          bind address (default 127.0.0.1; only loopback is accepted)
//   PEER_DB            memory (default) | sqljs | pg | better-sqlite3
//   PEER_PG_URL        postgres connection string when PEER_DB=pg
//   PEER_SQLITE_FILE   file for PEER_DB=better-sqlite3 (default :memory:)
//   PEER_ADMIN_EMAILS  comma list; users signing up with these emails get role "admin"
//                      (default admin@example.com)
//   PEER_RATE_LIMIT    "1" to enable Better Auth's rate limiter (off by default,
//                      as it is outside NODE_ENV=production)
//   PEER_APIKEY_RATE_LIMIT  "0" disables the api-key plugin's per-key limiter
//                      (library default: 10 requests per key per 24 h)
//   PEER_JWT           "0" leaves out the jwt plugin (no set-auth-jwt, /token, /jwks)
//   PEER_SECURE_COOKIES "1" sets advanced.useSecureCookies (`__Secure-` names + Secure)
//   PEER_COOKIE_CACHE  "1" enables session.cookieCache (adds better-auth.session_data)
//   PEER_SECRET        overrides the fixed test secret
//
// Test-only routes: GET /__peer/health, GET /__peer/reset-token?email=, POST /__peer/verify-api-key.
//
// On startup prints one line to stdout: `READY http://127.0.0.1:<port> <ms>ms`.
import http from "node:http";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { getAuthTables } from "better-auth/db";
import { admin, bearer, jwt, organization } from "better-auth/plugins";
import { apiKey } from "@better-auth/api-key";

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
const resetTokens = new Map();
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

const options = {
  appName: "banata-auth-peer",
  baseURL,
  basePath: "/api/auth",
  secret: SECRET,
  trustedOrigins: [
    baseURL,
    "http://localhost:*",
    "http://127.0.0.1:*",
  ],
  telemetry: { enabled: false },
  emailAndPassword: {
    enabled: true,
    // No mail here: keep the newest reset token per address for GET /__peer/reset-token.
    async sendResetPassword({ user, token }) {
      resetTokens.set(String(user.email).toLowerCase(), token);
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
          if (ADMIN_EMAILS.includes(String(user.email).toLowerCase())) {
            return { data: { ...user, role: "admin" } };
          }
          return { data: user };
        },
      },
    },
  },
  plugins: [
    admin(),
    organization(),
    bearer(),
    ...(process.env.PEER_JWT === "0" ? [] : [jwt()]),
    // enableSessionForAPIKeys: `x-api-key: <key>` authenticates any session
    // endpoint (get-session, list-sessions, organization/*, ...).
    apiKey({
      enableSessionForAPIKeys: true,
      ...(process.env.PEER_APIKEY_RATE_LIMIT === "0" ? { rateLimit: { enabled: false } } : {}),
    }),
  ],
};

let database;
let migrate = null;
if (DB_KIND === "memory") {
  const { memoryAdapter } = await import("better-auth/adapters/memory");
  const db = {};
  for (const t of Object.values(getAuthTables(options))) db[t.modelName] = [];
  database = memoryAdapter(db);
} else if (DB_KIND === "sqljs") {
  // Pure WASM SQLite (sql.js) through a Kysely dialect; no native build.
  const { default: initSqlJs } = await import("sql.js");
  const { SqlJsDialect } = await import("kysely-wasm");
  const SQL = await initSqlJs();
  const sqldb = new SQL.Database();
  database = { dialect: new SqlJsDialect({ database: sqldb }), type: "sqlite" };
  migrate = true;
} else if (DB_KIND === "better-sqlite3") {
  // Native addon: not in package.json (see README: compiles from source on Node 20).
  const { default: Database } = await import("better-sqlite3");
  database = new Database(process.env.PEER_SQLITE_FILE ?? ":memory:");
  migrate = true;
} else if (DB_KIND === "pg") {
  const { default: pg } = await import("pg");
  database = new pg.Pool({ connectionString: process.env.PEER_PG_URL });
  migrate = true;
} else {
  console.error(`unknown PEER_DB ${DB_KIND}`);
  process.exit(2);
}

const auth = betterAuth({ ...options, database });
if (migrate) {
  const { getMigrations } = await import("better-auth/db/migration");
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
}

const handler = toNodeHandler(auth);
server.on("request", async (req, res) => {
  const url = req.url ?? "/";
  if (url === "/__peer/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, db: DB_KIND }));
    return;
  }
  // Test-only helper: the password reset token that would have been mailed.
  if (url.startsWith("/__peer/reset-token?") && req.method === "GET") {
    const email = new URL(url, baseURL).searchParams.get("email") ?? "";
    const token = resetTokens.get(email.toLowerCase());
    res.writeHead(token ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(token ? { token } : { message: "no reset token" }));
    return;
  }
  // Test-only helper: the api-key plugin's verify endpoint is server-only
  // (no HTTP route). Body: {"key": "...", "permissions"?: {...}}.
  if (url === "/__peer/verify-api-key" && req.method === "POST") {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    try {
      const body = JSON.parse(raw || "{}");
      const out = await auth.api.verifyApiKey({ body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(out));
    } catch (e) {
      res.writeHead(e?.statusCode ?? 500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: String(e?.message ?? e), code: e?.body?.code }));
    }
    return;
  }
  return handler(req, res);
});

// Warm the auth context (plugin init, JWKS etc.) before announcing readiness.
await auth.$context;
console.log(`READY ${baseURL} ${Math.round(performance.now() - t0)}ms db=${DB_KIND}`);

const stop = () => server.close(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
