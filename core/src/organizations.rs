//! Organizations of signed-in users: Banata's organization plugin (`/organization/*`). The
//! creator of an organization becomes its `super_admin`; what others may do comes from their
//! roles (comma-joined in `role`). Lists come as `{data, listMetadata}`.
//!
//! The platform takes any `Authorization: Bearer` on `/organization/` paths for a project API
//! key, so these calls carry the session as Better Auth's session cookie instead (with the
//! base URL as `Origin`, as a browser on the site would).
//!
//! Changes of membership emit events whose data carries `organizationId` and `memberCount`,
//! the count read from the server after the change (as the user, else with the project API
//! key: plain members may not read the member list), and the organization's
//! `stripeSubscriptionItemId` metadata, which the Stripe add-on sets the seat count of. Seat
//! counts therefore follow changes made through a server-side client (one with the API key,
//! or a per-user client derived from it); an app without the key emits the events without a
//! count.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::api::to_input;
use crate::events::{AuthEvent, EventData, EventType};
use crate::models::Timestamp;
use crate::operations::endpoint;
use crate::transport::Credential;
use crate::{Client, Result};

/// An organization. `metadata` is an object whichever form the server sent it in (the
/// platform stores it as a JSON string and returns either).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The URL-friendly name, unique in the project.
    pub slug: String,
    /// The logo's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// The app's own data about the organization; `stripeSubscriptionItemId` here maps it to
    /// the Stripe subscription item whose quantity follows the member count.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "metadata_object"
    )]
    pub metadata: Option<Map<String, Value>>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The members, where the answer lists them (creating one: its creator; the full
    /// organization: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Member>>,
    /// The invitations of every status, where the answer lists them (the full organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitations: Option<Vec<Invitation>>,
}

/// `metadata` as an object: the JSON string the platform stores is parsed; anything that is
/// not an object reads as none.
fn metadata_object<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Map<String, Value>>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Object(map)) => Some(map),
        Some(Value::String(text)) => match serde_json::from_str(&text) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        },
        _ => None,
    })
}

/// A user's membership of an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The id.
    pub id: String,
    /// The organization's id.
    pub organization_id: String,
    /// The user's id.
    pub user_id: String,
    /// The member's roles, comma-joined (e.g. `"super_admin"`, `"admin,billing"`).
    pub role: String,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

impl Member {
    /// The roles one by one.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.role
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

/// An invitation to join an organization (48 hours).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// The id.
    pub id: String,
    /// The organization's id.
    pub organization_id: String,
    /// The invitee's address (lower case).
    pub email: String,
    /// The roles the invitee gets, comma-joined.
    pub role: String,
    /// `pending`, `accepted`, `rejected` or `canceled` (an expired invitation stays
    /// `pending`; see `expires_at`).
    pub status: String,
    /// When it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The user who invited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter_id: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
}

/// The list position markers (the platform answers everything at once: both `None`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ListMetadata {
    /// The value before.
    #[serde(default)]
    pub before: Option<String>,
    /// The value after.
    #[serde(default)]
    pub after: Option<String>,
}

/// Organizations, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrganizationList {
    /// The records.
    pub data: Vec<Organization>,
    /// Paging information.
    #[serde(default)]
    pub list_metadata: ListMetadata,
}

/// Members, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MemberList {
    /// The records.
    pub data: Vec<Member>,
    /// Paging information.
    #[serde(default)]
    pub list_metadata: ListMetadata,
}

/// Invitations, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvitationList {
    /// The records.
    pub data: Vec<Invitation>,
    /// Paging information.
    #[serde(default)]
    pub list_metadata: ListMetadata,
}

/// An invitation answered: accepted (with the membership) or rejected (no membership).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvitationAnswer {
    /// The invitation.
    pub invitation: Invitation,
    /// The membership.
    #[serde(default)]
    pub member: Option<Member>,
}

/// The membership a removal ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RemovedMember {
    /// The membership.
    pub member: Member,
}

/// A member's roles, comma-joined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MemberRole {
    /// The role (comma-joined when several).
    pub role: String,
}

/// A new organization. The signed-in user becomes its `super_admin`, and it becomes the
/// session's active organization unless `keep_current_active_organization`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreateOrganization {
    /// The display name.
    pub name: String,
    /// Unique in the project.
    pub slug: String,
    /// The logo's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Free-form data kept with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Leave the session's active organization as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_current_active_organization: Option<bool>,
}

/// Which organization: by id or slug; neither means the session's active organization
/// (where the call falls back to it).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrganizationSelector {
    /// The organization's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The organization's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_slug: Option<String>,
}

/// Which organization by id; none means the session's active organization.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrganizationId {
    /// The organization's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

/// Changes to an organization (the active one unless `organization_id`); unset fields stay
/// as they are. Sent as `{organizationId, data: {…}}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganization {
    /// The organization's id.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// The display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The URL-friendly name, unique in the project.
    #[serde(default)]
    pub slug: Option<String>,
    /// The logo's URL.
    #[serde(default)]
    pub logo: Option<String>,
    /// Replaces the whole metadata object.
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

