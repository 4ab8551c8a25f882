//! Organizations, members and invitations, as Banata's organization plugin keeps them (roles
//! comma-joined, `metadata` a JSON string), and each session's active organization.

use rusqlite::{OptionalExtension, Row, params};

use super::{Store, new_id, now_ms};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS organization (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL, logo TEXT, metadata TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS member (
  id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invitation (
  id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
  inviter_id TEXT NOT NULL, status TEXT NOT NULL, expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS active_organization (
  session_id TEXT PRIMARY KEY, organization_id TEXT NOT NULL);
"#;

#[derive(Clone, Debug)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub logo: Option<String>,
    /// As stored: a JSON string.
    pub metadata: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug)]
pub struct MemberRow {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug)]
pub struct InvitationRow {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub role: String,
    pub inviter_id: String,
    pub status: String,
    pub expires_at: i64,
    pub created_at: i64,
}

fn organization_from(r: &Row<'_>) -> rusqlite::Result<OrganizationRow> {
    Ok(OrganizationRow {
        id: r.get("id")?,
        name: r.get("name")?,
        slug: r.get("slug")?,
        logo: r.get("logo")?,
        metadata: r.get("metadata")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

fn member_from(r: &Row<'_>) -> rusqlite::Result<MemberRow> {
    Ok(MemberRow {
        id: r.get("id")?,
        organization_id: r.get("organization_id")?,
        user_id: r.get("user_id")?,
        role: r.get("role")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

fn invitation_from(r: &Row<'_>) -> rusqlite::Result<InvitationRow> {
    Ok(InvitationRow {
        id: r.get("id")?,
        organization_id: r.get("organization_id")?,
        email: r.get("email")?,
        role: r.get("role")?,
        inviter_id: r.get("inviter_id")?,
        status: r.get("status")?,
        expires_at: r.get("expires_at")?,
        created_at: r.get("created_at")?,
    })
}

impl Store {
    /// A new organization with its creator as `super_admin`.
    pub fn create_organization(
        &self,
        name: &str,
        slug: &str,
        logo: Option<&str>,
        metadata: Option<&str>,
        creator: &str,
    ) -> rusqlite::Result<(OrganizationRow, MemberRow)> {
        let now = now_ms();
        let organization = OrganizationRow {
            id: new_id(),
            name: name.to_owned(),
            slug: slug.to_owned(),
            logo: logo.map(str::to_owned),
            metadata: metadata.map(str::to_owned),
            created_at: now,
            updated_at: now,
        };
        self.conn().execute(
            "INSERT INTO organization (id, name, slug, logo, metadata, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![organization.id, name, slug, logo, metadata, now],
        )?;
        let member = self.add_member(&organization.id, creator, "super_admin")?;
        Ok((organization, member))
    }

    pub fn organization(&self, id: &str) -> rusqlite::Result<Option<OrganizationRow>> {
        self.conn()
            .query_row(
                "SELECT * FROM organization WHERE id = ?1",
                [id],
                organization_from,
            )
            .optional()
    }

    pub fn organization_by_slug(&self, slug: &str) -> rusqlite::Result<Option<OrganizationRow>> {
        self.conn()
            .query_row(
                "SELECT * FROM organization WHERE slug = ?1",
                [slug],
                organization_from,
            )
            .optional()
    }

    /// Every organization of the project, newest first.
    pub fn all_organizations(&self) -> rusqlite::Result<Vec<OrganizationRow>> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT * FROM organization ORDER BY created_at DESC, rowid DESC LIMIT 1000",
        )?;
        let rows = query.query_map([], organization_from)?;
        rows.collect()
    }

    /// The organizations `user_id` is a member of, newest first.
    pub fn organizations_of(&self, user_id: &str) -> rusqlite::Result<Vec<OrganizationRow>> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT o.* FROM organization o JOIN member m ON m.organization_id = o.id
             WHERE m.user_id = ?1 ORDER BY o.created_at DESC, o.rowid DESC LIMIT 1000",
        )?;
        let rows = query.query_map([user_id], organization_from)?;
        rows.collect()
    }

    pub fn update_organization(&self, row: &OrganizationRow) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE organization SET name = ?2, slug = ?3, logo = ?4, metadata = ?5, updated_at = ?6 WHERE id = ?1",
            params![row.id, row.name, row.slug, row.logo, row.metadata, row.updated_at],
        )?;
        Ok(())
    }

    /// Deletes the organization, its members and invitations.
    pub fn delete_organization(&self, id: &str) -> rusqlite::Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM invitation WHERE organization_id = ?1", [id])?;
        tx.execute("DELETE FROM member WHERE organization_id = ?1", [id])?;
        tx.execute(
            "DELETE FROM active_organization WHERE organization_id = ?1",
            [id],
        )?;
        tx.execute("DELETE FROM organization WHERE id = ?1", [id])?;
        tx.commit()
    }

    pub fn add_member(
        &self,
        organization_id: &str,
        user_id: &str,
        role: &str,
    ) -> rusqlite::Result<MemberRow> {
        let now = now_ms();
        let member = MemberRow {
            id: new_id(),
            organization_id: organization_id.to_owned(),
            user_id: user_id.to_owned(),
            role: role.to_owned(),
            created_at: now,
            updated_at: now,
        };
        self.conn().execute(
            "INSERT INTO member (id, organization_id, user_id, role, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![member.id, organization_id, user_id, role, now],
        )?;
        Ok(member)
    }

    pub fn members(&self, organization_id: &str) -> rusqlite::Result<Vec<MemberRow>> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT * FROM member WHERE organization_id = ?1 ORDER BY created_at, rowid LIMIT 1000",
        )?;
        let rows = query.query_map([organization_id], member_from)?;
        rows.collect()
    }

    pub fn member_by_id(&self, id: &str) -> rusqlite::Result<Option<MemberRow>> {
        self.conn()
            .query_row("SELECT * FROM member WHERE id = ?1", [id], member_from)
            .optional()
    }

    pub fn membership(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> rusqlite::Result<Option<MemberRow>> {
        self.conn()
            .query_row(
                "SELECT * FROM member WHERE organization_id = ?1 AND user_id = ?2",
                [organization_id, user_id],
                member_from,
            )
            .optional()
    }

    pub fn set_member_role(&self, id: &str, role: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE member SET role = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, role, now_ms()],
        )?;
        Ok(())
    }

    pub fn delete_member(&self, id: &str) -> rusqlite::Result<()> {
        self.conn()
            .execute("DELETE FROM member WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn create_invitation(&self, row: &InvitationRow) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO invitation (id, organization_id, email, role, inviter_id, status, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![row.id, row.organization_id, row.email, row.role, row.inviter_id, row.status, row.expires_at, row.created_at],
        )?;
        Ok(())
    }

    pub fn update_invitation(&self, row: &InvitationRow) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE invitation SET role = ?2, status = ?3, expires_at = ?4 WHERE id = ?1",
            params![row.id, row.role, row.status, row.expires_at],
        )?;
        Ok(())
    }

    pub fn invitation(&self, id: &str) -> rusqlite::Result<Option<InvitationRow>> {
        self.conn()
            .query_row(
                "SELECT * FROM invitation WHERE id = ?1",
                [id],
                invitation_from,
            )
            .optional()
    }

    pub fn invitations_of_organization(
        &self,
        organization_id: &str,
    ) -> rusqlite::Result<Vec<InvitationRow>> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT * FROM invitation WHERE organization_id = ?1 ORDER BY created_at, rowid LIMIT 1000",
        )?;
        let rows = query.query_map([organization_id], invitation_from)?;
        rows.collect()
    }

    /// The pending invitations to `email` (expired ones too, as the platform lists them).
    pub fn pending_invitations_to(&self, email: &str) -> rusqlite::Result<Vec<InvitationRow>> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT * FROM invitation WHERE email = ?1 AND status = 'pending' ORDER BY created_at, rowid",
        )?;
        let rows = query.query_map([email], invitation_from)?;
        rows.collect()
    }

    pub fn active_organization(&self, session_id: &str) -> rusqlite::Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT organization_id FROM active_organization WHERE session_id = ?1",
                [session_id],
                |r| r.get(0),
            )
            .optional()
    }

    /// Sets (or, with `None`, clears) the session's active organization.
    pub fn set_active_organization(
        &self,
        session_id: &str,
        organization_id: Option<&str>,
    ) -> rusqlite::Result<()> {
        let conn = self.conn();
        match organization_id {
            Some(id) => conn.execute(
                "INSERT INTO active_organization (session_id, organization_id) VALUES (?1, ?2)
                 ON CONFLICT(session_id) DO UPDATE SET organization_id = ?2",
                [session_id, id],
            )?,
            None => conn.execute(
                "DELETE FROM active_organization WHERE session_id = ?1",
                [session_id],
            )?,
        };
        Ok(())
    }
}
