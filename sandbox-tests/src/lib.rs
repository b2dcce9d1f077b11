//! Shared fixtures for the end-to-end tests: the node to run, the contract wasm files, and helpers
//! that assert on outcomes. Tests start one sandbox per test (near-workspaces spawns a fresh node).
//!
//! The node is whatever `NEAR_SANDBOX_BIN_PATH` names. `.cargo/config.toml` defaults it to the
//! project's own node (`target/debug/nexus-sandbox`); export it to run against an official binary.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use near_workspaces::result::ExecutionFinalResult;
use near_workspaces::{Account, Contract, Worker, network::Sandbox};

/// The repository root (this crate lives in `<root>/sandbox-tests`).
pub fn repo_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("sandbox-tests has a parent")
            .to_path_buf()
    })
}

/// Starts a fresh sandbox node and returns a worker connected to it.
pub async fn sandbox() -> anyhow::Result<Worker<Sandbox>> {
    let bin = std::env::var_os("NEAR_SANDBOX_BIN_PATH")
        .map(PathBuf::from)
        .unwrap_or_default();
    anyhow::ensure!(
        bin.is_file(),
        "NEAR_SANDBOX_BIN_PATH={} is not a file: build the local node first with \
         `cargo build --manifest-path sandbox/Cargo.toml -p nexus-sandbox` (scripts/test.sh does), \
         or export NEAR_SANDBOX_BIN_PATH pointing at an official near-sandbox binary",
        bin.display()
    );
    Ok(near_workspaces::sandbox().await?)
}

/// The wasm of a contract built by `scripts/build.sh` (`target/near/<name>/<name>.wasm`), read once.
pub fn wasm(name: &str) -> Vec<u8> {
    type Cache = Mutex<Vec<(String, Vec<u8>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().expect("wasm cache poisoned");
    if let Some((_, code)) = cache.iter().find(|(n, _)| n == name) {
        return code.clone();
    }
    let path = repo_root()
        .join("target")
        .join("near")
        .join(name)
        .join(format!("{}.wasm", name.replace('-', "_")));
    let code = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; build the contracts first with scripts/build.sh",
            path.display()
        )
    });
    cache.push((name.to_string(), code.clone()));
    code
}

/// Deploys `name` to a fresh dev account.
pub async fn must_deploy(worker: &Worker<Sandbox>, name: &str) -> Contract {
    worker
        .dev_deploy(&wasm(name))
        .await
        .unwrap_or_else(|e| panic!("deploying {name}: {e:?}"))
}

/// Deploys `name` to a fresh dev account and initializes it with `new(args(&contract))` (the arguments
/// often name the contract itself, e.g. as its owner).
pub async fn must_deploy_new(
    worker: &Worker<Sandbox>,
    name: &str,
    args: impl FnOnce(&Contract) -> serde_json::Value,
) -> Contract {
    let contract = must_deploy(worker, name).await;
    let outcome = contract
        .call("new")
        .args_json(args(&contract))
        .transact()
        .await
        .unwrap_or_else(|e| panic!("initializing {name}: {e:?}"));
    must_succeed(&outcome);
    contract
}

/// A fresh dev account with 100 NEAR.
pub async fn must_account(worker: &Worker<Sandbox>) -> Account {
    worker
        .dev_create_account()
        .await
        .expect("dev_create_account")
}

/// Asserts that a transaction failed and that its failure mentions `expected`; returns the failure text.
pub fn must_fail(outcome: &ExecutionFinalResult, expected: &str) -> String {
    assert!(
        outcome.is_failure(),
        "expected a failure mentioning {expected:?}, got success: {outcome:#?}"
    );
    let failure = format!(
        "{:?}",
        outcome.clone().into_result().expect_err("is_failure")
    );
    assert!(
        failure.contains(expected),
        "failure {failure} does not mention {expected:?}"
    );
    failure
}

/// Asserts that a transaction succeeded, with its outcome in the panic message otherwise.
pub fn must_succeed(outcome: &ExecutionFinalResult) {
    assert!(outcome.is_success(), "expected success, got {outcome:#?}");
}

/// The protocol's storage price in yoctoNEAR per byte, read from the node's protocol config.
pub async fn storage_byte_cost(worker: &Worker<Sandbox>) -> u128 {
    use near_jsonrpc_client::{JsonRpcClient, methods};
    let request = methods::EXPERIMENTAL_protocol_config::RpcProtocolConfigRequest {
        block_reference: near_primitives::types::BlockReference::latest(),
    };
    JsonRpcClient::connect(worker.rpc_addr())
        .call(request)
        .await
        .expect("EXPERIMENTAL_protocol_config")
        .runtime_config
        .storage_amount_per_byte
        .as_yoctonear()
}