impl Serialize for UpdateOrganization {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Changes<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            name: Option<&'a String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            slug: Option<&'a String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            logo: Option<&'a String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            metadata: Option<&'a Map<String, Value>>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            organization_id: Option<&'a String>,
            data: Changes<'a>,
        }
        Wire {
            organization_id: self.organization_id.as_ref(),
            data: Changes {
                name: self.name.as_ref(),
                slug: self.slug.as_ref(),
                logo: self.logo.as_ref(),
                metadata: self.metadata.as_ref(),
            },
        }
        .serialize(s)
    }
}

/// A slug to check.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckSlug {
    /// The URL-friendly name, unique in the project.
    pub slug: String,
}

/// An invitation to send (to the active organization unless `organization_id`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InviteMember {
    /// The e-mail address.
    pub email: String,
    /// One or more role slugs of the project.
    pub role: Vec<String>,
    /// The organization's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Sends a pending invitation again (new expiry, the roles given) instead of refusing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resend: Option<bool>,
}

/// An invitation, by id.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvitationId {
    /// The invitation's id.
    pub invitation_id: String,
}

/// An invitation, by id (the query of `get_invitation`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetInvitation {
    /// The id.
    pub id: String,
}

/// New roles for a member (of the active organization unless `organization_id`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpdateMemberRole {
    /// The membership's id.
    pub member_id: String,
    /// One or more role slugs of the project; at least one `super_admin` must remain.
    pub role: Vec<String>,
    /// The organization's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

/// A member to remove: the membership id or the user's e-mail address.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RemoveMember {
    /// The membership's id, or the member's e-mail address.
    pub member_id_or_email: String,
    /// The organization's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

/// Whose role in which organization: the signed-in user and the active organization unless
/// given.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActiveMemberRoleQuery {
    /// The user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The organization's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The organization's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_slug: Option<String>,
}

