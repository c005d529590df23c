//! Versions of the published common list. Every adopted change (and every
//! merge or unmerge of a listed subject) makes the next version: a snapshot of
//! every listed subject with its published narrative summary — never a
//! statement of case. Versions are immutable (database triggers refuse UPDATE
//! and DELETE) and any two can be compared.

use std::collections::BTreeMap;

use accord_lists::{ChangedEntry, ListDiff, ListEntry};
use serde::{Deserialize, Serialize};
use sqlx::{Any, FromRow, Transaction};

use super::subjects::{SUBJECT_SELECT, Subject, SubjectKind, SubjectRow};
use super::{decode, encode, text_enum};
use crate::{Store, StoreError};

/// What made a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionCause {
    /// An adopted proposal (list, amend, delist, delisting recommendation).
    Proposal,
    Merge,
    Unmerge,
}

text_enum!(VersionCause, "cause", {
    Proposal => "proposal",
    Merge => "merge",
    Unmerge => "unmerge",
});

/// One published subject in a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedEntry {
    pub public_id: String,
    pub kind: SubjectKind,
    /// Its `reference` is the public identifier.
    pub entry: ListEntry,
    /// The published summary of the reasons for listing.
    pub narrative_summary: String,
    pub listed_on: Option<String>,
    pub un_reference: Option<String>,
}

impl PublishedEntry {
    fn of(s: Subject) -> PublishedEntry {
        PublishedEntry {
            public_id: s.public_id,
            kind: s.kind,
            entry: s.entry,
            narrative_summary: s.narrative_summary,
            listed_on: s.listed_on.map(super::iso),
            un_reference: s.un_reference,
        }
    }
}

/// A version's description (without its entries).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListVersion {
    pub version: i64,
    pub created_at: i64,
    pub entry_count: i64,
    /// What changed from the previous version.
    pub changes: ListDiff,
    pub cause: VersionCause,
    pub proposal_id: Option<i64>,
    pub merge_id: Option<i64>,
}

/// A whole version, as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedVersion {
    pub version: ListVersion,
    pub entries: Vec<PublishedEntry>,
    /// The version before it (none for the first): what it held and this
    /// one does not is what this version removed, which the STIX export
    /// revokes. Not part of the version's JSON.
    #[serde(skip)]
    pub previous: Option<PreviousVersion>,
}

/// The entries of the version a [`PublishedVersion`] follows, and when it
/// was published.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousVersion {
    pub created_at: i64,
    pub entries: Vec<ListEntry>,
}

impl PublishedVersion {
    /// The entries alone, e.g. for `accord_exports::ExportVersion`.
    pub fn list_entries(&self) -> Vec<ListEntry> {
        self.entries.iter().map(|e| e.entry.clone()).collect()
    }

    /// Published summaries by reference (for `ExportVersion::summaries`).
    pub fn summaries(&self) -> BTreeMap<String, String> {
        self.entries
            .iter()
            .filter(|e| !e.narrative_summary.is_empty())
            .map(|e| (e.public_id.clone(), e.narrative_summary.clone()))
            .collect()
    }
}

#[derive(FromRow)]
struct VersionRow {
    version: i64,
    created_at: i64,
    entry_count: i64,
    changes: String,
    cause: String,
    proposal_id: Option<i64>,
    merge_id: Option<i64>,
}

#[derive(FromRow)]
struct PublishedRow {
    #[sqlx(flatten)]
    version: VersionRow,
    entries: String,
}

const VERSION_COLUMNS: &str =
    "version, created_at, entry_count, changes, cause, proposal_id, merge_id";

impl TryFrom<VersionRow> for ListVersion {
    type Error = StoreError;
    fn try_from(r: VersionRow) -> Result<ListVersion, StoreError> {
        Ok(ListVersion {
            version: r.version,
            created_at: r.created_at,
            entry_count: r.entry_count,
            changes: decode(&r.changes)?,
            cause: super::stored(&r.cause, "version cause")?,
            proposal_id: r.proposal_id,
            merge_id: r.merge_id,
        })
    }
}

/// What differs between two sets of published entries: the entries' fields
/// (`accord_lists::diff`) and the published summary and kind.
pub fn compare(old: &[PublishedEntry], new: &[PublishedEntry]) -> ListDiff {
    let old_entries: Vec<ListEntry> = old.iter().map(|e| e.entry.clone()).collect();
    let new_entries: Vec<ListEntry> = new.iter().map(|e| e.entry.clone()).collect();
    let mut diff = accord_lists::diff(&old_entries, &new_entries);
    let old_by: BTreeMap<&str, &PublishedEntry> =
        old.iter().map(|e| (e.public_id.as_str(), e)).collect();
    for n in new {
        let Some(o) = old_by.get(n.public_id.as_str()) else {
            continue;
        };
        let mut extra = Vec::new();
        if o.narrative_summary != n.narrative_summary {
            extra.push("narrative_summary".to_string());
        }
        if o.kind != n.kind {
            extra.push("kind".to_string());
        }
        if o.un_reference != n.un_reference {
            extra.push("un_reference".to_string());
        }
        if extra.is_empty() {
            continue;
        }
        match diff.changed.iter_mut().find(|c| c.reference == n.public_id) {
            Some(c) => c.fields.extend(extra),
            None => diff.changed.push(ChangedEntry {
                reference: n.public_id.clone(),
                fields: extra,
            }),
        }
    }
    diff.changed.sort_by(|a, b| a.reference.cmp(&b.reference));
    diff
}

