//! A state's decision on a proposal, signed with its member's own key
//! (docs/proof.md). Deciding takes two steps: the platform prepares the
//! decision (the procedure's action, the reason, the member, the time) as
//! the canonical bytes the member signs; the member signs them — in the
//! browser with its key file, which never leaves the machine, or with
//! minisign — and sends the signature, which the store checks inside the
//! transaction that records the decision. The page and the API share the
//! one input type and the one use case.

use accord_core::{Action, Invalid};
use accord_proof::records::{Decision, DecisionError, signing_bytes};
use accord_store::StoreError;
use accord_store::common_list::{
    DecisionSignature, ProposalRecord, SIGNING_WINDOW_SECONDS, SignatureRefusal, decision_to_sign,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::{Deserialize, Deserializer};

use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::render::{csrf_field, form_errors, page};
use crate::state::AppState;

/// A decision as a form or a JSON body sends it. `at` and `signature` are
/// empty on the first step of the page (the platform then prepares the
/// decision to sign).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DecisionInput {
    pub action: String,
    pub reason: String,
    /// The time in the signed decision, Unix seconds.
    #[serde(deserialize_with = "number_or_text")]
    pub at: Option<i64>,
    /// The minisign signature of the decision's canonical bytes.
    pub signature: String,
    /// `yes` once a withdrawal was confirmed on its page.
    pub confirm: String,
}

/// A number from JSON, or the text of a form field (empty for none).
fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(i64),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Number(n)) => Ok(Some(n)),
        Some(Raw::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Raw::Text(t)) => t
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("must be a number of seconds")),
    }
}

impl DecisionInput {
    pub fn action(&self) -> Result<accord_procedure::Action, Invalid> {
        let reason = Some(self.reason.trim().to_string()).filter(|r| !r.is_empty());
        Ok(match self.action.as_str() {
            "concur" => accord_procedure::Action::Concur,
            "object" => accord_procedure::Action::Object { reason },
            "hold" => accord_procedure::Action::PlaceHold { reason },
            "extend_hold" => accord_procedure::Action::ExtendHold,
            "lift_hold" => accord_procedure::Action::LiftHold,
            "withdraw" => accord_procedure::Action::Withdraw { reason },
            _ => {
                return Err(Invalid::field(
                    "action",
                    "must be concur, object, hold, extend_hold, lift_hold or withdraw",
                ));
            }
        })
    }

    fn signature(&self) -> Option<DecisionSignature> {
        let signature = self.signature.trim();
        (!signature.is_empty()).then(|| DecisionSignature {
            at: self.at.unwrap_or_default(),
            signature: signature.to_string(),
        })
    }
}

/// What the asking member would sign for `input` (prepared now unless the
/// input names its time); `None` for actions no state signs.
fn prepared(ctx: &Ctx, id: i64, input: &DecisionInput) -> Result<Option<Decision>, WebError> {
    let action = input.action()?;
    let Some(member) = ctx.principal.member() else {
        return Ok(None);
    };
    let at = input
        .at
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
    Ok(decision_to_sign(id, member, &action, at))
}

/// The bytes a member signs.
pub fn bytes_to_sign(d: &Decision) -> Result<Vec<u8>, WebError> {
    signing_bytes(d).map_err(|e| WebError::Internal(e.to_string()))
}

fn file_name(d: &Decision) -> String {
    format!(
        "accord-decision-{}-{}-{}.json",
        d.proposal, d.member, d.decision
    )
}

/// Records the decision, then seals the log so the signed decision is in
/// it at once (sealing again later does no harm if this one fails).
async fn record(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    action: accord_procedure::Action,
    input: &DecisionInput,
) -> Result<ProposalRecord, StoreError> {
    let record = state
        .store
        .record_decision(
            &ctx.actor(),
            id,
            &ctx.principal,
            action,
            input.signature().as_ref(),
            time::OffsetDateTime::now_utc(),
        )
        .await?;
    crate::transparency::seal_after_write(state, "a decision").await;
    Ok(record)
}

