//! JSON-RPC over HTTP, compatible with neard's: the same methods, parameter forms, result views
//! (built from the near-primitives / near-jsonrpc-primitives 0.38 types) and error shapes, with
//! neard's HTTP status codes.
//!
//! Known differences from neard (2.14):
//! * `broadcast_tx_async` validates before answering and returns `INVALID_TRANSACTION` for an
//!   invalid transaction (neard answers with the hash regardless).
//! * A body that is not JSON, or not a JSON-RPC request, gets a JSON-RPC `PARSE_ERROR` with HTTP
//!   400; a body over `json_payload_max_size` gets one with HTTP 413.
//! * `sandbox_patch_state` / `sandbox_fast_forward` failures are `INTERNAL_ERROR`s (HTTP 500); neard
//!   crashes on a Contract record whose hash differs from the account's `code_hash`.
//! * `view_gas_key_nonces` answers `UNKNOWN_GAS_KEY`; global-contract queries are not supported.
//! * Not served: `changes*`, light-client methods, `EXPERIMENTAL_check_tx`,
//!   `broadcast_tx_sync`, debug pages.
//! * `network_info` reports no peers (there is no network).
//! * Blocks carry no signatures, approvals or Merkle roots (those fields hold defaults).

pub mod blocks;
pub mod errors;
pub mod params;
pub mod query;
pub mod sandbox;
pub mod server;
pub mod transactions;

use std::sync::Arc;
use std::time::Instant;

use near_crypto::PublicKey;
use near_jsonrpc_primitives::errors::RpcError;
use serde_json::Value;

use crate::chain::ChainHandle;
use errors::RpcFailure;

/// Node facts the RPC reports that are not chain state.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    pub rpc_addr: String,
    pub node_key: PublicKey,
    pub started: Instant,
    /// `view_state` refuses accounts with more contract state than this (bytes); `None` = no limit.
    pub trie_viewer_state_size_limit: Option<u64>,
    pub json_payload_max_size: usize,
}

/// What every handler gets.
#[derive(Clone)]
pub struct RpcState {
    pub chain: ChainHandle,
    pub node: Arc<NodeInfo>,
}

/// Runs one JSON-RPC method.
pub async fn dispatch(state: &RpcState, method: &str, params: Value) -> Result<Value, RpcFailure> {
    match method {
        "block" => blocks::block(state, params),
        "broadcast_tx_async" => transactions::broadcast_tx_async(state, params),
        "broadcast_tx_commit" => transactions::broadcast_tx_commit(state, params).await,
        "chunk" => blocks::chunk(state, params),
        "gas_price" => blocks::gas_price(state, params),
        "health" => Ok(Value::Null),
        "network_info" => blocks::network_info(),
        "query" => query::query(state, params),
        "send_tx" => transactions::send_tx(state, params).await,
        "status" => blocks::status(state),
        "tx" => transactions::tx_status(state, params, false).await,
        "tx_status" | "EXPERIMENTAL_tx_status" => {
            transactions::tx_status(state, params, true).await
        }
        "validators" => blocks::validators(state, params),
        "EXPERIMENTAL_validators_ordered" => blocks::validators_ordered(state, params),
        "EXPERIMENTAL_genesis_config" => blocks::genesis_config(state),
        "EXPERIMENTAL_protocol_config" => blocks::protocol_config(state, params),
        "EXPERIMENTAL_receipt" => transactions::receipt(state, params),
        "sandbox_patch_state" => sandbox::patch_state(state, params).await,
        "sandbox_fast_forward" => sandbox::fast_forward(state, params).await,
        _ => Err(RpcError::method_not_found(method.to_owned()).into()),
    }
}