/// Makes the next version from the subjects as they are now in `tx`. The
/// first statement updates the list head, which serializes versions.
pub(crate) async fn publish_next(
    tx: &mut Transaction<'static, Any>,
    cause: VersionCause,
    proposal_id: Option<i64>,
    merge_id: Option<i64>,
    now: i64,
) -> Result<i64, StoreError> {
    let version: i64 = sqlx::query_scalar(
        "UPDATE list_head SET version = version + 1 WHERE id = 1 RETURNING version",
    )
    .fetch_one(&mut **tx)
    .await?;
    let rows: Vec<SubjectRow> = sqlx::query_as(sql!(
        "{SUBJECT_SELECT} WHERE s.status = 'listed' AND s.merged_into IS NULL ORDER BY s.public_id"
    ))
    .fetch_all(&mut **tx)
    .await?;
    let entries: Vec<PublishedEntry> = rows
        .into_iter()
        .map(|r| Subject::try_from(r).map(PublishedEntry::of))
        .collect::<Result<_, _>>()?;
    let previous: Option<String> =
        sqlx::query_scalar("SELECT entries FROM list_versions WHERE version = $1")
            .bind(version - 1)
            .fetch_optional(&mut **tx)
            .await?;
    let previous: Vec<PublishedEntry> = match previous {
        Some(p) => decode(&p)?,
        None => Vec::new(),
    };
    let changes = compare(&previous, &entries);
    sqlx::query(
        "INSERT INTO list_versions (version, created_at, entry_count, entries, changes, cause, proposal_id, merge_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(version)
    .bind(now)
    .bind(entries.len() as i64)
    .bind(encode(&entries))
    .bind(encode(&changes))
    .bind(cause.as_str())
    .bind(proposal_id)
    .bind(merge_id)
    .execute(&mut **tx)
    .await?;
    Ok(version)
}

impl Store {
    /// Every version of the common list, newest first.
    pub async fn list_versions(&self) -> Result<Vec<ListVersion>, StoreError> {
        let rows: Vec<VersionRow> = sqlx::query_as(sql!(
            "SELECT {VERSION_COLUMNS} FROM list_versions ORDER BY version DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ListVersion::try_from).collect()
    }

    /// The number of the current version (`None` before the first adoption),
    /// without reading any version's entries or changes.
    pub async fn current_list_version(&self) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM list_versions")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// A version with its entries; `None` for the current one. Public: it
    /// holds only what is published (entries and narrative summaries).
    pub async fn published_list(
        &self,
        version: Option<i64>,
    ) -> Result<PublishedVersion, StoreError> {
        let mut v = self.published_list_alone(version).await?;
        if v.version.version > 1 {
            let before = self
                .published_list_alone(Some(v.version.version - 1))
                .await?;
            v.previous = Some(PreviousVersion {
                created_at: before.version.created_at,
                entries: before.list_entries(),
            });
        }
        Ok(v)
    }

    /// [`Store::published_list`] without its previous version, for callers
    /// that write no STIX export of it (screening, the TAXII projection).
    pub async fn published_list_alone(
        &self,
        version: Option<i64>,
    ) -> Result<PublishedVersion, StoreError> {
        let row: Option<PublishedRow> = sqlx::query_as(sql!(
            "SELECT {VERSION_COLUMNS}, entries FROM list_versions \
             WHERE version = COALESCE($1, (SELECT MAX(version) FROM list_versions))"
        ))
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(match version {
                Some(v) => format!("version {v} of the common list"),
                None => "a published version of the common list".into(),
            }));
        };
        Ok(PublishedVersion {
            entries: decode(&row.entries)?,
            version: ListVersion::try_from(row.version)?,
            previous: None,
        })
    }

    /// What changed from version `a` to version `b` (either may be older);
    /// version 0 is the empty list before the first.
    pub async fn compare_versions(&self, a: i64, b: i64) -> Result<ListDiff, StoreError> {
        let load = |v: i64| async move {
            if v == 0 {
                Ok(Vec::new())
            } else {
                self.published_list_alone(Some(v)).await.map(|p| p.entries)
            }
        };
        let old = load(a).await?;
        let new = load(b).await?;
        Ok(compare(&old, &new))
    }
}