/// A refused signature, in the reader's language.
pub fn refusal_text(l: Lang, r: &SignatureRefusal) -> String {
    match r {
        SignatureRefusal::NoKey { member } => l.tf("decisions.no_key", &[("member", member)]),
        SignatureRefusal::NotCurrent { .. } => l.tf(
            "decisions.not_current",
            &[("minutes", &(SIGNING_WINDOW_SECONDS / 60).to_string())],
        ),
        SignatureRefusal::Replayed => l.t("decisions.replayed").into(),
        SignatureRefusal::KeyReplaced { key_id } => {
            l.tf("decisions.key_replaced", &[("key", key_id)])
        }
        SignatureRefusal::Signature(DecisionError::MissingSignature) => {
            l.t("decisions.missing").into()
        }
        SignatureRefusal::Signature(DecisionError::Unreadable(e)) => {
            l.tf("decisions.unreadable", &[("detail", &e.to_string())])
        }
        SignatureRefusal::Signature(DecisionError::UnknownKey { key_id }) => {
            l.tf("decisions.unknown_key", &[("key", &key_id.to_string())])
        }
        SignatureRefusal::Signature(DecisionError::WrongMember {
            key_id, key_member, ..
        }) => l.tf(
            "decisions.wrong_member",
            &[("key", &key_id.to_string()), ("member", key_member)],
        ),
        SignatureRefusal::Signature(DecisionError::KeyNotValid { key_id, .. }) => {
            l.tf("decisions.key_not_valid", &[("key", &key_id.to_string())])
        }
        SignatureRefusal::Signature(DecisionError::BadSignature(_)) => {
            l.t("decisions.bad_signature").into()
        }
        SignatureRefusal::Signature(DecisionError::Canon(e)) => {
            l.tf("decisions.unreadable", &[("detail", &e.to_string())])
        }
    }
}

/// The page's decision form: the first step prepares the decision to sign
/// (or, for a withdrawal, asks to confirm it), the second records it. A
/// refusal of the procedure (a missing reason, a second vote, a closed
/// proposal) is said on the proposal's form with the reason kept.
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    crate::forms::PostedForm(input): crate::forms::PostedForm<DecisionInput>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Decide).await?;
    let p = state.store.proposal(id).await?;
    let refused = |invalid: Invalid, status: StatusCode| {
        let (state, ctx, reason) = (state.clone(), ctx.clone(), input.reason.clone());
        async move {
            let refusal = super::proposals::RefusedDecision {
                reason: &reason,
                errors: &invalid,
            };
            let mut r = super::proposals::render_proposal(&state, &ctx, id, None, Some(refusal))
                .await?
                .into_response();
            *r.status_mut() = status;
            Ok::<Response, WebError>(r)
        }
    };
    let on_form = |e: StoreError| match e {
        StoreError::Invalid(i) => Ok((i, StatusCode::UNPROCESSABLE_ENTITY)),
        StoreError::Conflict(m) => Ok((Invalid::field("reason", m), StatusCode::CONFLICT)),
        other => Err(WebError::from(other)),
    };
    let action = match input.action() {
        Ok(a) => a,
        Err(i) => return refused(i, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let decision = prepared(&ctx, id, &input)?;
    let first_step = input.signature.trim().is_empty() && input.at.is_none();
    let withdrawal = matches!(action, accord_procedure::Action::Withdraw { .. });
    if first_step && (decision.is_some() || (withdrawal && input.confirm != "yes")) {
        // Nothing is recorded yet: the procedure says now whether it would
        // take this, before the member signs it or confirms the withdrawal.
        let tried = state
            .store
            .try_decision(id, &ctx.principal, &action, time::OffsetDateTime::now_utc())
            .await;
        if let Err(e) = tried {
            let (invalid, status) = on_form(e)?;
            return refused(invalid, status).await;
        }
        if withdrawal {
            return Ok(confirm_withdrawal_page(&ctx, &p, &input).into_response());
        }
        let mut input = input.clone();
        input.at = decision.as_ref().map(|d| d.at);
        return Ok(sign_page(&ctx, &p, &input, decision.as_ref(), None).into_response());
    }
    match record(&state, &ctx, id, action, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/proposals/{id}?recorded={}",
            crate::render::url_encode(&input.action)
        ))
        .into_response()),
        Err(StoreError::Signature(r)) => {
            let invalid = Invalid::field("signature", refusal_text(ctx.lang, &r));
            let mut response =
                sign_page(&ctx, &p, &input, decision.as_ref(), Some(&invalid)).into_response();
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => {
            let (invalid, status) = on_form(e)?;
            refused(invalid, status).await
        }
    }
}

