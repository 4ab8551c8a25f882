//! Verification rows: mailed codes and links, pending sign-ins, trusted devices, each by its
//! identifier, as Better Auth's `verification` table keeps them.

use rusqlite::{OptionalExtension, params};

use super::{Store, new_id, now_ms};

/// A row found by [`Store::find_verification`].
pub struct Verification {
    pub value: String,
    /// Past its expiry; Better Auth still returns it from the first lookup after that, and its
    /// endpoints then answer "expired" rather than "invalid".
    pub expired: bool,
}

impl Store {
    /// Files a row for `identifier`, live for `lifetime_ms`.
    pub fn create_verification(
        &self,
        identifier: &str,
        value: &str,
        lifetime_ms: i64,
    ) -> rusqlite::Result<()> {
        let now = now_ms();
        self.conn().execute(
            "INSERT INTO verification (id, identifier, value, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![new_id(), identifier, value, now + lifetime_ms, now],
        )?;
        Ok(())
    }

    /// Takes (deletes and returns) the value of a live verification row.
    pub fn take_verification(&self, identifier: &str) -> rusqlite::Result<Option<String>> {
        let conn = self.conn();
        let row: Option<(String, String)> = conn
            .query_row(
                "SELECT id, value FROM verification WHERE identifier = ?1 AND expires_at > ?2",
                params![identifier, now_ms()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, _)) = &row {
            conn.execute("DELETE FROM verification WHERE id = ?1", [id])?;
        }
        Ok(row.map(|(_, v)| v))
    }

    /// The value of a live verification row, leaving it in place.
    pub fn verification_value(&self, identifier: &str) -> rusqlite::Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT value FROM verification WHERE identifier = ?1 AND expires_at > ?2",
                params![identifier, now_ms()],
                |r| r.get(0),
            )
            .optional()
    }

    /// Deletes every verification row with this identifier.
    pub fn delete_verifications(&self, identifier: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "DELETE FROM verification WHERE identifier = ?1",
            [identifier],
        )?;
        Ok(())
    }

    /// Replaces the value of a verification row (e.g. a code's attempt count).
    pub fn set_verification_value(&self, identifier: &str, value: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE verification SET value = ?2 WHERE identifier = ?1",
            params![identifier, value],
        )?;
        Ok(())
    }

    /// Better Auth's `findVerificationValue`: the newest row for `identifier`, expired or not;
    /// then every expired row of the table is deleted, so a later lookup finds nothing.
    pub fn find_verification(&self, identifier: &str) -> rusqlite::Result<Option<Verification>> {
        let conn = self.conn();
        let now = now_ms();
        let row = conn
            .query_row(
                "SELECT value, expires_at FROM verification WHERE identifier = ?1 ORDER BY created_at DESC LIMIT 1",
                [identifier],
                |r| {
                    Ok(Verification {
                        value: r.get(0)?,
                        expired: r.get::<_, i64>(1)? < now,
                    })
                },
            )
            .optional()?;
        conn.execute("DELETE FROM verification WHERE expires_at < ?1", [now])?;
        Ok(row)
    }
}
