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
    static CACHE: OnceLock<Mutex<Vec<(String, Vec<u8>)>>> = OnceLock::new();
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