/// "Withdraw proposal N?": what the states will be told, and the button
/// that withdraws (the reason carried over, so it is what they read).
fn confirm_withdrawal_page(ctx: &Ctx, p: &ProposalRecord, input: &DecisionInput) -> Html<String> {
    let l = ctx.lang;
    let title = l.tf(
        "proposals.confirm_withdraw_title",
        &[("id", &p.id.to_string()), ("subject", &p.subject)],
    );
    page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p { (l.t("proposals.confirm_withdraw_text")) }
            div.notice { p.prose { (input.reason.trim()) } }
            form.stacked method="post" action={ "/proposals/" (p.id) "/decide" } {
                (csrf_field(ctx))
                input type="hidden" name="action" value="withdraw";
                input type="hidden" name="reason" value=(input.reason);
                input type="hidden" name="confirm" value="yes";
                div.actions {
                    button type="submit" { (l.t("proposals.confirm_withdraw")) }
                    a.button.secondary href={ "/proposals/" (p.id) } { (l.t("proposals.keep_proposal")) }
                }
            }
        },
    )
}

/// `POST /api/proposals/{id}/decisions`: `{"action", "reason", "at",
/// "signature"}`; a state's decision without a valid signature is refused
/// with 422 on `signature`.
pub async fn api_decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    crate::forms::ApiJson(input): crate::forms::ApiJson<DecisionInput>,
) -> Result<axum::Json<super::proposals::ProposalJson>, WebError> {
    ctx.require(&state, &Action::Decide).await?;
    let action = input.action()?;
    let p = match record(&state, &ctx, id, action, &input).await {
        Ok(p) => p,
        Err(StoreError::Signature(r)) => {
            return Err(Invalid::field("signature", r.to_string()).into());
        }
        Err(e) => return Err(e.into()),
    };
    Ok(axum::Json(super::proposals::to_json(&ctx, p)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ToSignQuery {
    action: String,
    reason: String,
    #[serde(deserialize_with = "number_or_text")]
    at: Option<i64>,
}

/// `GET /proposals/{id}/decision-to-sign` and
/// `GET /api/proposals/{id}/decision-to-sign`: the exact bytes the asking
/// member signs for `action` (with `reason`) at `at`, or now, as a file to
/// sign with `minisign -S`.
pub async fn to_sign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ToSignQuery>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Decide).await?;
    state.store.proposal(id).await?;
    let input = DecisionInput {
        action: q.action,
        reason: q.reason,
        at: q.at,
        ..Default::default()
    };
    let Some(decision) = prepared(&ctx, id, &input)? else {
        return Err(Invalid::field("action", "this action is not signed by a state").into());
    };
    let mut r = bytes_to_sign(&decision)?.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        crate::files::content_disposition(&file_name(&decision)),
    );
    Ok(r)
}

fn sign_page(
    ctx: &Ctx,
    p: &ProposalRecord,
    input: &DecisionInput,
    decision: Option<&Decision>,
    errors: Option<&Invalid>,
) -> Html<String> {
    let l = ctx.lang;
    let action = super::proposals::action_text(l, &input.action);
    let title = l.tf(
        "decisions.title",
        &[("id", &p.id.to_string()), ("action", action)],
    );
    page(
        ctx,
        &title,
        sign_body(ctx, p, input, decision, errors, &title),
    )
}

