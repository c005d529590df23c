//! Delisting petitions: a listed person or their representative petitions
//! through a public form (no account), gets an unguessable tracking number
//! and follows the status with it; the ombudsperson reviews, gathers
//! information and recommends. A recommendation to delist is put to the
//! states as a `delisting_recommendation` proposal under reverse consensus;
//! its outcome decides the petition.
//!
//! The petitioner's name and contact are personal data: every read of a whole
//! petition is audited; the public status page shows none of it.

use accord_core::audit::Outcome;
use accord_core::validation;
use accord_procedure::ProposalKind;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::notifications::{self, Recipient};
use super::proposals::{NewProposal, ProposalRecord};
use super::subjects::SubjectStatus;
use super::{stored, text_enum};
use crate::{Actor, Store, StoreError, audit, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionStatus {
    Received,
    UnderReview,
    /// The ombudsperson asked the petitioner for more information; a reply
    /// puts it back under review.
    InformationRequested,
    /// The ombudsperson recommended delisting; the states are deciding.
    Recommended,
    Decided,
}

text_enum!(PetitionStatus, "status", {
    Received => "received",
    UnderReview => "under_review",
    InformationRequested => "information_requested",
    Recommended => "recommended",
    Decided => "decided",
});

impl PetitionStatus {
    /// The states of an open petition: the ombudsperson may add notes, ask
    /// for more and recommend; the same petition sent again is not filed twice.
    pub const OPEN: [PetitionStatus; 3] = [
        PetitionStatus::Received,
        PetitionStatus::UnderReview,
        PetitionStatus::InformationRequested,
    ];
    /// The open states in which the petition waits for the ombudsperson
    /// rather than for the petitioner.
    pub const AWAITING_OMBUDSPERSON: [PetitionStatus; 2] =
        [PetitionStatus::Received, PetitionStatus::UnderReview];
}

/// States as an SQL list (`'received', 'under_review'`), from the constants
/// above only, so the rule is written once.
fn sql_states(states: &[PetitionStatus]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the ombudsperson recommends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionRecommendation {
    Delist,
    Retain,
}

text_enum!(PetitionRecommendation, "recommendation", {
    Delist => "delist",
    Retain => "retain",
});

/// What [`Store::petitions_matching`] orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PetitionOrder {
    #[default]
    Received,
    /// The last change of its state or notes.
    Changed,
}

/// Which petitions to list, in which order, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct PetitionQuery {
    pub status: Option<PetitionStatus>,
    pub order: PetitionOrder,
    pub descending: bool,
    pub window: crate::Window,
}

/// A petition as submitted through the public form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPetition {
    /// The public identifier of the listed subject (`ACL-0001`).
    pub subject: String,
    pub petitioner_name: String,
    /// How to reach the petitioner (e-mail or postal address).
    pub petitioner_contact: String,
    /// True when a representative petitions for the listed person.
    pub representative: bool,
    pub grounds: String,
}

/// The longest grounds the form takes: about eight pages. Longer ones are
/// a flood's way of costing the platform more than the flooder; evidence
/// goes to the ombudsperson once they are in touch.
pub const MAX_GROUNDS_CHARS: usize = 20_000;

/// The longest question the ombudsperson puts to a petitioner.
pub const MAX_QUESTION_CHARS: usize = 5_000;

/// How many petitions one client may file a day, and how many of the
/// day's petitions each notify the ombudsperson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PetitionBudget {
    pub per_client_per_day: i64,
    pub notices_per_day: i64,
}

impl Default for PetitionBudget {
    fn default() -> Self {
        PetitionBudget {
            per_client_per_day: 5,
            notices_per_day: 50,
        }
    }
}

/// A petition received: filed now, or the same one filed before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    New(PetitionTracking),
    Existing(PetitionTracking),
}

impl Filed {
    pub fn tracking(&self) -> &PetitionTracking {
        match self {
            Filed::New(t) | Filed::Existing(t) => t,
        }
    }

