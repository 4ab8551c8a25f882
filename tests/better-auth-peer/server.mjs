// The conformance peer on better-auth 1.7.25 (see peer.mjs for its options and routes).
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { getAuthTables } from "better-auth/db";
import { memoryAdapter } from "better-auth/adapters/memory";
import * as plugins from "better-auth/plugins";
import { apiKey } from "@better-auth/api-key";
import { startPeer } from "./peer.mjs";

await startPeer({
  version: "1.7.25",
  platform: false,
  betterAuth,
  toNodeHandler,
  getAuthTables,
  memoryAdapter,
  // API keys left better-auth/plugins for their own package in 1.7.
  plugins: { ...plugins, apiKey },
  async openDatabase(kind) {
    if (kind === "sqljs") {
      // Pure WASM SQLite (sql.js) through a Kysely dialect; no native build.
      const { default: initSqlJs } = await import("sql.js");
      const { SqlJsDialect } = await import("kysely-wasm");
      const SQL = await initSqlJs();
      return { dialect: new SqlJsDialect({ database: new SQL.Database() }), type: "sqlite" };
    }
    if (kind === "better-sqlite3") {
      // Native addon: not in package.json (see README: compiles from source on Node 20).
      const { default: Database } = await import("better-sqlite3");
      return new Database(process.env.PEER_SQLITE_FILE ?? ":memory:");
    }
    if (kind === "pg") {
      const { default: pg } = await import("pg");
      return new pg.Pool({ connectionString: process.env.PEER_PG_URL });
    }
    console.error(`unknown PEER_DB ${kind}`);
    process.exit(2);
  },
  async runMigrations(options) {
    const { getMigrations } = await import("better-auth/db/migration");
    const { runMigrations } = await getMigrations(options);
    await runMigrations();
  },
});
