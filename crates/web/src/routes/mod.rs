//! Every route of the server with its access rule ([`Gate`]), pages and
//! API side by side per resource.

mod admin;
mod auth;
mod common_list;
mod focal_points;
mod hashes;
mod home;
mod library;
mod library_notices;
mod library_stix;
mod list_entry;
mod lists;
mod manifest_records;
mod manifests;
mod members;
mod notifications;
mod ombudsperson;
mod petitions;
mod plan;
mod procedure;
mod profile;
mod programme_form;
mod programmes;
/// What the CLI shares with the pages: one import and one export path.
pub mod programmes_io {
    pub use super::programmes::{ImportOutcome, iati_document, import_file};
}
/// The library's folder import, for the CLI.
pub mod library_io {
    pub use super::library::library_io::*;
}
mod decisions;
mod mail_settings;
mod member_keys;
mod proposal_input;
mod proposals;
mod reports;
mod rounds;
mod screening;
mod strategies;
mod subjects;
mod taxii;
mod tcap;
mod transparency;
mod waiting;
/// What a notice says, for the mailer (no names: see `crate::mail`).
pub(crate) use notifications::generic_text as notice_text;

use std::sync::Arc;

use accord_core::Action;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Uri, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;

use crate::error::{WebError, render_errors};
use crate::gate::{self, Gate, Routes, RuleTable, edits_strategies, member_param};
use crate::state::AppState;
use crate::{assets, context, metrics, openapi};

