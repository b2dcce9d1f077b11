//! The registry and the lineage contract together (issues 4 and 5) on the local node: a version that
//! declares training datasets is published only if the lineage contract consents; otherwise it is not
//! published, the publisher gets the whole deposit back and lineage records nothing. Also: the heaviest
//! allowed publish (64 files, 32 datasets with maximal ids) fits in the minimum gas the registry asks for.

use near_workspaces::network::Sandbox;
use near_workspaces::result::ExecutionFinalResult;
use near_workspaces::types::{CryptoHash, Gas, NearToken};
use near_workspaces::{Account, Contract, Worker};
use sandbox_tests::{
    event_lines, must_account, must_balance, must_deploy, must_have_paid_only_gas, must_succeed,
    sandbox, sha256_hex, storage_byte_cost, view,
};
use serde_json::{Value, json};

const MODEL: &str = "acme/sentiment";

struct Fixture {
    worker: Worker<Sandbox>,
    registry: Contract,
    lineage: Contract,
    /// Owns `acme/sentiment`.
    acme: Account,
    /// Owns the datasets.
    alice: Account,
}

fn permission(status: &str) -> Value {
    json!({ "status": status })
}

fn terms(training: &str, commercial: &str) -> Value {
    json!({ "ai_training": permission(training), "ai_inference": permission("allowed"),
            "data_mining": permission("allowed"), "commercial_use": permission(commercial),
            "attribution_required": false, "access": null })
}

async fn call(
    who: &Account,
    contract: &Contract,
    method: &str,
    args: Value,
) -> ExecutionFinalResult {
    who.call(contract.id(), method)
        .args_json(args)
        .deposit(NearToken::from_near(1))
        .gas(Gas::from_tgas(100))
        .transact()
        .await
        .unwrap_or_else(|e| panic!("{method}: {e:?}"))
}

/// Registers `id` with `terms` and publishes its version `version`.
async fn dataset(alice: &Account, lineage: &Contract, id: &str, version: &str, terms: Value) {
    must_succeed(
        &call(
            alice,
            lineage,
            "register_dataset",
            json!({ "dataset_id": id, "title": id, "terms": terms }),
        )
        .await,
    );
    must_succeed(&call(alice, lineage, "publish_version", json!({ "dataset_id": id, "version": version,
        "manifest": { "content_digest": sha256_hex(id.as_bytes()), "size_bytes": "1", "record_count": "1", "uris": [] } })).await);
}

async fn fixture() -> Fixture {
    let worker = sandbox().await.expect("sandbox");
    let registry = must_deploy(&worker, "model-registry").await;
    let lineage = must_deploy(&worker, "dataset-lineage").await;
    must_succeed(
        &registry
            .call("new")
            .args_json(json!({ "owner_id": registry.id() }))
            .transact()
            .await
            .expect("new"),
    );
    must_succeed(
        &lineage
            .call("new")
            .args_json(json!({ "owner_id": lineage.id(), "registry_id": registry.id() }))
            .transact()
            .await
            .expect("new"),
    );
    must_succeed(
        &registry
            .call("set_lineage_contract")
            .args_json(json!({ "lineage_contract": lineage.id() }))
            .deposit(NearToken::from_yoctonear(1))
            .transact()
            .await
            .expect("set_lineage_contract"),
    );
    assert_eq!(
        view(&lineage, "get_registry", json!({})).await,
        json!(registry.id())
    );
    let (acme, alice) = (must_account(&worker).await, must_account(&worker).await);
    must_succeed(
        &call(
            &acme,
            &registry,
            "create_model",
            json!({ "namespace": "acme", "name": "sentiment" }),
        )
        .await,
    );
    dataset(
        &alice,
        &lineage,
        "reviews",
        "1.0.0",
        terms("allowed", "allowed"),
    )
    .await;
    dataset(
        &alice,
        &lineage,
        "research",
        "1",
        terms("allowed", "not_allowed"),
    )
    .await;
    dataset(
        &alice,
        &lineage,
        "private",
        "1",
        terms("not_allowed", "allowed"),
    )
    .await;
    Fixture {
        worker,
        registry,
        lineage,
        acme,
        alice,
    }
}

