//! Proposals to list, amend or delist a subject, decided by the agreement
//! procedure (`accord-procedure`).
//!
//! Each transition — opening, a decision, time passing — runs in one
//! transaction that starts by bumping the proposal's `revision` (or, on
//! opening, by taking the subject's row or the list head), applies the pure
//! engine to the state it just locked, writes the result, the engine's notices
//! as notifications, the change to the subject and the next list version when
//! the proposal is adopted, and the audit record. A refusal by the engine
//! rolls everything back.

use std::str::FromStr;

use accord_core::Invalid;
use accord_core::audit::Outcome;
use accord_core::tlp::Tlp;
use accord_core::validation;
use accord_lists::ListEntry;
use accord_procedure::{
    Action, Event, Notice, Opening, Participant, Proposal, ProposalKind, Rule, Status, SubjectRef,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, FromRow, Transaction};
use time::OffsetDateTime;

use super::UN_LIST;
use super::subjects::{SubjectKind, SubjectStatus, check_entry, public_id, subject_in};
use super::{
    decode, encode, instant, iso, ms, notifications, parse_proposal_kind, procedure_error,
    proposal_kind_str, stored, text_enum, versions,
};
use accord_core::Principal;

use crate::{Actor, Store, StoreError, audit, now_ms};

/// A file supporting a statement of case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A stored evidence file (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Evidence {
    pub id: i64,
    pub proposal_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub added_by: String,
    pub added_at: i64,
}

/// A proposal to make.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    pub kind: ProposalKind,
    /// The subject's public identifier; `None` to list a new subject.
    pub subject: Option<String>,
    /// Required when listing a new subject.
    pub subject_kind: Option<SubjectKind>,
    /// The entry to publish: required to list a new subject or to amend; when
    /// relisting a subject, `None` keeps its last entry.
    pub entry: Option<ListEntry>,
    /// The UN or national reference the subject also carries.
    pub un_reference: Option<String>,
    /// Confidential: read only by those allowed, every read audited.
    pub statement_of_case: String,
    pub statement_tlp: Tlp,
    /// Published with the entry if the proposal is adopted.
    pub narrative_summary: String,
    pub evidence: Vec<NewEvidence>,
    /// The procedure; `None` for the rule in force (`Store::procedure_settings`:
    /// its rule, or its delisting rule for a delisting recommendation).
    pub rule: Option<Rule>,
}

impl NewProposal {
    /// A proposal to list a new subject under the default rule.
    pub fn list(
        subject_kind: SubjectKind,
        entry: ListEntry,
        statement_of_case: &str,
        narrative_summary: &str,
    ) -> NewProposal {
        NewProposal {
            kind: ProposalKind::List,
            subject: None,
            subject_kind: Some(subject_kind),
            entry: Some(entry),
            un_reference: None,
            statement_of_case: statement_of_case.into(),
            statement_tlp: Tlp::Amber,
            narrative_summary: narrative_summary.into(),
            evidence: Vec::new(),
            rule: None,
        }
    }

    /// A proposal to amend or delist an existing subject under the default rule.
    pub fn about(
        kind: ProposalKind,
        subject: &str,
        entry: Option<ListEntry>,
        statement_of_case: &str,
        narrative_summary: &str,
    ) -> NewProposal {
        NewProposal {
            kind,
            subject: Some(subject.into()),
            subject_kind: None,
            entry,
            un_reference: None,
            statement_of_case: statement_of_case.into(),
            statement_tlp: Tlp::Amber,
            narrative_summary: narrative_summary.into(),
            evidence: Vec::new(),
            rule: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Open,
    OnHold,
    Adopted,
    Rejected,
    Lapsed,
    Withdrawn,
}

text_enum!(ProposalStatus, "status", {
    Open => "open",
    OnHold => "on_hold",
    Adopted => "adopted",
    Rejected => "rejected",
    Lapsed => "lapsed",
    Withdrawn => "withdrawn",
});

impl ProposalStatus {
    pub fn of(status: &Status) -> ProposalStatus {
        match status {
            Status::Open => ProposalStatus::Open,
            Status::OnHold { .. } => ProposalStatus::OnHold,
            Status::Adopted { .. } => ProposalStatus::Adopted,
            Status::Rejected { .. } => ProposalStatus::Rejected,
            Status::Lapsed { .. } => ProposalStatus::Lapsed,
            Status::Withdrawn { .. } => ProposalStatus::Withdrawn,
        }
    }

    pub fn is_closed(self) -> bool {
        !matches!(self, ProposalStatus::Open | ProposalStatus::OnHold)
    }
}

/// What [`Store::proposals_matching`] orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProposalOrder {
    #[default]
    Deadline,
    /// When proposed.
    Proposed,
    Status,
}

/// Which proposals to list, in which order, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct ProposalQuery {
    pub status: Option<ProposalStatus>,
    /// A member's code, or `ombudsperson`.
    pub proposer: Option<String>,
    pub kind: Option<ProposalKind>,
    pub order: ProposalOrder,
    pub descending: bool,
    pub window: crate::Window,
}

