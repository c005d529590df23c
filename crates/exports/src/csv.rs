//! CSV: one RFC 4180 row per entry, with a header row.
//!
//! Columns, in this order ([`COLUMNS`]):
//!
//! | column | content |
//! | --- | --- |
//! | `reference` | the entry's reference |
//! | `schema` | `Person`, `Organization`, `Vessel` or `Aircraft` |
//! | `name` | the primary name |
//! | `aliases` | names of kind Alias, strong and weak, joined by `"; "` |
//! | `former_names` | names of kind FormerName, joined by `"; "` |
//! | `original_script_names` | names of kind OriginalScript, joined by `"; "` |
//! | `birth_dates` | ISO 8601 / EDTF: `1970-01-31`, `1973-11`, `1961`, `1962/1963`, `~` when approximate; joined by `"; "` |
//! | `birth_places` | joined by `"; "` |
//! | `nationalities` | joined by `"; "` |
//! | `programs` | joined by `"; "` |
//! | `listed_on` | `YYYY-MM-DD` |
//! | `last_updated` | the latest update, `YYYY-MM-DD` |
//! | `summary` | the published narrative summary of reasons |
//! | `tlp` | `CLEAR` or `GREEN` |
//! | `list_name`, `version`, `version_date` | the same on every row (CSV has no header comments) |
//! | `documents` | identity documents as `kind number (country)`, joined by `"; "` |
//! | `addresses` | one-line addresses, joined by `"; "` |
//! | `links` | links to other entries as `relation reference`, joined by `"; "` |
//!
//! The last three columns came later than the others and are appended, so
//! that readers addressing columns by position keep working.
//!
//! Several values in one cell are joined by [`SEPARATOR`] (`"; "`), and a
//! value's own `;` and `\` are escaped with a backslash (`\;`, `\\`), so
//! that every multi-valued cell reads back into the same values: the alias
//! `O'Nour; Group, Ltd.` is written `O'Nour\; Group, Ltd.`, one value, where
//! it used to read back as two. [`split`] reads a cell back. A value without
//! `;` or `\` (nearly all of them) is written as it is, so readers that split
//! at `"; "` keep working on those.
//!
//! Fields are quoted as RFC 4180 requires (the `csv` crate; `"` doubled),
//! lines end with CRLF, the encoding is UTF-8 without BOM. [`write`] writes
//! values exactly (machine consumers need the exact names);
//! [`write_with`] and [`CsvOptions::spreadsheet_safe`] prefix a `'` to a
//! field starting with `=`, `+`, `-`, `@`, tab or CR, so that a spreadsheet
//! opening the download does not run it as a formula (as accord-screening
//! does for its downloads).

use std::io::Write;

use accord_lists::model::{EntryLink, EntrySchema, IdentityDocument, ListEntry, NameKind};

use crate::date::edtf;
use crate::names::of_kind;
use crate::{ExportError, ExportVersion};

/// The header row.
pub const COLUMNS: [&str; 20] = [
    "reference",
    "schema",
    "name",
    "aliases",
    "former_names",
    "original_script_names",
    "birth_dates",
    "birth_places",
    "nationalities",
    "programs",
    "listed_on",
    "last_updated",
    "summary",
    "tlp",
    "list_name",
    "version",
    "version_date",
    "documents",
    "addresses",
    "links",
];

/// The separator of several values in one field (a value's own `;` is
/// written `\;`, see [`split`]).
pub const SEPARATOR: &str = "; ";

/// The values of a multi-valued cell: split at each `;` not escaped by a
/// backslash (the space after it dropped), `\;` and `\\` unescaped. The
/// inverse of how [`write`] joins values; an empty cell has no values.
pub fn split(cell: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ';' => {
                values.push(std::mem::take(&mut current));
                chars = {
                    let rest = chars.as_str();
                    rest.strip_prefix(' ').unwrap_or(rest).chars()
                };
            }
            c => current.push(c),
        }
    }
    if !cell.is_empty() {
        values.push(current);
    }
    values
}

/// A value as one item of a multi-valued cell: `\` and `;` escaped.
fn escape(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains(['\\', ';']) {
        value.replace('\\', "\\\\").replace(';', "\\;").into()
    } else {
        value.into()
    }
}

/// How to write the CSV.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Neutralize fields a spreadsheet would read as a formula (see the
    /// module documentation). Off by default.
    pub spreadsheet_safe: bool,
}

/// Writes the version as CSV (header row, then one row per entry in order).
pub fn write<W: Write>(version: &ExportVersion<'_>, w: W) -> Result<(), ExportError> {
    write_with(version, w, CsvOptions::default())
}