    pub fn into_tracking(self) -> PetitionTracking {
        match self {
            Filed::New(t) | Filed::Existing(t) => t,
        }
    }
}

/// The UTC day of a Unix-millisecond instant, `YYYY-MM-DD`.
fn utc_day(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// A Unix-millisecond instant as `YYYY-MM-DD HH:MM UTC`, heading a dated
/// note or reply.
fn utc_minute(ms: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_default()
}

fn next_utc_day_ms(ms: i64) -> i64 {
    (ms.div_euclid(86_400_000) + 1) * 86_400_000
}

/// The budget key of a client on a day: a digest of the day and network,
/// so the table holds no address in clear. It is minimisation, not
/// anonymity: an IPv4 address can be found again by trying them all, and
/// the petition's audit record keeps the client address as every audit
/// record does.
fn client_key(ip: &str, day: &str) -> String {
    use sha2::{Digest, Sha256};
    let network = accord_core::client::client_network(ip);
    hex::encode(Sha256::digest(format!("{day}\n{network}")))
}

/// Counts one petition of `client` on `day`; returns the count with it.
async fn count_petition(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    client: &str,
    day: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO petition_budget (client, day, filed) VALUES ($1, $2, 1) \
         ON CONFLICT (client, day) DO UPDATE SET filed = petition_budget.filed + 1 \
         RETURNING filed",
    )
    .bind(client)
    .bind(day)
    .fetch_one(&mut **tx)
    .await?)
}

/// An open petition on `subject` with the same contact and grounds (case
/// and spacing aside).
async fn open_duplicate(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    subject: &str,
    contact: &str,
    grounds: &str,
) -> Result<Option<PetitionTracking>, StoreError> {
    let squash = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let rows: Vec<PetitionRow> = sqlx::query_as(sql!(
        "{PETITION_SELECT} WHERE s.public_id = $1 AND d.status IN ({})",
        sql_states(&PetitionStatus::OPEN)
    ))
    .bind(subject)
    .fetch_all(&mut **tx)
    .await?;
    for row in rows {
        let p: Petition = row.try_into()?;
        if squash(&p.petitioner_contact) == squash(contact) && squash(&p.grounds) == squash(grounds)
        {
            return Ok(Some(PetitionTracking::from(&p)));
        }
    }
    Ok(None)
}

