//! Benchmark (numbers, not assertions) of every write of the model registry and the dataset lineage
//! contract at realistic sizes — a 12-file manifest, a 200-character description — next to minting one
//! NEP-171 token with equivalent metadata on `nft-reference` (near-contract-standards), in the same run on
//! a fresh local node. Prints a markdown table: gas burnt (TGas, the transaction and every receipt) and
//! storage bytes added to the contract(s) involved. Rows above 10 TGas are flagged.
//!
//! Also measured: the worst-case bounded ancestry query. A view's RPC answer carries no gas figure, so the
//! views are also called as function-call transactions (a `&self` method runs the same code), which report
//! the gas burnt.
//!
//! Run after `scripts/build.sh`: `nexus-bench gas` (see main.rs).

use anyhow::{Context, Result, ensure};
use near_workspaces::network::Sandbox;
use near_workspaces::result::ExecutionFinalResult;
use near_workspaces::types::{Gas, NearToken};
use near_workspaces::{Account, Contract, Worker};
use sandbox_tests::{
    final_outcomes, gas_by_cost, gas_profile, must_account, must_deploy, sandbox, sha256_hex,
    total_gas,
};
use serde_json::{Value, json};

const LIMIT_TGAS: f64 = 10.0;

struct Row {
    contract: &'static str,
    method: String,
    case: String,
    tgas: f64,
    /// The costliest single receipt (or the transaction's conversion), for calls that span contracts.
    max_receipt_tgas: f64,
    bytes: i64,
}

struct Bench {
    worker: Worker<Sandbox>,
    rows: Vec<Row>,
}

impl Bench {
    /// Gas of the row recorded last.
    fn last_tgas(&self) -> f64 {
        self.rows.last().map_or(0.0, |row| row.tgas)
    }

    /// Calls `method` and records its gas and the storage it added to `watched`.
    #[allow(clippy::too_many_arguments)]
    async fn run_outcome(
        &mut self,
        label: &'static str,
        who: &Account,
        contract: &Contract,
        method: &str,
        case: &str,
        args: Value,
        deposit: NearToken,
        watched: &[&Contract],
    ) -> Result<ExecutionFinalResult> {
        let before = storage(watched).await?;
        let outcome = who
            .call(contract.id(), method)
            .args_json(args)
            .deposit(deposit)
            .gas(Gas::from_tgas(300))
            .transact()
            .await?;
        ensure!(
            outcome.is_success() && outcome.receipt_failures().is_empty(),
            "{method} ({case}) failed: {outcome:#?}"
        );
        let after = storage(watched).await?;
        if let Ok(only) = std::env::var("NEXUS_BENCH_PROFILE")
            && (only.is_empty() || only == method)
        {
            println!("gas profile of {method} ({case}):");
            println!("{}", gas_profile(&self.worker, &outcome).await?);
        }
        let gas = final_outcomes(&self.worker, &outcome).await?;
        self.rows.push(Row {
            contract: label,
            method: method.to_string(),
            case: case.to_string(),
            tgas: total_gas(&gas) as f64 / 1e12,
            max_receipt_tgas: gas.iter().map(|(_, g)| *g).max().unwrap_or(0) as f64 / 1e12,
            bytes: i64::try_from(after)? - i64::try_from(before)?,
        });
        Ok(outcome)
    }

    #[allow(clippy::too_many_arguments)]
    async fn run(
        &mut self,
        label: &'static str,
        who: &Account,
        contract: &Contract,
        method: &str,
        case: &str,
        args: Value,
        deposit: NearToken,
        watched: &[&Contract],
    ) -> Result<f64> {
        // Checked for success inside; the gas is in the row.
        let _outcome = self
            .run_outcome(label, who, contract, method, case, args, deposit, watched)
            .await?;
        Ok(self.last_tgas())
    }

    async fn write(
        &mut self,
        label: &'static str,
        who: &Account,
        contract: &Contract,
        method: &str,
        case: &str,
        args: Value,
    ) -> Result<f64> {
        self.run(
            label,
            who,
            contract,
            method,
            case,
            args,
            NearToken::from_near(1),
            &[contract],
        )
        .await
    }

