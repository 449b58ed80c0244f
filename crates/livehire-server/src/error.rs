//! One error type for every failure, rendered in one JSON shape:
//! `{"error": {"code", "message", "details": [{"path", "message"}], "request_id"}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use livehire_domain::FieldError;
use livehire_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Everything a request can fail with. Each variant documents its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `invalid_json`: the body is not JSON; line and column say where.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    InvalidJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser found.
        message: String,
    },
    /// 400 `bad_request`: something other than a field is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// 401 `unauthorized`: no key, or an unknown or revoked key.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 402 `insufficient_funds`: the wallet is short by `shortfall`; nothing changed.
    #[error(
        "insufficient funds: {shortfall} {currency} short; add money with POST /api/v1/wallet/deposits"
    )]
    InsufficientFunds {
        /// How much is missing.
        shortfall: rust_decimal::Decimal,
        /// ISO code.
        currency: String,
    },
    /// 403 `forbidden`: the caller may see this but not do that.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not_found`: no such thing, or not the caller's to see.
    #[error("{0} not found")]
    NotFound(String),
    /// 405 `method_not_allowed`.
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// 409 with a specific code (`idempotency_key_reused`, `handle_taken`, `conflict`, …).
    #[error("{message}")]
    Conflict {
        /// Machine-readable code.
        code: &'static str,
        /// Human-readable message.
        message: String,
    },
    /// 409 `invalid_state`: the action is not allowed in the task's current state.
    #[error("task is {current}; allowed now: {}", allowed.join(", "))]
    InvalidState {
        /// The current state.
        current: String,
        /// The actions allowed in it.
        allowed: Vec<String>,
    },
    /// 410 with a specific code (`flash_sale_ended`).
    #[error("{message}")]
    Gone {
        /// Machine-readable code.
        code: &'static str,
        /// Human-readable message.
        message: String,
    },
    /// 413 `payload_too_large`.
    #[error("request body exceeds {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// 415 `unsupported_media_type`.
    #[error("unsupported content type {0:?}; send application/json")]
    UnsupportedMediaType(String),
    /// 422 `validation_failed`: one detail per bad field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 429 `rate_limited`: over a rate limit; `Retry-After` says when to try again.
    #[error("rate limit reached: {limit}; retry after {} s", retry_after_secs(*retry_after))]
    RateLimited {
        /// The limit, in words (`10 per minute registrations per client IP`).
        limit: String,
        /// How long until a request would be accepted.
        retry_after: std::time::Duration,
    },
    /// 503 `not_ready`: a readiness check failed; one detail per check that did.
    #[error("not ready: {}", failed.iter().map(|f| f.path.as_str()).collect::<Vec<_>>().join(", "))]
    NotReady {
        /// The failed checks (path) and why (message).
        failed: Vec<FieldError>,
    },
    /// 502 `upstream_unavailable`: a service the request depends on (the
    /// TikTok Shop API) failed; retrying later may succeed.
    #[error("{0}")]
    BadGateway(String),
    /// A repeat of a request whose first answer was an error (Idempotency-Key):
    /// that status and envelope again.
    #[error("{}", error["error"]["message"].as_str().unwrap_or("the first answer to this request"))]
    Replayed {
        /// The first answer's status.
        status: u16,
        /// The first answer's envelope, as given then.
        error: serde_json::Value,
    },
    /// 500 `internal`: logged in full, shown opaque.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The error envelope, as documented in the OpenAPI.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable code such as `validation_failed`.
    pub code: String,
    /// Human-readable summary.
    pub message: String,
    /// Per-field problems (validation) or position (invalid JSON).
    pub details: Vec<ErrorField>,
    /// The request's id, as in its `Request-Id` header: quote it when
    /// reporting a problem. (A replayed answer keeps its first request's.)
    #[schema(example = "req_0VcbUA2LtWj6KZK9vlRz")]
    pub request_id: String,
}

