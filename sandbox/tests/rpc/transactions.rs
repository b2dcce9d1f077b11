//! Transactions over JSON-RPC: submission, waiting levels, idempotent resends and the exact
//! invalid-transaction errors.

use crate::common::{Node, base64, sign};
use near_crypto::{InMemorySigner, KeyType, SecretKey};
use near_primitives::action::{Action, TransferAction};
use near_primitives::hash::CryptoHash;
use near_primitives::types::Balance;
use serde_json::json;

fn transfer(yocto: u128) -> Vec<Action> {
    vec![Action::Transfer(TransferAction {
        deposit: Balance::from_yoctonear(yocto),
    })]
}

#[tokio::test]
async fn transfer_reaches_every_level_and_resends_are_idempotent() {
    let node = Node::start().await;
    let signer = node.validator();
    let nonce = node.nonce("test.near", &signer).await;
    let tx = sign(
        &signer,
        nonce + 1,
        "near",
        transfer(10u128.pow(24)),
        node.final_hash().await,
    );

    let result = node
        .result(
            "send_tx",
            json!({"signed_tx_base64": base64(&tx), "wait_until": "FINAL"}),
        )
        .await;
    assert_eq!(result["final_execution_status"], "FINAL", "{result}");
    assert_eq!(result["status"], json!({"SuccessValue": ""}));
    assert_eq!(result["transaction"]["hash"], tx.get_hash().to_string());
    assert_eq!(
        result["transaction_outcome"]["id"],
        tx.get_hash().to_string()
    );
    let receipts = result["receipts_outcome"].as_array().unwrap();
    assert!(!receipts.is_empty(), "{result}");

    // The same transaction again: the existing result, not InvalidNonce.
    let again = node
        .result(
            "send_tx",
            json!({"signed_tx_base64": base64(&tx), "wait_until": "FINAL"}),
        )
        .await;
    assert_eq!(again["transaction_outcome"], result["transaction_outcome"]);
    let commit = node
        .result("broadcast_tx_commit", json!([base64(&tx)]))
        .await;
    assert_eq!(commit["transaction_outcome"], result["transaction_outcome"]);

    // A different transaction with a used nonce.
    let replay = sign(
        &signer,
        nonce + 1,
        "near",
        transfer(2),
        node.final_hash().await,
    );
    let (status, error) = node
        .error("broadcast_tx_commit", json!([base64(&replay)]))
        .await;
    assert_eq!(status, 200);
    assert_eq!(error["name"], "HANDLER_ERROR");
    assert_eq!(
        error["cause"],
        json!({"name": "INVALID_TRANSACTION", "info": {}})
    );
    assert_eq!(
        error["data"],
        json!({"TxExecutionError": {"InvalidTxError": {"InvalidNonce": {"tx_nonce": nonce + 1, "ak_nonce": nonce + 1}}}})
    );

    // tx / EXPERIMENTAL_tx_status by hash (near-cli-rs sends sender `near`).
    let by_hash = node
        .result(
            "tx",
            json!({"tx_hash": tx.get_hash(), "sender_account_id": "near", "wait_until": "FINAL"}),
        )
        .await;
    assert_eq!(by_hash["final_execution_status"], "FINAL");
    assert!(by_hash.get("receipts").is_none());
    let with_receipts = node
        .result(
            "EXPERIMENTAL_tx_status",
            json!([tx.get_hash(), "test.near"]),
        )
        .await;
    assert!(with_receipts["receipts"].is_array(), "{with_receipts}");
    // near-jsonrpc-client parses the with-receipts form and the receipt view.
    let client = near_jsonrpc_client::JsonRpcClient::connect(&node.url);
    let typed = client
        .call(
            near_jsonrpc_client::methods::tx_status::RpcTransactionStatusRequest {
                transaction_info:
                    near_jsonrpc_client::methods::tx_status::TransactionInfo::TransactionId {
                        tx_hash: tx.get_hash(),
                        sender_account_id: "near".parse().unwrap(),
                    },
                wait_until: near_primitives::views::TxExecutionStatus::Final,
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        typed.final_execution_outcome,
        Some(
            near_primitives::views::FinalExecutionOutcomeViewEnum::FinalExecutionOutcomeWithReceipt(
                _
            )
        )
    ));
    let receipt_id = receipts[0]["id"].as_str().unwrap();
    let receipt = node
        .result("EXPERIMENTAL_receipt", json!({"receipt_id": receipt_id}))
        .await;
    assert_eq!(receipt["receipt_id"], receipt_id);
    assert_eq!(receipt["receiver_id"], "near");
}

