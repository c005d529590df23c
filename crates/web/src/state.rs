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
        spawn_procedure_clock(store.clone());
        Ok(AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            screening,
        })
    }
}

/// Deadlines are kept by the server, never by a user remembering: every
/// minute the procedure is advanced to now (catching up after downtime), and
/// entries due for periodic review are put up for it. Safe on several nodes.
fn spawn_procedure_clock(store: Store) {
    tokio::spawn(async move {
        let actor = accord_store::Actor::system("procedure");
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            let now = time::OffsetDateTime::now_utc();
            if let Err(e) = store.advance_due(&actor, now).await {
                tracing::warn!(error = %e, "could not advance the listing procedure");
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
        }
    });
}