fn files(tag: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({ "path": format!("weights/shard-{i:03}.safetensors"), "sha256": sha256_hex(format!("{tag}/{i}").as_bytes()), "size": "4096" }))
        .collect()
}

async fn publish(
    acme: &Account,
    registry: &Contract,
    version: &str,
    files: Vec<Value>,
    datasets: &[String],
    commercial: bool,
    gas: Gas,
) -> ExecutionFinalResult {
    acme.call(registry.id(), "publish_version")
        .args_json(json!({ "model_id": MODEL, "version": version, "files": files, "training_datasets": datasets, "commercial_use": commercial }))
        .deposit(NearToken::from_near(2))
        .gas(gas)
        .transact()
        .await
        .expect("publish_version")
}

fn registry_event(name: &str, data: String) -> String {
    format!(
        r#"EVENT_JSON:{{"standard":"nexus-model-registry","version":"1.0.0","event":"{name}","data":{data}}}"#
    )
}

/// One line per receipt: executor and TGas burnt (printed with `--nocapture`, and in failure messages).
fn gas_profile(outcome: &ExecutionFinalResult) -> String {
    outcome
        .outcomes()
        .iter()
        .map(|o| {
            format!(
                "{}: {:.2} TGas",
                o.executor_id,
                o.gas_burnt.as_gas() as f64 / 1e12
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test]
async fn a_publish_whose_datasets_allow_training_is_published_and_linked_both_ways()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        lineage,
        acme,
        ..
    } = fixture().await;
    let byte_cost = storage_byte_cost(&worker).await;
    let datasets = vec!["reviews@1.0.0".to_string(), "research@1".to_string()];
    let (registry_bytes, lineage_bytes) = (
        registry.view_account().await?.storage_usage,
        lineage.view_account().await?.storage_usage,
    );
    let before = must_balance(&worker, &acme).await;
    let manifest = files("v1", 3);
    let outcome = publish(
        &acme,
        &registry,
        "1.0.0",
        manifest.clone(),
        &datasets,
        false,
        Gas::from_tgas(300),
    )
    .await;
    must_succeed(&outcome);
    assert!(
        outcome.receipt_failures().is_empty(),
        "{}",
        gas_profile(&outcome)
    );
    assert_eq!(
        outcome.clone().json::<Value>()?,
        json!({ "version_id": "acme/sentiment@1.0.0", "publication": "published" })
    );
    let digest = view(
        &registry,
        "compute_manifest_digest",
        json!({ "files": manifest }),
    )
    .await;
    let digest = digest.as_str().unwrap();
    assert_eq!(
        event_lines(&outcome),
        vec![
            registry_event(
                "version_pending",
                format!(
                    r#"{{"model_id":"acme/sentiment","version":"1.0.0","manifest_digest":"{digest}","publisher":"{}","training_datasets":["reviews@1.0.0","research@1"]}}"#,
                    acme.id()
                )
            ),
            format!(
                r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"training_usage_recorded","data":{{"model_version_id":"acme/sentiment@1.0.0","dataset_versions":["reviews@1.0.0","research@1"],"commercial_use":false,"publisher":"{}"}}}}"#,
                acme.id()
            ),
            registry_event(
                "version_published",
                format!(
                    r#"{{"model_id":"acme/sentiment","version":"1.0.0","manifest_digest":"{digest}","publisher":"{}"}}"#,
                    acme.id()
                )
            ),
        ]
    );
    let v = view(
        &registry,
        "get_version",
        json!({ "model_id": MODEL, "version": "1.0.0" }),
    )
    .await;
    assert_eq!(
        (v["publication"].clone(), v["training_datasets"].clone()),
        (json!("published"), json!(datasets))
    );
    assert_eq!(
        view(
            &registry,
            "version_status",
            json!({ "model_id": MODEL, "version": "1.0.0" })
        )
        .await,
        json!("active")
    );
    let history = view(&registry, "get_history", json!({ "model_id": MODEL })).await;
    assert_eq!(history[1]["action"]["publication"], "published");

    // Queryable both ways on the lineage side.
    let usage = view(
        &lineage,
        "get_training_datasets",
        json!({ "model_version_id": "acme/sentiment@1.0.0" }),
    )
    .await;
    assert_eq!(usage["publisher"], json!(acme.id()));
    assert_eq!(
        usage["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["version_id"].clone())
            .collect::<Vec<_>>(),
        vec![json!("reviews@1.0.0"), json!("research@1")]
    );
    assert_eq!(
        view(
            &lineage,
            "get_models_trained_on",
            json!({ "version_id": "research@1" })
        )
        .await,
        json!(["acme/sentiment@1.0.0"])
    );

    // The publisher paid both contracts' storage and gas; the rest of the 2 NEAR came back.
    let storage = u128::from(
        registry.view_account().await?.storage_usage - registry_bytes
            + lineage.view_account().await?.storage_usage
            - lineage_bytes,
    ) * byte_cost;
    let paid = before - must_balance(&worker, &acme).await;
    let gas = sandbox_tests::gas_paid_bound(&worker, &outcome).await;
    assert!(
        paid >= storage && paid - storage <= gas,
        "paid {paid}, storage of both contracts {storage}, gas at most {gas}"
    );
    Ok(())
}

