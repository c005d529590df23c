//! Subjects of the common list, periodic review, and merges.
//!
//! A subject is created by the first proposal to list it (status `proposed`)
//! and keeps its public identifier (`ACL-0001`) for ever. Aliases are never
//! merged automatically: merging two subjects is an explicit act that records
//! exactly which names it added, so undoing it removes those and nothing else.

#[cfg(test)]
use std::str::FromStr;

use accord_core::Invalid;
use accord_core::audit::Outcome;
use accord_lists::{EntryName, EntrySchema, ListEntry, NameKind};
use serde::{Deserialize, Serialize};
use sqlx::{Any, FromRow, Transaction};
use time::Date;

use super::{decode, encode, iso, parse_iso, stored, text_enum};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// What a subject is. A sponsor is an individual or an entity that finances or
/// supports a listed organization, and is linked to it (`sponsor_of`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Organization,
    Individual,
    Sponsor,
}

text_enum!(SubjectKind, "kind", {
    Organization => "organization",
    Individual => "individual",
    Sponsor => "sponsor",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectStatus {
    /// Proposed for listing, never listed yet.
    Proposed,
    Listed,
    Delisted,
    /// The proposal to list it was rejected, lapsed or withdrawn.
    NotListed,
}

text_enum!(SubjectStatus, "status", {
    Proposed => "proposed",
    Listed => "listed",
    Delisted => "delisted",
    NotListed => "not_listed",
});

/// The relations a subject's entry may have to another subject.
pub const LINK_RELATIONS: [&str; 4] = ["member_of", "sponsor_of", "leader_of", "alias_of"];

/// A subject as stored. `entry` is the current entry (for a subject not yet
/// listed, the one proposed); its `reference` is the public identifier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    pub public_id: String,
    pub kind: SubjectKind,
    pub status: SubjectStatus,
    pub entry: ListEntry,
    /// The published narrative summary of the reasons for listing.
    pub narrative_summary: String,
    pub listed_on: Option<Date>,
    pub delisted_on: Option<Date>,
    pub last_reviewed_on: Option<Date>,
    /// Set when the subject was put up for periodic review, until reviewed.
    pub review_requested_on: Option<Date>,
    /// The subject this one was merged into (it is then not published itself).
    pub merged_into: Option<String>,
    /// The UN (or national) reference the subject also carries.
    pub un_reference: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A merge of one subject into another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merge {
    pub id: i64,
    pub from: String,
    pub into: String,
    /// The names the merge added to `into` (removed again when undone).
    pub added_names: Vec<EntryName>,
    pub reason: String,
    pub merged_by: String,
    pub merged_at: i64,
    pub undone_by: Option<String>,
    pub undone_at: Option<i64>,
}

#[derive(FromRow)]
pub(crate) struct SubjectRow {
    pub(crate) id: i64,
    public_id: String,
    kind: String,
    entry: String,
    status: String,
    narrative_summary: String,
    listed_on: Option<String>,
    delisted_on: Option<String>,
    last_reviewed_on: Option<String>,
    review_requested_on: Option<String>,
    merged_into_public: Option<String>,
    un_reference: Option<String>,
    created_at: i64,
    updated_at: i64,
}

pub(crate) const SUBJECT_SELECT: &str = "SELECT s.id, s.public_id, s.kind, s.entry, s.status, s.narrative_summary, \
     s.listed_on, s.delisted_on, s.last_reviewed_on, s.review_requested_on, \
     (SELECT m.public_id FROM list_subjects m WHERE m.id = s.merged_into) AS merged_into_public, \
     s.un_reference, s.created_at, s.updated_at FROM list_subjects s";

fn opt_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.as_deref().map(parse_iso).transpose()
}

impl TryFrom<SubjectRow> for Subject {
    type Error = StoreError;
    fn try_from(r: SubjectRow) -> Result<Subject, StoreError> {
        Ok(Subject {
            public_id: r.public_id,
            kind: stored(&r.kind, "subject kind")?,
            status: stored(&r.status, "subject status")?,
            entry: decode(&r.entry)?,
            narrative_summary: r.narrative_summary,
            listed_on: opt_date(r.listed_on)?,
            delisted_on: opt_date(r.delisted_on)?,
            last_reviewed_on: opt_date(r.last_reviewed_on)?,
            review_requested_on: opt_date(r.review_requested_on)?,
            merged_into: r.merged_into_public,
            un_reference: r.un_reference,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The public identifier of the n-th subject.
pub(crate) fn public_id(n: i64) -> String {
    format!("{}{n:04}", super::SUBJECT_ID_PREFIX)
}

/// Checks an entry proposed for a subject of `kind` and normalizes it: the
/// reference becomes the subject's public identifier, text is trimmed.
pub(crate) fn check_entry(
    kind: SubjectKind,
    public_id: &str,
    mut entry: ListEntry,
) -> Result<ListEntry, Invalid> {
    entry.reference = public_id.to_string();
    let schema_ok = match kind {
        SubjectKind::Organization => entry.schema == EntrySchema::Organization,
        SubjectKind::Individual => entry.schema == EntrySchema::Person,
        SubjectKind::Sponsor => {
            matches!(
                entry.schema,
                EntrySchema::Person | EntrySchema::Organization
            )
        }
    };
    if !schema_ok {
        return Err(Invalid::field(
            "entry.schema",
            format!(
                "a subject of kind {kind} cannot have the schema {:?}",
                entry.schema
            ),
        ));
    }
    for name in &mut entry.names {
        name.text = name.text.trim().to_string();
    }
    entry.names.retain(|n| !n.text.is_empty());
    if !entry.names.iter().any(|n| n.kind == NameKind::Primary) {
        return Err(Invalid::field("entry.names", "a primary name is required"));
    }
    if entry.schema != EntrySchema::Person
        && (!entry.birth_dates.is_empty()
            || !entry.birth_places.is_empty()
            || !entry.nationalities.is_empty())
    {
        return Err(Invalid::field(
            "entry.birth_dates",
            "only individuals have birth dates, places of birth and nationalities",
        ));
    }
    if let Some(bad) = entry
        .links
        .iter()
        .find(|l| !LINK_RELATIONS.contains(&l.relation.as_str()))
    {
        return Err(Invalid::field(
            "entry.links",
            format!(
                "the relation {:?} is not one of {}",
                bad.relation,
                LINK_RELATIONS.join(", ")
            ),
        ));
    }
    if kind == SubjectKind::Sponsor
        && !entry
            .links
            .iter()
            .any(|l| l.relation == "sponsor_of" && l.target_reference.is_some())
    {
        return Err(Invalid::field(
            "entry.links",
            "a sponsor must be linked (sponsor_of) to the organization it supports",
        ));
    }
    Ok(entry)
}

impl Store {
    /// A subject by its public identifier (no confidential material).
    pub async fn subject(&self, public_id: &str) -> Result<Subject, StoreError> {
        let row: Option<SubjectRow> =
            sqlx::query_as(sql!("{SUBJECT_SELECT} WHERE s.public_id = $1"))
                .bind(public_id)
                .fetch_optional(&self.pool)
                .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("subject {public_id}")))?
            .try_into()
    }

    /// Subjects, optionally only those of one status, by public identifier.
    pub async fn subjects(
        &self,
        status: Option<SubjectStatus>,
    ) -> Result<Vec<Subject>, StoreError> {
        let rows: Vec<SubjectRow> = sqlx::query_as(sql!(
            "{SUBJECT_SELECT} WHERE ($1 IS NULL OR s.status = $1) ORDER BY s.public_id"
        ))
        .bind(status.map(SubjectStatus::as_str))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Subject::try_from).collect()
    }

    /// Listed subjects (not merged away) whose last review — or listing, if
    /// never reviewed — is `years` or more before `today`.
    pub async fn subjects_due_for_review(
        &self,
        today: Date,
        years: u32,
    ) -> Result<Vec<Subject>, StoreError> {
        let cutoff = years_before(today, years);
        let rows: Vec<SubjectRow> = sqlx::query_as(sql!(
            "{SUBJECT_SELECT} WHERE s.status = 'listed' AND s.merged_into IS NULL \
             AND COALESCE(s.last_reviewed_on, s.listed_on) <= $1 ORDER BY s.public_id"
        ))
        .bind(iso(cutoff))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Subject::try_from).collect()
    }

    /// Puts every subject due for review (and not already up for review) up
    /// for review: marks it and tells the secretariat and the regional states.
    /// Safe to run repeatedly (a background task does it daily). Returns the
    /// subjects put up now.
    pub async fn put_due_subjects_up_for_review(
        &self,
        actor: &Actor,
        today: Date,
        years: u32,
    ) -> Result<Vec<String>, StoreError> {
        let cutoff = years_before(today, years);
        let mut tx = self.begin().await?;
        let marked: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE list_subjects SET review_requested_on = $1, updated_at = $2 \
             WHERE status = 'listed' AND merged_into IS NULL AND review_requested_on IS NULL \
             AND COALESCE(last_reviewed_on, listed_on) <= $3 RETURNING id, public_id",
        )
        .bind(iso(today))
        .bind(now_ms())
        .bind(iso(cutoff))
        .fetch_all(&mut *tx)
        .await?;
        if marked.is_empty() {
            return Ok(Vec::new());
        }
        let mut recipients = vec![super::Recipient::Secretariat];
        recipients.extend(
            super::notifications::regional_states(&mut tx)
                .await?
                .into_iter()
                .map(super::Recipient::Member),
        );
        let mut ids: Vec<String> = Vec::new();
        for (id, public_id) in marked {
            let params = serde_json::json!({ "subject": public_id, "years": years });
            for r in &recipients {
                super::notifications::insert(
                    &mut tx,
                    r,
                    "review_due",
                    &params,
                    None,
                    Some(id),
                    now_ms(),
                )
                .await?;
            }
            ids.push(public_id);
        }
        ids.sort();
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.review_due",
                "common_list",
                Outcome::Ok,
                serde_json::json!({ "subjects": ids, "years": years }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Records that a subject's entry was reviewed on `today` (and keeps it).
    pub async fn mark_reviewed(
        &self,
        actor: &Actor,
        public_id: &str,
        today: Date,
    ) -> Result<Subject, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE list_subjects SET last_reviewed_on = $1, review_requested_on = NULL, updated_at = $2 \
             WHERE public_id = $3 AND status = 'listed'",
        )
        .bind(iso(today))
        .bind(now_ms())
        .bind(public_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("listed subject {public_id}")));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.review",
                format!("subject:{public_id}"),
                Outcome::Ok,
                serde_json::json!({ "reviewed_on": iso(today) }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.subject(public_id).await
    }

    /// Merges `from` into `into`: `from`'s names that `into` lacks become
    /// aliases of `into`, and `from` is no longer published on its own. If
    /// either was listed, the published list changes, so a new version is
    /// made. Refused while either has a proposal running.
    pub async fn merge_subjects(
        &self,
        actor: &Actor,
        from: &str,
        into: &str,
        reason: &str,
    ) -> Result<Merge, StoreError> {
        let reason = accord_core::validation::text("reason", reason, true, 2000)?;
        if from == into {
            return Err(Invalid::field("into", "a subject cannot be merged into itself").into());
        }
        let mut tx = self.begin().await?;
        let now = now_ms();
        // The write first: both rows, so two merges of the same subjects queue.
        let touched = sqlx::query(
            "UPDATE list_subjects SET updated_at = $1 WHERE public_id = $2 OR public_id = $3",
        )
        .bind(now)
        .bind(from)
        .bind(into)
        .execute(&mut *tx)
        .await?;
        if touched.rows_affected() != 2 {
            let missing = if self.subject(from).await.is_err() {
                from
            } else {
                into
            };
            return Err(StoreError::NotFound(format!("subject {missing}")));
        }
        let source = subject_in(&mut tx, from).await?;
        let target = subject_in(&mut tx, into).await?;
        if source.1.merged_into.is_some() {
            return Err(StoreError::Conflict(format!(
                "{from} is already merged into {}; undo that merge first",
                source.1.merged_into.unwrap_or_default()
            )));
        }
        if target.1.merged_into.is_some() {
            return Err(StoreError::Conflict(format!(
                "{into} is itself merged into another subject; merge into that one"
            )));
        }
        for (id, s) in [&source, &target] {
            if super::proposals::open_proposal_id(&mut tx, *id)
                .await?
                .is_some()
            {
                return Err(StoreError::Conflict(format!(
                    "{} has a proposal running; merge it when the proposal is decided",
                    s.public_id
                )));
            }
        }
        let mut entry = target.1.entry.clone();
        let mut added = Vec::new();
        for name in &source.1.entry.names {
            if entry.names.iter().any(|n| n.text == name.text) {
                continue;
            }
            let mut alias = name.clone();
            if alias.kind == NameKind::Primary {
                alias.kind = NameKind::Alias;
            }
            entry.names.push(alias.clone());
            added.push(alias);
        }
        sqlx::query("UPDATE list_subjects SET merged_into = $1 WHERE id = $2")
            .bind(target.0)
            .bind(source.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE list_subjects SET entry = $1 WHERE id = $2")
            .bind(encode(&entry))
            .bind(target.0)
            .execute(&mut *tx)
            .await?;
        let merge_id: i64 = sqlx::query_scalar(
            "INSERT INTO subject_merges (from_subject, into_subject, added_names, reason, merged_by, merged_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(source.0)
        .bind(target.0)
        .bind(encode(&added))
        .bind(&reason)
        .bind(&actor.label)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let published = [source.1.status, target.1.status].contains(&SubjectStatus::Listed);
        let version = if published {
            Some(
                super::versions::publish_next(
                    &mut tx,
                    super::VersionCause::Merge,
                    None,
                    Some(merge_id),
                    now,
                )
                .await?,
            )
        } else {
            None
        };
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.merge",
                format!("subject:{from}"),
                Outcome::Ok,
                serde_json::json!({ "into": into, "merge": merge_id, "added_names": added.len(), "version": version }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.merge(merge_id).await
    }

    /// Undoes a merge: `from` stands on its own again and the names the merge
    /// added to `into` are removed (later amendments of `into` are kept).
    pub async fn unmerge_subjects(
        &self,
        actor: &Actor,
        merge_id: i64,
    ) -> Result<Merge, StoreError> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let undone: Option<(i64, i64, String)> = sqlx::query_as(
            "UPDATE subject_merges SET undone_at = $1, undone_by = $2 \
             WHERE id = $3 AND undone_at IS NULL RETURNING from_subject, into_subject, added_names",
        )
        .bind(now)
        .bind(&actor.label)
        .bind(merge_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((from_id, into_id, added)) = undone else {
            return Err(match self.merge(merge_id).await {
                Ok(_) => StoreError::Conflict(format!("merge {merge_id} was already undone")),
                Err(e) => e,
            });
        };
        let added: Vec<EntryName> = decode(&added)?;
        let (into_entry, into_status, into_public): (String, String, String) =
            sqlx::query_as("SELECT entry, status, public_id FROM list_subjects WHERE id = $1")
                .bind(into_id)
                .fetch_one(&mut *tx)
                .await?;
        let (from_status, from_public): (String, String) =
            sqlx::query_as("SELECT status, public_id FROM list_subjects WHERE id = $1")
                .bind(from_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut entry: ListEntry = decode(&into_entry)?;
        entry.names.retain(|n| !added.contains(n));
        sqlx::query("UPDATE list_subjects SET entry = $1, updated_at = $2 WHERE id = $3")
            .bind(encode(&entry))
            .bind(now)
            .bind(into_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE list_subjects SET merged_into = NULL, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(from_id)
            .execute(&mut *tx)
            .await?;
        let published = from_status == "listed" || into_status == "listed";
        let version = if published {
            Some(
                super::versions::publish_next(
                    &mut tx,
                    super::VersionCause::Unmerge,
                    None,
                    Some(merge_id),
                    now,
                )
                .await?,
            )
        } else {
            None
        };
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.unmerge",
                format!("subject:{from_public}"),
                Outcome::Ok,
                serde_json::json!({ "into": into_public, "merge": merge_id, "version": version }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.merge(merge_id).await
    }

    /// One merge.
    pub async fn merge(&self, id: i64) -> Result<Merge, StoreError> {
        let row: Option<MergeRow> = sqlx::query_as(sql!("{MERGE_SELECT} WHERE g.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("merge {id}")))?
            .try_into()
    }

    /// Every merge, newest first (undone ones too, marked so).
    pub async fn all_merges(&self) -> Result<Vec<Merge>, StoreError> {
        let rows: Vec<MergeRow> = sqlx::query_as(sql!("{MERGE_SELECT} ORDER BY g.id DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(Merge::try_from).collect()
    }

    /// The merges a subject took part in (either side), oldest first.
    pub async fn merges(&self, public_id: &str) -> Result<Vec<Merge>, StoreError> {
        let rows: Vec<MergeRow> = sqlx::query_as(sql!(
            "{MERGE_SELECT} WHERE f.public_id = $1 OR i.public_id = $1 ORDER BY g.id"
        ))
        .bind(public_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Merge::try_from).collect()
    }
}

#[derive(FromRow)]
struct MergeRow {
    id: i64,
    from_public: String,
    into_public: String,
    added_names: String,
    reason: String,
    merged_by: String,
    merged_at: i64,
    undone_by: Option<String>,
    undone_at: Option<i64>,
}

const MERGE_SELECT: &str = "SELECT g.id, f.public_id AS from_public, i.public_id AS into_public, g.added_names, \
     g.reason, g.merged_by, g.merged_at, g.undone_by, g.undone_at FROM subject_merges g \
     JOIN list_subjects f ON f.id = g.from_subject JOIN list_subjects i ON i.id = g.into_subject";

impl TryFrom<MergeRow> for Merge {
    type Error = StoreError;
    fn try_from(r: MergeRow) -> Result<Merge, StoreError> {
        Ok(Merge {
            id: r.id,
            from: r.from_public,
            into: r.into_public,
            added_names: decode(&r.added_names)?,
            reason: r.reason,
            merged_by: r.merged_by,
            merged_at: r.merged_at,
            undone_by: r.undone_by,
            undone_at: r.undone_at,
        })
    }
}

/// A subject (with its row id) inside a transaction.
pub(crate) async fn subject_in(
    tx: &mut Transaction<'static, Any>,
    public_id: &str,
) -> Result<(i64, Subject), StoreError> {
    let row: Option<SubjectRow> = sqlx::query_as(sql!("{SUBJECT_SELECT} WHERE s.public_id = $1"))
        .bind(public_id)
        .fetch_optional(&mut **tx)
        .await?;
    let row = row.ok_or_else(|| StoreError::NotFound(format!("subject {public_id}")))?;
    let id = row.id;
    Ok((id, row.try_into()?))
}

/// The same day `years` earlier (29 February becomes 28 February).
pub(crate) fn years_before(today: Date, years: u32) -> Date {
    let year = today.year() - years as i32;
    Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, today.month(), today.day() - 1))
        .unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn review_cutoff_is_the_same_day_years_before() {
        assert_eq!(
            years_before(date!(2026 - 03 - 02), 3),
            date!(2023 - 03 - 02)
        );
        assert_eq!(
            years_before(date!(2028 - 02 - 29), 3),
            date!(2025 - 02 - 28)
        );
    }

    #[test]
    fn public_ids_are_padded() {
        assert_eq!(public_id(7), "ACL-0007");
        assert_eq!(public_id(12345), "ACL-12345");
    }

    #[test]
    fn entries_must_fit_their_kind() {
        let mut e = ListEntry::new("x", EntrySchema::Person);
        e.push_name(EntryName::new("Some Body", NameKind::Primary));
        assert!(check_entry(SubjectKind::Organization, "ACL-0001", e.clone()).is_err());
        let ok = check_entry(SubjectKind::Individual, "ACL-0001", e.clone()).unwrap();
        assert_eq!(ok.reference, "ACL-0001");
        assert!(check_entry(SubjectKind::Sponsor, "ACL-0001", e).is_err());
        let nameless = ListEntry::new("x", EntrySchema::Organization);
        assert!(check_entry(SubjectKind::Organization, "ACL-0002", nameless).is_err());
    }

    #[test]
    fn stored_names_parse_back() {
        for k in SubjectKind::ALL {
            assert_eq!(SubjectKind::from_str(k.as_str()).unwrap(), *k);
        }
        assert!(SubjectStatus::from_str("gone").is_err());
    }
}
