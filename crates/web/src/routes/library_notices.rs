//! The library's notifications: an item submitted for review tells its
//! reviewers ("an item awaits your review"); an item returned (with the
//! note), approved or withdrawn tells its author.
//!
//! - **Who is told** is the workflow's rule, asked for each account:
//!   `workflow::may_review` picks the reviewers (a member administrator of
//!   the author's member; the secretariat for CLEAR items shared
//!   platform-wide and for its own). The one who took the step is not told
//!   of it.
//! - **Each notice is for one user** (`Recipient::User`), never for all of
//!   a member's users: a colleague who may not read a draft, or an
//!   AMBER+STRICT or RED item, gets no notice of it, and so neither a line
//!   nor a count that betrays it.
//! - **What is stored** is the item's id, its version and the reviewer's
//!   note or the withdrawal's reason; never its title.
//! - **What is shown** is decided when the notice is read, by the one
//!   visibility rule (`super::library::readable`): the item's title, a link
//!   and the note to a reader who may read it now; a neutral text to one
//!   who no longer may (a reviewer no longer an administrator, say).
//!
//! A notice is written after the step's own transaction: should writing it
//! fail, the step stands and the failure is logged, rather than a 500 that
//! would make the user take the step again.

use accord_core::Principal;
use accord_library::Transition;
use accord_library::workflow;
use accord_store::common_list::{Notification, Recipient};
use accord_store::library::ItemRecord;
use serde::Serialize;
use serde_json::json;

use super::library::{readable, shown};
use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;

/// The notice kind a step makes.
fn kind_of(step: Transition) -> &'static str {
    match step {
        Transition::Submit => "library_submitted",
        Transition::Approve => "library_published",
        Transition::Return => "library_returned",
        Transition::Withdraw => "library_withdrawn",
    }
}

/// Who is told of `step`, just taken by `by` on the item now `saved`.
async fn recipients(
    state: &AppState,
    by: &Principal,
    saved: &ItemRecord,
    step: Transition,
) -> Result<Vec<Recipient>, WebError> {
    let by = by.user_id();
    if step != Transition::Submit {
        return Ok(saved
            .author_id
            .filter(|author| Some(*author) != by)
            .map(Recipient::User)
            .into_iter()
            .collect());
    }
    // A reviewer judges the version in review, with its own marking.
    let standing = saved.standing();
    let standing = standing.under_review();
    Ok(state
        .store
        .users(None)
        .await?
        .into_iter()
        .filter(|u| !u.disabled && Some(u.id) != by)
        .filter(|u| workflow::may_review(&Principal::of_user(u), &standing))
        .map(|u| Recipient::User(u.id))
        .collect())
}

/// Tells those concerned of the step just taken (see the module's
/// documentation); a failure is logged, the step stands.
pub(crate) async fn after_step(
    state: &AppState,
    ctx: &Ctx,
    saved: &ItemRecord,
    step: Transition,
    note: &str,
) {
    let told = async {
        let to = recipients(state, &ctx.principal, saved, step).await?;
        let mut params = json!({ "version": saved.latest_version });
        let note = note.trim();
        if matches!(step, Transition::Return | Transition::Withdraw) && !note.is_empty() {
            params["note"] = json!(note);
        }
        state
            .store
            .notify_library(
                &to,
                kind_of(step),
                &params,
                saved.id,
                accord_store::now_ms(),
            )
            .await?;
        Ok::<(), WebError>(())
    };
    if let Err(e) = told.await {
        tracing::warn!(error = %e, item = saved.id, "could not write the library's notices of a step");
    }
}

/// A library notice's item as the reader may see it now.
#[derive(Debug, Clone, Serialize)]
pub struct ShownItem {
    pub id: i64,
    pub url: String,
    /// In the reader's language when the item has it.
    pub title: String,
}

/// The item a notice names, if the reader may read it now (`None`: the
/// notice is shown without it).
pub(crate) async fn shown_item(
    state: &AppState,
    ctx: &Ctx,
    n: &Notification,
) -> Result<Option<ShownItem>, WebError> {
    let Some(id) = n.library_item else {
        return Ok(None);
    };
    match readable(state, ctx, id).await {
        Ok(r) => Ok(Some(ShownItem {
            id,
            url: format!("/library/{id}"),
            title: shown(ctx, &r)
                .item
                .version_in(ctx.lang.code())
                .title
                .clone(),
        })),
        Err(WebError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A notification as a reader receives it: a library notice's note only
/// with its item, when the reader may read the item now.
pub(crate) async fn as_read(
    state: &AppState,
    ctx: &Ctx,
    mut n: Notification,
) -> Result<(Notification, Option<ShownItem>), WebError> {
    let item = shown_item(state, ctx, &n).await?;
    if n.library_item.is_some() && item.is_none() {
        n.params = json!({});
    }
    Ok((n, item))
}
