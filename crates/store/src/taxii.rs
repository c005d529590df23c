//! The TAXII server's storage: every version of every STIX object served,
//! with its audience, in one shared order ([`Store::taxii_append`]), and
//! the pages a collection reads of it ([`Store::taxii_page`]).
//!
//! What goes in is decided by the web layer's projector (from the library,
//! the published list and the members); who may read what by
//! `accord_taxii` (the collections' selections, and the one visibility
//! rule for every object served). Also: the status resources of posts, the
//! objects an inbox received, and the cursor key every node shares.

use std::collections::BTreeSet;

use accord_core::tlp::Tlp;
use accord_taxii::audience::Audience;
use accord_taxii::collection::Selection;
use accord_taxii::query::Versions;
use sqlx::{Any, Transaction};

use crate::{Store, StoreError, now_ms};

/// An object version to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObject {
    pub stix_id: String,
    pub stix_type: String,
    /// The version: `modified` (or `created`) in milliseconds.
    pub modified_ms: i64,
    pub revoked: bool,
    /// What it was made from (`meta`, `member:kaz`, `list`, `library:12`).
    pub source: String,
    pub audience: Audience,
    /// The object's JSON.
    pub body: String,
}

/// A stored object version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObject {
    pub seq: i64,
    pub stix_id: String,
    pub stix_type: String,
    pub modified_ms: i64,
    /// When the server added it (ms).
    pub date_added: i64,
    pub revoked: bool,
    pub is_last: bool,
    pub source: String,
    /// `None`: columns this version cannot read (served to nobody).
    pub audience: Option<Audience>,
    pub body: String,
}

/// What a page asks for.
#[derive(Debug, Clone)]
pub struct PageRequest<'a> {
    pub selection: &'a Selection,
    /// Only what was added after this instant (µs).
    pub added_after_us: Option<i64>,
    /// Only after this sequence number (the `next` token's).
    pub after_seq: i64,
    pub ids: &'a BTreeSet<String>,
    pub types: &'a BTreeSet<String>,
    pub versions: &'a Versions,
    /// How many rows to read (the page and one more, to tell `more`).
    pub rows: u32,
}

type ObjectRow = (
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    String,
    String,
);

const COLUMNS: &str = "seq, stix_id, stix_type, modified_ms, date_added, revoked, is_last, source, \
                       reach, marking, owner, group_id, recipients, body";

fn object_of(row: ObjectRow) -> StoredObject {
    let (
        seq,
        stix_id,
        stix_type,
        modified_ms,
        date_added,
        revoked,
        is_last,
        source,
        reach,
        marking,
        owner,
        group,
        recipients,
        body,
    ) = row;
    StoredObject {
        seq,
        stix_id,
        stix_type,
        modified_ms,
        date_added,
        revoked: revoked != 0,
        is_last: is_last != 0,
        source,
        audience: Audience::from_stored(&reach, &marking, owner.as_deref(), group, &recipients),
        body,
    }
}

/// A page's SQL conditions and their arguments.
struct Condition {
    /// Disjoint: no row matches two.
    branches: Vec<String>,
    filters: String,
    texts: Vec<String>,
    numbers: Vec<i64>,
}

fn marking_list(markings: &[Tlp], args: &mut Vec<String>, n: &mut usize) -> String {
    if markings.is_empty() {
        return "1 = 0".into();
    }
    let mut parts = Vec::new();
    for m in markings {
        *n += 1;
        parts.push(format!("${n}"));
        args.push(m.as_str().to_string());
    }
    format!("marking IN ({})", parts.join(", "))
}

/// How long a TAXII status resource is kept (days).
pub const TAXII_STATUS_DAYS: i64 = 7;

impl Store {
    /// The key `next` tokens are authenticated with: made once, shared by
    /// every node of the database.
    pub async fn taxii_cursor_key(&self) -> Result<Vec<u8>, StoreError> {
        let key = self
            .setting_or_insert("taxii_cursor_key", &crate::credentials::random_secret())
            .await?;
        Ok(key.into_bytes())
    }