/// Organization calls of the signed-in user; get it with [`Client::organizations`].
#[derive(Clone, Copy, Debug)]
pub struct Organizations<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Organizations<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Organizations { client }
    }

    /// Creates an organization; emits `organization.created` and `member.added` (its creator).
    pub async fn create(&self, input: CreateOrganization) -> Result<Organization> {
        let created: Organization = self
            .client
            .request(&endpoint::create, to_input(&input))
            .await?;
        let count = created.members.as_ref().map(Vec::len);
        let data = seat_data(&created.id, count, created.metadata.as_ref());
        self.emit(EventType::ORGANIZATION_CREATED, data.clone());
        if let Some(creator) = created.members.as_ref().and_then(|m| m.first()) {
            self.emit(EventType::MEMBER_ADDED, with_user(data, &creator.user_id));
        }
        Ok(created)
    }

    /// Changes an organization; emits `organization.updated`.
    pub async fn update(&self, input: UpdateOrganization) -> Result<Organization> {
        let updated: Organization = self
            .client
            .request(&endpoint::update, to_input(&input))
            .await?;
        self.emit(
            EventType::ORGANIZATION_UPDATED,
            seat_data(&updated.id, None, updated.metadata.as_ref()),
        );
        Ok(updated)
    }

    /// Deletes an organization; emits `organization.deleted`.
    pub async fn delete(&self, input: OrganizationSelector) -> Result<Organization> {
        let deleted: Organization = self
            .client
            .request(&endpoint::delete, to_input(&input))
            .await?;
        self.emit(
            EventType::ORGANIZATION_DELETED,
            seat_data(&deleted.id, None, deleted.metadata.as_ref()),
        );
        Ok(deleted)
    }

    /// Invites someone; emits `invitation.created`.
    pub async fn invite_member(&self, input: InviteMember) -> Result<Invitation> {
        let invitation: Invitation = self
            .client
            .request(&endpoint::invite_member, to_input(&input))
            .await?;
        self.emit(EventType::INVITATION_CREATED, invitation_data(&invitation));
        Ok(invitation)
    }

    /// Accepts an invitation addressed to the signed-in user; emits `invitation.accepted` and
    /// `member.added` with the member count after it.
    pub async fn accept_invitation(&self, input: InvitationId) -> Result<InvitationAnswer> {
        let answer: InvitationAnswer = self
            .client
            .request(&endpoint::accept_invitation, to_input(&input))
            .await?;
        let counted = match &answer.member {
            Some(member) => Some((self.recount(&member.organization_id, 0).await, member)),
            None => None,
        };
        let mut accepted = invitation_data(&answer.invitation);
        if let Some(count) = counted
            .as_ref()
            .and_then(|(data, _)| data.extra.get("memberCount"))
        {
            accepted.extra.insert("memberCount".into(), count.clone());
        }
        self.emit(EventType::INVITATION_ACCEPTED, accepted);
        if let Some((data, member)) = counted {
            self.emit(EventType::MEMBER_ADDED, with_user(data, &member.user_id));
        }
        Ok(answer)
    }

    /// Declines an invitation addressed to the signed-in user; emits `invitation.rejected`.
    pub async fn reject_invitation(&self, input: InvitationId) -> Result<InvitationAnswer> {
        let answer: InvitationAnswer = self
            .client
            .request(&endpoint::reject_invitation, to_input(&input))
            .await?;
        self.emit(
            EventType::INVITATION_REJECTED,
            invitation_data(&answer.invitation),
        );
        Ok(answer)
    }

    /// Withdraws an invitation; emits `invitation.canceled`.
    pub async fn cancel_invitation(&self, input: InvitationId) -> Result<Invitation> {
        let invitation: Invitation = self
            .client
            .request(&endpoint::cancel_invitation, to_input(&input))
            .await?;
        self.emit(EventType::INVITATION_CANCELED, invitation_data(&invitation));
        Ok(invitation)
    }

    /// Gives a member other roles; emits `member.role_updated`.
    pub async fn update_member_role(&self, input: UpdateMemberRole) -> Result<Member> {
        let member: Member = self
            .client
            .request(&endpoint::update_member_role, to_input(&input))
            .await?;
        let mut data = seat_data(&member.organization_id, None, None);
        data.extra
            .insert("role".into(), Value::String(member.role.clone()));
        self.emit(
            EventType::MEMBER_ROLE_UPDATED,
            with_user(data, &member.user_id),
        );
        Ok(member)
    }

    /// Removes a member (not the signed-in user: see `leave`); emits `member.removed` with
    /// the member count after it.
    pub async fn remove_member(&self, input: RemoveMember) -> Result<RemovedMember> {
        let removed: RemovedMember = self
            .client
            .request(&endpoint::remove_member, to_input(&input))
            .await?;
        let data = self.recount(&removed.member.organization_id, 0).await;
        self.emit(
            EventType::MEMBER_REMOVED,
            with_user(data, &removed.member.user_id),
        );
        Ok(removed)
    }

    /// Leaves an organization (not as its last `super_admin`); emits `member.removed`. The
    /// count is read before leaving (a member who left can no longer read it), less one.
    pub async fn leave(&self, input: OrganizationId) -> Result<Member> {
        let organization_id = match &input.organization_id {
            Some(id) => Some(id.clone()),
            None => self
                .get_active_member()
                .await
                .ok()
                .map(|m| m.organization_id),
        };
        let before = match &organization_id {
            Some(id) => Some(self.recount(id, 1).await),
            None => None,
        };
        let member: Member = self
            .client
            .request(&endpoint::leave, to_input(&input))
            .await?;
        let data = match before {
            Some(data) => data,
            None => seat_data(&member.organization_id, None, None),
        };
        self.emit(EventType::MEMBER_REMOVED, with_user(data, &member.user_id));
        Ok(member)
    }

    /// The organization's member count and seat mapping from the server, less `leaving`: read
    /// as the signed-in user, else (plain members may not read the member list) with the
    /// project API key where the client has one; otherwise the id alone (no count is made up).
    async fn recount(&self, organization_id: &str, leaving: usize) -> EventData {
        let query = OrganizationSelector {
            organization_id: Some(organization_id.to_owned()),
            organization_slug: None,
        };
        let mut found = self.get_full_organization(query.clone()).await;
        if found.is_err() && self.client.has_api_key() {
            let mut as_project = endpoint::get_full_organization;
            as_project.credential = Credential::ApiKey;
            found = self.client.request(&as_project, to_input(&query)).await;
        }
        match found {
            Ok(Some(full)) => seat_data(
                organization_id,
                full.members.map(|m| m.len().saturating_sub(leaving)),
                full.metadata.as_ref(),
            ),
            Ok(None) | Err(_) => seat_data(organization_id, None, None),
        }
    }

    fn emit(&self, event_type: EventType, data: EventData) {
        self.client.emit(AuthEvent::new(event_type, data));
    }
}

/// What a seat sync needs: the organization, its member count (when known) and the Stripe
/// subscription item its metadata maps it to.
fn seat_data(
    organization_id: &str,
    member_count: Option<usize>,
    metadata: Option<&Map<String, Value>>,
) -> EventData {
    let mut extra = Map::new();
    extra.insert("organizationId".into(), organization_id.into());
    if let Some(count) = member_count {
        extra.insert("memberCount".into(), count.into());
    }
    if let Some(item) = metadata
        .and_then(|m| m.get("stripeSubscriptionItemId"))
        .and_then(Value::as_str)
    {
        extra.insert("stripeSubscriptionItemId".into(), item.into());
    }
    EventData {
        extra,
        ..Default::default()
    }
}

fn with_user(mut data: EventData, user_id: &str) -> EventData {
    data.user_id = Some(user_id.to_owned());
    data
}

fn invitation_data(invitation: &Invitation) -> EventData {
    let mut data = seat_data(&invitation.organization_id, None, None);
    data.extra
        .insert("invitationId".into(), invitation.id.clone().into());
    data.email = Some(invitation.email.clone());
    data
}
