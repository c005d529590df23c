//! E-mail: each user's unread notices sent by SMTP as they arrive, or as
//! one digest a day, for people who do not sign in every day during a
//! ten-working-day procedure.
//!
//! A message leaves the platform, so it says only what kind of thing
//! happened, when, the entry's identifier and a link: never a listed or
//! proposed person's name, a state's position, a library item's title or
//! anything under a TLP marking. The reader signs in to see the rest.
//!
//! One node sends (the `mail` lease, as for the procedure clock). A notice
//! is recorded as mailed after the SMTP server accepted the message, so a
//! crash in between sends it again rather than never (at least once).

use std::sync::Arc;

use accord_core::Principal;
use accord_store::common_list::Notification;
use accord_store::mail::{MailMode, MailSettings};
use accord_store::{Store, StoreError};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use time::OffsetDateTime;

use crate::config::MailConfig;
use crate::i18n::Lang;

/// The lease one node holds while it sends.
const MAIL_LEASE: &str = "mail";

/// How many unread notices one message lists at most (the rest: "and N more").
const MAX_LISTED: usize = 50;

/// Sends the notices; built once from the configuration.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
    digest_hour_utc: u8,
}

/// Why mail could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP server refused or could not be reached: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the message could not be built: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("{0} is not an e-mail address")]
    Address(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Mailer {
    /// The mailer of `config`; refused when the SMTP URL or the sender's
    /// address does not parse (so a server does not start half-configured).
    pub fn new(config: &MailConfig) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| format!("smtp_url: {e}"))?
            .build();
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("mail_from {:?}: {e}", config.from))?;
        check_digest_hour(config.digest_hour_utc)?;
        Ok(Mailer {
            transport,
            from,
            public_url: config.public_url.trim_end_matches('/').to_string(),
            digest_hour_utc: config.digest_hour_utc,
        })
    }

    /// Sends what is due at `now` to every subscriber: new notices to those
    /// who want each one, the day's digest to those who want one a day
    /// once the digest hour has come. Returns how many messages went out.
    /// One subscriber's failure (a refused address) does not stop the others.
    pub async fn send_due(&self, store: &Store, now: OffsetDateTime) -> Result<usize, StoreError> {
        let mut sent = 0;
        for (user, settings) in store.mail_subscribers().await? {
            match self.send_to(store, &user, &settings, now).await {
                Ok(true) => sent += 1,
                Ok(false) => {}
                Err(MailError::Store(e)) => return Err(e),
                Err(e) => {
                    tracing::warn!(user = %user.username, error = %e, "could not mail notices")
                }
            }
        }
        Ok(sent)
    }

    async fn send_to(
        &self,
        store: &Store,
        user: &accord_core::user::User,
        settings: &MailSettings,
        now: OffsetDateTime,
    ) -> Result<bool, MailError> {
        let today = now.to_offset(time::UtcOffset::UTC).date().to_string();
        let digest = match settings.mode {
            MailMode::Off => return Ok(false),
            MailMode::Each => false,
            MailMode::Daily => {
                if now.to_offset(time::UtcOffset::UTC).hour() < self.digest_hour_utc
                    || settings.last_digest_day.as_deref() == Some(today.as_str())
                {
                    return Ok(false);
                }
                true
            }
        };
        let Some(recipient) = crate::context::notice_recipient(&Principal::of_user(user)) else {
            return Ok(false);
        };
        let mut notices: Vec<Notification> = store
            .notifications(&recipient, user.id, true, 1000)
            .await?
            .into_iter()
            .filter(|n| n.id > settings.last_notification_id)
            .collect();
        notices.reverse(); // oldest first
        // Nothing new: no message (a digest goes out later in the day, once
        // there is something, and still only once a day).
        let Some(last) = notices.last().map(|n| n.id) else {
            return Ok(false);
        };
        let lang = Lang::from_code(&settings.lang).unwrap_or(Lang::En);
        let (subject, body) = compose(lang, &notices, digest, &self.public_url);
        let to: Mailbox = settings
            .address
            .parse()
            .map_err(|_| MailError::Address(settings.address.clone()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)?;
        self.transport.send(message).await?;
        store
            .mark_mailed(user.id, last, digest.then_some(today.as_str()))
            .await?;
        Ok(true)
    }
}

