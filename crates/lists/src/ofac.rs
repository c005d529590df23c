//! OFAC legacy CSV (SDN list and consolidated non-SDN list).
//!
//! Files have no header row and are joined by `ent_num`:
//!
//! | file | columns |
//! | --- | --- |
//! | `sdn.csv` / `cons_prim.csv` | ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks |
//! | `alt.csv` / `cons_alt.csv` | ent_num, alt_num, alt_type, alt_name, alt_remarks |
//! | `add.csv` / `cons_add.csv` | ent_num, add_num, address, city/state/postal, country, add_remarks |
//! | `sdn_comments.csv` / `cons_comments.csv` | ent_num, remarks continued |
//!
//! `-0-` means empty. A trailing DOS end-of-file byte (0x1A), present in the
//! published files, is ignored. `sdn_comments.csv` holds the continuation of
//! Remarks longer than the column allows and is appended to them as is.
//!
//! Reading is all or nothing: a wrong number of fields, broken quoting,
//! a non-numeric ent_num or invalid UTF-8 is an error naming the file and
//! line. Rows of the companion files whose ent_num is not in the primary
//! file are reported in [`List::skipped`].
//!
//! Encoding: the files published today, and all the ones in Accord's data,
//! are UTF-8, so UTF-8 is required by default. Older OFAC files were
//! Windows-1252; [`OfacOptions::windows_1252_fallback`] decodes a file that
//! is not valid UTF-8 as Windows-1252 instead of failing. It is off by
//! default because a wrong guess silently corrupts names (mojibake), which
//! is worse for screening than a clear error.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::error::FormatError;
use crate::model::{
    Address, BirthDate, DateValue, EntryLink, EntryName, EntrySchema, IdentityDocument, List,
    ListEntry, ListSource, NameKind, SkippedRecord, push_unique,
};
use crate::text::{clean, clean_opt, decode_windows_1252, month_number, parse_year, valid_ymd};

/// How to read OFAC files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfacOptions {
    /// Decode a file that is not valid UTF-8 as Windows-1252 (see the module
    /// documentation for why this is off by default).
    pub windows_1252_fallback: bool,
}

/// The contents of the files of one OFAC list.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfacFiles<'a> {
    /// `sdn.csv` or `cons_prim.csv` (required).
    pub primary: &'a [u8],
    /// `alt.csv` / `cons_alt.csv`.
    pub alt: Option<&'a [u8]>,
    /// `add.csv` / `cons_add.csv`.
    pub add: Option<&'a [u8]>,
    /// `sdn_comments.csv` / `cons_comments.csv`.
    pub comments: Option<&'a [u8]>,
    /// Whether these are the consolidated non-SDN files (`cons_*.csv`); only
    /// changes the file names in messages.
    pub consolidated: bool,
}

/// Reads a lone `sdn.csv` (no aliases, addresses or comments files).
pub fn read<R: Read>(mut sdn: R, options: &OfacOptions) -> Result<List, FormatError> {
    let mut bytes = Vec::new();
    sdn.read_to_end(&mut bytes).map_err(FormatError::Read)?;
    parse(
        &OfacFiles {
            primary: &bytes,
            ..OfacFiles::default()
        },
        options,
    )
}

/// Reads the OFAC files in `dir`: `sdn.csv` (or `cons_prim.csv`) and
/// whichever of the companion files are present.
pub fn read_dir(dir: &Path, options: &OfacOptions) -> Result<List, FormatError> {
    let consolidated = !dir.join("sdn.csv").exists() && dir.join("cons_prim.csv").exists();
    let names: [&str; 4] = if consolidated {
        [
            "cons_prim.csv",
            "cons_alt.csv",
            "cons_add.csv",
            "cons_comments.csv",
        ]
    } else {
        ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
    };
    let read_file = |name: &str, required: bool| -> Result<Option<Vec<u8>>, FormatError> {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
            Err(source) => Err(FormatError::Io { path, source }),
        }
    };
    if !dir.join(names[0]).exists() {
        return Err(FormatError::UnknownFormat {
            path: dir.to_path_buf(),
            message: "not an OFAC list directory: it has neither sdn.csv nor cons_prim.csv".into(),
        });
    }
    let primary = read_file(names[0], true)?.unwrap_or_default();
    let alt = read_file(names[1], false)?;
    let add = read_file(names[2], false)?;
    let comments = read_file(names[3], false)?;
    parse(
        &OfacFiles {
            primary: &primary,
            alt: alt.as_deref(),
            add: add.as_deref(),
            comments: comments.as_deref(),
            consolidated,
        },
        options,
    )
}