    async fn one_yocto(
        &mut self,
        label: &'static str,
        who: &Account,
        contract: &Contract,
        method: &str,
        case: &str,
        args: Value,
    ) -> Result<f64> {
        self.run(
            label,
            who,
            contract,
            method,
            case,
            args,
            NearToken::from_yoctonear(1),
            &[contract],
        )
        .await
    }
}

async fn storage(contracts: &[&Contract]) -> Result<u64> {
    let mut total = 0;
    for c in contracts {
        total += c.view_account().await?.storage_usage;
    }
    Ok(total)
}

/// Tokens minted and versions published for the equal-state-size comparison.
const SERIES: usize = 32;

/// Gas burnt by a call with 1 NEAR attached (the excess refunded), outside the table.
async fn measured(
    worker: &Worker<Sandbox>,
    who: &Account,
    contract: &Contract,
    method: &str,
    args: Value,
) -> Result<f64> {
    let outcome = call_ok(who, contract, method, args).await?;
    Ok(total_gas(&final_outcomes(worker, &outcome).await?) as f64 / 1e12)
}

/// A call with 1 NEAR attached (the excess refunded) that must succeed.
async fn call_ok(
    who: &Account,
    contract: &Contract,
    method: &str,
    args: Value,
) -> Result<ExecutionFinalResult> {
    let outcome = who
        .call(contract.id(), method)
        .args_json(args)
        .deposit(NearToken::from_near(1))
        .gas(Gas::from_tgas(300))
        .transact()
        .await?;
    ensure!(
        outcome.is_success() && outcome.receipt_failures().is_empty(),
        "{method} failed: {outcome:#?}"
    );
    Ok(outcome)
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A call that prepares a measurement, its gas unused.
async fn setup(who: &Account, contract: &Contract, method: &str, args: Value) -> Result<()> {
    call_ok(who, contract, method, args).await.map(drop)
}

fn description() -> String {
    let text = "Sentiment classifier for product reviews, fine-tuned from a multilingual encoder on 1.2M \
                labelled reviews; returns positive, negative or neutral with a calibrated confidence. Apache-2.0.";
    let mut d = text.repeat(2);
    d.truncate(200);
    d
}

fn files(tag: &str) -> Vec<Value> {
    let names = [
        "config.json",
        "generation_config.json",
        "model-00001-of-00004.safetensors",
        "model-00002-of-00004.safetensors",
        "model-00003-of-00004.safetensors",
        "model-00004-of-00004.safetensors",
        "model.safetensors.index.json",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.txt",
        "README.md",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({ "path": n, "sha256": sha256_hex(format!("{tag}/{n}").as_bytes()),
                    "size": (1_000_000_000u64 + i as u64 * 7_919).to_string() })
        })
        .collect()
}

fn terms() -> Value {
    json!({ "ai_training": { "status": "allowed" }, "ai_inference": { "status": "allowed" },
            "data_mining": { "status": "constrained", "terms_uri": "https://terms.example/mining-v1",
                             "terms_digest": sha256_hex(b"mining terms") },
            "commercial_use": { "status": "allowed" }, "attribution_required": true,
            "access": { "price": NearToken::from_millinear(100).as_yoctonear().to_string(), "duration_seconds": "2592000" } })
}

fn manifest(tag: &str) -> Value {
    json!({ "content_digest": sha256_hex(tag.as_bytes()), "size_bytes": "52428800", "record_count": "1200000",
            "schema_digest": sha256_hex(b"schema v1"), "uris": [format!("ipfs://bafy{}", &sha256_hex(tag.as_bytes())[..40])] })
}