fn sign_body(
    ctx: &Ctx,
    p: &ProposalRecord,
    input: &DecisionInput,
    decision: Option<&Decision>,
    errors: Option<&Invalid>,
    title: &str,
) -> Markup {
    let l = ctx.lang;
    let bytes = decision
        .and_then(|d| bytes_to_sign(d).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let download = decision.map(|d| {
        let mut url = format!(
            "/proposals/{}/decision-to-sign?action={}&at={}",
            p.id,
            crate::render::url_encode(&input.action),
            d.at
        );
        if !input.reason.trim().is_empty() {
            url.push_str("&reason=");
            url.push_str(&crate::render::url_encode(input.reason.trim()));
        }
        (url, file_name(d))
    });
    let field_error = errors.and_then(|e| e.errors.iter().find(|f| f.field == "signature"));
    html! {
        h1 { (title) }
        (form_errors(l, errors))
        @if let Some(d) = decision {
            dl.facts {
                dt { (l.t("decisions.member")) } dd { (d.member) }
                dt { (l.t("decisions.decision")) } dd { (super::proposals::action_text(l, &input.action)) }
                @if let Some(r) = &d.reason { dt { (l.t("proposals.reason")) } dd { (r) } }
                dt { (l.t("decisions.prepared_at")) } dd { (crate::render::format_ms(d.at * 1000)) }
            }
            p { (l.tf("decisions.explain", &[("minutes", &(SIGNING_WINDOW_SECONDS / 60).to_string())])) }
            h2 { (l.t("decisions.what_you_sign")) }
            pre #decision-bytes .wrap { (bytes.clone().unwrap_or_default()) }
            div #browser-signing hidden
                data-msg-no-file=(l.t("decisions.js_no_file")) data-msg-not-key=(l.t("decisions.js_not_key"))
                data-msg-encrypted=(l.t("decisions.js_encrypted")) data-msg-signed=(l.t("decisions.js_signed")) {
                h2 { (l.t("decisions.in_browser")) }
                p.hint { (l.t("decisions.in_browser_hint")) }
                div.field {
                    label for="key_file" { (l.t("decisions.key_file")) }
                    input type="file" id="key_file" accept=".key,.txt,text/plain";
                }
                button.secondary type="button" #sign-with-key { (l.t("decisions.sign_button")) }
                p #sign-status role="status" {}
            }
            @if let Some((url, name)) = &download {
                h2 { (l.t("decisions.with_minisign")) }
                ol {
                    li { a href=(url) download=(name) { (l.t("decisions.download")) } " (" code { (name) } ")" }
                    li { (l.t("decisions.run")) pre.wrap { "minisign -S -s " (d.member.to_lowercase()) ".key -m " (name) } }
                    li { (l.t("decisions.paste")) }
                }
            }
        }
        form.stacked method="post" action={ "/proposals/" (p.id) "/decide" } #signed-decision {
            (csrf_field(ctx))
            input type="hidden" name="action" value=(input.action);
            input type="hidden" name="reason" value=(input.reason);
            input type="hidden" name="at" value=(input.at.map(|a| a.to_string()).unwrap_or_default());
            div.field.error[field_error.is_some()] {
                label for="signature" { (l.t("decisions.signature")) }
                @if let Some(e) = field_error { p.error-text id="signature-error" { (e.message) } }
                textarea id="signature" name="signature" rows="5" spellcheck="false"
                    aria-describedby=[field_error.map(|_| "signature-error")] { (input.signature) }
            }
            div.actions {
                button type="submit" { (l.t("decisions.record")) }
                a href={ "/proposals/" (p.id) } { (l.t("decisions.cancel")) }
            }
        }
        script src="/static/sign-decision.js" {}
    }
}
