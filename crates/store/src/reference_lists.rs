//! Reference lists (UN, OFAC…) in versions. An import that changes nothing
//! makes no new version; one that does records what it added, removed and
//! changed, and the records the reader had to skip.

use accord_core::Invalid;
use accord_core::audit::Outcome;
use accord_lists::{ChangedEntry, List, ListEntry, ListSource, SkippedRecord};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::{Actor, Store, StoreError, audit, now_ms};

/// What an import did, kept with the version it made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<ChangedEntry>,
    /// Well-formed records that could not be used, with their position.
    pub skipped: Vec<SkippedRecord>,
}

/// One stored version of a reference list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceVersion {
    pub id: i64,
    pub list: String,
    pub version: i64,
    pub source: String,
    pub generated: Option<String>,
    pub entry_count: i64,
    pub imported_at: i64,
    pub imported_by: String,
    pub report: ImportReport,
}

/// The result of an import: the version now current, and whether this import made it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub version: ReferenceVersion,
    pub created: bool,
    /// What this import changed (empty when `created` is false).
    pub report: ImportReport,
}

#[derive(FromRow)]
struct VersionRow {
    id: i64,
    list: String,
    version: i64,
    source: String,
    generated: Option<String>,
    entry_count: i64,
    imported_at: i64,
    imported_by: String,
    report: String,
}

impl TryFrom<VersionRow> for ReferenceVersion {
    type Error = StoreError;
    fn try_from(r: VersionRow) -> Result<Self, StoreError> {
        Ok(ReferenceVersion {
            id: r.id,
            list: r.list,
            version: r.version,
            source: r.source,
            generated: r.generated,
            entry_count: r.entry_count,
            imported_at: r.imported_at,
            imported_by: r.imported_by,
            report: serde_json::from_str(&r.report)
                .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?,
        })
    }
}

const VERSION_COLUMNS: &str =
    "id, list, version, source, generated, entry_count, imported_at, imported_by, report";

/// Rows per INSERT when storing entries: well under both backends' parameter limits.
const INSERT_CHUNK: usize = 400;

/// Reference list names are short lower-case words ("un", "ofac").
pub fn check_list_name(name: &str) -> Result<(), Invalid> {
    let ok = (2..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Invalid::field(
            "list",
            "must be 2 to 32 lower-case letters, digits or '-', e.g. un or ofac",
        ))
    }
}

