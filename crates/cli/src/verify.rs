//! `accord verify`: checks a published file, its signature and, given a
//! proof bundle, the log's record of it — without a database or network.

use std::path::{Path, PathBuf};

use accord_proof::bundle::{EarlierHead, FileReport, VerifyReport, verify_bundle, verify_file};
use accord_proof::merkle::ConsistencyProof;
use accord_proof::{ExportComment, Keyring, ProofBundle, PublicKey, Signature, SignedTreeHead};
use accord_web::transparency::{FORMATS, format_name};
use anyhow::{Context, bail};

use crate::config::VerifyArgs;

pub fn run(args: &VerifyArgs) -> anyhow::Result<()> {
    let key = read_public_key(&args.public_key)?;
    let file = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let bundle: Option<ProofBundle> = match (&args.offline, &args.log_url) {
        (Some(p), _) => Some(read_json(p, "proof bundle")?),
        (None, Some(url)) => {
            let signature = read_signature(args, None).context(
                "--log-url reads the version from the file's signature: give --signature or put FILE.minisig beside the file",
            )?;
            Some(fetch_bundle(url, &signature)?)
        }
        (None, None) => None,
    };
    let signature = read_signature(args, bundle.as_ref())?;
    let name = args.file.display().to_string();
    let Some(bundle) = bundle else {
        if args.earlier_head.is_some() {
            bail!(
                "--earlier-head is checked against a proof bundle: give --offline BUNDLE or --log-url URL"
            );
        }
        let report = verify_file(&file, &signature, &Keyring::single(key))
            .with_context(|| format!("verification of {name} failed"))?;
        print_file(&name, &report);
        println!(
            "  not checked: the version record, the members' decisions and the transparency log (give --offline BUNDLE)"
        );
        return Ok(());
    };
    let earlier = match &args.earlier_head {
        None => None,
        Some(p) => Some(EarlierHead {
            head: read_json::<SignedTreeHead>(p, "signed tree head")?,
            proof: args
                .consistency
                .as_deref()
                .map(|p| read_json::<ConsistencyProof>(p, "consistency proof"))
                .transpose()?,
        }),
    };
    let report = verify_bundle(&file, &signature, &bundle, &key, earlier.as_ref())
        .with_context(|| format!("verification of {name} failed"))?;
    print_report(&name, &report);
    Ok(())
}

/// Downloads the proof bundle of the version and format the signature's
/// trusted comment names, from the platform at `base` (its base URL). The
/// bundle needs no trust in the server: everything in it is checked against
/// the key given with --public-key, never one fetched from the same place.
fn fetch_bundle(base: &str, signature: &str) -> anyhow::Result<ProofBundle> {
    let sig =
        Signature::parse(signature).context("the file's signature is not a minisign signature")?;
    let comment = ExportComment::parse(&sig.trusted_comment).map_err(|e| {
        anyhow::anyhow!(
            "the signature's trusted comment {:?}: {e}",
            sig.trusted_comment
        )
    })?;
    let version = i64::try_from(comment.version).context("the signed version number")?;
    let format = FORMATS
        .iter()
        .find(|f| comment.file.ends_with(&format!(".{}", f.extension())))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the signature is for the file {:?}, whose export format this verifier does not know (.csv, .ftm.json, .xml, .stix.json)",
                comment.file
            )
        })?;
    let url = format!(
        "{}/api/list/versions/{version}/proof-bundle?format={}",
        base.trim_end_matches('/'),
        format_name(*format)
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into();
    let mut response = agent
        .get(&url)
        .call()
        .with_context(|| format!("downloading the proof bundle from {url}"))?;
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .with_context(|| format!("reading the proof bundle from {url}"))?;
    let bundle = serde_json::from_str(&text)
        .with_context(|| format!("{url} did not answer with a proof bundle"))?;
    println!("proof bundle of version {version} downloaded from {url}");
    Ok(bundle)
}

/// A public key file, or the base64 line itself.
pub(crate) fn read_public_key(arg: &str) -> anyhow::Result<PublicKey> {
    let path = Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the public key file {arg}"))?;
        return PublicKey::from_text(&text)
            .with_context(|| format!("{arg} is not a minisign public key file"));
    }
    PublicKey::from_base64(arg).context("--public-key is neither a file nor a minisign public key")
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a valid {what}", path.display()))
}

/// --signature, else FILE.minisig beside the file, else the bundle's copy.
fn read_signature(args: &VerifyArgs, bundle: Option<&ProofBundle>) -> anyhow::Result<String> {
    let beside = {
        let mut s = args.file.clone().into_os_string();
        s.push(".minisig");
        PathBuf::from(s)
    };
    let path = match &args.signature {
        Some(p) => p.clone(),
        None if beside.is_file() => beside,
        None => match bundle {
            Some(b) => return Ok(b.file_signature.clone()),
            None => bail!(
                "no signature: give --signature FILE.minisig, or put {} beside the file",
                beside.display()
            ),
        },
    };
    std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the signature {}", path.display()))
}

pub(crate) fn when(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

fn print_file(name: &str, r: &FileReport) {
    let c = &r.comment;
    println!(
        "OK {name}: version {} of {}, signed by key {} at {}",
        c.version,
        c.list,
        r.key_id,
        when(c.timestamp)
    );
    println!("  file SHA-256 {} (as signed)", c.sha256);
}

fn print_report(name: &str, r: &VerifyReport) {
    print_file(name, &r.file);
    println!(
        "  version record: published {}, signed by key {}",
        when(r.published_at),
        r.version_signed_by
    );
    for (member, proposal, decision, key) in &r.decisions {
        println!("  decision: {member} {decision}s on {proposal} (signed by member key {key})");
    }
    let head = &r.head.record;
    println!(
        "  in the transparency log: entry {} of {}, head signed at {} (root {})",
        r.leaf_index + 1,
        head.size,
        when(head.timestamp),
        head.root
    );
    if let Some(size) = r.consistent_with {
        println!("  the log only grew since the earlier head of {size} entries");
    }
    if let Some(by) = r.superseded_by {
        println!(
            "SUPERSEDED: version {} was superseded by version {by}; it is no longer the current list",
            r.version
        );
    }
    println!("  {} checks passed", r.passed.len());
}
