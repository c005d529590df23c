//! The pure parts of Accord's TAXII 2.1 server and the STIX 2.1 objects it
//! serves beyond the common list (whose bundle `accord-exports` writes).
//!
//! - [`audience`]: who a stored object is for, and the one rule that decides
//!   whether a principal may receive it (the core's `may_see`).
//! - [`collection`]: the collections by audience, which of them a principal
//!   sees, and what each selects.
//! - [`query`]: the `objects`/`manifest` query parameters, checked.
//! - [`cursor`]: the `next` token: a position in a collection's stored
//!   order, bound to the query and authenticated.
//! - [`objects`]: library items, members and Accord's own identity and
//!   extension as STIX objects.
//! - [`inbound`]: a posted bundle, checked, its reports and notes turned
//!   into draft library items.
//!
//! Nothing here reads a database or a socket: the store keeps the objects
//! and the web layer serves them.

pub mod audience;
pub mod collection;
pub mod cursor;
pub mod inbound;
pub mod objects;
pub mod query;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// The TAXII 2.1 media type, on every response (errors too).
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
/// The STIX 2.1 media type of the objects a collection holds.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";
/// The most objects one page returns, and the most a `limit` may ask.
pub const MAX_PAGE: u32 = 1_000;
/// The most objects one posted bundle may hold.
pub const MAX_POSTED_OBJECTS: usize = 1_000;

/// A STIX timestamp (`2026-12-03T07:30:00.123Z`, millisecond precision, as
/// STIX requires for `created`/`modified` and TAXII for `date_added`) of
/// milliseconds since the epoch.
pub fn stix_time(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Reads a STIX/TAXII timestamp (RFC 3339 in UTC, any fraction) as
/// microseconds since the epoch; `None` if it is not one.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    // STIX timestamps are UTC and say so with `Z`.
    if !(s.ends_with('Z') || s.ends_with('z')) {
        return None;
    }
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000).ok()
}

/// A UUIDv5 in Accord's STIX namespace: the same name gives the same id on
/// every node and in every version (ids stay stable; `modified` moves).
pub fn accord_uuid(name: &str) -> Uuid {
    let root = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:accord:stix");
    Uuid::new_v5(&root, name.as_bytes())
}

/// A STIX identifier: `type--uuid`.
pub fn stix_id(kind: &str, name: &str) -> String {
    format!("{kind}--{}", accord_uuid(name))
}

/// Whether `id` is a well-formed STIX identifier (`type--uuid`).
pub fn is_stix_id(id: &str) -> bool {
    let Some((kind, uuid)) = id.split_once("--") else {
        return false;
    };
    is_type_name(kind) && Uuid::try_parse(uuid).is_ok()
}

/// Whether `name` is a STIX type name: 3 to 250 of `a-z`, `0-9` and `-`.
pub fn is_type_name(name: &str) -> bool {
    (3..=250).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_milliseconds_and_a_z() {
        assert_eq!(stix_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(stix_time(1_435_622_400_123), "2015-06-30T00:00:00.123Z");
    }

    #[test]
    fn timestamps_read_back_at_microsecond_precision() {
        assert_eq!(
            parse_timestamp("2015-06-30T00:00:00.123Z"),
            Some(1_435_622_400_123_000)
        );
        assert_eq!(
            parse_timestamp("2015-06-30T00:00:00.123456Z"),
            Some(1_435_622_400_123_456)
        );
        assert_eq!(
            parse_timestamp("2015-06-30T00:00:00Z"),
            Some(1_435_622_400_000_000)
        );
        assert_eq!(
            parse_timestamp("2015-06-30T05:00:00+05:00"),
            None,
            "not UTC"
        );
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2015-06-30"), None);
    }

    #[test]
    fn ids_are_stable_and_checked() {
        assert_eq!(stix_id("report", "a"), stix_id("report", "a"));
        assert_ne!(stix_id("report", "a"), stix_id("report", "b"));
        assert!(is_stix_id(&stix_id("report", "a")));
        assert!(is_stix_id(
            "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
        ));
        assert!(!is_stix_id("report--not-a-uuid"));
        assert!(!is_stix_id("Report--94868c89-83c2-464b-929b-a1a8aa3c8487"));
        assert!(!is_stix_id("report"));
    }
}
