//! The demo of the main job: deploys every contract built by `scripts/build.sh` to a running node and
//! walks through a short scenario.
//!
//! `nexus-demo --rpc http://127.0.0.1:3030 --home .sandbox` (the node's home holds validator_key.json)

use anyhow::{Context, Result, bail};
use near_workspaces::network::ValidatorKey;
use near_workspaces::types::NearToken;
use near_workspaces::{Account, Contract};
use sandbox_tests::wasm;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<()> {
    let mut rpc = None;
    let mut home = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rpc" => rpc = args.next(),
            "--home" => home = args.next(),
            other => {
                bail!("unknown argument {other:?}; usage: nexus-demo --rpc URL --home NODE_HOME")
            }
        }
    }
    let rpc = rpc.context("--rpc URL is required")?;
    let home = home.context("--home NODE_HOME is required")?;

    let worker = near_workspaces::sandbox()
        .rpc_addr(&rpc)
        .validator_key(ValidatorKey::HomeDir(home.into()))
        .await?;
    let root = worker.root_account()?;
    println!("connected to {rpc} as {}", root.id());

    let status = deploy(&root, "status", "status-message").await?;
    status.call("new").transact().await?.into_result()?;
    let outcome = root
        .call(status.id(), "set_status")
        .args_json(json!({ "message": "Nexus is live" }))
        .transact()
        .await?
        .into_result()?;
    println!("status-message: set_status logs {:?}", outcome.logs());
    let message: Option<String> = status
        .view("get_status")
        .args_json(json!({ "account_id": root.id() }))
        .await?
        .json()?;
    println!("status-message: get_status -> {message:?}");
    Ok(())
}

/// Creates `<prefix>.<root>` with 50 NEAR and deploys the contract `name` to it.
async fn deploy(root: &Account, prefix: &str, name: &str) -> Result<Contract> {
    let account = root
        .create_subaccount(prefix)
        .initial_balance(NearToken::from_near(50))
        .transact()
        .await?
        .into_result()?;
    let contract = account.deploy(&wasm(name)).await?.into_result()?;
    println!(
        "deployed {name} to {} ({} bytes)",
        contract.id(),
        wasm(name).len()
    );
    Ok(contract)
}
