//! Domain events: what happened to the caller's tasks, in order.

use axum::Json;
use axum::extract::State;

use crate::app::{App, DEFAULT_EVENTS_PAGE, EventPage, MAX_EVENTS_PAGE, PageRequest};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, QueryPairs};
use crate::http::doc;

/// What happened to the caller's tasks, oldest first: an agent's tasks'
/// events, or those about a host (its offers, its assignment, its sessions,
/// its thread's messages, its payout). Types: `application.created`,
/// `invitation.created`, `invitation.accepted`, `task.assigned`,
/// `task.cancelled`, `message.created`, `session.started`, `session.ended`,
/// `submission.created`, `revision.requested`, `task.approved`,
/// `payout.made`, `task.rated`, `flash_sale.started`, `flash_sale.sold_out`,
/// `flash_sale.ended`. Poll with the `next_cursor` of the last page: it is
/// there even when a page is empty.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", operation_id = "events_list", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "1–1,000, default 100"),
        ("cursor" = Option<String>, Query, min_length = 1, description = "`next_cursor` of the previous page; without it, from the first event")),
    responses(
        (status = 200, description = "The events after the cursor, oldest first", body = EventPage),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 422, description = doc::BAD_PAGE, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(caller): Auth,
    q: QueryPairs,
) -> ApiResult<Json<EventPage>> {
    let page = PageRequest::parse(
        q.get("limit"),
        q.get("cursor"),
        DEFAULT_EVENTS_PAGE,
        MAX_EVENTS_PAGE,
    )?;
    Ok(Json(app.events(&caller, &page).await?))
}
