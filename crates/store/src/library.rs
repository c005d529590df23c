//! The knowledge library: items and every version of them, sharing
//! groups, campaigns, attachments, reach, the theme vocabulary, and the
//! change feed each node's search index follows.
//!
//! The rules are `accord_library`'s; callers check them (through
//! `workflow::may_read`, which asks `accord_core::may_see`) before calling.
//! Every change of an item or a group takes the next number of
//! `library_feed` inside its transaction: "every change after N" is exact
//! on every node and never skips a change written in the same millisecond.

use std::collections::BTreeSet;

use accord_core::audit::Outcome;
use accord_core::tlp::Tlp;
use accord_core::{MemberCode, Principal};
use accord_library::counter::{CheckedCampaign, ReachRow};
use accord_library::groups::CheckedGroup;
use accord_library::workflow::{Standing, Status};
use accord_library::{
    Campaign, InUse, Item, Shared, SharedWith, SharingGroup, Theme, ThemeGroup, Version, Vocabulary,
};
use sqlx::{Any, Transaction};

use crate::plan::{corrupt, decode, encode};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// An item's standing and the versions a page needs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemRecord {
    pub id: i64,
    pub slug: Option<String>,
    pub status: Status,
    pub owner: Option<MemberCode>,
    pub author_id: Option<i64>,
    pub author: String,
    pub latest_version: u32,
    pub published_version: Option<u32>,
    /// The withdrawal's reason, or the reviewer's note on a returned draft.
    pub note: Option<String>,
    pub campaign: Option<i64>,
    pub seq: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub latest: Version,
    pub published: Option<Version>,
    /// The users who wrote a version since the last approval.
    pub writers: BTreeSet<i64>,
}

impl ItemRecord {
    /// What the rules need, for the version readers see (or, for a
    /// never-published item, the latest).
    pub fn standing(&self) -> Standing<'_> {
        let shown = self.published.as_ref().unwrap_or(&self.latest);
        Standing {
            status: self.status,
            author: self.author_id.unwrap_or(0),
            owner: self.owner.as_ref(),
            has_published: self.published_version.is_some(),
            shared: shown.item.shared(),
            latest_shared: self.latest.item.shared(),
            latest_version: self.latest_version,
            writers: self.writers.clone(),
        }
    }

    /// The version `who` is shown: the latest for the people who work on the
    /// item, else the approved one.
    pub fn shown_to(&self, works_on: bool) -> Option<&Version> {
        if works_on {
            Some(&self.latest)
        } else {
            self.published.as_ref()
        }
    }
}

/// The little an access decision needs of an item, for every item at once
/// (the search's visible set is computed from these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRow {
    pub id: i64,
    pub status: Status,
    pub owner: Option<MemberCode>,
    pub author_id: Option<i64>,
    /// The approved version's marking and distribution (`None`: never published).
    pub published: Option<Shared>,
    /// The latest version's, for the people who work on it.
    pub latest: Shared,
    pub latest_version: u32,
    /// The users who wrote a version since the last approval.
    pub writers: BTreeSet<i64>,
    pub seq: i64,
}

impl AccessRow {
    pub fn standing(&self) -> Standing<'_> {
        Standing {
            status: self.status,
            author: self.author_id.unwrap_or(0),
            owner: self.owner.as_ref(),
            has_published: self.published.is_some(),
            shared: self
                .published
                .clone()
                .unwrap_or_else(|| self.latest.clone()),
            latest_shared: self.latest.clone(),
            latest_version: self.latest_version,
            writers: self.writers.clone(),
        }
    }
}

/// A stored attachment's description (its bytes are read separately).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttachmentRecord {
    pub id: i64,
    pub item_id: i64,
    pub since_version: u32,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub added_by: String,
    pub added_at: i64,
}

/// A file to attach, with the text extracted from it for search.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub text: String,
}

/// Reserves the next number of the library's change feed.
async fn next_seq(tx: &mut Transaction<'static, Any>) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("UPDATE library_feed SET seq = seq + 1 WHERE id = 1 RETURNING seq")
            .fetch_one(&mut **tx)
            .await?,
    )
}

fn member(code: Option<String>) -> Result<Option<MemberCode>, StoreError> {
    code.map(|c| {
        MemberCode::parse(&c)
            .map_err(|_| StoreError::Conflict(format!("stored member code {c} is invalid")))
    })
    .transpose()
}

fn status(s: &str) -> Result<Status, StoreError> {
    Status::parse(s).ok_or_else(|| StoreError::Conflict(format!("stored status {s} is invalid")))
}

type ItemRow = (
    i64,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    i64,
    i64,
    i64,
);

const ITEM_COLUMNS: &str = "id, slug, status, owner, author_id, author, latest_version, published_version, note, campaign_id, seq, created_at, updated_at";

impl Store {
    // ---- the vocabulary ----

