//! The session-JWT signing keys, as the jwt plugin keeps them in its `jwks` table: stored with
//! everything else, so a devserver restarted on the same `--db` still vouches for the tokens it
//! signed before (as the platform does across deploys).

use rusqlite::params;

use super::{Store, now_ms};

impl Store {
    /// Every signing key, oldest first: `(kid, PKCS#8 private key)`.
    pub fn signing_keys(&self) -> rusqlite::Result<Vec<(String, Vec<u8>)>> {
        let conn = self.conn();
        let mut query =
            conn.prepare("SELECT id, private_key FROM jwks ORDER BY created_at, rowid")?;
        let rows = query.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }

    /// Adds a key; with `replace`, the only one (a rotation).
    pub fn add_signing_key(&self, kid: &str, pkcs8: &[u8], replace: bool) -> rusqlite::Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if replace {
            tx.execute("DELETE FROM jwks", [])?;
        }
        tx.execute(
            "INSERT INTO jwks (id, private_key, created_at) VALUES (?1, ?2, ?3)",
            params![kid, pkcs8, now_ms()],
        )?;
        tx.commit()
    }
}
