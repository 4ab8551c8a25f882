//! Banata's organization plugin (`organizationRbacPlugin`), as the platform's source has it:
//! the creator becomes `super_admin`; permissions come from the member's roles (`super_admin`:
//! all; the seeded `admin` and `member` roles: none), API-key callers (the project's owner)
//! hold every permission; roles are comma-joined; invitations last 48 hours and are mailed
//! (with their id, no link); "not found" is 400; `metadata` is stored as a JSON string, parsed
//! only by `list` and `get-full-organization`; lists are `{data, listMetadata}`.
//!
//! As on the platform, a bearer on `/organization/` paths is taken for an API key, so end
//! users reach these routes with their session cookie.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::http::{ApiError, ApiResult, Input, current_session};
use crate::mailbox::Mail;
use crate::routes::auth::iso;
use crate::schema::{Schema, Ty, opt, req, str_field};
use crate::store::{
    InvitationRow, MemberRow, OrganizationRow, SessionRow, UserRow, new_id, now_ms,
};

/// `INVITATION_EXPIRY_MS`: 48 hours.
const INVITATION_LIFETIME_MS: i64 = 48 * 3600 * 1000;
/// The roles a project starts with.
const ROLES: [&str; 3] = ["super_admin", "admin", "member"];

/// A GET route's query, as pairs.
type QueryPairs = Query<Vec<(String, String)>>;

fn bad(message: &str) -> ApiError {
    ApiError::from_message(StatusCode::BAD_REQUEST, message)
}

fn forbidden(message: &str) -> ApiError {
    ApiError::from_message(StatusCode::FORBIDDEN, message)
}

fn not_a_member() -> ApiError {
    forbidden("You are not a member of this organization")
}

/// Who calls: the session cookie, or an API key (as bearer here, or `x-api-key`), which holds
/// every permission (the project's keys; a user's key acts as that user too).
struct Caller {
    session: Option<SessionRow>,
    user: Option<UserRow>,
    wildcard: bool,
}

fn caller(state: &AppState, headers: &HeaderMap) -> ApiResult<Caller> {
    let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let key = header(header::AUTHORIZATION)
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| header(header::HeaderName::from_static("x-api-key")))
        .map(str::trim);
    if let Some(key) = key {
        let row = crate::access::verify_key(state, key)?;
        let user = match &row.user_id {
            Some(id) => state.store.user_by_id(id)?,
            None => None,
        };
        return Ok(Caller {
            session: None,
            user,
            wildcard: true,
        });
    }
    let (session, user) = current_session(state, headers)?.ok_or_else(ApiError::unauthorized)?;
    Ok(Caller {
        session: Some(session),
        user: Some(user),
        wildcard: false,
    })
}

impl Caller {
    /// The calling user; a project key without one cannot act as a user.
    fn user(&self) -> ApiResult<&UserRow> {
        self.user.as_ref().ok_or_else(|| {
            ApiError::from_message(
                StatusCode::UNAUTHORIZED,
                "The user id from the API key is invalid.",
            )
        })
    }

    fn active(&self, state: &AppState) -> ApiResult<Option<String>> {
        match &self.session {
            Some(s) => Ok(state.store.active_organization(&s.id)?),
            None => Ok(None),
        }
    }

    fn set_active(&self, state: &AppState, organization_id: Option<&str>) -> ApiResult<()> {
        if let Some(s) = &self.session {
            state
                .store
                .set_active_organization(&s.id, organization_id)?;
        }
        Ok(())
    }

    /// The organization given, else the active one; "Organization required" without either.
    fn organization_id(&self, state: &AppState, given: Option<&str>) -> ApiResult<String> {
        match given.filter(|g| !g.is_empty()) {
            Some(id) => Ok(id.to_owned()),
            None => self
                .active(state)?
                .ok_or_else(|| bad("Organization required")),
        }
    }

    /// `requireOrganizationPermission`: API-key callers pass; members need `super_admin`
    /// (the only role the project seeds with permissions).
    fn require(&self, state: &AppState, organization_id: &str, permission: &str) -> ApiResult<()> {
        if self.wildcard {
            return Ok(());
        }
        let member = state
            .store
            .membership(organization_id, &self.user()?.id)?
            .ok_or_else(not_a_member)?;
        if roles(&member.role).iter().any(|r| r == "super_admin") {
            Ok(())
        } else {
            Err(forbidden(&format!("Missing permission: {permission}")))
        }
    }
}

