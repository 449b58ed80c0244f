//! What the live pages post (start, end, a flash sale; each with its CSRF
//! token, each calling the API's service method) and the event stream they
//! follow, over the cookie (the API's stream takes Bearer keys only).

use std::convert::Infallible;

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use livehire_domain::ids::SessionId;
use serde::Deserialize;
use tokio::sync::broadcast;

use super::live::{SaleFormState, render_session, run_of_show_lines};
use super::pages::error_page;
use super::{Lang, Page};
use crate::app::{App, NewFlashSale};
use crate::error::ApiError;
use crate::live::StreamItem;

/// The sale form, as sent.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct SaleForm {
    csrf: String,
    pub(super) product_id: String,
    pub(super) price: String,
    pub(super) stock: String,
    pub(super) per_buyer_limit: String,
    pub(super) duration_minutes: String,
}

impl SaleForm {
    /// The API's body; a number that does not parse is a field error.
    fn new_flash_sale(&self, lang: Lang) -> Result<NewFlashSale, Vec<String>> {
        let mut errors = Vec::new();
        let mut whole = |label: &str, v: &str, required: bool| -> Option<i64> {
            let v = v.trim().replace([',', '_'], "");
            if v.is_empty() {
                if required {
                    errors.push(format!("{}: {}", lang.t(label), lang.t("sale-required")));
                }
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(format!(
                        "{}: {}",
                        lang.t(label),
                        lang.t("sale-whole-number")
                    ));
                    None
                }
            }
        };
        let stock = whole("sale-stock", &self.stock, true);
        let limit = whole("sale-limit", &self.per_buyer_limit, false);
        let minutes = whole("sale-duration", &self.duration_minutes, true);
        let price = self.price.trim().replace(',', "");
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewFlashSale {
            product_id: self.product_id.trim().to_string(),
            price: serde_json::Value::String(price),
            stock: stock.unwrap_or_default(),
            duration_minutes: minutes,
            duration_seconds: None,
            per_buyer_limit: limit,
        })
    }
}

/// `POST /dashboard/sessions/{id}/flash-sales`: starts a sale, then back to
/// the session; a refused one shows the form again with the reasons.
pub(super) async fn flash_sale(
    State(app): State<App>,
    page: Page,
    Path(id): Path<SessionId>,
    Form(form): Form<SaleForm>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    if let Some(denied) = page.refuse_csrf(&form.csrf) {
        return denied;
    }
    let caller = session.account;
    let result = match form.new_flash_sale(page.lang) {
        Ok(body) => app
            .create_flash_sale(&caller, &id, body)
            .await
            .map_err(Refused::Api),
        Err(errors) => Err(Refused::Form(errors)),
    };
    let (status, errors) = match result {
        Ok(_) => {
            return page.redirect(&format!("/dashboard/sessions/{id}#flash-sales"), Vec::new());
        }
        Err(Refused::Form(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(Refused::Api(ApiError::Validation(errors))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .into_iter()
                .map(|e| format!("{}: {}", e.path, e.message))
                .collect(),
        ),
        Err(Refused::Api(ApiError::Conflict { message, .. })) => {
            (StatusCode::CONFLICT, vec![message])
        }
        Err(Refused::Api(e)) => return error_page(page.lang, e),
    };
    let state = SaleFormState { form, errors };
    match render_session(&app, &page, &caller, &id, state).await {
        Ok(html) => page.finish((status, html)),
        Err(e) => error_page(page.lang, e),
    }
}

enum Refused {
    Form(Vec<String>),
    Api(ApiError),
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CsrfForm {
    csrf: String,
}

/// `POST /dashboard/sessions/{id}/start`.
pub(super) async fn start(
    State(app): State<App>,
    page: Page,
    Path(id): Path<SessionId>,
    Form(form): Form<CsrfForm>,
) -> Response {
    change(app, page, id, form, true).await
}

/// `POST /dashboard/sessions/{id}/end`.
pub(super) async fn end(
    State(app): State<App>,
    page: Page,
    Path(id): Path<SessionId>,
    Form(form): Form<CsrfForm>,
) -> Response {
    change(app, page, id, form, false).await
}

async fn change(app: App, page: Page, id: SessionId, form: CsrfForm, start: bool) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    if let Some(denied) = page.refuse_csrf(&form.csrf) {
        return denied;
    }
    let result = if start {
        app.start_session(&session.account, &id).await
    } else {
        app.end_session(&session.account, &id).await
    };
    match result {
        Ok(_) => page.redirect(&format!("/dashboard/sessions/{id}"), Vec::new()),
        Err(e) => error_page(page.lang, e),
    }
}

/// `GET /dashboard/sessions/{id}/stream`: the session's event stream for the
/// logged-in account (the API's, over the cookie): a `metrics` snapshot
/// first, then `metrics` at least once a second while live, `flash_sale`,
/// `sold_out` and `session` items. `Last-Event-ID` resumes.
pub(super) async fn stream(
    State(app): State<App>,
    page: Page,
    Path(id): Path<SessionId>,
    headers: HeaderMap,
) -> Response {
    let Some(session) = page.session.clone() else {
        return error_page(page.lang, ApiError::Unauthorized("log in first"));
    };
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (snapshot, missed, rx) = match app.subscribe(&session.account, &id, last).await {
        Ok(x) => x,
        Err(e) => return error_page(page.lang, e),
    };
    let first = match serde_json::to_string(&*snapshot) {
        Ok(data) => Event::default().event("metrics").data(data),
        Err(e) => return error_page(page.lang, ApiError::Internal(e.into())),
    };
    let live = futures::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(item) => return Some((item, rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let items = futures::stream::iter(missed)
        .chain(live)
        .map(|i: StreamItem| {
            Ok::<_, Infallible>(
                Event::default()
                    .id(i.id.to_string())
                    .event(i.event)
                    .data(&*i.data),
            )
        });
    // The plan's updates stop with the session's stream.
    let over = tokio_util::sync::CancellationToken::new();
    let plan = run_of_show_updates(app, session.account, id, page.lang)
        .take_until(over.clone().cancelled_owned())
        .map(Ok::<_, Infallible>);
    let items = items
        .chain(futures::stream::once(async move { over.cancel() }).filter_map(|()| async { None }));
    let body = futures::stream::once(async move { Ok::<_, Infallible>(first) })
        .chain(futures::stream::select(items, plan));
    page.finish(
        Sse::new(body)
            .keep_alive(KeepAlive::default())
            .into_response(),
    )
}

/// How often a session page's stream looks where the session stands
/// against its run of show.
const RUN_OF_SHOW_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// `run_of_show` events for a session page: the place in the run of show
/// in the page's language (`{"line": …, "next": …}`), sent when it changed
/// since the last one (the minutes in, a new segment). Ends when the
/// session can no longer be read.
fn run_of_show_updates(
    app: App,
    caller: livehire_store::Caller,
    id: SessionId,
    lang: Lang,
) -> impl futures::Stream<Item = Event> {
    futures::stream::unfold(None::<String>, move |last| {
        let (app, caller, id) = (app.clone(), caller.clone(), id.clone());
        async move {
            let mut last = last;
            loop {
                tokio::time::sleep(RUN_OF_SHOW_CHECK).await;
                let position = app.run_of_show_now(&caller, &id).await.ok()?;
                let (line, next) = run_of_show_lines(lang, position.as_ref());
                let data = serde_json::json!({ "line": line, "next": next }).to_string();
                if last.as_deref() != Some(data.as_str()) {
                    let event = Event::default().event("run_of_show").data(&data);
                    return Some((event, Some(data)));
                }
                last = Some(data);
            }
        }
    })
}
