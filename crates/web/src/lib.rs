#![recursion_limit = "256"]
//! Accord's HTTP server: server-rendered pages in English and Russian, and
//! the JSON API they mirror.
//!
//! A request flows: metrics → error rendering → context (who is asking, in
//! which language) → a route handler, which asks [`context::Ctx::require`]
//! (the one access check) before it calls the store.

pub mod anchor;
mod assets;
mod config;
mod context;
mod error;
mod files;
mod forms;
pub mod gate;
mod hash_index;
mod i18n;
mod idempotency;
pub mod keychain;
pub mod library_state;
mod lookups;
pub mod mail;
mod metrics;
mod openapi;
mod paging;
pub mod publication;
mod rate_limit;
mod render;
mod routes;
mod screening_state;
mod state;
mod taxii_sync;
pub mod transparency;

pub use config::{Config, MailConfig, TrustedProxy};
pub use i18n::Lang;
/// Programme imports and exports, shared by the pages, the API and the CLI.
pub mod programmes_io {
    pub use crate::routes::programmes_io::*;
}
/// `accord library import`: the same checks as the pages.
pub mod library_io {
    pub use crate::routes::library_io::*;
}
pub use state::{AppState, PROCEDURE_CLOCK_LEASE};

use std::net::SocketAddr;

use accord_store::Store;
use axum::Router;
use tokio::net::TcpListener;

/// Builds the application: every route behind the shared middleware.
/// `file_lists` are reference lists loaded from files (`serve --list`);
/// the stored reference lists are added to them.
pub async fn app(
    store: Store,
    config: Config,
    file_lists: Vec<(String, accord_lists::List)>,
) -> Result<Router, accord_store::StoreError> {
    let state = AppState::new(store, config, file_lists).await?;
    Ok(routes::router(state))
}

/// Every route's access rule, as the router holds it (for the access-matrix
/// test and the docs).
pub fn route_rules() -> Vec<gate::Rule> {
    routes::routes(Config::default().max_upload_bytes).1.rules()
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
