//! What the OpenAPI document says in more than one place: the error answers
//! many operations share, and the schemas of live-event bodies, which the
//! events parser reads from JSON values rather than from a typed struct.

use std::borrow::Cow;

use livehire_domain::live::event::EVENT_TYPES;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::{RefOr, schema};
use utoipa::{PartialSchema, ToSchema};

/// 401 of an operation that takes an account key.
pub const UNAUTHORIZED: &str =
    "`unauthorized`: no `Authorization: Bearer` key, or an unknown or revoked one";
/// 400 of an operation with a JSON body.
pub const INVALID_JSON: &str =
    "`invalid_json`: the body is not JSON; `details` give the line and column";
/// 413 of an operation with a JSON body (`extract::BODY_LIMIT`).
pub const TOO_LARGE: &str = "`payload_too_large`: the body is over 1 MiB";
/// 415 of an operation with a JSON body (`extract::json_content_type_ok`).
pub const NOT_JSON: &str = "`unsupported_media_type`: send `application/json` \
    (no `Content-Type`, a `+json` type and `application/x-www-form-urlencoded` are read as JSON too)";
/// 403 of an operation only an agent may call.
pub const AGENT_ONLY: &str = "`forbidden`: a host's key; this needs the agent's key (`ph_sk_…`)";
/// 403 of an operation only a host may call.
pub const HOST_ONLY: &str = "`forbidden`: an agent's key; this needs a host key (`ph_hk_…`)";
/// 404 of an operation on a task.
pub const TASK_NOT_FOUND: &str = "`not_found`: no such task, or not one the caller may see (its agent, a host involved in it, or any host while it is open)";
/// 404 of an operation on a session.
pub const SESSION_NOT_FOUND: &str =
    "`not_found`: no such session, or the caller is neither its task's agent nor its assigned host";
/// 404 of an operation on a flash sale.
pub const FLASH_SALE_NOT_FOUND: &str = "`not_found`: no such flash sale, or the caller is neither its task's agent nor its assigned host";
/// 422 of a list operation.
pub const BAD_PAGE: &str =
    "`validation_failed`: `limit` out of its bounds or a `cursor` this server did not issue";
/// 409 of an operation that moves a task through its states.
pub const INVALID_STATE: &str = "`invalid_state`: not allowed in the task's current state (the message names the actions allowed now)";

/// The native live events of a batch or a recording: a JSON array of
/// `{type, ts, …}` objects. The `type` values are the parser's own
/// ([`EVENT_TYPES`]), so the document lists exactly what is accepted.
pub struct LiveEvents;

impl PartialSchema for LiveEvents {
    fn schema() -> RefOr<Schema> {
        let event = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "One native event. Fields beside `type` and `ts` depend on the type: \
                 `viewer_join`/`viewer_leave` `viewer_id`; `viewer_count` `count`; \
                 `chat`/`question` `viewer_id`, `text`, `msg_id`?; `question_answered` `msg_id`?, `viewer_id`?; \
                 `like` `viewer_id`, `count`?; `share`/`follow` `viewer_id`?; `gift` `viewer_id`, `value`; \
                 `product_pin` `product_id`; `order` `order_id`, `viewer_id` (or `buyer_id`), `product_id`, \
                 `quantity`?, `amount` (the session's currency), `currency`?, `flash_sale_id`?; \
                 `order_refund` `order_id`.",
            ))
            .property(
                "type",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(EVENT_TYPES)),
            )
            .required("type")
            .property(
                "ts",
                OneOfBuilder::new()
                    .item(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .description(Some("RFC 3339, or epoch milliseconds as a string")),
                    )
                    .item(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .description(Some("Epoch milliseconds")),
                    ),
            )
            .required("ts");
        ArrayBuilder::new()
            .items(event)
            .description(Some("Native live events, in any order"))
            .into()
    }
}

impl ToSchema for LiveEvents {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LiveEvents")
    }
}

/// The events endpoint's JSON body: native events, or (with
/// `?format=tiktok-live-connector`) the TikTok LIVE connectors' wrapped
/// `{event, data}` objects (`livehire_domain::live::connector`).
pub struct EventBatch;

impl PartialSchema for EventBatch {
    fn schema() -> RefOr<Schema> {
        let connector = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A TikTok LIVE connector event as tiktok-live-connector (2.x or 1.x) emits it, `data` being \
                 what the library hands its listeners: `chat`, `member`, `roomUser`, `like`, `follow`, \
                 `share`, `social`, `questionNew`, `gift` (a streak once, at its end), `controlMessage` \
                 and `streamEnd` count (the Python TikTokLive library's `event.to_dict()` under \
                 `event.get_type()`, `CommentEvent` … `LiveEndEvent`, too); other names are ignored",
            ))
            .property("event", ObjectBuilder::new().schema_type(Type::String))
            .required("event")
            .property("data", ObjectBuilder::new().schema_type(Type::Object))
            .property(
                "ts",
                ObjectBuilder::new()
                    .schema_type(schema::SchemaType::from_iter([Type::String, Type::Integer]))
                    .description(Some("Read when `data` carries no time")),
            );
        AnyOfBuilder::new()
            .item(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                LiveEvents::name(),
            )))
            .item(
                ArrayBuilder::new()
                    .items(connector)
                    .description(Some("With `?format=tiktok-live-connector`")),
            )
            .into()
    }
}

impl ToSchema for EventBatch {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EventBatch")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((LiveEvents::name().into(), LiveEvents::schema()));
    }
}
