//! The reference list shipped inside the binary: the UN Security Council
//! Consolidated List as generated on 2026-02-27 (`data/un/`, see its
//! README). `accord serve` imports it as the first version of the `un`
//! reference list when the database has none, so that screening works on
//! the first start without any file outside the binary. Later versions come
//! from `accord lists import un FILE` or the /lists page as usual.

use accord_store::{Actor, Store};
use anyhow::Context;

/// The file's bytes: one binary carries what it needs.
pub const UN_XML: &[u8] = include_bytes!("../../../data/un/UN_consolidated_2026-02-27.xml");

/// When the list was generated (its `dateGenerated`).
pub const UN_GENERATED: &str = "2026-02-27";

/// `accord serve`'s first step: opens (and migrates) the database and
/// imports the bundled list if it has no UN list yet.
pub async fn first_start(url: &str) -> anyhow::Result<()> {
    let store = Store::open(url).await?;
    let imported = import_if_missing(&store).await;
    store.close().await;
    if let Some(v) = imported? {
        tracing::info!(
            version = v,
            generated = UN_GENERATED,
            "first start: imported the UN consolidated list shipped with Accord"
        );
        println!(
            "First start: the UN Security Council Consolidated List shipped with Accord (generated {UN_GENERATED}) is version {v} of the `un` reference list"
        );
    }
    Ok(())
}

/// Imports the bundled UN list when the stored `un` list has no version;
/// returns the version made, if any.
pub async fn import_if_missing(store: &Store) -> anyhow::Result<Option<i64>> {
    if !store.reference_versions("un").await?.is_empty() {
        return Ok(None);
    }
    let list = accord_lists::un::read(UN_XML).context("reading the bundled UN list")?;
    let outcome = store
        .import_reference_list(&Actor::system("first-start"), "un", &list)
        .await?;
    Ok(Some(outcome.version.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_un_list_reads_whole_and_is_the_one_named() {
        let list = accord_lists::un::read(UN_XML).unwrap();
        assert!(list.entries.len() > 900, "{}", list.entries.len());
        assert!(
            list.generated
                .as_deref()
                .is_some_and(|g| g.starts_with(UN_GENERATED)),
            "{:?}",
            list.generated
        );
    }
}
