//! Members' reports: drafts, submissions, corrections, evidence files.
//!
//! Each version is a row; a submitted row is never updated (every update is
//! guarded by `submitted_at IS NULL`), so "submitted means immutable" holds
//! in the database too, not only in the domain.

use std::collections::BTreeMap;

use accord_core::audit::Outcome;
use accord_core::{Invalid, MemberCode, Principal};
use accord_plan::{
    CommitmentId, Evidence, Report, ReportContent, ReportVersion, ReportingRound, RoundId,
};
use sqlx::{Any, FromRow, Transaction};
use time::OffsetDateTime;

use super::{corrupt, decode, encode, ms, plan_error};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// Which report: the round, the member and the commitment.
pub type ReportKey<'a> = (&'a RoundId, &'a MemberCode, &'a CommitmentId);

/// A report with the revision a form must echo to change it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportRecord {
    pub report: Report,
    /// Bumped by every change; a write that names an older one is refused.
    pub revision: i64,
    pub updated_at: i64,
}

/// A file a member attaches as evidence.
#[derive(Debug, Clone)]
pub struct NewEvidenceFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A stored evidence file's description (the bytes are read separately).
#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct EvidenceFile {
    pub id: i64,
    pub round_id: String,
    pub member: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

const FILE_COLUMNS: &str = "id, round_id, member, file_name, content_type, size, sha256";

/// What a write does to the report, given its current state (`None` when
/// there is none yet).
enum Change<'a> {
    Draft(ReportContent),
    Submit,
    Correct(ReportContent),
    AttachFile(&'a NewEvidenceFile, String),
}

impl Change<'_> {
    fn audit_action(&self) -> &'static str {
        match self {
            Change::Draft(_) => "plan.report.draft",
            Change::Submit => "plan.report.submit",
            Change::Correct(_) => "plan.report.correct",
            Change::AttachFile(..) => "plan.report.attach",
        }
    }
}

fn key(round: &RoundId, member: &MemberCode, commitment: &CommitmentId) -> String {
    format!("report:{round}/{member}/{commitment}")
}

/// The round of a report change, locked for the rest of the transaction:
/// the no-op update takes its row lock (PostgreSQL; SQLite holds the
/// database's), so a cancellation of the round cannot slip between this read
/// and the change (`Store::cancel_plan_round`).
async fn round_in(
    tx: &mut Transaction<'static, Any>,
    id: &RoundId,
) -> Result<ReportingRound, StoreError> {
    let doc: Option<String> = sqlx::query_scalar(
        "UPDATE plan_rounds SET updated_at = updated_at WHERE id = $1 RETURNING doc",
    )
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    decode(&doc.ok_or_else(|| StoreError::NotFound(format!("round {id}")))?)
}

async fn versions_in(
    tx: &mut Transaction<'static, Any>,
    round: &RoundId,
    member: &MemberCode,
    commitment: &CommitmentId,
) -> Result<Vec<ReportVersion>, StoreError> {
    let docs: Vec<(String,)> = sqlx::query_as(
        "SELECT doc FROM plan_report_versions WHERE round_id = $1 AND member = $2 AND commitment_id = $3 \
         ORDER BY number",
    )
    .bind(round.as_str())
    .bind(member.as_str())
    .bind(commitment.as_str())
    .fetch_all(&mut **tx)
    .await?;
    docs.iter().map(|(d,)| decode(d)).collect()
}

/// Stored files must exist for the member before a report may cite them.
async fn check_files(
    tx: &mut Transaction<'static, Any>,
    member: &MemberCode,
    content: &ReportContent,
) -> Result<(), StoreError> {
    for (i, e) in content.evidence.iter().enumerate() {
        if let Evidence::File { sha256, .. } = e {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM plan_evidence_files WHERE member = $1 AND sha256 = $2",
            )
            .bind(member.as_str())
            .bind(sha256)
            .fetch_one(&mut **tx)
            .await?;
            if n == 0 {
                return Err(Invalid::field(
                    &format!("evidence[{i}].sha256"),
                    "no file with this hash was uploaded by your member; upload it first",
                )
                .into());
            }
        }
    }
    Ok(())
}

