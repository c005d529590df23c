//! `accord programmes`: importing and exporting capacity-building programmes
//! through the same functions the pages and the API use.

use std::io::Write;

use accord_core::{Principal, Username};
use accord_programmes::Programme;
use accord_store::Store;
use accord_web::Lang;
use accord_web::programmes_io::{iati_document, import_file};
use anyhow::Context;

use crate::commands::operator;
use crate::config::{FileConfig, ProgrammesCommand};

pub async fn run(cmd: ProgrammesCommand, file: &FileConfig) -> anyhow::Result<()> {
    match cmd {
        ProgrammesCommand::Import {
            db,
            file: path,
            as_user,
            format,
        } => {
            let store = Store::open(&db.url(file)).await?;
            let user = store
                .user_by_username(&Username::parse(&as_user)?)
                .await
                .with_context(|| format!("no account {as_user}"))?;
            if user.disabled {
                anyhow::bail!("the account {as_user} is disabled");
            }
            let who = Principal::of_user(&user);
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let mut actor = operator();
            actor.id = Some(user.id);
            let outcome = import_file(
                &store,
                &who,
                &actor,
                Lang::En,
                &bytes,
                format.as_deref().unwrap_or(""),
            )
            .await?
            .map_err(|invalid| {
                let lines: Vec<String> = invalid
                    .errors
                    .iter()
                    .map(|e| {
                        if e.field.is_empty() {
                            format!("  {}", e.message)
                        } else {
                            format!("  {}: {}", e.field, e.message)
                        }
                    })
                    .collect();
                anyhow::anyhow!(
                    "{} was not imported; nothing changed:\n{}",
                    path.display(),
                    lines.join("\n")
                )
            })?;
            println!(
                "{} ({}): {} created, {} updated, {} unchanged",
                path.display(),
                outcome.format,
                outcome.created.len(),
                outcome.updated.len(),
                outcome.skipped.len()
            );
            for id in &outcome.created {
                println!("  created {id}");
            }
            for id in &outcome.updated {
                println!("  updated {id}");
            }
            for note in &outcome.notes {
                println!("  note: {note}");
            }
        }
        ProgrammesCommand::Export {
            db,
            format,
            member,
            output,
        } => {
            let store = Store::open(&db.url(file)).await?;
            let member = member
                .as_deref()
                .map(accord_core::MemberCode::parse)
                .transpose()?;
            // The operator reads the database itself: every programme, as the
            // secretariat sees it. The IATI file holds the publishable ones only.
            let chosen: Vec<_> = store
                .programmes()
                .await?
                .into_iter()
                .filter(|r| {
                    member
                        .as_ref()
                        .is_none_or(|m| r.programme().members().contains(m))
                })
                .map(|r| {
                    let p = r.programme().clone();
                    (r, p)
                })
                .collect();
            // The file first: an IATI export records what went out as
            // published, so nothing is recorded for a file that cannot be written.
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&output)
                .with_context(|| {
                    format!("cannot create {} (it must not exist)", output.display())
                })?;
            let body = match format.as_str() {
                "iati" => iati_document(&store, &file.iati()?, chosen)
                    .await
                    .map_err(|e| anyhow::anyhow!("no IATI file was written: {e}"))?,
                kind => {
                    let ps: Vec<Programme> = chosen.into_iter().map(|(_, p)| p).collect();
                    if kind == "periods" {
                        accord_programmes::csv::periods_csv(&ps)
                    } else {
                        accord_programmes::csv::programmes_csv(&ps)
                    }
                }
            };
            out.write_all(body.as_bytes())?;
            println!("{} written ({} bytes)", output.display(), body.len());
        }
    }
    Ok(())
}
