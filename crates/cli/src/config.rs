//! Command-line arguments, environment variables and the optional
//! configuration file, merged in that order of precedence.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

#[derive(Parser, Debug)]
#[command(
    name = "accord",
    version,
    about = "Accord: the platform of the Central and South Asia partnership against violent extremism"
)]
pub struct Cli {
    /// A TOML configuration file (keys: database, signing_key, bind, secure_cookies, trusted_proxies, max_body_bytes, max_upload_bytes, log_format, audit_screened_names, screening_result_hours, screening_jobs_per_user, screening_max_rows, manifest_retention_days, anonymous_requests_per_minute, token_requests_per_minute, petitions_per_client_per_day, petition_notices_per_day, audit_anchor_minutes, ffmpeg, iati_reporting_org, smtp_url, mail_from, public_url, mail_digest_hour…).
    #[arg(long, global = true, env = "ACCORD_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct DatabaseArg {
    /// Database URL: sqlite://FILE (embedded, the default) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, env = "ACCORD_DATABASE_URL")]
    pub database: Option<String>,
}

/// Where the platform's signing key is (docs/proof.md).
#[derive(Args, Debug, Clone, Default)]
pub struct SigningKeyArg {
    /// The platform's minisign secret key file (default: signing.key beside the SQLite database; required for PostgreSQL). Created on first start, mode 0600.
    #[arg(long = "signing-key", env = "ACCORD_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,
}

impl SigningKeyArg {
    /// Flag or environment first, then the file, then beside the database.
    pub fn path(&self, file: &FileConfig, database_url: &str) -> Option<PathBuf> {
        accord_web::transparency::key_path(
            self.signing_key.as_deref().or(file.signing_key.as_deref()),
            database_url,
        )
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the web server (creates, migrates and seeds the database on first start).
    Serve {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        key: SigningKeyArg,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, env = "ACCORD_BIND")]
        bind: Option<String>,
        /// Also create demo accounts for several members and roles (see the README).
        #[arg(long)]
        demo: bool,
        /// A reference list to screen against (UN XML, OFAC CSV directory, FollowTheMoney JSON lines); repeatable.
        #[arg(long = "list")]
        lists: Vec<PathBuf>,
        /// Log as JSON lines instead of text.
        #[arg(long, env = "ACCORD_LOG_JSON")]
        log_json: bool,
        /// Do not import the UN consolidated list shipped in the binary when the database has no UN list yet.
        #[arg(long, env = "ACCORD_NO_BUNDLED_LISTS")]
        no_bundled_lists: bool,
    },
    /// Create the database if needed and apply pending migrations.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The platform's signing key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Reference lists (UN consolidated list, OFAC SDN) that members screen against.
    #[command(subcommand)]
    Lists(ListsCommand),
    /// The common list: its published versions, exports and subjects (read only).
    #[command(subcommand, name = "common-list", visible_alias = "list")]
    CommonList(CommonListCommand),
    /// Screen a CSV of names against list files (UN XML, OFAC CSV directory, FollowTheMoney JSON lines).
    Screen(ScreenArgs),
    /// Check a published file: its signature, and with a proof bundle its version record, the members' signed decisions and its place in the transparency log. Exits non-zero naming the check that failed.
    Verify(VerifyArgs),
    /// Hash sharing: hash files (MD5, SHA-256, PDQ), match PDQ hashes, benchmark.
    #[command(subcommand)]
    Hashes(HashesCommand),
    /// Capacity-building programmes: import IATI 2.03 or CSV files, export IATI or CSV.
    #[command(subcommand)]
    Programmes(ProgrammesCommand),
    /// The knowledge library: import a folder of Markdown items, rebuild the search index, measure it.
    #[command(subcommand)]
    Library(LibraryCommand),
    /// The TAXII 2.1 server: measure its paging.
    #[command(subcommand)]
    Taxii(TaxiiCommand),
    /// A member state's own decision-signing key: create one (the public half is registered on the member's page).
    #[command(subcommand, name = "member-key")]
    MemberKey(MemberKeyCommand),
    /// Sign a file with a minisign secret key (e.g. a decision prepared on a proposal's page), writing FILE.minisig beside it.
    Sign {
        /// The file to sign.
        file: PathBuf,
        /// The minisign secret key file (unencrypted: `accord member-key generate` or `minisign -G -W`).
        #[arg(long, short = 's')]
        key: PathBuf,
        /// Where to write the signature; FILE.minisig by default.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Write a consistent copy of a SQLite database while the server runs.
    Backup {
        #[command(flatten)]
        db: DatabaseArg,
        /// The file to write (must not exist).
        #[arg(long)]
        output: PathBuf,
    },
    /// Restore a backup made by `accord backup` into a new SQLite database
    /// (`--database`, which must not exist or be empty). PostgreSQL is
    /// restored with pg_restore from a pg_dump archive.
    Restore {
        /// The backup file (an SQLite database written by `accord backup`).
        backup: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Args, Debug)]
