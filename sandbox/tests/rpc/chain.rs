//! Node and chain info, queries, finality, fast-forward and state patches over JSON-RPC, with
//! near-jsonrpc-client's typed views where clients use them.

use crate::common::Node;
use near_jsonrpc_client::{JsonRpcClient, methods};
use near_primitives::types::{BlockReference, EpochReference, Finality};
use serde_json::json;

#[tokio::test]
async fn http_endpoints_and_typed_views_deserialize() {
    let node = Node::start().await;
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/status", node.url))
        .header("Origin", "http://x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let status: serde_json::Value = r.json().await.unwrap();
    assert!(
        status["chain_id"]
            .as_str()
            .unwrap()
            .starts_with("test-chain-")
    );
    assert_eq!(
        http.head(format!("{}/status", node.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        http.get(format!("{}/health", node.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        node.result("health", json!([])).await,
        serde_json::Value::Null
    );

    let client = JsonRpcClient::connect(&node.url);
    let status = client
        .call(methods::status::RpcStatusRequest)
        .await
        .unwrap();
    assert_eq!(status.validator_account_id.unwrap().as_str(), "test.near");
    assert!(!status.sync_info.syncing);
    let block = client
        .call(methods::block::RpcBlockRequest {
            block_reference: BlockReference::Finality(Finality::Final),
        })
        .await
        .unwrap();
    assert_eq!(block.chunks.len(), 1);
    assert_eq!(block.header.gas_price.as_yoctonear(), 100_000_000);
    let validators = client
        .call(methods::validators::RpcValidatorRequest {
            epoch_reference: EpochReference::Latest,
        })
        .await
        .unwrap();
    assert_eq!(
        validators.current_validators[0].account_id.as_str(),
        "test.near"
    );
    assert_eq!(validators.epoch_height, 1);
    let config = client
        .call(
            methods::EXPERIMENTAL_protocol_config::RpcProtocolConfigRequest {
                block_reference: BlockReference::Finality(Finality::Final),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        config.protocol_version,
        near_primitives::version::PROTOCOL_VERSION
    );
    assert_eq!(
        config.runtime_config.storage_amount_per_byte.as_yoctonear(),
        10u128.pow(19)
    );
    client
        .call(methods::EXPERIMENTAL_genesis_config::RpcGenesisConfigRequest)
        .await
        .unwrap();
    let price = client
        .call(methods::gas_price::RpcGasPriceRequest { block_id: None })
        .await
        .unwrap();
    assert_eq!(price.gas_price.as_yoctonear(), 100_000_000);
    let chunk_hash = block.chunks[0].chunk_hash;
    let chunk = client
        .call(methods::chunk::RpcChunkRequest {
            chunk_reference: near_jsonrpc_primitives::types::chunks::ChunkReference::ChunkHash {
                chunk_id: chunk_hash,
            },
        })
        .await
        .unwrap();
    assert_eq!(chunk.header.chunk_hash, chunk_hash);
    let ordered = client
        .call(
            methods::EXPERIMENTAL_validators_ordered::RpcValidatorsOrderedRequest {
                block_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(ordered.len(), 1);
    let network = client
        .call(methods::network_info::RpcNetworkInfoRequest)
        .await
        .unwrap();
    assert_eq!(network.num_active_peers, 0);
    // Positional forms.
    node.result("block", json!([0])).await;
    node.result("gas_price", json!([null])).await;
    node.result("validators", json!([null])).await;
    node.result("chunk", json!([[0, 0]])).await;
}

#[tokio::test]
async fn queries_and_their_exact_errors() {
    let node = Node::start().await;
    let at = |extra: serde_json::Value| {
        let mut params = json!({"finality": "final"});
        params
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        params
    };
    let account = node
        .result(
            "query",
            at(json!({"request_type": "view_account", "account_id": "test.near"})),
        )
        .await;
    assert!(
        account["block_height"].is_u64() && account["block_hash"].is_string(),
        "{account}"
    );
    assert_eq!(account["code_hash"], "11111111111111111111111111111111");

    let (status, error) = node
        .error(
            "query",
            at(json!({"request_type": "view_account", "account_id": "nobody.near"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(error["cause"]["name"], "UNKNOWN_ACCOUNT");
    assert_eq!(
        error["cause"]["info"]["requested_account_id"],
        "nobody.near"
    );
    assert_eq!(
        error["data"],
        "account nobody.near does not exist while viewing"
    );

    // Legacy success-shaped error for an unknown key.
    let key = "ed25519:6E8sCci9badyRkXb3JoRpBj5p8C6Tw41ELDZoiihKEtp";
    let result = node
        .result("query", at(json!({"request_type": "view_access_key", "account_id": "test.near", "public_key": key})))
        .await;
    assert_eq!(
        result["error"],
        format!("access key {key} does not exist while viewing")
    );
    assert_eq!(result["logs"], json!([]));
    assert!(result["block_height"].is_u64());

    let list = node
        .result(
            "query",
            at(json!({"request_type": "view_access_key_list", "account_id": "test.near"})),
        )
        .await;
    assert_eq!(list["keys"].as_array().unwrap().len(), 1);
    assert_eq!(list["keys"][0]["access_key"]["permission"], "FullAccess");

    let (_, error) = node
        .error(
            "query",
            at(json!({"request_type": "view_code", "account_id": "test.near"})),
        )
        .await;
    assert_eq!(error["cause"]["name"], "NO_CONTRACT_CODE");

    let state = node
        .result("query", at(json!({"request_type": "view_state", "account_id": "test.near", "prefix_base64": ""})))
        .await;
    assert_eq!(state["values"], json!([]));

    // neard's legacy `[path, data]` form.
    let legacy = node.result("query", json!(["account/test.near", ""])).await;
    assert_eq!(legacy["code_hash"], "11111111111111111111111111111111");
    let keys = node
        .result("query", json!(["access_key/test.near", ""]))
        .await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    let (status, _) = node.error("query", json!(["nonsense/x", ""])).await;
    assert_eq!(status, 400);

    // A view call on an account without code: the legacy shape with the VM error.
    let result = node
        .result(
            "query",
            at(json!({"request_type": "call_function", "account_id": "test.near", "method_name": "x", "args_base64": ""})),
        )
        .await;
    let message = result["error"].as_str().unwrap();
    assert!(
        message.starts_with("wasm execution failed with error: "),
        "{message}"
    );
    assert!(message.contains("CodeDoesNotExist"), "{message}");
}

#[tokio::test]
async fn fast_forward_moves_height_time_and_epochs() {
    let node = Node::start().await;
    let client = JsonRpcClient::connect(&node.url);
    let before = node
        .result("block", json!({"finality": "optimistic"}))
        .await;
    let start = before["header"]["height"].as_u64().unwrap();
    let start_ts = before["header"]["timestamp"].as_u64().unwrap();

    // A concurrent second call is refused while the first runs.
    let first = node.call("sandbox_fast_forward", json!({"delta_height": 1000}));
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        node.call("sandbox_fast_forward", json!({"delta_height": 5}))
            .await
    };
    let ((s1, b1), (s2, b2)) = tokio::join!(first, second);
    assert_eq!(s1, 200, "{b1}");
    assert_eq!(b1["result"], json!({}));
    if s2 != 200 {
        assert_eq!(s2, 500, "{b2}");
        assert!(
            b2["error"]["data"]
                .to_string()
                .contains("Consecutive fast_forward requests"),
            "{b2}"
        );
    }

    let after = node
        .result("block", json!({"finality": "optimistic"}))
        .await;
    let height = after["header"]["height"].as_u64().unwrap();
    assert!(height >= start + 1000, "{start} -> {height}");
    // 1000 heights at ~310 ms each.
    let advanced_ns = after["header"]["timestamp"].as_u64().unwrap() - start_ts;
    assert!(advanced_ns >= 1000 * 310_000_000, "{advanced_ns}");
    let validators = client
        .call(methods::validators::RpcValidatorRequest {
            epoch_reference: EpochReference::Latest,
        })
        .await
        .unwrap();
    let crossed = validators.epoch_height - 1;
    assert!(
        (1000 / 60 - 1..=1000 / 60 + 1).contains(&crossed),
        "{crossed}"
    );

    // A skipped height is a past unknown block: 422.
    let (status, error) = node.error("block", json!({"block_id": start + 500})).await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["cause"]["name"], "UNKNOWN_BLOCK");
    let (status, _) = node
        .error(
            "query",
            json!({"block_id": start + 500, "request_type": "view_account", "account_id": "near"}),
        )
        .await;
    assert_eq!(status, 422);

    // Finality catches up with the jump.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let final_height = node.result("block", json!({"finality": "final"})).await["header"]["height"]
        .as_u64()
        .unwrap();
    assert!(final_height >= start + 1000, "{final_height}");
}

#[tokio::test]
async fn patch_state_is_applied_in_the_next_block() {
    let node = Node::start().await;
    let records = json!([
        {"Account": {"account_id": "patched.test.near", "account": {
            "amount": "5000000000000000000000000", "locked": "0",
            "code_hash": "11111111111111111111111111111111", "storage_usage": 182,
            "storage_paid_at": 0}}},
        {"AccessKey": {"account_id": "patched.test.near",
            "public_key": "ed25519:5BGSaf6YjVm7565VzWQHNxoyEjwr3jUpRJSGjREvU9dB",
            "access_key": {"nonce": 0, "permission": "FullAccess"}}},
        {"Data": {"account_id": "patched.test.near", "data_key": "a2V5", "value": "dmFsdWU="}}
    ]);
    // near-workspaces sends the same patch twice.
    assert_eq!(
        node.result("sandbox_patch_state", json!({"records": records}))
            .await,
        json!({})
    );
    assert_eq!(
        node.result("sandbox_patch_state", json!({"records": records}))
            .await,
        json!({})
    );
    let account = node
        .result("query", json!({"finality": "optimistic", "request_type": "view_account", "account_id": "patched.test.near"}))
        .await;
    assert_eq!(account["amount"], "5000000000000000000000000");
    assert_eq!(account["storage_usage"], 182);
    let state = node
        .result(
            "query",
            json!({"finality": "optimistic", "request_type": "view_state",
                                 "account_id": "patched.test.near", "prefix_base64": ""}),
        )
        .await;
    assert_eq!(
        state["values"],
        json!([{"key": "a2V5", "value": "dmFsdWU="}])
    );
    // Visible at `final` shortly after.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    node.result("query", json!({"finality": "final", "request_type": "view_account", "account_id": "patched.test.near"}))
        .await;

    // A Contract record whose hash differs from the account's code_hash is an error, not a crash.
    let bad = json!([{"Contract": {"account_id": "patched.test.near", "code": "AGFzbQEAAAA="}}]);
    let (status, error) = node
        .error("sandbox_patch_state", json!({"records": bad}))
        .await;
    assert_eq!(status, 500, "{error}");
    node.result("status", json!([])).await;
}

#[tokio::test]
async fn near_sandbox_genesis_accounts_exist_with_recomputed_storage() {
    let node = Node::start().await;
    for account in ["sandbox", "clone", "registrar", "test.near", "near"] {
        let view = node
            .result(
                "query",
                json!({"finality": "final", "request_type": "view_account", "account_id": account}),
            )
            .await;
        assert_eq!(view["storage_usage"], 182, "{account}: {view}");
    }
}

#[tokio::test]
async fn blocks_come_on_demand_and_an_idle_chain_still_ticks() {
    let node = Node::start().await;
    // Idle: about one empty block per second, and finality trails the head by two blocks.
    let h0 = node.head_height().await;
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    let h1 = node.head_height().await;
    assert!((1..=4).contains(&(h1 - h0)), "{h0} -> {h1}");
    let head = node
        .result("block", json!({"finality": "optimistic"}))
        .await;
    let near_final = node
        .result("block", json!({"finality": "near-final"}))
        .await;
    let fin = node.result("block", json!({"finality": "final"})).await;
    let height = |b: &serde_json::Value| b["header"]["height"].as_u64().unwrap();
    if height(&head) >= 2 {
        assert_eq!(height(&near_final), height(&head) - 1);
        assert_eq!(height(&fin), height(&head) - 2);
        assert_eq!(head["header"]["last_final_block"], fin["header"]["hash"]);
    }

    // Work is produced at once and made final without waiting for idle ticks.
    let signer = node.validator();
    let nonce = node.nonce("test.near", &signer).await;
    let tx = crate::common::sign(
        &signer,
        nonce + 1,
        "near",
        vec![near_primitives::action::Action::Transfer(
            near_primitives::action::TransferAction {
                deposit: near_primitives::types::Balance::from_yoctonear(1),
            },
        )],
        node.final_hash().await,
    );
    let started = std::time::Instant::now();
    let result = node
        .result(
            "send_tx",
            json!({"signed_tx_base64": crate::common::base64(&tx), "wait_until": "FINAL"}),
        )
        .await;
    assert_eq!(result["final_execution_status"], "FINAL");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}