pub async fn run() -> Result<()> {
    let worker = sandbox().await?;
    let registry = must_deploy(&worker, "model-registry").await;
    let lineage = must_deploy(&worker, "dataset-lineage").await;
    let nft = must_deploy(&worker, "nft-reference").await;
    for (c, args) in [
        (&registry, json!({ "owner_id": registry.id() })),
        (
            &lineage,
            json!({ "owner_id": lineage.id(), "registry_id": registry.id() }),
        ),
        (&nft, json!({ "owner_id": nft.id() })),
    ] {
        let o = c.call("new").args_json(args).transact().await?;
        ensure!(o.is_success(), "new: {o:#?}");
    }
    let (acme, bob, auditor, alice, consumer, minter) = (
        must_account(&worker).await,
        must_account(&worker).await,
        must_account(&worker).await,
        must_account(&worker).await,
        must_account(&worker).await,
        must_account(&worker).await,
    );
    let mut b = Bench {
        worker,
        rows: Vec::new(),
    };
    let (r, l) = ("registry", "lineage");
    const M: &str = "acme/sentiment";

    // ---- model registry ----
    b.one_yocto(
        r,
        registry.as_account(),
        &registry,
        "set_lineage_contract",
        "",
        json!({ "lineage_contract": lineage.id() }),
    )
    .await?;
    let metadata = json!({ "description": description(), "tags": ["nlp", "sentiment", "reviews", "multilingual"],
        "homepage": "https://acme.example/models/sentiment", "license": "Apache-2.0", "framework": "pytorch",
        "task": "text-classification" });
    b.write(
        r,
        &acme,
        &registry,
        "create_model",
        "new namespace, 200-char description",
        json!({ "namespace": "acme", "name": "sentiment", "metadata": metadata }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "create_model",
        "existing namespace",
        json!({ "namespace": "acme", "name": "summarizer", "metadata": metadata }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "update_metadata",
        "200-char description",
        json!({ "model_id": M, "metadata": metadata }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "add_maintainer",
        "",
        json!({ "model_id": M, "account_id": bob.id() }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "remove_maintainer",
        "",
        json!({ "model_id": M, "account_id": bob.id() }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "propose_owner",
        "",
        json!({ "model_id": M, "new_owner": bob.id() }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "cancel_ownership_transfer",
        "",
        json!({ "model_id": M }),
    )
    .await?;
    setup(
        &acme,
        &registry,
        "propose_owner",
        json!({ "model_id": "acme/summarizer", "new_owner": bob.id() }),
    )
    .await?;
    b.write(
        r,
        &bob,
        &registry,
        "accept_ownership",
        "",
        json!({ "model_id": "acme/summarizer" }),
    )
    .await?;
    let publish_args = |version: &str, tag: &str, datasets: Vec<String>| {
        json!({ "model_id": M, "version": version, "files": files(tag),
            "uris": ["hf://acme/sentiment", "ipfs://bafybeigdyrztsentiment"], "model_card_digest": sha256_hex(b"card"),
            "training_datasets": datasets, "commercial_use": true })
    };
    let publish = b
        .write(
            r,
            &acme,
            &registry,
            "publish_version",
            "12 files, 2 URIs, card digest",
            publish_args("1.0.0", "v1", vec![]),
        )
        .await?;
    let publish_tgas = publish;
    b.write(
        r,
        &acme,
        &registry,
        "publish_version",
        "12 files, base model (fine_tune)",
        {
            let mut a = publish_args("1.1.0", "v11", vec![]);
            a["base_model"] =
                json!({ "model_version_id": "acme/sentiment@1.0.0", "relation": "fine_tune" });
            a
        },
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "publish_version",
        "12 files, 2 URIs, card digest; Merkle roots (4 MiB chunks) on the 4 weight shards",
        {
            let mut a = publish_args("1.1.1", "v111", vec![]);
            for f in a["files"].as_array_mut().expect("files") {
                if f["path"].as_str().is_some_and(|p| p.ends_with(".safetensors")) {
                    f["merkle"] = json!({ "chunk_size": 4 << 20, "root": sha256_hex(f["sha256"].to_string().as_bytes()) });
                }
            }
            a
        },
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "set_alias",
        "new alias",
        json!({ "model_id": M, "alias": "production", "version": "1.0.0" }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "set_alias",
        "move",
        json!({ "model_id": M, "alias": "production", "version": "1.1.0" }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "remove_alias",
        "",
        json!({ "model_id": M, "alias": "production" }),
    )
    .await?;
    b.write(r, &acme, &registry, "deprecate_version", "with successor", json!({ "model_id": M, "version": "1.0.0",
        "message": "superseded by 1.1.0: better calibration on short reviews", "successor": "1.1.0" })).await?;
    let attestation = json!({ "score": "0.9412", "evidence_uri": "https://evals.example/acme-sentiment/1.1.0/report.json",
        "evidence_digest": sha256_hex(b"report"), "expires_at": "4102444800000000000" });
    b.write(r, &auditor, &registry, "attest", "score, evidence, expiry", json!({ "model_id": M, "version": "1.1.0", "kind": "evaluation", "attestation": attestation })).await?;
    b.write(
        r,
        &auditor,
        &registry,
        "supersede_attestation",
        "",
        json!({ "id": "0", "kind": "evaluation", "attestation": attestation }),
    )
    .await?;
    b.write(
        r,
        &auditor,
        &registry,
        "revoke_attestation",
        "",
        json!({ "id": "1", "reason": "evaluation harness bug" }),
    )
    .await?;
    b.write(
        r,
        &acme,
        &registry,
        "revoke_version",
        "",
        json!({ "model_id": M, "version": "1.0.0", "code": "security_vulnerability",
        "reason": "pickle payload found in tokenizer files" }),
    )
    .await?;

    // Paid from a NEP-145 storage balance (bob owns acme/summarizer): 1 yoctoNEAR attached, no refund
    // transfer.
    b.run(
        r,
        &bob,
        &registry,
        "storage_deposit",
        "registers, 2 NEAR",
        json!({}),
        NearToken::from_near(2),
        &[&registry],
    )
    .await?;
    let publish_balance_outcome = b
        .run_outcome(
            r,
            &bob,
            &registry,
            "publish_version",
            "12 files, 2 URIs, card digest; paid from the storage balance",
            {
                let mut a = publish_args("1.0.0", "s1", vec![]);
                a["model_id"] = json!("acme/summarizer");
                a
            },
            NearToken::from_yoctonear(1),
            &[&registry],
        )
        .await?;
    let publish_balance = b.last_tgas();

    // ---- dataset lineage ----
    b.write(l, &alice, &lineage, "register_dataset", "terms with constrained use + access offer", json!({ "dataset_id": "reviews", "title": "Product reviews 2026 (multilingual)", "terms": terms() })).await?;
    b.write(
        l,
        &alice,
        &lineage,
        "set_terms",
        "",
        json!({ "dataset_id": "reviews", "terms": terms() }),
    )
    .await?;
    b.write(l, &alice, &lineage, "publish_version", "root", json!({ "dataset_id": "reviews", "version": "1.0.0", "manifest": manifest("reviews@1.0.0") })).await?;
    let mut parents = Vec::new();
    setup(
        &alice,
        &lineage,
        "register_dataset",
        json!({ "dataset_id": "shards", "title": "shards", "terms": terms() }),
    )
    .await?;
    for i in 0..16 {
        setup(&alice, &lineage, "publish_version", json!({ "dataset_id": "shards", "version": format!("s{i:02}"), "manifest": manifest(&format!("s{i}")) })).await?;
        parents.push(format!("shards@s{i:02}"));
    }
    setup(
        &alice,
        &lineage,
        "register_dataset",
        json!({ "dataset_id": "merged", "title": "merged", "terms": terms() }),
    )
    .await?;
    b.write(l, &alice, &lineage, "publish_version", "derived from 16 parents", json!({ "dataset_id": "merged", "version": "1", "manifest": manifest("merged@1"),
        "derived_from": { "parents": parents, "activity": { "kind": "merge", "code_digest": sha256_hex(b"merge.py"),
            "code_uri": "https://git.example/pipelines/merge.py", "parameters_digest": sha256_hex(b"params") } } })).await?;
    b.write(
        l,
        &alice,
        &lineage,
        "appoint_flagger",
        "",
        json!({ "dataset_id": "shards", "account_id": auditor.id() }),
    )
    .await?;
    b.write(l, &auditor, &lineage, "flag_version", "", json!({ "version_id": "shards@s00", "kind": "poisoned", "reason": "label flipping found in 3% of rows by the audit" })).await?;
    b.one_yocto(
        l,
        &auditor,
        &lineage,
        "clear_flag",
        "",
        json!({ "version_id": "shards@s00", "kind": "poisoned" }),
    )
    .await?;
    b.one_yocto(
        l,
        &alice,
        &lineage,
        "remove_flagger",
        "",
        json!({ "dataset_id": "shards", "account_id": auditor.id() }),
    )
    .await?;
    b.write(l, &consumer, &lineage, "request_access", "price 0.1 NEAR", json!({ "dataset_id": "reviews", "purpose": "fine-tune a sentiment classifier for internal support tickets" })).await?;
    b.one_yocto(
        l,
        &alice,
        &lineage,
        "revoke_access",
        "",
        json!({ "grant_id": "0" }),
    )
    .await?;
    // record_training_usage through a registry publish (both contracts' storage).
    b.run(
        "registry+lineage",
        &acme,
        &registry,
        "publish_version",
        "12 files + 1 training dataset (record_training_usage)",
        publish_args("1.2.0", "v12", vec!["reviews@1.0.0".into()]),
        NearToken::from_near(1),
        &[&registry, &lineage],
    )
    .await?;
    // bob also registers with the lineage contract, which then credits the unused part of the training
    // deposit to his balance there instead of sending it back to the registry.
    b.run(
        l,
        &bob,
        &lineage,
        "storage_deposit",
        "registers, 1 NEAR",
        json!({}),
        NearToken::from_near(1),
        &[&lineage],
    )
    .await?;
    let consent_balance = b
        .run(
            "registry+lineage",
            &bob,
            &registry,
            "publish_version",
            "12 files + 1 training dataset; publisher registered with both contracts",
            {
                let mut a = publish_args("1.1.0", "s11", vec!["reviews@1.0.0".into()]);
                a["model_id"] = json!("acme/summarizer");
                a
            },
            NearToken::from_yoctonear(1),
            &[&registry, &lineage],
        )
        .await?;
    b.run(
        "registry+lineage",
        &acme,
        &registry,
        "publish_version",
        "12 files + 16 training datasets",
        publish_args("1.3.0", "v13", parents.clone()),
        NearToken::from_near(1),
        &[&registry, &lineage],
    )
    .await?;
    let mut with_32 = parents.clone();
    setup(
        &alice,
        &lineage,
        "register_dataset",
        json!({ "dataset_id": "more", "title": "more", "terms": terms() }),
    )
    .await?;
    for i in 0..16 {
        setup(&alice, &lineage, "publish_version", json!({ "dataset_id": "more", "version": format!("m{i:02}"), "manifest": manifest(&format!("m{i}")) })).await?;
        with_32.push(format!("more@m{i:02}"));
    }
    let max = b
        .run_outcome(
            "registry+lineage",
            &acme,
            &registry,
            "publish_version",
            "12 files + 32 training datasets",
            publish_args("1.4.0", "v14", with_32),
            NearToken::from_near(2),
            &[&registry, &lineage],
        )
        .await?;
    let lineage_receipt = max
        .receipt_outcomes()
        .iter()
        .find(|o| &o.executor_id == lineage.id() && !o.logs.is_empty())
        .map(|o| o.gas_burnt.as_gas() as f64 / 1e12);

    // Worst-case bounded ancestry: 6 layers of 16 versions, each derived from all 16 of the layer below,
    // so one walk examines its 1024-edge maximum. Views report no gas, so they also run as transactions.
    let mut below = parents.clone();
    for layer in 0..6 {
        let id = format!("layer{layer}");
        setup(
            &alice,
            &lineage,
            "register_dataset",
            json!({ "dataset_id": id, "title": id, "terms": terms() }),
        )
        .await?;
        let mut this = Vec::new();
        for i in 0..16 {
            setup(&alice, &lineage, "publish_version", json!({ "dataset_id": id, "version": format!("v{i:02}"),
                "manifest": manifest(&format!("{id}/{i}")), "derived_from": { "parents": below, "activity": { "kind": "transform" } } })).await?;
            this.push(format!("{id}@v{i:02}"));
        }
        below = this;
    }
    let top = below[0].clone();
    let walk: Value = lineage
        .view("get_ancestors")
        .args_json(json!({ "version_id": top, "limit": 100 }))
        .await?
        .json()?;
    let nodes = walk["nodes"].as_array().context("nodes")?.len();
    b.run(
        l,
        &consumer,
        &lineage,
        "get_ancestors",
        &format!(
            "view run as a tx; 16-wide DAG, 1024-edge walk: {nodes} nodes on the page, complete={}",
            walk["complete"]
        ),
        json!({ "version_id": top, "limit": 100 }),
        NearToken::from_yoctonear(0),
        &[&lineage],
    )
    .await?;
    let report: Value = lineage
        .view("get_provenance")
        .args_json(json!({ "version_id": top }))
        .await?
        .json()?;
    b.run(
        l,
        &consumer,
        &lineage,
        "get_provenance",
        &format!(
            "view run as a tx; same DAG: {} ancestors walked, complete={}",
            report["ancestors_walked"], report["complete"]
        ),
        json!({ "version_id": top }),
        NearToken::from_yoctonear(0),
        &[&lineage],
    )
    .await?;

    // ---- reference: one NEP-171 mint with equivalent metadata ----
    let token_metadata = json!({ "title": "acme/sentiment@1.0.0", "description": description(),
        "media": "ipfs://bafybeigdyrztsentiment", "media_hash": near_b64(b"media"),
        "reference": "hf://acme/sentiment", "reference_hash": near_b64(b"card"),
        "extra": serde_json::to_string(&files("nft"))? });
    // Minted by an account of its own, as the publish is sent by its publisher: a transaction to one's own
    // account pays the cheaper signer-is-receiver fee per argument byte, which no publisher gets.
    let mint_outcome = b.run_outcome("nft-reference", &minter, &nft, "nft_mint", "TokenMetadata with the 12-file manifest in `extra`, first token",
        json!({ "token_id": "acme-sentiment-1.0.0", "token_owner_id": acme.id(), "token_metadata": token_metadata }),
        NearToken::from_near(1), &[&nft]).await?;
    let mint = b.last_tgas();
    // State grows differently: the standard's owner index is an AVL tree (near-contract-standards' TreeMap),
    // so each mint reads and rebalances more of it, while a publish touches keyed entries only. Both again at
    // equal state size: the n-th token of the collection next to the n-th version published in the registry
    // (a fresh model; same 12-file arguments with new hashes; deposit attached, excess refunded).
    let mut mint_series = vec![mint];
    for i in 1..SERIES {
        let args = json!({ "token_id": format!("acme-sentiment-1.0.{i}"), "token_owner_id": acme.id(),
            "token_metadata": token_metadata });
        mint_series.push(measured(&b.worker, &minter, &nft, "nft_mint", args).await?);
    }
    setup(
        &acme,
        &registry,
        "create_model",
        json!({ "namespace": "acme", "name": "series" }),
    )
    .await?;
    let mut publish_series = Vec::with_capacity(SERIES);
    for i in 0..SERIES {
        let args = json!({ "model_id": "acme/series", "version": format!("1.0.{i}"), "files": files(&format!("series-{i}")),
            "uris": ["hf://acme/series", "ipfs://bafybeigdyrztseries"], "model_card_digest": sha256_hex(b"card"),
            "commercial_use": true });
        publish_series.push(measured(&b.worker, &acme, &registry, "publish_version", args).await?);
    }
    let mint_tgas = mint;

    println!(
        "| contract | method | case | gas (TGas) | largest receipt (TGas) | storage added (bytes) | flag |"
    );
    println!("|---|---|---|---:|---:|---:|---|");
    for row in &b.rows {
        let flag = if row.tgas > LIMIT_TGAS {
            "**> 10 TGas**"
        } else {
            ""
        };
        println!(
            "| {} | {} | {} | {:.2} | {:.2} | {} | {} |",
            row.contract, row.method, row.case, row.tgas, row.max_receipt_tgas, row.bytes, flag
        );
    }
    println!();
    let verdict = |a: f64, b: f64| {
        if a <= b {
            "publish ≤ mint"
        } else {
            "publish > mint"
        }
    };
    println!(
        "Version publish (12 files), deposit attached and the excess refunded: {publish_tgas:.2} TGas vs one \
         NEP-171 mint with its refund {mint_tgas:.2} TGas: {}",
        verdict(publish_tgas, mint_tgas)
    );
    println!(
        "Version publish (12 files) paid from a NEP-145 storage balance (no refund transfer): \
         {publish_balance:.2} TGas vs the mint {mint_tgas:.2} TGas: {}",
        verdict(publish_balance, mint_tgas)
    );
    println!();
    println!(
        "At equal state size (TGas): the n-th version published in the registry and the n-th token minted"
    );
    println!();
    println!("| n | publish, n-th version | NEP-171 mint, n-th token | |");
    println!("|---:|---:|---:|---|");
    for n in [1, 2, 3, 4, 5, 8, 16, 32]
        .into_iter()
        .filter(|n| *n <= SERIES)
    {
        let (p, m) = (publish_series[n - 1], mint_series[n - 1]);
        println!("| {n} | {p:.2} | {m:.2} | {} |", verdict(p, m));
    }
    match (0..SERIES).find(|&i| (i..SERIES).all(|j| publish_series[j] <= mint_series[j])) {
        Some(i) => println!(
            "\nFrom the {} token on (to the {} measured), a publish costs no more than a mint at the same size.",
            ordinal(i + 1),
            ordinal(SERIES)
        ),
        None => {
            println!("\nAt every size up to {SERIES}, the last publish costs more than the mint.")
        }
    }
    // Where the difference goes: both transactions' gas, by cost.
    let publish_costs = gas_by_cost(&b.worker, &publish_balance_outcome, registry.id()).await?;
    let mint_costs = gas_by_cost(&b.worker, &mint_outcome, nft.id()).await?;
    let mut names: Vec<&String> = publish_costs.keys().chain(mint_costs.keys()).collect();
    names.sort();
    names.dedup();
    let get = |m: &std::collections::BTreeMap<String, u64>, k: &str| {
        m.get(k).copied().unwrap_or(0) as f64 / 1e12
    };
    names.sort_by(|a, b| {
        let d = |k: &str| (get(&publish_costs, k) - get(&mint_costs, k)).abs();
        d(b).total_cmp(&d(a))
    });
    println!();
    println!("| cost | publish from a storage balance (TGas) | NEP-171 mint (TGas) | difference |");
    println!("|---|---:|---:|---:|");
    for k in names {
        let (p, m) = (get(&publish_costs, k), get(&mint_costs, k));
        if p.max(m) >= 0.005 {
            println!("| {k} | {p:.3} | {m:.3} | {:+.3} |", p - m);
        }
    }
    println!();
    println!(
        "Publish with one training dataset (registry + lineage consent), publisher registered with both \
         contracts: {consent_balance:.2} TGas"
    );
    if let Some(g) = lineage_receipt {
        println!(
            "record_training_usage for 32 datasets burnt {g:.2} TGas of the 30 TGas (+ unused share) the registry attaches"
        );
    }
    println!(
        "Views answered over RPC carry no gas figure; the two view rows are the same methods run as transactions."
    );
    drop(b.worker);
    Ok(())
}

/// A 32-byte hash in base64, as NEP-177 `*_hash` fields are.
fn near_b64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = near_primitives::hash::hash(data);
    let bytes: &[u8] = bytes.as_ref();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