pub struct ScreenArgs {
    /// A list file to screen against: a UN consolidated XML file, an OFAC
    /// directory (sdn.csv with alt.csv, add.csv, sdn_comments.csv), or
    /// FollowTheMoney JSON lines (Accord's own export). Repeat for several
    /// lists. Without --list, the platform's stored reference lists are used.
    #[arg(long = "list")]
    pub lists: Vec<PathBuf>,
    #[command(flatten)]
    pub db: DatabaseArg,
    /// Input CSV with a header: `name` and optionally `id`, `birth_date`, `country`, `schema`.
    #[arg(long, required_unless_present = "paxlst", conflicts_with = "paxlst")]
    pub input: Option<PathBuf>,
    /// API manifests (UN/EDIFACT PAXLST) instead of a CSV: files or folders
    /// (every file in a folder, by name). All are read before any is
    /// screened; one that cannot be read stops the run with its position.
    /// Output columns: id,name,birth_date,nationality,document,rank,
    /// match_id,match_dataset,match_name,score,explanation,error.
    #[arg(long, num_args = 1..)]
    pub paxlst: Vec<PathBuf>,
    /// Output CSV: one row per candidate at or above the threshold, best first.
    #[arg(long)]
    pub output: PathBuf,
    /// Lowest score reported, in [0, 1] (default: the engine's documented threshold).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Most candidates per name.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The published file (e.g. list-v3.csv).
    pub file: PathBuf,
    /// Its minisign signature (default: FILE.minisig beside it, else the bundle's copy).
    #[arg(long)]
    pub signature: Option<PathBuf>,
    /// The platform's public key: a minisign public key file, or its base64 line (GET /api/transparency/key).
    #[arg(long = "public-key", short = 'P', env = "ACCORD_PUBLIC_KEY")]
    pub public_key: String,
    /// A proof bundle (JSON) to check the version record, decisions and log inclusion without network.
    #[arg(long, value_name = "BUNDLE", conflicts_with = "log_url")]
    pub offline: Option<PathBuf>,
    /// The platform's base URL (e.g. https://accord.example): downloads the version's proof bundle from it (the version and format are read from the signature's trusted comment) and checks it as --offline does. The key is never taken from that server: --public-key stays required.
    #[arg(long, value_name = "URL")]
    pub log_url: Option<String>,
    /// A signed tree head (JSON) seen earlier: checks that the log only grew since (with --offline or --log-url).
    #[arg(long, value_name = "HEAD")]
    pub earlier_head: Option<PathBuf>,
    /// A consistency proof (JSON) from the earlier head to the bundle's, if the bundle lacks it.
    #[arg(long, value_name = "PROOF", requires = "earlier_head")]
    pub consistency: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ListsCommand {
    /// Import a new version of a reference list; importing the same content twice changes nothing.
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// Which format: `un` (the UN consolidated list XML file) or `ofac` (a directory with sdn.csv and, where present, alt.csv, add.csv, sdn_comments.csv).
        #[arg(value_parser = ["un", "ofac"])]
        kind: String,
        /// The file (un) or directory (ofac).
        path: PathBuf,
    },
    /// Show the stored versions of the reference lists.
    Versions {
        #[command(flatten)]
        db: DatabaseArg,
        /// Only this list (un, ofac).
        list: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CommonListCommand {
    /// Every published version of the common list, with what changed.
    Versions {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Write a published version in an export format.
    Export {
        #[command(flatten)]
        db: DatabaseArg,
        /// The version (default: the current one).
        #[arg(long)]
        version: Option<i64>,
        /// csv, ftm (FollowTheMoney JSON lines), un-xml (the UN consolidated list's structure) or stix (a STIX 2.1 bundle).
        #[arg(long, value_parser = ["csv", "ftm", "un-xml", "stix"])]
        format: String,
        /// The file to write (must not exist); its signature goes to FILE.minisig.
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        key: SigningKeyArg,
    },
    /// One subject of the list (e.g. ACL-0001): status, names, identifiers, links, merges.
    Show {
        #[command(flatten)]
        db: DatabaseArg,
        /// The subject's identifier on the list.
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account; prints a one-time password unless --password-stdin is given.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// The member's code (e.g. KAZ); omit only for secretariat administrators.
        #[arg(long, default_value = "")]
        member: String,
        /// reader, contributor, member-admin or secretariat-admin.
        #[arg(long)]
        role: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DatabaseArg,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[command(flatten)]
        db: DatabaseArg,
        username: String,
    },
    /// Forget an account's failed password checks from every client, so
    /// that it may sign in again at once.
    Unlock {
        #[command(flatten)]
        db: DatabaseArg,
        username: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user; prints the secret once.
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// What it may be used for: screen, read, write, taxii, hashes,
        /// metrics (repeat or separate by commas). A border post's token
        /// needs only screen.
        #[arg(long = "scope", value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Days until it expires (1 to 730; default 90).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Revoke a token by its id.
    Revoke {
        #[command(flatten)]
        db: DatabaseArg,
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the hash chain link by link, then against every signed checkpoint of it in the transparency log (and an exported one with --checkpoint); exits 3 naming the first broken record, a truncated chain or a rewritten one.
    Verify {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        key: SigningKeyArg,
        /// The platform's public key (a minisign public key file or its base64 line) to check the checkpoints with; default: the public half of the signing key file.
        #[arg(long = "public-key", short = 'P', env = "ACCORD_PUBLIC_KEY")]
        public_key: Option<String>,
        /// A checkpoint exported earlier with `accord audit checkpoint` and kept outside the database: also detects a cut of the transparency log itself.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
    },
    /// Sign the audit chain's head into the transparency log now (if the signing key is here and the chain moved), then write the newest signed checkpoint, its inclusion proof and the signed tree head as JSON, to keep outside the database.
    Checkpoint {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        key: SigningKeyArg,
        /// The file to write (must not exist).
        #[arg(long)]
        output: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Replace the platform's signing key: a new key, announced in the transparency log signed by the old key and the new one, with a new tree head signed by the new key. The old key file is kept beside it, renamed. Stop the server first and start it again after.
    Rotate {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        key: SigningKeyArg,
        /// When the new key stops being valid (YYYY-MM-DD, or an RFC 3339 time); none by default.
        #[arg(long)]
        expires: Option<String>,
        /// Why the key is replaced (logged with the rotation).
        #[arg(long, default_value = "scheduled rotation")]
        reason: String,
    },
}

/// The optional configuration file.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<String>,
    pub bind: Option<String>,
    pub secure_cookies: Option<bool>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or
    /// CIDR networks, e.g. `["127.0.0.1", "10.0.0.0/8"]`): the client they
    /// name is the one throttled and audited. None by default.
    pub trusted_proxies: Option<Vec<String>>,
    /// Import the UN list shipped in the binary on the first start (on by default).
    pub bundled_lists: Option<bool>,
    pub max_body_bytes: Option<usize>,
    pub log_format: Option<String>,
    /// Keep the screened names in the audit log (off by default).
    pub audit_screened_names: Option<bool>,
    /// Hours a batch screening's result is kept after it ends (default 24).
    pub screening_result_hours: Option<u32>,
    /// Batch screenings one user may run at once (default 2).
    pub screening_jobs_per_user: Option<i64>,
    /// Rows one batch screening may hold (default 100,000).
    pub screening_max_rows: Option<i64>,
    /// Days every traveller of a screened manifest is kept (default 0:
    /// only the flight, totals and travellers with candidates).
    pub manifest_retention_days: Option<u32>,
    pub max_upload_bytes: Option<usize>,
    /// The platform's signing key file (see `--signing-key`).
    pub signing_key: Option<PathBuf>,
    /// Minutes between signed checkpoints of the audit chain's head in the
    /// transparency log, when the chain moved (default 60; 0 turns the
    /// schedule off, publications still anchor it).
    pub audit_anchor_minutes: Option<u64>,
    /// The secretariat's IATI organisation identifier, as registered
    /// (the reporting organisation of the programmes' IATI file).
    pub iati_reporting_org: Option<String>,
    /// Its IATI OrganisationType code (default 40, multilateral).
    pub iati_reporting_org_type: Option<String>,
    /// Its name in the IATI file.
    pub iati_reporting_org_name: Option<String>,
    /// The ffmpeg program that decodes videos for vPDQ (default `ffmpeg`
    /// on the PATH; `ffprobe` is looked for beside it).
    pub ffmpeg: Option<PathBuf>,
    /// A new API token's lifetime when none is asked for, in days (1 to 730;
    /// default 90).
    pub token_days: Option<u32>,
    /// The folder of this node's library search index (default:
    /// library-index beside the SQLite database; in memory for PostgreSQL).
    pub library_index: Option<PathBuf>,
    /// Largest library attachment, in bytes (default 50 MiB).
    pub max_attachment_bytes: Option<u64>,
    /// Requests per minute one anonymous client may make on one node
    /// (default 120; 0 turns the limit off).
    pub anonymous_requests_per_minute: Option<u32>,
    /// Requests per minute one API token may make on one node (default
    /// 1,200; 0 turns the limit off).
    pub token_requests_per_minute: Option<u32>,
    /// Delisting petitions one client may file a day (default 5).
    pub petitions_per_client_per_day: Option<i64>,
    /// Petitions a day that each notify the ombudsperson (default 50; then
    /// one notice says more are arriving).
    pub petition_notices_per_day: Option<i64>,
    /// Seconds between the procedure clock's ticks (deadlines, reminders,
    /// anchoring; default 60).
    pub procedure_clock_seconds: Option<u64>,
    /// Seconds a node holds the procedure clock's lease without renewing it
    /// before another node on the same database takes the clock over
    /// (default 180; more than the tick).
    pub procedure_clock_lease_seconds: Option<u64>,
    /// The SMTP server notices are mailed through (`smtp://host:25`,
    /// `smtp://host:587?tls=required`, `smtps://user:password@host:465`);
    /// without it no e-mail is sent.
    pub smtp_url: Option<String>,
    /// The sender of the messages (default `Accord <accord@localhost>`).
    pub mail_from: Option<String>,
    /// The platform's address as users open it, for links in messages
    /// (required with `smtp_url`).
    pub public_url: Option<String>,
    /// The UTC hour from which daily digests go out (default 6).
    pub mail_digest_hour: Option<u8>,
    /// Seconds between the mailer's looks for new notices (default 60).
    pub mail_interval_seconds: Option<u64>,
}

impl FileConfig {
    /// The reverse proxies whose `X-Forwarded-For` is believed (none by default).
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<accord_web::TrustedProxy>> {
        self.trusted_proxies
            .iter()
            .flatten()
            .map(|p| accord_web::TrustedProxy::parse(p))
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))
    }

    /// The IATI reporting organisation: the file's settings over the defaults.
    pub fn iati(&self) -> anyhow::Result<accord_programmes::iati::IatiConfig> {
        use accord_programmes::model::{OrgRef, OrgType, Text};
        let mut c = accord_web::Config::default().iati;
        if let Some(r) = &self.iati_reporting_org {
            c.reporting_org = OrgRef::parse(r)
                .map_err(|p| anyhow::anyhow!("iati_reporting_org: {}", p.message()))?;
        }
        if let Some(t) = &self.iati_reporting_org_type {
            c.reporting_org_type = OrgType::parse(t)
                .map_err(|p| anyhow::anyhow!("iati_reporting_org_type: {}", p.message()))?;
        }
        if let Some(n) = &self.iati_reporting_org_name {
            c.reporting_org_name = Text::single("en", n, 200)
                .map_err(|e| anyhow::anyhow!("iati_reporting_org_name: {e}"))?;
        }
        Ok(c)
    }
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("cannot read the configuration file {}: {e}", path.display())
        })?;
        toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!("the configuration file {} is invalid: {e}", path.display())
        })
    }
}