/// A stored proposal, without its confidential statement of case. Show it to
/// a viewer through `accord_procedure::view(&rule, &state, viewer, now)`,
/// which hides positions the viewer may not see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalRecord {
    pub id: i64,
    pub subject: String,
    pub kind: ProposalKind,
    /// The proposing member's code, or `ombudsperson`.
    pub proposer: String,
    pub statement_tlp: Tlp,
    pub narrative_summary: String,
    pub proposed_entry: Option<ListEntry>,
    pub un_reference: Option<String>,
    pub rule: Rule,
    /// The engine's state: positions, history, status, deadline.
    pub state: Proposal,
    pub status: ProposalStatus,
    /// Unix milliseconds.
    pub deadline: i64,
    /// Bumped by every transition.
    pub revision: i64,
    pub petition_id: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

/// A statement of case, as read by someone allowed to (the read is audited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementOfCase {
    pub proposal_id: i64,
    pub subject: String,
    pub tlp: Tlp,
    pub text: String,
}

#[derive(FromRow)]
struct ProposalRow {
    id: i64,
    subject: String,
    kind: String,
    proposer: String,
    statement_tlp: String,
    narrative_summary: String,
    proposed_entry: Option<String>,
    un_reference: Option<String>,
    rule: String,
    state: String,
    status: String,
    deadline: i64,
    revision: i64,
    petition_id: Option<i64>,
    created_by: String,
    created_at: i64,
    updated_at: i64,
    closed_at: Option<i64>,
}

const PROPOSAL_SELECT: &str = "SELECT p.id, s.public_id AS subject, p.kind, p.proposer, p.statement_tlp, \
     p.narrative_summary, p.proposed_entry, p.un_reference, p.rule, p.state, p.status, p.deadline, p.revision, \
     p.petition_id, p.created_by, p.created_at, p.updated_at, p.closed_at \
     FROM list_proposals p JOIN list_subjects s ON s.id = p.subject_id";

fn tlp(s: &str) -> Result<Tlp, StoreError> {
    stored(s, "TLP marking")
}

impl TryFrom<ProposalRow> for ProposalRecord {
    type Error = StoreError;
    fn try_from(r: ProposalRow) -> Result<ProposalRecord, StoreError> {
        Ok(ProposalRecord {
            id: r.id,
            subject: r.subject,
            kind: parse_proposal_kind(&r.kind)?,
            proposer: r.proposer,
            statement_tlp: tlp(&r.statement_tlp)?,
            narrative_summary: r.narrative_summary,
            proposed_entry: r.proposed_entry.as_deref().map(decode).transpose()?,
            un_reference: r.un_reference,
            rule: decode(&r.rule)?,
            state: decode(&r.state)?,
            status: stored(&r.status, "proposal status")?,
            deadline: r.deadline,
            revision: r.revision,
            petition_id: r.petition_id,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            closed_at: r.closed_at,
        })
    }
}

/// What a transition needs of the proposal row it locked.
#[derive(FromRow)]
pub(crate) struct Locked {
    pub(crate) id: i64,
    pub(crate) subject_id: i64,
    kind: String,
    narrative_summary: String,
    proposed_entry: Option<String>,
    un_reference: Option<String>,
    rule: String,
    state: String,
    revision: i64,
    reminded_until: i64,
    petition_id: Option<i64>,
    closed_at: Option<i64>,
}

const LOCKED_COLUMNS: &str = "id, subject_id, kind, narrative_summary, proposed_entry, un_reference, rule, state, \
     revision, reminded_until, petition_id, closed_at";

/// The earliest instant at which time alone changes the proposal: the end of
/// the period while it runs, or the first hold's lapse. `None` once closed.
fn next_due(p: &Proposal) -> Option<i64> {
    if p.is_closed() {
        return None;
    }
    let period = matches!(p.status, Status::Open).then_some(p.deadline);
    p.holds()
        .into_iter()
        .map(|(_, h)| h.until)
        .chain(period)
        .min()
        .map(ms)
}

/// A trimmed required text of at most `max` characters.
fn required(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    validation::text(field, value, true, max)
}

fn check_evidence(e: &NewEvidence) -> Result<(), Invalid> {
    let name = e.file_name.trim();
    if name.is_empty()
        || name.chars().count() > 255
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
    {
        return Err(Invalid::field(
            "evidence",
            "each file needs a plain name (no folders), up to 255 characters",
        ));
    }
    validation::visible("evidence", name)?;
    if e.content_type.trim().is_empty() || e.content_type.len() > 255 {
        return Err(Invalid::field("evidence", "each file needs a content type"));
    }
    if e.bytes.is_empty() {
        return Err(Invalid::field("evidence", format!("{name} is empty")));
    }
    Ok(())
}

