//! Malformed requests get neard's exact errors and HTTP codes, and the node keeps serving.

use crate::common::Node;
use serde_json::json;

#[tokio::test]
async fn malformed_requests_get_precise_errors_and_the_node_keeps_serving() {
    let node = Node::start().await;

    // Not JSON at all.
    let (status, body) = node.post_raw("{not json").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["name"], "REQUEST_VALIDATION_ERROR");
    assert_eq!(body["error"]["cause"]["name"], "PARSE_ERROR");
    assert_eq!(body["error"]["code"], -32700);
    assert_eq!(body["id"], serde_json::Value::Null);

    // JSON, but not a JSON-RPC request.
    let (status, body) = node.post_raw(r#"{"hello": 1, "id": 7}"#).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["cause"]["name"], "PARSE_ERROR");

    // Unknown method.
    let (status, body) = node.call("no_such_method", json!([])).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"jsonrpc": "2.0", "id": "dontcare", "error": {
            "name": "REQUEST_VALIDATION_ERROR",
            "cause": {"name": "METHOD_NOT_FOUND", "info": {"method_name": "no_such_method"}},
            "code": -32601, "message": "Method not found", "data": "no_such_method"}})
    );

    // Wrong params.
    let (status, error) = node.error("block", json!({"finality": "soon"})).await;
    assert_eq!(status, 400);
    assert_eq!(error["cause"]["name"], "PARSE_ERROR");
    assert!(
        error["data"]
            .as_str()
            .unwrap()
            .starts_with("Failed parsing args: "),
        "{error}"
    );
    let (status, error) = node
        .error("query", json!({"finality": "final", "account_id": "near"}))
        .await;
    assert_eq!(status, 400, "{error}");
    let (status, error) = node
        .error("EXPERIMENTAL_receipt", json!({"receipt": 1}))
        .await;
    assert_eq!(status, 400, "{error}");

    // Bad base64, bad borsh.
    let (status, error) = node.error("broadcast_tx_async", json!(["%%%"])).await;
    assert_eq!(status, 400);
    assert!(
        error["data"]
            .as_str()
            .unwrap()
            .starts_with("Failed to decode transaction: "),
        "{error}"
    );
    let (status, error) = node.error("broadcast_tx_commit", json!(["AAAA"])).await;
    assert_eq!(status, 400);
    assert_eq!(error["cause"]["name"], "PARSE_ERROR");
    let (status, error) = node
        .error(
            "send_tx",
            json!({"signed_tx_base64": "AAAA", "wait_until": "FINAL"}),
        )
        .await;
    assert_eq!(status, 400, "{error}");

    // Unknown transaction: at once, a handler error.
    let hash = "11111111111111111111111111111111";
    let (status, error) = node
        .error(
            "tx",
            json!({"tx_hash": hash, "sender_account_id": "near", "wait_until": "FINAL"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(error["name"], "HANDLER_ERROR");
    assert_eq!(error["cause"]["name"], "UNKNOWN_TRANSACTION");
    assert_eq!(error["cause"]["info"]["requested_transaction_hash"], hash);

    // Unknown receipt.
    let (status, error) = node
        .error("EXPERIMENTAL_receipt", json!({"receipt_id": hash}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(error["cause"]["name"], "UNKNOWN_RECEIPT");

    // Unknown block: a future height is a handler error (200).
    let (status, error) = node
        .error("block", json!({"block_id": 1_000_000_000}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(error["cause"]["name"], "UNKNOWN_BLOCK");
    assert_eq!(
        error["data"],
        "DB Not Found Error: BLOCK HEIGHT: 1000000000 \n Cause: Unknown"
    );

    // Still serving.
    let status = node.result("status", json!([])).await;
    assert!(
        status["sync_info"]["latest_block_height"]
            .as_u64()
            .is_some()
    );
}

#[tokio::test]
async fn payload_limit_is_honoured() {
    let home = tempfile::tempdir().unwrap();
    crate::common::init_home(home.path());
    let path = home.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["rpc"]["limits_config"]["json_payload_max_size"] = json!(1000);
    std::fs::write(&path, config.to_string()).unwrap();
    let node = Node::run(home).await;
    let big = json!({"jsonrpc": "2.0", "id": 1, "method": "status", "params": ["x".repeat(2000)]});
    let (status, body) = node.post_raw(big.to_string()).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["cause"]["name"], "PARSE_ERROR");
    node.result("status", json!([])).await;
}

#[test]
fn run_fails_clearly_on_bad_config_and_busy_port() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(crate::common::bin())
        .args(["--home", home.path().to_str().unwrap(), "run"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("config.json"),
        "{out:?}"
    );

    crate::common::init_home(home.path());
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let out = std::process::Command::new(crate::common::bin())
        .args([
            "--home",
            home.path().to_str().unwrap(),
            "run",
            "--rpc-addr",
            &addr,
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot bind"),
        "{out:?}"
    );

    // A mainnet genesis is refused.
    let path = home.path().join("genesis.json");
    let mut genesis: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    genesis["chain_id"] = json!("mainnet");
    std::fs::write(&path, genesis.to_string()).unwrap();
    let out = std::process::Command::new(crate::common::bin())
        .args([
            "--home",
            home.path().to_str().unwrap(),
            "run",
            "--rpc-addr",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("mainnet"),
        "{out:?}"
    );
}