/// `parseRoleSlugs`: a string or a list, split on commas, trimmed, without repeats.
fn roles(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for role in value.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        if !out.iter().any(|r| r == role) {
            out.push(role.to_owned());
        }
    }
    out
}

fn role_input(body: &Map<String, Value>) -> ApiResult<Vec<String>> {
    let joined = match body.get("role") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ApiError::validation("[body.role] Invalid input"))?
            .join(","),
        _ => return Err(ApiError::validation("[body.role] Invalid input")),
    };
    let parsed = roles(&joined);
    let unknown: Vec<&str> = parsed
        .iter()
        .map(String::as_str)
        .filter(|r| !ROLES.contains(r))
        .collect();
    if !unknown.is_empty() {
        return Err(bad(&format!("Unknown role(s): {}", unknown.join(", "))));
    }
    Ok(parsed)
}

fn metadata_input(body: &Map<String, Value>, path: &str) -> ApiResult<Option<String>> {
    match body.get("metadata") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(Value::Object(map.clone()).to_string())),
        Some(_) => Err(ApiError::validation(format!(
            "[{path}.metadata] Invalid input: expected record"
        ))),
    }
}

/// An organization row; `metadata` parsed (list, get-full-organization) or as stored.
fn organization_json(o: &OrganizationRow, parse_metadata: bool) -> Value {
    let mut out = json!({
        "id": o.id, "name": o.name, "slug": o.slug,
        "createdAt": iso(o.created_at), "updatedAt": iso(o.updated_at),
    });
    if let Some(logo) = &o.logo {
        out["logo"] = json!(logo);
    }
    if let Some(metadata) = &o.metadata {
        out["metadata"] = if parse_metadata {
            serde_json::from_str(metadata).unwrap_or(Value::Null)
        } else {
            json!(metadata)
        };
    }
    out
}

fn member_json(m: &MemberRow) -> Value {
    json!({
        "id": m.id, "organizationId": m.organization_id, "userId": m.user_id, "role": m.role,
        "createdAt": iso(m.created_at), "updatedAt": iso(m.updated_at),
    })
}

fn invitation_json(i: &InvitationRow) -> Value {
    json!({
        "id": i.id, "organizationId": i.organization_id, "email": i.email, "role": i.role,
        "inviterId": i.inviter_id, "status": i.status, "expiresAt": iso(i.expires_at),
        "createdAt": iso(i.created_at),
    })
}

fn list(data: Vec<Value>) -> Response {
    axum::Json(json!({ "data": data, "listMetadata": { "before": null, "after": null } }))
        .into_response()
}

fn ok(body: Value) -> ApiResult {
    Ok(axum::Json(body).into_response())
}

fn query<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// At least one other `super_admin` must remain when `member` loses the role.
fn retain_super_admin(state: &AppState, member: &MemberRow, new_roles: &[String]) -> ApiResult<()> {
    let was = roles(&member.role).iter().any(|r| r == "super_admin");
    if !was || new_roles.iter().any(|r| r == "super_admin") {
        return Ok(());
    }
    let others = state
        .store
        .members(&member.organization_id)?
        .into_iter()
        .any(|m| m.id != member.id && roles(&m.role).iter().any(|r| r == "super_admin"));
    if others {
        Ok(())
    } else {
        Err(bad("Organization must retain at least one super_admin"))
    }
}

const CREATE: Schema = Schema::open(&[
    req("name", Ty::NonEmpty),
    req("slug", Ty::NonEmpty),
    opt("logo", Ty::String),
    opt("keepCurrentActiveOrganization", Ty::Boolean),
]);