fn source_name(source: &ListSource) -> String {
    serde_json::to_value(source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{source:?}"))
}

fn decode<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

impl Store {
    /// Stores `list` as the next version of `name`, unless it equals the current version.
    pub async fn import_reference_list(
        &self,
        actor: &Actor,
        name: &str,
        list: &List,
    ) -> Result<ImportOutcome, StoreError> {
        check_list_name(name)?;
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = list
            .entries
            .iter()
            .find(|e| !seen.insert(e.reference.as_str()))
        {
            return Err(Invalid::field(
                "file",
                format!(
                    "the reference {} appears twice; nothing was imported",
                    dup.reference
                ),
            )
            .into());
        }
        let current = self.reference_list(name, None).await;
        let (previous, old_entries) = match current {
            Ok((v, old)) => (Some(v), old.entries),
            Err(StoreError::NotFound(_)) => (None, Vec::new()),
            Err(e) => return Err(e),
        };
        let diff = accord_lists::diff(&old_entries, &list.entries);
        if let Some(version) = previous.clone()
            && diff.is_empty()
        {
            return Ok(ImportOutcome {
                version,
                created: false,
                report: ImportReport::default(),
            });
        }
        let report = ImportReport {
            added: diff.added,
            removed: diff.removed,
            changed: diff.changed,
            skipped: list.skipped.clone(),
        };
        let next = previous.as_ref().map(|v| v.version + 1).unwrap_or(1);
        let mut tx = self.begin().await?;
        let inserted: Result<VersionRow, sqlx::Error> = sqlx::query_as(sql!(
            "INSERT INTO reference_list_versions (list, version, source, generated, entry_count, imported_at, imported_by, report) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {VERSION_COLUMNS}"
        ))
        .bind(name)
        .bind(next)
        .bind(source_name(&list.source))
        .bind(list.generated.as_deref())
        .bind(list.entries.len() as i64)
        .bind(now_ms())
        .bind(&actor.label)
        .bind(serde_json::to_string(&report).expect("a report serializes"))
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted {
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "another import of {name} finished first; run this import again to compare with it"
                )));
            }
            other => other?,
        };
        for chunk in list.entries.chunks(INSERT_CHUNK) {
            let placeholders: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            let text = format!(
                "INSERT INTO reference_entries (version_id, reference, entry) VALUES {}",
                placeholders.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for e in chunk {
                q = q
                    .bind(row.id)
                    .bind(e.reference.clone())
                    .bind(serde_json::to_string(e).expect("an entry serializes"));
            }
            q.execute(&mut *tx).await?;
        }
        let event = actor.event(
            "reference_lists.import",
            format!("reference_list:{name}:{next}"),
            Outcome::Ok,
            serde_json::json!({
                "entries": list.entries.len(),
                "added": report.added.len(),
                "removed": report.removed.len(),
                "changed": report.changed.len(),
                "skipped": report.skipped.len(),
            }),
        );
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        let version = ReferenceVersion::try_from(row)?;
        Ok(ImportOutcome {
            version,
            created: true,
            report,
        })
    }

    /// Versions of a list, newest first.
    pub async fn reference_versions(
        &self,
        name: &str,
    ) -> Result<Vec<ReferenceVersion>, StoreError> {
        let rows: Vec<VersionRow> = sqlx::query_as(sql!(
            "SELECT {VERSION_COLUMNS} FROM reference_list_versions WHERE list = $1 ORDER BY version DESC"
        ))
        .bind(name)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ReferenceVersion::try_from).collect()
    }

    /// The current version of every stored list.
    pub async fn current_reference_versions(&self) -> Result<Vec<ReferenceVersion>, StoreError> {
        let rows: Vec<VersionRow> = sqlx::query_as(sql!(
            "SELECT {VERSION_COLUMNS} FROM reference_list_versions v WHERE version = \
             (SELECT MAX(version) FROM reference_list_versions w WHERE w.list = v.list) ORDER BY list"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ReferenceVersion::try_from).collect()
    }

    /// The entry with this reference (compared without regard to case) in
    /// the current version of a list, with that version; `None` when the
    /// list has no such entry or was never imported.
    pub async fn reference_entry(
        &self,
        name: &str,
        reference: &str,
    ) -> Result<Option<(ReferenceVersion, ListEntry)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        current_entry(&mut conn, name, reference).await
    }

    /// The references and primary names of the current version of a list,
    /// by reference (empty when the list was never imported) — for pickers.
    pub async fn reference_names(&self, name: &str) -> Result<Vec<(String, String)>, StoreError> {
        match self.reference_list(name, None).await {
            Ok((_, list)) => Ok(list
                .entries
                .iter()
                .map(|e| {
                    (
                        e.reference.clone(),
                        e.primary_name().unwrap_or_default().to_string(),
                    )
                })
                .collect()),
            Err(StoreError::NotFound(_)) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// A version of a list with its entries (the current one when `version` is `None`).
    pub async fn reference_list(
        &self,
        name: &str,
        version: Option<i64>,
    ) -> Result<(ReferenceVersion, List), StoreError> {
        let row: Option<VersionRow> = sqlx::query_as(sql!(
            "SELECT {VERSION_COLUMNS} FROM reference_list_versions WHERE list = $1 AND \
             version = COALESCE($2, (SELECT MAX(version) FROM reference_list_versions WHERE list = $1))"
        ))
        .bind(name)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        let what = match version {
            Some(v) => format!("version {v} of the reference list {name}"),
            None => format!("reference list {name}"),
        };
        let meta = ReferenceVersion::try_from(row.ok_or(StoreError::NotFound(what))?)?;
        let entries: Vec<(String,)> = sqlx::query_as(
            "SELECT entry FROM reference_entries WHERE version_id = $1 ORDER BY reference",
        )
        .bind(meta.id)
        .fetch_all(&self.pool)
        .await?;
        let entries: Vec<ListEntry> = entries
            .iter()
            .map(|(e,)| decode(e))
            .collect::<Result<_, _>>()?;
        let source: ListSource =
            decode(&format!("\"{}\"", meta.source)).unwrap_or(ListSource::FollowTheMoney);
        let list = List {
            source,
            generated: meta.generated.clone(),
            entries,
            skipped: meta.report.skipped.clone(),
        };
        Ok((meta, list))
    }
}

/// [`Store::reference_entry`] on a connection (also inside a transaction).
pub(crate) async fn current_entry(
    conn: &mut sqlx::AnyConnection,
    name: &str,
    reference: &str,
) -> Result<Option<(ReferenceVersion, ListEntry)>, StoreError> {
    let row: Option<VersionRow> = sqlx::query_as(sql!(
        "SELECT {VERSION_COLUMNS} FROM reference_list_versions WHERE list = $1 AND \
         version = (SELECT MAX(version) FROM reference_list_versions WHERE list = $1)"
    ))
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let meta = ReferenceVersion::try_from(row)?;
    let entry: Option<(String,)> = sqlx::query_as(
        "SELECT entry FROM reference_entries WHERE version_id = $1 AND LOWER(reference) = LOWER($2)",
    )
    .bind(meta.id)
    .bind(reference.trim())
    .fetch_optional(&mut *conn)
    .await?;
    match entry {
        Some((e,)) => Ok(Some((meta, decode(&e)?))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_names_are_short_lower_case_words() {
        assert!(check_list_name("un").is_ok());
        assert!(check_list_name("ofac-cons").is_ok());
        assert!(check_list_name("UN").is_err());
        assert!(check_list_name("x").is_err());
        assert!(check_list_name("a b").is_err());
    }

    #[test]
    fn sources_are_stored_by_their_serde_name() {
        let name = source_name(&ListSource::Un);
        let back: ListSource = serde_json::from_str(&format!("\"{name}\"")).unwrap();
        assert_eq!(back, ListSource::Un);
    }
}