#[tokio::test]
async fn async_broadcast_then_poll_and_wait_until_none() {
    let node = Node::start().await;
    let signer = node.validator();
    let nonce = node.nonce("test.near", &signer).await;
    let tx = sign(
        &signer,
        nonce + 1,
        "near",
        transfer(1),
        node.final_hash().await,
    );
    let hash = node
        .result("broadcast_tx_async", json!([base64(&tx)]))
        .await;
    assert_eq!(hash, json!(tx.get_hash().to_string()));
    let status = node
        .result("tx", json!({"tx_hash": tx.get_hash(), "sender_account_id": "test.near", "wait_until": "EXECUTED"}))
        .await;
    let level = status["final_execution_status"].as_str().unwrap();
    assert!(["EXECUTED", "FINAL"].contains(&level), "{level}");

    let tx2 = sign(
        &signer,
        nonce + 2,
        "near",
        transfer(1),
        node.final_hash().await,
    );
    let none = node
        .result(
            "send_tx",
            json!({"signed_tx_base64": base64(&tx2), "wait_until": "NONE"}),
        )
        .await;
    assert_eq!(none, json!({"final_execution_status": "NONE"}));
    let included = node
        .result(
            "send_tx",
            json!({"signed_tx_base64": base64(&tx2), "wait_until": "INCLUDED"}),
        )
        .await;
    assert_ne!(included["final_execution_status"], "NONE");

    // The typed client deserializes the response.
    let client = near_jsonrpc_client::JsonRpcClient::connect(&node.url);
    let tx3 = sign(
        &signer,
        nonce + 3,
        "near",
        transfer(1),
        node.final_hash().await,
    );
    let response = client
        .call(
            near_jsonrpc_client::methods::send_tx::RpcSendTransactionRequest {
                signed_transaction: tx3,
                wait_until: near_primitives::views::TxExecutionStatus::Final,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        response.final_execution_status,
        near_primitives::views::TxExecutionStatus::Final
    );
}

#[tokio::test]
async fn invalid_transactions_are_refused_precisely() {
    let node = Node::start().await;
    let signer = node.validator();
    let nonce = node.nonce("test.near", &signer).await;

    // Signed with another key, claiming the validator's.
    let other = InMemorySigner::from_secret_key(
        "test.near".parse().unwrap(),
        SecretKey::from_random(KeyType::ED25519),
    );
    let mut forged = sign(
        &signer,
        nonce + 1,
        "near",
        transfer(1),
        node.final_hash().await,
    );
    let (hash, _) = forged.transaction.get_hash_and_size();
    forged = near_primitives::transaction::SignedTransaction::new(
        other.sign(hash.as_ref()),
        forged.transaction,
    );
    let (status, error) = node
        .error("broadcast_tx_commit", json!([base64(&forged)]))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        error["data"],
        json!({"TxExecutionError": {"InvalidTxError": "InvalidSignature"}})
    );

    // An unknown block hash.
    let stale = sign(&signer, nonce + 1, "near", transfer(1), CryptoHash([7; 32]));
    let (_, error) = node
        .error(
            "send_tx",
            json!({"signed_tx_base64": base64(&stale), "wait_until": "FINAL"}),
        )
        .await;
    assert_eq!(
        error["data"],
        json!({"TxExecutionError": {"InvalidTxError": "Expired"}})
    );

    // A block hash more than `transaction_validity_period` (100) blocks old.
    let old_hash = node.final_hash().await;
    node.result("sandbox_fast_forward", json!({"delta_height": 150}))
        .await;
    let stale = sign(&signer, nonce + 1, "near", transfer(1), old_hash);
    let (_, error) = node
        .error("broadcast_tx_commit", json!([base64(&stale)]))
        .await;
    assert_eq!(
        error["data"],
        json!({"TxExecutionError": {"InvalidTxError": "Expired"}})
    );

    // An unknown signer.
    let ghost = InMemorySigner::from_secret_key(
        "ghost.near".parse().unwrap(),
        SecretKey::from_random(KeyType::ED25519),
    );
    let tx = sign(&ghost, 1, "near", transfer(1), node.final_hash().await);
    let (_, error) = node.error("broadcast_tx_async", json!([base64(&tx)])).await;
    assert_eq!(error["cause"]["name"], "INVALID_TRANSACTION", "{error}");

    // Still serving, and the validator can still transact.
    let ok = sign(
        &signer,
        nonce + 1,
        "near",
        transfer(1),
        node.final_hash().await,
    );
    node.result("broadcast_tx_commit", json!([base64(&ok)]))
        .await;
}