/// `POST /organization/create`
pub async fn create(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = CREATE.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let metadata = metadata_input(body, "body")?;
    let slug = str_field(body, "slug").unwrap_or_default();
    if state.store.organization_by_slug(slug)?.is_some() {
        return Err(bad("Organization slug already exists"));
    }
    let (organization, member) = state.store.create_organization(
        str_field(body, "name").unwrap_or_default(),
        slug,
        str_field(body, "logo"),
        metadata.as_deref(),
        &caller.user()?.id,
    )?;
    if body.get("keepCurrentActiveOrganization") != Some(&Value::Bool(true)) {
        caller.set_active(&state, Some(&organization.id))?;
    }
    let mut out = organization_json(&organization, false);
    out["members"] = json!([member_json(&member)]);
    ok(out)
}

/// `GET /organization/list`: the caller's organizations (all for an API key), newest first.
pub async fn list_organizations(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers)?;
    let rows = if caller.wildcard {
        state.store.all_organizations()?
    } else {
        state.store.organizations_of(&caller.user()?.id)?
    };
    Ok(list(
        rows.iter().map(|o| organization_json(o, true)).collect(),
    ))
}

/// `POST /organization/list`: the same, after the router's checks of a POST.
pub async fn list_organizations_post(State(state): State<AppState>, input: Input) -> ApiResult {
    list_organizations(State(state), input.headers).await
}

/// The organization named by id, else slug, else the active one.
fn select(
    state: &AppState,
    caller: &Caller,
    id: Option<&str>,
    slug: Option<&str>,
    fall_back: bool,
) -> ApiResult<Option<OrganizationRow>> {
    if let Some(id) = id {
        return Ok(state.store.organization(id)?);
    }
    if let Some(slug) = slug {
        return Ok(state.store.organization_by_slug(slug)?);
    }
    match caller.active(state)? {
        Some(id) if fall_back => Ok(state.store.organization(&id)?),
        _ => Ok(None),
    }
}

/// `GET /organization/get-full-organization?organizationId|organizationSlug`
pub async fn get_full(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): QueryPairs,
) -> ApiResult {
    let caller = caller(&state, &headers)?;
    let Some(organization) = select(
        &state,
        &caller,
        query(&q, "organizationId"),
        query(&q, "organizationSlug"),
        true,
    )?
    else {
        return ok(Value::Null);
    };
    caller.require(&state, &organization.id, "member.read")?;
    let mut out = organization_json(&organization, true);
    out["members"] = state
        .store
        .members(&organization.id)?
        .iter()
        .map(member_json)
        .collect();
    out["invitations"] = state
        .store
        .invitations_of_organization(&organization.id)?
        .iter()
        .map(invitation_json)
        .collect();
    ok(out)
}

const SELECT: Schema = Schema::open(&[
    opt("organizationId", Ty::String),
    opt("organizationSlug", Ty::String),
]);

/// `POST /organization/set-active {organizationId?|organizationSlug?}`
pub async fn set_active(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = SELECT.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let found = select(
        &state,
        &caller,
        str_field(body, "organizationId"),
        str_field(body, "organizationSlug"),
        false,
    )?;
    let Some(organization) = found else {
        caller.set_active(&state, None)?;
        return ok(Value::Null);
    };
    if !caller.wildcard
        && state
            .store
            .membership(&organization.id, &caller.user()?.id)?
            .is_none()
    {
        return Err(not_a_member());
    }
    caller.set_active(&state, Some(&organization.id))?;
    ok(organization_json(&organization, false))
}

const SLUG: Schema = Schema::object(&[req("slug", Ty::String)]);

/// `POST /organization/check-slug {slug}`
pub async fn check_slug(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = SLUG.check(&input.body)?;
    caller(&state, &input.headers)?;
    if state
        .store
        .organization_by_slug(str_field(body, "slug").unwrap_or_default())?
        .is_some()
    {
        return Err(bad("Organization slug already taken"));
    }
    ok(json!({ "status": true }))
}

const UPDATE: Schema = Schema::open(&[opt("organizationId", Ty::String)]);
const CHANGES: [&str; 3] = ["name", "slug", "logo"];

