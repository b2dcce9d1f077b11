//! The HTTP server: `POST /` JSON-RPC, `GET`/`HEAD /status`, `GET /health`, CORS `*`, and the
//! `json_payload_max_size` limit.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use near_jsonrpc_primitives::errors::RpcError;
use near_jsonrpc_primitives::message::Message;
use serde_json::Value;
use tower_http::cors::{Any, CorsLayer};

use super::errors::RpcFailure;
use super::{RpcState, blocks, dispatch};

/// The node's HTTP routes.
pub fn router(state: RpcState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any);
    Router::new()
        .route("/", post(json_rpc))
        .route("/status", get(http_status))
        .route("/health", get(http_health))
        .layer(cors)
        .with_state(state)
}

/// Serves `router` on an already bound listener until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: RpcState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}

fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn reply(id: Value, result: Result<Value, RpcFailure>) -> Response {
    let (status, result) = match result {
        Ok(value) => (StatusCode::OK, Ok(value)),
        Err(failure) => (failure.status, Err(failure.error)),
    };
    json_response(status, &Message::response(id, result))
}

async fn json_rpc(State(state): State<RpcState>, body: Body) -> Response {
    let limit = state.node.json_payload_max_size;
    let Ok(bytes) = to_bytes(body, limit).await else {
        let error = RpcError::parse_error(format!(
            "JSON payload is larger than the limit of {limit} bytes (rpc.limits_config.json_payload_max_size)"
        ));
        return reply(
            Value::Null,
            Err(RpcFailure {
                error,
                status: StatusCode::PAYLOAD_TOO_LARGE,
            }),
        );
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(e) => {
            return reply(
                Value::Null,
                Err(RpcFailure::parse(format!("Json deserialize error: {e}"))),
            );
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let request = match serde_json::from_value::<Message>(value) {
        Ok(Message::Request(request)) => request,
        Ok(_) | Err(_) => {
            return reply(
                id,
                Err(RpcFailure::parse("JSON RPC Request format was expected")),
            );
        }
    };
    let result = dispatch(&state, &request.method, request.params).await;
    reply(request.id, result)
}

async fn http_status(State(state): State<RpcState>) -> Response {
    json_response(StatusCode::OK, &blocks::status_response(&state))
}

async fn http_health() -> StatusCode {
    StatusCode::OK
}