impl DatabaseArg {
    /// Flag or environment first, then the file, then the embedded default.
    pub fn url(&self, file: &FileConfig) -> String {
        self.database
            .clone()
            .or_else(|| file.database.clone())
            .unwrap_or_else(|| accord_store::DEFAULT_DATABASE_URL.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_win_over_the_file_which_wins_over_the_default() {
        let file = FileConfig {
            database: Some("sqlite://from-file.db".into()),
            ..Default::default()
        };
        let flag = DatabaseArg {
            database: Some("sqlite://flag.db".into()),
        };
        assert_eq!(flag.url(&file), "sqlite://flag.db");
        assert_eq!(
            DatabaseArg { database: None }.url(&file),
            "sqlite://from-file.db"
        );
        assert_eq!(
            DatabaseArg { database: None }.url(&FileConfig::default()),
            "sqlite://accord.db"
        );
    }

    #[test]
    fn trusted_proxies_are_read_from_the_file_and_checked() {
        let file: FileConfig =
            toml::from_str(r#"trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]"#).unwrap();
        let proxies = file.trusted_proxies().unwrap();
        assert_eq!(proxies.len(), 2);
        assert!(proxies[1].contains("10.2.3.4".parse().unwrap()));
        assert!(FileConfig::default().trusted_proxies().unwrap().is_empty());
        let bad: FileConfig = toml::from_str(r#"trusted_proxies = ["proxy.internal"]"#).unwrap();
        let e = bad.trusted_proxies().unwrap_err().to_string();
        assert!(
            e.contains("trusted_proxies") && e.contains("proxy.internal"),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<FileConfig>("databse = 'x'").is_err());
    }
}

/// `accord library ...`.
#[derive(Subcommand, Debug)]
pub enum LibraryCommand {
    /// Import a folder of Markdown files with a YAML front matter
    /// (`SLUG.LANG.md`, attachments beside them; crates/library/seed/README.md),
    /// item by item, all or nothing per item, with a report.
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// The folder.
        folder: PathBuf,
        /// The account the items are written as (its member is their author member).
        #[arg(long = "as")]
        as_user: String,
        /// Publish the items at once (the operator vouches for them); else they wait in review.
        #[arg(long)]
        publish: bool,
    },
    /// Rebuild this node's search index from the database (stop the server using it first).
    Reindex {
        #[command(flatten)]
        db: DatabaseArg,
        /// The index folder (default: library-index beside the SQLite database).
        #[arg(long)]
        index: Option<PathBuf>,
    },
    /// Measure the search on synthetic multilingual items: indexing rate and latency with a rights filter.
    Bench {
        /// Items to index.
        #[arg(long, default_value_t = 100_000)]
        items: usize,
        /// Searches to time.
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
        /// The folder for the throw-away index (default: a temporary one).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TaxiiCommand {
    /// Fill a throw-away SQLite database with synthetic STIX reports in one
    /// collection and walk it over HTTP a page at a time: each page's time,
    /// the first page's p50/p99, and how the last pages compare to the first.
    Bench {
        /// Objects in the collection.
        #[arg(long, default_value_t = 100_000)]
        objects: usize,
        /// Objects a page.
        #[arg(long, default_value_t = 1_000)]
        page: u32,
        /// Times the first page is asked, for its percentiles.
        #[arg(long, default_value_t = 50)]
        repeats: usize,
        /// An empty database to fill instead of a temporary SQLite file
        /// (e.g. postgres://USER:PASSWORD@HOST/DB, created for the purpose).
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProgrammesCommand {
    /// Import a donor's IATI 2.03 activity file, or a CSV of programmes or of
    /// indicator periods, all or nothing, under the rules of the user named.
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// The file (IATI XML or CSV).
        file: PathBuf,
        /// The account the import is made as (its member and role decide what it may change).
        #[arg(long = "as")]
        as_user: String,
        /// iati, programmes or periods (default: told from the file).
        #[arg(long, value_parser = ["iati", "programmes", "periods"])]
        format: Option<String>,
    },
    /// Write the programmes: the IATI 2.03 file of the publishable ones (which
    /// records them as published), or every programme as CSV.
    Export {
        #[command(flatten)]
        db: DatabaseArg,
        /// iati, programmes (CSV) or periods (CSV of indicator periods).
        #[arg(long, value_parser = ["iati", "programmes", "periods"])]
        format: String,
        /// Only the programmes this member takes part in.
        #[arg(long)]
        member: Option<String>,
        /// The file to write (must not exist).
        #[arg(long)]
        output: PathBuf,
    },
}

/// `accord hashes ...` (no database needed, but for `import`).
#[derive(Subcommand, Debug)]
pub enum HashesCommand {
    /// Hash every file under FOLDER: MD5 and SHA-256 of each, PDQ of each image.
    Hash {
        /// The folder to walk (recursively; symbolic links are not followed).
        folder: PathBuf,
        /// CSV to write: path,md5,sha256,pdq,pdq_quality,vpdq (vpdq: a
        /// video's frame hashes, one a second, in the JSON form banks take).
        #[arg(long)]
        output: PathBuf,
        /// Worker threads (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// The ffmpeg program that decodes videos (ffprobe beside it).
        #[arg(long, default_value = "ffmpeg")]
        ffmpeg: PathBuf,
    },
    /// Match a CSV of PDQ hashes against a bank CSV (both with id,pdq columns).
    Match {
        /// Queries: a CSV with id (or path) and pdq columns, optional pdq_quality.
        #[arg(long)]
        input: PathBuf,
        /// CSV to write: id,rank,match_id,distance, best match first.
        #[arg(long)]
        output: PathBuf,
        /// The bank: a CSV with id (or path) and pdq columns, optional pdq_quality.
        #[arg(long)]
        hashes: PathBuf,
        /// Largest Hamming distance reported as a match (0 to 256).
        #[arg(long, default_value_t = accord_hashes::DEFAULT_PDQ_DISTANCE)]
        distance: u32,
    },
    /// Benchmark the PDQ index (lookups, build, memory) and image hashing.
    Bench {
        /// Stored hashes (90 % random, 10 % clusters of near-duplicates).
        #[arg(long, default_value_t = 1_000_000)]
        hashes: usize,
        /// Lookups to time.
        #[arg(long, default_value_t = 200_000)]
        queries: usize,
        /// 1024×768 JPEGs to hash (0 skips the hashing benchmark).
        #[arg(long, default_value_t = 400)]
        images: usize,
        /// Threads for the throughput runs (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Import hashes into a bank from a CSV (another system's export), all or
    /// nothing, as the user named: every row is checked first, then the whole
    /// file is added in one transaction; a report says what was added and skipped.
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// CSV with a header row: signal_type,signal and optionally quality,
        /// entity_subject, entity_name, content_type, behaviour, first_seen,
        /// file_type, note (unknown columns are refused).
        file: PathBuf,
        /// The bank's id (e.g. kaz-propaganda).
        #[arg(long)]
        bank: String,
        /// The account the import is made as: it must be allowed to add hashes
        /// to the bank (the owner's contributors and administrators, the secretariat).
        #[arg(long = "as")]
        as_user: String,
    },
    /// Write synthetic data for the HTTP lookup benchmark: a CSV of PDQ hashes
    /// for `import` (random plus clusters of near-duplicates) and lookup request
    /// bodies (one JSON body per line, half near matches, half misses).
    BenchData {
        /// Stored hashes to write.
        #[arg(long, default_value_t = 100_000)]
        hashes: usize,
        /// The CSV of hashes to write (import format).
        #[arg(long)]
        bank_csv: PathBuf,
        /// Request bodies to write.
        #[arg(long, default_value_t = 16)]
        bodies: usize,
        /// Signals per body.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// The file of request bodies to write, one per line.
        #[arg(long)]
        lookups: PathBuf,
    },
    /// Write the synthetic demo images and their near-duplicates to FOLDER.
    DemoImages {
        folder: PathBuf,
        /// Originals to make (each with resized, re-encoded and cropped copies).
        #[arg(long, default_value_t = 6)]
        count: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberKeyCommand {
    /// Create a new key pair: the secret key file (mode 0600; keep it with the state, never on the platform) and PUBLIC beside it (`.pub`), in minisign's formats.
    Generate {
        /// The member the key is for (its code, e.g. KAZ): named in the files' comments.
        #[arg(long)]
        member: String,
        /// The secret key file to write (must not exist).
        #[arg(long)]
        output: PathBuf,
    },
}