/// `POST /organization/update {organizationId?, data: {name?, slug?, logo?, metadata?}}`
pub async fn update(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = UPDATE.check(&input.body)?;
    let Some(Value::Object(data)) = body.get("data") else {
        return Err(ApiError::validation(
            "[body.data] Invalid input: expected object, received undefined",
        ));
    };
    for field in CHANGES {
        if data.get(field).is_some_and(|v| !v.is_string()) {
            return Err(ApiError::validation(format!(
                "[body.data.{field}] Invalid input: expected string"
            )));
        }
    }
    let metadata = metadata_input(data, "body.data")?;
    let caller = caller(&state, &input.headers)?;
    let id = caller.organization_id(&state, str_field(body, "organizationId"))?;
    caller.require(&state, &id, "organization.update")?;
    let slug = str_field(data, "slug").filter(|s| !s.is_empty());
    if let Some(slug) = slug
        && state
            .store
            .organization_by_slug(slug)?
            .is_some_and(|o| o.id != id)
    {
        return Err(bad("Organization slug already exists"));
    }
    let mut organization = state
        .store
        .organization(&id)?
        .ok_or_else(|| bad("Organization not found"))?;
    if let Some(name) = str_field(data, "name") {
        organization.name = name.to_owned();
    }
    if let Some(slug) = str_field(data, "slug") {
        organization.slug = slug.to_owned();
    }
    if let Some(logo) = str_field(data, "logo") {
        organization.logo = Some(logo.to_owned());
    }
    if metadata.is_some() {
        organization.metadata = metadata;
    }
    organization.updated_at = now_ms();
    state.store.update_organization(&organization)?;
    ok(organization_json(&organization, false))
}

/// `POST /organization/delete {organizationId?|organizationSlug?}` (no active fallback).
pub async fn delete(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = SELECT.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let organization = select(
        &state,
        &caller,
        str_field(body, "organizationId"),
        str_field(body, "organizationSlug"),
        false,
    )?
    .ok_or_else(|| bad("Organization not found"))?;
    caller.require(&state, &organization.id, "organization.delete")?;
    state.store.delete_organization(&organization.id)?;
    ok(organization_json(&organization, false))
}

const INVITE: Schema = Schema::open(&[
    req("email", Ty::Email),
    opt("organizationId", Ty::String),
    opt("resend", Ty::Boolean),
]);

/// `POST /organization/invite-member {email, role, organizationId?, resend?}`
pub async fn invite_member(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = INVITE.check(&input.body)?;
    if body.get("role").is_none() {
        return Err(ApiError::validation("[body.role] Invalid input"));
    }
    let caller = caller(&state, &input.headers)?;
    let organization_id = caller.organization_id(&state, str_field(body, "organizationId"))?;
    caller.require(&state, &organization_id, "member.invite")?;
    let role = role_input(body)?.join(",");
    let email = str_field(body, "email").unwrap_or_default().to_lowercase();
    let pending = state
        .store
        .pending_invitations_to(&email)?
        .into_iter()
        .find(|i| i.organization_id == organization_id);
    let now = now_ms();
    let invitation = match pending {
        Some(_) if body.get("resend") != Some(&Value::Bool(true)) => {
            return Err(bad("User is already invited"));
        }
        Some(mut existing) => {
            existing.role = role;
            existing.expires_at = now + INVITATION_LIFETIME_MS;
            existing.status = "pending".into();
            state.store.update_invitation(&existing)?;
            existing
        }
        None => {
            let row = InvitationRow {
                id: new_id(),
                organization_id: organization_id.clone(),
                email: email.clone(),
                role,
                inviter_id: caller.user()?.id.clone(),
                status: "pending".into(),
                expires_at: now + INVITATION_LIFETIME_MS,
                created_at: now,
            };
            state.store.create_invitation(&row)?;
            row
        }
    };
    let organization_name = state
        .store
        .organization(&organization_id)?
        .map_or_else(|| "Organization".to_owned(), |o| o.name);
    // The platform's template names the invitation by id; it has no link to follow.
    state.mailbox.deliver(Mail {
        to: email,
        kind: "invitation",
        subject: format!("{} invited you to {organization_name}", caller.user()?.name),
        url: String::new(),
        token: invitation.id.clone(),
        sent_at: now,
    });
    ok(invitation_json(&invitation))
}

const INVITATION: Schema = Schema::open(&[req("invitationId", Ty::String)]);

fn invitation_for(state: &AppState, body: &Map<String, Value>) -> ApiResult<InvitationRow> {
    state
        .store
        .invitation(str_field(body, "invitationId").unwrap_or_default())?
        .ok_or_else(|| bad("Invitation not found"))
}

