//! The demo of the main job: deploys every product contract built by `scripts/build.sh` to a running
//! node and walks through the Nexus story:
//!
//! 1. a data owner registers a dataset with consent terms that allow AI training;
//! 2. a model publisher creates `acme/sentiment` and publishes 1.0.0 trained on it — the registry asks the
//!    lineage contract, which checks consent and records the usage;
//! 3. the `production` alias points at it and an auditor attests it;
//! 4. anyone verifies a local file by its sha256 against the chain;
//! 5. a user opens an agent vault.
//!
//! `nexus-demo --rpc http://127.0.0.1:3030 --home .sandbox` (the node's home holds validator_key.json)

use std::path::Path;

use anyhow::{Context, Result, bail};
use near_workspaces::network::{Sandbox, ValidatorKey};
use near_workspaces::result::ExecutionFinalResult;
use near_workspaces::types::{Gas, NearToken};
use near_workspaces::{Account, Contract, Worker};
use sandbox_tests::{sha256_hex, wasm};
use serde_json::{Value, json};

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
        .validator_key(ValidatorKey::HomeDir(home.clone().into()))
        .await?;
    let root = worker.root_account()?;
    println!("connected to {rpc} as {}", root.id());

    let registry = deploy(&root, "registry", "model-registry").await?;
    let lineage = deploy(&root, "lineage", "dataset-lineage").await?;
    let vault = deploy(&root, "vault", "agent-vault").await?;
    ok(registry
        .call("new")
        .args_json(json!({ "owner_id": root.id() }))
        .transact()
        .await?)?;
    ok(lineage
        .call("new")
        .args_json(json!({ "owner_id": root.id(), "registry_id": registry.id() }))
        .transact()
        .await?)?;
    ok(root
        .call(registry.id(), "set_lineage_contract")
        .args_json(json!({ "lineage_contract": lineage.id() }))
        .deposit(NearToken::from_yoctonear(1))
        .transact()
        .await?)?;

    let owner = user(&worker, &root, "data-owner").await?;
    let acme = user(&worker, &root, "acme").await?;
    let auditor = user(&worker, &root, "auditor").await?;

    println!(
        "\n1. {} registers dataset `reviews` (AI training allowed) and publishes reviews@1.0.0",
        owner.id()
    );
    let allowed = json!({ "status": "allowed" });
    ok(owner
        .call(lineage.id(), "register_dataset")
        .args_json(json!({
            "dataset_id": "reviews",
            "title": "Product reviews, 2026",
            "terms": { "ai_training": allowed, "ai_inference": allowed, "data_mining": allowed,
                       "commercial_use": allowed, "attribution_required": true, "access": null },
        }))
        .deposit(NearToken::from_near(1))
        .transact()
        .await?)?;
    ok(owner
        .call(lineage.id(), "publish_version")
        .args_json(json!({
            "dataset_id": "reviews",
            "version": "1.0.0",
            "manifest": { "content_digest": "11".repeat(32), "size_bytes": "52428800", "record_count": "100000", "uris": [] },
        }))
        .deposit(NearToken::from_near(1))
        .transact()
        .await?)?;

    println!(
        "2. {} creates acme/sentiment, registers for storage, and publishes 1.0.0 trained on reviews@1.0.0",
        acme.id()
    );
    ok(acme
        .call(registry.id(), "create_model")
        .args_json(json!({
            "namespace": "acme", "name": "sentiment",
            "metadata": { "description": "Sentiment classifier for product reviews", "tags": ["nlp"],
                          "license": "Apache-2.0", "framework": "pytorch", "task": "text-classification" },
        }))
        .deposit(NearToken::from_near(1))
        .transact()
        .await?)?;
    // acme registers for storage (NEP-145) with both contracts: its writes then attach 1 yoctoNEAR and pay
    // from those balances, with no refund transfers.
    for (contract, amount) in [(&registry, 500), (&lineage, 100)] {
        ok(acme
            .call(contract.id(), "storage_deposit")
            .args_json(json!({}))
            .deposit(NearToken::from_millinear(amount))
            .transact()
            .await?)?;
    }
    // The model's files, on disk so that `nexus-verify` can check them afterwards (scripts/localnet.sh does).
    let model_dir = Path::new(&home).join("demo-model");
    let files = write_model(&model_dir)?;
    let weights = files[1]["sha256"].as_str().context("sha256")?.to_string();
    let publish = acme
        .call(registry.id(), "publish_version")
        .args_json(json!({
            "model_id": "acme/sentiment", "version": "1.0.0", "files": files,
            "training_datasets": ["reviews@1.0.0"], "commercial_use": true,
        }))
        .deposit(NearToken::from_yoctonear(1))
        .gas(Gas::from_tgas(200))
        .transact()
        .await?;
    print_events(&publish);
    ok(publish)?;
    for (name, contract) in [("registry", &registry), ("lineage", &lineage)] {
        let balance: Value = contract
            .view("storage_balance_of")
            .args_json(json!({ "account_id": acme.id() }))
            .await?
            .json()?;
        println!("   acme's storage balance at the {name}: {balance}");
    }
    let version: Value = registry
        .view("get_version")
        .args_json(json!({ "model_id": "acme/sentiment", "version": "1.0.0" }))
        .await?
        .json()?;
    println!(
        "   publication: {}, status: {}",
        version["publication"], version["status"]
    );
    let trained_on: Value = lineage
        .view("get_training_datasets")
        .args_json(json!({ "model_version_id": "acme/sentiment@1.0.0" }))
        .await?
        .json()?;
    println!("   lineage says acme/sentiment@1.0.0 was trained on: {trained_on}");

    println!("3. production -> 1.0.0; {} attests it", auditor.id());
    ok(acme
        .call(registry.id(), "set_alias")
        .args_json(
            json!({ "model_id": "acme/sentiment", "alias": "production", "version": "1.0.0" }),
        )
        .deposit(NearToken::from_near(1))
        .transact()
        .await?)?;
    ok(auditor
        .call(registry.id(), "attest")
        .args_json(json!({ "model_id": "acme/sentiment", "version": "1.0.0", "kind": "audit",
                           "attestation": { "score": "0.97", "evidence_uri": "https://audits.example/acme-sentiment-1.0.0" } }))
        .deposit(NearToken::from_near(1))
        .transact()
        .await?)?;

    println!(
        "4. verify a local file: {}/model.safetensors, sha256 {}…",
        model_dir.display(),
        &weights[..16]
    );
    let hits: Value = registry
        .view("lookup_hash")
        .args_json(json!({ "sha256": weights }))
        .await?
        .json()?;
    println!("   published as: {hits}");

    println!("5. {} opens an agent vault", acme.id());
    ok(vault
        .call("new")
        .args_json(json!({ "owner_id": acme.id() }))
        .transact()
        .await?)?;
    println!("   vault {} owned by {}", vault.id(), acme.id());

    println!(
        "\ncontracts: registry {} | lineage {} | vault {}",
        registry.id(),
        lineage.id(),
        vault.id()
    );
    Ok(())
}