/// The routes and their access rules, without the application state: the
/// access-matrix test and the docs read the rules from here.
pub fn routes(upload_limit: usize) -> (Router<AppState>, Arc<RuleTable>) {
    use Gate::{Public, SignedIn};
    let view_proposals = Gate::Action(|| Action::ViewProposals);
    let view_plan = Gate::Action(|| Action::ViewCommitments);
    let manage_plan = Gate::Action(|| Action::ManagePlan);
    let screen = Gate::Action(|| Action::Screen);
    let merge = Gate::Action(|| Action::MergeSubjects);
    let petitions = Gate::Action(|| Action::ReviewPetitions);
    let view_users = Gate::Action(|| Action::ViewUsers);
    let audit = Gate::Action(|| Action::ViewAuditLog);
    let add_member = Gate::Action(|| Action::AddMember);
    let propose = Gate::Action(|| Action::Propose);
    let decide = Gate::Action(|| Action::Decide);
    let reference_lists = Gate::Action(|| Action::ViewReferenceLists);
    let procedure_edit = Gate::Action(|| Action::EditProcedureRule);
    let own_account = Gate::Action(|| Action::ManageOwnTokens);
    let focal_points_of = Gate::Path(|p| {
        Some(Action::ViewFocalPoints {
            member: member_param(p)?,
        })
    });
    let edit_focal_points_of = Gate::Path(|p| {
        Some(Action::EditFocalPoints {
            member: member_param(p)?,
        })
    });
    let draft_report = Gate::Path(|p| {
        Some(Action::DraftReport {
            member: member_param(p)?,
        })
    });
    let submit_report = Gate::Path(|p| {
        Some(Action::SubmitReport {
            member: member_param(p)?,
        })
    });
    let strategies_editor = Gate::Rule(edits_strategies);
    let manage_member_key = Gate::Path(|p| {
        Some(Action::ManageMemberKey {
            member: member_param(p)?,
        })
    });
    let view_programmes = Gate::Action(|| Action::ViewProgrammes);
    let edit_programmes = Gate::Action(|| Action::EditProgrammes);
    let share_hashes = Gate::Action(|| Action::ShareHashes);
    let view_library = Gate::Action(|| Action::ViewLibrary);
    let contribute = Gate::Action(|| Action::ContributeToLibrary);
    let keep_groups = Gate::Action(|| Action::ManageSharingGroups);
    let manage_library = Gate::Action(|| Action::ManageLibrary);
    let r = Routes::new(upload_limit)
        .get("/", Public, home::page)
        .get("/healthz", Public, home::healthz)
        .get(
            "/metrics",
            Gate::Action(|| Action::ViewMetrics),
            metrics::endpoint,
        )
        .get("/static/{*path}", Public, assets::serve)
        .get("/login", Public, auth::login_page)
        .post("/login", Public, auth::login)
        .post("/logout", Public, auth::logout)
        .get("/members", Public, members::list_page)
        .get("/members/new", add_member, members::new_page)
        .post("/members/new", add_member, members::create_from_form)
        .get("/members/{code}", Public, members::member_page)
        .post(
            "/members/{code}/keys",
            manage_member_key,
            member_keys::register_from_form,
        )
        .get(
            "/members/{code}/focal-points/new",
            edit_focal_points_of,
            focal_points::new_page,
        )
        .post(
            "/members/{code}/focal-points/new",
            edit_focal_points_of,
            focal_points::create_from_form,
        )
        .get("/focal-points/{id}/edit", SignedIn, focal_points::edit_page)
        .post(
            "/focal-points/{id}/edit",
            SignedIn,
            focal_points::update_from_form,
        )
        .post(
            "/focal-points/{id}/verify",
            SignedIn,
            focal_points::verify_from_form,
        )
        .post(
            "/focal-points/{id}/delete",
            SignedIn,
            focal_points::delete_from_form,
        )
        .get("/profile", own_account, profile::page)
        .post(
            "/profile/tokens",
            own_account,
            profile::create_token_from_form,
        )
        .post(
            "/profile/tokens/{id}/revoke",
            own_account,
            profile::revoke_token_from_form,
        )
        .get("/profile/mail", own_account, mail_settings::page_handler)
        .post("/profile/mail", own_account, mail_settings::save_from_form)
        .get("/profile/password", own_account, profile::password_page)
        .post("/profile/password", own_account, profile::change_password)
        .get("/admin/users", view_users, admin::users_page)
        .post("/admin/users", view_users, admin::create_user_from_form)
        .post(
            "/admin/users/{username}/disable",
            view_users,
            admin::disable_from_form,
        )
        .post(
            "/admin/users/{username}/enable",
            view_users,
            admin::enable_from_form,
        )
        .get("/admin/audit", audit, admin::audit_page)
        .get("/admin/audit.csv", audit, admin::audit_csv)
        .get("/screen", screen, screening::page)
        .post("/screen", screen, screening::screen_from_form)
        .upload("/screen/batch", screen, screening::start_batch)
        .get("/screen/jobs/{id}", screen, screening::job_page)
        .get(
            "/screen/jobs/{id}/result.csv",
            screen,
            screening::job_result,
        )
        .get("/screen/manifest", screen, manifests::page)
        .upload("/screen/manifest", screen, manifests::screen_upload)
        .upload("/api/manifests", screen, manifests::api_screen)
        .get("/api/manifests", screen, manifest_records::api_list)
        .get("/api/manifests/{id}", screen, manifest_records::api_get)
        .get("/screen/manifests", screen, manifest_records::list_page)
        .get(
            "/screen/manifests/{id}",
            screen,
            manifest_records::record_page,
        )
        .post("/api/screen", screen, screening::api_screen)
        .post("/match/{dataset}", screen, screening::yente_match)
        .get("/algorithms", screen, screening::yente_algorithms)
        .get("/catalog", screen, screening::yente_catalog)
        .get("/search/{dataset}", screen, screening::yente_search)
        .get("/list", Public, common_list::list_page)
        .get("/list/changes", Public, common_list::changes_page)
        .get("/list/{id}", Public, list_entry::entry_page)
        .get("/api/list/entries/{id}", Public, list_entry::api_entry)
        .get("/api/list", Public, common_list::api_current)
        .get("/api/list/versions", Public, common_list::api_versions)
        .get("/api/list/compare", Public, common_list::api_compare)
        .get("/api/list/export/{format}", Public, common_list::api_export)
        .get(
            "/api/list/versions/{n}/proof-bundle",
            Public,
            transparency::api_bundle,
        )
        .get("/api/transparency/key", Public, transparency::api_key)
        .get("/api/transparency/head", Public, transparency::api_head)
        .get("/api/transparency/proof", Public, transparency::api_proof)
        .get(
            "/api/transparency/consistency",
            Public,
            transparency::api_consistency,
        )
        .get(
            "/api/transparency/audit-checkpoint",
            Public,
            transparency::api_audit_checkpoint,
        )
        .get("/petition", Public, petitions::form)
        .post("/petition", Public, petitions::submit)
        .get("/petition/status", Public, petitions::lookup)
        .get("/petition/status/{tracking}", Public, petitions::status)
        .post(
            "/petition/status/{tracking}/reply",
            Public,
            petitions::reply,
        )
        .get("/api/proposals", view_proposals, proposals::api_list)
        .post("/api/proposals", propose, proposals::api_create)
        .get("/api/proposals/{id}", view_proposals, proposals::api_get)
        .post(
            "/api/proposals/{id}/decisions",
            decide,
            decisions::api_decide,
        )
        .get(
            "/api/proposals/{id}/decision-to-sign",
            decide,
            decisions::to_sign,
        )
        .get("/api/subjects/{id}", view_proposals, subjects::api_get)
        .post("/api/subjects/{id}/merge", merge, subjects::api_merge)
        .post("/api/merges/{id}/undo", merge, subjects::api_unmerge)
        .get("/subjects/merge", merge, subjects::merge_page_handler)
        .post("/subjects/merge", merge, subjects::merge_from_form)
        .post("/merges/{id}/undo", merge, subjects::unmerge_from_form)
        .post("/api/petitions", Public, petitions::api_create)
        .get("/api/petitions/{tracking}", Public, petitions::api_status)
        .post(
            "/api/petitions/{tracking}/reply",
            Public,
            petitions::api_reply,
        )
        .get(
            "/notifications",
            view_proposals,
            notifications::page_handler,
        )
        .post(
            "/notifications/read",
            view_proposals,
            notifications::mark_all_read,
        )
        .get(
            "/api/notifications",
            view_proposals,
            notifications::api_list,
        )
        .get("/ombudsperson", petitions, ombudsperson::queue)
        .get(
            "/ombudsperson/petitions/{id}",
            petitions,
            ombudsperson::petition_page,
        )
        .post(
            "/ombudsperson/petitions/{id}/notes",
            petitions,
            ombudsperson::add_notes,
        )
        .post(
            "/ombudsperson/petitions/{id}/request",
            petitions,
            ombudsperson::request_information,
        )
        .post(
            "/ombudsperson/petitions/{id}/recommend",
            petitions,
            ombudsperson::recommend,
        )
        .get("/procedure", view_proposals, procedure::page_handler)
        .post("/procedure", procedure_edit, procedure::update_from_form)
        .get("/api/procedure", view_proposals, procedure::api_get)
        .put("/api/procedure", procedure_edit, procedure::api_update)
        .get(
            "/api/procedure/versions",
            view_proposals,
            procedure::api_versions,
        )
        .get("/proposals", view_proposals, proposals::list_page)
        .get("/proposals/new", propose, proposals::new_page)
        .post("/proposals/new", propose, proposals::create_from_form)
        .get("/proposals/{id}", view_proposals, proposals::proposal_page)
        .post("/proposals/{id}/decide", decide, decisions::decide)
        .get(
            "/proposals/{id}/decision-to-sign",
            decide,
            decisions::to_sign,
        )
        .get(
            "/proposals/{id}/statement",
            view_proposals,
            proposals::statement_page,
        )
        .upload("/proposals/{id}/evidence", propose, proposals::add_evidence)
        .get(
            "/proposals/{id}/evidence/{evidence_id}",
            view_proposals,
            proposals::evidence_download,
        )
        .get("/commitments", view_plan, plan::list_page)
        .get("/commitments/new", manage_plan, plan::new_page)
        .post(
            "/commitments/new",
            manage_plan,
            plan::add_commitment_from_form,
        )
        .post(
            "/commitments/frameworks",
            manage_plan,
            plan::add_framework_from_form,
        )
        .post(
            "/commitments/pillars",
            manage_plan,
            plan::add_pillar_from_form,
        )
        .get("/commitments/{id}", view_plan, plan::commitment_page)
        .get("/api/commitments", view_plan, plan::api_list)
        .post("/api/commitments", manage_plan, plan::api_add_commitment)
        .get("/api/commitments/{id}", view_plan, plan::api_get)
        .post("/api/frameworks", manage_plan, plan::api_add_framework)
        .post(
            "/api/frameworks/{id}/pillars",
            manage_plan,
            plan::api_add_pillar,
        )
        .get("/rounds", view_plan, rounds::list_page)
        .get("/rounds/new", manage_plan, rounds::new_page)
        .post("/rounds/new", manage_plan, rounds::create_from_form)
        .get("/rounds/{id}", view_plan, rounds::round_page)
        .post("/rounds/{id}/reopen", manage_plan, rounds::reopen_from_form)
        .get("/rounds/{id}/cancel", manage_plan, rounds::cancel_page)
        .post("/rounds/{id}/cancel", manage_plan, rounds::cancel_from_form)
        .get("/rounds/{id}/summary", view_plan, rounds::summary_page)
        .get("/rounds/{id}/matrix.csv", view_plan, rounds::matrix_csv)
        .get("/rounds/{id}/reports.csv", view_plan, rounds::reports_csv)
        .get("/rounds/{id}/status.svg", view_plan, rounds::status_chart)
        .get("/plan/progress.svg", view_plan, rounds::progress_chart)
        .get(
            "/rounds/{id}/reports/{member}/{commitment}",
            view_plan,
            reports::report_page,
        )
        .post(
            "/rounds/{id}/reports/{member}/{commitment}/draft",
            draft_report,
            reports::draft_from_form,
        )
        .post(
            "/rounds/{id}/reports/{member}/{commitment}/correct",
            draft_report,
            reports::correct_from_form,
        )
        .post(
            "/rounds/{id}/reports/{member}/{commitment}/submit",
            submit_report,
            reports::submit_from_form,
        )
        .upload(
            "/rounds/{id}/reports/{member}/{commitment}/files",
            draft_report,
            reports::attach_file,
        )
        .get(
            "/rounds/{id}/reports/{member}/{commitment}/files/{sha256}",
            view_plan,
            reports::file_download,
        )
        .get("/api/rounds", view_plan, rounds::api_list)
        .post("/api/rounds", manage_plan, rounds::api_create)
        .get("/api/rounds/{id}", view_plan, rounds::api_get)
        .post("/api/rounds/{id}/reopen", manage_plan, rounds::api_reopen)
        .post("/api/rounds/{id}/cancel", manage_plan, rounds::api_cancel)
        .get("/api/rounds/{id}/matrix", view_plan, rounds::api_matrix)
        .get(
            "/api/rounds/{id}/reports",
            view_plan,
            reports::api_round_reports,
        )
        .get(
            "/api/rounds/{id}/reports/{member}/{commitment}",
            view_plan,
            reports::api_get,
        )
        .put(
            "/api/rounds/{id}/reports/{member}/{commitment}",
            draft_report,
            reports::api_draft,
        )
        .post(
            "/api/rounds/{id}/reports/{member}/{commitment}/submit",
            submit_report,
            reports::api_submit,
        )
        .post(
            "/api/rounds/{id}/reports/{member}/{commitment}/correct",
            draft_report,
            reports::api_correct,
        )
        .upload(
            "/api/rounds/{id}/reports/{member}/{commitment}/files",
            draft_report,
            reports::attach_file,
        )
        .get("/strategies", view_plan, strategies::list_page)
        .get("/strategies/new", strategies_editor, strategies::new_page)
        .post(
            "/strategies/new",
            strategies_editor,
            strategies::create_from_form,
        )
        .get(
            "/strategies/{id}/edit",
            strategies_editor,
            strategies::edit_page,
        )
        .post(
            "/strategies/{id}/edit",
            strategies_editor,
            strategies::update_from_form,
        )
        .get("/api/strategies", view_plan, strategies::api_list)
        .post("/api/strategies", strategies_editor, strategies::api_create)
        .put(
            "/api/strategies/{id}",
            strategies_editor,
            strategies::api_update,
        )
        .upload(
            "/strategies/{id}/documents",
            strategies_editor,
            strategies::attach_document,
        )
        .get(
            "/strategies/{id}/documents/{document}",
            view_plan,
            strategies::document_download,
        )
        .upload(
            "/api/strategies/{id}/documents",
            strategies_editor,
            strategies::attach_document,
        )
        .get("/programmes", view_programmes, programmes::list_page)
        .get(
            "/programmes.csv",
            view_programmes,
            programmes::programmes_csv,
        )
        .get(
            "/programmes/periods.csv",
            view_programmes,
            programmes::periods_csv,
        )
        .get("/programmes/new", edit_programmes, programmes::new_page)
        .post(
            "/programmes/new",
            edit_programmes,
            programmes::create_from_form,
        )
        .get(
            "/programmes/import",
            edit_programmes,
            programmes::import_page,
        )
        .upload(
            "/programmes/import",
            edit_programmes,
            programmes::import_upload,
        )
        .get(
            "/programmes/{id}",
            view_programmes,
            programmes::programme_page,
        )
        .get(
            "/programmes/{id}/edit",
            edit_programmes,
            programmes::edit_page,
        )
        .post(
            "/programmes/{id}/edit",
            edit_programmes,
            programmes::update_from_form,
        )
        .post(
            "/programmes/{id}/periods/submit",
            edit_programmes,
            programmes::submit_period_from_form,
        )
        .post(
            "/programmes/{id}/periods/correct",
            edit_programmes,
            programmes::correct_period_from_form,
        )
        .get(
            "/members/{code}/programmes",
            view_programmes,
            programmes::member_page,
        )
        .get("/api/programmes", view_programmes, programmes::api_list)
        .post("/api/programmes", edit_programmes, programmes::api_create)
        .get(
            "/api/programmes.csv",
            view_programmes,
            programmes::programmes_csv,
        )
        .get(
            "/api/programmes/periods.csv",
            view_programmes,
            programmes::periods_csv,
        )
        .get(
            "/api/programmes/iati.xml",
            view_programmes,
            programmes::iati_all,
        )
        .upload(
            "/api/programmes/import",
            edit_programmes,
            programmes::import_upload,
        )
        .get("/api/programmes/{id}", view_programmes, programmes::api_get)
        .put(
            "/api/programmes/{id}",
            edit_programmes,
            programmes::api_update,
        )
        .get(
            "/api/programmes/{id}/iati.xml",
            view_programmes,
            programmes::iati_one,
        )
        .post(
            "/api/programmes/{id}/periods/submit",
            edit_programmes,
            programmes::api_submit_period,
        )
        .post(
            "/api/programmes/{id}/periods/correct",
            edit_programmes,
            programmes::api_correct_period,
        )
        .get(
            "/api/members/{code}/programmes/iati.xml",
            view_programmes,
            programmes::iati_member,
        )
        .get("/api/banks", SignedIn, hashes::api_banks)
        .post("/api/banks", share_hashes, hashes::api_create_bank)
        .get("/api/banks/{id}", SignedIn, hashes::api_bank)
        .post(
            "/api/banks/{id}/hashes",
            share_hashes,
            hashes::api_add_hashes,
        )
        .delete(
            "/api/banks/{id}/hashes/{hash}",
            share_hashes,
            hashes::api_remove_hash,
        )
        .post(
            "/api/banks/{id}/hashes/{hash}/release",
            share_hashes,
            hashes::api_release_hash,
        )
        .post(
            "/banks/{id}/hashes/{hash}/release",
            share_hashes,
            hashes::release_from_form,
        )
        .post("/api/hashes/lookup", SignedIn, hashes::api_lookup)
        .upload("/api/hashes/hash", SignedIn, hashes::api_hash_upload)
        // The knowledge library: reads are public, each item then decided
        // by the one visibility rule; writes by the library's workflow.
        .get("/library", view_library, library::search_page)
        .get("/library/export.csv", view_library, library::export_csv)
        .get("/library/new", contribute, library::new_page)
        .post("/library/new", contribute, library::create_from_form)
        .get("/library/review", SignedIn, library::review_page)
        .get("/library/groups", SignedIn, library::groups_page)
        .post(
            "/library/groups",
            keep_groups,
            library::create_group_from_form,
        )
        .get("/library/groups/{id}", SignedIn, library::group_page)
        .post(
            "/library/groups/{id}",
            keep_groups,
            library::update_group_from_form,
        )
        .post(
            "/library/groups/{id}/delete",
            keep_groups,
            library::delete_group_from_form,
        )
        .get("/library/campaigns", view_library, library::campaigns_page)
        .post(
            "/library/campaigns",
            keep_groups,
            library::create_campaign_from_form,
        )
        .get(
            "/library/campaigns/{id}",
            view_library,
            library::campaign_page,
        )
        .post(
            "/library/campaigns/{id}",
            keep_groups,
            library::update_campaign_from_form,
        )
        .post(
            "/library/campaigns/{id}/delete",
            keep_groups,
            library::delete_campaign_from_form,
        )
        .get("/library/themes", view_library, library::themes_page)
        .post(
            "/library/themes",
            manage_library,
            library::save_theme_from_form,
        )
        .get("/library/{id}", view_library, library::item_page)
        .get("/library/{id}/edit", contribute, library::edit_page)
        .post("/library/{id}/edit", contribute, library::update_from_form)
        .get(
            "/library/{id}/versions/{n}",
            view_library,
            library::version_page,
        )
        .post("/library/{id}/reach", contribute, library::reach_from_form)
        .upload(
            "/library/{id}/attachments",
            contribute,
            library::attach_upload,
        )
        .get(
            "/library/{id}/attachments/{att}",
            view_library,
            library::download,
        )
        .post("/library/{id}/{step}", SignedIn, library::step_from_form)
        .get("/api/library/items", view_library, library::api_search)
        .get("/api/library/search", view_library, library::api_search)
        .post("/api/library/items", contribute, library::api_create)
        .get("/api/library/items/{id}", view_library, library::api_item)
        .get(
            "/api/library/items/{id}/stix",
            view_library,
            library_stix::item_stix,
        )
        .get(
            "/api/library/export.stix",
            view_library,
            library_stix::export_stix,
        )
        .put("/api/library/items/{id}", contribute, library::api_update)
        .post(
            "/api/library/items/{id}/reach",
            contribute,
            library::api_reach,
        )
        .upload(
            "/api/library/items/{id}/attachments",
            contribute,
            library::attach_upload,
        )
        .get(
            "/api/library/items/{id}/attachments/{att}",
            view_library,
            library::download,
        )
        .post(
            "/api/library/items/{id}/{step}",
            SignedIn,
            library::api_step,
        )
        .get("/api/library/review", SignedIn, library::api_review)
        .get("/api/library/groups", SignedIn, library::api_groups)
        .post(
            "/api/library/groups",
            keep_groups,
            library::api_create_group,
        )
        .put(
            "/api/library/groups/{id}",
            keep_groups,
            library::api_update_group,
        )
        .delete(
            "/api/library/groups/{id}",
            keep_groups,
            library::api_delete_group,
        )
        .get(
            "/api/library/campaigns",
            view_library,
            library::api_campaigns,
        )
        .post(
            "/api/library/campaigns",
            keep_groups,
            library::api_create_campaign,
        )
        .put(
            "/api/library/campaigns/{id}",
            keep_groups,
            library::api_update_campaign,
        )
        .delete(
            "/api/library/campaigns/{id}",
            keep_groups,
            library::api_delete_campaign,
        )
        .get("/api/library/themes", view_library, library::api_themes)
        .get("/banks", SignedIn, hashes::banks_page)
        .get("/banks/{id}", SignedIn, hashes::bank_page)
        .post(
            "/banks/{id}/hashes/{hash}/remove",
            share_hashes,
            hashes::remove_from_form,
        )
        .get("/hashes/check", SignedIn, hashes::check_page)
        .get("/hashes/review", SignedIn, hashes::review_page)
        .get("/hashes/{id}", SignedIn, hashes::hash_page)
        .upload("/hashes/check", SignedIn, hashes::check_upload)
        .get("/api/hashes/changes", SignedIn, hashes::api_changes)
        .get("/api/hashes/{id}", SignedIn, hashes::api_hash)
        .post("/api/hashes/{id}/feedback", SignedIn, hashes::api_feedback)
        .get("/m/lookup", SignedIn, hashes::hma_lookup)
        .post("/token-auth/tcap/", Public, tcap::token_auth)
        .get("/api/hash-list/v2/all", SignedIn, tcap::hash_list)
        .get("/lists", reference_lists, lists::overview)
        .upload(
            "/lists/import/{kind}",
            Gate::Action(|| Action::ImportReferenceLists),
            lists::import,
        )
        .get("/api/lists", reference_lists, lists::api_versions)
        .get("/api/docs", Public, openapi::docs_page)
        .get("/api/openapi.json", Public, openapi::document)
        .get("/api/me", own_account, profile::api_me)
        .get("/api/me/mail", own_account, mail_settings::api_get)
        .put("/api/me/mail", own_account, mail_settings::api_put)
        .get("/api/waiting", SignedIn, waiting::api)
        .post(
            crate::context::PASSWORD_API,
            own_account,
            profile::api_change_password,
        )
        .get("/api/members", Public, members::api_list)
        .post("/api/members", add_member, members::api_create)
        .get("/api/members/{code}", Public, members::api_get)
        .get("/api/members/{code}/keys", Public, member_keys::api_list)
        .post(
            "/api/members/{code}/keys",
            manage_member_key,
            member_keys::api_register,
        )
        .get(
            "/api/members/{code}/focal-points",
            focal_points_of,
            focal_points::api_list,
        )
        .post(
            "/api/members/{code}/focal-points",
            edit_focal_points_of,
            focal_points::api_create,
        )
        .get("/api/focal-points/{id}", SignedIn, focal_points::api_get)
        .put("/api/focal-points/{id}", SignedIn, focal_points::api_update)
        .delete("/api/focal-points/{id}", SignedIn, focal_points::api_delete)
        .get("/api/tokens", own_account, profile::api_tokens)
        .post("/api/tokens", own_account, profile::api_create_token)
        .delete("/api/tokens/{id}", own_account, profile::api_revoke_token)
        .get("/api/users", view_users, admin::api_users)
        .post("/api/users", view_users, admin::api_create_user)
        .post(
            "/api/users/{username}/disable",
            view_users,
            admin::api_disable,
        )
        // TAXII 2.1 (docs/taxii.md): which collections and objects each
        // principal receives is decided in the handlers, by the one policy.
        .get("/taxii2/", Public, taxii::discovery)
        .get(taxii::API_ROOT, Public, taxii::api_root)
        .get("/taxii2/accord/collections/", Public, taxii::collections)
        .get(
            "/taxii2/accord/collections/{id}/",
            Public,
            taxii::collection_resource,
        )
        .get(
            "/taxii2/accord/collections/{id}/objects/",
            Public,
            taxii::objects,
        )
        // The JSON body limit, not the uploads': a post is parsed whole.
        .post(
            "/taxii2/accord/collections/{id}/objects/",
            SignedIn,
            taxii::add_objects,
        )
        .get(
            "/taxii2/accord/collections/{id}/objects/{object_id}/",
            Public,
            taxii::object,
        )
        .get(
            "/taxii2/accord/collections/{id}/objects/{object_id}/versions/",
            Public,
            taxii::versions,
        )
        .get(
            "/taxii2/accord/collections/{id}/manifest/",
            Public,
            taxii::manifest,
        )
        .get(
            "/taxii2/accord/status/{status_id}/",
            SignedIn,
            taxii::status,
        )
        .get("/api/audit", audit, admin::api_audit)
        .get("/api/audit/verify", audit, admin::api_verify);
    r.finish()
}

