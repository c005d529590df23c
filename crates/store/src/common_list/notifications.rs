//! In-application notifications of the common list: the engine's notices
//! (a proposal opened, a position taken, a hold placed or lapsed, a deadline
//! near, a decision) for the members concerned, the state of nationality or
//! residence of a newly listed individual, and periodic reviews.
//!
//! The knowledge library's notices go to one user each (the reviewers of an
//! item, its author) and name the item by its id only: the web layer shows
//! its title to a reader the policy lets read it, when they read.
//!
//! A notification stores a text key and its parameters, not a sentence: the
//! web layer renders it in the reader's language.

use std::collections::BTreeSet;
use std::fmt;

use accord_core::MemberCode;
use accord_procedure::{Audience, Happened, Notice, Proposal};
use serde::Serialize;
use sqlx::{Any, FromRow, Transaction};

use super::decode;
use crate::{Store, StoreError};

/// Who a notification is for: a member (all its users), the secretariat,
/// the ombudsperson, or one user. Each of the recipient's users reads it on
/// their own; every user also reads what is for them alone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub enum Recipient {
    Member(MemberCode),
    Secretariat,
    Ombudsperson,
    /// One user, by id: what must not reach their colleagues.
    User(i64),
}

impl Recipient {
    /// Stored text: the member code (upper case), `secretariat` /
    /// `ombudsperson` (lower case, so never a member code), or `user:<id>`.
    pub fn as_string(&self) -> String {
        match self {
            Recipient::Member(code) => code.as_str().to_string(),
            Recipient::Secretariat => "secretariat".into(),
            Recipient::Ombudsperson => "ombudsperson".into(),
            Recipient::User(id) => format!("user:{id}"),
        }
    }

    fn parse(s: &str) -> Result<Recipient, StoreError> {
        Ok(match s {
            "secretariat" => Recipient::Secretariat,
            "ombudsperson" => Recipient::Ombudsperson,
            other => match other.strip_prefix("user:").map(str::parse) {
                Some(Ok(id)) => Recipient::User(id),
                Some(Err(_)) => {
                    return Err(StoreError::Conflict(format!(
                        "{other} is not a notification's recipient"
                    )));
                }
                None => Recipient::Member(MemberCode::parse(other)?),
            },
        })
    }
}