/// Asserts that a contract call failed because the contract panicked with exactly `message` (the text
/// given to `env::panic_str`, as `#[handle_result]` errors are).
pub fn must_panic_with(outcome: &ExecutionFinalResult, message: &str) {
    let failure = must_fail(outcome, "Smart contract panicked");
    let exact = format!(
        "ExecutionError({:?})",
        format!("Smart contract panicked: {message}")
    );
    assert!(
        failure.contains(&exact),
        "failure {failure}\n is not the panic {message:?}"
    );
}

/// The `EVENT_JSON:` log lines of a transaction, in execution order.
pub fn event_lines(outcome: &ExecutionFinalResult) -> Vec<String> {
    outcome
        .logs()
        .into_iter()
        .filter(|l| l.starts_with("EVENT_JSON:"))
        .map(str::to_string)
        .collect()
}

/// An account's balance in yoctoNEAR, once the refunds of every transaction already answered have
/// landed.
///
/// neard answers a transaction (`broadcast_tx_commit`, i.e. `EXECUTED_OPTIMISTIC`) when its last
/// non-refund receipt has run; its gas and deposit refunds run in the next block. A balance read right
/// after the answer can miss them, and "the deposit came back" would fail against the official
/// sandbox. So the read waits for a block after the current head: `fast_forward(1)` asks for it at
/// once, and the head is polled too because neard can report a fast-forward done before its block
/// exists (nearcore#9690).
pub async fn must_balance(worker: &Worker<Sandbox>, account: &Account) -> u128 {
    let head = || async { worker.view_block().await.expect("view_block").height() };
    let seen = head().await;
    worker.fast_forward(1).await.expect("fast_forward");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while head().await <= seen {
        assert!(
            std::time::Instant::now() < deadline,
            "no block after height {seen} within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    account
        .view_account()
        .await
        .expect("view_account")
        .balance
        .as_yoctonear()
}

/// Gas that any transaction of these tests may cost its signer (0.01 NEAR): a balance drop below it
/// means an attached deposit came back.
pub const GAS_ONLY: u128 = 10_000_000_000_000_000_000_000;

/// Asserts that `account` spent less than [`GAS_ONLY`] since its balance was `before`: whatever it attached
/// came back, only gas was paid.
pub async fn must_have_paid_only_gas(
    worker: &Worker<Sandbox>,
    account: &Account,
    before: u128,
    what: &str,
) {
    let after = must_balance(worker, account).await;
    let spent = before.saturating_sub(after);
    assert!(
        spent < GAS_ONLY,
        "{what}: {} spent {spent} yoctoNEAR, more than gas; the deposit did not come back",
        account.id()
    );
}

/// How many receipts the called method's receipt created, its gas refund included: one (the gas
/// refund) when it sent nothing, one more per transfer or call it made. Read from the outcome's
/// `receipt_ids`, not from the receipts that have run: neard answers before the refunds run.
pub fn receipts_created_by_call(outcome: &ExecutionFinalResult) -> usize {
    outcome.receipt_outcomes()[0].receipt_ids.len()
}

/// Tokens burnt for gas by the transaction and all its receipts, in yoctoNEAR.
pub fn tokens_burnt(outcome: &ExecutionFinalResult) -> u128 {
    outcome
        .outcomes()
        .iter()
        .map(|o| o.tokens_burnt.as_yoctonear())
        .sum()
}

/// Lowercase hex of a byte slice.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 of `data` as 64 lowercase hex characters.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(near_primitives::hash::hash(data).as_ref())
}

/// A committed previous-release wasm from `sandbox-tests/res/<file>` (the baseline upgrades migrate from).
pub fn res_wasm(file: &str) -> Vec<u8> {
    let path = repo_root().join("sandbox-tests").join("res").join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// What the signer of `outcome` paid for gas, at most: the larger of the tokens burnt (which include
/// the NEP-536 refund penalty but, below protocol 87, exclude the 30% contract reward, as in nearcore)
/// and all gas burnt at the current block's gas price.
pub async fn gas_paid_bound(worker: &Worker<Sandbox>, outcome: &ExecutionFinalResult) -> u128 {
    let price = worker
        .view_block()
        .await
        .expect("view_block")
        .header()
        .gas_price()
        .as_yoctonear();
    let at_price = u128::from(outcome.total_gas_burnt.as_gas()) * price;
    tokens_burnt(outcome).max(at_price)
}

/// Calls a JSON view and returns its answer, panicking with the method name if it fails.
pub async fn view(contract: &Contract, method: &str, args: serde_json::Value) -> serde_json::Value {
    contract
        .view(method)
        .args_json(args)
        .await
        .unwrap_or_else(|e| panic!("view {method}: {e:?}"))
        .json()
        .unwrap_or_else(|e| panic!("view {method} answered non-JSON: {e:?}"))
}

/// Calls a view that must fail and returns the error text (the contract's message is in it).
pub async fn view_err(contract: &Contract, method: &str, args: serde_json::Value) -> String {
    match contract.view(method).args_json(args).await {
        Ok(r) => panic!(
            "view {method} succeeded: {}",
            String::from_utf8_lossy(&r.result)
        ),
        Err(e) => format!("{e:?}"),
    }
}

/// The outcome of `outcome`'s transaction read again at `FINAL`, with every receipt (refunds included).
pub async fn final_outcome(
    worker: &Worker<Sandbox>,
    outcome: &ExecutionFinalResult,
) -> anyhow::Result<near_primitives::views::FinalExecutionOutcomeView> {
    use near_jsonrpc_client::{JsonRpcClient, methods};
    use near_primitives::views::TxExecutionStatus;
    let client = JsonRpcClient::connect(worker.rpc_addr());
    let request = methods::tx::RpcTransactionStatusRequest {
        transaction_info: methods::tx::TransactionInfo::TransactionId {
            tx_hash: near_primitives::hash::CryptoHash(outcome.outcome().transaction_hash.0),
            sender_account_id: outcome.outcome().executor_id.clone(),
        },
        wait_until: TxExecutionStatus::Final,
    };
    Ok(client
        .call(request)
        .await?
        .final_execution_outcome
        .ok_or_else(|| anyhow::anyhow!("a final transaction has an outcome"))?
        .into_outcome())
}

/// Executor and gas burnt of the transaction and of each receipt, refunds included, in execution
/// order, read at `FINAL`: neard answers before the refunds run, so the answer's own list can lack them.
pub async fn final_outcomes(
    worker: &Worker<Sandbox>,
    outcome: &ExecutionFinalResult,
) -> anyhow::Result<Vec<(near_workspaces::AccountId, u64)>> {
    let view = final_outcome(worker, outcome).await?;
    Ok(std::iter::once(&view.transaction_outcome)
        .chain(&view.receipts_outcome)
        .map(|o| (o.outcome.executor_id.clone(), o.outcome.gas_burnt.as_gas()))
        .collect())
}

/// The gas of [`final_outcomes`] together.
pub fn total_gas(outcomes: &[(near_workspaces::AccountId, u64)]) -> u64 {
    outcomes.iter().map(|(_, gas)| gas).sum()
}

/// Gas burnt by a transaction, grouped: the transaction's conversion to a receipt, each cost the node
/// reported for receipts executed by `contract` (`metadata.gas_profile`), and every other receipt (refunds,
/// transfers) together.
pub async fn gas_by_cost(
    worker: &Worker<Sandbox>,
    outcome: &ExecutionFinalResult,
    contract: &near_workspaces::AccountId,
) -> anyhow::Result<std::collections::BTreeMap<String, u64>> {
    let view = final_outcome(worker, outcome).await?;
    let mut costs = std::collections::BTreeMap::new();
    costs.insert(
        "transaction → receipt".to_string(),
        view.transaction_outcome.outcome.gas_burnt.as_gas(),
    );
    for o in &view.receipts_outcome {
        if o.outcome.executor_id.as_str() == contract.as_str() {
            for c in o.outcome.metadata.gas_profile.iter().flatten() {
                *costs.entry(c.cost.clone()).or_default() += c.gas_used.as_gas();
            }
        } else {
            *costs
                .entry("other receipts (refunds, transfers)".to_string())
                .or_default() += o.outcome.gas_burnt.as_gas();
        }
    }
    Ok(costs)
}

/// The gas profile of a transaction, as markdown: one section per receipt (executor, gas burnt)
/// listing each cost the node reported (`metadata.gas_profile`), largest first. Benchmarks print
/// it on request (`NEXUS_BENCH_PROFILE=1`, or `=<method>` in `nexus-bench gas`) to show where a method's gas goes.
pub async fn gas_profile(
    worker: &Worker<Sandbox>,
    outcome: &ExecutionFinalResult,
) -> anyhow::Result<String> {
    let view = final_outcome(worker, outcome).await?;
    let tgas = |gas: u64| gas as f64 / 1e12;
    let mut out = String::new();
    for o in std::iter::once(&view.transaction_outcome).chain(&view.receipts_outcome) {
        // A gas refund (from `system`) reports the gas of its transfer but burns no tokens.
        out += &format!(
            "\n{} — {:.4} TGas burnt, {} yoctoNEAR burnt\n",
            o.outcome.executor_id,
            tgas(o.outcome.gas_burnt.as_gas()),
            o.outcome.tokens_burnt.as_yoctonear()
        );
        let mut costs: Vec<_> = o.outcome.metadata.gas_profile.clone().unwrap_or_default();
        costs.sort_by_key(|c| std::cmp::Reverse(c.gas_used.as_gas()));
        for c in costs.iter().filter(|c| c.gas_used.as_gas() > 0) {
            out += &format!(
                "  {:<14} {:<36} {:.4}\n",
                c.cost_category,
                c.cost,
                tgas(c.gas_used.as_gas())
            );
        }
    }
    Ok(out)
}