#[tokio::test]
async fn a_publish_the_lineage_contract_refuses_is_not_published_and_fully_refunded()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        lineage,
        acme,
        ..
    } = fixture().await;
    let cases = [
        (
            "1.0.0",
            vec!["reviews@1.0.0", "private@1"],
            false,
            "dataset forbids training",
        ),
        (
            "1.0.0",
            vec!["research@1"],
            true,
            "commercial model on non-commercial data",
        ),
        (
            "1.0.0",
            vec!["reviews@9.9.9"],
            false,
            "unknown dataset version",
        ),
    ];
    for (i, (version, datasets, commercial, what)) in cases.into_iter().enumerate() {
        let datasets: Vec<String> = datasets.into_iter().map(String::from).collect();
        let versions_before = view(&registry, "list_versions", json!({ "model_id": MODEL })).await;
        let before = must_balance(&worker, &acme).await;
        let manifest = files(&format!("rejected-{i}"), 3);
        let outcome = publish(
            &acme,
            &registry,
            version,
            manifest.clone(),
            &datasets,
            commercial,
            Gas::from_tgas(300),
        )
        .await;
        must_succeed(&outcome);
        assert_eq!(
            outcome.receipt_failures().len(),
            1,
            "{what}: exactly the lineage call failed ({})",
            gas_profile(&outcome)
        );
        assert_eq!(
            outcome.clone().json::<Value>()?,
            json!({ "version_id": "acme/sentiment@1.0.0", "publication": "rejected" }),
            "{what}"
        );
        let events = event_lines(&outcome);
        assert_eq!(events.len(), 2, "{what}: {events:?}");
        assert_eq!(
            events[1],
            registry_event(
                "version_rejected",
                format!(
                    r#"{{"model_id":"acme/sentiment","version":"1.0.0","publisher":"{}"}}"#,
                    acme.id()
                )
            ),
            "{what}"
        );

        // Not published: absent from every view, the model is free to publish again.
        assert_eq!(
            view(
                &registry,
                "get_version",
                json!({ "model_id": MODEL, "version": version })
            )
            .await,
            Value::Null,
            "{what}"
        );
        assert_eq!(
            view(&registry, "list_versions", json!({ "model_id": MODEL })).await,
            versions_before,
            "{what}"
        );
        assert_eq!(
            view(
                &registry,
                "lookup_hash",
                json!({ "sha256": manifest[0]["sha256"] })
            )
            .await,
            json!([]),
            "{what}"
        );
        let model = view(&registry, "get_model", json!({ "model_id": MODEL })).await;
        assert_eq!(
            (
                model["pending_version"].clone(),
                model["version_count"].clone()
            ),
            (Value::Null, json!(0)),
            "{what}"
        );
        let history = view(&registry, "get_history", json!({ "model_id": MODEL })).await;
        let last = history.as_array().unwrap().last().unwrap();
        assert_eq!(
            (
                last["action"]["version"].clone(),
                last["action"]["publication"].clone()
            ),
            (json!(version), json!("rejected")),
            "{what}"
        );
        // Lineage recorded nothing.
        assert_eq!(
            view(
                &lineage,
                "get_training_datasets",
                json!({ "model_version_id": "acme/sentiment@1.0.0" })
            )
            .await,
            Value::Null,
            "{what}"
        );
        if datasets[0] != "reviews@9.9.9" {
            assert_eq!(
                view(
                    &lineage,
                    "get_models_trained_on",
                    json!({ "version_id": datasets[0] })
                )
                .await,
                json!([]),
                "{what}"
            );
        }
        // The whole 2 NEAR came back; only gas was paid.
        must_have_paid_only_gas(&worker, &acme, before, what).await;
    }
    // After the refusals, a consenting publish of the same version goes through.
    let ok = publish(
        &acme,
        &registry,
        "1.0.0",
        files("ok", 3),
        &["reviews@1.0.0".to_string()],
        true,
        Gas::from_tgas(300),
    )
    .await;
    must_succeed(&ok);
    assert_eq!(ok.clone().json::<Value>()?["publication"], "published");
    Ok(())
}

