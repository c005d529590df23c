//! `accord hashes import FILE.csv --bank BANK --as USER`: a bank's hashes
//! from another system's export, all or nothing.
//!
//! The same rules as `POST /api/banks/{id}/hashes`: the user named must be
//! allowed to write to the bank (`bank::may_write`), every row is checked
//! by `HashInput::validate`, a listed entity must be a subject of the common
//! list, and the hashes are added by the same store function in one
//! transaction. Unlike the API there is no batch limit, and a row whose
//! signal is already in the bank (active, held or retracted) is skipped and
//! reported rather than refusing the file, so that an export can be
//! imported again after it grew.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use accord_core::{Principal, Username};
use accord_hashes::SignalType;
use accord_hashes::bank::{self, BankId, Entity, HashInput, HashState, NewHash};
use accord_store::{Store, StoreError};
use anyhow::{Context, bail};

use crate::commands::operator;

/// The columns a file may have: `HashInput`'s fields.
pub const COLUMNS: [&str; 10] = [
    "signal_type",
    "signal",
    "quality",
    "entity_subject",
    "entity_name",
    "content_type",
    "behaviour",
    "first_seen",
    "file_type",
    "note",
];

/// One data row as read: its number (1 for the first row after the header),
/// its line in the file, and its fields.
struct Row {
    number: usize,
    line: u64,
    input: HashInput,
}

/// Reads the file; a bad header (a missing `signal_type` or `signal`, an
/// unknown or repeated column) refuses the whole file.
fn read_rows(path: &Path) -> anyhow::Result<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("cannot read the header row of {}", path.display()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) {
            problems.push(format!(
                "column {} ({h:?}) is not one of the known columns",
                i + 1
            ));
        } else if let Some(first) = seen.insert(h.as_str(), i) {
            problems.push(format!(
                "column {} repeats {h:?} (column {})",
                i + 1,
                first + 1
            ));
        }
    }
    for required in ["signal_type", "signal"] {
        if !seen.contains_key(required) {
            problems.push(format!("the column {required} is required"));
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} was not imported; nothing changed: its header is wrong:\n  {}\nthe columns are: {}",
            path.display(),
            problems.join("\n  "),
            COLUMNS.join(",")
        );
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| {
            format!(
                "{} was not imported; nothing changed: row {} cannot be read",
                path.display(),
                i + 1
            )
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let mut input = HashInput::default();
        for (h, value) in headers.iter().zip(record.iter()) {
            let value = value.to_string();
            match h.as_str() {
                "signal_type" => input.signal_type = value,
                "signal" => input.signal = value,
                "quality" => {
                    input.quality = (!value.is_empty()).then_some(serde_json::Value::String(value))
                }
                "entity_subject" => input.entity_subject = value,
                "entity_name" => input.entity_name = value,
                "content_type" => input.content_type = value,
                "behaviour" => input.behaviour = value,
                "first_seen" => input.first_seen = value,
                "file_type" => input.file_type = value,
                "note" => input.note = value,
                _ => unreachable!("the header was checked"),
            }
        }
        rows.push(Row {
            number: i + 1,
            line,
            input,
        });
    }
    Ok(rows)
}

