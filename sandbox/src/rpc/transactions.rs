//! Transaction methods: `broadcast_tx_async`, `broadcast_tx_commit`, `send_tx`, `tx`,
//! `EXPERIMENTAL_tx_status`, `tx_status` and `EXPERIMENTAL_receipt`.
//!
//! A submission is validated against the head (invalid → `INVALID_TRANSACTION`), pooled, and then
//! awaited for up to [`POLLING_TIMEOUT`] (neard's `polling_timeout`) until its status reaches
//! `wait_until`; the answer carries the level reached, which may be higher than the one asked for.
//! Resends of a pooled or included transaction are idempotent.

use std::time::Duration;

use near_jsonrpc_primitives::types::receipts::{RpcReceiptError, RpcReceiptRequest};
use near_jsonrpc_primitives::types::transactions::{
    RpcSendTransactionRequest, RpcTransactionError, RpcTransactionResponse,
    RpcTransactionStatusRequest, TransactionInfo,
};
use near_primitives::borsh::BorshDeserialize;
use near_primitives::hash::CryptoHash;
use near_primitives::transaction::SignedTransaction;
use near_primitives::types::AccountId;
use near_primitives::views::{
    FinalExecutionOutcomeView, FinalExecutionOutcomeViewEnum, FinalExecutionOutcomeWithReceiptView,
    ReceiptView, TxExecutionStatus,
};
use serde_json::Value;
use tokio::time::Instant;

use super::RpcState;
use super::errors::{RpcFailure, failure};
use super::params::{Params, parse};
use crate::chain::Chain;
use crate::chain::tx_status::{all_receipts_executed, execution_status, reached};

/// How long a request waits for a transaction to reach `wait_until` (neard's `polling_timeout`).
pub const POLLING_TIMEOUT: Duration = Duration::from_secs(10);

/// How many blocks an answer waits past its requested level for the transaction's refunds.
const MAX_REFUND_WAIT_BLOCKS: u32 = 3;

/// `base64(borsh(SignedTransaction))`, with neard's error message.
pub fn decode_signed_transaction(value: &str) -> Result<SignedTransaction, RpcFailure> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|e| RpcFailure::parse(format!("Failed to decode transaction: {e}")))?;
    SignedTransaction::try_from_slice(&bytes)
        .map_err(|e| RpcFailure::parse(format!("Failed to decode transaction: {e}")))
}

/// `[base64]` or `{"signed_tx_base64", "wait_until"?}`.
fn parse_broadcast(params: Value) -> Result<RpcSendTransactionRequest, RpcFailure> {
    Params::new(params)
        .try_singleton(|value: String| {
            Ok(RpcSendTransactionRequest {
                signed_transaction: decode_signed_transaction(&value)?,
                wait_until: TxExecutionStatus::default(),
            })
        })
        .unwrap_or_parse()
}

/// `[hash, sender]`, `[base64]` or `{tx_hash, sender_account_id | signed_tx_base64, wait_until?}`.
fn parse_tx_status(params: Value) -> Result<RpcTransactionStatusRequest, RpcFailure> {
    Params::new(params)
        .try_pair(|tx_hash: CryptoHash, sender_account_id: AccountId| {
            Ok(RpcTransactionStatusRequest {
                transaction_info: TransactionInfo::TransactionId {
                    tx_hash,
                    sender_account_id,
                },
                wait_until: TxExecutionStatus::default(),
            })
        })
        .try_singleton(|value: String| {
            Ok(RpcTransactionStatusRequest {
                transaction_info: TransactionInfo::Transaction {
                    signed_tx: decode_signed_transaction(&value)?,
                },
                wait_until: TxExecutionStatus::default(),
            })
        })
        .unwrap_or_parse()
}

fn to_value<T: serde::Serialize>(value: T) -> Result<Value, RpcFailure> {
    serde_json::to_value(value).map_err(|e| RpcFailure::internal(e.to_string()))
}

fn submit(state: &RpcState, tx: SignedTransaction) -> Result<(), RpcFailure> {
    state
        .chain
        .submit(tx)
        .map(|_| ())
        .map_err(|context| failure(RpcTransactionError::InvalidTransaction { context }))
}