/// What the public status page shows: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PetitionTracking {
    pub tracking_number: String,
    pub subject: String,
    pub status: PetitionStatus,
    /// `delisted` or `listing_maintained` once decided.
    pub outcome: Option<String>,
    /// What the ombudsperson asks the petitioner, while it waits for a reply.
    pub information_request: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A whole petition, for the ombudsperson (reads are audited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Petition {
    pub id: i64,
    pub tracking_number: String,
    pub subject: String,
    pub petitioner_name: String,
    pub petitioner_contact: String,
    pub representative: bool,
    pub grounds: String,
    pub status: PetitionStatus,
    pub ombudsperson_notes: String,
    pub recommendation: Option<PetitionRecommendation>,
    pub outcome: Option<String>,
    pub proposal_id: Option<i64>,
    /// The open question to the petitioner, if any.
    pub information_request: Option<String>,
    /// The petitioner's replies, each headed by its UTC time.
    pub petitioner_replies: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct PetitionRow {
    id: i64,
    tracking_number: String,
    subject: String,
    petitioner_name: String,
    petitioner_contact: String,
    representative: i64,
    grounds: String,
    status: String,
    ombudsperson_notes: String,
    recommendation: Option<String>,
    outcome: Option<String>,
    proposal_id: Option<i64>,
    information_request: Option<String>,
    petitioner_replies: String,
    created_at: i64,
    updated_at: i64,
}

const PETITION_SELECT: &str = "SELECT d.id, d.tracking_number, s.public_id AS subject, d.petitioner_name, \
     d.petitioner_contact, d.representative, d.grounds, d.status, d.ombudsperson_notes, d.recommendation, \
     d.outcome, d.proposal_id, d.information_request, d.petitioner_replies, d.created_at, d.updated_at \
     FROM delisting_petitions d JOIN list_subjects s ON s.id = d.subject_id";

impl TryFrom<PetitionRow> for Petition {
    type Error = StoreError;
    fn try_from(r: PetitionRow) -> Result<Petition, StoreError> {
        Ok(Petition {
            id: r.id,
            tracking_number: r.tracking_number,
            subject: r.subject,
            petitioner_name: r.petitioner_name,
            petitioner_contact: r.petitioner_contact,
            representative: r.representative != 0,
            grounds: r.grounds,
            status: stored(&r.status, "petition status")?,
            ombudsperson_notes: r.ombudsperson_notes,
            recommendation: r
                .recommendation
                .as_deref()
                .map(|s| stored(s, "recommendation"))
                .transpose()?,
            outcome: r.outcome,
            proposal_id: r.proposal_id,
            information_request: r.information_request,
            petitioner_replies: r.petitioner_replies,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl From<&Petition> for PetitionTracking {
    fn from(p: &Petition) -> PetitionTracking {
        PetitionTracking {
            tracking_number: p.tracking_number.clone(),
            subject: p.subject.clone(),
            status: p.status,
            outcome: p.outcome.clone(),
            information_request: p.information_request.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// The audit record of a read of the queue (personal data), with what was asked.
fn queue_read(actor: &Actor, details: serde_json::Value) -> accord_core::audit::AuditEvent {
    actor.event(
        "common_list.petition.read",
        "petitions",
        Outcome::Ok,
        details,
    )
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `DP-` and 25 Crockford base-32 characters in groups of five: 125 random
/// bits, unguessable, and easy to read over the phone.
pub(crate) fn new_tracking_number() -> String {
    let mut bytes = [0u8; 25];
    rand::rng().fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| CROCKFORD[(*b & 31) as usize] as char)
        .collect();
    let groups: Vec<String> = chars.chunks(5).map(|c| c.iter().collect()).collect();
    format!("DP-{}", groups.join("-"))
}

/// A tracking number as typed: trimmed, upper case, `O`→`0`, `I`/`L`→`1`.
pub(crate) fn normalize_tracking(s: &str) -> String {
    s.trim()
        .to_ascii_uppercase()
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

impl Store {
    /// Receives a petition from the public form. The subject must be listed.
    ///
    /// The same petition sent again (same subject, contact and grounds,
    /// while the first is still open) is not filed twice: the first one's
    /// tracking is returned ([`Filed::Existing`]). A client may file
    /// `budget.per_client_per_day` petitions a day (refused with
    /// [`StoreError::TooManyAttempts`] until the next UTC day), and the
    /// ombudsperson is told of each of the day's first
    /// `budget.notices_per_day`, then once that more are arriving.
    pub async fn create_petition(
        &self,
        actor: &Actor,
        budget: &PetitionBudget,
        new: &NewPetition,
    ) -> Result<Filed, StoreError> {
        let mut c = validation::Collector::default();
        let name = c.check(validation::name(
            "petitioner_name",
            &new.petitioner_name,
            true,
            300,
        ));
        let contact = c.check(validation::text(
            "petitioner_contact",
            &new.petitioner_contact,
            true,
            1000,
        ));
        let grounds = c.check(validation::text(
            "grounds",
            &new.grounds,
            true,
            MAX_GROUNDS_CHARS,
        ));
        c.finish()?;
        let (name, contact, grounds) = (
            name.unwrap_or_default(),
            contact.unwrap_or_default(),
            grounds.unwrap_or_default(),
        );
        // One answer for an identifier that is unknown and one that names a
        // proposed, rejected or delisted subject: the public form must not
        // tell them apart.
        let not_listed = || {
            StoreError::from(accord_core::Invalid::field(
                "subject",
                "no entry on the published list has this identifier",
            ))
        };
        let subject = match self.subject(new.subject.trim()).await {
            Ok(s) if s.status == SubjectStatus::Listed && s.merged_into.is_none() => s,
            Ok(_) | Err(StoreError::NotFound(_)) => return Err(not_listed()),
            Err(e) => return Err(e),
        };
        let now = now_ms();
        let mut tx = self.begin().await?;
        // The budget row is written first: the lock it takes orders
        // concurrent petitions of one client, on every node.
        let day = utc_day(now);
        let filed_by_client: i64 =
            count_petition(&mut tx, &client_key(&actor.ip, &day), &day).await?;
        if let Some(existing) =
            open_duplicate(&mut tx, &subject.public_id, &contact, &grounds).await?
        {
            // Sent twice (a reload, a back button): the first stands, and
            // the second does not count against the client's day, even when
            // that day's budget is spent.
            tx.rollback().await?;
            return Ok(Filed::Existing(existing));
        }
        if filed_by_client > budget.per_client_per_day {
            tx.rollback().await?;
            return Err(StoreError::TooManyAttempts {
                wait_ms: next_utc_day_ms(now) - now,
            });
        }
        let filed_today: i64 = count_petition(&mut tx, "*", &day).await?;
        sqlx::query("DELETE FROM petition_budget WHERE day < $1")
            .bind(utc_day(now - 86_400_000))
            .execute(&mut *tx)
            .await?;
        let tracking = new_tracking_number();
        let (id, subject_id): (i64, i64) = sqlx::query_as(
            "INSERT INTO delisting_petitions (tracking_number, subject_id, petitioner_name, petitioner_contact, \
             representative, grounds, status, created_at, updated_at) \
             SELECT $1, id, $2, $3, $4, $5, 'received', $6, $6 FROM list_subjects WHERE public_id = $7 \
             RETURNING id, subject_id",
        )
        .bind(&tracking)
        .bind(&name)
        .bind(&contact)
        .bind(i64::from(new.representative))
        .bind(&grounds)
        .bind(now)
        .bind(&subject.public_id)
        .fetch_one(&mut *tx)
        .await?;
        // A flood must not bury the ombudsperson's inbox: each of the day's
        // first petitions is a notice, then one notice says more are
        // coming (the queue lists them all).
        if filed_today <= budget.notices_per_day {
            notifications::insert(
                &mut tx,
                &Recipient::Ombudsperson,
                "petition_received",
                &serde_json::json!({ "subject": subject.public_id, "petition": id }),
                None,
                Some(subject_id),
                now,
            )
            .await?;
        } else if filed_today == budget.notices_per_day + 1 {
            notifications::insert(
                &mut tx,
                &Recipient::Ombudsperson,
                "petitions_many",
                &serde_json::json!({ "day": day, "notices": budget.notices_per_day }),
                None,
                None,
                now,
            )
            .await?;
        }
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.petition.create",
                format!("petition:{id}"),
                Outcome::Ok,
                serde_json::json!({ "subject": subject.public_id }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Filed::New(PetitionTracking {
            tracking_number: tracking,
            subject: subject.public_id,
            status: PetitionStatus::Received,
            outcome: None,
            information_request: None,
            created_at: now,
            updated_at: now,
        }))
    }

    /// The public status of a petition, by its tracking number.
    pub async fn petition_status(
        &self,
        tracking_number: &str,
    ) -> Result<PetitionTracking, StoreError> {
        let row: Option<PetitionRow> =
            sqlx::query_as(sql!("{PETITION_SELECT} WHERE d.tracking_number = $1"))
                .bind(normalize_tracking(tracking_number))
                .fetch_optional(&self.pool)
                .await?;
        let petition: Petition = row
            .ok_or_else(|| StoreError::NotFound("a petition with this tracking number".into()))?
            .try_into()?;
        Ok(PetitionTracking::from(&petition))
    }

    /// The petitions on one subject as their public status shows them (no
    /// personal data leaves the store, so nothing to audit), with their ids
    /// for the ombudsperson's links: the subject's page lists them.
    pub async fn subject_petitions(
        &self,
        subject: &str,
    ) -> Result<Vec<(i64, PetitionTracking)>, StoreError> {
        let rows: Vec<PetitionRow> = sqlx::query_as(sql!(
            "{PETITION_SELECT} WHERE s.public_id = $1 ORDER BY d.id"
        ))
        .bind(subject)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let p = Petition::try_from(r)?;
                Ok((p.id, PetitionTracking::from(&p)))
            })
            .collect()
    }

    /// How many petitions wait for the ombudsperson (received, or under
    /// review again; not those waiting for the petitioner's reply): a count only, so no personal data is read and nothing is
    /// audited (the start page asks it on every visit).
    pub async fn petitions_awaiting_review(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(sql!(
            "SELECT COUNT(*) FROM delisting_petitions WHERE status IN ({})",
            sql_states(&PetitionStatus::AWAITING_OMBUDSPERSON)
        ))
        .fetch_one(&self.pool)
        .await?)
    }

    /// Petitions with their personal data, newest first; the read is audited.
    pub async fn petitions(
        &self,
        actor: &Actor,
        status: Option<PetitionStatus>,
    ) -> Result<Vec<Petition>, StoreError> {
        let mut tx = self.begin().await?;
        audit::append(
            &mut tx,
            &queue_read(
                actor,
                serde_json::json!({ "status": status.map(PetitionStatus::as_str) }),
            ),
        )
        .await?;
        let rows: Vec<PetitionRow> = sqlx::query_as(sql!(
            "{PETITION_SELECT} WHERE ($1 IS NULL OR d.status = $1) ORDER BY d.id DESC"
        ))
        .bind(status.map(PetitionStatus::as_str))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter().map(Petition::try_from).collect()
    }

    /// A page of the petitions matching `q`, in its order, with how many
    /// match; the read is audited like [`Store::petitions`].
    pub async fn petitions_matching(
        &self,
        actor: &Actor,
        q: &PetitionQuery,
    ) -> Result<crate::Page<Petition>, StoreError> {
        let (limit, offset) = q.window.bounded();
        let status = q.status.map(PetitionStatus::as_str);
        let dir = if q.descending { "DESC" } else { "ASC" };
        let column = match q.order {
            PetitionOrder::Received => "d.created_at",
            PetitionOrder::Changed => "d.updated_at",
        };
        let mut tx = self.begin().await?;
        audit::append(
            &mut tx,
            &queue_read(
                actor,
                serde_json::json!({ "status": status, "offset": offset, "limit": limit }),
            ),
        )
        .await?;
        let rows: Vec<PetitionRow> = sqlx::query_as(sql!(
            "{PETITION_SELECT} WHERE ($1 IS NULL OR d.status = $1) \
             ORDER BY {column} {dir}, d.id {dir} LIMIT $2 OFFSET $3"
        ))
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM delisting_petitions d WHERE ($1 IS NULL OR d.status = $1)",
        )
        .bind(status)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(crate::Page {
            items: rows
                .into_iter()
                .map(Petition::try_from)
                .collect::<Result<_, _>>()?,
            total,
        })
    }

    /// One petition with its personal data; the read is audited.
    pub async fn petition(&self, actor: &Actor, id: i64) -> Result<Petition, StoreError> {
        let mut tx = self.begin().await?;
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.petition.read",
                format!("petition:{id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        let row: Option<PetitionRow> = sqlx::query_as(sql!("{PETITION_SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(format!("petition {id}")));
        };
        tx.commit().await?;
        row.try_into()
    }

    /// The ombudsperson takes a petition under review and records what was
    /// gathered (appended to the notes, dated).
    pub async fn review_petition(
        &self,
        actor: &Actor,
        id: i64,
        notes: &str,
    ) -> Result<PetitionTracking, StoreError> {
        let notes = validation::text("notes", notes, false, 50_000)?;
        let mut tx = self.begin().await?;
        let now = now_ms();
        // Notes while the petitioner is asked keep the petition waiting for them.
        let done = sqlx::query(sql!(
            "UPDATE delisting_petitions SET \
             status = CASE WHEN status = 'information_requested' THEN status ELSE 'under_review' END, \
             ombudsperson_notes = CASE WHEN $1 = '' THEN ombudsperson_notes \
               WHEN ombudsperson_notes = '' THEN $1 ELSE ombudsperson_notes || $2 || $1 END, \
             updated_at = $3 WHERE id = $4 AND status IN ({})",
            sql_states(&PetitionStatus::OPEN)
        ))
        .bind(&notes)
        .bind("\n\n")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let tracking = self.petition_tracking_by_id(id).await?;
            return Err(StoreError::Conflict(format!(
                "the petition is {}; it can no longer be reviewed",
                tracking.status
            )));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.petition.review",
                format!("petition:{id}"),
                Outcome::Ok,
                serde_json::json!({ "notes": !notes.is_empty() }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.petition_tracking_by_id(id).await
    }

    /// The ombudsperson asks the petitioner for more information: the
    /// question is shown on the public status page with a form to reply,
    /// and is kept, dated, in the notes. Only while the petition is open;
    /// a second question replaces an unanswered first one.
    pub async fn request_petition_information(
        &self,
        actor: &Actor,
        id: i64,
        question: &str,
    ) -> Result<PetitionTracking, StoreError> {
        let question = validation::text("question", question, true, MAX_QUESTION_CHARS)?;
        let now = now_ms();
        let note = format!(
            "{} — information requested from the petitioner:\n{question}",
            utc_minute(now)
        );
        let mut tx = self.begin().await?;
        let done = sqlx::query(sql!(
            "UPDATE delisting_petitions SET status = 'information_requested', information_request = $1, \
             ombudsperson_notes = CASE WHEN ombudsperson_notes = '' THEN $2 ELSE ombudsperson_notes || $3 || $2 END, \
             updated_at = $4 WHERE id = $5 AND status IN ({})",
            sql_states(&PetitionStatus::OPEN)
        ))
        .bind(&question)
        .bind(&note)
        .bind("\n\n")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let tracking = self.petition_tracking_by_id(id).await?;
            return Err(StoreError::Conflict(format!(
                "the petition is {}; the petitioner can no longer be asked",
                tracking.status
            )));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.petition.request_information",
                format!("petition:{id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        self.petition_tracking_by_id(id).await
    }

    /// The petitioner answers the ombudsperson's question, through the
    /// status page reached by the tracking number (which is the credential,
    /// as for the status itself). The reply is kept, dated, beside the
    /// grounds; the petition is under review again and the ombudsperson is
    /// told. Refused when no question is open (one reply per question).
    pub async fn reply_to_petition(
        &self,
        actor: &Actor,
        tracking_number: &str,
        reply: &str,
    ) -> Result<PetitionTracking, StoreError> {
        let reply = validation::text("reply", reply, true, MAX_GROUNDS_CHARS)?;
        let tracking = self.petition_status(tracking_number).await?;
        let now = now_ms();
        let entry = format!("{}\n{reply}", utc_minute(now));
        let mut tx = self.begin().await?;
        let updated: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE delisting_petitions SET status = 'under_review', information_request = NULL, \
             petitioner_replies = CASE WHEN petitioner_replies = '' THEN $1 ELSE petitioner_replies || $2 || $1 END, \
             updated_at = $3 WHERE tracking_number = $4 AND status = 'information_requested' \
             RETURNING id, subject_id",
        )
        .bind(&entry)
        .bind("\n\n")
        .bind(now)
        .bind(&tracking.tracking_number)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, subject_id)) = updated else {
            return Err(StoreError::Conflict(
                "the ombudsperson has not asked for more information; there is nothing to reply to"
                    .into(),
            ));
        };
        notifications::insert(
            &mut tx,
            &Recipient::Ombudsperson,
            "petition_reply",
            &serde_json::json!({ "subject": tracking.subject, "petition": id }),
            None,
            Some(subject_id),
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.petition.reply",
                format!("petition:{id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        self.petition_tracking_by_id(id).await
    }

    /// The ombudsperson's recommendation. `Retain` decides the petition (the
    /// listing stays); `Delist` opens a delisting recommendation under the
    /// reverse-consensus rule, in the same transaction, and the procedure's
    /// outcome will decide the petition.
    #[allow(clippy::too_many_arguments)]
    pub async fn recommend_on_petition(
        &self,
        actor: &Actor,
        id: i64,
        recommendation: PetitionRecommendation,
        comprehensive_report: &str,
        narrative_summary: &str,
        rule: Option<accord_procedure::Rule>,
        now: OffsetDateTime,
    ) -> Result<(PetitionTracking, Option<ProposalRecord>), StoreError> {
        let report = validation::text("comprehensive_report", comprehensive_report, true, 200_000)?;
        match recommendation {
            PetitionRecommendation::Delist => {
                let subject = self.petition_tracking_by_id(id).await?.subject;
                let mut new = NewProposal::about(
                    ProposalKind::DelistingRecommendation,
                    &subject,
                    None,
                    &report,
                    narrative_summary,
                );
                new.rule = rule;
                let proposal = self
                    .create_proposal_for(
                        actor,
                        accord_procedure::Actor::Ombudsperson,
                        new,
                        Some(id),
                        now,
                    )
                    .await?;
                Ok((self.petition_tracking_by_id(id).await?, Some(proposal)))
            }
            PetitionRecommendation::Retain => {
                let mut tx = self.begin().await?;
                let done = sqlx::query(sql!(
                    "UPDATE delisting_petitions SET status = 'decided', recommendation = 'retain', \
                     outcome = 'listing_maintained', information_request = NULL, \
                     ombudsperson_notes = CASE WHEN ombudsperson_notes = '' \
                     THEN $1 ELSE ombudsperson_notes || $2 || $1 END, updated_at = $3 \
                     WHERE id = $4 AND status IN ({})",
                    sql_states(&PetitionStatus::OPEN)
                ))
                .bind(&report)
                .bind("\n\n")
                .bind(now_ms())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    let tracking = self.petition_tracking_by_id(id).await?;
                    return Err(StoreError::Conflict(format!(
                        "the petition is {}; a recommendation was already made",
                        tracking.status
                    )));
                }
                audit::append(
                    &mut tx,
                    &actor.event(
                        "common_list.petition.recommend",
                        format!("petition:{id}"),
                        Outcome::Ok,
                        serde_json::json!({ "recommendation": "retain" }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok((self.petition_tracking_by_id(id).await?, None))
            }
        }
    }

    async fn petition_tracking_by_id(&self, id: i64) -> Result<PetitionTracking, StoreError> {
        let row: Option<PetitionRow> = sqlx::query_as(sql!("{PETITION_SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let petition: Petition = row
            .ok_or_else(|| StoreError::NotFound(format!("petition {id}")))?
            .try_into()?;
        Ok(PetitionTracking::from(&petition))
    }
}

/// Inside the proposal's transaction: marks the petition recommended and
/// links it to the proposal; refused if it was already recommended or decided.
pub(crate) async fn mark_recommended(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    petition_id: i64,
    proposal_id: i64,
    report: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query(sql!(
        "UPDATE delisting_petitions SET status = 'recommended', recommendation = 'delist', proposal_id = $1, \
         information_request = NULL, \
         ombudsperson_notes = CASE WHEN ombudsperson_notes = '' THEN $2 ELSE ombudsperson_notes || $3 || $2 END, \
         updated_at = $4 WHERE id = $5 AND status IN ({})",
        sql_states(&PetitionStatus::OPEN)
    ))
    .bind(proposal_id)
    .bind(report)
    .bind("\n\n")
    .bind(now_ms())
    .bind(petition_id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "petition {petition_id} is not awaiting a recommendation (already recommended, decided or unknown)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_are_long_random_and_readable() {
        let a = new_tracking_number();
        let b = new_tracking_number();
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 25 + 4);
        assert_eq!(normalize_tracking(&a.to_lowercase()), a);
        assert!(
            a[3..]
                .chars()
                .all(|c| c == '-' || CROCKFORD.contains(&(c as u8)))
        );
    }
}