pub(crate) async fn insert_evidence(
    tx: &mut Transaction<'static, Any>,
    proposal_id: i64,
    e: &NewEvidence,
    by: &str,
) -> Result<i64, StoreError> {
    let sha = hex::encode(Sha256::digest(&e.bytes));
    Ok(sqlx::query_scalar(
        "INSERT INTO list_evidence (proposal_id, file_name, content_type, size, sha256, bytes, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(proposal_id)
    .bind(e.file_name.trim())
    .bind(e.content_type.trim())
    .bind(e.bytes.len() as i64)
    .bind(sha)
    .bind(e.bytes.clone())
    .bind(by)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?)
}

/// The running proposal on a subject, if any.
pub(crate) async fn open_proposal_id(
    tx: &mut Transaction<'static, Any>,
    subject_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM list_proposals WHERE subject_id = $1 AND closed_at IS NULL",
    )
    .bind(subject_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// What a transition changed beyond the proposal itself.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    pub(crate) version: Option<i64>,
    pub(crate) notified: usize,
}

/// Writes a proposal's new state, its notices, and — when it has just closed —
/// the effect on the subject, the petition and the published list.
pub(crate) async fn record_transition(
    tx: &mut Transaction<'static, Any>,
    locked: &Locked,
    proposal: &Proposal,
    notices: &[Notice],
    reminded_until: i64,
) -> Result<Effects, StoreError> {
    let now = now_ms();
    let status = ProposalStatus::of(&proposal.status);
    let closed_at = proposal.status.closed_at().map(ms);
    sqlx::query(
        "UPDATE list_proposals SET state = $1, status = $2, next_due = $3, closed_at = $4, \
         reminded_until = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(encode(proposal))
    .bind(status.as_str())
    .bind(next_due(proposal))
    .bind(closed_at)
    .bind(reminded_until)
    .bind(now)
    .bind(locked.id)
    .execute(&mut **tx)
    .await?;
    let public: String = sqlx::query_scalar("SELECT public_id FROM list_subjects WHERE id = $1")
        .bind(locked.subject_id)
        .fetch_one(&mut **tx)
        .await?;
    let mut effects = Effects {
        notified: notifications::store_notices(
            tx,
            proposal,
            notices,
            locked.id,
            locked.subject_id,
            &public,
            now,
        )
        .await?,
        ..Effects::default()
    };
    if locked.closed_at.is_none() && proposal.is_closed() {
        effects.version = close(tx, locked, proposal, &public, now).await?;
    }
    Ok(effects)
}

/// A proposal has just closed: apply an adoption to the subject and publish
/// the next version; settle the subject's and the petition's status otherwise.
async fn close(
    tx: &mut Transaction<'static, Any>,
    locked: &Locked,
    proposal: &Proposal,
    public: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let kind = parse_proposal_kind(&locked.kind)?;
    let adopted_at = match proposal.status {
        Status::Adopted { at } => Some(at),
        _ => None,
    };
    let petition_outcome;
    let mut version = None;
    if let Some(at) = adopted_at {
        let day = iso(at.date());
        match kind {
            ProposalKind::List | ProposalKind::Amend => {
                let mut entry: ListEntry = decode(
                    locked
                        .proposed_entry
                        .as_deref()
                        .ok_or_else(|| super::corrupt("a listing proposal without an entry"))?,
                )?;
                if kind == ProposalKind::List {
                    entry.listed_on = Some(day.clone());
                    sqlx::query(
                        "UPDATE list_subjects SET status = 'listed', entry = $1, narrative_summary = $2, \
                         listed_on = $3, delisted_on = NULL, last_reviewed_on = $3, review_requested_on = NULL, \
                         un_reference = COALESCE($4, un_reference), updated_at = $5 WHERE id = $6",
                    )
                    .bind(encode(&entry))
                    .bind(&locked.narrative_summary)
                    .bind(&day)
                    .bind(locked.un_reference.as_deref())
                    .bind(now)
                    .bind(locked.subject_id)
                    .execute(&mut **tx)
                    .await?;
                    notify_states_of(tx, locked, &entry, public, now).await?;
                } else {
                    let listed_on: Option<String> =
                        sqlx::query_scalar("SELECT listed_on FROM list_subjects WHERE id = $1")
                            .bind(locked.subject_id)
                            .fetch_one(&mut **tx)
                            .await?;
                    entry.listed_on = listed_on;
                    if !entry.last_updated.contains(&day) {
                        entry.last_updated.push(day.clone());
                    }
                    sqlx::query(
                        "UPDATE list_subjects SET entry = $1, narrative_summary = $2, last_reviewed_on = $3, \
                         review_requested_on = NULL, un_reference = COALESCE($4, un_reference), updated_at = $5 \
                         WHERE id = $6",
                    )
                    .bind(encode(&entry))
                    .bind(&locked.narrative_summary)
                    .bind(&day)
                    .bind(locked.un_reference.as_deref())
                    .bind(now)
                    .bind(locked.subject_id)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            ProposalKind::Delist | ProposalKind::DelistingRecommendation => {
                sqlx::query(
                    "UPDATE list_subjects SET status = 'delisted', delisted_on = $1, review_requested_on = NULL, \
                     updated_at = $2 WHERE id = $3",
                )
                .bind(&day)
                .bind(now)
                .bind(locked.subject_id)
                .execute(&mut **tx)
                .await?;
            }
        }
        version = Some(
            versions::publish_next(
                tx,
                super::VersionCause::Proposal,
                Some(locked.id),
                None,
                now,
            )
            .await?,
        );
        petition_outcome = "delisted";
    } else {
        if kind == ProposalKind::List {
            // A subject that was never listed is now "not listed"; one that
            // was delisted stays delisted.
            sqlx::query(
                "UPDATE list_subjects SET status = 'not_listed', updated_at = $1 WHERE id = $2 AND status = 'proposed'",
            )
            .bind(now)
            .bind(locked.subject_id)
            .execute(&mut **tx)
            .await?;
        }
        petition_outcome = "listing_maintained";
    }
    if let Some(petition) = locked.petition_id {
        sqlx::query(
            "UPDATE delisting_petitions SET status = 'decided', outcome = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(petition_outcome)
        .bind(now)
        .bind(petition)
        .execute(&mut **tx)
        .await?;
    }
    Ok(version)
}

/// Tells the states of nationality or residence of a newly listed individual.
async fn notify_states_of(
    tx: &mut Transaction<'static, Any>,
    locked: &Locked,
    entry: &ListEntry,
    public: &str,
    now: i64,
) -> Result<(), StoreError> {
    if entry.schema != accord_lists::EntrySchema::Person {
        return Ok(());
    }
    let mut countries = entry.nationalities.clone();
    countries.extend(entry.addresses.iter().filter_map(|a| a.country.clone()));
    for code in notifications::states_of(tx, &countries).await? {
        let params = serde_json::json!({ "subject": public, "proposal": locked.id, "member": code.as_str() });
        notifications::insert(
            tx,
            &notifications::Recipient::Member(code),
            "subject_listed_national",
            &params,
            Some(locked.id),
            Some(locked.subject_id),
            now,
        )
        .await?;
    }
    Ok(())
}

fn status_error(subject: &str, kind: ProposalKind, status: SubjectStatus) -> StoreError {
    StoreError::Conflict(format!(
        "{subject} is {status}: a proposal to {} cannot be made",
        match kind {
            ProposalKind::List => "list it",
            ProposalKind::Amend => "amend it",
            ProposalKind::Delist => "delist it",
            ProposalKind::DelistingRecommendation => "recommend delisting it",
        }
    ))
}

/// The engine's view of who acts: a member with its kind, the secretariat
/// (withdraws, records departures) or the ombudsperson (brings delisting
/// recommendations). Anyone else takes no part.
fn procedure_actor(by: &Principal) -> Result<accord_procedure::Actor, StoreError> {
    accord_procedure::Actor::of(by)
        .ok_or_else(|| StoreError::Forbidden("takes no part in the procedure".into()))
}

/// How an actor is stored (`list_proposals.proposer`) and audited: the
/// member's code, `secretariat` or `ombudsperson`.
fn actor_label(who: &accord_procedure::Actor) -> String {
    match who {
        accord_procedure::Actor::Member { code, .. } => code.to_string(),
        accord_procedure::Actor::Secretariat => "secretariat".into(),
        accord_procedure::Actor::Ombudsperson => "ombudsperson".into(),
    }
}

impl Store {
    async fn participants(&self) -> Result<Vec<Participant>, StoreError> {
        Ok(self
            .members()
            .await?
            .into_iter()
            .map(|m| Participant::new(m.code, m.kind))
            .collect())
    }

    /// Opens a proposal at `now`: the procedure decides who may propose and
    /// refuses a subject that already has a proposal running. Listing a new
    /// subject creates it (status `proposed`, a new public identifier).
    pub async fn create_proposal(
        &self,
        actor: &Actor,
        by: &Principal,
        new: NewProposal,
        now: OffsetDateTime,
    ) -> Result<ProposalRecord, StoreError> {
        self.create_proposal_for(actor, procedure_actor(by)?, new, None, now)
            .await
    }

    pub(crate) async fn create_proposal_for(
        &self,
        actor: &Actor,
        proposer: accord_procedure::Actor,
        new: NewProposal,
        petition_id: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<ProposalRecord, StoreError> {
        let statement = required("statement_of_case", &new.statement_of_case, 200_000)?;
        let summary = required("narrative_summary", &new.narrative_summary, 20_000)?;
        let un_reference = new
            .un_reference
            .as_deref()
            .map(|r| validation::text("un_reference", r, false, 100))
            .transpose()?
            .filter(|r| !r.is_empty());
        // A UN reference names an entry of the stored UN list, spelt as the list spells it.
        let un_reference = match un_reference {
            None => None,
            Some(r) => match self.reference_entry(UN_LIST, &r).await? {
                Some((_, entry)) => Some(entry.reference),
                None => {
                    return Err(Invalid::field(
                        "un_reference",
                        "is not an entry of the current UN list; check the reference (e.g. QDi.123) or leave it empty",
                    )
                    .into());
                }
            },
        };
        for e in &new.evidence {
            check_evidence(e)?;
        }
        // The rule in force now; the proposal keeps it whatever changes later.
        let rule = match new.rule {
            Some(rule) => rule,
            None if new.kind == ProposalKind::DelistingRecommendation => {
                self.procedure_settings().await?.settings.delisting_rule()
            }
            None => self.procedure_settings().await?.settings.rule,
        };
        rule.validate()
            .map_err(|e| procedure_error(accord_procedure::ProcedureError::InvalidRule(e)))?;
        let members = self.participants().await?;
        // Proposals on this subject whose time ran out unnoticed are settled
        // first, so that only a proposal really running blocks a new one.
        if let Some(subject) = &new.subject {
            self.advance_subject(actor, subject, now).await?;
        }

        let mut tx = self.begin().await?;
        let (subject_id, public, entry) = match &new.subject {
            None => {
                if new.kind != ProposalKind::List {
                    return Err(Invalid::field(
                        "subject",
                        "is required except to list a new subject",
                    )
                    .into());
                }
                let kind = new.subject_kind.ok_or_else(|| {
                    Invalid::field("subject_kind", "is required to list a new subject")
                })?;
                let entry = new
                    .entry
                    .clone()
                    .ok_or_else(|| Invalid::field("entry", "is required to list a new subject"))?;
                // The write first: the subject counter on the list head.
                let n: i64 = sqlx::query_scalar(
                    "UPDATE list_head SET subjects = subjects + 1 WHERE id = 1 RETURNING subjects",
                )
                .fetch_one(&mut *tx)
                .await?;
                let public = public_id(n);
                let mut entry = check_entry(kind, &public, entry)?;
                check_links(&mut tx, kind, &public, &mut entry).await?;
                let at = now_ms();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO list_subjects (public_id, kind, entry, status, un_reference, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'proposed', $4, $5, $5) RETURNING id",
                )
                .bind(&public)
                .bind(kind.as_str())
                .bind(encode(&entry))
                .bind(un_reference.as_deref())
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                (id, public, Some(entry))
            }
            Some(subject) => {
                // The write first: the subject's row, so proposals on it queue.
                let id: Option<i64> = sqlx::query_scalar(
                    "UPDATE list_subjects SET updated_at = $1 WHERE public_id = $2 RETURNING id",
                )
                .bind(now_ms())
                .bind(subject)
                .fetch_optional(&mut *tx)
                .await?;
                if id.is_none() {
                    return Err(StoreError::NotFound(format!("subject {subject}")));
                }
                let (id, current) = subject_in(&mut tx, subject).await?;
                if let Some(into) = &current.merged_into {
                    return Err(StoreError::Conflict(format!(
                        "{subject} was merged into {into}; make the proposal about {into}"
                    )));
                }
                let fits = match new.kind {
                    ProposalKind::List => matches!(
                        current.status,
                        SubjectStatus::Delisted
                            | SubjectStatus::NotListed
                            | SubjectStatus::Proposed
                    ),
                    _ => current.status == SubjectStatus::Listed,
                };
                if !fits {
                    return Err(status_error(subject, new.kind, current.status));
                }
                let entry = match (new.kind, &new.entry) {
                    (ProposalKind::Amend, None) => {
                        return Err(Invalid::field(
                            "entry",
                            "an amendment needs the amended entry",
                        )
                        .into());
                    }
                    (ProposalKind::List | ProposalKind::Amend, Some(e)) => {
                        let mut e = check_entry(current.kind, subject, e.clone())?;
                        check_links(&mut tx, current.kind, subject, &mut e).await?;
                        Some(e)
                    }
                    (ProposalKind::List, None) => Some(current.entry.clone()),
                    _ => None,
                };
                (id, subject.clone(), entry)
            }
        };

        let pending: Vec<(String, String)> = sqlx::query_as(
            "SELECT rule, state FROM list_proposals WHERE subject_id = $1 AND closed_at IS NULL",
        )
        .bind(subject_id)
        .fetch_all(&mut *tx)
        .await?;
        let pending: Vec<Proposal> = pending
            .iter()
            .map(|(rule, state)| {
                let rule: Rule = decode(rule)?;
                let state: Proposal = decode(state)?;
                Ok(accord_procedure::advance(&rule, &state, now).0)
            })
            .collect::<Result<_, StoreError>>()?;
        let opening = Opening {
            kind: new.kind,
            subject: SubjectRef(public.clone()),
            proposer: proposer.clone(),
        };
        let (proposal, notices) = accord_procedure::open(&rule, opening, &members, &pending, now)
            .map_err(procedure_error)?;
        let at = now_ms();
        let inserted: Result<Locked, sqlx::Error> = sqlx::query_as(sql!(
            "INSERT INTO list_proposals (subject_id, kind, proposer, statement_of_case, statement_tlp, \
             narrative_summary, proposed_entry, un_reference, rule, state, status, deadline, next_due, \
             reminded_until, revision, petition_id, created_by, created_at, updated_at, closed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $17, $17, NULL) \
             RETURNING {LOCKED_COLUMNS}"
        ))
        .bind(subject_id)
        .bind(proposal_kind_str(new.kind))
        .bind(actor_label(&proposer))
        .bind(&statement)
        .bind(new.statement_tlp.as_str())
        .bind(&summary)
        .bind(entry.as_ref().map(encode))
        .bind(un_reference.as_deref())
        .bind(encode(&rule))
        .bind(encode(&proposal))
        .bind(ProposalStatus::Open.as_str())
        .bind(ms(proposal.deadline))
        .bind(next_due(&proposal))
        .bind(ms(now))
        .bind(petition_id)
        .bind(&actor.label)
        .bind(at)
        .fetch_one(&mut *tx)
        .await;
        let locked = match inserted {
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "a proposal on {public} is already pending; wait for it or withdraw it"
                )));
            }
            other => other?,
        };
        for e in &new.evidence {
            insert_evidence(&mut tx, locked.id, e, &actor.label).await?;
        }
        if let Some(petition) = petition_id {
            super::petitions::mark_recommended(&mut tx, petition, locked.id, &statement).await?;
        }
        // The opening may already decide (the proposer was the only decider).
        let effects = record_transition(&mut tx, &locked, &proposal, &notices, ms(now)).await?;
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.propose",
                format!("proposal:{}", locked.id),
                Outcome::Ok,
                serde_json::json!({
                    "subject": public,
                    "kind": proposal_kind_str(new.kind),
                    "by": actor_label(&proposer),
                    "revision": 1,
                    "evidence": new.evidence.len(),
                    "status": ProposalStatus::of(&proposal.status).as_str(),
                    "version": effects.version,
                    "notified": effects.notified,
                    "petition": petition_id,
                }),
            ),
        )
        .await?;
        let record = proposal_in(&mut tx, locked.id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Whether the procedure would accept `action` by `by` at `now`, without
    /// recording anything: checked before a state is asked to sign a
    /// decision the engine would refuse anyway. The same errors as
    /// [`Store::record_decision`].
    pub async fn try_decision(
        &self,
        proposal_id: i64,
        by: &Principal,
        action: &Action,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let who = procedure_actor(by)?;
        let p = self.proposal(proposal_id).await?;
        accord_procedure::apply(
            &p.rule,
            &p.state,
            Event {
                by: who,
                action: action.clone(),
            },
            now,
        )
        .map_err(procedure_error)?;
        Ok(())
    }

    /// Records a decision (concur, object, place, extend or lift a hold,
    /// withdraw, a member's departure) at `now`. Concurrent decisions on one
    /// proposal are serialized by the revision bump that starts the
    /// transaction; the engine's refusals (late, second vote, not a decider,
    /// closed…) change nothing.
    pub async fn record_decision(
        &self,
        actor: &Actor,
        proposal_id: i64,
        by: &Principal,
        action: Action,
        signature: Option<&super::DecisionSignature>,
        now: OffsetDateTime,
    ) -> Result<ProposalRecord, StoreError> {
        let who = procedure_actor(by)?;
        let signed_action = action.clone();
        let who_label = actor_label(&who);
        let action_name = action_name(&action);
        let mut tx = self.begin().await?;
        let locked = lock(&mut tx, proposal_id).await?;
        let rule: Rule = decode(&locked.rule)?;
        let state: Proposal = decode(&locked.state)?;
        let (proposal, notices) =
            accord_procedure::apply(&rule, &state, Event { by: who, action }, now)
                .map_err(procedure_error)?;
        // The engine accepted the decision; a state's decision then needs its
        // member's signature before anything is written.
        let signed = match by.member() {
            Some(member) => {
                super::signatures::check_and_store(
                    &mut tx,
                    proposal_id,
                    member,
                    &signed_action,
                    signature,
                    now,
                )
                .await?
            }
            None => false,
        };
        let effects =
            record_transition(&mut tx, &locked, &proposal, &notices, locked.reminded_until).await?;
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.decide",
                format!("proposal:{proposal_id}"),
                Outcome::Ok,
                serde_json::json!({
                    "by": who_label,
                    "action": action_name,
                    "signed": signed,
                    "revision": locked.revision,
                    "status": ProposalStatus::of(&proposal.status).as_str(),
                    "version": effects.version,
                    "notified": effects.notified,
                }),
            ),
        )
        .await?;
        // The state this decision produced, whatever others do next.
        let record = proposal_in(&mut tx, proposal_id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Lets time pass up to `now` for every running proposal: deadlines end,
    /// holds lapse (each at its own instant, so a server that was down
    /// catches up exactly), adoptions change the list, and deadline reminders
    /// fall due. One transaction per proposal that changed. Returns the ids of
    /// those proposals. Harmless to run on several nodes at once.
    pub async fn advance_due(
        &self,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Vec<i64>, StoreError> {
        let open: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, rule, state, reminded_until FROM list_proposals WHERE closed_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut changed = Vec::new();
        for (id, rule, state, reminded_until) in open {
            let rule: Rule = decode(&rule)?;
            let state: Proposal = decode(&state)?;
            if !is_due(&rule, &state, reminded_until, now) {
                continue;
            }
            if self.advance_one(actor, id, now).await? {
                changed.push(id);
            }
        }
        Ok(changed)
    }

    /// Brings the running proposals on one subject up to `now`.
    async fn advance_subject(
        &self,
        actor: &Actor,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let open: Vec<i64> = sqlx::query_scalar(
            "SELECT p.id FROM list_proposals p JOIN list_subjects s ON s.id = p.subject_id \
             WHERE s.public_id = $1 AND p.closed_at IS NULL",
        )
        .bind(subject)
        .fetch_all(&self.pool)
        .await?;
        for id in open {
            self.advance_one(actor, id, now).await?;
        }
        Ok(())
    }

    /// Advances one proposal in its own transaction; false if nothing was due.
    async fn advance_one(
        &self,
        actor: &Actor,
        id: i64,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let locked = lock(&mut tx, id).await?;
        if locked.closed_at.is_some() {
            return Ok(false);
        }
        let rule: Rule = decode(&locked.rule)?;
        let state: Proposal = decode(&locked.state)?;
        if !is_due(&rule, &state, locked.reminded_until, now) {
            // Another node got there first; the revision bump rolls back.
            return Ok(false);
        }
        let since = instant(locked.reminded_until);
        let mut notices = accord_procedure::reminders_due(&rule, &state, since, now);
        let (proposal, happened) = accord_procedure::advance(&rule, &state, now);
        notices.extend(happened);
        let reminded_until = locked.reminded_until.max(ms(now));
        let effects =
            record_transition(&mut tx, &locked, &proposal, &notices, reminded_until).await?;
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.advance",
                format!("proposal:{id}"),
                Outcome::Ok,
                serde_json::json!({
                    "revision": locked.revision,
                    "status": ProposalStatus::of(&proposal.status).as_str(),
                    "notices": notices.len(),
                    "version": effects.version,
                    "notified": effects.notified,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// One proposal (without its statement of case).
    pub async fn proposal(&self, id: i64) -> Result<ProposalRecord, StoreError> {
        let row: Option<ProposalRow> = sqlx::query_as(sql!("{PROPOSAL_SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?
            .try_into()
    }

    /// Proposals, newest first; `running_only` keeps those not yet decided.
    pub async fn proposals(&self, running_only: bool) -> Result<Vec<ProposalRecord>, StoreError> {
        let rows: Vec<ProposalRow> = sqlx::query_as(sql!(
            "{PROPOSAL_SELECT} WHERE ($1 = 0 OR p.closed_at IS NULL) ORDER BY p.id DESC"
        ))
        .bind(i64::from(running_only))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ProposalRecord::try_from).collect()
    }

    /// A page of the proposals matching `q`, in its order, with how many match.
    pub async fn proposals_matching(
        &self,
        q: &ProposalQuery,
    ) -> Result<crate::Page<ProposalRecord>, StoreError> {
        let (limit, offset) = q.window.bounded();
        let filter = "($1 IS NULL OR p.status = $1) AND ($2 IS NULL OR p.proposer = $2) \
                      AND ($3 IS NULL OR p.kind = $3)";
        let dir = if q.descending { "DESC" } else { "ASC" };
        let order = match q.order {
            ProposalOrder::Deadline => format!("p.deadline {dir}, p.id {dir}"),
            ProposalOrder::Proposed => format!("p.created_at {dir}, p.id {dir}"),
            // The procedure's order: running ones first, then by outcome.
            ProposalOrder::Status => format!(
                "CASE p.status WHEN 'open' THEN 0 WHEN 'on_hold' THEN 1 WHEN 'adopted' THEN 2 \
                 WHEN 'rejected' THEN 3 WHEN 'lapsed' THEN 4 ELSE 5 END {dir}, p.deadline ASC, p.id ASC"
            ),
        };
        let status = q.status.map(ProposalStatus::as_str);
        let kind = q.kind.map(proposal_kind_str);
        let rows: Vec<ProposalRow> = sqlx::query_as(sql!(
            "{PROPOSAL_SELECT} WHERE {filter} ORDER BY {order} LIMIT $4 OFFSET $5"
        ))
        .bind(status)
        .bind(q.proposer.as_deref())
        .bind(kind)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 =
            sqlx::query_scalar(sql!("SELECT COUNT(*) FROM list_proposals p WHERE {filter}"))
                .bind(status)
                .bind(q.proposer.as_deref())
                .bind(kind)
                .fetch_one(&self.pool)
                .await?;
        Ok(crate::Page {
            items: rows
                .into_iter()
                .map(ProposalRecord::try_from)
                .collect::<Result<_, _>>()?,
            total,
        })
    }

    /// The proposals about one subject, oldest first.
    pub async fn subject_proposals(
        &self,
        public_id: &str,
    ) -> Result<Vec<ProposalRecord>, StoreError> {
        let rows: Vec<ProposalRow> = sqlx::query_as(sql!(
            "{PROPOSAL_SELECT} WHERE s.public_id = $1 ORDER BY p.id"
        ))
        .bind(public_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ProposalRecord::try_from).collect()
    }

    /// The confidential statement of case of a proposal; the read is audited.
    pub async fn statement_of_case(
        &self,
        actor: &Actor,
        proposal_id: i64,
    ) -> Result<StatementOfCase, StoreError> {
        let mut tx = self.begin().await?;
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.statement_of_case.read",
                format!("proposal:{proposal_id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT s.public_id, p.statement_tlp, p.statement_of_case FROM list_proposals p \
             JOIN list_subjects s ON s.id = p.subject_id WHERE p.id = $1",
        )
        .bind(proposal_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((subject, tlp_text, text)) = row else {
            // Nothing was read: the audit record rolls back with the transaction.
            return Err(StoreError::NotFound(format!("proposal {proposal_id}")));
        };
        tx.commit().await?;
        Ok(StatementOfCase {
            proposal_id,
            subject,
            tlp: tlp(&tlp_text)?,
            text,
        })
    }

    /// Adds an evidence file to a running proposal.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        proposal_id: i64,
        file: &NewEvidence,
    ) -> Result<Evidence, StoreError> {
        check_evidence(file)?;
        let mut tx = self.begin().await?;
        let open = sqlx::query(
            "UPDATE list_proposals SET updated_at = $1 WHERE id = $2 AND closed_at IS NULL",
        )
        .bind(now_ms())
        .bind(proposal_id)
        .execute(&mut *tx)
        .await?;
        if open.rows_affected() == 0 {
            self.proposal(proposal_id).await?;
            return Err(StoreError::Conflict(format!(
                "proposal {proposal_id} is decided; evidence can no longer be added"
            )));
        }
        let id = insert_evidence(&mut tx, proposal_id, file, &actor.label).await?;
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.evidence.add",
                format!("proposal:{proposal_id}"),
                Outcome::Ok,
                serde_json::json!({ "evidence": id, "size": file.bytes.len() }),
            ),
        )
        .await?;
        tx.commit().await?;
        let files = self.evidence(proposal_id).await?;
        files
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("evidence {id}")))
    }

    /// The evidence files of a proposal (names, sizes and hashes only).
    pub async fn evidence(&self, proposal_id: i64) -> Result<Vec<Evidence>, StoreError> {
        Ok(sqlx::query_as(sql!(
            "SELECT {EVIDENCE_COLUMNS} FROM list_evidence WHERE proposal_id = $1 ORDER BY id"
        ))
        .bind(proposal_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One evidence file with its bytes; the read is audited.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        evidence_id: i64,
    ) -> Result<(Evidence, Vec<u8>), StoreError> {
        let mut tx = self.begin().await?;
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.evidence.read",
                format!("evidence:{evidence_id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        let meta: Option<Evidence> = sqlx::query_as(sql!(
            "SELECT {EVIDENCE_COLUMNS} FROM list_evidence WHERE id = $1"
        ))
        .bind(evidence_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(meta) = meta else {
            return Err(StoreError::NotFound(format!("evidence {evidence_id}")));
        };
        let bytes: Vec<u8> = sqlx::query_scalar("SELECT bytes FROM list_evidence WHERE id = $1")
            .bind(evidence_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((meta, bytes))
    }
}

const EVIDENCE_COLUMNS: &str =
    "id, proposal_id, file_name, content_type, size, sha256, added_by, added_at";

/// Whether time alone changes the proposal at `now`, or a reminder fell due.
fn is_due(rule: &Rule, state: &Proposal, reminded_until: i64, now: OffsetDateTime) -> bool {
    let (advanced, _) = accord_procedure::advance(rule, state, now);
    advanced != *state
        || !accord_procedure::reminders_due(rule, state, instant(reminded_until), now).is_empty()
}

async fn proposal_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
) -> Result<ProposalRecord, StoreError> {
    let row: Option<ProposalRow> = sqlx::query_as(sql!("{PROPOSAL_SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?
        .try_into()
}

/// Starts a transition: bumps the revision (the write that takes the lock)
/// and returns the row as it is now.
async fn lock(tx: &mut Transaction<'static, Any>, id: i64) -> Result<Locked, StoreError> {
    let row: Option<Locked> = sqlx::query_as(sql!(
        "UPDATE list_proposals SET revision = revision + 1 WHERE id = $1 RETURNING {LOCKED_COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
}

/// Links must point at subjects that exist; a sponsor's `sponsor_of` at an organization.
async fn check_links(
    tx: &mut Transaction<'static, Any>,
    kind: SubjectKind,
    public_id: &str,
    entry: &mut ListEntry,
) -> Result<(), StoreError> {
    for link in &mut entry.links {
        let Some(target) = link.target_reference.clone() else {
            continue;
        };
        if target == public_id {
            return Err(Invalid::field(
                "entry.links",
                format!("{target} cannot be linked to itself"),
            )
            .into());
        }
        let found: Option<(String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT s.kind, s.entry, (SELECT m.public_id FROM list_subjects m WHERE m.id = s.merged_into), s.status \
             FROM list_subjects s WHERE s.public_id = $1",
        )
        .bind(&target)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some((_, _, Some(into), _)) = &found {
            return Err(Invalid::field(
                "entry.links",
                format!("{target} was merged into {into}; link to {into}"),
            )
            .into());
        }
        // A link is published with the entry, the other subject's name with
        // it: only a subject that is on the list may be named there.
        if let Some((_, _, _, status)) = &found
            && status != SubjectStatus::Listed.as_str()
        {
            return Err(Invalid::field(
                "entry.links",
                format!("{target} is not on the list; link only to listed subjects"),
            )
            .into());
        }
        let target_kind = found.map(|(kind, entry, _, _)| {
            // The other subject's name, as it is now, for readers of the entry.
            if let Ok(other) = decode::<ListEntry>(&entry) {
                link.target_name = other.primary_name().map(str::to_string);
            }
            kind
        });
        let Some(target_kind) = target_kind else {
            return Err(Invalid::field(
                "entry.links",
                format!("the linked subject {target} does not exist"),
            )
            .into());
        };
        if kind == SubjectKind::Sponsor
            && link.relation == "sponsor_of"
            && SubjectKind::from_str(&target_kind).ok() != Some(SubjectKind::Organization)
        {
            return Err(Invalid::field(
                "entry.links",
                format!("{target} is not an organization; a sponsor supports an organization"),
            )
            .into());
        }
    }
    Ok(())
}

fn action_name(action: &Action) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.get("action").and_then(|a| a.as_str()).map(str::to_string))
        .unwrap_or_else(|| "action".into())
}