/// [`write`] with options.
pub fn write_with<W: Write>(
    version: &ExportVersion<'_>,
    w: W,
    options: CsvOptions,
) -> Result<(), ExportError> {
    let date = version.check()?;
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(w);
    out.write_record(COLUMNS)?;
    let number = version.version.to_string();
    for e in version.entries {
        let row: [String; 20] = [
            e.reference.clone(),
            schema_name(e.schema).to_string(),
            e.primary_name().unwrap_or_default().to_string(),
            join(of_kind(e, NameKind::Alias).map(|n| n.text.as_str())),
            join(of_kind(e, NameKind::FormerName).map(|n| n.text.as_str())),
            join(of_kind(e, NameKind::OriginalScript).map(|n| n.text.as_str())),
            join(e.birth_dates.iter().map(edtf)),
            join(&e.birth_places),
            join(&e.nationalities),
            join(&e.programs),
            e.listed_on.clone().unwrap_or_default(),
            last_updated(e).unwrap_or_default().to_string(),
            version
                .summary(&e.reference)
                .unwrap_or_default()
                .to_string(),
            version.tlp_of(&e.reference).as_str().to_string(),
            version.list_name.to_string(),
            number.clone(),
            date.original.clone(),
            join(e.documents.iter().map(document)),
            join(
                e.addresses
                    .iter()
                    .map(|a| a.full())
                    .filter(|a| !a.is_empty()),
            ),
            join(e.links.iter().map(link)),
        ];
        if options.spreadsheet_safe {
            out.write_record(row.iter().map(|f| neutralize_formula(f).into_owned()))?;
        } else {
            out.write_record(&row)?;
        }
    }
    out.flush()?;
    Ok(())
}

use accord_core::validation::neutralize_formula;

/// `Passport A1234567 (Pakistan)`.
fn document(d: &IdentityDocument) -> String {
    let mut s = format!("{} {}", d.kind, d.number);
    if let Some(c) = &d.country {
        s.push_str(&format!(" ({c})"));
    }
    s
}

/// `sponsor_of ACL-0001`, or the other subject's name when it has no reference.
fn link(l: &EntryLink) -> String {
    let other = l
        .target_reference
        .as_deref()
        .or(l.target_name.as_deref())
        .unwrap_or_default();
    format!("{} {other}", l.relation).trim().to_string()
}

pub(crate) fn schema_name(schema: EntrySchema) -> &'static str {
    match schema {
        EntrySchema::Person => "Person",
        EntrySchema::Organization => "Organization",
        EntrySchema::Vessel => "Vessel",
        EntrySchema::Aircraft => "Aircraft",
    }
}

pub(crate) fn last_updated(e: &ListEntry) -> Option<&str> {
    e.last_updated.iter().max().map(String::as_str)
}

