//! What changed between two versions of a list.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::ListEntry;

/// The differences between two versions of a list, keyed by
/// [`ListEntry::reference`]. All vectors are sorted by reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDiff {
    /// References only in the new version.
    pub added: Vec<String>,
    /// References only in the old version.
    pub removed: Vec<String>,
    /// References in both whose content differs.
    pub changed: Vec<ChangedEntry>,
}

impl ListDiff {
    /// Whether the two versions are the same.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// An entry present in both versions whose content differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedEntry {
    pub reference: String,
    /// Names of the [`ListEntry`] fields that differ ("names", "addresses", ...).
    pub fields: Vec<String>,
}

/// Compares `old` and `new` by reference. Order of entries does not matter;
/// order of values inside a field does (lists keep the publisher's order).
/// If a reference occurs more than once in one side, the last one wins.
pub fn diff(old: &[ListEntry], new: &[ListEntry]) -> ListDiff {
    let old_by: BTreeMap<&str, &ListEntry> =
        old.iter().map(|e| (e.reference.as_str(), e)).collect();
    let new_by: BTreeMap<&str, &ListEntry> =
        new.iter().map(|e| (e.reference.as_str(), e)).collect();
    let mut out = ListDiff::default();
    for (reference, n) in &new_by {
        match old_by.get(reference) {
            None => out.added.push(reference.to_string()),
            Some(o) => {
                let fields = changed_fields(o, n);
                if !fields.is_empty() {
                    out.changed.push(ChangedEntry {
                        reference: reference.to_string(),
                        fields,
                    });
                }
            }
        }
    }
    out.removed = old_by
        .keys()
        .filter(|r| !new_by.contains_key(*r))
        .map(|r| r.to_string())
        .collect();
    out
}

/// Names of the fields that differ between two entries.
pub fn changed_fields(a: &ListEntry, b: &ListEntry) -> Vec<String> {
    let mut fields = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => {
            $( if a.$f != b.$f { fields.push(stringify!($f).to_string()); } )*
        };
    }
    cmp!(
        source_id,
        schema,
        names,
        name_parts,
        title,
        designations,
        birth_dates,
        birth_places,
        nationalities,
        documents,
        addresses,
        programs,
        listed_on,
        last_updated,
        comments,
        links,
        extra
    );
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryName, EntrySchema, NameKind};

    fn entry(r: &str, name: &str) -> ListEntry {
        let mut e = ListEntry::new(r, EntrySchema::Person);
        e.push_name(EntryName::new(name, NameKind::Primary));
        e
    }

    #[test]
    fn detects_added_removed_changed() {
        let old = vec![entry("A", "x"), entry("B", "y"), entry("C", "z")];
        let mut c = entry("C", "z");
        c.programs.push("SDGT".into());
        let new = vec![entry("D", "w"), entry("B", "y2"), c, entry("A", "x")];
        let d = diff(&old, &new);
        assert_eq!(d.added, vec!["D"]);
        assert!(d.removed.is_empty());
        assert_eq!(d.changed.len(), 2);
        assert_eq!(d.changed[0].reference, "B");
        assert_eq!(d.changed[0].fields, vec!["names"]);
        assert_eq!(d.changed[1].fields, vec!["programs"]);
        let d = diff(&new, &old);
        assert_eq!(d.removed, vec!["D"]);
        assert!(diff(&old, &old).is_empty());
    }
}
