//! `accord audit verify|checkpoint` (the audit chain against its signed
//! checkpoints) and `accord keys rotate` (docs/proof.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use accord_proof::{CheckpointProof, PublicKey, SecretKey};
use accord_store::Store;
use accord_web::anchor::{AnchorError, verify_audit_chain};
use anyhow::{Context, bail};

use crate::config::{FileConfig, SigningKeyArg};

/// A broken anchor: exit code 3, like a broken chain.
#[derive(Debug)]
pub struct Broken(pub AnchorError);

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Broken {}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn when(t: i64) -> String {
    crate::verify::when(t)
}

/// The signing key file, if there is one where the arguments say.
fn key_file(key: &SigningKeyArg, file: &FileConfig, url: &str) -> Option<PathBuf> {
    key.path(file, url).filter(|p| p.exists())
}

/// `--public-key`, else the public half of the signing key file, else none.
fn trusted_key(
    public_key: Option<&str>,
    key: &SigningKeyArg,
    file: &FileConfig,
    url: &str,
) -> anyhow::Result<Option<PublicKey>> {
    if let Some(k) = public_key {
        return crate::verify::read_public_key(k).map(Some);
    }
    match key_file(key, file, url) {
        Some(p) => Ok(Some(accord_proof::keys::load(&p)?.public_key())),
        None => Ok(None),
    }
}

pub async fn verify(
    store: &Store,
    url: &str,
    key: &SigningKeyArg,
    public_key: Option<&str>,
    checkpoint: Option<&Path>,
    file: &FileConfig,
) -> anyhow::Result<()> {
    let n = store.verify_audit_log().await?;
    let trusted = trusted_key(public_key, key, file, url)?;
    let exported: Option<CheckpointProof> = checkpoint
        .map(|p| -> anyhow::Result<CheckpointProof> {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the checkpoint {}", p.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not an exported audit checkpoint", p.display()))
        })
        .transpose()?;
    let report = match verify_audit_chain(store, n, trusted.as_ref(), exported.as_ref()).await {
        Ok(r) => r,
        Err(e @ (AnchorError::Chain { .. } | AnchorError::Log(_))) => {
            return Err(Broken(e).into());
        }
        Err(e) => return Err(e.into()),
    };
    println!("the audit log is intact: {n} records verified");
    if let Some(x) = &report.exported {
        println!(
            "  it extends the exported checkpoint: record {} signed at {}",
            x.sequence,
            when(x.at)
        );
    }
    match &report.latest {
        None => println!(
            "  no signed checkpoint in the transparency log yet: only the chain's links were checked, so a cut of its tail would not show"
        ),
        Some(cp) => {
            println!(
                "  it matches all {} signed checkpoints in the transparency log (log of {} entries); the newest is of record {} signed at {}",
                report.checkpoints,
                report.log_size,
                cp.sequence,
                when(cp.at)
            );
            if n > cp.sequence {
                println!(
                    "  records {}..{n} are after the newest checkpoint: not yet anchored",
                    cp.sequence + 1
                );
            }
        }
    }
    Ok(())
}

