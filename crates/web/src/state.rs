use std::sync::Arc;

use accord_store::{Store, StoreError};

use crate::config::Config;
use crate::metrics::Metrics;

/// What every handler can reach. Holds no per-user state: sessions, CSRF
/// tokens and throttling live in the database, so several servers can share it.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// The reference lists loaded at start, indexed for screening.
    pub screener: Arc<accord_screening::Screener>,
}

impl AppState {
    pub async fn new(
        store: Store,
        config: Config,
        screener: Arc<accord_screening::Screener>,
    ) -> Result<AppState, StoreError> {
        Ok(AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            screener,
        })
    }
}
