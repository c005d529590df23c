//! Batch screening jobs: progress and results, visible to their owner only.

use serde::Serialize;
use sqlx::FromRow;

use crate::credentials::random_secret;
use crate::{Store, StoreError, now_ms};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ScreeningJob {
    pub id: String,
    pub user_id: i64,
    pub file_name: String,
    /// "running", "done", "failed" or "expired" (done, its result deleted).
    pub status: String,
    pub total: Option<i64>,
    pub done: i64,
    /// JSON summary of a finished job.
    pub summary: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// How long a running job may go without a heartbeat (progress is written
/// twice a second while it runs).
pub const JOB_SILENCE_MS: i64 = 60_000;

const JOB_COLUMNS: &str =
    "id, user_id, file_name, status, total, done, summary, error, created_at, finished_at";

impl Store {
    pub async fn create_screening_job(
        &self,
        user_id: i64,
        file_name: &str,
        total: Option<i64>,
    ) -> Result<ScreeningJob, StoreError> {
        let job: ScreeningJob = sqlx::query_as(sql!(
            "INSERT INTO screening_jobs (id, user_id, file_name, status, total, done, created_at, updated_at) \
             VALUES ($1, $2, $3, 'running', $4, 0, $5, $5) RETURNING {JOB_COLUMNS}"
        ))
        .bind(random_secret())
        .bind(user_id)
        .bind(file_name)
        .bind(total)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok(job)
    }

    /// Records progress; doubles as the job's heartbeat.
    pub async fn set_screening_progress(&self, id: &str, done: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE screening_jobs SET done = $1, updated_at = $2 WHERE id = $3 AND status = 'running'")
            .bind(done)
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records the outcome: the result CSV, or the error.
    pub async fn finish_screening_job(
        &self,
        id: &str,
        outcome: Result<(i64, String, String), String>,
    ) -> Result<(), StoreError> {
        let q = match outcome {
            Ok((done, summary, result)) => sqlx::query(
                "UPDATE screening_jobs SET status = 'done', done = $1, summary = $2, result = $3, finished_at = $4 WHERE id = $5",
            )
            .bind(done)
            .bind(summary)
            .bind(result)
            .bind(now_ms())
            .bind(id.to_string()),
            Err(error) => sqlx::query("UPDATE screening_jobs SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3")
                .bind(error)
                .bind(now_ms())
                .bind(id.to_string()),
        };
        q.execute(&self.pool).await?;
        Ok(())
    }

    /// A job, if it belongs to `user_id` (another user's job is "not found").
    /// A running job without a heartbeat for [`JOB_SILENCE_MS`] is marked
    /// failed first: the node running it has stopped.
    pub async fn screening_job(&self, id: &str, user_id: i64) -> Result<ScreeningJob, StoreError> {
        sqlx::query(
            "UPDATE screening_jobs SET status = 'failed', error = $1, finished_at = $2 \
             WHERE id = $3 AND status = 'running' AND COALESCE(updated_at, created_at) < $4",
        )
        .bind("interrupted: the server running this job stopped; upload the file again")
        .bind(now_ms())
        .bind(id)
        .bind(now_ms() - JOB_SILENCE_MS)
        .execute(&self.pool)
        .await?;
        let job: Option<ScreeningJob> = sqlx::query_as(sql!(
            "SELECT {JOB_COLUMNS} FROM screening_jobs WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        job.ok_or_else(|| StoreError::NotFound("screening job".into()))
    }

    pub async fn screening_job_result(&self, id: &str, user_id: i64) -> Result<String, StoreError> {
        let result: Option<Option<String>> = sqlx::query_scalar(
            "SELECT result FROM screening_jobs WHERE id = $1 AND user_id = $2 AND status = 'done'",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        result
            .flatten()
            .ok_or_else(|| StoreError::NotFound("screening result".into()))
    }

    /// Deletes the results of jobs finished before `before_ms` (each result
    /// holds the screened names): the job stays, `expired`, with its counts.
    /// Called before every read of a job, so no node serves an old result.
    pub async fn expire_screening_results(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE screening_jobs SET result = NULL, status = 'expired' \
             WHERE status = 'done' AND finished_at < $1",
        )
        .bind(before_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// How many of the user's jobs are running (with a heartbeat in the last
    /// [`JOB_SILENCE_MS`]).
    pub async fn running_screening_jobs(&self, user_id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM screening_jobs WHERE user_id = $1 AND status = 'running' \
             AND COALESCE(updated_at, created_at) >= $2",
        )
        .bind(user_id)
        .bind(now_ms() - JOB_SILENCE_MS)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The user's recent jobs, newest first.
    pub async fn screening_jobs(&self, user_id: i64) -> Result<Vec<ScreeningJob>, StoreError> {
        Ok(sqlx::query_as(sql!(
            "SELECT {JOB_COLUMNS} FROM screening_jobs WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