/// One CSV row: its line number and cleaned fields (`-0-` → empty).
struct Row {
    line: u64,
    fields: Vec<String>,
}

impl Row {
    fn get(&self, i: usize) -> Option<&str> {
        let f = self.fields[i].as_str();
        (!f.is_empty()).then_some(f)
    }
}

/// Decodes and splits one file into rows of exactly `expected` fields.
fn rows(
    file: &str,
    bytes: &[u8],
    expected: usize,
    options: &OfacOptions,
) -> Result<Vec<Row>, FormatError> {
    // Drop the DOS end-of-file marker and trailing blank space.
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], 0x1A | b'\r' | b'\n' | b' ' | b'\t') {
        end -= 1;
    }
    let bytes = &bytes[..end];
    let decoded: std::borrow::Cow<'_, str> = match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) if options.windows_1252_fallback => decode_windows_1252(bytes).into(),
        Err(e) => {
            let byte = e.valid_up_to();
            let line = bytes[..byte].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            return Err(FormatError::InvalidUtf8 {
                file: file.into(),
                line,
                byte: byte as u64,
            });
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded.as_bytes());
    // Byte offsets of line breaks, to turn a record's byte offset into a line.
    let breaks: Vec<u64> = decoded
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i as u64)
        .collect();
    let line_of = |byte: u64| breaks.partition_point(|&b| b < byte) as u64 + 1;
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| line_of(p.byte()));
                return Err(FormatError::Csv {
                    file: file.into(),
                    line,
                    message: e.to_string(),
                });
            }
        }
        // Skip the line breaks that ended the previous record.
        let skipped = decoded.as_bytes()[start as usize..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count() as u64;
        let line = line_of(start + skipped);
        if record.len() != expected {
            return Err(FormatError::CsvFieldCount {
                file: file.into(),
                line,
                expected,
                found: record.len(),
            });
        }
        let fields = record
            .iter()
            .map(|f| {
                let f = f.trim();
                if f == "-0-" {
                    String::new()
                } else {
                    f.to_string()
                }
            })
            .collect::<Vec<_>>();
        if fields[0].is_empty() || !fields[0].bytes().all(|b| b.is_ascii_digit()) {
            return Err(FormatError::InvalidRecord {
                file: file.into(),
                line,
                message: format!("ent_num {:?} is not a number", fields[0]),
            });
        }
        out.push(Row { line, fields });
    }
    Ok(out)
}

