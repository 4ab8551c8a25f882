//! The native half of `@banata-auth/native`.
//!
//! Everything here translates: the core does the work, `index.js` / `index.d.ts` give it a
//! JavaScript shape. Every operation goes through one method, `NativeClient.call`, whose
//! JavaScript side (`generated.js`, `generated.d.ts`) is generated from the core's operation
//! list. Results cross as JSON documents; errors cross as a JSON reason the facade turns into
//! the `BanataError` classes. Each file wraps the core module it is named after.

mod client;
mod error;
mod events;
mod forwarding;
mod session_store;
