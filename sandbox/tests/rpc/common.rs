//! A node started from the built binary exactly as near-sandbox does (`init --fast`, then `run`
//! on a free loopback port), and helpers to talk to it.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use near_crypto::{KeyFile, Signer};
use near_primitives::action::Action;
use near_primitives::hash::CryptoHash;
use near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
use near_primitives::types::AccountId;
use serde_json::{Value, json};

pub struct Node {
    pub home: tempfile::TempDir,
    pub url: String,
    child: Child,
    http: reqwest::Client,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_nexus-sandbox")
}

/// `init --fast`, then the edits near-sandbox 0.4 makes before `run`: the config merge-patch
/// (payload limit, max open files) and the genesis accounts `sandbox`, `clone` and `registrar`
/// (10 000 NEAR each, storage 182, the well-known key) added to `records` and `total_supply`.
pub fn init_home(home: &Path) {
    let status = Command::new(bin())
        .args(["--home", home.to_str().unwrap(), "init", "--fast"])
        .status()
        .unwrap();
    assert!(status.success());

    let config_path = home.join("config.json");
    let mut config: Value =
        serde_json::from_str(&std::fs::read_to_string(&config_path).unwrap()).unwrap();
    config["rpc"]["limits_config"]["json_payload_max_size"] = json!(1024 * 1024 * 1024);
    config["store"]["max_open_files"] = json!(3000);
    std::fs::write(&config_path, config.to_string()).unwrap();

    let genesis_path = home.join("genesis.json");
    let mut genesis: Value =
        serde_json::from_str(&std::fs::read_to_string(&genesis_path).unwrap()).unwrap();
    let balance: u128 = 10_000 * 10u128.pow(24);
    let mut total: u128 = genesis["total_supply"].as_str().unwrap().parse().unwrap();
    for account in ["sandbox", "clone", "registrar"] {
        total += balance;
        let records = genesis["records"].as_array_mut().unwrap();
        records.push(json!({"Account": {"account_id": account, "account": {
            "amount": balance.to_string(), "locked": "0",
            "code_hash": "11111111111111111111111111111111", "storage_usage": 182}}}));
        records.push(json!({"AccessKey": {"account_id": account,
            "public_key": "ed25519:5BGSaf6YjVm7565VzWQHNxoyEjwr3jUpRJSGjREvU9dB",
            "access_key": {"nonce": 0, "permission": "FullAccess"}}}));
    }
    genesis["total_supply"] = json!(total.to_string());
    std::fs::write(&genesis_path, genesis.to_string()).unwrap();
}

impl Node {
    pub async fn start() -> Self {
        Self::start_with_env(&[]).await
    }

    /// A fresh node whose `run` gets these environment variables.
    pub async fn start_with_env(env: &[(&str, &str)]) -> Self {
        let home = tempfile::tempdir().unwrap();
        init_home(home.path());
        Self::run_with_env(home, env).await
    }

    pub async fn run(home: tempfile::TempDir) -> Self {
        Self::run_with_env(home, &[]).await
    }

    async fn run_with_env(home: tempfile::TempDir, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = Command::new(bin())
            .envs(env.iter().copied())
            .args([
                "--home",
                home.path().to_str().unwrap(),
                "run",
                "--rpc-addr",
                &format!("127.0.0.1:{port}"),
                "--network-addr",
                &format!("127.0.0.1:{}", free_port()),
            ])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let node = Self {
            home,
            url: format!("http://127.0.0.1:{port}"),
            child,
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = node.http.get(format!("{}/status", node.url)).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "node did not answer GET /status");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        node
    }

    /// POSTs a raw body; returns the HTTP status and the JSON body.
    pub async fn post_raw(&self, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let response = self
            .http
            .post(&self.url)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn call(&self, method: &str, params: Value) -> (u16, Value) {
        let body = json!({"jsonrpc": "2.0", "id": "dontcare", "method": method, "params": params});
        self.post_raw(body.to_string()).await
    }

    /// A successful call's `result`.
    pub async fn result(&self, method: &str, params: Value) -> Value {
        let (status, body) = self.call(method, params.clone()).await;
        assert_eq!(status, 200, "{method} {params}: {body}");
        assert!(body.get("error").is_none(), "{method} {params}: {body}");
        body["result"].clone()
    }

    /// A failed call's HTTP status and `error`.
    pub async fn error(&self, method: &str, params: Value) -> (u16, Value) {
        let (status, body) = self.call(method, params.clone()).await;
        assert!(
            body.get("error").is_some(),
            "{method} {params}: expected an error, got {body}"
        );
        (status, body["error"].clone())
    }

    pub fn validator(&self) -> Signer {
        let key = KeyFile::from_file(&self.home.path().join("validator_key.json")).unwrap();
        near_crypto::InMemorySigner::from_secret_key(key.account_id, key.secret_key)
    }

    pub async fn head_height(&self) -> u64 {
        self.result("block", json!({"finality": "optimistic"}))
            .await["header"]["height"]
            .as_u64()
            .unwrap()
    }

    pub async fn final_hash(&self) -> CryptoHash {
        let block = self.result("block", json!({"finality": "final"})).await;
        block["header"]["hash"].as_str().unwrap().parse().unwrap()
    }

    pub async fn nonce(&self, account: &str, signer: &Signer) -> u64 {
        let key = self
            .result(
                "query",
                json!({"request_type": "view_access_key", "finality": "optimistic",
                       "account_id": account, "public_key": signer.public_key()}),
            )
            .await;
        key["nonce"].as_u64().unwrap()
    }
}

pub fn sign(
    signer: &Signer,
    nonce: u64,
    receiver: &str,
    actions: Vec<Action>,
    block_hash: CryptoHash,
) -> SignedTransaction {
    let transaction = Transaction::V0(TransactionV0 {
        signer_id: signer.get_account_id(),
        public_key: signer.public_key(),
        nonce,
        receiver_id: receiver.parse::<AccountId>().unwrap(),
        block_hash,
        actions,
    });
    let (hash, _) = transaction.get_hash_and_size();
    SignedTransaction::new(signer.sign(hash.as_ref()), transaction)
}

pub fn base64(tx: &SignedTransaction) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(tx).unwrap())
}