/// Five transactions of one key with consecutive nonces, broadcast at once, arrive in any order: each is
/// either executed or refused with `InvalidNonce`, and near-jsonrpc-client parses every answer into its typed
/// error (an earlier node answered one of them in a shape it could not read).
#[tokio::test]
async fn concurrent_broadcasts_of_one_key_get_typed_answers() {
    use near_jsonrpc_client::errors::{JsonRpcError, JsonRpcServerError};
    use near_jsonrpc_primitives::types::transactions::RpcTransactionError;
    use near_primitives::errors::InvalidTxError;

    let node = Node::start().await;
    let signer = node.validator();
    let nonce = node.nonce("test.near", &signer).await;
    let hash = node.final_hash().await;
    let client = near_jsonrpc_client::JsonRpcClient::connect(&node.url);
    let sends: Vec<_> = (1..=5u64)
        .rev()
        .map(|i| {
            let client = client.clone();
            let tx = sign(&signer, nonce + i, "near", transfer(1), hash);
            tokio::spawn(async move {
                let request =
                    near_jsonrpc_client::methods::broadcast_tx_commit::RpcBroadcastTxCommitRequest {
                        signed_transaction: tx,
                    };
                (nonce + i, client.call(request).await)
            })
        })
        .collect();
    let mut executed = Vec::new();
    for send in sends {
        match send.await.unwrap() {
            (n, Ok(outcome)) => {
                assert!(
                    matches!(
                        outcome.status,
                        near_primitives::views::FinalExecutionStatus::SuccessValue(_)
                    ),
                    "nonce {n}: {:?}",
                    outcome.status
                );
                executed.push(n);
            }
            (
                n,
                Err(JsonRpcError::ServerError(JsonRpcServerError::HandlerError(
                    RpcTransactionError::InvalidTransaction {
                        context: InvalidTxError::InvalidNonce { tx_nonce, ak_nonce },
                    },
                ))),
            ) => assert!(
                tx_nonce == n && ak_nonce >= n,
                "{n}: {tx_nonce} vs {ak_nonce}"
            ),
            (n, Err(other)) => panic!("nonce {n}: not a typed answer: {other:?}"),
        }
    }
    assert_eq!(
        node.nonce("test.near", &signer).await,
        *executed.iter().max().expect("at least one executed"),
        "the key's nonce is the highest executed one"
    );
    // And one certainly late: a nonce below the key's, with another transfer so it is a new transaction.
    let late = sign(&signer, nonce + 1, "near", transfer(2), hash);
    let request = near_jsonrpc_client::methods::broadcast_tx_commit::RpcBroadcastTxCommitRequest {
        signed_transaction: late,
    };
    match client.call(request).await {
        Err(JsonRpcError::ServerError(JsonRpcServerError::HandlerError(
            RpcTransactionError::InvalidTransaction {
                context: InvalidTxError::InvalidNonce { tx_nonce, ak_nonce },
            },
        ))) => assert_eq!((tx_nonce, ak_nonce), (nonce + 1, nonce + 5)),
        other => panic!("expected a typed InvalidNonce, got {other:?}"),
    }
}