#[tokio::test]
async fn a_lineage_publish_with_less_than_110_tgas_is_refused_up_front() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
        ..
    } = fixture().await;
    let before = must_balance(&worker, &acme).await;
    let outcome = publish(
        &acme,
        &registry,
        "1.0.0",
        files("x", 1),
        &["reviews@1.0.0".to_string()],
        false,
        Gas::from_tgas(109),
    )
    .await;
    sandbox_tests::must_panic_with(
        &outcome,
        "prepaid gas 109 TGas is not enough for a lineage-checked publish: attach at least 110 TGas",
    );
    assert_eq!(
        view(
            &registry,
            "get_version",
            json!({ "model_id": MODEL, "version": "1.0.0" })
        )
        .await,
        Value::Null
    );
    must_have_paid_only_gas(&worker, &acme, before, "refused up front").await;
    Ok(())
}

/// 32 datasets (each its own dataset, ids of the maximal 64 + 1 + 32 bytes) and 64 files, with the minimum
/// gas the registry accepts (110 TGas): the consent check and both callback paths must fit.
#[tokio::test]
async fn the_heaviest_publish_fits_in_the_minimum_gas_on_both_paths() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        lineage,
        acme,
        alice,
        ..
    } = fixture().await;
    let mut ids = Vec::new();
    for i in 0..32 {
        let id = format!("{i:02}{}", "d".repeat(62));
        let version = format!("{i:02}{}", "v".repeat(30));
        dataset(&alice, &lineage, &id, &version, terms("allowed", "allowed")).await;
        ids.push(format!("{id}@{version}"));
    }
    let accepted = publish(
        &acme,
        &registry,
        "1.0.0",
        files("max", 64),
        &ids,
        true,
        Gas::from_tgas(110),
    )
    .await;
    println!(
        "accepted, 32 datasets, 64 files, 110 TGas prepaid: {}",
        gas_profile(&accepted)
    );
    must_succeed(&accepted);
    assert!(
        accepted.receipt_failures().is_empty(),
        "every receipt succeeded: {}",
        gas_profile(&accepted)
    );
    assert_eq!(
        accepted.clone().json::<Value>()?["publication"],
        "published",
        "{}",
        gas_profile(&accepted)
    );
    let usage = view(
        &lineage,
        "get_training_datasets",
        json!({ "model_version_id": "acme/sentiment@1.0.0" }),
    )
    .await;
    assert_eq!(usage["datasets"].as_array().unwrap().len(), 32);

    // The refusal path: the 32nd dataset forbids commercial use; the callback removes 65 hash-index entries.
    let last = ids.last().unwrap().split('@').next().unwrap().to_string();
    must_succeed(
        &call(
            &alice,
            &lineage,
            "set_terms",
            json!({ "dataset_id": last, "terms": terms("allowed", "not_allowed") }),
        )
        .await,
    );
    let before = must_balance(&worker, &acme).await;
    let rejected = publish(
        &acme,
        &registry,
        "2.0.0",
        files("max2", 64),
        &ids,
        true,
        Gas::from_tgas(110),
    )
    .await;
    println!(
        "rejected, 32 datasets, 64 files, 110 TGas prepaid: {}",
        gas_profile(&rejected)
    );
    must_succeed(&rejected);
    assert_eq!(
        rejected.clone().json::<Value>()?["publication"],
        "rejected",
        "{}",
        gas_profile(&rejected)
    );
    assert_eq!(
        rejected.receipt_failures().len(),
        1,
        "only the lineage call failed: {}",
        gas_profile(&rejected)
    );
    let failure = format!("{:?}", rejected.receipt_failures()[0]);
    assert!(
        failure.contains("cannot be used by a commercial model"),
        "refused for consent, not for gas: {failure}"
    );
    assert_eq!(
        view(
            &registry,
            "get_version",
            json!({ "model_id": MODEL, "version": "2.0.0" })
        )
        .await,
        Value::Null
    );
    must_have_paid_only_gas(&worker, &acme, before, "the heaviest publish").await;
    Ok(())
}