impl From<Recipient> for String {
    fn from(r: Recipient) -> String {
        r.as_string()
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub recipient: Recipient,
    /// `opened`, `concurred`, `objected`, `hold_placed`, `hold_lapsed`,
    /// `deadline_near`, `adopted`, `rejected`, …, `subject_listed_national`,
    /// `review_due`.
    pub kind: String,
    /// The catalogue key of the text, `common_list.notice.<kind>`.
    pub text_key: String,
    /// The text's parameters (subject, proposal, deadline, member…).
    pub params: serde_json::Value,
    pub proposal_id: Option<i64>,
    pub subject: Option<String>,
    /// The reporting round it is about (Joint Plan notices).
    pub round: Option<String>,
    /// The library item it is about (library notices): its id only.
    pub library_item: Option<i64>,
    pub created_at: i64,
    /// When the user asking read it.
    pub read_at: Option<i64>,
}

#[derive(FromRow)]
struct NotificationRow {
    id: i64,
    recipient: String,
    kind: String,
    text_key: String,
    params: String,
    proposal_id: Option<i64>,
    subject: Option<String>,
    round_id: Option<String>,
    library_item_id: Option<i64>,
    created_at: i64,
    read_at: Option<i64>,
}

impl TryFrom<NotificationRow> for Notification {
    type Error = StoreError;
    fn try_from(r: NotificationRow) -> Result<Notification, StoreError> {
        Ok(Notification {
            id: r.id,
            recipient: Recipient::parse(&r.recipient)?,
            kind: r.kind,
            text_key: r.text_key,
            params: decode(&r.params)?,
            proposal_id: r.proposal_id,
            subject: r.subject,
            round: r.round_id,
            library_item: r.library_item_id,
            created_at: r.created_at,
            read_at: r.read_at,
        })
    }
}

/// Notifications with the read state of the user bound as `$1`.
const NOTIFICATION_SELECT: &str = "SELECT n.id, n.recipient, n.kind, n.text_key, n.params, n.proposal_id, \
     s.public_id AS subject, n.round_id, n.library_item_id, n.created_at, r.read_at FROM notifications n \
     LEFT JOIN list_subjects s ON s.id = n.subject_id \
     LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.user_id = $1";

pub(crate) fn text_key(kind: &str) -> String {
    format!("common_list.notice.{kind}")
}

/// The event's name as stored (`hold_placed`, `adopted`…).
pub(crate) fn happened_kind(what: &Happened) -> String {
    serde_json::to_value(what)
        .ok()
        .and_then(|v| v.get("event").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_else(|| "event".into())
}

pub(crate) async fn insert(
    tx: &mut Transaction<'static, Any>,
    recipient: &Recipient,
    kind: &str,
    params: &serde_json::Value,
    proposal_id: Option<i64>,
    subject_id: Option<i64>,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notifications (recipient, kind, text_key, params, proposal_id, subject_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(recipient.as_string())
    .bind(kind)
    .bind(text_key(kind))
    .bind(super::encode(params))
    .bind(proposal_id)
    .bind(subject_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A notice about a Joint Plan reporting round (opened, reopened, deadline
/// near). Its text key is `plan.notice.<kind>`.
pub(crate) async fn insert_round_notice(
    tx: &mut Transaction<'static, Any>,
    recipient: &Recipient,
    kind: &str,
    params: &serde_json::Value,
    round_id: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notifications (recipient, kind, text_key, params, round_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(recipient.as_string())
    .bind(kind)
    .bind(format!("plan.notice.{kind}"))
    .bind(super::encode(params))
    .bind(round_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A notice about a library item (`library_submitted`, `library_returned`,
/// `library_published`, `library_withdrawn`) for each of `recipients`, in
/// one transaction. Its text key is `library.notice.<kind>`; `params` must
/// not hold the item's title (see the module's documentation).
pub(crate) async fn insert_library_notices(
    tx: &mut Transaction<'static, Any>,
    recipients: &[Recipient],
    kind: &str,
    params: &serde_json::Value,
    item_id: i64,
    at: i64,
) -> Result<(), StoreError> {
    for recipient in recipients {
        sqlx::query(
            "INSERT INTO notifications (recipient, kind, text_key, params, library_item_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(recipient.as_string())
        .bind(kind)
        .bind(format!("library.notice.{kind}"))
        .bind(super::encode(params))
        .bind(item_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Who is in an audience of a proposal. The secretariat is in every one.
pub(crate) fn audience(proposal: &Proposal, audience: Audience) -> BTreeSet<Recipient> {
    let mut out = BTreeSet::from([Recipient::Secretariat]);
    let deciders = || {
        proposal
            .positions
            .keys()
            .filter_map(|c| MemberCode::parse(c.as_str()).ok())
            .map(Recipient::Member)
    };
    match audience {
        Audience::Secretariat => {}
        Audience::Deciders => out.extend(deciders()),
        Audience::Everyone => {
            out.extend(deciders());
            match &proposal.proposer {
                accord_procedure::Actor::Member { code, .. } => {
                    if let Ok(code) = MemberCode::parse(code.as_str()) {
                        out.insert(Recipient::Member(code));
                    }
                }
                accord_procedure::Actor::Ombudsperson => {
                    out.insert(Recipient::Ombudsperson);
                }
                accord_procedure::Actor::Secretariat => {}
            }
        }
    }
    out
}

/// Stores the engine's notices for everyone in their audiences.
pub(crate) async fn store_notices(
    tx: &mut Transaction<'static, Any>,
    proposal: &Proposal,
    notices: &[Notice],
    proposal_id: i64,
    subject_id: i64,
    subject_public_id: &str,
    at: i64,
) -> Result<usize, StoreError> {
    let mut n = 0;
    for notice in notices {
        let kind = happened_kind(&notice.what);
        let params = serde_json::json!({
            "subject": subject_public_id,
            "proposal": proposal_id,
            "kind": super::proposal_kind_str(proposal.kind),
            "at": notice.at.unix_timestamp() * 1000,
            "what": notice.what,
        });
        for recipient in audience(proposal, notice.audience) {
            // A member is not told of the proposal it has just made itself.
            if let (
                accord_procedure::Happened::Opened {
                    by: accord_procedure::Actor::Member { code, .. },
                    ..
                },
                Recipient::Member(to),
            ) = (&notice.what, &recipient)
                && code.as_str() == to.as_str()
            {
                continue;
            }
            insert(
                tx,
                &recipient,
                &kind,
                &params,
                Some(proposal_id),
                Some(subject_id),
                at,
            )
            .await?;
            n += 1;
        }
    }
    Ok(n)
}

/// The codes of the regional states.
pub(crate) async fn regional_states(
    tx: &mut Transaction<'static, Any>,
) -> Result<Vec<MemberCode>, StoreError> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT code FROM members WHERE kind = 'regional_state' ORDER BY code")
            .fetch_all(&mut **tx)
            .await?;
    codes.iter().map(|c| Ok(MemberCode::parse(c)?)).collect()
}

/// The member states an individual is a national or resident of, matched on
/// the member's code, English or Russian name (case-insensitive).
pub(crate) async fn states_of(
    tx: &mut Transaction<'static, Any>,
    countries: &[String],
) -> Result<BTreeSet<MemberCode>, StoreError> {
    if countries.is_empty() {
        return Ok(BTreeSet::new());
    }
    let states: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT code, name, name_ru FROM members WHERE kind IN ('regional_state', 'partner_state')",
    )
    .fetch_all(&mut **tx)
    .await?;
    let wanted: Vec<String> = countries.iter().map(|c| c.trim().to_lowercase()).collect();
    let mut out = BTreeSet::new();
    for (code, name, name_ru) in states {
        let names = [
            code.to_lowercase(),
            name.to_lowercase(),
            name_ru.to_lowercase(),
        ];
        if wanted.iter().any(|w| names.contains(w)) {
            out.insert(MemberCode::parse(&code)?);
        }
    }
    Ok(out)
}

impl Store {
    /// Tells each of `recipients` about library item `item_id` (see
    /// [`insert_library_notices`]): all of them or none.
    pub async fn notify_library(
        &self,
        recipients: &[Recipient],
        kind: &str,
        params: &serde_json::Value,
        item_id: i64,
        at: i64,
    ) -> Result<(), StoreError> {
        if recipients.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        insert_library_notices(&mut tx, recipients, kind, params, item_id, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A recipient's notifications and those for its user `user_id` alone,
    /// newest first, as that user read them (`unread_only`: those that user
    /// has not read).
    pub async fn notifications(
        &self,
        recipient: &Recipient,
        user_id: i64,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows: Vec<NotificationRow> = sqlx::query_as(sql!(
            "{NOTIFICATION_SELECT} WHERE n.recipient IN ($2, $5) AND ($3 = 0 OR r.read_at IS NULL) \
             ORDER BY n.id DESC LIMIT $4"
        ))
        .bind(user_id)
        .bind(recipient.as_string())
        .bind(i64::from(unread_only))
        .bind(limit.clamp(1, 1000))
        .bind(Recipient::User(user_id).as_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Notification::try_from).collect()
    }

    /// How many of the recipient's notifications, and of those for its user
    /// `user_id` alone, that user has not read.
    pub async fn unread_notifications(
        &self,
        recipient: &Recipient,
        user_id: i64,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications n WHERE n.recipient IN ($1, $3) AND NOT EXISTS \
             (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = $2)",
        )
        .bind(recipient.as_string())
        .bind(user_id)
        .bind(Recipient::User(user_id).as_string())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Marks one of the recipient's notifications (or of its user's own)
    /// read for its user `user_id` (reading it twice is harmless); someone
    /// else's is not found.
    pub async fn mark_notification_read(
        &self,
        recipient: &Recipient,
        user_id: i64,
        id: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM notifications WHERE id = $1 AND recipient IN ($2, $3)",
        )
        .bind(id)
        .bind(recipient.as_string())
        .bind(Recipient::User(user_id).as_string())
        .fetch_optional(&self.pool)
        .await?;
        if found.is_none() {
            return Err(StoreError::NotFound(format!("notification {id}")));
        }
        sqlx::query(
            "INSERT INTO notification_reads (notification_id, user_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (notification_id, user_id) DO NOTHING",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks all of the recipient's notifications, and its user's own, read
    /// for its user `user_id`, and for no other; returns how many were unread.
    pub async fn mark_all_notifications_read(
        &self,
        recipient: &Recipient,
        user_id: i64,
        now: i64,
    ) -> Result<u64, StoreError> {
        // ON CONFLICT: a second press of the button racing the first.
        let done = sqlx::query(
            "INSERT INTO notification_reads (notification_id, user_id, read_at) \
             SELECT n.id, $1, $2 FROM notifications n WHERE n.recipient IN ($3, $4) AND NOT EXISTS \
             (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = $1) \
             ON CONFLICT (notification_id, user_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(now)
        .bind(recipient.as_string())
        .bind(Recipient::User(user_id).as_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipient_reads_back_as_itself_and_a_user_is_never_a_member() {
        for r in [
            Recipient::Member(MemberCode::parse("KAZ").unwrap()),
            Recipient::Secretariat,
            Recipient::Ombudsperson,
            Recipient::User(17),
        ] {
            assert_eq!(Recipient::parse(&r.as_string()).unwrap(), r);
        }
        assert!(Recipient::parse("user:x").is_err());
        assert_ne!(
            Recipient::User(17).as_string(),
            Recipient::Member(MemberCode::parse("KAZ").unwrap()).as_string()
        );
    }
}