/// Parses an OFAC list from the contents of its files.
pub fn parse(files: &OfacFiles<'_>, options: &OfacOptions) -> Result<List, FormatError> {
    let names: [&str; 4] = if files.consolidated {
        [
            "cons_prim.csv",
            "cons_alt.csv",
            "cons_add.csv",
            "cons_comments.csv",
        ]
    } else {
        ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
    };
    if files
        .primary
        .iter()
        .all(|b| b.is_ascii_whitespace() || *b == 0x1A)
    {
        return Err(FormatError::Empty {
            what: names[0].into(),
        });
    }
    let primary = rows(names[0], files.primary, 12, options)?;
    let alt = match files.alt {
        Some(b) => rows(names[1], b, 5, options)?,
        None => Vec::new(),
    };
    let add = match files.add {
        Some(b) => rows(names[2], b, 6, options)?,
        None => Vec::new(),
    };
    let comments = match files.comments {
        Some(b) => rows(names[3], b, 2, options)?,
        None => Vec::new(),
    };

    let mut list = List {
        source: ListSource::Ofac,
        generated: None,
        entries: Vec::with_capacity(primary.len()),
        skipped: Vec::new(),
    };
    // Remarks continuation by ent_num.
    let mut more_remarks: HashMap<&str, String> = HashMap::new();
    for row in &comments {
        if let Some(text) = row.get(1) {
            more_remarks
                .entry(row.fields[0].as_str())
                .or_default()
                .push_str(text);
        }
    }
    let mut index: HashMap<String, usize> = HashMap::new();
    // Raw SDN_Name (upper case, no final '.') -> reference, to resolve "Linked To:".
    let mut by_name: HashMap<String, String> = HashMap::new();
    for row in &primary {
        let ent_num = row.fields[0].clone();
        if index.contains_key(&ent_num) {
            list.skipped.push(SkippedRecord {
                position: format!("{} line {}", names[0], row.line),
                reason: format!("ent_num {ent_num} appears a second time; the first one is kept"),
            });
            continue;
        }
        let Some(raw_name) = row.get(1) else {
            list.skipped.push(SkippedRecord {
                position: format!("{} line {} (ent_num {ent_num})", names[0], row.line),
                reason: "the record has no name (SDN_Name is empty)".into(),
            });
            continue;
        };
        let schema = match row.get(2).map(str::to_ascii_lowercase).as_deref() {
            None => EntrySchema::Organization,
            Some("individual") => EntrySchema::Person,
            Some("vessel") => EntrySchema::Vessel,
            Some("aircraft") => EntrySchema::Aircraft,
            Some(other) => {
                list.skipped.push(SkippedRecord {
                    position: format!("{} line {} (ent_num {ent_num})", names[0], row.line),
                    reason: format!("unknown SDN_Type {other:?}"),
                });
                continue;
            }
        };
        let mut entry = ListEntry::new(ent_num.clone(), schema);
        let person = schema == EntrySchema::Person;
        entry.push_name(EntryName::new(
            display_name(raw_name, person),
            NameKind::Primary,
        ));
        if person && display_name(raw_name, true) != raw_name {
            entry.push_extra("listed_name", raw_name);
        }
        by_name.insert(link_key(raw_name), ent_num.clone());
        if let Some(programs) = row.get(3) {
            for p in programs.split(['[', ']']) {
                push_unique(&mut entry.programs, clean(p));
            }
        }
        if let Some(title) = row.get(4) {
            entry.title.push(clean(title));
        }
        for (i, key) in [
            (5, "call_sign"),
            (6, "vessel_type"),
            (7, "tonnage"),
            (8, "gross_registered_tonnage"),
            (9, "vessel_flag"),
            (10, "vessel_owner"),
        ] {
            if let Some(v) = row.get(i) {
                entry.push_extra(key, clean(v));
            }
        }
        let mut remarks = row.get(11).unwrap_or_default().to_string();
        if let Some(more) = more_remarks.remove(ent_num.as_str()) {
            remarks.push_str(&more);
        }
        let remarks = clean(&remarks);
        if !remarks.is_empty() {
            apply_remarks(&mut entry, &remarks);
            entry.comments = Some(remarks);
        }
        index.insert(ent_num, list.entries.len());
        list.entries.push(entry);
    }
    for (ent_num, _) in more_remarks {
        list.skipped.push(SkippedRecord {
            position: format!("{} (ent_num {ent_num})", names[3]),
            reason: format!("ent_num {ent_num} is not in {}", names[0]),
        });
    }

    for row in &alt {
        let Some(&i) = index.get(&row.fields[0]) else {
            list.skipped.push(orphan(names[1], names[0], row));
            continue;
        };
        let entry = &mut list.entries[i];
        let Some(name) = row.get(3) else { continue };
        let person = entry.schema == EntrySchema::Person;
        let kind = match row.get(2).map(str::to_ascii_lowercase).as_deref() {
            Some("fka") => NameKind::FormerName,
            _ => NameKind::Alias,
        };
        let mut name = EntryName::new(display_name(name, person), kind);
        if row
            .get(4)
            .is_some_and(|r| r.to_lowercase().contains("weak"))
        {
            name = name.weak();
        }
        entry.push_name(name);
        if let Some(r) = row.get(4) {
            entry.push_extra("alias_note", clean(r));
        }
    }

    for row in &add {
        let Some(&i) = index.get(&row.fields[0]) else {
            list.skipped.push(orphan(names[2], names[0], row));
            continue;
        };
        let address = Address {
            street: row.get(2).and_then(clean_opt),
            city: row.get(3).and_then(clean_opt),
            region: None,
            postal_code: None,
            country: row.get(4).and_then(clean_opt),
            note: row.get(5).and_then(clean_opt),
        };
        let entry = &mut list.entries[i];
        if !address.is_empty() && !entry.addresses.contains(&address) {
            entry.addresses.push(address);
        }
    }

    for entry in &mut list.entries {
        for link in &mut entry.links {
            if let Some(name) = &link.target_name {
                link.target_reference = by_name.get(&link_key(name)).cloned();
            }
        }
    }
    Ok(list)
}

