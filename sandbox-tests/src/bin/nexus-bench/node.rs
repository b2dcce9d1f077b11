//! Benchmark of a NEAR node binary (ours by default, any through NEAR_SANDBOX_BIN_PATH), printed as a
//! table: start-up to the first `GET /status` answer, median `broadcast_tx_commit` latency of a transfer
//! and of a function call with a callback, resident memory after 1,000 transactions, transactions per
//! second. Numbers, not assertions: `nexus-bench node` (see main.rs).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use near_crypto::{InMemorySigner, Signer};
use near_jsonrpc_client::{JsonRpcClient, methods};
use near_jsonrpc_primitives::types::query::QueryResponseKind;
use near_primitives::action::{
    Action, CreateAccountAction, DeployContractAction, FunctionCallAction, TransferAction,
};
use near_primitives::hash::CryptoHash;
use near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
use near_primitives::types::{AccountId, BlockReference, Finality};
use near_primitives::views::{FinalExecutionStatus, QueryRequest, TxExecutionStatus};
use sandbox_tests::wasm;

const STARTS: usize = 5;
const SAMPLES: usize = 100;
const LOAD_TXS: usize = 1000;

struct Node {
    child: Child,
    rpc: String,
    home: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> Result<PathBuf> {
    let bin = std::env::var_os("NEAR_SANDBOX_BIN_PATH")
        .map(PathBuf::from)
        .context("NEAR_SANDBOX_BIN_PATH unset")?;
    anyhow::ensure!(
        bin.is_file(),
        "{} is not a file; run scripts/build.sh",
        bin.display()
    );
    Ok(bin)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Initialises a home and starts the node; returns it with the time until `GET /status` answered 2xx.
async fn start(bin: &Path) -> Result<(Node, Duration)> {
    let home = tempfile::tempdir()?;
    let status = Command::new(bin)
        .arg("--home")
        .arg(home.path())
        .args(["init", "--fast"])
        .stdout(Stdio::null())
        .status()?;
    anyhow::ensure!(status.success(), "init failed");
    let (port, net) = (free_port()?, free_port()?);
    let started = Instant::now();
    let child = Command::new(bin)
        .arg("--home")
        .arg(home.path())
        .args([
            "run",
            "--rpc-addr",
            &format!("127.0.0.1:{port}"),
            "--network-addr",
            &format!("127.0.0.1:{net}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let rpc = format!("http://127.0.0.1:{port}");
    let node = Node {
        child,
        rpc: rpc.clone(),
        home,
    };
    let http = reqwest_lite::Client::new();
    loop {
        if http.status_ok(&format!("127.0.0.1:{port}")) {
            return Ok((node, started.elapsed()));
        }
        if started.elapsed() > Duration::from_secs(20) {
            bail!("node did not answer /status within 20 s");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A minimal blocking HTTP probe (std only) so start-up timing has no client warm-up cost in it.
mod reqwest_lite {
    use std::io::{Read, Write};
    pub struct Client;
    impl Client {
        pub fn new() -> Self {
            Client
        }
        pub fn status_ok(&self, addr: &str) -> bool {
            let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
                return false;
            };
            let request =
                format!("GET /status HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            if stream.write_all(request.as_bytes()).is_err() {
                return false;
            }
            let mut head = [0u8; 12];
            stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 2")
        }
    }
}

struct Sender {
    client: JsonRpcClient,
    signer: Signer,
    account: AccountId,
    nonce: u64,
}

impl Sender {
    async fn new(node: &Node) -> Result<Self> {
        let signer = InMemorySigner::from_file(&node.home.path().join("validator_key.json"))?;
        let account = signer.get_account_id();
        let client = JsonRpcClient::connect(&node.rpc);
        let key = client
            .call(methods::query::RpcQueryRequest {
                block_reference: BlockReference::Finality(Finality::None),
                request: QueryRequest::ViewAccessKey {
                    account_id: account.clone(),
                    public_key: signer.public_key(),
                },
            })
            .await?;
        let QueryResponseKind::AccessKey(key) = key.kind else {
            bail!("unexpected query answer")
        };
        Ok(Self {
            client,
            signer,
            account,
            nonce: key.nonce,
        })
    }

    async fn block_hash(&self) -> Result<CryptoHash> {
        let block = self
            .client
            .call(methods::block::RpcBlockRequest {
                block_reference: BlockReference::Finality(Finality::None),
            })
            .await?;
        Ok(block.header.hash)
    }

    fn sign(
        &mut self,
        receiver: &AccountId,
        actions: Vec<Action>,
        block_hash: CryptoHash,
    ) -> SignedTransaction {
        self.nonce += 1;
        let tx = Transaction::V0(TransactionV0 {
            signer_id: self.account.clone(),
            public_key: self.signer.public_key(),
            nonce: self.nonce,
            receiver_id: receiver.clone(),
            block_hash,
            actions,
        });
        let (hash, _) = tx.get_hash_and_size();
        SignedTransaction::new(self.signer.sign(hash.as_ref()), tx)
    }

    /// Sends with `broadcast_tx_commit`; returns the latency, failing on a failed outcome.
    async fn commit(&mut self, receiver: &AccountId, actions: Vec<Action>) -> Result<Duration> {
        let block_hash = self.block_hash().await?;
        let signed_transaction = self.sign(receiver, actions, block_hash);
        let started = Instant::now();
        let outcome = self
            .client
            .call(methods::broadcast_tx_commit::RpcBroadcastTxCommitRequest { signed_transaction })
            .await?;
        let elapsed = started.elapsed();
        if let FinalExecutionStatus::Failure(err) = outcome.status {
            bail!("transaction failed: {err:?}");
        }
        Ok(elapsed)
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS")
}

fn call(method: &str, args: serde_json::Value, gas_tgas: u64) -> Action {
    Action::FunctionCall(Box::new(FunctionCallAction {
        method_name: method.into(),
        args: args.to_string().into_bytes(),
        gas: near_primitives::gas::Gas::from_teragas(gas_tgas),
        deposit: near_primitives::types::Balance::from_yoctonear(0),
    }))
}

pub async fn run() -> Result<()> {
    let bin = binary()?;
    let mut starts = Vec::new();
    for _ in 0..STARTS {
        let (_node, took) = start(&bin).await?;
        starts.push(took);
    }
    let (node, _) = start(&bin).await?;
    let mut sender = Sender::new(&node)
        .await
        .context("reading the validator key")?;
    let root = sender.account.clone();
    let near = |n: u128| near_primitives::types::Balance::from_near(n);

    // Contracts for the function-call sample: status-message and cross-caller.
    let deploy = |name: &str, code: Vec<u8>| -> (AccountId, Vec<Action>) {
        let id: AccountId = format!("{name}.{root}").parse().expect("valid id");
        let actions = vec![
            Action::CreateAccount(CreateAccountAction {}),
            Action::Transfer(TransferAction { deposit: near(50) }),
            Action::DeployContract(DeployContractAction { code }),
        ];
        (id, actions)
    };
    let (status_id, actions) = deploy("status", wasm("status-message"));
    sender.commit(&status_id, actions).await?;
    sender
        .commit(&status_id, vec![call("new", serde_json::json!({}), 10)])
        .await?;
    let (caller_id, actions) = deploy("caller", wasm("cross-caller"));
    sender
        .commit(&caller_id, actions)
        .await
        .context("deploying cross-caller")?;

    let receiver: AccountId = format!("bench.{root}").parse()?;
    sender
        .commit(
            &receiver,
            vec![
                Action::CreateAccount(CreateAccountAction {}),
                Action::Transfer(TransferAction { deposit: near(1) }),
            ],
        )
        .await?;

    let mut transfers = Vec::new();
    for _ in 0..SAMPLES {
        transfers.push(
            sender
                .commit(
                    &receiver,
                    vec![Action::Transfer(TransferAction {
                        deposit: near_primitives::types::Balance::from_yoctonear(1),
                    })],
                )
                .await?,
        );
    }
    let mut callbacks = Vec::new();
    for i in 0..SAMPLES {
        let args = serde_json::json!({ "receiver": status_id, "method": "set_status", "args": format!("{{\"message\":\"m{i}\"}}") });
        callbacks.push(
            sender
                .commit(&caller_id, vec![call("call_then", args, 100)])
                .await?,
        );
    }

    // Throughput: LOAD_TXS transfers with send_tx (wait_until NONE), then wait until the last one has
    // executed. The node makes blocks as fast as work arrives, so a stream of transactions moves the
    // head quickly: re-read the block hash every BATCH transactions to stay inside the validity window.
    const BATCH: usize = 20;
    let started = Instant::now();
    let mut last = CryptoHash::default();
    for batch in 0..LOAD_TXS / BATCH {
        let block_hash = sender
            .block_hash()
            .await
            .with_context(|| format!("block hash, batch {batch}"))?;
        for _ in 0..BATCH {
            let signed_transaction = sender.sign(
                &receiver,
                vec![Action::Transfer(TransferAction {
                    deposit: near_primitives::types::Balance::from_yoctonear(1),
                })],
                block_hash,
            );
            last = signed_transaction.get_hash();
            sender
                .client
                .call(methods::send_tx::RpcSendTransactionRequest {
                    signed_transaction,
                    wait_until: TxExecutionStatus::None,
                })
                .await
                .with_context(|| format!("send_tx without waiting, batch {batch}"))?;
        }
    }
    loop {
        let status = sender
            .client
            .call(methods::tx::RpcTransactionStatusRequest {
                transaction_info: methods::tx::TransactionInfo::TransactionId {
                    tx_hash: last,
                    sender_account_id: root.clone(),
                },
                wait_until: TxExecutionStatus::ExecutedOptimistic,
            })
            .await;
        if matches!(status, Ok(ref s) if s.final_execution_outcome.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let load = started.elapsed();
    let rss = rss_kib(node.child.id())?;

    println!("| metric | value | target |");
    println!("|---|---|---|");
    println!(
        "| start-up to first `GET /status` (median of {STARTS}) | {:.1} ms | ≤ 150 ms |",
        median(starts).as_secs_f64() * 1e3
    );
    println!(
        "| `broadcast_tx_commit` transfer (median of {SAMPLES}) | {:.2} ms | ≤ 15 ms |",
        median(transfers).as_secs_f64() * 1e3
    );
    println!(
        "| `broadcast_tx_commit` call + callback (median of {SAMPLES}) | {:.2} ms | ≤ 15 ms |",
        median(callbacks).as_secs_f64() * 1e3
    );
    println!(
        "| resident memory after {} transactions | {:.1} MiB | |",
        LOAD_TXS + 2 * SAMPLES + 5,
        rss as f64 / 1024.0
    );
    println!(
        "| throughput, {LOAD_TXS} transfers sent without waiting | {:.0} tx/s | |",
        LOAD_TXS as f64 / load.as_secs_f64()
    );
    println!("\nnode: {}", bin.display());
    Ok(())
}