/// Anchors now when the key is here, then writes the newest checkpoint.
pub async fn checkpoint(
    store: &Store,
    url: &str,
    key: &SigningKeyArg,
    output: &Path,
    file: &FileConfig,
) -> anyhow::Result<()> {
    match key_file(key, file, url) {
        Some(p) => {
            let key = accord_proof::keys::load(&p)?;
            accord_web::keychain::check_signing_key(store, &key).await?;
            accord_web::transparency::seal(store, &key, now()).await?;
            if let Some(cp) = accord_web::anchor::anchor_audit(store, &key, now(), 0).await? {
                println!(
                    "signed the audit chain's head (record {}) into the transparency log",
                    cp.sequence
                );
            }
        }
        None => println!(
            "the signing key is not here: exporting the newest checkpoint already in the log"
        ),
    }
    let Some(proof) = accord_web::anchor::latest_checkpoint(store).await? else {
        bail!(
            "there is no signed audit checkpoint in the transparency log yet (the server makes one on every publication and on its schedule; here, give the signing key)"
        );
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    f.write_all(serde_json::to_string_pretty(&proof)?.as_bytes())
        .and_then(|()| f.write_all(b"\n"))
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", output.display()))?;
    let cp = &proof.checkpoint.record;
    println!(
        "checkpoint of audit record {} (signed at {}, log entry {} of {}) written to {}; keep it outside the database",
        cp.sequence,
        when(cp.at),
        proof.inclusion.leaf_index + 1,
        proof.head.record.size,
        output.display()
    );
    Ok(())
}

/// `--expires`: a date (midnight UTC) or an RFC 3339 time.
fn parse_expiry(s: &str) -> anyhow::Result<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &fmt)
        .with_context(|| format!("--expires {s}: give YYYY-MM-DD or an RFC 3339 time"))?;
    Ok(d.midnight().assume_utc().unix_timestamp())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

pub async fn rotate(
    store: &Store,
    key_path: &Path,
    expires: Option<&str>,
    reason: &str,
) -> anyhow::Result<()> {
    let old = accord_proof::keys::load(key_path)?;
    accord_web::keychain::check_signing_key(store, &old).await?;
    // The old key stays valid until the rotation's second (exclusive): wait
    // for a second after the last thing it signed (a server that just sealed
    // the log may have signed in this very second).
    let newest = accord_web::keychain::newest_platform_signature(store).await?;
    while now() <= newest {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let at = now();
    let expires = expires.map(parse_expiry).transpose()?;
    if let Some(e) = expires.filter(|e| *e <= at) {
        bail!("--expires {} is not in the future", when(e));
    }
    let (new, rotation) = accord_proof::keys::rotate(&old, at, expires, reason)
        .map_err(|e| anyhow::anyhow!("signing the rotation: {e}"))?;
    // The new key is on disk before the log names it, so that it is never
    // lost; it takes the old one's place only once the rotation is logged.
    let pending = with_suffix(key_path, ".new");
    accord_proof::keys::write_new(&pending, &new).with_context(|| {
        format!(
            "{} exists: an earlier rotation was interrupted? compare its key id with the log's before removing it",
            pending.display()
        )
    })?;
    if let Err(e) = accord_web::keychain::log_rotation(store, &old, &new, &rotation).await {
        std::fs::remove_file(&pending).ok();
        return Err(e.into());
    }
    let retired = with_suffix(key_path, &format!(".{}.retired", old.key_id));
    retire(key_path, &retired, &pending)?;
    print_rotation(&old, &new, &retired, key_path);
    Ok(())
}

fn retire(key_path: &Path, retired: &Path, pending: &Path) -> anyhow::Result<()> {
    std::fs::rename(key_path, retired).with_context(|| {
        format!(
            "the rotation is logged, but the old key could not be moved to {}: move it and rename {} to {} by hand",
            retired.display(),
            pending.display(),
            key_path.display()
        )
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(retired, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(pending, key_path).with_context(|| {
        format!(
            "the rotation is logged, but {} could not be renamed to {}: do it by hand",
            pending.display(),
            key_path.display()
        )
    })?;
    Ok(())
}

fn print_rotation(old: &SecretKey, new: &SecretKey, retired: &Path, key_path: &Path) {
    println!(
        "rotated the platform key: {} -> {} (logged, signed by both; a new tree head signed by the new key)",
        old.key_id, new.key_id
    );
    println!("  new key: {}", key_path.display());
    println!(
        "  old key kept as {} (mode 0600): it can no longer sign; keep it or destroy it",
        retired.display()
    );
    println!("  new public key: {}", new.public_key().to_base64());
    println!("restart the server: one still running with the old key cannot append to the log");
}