/// The block of the publish receipt of a lineage-checked publish (the one that logged `version_pending`).
fn publish_block(registry: &Contract, outcome: &ExecutionFinalResult) -> CryptoHash {
    outcome
        .receipt_outcomes()
        .iter()
        .find(|o| {
            &o.executor_id == registry.id() && o.logs.iter().any(|l| l.contains("version_pending"))
        })
        .expect("the publish receipt")
        .block_hash
}

/// Gives every registry record back the value it had in `block`, as if the callbacks since had failed;
/// returns how many records it rewrote.
async fn rewind(worker: &Worker<Sandbox>, registry: &Contract, block: CryptoHash) -> usize {
    let then = registry
        .view_state()
        .block_hash(block)
        .await
        .expect("state then");
    let now = registry.view_state().await.expect("state now");
    let mut rewritten = 0;
    for (key, value) in &then {
        if now.get(key) != Some(value) {
            worker
                .patch_state(registry.id(), key, value)
                .await
                .expect("patch_state");
            rewritten += 1;
        }
    }
    rewritten
}

/// `get_version` of acme/sentiment@1.0.0.
async fn version_1_0_0(registry: &Contract) -> Value {
    view(
        registry,
        "get_version",
        json!({ "model_id": MODEL, "version": "1.0.0" }),
    )
    .await
}

async fn abandon(
    who: &Account,
    registry: &Contract,
    version: &str,
    deposit: NearToken,
) -> ExecutionFinalResult {
    who.call(registry.id(), "abandon_pending_version")
        .args_json(json!({ "model_id": MODEL, "version": version }))
        .deposit(deposit)
        .gas(Gas::from_tgas(100))
        .transact()
        .await
        .expect("abandon_pending_version")
}

