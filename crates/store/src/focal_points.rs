//! Focal points: personal data, so every read is audited and only field
//! names (never values) go into the audit log.

use accord_core::MemberCode;
use accord_core::audit::Outcome;
use accord_core::focal_point::{FocalPoint, FocalPointInput, iso_date};
use sqlx::FromRow;
use time::Date;

use crate::{Actor, Store, StoreError, audit, now_ms};

#[derive(FromRow)]
struct FocalPointRow {
    id: i64,
    member_code: String,
    name: String,
    title: String,
    agency: String,
    languages: String,
    email: String,
    phone: String,
    last_verified: String,
    version: i64,
}

impl TryFrom<FocalPointRow> for FocalPoint {
    type Error = StoreError;
    fn try_from(r: FocalPointRow) -> Result<FocalPoint, StoreError> {
        let last_verified = Date::parse(&r.last_verified, iso_date::FORMAT)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
        Ok(FocalPoint {
            id: r.id,
            member: MemberCode::parse(&r.member_code)?,
            details: FocalPointInput {
                name: r.name,
                title: r.title,
                agency: r.agency,
                languages: r.languages,
                email: r.email,
                phone: r.phone,
                last_verified,
            },
            version: r.version,
        })
    }
}

const FOCAL_POINT_SELECT: &str = "SELECT f.id, m.code AS member_code, f.name, f.title, f.agency, f.languages, \
     f.email, f.phone, f.last_verified, f.version FROM focal_points f JOIN members m ON m.id = f.member_id";

/// The fields whose values differ, for the audit log.
fn changed_fields(old: &FocalPointInput, new: &FocalPointInput) -> Vec<&'static str> {
    let pairs = [
        ("name", old.name == new.name),
        ("title", old.title == new.title),
        ("agency", old.agency == new.agency),
        ("languages", old.languages == new.languages),
        ("email", old.email == new.email),
        ("phone", old.phone == new.phone),
        ("last_verified", old.last_verified == new.last_verified),
    ];
    pairs
        .into_iter()
        .filter(|(_, same)| !same)
        .map(|(f, _)| f)
        .collect()
}

impl Store {
    /// The focal points of a member; the read is audited.
    pub async fn focal_points(
        &self,
        actor: &Actor,
        member: &MemberCode,
    ) -> Result<Vec<FocalPoint>, StoreError> {
        self.member(member).await?;
        let mut tx = self.begin().await?;
        let event = actor.event(
            "focal_points.read",
            format!("member:{member}"),
            Outcome::Ok,
            serde_json::json!({}),
        );
        audit::append(&mut tx, &event).await?;
        let rows: Vec<FocalPointRow> = sqlx::query_as(sql!(
            "{FOCAL_POINT_SELECT} WHERE m.code = $1 ORDER BY f.name, f.id"
        ))
        .bind(member.as_str())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter().map(FocalPoint::try_from).collect()
    }

    /// One focal point; the read is audited.
    pub async fn focal_point(&self, actor: &Actor, id: i64) -> Result<FocalPoint, StoreError> {
        let mut tx = self.begin().await?;
        let event = actor.event(
            "focal_points.read",
            format!("focal_point:{id}"),
            Outcome::Ok,
            serde_json::json!({}),
        );
        audit::append(&mut tx, &event).await?;
        let row: Option<FocalPointRow> =
            sqlx::query_as(sql!("{FOCAL_POINT_SELECT} WHERE f.id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            // Nothing was read: the audit record is rolled back with the transaction.
            return Err(StoreError::NotFound(format!("focal point {id}")));
        };
        tx.commit().await?;
        row.try_into()
    }

    /// Which member a focal point belongs to (no personal data, not audited),
    /// so that access can be checked before the read itself.
    pub async fn focal_point_member(&self, id: i64) -> Result<MemberCode, StoreError> {
        let code: Option<String> =
            sqlx::query_scalar("SELECT m.code FROM focal_points f JOIN members m ON m.id = f.member_id WHERE f.id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(MemberCode::parse(&code.ok_or_else(|| {
            StoreError::NotFound(format!("focal point {id}"))
        })?)?)
    }

    pub async fn add_focal_point(
        &self,
        actor: &Actor,
        member: &MemberCode,
        input: &FocalPointInput,
    ) -> Result<FocalPoint, StoreError> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO focal_points (member_id, name, title, agency, languages, email, phone, last_verified, \
             version, created_at, updated_at) \
             SELECT id, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9 FROM members WHERE code = $1 RETURNING id",
        )
        .bind(member.as_str())
        .bind(&input.name)
        .bind(&input.title)
        .bind(&input.agency)
        .bind(&input.languages)
        .bind(&input.email)
        .bind(&input.phone)
        .bind(iso_date::format(input.last_verified))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let id = id.ok_or_else(|| StoreError::NotFound(format!("member {member}")))?;
        let event = actor.event(
            "focal_points.add",
            format!("focal_point:{id}"),
            Outcome::Ok,
            serde_json::json!({ "member": member.as_str() }),
        );
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(FocalPoint {
            id,
            member: member.clone(),
            details: input.clone(),
            version: 1,
        })
    }

    /// Replaces a focal point's details if nobody changed it since `expected_version`.
    pub async fn update_focal_point(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        input: &FocalPointInput,
    ) -> Result<FocalPoint, StoreError> {
        let old: Option<FocalPointRow> =
            sqlx::query_as(sql!("{FOCAL_POINT_SELECT} WHERE f.id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let old = FocalPoint::try_from(
            old.ok_or_else(|| StoreError::NotFound(format!("focal point {id}")))?,
        )?;
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE focal_points SET name = $1, title = $2, agency = $3, languages = $4, email = $5, phone = $6, \
             last_verified = $7, version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
        )
        .bind(&input.name)
        .bind(&input.title)
        .bind(&input.agency)
        .bind(&input.languages)
        .bind(&input.email)
        .bind(&input.phone)
        .bind(iso_date::format(input.last_verified))
        .bind(now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "focal point {id} was changed by someone else since you opened it (you had version {expected_version}, \
                 it is now at version {}); reload and apply your change again",
                old.version
            )));
        }
        let fields = changed_fields(&old.details, input);
        let event = actor.event(
            "focal_points.edit",
            format!("focal_point:{id}"),
            Outcome::Ok,
            serde_json::json!({ "fields": fields }),
        );
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(FocalPoint {
            id,
            member: old.member,
            details: input.clone(),
            version: expected_version + 1,
        })
    }

    pub async fn delete_focal_point(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM focal_points WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("focal point {id}")));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "focal_points.delete",
                format!("focal_point:{id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