/// `POST /organization/accept-invitation {invitationId}`
pub async fn accept_invitation(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = INVITATION.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let mut invitation = invitation_for(&state, body)?;
    if invitation.status != "pending" || invitation.expires_at < now_ms() {
        return Err(bad("Invitation not found"));
    }
    if invitation.email != caller.user()?.email {
        return Err(forbidden("This invitation is not addressed to you"));
    }
    invitation.status = "accepted".into();
    state.store.update_invitation(&invitation)?;
    let member = match state
        .store
        .membership(&invitation.organization_id, &caller.user()?.id)?
    {
        Some(existing) => existing,
        None => state.store.add_member(
            &invitation.organization_id,
            &caller.user()?.id,
            &invitation.role,
        )?,
    };
    caller.set_active(&state, Some(&invitation.organization_id))?;
    ok(json!({ "invitation": invitation_json(&invitation), "member": member_json(&member) }))
}

/// `POST /organization/reject-invitation {invitationId}` (expired ones too).
pub async fn reject_invitation(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = INVITATION.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let mut invitation = invitation_for(&state, body)?;
    if invitation.status != "pending" {
        return Err(bad("Invitation not found"));
    }
    if invitation.email != caller.user()?.email {
        return Err(forbidden(
            "You can only reject invitations addressed to you",
        ));
    }
    invitation.status = "rejected".into();
    state.store.update_invitation(&invitation)?;
    ok(json!({ "invitation": invitation_json(&invitation), "member": null }))
}

/// `POST /organization/cancel-invitation {invitationId}` (any status).
pub async fn cancel_invitation(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = INVITATION.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let mut invitation = invitation_for(&state, body)?;
    caller.require(&state, &invitation.organization_id, "member.invite")?;
    invitation.status = "canceled".into();
    state.store.update_invitation(&invitation)?;
    ok(invitation_json(&invitation))
}

/// `GET /organization/get-invitation?id=`: for the invitee or a member (no API-key bypass).
pub async fn get_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): QueryPairs,
) -> ApiResult {
    let caller = caller(&state, &headers)?;
    let invitation = state
        .store
        .invitation(query(&q, "id").unwrap_or_default())?
        .ok_or_else(|| bad("Invitation not found"))?;
    if invitation.email != caller.user()?.email
        && state
            .store
            .membership(&invitation.organization_id, &caller.user()?.id)?
            .is_none()
    {
        return Err(forbidden("You do not have access to this invitation"));
    }
    ok(invitation_json(&invitation))
}

/// `GET /organization/list-invitations?organizationId=`
pub async fn list_invitations(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): QueryPairs,
) -> ApiResult {
    let caller = caller(&state, &headers)?;
    let id = caller.organization_id(&state, query(&q, "organizationId"))?;
    caller.require(&state, &id, "member.invite")?;
    let rows = state.store.invitations_of_organization(&id)?;
    Ok(list(rows.iter().map(invitation_json).collect()))
}

/// `GET /organization/list-user-invitations`: the caller's pending invitations (a bare list).
pub async fn list_user_invitations(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers)?;
    let rows = state
        .store
        .pending_invitations_to(&caller.user()?.email.to_lowercase())?;
    ok(rows.iter().map(invitation_json).collect())
}

/// `GET /organization/list-members?organizationId=`
pub async fn list_members(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): QueryPairs,
) -> ApiResult {
    let caller = caller(&state, &headers)?;
    let id = caller.organization_id(&state, query(&q, "organizationId"))?;
    caller.require(&state, &id, "member.read")?;
    let rows = state.store.members(&id)?;
    Ok(list(rows.iter().map(member_json).collect()))
}

const UPDATE_ROLE: Schema = Schema::open(&[
    opt("memberId", Ty::String),
    opt("memberIdOrUserId", Ty::String),
    opt("organizationId", Ty::String),
]);