/// A version whose lineage callback never settled it (it ran out of gas, say) stays pending. The test makes
/// one by rewinding the registry's records to the block in which the version was published pending, as if
/// the callback had failed. The lineage contract did record the usage (the consent was given), so when a
/// maintainer abandons the version after 1000 blocks, the registry asks the lineage contract, finds the
/// record and publishes the version: nothing is refunded, and the two contracts agree again.
#[tokio::test]
async fn a_stuck_version_whose_consent_was_recorded_is_published_when_abandoned_after_1000_blocks()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        lineage,
        acme,
        ..
    } = fixture().await;
    let bob = must_account(&worker).await;
    must_succeed(
        &call(
            &acme,
            &registry,
            "add_maintainer",
            json!({ "model_id": MODEL, "account_id": bob.id() }),
        )
        .await,
    );
    let manifest = files("stuck", 2);
    let outcome = publish(
        &acme,
        &registry,
        "1.0.0",
        manifest.clone(),
        &["reviews@1.0.0".to_string()],
        true,
        Gas::from_tgas(300),
    )
    .await;
    must_succeed(&outcome);
    let published = publish_block(&registry, &outcome);
    let state_published = registry.view_state().await?;
    let keys_published: Vec<_> = state_published.keys().cloned().collect();
    assert_eq!(
        rewind(&worker, &registry, published).await,
        1,
        "consent rewrote only the model record (not the version record nor its history entry)"
    );
    let mut keys_then: Vec<_> = registry.view_state().await?.into_keys().collect();
    let mut keys_published = keys_published;
    keys_then.sort();
    keys_published.sort();
    assert_eq!(keys_then, keys_published, "and added or removed none");
    let version = || version_1_0_0(&registry);
    assert_eq!(version().await["publication"], "pending");
    let since: u64 = version().await["block_height"].as_str().unwrap().parse()?;

    let one_yocto = NearToken::from_yoctonear(1);
    sandbox_tests::must_panic_with(
        &abandon(&bob, &registry, "1.0.0", one_yocto).await,
        &format!(
            "version 'acme/sentiment@1.0.0' is pending lineage consent since block {since}; it can be abandoned from block {}",
            since + 1000
        ),
    );
    worker.fast_forward(1000).await?;
    let stranger = must_account(&worker).await;
    sandbox_tests::must_panic_with(
        &abandon(&stranger, &registry, "1.0.0", one_yocto).await,
        &format!(
            "{} is not the owner or a maintainer of model 'acme/sentiment'",
            stranger.id()
        ),
    );
    sandbox_tests::must_panic_with(
        &abandon(&bob, &registry, "1.0.0", NearToken::from_yoctonear(0)).await,
        "requires an attached deposit of exactly 1 yoctoNEAR, got 0",
    );
    let low_gas = bob
        .call(registry.id(), "abandon_pending_version")
        .args_json(json!({ "model_id": MODEL, "version": "1.0.0" }))
        .deposit(one_yocto)
        .gas(Gas::from_tgas(30))
        .transact()
        .await?;
    sandbox_tests::must_panic_with(
        &low_gas,
        "prepaid gas 30 TGas is not enough for abandoning a pending version (the lineage contract is asked first): attach at least 70 TGas",
    );
    assert_eq!(version().await["publication"], "pending");

    let before = must_balance(&worker, &acme).await;
    let abandoned = abandon(&bob, &registry, "1.0.0", one_yocto).await;
    must_succeed(&abandoned);
    assert!(abandoned.receipt_failures().is_empty(), "{abandoned:#?}");
    assert_eq!(
        abandoned.clone().json::<Value>()?,
        json!({ "version_id": "acme/sentiment@1.0.0", "publication": "published" })
    );
    let digest = version().await["manifest_digest"].clone();
    assert_eq!(
        event_lines(&abandoned),
        vec![registry_event(
            "version_published",
            format!(
                r#"{{"model_id":"acme/sentiment","version":"1.0.0","manifest_digest":{digest},"publisher":"{}"}}"#,
                acme.id()
            )
        )]
    );
    assert_eq!(
        must_balance(&worker, &acme).await,
        before,
        "nothing refunded: the publisher paid for the records as published"
    );
    assert!(
        registry.view_state().await? == state_published,
        "every record is as the consent callback had left it"
    );
    assert_eq!(version().await["publication"], "published");
    let model = view(&registry, "get_model", json!({ "model_id": MODEL })).await;
    assert_eq!(
        (&model["pending_version"], &model["latest_version"]),
        (&Value::Null, &json!("1.0.0"))
    );
    let history = view(&registry, "get_history", json!({ "model_id": MODEL })).await;
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"]["publication"], "published");
    // Both contracts agree: the lineage contract's usage record names a version that exists.
    assert_eq!(
        view(
            &lineage,
            "get_training_datasets",
            json!({ "model_version_id": "acme/sentiment@1.0.0" })
        )
        .await["publisher"],
        json!(acme.id())
    );
    Ok(())
}