/// One field problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorField {
    /// Dotted JSON path or query parameter.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ApiError {
    /// 422 with a single field.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(path, message)])
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson { .. } | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::InsufficientFunds { .. } => StatusCode::PAYMENT_REQUIRED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } | ApiError::InvalidState { .. } => StatusCode::CONFLICT,
            ApiError::Gone { .. } => StatusCode::GONE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotReady { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Replayed { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson { .. } => "invalid_json",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::InsufficientFunds { .. } => "insufficient_funds",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict { code, .. } | ApiError::Gone { code, .. } => code,
            ApiError::InvalidState { .. } => "invalid_state",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Validation(_) => "validation_failed",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::NotReady { .. } => "not_ready",
            ApiError::BadGateway(_) => "upstream_unavailable",
            ApiError::Internal(_) => "internal",
            ApiError::Replayed { .. } => "replayed",
        }
    }

    /// The envelope for this error.
    pub fn body(&self) -> ErrorBody {
        if let ApiError::Replayed { error, .. } = self {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
            let e = &error["error"];
            return ErrorBody {
                error: ErrorDetail {
                    code: text(&e["code"]),
                    message: text(&e["message"]),
                    details: e["details"]
                        .as_array()
                        .map(|d| {
                            d.iter()
                                .map(|f| ErrorField {
                                    path: text(&f["path"]),
                                    message: text(&f["message"]),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    request_id: crate::obs::request_id().unwrap_or_default(),
                },
            };
        }
        let details = match self {
            ApiError::Validation(fields) | ApiError::NotReady { failed: fields } => fields
                .iter()
                .map(|f| ErrorField {
                    path: f.path.clone(),
                    message: f.message.clone(),
                })
                .collect(),
            ApiError::InvalidJson { line, column, .. } => vec![ErrorField {
                path: String::new(),
                message: format!("line {line}, column {column}"),
            }],
            ApiError::InsufficientFunds {
                shortfall,
                currency,
            } => vec![ErrorField {
                path: "wallet".into(),
                message: format!("shortfall {shortfall} {currency}"),
            }],
            _ => Vec::new(),
        };
        let message = match self {
            ApiError::Internal(_) => "internal error; it has been logged".to_string(),
            ApiError::Validation(fields) if fields.len() == 1 => {
                format!("{}: {}", fields[0].path, fields[0].message)
            }
            ApiError::Validation(fields) => format!("{} fields are invalid", fields.len()),
            other => other.to_string(),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message,
                details,
                request_id: crate::obs::request_id().unwrap_or_default(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = ?e, "request failed");
        }
        let mut resp = (self.status(), axum::Json(self.body())).into_response();
        if let ApiError::RateLimited { retry_after, .. } = &self {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs(*retry_after)),
            );
        }
        if resp.status() == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"livehire\""),
            );
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("resource".into()),
            StoreError::Conflict(m) => ApiError::Conflict {
                code: "conflict",
                message: m,
            },
            StoreError::HandleTaken { handle } => ApiError::Conflict {
                code: "handle_taken",
                message: format!("the TikTok handle {handle} belongs to another host"),
            },
            StoreError::InsufficientFunds {
                account,
                currency,
                shortfall_minor,
            } => {
                let shortfall = livehire_domain::money::Currency::parse(&currency)
                    .map(|c| livehire_domain::money::from_minor(shortfall_minor, c))
                    .unwrap_or_else(|_| rust_decimal::Decimal::from(shortfall_minor));
                tracing::info!(account, %shortfall, "insufficient funds");
                ApiError::InsufficientFunds {
                    shortfall,
                    currency,
                }
            }
            StoreError::Other(e) => ApiError::Internal(e),
        }
    }
}

/// Whole seconds to wait, rounded up, at least 1 (what `Retry-After` says).
fn retry_after_secs(wait: std::time::Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// Result of service and handler calls.
pub type ApiResult<T> = Result<T, ApiError>;
