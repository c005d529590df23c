//! `accord library`: importing a folder of items through the same checks
//! as the pages, rebuilding a node's search index, and measuring search.

use std::io::IsTerminal;

use accord_core::{Principal, Username};
use accord_store::Store;
use accord_web::library_io::{Imported, import_folder};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::commands::operator;
use crate::config::{FileConfig, LibraryCommand};

fn bar(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {what}, {{eta}} left"))
            .expect("a valid template"),
    );
    bar
}

pub async fn run(cmd: LibraryCommand, file: &FileConfig) -> anyhow::Result<()> {
    match cmd {
        LibraryCommand::Import {
            db,
            folder,
            as_user,
            publish,
        } => {
            let store = Store::open(&db.url(file)).await?;
            store.seed_library().await?;
            let user = store
                .user_by_username(&Username::parse(&as_user)?)
                .await
                .with_context(|| format!("no account {as_user}"))?;
            anyhow::ensure!(!user.disabled, "the account {as_user} is disabled");
            let who = Principal::of_user(&user);
            let mut actor = operator();
            actor.id = Some(user.id);
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&folder)
                .with_context(|| format!("cannot read {}", folder.display()))?
            {
                let entry = entry?;
                if entry.file_type()?.is_file() {
                    let name = entry.file_name().to_string_lossy().to_string();
                    files.push((name, std::fs::read(entry.path())?));
                }
            }
            let progress = bar(0, "items");
            let report = import_folder(
                &store,
                &who,
                &actor,
                &files,
                publish,
                file.max_attachment_bytes
                    .unwrap_or(accord_library::DEFAULT_MAX_ATTACHMENT_BYTES),
                &|done, total| {
                    progress.set_length(total as u64);
                    progress.set_position(done as u64);
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            progress.finish_and_clear();
            let (mut added, mut refused) = (0, 0);
            for outcome in &report {
                match outcome {
                    Imported::Added { slug, id } => {
                        added += 1;
                        println!("added    {slug} (item {id})");
                    }
                    Imported::Skipped { slug, why } => println!("skipped  {slug}: {why}"),
                    Imported::Refused { slug, why } => {
                        refused += 1;
                        println!("refused  {slug}: {why}");
                    }
                }
            }
            println!(
                "{added} added, {refused} refused, {} skipped ({})",
                report.len() - added - refused,
                if publish {
                    "published"
                } else {
                    "waiting in review"
                }
            );
            store.close().await;
            // A running server picks the new items up from the change feed.
            anyhow::ensure!(
                refused == 0,
                "{refused} items were refused; nothing of them was stored"
            );
        }
        LibraryCommand::Reindex { db, index } => {
            let url = db.url(file);
            let store = Store::open(&url).await?;
            let dir = accord_web::library_state::index_path(index.as_deref().or(file.library_index.as_deref()), &url)
                .context("with PostgreSQL, name the node's index folder with --index (or library_index in the configuration file)")?;
            let library = accord_web::library_state::Library::open(&store, Some(&dir))
                .await
                .with_context(|| {
                    format!(
                        "cannot open the index in {} (is a server using it? stop it first)",
                        dir.display()
                    )
                })?;
            let progress = bar(0, "items");
            let n = library
                .reindex(&store, &|done, total| {
                    progress.set_length(total);
                    progress.set_position(done);
                })
                .await?;
            progress.finish_and_clear();
            println!("reindexed {n} items into {}", dir.display());
            store.close().await;
        }
        LibraryCommand::Bench {
            items,
            queries,
            dir,
        } => {
            let tmp;
            let dir = match dir {
                Some(d) => d,
                None => {
                    tmp = tempfile::tempdir()?;
                    tmp.path().to_path_buf()
                }
            };
            let report =
                tokio::task::spawn_blocking(move || accord_search::bench(&dir, items, queries))
                    .await??;
            println!("{report}");
        }
    }
    Ok(())
}
