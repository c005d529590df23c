use std::sync::Arc;

use accord_store::{Store, StoreError};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::screening_state::Screening;

/// What every handler can reach. Holds no per-user state: sessions, CSRF
/// tokens and throttling live in the database, so several servers can share it.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// The reference lists, indexed for screening.
    pub screening: Arc<Screening>,
    /// The platform's signing key (docs/proof.md); never in the database.
    pub signing_key: Option<Arc<accord_proof::SecretKey>>,
    /// The hash banks' match index, following the store's change feed.
    pub hashes: Arc<crate::hash_index::HashIndex>,
    /// Platforms' lookups: per-token limits and the tallies audited per minute.
    pub lookups: Arc<crate::lookups::Lookups>,
    /// Uploads being decoded at once (videos for vPDQ, spreadsheets for
    /// batch screening): one per core, so uploads cannot take the server's
    /// CPU from everything else.
    pub upload_decodes: Arc<tokio::sync::Semaphore>,
    pub library: Arc<crate::library_state::Library>,
    /// The TAXII server's projection of the library, list and members.
    pub taxii: Arc<crate::taxii_sync::Projector>,
    /// Requests per minute per anonymous client and per API token.
    pub rate_limits: Arc<crate::rate_limit::RateLimits>,
    /// The last audit record this node verified the chain up to, `(seq,
    /// hash)`: the audit page verifies only what came after it.
    pub audit_verified: Arc<std::sync::Mutex<Option<(i64, String)>>>,
}

/// Deletes batch screening results and manifest travellers past their
/// retention every ten minutes, so the names in them go even when nobody opens a job (reads
/// expire them first too).
fn spawn_result_sweeper(store: Store, hours: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let before = accord_store::now_ms() - i64::from(hours) * 3_600_000;
            if let Err(e) = store.expire_screening_results(before).await {
                tracing::warn!(error = %e, "could not delete expired screening results");
            }
            if let Err(e) = store
                .expire_manifest_travellers(accord_store::now_ms())
                .await
            {
                tracing::warn!(error = %e, "could not clear expired manifest travellers");
            }
        }
    });
}

/// Forgets idle clients' buckets every minute, so a flood from many
/// addresses leaves no lasting memory behind.
fn spawn_rate_limit_sweeper(limits: Arc<crate::rate_limit::RateLimits>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            limits.forget_idle();
        }
    });
}

/// Verifies the whole audit chain once after start, off the request path,
/// so the audit page then verifies only what was appended since.
fn spawn_full_audit_verification(
    store: Store,
    verified: Arc<std::sync::Mutex<Option<(i64, String)>>>,
) {
    tokio::spawn(async move {
        match store.verify_audit_log_from(None).await {
            Ok((_, position)) => {
                let mut v = verified.lock().unwrap_or_else(|e| e.into_inner());
                // A page view may have got further meanwhile.
                if v.as_ref().is_none_or(|(seq, _)| *seq < position.0) {
                    *v = Some(position);
                }
            }
            Err(e) => tracing::error!(error = %e, "the audit chain does not verify"),
        }
    });
}

impl AppState {
    pub async fn new(
        store: Store,
        config: Config,
        file_lists: Vec<(String, accord_lists::List)>,
    ) -> Result<AppState, StoreError> {
        let screening = Arc::new(Screening::new(file_lists));
        screening.refresh(&store).await?;
        screening.spawn_refresher(store.clone(), config.screening_refresh);
        spawn_result_sweeper(store.clone(), config.screening_result_hours);
        let signing_key = config.signing_key.clone();
        if let Some(key) = &signing_key {
            // Versions published while the server was down (or by the CLI).
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            if let Err(e) = crate::transparency::seal(&store, key, now).await {
                tracing::warn!(error = %e, "could not seal the published versions");
            }
        }
        if let Some(mail) = &config.mail {
            // The binary checks the configuration before it starts; a test
            // or an embedder handing a bad one gets no mail, and is told.
            match crate::mail::Mailer::new(mail) {
                Ok(mailer) => crate::mail::spawn(store.clone(), Arc::new(mailer), mail.every),
                Err(e) => tracing::error!(error = %e, "e-mail is configured wrongly; none is sent"),
            }
        }
        spawn_procedure_clock(
            store.clone(),
            signing_key.clone(),
            config.audit_anchor_interval,
            config.procedure_clock_tick,
            config.procedure_clock_lease,
        );
        let hashes = Arc::new(crate::hash_index::HashIndex::default());
        hashes.refresh(&store).await?;
        let lookups = Arc::new(crate::lookups::Lookups::new(
            config.hash_lookups_per_minute,
            config.lookup_tally_period,
        ));
        lookups.spawn_flusher(
            store.clone(),
            (config.lookup_tally_period / 6).max(std::time::Duration::from_millis(50)),
        );
        let library = Arc::new(
            crate::library_state::Library::open(&store, config.library_index.as_deref())
                .await
                .map_err(|e| StoreError::Unsupported(e.to_string()))?,
        );
        library.spawn_follower(store.clone(), config.library_follow);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let rate_limits = Arc::new(crate::rate_limit::RateLimits::new(
            config.anonymous_requests_per_minute,
            config.token_requests_per_minute,
        ));
        spawn_rate_limit_sweeper(rate_limits.clone());
        let audit_verified = Arc::new(std::sync::Mutex::new(None));
        spawn_full_audit_verification(store.clone(), audit_verified.clone());
        Ok(AppState {
            audit_verified,
            rate_limits,
            hashes,
            lookups,
            upload_decodes: Arc::new(tokio::sync::Semaphore::new(cores)),
            library,
            taxii: Arc::default(),
            signing_key,
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            screening,
        })
    }
}