fn orphan(file: &str, primary: &str, row: &Row) -> SkippedRecord {
    SkippedRecord {
        position: format!("{file} line {}", row.line),
        reason: format!("ent_num {} is not in {primary}", row.fields[0]),
    }
}

fn link_key(name: &str) -> String {
    clean(name).trim_end_matches('.').to_uppercase()
}

/// "LASTNAME, Firstname" → "Firstname LASTNAME" for people; a third part
/// is a suffix ("SMITH, John, Jr." → "John SMITH Jr."). Other names are
/// returned cleaned.
pub fn display_name(raw: &str, person: bool) -> String {
    let raw = clean(raw);
    if !person {
        return raw;
    }
    let parts: Vec<&str> = raw.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [last, first] if !last.is_empty() && !first.is_empty() => format!("{first} {last}"),
        [last, first, suffix] if !last.is_empty() && !first.is_empty() => {
            format!("{first} {last} {suffix}").trim().to_string()
        }
        _ => raw,
    }
}

/// Labels of identifying numbers in Remarks, longest first where one is a
/// prefix of another.
const DOCUMENT_LABELS: &[&str] = &[
    "Passport",
    "Diplomatic Passport",
    "National ID No.",
    "Cedula No.",
    "Tax ID No.",
    "Identification Number",
    "Registration Number",
    "Registration ID",
    "Business Registration Document #",
    "Business Registration Number",
    "Business Number",
    "Company Number",
    "Commercial Registry Number",
    "Legal Entity Number",
    "Unified Social Credit Code (USCC)",
    "Government Gazette Number",
    "Chamber of Commerce Number",
    "Trade License No.",
    "Folio Mercantil No.",
    "Matricula Mercantil No",
    "Economic Register Number (CBLS)",
    "Driver's License No.",
    "Electoral Registry No.",
    "Personal ID Card",
    "Kenyan ID No.",
    "Moroccan Personal ID No.",
    "Residency Number",
    "Stateless Person ID Card",
    "Refugee ID Card",
    "V.A.T. Number",
    "C.U.R.P.",
    "R.F.C.",
    "NIT #",
    "RUC #",
    "RIF #",
    "D.N.I.",
    "C.R. No.",
    "SSN",
    "Vessel Registration Identification",
    "MMSI",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Tail Number",
    "Aircraft Construction Number (also called L/N or S/N or F/N)",
    "Digital Currency Address -",
];

