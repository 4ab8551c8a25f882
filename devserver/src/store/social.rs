//! Provider accounts (Better Auth's `account` rows with `accountId` and the provider's tokens,
//! kept in plain text as the platform keeps them: `encryptOAuthTokens` is off there).

use rusqlite::{OptionalExtension, Row, params};

use super::{Store, UserRow, new_id, now_ms, user_from};

/// Columns added to `account` for provider accounts (credential accounts leave them empty).
pub(super) const ACCOUNT_COLUMNS: &[(&str, &str)] = &[
    ("account_id", "TEXT"),
    ("access_token", "TEXT"),
    ("refresh_token", "TEXT"),
    ("id_token", "TEXT"),
    ("access_token_expires_at", "INTEGER"),
    ("refresh_token_expires_at", "INTEGER"),
    ("scope", "TEXT"),
];

/// An account row: a credential one, or one at a provider.
#[derive(Clone, Debug)]
pub struct AccountRow {
    pub id: String,
    pub user_id: String,
    pub provider_id: String,
    /// The user's id at the provider (`None` for `credential`: Better Auth shows the user id).
    pub account_id: Option<String>,
    pub tokens: ProviderTokens,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a provider gave for an account.
#[derive(Clone, Debug, Default)]
pub struct ProviderTokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub access_token_expires_at: Option<i64>,
    pub refresh_token_expires_at: Option<i64>,
    /// Comma-separated, as Better Auth stores it.
    pub scope: Option<String>,
}

fn account_from(row: &Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: row.get("id")?,
        user_id: row.get("user_id")?,
        provider_id: row.get("provider_id")?,
        account_id: row.get("account_id")?,
        tokens: ProviderTokens {
            access_token: row.get("access_token")?,
            refresh_token: row.get("refresh_token")?,
            id_token: row.get("id_token")?,
            access_token_expires_at: row.get("access_token_expires_at")?,
            refresh_token_expires_at: row.get("refresh_token_expires_at")?,
            scope: row.get("scope")?,
        },
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

impl Store {
    /// Every account of the user, oldest first.
    pub fn account_rows(&self, user_id: &str) -> rusqlite::Result<Vec<AccountRow>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare("SELECT * FROM account WHERE user_id = ?1 ORDER BY created_at, rowid")?;
        statement.query_map([user_id], account_from)?.collect()
    }

    /// The account with this id at the provider, and its user.
    pub fn provider_account(
        &self,
        provider_id: &str,
        account_id: &str,
    ) -> rusqlite::Result<Option<(AccountRow, UserRow)>> {
        let conn = self.conn();
        let Some(account) = conn
            .query_row(
                "SELECT * FROM account WHERE provider_id = ?1 AND account_id = ?2",
                [provider_id, account_id],
                account_from,
            )
            .optional()?
        else {
            return Ok(None);
        };
        let user = conn
            .query_row(
                "SELECT * FROM user WHERE id = ?1",
                [&account.user_id],
                user_from,
            )
            .optional()?;
        Ok(user.map(|u| (account, u)))
    }

    /// Any account with this id at the provider (Better Auth's `findAccount`, by account id).
    pub fn account_by_account_id(&self, account_id: &str) -> rusqlite::Result<Option<AccountRow>> {
        self.conn()
            .query_row(
                "SELECT * FROM account WHERE account_id = ?1 ORDER BY created_at LIMIT 1",
                [account_id],
                account_from,
            )
            .optional()
    }

    /// Links a provider account to a user.
    pub fn link_account(
        &self,
        user_id: &str,
        provider_id: &str,
        account_id: &str,
        tokens: &ProviderTokens,
    ) -> rusqlite::Result<()> {
        let now = now_ms();
        self.conn().execute(
            "INSERT INTO account (id, user_id, provider_id, account_id, access_token, refresh_token, id_token, access_token_expires_at, refresh_token_expires_at, scope, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![new_id(), user_id, provider_id, account_id, tokens.access_token, tokens.refresh_token, tokens.id_token, tokens.access_token_expires_at, tokens.refresh_token_expires_at, tokens.scope, now],
        )?;
        Ok(())
    }

    /// Replaces an account's tokens with the ones given (fields left `None` stay).
    pub fn update_account_tokens(&self, id: &str, tokens: &ProviderTokens) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE account SET access_token = COALESCE(?2, access_token), refresh_token = COALESCE(?3, refresh_token), id_token = COALESCE(?4, id_token), access_token_expires_at = COALESCE(?5, access_token_expires_at), refresh_token_expires_at = COALESCE(?6, refresh_token_expires_at), scope = COALESCE(?7, scope), updated_at = ?8 WHERE id = ?1",
            params![id, tokens.access_token, tokens.refresh_token, tokens.id_token, tokens.access_token_expires_at, tokens.refresh_token_expires_at, tokens.scope, now_ms()],
        )?;
        Ok(())
    }

    /// Deletes one account row.
    pub fn delete_account(&self, id: &str) -> rusqlite::Result<()> {
        self.conn()
            .execute("DELETE FROM account WHERE id = ?1", [id])?;
        Ok(())
    }

    /// A user made by a provider sign-in: no password, the provider's verification of the
    /// address carried over.
    pub fn create_oauth_user(
        &self,
        email: &str,
        name: &str,
        image: Option<&str>,
        email_verified: bool,
    ) -> rusqlite::Result<Option<UserRow>> {
        let now = now_ms();
        let id = new_id();
        let inserted = self.conn().execute(
            "INSERT OR IGNORE INTO user (id, email, name, email_verified, image, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![id, email, name, email_verified, image, now],
        )?;
        if inserted == 0 {
            return Ok(None);
        }
        self.user_by_id(&id)
    }
}