pub async fn run(url: &str, path: &Path, bank_id: &str, as_user: &str) -> anyhow::Result<()> {
    let rows = read_rows(path)?;
    let store = Store::open(url).await?;
    let user = store
        .user_by_username(&Username::parse(as_user)?)
        .await
        .with_context(|| format!("no account {as_user}"))?;
    if user.disabled {
        bail!("the account {as_user} is disabled");
    }
    let who = Principal::of_user(&user);
    let id = BankId::parse(bank_id).map_err(|m| anyhow::anyhow!("bank {bank_id:?}: {m}"))?;
    let target = match store.bank(&id).await {
        Ok(b) => b,
        Err(StoreError::NotFound(_)) => bail!("there is no bank {id}; nothing was imported"),
        Err(e) => return Err(e.into()),
    };
    if !bank::may_write(target.bank.owner.as_ref(), &who) {
        bail!(
            "{as_user} may not add hashes to the bank {id} (owned by {}): only its owner's contributors and administrators, and the secretariat, may; nothing was imported",
            target
                .bank
                .owner
                .as_ref()
                .map_or_else(|| "the secretariat".to_string(), |m| m.to_string())
        );
    }

    // Every row checked before anything is written.
    let bar = crate::hashes::progress(rows.len() as u64, "rows checked");
    let mut problems: Vec<String> = Vec::new();
    let mut checked: Vec<(&Row, NewHash)> = Vec::with_capacity(rows.len());
    for row in &rows {
        match row.input.validate("") {
            Ok(h) => checked.push((row, h)),
            Err(es) => {
                for e in es {
                    problems.push(format!(
                        "row {} (line {}), {}: {}",
                        row.number, row.line, e.field, e.message
                    ));
                }
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    // A listed entity must be a subject of the common list (as the API asks).
    let mut subjects: HashMap<String, bool> = HashMap::new();
    for (row, h) in &checked {
        if let Entity::Listed(subject) = &h.labels.entity {
            let known = match subjects.get(subject) {
                Some(k) => *k,
                None => {
                    let k = match store.subject(subject).await {
                        Ok(_) => true,
                        Err(StoreError::NotFound(_)) => false,
                        Err(e) => return Err(e.into()),
                    };
                    subjects.insert(subject.clone(), k);
                    k
                }
            };
            if !known {
                problems.push(format!(
                    "row {} (line {}), entity_subject: {subject} is not a subject of the common list",
                    row.number, row.line
                ));
            }
        }
    }
    // The same signal twice in the file: the second is a problem.
    let mut first_row: HashMap<(SignalType, &str), usize> = HashMap::new();
    for (row, h) in &checked {
        if let Some(first) =
            first_row.insert((h.signal.signal_type, h.signal.value.as_str()), row.number)
        {
            first_row.insert((h.signal.signal_type, h.signal.value.as_str()), first);
            problems.push(format!(
                "row {} (line {}), signal: the same {} as row {first}",
                row.number,
                row.line,
                h.signal.signal_type.as_str()
            ));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| row_number(p));
        let bad_rows = {
            let mut n: Vec<usize> = problems.iter().map(|p| row_number(p)).collect();
            n.dedup();
            n.len()
        };
        bail!(
            "{} was not imported; nothing changed: {bad_rows} of {} rows have problems:\n  {}",
            path.display(),
            rows.len(),
            problems.join("\n  ")
        );
    }

    // Signals already in the bank (and not deleted) are skipped; a deleted
    // one is added again (the store revives it with the new labels).
    let stored: HashMap<(SignalType, String), (i64, HashState)> = store
        .bank_hashes(&id, i64::MAX)
        .await?
        .into_iter()
        .filter(|h| h.state != HashState::Deleted)
        .map(|h| ((h.signal_type, h.signal), (h.id, h.state)))
        .collect();
    let mut skipped = Vec::new();
    let mut adding_rows = Vec::new();
    let mut adding = Vec::new();
    for (row, h) in checked {
        match stored.get(&(h.signal.signal_type, h.signal.value.clone())) {
            Some((hash_id, state)) => skipped.push(format!(
                "row {} (line {}): {} {} is in the bank already as hash {hash_id} ({}); not changed",
                row.number,
                row.line,
                h.signal.signal_type.as_str(),
                h.signal.value,
                state.as_str()
            )),
            None => {
                adding_rows.push(row.number);
                adding.push(h);
            }
        }
    }
    let mut actor = operator();
    actor.id = Some(user.id);
    let ids = if adding.is_empty() {
        Vec::new()
    } else {
        let bar = crate::hashes::progress(adding.len() as u64, "hashes written");
        let written = store
            .add_hashes_reporting(&actor, &id, &adding, &|n| bar.set_position(n as u64))
            .await;
        bar.finish_and_clear();
        written.map_err(|e| {
            anyhow::anyhow!(
                "{} was not imported; nothing changed: {}",
                path.display(),
                in_rows(&e.to_string(), &adding_rows)
            )
        })?
    };
    println!(
        "{}: {} rows; {} hashes added to the bank {id}, {} skipped (in the bank already)",
        path.display(),
        rows.len(),
        ids.len(),
        skipped.len()
    );
    if let (Some(first), Some(last)) = (ids.iter().min(), ids.iter().max()) {
        println!("  hash ids {first} to {last}");
    }
    for s in &skipped {
        println!("  skipped {s}");
    }
    Ok(())
}

/// The row number a problem line starts with (`row 12 (line 13), …`).
fn row_number(problem: &str) -> usize {
    problem
        .strip_prefix("row ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The store names a refused hash by its place in the batch
/// (`hashes[3].signal`); say the file's row instead.
fn in_rows(message: &str, rows: &[usize]) -> String {
    let mut out = message.to_string();
    if let Some(start) = message.find("hashes[") {
        let rest = &message[start + 7..];
        if let Some(end) = rest.find(']')
            && let Ok(i) = rest[..end].parse::<usize>()
            && let Some(row) = rows.get(i)
        {
            out = format!(
                "{}row {row}{}",
                &message[..start],
                &rest[end + 1..].replacen('.', ", ", 1)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_refusal_names_the_files_row() {
        assert_eq!(
            in_rows("hashes[1].signal: md5 ab is in bank b already", &[4, 9]),
            "row 9, signal: md5 ab is in bank b already"
        );
        assert_eq!(in_rows("database is locked", &[1]), "database is locked");
    }

    #[test]
    fn problems_are_ordered_by_row() {
        assert_eq!(row_number("row 12 (line 13), signal: x"), 12);
    }
}