/// Extracts the structured facts of an OFAC Remarks text.
pub fn apply_remarks(entry: &mut ListEntry, remarks: &str) {
    let body = remarks.trim().strip_suffix('.').unwrap_or(remarks.trim());
    for item in split_remarks(body) {
        let item = item.trim();
        let item = item.strip_prefix("alt. ").unwrap_or(item).trim();
        if item.is_empty() {
            continue;
        }
        if let Some(rest) = item.strip_prefix("DOB ") {
            match parse_ofac_date(rest) {
                Some((value, approximate)) => {
                    if !entry.birth_dates.iter().any(|d| d.value == value) {
                        entry.birth_dates.push(BirthDate {
                            value,
                            original: rest.trim().to_string(),
                            approximate,
                        });
                    }
                }
                None => entry.push_extra("unparsed_birth_date", rest.trim()),
            }
        } else if let Some(rest) = item.strip_prefix("POB ") {
            push_unique(&mut entry.birth_places, clean(rest));
        } else if let Some(rest) = item.strip_prefix("nationality ") {
            push_unique(&mut entry.nationalities, clean(rest));
        } else if let Some(rest) = item.strip_prefix("citizen ") {
            push_unique(&mut entry.nationalities, clean(rest));
            entry.push_extra("citizenship", clean(rest));
        } else if let Some(rest) = item.strip_prefix("Gender ") {
            entry.push_extra("gender", clean(rest));
        } else if let Some((kind, rest)) = ["a.k.a.", "f.k.a.", "n.k.a."]
            .iter()
            .find_map(|p| item.strip_prefix(p).map(|r| (*p, r)))
        {
            let rest = rest.trim();
            let rest = rest.strip_prefix('\'').unwrap_or(rest);
            let rest = rest.strip_suffix('\'').unwrap_or(rest);
            let name = clean(rest);
            let kind = if kind == "f.k.a." {
                NameKind::FormerName
            } else {
                NameKind::Alias
            };
            let person = entry.schema == EntrySchema::Person;
            entry.push_name(EntryName::new(display_name(&name, person), kind).weak());
        } else if let Some(rest) = item.strip_prefix("Linked To:") {
            entry.links.push(EntryLink {
                relation: "linked_to".into(),
                target_reference: None,
                target_name: clean_opt(rest),
            });
        } else if let Some(rest) = item.strip_prefix("Website ") {
            entry.push_extra("website", clean(rest));
        } else if let Some(rest) = item.strip_prefix("Email Address ") {
            entry.push_extra("email", clean(rest));
        } else if let Some(rest) = item.strip_prefix("Additional Sanctions Information - ") {
            entry.push_extra("sanctions_information", clean(rest));
        } else if let Some(label) = DOCUMENT_LABELS
            .iter()
            .filter(|l| item.starts_with(**l) && item.len() > l.len())
            .max_by_key(|l| l.len())
        {
            let rest = item[label.len()..].trim();
            if let Some(doc) = parse_document(label, rest) {
                entry.documents.push(doc);
            }
        }
    }
}