/// The digest hour must be an hour of the day.
fn check_digest_hour(hour: u8) -> Result<(), String> {
    if hour < 24 {
        Ok(())
    } else {
        Err(format!("mail_digest_hour must be 0 to 23, not {hour}"))
    }
}

/// The subject and plain-text body of a message listing `notices`.
fn compose(l: Lang, notices: &[Notification], digest: bool, url: &str) -> (String, String) {
    let n = notices.len().to_string();
    let subject = if digest {
        l.tf("mail.digest_subject", &[("n", &n)])
    } else {
        l.tf("mail.subject", &[("n", &n)])
    };
    let mut body = String::new();
    body.push_str(&l.tf(
        if digest {
            "mail.digest_intro"
        } else {
            "mail.intro"
        },
        &[("n", &n)],
    ));
    body.push_str("\n\n");
    for notice in notices.iter().take(MAX_LISTED) {
        body.push_str("- ");
        body.push_str(&crate::render::format_ms(notice.created_at));
        body.push_str(" — ");
        body.push_str(crate::routes::notice_text(l, notice));
        if let Some(s) = &notice.subject {
            body.push_str(" (");
            body.push_str(s);
            body.push(')');
        }
        body.push_str("\n  ");
        body.push_str(url);
        body.push_str(&notice_path(notice));
        body.push('\n');
    }
    if notices.len() > MAX_LISTED {
        body.push_str(&l.tf(
            "mail.more",
            &[("n", &(notices.len() - MAX_LISTED).to_string())],
        ));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(&l.tf("mail.sign_in", &[("url", &format!("{url}/notifications"))]));
    body.push_str("\n\n-- \n");
    body.push_str(&l.tf("mail.footer", &[("url", &format!("{url}/profile/mail"))]));
    body.push('\n');
    (subject, body)
}

/// Where a notice leads: its proposal, its round, or the notifications page.
fn notice_path(n: &Notification) -> String {
    if let Some(p) = n.proposal_id {
        format!("/proposals/{p}")
    } else if let Some(r) = &n.round {
        format!("/rounds/{r}")
    } else {
        "/notifications".into()
    }
}

/// Runs the mailer every `every` on the node that holds the lease.
pub fn spawn(store: Store, mailer: Arc<Mailer>, every: std::time::Duration) {
    let lease_ms = i64::try_from(every.as_millis().saturating_mul(3))
        .unwrap_or(i64::MAX)
        .max(1);
    tokio::spawn(async move {
        let holder = crate::state::lease_holder();
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let now = OffsetDateTime::now_utc();
            let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
            match store.try_lease(MAIL_LEASE, &holder, now_ms, lease_ms).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "could not take the mailer's lease");
                    continue;
                }
            }
            match mailer.send_due(&store, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "mailed notices"),
                Err(e) => tracing::warn!(error = %e, "could not read what to mail"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(id: i64, kind: &str, proposal: Option<i64>, subject: Option<&str>) -> Notification {
        Notification {
            id,
            recipient: accord_store::common_list::Recipient::Member(
                accord_core::MemberCode::parse("KGZ").unwrap(),
            ),
            kind: kind.into(),
            text_key: format!("common_list.notice.{kind}"),
            params: serde_json::json!({ "what": { "by": "KAZ" } }),
            proposal_id: proposal,
            subject: subject.map(String::from),
            round: None,
            library_item: None,
            created_at: 1_764_825_000_000,
            read_at: None,
        }
    }

    #[test]
    fn a_message_names_what_happened_and_links_it_but_no_state_or_person() {
        let notices = [
            notice(7, "opened", Some(3), Some("ACL-0003")),
            notice(8, "concurred", Some(3), Some("ACL-0003")),
        ];
        let (subject, body) = compose(Lang::En, &notices, false, "https://accord.example");
        assert_eq!(subject, "Accord — new notifications: 2");
        assert!(body.contains("A proposal was opened: your state is asked to decide. (ACL-0003)"));
        assert!(body.contains("https://accord.example/proposals/3"));
        assert!(body.contains("https://accord.example/profile/mail"));
        // The generic text: which state concurred stays in the platform.
        assert!(
            body.contains("A state concurred.") && !body.contains("KAZ"),
            "{body}"
        );
        let (subject, body) = compose(Lang::Ru, &notices, true, "https://accord.example");
        assert!(
            subject.contains('2') && subject.contains("Accord"),
            "{subject}"
        );
        assert!(body.contains("Открыто предложение"), "{body}");
    }
}
