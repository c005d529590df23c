//! Browser sessions and the sign-in throttle. Both live in the database so
//! that any application node can serve any request.

use accord_core::Username;
use accord_core::audit::Outcome;
use accord_core::user::User;
use sqlx::FromRow;

use crate::credentials::{random_secret, token_hash};
use crate::users::{SignInFailure, USER_SELECT, UserRow};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// How long a session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A live session: the user and the CSRF token that its forms must carry.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub csrf_token: String,
}

/// Password checks (sign-in, and the current password of a password
/// change) are throttled per (account, client): the first `free_failures`
/// failures cost nothing, each further one doubles a wait from
/// `base_delay_ms` up to `max_delay_ms`. Nothing is ever locked: the right
/// password from another client still works, and a success from a client
/// clears its count. Failures are forgotten after `window_ms` without one.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub window_ms: i64,
    pub free_failures: i64,
    pub base_delay_ms: i64,
    pub max_delay_ms: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            window_ms: 60 * 60 * 1000,
            free_failures: 5,
            base_delay_ms: 30 * 1000,
            max_delay_ms: 15 * 60 * 1000,
        }
    }
}

impl LoginThrottle {
    /// How long to wait after the `failures`-th counted attempt.
    pub fn delay_after(&self, failures: i64) -> i64 {
        if failures < self.free_failures {
            return 0;
        }
        let doublings = (failures - self.free_failures).min(32) as u32;
        self.base_delay_ms
            .saturating_mul(1i64 << doublings)
            .min(self.max_delay_ms)
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
        let mut tx = self.begin().await?;
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
        let mut tx = self.begin().await?;
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

    /// Reserves one password check of `username` from `client`: counted
    /// as a failure before the password is verified, in one transaction
    /// whose first statement writes the pair's row (SQLite's write lock,
    /// PostgreSQL's row lock), so concurrent attempts on any node are counted
    /// one after another and at most `free_failures` are verified before the
    /// first delay.
    /// `Err(wait_ms)` when the pair must wait.
    pub(crate) async fn reserve_password_check(
        &self,
        throttle: &LoginThrottle,
        username: &str,
        client: &str,
    ) -> Result<Result<(), i64>, StoreError> {
        // An IPv6 client is counted by its /64: a fresh address per try
        // would otherwise reset its allowance.
        let client = &accord_core::client::client_network(client);
        let now = now_ms();
        let mut tx = self.begin().await?;
        let (failures, last_at, next_allowed_at): (i64, i64, i64) = sqlx::query_as(
            "INSERT INTO sign_in_throttle (username, client, failures, last_at, next_allowed_at) \
             VALUES ($1, $2, 0, $3, 0) \
             ON CONFLICT (username, client) DO UPDATE SET username = excluded.username \
             RETURNING failures, last_at, next_allowed_at",
        )
        .bind(username)
        .bind(client)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        // The row is ours now (locked): read the clock again, after any wait
        // for a concurrent attempt, so that times only grow.
        let now = now_ms().max(last_at);
        let (failures, next_allowed_at) = if now - last_at > throttle.window_ms {
            (0, 0)
        } else {
            (failures, next_allowed_at)
        };
        if next_allowed_at > now {
            tx.commit().await?;
            return Ok(Err(next_allowed_at - now));
        }
        let failures = failures + 1;
        sqlx::query(
            "UPDATE sign_in_throttle SET failures = $1, last_at = $2, next_allowed_at = $3 \
             WHERE username = $4 AND client = $5",
        )
        .bind(failures)
        .bind(now)
        .bind(now + throttle.delay_after(failures))
        .bind(username)
        .bind(client)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// A right password clears its client's count for the account.
    pub(crate) async fn clear_password_checks(
        &self,
        username: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        let client = &accord_core::client::client_network(client);
        sqlx::query("DELETE FROM sign_in_throttle WHERE username = $1 AND client = $2")
            .bind(username)
            .bind(client)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Checks a username and password from `actor`'s client, throttled
    /// (`StoreError::TooManyAttempts` without verifying anything) and
    /// audited when it fails. Takes the same time whether or not the user
    /// exists. The caller opens the session ([`Store::create_session`]).
    pub async fn sign_in(
        &self,
        actor: &Actor,
        throttle: &LoginThrottle,
        username: &str,
        password: &str,
    ) -> Result<Result<User, SignInFailure>, StoreError> {
        let _admitted = self.hasher.admit().await?;
        // The throttle's key is the name as stored, so that spellings of one
        // account share one count; a name that cannot exist is counted as given.
        let name = Username::parse(username).ok();
        let key = name.as_ref().map_or_else(
            || username.trim().to_lowercase().chars().take(64).collect(),
            |n| n.as_str().to_string(),
        );
        if let Err(wait_ms) = self
            .reserve_password_check(throttle, &key, &actor.ip)
            .await?
        {
            return Err(StoreError::TooManyAttempts { wait_ms });
        }
        let row: Option<(i64, String)> = match &name {
            Some(name) => {
                sqlx::query_as("SELECT id, password_hash FROM users WHERE username = $1")
                    .bind(name.as_str())
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => None,
        };
        let (id, phc) = match row {
            Some((id, phc)) => (Some(id), Some(phc)),
            None => (None, None),
        };
        let verified = self.hasher.verify(password, phc).await?;
        let failure = match (verified, id) {
            (true, Some(id)) => {
                self.clear_password_checks(&key, &actor.ip).await?;
                // Counts older than the window are worth nothing: sweep them
                // (names that do not exist, clients that went away).
                sqlx::query("DELETE FROM sign_in_throttle WHERE last_at < $1")
                    .bind(now_ms() - throttle.window_ms)
                    .execute(&self.pool)
                    .await?;
                let user = self.user(id).await?;
                if !user.disabled {
                    return Ok(Ok(user));
                }
                SignInFailure::Disabled
            }
            _ => SignInFailure::BadCredentials,
        };
        let mut tx = self.begin().await?;
        audit::append(
            &mut tx,
            &actor.event(
                "auth.sign_in",
                format!("username:{key}"),
                Outcome::Denied,
                serde_json::json!({ "reason": match failure {
                    SignInFailure::BadCredentials => "bad credentials",
                    SignInFailure::Disabled => "disabled",
                } }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Err(failure))
    }

    /// Checks that `token` is an API token of `username` — the sign-in of a
    /// client that takes a username and password where the password is an
    /// API token (the Tech Against Terrorism hash list client). Throttled and
    /// audited as a password sign-in is.
    pub async fn token_sign_in(
        &self,
        actor: &Actor,
        throttle: &LoginThrottle,
        username: &str,
        token: &str,
    ) -> Result<Result<User, SignInFailure>, StoreError> {
        let key: String = Username::parse(username).map_or_else(
            |_| username.trim().to_lowercase().chars().take(64).collect(),
            |n| n.as_str().to_string(),
        );
        if let Err(wait_ms) = self
            .reserve_password_check(throttle, &key, &actor.ip)
            .await?
        {
            return Err(StoreError::TooManyAttempts { wait_ms });
        }
        let failure = match self.token_user(token.trim()).await? {
            Some(user) if user.username.as_str() == key => {
                if !user.disabled {
                    self.clear_password_checks(&key, &actor.ip).await?;
                    return Ok(Ok(user));
                }
                SignInFailure::Disabled
            }
            _ => SignInFailure::BadCredentials,
        };
        let mut tx = self.begin().await?;
        audit::append(
            &mut tx,
            &actor.event(
                "auth.token_sign_in",
                format!("username:{key}"),
                Outcome::Denied,
                serde_json::json!({ "reason": match failure {
                    SignInFailure::BadCredentials => "bad credentials",
                    SignInFailure::Disabled => "disabled",
                } }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Err(failure))
    }

    /// Forgets the failed password checks of an account from every client
    /// (`accord user unlock`), audited.
    pub async fn unlock_user(&self, actor: &Actor, username: &Username) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let cleared = sqlx::query("DELETE FROM sign_in_throttle WHERE username = $1")
            .bind(username.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let id = id.ok_or_else(|| StoreError::NotFound(format!("user {username}")))?;
        audit::append(
            &mut tx,
            &actor.event(
                "users.unlock",
                format!("user:{id}"),
                Outcome::Ok,
                serde_json::json!({ "clients": cleared }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(cleared)
    }

    /// How many argon2 verifications this store has run (for the metrics
    /// and the throttle's tests).
    pub fn password_verifications(&self) -> u64 {
        self.hasher.verifications()
    }
}