/// Splits remarks on `;` outside single-quoted names.
fn split_remarks(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            // A quote opens a name after "a.k.a. " and closes before ";".
            b'\'' if !quoted && s[..i].ends_with("k.a. ") => quoted = true,
            b'\'' if quoted && bytes.get(i + 1).is_none_or(|n| *n == b';') => quoted = false,
            b';' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// "A1234567 (Iran) expires 01 Jan 2020" → number, country, note.
fn parse_document(label: &str, rest: &str) -> Option<IdentityDocument> {
    let rest = rest.trim_start_matches([':', '-', ' ']);
    if rest.is_empty() {
        return None;
    }
    let (number, country, note) = match rest.find(" (") {
        Some(open) => {
            let number = &rest[..open];
            let after = &rest[open + 2..];
            match after.find(')') {
                Some(close) => (
                    number,
                    clean_opt(&after[..close]),
                    clean_opt(&after[close + 1..]),
                ),
                None => (number, None, clean_opt(after)),
            }
        }
        None => (rest, None, None),
    };
    // The number ends at a comma or at the first word of a note.
    let cut = [
        ", ", " issued", " expires", " expired", " Issue", " Expir", " valid",
    ]
    .iter()
    .filter_map(|k| number.find(k))
    .min();
    let (number, more) = match cut {
        Some(i) => (
            &number[..i],
            clean_opt(number[i..].trim_start_matches([',', ' '])),
        ),
        None => (number, None),
    };
    let note = match (note, more) {
        (Some(a), Some(b)) => Some(format!("{b}; {a}")),
        (a, b) => a.or(b),
    };
    Some(IdentityDocument {
        kind: label.trim_end_matches([' ', '-']).to_string(),
        number: clean_opt(number)?,
        country,
        note,
    })
}

/// Parses OFAC date text: "01 Jan 1970", "Jan 1970", "1970", "circa 1970",
/// "1970 to 1972", "01 Jan 1970 to 31 Dec 1971", "circa 1979-1982".
/// Returns the value and whether it is approximate.
pub fn parse_ofac_date(s: &str) -> Option<(DateValue, bool)> {
    let s = clean(s);
    let (s, approximate) = match s.strip_prefix("circa ") {
        Some(rest) => (rest.to_string(), true),
        None => (s, false),
    };
    for sep in [" to ", "-"] {
        if let Some((a, b)) = s.split_once(sep) {
            let (from, to) = (single_date(a)?, single_date(b)?);
            let (fy, ty) = (year_of(from), year_of(to));
            return Some((
                DateValue::Range {
                    from: fy.min(ty),
                    to: fy.max(ty),
                },
                approximate,
            ));
        }
    }
    Some((single_date(&s)?, approximate))
}

fn year_of(d: DateValue) -> i32 {
    match d {
        DateValue::Exact { year, .. } | DateValue::YearMonth { year, .. } => year,
        DateValue::Year { year } => year,
        DateValue::Range { from, .. } => from,
    }
}

fn single_date(s: &str) -> Option<DateValue> {
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        [y] => Some(DateValue::Year {
            year: parse_year(y)?,
        }),
        [m, y] => Some(DateValue::YearMonth {
            year: parse_year(y)?,
            month: month_number(m)?,
        }),
        [d, m, y] => {
            let (year, month, day) = (parse_year(y)?, month_number(m)?, d.parse::<u8>().ok()?);
            valid_ymd(year, month, day).then_some(DateValue::Exact { year, month, day })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_reordered_for_people_only() {
        assert_eq!(
            display_name("HANIYA, Ismail Abdul Salah", true),
            "Ismail Abdul Salah HANIYA"
        );
        assert_eq!(display_name("SMITH, John, Jr.", true), "John SMITH Jr.");
        assert_eq!(
            display_name("ANGLO-CARIBBEAN CO., LTD.", false),
            "ANGLO-CARIBBEAN CO., LTD."
        );
        assert_eq!(display_name("MADONNA", true), "MADONNA");
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_ofac_date("01 Jan 1970"),
            Some((
                DateValue::Exact {
                    year: 1970,
                    month: 1,
                    day: 1
                },
                false
            ))
        );
        assert_eq!(
            parse_ofac_date("circa 1970"),
            Some((DateValue::Year { year: 1970 }, true))
        );
        assert_eq!(
            parse_ofac_date("Feb 1961"),
            Some((
                DateValue::YearMonth {
                    year: 1961,
                    month: 2
                },
                false
            ))
        );
        assert_eq!(
            parse_ofac_date("1970 to 1972"),
            Some((
                DateValue::Range {
                    from: 1970,
                    to: 1972
                },
                false
            ))
        );
        assert_eq!(
            parse_ofac_date("01 Jan 1958 to 31 Dec 1959"),
            Some((
                DateValue::Range {
                    from: 1958,
                    to: 1959
                },
                false
            ))
        );
        assert_eq!(
            parse_ofac_date("circa 1979-1982"),
            Some((
                DateValue::Range {
                    from: 1979,
                    to: 1982
                },
                true
            ))
        );
        assert_eq!(parse_ofac_date("31 Feb 1970"), None);
        assert_eq!(parse_ofac_date("unknown"), None);
    }

    #[test]
    fn remarks() {
        let mut e = ListEntry::new("1", EntrySchema::Person);
        apply_remarks(
            &mut e,
            "DOB 01 Jan 1970; alt. DOB 1971; POB Baghdad, Iraq; nationality Iraq; citizen Jordan; \
             Gender Male; Passport A123 (Iraq) expires 2020; alt. Passport 99, issued 2001; \
             National ID No. 5550 (Jordan); a.k.a. 'ABU X; Y'; Linked To: SOME GROUP.",
        );
        assert_eq!(e.birth_dates.len(), 2);
        assert_eq!(e.birth_places, vec!["Baghdad, Iraq"]);
        assert_eq!(e.nationalities, vec!["Iraq", "Jordan"]);
        assert_eq!(e.extra["gender"], vec!["Male"]);
        assert_eq!(e.documents.len(), 3);
        assert_eq!(e.documents[0].number, "A123");
        assert_eq!(e.documents[0].country.as_deref(), Some("Iraq"));
        assert_eq!(e.documents[0].note.as_deref(), Some("expires 2020"));
        assert_eq!(e.documents[1].number, "99");
        assert_eq!(e.documents[1].note.as_deref(), Some("issued 2001"));
        assert_eq!(e.documents[2].kind, "National ID No.");
        assert_eq!(e.names[0].text, "ABU X; Y");
        assert_eq!(e.names[0].quality, crate::model::NameQuality::Weak);
        assert_eq!(e.links[0].target_name.as_deref(), Some("SOME GROUP"));
    }
}