pub fn broadcast_tx_async(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let request = parse_broadcast(params)?;
    let hash = request.signed_transaction.get_hash();
    submit(state, request.signed_transaction)?;
    to_value(hash)
}

pub async fn broadcast_tx_commit(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let request = parse_broadcast(params)?;
    send(
        state,
        request.signed_transaction,
        TxExecutionStatus::ExecutedOptimistic,
    )
    .await
}

pub async fn send_tx(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let request: RpcSendTransactionRequest = parse(params)?;
    send(state, request.signed_transaction, request.wait_until).await
}

async fn send(
    state: &RpcState,
    tx: SignedTransaction,
    wait_until: TxExecutionStatus,
) -> Result<Value, RpcFailure> {
    let hash = tx.get_hash();
    submit(state, tx)?;
    if wait_until == TxExecutionStatus::None {
        return to_value(RpcTransactionResponse {
            final_execution_outcome: None,
            final_execution_status: TxExecutionStatus::None,
        });
    }
    wait_for_status(state, hash, wait_until, false).await
}

/// `tx` (`with_receipts` false), `EXPERIMENTAL_tx_status` and `tx_status` (true).
pub async fn tx_status(
    state: &RpcState,
    params: Value,
    with_receipts: bool,
) -> Result<Value, RpcFailure> {
    let request = parse_tx_status(params)?;
    let (hash, _sender) = request.transaction_info.to_tx_hash_and_account();
    wait_for_status(state, hash, request.wait_until, with_receipts).await
}

/// Where a transaction stands right now.
enum Lookup {
    /// Never seen (not pooled, not included).
    Unknown,
    /// Rejected when its chunk was applied.
    Rejected(RpcFailure),
    /// Pooled, or included with this response.
    Status(Box<RpcTransactionResponse>),
}

fn lookup(chain: &Chain, hash: &CryptoHash, with_receipts: bool) -> Lookup {
    let index = chain.index();
    if let Some(record) = index.transaction(hash) {
        let outcome = index.final_outcome(record);
        let blocks = chain.blocks();
        let status = execution_status(
            &outcome,
            |block_hash| {
                blocks
                    .height_of(block_hash)
                    .is_some_and(|h| blocks.is_final(h))
            },
            |receipt_id| {
                index
                    .receipt(receipt_id)
                    .is_some_and(|r| r.predecessor_id().is_system())
            },
        );
        let outcome = if with_receipts {
            let receipts: Vec<ReceiptView> = index.receipts_of(record, &outcome);
            FinalExecutionOutcomeViewEnum::FinalExecutionOutcomeWithReceipt(
                FinalExecutionOutcomeWithReceiptView {
                    final_outcome: outcome,
                    receipts,
                },
            )
        } else {
            FinalExecutionOutcomeViewEnum::FinalExecutionOutcome(outcome)
        };
        return Lookup::Status(Box::new(RpcTransactionResponse {
            final_execution_outcome: Some(outcome),
            final_execution_status: status,
        }));
    }
    if let Some(error) = index.rejected(hash) {
        return Lookup::Rejected(failure(RpcTransactionError::InvalidTransaction {
            context: error.clone(),
        }));
    }
    if chain.mempool().contains(hash) {
        return Lookup::Status(Box::new(RpcTransactionResponse {
            final_execution_outcome: None,
            final_execution_status: TxExecutionStatus::None,
        }));
    }
    Lookup::Unknown
}

