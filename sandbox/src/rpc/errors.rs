//! RPC errors with the HTTP status neard's `rpc_handler` gives them:
//! request-validation errors 400, handler errors 200 (`TIMEOUT_ERROR` 408, `UNKNOWN_BLOCK` for a
//! past height 422), internal errors 500.

use axum::http::StatusCode;
use near_jsonrpc_primitives::errors::{RpcError, RpcErrorKind};

/// An [`RpcError`] and the HTTP status it is sent with.
#[derive(Debug, Clone)]
pub struct RpcFailure {
    pub error: RpcError,
    pub status: StatusCode,
}

impl RpcFailure {
    /// A handler's `UNKNOWN_BLOCK` for a height the chain has already passed (skipped by a
    /// fast-forward, or below genesis).
    pub fn unknown_past_block(error: RpcError) -> Self {
        Self {
            error,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// A request-validation parse error (`PARSE_ERROR`, HTTP 400).
    pub fn parse(message: impl Into<String>) -> Self {
        RpcError::parse_error(message.into()).into()
    }

    /// An internal error (`INTERNAL_ERROR`, HTTP 500).
    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        RpcError::new_internal_error(Some(serde_json::Value::String(message.clone())), message)
            .into()
    }
}

/// The default HTTP status of an error, from its kind.
pub fn http_status(error: &RpcError) -> StatusCode {
    match &error.error_struct {
        Some(RpcErrorKind::RequestValidationError(_)) => StatusCode::BAD_REQUEST,
        Some(RpcErrorKind::HandlerError(cause)) if cause["name"] == "TIMEOUT_ERROR" => {
            StatusCode::REQUEST_TIMEOUT
        }
        Some(RpcErrorKind::HandlerError(_)) => StatusCode::OK,
        Some(RpcErrorKind::InternalError(_)) => StatusCode::INTERNAL_SERVER_ERROR,
        None => StatusCode::OK,
    }
}

impl From<RpcError> for RpcFailure {
    fn from(error: RpcError) -> Self {
        let status = http_status(&error);
        Self { error, status }
    }
}

/// Converts any near-jsonrpc-primitives method error (they all have `Into<RpcError>`).
pub fn failure<E: Into<RpcError>>(error: E) -> RpcFailure {
    RpcFailure::from(error.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_jsonrpc_primitives::types::blocks::RpcBlockError;
    use near_jsonrpc_primitives::types::query::RpcQueryError;
    use near_jsonrpc_primitives::types::transactions::RpcTransactionError;
    use near_primitives::errors::InvalidTxError;
    use near_primitives::hash::CryptoHash;
    use serde_json::json;

    #[test]
    fn parse_error_has_the_exact_neard_shape() {
        let f = RpcFailure::parse("Failed parsing args: missing field `request_type`");
        assert_eq!(f.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            serde_json::to_value(&f.error).unwrap(),
            json!({
                "name": "REQUEST_VALIDATION_ERROR",
                "cause": {"name": "PARSE_ERROR", "info": {"error_message": "Failed parsing args: missing field `request_type`"}},
                "code": -32700,
                "message": "Parse error",
                "data": "Failed parsing args: missing field `request_type`",
            })
        );
    }

    #[test]
    fn method_not_found_is_400() {
        let f = RpcFailure::from(RpcError::method_not_found("foo".into()));
        assert_eq!(f.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            serde_json::to_value(&f.error).unwrap(),
            json!({
                "name": "REQUEST_VALIDATION_ERROR",
                "cause": {"name": "METHOD_NOT_FOUND", "info": {"method_name": "foo"}},
                "code": -32601,
                "message": "Method not found",
                "data": "foo",
            })
        );
    }

    #[test]
    fn unknown_account_has_the_exact_neard_shape() {
        let f = failure(RpcQueryError::UnknownAccount {
            requested_account_id: "nobody.near".parse().unwrap(),
            block_height: 7,
            block_hash: CryptoHash::default(),
        });
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(
            serde_json::to_value(&f.error).unwrap(),
            json!({
                "name": "HANDLER_ERROR",
                "cause": {"name": "UNKNOWN_ACCOUNT", "info": {
                    "requested_account_id": "nobody.near",
                    "block_height": 7,
                    "block_hash": "11111111111111111111111111111111",
                }},
                "code": -32000,
                "message": "Server error",
                "data": "account nobody.near does not exist while viewing",
            })
        );
    }

    #[test]
    fn invalid_nonce_has_the_exact_neard_shape() {
        let f = failure(RpcTransactionError::InvalidTransaction {
            context: InvalidTxError::InvalidNonce {
                tx_nonce: 5,
                ak_nonce: 9,
            },
        });
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(
            serde_json::to_value(&f.error).unwrap(),
            json!({
                "name": "HANDLER_ERROR",
                "cause": {"name": "INVALID_TRANSACTION", "info": {}},
                "code": -32000,
                "message": "Server error",
                "data": {"TxExecutionError": {"InvalidTxError": {"InvalidNonce": {"tx_nonce": 5, "ak_nonce": 9}}}},
            })
        );
    }

    #[test]
    fn timeouts_are_408_and_internal_errors_500() {
        let f = failure(RpcTransactionError::TimeoutError(None));
        assert_eq!(f.status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(
            RpcFailure::internal("boom").status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let e = failure(RpcBlockError::UnknownBlock {
            error_message: "BLOCK HEIGHT: 5".into(),
        });
        assert_eq!(e.status, StatusCode::OK);
        assert_eq!(
            serde_json::to_value(&e.error).unwrap()["data"],
            "DB Not Found Error: BLOCK HEIGHT: 5 \n Cause: Unknown"
        );
        assert_eq!(
            RpcFailure::unknown_past_block(e.error).status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