    /// How far `source` has been projected (0: not yet).
    pub async fn taxii_mark(&self, source: &str) -> Result<i64, StoreError> {
        let through: Option<i64> =
            sqlx::query_scalar("SELECT through FROM taxii_sources WHERE name = $1")
                .bind(source)
                .fetch_optional(&self.pool)
                .await?;
        Ok(through.unwrap_or(0))
    }

    /// The feed's last number: every object up to it is committed.
    pub async fn taxii_seq(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT seq FROM taxii_feed WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Appends object versions in one transaction, and moves `mark`'s
    /// source forward to its number (never back). A version already stored
    /// (the same id and `modified`, as another node may have projected it)
    /// is skipped: projection is idempotent. Returns how many were added.
    pub async fn taxii_append(
        &self,
        objects: &[NewObject],
        mark: Option<(&str, i64)>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        // Take the feed row first: its lock orders concurrent appends.
        let (mut seq, mut last_added): (i64, i64) = sqlx::query_as(
            "UPDATE taxii_feed SET seq = seq WHERE id = 1 RETURNING seq, last_added",
        )
        .fetch_one(&mut *tx)
        .await?;
        let now = now_ms().max(last_added);
        let mut added = 0;
        for o in objects {
            if append_one(&mut tx, o, seq + 1, now).await? {
                seq += 1;
                last_added = now;
                added += 1;
            }
        }
        sqlx::query("UPDATE taxii_feed SET seq = $1, last_added = $2 WHERE id = 1")
            .bind(seq)
            .bind(last_added)
            .execute(&mut *tx)
            .await?;
        if let Some((name, through)) = mark {
            sqlx::query(
                "INSERT INTO taxii_sources (name, through) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET through = CASE \
                   WHEN excluded.through > taxii_sources.through THEN excluded.through \
                   ELSE taxii_sources.through END",
            )
            .bind(name)
            .bind(through)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The latest version of each object made from `source`.
    pub async fn taxii_latest(&self, source: &str) -> Result<Vec<StoredObject>, StoreError> {
        let rows: Vec<ObjectRow> = sqlx::query_as(sql!(
            "SELECT {COLUMNS} FROM taxii_objects WHERE source = $1 AND is_last = 1 ORDER BY seq"
        ))
        .bind(source)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(object_of).collect())
    }

    /// The latest version of each object made from a source whose name
    /// starts with `prefix` (`plan:`).
    pub async fn taxii_latest_like(&self, prefix: &str) -> Result<Vec<StoredObject>, StoreError> {
        let rows: Vec<ObjectRow> = sqlx::query_as(sql!(
            "SELECT {COLUMNS} FROM taxii_objects WHERE source LIKE $1 AND is_last = 1 ORDER BY seq"
        ))
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(object_of).collect())
    }

    /// Whether an object of this id is among those served.
    pub async fn taxii_serves(&self, stix_id: &str) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM taxii_objects WHERE stix_id = $1 LIMIT 1")
                .bind(stix_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Object versions of a collection's selection, in the shared order,
    /// up to the feed's committed number. The caller checks each against
    /// the one visibility rule before serving it.
    pub async fn taxii_page(
        &self,
        page: &PageRequest<'_>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        let condition = page_condition(page);
        // One ordered, limited range scan per branch (each on its index),
        // merged: an OR of them would make both databases gather every
        // matching row and sort it, so that the first page of a large
        // collection would cost the most. The text is this module's own;
        // every value is bound.
        let rows = page.rows;
        let branches: Vec<String> = condition
            .branches
            .iter()
            .enumerate()
            .map(|(i, b)| {
                format!(
                    "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM taxii_objects \
                     WHERE {b} AND {} ORDER BY seq LIMIT {rows}) AS b{i}",
                    condition.filters
                )
            })
            .collect();
        let sql = sql!(
            "SELECT {COLUMNS} FROM ({}) AS u ORDER BY seq LIMIT {rows}",
            branches.join(" UNION ALL ")
        );
        let mut query = sqlx::query_as::<Any, ObjectRow>(sql).bind(page.after_seq);
        for t in condition.texts {
            query = query.bind(t);
        }
        for n in condition.numbers {
            query = query.bind(n);
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(object_of).collect())
    }

    /// Keeps a status resource (TAXII 2.1, 4.3) for its user, for
    /// [`TAXII_STATUS_DAYS`]; older ones are deleted as new ones come.
    pub async fn save_taxii_status(
        &self,
        id: &str,
        user_id: i64,
        collection: &str,
        body: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.save_taxii_status_at(id, user_id, collection, body, now_ms())
            .await
    }

    /// [`Store::save_taxii_status`] at a given time (ms), for tests.
    pub async fn save_taxii_status_at(
        &self,
        id: &str,
        user_id: i64,
        collection: &str,
        body: &serde_json::Value,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // A client polls a status for minutes after its post; a week is
        // generous, and keeps the table from growing with every post.
        sqlx::query("DELETE FROM taxii_status WHERE created_at < $1")
            .bind(now - TAXII_STATUS_DAYS * 86_400_000)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO taxii_status (id, user_id, collection, created_at, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(user_id)
        .bind(collection)
        .bind(now)
        .bind(body.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A status resource, for the user who posted (anyone else: not found).
    pub async fn taxii_status(
        &self,
        id: &str,
        user_id: i64,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body FROM taxii_status WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Conflict(e.to_string())))
            .transpose()
    }

    /// The draft a posted object already became in `member`'s inbox.
    pub async fn taxii_received(
        &self,
        stix_id: &str,
        modified: &str,
        member: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT item_id FROM taxii_received WHERE stix_id = $1 AND modified = $2 AND member = $3",
        )
        .bind(stix_id)
        .bind(modified)
        .bind(member)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records that a posted object became draft `item_id`.
    pub async fn record_taxii_received(
        &self,
        stix_id: &str,
        modified: &str,
        member: &str,
        item_id: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO taxii_received (stix_id, modified, member, item_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (stix_id, modified, member) DO NOTHING",
        )
        .bind(stix_id)
        .bind(modified)
        .bind(member)
        .bind(item_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Appends one version as number `seq` unless it is stored already.
async fn append_one(
    tx: &mut Transaction<'static, Any>,
    o: &NewObject,
    seq: i64,
    date_added: i64,
) -> Result<bool, StoreError> {
    let versions: Vec<(i64, i64)> =
        sqlx::query_as("SELECT modified_ms, revoked FROM taxii_objects WHERE stix_id = $1")
            .bind(&o.stix_id)
            .fetch_all(&mut **tx)
            .await?;
    // A revoked object is final: nothing follows it (what comes back is a
    // new object, see accord_taxii::objects::generation_name).
    if versions.iter().any(|(m, r)| *m == o.modified_ms || *r != 0) {
        return Ok(false);
    }
    let mut versions: Vec<i64> = versions.into_iter().map(|(m, _)| m).collect();
    if o.revoked {
        // What was taken back is no longer served in any version: the
        // revoked one, with the id alone, stands for them all.
        sqlx::query("DELETE FROM taxii_objects WHERE stix_id = $1")
            .bind(&o.stix_id)
            .execute(&mut **tx)
            .await?;
        versions.clear();
    }
    let is_last = versions.iter().max().is_none_or(|m| *m < o.modified_ms);
    let is_first = versions.iter().min().is_none_or(|m| *m > o.modified_ms);
    for (flag, set) in [("is_last", is_last), ("is_first", is_first)] {
        if set && !versions.is_empty() {
            sqlx::query(sql!(
                "UPDATE taxii_objects SET {flag} = 0 WHERE stix_id = $1 AND {flag} = 1"
            ))
            .bind(&o.stix_id)
            .execute(&mut **tx)
            .await?;
        }
    }
    let a = o.audience.stored();
    sqlx::query(
        "INSERT INTO taxii_objects (seq, stix_id, stix_type, modified_ms, date_added, is_first, is_last, \
         revoked, source, reach, marking, owner, group_id, recipients, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(seq)
    .bind(&o.stix_id)
    .bind(&o.stix_type)
    .bind(o.modified_ms)
    .bind(date_added)
    .bind(i64::from(is_first))
    .bind(i64::from(is_last))
    .bind(i64::from(o.revoked))
    .bind(&o.source)
    .bind(a.reach)
    .bind(a.marking)
    .bind(a.owner)
    .bind(a.group)
    .bind(a.recipients)
    .bind(&o.body)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// A page's conditions: the selection as disjoint branches (each one
/// index's range: the context, a reach, an owner), and the filters every
/// branch shares. Placeholders after $1 (the previous page's end) are
/// numbered in the order [`Condition`]'s texts, then numbers, are bound.
fn page_condition(page: &PageRequest<'_>) -> Condition {
    let mut texts = Vec::new();
    let mut n = 1;
    let mut branches = Vec::new();
    match page.selection {
        Selection::Platform { markings } => {
            branches.push("reach = 'everyone'".to_string());
            branches.push(format!(
                "reach = 'platform' AND {}",
                marking_list(markings, &mut texts, &mut n)
            ));
        }
        Selection::Group { id, markings } => {
            branches.push("reach = 'everyone'".to_string());
            branches.push(format!(
                "group_id = {id} AND reach = 'group' AND {}",
                marking_list(markings, &mut texts, &mut n)
            ));
        }
        Selection::Member {
            code,
            named_markings,
        } => {
            n += 1;
            let owner = n;
            texts.push(code.as_str().to_string());
            n += 1;
            let pattern = n;
            texts.push(format!("%,{},%", code.as_str()));
            branches.push("reach = 'everyone'".to_string());
            branches.push(format!("owner = ${owner} AND reach <> 'everyone'"));
            branches.push(format!(
                "reach = 'members' AND recipients LIKE ${pattern} AND (owner IS NULL OR owner <> ${owner}) AND {}",
                marking_list(named_markings, &mut texts, &mut n)
            ));
        }
    };
    // Up to the feed's committed number, read in the same statement as the
    // rows: every object up to it is committed, so a page never reads past
    // an append still in flight.
    let mut filters = vec![
        "seq > $1".to_string(),
        "seq <= (SELECT seq FROM taxii_feed WHERE id = 1)".to_string(),
    ];
    let mut list = |column: &str, values: &BTreeSet<String>, filters: &mut Vec<String>| {
        if values.is_empty() {
            return;
        }
        let mut marks = Vec::new();
        for v in values {
            n += 1;
            marks.push(format!("${n}"));
            texts.push(v.clone());
        }
        filters.push(format!("{column} IN ({})", marks.join(", ")));
    };
    list("stix_id", page.ids, &mut filters);
    list("stix_type", page.types, &mut filters);
    let mut numbers = Vec::new();
    if let Some(after) = page.added_after_us {
        // date_added is kept in ms: added after t µs is date_added > floor(t / 1000).
        n += 1;
        filters.push(format!("date_added > ${n}"));
        numbers.push(after.div_euclid(1_000));
    }
    let v = page.versions;
    if !v.all {
        let mut any = Vec::new();
        if v.first {
            any.push("is_first = 1".to_string());
        }
        if v.last {
            any.push("is_last = 1".to_string());
        }
        for at in &v.at {
            n += 1;
            any.push(format!("modified_ms = ${n}"));
            numbers.push(*at);
        }
        filters.push(if any.is_empty() {
            "1 = 0".into()
        } else {
            format!("({})", any.join(" OR "))
        });
    }
    Condition {
        branches,
        filters: filters.join(" AND "),
        texts,
        numbers,
    }
}
