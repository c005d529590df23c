//! A member state's own signing key, and signing with it: what a state
//! needs to sign its decisions on proposals (docs/proof.md) without the
//! minisign tool. The files are minisign's, so either tool reads the other's.

use std::path::{Path, PathBuf};

use accord_core::MemberCode;
use accord_proof::keys;
use anyhow::{Context, bail};

use crate::config::MemberKeyCommand;

pub fn run(cmd: MemberKeyCommand) -> anyhow::Result<()> {
    match cmd {
        MemberKeyCommand::Generate { member, output } => generate(&member, &output),
    }
}

/// The public key file beside a secret key file: `kaz.key` → `kaz.pub`.
fn public_path(secret: &Path) -> PathBuf {
    secret.with_extension("pub")
}

fn generate(member: &str, output: &Path) -> anyhow::Result<()> {
    let member = MemberCode::parse(member).context("--member is not a member code")?;
    let public = public_path(output);
    if public == output {
        bail!("the secret key file must not end in .pub: its public key is written there");
    }
    for p in [output, public.as_path()] {
        if p.exists() {
            bail!("{} exists already: choose another file", p.display());
        }
    }
    let key = accord_proof::SecretKey::generate();
    keys::write_new(output, &key)
        .with_context(|| format!("cannot write the secret key {}", output.display()))?;
    let text = key.public_key().to_file_text();
    std::fs::write(&public, &text)
        .with_context(|| format!("cannot write the public key {}", public.display()))?;
    println!("created {member}'s signing key {}", key.key_id);
    println!(
        "  secret key: {} (keep it with the state; never upload it)",
        output.display()
    );
    println!(
        "  public key: {} (register it on the member's page, or POST /api/members/{member}/keys)",
        public.display()
    );
    Ok(())
}

/// Signs `file` (minisign's prehashed form) and writes the signature.
pub fn sign(file: &Path, key: &Path, output: Option<&Path>) -> anyhow::Result<()> {
    let key = keys::load(key).context("cannot use the secret key")?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let comment = format!(
        "timestamp:{}\tfile:{}",
        time::OffsetDateTime::now_utc().unix_timestamp(),
        name.replace(['\t', '\n', '\r'], "_")
    );
    let signature = key.sign(&bytes, &comment)?;
    let out = output.map(Path::to_path_buf).unwrap_or_else(|| {
        let mut s = file.as_os_str().to_owned();
        s.push(".minisig");
        PathBuf::from(s)
    });
    std::fs::write(&out, signature.to_text())
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "signed {} with key {}: {}",
        file.display(),
        key.key_id,
        out.display()
    );
    Ok(())
}