/// A TAXII error resource (for `error::render_errors`).
pub(crate) fn taxii_error(error: &WebError) -> Response {
    taxii::error_response(error)
}

pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    let (routes, rules) = routes(state.config.max_upload_bytes);
    routes
        .fallback(not_found)
        .layer(from_fn_with_state(
            state.clone(),
            crate::idempotency::replay,
        ))
        .layer(from_fn_with_state((state.clone(), rules), gate::check))
        .layer(DefaultBodyLimit::max(limit))
        .layer(from_fn_with_state(state.clone(), crate::rate_limit::limit))
        .layer(from_fn(render_errors))
        .layer(from_fn_with_state(state.clone(), context::resolve))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(from_fn_with_state(state.clone(), security_headers))
        .with_state(state)
}

async fn not_found(uri: Uri) -> WebError {
    WebError::NotFound(uri.path().to_string())
}

/// The security headers of every response, set here and nowhere else: the
/// fixed [`SECURITY_HEADERS`] (a handler may set its own), `no-store` on
/// whatever may be one user's, and HSTS where the platform runs on HTTPS.
async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Decided from the credentials the request carries, before the context
    // resolves them, so that answers made on the way (a refused token, a
    // CSRF refusal, the redirect to a password change) are covered too; a
    // stale cookie costs only a cache miss.
    let credentials = request.headers().contains_key(header::AUTHORIZATION)
        || context::cookie(request.headers(), context::SESSION_COOKIE).is_some();
    // The vendored assets are the same for everyone.
    let public_asset = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    // Pages, API answers, exports and downloads for a signed-in user must not
    // be kept by a proxy or left in the browser's cache for the next user of
    // the machine; nor may an answer that sets a cookie (the one that signs
    // in, a page with a new client's CSRF token) be handed to another
    // client. This overrides any caching a handler chose.
    if !public_asset && (credentials || h.contains_key(header::SET_COOKIE)) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Secure cookies mean the platform is served over HTTPS: browsers are
    // then told never to try plain HTTP, where a first request could be
    // intercepted before the redirect.
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
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
