//! Which names of an entry go where.

use accord_lists::model::{EntryName, ListEntry, NameKind};

/// Names other than the primary one, by kind, in the entry's order.
pub(crate) fn of_kind(entry: &ListEntry, kind: NameKind) -> impl Iterator<Item = &EntryName> {
    let primary = entry.primary_name();
    entry.names.iter().filter(move |n| {
        n.kind == kind && (kind == NameKind::Primary || Some(n.text.as_str()) != primary)
    })
}

/// Every name but the primary one (aliases, former names, original script),
/// without duplicates, in the entry's order.
pub(crate) fn other_names(entry: &ListEntry) -> Vec<&str> {
    let primary = entry.primary_name();
    let mut out: Vec<&str> = Vec::new();
    for n in &entry.names {
        let t = n.text.as_str();
        if Some(t) != primary && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}
