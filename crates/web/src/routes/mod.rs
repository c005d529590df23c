//! Every route of the server, pages and API side by side per resource.

mod admin;
mod auth;
mod common_list;
mod focal_points;
mod home;
mod lists;
mod members;
mod notifications;
mod ombudsperson;
mod petitions;
mod plan;
mod procedure;
mod profile;
mod proposal_input;
mod proposals;
mod reports;
mod rounds;
mod screening;
mod strategies;
mod subjects;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Uri, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::{WebError, render_errors};
use crate::state::AppState;
use crate::{assets, context, metrics, openapi};

pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    let upload_limit = state.config.max_upload_bytes;
    let mut router = Router::new()
        .route("/", get(home::page))
        .route("/healthz", get(home::healthz))
        .route("/metrics", get(metrics::endpoint))
        .route("/static/{*path}", get(assets::serve))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/members", get(members::list_page))
        .route(
            "/members/new",
            get(members::new_page).post(members::create_from_form),
        )
        .route("/members/{code}", get(members::member_page))
        .route(
            "/members/{code}/focal-points/new",
            get(focal_points::new_page).post(focal_points::create_from_form),
        )
        .route(
            "/focal-points/{id}/edit",
            get(focal_points::edit_page).post(focal_points::update_from_form),
        )
        .route(
            "/focal-points/{id}/verify",
            post(focal_points::verify_from_form),
        )
        .route(
            "/focal-points/{id}/delete",
            post(focal_points::delete_from_form),
        )
        .route("/profile", get(profile::page))
        .route("/profile/tokens", post(profile::create_token_from_form))
        .route(
            "/profile/tokens/{id}/revoke",
            post(profile::revoke_token_from_form),
        )
        .route(
            "/profile/password",
            get(profile::password_page).post(profile::change_password),
        )
        .route(
            "/admin/users",
            get(admin::users_page).post(admin::create_user_from_form),
        )
        .route(
            "/admin/users/{username}/disable",
            post(admin::disable_from_form),
        )
        .route(
            "/admin/users/{username}/enable",
            post(admin::enable_from_form),
        )
        .route("/admin/audit", get(admin::audit_page))
        .route(
            "/screen",
            get(screening::page).post(screening::screen_from_form),
        )
        .route(
            "/screen/batch",
            post(screening::start_batch).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/screen/jobs/{id}", get(screening::job_page))
        .route("/screen/jobs/{id}/result.csv", get(screening::job_result))
        .route("/api/screen", post(screening::api_screen))
        .route("/match/{dataset}", post(screening::yente_match))
        .route("/list", get(common_list::list_page))
        .route("/list/changes", get(common_list::changes_page))
        .route("/api/list", get(common_list::api_current))
        .route("/api/list/versions", get(common_list::api_versions))
        .route("/api/list/compare", get(common_list::api_compare))
        .route("/api/list/export/{format}", get(common_list::api_export))
        .route("/petition", get(petitions::form).post(petitions::submit))
        .route("/petition/status", get(petitions::lookup))
        .route("/petition/status/{tracking}", get(petitions::status))
        .route(
            "/api/proposals",
            get(proposals::api_list).post(proposals::api_create),
        )
        .route("/api/proposals/{id}", get(proposals::api_get))
        .route("/api/proposals/{id}/decisions", post(proposals::api_decide))
        .route("/api/subjects/{id}", get(subjects::api_get))
        .route("/api/subjects/{id}/merge", post(subjects::api_merge))
        .route("/api/merges/{id}/undo", post(subjects::api_unmerge))
        .route(
            "/subjects/merge",
            get(subjects::merge_page_handler).post(subjects::merge_from_form),
        )
        .route("/merges/{id}/undo", post(subjects::unmerge_from_form))
        .route("/api/petitions", post(petitions::api_create))
        .route("/api/petitions/{tracking}", get(petitions::api_status))
        .route("/notifications", get(notifications::page_handler))
        .route("/notifications/read", post(notifications::mark_all_read))
        .route("/api/notifications", get(notifications::api_list))
        .route("/ombudsperson", get(ombudsperson::queue))
        .route(
            "/ombudsperson/petitions/{id}",
            get(ombudsperson::petition_page),
        )
        .route(
            "/ombudsperson/petitions/{id}/notes",
            post(ombudsperson::add_notes),
        )
        .route(
            "/ombudsperson/petitions/{id}/recommend",
            post(ombudsperson::recommend),
        )
        .route(
            "/procedure",
            get(procedure::page_handler).post(procedure::update_from_form),
        )
        .route(
            "/api/procedure",
            get(procedure::api_get).put(procedure::api_update),
        )
        .route("/api/procedure/versions", get(procedure::api_versions))
        .route("/proposals", get(proposals::list_page))
        .route(
            "/proposals/new",
            get(proposals::new_page).post(proposals::create_from_form),
        )
        .route("/proposals/{id}", get(proposals::proposal_page))
        .route("/proposals/{id}/decide", post(proposals::decide))
        .route("/proposals/{id}/statement", get(proposals::statement_page))
        .route(
            "/proposals/{id}/evidence",
            post(proposals::add_evidence).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/proposals/{id}/evidence/{evidence_id}",
            get(proposals::evidence_download),
        )
        .route("/commitments", get(plan::list_page))
        .route(
            "/commitments/new",
            get(plan::new_page).post(plan::add_commitment_from_form),
        )
        .route(
            "/commitments/frameworks",
            post(plan::add_framework_from_form),
        )
        .route("/commitments/pillars", post(plan::add_pillar_from_form))
        .route("/commitments/{id}", get(plan::commitment_page))
        .route(
            "/api/commitments",
            get(plan::api_list).post(plan::api_add_commitment),
        )
        .route("/api/frameworks", post(plan::api_add_framework))
        .route("/api/frameworks/{id}/pillars", post(plan::api_add_pillar))
        .route("/rounds", get(rounds::list_page))
        .route(
            "/rounds/new",
            get(rounds::new_page).post(rounds::create_from_form),
        )
        .route("/rounds/{id}", get(rounds::round_page))
        .route("/rounds/{id}/reopen", post(rounds::reopen_from_form))
        .route("/rounds/{id}/summary", get(rounds::summary_page))
        .route("/rounds/{id}/matrix.csv", get(rounds::matrix_csv))
        .route("/rounds/{id}/reports.csv", get(rounds::reports_csv))
        .route("/rounds/{id}/status.svg", get(rounds::status_chart))
        .route("/plan/progress.svg", get(rounds::progress_chart))
        .route(
            "/rounds/{id}/reports/{member}/{commitment}",
            get(reports::report_page),
        )
        .route(
            "/rounds/{id}/reports/{member}/{commitment}/draft",
            post(reports::draft_from_form),
        )
        .route(
            "/rounds/{id}/reports/{member}/{commitment}/correct",
            post(reports::correct_from_form),
        )
        .route(
            "/rounds/{id}/reports/{member}/{commitment}/submit",
            post(reports::submit_from_form),
        )
        .route(
            "/rounds/{id}/reports/{member}/{commitment}/files",
            post(reports::attach_file).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/rounds/{id}/reports/{member}/{commitment}/files/{sha256}",
            get(reports::file_download),
        )
        .route(
            "/api/rounds",
            get(rounds::api_list).post(rounds::api_create),
        )
        .route("/api/rounds/{id}", get(rounds::api_get))
        .route("/api/rounds/{id}/reopen", post(rounds::api_reopen))
        .route("/api/rounds/{id}/matrix", get(rounds::api_matrix))
        .route("/api/rounds/{id}/reports", get(reports::api_round_reports))
        .route(
            "/api/rounds/{id}/reports/{member}/{commitment}",
            get(reports::api_get).put(reports::api_draft),
        )
        .route(
            "/api/rounds/{id}/reports/{member}/{commitment}/submit",
            post(reports::api_submit),
        )
        .route(
            "/api/rounds/{id}/reports/{member}/{commitment}/correct",
            post(reports::api_correct),
        )
        .route(
            "/api/rounds/{id}/reports/{member}/{commitment}/files",
            post(reports::attach_file).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/strategies", get(strategies::list_page))
        .route(
            "/strategies/new",
            get(strategies::new_page).post(strategies::create_from_form),
        )
        .route(
            "/strategies/{id}/edit",
            get(strategies::edit_page).post(strategies::update_from_form),
        )
        .route(
            "/api/strategies",
            get(strategies::api_list).post(strategies::api_create),
        )
        .route(
            "/api/strategies/{id}",
            axum::routing::put(strategies::api_update),
        )
        .route(
            "/strategies/{id}/documents",
            post(strategies::attach_document).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/strategies/{id}/documents/{document}",
            get(strategies::document_download),
        )
        .route(
            "/api/strategies/{id}/documents",
            post(strategies::attach_document).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/commitments/{id}", get(plan::api_get))
        .route("/lists", get(lists::overview))
        .route(
            "/lists/import/{kind}",
            post(lists::import).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/lists", get(lists::api_versions))
        .route("/api/docs", get(openapi::docs_page))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/me", get(profile::api_me))
        .route(
            "/api/members",
            get(members::api_list).post(members::api_create),
        )
        .route("/api/members/{code}", get(members::api_get))
        .route(
            "/api/members/{code}/focal-points",
            get(focal_points::api_list).post(focal_points::api_create),
        )
        .route(
            "/api/focal-points/{id}",
            get(focal_points::api_get)
                .put(focal_points::api_update)
                .delete(focal_points::api_delete),
        )
        .route(
            "/api/tokens",
            get(profile::api_tokens).post(profile::api_create_token),
        )
        .route(
            "/api/tokens/{id}",
            axum::routing::delete(profile::api_revoke_token),
        )
        .route(
            "/api/users",
            get(admin::api_users).post(admin::api_create_user),
        )
        .route("/api/users/{username}/disable", post(admin::api_disable))
        .route("/api/audit", get(admin::api_audit))
        .route("/api/audit/verify", get(admin::api_verify))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(from_fn(render_errors))
        .layer(from_fn_with_state(state.clone(), context::resolve))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state);
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

async fn not_found(uri: Uri) -> WebError {
    WebError::NotFound(uri.path().to_string())
}

/// Headers that keep pages from being framed, sniffed or leaking referrers;
/// scripts only from this origin (the API page's vendored bundle).
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
];