fn join<I, S>(values: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    // An empty value has no meaning in a list of names or places, and
    // would not read back (a cell cannot tell "" from no value).
    for v in values.into_iter().filter(|v| !v.as_ref().trim().is_empty()) {
        if !out.is_empty() {
            out.push_str(SEPARATOR);
        }
        out.push_str(&escape(v.as_ref()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_lists::model::{BirthDate, DateValue, EntryName};

    fn person() -> ListEntry {
        let mut e = ListEntry::new("ACC.i.001", EntrySchema::Person);
        e.push_name(EntryName::new(
            "Abu \"The Quote\" Example",
            NameKind::Primary,
        ));
        e.push_name(EntryName::new("Abu Ex", NameKind::Alias));
        e.push_name(EntryName::new("A. E.", NameKind::Alias).weak());
        e.push_name(EntryName::new("Old Name", NameKind::FormerName));
        e.push_name(EntryName::new("ابو مثال", NameKind::OriginalScript));
        e.birth_dates.push(BirthDate {
            value: DateValue::Range {
                from: 1962,
                to: 1963,
            },
            original: "BETWEEN 1962 and 1963".into(),
            approximate: false,
        });
        e.nationalities = vec!["Afghanistan".into(), "Pakistan".into()];
        e.programs = vec!["CVE".into()];
        e.listed_on = Some("2016-01-02".into());
        e.last_updated = vec!["2017-05-01".into(), "2019-02-03".into()];
        e.birth_places = vec!["Kandahar".into()];
        e.documents.push(IdentityDocument {
            kind: "Passport".into(),
            number: "OA1234567".into(),
            country: Some("Afghanistan".into()),
            note: None,
        });
        e.addresses.push(accord_lists::model::Address {
            city: Some("Peshawar".into()),
            country: Some("Pakistan".into()),
            ..Default::default()
        });
        e.links.push(EntryLink {
            relation: "leader_of".into(),
            target_reference: Some("ACC.e.002".into()),
            target_name: Some("Example Front".into()),
        });
        e
    }

    fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
        ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn header_then_one_row_per_entry_with_version_columns() {
        let entries = [person()];
        let v = ExportVersion::new(
            "Accord common list",
            7,
            "2026-03-01",
            "Secretariat",
            &entries,
        )
        .with_summary("ACC.i.001", "Led recruitment,\nfinanced \"cells\".")
        .with_tlp("ACC.i.001", crate::Tlp::Green);
        let mut out = Vec::new();
        write(&v, &mut out).unwrap();
        let rows = rows(&out);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], COLUMNS);
        let row = &rows[1];
        let col = |name: &str| row[COLUMNS.iter().position(|c| *c == name).unwrap()].as_str();
        assert_eq!(col("reference"), "ACC.i.001");
        assert_eq!(col("schema"), "Person");
        assert_eq!(col("name"), "Abu \"The Quote\" Example");
        assert_eq!(col("aliases"), "Abu Ex; A. E.");
        assert_eq!(col("former_names"), "Old Name");
        assert_eq!(col("original_script_names"), "ابو مثال");
        assert_eq!(col("birth_dates"), "1962/1963");
        assert_eq!(col("nationalities"), "Afghanistan; Pakistan");
        assert_eq!(col("listed_on"), "2016-01-02");
        assert_eq!(col("last_updated"), "2019-02-03");
        assert_eq!(col("summary"), "Led recruitment,\nfinanced \"cells\".");
        assert_eq!(col("tlp"), "GREEN");
        assert_eq!(col("version"), "7");
        assert_eq!(col("version_date"), "2026-03-01");
        assert_eq!(col("birth_places"), "Kandahar");
        assert_eq!(col("documents"), "Passport OA1234567 (Afghanistan)");
        assert_eq!(col("addresses"), "Peshawar, Pakistan");
        assert_eq!(col("links"), "leader_of ACC.e.002");
    }

    #[test]
    fn quotes_fields_as_rfc4180_with_crlf_line_ends() {
        let entries = [person()];
        let v = ExportVersion::new("L", 1, "2026-03-01", "P", &entries);
        let mut out = Vec::new();
        write(&v, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("reference,schema,name,"));
        assert!(text.contains("\"Abu \"\"The Quote\"\" Example\""));
        assert!(text.ends_with("\r\n"));
        assert_eq!(text.matches("\r\n").count(), 2);
    }

    #[test]
    fn spreadsheet_safe_output_neutralizes_formulas_and_keeps_other_fields() {
        let mut e = person();
        e.names[0].text = "=HYPERLINK(\"http://x\")".into();
        let entries = [e];
        let v = ExportVersion::new("L", 1, "2026-03-01", "P", &entries)
            .with_summary("ACC.i.001", "@SUM(A1)");
        let mut exact = Vec::new();
        write(&v, &mut exact).unwrap();
        assert_eq!(rows(&exact)[1][2], "=HYPERLINK(\"http://x\")");
        let mut safe = Vec::new();
        let options = CsvOptions {
            spreadsheet_safe: true,
        };
        write_with(&v, &mut safe, options).unwrap();
        let row = &rows(&safe)[1];
        assert_eq!(row[2], "'=HYPERLINK(\"http://x\")");
        assert_eq!(row[12], "'@SUM(A1)");
        assert_eq!(row[0], "ACC.i.001");
        assert_eq!(row[8], "Afghanistan; Pakistan");
    }

    #[test]
    fn a_value_with_the_separator_in_it_reads_back_as_one_value() {
        let mut e = person();
        e.names.retain(|n| n.kind != NameKind::Alias);
        e.push_name(EntryName::new("O'Nour; Group, Ltd.", NameKind::Alias));
        e.push_name(EntryName::new("Back\\slash", NameKind::Alias));
        e.push_name(EntryName::new("Plain", NameKind::Alias));
        e.addresses[0].street = Some("Block 4; Gate 2".into());
        let entries = [e];
        let v = ExportVersion::new("L", 1, "2026-03-01", "P", &entries);
        let mut out = Vec::new();
        write(&v, &mut out).unwrap();
        let row = &rows(&out)[1];
        let col = |name: &str| row[COLUMNS.iter().position(|c| *c == name).unwrap()].as_str();
        assert_eq!(
            col("aliases"),
            "O'Nour\\; Group, Ltd.; Back\\\\slash; Plain"
        );
        assert_eq!(
            split(col("aliases")),
            ["O'Nour; Group, Ltd.", "Back\\slash", "Plain"]
        );
        assert_eq!(
            split(col("addresses")),
            ["Block 4; Gate 2, Peshawar, Pakistan"]
        );
        assert_eq!(split(col("nationalities")), ["Afghanistan", "Pakistan"]);
        assert!(split("").is_empty());
    }

    #[test]
    fn empty_values_are_left_out_so_every_cell_reads_back() {
        for values in [
            vec!["", "a"],
            vec!["a", " ", "b;c"],
            vec![""],
            vec!["a\\", ""],
        ] {
            let kept: Vec<&str> = values
                .iter()
                .copied()
                .filter(|v| !v.trim().is_empty())
                .collect();
            assert_eq!(split(&join(&values)), kept, "{values:?}");
        }
    }

    #[test]
    fn an_empty_version_is_just_the_header() {
        let v = ExportVersion::new("L", 1, "2026-03-01", "P", &[]);
        let mut out = Vec::new();
        write(&v, &mut out).unwrap();
        assert_eq!(rows(&out), vec![COLUMNS.map(String::from).to_vec()]);
    }

    #[test]
    fn nothing_is_written_for_a_version_that_cannot_be_published() {
        let entries = [person()];
        let v = ExportVersion::new("L", 1, "2026-03-01", "P", &entries)
            .with_tlp("ACC.i.001", crate::Tlp::Amber);
        let mut out = Vec::new();
        assert!(write(&v, &mut out).is_err());
        assert!(out.is_empty());
    }
}
