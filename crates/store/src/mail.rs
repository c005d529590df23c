//! Each user's e-mail notices: the address, the mode (off, each notice as
//! it arrives, or one digest a day) and the language, and how far the
//! mailer has got, so a notice is mailed once and a digest once a day.
//! Which notices a user gets is the in-application rule (their member's,
//! the secretariat's or the ombudsperson's, and their own, unread); the
//! mailer in the web crate reads them with [`Store::notifications`].

use accord_core::audit::Outcome;
use accord_core::user::User;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::common_list::{stored, text_enum};
use crate::users::{USER_SELECT, UserRow};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// How often a user is e-mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailMode {
    #[default]
    Off,
    /// Each new notice, within a minute or so (several at once in one message).
    Each,
    /// One message a day listing the day's unread notices.
    Daily,
}

text_enum!(MailMode, "mode", {
    Off => "off",
    Each => "each",
    Daily => "daily",
});

/// A user's e-mail settings; `Off` with no address when never set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailSettings {
    pub address: String,
    pub mode: MailMode,
    /// `en` or `ru`.
    pub lang: String,
    /// The highest notification id already mailed (or skipped on turning
    /// e-mail on): only later ones are sent.
    #[serde(skip)]
    pub last_notification_id: i64,
    /// The UTC day (`YYYY-MM-DD`) of the last digest.
    #[serde(skip)]
    pub last_digest_day: Option<String>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            address: String::new(),
            mode: MailMode::Off,
            lang: "en".into(),
            last_notification_id: 0,
            last_digest_day: None,
        }
    }
}

#[derive(FromRow)]
struct SettingsRow {
    address: String,
    mode: String,
    lang: String,
    last_notification_id: i64,
    last_digest_day: Option<String>,
}

impl TryFrom<SettingsRow> for MailSettings {
    type Error = StoreError;
    fn try_from(r: SettingsRow) -> Result<MailSettings, StoreError> {
        Ok(MailSettings {
            address: r.address,
            mode: stored(&r.mode, "mail mode")?,
            lang: r.lang,
            last_notification_id: r.last_notification_id,
            last_digest_day: r.last_digest_day,
        })
    }
}

const SETTINGS_COLUMNS: &str = "address, mode, lang, last_notification_id, last_digest_day";

impl Store {
    /// A user's settings (the default, off, when never set).
    pub async fn mail_settings(&self, user_id: i64) -> Result<MailSettings, StoreError> {
        let row: Option<SettingsRow> = sqlx::query_as(sql!(
            "SELECT {SETTINGS_COLUMNS} FROM mail_settings WHERE user_id = $1"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map_or(Ok(MailSettings::default()), MailSettings::try_from)
    }

    /// Sets a user's settings (the address already checked by the caller).
    /// Turning e-mail on, or changing the address, starts from now: notices
    /// that arrived before are not mailed to the new address.
    pub async fn set_mail_settings(
        &self,
        actor: &Actor,
        user_id: i64,
        address: &str,
        mode: MailMode,
        lang: &str,
    ) -> Result<MailSettings, StoreError> {
        let before = self.mail_settings(user_id).await?;
        let mut tx = self.begin().await?;
        let restart = before.mode == MailMode::Off || before.address != address;
        let last: i64 = if restart {
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM notifications")
                .fetch_one(&mut *tx)
                .await?
        } else {
            before.last_notification_id
        };
        sqlx::query(
            "INSERT INTO mail_settings (user_id, address, mode, lang, last_notification_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (user_id) DO UPDATE SET address = $2, mode = $3, lang = $4, \
             last_notification_id = $5, updated_at = $6",
        )
        .bind(user_id)
        .bind(address)
        .bind(mode.as_str())
        .bind(lang)
        .bind(last)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "account.mail.set",
                format!("user:{user_id}"),
                Outcome::Ok,
                // The mode, not the address: the log is not a directory.
                serde_json::json!({ "mode": mode.as_str() }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.mail_settings(user_id).await
    }

    /// The enabled users who want e-mail, with their settings.
    pub async fn mail_subscribers(&self) -> Result<Vec<(User, MailSettings)>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT user_id FROM mail_settings WHERE mode <> 'off' ORDER BY user_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for id in ids {
            let row: Option<UserRow> = sqlx::query_as(sql!("{USER_SELECT} WHERE u.id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            let Some(row) = row else { continue };
            let user = User::try_from(row)?;
            if !user.disabled {
                out.push((user, self.mail_settings(id).await?));
            }
        }
        Ok(out)
    }

    /// Records what was mailed: notices up to `last_notification_id`, and
    /// the day's digest when `digest_day` is given. Never moves backwards.
    pub async fn mark_mailed(
        &self,
        user_id: i64,
        last_notification_id: i64,
        digest_day: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mail_settings SET \
             last_notification_id = CASE WHEN last_notification_id < $1 THEN $1 ELSE last_notification_id END, \
             last_digest_day = COALESCE($2, last_digest_day) WHERE user_id = $3",
        )
        .bind(last_notification_id)
        .bind(digest_day)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