/// A call of a method on an account without code: the receipt fails and its unused gas goes back in
/// a refund receipt, the last (here only) receipt its outcome lists. Returns the answer to
/// `broadcast_tx_commit` and the transaction.
async fn failed_call(
    node: &Node,
) -> (
    serde_json::Value,
    near_primitives::transaction::SignedTransaction,
) {
    let signer = node.validator();
    let nonce = node.nonce("test.near", &signer).await;
    let call = Action::FunctionCall(Box::new(near_primitives::action::FunctionCallAction {
        method_name: "missing".to_string(),
        args: Vec::new(),
        gas: near_primitives::types::Gas::from_teragas(100),
        deposit: Balance::ZERO,
    }));
    let tx = sign(
        &signer,
        nonce + 1,
        "near",
        vec![call],
        node.final_hash().await,
    );
    let answer = node
        .result("broadcast_tx_commit", json!([base64(&tx)]))
        .await;
    assert!(answer["status"]["Failure"].is_object(), "{answer}");
    (answer, tx)
}

/// The gas refund the failed receipt created, and whether the answer already has its outcome.
fn gas_refund_of(answer: &serde_json::Value) -> (String, bool) {
    let receipts = answer["receipts_outcome"].as_array().unwrap();
    let created = receipts[0]["outcome"]["receipt_ids"].as_array().unwrap();
    assert_eq!(created.len(), 1, "the gas refund: {answer}");
    let refund = created[0].as_str().unwrap().to_string();
    let ran = receipts.iter().any(|r| r["id"] == refund.as_str());
    (refund, ran)
}

async fn block_timestamp(node: &Node, hash: &serde_json::Value) -> u64 {
    node.result("block", json!({ "block_id": hash })).await["header"]["timestamp"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn answers_wait_for_refunds_unless_the_node_runs_with_neards_timing() {
    // Default: the answer comes after the refund has run, so a balance read after it is settled.
    let node = Node::start().await;
    let (answer, _) = failed_call(&node).await;
    let (_, ran) = gas_refund_of(&answer);
    assert!(ran, "the refund ran before the answer: {answer}");

    // neard's timing: the answer comes when every receipt but the last of each outcome (the refund)
    // has run (EXECUTED_OPTIMISTIC), and the refund lands in the next block, as on neard.
    let node = Node::start_with_env(&[("NEXUS_SANDBOX_NEARD_TIMING_MS", "300")]).await;
    let (answer, tx) = failed_call(&node).await;
    assert_eq!(
        answer["final_execution_status"], "EXECUTED_OPTIMISTIC",
        "{answer}"
    );
    let (refund, ran) = gas_refund_of(&answer);
    assert!(!ran, "neard answers before the refund runs: {answer}");
    let final_answer = node
        .result(
            "tx",
            json!({"tx_hash": tx.get_hash(), "sender_account_id": "test.near", "wait_until": "FINAL"}),
        )
        .await;
    let receipts = final_answer["receipts_outcome"].as_array().unwrap();
    let refund_outcome = receipts
        .iter()
        .find(|r| r["id"] == refund.as_str())
        .unwrap_or_else(|| panic!("by FINAL the refund has run: {final_answer}"));
    // And the blocks were spaced: the refund's block came at least 300 ms after the failed receipt's.
    let failed_at = block_timestamp(&node, &receipts[0]["block_hash"]).await;
    let refunded_at = block_timestamp(&node, &refund_outcome["block_hash"]).await;
    assert!(
        refunded_at >= failed_at + 300_000_000,
        "blocks at least 300 ms apart: {failed_at} then {refunded_at}"
    );
}
