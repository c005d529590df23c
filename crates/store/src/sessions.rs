//! Browser sessions and the sign-in throttle. Both live in the database so
//! that any application node can serve any request.

use accord_core::audit::Outcome;
use accord_core::user::User;
use sqlx::FromRow;

use crate::credentials::{random_secret, token_hash};
use crate::users::{USER_SELECT, UserRow};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// How long a session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A live session: the user and the CSRF token that its forms must carry.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub csrf_token: String,
}

/// Failed sign-ins are limited per account and per address over a window.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub window_ms: i64,
    pub max_failures_per_user: i64,
    pub max_failures_per_ip: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            window_ms: 15 * 60 * 1000,
            max_failures_per_user: 5,
            max_failures_per_ip: 20,
        }
    }
}

#[derive(FromRow)]
struct SessionUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
}

impl Store {
    /// Opens a session and returns its secret token (kept only in the cookie).
    pub async fn create_session(
        &self,
        actor: &Actor,
        user_id: i64,
    ) -> Result<(String, String), StoreError> {
        let token = random_secret();
        let csrf = random_secret();
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(&csrf)
        .bind(now)
        .bind(now + SESSION_TTL_MS)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "auth.sign_in",
                format!("user:{user_id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((token, csrf))
    }

    /// The signed-in user of a session token, if the session is live and the account enabled.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>, StoreError> {
        let row: Option<SessionUserRow> = sqlx::query_as(sql!(
            "SELECT q.*, s.csrf_token FROM sessions s JOIN ({USER_SELECT}) q ON q.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND q.disabled = 0"
        ))
        .bind(token_hash(token))
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionInfo {
                user: r.user.try_into()?,
                csrf_token: r.csrf_token,
            })
        })
        .transpose()
    }

    pub async fn end_session(&self, actor: &Actor, token: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *tx)
            .await?;
        if ended.rows_affected() > 0 {
            audit::append(
                &mut tx,
                &actor.event(
                    "auth.sign_out",
                    actor.label.clone(),
                    Outcome::Ok,
                    serde_json::json!({}),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a sign-in attempt; failures are audited too.
    pub async fn record_login_attempt(
        &self,
        actor: &Actor,
        username: &str,
        success: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO login_attempts (username, ip, at, success) VALUES ($1, $2, $3, $4)",
        )
        .bind(username)
        .bind(&actor.ip)
        .bind(now_ms())
        .bind(i64::from(success))
        .execute(&mut *tx)
        .await?;
        if !success {
            let event = actor.event(
                "auth.sign_in",
                format!("username:{username}"),
                Outcome::Denied,
                serde_json::json!({}),
            );
            audit::append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many milliseconds until `username` from `ip` may try again; 0 when allowed now.
    pub async fn login_wait_ms(
        &self,
        throttle: &LoginThrottle,
        username: &str,
        ip: &str,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let since = now - throttle.window_ms;
        let mut wait = 0;
        for (column, value, max) in [
            ("username", username, throttle.max_failures_per_user),
            ("ip", ip, throttle.max_failures_per_ip),
        ] {
            // Failures since the last success of this account or address count.
            let (count, oldest): (i64, Option<i64>) = sqlx::query_as(sql!(
                "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE {column} = $1 AND at > $2 AND success = 0 \
                 AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE {column} = $1 AND success = 1), 0)"
            ))
            .bind(value)
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
            if count >= max {
                wait = wait.max(oldest.unwrap_or(now) + throttle.window_ms - now);
            }
        }
        Ok(wait.max(0))
    }
}
