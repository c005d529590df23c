//! What each subcommand does.

use std::io::Read;
use std::process::ExitCode;

use accord_core::Username;
use accord_core::user::NewUser;
use accord_store::credentials::random_password;
use accord_store::{Actor, Store, StoreError};
use anyhow::Context;

use crate::config::{
    AuditCommand, Cli, Command, FileConfig, HashesCommand, KeysCommand, TokenCommand, UserCommand,
};
use crate::demo;

/// Exit codes: 1 for a failed operation, 2 for a database or backup that
/// cannot be used (cannot be opened, damaged, newer schema), 3 for a broken
/// audit chain.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    match e.downcast_ref::<StoreError>() {
        Some(
            StoreError::Open { .. }
            | StoreError::SchemaTooNew { .. }
            | StoreError::Migration(_)
            | StoreError::BadBackup { .. },
        ) => 2,
        Some(StoreError::AuditBroken(_)) => 3,
        _ if e.downcast_ref::<crate::anchor::Broken>().is_some() => 3,
        _ => 1,
    }
}

async fn open(url: &str) -> anyhow::Result<Store> {
    Ok(Store::open(url).await?)
}

pub fn operator() -> Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    Actor::system(&format!("cli:{who}"))
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = FileConfig::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            db,
            key,
            bind,
            demo,
            log_json,
            lists,
            no_bundled_lists,
        } => {
            let json_logs = log_json || file.log_format.as_deref() == Some("json");
            init_logging(json_logs);
            let bind = bind
                .or_else(|| file.bind.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into());
            if !no_bundled_lists && file.bundled_lists.unwrap_or(true) {
                crate::bundled::first_start(&db.url(&file)).await?;
            }
            let file_lists = crate::screen::load_lists(&lists)?;
            let url = db.url(&file);
            let key_path = key.path(&file, &url);
            serve(&url, key_path, &bind, demo, &file, file_lists).await?;
        }
        Command::Migrate { db } => {
            let store = open(&db.url(&file)).await?;
            let added = store.seed_members().await?;
            store.seed_plan().await?;
            store.seed_library().await?;
            println!(
                "database is at schema version {} ({added} members seeded)",
                store.schema_version().await?
            );
        }
        Command::User(cmd) => user(cmd, &file).await?,
        Command::Token(cmd) => token(cmd, &file).await?,
        Command::Audit(AuditCommand::Verify {
            db,
            key,
            public_key,
            checkpoint,
        }) => {
            let url = db.url(&file);
            let store = open(&url).await?;
            crate::anchor::verify(
                &store,
                &url,
                &key,
                public_key.as_deref(),
                checkpoint.as_deref(),
                &file,
            )
            .await?;
        }
        Command::Audit(AuditCommand::Checkpoint { db, key, output }) => {
            let url = db.url(&file);
            let store = open(&url).await?;
            crate::anchor::checkpoint(&store, &url, &key, &output, &file).await?;
        }
        Command::Keys(KeysCommand::Rotate {
            db,
            key,
            expires,
            reason,
        }) => {
            let url = db.url(&file);
            let path = key.path(&file, &url).ok_or_else(|| {
                anyhow::anyhow!("give the signing key file with --signing-key (no data folder with this database)")
            })?;
            let store = open(&url).await?;
            crate::anchor::rotate(&store, &path, expires.as_deref(), &reason).await?;
        }
        Command::Lists(cmd) => crate::lists::run(cmd, |db| db.url(&file)).await?,
        Command::CommonList(cmd) => crate::common_list::run(cmd, &file).await?,
        Command::Screen(args) => crate::screen::run(&args, &file).await?,
        Command::Verify(args) => crate::verify::run(&args)?,
        Command::Hashes(HashesCommand::Import {
            db,
            file: path,
            bank,
            as_user,
        }) => crate::hashes_import::run(&db.url(&file), &path, &bank, &as_user).await?,
        Command::Hashes(cmd) => crate::hashes::run(cmd)?,
        Command::Programmes(cmd) => crate::programmes::run(cmd, &file).await?,
        Command::Library(cmd) => crate::library::run(cmd, &file).await?,
        Command::Taxii(cmd) => crate::taxii::run(cmd).await?,
        Command::MemberKey(cmd) => crate::member_key::run(cmd)?,
        Command::Sign { file, key, output } => {
            crate::member_key::sign(&file, &key, output.as_deref())?
        }
        Command::Backup { db, output } => {
            let store = open(&db.url(&file)).await?;
            store.backup_to(&output).await?;
            println!("backup written to {}", output.display());
        }
        Command::Restore { backup, db } => {
            let restored = accord_store::restore_backup(&backup, &db.url(&file)).await?;
            println!(
                "restored {} into {} (schema version {}); `accord serve` applies any newer \
                 migrations. The platform's signing key is not in a backup: put the saved \
                 signing.key beside the database or give --signing-key",
                backup.display(),
                restored.path.display(),
                restored.schema_version
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACCORD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(
    url: &str,
    key_path: Option<std::path::PathBuf>,
    bind: &str,
    with_demo: bool,
    file: &FileConfig,
    file_lists: Vec<(String, accord_lists::List)>,
) -> anyhow::Result<()> {
    let store = open(url).await?;
    let key_path = key_path.ok_or_else(|| {
        anyhow::anyhow!(
            "there is no data folder for the platform's signing key with this database: \
             give its path with --signing-key, ACCORD_SIGNING_KEY or signing_key in the \
             configuration file (it is created there on first start)"
        )
    })?;
    let seeded = store.seed_members().await?;
    store.seed_plan().await?;
    store.seed_library().await?;
    if seeded > 0 {
        tracing::info!(
            seeded,
            "loaded the members named in the Astana conference report"
        );
    }
    let first_admin = if store.count_users().await? == 0 && !with_demo {
        let password = random_password();
        let new = NewUser::parse(
            "admin",
            "Secretariat administrator",
            "",
            "secretariat_admin",
        )?;
        store
            .create_user(&Actor::system("first-start"), &new, &password, true)
            .await?;
        Some(password)
    } else {
        None
    };
    if with_demo {
        demo::load(&store, key_path.parent())
            .await
            .context("loading the demo data")?;
    }
    // Loaded once, before anything is served; never stored in the database.
    let (key, created) = accord_proof::keys::load_or_create(&key_path)?;
    // The key must be the one the log's history ends with: a key file
    // replaced by hand, or an old one after a rotation, would sign heads
    // that no verifier accepts.
    accord_web::keychain::check_signing_key(&store, &key).await?;
    if created {
        println!(
            "First start: created the platform's signing key {} (key id {}); back it up, keep it secret",
            key_path.display(),
            key.key_id
        );
    }
    let mut config = accord_web::Config {
        signing_key: Some(std::sync::Arc::new(key)),
        ..accord_web::Config::default()
    };
    if let Some(secure) = file.secure_cookies {
        config.secure_cookies = secure;
    }
    config.trusted_proxies = file.trusted_proxies()?;
    if let Some(max) = file.max_body_bytes {
        config.max_body_bytes = max;
    }
    if let Some(max) = file.max_upload_bytes {
        config.max_upload_bytes = max;
    }
    if let Some(minutes) = file.audit_anchor_minutes {
        config.audit_anchor_interval =
            (minutes > 0).then(|| std::time::Duration::from_secs(60 * minutes));
    }
    if let Some(keep) = file.audit_screened_names {
        config.audit_screened_names = keep;
    }
    if let Some(hours) = file.screening_result_hours {
        anyhow::ensure!(
            (1..=24 * 30).contains(&hours),
            "screening_result_hours must be from 1 to 720 (30 days)"
        );
        config.screening_result_hours = hours;
    }
    if let Some(n) = file.screening_jobs_per_user {
        anyhow::ensure!(n >= 1, "screening_jobs_per_user must be at least 1");
        config.screening_jobs_per_user = n;
    }
    if let Some(days) = file.manifest_retention_days {
        config.manifest_retention_days = days;
    }
    if let Some(n) = file.screening_max_rows {
        anyhow::ensure!(n >= 1, "screening_max_rows must be at least 1");
        config.screening_max_rows = n;
    }
    if let Some(ffmpeg) = &file.ffmpeg {
        config.video.ffmpeg = ffmpeg.clone();
    }
    if let Some(days) = file.token_days {
        anyhow::ensure!(
            (1..=accord_core::token::MAX_TOKEN_DAYS).contains(&days),
            "token_days must be 1 to {} days, not {days}",
            accord_core::token::MAX_TOKEN_DAYS
        );
        config.token_days = days;
    }
    if let Some(max) = file.max_attachment_bytes {
        config.max_attachment_bytes = max;
    }
    if let Some(n) = file.anonymous_requests_per_minute {
        config.anonymous_requests_per_minute = n;
    }
    if let Some(n) = file.token_requests_per_minute {
        config.token_requests_per_minute = n;
    }
    if let Some(n) = file.petitions_per_client_per_day {
        anyhow::ensure!(n >= 1, "petitions_per_client_per_day must be at least 1");
        config.petition_budget.per_client_per_day = n;
    }
    if let Some(n) = file.petition_notices_per_day {
        anyhow::ensure!(n >= 0, "petition_notices_per_day must not be negative");
        config.petition_budget.notices_per_day = n;
    }
    if let Some(seconds) = file.procedure_clock_seconds {
        anyhow::ensure!(seconds >= 1, "procedure_clock_seconds must be at least 1");
        config.procedure_clock_tick = std::time::Duration::from_secs(seconds);
    }
    if let Some(seconds) = file.procedure_clock_lease_seconds {
        config.procedure_clock_lease = std::time::Duration::from_secs(seconds);
    }
    anyhow::ensure!(
        config.procedure_clock_lease > config.procedure_clock_tick,
        "procedure_clock_lease_seconds must be longer than the clock's tick (procedure_clock_seconds), \
         or the lease would lapse between renewals"
    );
    config.library_index =
        accord_web::library_state::index_path(file.library_index.as_deref(), url);
    config.iati = file.iati()?;
    if let Some(smtp_url) = &file.smtp_url {
        let mail = accord_web::MailConfig {
            smtp_url: smtp_url.clone(),
            from: file
                .mail_from
                .clone()
                .unwrap_or_else(|| "Accord <accord@localhost>".into()),
            // The bind address is no address to link to (0.0.0.0, a proxy).
            public_url: file.public_url.clone().ok_or_else(|| {
                anyhow::anyhow!(
                    "smtp_url is set but public_url is not: messages link to the platform as users open it (e.g. https://accord.example.org)"
                )
            })?,
            every: std::time::Duration::from_secs(file.mail_interval_seconds.unwrap_or(60).max(1)),
            digest_hour_utc: file.mail_digest_hour.unwrap_or(6),
        };
        // Refuse to start half-configured: a bad URL or sender is said now.
        accord_web::mail::Mailer::new(&mail).map_err(|e| anyhow::anyhow!(e))?;
        config.mail = Some(mail);
    }
    let app = accord_web::app(store.clone(), config, file_lists).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    println!("Accord is listening on http://{addr}/");
    if let Some(password) = first_admin {
        println!("First start: sign in as `admin` with the one-time password {password}");
        println!("(it is shown only now; you will be asked to choose your own password)");
    }
    if with_demo {
        println!(
            "Demo accounts (password `{}`): {}",
            demo::PASSWORD,
            demo::usernames().join(", ")
        );
        if let Some(dir) = key_path.parent() {
            println!(
                "Demo states' decision-signing keys (secret; for the demo only): {}",
                dir.join(demo::MEMBER_KEYS_DIR).display()
            );
        }
    }
    accord_web::serve(listener, app).await?;
    store.close().await;
    Ok(())
}

async fn user(cmd: UserCommand, file: &FileConfig) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            db,
            username,
            display_name,
            member,
            role,
            password_stdin,
        } => {
            let new = NewUser::parse(&username, &display_name, &member, &role)?;
            let store = open(&db.url(file)).await?;
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the password from standard input")?;
                (s.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (random_password(), true)
            };
            let user = store
                .create_user(&operator(), &new, &password, generated)
                .await?;
            println!("created user {} (id {})", user.username, user.id);
            if generated {
                println!("one-time password: {password}");
            }
        }
        UserCommand::List { db, json } => {
            let store = open(&db.url(file)).await?;
            let users = store.users(None).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                println!(
                    "{:<24} {:<10} {:<18} {:<8} NAME",
                    "USERNAME", "MEMBER", "ROLE", "STATUS"
                );
                for u in users {
                    println!(
                        "{:<24} {:<10} {:<18} {:<8} {}",
                        u.username,
                        u.member
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| "-".into()),
                        u.role,
                        if u.disabled { "disabled" } else { "active" },
                        u.display_name
                    );
                }
            }
        }
        UserCommand::Disable { db, username } => {
            let username = Username::parse(&username)?;
            let store = open(&db.url(file)).await?;
            store
                .set_user_disabled(&operator(), &username, true)
                .await?;
            println!("disabled {username}; their sessions have ended");
        }
        UserCommand::Unlock { db, username } => {
            let username = Username::parse(&username)?;
            let store = open(&db.url(file)).await?;
            let cleared = store.unlock_user(&operator(), &username).await?;
            println!("unlocked {username}: failed sign-ins from {cleared} client(s) forgotten");
        }
    }
    Ok(())
}

async fn token(cmd: TokenCommand, file: &FileConfig) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create {
            db,
            user,
            name,
            scopes,
            days,
        } => {
            let username = Username::parse(&user)?;
            // The same checks as the page and the API.
            let request = accord_core::token::TokenInput {
                name,
                scopes,
                days: days.map(serde_json::Value::from),
            }
            .validate(
                file.token_days
                    .unwrap_or(accord_core::token::DEFAULT_TOKEN_DAYS),
            )?;
            let store = open(&db.url(file)).await?;
            let owner = store.user_by_username(&username).await?;
            let new = store.create_token(&operator(), owner.id, &request).await?;
            println!(
                "token {} created for {username} (scopes: {}; expires {}); it is shown only now:",
                new.token.id,
                new.token.scopes,
                new.token.expires_at.map_or("never".into(), |ms| {
                    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
                        .map_or(ms.to_string(), |t| t.date().to_string())
                })
            );
            println!("{}", new.secret);
        }
        TokenCommand::Revoke { db, id } => {
            let store = open(&db.url(file)).await?;
            store.revoke_token(&operator(), id, None).await?;
            println!("token {id} revoked");
        }
    }
    Ok(())
}