    /// Loads the seeded themes and items that are missing; returns how many
    /// items were added. Seeded items are published CLEAR material of the
    /// secretariat, authored by the seed.
    pub async fn seed_library(&self) -> Result<usize, StoreError> {
        let seed = Vocabulary::seed();
        for t in &seed.themes {
            sqlx::query("INSERT INTO library_themes (slug, grp, en, ru) VALUES ($1, $2, $3, $4) ON CONFLICT (slug) DO NOTHING")
                .bind(&t.slug)
                .bind(t.group.as_str())
                .bind(&t.en)
                .bind(&t.ru)
                .execute(&self.pool)
                .await?;
        }
        let vocabulary = self.library_vocabulary().await?;
        let catalogue = self.plan_catalogue().await?;
        let known = accord_library::item::Known {
            vocabulary: &vocabulary,
            commitment: &|c| {
                accord_plan::CommitmentId::parse(c)
                    .ok()
                    .is_some_and(|id| catalogue.commitment(&id).is_some())
            },
            group: &|_| false,
            campaign: &|_| false,
        };
        let actor = Actor::system("seed");
        let mut added = 0;
        for seeded in accord_library::import::seed_items() {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM library_items WHERE slug = $1")
                    .bind(&seeded.slug)
                    .fetch_optional(&self.pool)
                    .await?;
            if exists.is_some() {
                continue;
            }
            let item = seeded.input.validate(&known).map_err(|e| {
                StoreError::Conflict(format!(
                    "the seeded library item {} is invalid: {e}",
                    seeded.slug
                ))
            })?;
            match self
                .insert_item(&actor, None, &item, Some(&seeded.slug), Status::Published)
                .await
            {
                Ok(_) => added += 1,
                // Another node seeding at the same first start wrote it.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(added)
    }

    pub async fn library_vocabulary(&self) -> Result<Vocabulary, StoreError> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT slug, grp, en, ru FROM library_themes")
                .fetch_all(&self.pool)
                .await?;
        Ok(Vocabulary::new(
            rows.into_iter()
                .map(|(slug, grp, en, ru)| Theme {
                    slug,
                    group: if grp == "driver" {
                        ThemeGroup::Driver
                    } else {
                        ThemeGroup::Response
                    },
                    en,
                    ru,
                })
                .collect(),
        ))
    }

    /// Adds a theme or renames one (the secretariat's; a slug stays).
    pub async fn save_library_theme(&self, actor: &Actor, theme: &Theme) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO library_themes (slug, grp, en, ru) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO UPDATE SET grp = excluded.grp, en = excluded.en, ru = excluded.ru",
        )
        .bind(&theme.slug)
        .bind(theme.group.as_str())
        .bind(&theme.en)
        .bind(&theme.ru)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "library.theme.save",
                format!("theme:{}", theme.slug),
                Outcome::Ok,
                serde_json::json!({ "en": theme.en, "ru": theme.ru }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- sharing groups ----

    /// Creates a group (`owner`: the member whose administrators keep it).
    /// `users` are resolved from user names; an unknown name is refused.
    pub async fn create_sharing_group(
        &self,
        actor: &Actor,
        owner: Option<&MemberCode>,
        group: &CheckedGroup,
    ) -> Result<SharingGroup, StoreError> {
        let users = self.user_ids(&group.users).await?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let seq = next_seq(&mut tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sharing_groups (name, owner, members, users, seq, created_at, created_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $6) RETURNING id",
        )
        .bind(&group.name)
        .bind(owner.map(MemberCode::as_str))
        .bind(encode(&group.members))
        .bind(encode(&users))
        .bind(seq)
        .bind(now)
        .bind(&actor.label)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "library.group.create",
                format!("group:{id}"),
                Outcome::Ok,
                serde_json::json!({ "members": group.members, "users": users }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.sharing_group(id).await
    }

    /// Replaces a group's name, members and users. Items shared with it
    /// reach the group as it now is.
    pub async fn update_sharing_group(
        &self,
        actor: &Actor,
        id: i64,
        group: &CheckedGroup,
    ) -> Result<SharingGroup, StoreError> {
        let users = self.user_ids(&group.users).await?;
        let mut tx = self.begin().await?;
        let seq = next_seq(&mut tx).await?;
        let done = sqlx::query("UPDATE sharing_groups SET name = $1, members = $2, users = $3, seq = $4, updated_at = $5 WHERE id = $6")
            .bind(&group.name)
            .bind(encode(&group.members))
            .bind(encode(&users))
            .bind(seq)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("sharing group {id}")));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "library.group.update",
                format!("group:{id}"),
                Outcome::Ok,
                serde_json::json!({ "members": group.members, "users": users }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.sharing_group(id).await
    }

    /// Deletes a group no item uses. Items that name it in any version are
    /// counted and the deletion refused (`InUse`): a missing group shares
    /// with nobody, so deleting it would silently change who reads them.
    pub async fn delete_sharing_group(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // The feed's lock first: no item write interleaves with the count.
        next_seq(&mut tx).await?;
        let items = items_naming(&mut tx, |item| item.shared_with.group() == Some(id)).await?;
        if items > 0 {
            return Err(StoreError::Conflict(InUse::Group { items }.to_string()));
        }
        let done = sqlx::query("DELETE FROM sharing_groups WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("sharing group {id}")));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "library.group.delete",
                format!("group:{id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_ids(&self, names: &BTreeSet<String>) -> Result<BTreeSet<i64>, StoreError> {
        let mut ids = BTreeSet::new();
        for name in names {
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
            match id {
                Some(id) => {
                    ids.insert(id);
                }
                None => {
                    return Err(accord_core::Invalid::field(
                        "users",
                        format!("{name} is not a user of the platform"),
                    )
                    .into());
                }
            }
        }
        Ok(ids)
    }

    pub async fn sharing_groups(&self) -> Result<Vec<SharingGroup>, StoreError> {
        let rows: Vec<(i64, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, name, owner, members, users FROM sharing_groups ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(group_of).collect()
    }

    pub async fn sharing_group(&self, id: i64) -> Result<SharingGroup, StoreError> {
        let row: Option<(i64, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, name, owner, members, users FROM sharing_groups WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        group_of(row.ok_or_else(|| StoreError::NotFound(format!("sharing group {id}")))?)
    }

    /// User names by id, for showing a group's named users.
    pub async fn usernames(&self, ids: &BTreeSet<i64>) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for id in ids {
            if let Some(name) =
                sqlx::query_scalar::<_, String>("SELECT username FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
            {
                out.push(name);
            }
        }
        Ok(out)
    }

    // ---- campaigns ----

    pub async fn create_campaign(
        &self,
        actor: &Actor,
        owner: Option<&MemberCode>,
        c: &CheckedCampaign,
    ) -> Result<Campaign, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO library_campaigns (name, description, starts, ends, owner, partners, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&c.name)
        .bind(&c.description)
        .bind(c.starts.to_string())
        .bind(c.ends.to_string())
        .bind(owner.map(MemberCode::as_str))
        .bind(encode(&c.partners))
        .bind(now_ms())
        .bind(&actor.label)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "library.campaign.create",
                format!("campaign:{id}"),
                Outcome::Ok,
                serde_json::json!({ "name": c.name }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.campaign(id).await
    }

    /// Replaces a campaign's name, description, dates and partners (the
    /// caller has checked that recorded reach stays inside the dates).
    pub async fn update_campaign(
        &self,
        actor: &Actor,
        id: i64,
        c: &CheckedCampaign,
    ) -> Result<Campaign, StoreError> {
        let before = self.campaign(id).await?;
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE library_campaigns SET name = $1, description = $2, starts = $3, ends = $4, partners = $5 WHERE id = $6",
        )
        .bind(&c.name)
        .bind(&c.description)
        .bind(c.starts.to_string())
        .bind(c.ends.to_string())
        .bind(encode(&c.partners))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("campaign {id}")));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "library.campaign.update",
                format!("campaign:{id}"),
                Outcome::Ok,
                serde_json::json!({
                    "name": c.name,
                    "before": { "starts": before.starts.to_string(), "ends": before.ends.to_string() },
                    "starts": c.starts.to_string(),
                    "ends": c.ends.to_string(),
                    "partners": c.partners,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.campaign(id).await
    }

    /// Deletes a campaign no item belongs to, in any version (`InUse`).
    pub async fn delete_campaign(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // The feed's lock first: no item write interleaves with the count.
        next_seq(&mut tx).await?;
        let items = items_naming(&mut tx, |item| {
            item.counter.as_ref().and_then(|c| c.campaign) == Some(id)
        })
        .await?;
        if items > 0 {
            return Err(StoreError::Conflict(InUse::Campaign { items }.to_string()));
        }
        let done = sqlx::query("DELETE FROM library_campaigns WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("campaign {id}")));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "library.campaign.delete",
                format!("campaign:{id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError> {
        let rows: Vec<CampaignRow> = sqlx::query_as(
            "SELECT id, name, description, starts, ends, owner, partners FROM library_campaigns ORDER BY starts DESC, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(campaign_of).collect()
    }

    pub async fn campaign(&self, id: i64) -> Result<Campaign, StoreError> {
        let row: Option<CampaignRow> = sqlx::query_as(
            "SELECT id, name, description, starts, ends, owner, partners FROM library_campaigns WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        campaign_of(row.ok_or_else(|| StoreError::NotFound(format!("campaign {id}")))?)
    }

    // ---- items ----

    /// Writes a new item as version 1 (`owner`: the author's member, `None`
    /// for the secretariat's).
    pub async fn create_library_item(
        &self,
        actor: &Actor,
        owner: Option<&MemberCode>,
        item: &Item,
    ) -> Result<ItemRecord, StoreError> {
        self.insert_item(actor, owner, item, None, Status::Draft)
            .await
    }

    /// An item imported with a slug (`accord library import`): one whose
    /// slug exists already is refused, so a second import changes nothing.
    pub async fn import_library_item(
        &self,
        actor: &Actor,
        owner: Option<&MemberCode>,
        item: &Item,
        slug: &str,
        status: Status,
        attachments: &[NewAttachment],
    ) -> Result<ItemRecord, StoreError> {
        // The item and its files in one transaction: a file refused here
        // leaves nothing of the item behind.
        let now = now_ms();
        let mut tx = self.begin().await?;
        let id = insert_item_in(&mut tx, actor, owner, item, Some(slug), status, now).await?;
        for a in attachments {
            let (name, sha256) = crate::plan::checked_file_parts(&a.file_name, &a.bytes)?;
            insert_attachment(&mut tx, actor, id, 1, &name, &sha256, a, now).await?;
            audit::append(
                &mut tx,
                &actor.event(
                    "library.attachment.add",
                    format!("library:{id}"),
                    Outcome::Ok,
                    serde_json::json!({ "file": name, "sha256": sha256, "size": a.bytes.len(), "version": 1 }),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        self.library_item(id).await
    }

    async fn insert_item(
        &self,
        actor: &Actor,
        owner: Option<&MemberCode>,
        item: &Item,
        slug: Option<&str>,
        status: Status,
    ) -> Result<ItemRecord, StoreError> {
        let mut tx = self.begin().await?;
        let id = insert_item_in(&mut tx, actor, owner, item, slug, status, now_ms()).await?;
        tx.commit().await?;
        self.library_item(id).await
    }

    /// Writes a new version of an item, on top of version `base` (the one
    /// the editor started from: an edit made meanwhile by someone else is a
    /// conflict, not lost), with the status the workflow gives an edit.
    pub async fn update_library_item(
        &self,
        actor: &Actor,
        id: i64,
        base: u32,
        item: &Item,
        status: Status,
    ) -> Result<ItemRecord, StoreError> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let seq = next_seq(&mut tx).await?;
        let next = i64::from(base) + 1;
        let done = sqlx::query(
            "UPDATE library_items SET latest_version = $1, status = $2, kind = $3, campaign_id = $4, seq = $5, updated_at = $6 \
             WHERE id = $7 AND latest_version = $8 AND status <> 'withdrawn'",
        )
        .bind(next)
        .bind(status.as_str())
        .bind(item.kind.as_str())
        .bind(item.counter.as_ref().and_then(|c| c.campaign))
        .bind(seq)
        .bind(now)
        .bind(id)
        .bind(i64::from(base))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale(format!(
                "item {id} changed since version {base} was opened (or was withdrawn): reload it and edit again"
            )));
        }
        insert_version(&mut tx, id, next, item, actor, now).await?;
        audit::append(
            &mut tx,
            &actor.event(
                "library.item.edit",
                format!("library:{id}"),
                Outcome::Ok,
                serde_json::json!({ "version": next, "marking": item.marking, "status": status }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.library_item(id).await
    }

    /// Moves an item to `to` (the workflow decided it may). `approve`: the
    /// version approved, which must still be the latest (else the item
    /// changed meanwhile: stale); it is published. `note` is the
    /// withdrawal's reason or the reviewer's note.
    pub async fn set_library_status(
        &self,
        actor: &Actor,
        id: i64,
        expected: Status,
        to: Status,
        approve: Option<u32>,
        note: &str,
    ) -> Result<ItemRecord, StoreError> {
        let record = self.library_item(id).await?;
        // The update below also requires the latest to be unchanged since.
        if approve.is_some_and(|v| v != record.latest_version) {
            return Err(StoreError::Stale(format!(
                "item {id} changed meanwhile: reload it and try again"
            )));
        }
        let approve = approve.is_some();
        let mut tx = self.begin().await?;
        let seq = next_seq(&mut tx).await?;
        let note = (!note.trim().is_empty()).then(|| note.trim().to_string());
        let done = if approve {
            let shared = record.latest.item.shared();
            sqlx::query(
                "UPDATE library_items SET status = $1, published_version = latest_version, pub_marking = $2, pub_shared = $3, \
                 note = $4, seq = $5, updated_at = $6 WHERE id = $7 AND status = $8 AND latest_version = $9",
            )
            .bind(to.as_str())
            .bind(shared.marking.as_str())
            .bind(encode(&shared.with))
            .bind(&note)
            .bind(seq)
            .bind(now_ms())
            .bind(id)
            .bind(expected.as_str())
            .bind(i64::from(record.latest_version))
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query("UPDATE library_items SET status = $1, note = $2, seq = $3, updated_at = $4 WHERE id = $5 AND status = $6")
                .bind(to.as_str())
                .bind(&note)
                .bind(seq)
                .bind(now_ms())
                .bind(id)
                .bind(expected.as_str())
                .execute(&mut *tx)
                .await?
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale(format!(
                "item {id} changed meanwhile: reload it and try again"
            )));
        }
        audit::append(
            &mut tx,
            &actor.event(
                &format!("library.item.{}", if approve { "approve" } else { to.as_str() }),
                format!("library:{id}"),
                Outcome::Ok,
                serde_json::json!({ "from": expected, "to": to, "version": record.latest_version, "note": note }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.library_item(id).await
    }

    pub async fn library_item(&self, id: i64) -> Result<ItemRecord, StoreError> {
        let row: Option<ItemRow> = sqlx::query_as(sql!(
            "SELECT {ITEM_COLUMNS} FROM library_items WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("library item {id}")))?;
        let latest = self.library_version(id, row.6 as u32).await?;
        let published = match row.7 {
            Some(n) if n == row.6 => Some(latest.clone()),
            Some(n) => Some(self.library_version(id, n as u32).await?),
            None => None,
        };
        let writers: Vec<(Option<i64>,)> = sqlx::query_as(sql!(
            "SELECT {VERSION_WRITER} FROM library_versions v WHERE v.item_id = $1 AND v.number > $2"
        ))
        .bind(id)
        .bind(row.7.unwrap_or(0))
        .fetch_all(&self.pool)
        .await?;
        Ok(ItemRecord {
            id: row.0,
            slug: row.1,
            status: status(&row.2)?,
            owner: member(row.3)?,
            author_id: row.4,
            author: row.5,
            latest_version: row.6 as u32,
            published_version: row.7.map(|n| n as u32),
            note: row.8,
            campaign: row.9,
            seq: row.10,
            created_at: row.11,
            updated_at: row.12,
            latest,
            published,
            writers: writers.into_iter().filter_map(|(w,)| w).collect(),
        })
    }

    pub async fn library_version(&self, id: i64, number: u32) -> Result<Version, StoreError> {
        let row: Option<(String, i64, String)> =
            sqlx::query_as("SELECT doc, created_at, created_by FROM library_versions WHERE item_id = $1 AND number = $2")
                .bind(id)
                .bind(i64::from(number))
                .fetch_optional(&self.pool)
                .await?;
        let (doc, created_at, created_by) = row.ok_or_else(|| {
            StoreError::NotFound(format!("version {number} of library item {id}"))
        })?;
        Ok(Version {
            number,
            item: decode(&doc)?,
            created_at,
            created_by,
        })
    }

    /// Every version of an item, oldest first.
    pub async fn library_versions(&self, id: i64) -> Result<Vec<Version>, StoreError> {
        let rows: Vec<(i64, String, i64, String)> =
            sqlx::query_as("SELECT number, doc, created_at, created_by FROM library_versions WHERE item_id = $1 ORDER BY number")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(n, doc, created_at, created_by)| {
                Ok(Version {
                    number: n as u32,
                    item: decode(&doc)?,
                    created_at,
                    created_by,
                })
            })
            .collect()
    }

    /// Every item's access facts, for the visible set of a search, lists and
    /// counts. `since`: only items changed after that feed number.
    pub async fn library_access(&self, since: i64) -> Result<Vec<AccessRow>, StoreError> {
        let rows: Vec<AccessDbRow> = sqlx::query_as(
            "SELECT i.id, i.status, i.owner, i.author_id, i.pub_marking, i.pub_shared, v.doc, i.latest_version, i.seq \
             FROM library_items i JOIN library_versions v ON v.item_id = i.id AND v.number = i.latest_version \
             WHERE i.seq > $1 ORDER BY i.seq",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut writers: std::collections::HashMap<i64, BTreeSet<i64>> = Default::default();
        let written: Vec<(i64, Option<i64>)> = sqlx::query_as(sql!(
            "SELECT v.item_id, {VERSION_WRITER} FROM library_versions v JOIN library_items i ON i.id = v.item_id \
             WHERE i.seq > $1 AND v.number > COALESCE(i.published_version, 0)"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        for (item, w) in written {
            if let Some(w) = w {
                writers.entry(item).or_default().insert(w);
            }
        }
        rows.into_iter()
            .map(
                |(id, st, owner, author_id, pub_marking, pub_shared, doc, latest_version, seq)| {
                    let latest: Item = decode(&doc)?;
                    let published = match (pub_marking, pub_shared) {
                        (Some(m), Some(s)) => Some(Shared {
                            marking: m.parse::<Tlp>().map_err(|_| {
                                StoreError::Conflict(format!("stored marking {m} is invalid"))
                            })?,
                            with: decode::<SharedWith>(&s)?,
                        }),
                        _ => None,
                    };
                    Ok(AccessRow {
                        id,
                        status: status(&st)?,
                        owner: member(owner)?,
                        author_id,
                        published,
                        latest: latest.shared(),
                        latest_version: latest_version as u32,
                        writers: writers.remove(&id).unwrap_or_default(),
                        seq,
                    })
                },
            )
            .collect()
    }

    /// The feed's last number: everything up to it is written.
    pub async fn library_seq(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT seq FROM library_feed WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Items changed after feed number `since`, with the version readers
    /// see (`None`: nothing to show, take it out of the index) and its
    /// attachments' text; the highest number seen.
    pub async fn library_changes(
        &self,
        since: i64,
        limit: i64,
    ) -> Result<(Vec<(i64, Option<Version>, String)>, i64), StoreError> {
        // The feed's number first: every change up to it is committed (each
        // takes its number inside its transaction, under the feed row's
        // lock), so reading items up to it can skip nothing.
        let bound = self.library_seq().await?;
        let rows: Vec<(i64, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, status, published_version, seq FROM library_items \
             WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
        )
        .bind(since)
        .bind(bound)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let full = rows.len() as i64 >= limit;
        let mut through = since;
        let mut out = Vec::new();
        for (id, st, published, seq) in rows {
            through = through.max(seq);
            let shown = match (status(&st)?, published) {
                (Status::Withdrawn, _) | (_, None) => None,
                (_, Some(n)) => Some(self.library_version(id, n as u32).await?),
            };
            let text = match shown {
                Some(ref v) => self.attachment_text(id, v.number).await?,
                None => String::new(),
            };
            out.push((id, shown, text));
        }
        // A batch that is not full has read everything up to the bound
        // (group changes take numbers too; the index has nothing of them).
        if !full {
            through = through.max(bound);
        }
        Ok((out, through))
    }

    async fn attachment_text(&self, id: i64, version: u32) -> Result<String, StoreError> {
        let texts: Vec<(String,)> =
            sqlx::query_as("SELECT text FROM library_attachments WHERE item_id = $1 AND since_version <= $2 ORDER BY id")
                .bind(id)
                .bind(i64::from(version))
                .fetch_all(&self.pool)
                .await?;
        Ok(texts
            .into_iter()
            .map(|(t,)| t)
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// The latest versions of these items, for a page of results.
    pub async fn library_items(&self, ids: &[i64]) -> Result<Vec<ItemRecord>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.library_item(*id).await?);
        }
        Ok(out)
    }

    /// Records a read of an item or a download of its attachment, in the
    /// audit log (every read of a non-CLEAR item and every download is).
    pub async fn audit_library_read(
        &self,
        actor: &Actor,
        what: &str,
        target: String,
        details: serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        audit::append(&mut tx, &actor.event(what, target, Outcome::Ok, details)).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- attachments ----

    /// Attaches a file. Adding it is a change like an edit: a new version
    /// on top of `base` (the latest's content, now with the file; a change
    /// made meanwhile makes it stale), with the status the workflow gives
    /// an edit. A published item's attachment so goes to review with a
    /// revision, and readers keep the approved version's own attachments.
    pub async fn add_library_attachment(
        &self,
        actor: &Actor,
        id: i64,
        base: u32,
        file: &NewAttachment,
        status: Status,
    ) -> Result<AttachmentRecord, StoreError> {
        let (name, sha256) = crate::plan::checked_file_parts(&file.file_name, &file.bytes)?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let seq = next_seq(&mut tx).await?;
        let next = i64::from(base) + 1;
        let done = sqlx::query(
            "UPDATE library_items SET latest_version = $1, status = $2, seq = $3, updated_at = $4 \
             WHERE id = $5 AND latest_version = $6 AND status <> 'withdrawn'",
        )
        .bind(next)
        .bind(status.as_str())
        .bind(seq)
        .bind(now)
        .bind(id)
        .bind(i64::from(base))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale(format!(
                "item {id} changed since version {base} was opened (or was withdrawn): reload it and attach again"
            )));
        }
        let doc: String = sqlx::query_scalar(
            "SELECT doc FROM library_versions WHERE item_id = $1 AND number = $2",
        )
        .bind(id)
        .bind(i64::from(base))
        .fetch_one(&mut *tx)
        .await?;
        let item: Item = decode(&doc)?;
        insert_version(&mut tx, id, next, &item, actor, now).await?;
        let att = insert_attachment(&mut tx, actor, id, next, &name, &sha256, file, now).await?;
        audit::append(
            &mut tx,
            &actor.event(
                "library.attachment.add",
                format!("library:{id}"),
                Outcome::Ok,
                serde_json::json!({ "file": name, "sha256": sha256, "size": file.bytes.len(), "version": next, "status": status }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.library_attachment(id, att).await.map(|(a, _)| a)
    }

    /// The attachments a version has (those added up to it).
    pub async fn library_attachments(
        &self,
        id: i64,
        version: u32,
    ) -> Result<Vec<AttachmentRecord>, StoreError> {
        let rows: Vec<AttachmentRow> = sqlx::query_as(sql!(
            "SELECT {ATTACHMENT_COLUMNS} FROM library_attachments WHERE item_id = $1 AND since_version <= $2 ORDER BY id"
        ))
        .bind(id)
        .bind(i64::from(version))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(attachment_of).collect())
    }

    pub async fn library_attachment(
        &self,
        id: i64,
        attachment: i64,
    ) -> Result<(AttachmentRecord, Vec<u8>), StoreError> {
        let row: Option<AttachmentRow> = sqlx::query_as(sql!(
            "SELECT {ATTACHMENT_COLUMNS} FROM library_attachments WHERE item_id = $1 AND id = $2"
        ))
        .bind(id)
        .bind(attachment)
        .fetch_optional(&self.pool)
        .await?;
        let meta = attachment_of(
            row.ok_or_else(|| StoreError::NotFound(format!("attachment {attachment}")))?,
        );
        let bytes: Vec<u8> =
            sqlx::query_scalar("SELECT bytes FROM library_attachments WHERE id = $1")
                .bind(attachment)
                .fetch_one(&self.pool)
                .await?;
        Ok((meta, bytes))
    }

    // ---- reach ----

    /// Adds reach rows to a counter-narrative; a row for a period and
    /// channel already recorded replaces it (a corrected export).
    pub async fn add_library_reach(
        &self,
        actor: &Actor,
        id: i64,
        rows: &[ReachRow],
    ) -> Result<usize, StoreError> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO library_reach (item_id, period_start, period_end, channel, impressions, views, reactions, shares, comments, clicks, watch_seconds, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 ON CONFLICT (item_id, period_start, channel) DO UPDATE SET period_end = excluded.period_end, impressions = excluded.impressions, \
                 views = excluded.views, reactions = excluded.reactions, shares = excluded.shares, comments = excluded.comments, \
                 clicks = excluded.clicks, watch_seconds = excluded.watch_seconds, added_by = excluded.added_by, added_at = excluded.added_at",
            )
            .bind(id)
            .bind(r.period_start.to_string())
            .bind(r.period_end.to_string())
            .bind(&r.channel)
            .bind(r.impressions as i64)
            .bind(r.views as i64)
            .bind(r.reactions as i64)
            .bind(r.shares as i64)
            .bind(r.comments as i64)
            .bind(r.clicks as i64)
            .bind(r.watch_seconds.map(|w| w as i64))
            .bind(&actor.label)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            &actor.event(
                "library.reach.add",
                format!("library:{id}"),
                Outcome::Ok,
                serde_json::json!({ "rows": rows.len() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// The reach of these items, by period.
    pub async fn library_reach(&self, ids: &[i64]) -> Result<Vec<(i64, ReachRow)>, StoreError> {
        let mut out = Vec::new();
        for id in ids {
            let rows: Vec<ReachDbRow> = sqlx::query_as(
                "SELECT period_start, period_end, channel, impressions, views, reactions, shares, comments, clicks, watch_seconds \
                 FROM library_reach WHERE item_id = $1 ORDER BY period_start, channel",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            for r in rows {
                out.push((*id, reach_of(r)?));
            }
        }
        Ok(out)
    }

    /// The items of a campaign.
    pub async fn campaign_items(&self, campaign: i64) -> Result<Vec<i64>, StoreError> {
        let ids: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM library_items WHERE campaign_id = $1 ORDER BY id")
                .bind(campaign)
                .fetch_all(&self.pool)
                .await?;
        Ok(ids.into_iter().map(|(i,)| i).collect())
    }

    /// Whether `who` authored any item (for the review queue's "mine").
    pub async fn library_items_by_author(&self, who: &Principal) -> Result<Vec<i64>, StoreError> {
        let Some(uid) = who.user_id() else {
            return Ok(Vec::new());
        };
        let ids: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM library_items WHERE author_id = $1 ORDER BY updated_at DESC",
        )
        .bind(uid)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(|(i,)| i).collect())
    }
}

/// Writes a new item's row and version 1 in `tx`; returns its id.
async fn insert_item_in(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    owner: Option<&MemberCode>,
    item: &Item,
    slug: Option<&str>,
    status: Status,
    now: i64,
) -> Result<i64, StoreError> {
    let seq = next_seq(tx).await?;
    let published = status == Status::Published;
    let shared = item.shared();
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO library_items (slug, kind, status, owner, author_id, author, latest_version, published_version, \
         pub_marking, pub_shared, campaign_id, note, seq, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, NULL, $11, $12, $12) RETURNING id",
    )
    .bind(slug)
    .bind(item.kind.as_str())
    .bind(status.as_str())
    .bind(owner.map(MemberCode::as_str))
    .bind(actor.id)
    .bind(&actor.label)
    .bind(published.then_some(1_i64))
    .bind(published.then(|| shared.marking.as_str()))
    .bind(published.then(|| encode(&shared.with)))
    .bind(item.counter.as_ref().and_then(|c| c.campaign))
    .bind(seq)
    .bind(now)
    .fetch_one(&mut **tx)
    .await;
    let id = match inserted {
        Err(e) if StoreError::is_unique_violation(&e) => {
            return Err(StoreError::Conflict(format!(
                "an item with the slug {} exists already",
                slug.unwrap_or("")
            )));
        }
        other => other?,
    };
    insert_version(tx, id, 1, item, actor, now).await?;
    audit::append(
        tx,
        &actor.event(
            "library.item.create",
            format!("library:{id}"),
            Outcome::Ok,
            serde_json::json!({ "kind": item.kind, "marking": item.marking, "shared": item.shared_with.as_str(), "status": status }),
        ),
    )
    .await?;
    Ok(id)
}

async fn insert_version(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    number: i64,
    item: &Item,
    by: &Actor,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO library_versions (item_id, number, doc, created_at, created_by, created_by_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(number)
        .bind(encode(item))
        .bind(now)
        .bind(&by.label)
        .bind(by.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_attachment(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    id: i64,
    version: i64,
    name: &str,
    sha256: &str,
    file: &NewAttachment,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO library_attachments (item_id, since_version, file_name, content_type, size, sha256, bytes, text, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(id)
    .bind(version)
    .bind(name)
    .bind(&file.content_type)
    .bind(file.bytes.len() as i64)
    .bind(sha256)
    .bind(&file.bytes)
    .bind(&file.text)
    .bind(&actor.label)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

/// How many items have a version for which `names` holds (withdrawn ones
/// too: they are kept, with their versions, for their authors).
async fn items_naming(
    tx: &mut Transaction<'static, Any>,
    names: impl Fn(&Item) -> bool,
) -> Result<usize, StoreError> {
    let docs: Vec<(i64, String)> = sqlx::query_as("SELECT item_id, doc FROM library_versions")
        .fetch_all(&mut **tx)
        .await?;
    let mut items = BTreeSet::new();
    for (id, doc) in docs {
        if !items.contains(&id) && names(&decode::<Item>(&doc)?) {
            items.insert(id);
        }
    }
    Ok(items.len())
}

/// Who wrote a version: its recorded user id, or for a version written
/// before ids were recorded, the user its writer's name is.
const VERSION_WRITER: &str =
    "COALESCE(v.created_by_id, (SELECT u.id FROM users u WHERE u.username = v.created_by))";

fn group_of(
    (id, name, owner, members, users): (i64, String, Option<String>, String, String),
) -> Result<SharingGroup, StoreError> {
    Ok(SharingGroup {
        id,
        name,
        owner: member(owner)?,
        members: decode(&members)?,
        users: decode(&users)?,
    })
}

/// id, status, owner, author, approved marking and distribution, latest
/// doc, latest version, seq.
type AccessDbRow = (
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    i64,
    i64,
);

type CampaignRow = (i64, String, String, String, String, Option<String>, String);

fn date(s: &str) -> Result<time::Date, StoreError> {
    time::Date::parse(s, &time::format_description::well_known::Iso8601::DATE).map_err(corrupt)
}

fn campaign_of(
    (id, name, description, starts, ends, owner, partners): CampaignRow,
) -> Result<Campaign, StoreError> {
    Ok(Campaign {
        id,
        name,
        description,
        starts: date(&starts)?,
        ends: date(&ends)?,
        owner: member(owner)?,
        partners: decode(&partners)?,
    })
}

const ATTACHMENT_COLUMNS: &str =
    "id, item_id, since_version, file_name, content_type, size, sha256, added_by, added_at";
type AttachmentRow = (i64, i64, i64, String, String, i64, String, String, i64);

fn attachment_of(r: AttachmentRow) -> AttachmentRecord {
    AttachmentRecord {
        id: r.0,
        item_id: r.1,
        since_version: r.2 as u32,
        file_name: r.3,
        content_type: r.4,
        size: r.5,
        sha256: r.6,
        added_by: r.7,
        added_at: r.8,
    }
}

type ReachDbRow = (
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<i64>,
);

fn reach_of(r: ReachDbRow) -> Result<ReachRow, StoreError> {
    Ok(ReachRow {
        period_start: date(&r.0)?,
        period_end: date(&r.1)?,
        channel: r.2,
        impressions: r.3 as u64,
        views: r.4 as u64,
        reactions: r.5 as u64,
        shares: r.6 as u64,
        comments: r.7 as u64,
        clicks: r.8 as u64,
        watch_seconds: r.9.map(|w| w as u64),
    })
}
