//! Personal API tokens for machines (border agencies, partner systems). A token
//! acts with its owner's rights narrowed to its scopes
//! (`accord_core::token`), until it expires or is revoked; only its hash is
//! stored.

use accord_core::audit::Outcome;
use accord_core::token::{Scopes, TokenRequest};
use accord_core::user::User;
use serde::Serialize;
use sqlx::FromRow;

use crate::credentials::{random_secret, token_hash};
use crate::users::{USER_SELECT, UserRow};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// Every token starts with this, so leaked tokens are easy to recognise in logs and scanners.
pub const TOKEN_PREFIX: &str = "acc_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// What it may be used for, names separated by spaces.
    pub scopes: String,
    /// When it stops working (ms since the epoch).
    pub expires_at: Option<i64>,
}

impl ApiToken {
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|at| at <= now)
    }
}

/// A live token as a request presents it: which one, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub id: i64,
    pub scopes: Scopes,
}

/// A new token: the secret is shown once and never stored.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

const TOKEN_COLUMNS: &str =
    "id, user_id, name, prefix, created_at, last_used_at, revoked_at, scopes, expires_at";

impl Store {
    /// Creates a token for `user_id` as `request` asks (checked by
    /// `TokenInput::validate`); the secret is in the answer only.
    pub async fn create_token(
        &self,
        actor: &Actor,
        user_id: i64,
        request: &TokenRequest,
    ) -> Result<NewToken, StoreError> {
        let secret = format!("{TOKEN_PREFIX}{}", random_secret());
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let now = now_ms();
        let expires_at = now + i64::from(request.days) * 86_400_000;
        let mut tx = self.begin().await?;
        let token: ApiToken = sqlx::query_as(sql!(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, scopes, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TOKEN_COLUMNS}"
        ))
        .bind(user_id)
        .bind(&request.name)
        .bind(token_hash(&secret))
        .bind(&prefix)
        .bind(now)
        .bind(request.scopes.to_text())
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?;
        // A one-time password must be replaced before the account can mint
        // credentials that outlive it (asked after the insert, which took the
        // write lock; refusing rolls the insert back).
        let must_change: Option<i64> =
            sqlx::query_scalar("SELECT must_change_password FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if must_change != Some(0) {
            return Err(StoreError::Forbidden(
                "this account still has its one-time password: it must be changed (or the account \
                 created with a password of its own) before a token is created"
                    .into(),
            ));
        }
        let event = actor.event(
            "tokens.create",
            format!("token:{}", token.id),
            Outcome::Ok,
            serde_json::json!({
                "user_id": user_id,
                "name": request.name,
                "scopes": request.scopes.to_text(),
                "expires_at": expires_at,
            }),
        );
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(NewToken { token, secret })
    }

    pub async fn tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        Ok(sqlx::query_as(sql!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The user's own live token with this secret, if it was made in the
    /// last `within_ms`: for the one page view that shows a new token's
    /// secret (it is no use of the token, so `last_used_at` stays).
    pub async fn fresh_own_token(
        &self,
        user_id: i64,
        secret: &str,
        within_ms: i64,
    ) -> Result<Option<ApiToken>, StoreError> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        Ok(sqlx::query_as(sql!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND user_id = $2 \
             AND revoked_at IS NULL AND created_at > $3"
        ))
        .bind(token_hash(secret))
        .bind(user_id)
        .bind(now_ms() - within_ms)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Revokes a token. With `owner`, only that user's token can be revoked
    /// (another user's token id answers "not found", revealing nothing).
    pub async fn revoke_token(
        &self,
        actor: &Actor,
        token_id: i64,
        owner: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND ($3 IS NULL OR user_id = $3) AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(token_id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("active token {token_id}")));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "tokens.revoke",
                format!("token:{token_id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The owner of a live token and what the token may do, if it is valid
    /// (not revoked, not expired) and the account enabled.
    pub async fn token_owner(
        &self,
        secret: &str,
    ) -> Result<Option<(User, TokenGrant)>, StoreError> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = token_hash(secret);
        #[derive(sqlx::FromRow)]
        struct Owner {
            token_id: i64,
            token_scopes: String,
            #[sqlx(flatten)]
            user: UserRow,
        }
        let now = now_ms();
        let found: Option<Owner> = sqlx::query_as(sql!(
            "SELECT t.id AS token_id, t.scopes AS token_scopes, q.* FROM api_tokens t \
             JOIN ({USER_SELECT}) q ON q.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND q.disabled = 0"
        ))
        .bind(&hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(Owner {
            token_id,
            token_scopes,
            user: row,
        }) = found
        else {
            return Ok(None);
        };
        // A token whose scopes are all unknown to this version grants nothing.
        let Some(scopes) = Scopes::from_text(&token_scopes) else {
            return Ok(None);
        };
        // At most one write a minute per token: a busy border post must not
        // turn every read into a database write.
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
             AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(&hash)
        .bind(now - 60_000)
        .execute(&self.pool)
        .await?;
        Ok(Some((
            row.try_into()?,
            TokenGrant {
                id: token_id,
                scopes,
            },
        )))
    }

    /// The user an API token belongs to, if it is valid.
    pub async fn token_user(&self, secret: &str) -> Result<Option<User>, StoreError> {
        Ok(self.token_owner(secret).await?.map(|(user, _)| user))
    }
}
