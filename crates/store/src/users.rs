//! Accounts and password sign-in.

use accord_core::audit::Outcome;
use accord_core::user::{NewUser, User, check_password};
use accord_core::{Invalid, MemberCode, MemberKind, Role, Username};
use sqlx::FromRow;

use crate::credentials::{random_secret, token_hash};
use crate::sessions::{LoginThrottle, SESSION_TTL_MS};
use crate::{Actor, Store, StoreError, audit, now_ms};

#[derive(FromRow)]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    member_code: Option<String>,
    member_kind: Option<String>,
    role: String,
    disabled: i64,
    must_change_password: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User, StoreError> {
        Ok(User {
            id: r.id,
            username: Username::parse(&r.username)?,
            display_name: r.display_name,
            member: r
                .member_code
                .as_deref()
                .map(MemberCode::parse)
                .transpose()?,
            member_kind: r
                .member_kind
                .as_deref()
                .map(str::parse::<MemberKind>)
                .transpose()?,
            role: r.role.parse::<Role>()?,
            disabled: r.disabled != 0,
            must_change_password: r.must_change_password != 0,
        })
    }
}

/// The user columns, with the member's code joined in (`users u`, `members m`).
pub(crate) const USER_SELECT: &str = "SELECT u.id, u.username, u.display_name, m.code AS member_code, \
     m.kind AS member_kind, u.role, u.disabled, u.must_change_password FROM users u LEFT JOIN members m ON m.id = u.member_id";

/// A password change as its user asks for it.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    /// Revoke every API token of the user as well.
    pub revoke_tokens: bool,
    /// The session token making the change: it is replaced by a new one.
    pub session: Option<&'a str>,
}

/// What a password change ended, and the session that replaces the current one.
#[derive(Debug, Clone)]
pub struct PasswordChanged {
    /// The user's other sessions, ended.
    pub sessions_ended: u64,
    pub tokens_revoked: u64,
    /// The new session's token and CSRF token, when a session made the change.
    pub session: Option<(String, String)>,
}

/// Why a sign-in failed. Deliberately vague towards the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    BadCredentials,
    Disabled,
}

impl Store {
    /// Creates an account. `must_change_password` forces a new password at first sign-in.
    pub async fn create_user(
        &self,
        actor: &Actor,
        new: &NewUser,
        password: &str,
        must_change_password: bool,
    ) -> Result<User, StoreError> {
        check_password(password)?;
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.begin().await?;
        let member_id: Option<i64> = match &new.member {
            Some(code) => Some(
                sqlx::query_scalar("SELECT id FROM members WHERE code = $1")
                    .bind(code.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| {
                        Invalid::field("member", format!("no member has the code {code}"))
                    })?,
            ),
            None => None,
        };
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (username, display_name, password_hash, member_id, role, disabled, \
             must_change_password, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id",
        )
        .bind(new.username.as_str())
        .bind(&new.display_name)
        .bind(&hash)
        .bind(member_id)
        .bind(new.role.as_str())
        .bind(i64::from(must_change_password))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(Invalid::field(
                    "username",
                    format!("{} is already taken", new.username),
                )
                .into());
            }
            other => other?,
        };
        let event = actor.event(
            "users.add",
            format!("user:{id}"),
            Outcome::Ok,
            serde_json::json!({
                "username": new.username.as_str(),
                "role": new.role.as_str(),
                "member": new.member.as_ref().map(|m| m.as_str()),
            }),
        );
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        self.user(id).await
    }

    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        let row: Option<UserRow> = sqlx::query_as(sql!("{USER_SELECT} WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?
            .try_into()
    }

    pub async fn user_by_username(&self, username: &Username) -> Result<User, StoreError> {
        let row: Option<UserRow> = sqlx::query_as(sql!("{USER_SELECT} WHERE u.username = $1"))
            .bind(username.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("user {username}")))?
            .try_into()
    }

    /// All accounts, or those of one member.
    pub async fn users(&self, member: Option<&MemberCode>) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = sqlx::query_as(sql!(
            "{USER_SELECT} WHERE ($1 IS NULL OR m.code = $1) ORDER BY u.username"
        ))
        .bind(member.map(|m| m.as_str()))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(User::try_from).collect()
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Disables or re-enables an account; disabling also ends its sessions.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        username: &Username,
        disabled: bool,
    ) -> Result<User, StoreError> {
        let mut tx = self.begin().await?;
        let id: Option<i64> =
            sqlx::query_scalar("UPDATE users SET disabled = $1 WHERE username = $2 RETURNING id")
                .bind(i64::from(disabled))
                .bind(username.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let id = id.ok_or_else(|| StoreError::NotFound(format!("user {username}")))?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if disabled {
            "users.disable"
        } else {
            "users.enable"
        };
        audit::append(
            &mut tx,
            &actor.event(
                action,
                format!("user:{id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Sets a new password after checking the current one. The check is
    /// throttled and counted with sign-in failures of this account from this
    /// client, and a wrong current password is audited. In one transaction
    /// with the new hash: every other session of the user ends, the current
    /// one is replaced by a new one (returned), and, if asked, every API
    /// token of the user is revoked.
    pub async fn change_password(
        &self,
        actor: &Actor,
        throttle: &LoginThrottle,
        user_id: i64,
        change: PasswordChange<'_>,
    ) -> Result<PasswordChanged, StoreError> {
        check_password(change.new).map_err(|_| {
            Invalid::field(
                "new_password",
                format!(
                    "must be at least {} characters",
                    accord_core::user::MIN_PASSWORD_CHARS
                ),
            )
        })?;
        if change.current == change.new {
            return Err(
                Invalid::field("new_password", "must differ from the current password").into(),
            );
        }
        let _admitted = self.hasher.admit().await?;
        let (username, phc): (String, String) =
            sqlx::query_as("SELECT username, password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
        if let Err(wait_ms) = self
            .reserve_password_check(throttle, &username, &actor.ip)
            .await?
        {
            return Err(StoreError::TooManyAttempts { wait_ms });
        }
        if !self.hasher.verify(change.current, Some(phc)).await? {
            let mut tx = self.begin().await?;
            audit::append(
                &mut tx,
                &actor.event(
                    "users.password",
                    format!("user:{user_id}"),
                    Outcome::Denied,
                    serde_json::json!({ "reason": "wrong current password" }),
                ),
            )
            .await?;
            tx.commit().await?;
            return Err(Invalid::field("current_password", "is not your current password").into());
        }
        self.clear_password_checks(&username, &actor.ip).await?;
        let hash = self.hasher.hash(change.new).await?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0 WHERE id = $2")
            .bind(&hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let current_hash = change.session.map(token_hash);
        let sessions_ended = sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR token_hash <> $2)",
        )
        .bind(user_id)
        .bind(current_hash.as_deref())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let session = match &current_hash {
            Some(old) => {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(old)
                    .execute(&mut *tx)
                    .await?;
                let (token, csrf) = (random_secret(), random_secret());
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token_hash(&token))
                .bind(user_id)
                .bind(&csrf)
                .bind(now)
                .bind(now + SESSION_TTL_MS)
                .execute(&mut *tx)
                .await?;
                Some((token, csrf))
            }
            None => None,
        };
        let tokens_revoked = if change.revoke_tokens {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            0
        };
        audit::append(
            &mut tx,
            &actor.event(
                "users.password",
                format!("user:{user_id}"),
                Outcome::Ok,
                serde_json::json!({
                    "sessions_ended": sessions_ended,
                    "tokens_revoked": tokens_revoked,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(PasswordChanged {
            sessions_ended,
            tokens_revoked,
            session,
        })
    }
}
