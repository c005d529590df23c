//! `accord common-list` (or `accord list`): the published common list from
//! the operator's shell — its versions, exports of any version (the same
//! bytes as the web download, signed with the platform's key when it is at
//! hand) and one subject. Read only, except that an export signed here also
//! logs any version not yet in the transparency log.

use std::io::Write;

use accord_store::Store;
use accord_store::common_list::{Merge, Subject};
use accord_web::publication::{self, ExportFormat};
use anyhow::Context;

use crate::config::{CommonListCommand, DatabaseArg, FileConfig};

pub async fn run(cmd: CommonListCommand, config: &FileConfig) -> anyhow::Result<()> {
    let store_url = |db: &DatabaseArg| db.url(config);
    match cmd {
        CommonListCommand::Versions { db } => {
            let store = Store::open_existing(&store_url(&db)).await?;
            let versions = store.list_versions().await?;
            if versions.is_empty() {
                println!("no version of the common list has been adopted yet");
            }
            for v in versions {
                println!(
                    "v{}: {} entries, published {} ({}), +{} -{} ~{}",
                    v.version,
                    v.entry_count,
                    when(v.created_at),
                    cause(&v),
                    v.changes.added.len(),
                    v.changes.removed.len(),
                    v.changes.changed.len()
                );
            }
        }
        CommonListCommand::Export {
            db,
            version,
            format,
            output,
            key,
        } => {
            let format: ExportFormat = format.parse().map_err(anyhow::Error::msg)?;
            let store = Store::open_existing(&store_url(&db)).await?;
            let v = store.published_list(version).await?;
            let body = publication::write(&v, format)
                .with_context(|| format!("version {} could not be exported", v.version.version))?;
            // create_new: an existing file is never overwritten.
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&output)
                .with_context(|| format!("cannot create {}", output.display()))?;
            file.write_all(&body)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!(
                "version {} ({} entries) written to {} ({} bytes)",
                v.version.version,
                v.entries.len(),
                output.display(),
                body.len()
            );
            sign_export(
                &store,
                &v,
                format,
                &body,
                &output,
                key.path(config, &store_url(&db)),
            )
            .await?;
        }
        CommonListCommand::Show { db, id, json } => {
            let store = Store::open_existing(&store_url(&db)).await?;
            let id = id.trim().to_uppercase();
            let subject = store.subject(&id).await?;
            let merges = store.merges(&id).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "subject": subject, "merges": merges })
                    )?
                );
            } else {
                print!("{}", describe(&subject, &merges));
            }
        }
    }
    Ok(())
}

fn when(ms: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_default()
}

fn cause(v: &accord_store::common_list::ListVersion) -> String {
    let cause = serde_json::to_value(v.cause)
        .ok()
        .and_then(|c| c.as_str().map(str::to_string))
        .unwrap_or_default();
    match (v.proposal_id, v.merge_id) {
        (Some(p), _) => format!("{cause}, proposal {p}"),
        (None, Some(m)) => format!("{cause}, merge {m}"),
        _ => cause,
    }
}

/// A subject as text: one fact a line.
fn describe(s: &Subject, merges: &[Merge]) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: &str| out.push_str(&format!("{k:<14}{v}\n"));
    line("subject", &s.public_id);
    line("kind", s.kind.as_str());
    line("status", s.status.as_str());
    if let Some(into) = &s.merged_into {
        line("merged into", into);
    }
    if let Some(on) = s.listed_on {
        line("listed on", &on.to_string());
    }
    if let Some(on) = s.delisted_on {
        line("delisted on", &on.to_string());
    }
    if let Some(un) = &s.un_reference {
        line("UN reference", un);
    }
    for n in &s.entry.names {
        let mut notes = vec![format!("{:?}", n.kind).to_lowercase()];
        notes.extend(n.script.clone());
        notes.extend(n.language.clone());
        if n.quality == accord_lists::NameQuality::Weak {
            notes.push("weak".into());
        }
        line("name", &format!("{} ({})", n.text, notes.join(", ")));
    }
    for d in &s.entry.birth_dates {
        line("born", &d.original);
    }
    for p in &s.entry.birth_places {
        line("born in", p);
    }
    for n in &s.entry.nationalities {
        line("nationality", n);
    }
    for d in &s.entry.documents {
        let country = d
            .country
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        line("document", &format!("{} {}{country}", d.kind, d.number));
    }
    for a in &s.entry.addresses {
        line("address", &a.full());
    }
    for l in &s.entry.links {
        let target = [l.target_reference.as_deref(), l.target_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        line("link", &format!("{} {target}", l.relation));
    }
    if !s.narrative_summary.is_empty() {
        line("summary", &s.narrative_summary);
    }
    for m in merges {
        let undone = match (&m.undone_by, m.undone_at) {
            (Some(by), Some(at)) => format!(", undone by {by} {}", when(at)),
            _ => String::new(),
        };
        line(
            "merge",
            &format!(
                "#{} {} into {} by {} {}: {}{undone}",
                m.id,
                m.from,
                m.into,
                m.merged_by,
                when(m.merged_at),
                m.reason
            ),
        );
    }
    out
}

/// Writes `OUTPUT.minisig` beside an export, with the platform's key (the
/// same signature the web serves), and logs any version not yet sealed.
/// Without a key file nothing is signed, and the operator is told so.
async fn sign_export(
    store: &Store,
    v: &accord_store::common_list::PublishedVersion,
    format: ExportFormat,
    body: &[u8],
    output: &std::path::Path,
    key_path: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let Some(key_path) = key_path.filter(|p| p.exists()) else {
        println!(
            "no signature written: the platform's signing key is not here (give it with \
             --signing-key or ACCORD_SIGNING_KEY; the server creates it on first start)"
        );
        return Ok(());
    };
    let key = accord_proof::keys::load(&key_path)?;
    accord_web::keychain::check_signing_key(store, &key).await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    accord_web::transparency::seal(store, &key, now).await?;
    let (signed, signature) =
        accord_web::transparency::checked_export(store, &key, v, format).await?;
    anyhow::ensure!(
        signed == body,
        "the export of version {} came out differently when signed; nothing was signed",
        v.version.version
    );
    let mut sig_path = output.as_os_str().to_owned();
    sig_path.push(".minisig");
    let sig_path = std::path::PathBuf::from(sig_path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&sig_path)
        .with_context(|| format!("cannot create {}", sig_path.display()))?;
    f.write_all(signature.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", sig_path.display()))?;
    println!(
        "signature written to {} (key id {})",
        sig_path.display(),
        key.key_id
    );
    Ok(())
}