/// The lease the procedure clock runs under.
pub const PROCEDURE_CLOCK_LEASE: &str = "procedure_clock";

/// This process's name as a lease holder: host, process and start time.
pub(crate) fn lease_holder() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
    let started = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!("{host}:{}:{started}", std::process::id())
}

/// Deadlines are kept by the server, never by a user remembering: every
/// tick (`every`: a minute by default) the procedure is advanced to now
/// (catching up after downtime), and entries due for periodic review are
/// put up for it, and members behind on a reporting round whose deadline
/// nears are reminded. With several nodes on
/// one database, the node holding the clock's lease does it (it renews the
/// lease every tick; when it stops, another takes over at expiry: `lease`,
/// three minutes by default, so a node that stops hands the clock over
/// within three ticks).
///
/// It also anchors the audit chain: when the chain moved since the newest
/// signed checkpoint and that checkpoint is `anchor_every` old, the chain's
/// head is signed into the transparency log ([`crate::anchor`]).
fn spawn_procedure_clock(
    store: Store,
    signing_key: Option<Arc<accord_proof::SecretKey>>,
    anchor_every: Option<std::time::Duration>,
    every: std::time::Duration,
    lease: std::time::Duration,
) {
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX).max(1);
    tokio::spawn(async move {
        let actor = accord_store::Actor::system("procedure");
        let holder = lease_holder();
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let now = time::OffsetDateTime::now_utc();
            let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
            match store
                .try_lease(PROCEDURE_CLOCK_LEASE, &holder, now_ms, lease_ms)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::debug!("another node runs the procedure clock");
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not take the procedure clock's lease");
                    continue;
                }
            }
            if let Err(e) = store.advance_due(&actor, now).await {
                tracing::warn!(error = %e, "could not advance the listing procedure");
            }
            // Adoptions at their deadline publish versions: sign and log them.
            if let Some(key) = &signing_key
                && let Err(e) = crate::transparency::seal(&store, key, now.unix_timestamp()).await
            {
                tracing::warn!(error = %e, "could not seal the published versions");
            }
            if let (Some(key), Some(every)) = (&signing_key, anchor_every) {
                let every = i64::try_from(every.as_secs()).unwrap_or(i64::MAX);
                match crate::anchor::anchor_audit(&store, key, now.unix_timestamp(), every).await {
                    Ok(Some(cp)) => {
                        tracing::info!(sequence = cp.sequence, "anchored the audit chain's head")
                    }
                    Ok(None) => {}
                    Err(e @ crate::transparency::ProofError::Audit(_)) => {
                        tracing::error!(error = %e, "the audit chain does not match its last signed checkpoint; not anchoring it")
                    }
                    Err(e) => tracing::warn!(error = %e, "could not anchor the audit chain"),
                }
            }
            let years = match store.procedure_settings().await {
                Ok(v) => v.settings.review_years,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the procedure settings");
                    continue;
                }
            };
            if let Err(e) = store
                .put_due_subjects_up_for_review(&actor, now.date(), years)
                .await
            {
                tracing::warn!(error = %e, "could not put entries up for periodic review");
            }
            if let Err(e) = store.remind_plan_deadlines(now).await {
                tracing::warn!(error = %e, "could not remind members of reporting deadlines");
            }
            // Hashes attributed to a delisted subject stop matching after
            // their bank's grace period; the change feed carries it.
            match store.retract_delisted_hashes(&actor, now.date()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(hashes = n, "retracted the hashes of delisted subjects"),
                Err(e) => {
                    tracing::warn!(error = %e, "could not retract the hashes of delisted subjects")
                }
            }
        }
    });
}
