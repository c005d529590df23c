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
        screening.spawn_refresher(store.clone(), std::time::Duration::from_secs(30));
        Ok(AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            screening,
        })
    }
}
