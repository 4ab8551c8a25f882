//! API keys (stored as base64url(SHA-256(key)), never the key) and project members' roles.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{Store, new_id, now_ms};

/// Columns added after the first release, for database files made before them.
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("user_id", "TEXT"),
    ("prefix", "TEXT"),
    ("enabled", "INTEGER NOT NULL DEFAULT 1"),
    ("expires_at", "INTEGER"),
    ("metadata", "TEXT"),
    ("updated_at", "INTEGER"),
];

pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    super::add_columns(conn, "api_key", ADDED_COLUMNS)
}

/// An API key row (never the key itself).
#[derive(Clone, Debug)]
pub struct ApiKeyRow {
    pub id: String,
    pub name: Option<String>,
    /// The key's first characters, shown in lists.
    pub start: String,
    pub prefix: Option<String>,
    /// The owner: keys made through `/api-key/create` act as their user; the devserver's own
    /// keys (`/__dev/api-keys`, the seeded admin key) have none and carry `permissions`.
    pub user_id: Option<String>,
    pub permissions: Vec<String>,
    /// The project the key is scoped to, if any.
    pub project_id: Option<String>,
    pub enabled: bool,
    pub expires_at: Option<i64>,
    pub metadata: Option<Value>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ApiKeyRow {
    /// Whether the key's own permission list grants `permission`.
    pub fn allows(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == "*" || p == permission)
    }

    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|t| t <= now_ms())
    }
}

/// What a new key holds.
#[derive(Clone, Debug, Default)]
pub struct NewApiKey {
    pub name: Option<String>,
    pub prefix: Option<String>,
    pub user_id: Option<String>,
    pub permissions: Vec<String>,
    pub project_id: Option<String>,
    pub expires_at: Option<i64>,
    pub metadata: Option<Value>,
}

const COLUMNS: &str = "id, name, start, prefix, user_id, permissions, project_id, enabled, expires_at, metadata, created_at, updated_at";

fn key_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiKeyRow> {
    let name: String = r.get(1)?;
    let permissions: String = r.get(5)?;
    let project: String = r.get(6)?;
    let metadata: Option<String> = r.get(9)?;
    let created_at: i64 = r.get(10)?;
    Ok(ApiKeyRow {
        id: r.get(0)?,
        name: Some(name).filter(|n| !n.is_empty()),
        start: r.get(2)?,
        prefix: r.get(3)?,
        user_id: r.get(4)?,
        permissions: serde_json::from_str(&permissions).unwrap_or_default(),
        project_id: Some(project).filter(|p| !p.is_empty()),
        enabled: r.get(7)?,
        expires_at: r.get(8)?,
        metadata: metadata.and_then(|m| serde_json::from_str(&m).ok()),
        created_at,
        updated_at: r.get::<_, Option<i64>>(11)?.unwrap_or(created_at),
    })
}

impl Store {
    /// Stores `key` (hashed) with `new`'s settings.
    pub fn insert_api_key(&self, key: &str, new: NewApiKey) -> rusqlite::Result<ApiKeyRow> {
        let now = now_ms();
        let row = ApiKeyRow {
            id: new_id(),
            name: new.name,
            start: key.chars().take(6).collect(),
            prefix: new.prefix,
            user_id: new.user_id,
            permissions: new.permissions,
            project_id: new.project_id,
            enabled: true,
            expires_at: new.expires_at,
            metadata: new.metadata,
            created_at: now,
            updated_at: now,
        };
        self.conn().execute(
            &format!("INSERT INTO api_key ({COLUMNS}, key_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?10, ?10, ?11)"),
            params![
                row.id,
                row.name.clone().unwrap_or_default(),
                row.start,
                row.prefix,
                row.user_id,
                serde_json::to_string(&row.permissions).expect("strings serialize"),
                row.project_id.clone().unwrap_or_default(),
                row.expires_at,
                row.metadata.as_ref().map(Value::to_string),
                now,
                crate::crypto::hash_api_key(key),
            ],
        )?;
        Ok(row)
    }

    /// The key's row, found by its hash.
    pub fn api_key(&self, key: &str) -> rusqlite::Result<Option<ApiKeyRow>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM api_key WHERE key_hash = ?1"),
                [crate::crypto::hash_api_key(key)],
                key_from,
            )
            .optional()
    }

    /// A key of `user_id` by id.
    pub fn api_key_of(&self, user_id: &str, id: &str) -> rusqlite::Result<Option<ApiKeyRow>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM api_key WHERE id = ?1 AND user_id = ?2"),
                [id, user_id],
                key_from,
            )
            .optional()
    }

    /// The keys `user_id` owns, oldest first.
    pub fn api_keys_of(&self, user_id: &str) -> rusqlite::Result<Vec<ApiKeyRow>> {
        let conn = self.conn();
        let mut statement = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM api_key WHERE user_id = ?1 ORDER BY created_at, rowid"
        ))?;
        statement
            .query_map([user_id], key_from)?
            .collect::<rusqlite::Result<_>>()
    }

    /// Stores a changed key (name, enabled, expiry, metadata).
    pub fn update_api_key(&self, row: &ApiKeyRow) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE api_key SET name = ?2, enabled = ?3, expires_at = ?4, metadata = ?5, updated_at = ?6 WHERE id = ?1",
            params![
                row.id,
                row.name.clone().unwrap_or_default(),
                row.enabled,
                row.expires_at,
                row.metadata.as_ref().map(Value::to_string),
                row.updated_at,
            ],
        )?;
        Ok(())
    }

    pub fn delete_api_key(&self, id: &str) -> rusqlite::Result<()> {
        self.conn()
            .execute("DELETE FROM api_key WHERE id = ?1", [id])?;
        Ok(())
    }

    /// The user's role in the project and the permissions it grants, if they are a member.
    pub fn member(&self, user_id: &str) -> rusqlite::Result<Option<(String, Vec<String>)>> {
        self.conn()
            .query_row(
                "SELECT role, permissions FROM project_member WHERE user_id = ?1",
                [user_id],
                |r| {
                    let permissions: String = r.get(1)?;
                    Ok((
                        r.get(0)?,
                        serde_json::from_str(&permissions).unwrap_or_default(),
                    ))
                },
            )
            .optional()
    }

    /// Makes the user a member of the project with `role` granting `permissions`.
    pub fn set_member(
        &self,
        user_id: &str,
        role: &str,
        permissions: &[String],
    ) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO project_member (user_id, role, permissions) VALUES (?1, ?2, ?3)
             ON CONFLICT(user_id) DO UPDATE SET role = excluded.role, permissions = excluded.permissions",
            params![
                user_id,
                role,
                serde_json::to_string(permissions).expect("strings serialize")
            ],
        )?;
        Ok(())
    }
}
