//! A published version of the common list written in one of the export
//! formats — the one writer behind `GET /api/list/export/{format}` and
//! `accord common-list export`, so both give the same bytes.

use std::str::FromStr;

use accord_exports::{ExportError, ExportVersion};
use accord_store::common_list::PublishedVersion;

/// The list's name in exports; part of the STIX ids, so it never changes.
pub const LIST_NAME: &str = "Accord common list";
pub const PUBLISHER: &str = "Central and South Asia CVE partnership (Accord)";

/// The export formats of the common list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One row per entry (spreadsheet-safe).
    Csv,
    /// FollowTheMoney entities, JSON lines.
    Ftm,
    /// The structure of the UN Security Council Consolidated List.
    UnXml,
    /// A STIX 2.1 bundle.
    Stix,
}

impl FromStr for ExportFormat {
    type Err = String;
    /// `csv`, `ftm`, `xml` (or `un-xml`), `stix`.
    fn from_str(s: &str) -> Result<ExportFormat, String> {
        match s.trim() {
            "csv" => Ok(ExportFormat::Csv),
            "ftm" => Ok(ExportFormat::Ftm),
            "xml" | "un-xml" => Ok(ExportFormat::UnXml),
            "stix" => Ok(ExportFormat::Stix),
            other => Err(format!("export format {other} (use csv, ftm, xml or stix)")),
        }
    }
}

impl ExportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Ftm => "application/x-ndjson",
            ExportFormat::UnXml => "application/xml",
            ExportFormat::Stix => "application/stix+json;version=2.1",
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Ftm => "ftm.json",
            ExportFormat::UnXml => "xml",
            ExportFormat::Stix => "stix.json",
        }
    }

    /// `accord-common-list-v3.csv`.
    pub fn file_name(self, version: i64) -> String {
        format!("accord-common-list-v{version}.{}", self.extension())
    }
}

/// The version's STIX 2.1 bundle (what the `stix` export writes), for the
/// TAXII server's projection.
/// The projection revokes what a version removed by itself (with stubs
/// and generations, docs/taxii.md), so it reads versions without their
/// previous one (`Store::published_list_alone`), and its bundle carries no
/// revocations.
pub fn stix_bundle(v: &PublishedVersion) -> Result<serde_json::Value, ExportError> {
    debug_assert!(v.previous.is_none(), "read with published_list_alone");
    let body = write(v, ExportFormat::Stix)?;
    serde_json::from_slice(&body).map_err(ExportError::from)
}

/// A publication time (ms) as RFC 3339.
fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Writes a published version, with its number, date and summaries; the
/// STIX bundle also revokes what the previous version held and it does not.
pub fn write(v: &PublishedVersion, format: ExportFormat) -> Result<Vec<u8>, ExportError> {
    let entries = v.list_entries();
    let date = rfc3339(v.version.created_at);
    let previous_date = v.previous.as_ref().map(|p| rfc3339(p.created_at));
    // The common list is of violent extremist subjects (its criteria).
    let mut export = ExportVersion::new(
        LIST_NAME,
        v.version.version as u64,
        &date,
        PUBLISHER,
        &entries,
    )
    .with_threat_actor_types(&["terrorist"]);
    if let (Some(p), Some(date)) = (&v.previous, &previous_date) {
        export = export.with_previous(date, &p.entries);
    }
    for (reference, summary) in v.summaries() {
        export = export.with_summary(reference, summary);
    }
    let mut body = Vec::new();
    match format {
        ExportFormat::Csv => accord_exports::csv::write_with(
            &export,
            &mut body,
            accord_exports::csv::CsvOptions {
                spreadsheet_safe: true,
            },
        ),
        ExportFormat::Ftm => accord_exports::ftm::write(&export, &mut body),
        ExportFormat::UnXml => accord_exports::un_xml::write(&export, &mut body),
        ExportFormat::Stix => accord_exports::stix::write(&export, &mut body),
    }?;
    Ok(body)
}