/// `POST /organization/update-member-role {memberId|memberIdOrUserId, role, organizationId?}`
pub async fn update_member_role(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = UPDATE_ROLE.check(&input.body)?;
    if body.get("role").is_none() {
        return Err(ApiError::validation("[body.role] Invalid input"));
    }
    let caller = caller(&state, &input.headers)?;
    let id = caller.organization_id(&state, str_field(body, "organizationId"))?;
    caller.require(&state, &id, "member.update_role")?;
    let new_roles = role_input(body)?;
    let identifier = str_field(body, "memberId")
        .or_else(|| str_field(body, "memberIdOrUserId"))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("Member identifier required"))?;
    let mut member = match state.store.member_by_id(identifier)? {
        Some(m) => m,
        None => state
            .store
            .membership(&id, identifier)?
            .ok_or_else(|| bad("Member not found"))?,
    };
    retain_super_admin(&state, &member, &new_roles)?;
    member.role = new_roles.join(",");
    member.updated_at = now_ms();
    state.store.set_member_role(&member.id, &member.role)?;
    ok(member_json(&member))
}

const REMOVE: Schema = Schema::open(&[
    opt("memberIdOrEmail", Ty::String),
    opt("memberIdOrUserId", Ty::String),
    opt("organizationId", Ty::String),
]);

/// `POST /organization/remove-member {memberIdOrEmail|memberIdOrUserId, organizationId?}`
pub async fn remove_member(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = REMOVE.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let id = caller.organization_id(&state, str_field(body, "organizationId"))?;
    caller.require(&state, &id, "member.remove")?;
    let by_user = str_field(body, "memberIdOrUserId").filter(|s| !s.is_empty());
    let identifier = str_field(body, "memberIdOrEmail")
        .filter(|s| !s.is_empty())
        .or(by_user)
        .ok_or_else(|| bad("Member identifier required"))?;
    let target = if identifier.contains('@') {
        match state.store.user_by_email(&identifier.to_lowercase())? {
            Some(user) => state.store.membership(&id, &user.id)?,
            None => None,
        }
    } else {
        match state.store.member_by_id(identifier)? {
            Some(m) => Some(m),
            None if by_user.is_some() => state.store.membership(&id, identifier)?,
            None => None,
        }
    };
    let target = target
        .filter(|m| m.organization_id == id)
        .ok_or_else(|| bad("Member not found"))?;
    if target.user_id == caller.user()?.id {
        return Err(bad("Use leave endpoint to leave organization"));
    }
    retain_super_admin(&state, &target, &[])?;
    state.store.delete_member(&target.id)?;
    ok(json!({ "member": member_json(&target) }))
}

const LEAVE: Schema = Schema::open(&[opt("organizationId", Ty::String)]);

/// `POST /organization/leave {organizationId?}`: the bare member row.
pub async fn leave(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = LEAVE.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let id = caller.organization_id(&state, str_field(body, "organizationId"))?;
    let member = state
        .store
        .membership(&id, &caller.user()?.id)?
        .ok_or_else(not_a_member)?;
    retain_super_admin(&state, &member, &[])?;
    state.store.delete_member(&member.id)?;
    if caller.active(&state)?.as_deref() == Some(id.as_str()) {
        caller.set_active(&state, None)?;
    }
    ok(member_json(&member))
}

/// `GET /organization/get-active-member`
pub async fn get_active_member(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers)?;
    let id = caller
        .active(&state)?
        .ok_or_else(|| bad("No active organization"))?;
    let member = state
        .store
        .membership(&id, &caller.user()?.id)?
        .ok_or_else(not_a_member)?;
    ok(member_json(&member))
}

/// `GET /organization/get-active-member-role?userId&organizationId&organizationSlug`
pub async fn get_active_member_role(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): QueryPairs,
) -> ApiResult {
    let caller = caller(&state, &headers)?;
    let organization = select(
        &state,
        &caller,
        query(&q, "organizationId"),
        query(&q, "organizationSlug"),
        true,
    )?
    .ok_or_else(|| bad("Organization not found"))?;
    if state
        .store
        .membership(&organization.id, &caller.user()?.id)?
        .is_none()
    {
        return Err(not_a_member());
    }
    let user_id = query(&q, "userId").unwrap_or(&caller.user()?.id);
    let member = state
        .store
        .membership(&organization.id, user_id)?
        .ok_or_else(|| bad("Member not found"))?;
    ok(json!({ "role": member.role }))
}