/// The same, for a publish the lineage contract refused: after the rewind the version is pending again with
/// no usage record behind it, so abandoning it removes it as a refusal does and refunds what the publish held
/// (the refusal's callback had already refunded it once; that is the rewind's doing, not the contract's).
#[tokio::test]
async fn a_stuck_version_without_a_usage_record_is_removed_and_refunded_when_abandoned()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
        ..
    } = fixture().await;
    let manifest = files("refused", 2);
    let outcome = publish(
        &acme,
        &registry,
        "1.0.0",
        manifest.clone(),
        &["private@1".to_string()],
        true,
        Gas::from_tgas(300),
    )
    .await;
    assert_eq!(
        outcome.clone().json::<Value>()?["publication"],
        json!("rejected")
    );
    let published = publish_block(&registry, &outcome);
    assert!(rewind(&worker, &registry, published).await > 1);
    let version = || version_1_0_0(&registry);
    assert_eq!(version().await["publication"], "pending");
    worker.fast_forward(1000).await?;

    let before = must_balance(&worker, &acme).await;
    let abandoned = abandon(&acme, &registry, "1.0.0", NearToken::from_yoctonear(1)).await;
    must_succeed(&abandoned);
    assert_eq!(
        abandoned.clone().json::<Value>()?,
        json!({ "version_id": "acme/sentiment@1.0.0", "publication": "abandoned" })
    );
    assert_eq!(
        event_lines(&abandoned),
        vec![registry_event(
            "version_abandoned",
            format!(
                r#"{{"model_id":"acme/sentiment","version":"1.0.0","publisher":"{0}","by":"{0}"}}"#,
                acme.id()
            )
        )]
    );
    // What the publish held: its storage charge and the 0.01 NEAR forwarded (less the gas acme paid here).
    let forwarded = NearToken::from_millinear(10).as_yoctonear();
    let gained = must_balance(&worker, &acme).await
        + sandbox_tests::gas_paid_bound(&worker, &abandoned).await
        - before;
    assert!(
        gained > forwarded && gained < forwarded + NearToken::from_millinear(50).as_yoctonear(),
        "gained {gained}"
    );
    assert_eq!(version().await, Value::Null);
    assert_eq!(
        view(
            &registry,
            "lookup_hash",
            json!({ "sha256": manifest[0]["sha256"] })
        )
        .await,
        json!([])
    );
    let history = view(&registry, "get_history", json!({ "model_id": MODEL })).await;
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"]["publication"], "abandoned");
    // The version can be published again.
    must_succeed(
        &call(
            &acme,
            &registry,
            "publish_version",
            json!({ "model_id": MODEL, "version": "1.0.0", "files": manifest, "commercial_use": true }),
        )
        .await,
    );
    Ok(())
}

/// A 12-file publish with one training dataset, 1 yoctoNEAR attached (paid from storage balances) and 300 TGas.
async fn publish_one_yocto(
    acme: &Account,
    registry: &Contract,
    version: &str,
    tag: &str,
    dataset: &str,
) -> ExecutionFinalResult {
    acme.call(registry.id(), "publish_version")
        .args_json(
            json!({ "model_id": MODEL, "version": version, "files": files(tag, 12),
            "training_datasets": [dataset], "commercial_use": true }),
        )
        .deposit(NearToken::from_yoctonear(1))
        .gas(Gas::from_tgas(300))
        .transact()
        .await
        .expect("publish_version")
}

async fn available(contract: &Contract, account: &Account) -> u128 {
    let balance = view(
        contract,
        "storage_balance_of",
        json!({ "account_id": account.id() }),
    )
    .await;
    balance["available"]
        .as_str()
        .expect("registered")
        .parse()
        .expect("u128")
}

