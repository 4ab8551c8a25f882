// The conformance peer on better-auth 1.4.21, the version the platform pins, configured like a
// managed project: e-mail verification required, username, multi-session and one-time-token
// plugins, the convex plugin for session JWTs (with PEER_OIDC_ISSUER social sign-in and the
// cross-domain plugin), no admin plugin (see ../better-auth-peer/peer.mjs
// for the options and routes).
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { getAuthTables } from "better-auth/db";
import { memoryAdapter } from "better-auth/adapters/memory";
import * as plugins from "better-auth/plugins";
import { convex, crossDomain } from "@convex-dev/better-auth/plugins";
import * as jose from "jose";
import { getAuthConfigProvider } from "@convex-dev/better-auth/auth-config";
import { startPeer } from "../better-auth-peer/peer.mjs";

await startPeer({
  version: "1.4.21",
  platform: true,
  betterAuth,
  toNodeHandler,
  getAuthTables,
  memoryAdapter,
  plugins,
  convex,
  crossDomain,
  jose,
  getAuthConfigProvider,
});