/// Writes the versions that differ from `before`: new ones are inserted, the
/// open draft updated (never a submitted one).
async fn persist(
    tx: &mut Transaction<'static, Any>,
    before: Option<&Report>,
    after: &Report,
) -> Result<(), StoreError> {
    let old = before.map(|r| r.versions()).unwrap_or_default();
    for v in after.versions() {
        let submitted_at = v.submitted.as_ref().map(|s| ms(s.at));
        match old.get(v.number as usize - 1) {
            Some(o) if o == v => {}
            Some(_) => {
                let done = sqlx::query(
                    "UPDATE plan_report_versions SET doc = $1, submitted_at = $2 \
                     WHERE round_id = $3 AND member = $4 AND commitment_id = $5 AND number = $6 \
                     AND submitted_at IS NULL",
                )
                .bind(encode(v))
                .bind(submitted_at)
                .bind(after.round.as_str())
                .bind(after.member.as_str())
                .bind(after.commitment.as_str())
                .bind(i64::from(v.number))
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!(
                        "version {} was submitted and cannot be changed; start a correction instead",
                        v.number
                    )));
                }
            }
            None => {
                sqlx::query(
                    "INSERT INTO plan_report_versions (round_id, member, commitment_id, number, doc, submitted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(after.round.as_str())
                .bind(after.member.as_str())
                .bind(after.commitment.as_str())
                .bind(i64::from(v.number))
                .bind(encode(v))
                .bind(submitted_at)
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    Ok(())
}

fn group(rows: Vec<(String, String, String, String)>) -> Result<Vec<Report>, StoreError> {
    let mut by: BTreeMap<(String, String, String), Vec<ReportVersion>> = BTreeMap::new();
    for (round, member, commitment, doc) in rows {
        by.entry((round, member, commitment))
            .or_default()
            .push(decode(&doc)?);
    }
    by.into_iter()
        .map(|((round, member, commitment), versions)| {
            Report::from_versions(
                RoundId::parse(&round).map_err(corrupt)?,
                MemberCode::parse(&member).map_err(corrupt)?,
                CommitmentId::parse(&commitment).map_err(corrupt)?,
                versions,
            )
            .map_err(corrupt)
        })
        .collect()
}

impl Store {
    /// Every report, or those of one round, with all their versions. Callers
    /// filter by viewer (`Report::submitted_for`, `versions_visible_to`).
    pub async fn plan_reports(&self, round: Option<&RoundId>) -> Result<Vec<Report>, StoreError> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT round_id, member, commitment_id, doc FROM plan_report_versions \
             WHERE ($1 = '' OR round_id = $1) ORDER BY round_id, member, commitment_id, number",
        )
        .bind(round.map(|r| r.as_str()).unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        group(rows)
    }

    /// One report, if any was started.
    pub async fn plan_report(
        &self,
        round: &RoundId,
        member: &MemberCode,
        commitment: &CommitmentId,
    ) -> Result<Option<ReportRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let head: Option<(i64, i64)> = sqlx::query_as(
            "SELECT revision, updated_at FROM plan_reports WHERE round_id = $1 AND member = $2 AND commitment_id = $3",
        )
        .bind(round.as_str())
        .bind(member.as_str())
        .bind(commitment.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((revision, updated_at)) = head else {
            return Ok(None);
        };
        let versions = versions_in(&mut tx, round, member, commitment).await?;
        tx.commit().await?;
        let report =
            Report::from_versions(round.clone(), member.clone(), commitment.clone(), versions)
                .map_err(corrupt)?;
        Ok(Some(ReportRecord {
            report,
            revision,
            updated_at,
        }))
    }

    /// How many enabled users of a member can draft or submit (contributors
    /// and administrators): separation of duties applies from two.
    pub async fn plan_member_drafters(&self, member: &MemberCode) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        let n = member_drafters(&mut tx, member).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Creates the report with a first draft, or changes its open draft.
    pub async fn save_plan_draft(
        &self,
        actor: &Actor,
        who: &Principal,
        key: ReportKey<'_>,
        content: ReportContent,
        expected_revision: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<ReportRecord, StoreError> {
        self.change_report(
            actor,
            who,
            key,
            Change::Draft(content),
            expected_revision,
            now,
        )
        .await
    }

    /// Submits the open draft (the member's administrator, separation of duties).
    pub async fn submit_plan_report(
        &self,
        actor: &Actor,
        who: &Principal,
        key: ReportKey<'_>,
        expected_revision: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<ReportRecord, StoreError> {
        self.change_report(actor, who, key, Change::Submit, expected_revision, now)
            .await
    }

    /// Starts a correction of the newest submitted version: a new draft; the
    /// submitted versions stay as they were.
    pub async fn correct_plan_report(
        &self,
        actor: &Actor,
        who: &Principal,
        key: ReportKey<'_>,
        content: ReportContent,
        expected_revision: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<ReportRecord, StoreError> {
        self.change_report(
            actor,
            who,
            key,
            Change::Correct(content),
            expected_revision,
            now,
        )
        .await
    }

    /// Stores a file and cites it in the open draft's evidence.
    #[allow(clippy::too_many_arguments)] // the file and its title are one thing each
    pub async fn attach_plan_evidence(
        &self,
        actor: &Actor,
        who: &Principal,
        key: ReportKey<'_>,
        file: &NewEvidenceFile,
        title: &str,
        expected_revision: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<ReportRecord, StoreError> {
        self.change_report(
            actor,
            who,
            key,
            Change::AttachFile(file, title.to_string()),
            expected_revision,
            now,
        )
        .await
    }

    async fn change_report(
        &self,
        actor: &Actor,
        who: &Principal,
        (round_id, member, commitment): ReportKey<'_>,
        change: Change<'_>,
        expected_revision: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<ReportRecord, StoreError> {
        let action = change.audit_action();
        let mut tx = self.begin().await?;
        let at = now_ms();
        // Bump first (a write before any read, so SQLite takes the write lock
        // at once): concurrent writers of one report queue here.
        let bumped: Option<i64> = sqlx::query_scalar(
            "UPDATE plan_reports SET revision = revision + 1, updated_at = $1 \
             WHERE round_id = $2 AND member = $3 AND commitment_id = $4 RETURNING revision",
        )
        .bind(at)
        .bind(round_id.as_str())
        .bind(member.as_str())
        .bind(commitment.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let round = round_in(&mut tx, round_id).await?;
        // Counted inside the transaction: the rule applies to the member's
        // users as they are when the report is submitted.
        let drafters = match change {
            Change::Submit => member_drafters(&mut tx, member).await?,
            _ => 0,
        };
        let before = match bumped {
            Some(revision) => {
                if expected_revision.is_some_and(|e| e != revision - 1) {
                    return Err(StoreError::Conflict(
                        "someone else changed this report since you opened it; reload it and apply your changes again"
                            .into(),
                    ));
                }
                let versions = versions_in(&mut tx, round_id, member, commitment).await?;
                Some(
                    Report::from_versions(
                        round_id.clone(),
                        member.clone(),
                        commitment.clone(),
                        versions,
                    )
                    .map_err(corrupt)?,
                )
            }
            None => {
                if expected_revision.is_some_and(|e| e != 0) {
                    return Err(StoreError::Conflict(
                        "this report is not where you left it; reload it".into(),
                    ));
                }
                None
            }
        };
        let mut details = serde_json::json!({});
        let after = match (change, &before) {
            (Change::Draft(content), None) => {
                check_files(&mut tx, member, &content).await?;
                Report::draft(who, &round, member, commitment, content, now)
            }
            (Change::Draft(content), Some(r)) => {
                check_files(&mut tx, member, &content).await?;
                r.edit(who, &round, content, now)
            }
            (Change::Correct(content), Some(r)) => {
                check_files(&mut tx, member, &content).await?;
                r.correct(who, &round, content, now)
            }
            (Change::Submit, Some(r)) => r.submit(who, &round, drafters, now),
            (Change::AttachFile(file, title), Some(r)) => {
                let Some(draft) = r.draft_version() else {
                    return Err(StoreError::Conflict(
                        "the report has no open draft; save a draft or start a correction first"
                            .into(),
                    ));
                };
                if draft.content.evidence.len() >= accord_plan::report::MAX_LIST_ITEMS {
                    return Err(Invalid::field(
                        "file",
                        format!(
                            "a report cites at most {} pieces of evidence",
                            accord_plan::report::MAX_LIST_ITEMS
                        ),
                    )
                    .into());
                }
                let (_, sha) = super::checked_file(file)?;
                if draft
                    .content
                    .evidence
                    .iter()
                    .any(|e| matches!(e, Evidence::File { sha256, .. } if *sha256 == sha))
                {
                    return Err(Invalid::field(
                        "file",
                        "this file is already attached to the draft",
                    )
                    .into());
                }
                // Check the rules before storing anything.
                accord_plan::can_draft(who, member, &round, commitment, now).map_err(plan_error)?;
                let sha = store_file(&mut tx, round_id, member, file, &actor.label).await?;
                details = serde_json::json!({ "file": file.file_name, "sha256": sha, "size": file.bytes.len() });
                let mut content = draft.content.clone();
                content.evidence.push(
                    Evidence::file("file", &file.file_name, &sha, &title).map_err(StoreError::Invalid)?,
                );
                r.edit(who, &round, content, now)
            }
            (Change::Submit | Change::Correct(_) | Change::AttachFile(..), None) => {
                return Err(StoreError::Conflict(
                    "there is no report yet; save a draft first".into(),
                ));
            }
        }
        .map_err(plan_error)?;
        let revision = match bumped {
            Some(r) => r,
            None => {
                let inserted = sqlx::query(
                    "INSERT INTO plan_reports (round_id, member, commitment_id, revision, updated_at) \
                     VALUES ($1, $2, $3, 1, $4)",
                )
                .bind(round_id.as_str())
                .bind(member.as_str())
                .bind(commitment.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await;
                match inserted {
                    Ok(_) => 1,
                    Err(e) if StoreError::is_unique_violation(&e) => {
                        return Err(StoreError::Conflict(
                            "someone else started this report at the same moment; reload it".into(),
                        ));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        persist(&mut tx, before.as_ref(), &after).await?;
        let latest = after.latest();
        let mut event = serde_json::json!({
            "version": latest.number,
            "status": latest.content.status.as_str(),
            "tlp": latest.content.tlp.to_string(),
            "revision": revision,
        });
        if let (Some(e), Some(d)) = (event.as_object_mut(), details.as_object()) {
            e.extend(d.clone());
        }
        audit::append(
            &mut tx,
            &actor.event(
                action,
                key(round_id, member, commitment),
                Outcome::Ok,
                event,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ReportRecord {
            report: after,
            revision,
            updated_at: at,
        })
    }

    /// A stored evidence file with its bytes; the read is audited. The caller
    /// has checked the reader may see a version that cites it.
    pub async fn plan_evidence_file(
        &self,
        actor: &Actor,
        member: &MemberCode,
        sha256: &str,
    ) -> Result<(EvidenceFile, Vec<u8>), StoreError> {
        let mut tx = self.begin().await?;
        // The audit record first: a write before any read (SQLite's lock),
        // undone with the rest if the file is not there.
        audit::append(
            &mut tx,
            &actor.event(
                "plan.evidence.read",
                format!("file:{sha256}"),
                Outcome::Ok,
                serde_json::json!({ "member": member.as_str() }),
            ),
        )
        .await?;
        let row: Option<EvidenceFile> = sqlx::query_as(sql!(
            "SELECT {FILE_COLUMNS} FROM plan_evidence_files WHERE member = $1 AND sha256 = $2 ORDER BY id LIMIT 1"
        ))
        .bind(member.as_str())
        .bind(sha256)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(meta) = row else {
            return Err(StoreError::NotFound(format!("file {sha256}")));
        };
        let bytes: Vec<u8> =
            sqlx::query_scalar("SELECT bytes FROM plan_evidence_files WHERE id = $1")
                .bind(meta.id)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok((meta, bytes))
    }
}

async fn member_drafters(
    tx: &mut Transaction<'static, Any>,
    member: &MemberCode,
) -> Result<usize, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u JOIN members m ON m.id = u.member_id \
         WHERE m.code = $1 AND u.disabled = 0 AND u.role IN ('contributor', 'member_admin')",
    )
    .bind(member.as_str())
    .fetch_one(&mut **tx)
    .await?;
    Ok(n as usize)
}

async fn store_file(
    tx: &mut Transaction<'static, Any>,
    round: &RoundId,
    member: &MemberCode,
    file: &NewEvidenceFile,
    by: &str,
) -> Result<String, StoreError> {
    let (name, sha) = super::checked_file(file)?;
    sqlx::query(
        "INSERT INTO plan_evidence_files (round_id, member, file_name, content_type, size, sha256, bytes, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(round.as_str())
    .bind(member.as_str())
    .bind(&name)
    .bind(file.content_type.trim())
    .bind(file.bytes.len() as i64)
    .bind(&sha)
    .bind(file.bytes.clone())
    .bind(by)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(sha)
}
