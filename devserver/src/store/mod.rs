//! SQLite storage: users, credential accounts, sessions, reset tokens, API keys, add-on config
//! rows, session-JWT signing keys and audit entries. One connection behind a mutex: every query is short.

mod api_keys;
mod jwks;
mod organization;
mod social;
mod verification;

pub use api_keys::{ApiKeyRow, NewApiKey};
pub use organization::{InvitationRow, MemberRow, OrganizationRow};
pub use social::{AccountRow, ProviderTokens};

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

/// The one project a devserver serves.
pub const PROJECT_ID: &str = "proj_dev";

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS user (
  id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  email_verified INTEGER NOT NULL DEFAULT 0, image TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS account (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES user(id), provider_id TEXT NOT NULL,
  password_hash TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS session (
  id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES user(id),
  expires_at INTEGER NOT NULL, ip_address TEXT, user_agent TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS session_user ON session(user_id);
CREATE TABLE IF NOT EXISTS verification (
  id TEXT PRIMARY KEY, identifier TEXT NOT NULL, value TEXT NOT NULL,
  expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS api_key (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, start TEXT NOT NULL,
  permissions TEXT NOT NULL, project_id TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS two_factor (
  user_id TEXT PRIMARY KEY REFERENCES user(id), secret TEXT NOT NULL, backup_codes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS project_member (
  user_id TEXT PRIMARY KEY REFERENCES user(id), role TEXT NOT NULL, permissions TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS addon_config (
  id TEXT PRIMARY KEY, project_id TEXT NOT NULL UNIQUE, config_json TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS jwks (
  id TEXT PRIMARY KEY, private_key BLOB NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_event (
  id TEXT PRIMARY KEY, project_id TEXT, action TEXT NOT NULL, actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL, changes TEXT, occurred_at INTEGER NOT NULL, created_at INTEGER NOT NULL);
"#;

/// A user row.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
    pub image: Option<String>,
    /// The username (lower case) and its display form, from the username plugin.
    pub username: Option<String>,
    pub display_username: Option<String>,
    /// Whether the user turned two-factor on (the two-factor plugin).
    pub two_factor_enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A session row.
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: String,
    pub token: String,
    pub user_id: String,
    pub expires_at: i64,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Adds the columns `table` lacks: databases made by earlier versions get the new ones.
pub(super) fn add_columns(
    conn: &Connection,
    table: &str,
    columns: &[(&str, &str)],
) -> rusqlite::Result<()> {
    let existing: Vec<String> = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (column, decl) in columns {
        if !existing.iter().any(|c| c == column) {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}"))?;
        }
    }
    Ok(())
}

/// Shared handle to the database.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub(super) fn user_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: row.get("id")?,
        email: row.get("email")?,
        name: row.get("name")?,
        email_verified: row.get("email_verified")?,
        image: row.get("image")?,
        username: row.get("username")?,
        display_username: row.get("display_username")?,
        two_factor_enabled: row.get("two_factor_enabled")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

fn session_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id: row.get("id")?,
        token: row.get("token")?,
        user_id: row.get("user_id")?,
        expires_at: row.get("expires_at")?,
        ip_address: row.get("ip_address")?,
        user_agent: row.get("user_agent")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

impl Store {
    /// Opens (and creates) the database at `path`, or an in-memory one for `None`.
    pub fn open(path: Option<&Path>) -> rusqlite::Result<Store> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(organization::SCHEMA)?;
        api_keys::migrate(&conn)?;
        add_columns(
            &conn,
            "user",
            &[
                ("username", "TEXT"),
                ("display_username", "TEXT"),
                ("two_factor_enabled", "INTEGER NOT NULL DEFAULT 0"),
            ],
        )?;
        add_columns(&conn, "account", social::ACCOUNT_COLUMNS)?;
        conn.execute_batch(
            "CREATE UNIQUE INDEX IF NOT EXISTS user_username ON user(username) WHERE username IS NOT NULL",
        )?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value under `key`, created with `init` the first time.
    pub fn meta_or_insert(
        &self,
        key: &str,
        init: impl FnOnce() -> String,
    ) -> rusqlite::Result<String> {
        let conn = self.conn();
        if let Some(v) = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?
        {
            return Ok(v);
        }
        let v = init();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)",
            params![key, v],
        )?;
        Ok(v)
    }

    pub fn user_by_id(&self, id: &str) -> rusqlite::Result<Option<UserRow>> {
        self.conn()
            .query_row("SELECT * FROM user WHERE id = ?1", [id], user_from)
            .optional()
    }

    pub fn user_by_email(&self, email: &str) -> rusqlite::Result<Option<UserRow>> {
        self.conn()
            .query_row("SELECT * FROM user WHERE email = ?1", [email], user_from)
            .optional()
    }

    /// Creates a user with a credential account; `None` when the e-mail is taken.
    pub fn create_user(
        &self,
        email: &str,
        name: &str,
        image: Option<&str>,
        username: Option<(&str, &str)>,
        password_hash: &str,
    ) -> rusqlite::Result<Option<UserRow>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM user WHERE email = ?1)",
            [email],
            |r| r.get(0),
        )?;
        if taken {
            return Ok(None);
        }
        let now = now_ms();
        let user = UserRow {
            id: new_id(),
            email: email.to_owned(),
            name: name.to_owned(),
            email_verified: false,
            image: image.map(str::to_owned),
            username: username.map(|(u, _)| u.to_owned()),
            display_username: username.map(|(_, d)| d.to_owned()),
            two_factor_enabled: false,
            created_at: now,
            updated_at: now,
        };
        tx.execute(
            "INSERT INTO user (id, email, name, email_verified, image, username, display_username, created_at, updated_at) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?7)",
            params![user.id, user.email, user.name, user.image, user.username, user.display_username, now],
        )?;
        tx.execute(
            "INSERT INTO account (id, user_id, provider_id, password_hash, created_at, updated_at) VALUES (?1, ?2, 'credential', ?3, ?4, ?4)",
            params![new_id(), user.id, password_hash, now],
        )?;
        tx.commit()?;
        Ok(Some(user))
    }

    pub fn password_hash(&self, user_id: &str) -> rusqlite::Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT password_hash FROM account WHERE user_id = ?1 AND provider_id = 'credential'",
                [user_id],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
    }

    pub fn set_password_hash(&self, user_id: &str, hash: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE account SET password_hash = ?2, updated_at = ?3 WHERE user_id = ?1 AND provider_id = 'credential'",
            params![user_id, hash, now_ms()],
        )?;
        Ok(())
    }

    pub fn update_user(
        &self,
        id: &str,
        name: Option<&str>,
        image: Option<&str>,
        username: Option<(&str, &str)>,
    ) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE user SET name = COALESCE(?2, name), image = COALESCE(?3, image), username = COALESCE(?4, username), display_username = COALESCE(?5, display_username), updated_at = ?6 WHERE id = ?1",
            params![id, name, image, username.map(|(u, _)| u), username.map(|(_, d)| d), now_ms()],
        )?;
        Ok(())
    }

    /// Stores a user's authenticator secret and backup codes (replacing earlier ones).
    pub fn set_two_factor(
        &self,
        user_id: &str,
        secret: &str,
        backup_codes: &[String],
    ) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO two_factor (user_id, secret, backup_codes) VALUES (?1, ?2, ?3)
             ON CONFLICT(user_id) DO UPDATE SET secret = excluded.secret, backup_codes = excluded.backup_codes",
            params![user_id, secret, serde_json::to_string(backup_codes).expect("strings serialize")],
        )?;
        Ok(())
    }

    /// A user's authenticator secret and backup codes, if set up.
    pub fn two_factor(&self, user_id: &str) -> rusqlite::Result<Option<(String, Vec<String>)>> {
        self.conn()
            .query_row(
                "SELECT secret, backup_codes FROM two_factor WHERE user_id = ?1",
                [user_id],
                |r| {
                    let codes: String = r.get(1)?;
                    Ok((r.get(0)?, serde_json::from_str(&codes).unwrap_or_default()))
                },
            )
            .optional()
    }

    pub fn delete_two_factor(&self, user_id: &str) -> rusqlite::Result<()> {
        self.conn()
            .execute("DELETE FROM two_factor WHERE user_id = ?1", [user_id])?;
        Ok(())
    }

    pub fn set_two_factor_enabled(&self, user_id: &str, enabled: bool) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE user SET two_factor_enabled = ?2, updated_at = ?3 WHERE id = ?1",
            params![user_id, enabled, now_ms()],
        )?;
        Ok(())
    }

    /// Creates a user without a password (sign-in by e-mail code), verified.
    pub fn create_passwordless_user(&self, email: &str) -> rusqlite::Result<UserRow> {
        let now = now_ms();
        let id = new_id();
        self.conn().execute(
            "INSERT INTO user (id, email, name, email_verified, created_at, updated_at) VALUES (?1, ?2, '', 1, ?3, ?3)",
            params![id, email, now],
        )?;
        Ok(self.user_by_id(&id)?.expect("just created"))
    }

    /// Sets the password, creating the credential account if the user had none.
    pub fn set_or_create_password(&self, user_id: &str, hash: &str) -> rusqlite::Result<()> {
        let now = now_ms();
        let updated = self.conn().execute(
            "UPDATE account SET password_hash = ?2, updated_at = ?3 WHERE user_id = ?1 AND provider_id = 'credential'",
            params![user_id, hash, now],
        )?;
        if updated == 0 {
            self.conn().execute(
                "INSERT INTO account (id, user_id, provider_id, password_hash, created_at, updated_at) VALUES (?1, ?2, 'credential', ?3, ?4, ?4)",
                params![new_id(), user_id, hash, now],
            )?;
        }
        Ok(())
    }

    /// Moves the user to a new (verified) address.
    pub fn set_email(&self, user_id: &str, email: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE user SET email = ?2, email_verified = 1, updated_at = ?3 WHERE id = ?1",
            params![user_id, email, now_ms()],
        )?;
        Ok(())
    }

    /// Deletes a user and everything of theirs.
    pub fn delete_user(&self, user_id: &str) -> rusqlite::Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for table in ["session", "account", "two_factor", "project_member"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE user_id = ?1"),
                [user_id],
            )?;
        }
        tx.execute(
            "UPDATE api_key SET enabled = 0 WHERE user_id = ?1",
            [user_id],
        )?;
        tx.execute("DELETE FROM user WHERE id = ?1", [user_id])?;
        tx.commit()
    }

    /// The user with this (lower-case) username.
    pub fn user_by_username(&self, username: &str) -> rusqlite::Result<Option<UserRow>> {
        self.conn()
            .query_row(
                "SELECT * FROM user WHERE username = ?1",
                [username],
                user_from,
            )
            .optional()
    }

    /// Marks the user with this (normalised) address as verified.
    pub fn set_email_verified(&self, id: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE user SET email_verified = 1, updated_at = ?2 WHERE id = ?1",
            params![id, now_ms()],
        )?;
        Ok(())
    }

    pub fn create_session(
        &self,
        user_id: &str,
        token: &str,
        lifetime_ms: i64,
        ip_address: Option<&str>,
        user_agent: Option<&str>,
    ) -> rusqlite::Result<SessionRow> {
        let now = now_ms();
        let session = SessionRow {
            id: new_id(),
            token: token.to_owned(),
            user_id: user_id.to_owned(),
            expires_at: now + lifetime_ms,
            ip_address: ip_address.map(str::to_owned),
            user_agent: user_agent.map(str::to_owned),
            created_at: now,
            updated_at: now,
        };
        self.conn().execute(
            "INSERT INTO session (id, token, user_id, expires_at, ip_address, user_agent, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![session.id, session.token, session.user_id, session.expires_at, session.ip_address, session.user_agent, now],
        )?;
        Ok(session)
    }

    /// The live session with this raw token and its user.
    pub fn session_by_token(&self, token: &str) -> rusqlite::Result<Option<(SessionRow, UserRow)>> {
        let conn = self.conn();
        let Some(session) = conn
            .query_row(
                "SELECT * FROM session WHERE token = ?1 AND expires_at > ?2",
                params![token, now_ms()],
                session_from,
            )
            .optional()?
        else {
            return Ok(None);
        };
        let user = conn
            .query_row(
                "SELECT * FROM user WHERE id = ?1",
                [&session.user_id],
                user_from,
            )
            .optional()?;
        Ok(user.map(|u| (session, u)))
    }

    pub fn sessions_of(&self, user_id: &str) -> rusqlite::Result<Vec<SessionRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT * FROM session WHERE user_id = ?1 AND expires_at > ?2 ORDER BY created_at",
        )?;
        let rows = stmt.query_map(params![user_id, now_ms()], session_from)?;
        rows.collect()
    }

    /// Deletes the user's session with this token (no error when there is none).
    pub fn delete_session(&self, user_id: &str, token: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "DELETE FROM session WHERE user_id = ?1 AND token = ?2",
            params![user_id, token],
        )?;
        Ok(())
    }

    /// Deletes the user's sessions, except `keep` when given.
    pub fn delete_sessions(&self, user_id: &str, keep: Option<&str>) -> rusqlite::Result<()> {
        self.conn().execute(
            "DELETE FROM session WHERE user_id = ?1 AND token IS NOT ?2",
            params![user_id, keep],
        )?;
        Ok(())
    }

    /// The stored add-on configuration, or the platform's empty default.
    pub fn addon_config(&self, project_id: &str) -> rusqlite::Result<Value> {
        let stored: Option<String> = self
            .conn()
            .query_row(
                "SELECT config_json FROM addon_config WHERE project_id = ?1",
                [project_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(stored
            .filter(|s| !s.is_empty())
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_else(|| json!({ "addons": {} })))
    }

    /// Merges `addons` into the project's row (shallow, per id) and audits the change, in one
    /// transaction. Returns the merged configuration.
    pub fn save_addon_config(
        &self,
        project_id: &str,
        addons: &serde_json::Map<String, Value>,
        actor: (&str, &str),
    ) -> rusqlite::Result<Value> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let existing: Option<(String, String)> = tx
            .query_row(
                "SELECT id, config_json FROM addon_config WHERE project_id = ?1",
                [project_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let before: Value = existing
            .as_ref()
            .and_then(|(_, s)| serde_json::from_str(s).ok())
            .unwrap_or_else(|| json!({ "addons": {} }));
        let mut merged = before.clone();
        if !merged.get("addons").is_some_and(Value::is_object) {
            merged = json!({ "addons": {} });
        }
        let target = merged["addons"].as_object_mut().expect("ensured above");
        for (id, settings) in addons {
            target.insert(id.clone(), settings.clone());
        }
        let now = now_ms();
        let config_json = merged.to_string();
        match existing {
            Some((id, _)) => tx.execute(
                "UPDATE addon_config SET config_json = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, config_json, now],
            )?,
            None => tx.execute(
                "INSERT INTO addon_config (id, project_id, config_json, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![new_id(), project_id, config_json, now],
            )?,
        };
        let changes = json!({ "before": before, "after": merged }).to_string();
        tx.execute(
            "INSERT INTO audit_event (id, project_id, action, actor_type, actor_id, changes, occurred_at, created_at) VALUES (?1, ?2, 'addon_config.updated', ?3, ?4, ?5, ?6, ?6)",
            params![new_id(), project_id, actor.0, actor.1, changes, now],
        )?;
        tx.commit()?;
        Ok(merged)
    }

    /// Audit rows of the project, newest first, in the platform's flat shape.
    pub fn audit_events(
        &self,
        project_id: &str,
        action: Option<&str>,
        limit: u32,
    ) -> rusqlite::Result<Vec<Value>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, action, actor_type, actor_id, changes, occurred_at, created_at FROM audit_event \
             WHERE project_id = ?1 AND (?2 IS NULL OR action = ?2) ORDER BY occurred_at DESC, rowid DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![project_id, action, limit], |r| {
            Ok(json!({
                "id": r.get::<_, String>(0)?,
                "action": r.get::<_, String>(1)?,
                "version": 1,
                "actorType": r.get::<_, String>(2)?,
                "actorId": r.get::<_, String>(3)?,
                "changes": r.get::<_, Option<String>>(4)?,
                "projectId": project_id,
                "occurredAt": r.get::<_, i64>(5)?,
                "createdAt": r.get::<_, i64>(6)?,
            }))
        })?;
        rows.collect()
    }
}
