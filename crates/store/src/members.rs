//! The member directory.

use accord_core::audit::Outcome;
use accord_core::seed;
use accord_core::{Member, MemberCode, MemberKind, NewMember};
use sqlx::FromRow;

use crate::{Actor, Store, StoreError, audit, now_ms};

#[derive(FromRow)]
struct MemberRow {
    id: i64,
    code: String,
    kind: String,
    name: String,
    name_ru: String,
    seeded: i64,
}

impl TryFrom<MemberRow> for Member {
    type Error = StoreError;
    fn try_from(r: MemberRow) -> Result<Member, StoreError> {
        Ok(Member {
            id: r.id,
            code: MemberCode::parse(&r.code)?,
            kind: r.kind.parse::<MemberKind>()?,
            name: r.name,
            name_ru: r.name_ru,
            seeded: r.seeded != 0,
        })
    }
}

const MEMBER_COLUMNS: &str = "id, code, kind, name, name_ru, seeded";

impl Store {
    /// Loads the participants of the conference report; members already
    /// present are left as they are. Returns how many were added.
    pub async fn seed_members(&self) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        let mut added = Vec::new();
        for m in seed::MEMBERS {
            let done = sqlx::query(
                "INSERT INTO members (code, kind, name, name_ru, seeded, created_at) \
                 VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (code) DO NOTHING",
            )
            .bind(m.code)
            .bind(m.kind.as_str())
            .bind(m.name)
            .bind(m.name_ru)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                added.push(m.code);
            }
        }
        if !added.is_empty() {
            let event = Actor::system("seed").event(
                "members.seed",
                "members",
                Outcome::Ok,
                serde_json::json!({ "added": added }),
            );
            audit::append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(added.len())
    }

    /// Every member, regional states first, then partner states, organizations, others.
    pub async fn members(&self) -> Result<Vec<Member>, StoreError> {
        let rows: Vec<MemberRow> = sqlx::query_as(sql!(
            "SELECT {MEMBER_COLUMNS} FROM members ORDER BY \
             CASE kind WHEN 'regional_state' THEN 0 WHEN 'partner_state' THEN 1 \
             WHEN 'partner_organization' THEN 2 WHEN 'civil_society' THEN 3 ELSE 4 END, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Member::try_from).collect()
    }

    pub async fn member(&self, code: &MemberCode) -> Result<Member, StoreError> {
        let row: Option<MemberRow> =
            sqlx::query_as(sql!("SELECT {MEMBER_COLUMNS} FROM members WHERE code = $1"))
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("member {code}")))?
            .try_into()
    }

    pub async fn add_member(&self, actor: &Actor, new: &NewMember) -> Result<Member, StoreError> {
        let mut tx = self.begin().await?;
        let inserted: Result<MemberRow, sqlx::Error> = sqlx::query_as(sql!(
            "INSERT INTO members (code, kind, name, name_ru, seeded, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5) RETURNING {MEMBER_COLUMNS}"
        ))
        .bind(new.code.as_str())
        .bind(new.kind.as_str())
        .bind(&new.name)
        .bind(&new.name_ru)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted {
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(accord_core::Invalid::field(
                    "code",
                    format!("{} is already taken", new.code),
                )
                .into());
            }
            other => other?,
        };
        let event = actor.event(
            "members.add",
            format!("member:{}", new.code),
            Outcome::Ok,
            serde_json::json!({ "kind": new.kind.as_str() }),
        );
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        row.try_into()
    }
}