#[tokio::test]
async fn a_registered_publisher_pays_both_contracts_storage_from_its_balance() -> anyhow::Result<()>
{
    let Fixture {
        worker,
        registry,
        lineage,
        acme,
        ..
    } = fixture().await;
    let byte_cost = storage_byte_cost(&worker).await;
    must_succeed(&call(&acme, &registry, "storage_deposit", json!({})).await);
    let usage = |c: &Contract| {
        let c = c.clone();
        async move { c.view_account().await.expect("view_account").storage_usage }
    };

    // Consent: the registry's bytes and the forwarded deposit come out of the balance; the lineage contract
    // keeps its storage cost and sends the rest to the publisher (not registered there), not to the registry.
    let start = available(&registry, &acme).await;
    let account_start = must_balance(&worker, &acme).await;
    let (r0, l0) = (usage(&registry).await, usage(&lineage).await);
    let published = publish_one_yocto(&acme, &registry, "1.0.0", "v1", "reviews@1.0.0").await;
    must_succeed(&published);
    assert!(published.receipt_failures().is_empty(), "{published:#?}");
    assert_eq!(
        published.clone().json::<Value>()?,
        json!({ "version_id": "acme/sentiment@1.0.0", "publication": "published" })
    );
    let forwarded = NearToken::from_millinear(10).as_yoctonear();
    let registry_cost = u128::from(usage(&registry).await - r0) * byte_cost;
    let lineage_cost = u128::from(usage(&lineage).await - l0) * byte_cost;
    assert!(registry_cost > 0 && lineage_cost > 0);
    assert_eq!(
        start + 1 - available(&registry, &acme).await,
        registry_cost + forwarded,
        "exactly the registry's new bytes and the forwarded deposit"
    );
    // The account got the unused deposit back and paid only gas (and the 1 yoctoNEAR).
    let gained = must_balance(&worker, &acme).await
        + sandbox_tests::gas_paid_bound(&worker, &published).await
        - account_start;
    assert!(
        gained >= forwarded - lineage_cost - 1,
        "gained {gained} (gas bound included), expected at least {}",
        forwarded - lineage_cost - 1
    );
    assert!(must_balance(&worker, &acme).await - account_start <= forwarded - lineage_cost);

    // Refusal: everything the publish held is credited back.
    let start = available(&registry, &acme).await;
    let refused = publish_one_yocto(&acme, &registry, "1.1.0", "v11", "private@1").await;
    assert_eq!(
        refused.json::<Value>()?,
        json!({ "version_id": "acme/sentiment@1.1.0", "publication": "rejected" })
    );
    assert_eq!(available(&registry, &acme).await, start + 1);

    // Registered with the lineage contract too: the unused part of the forwarded deposit is credited to the
    // publisher's balance there (no refund transfer to the registry), and the registry refunds nothing of it.
    must_succeed(&call(&acme, &lineage, "storage_deposit", json!({})).await);
    let (registry_start, lineage_start) = (
        available(&registry, &acme).await,
        available(&lineage, &acme).await,
    );
    let (r0, l0) = (usage(&registry).await, usage(&lineage).await);
    let published = publish_one_yocto(&acme, &registry, "1.2.0", "v12", "reviews@1.0.0").await;
    must_succeed(&published);
    assert!(published.receipt_failures().is_empty(), "{published:#?}");
    let lineage_cost = u128::from(usage(&lineage).await - l0) * byte_cost;
    let registry_cost = u128::from(usage(&registry).await - r0) * byte_cost;
    assert_eq!(
        available(&lineage, &acme).await,
        lineage_start + forwarded - lineage_cost,
        "the unused deposit is credited at the lineage contract"
    );
    assert_eq!(
        available(&registry, &acme).await,
        registry_start + 1 - registry_cost - forwarded,
        "the registry kept the forwarded deposit: the lineage contract kept it all"
    );
    assert!(
        event_lines(&published)
            .iter()
            .any(|l| l.contains(r#""event":"storage_credited""#)),
        "{:?}",
        event_lines(&published)
    );
    assert!(
        !published
            .receipt_outcomes()
            .iter()
            .any(|o| &o.executor_id == registry.id()
                && o.logs.is_empty()
                && o.gas_burnt.as_gas() < 300_000_000_000),
        "no refund transfer from the lineage contract to the registry: {published:#?}"
    );
    Ok(())
}