/// Writes a small model directory (config, weights, tokenizer) into `dir` and returns its manifest, sorted
/// by path, as `publish_version` takes it.
fn write_model(dir: &Path) -> Result<Vec<Value>> {
    let weights: Vec<u8> = (0..1_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let contents: [(&str, &[u8]); 3] = [
        ("config.json", br#"{"architectures":["BertForSequenceClassification"],"labels":["negative","positive"]}"#),
        ("model.safetensors", &weights),
        ("tokenizer/vocab.txt", b"[PAD]\n[UNK]\n[CLS]\n[SEP]\ngood\nbad\n"),
    ];
    let mut files = Vec::new();
    for (path, data) in contents {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().context("parent")?)?;
        std::fs::write(&full, data).with_context(|| format!("writing {}", full.display()))?;
        files.push(
            json!({ "path": path, "sha256": sha256_hex(data), "size": data.len().to_string() }),
        );
    }
    Ok(files)
}

/// Creates `<prefix>.<root>` with 50 NEAR and deploys the contract `name` to it.
async fn deploy(root: &Account, prefix: &str, name: &str) -> Result<Contract> {
    let account = root
        .create_subaccount(prefix)
        .initial_balance(NearToken::from_near(50))
        .transact()
        .await?
        .into_result()?;
    let code = wasm(name);
    let contract = account.deploy(&code).await?.into_result()?;
    println!(
        "deployed {name} to {} ({} bytes)",
        contract.id(),
        code.len()
    );
    Ok(contract)
}

async fn user(_worker: &Worker<Sandbox>, root: &Account, prefix: &str) -> Result<Account> {
    Ok(root
        .create_subaccount(prefix)
        .initial_balance(NearToken::from_near(20))
        .transact()
        .await?
        .into_result()?)
}

fn ok(outcome: ExecutionFinalResult) -> Result<()> {
    outcome
        .into_result()
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("transaction failed: {e:?}"))
}

fn print_events(outcome: &ExecutionFinalResult) {
    for log in outcome.logs() {
        if let Some(event) = log.strip_prefix("EVENT_JSON:") {
            println!("   event {event}");
        }
    }
}