async fn wait_for_status(
    state: &RpcState,
    hash: CryptoHash,
    wait_until: TxExecutionStatus,
    with_receipts: bool,
) -> Result<Value, RpcFailure> {
    let deadline = Instant::now() + POLLING_TIMEOUT;
    let mut head = state.chain.subscribe_head();
    // Blocks the answer waited past for refunds (see below).
    let mut refund_blocks = 0;
    // With neard's timing (`run --neard-timing-ms`, blocks spaced), answer as neard does.
    let neard_timing = state
        .chain
        .read(|chain| !chain.params().min_block_interval.is_zero());
    loop {
        head.borrow_and_update();
        match state
            .chain
            .read(|chain| lookup(chain, &hash, with_receipts))
        {
            Lookup::Unknown => {
                return Err(failure(RpcTransactionError::UnknownTransaction {
                    requested_transaction_hash: hash,
                }));
            }
            Lookup::Rejected(error) => return Err(error),
            Lookup::Status(response) => {
                if reached(&response.final_execution_status, &wait_until) {
                    // neard answers once the last non-refund receipt has run, and its gas and
                    // deposit refunds land a block (~0.1-1 s) later. Here that block follows within
                    // a millisecond, so whether a client saw its refunds would be a race between
                    // this task and the block producer. Wait for them (at most a few blocks; refunds
                    // always run in the next one): the answer, and any balance read after it, is
                    // then the same every time.
                    // Only answers that promise execution wait; NONE / INCLUDED answer at once.
                    let waits_for_execution = matches!(
                        wait_until,
                        TxExecutionStatus::ExecutedOptimistic | TxExecutionStatus::Executed
                    );
                    let settled = !waits_for_execution
                        || neard_timing
                        || response
                            .final_execution_outcome
                            .as_ref()
                            .is_none_or(|o| all_receipts_executed(final_outcome_of(o)));
                    if settled || refund_blocks >= MAX_REFUND_WAIT_BLOCKS {
                        return to_value(*response);
                    }
                    refund_blocks += 1;
                }
            }
        }
        if tokio::time::timeout_at(deadline, head.changed())
            .await
            .is_err()
        {
            return Err(failure(RpcTransactionError::TimeoutError(None)));
        }
    }
}

/// The outcome inside either answer shape, without copying it.
fn final_outcome_of(outcome: &FinalExecutionOutcomeViewEnum) -> &FinalExecutionOutcomeView {
    match outcome {
        FinalExecutionOutcomeViewEnum::FinalExecutionOutcome(o) => o,
        FinalExecutionOutcomeViewEnum::FinalExecutionOutcomeWithReceipt(o) => &o.final_outcome,
    }
}

pub fn receipt(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let request: RpcReceiptRequest = parse(params)?;
    let id = request.receipt_reference.receipt_id;
    state.chain.read(|chain| match chain.index().receipt(&id) {
        Some(receipt) => to_value(ReceiptView::from(receipt.clone())),
        None => Err(failure(RpcReceiptError::UnknownReceipt { receipt_id: id })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_base64_and_bad_borsh_are_parse_errors() {
        let err = parse_broadcast(serde_json::json!(["not base64!"])).unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        let value = serde_json::to_value(&err.error).unwrap();
        assert_eq!(value["cause"]["name"], "PARSE_ERROR");
        assert!(
            value["data"]
                .as_str()
                .unwrap()
                .starts_with("Failed to decode transaction: "),
            "{value}"
        );
        let err = parse_broadcast(serde_json::json!(["AAAA"])).unwrap_err();
        let value = serde_json::to_value(&err.error).unwrap();
        assert!(
            value["data"]
                .as_str()
                .unwrap()
                .starts_with("Failed to decode transaction: "),
            "{value}"
        );
    }

    #[test]
    fn tx_status_params_accept_every_client_form() {
        let hash = "11111111111111111111111111111111";
        let by_pair = parse_tx_status(serde_json::json!([hash, "near"])).unwrap();
        assert!(matches!(
            by_pair.transaction_info,
            TransactionInfo::TransactionId { .. }
        ));
        // near-cli-rs: sender `near`, FINAL.
        let by_object = parse_tx_status(serde_json::json!({
            "tx_hash": hash, "sender_account_id": "near", "wait_until": "FINAL"
        }))
        .unwrap();
        assert_eq!(by_object.wait_until, TxExecutionStatus::Final);
        let missing = parse_tx_status(serde_json::json!({"tx_hash": hash})).unwrap_err();
        assert_eq!(missing.status, axum::http::StatusCode::BAD_REQUEST);
    }
}
