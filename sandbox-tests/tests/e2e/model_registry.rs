//! End-to-end specification of the model registry (issue 4) on the local node: every capability, every
//! bad-input case (exact error, state unchanged, deposit back), exact event lines, exact storage charges,
//! and an upgrade from the first release's wasm that reads every record back.

use near_workspaces::network::Sandbox;
use near_workspaces::result::ExecutionFinalResult;
use near_workspaces::types::{Gas, NearToken};
use near_workspaces::{Account, Contract, Worker};
use sandbox_tests::{
    event_lines, must_account, must_balance, must_deploy, must_have_paid_only_gas, must_panic_with,
    must_succeed, receipts_created_by_call, res_wasm, sandbox, sha256_hex, storage_byte_cost, view,
    view_err, wasm,
};
use serde_json::{Value, json};

const MODEL: &str = "acme/sentiment";

/// A registry owned by its own account, and a publisher `acme` that owns `acme/sentiment`.
struct Fixture {
    worker: Worker<Sandbox>,
    registry: Contract,
    acme: Account,
}

async fn registry_from(worker: &Worker<Sandbox>, code: Option<Vec<u8>>) -> Contract {
    let registry = match code {
        Some(code) => worker.dev_deploy(&code).await.expect("deploy"),
        None => must_deploy(worker, "model-registry").await,
    };
    must_succeed(
        &registry
            .call("new")
            .args_json(json!({ "owner_id": registry.id() }))
            .transact()
            .await
            .expect("new"),
    );
    registry
}

async fn fixture() -> Fixture {
    let worker = sandbox().await.expect("sandbox");
    let registry = registry_from(&worker, None).await;
    let acme = must_account(&worker).await;
    must_succeed(&create_model(&acme, &registry, "acme", "sentiment").await);
    Fixture {
        worker,
        registry,
        acme,
    }
}

/// A write with 1 NEAR attached (the client strategy the README recommends) and 100 TGas.
async fn write(
    who: &Account,
    registry: &Contract,
    method: &str,
    args: Value,
) -> ExecutionFinalResult {
    write_with(who, registry, method, args, NearToken::from_near(1)).await
}

async fn write_with(
    who: &Account,
    registry: &Contract,
    method: &str,
    args: Value,
    deposit: NearToken,
) -> ExecutionFinalResult {
    who.call(registry.id(), method)
        .args_json(args)
        .deposit(deposit)
        .gas(Gas::from_tgas(100))
        .transact()
        .await
        .unwrap_or_else(|e| panic!("{method}: {e:?}"))
}

async fn create_model(
    who: &Account,
    registry: &Contract,
    ns: &str,
    name: &str,
) -> ExecutionFinalResult {
    write(
        who,
        registry,
        "create_model",
        json!({ "namespace": ns, "name": name, "metadata": {
            "description": "Sentiment classifier for product reviews",
            "tags": ["nlp", "sentiment"], "license": "Apache-2.0", "framework": "pytorch",
            "task": "text-classification", "homepage": "https://acme.example/sentiment" } }),
    )
    .await
}

/// `n` files with distinct contents keyed by `tag`: `model-0000i.safetensors`, sha256 of `tag/i`.
fn files(tag: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({ "path": format!("model-{i:05}.safetensors"),
                    "sha256": sha256_hex(format!("{tag}/{i}").as_bytes()),
                    "size": format!("{}", 1_000_000 + i) })
        })
        .collect()
}

/// The manifest digest as documented: sha256 over the domain line and, per file sorted by path,
/// `path\nsha256\nsize\n`.
fn manifest_digest(files: &[Value]) -> String {
    let mut sorted: Vec<&Value> = files.iter().collect();
    sorted.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    let mut text = String::from("nexus-model-manifest/v1\n");
    for f in sorted {
        text.push_str(&format!(
            "{}\n{}\n{}\n",
            f["path"].as_str().unwrap(),
            f["sha256"].as_str().unwrap().to_lowercase(),
            f["size"].as_str().unwrap()
        ));
    }
    sha256_hex(text.as_bytes())
}

async fn publish(
    who: &Account,
    registry: &Contract,
    version: &str,
    files: Vec<Value>,
) -> ExecutionFinalResult {
    write(
        who,
        registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": version, "files": files, "commercial_use": true }),
    )
    .await
}

/// Everything a bad call could have touched: config, the model, its versions and history, storage.
async fn snapshot(registry: &Contract) -> Value {
    let versions = registry
        .view("list_versions")
        .args_json(json!({ "model_id": MODEL }))
        .await
        .ok()
        .map(|r| r.json::<Value>().expect("json"));
    let history = registry
        .view("get_history")
        .args_json(json!({ "model_id": MODEL, "limit": 100 }))
        .await
        .ok()
        .map(|r| r.json::<Value>().expect("json"));
    json!({
        "config": view(registry, "get_config", json!({})).await,
        "models": view(registry, "list_models", json!({})).await,
        "versions": versions,
        "history": history,
        "storage": registry.view_account().await.expect("view_account").storage_usage,
    })
}

/// A bad call: fails with exactly `message`, changes nothing, and the 1 NEAR attached comes back.
async fn must_reject(
    worker: &Worker<Sandbox>,
    who: &Account,
    registry: &Contract,
    method: &str,
    args: Value,
    message: &str,
) {
    let state = snapshot(registry).await;
    let before = must_balance(worker, who).await;
    let outcome = write(who, registry, method, args).await;
    must_panic_with(&outcome, message);
    assert_eq!(
        snapshot(registry).await,
        state,
        "{method} changed state: {message}"
    );
    must_have_paid_only_gas(worker, who, before, method).await;
}

fn event(name: &str, data: &str) -> String {
    format!(
        r#"EVENT_JSON:{{"standard":"nexus-model-registry","version":"1.0.0","event":"{name}","data":{data}}}"#
    )
}

async fn now_ns(worker: &Worker<Sandbox>) -> u64 {
    worker.view_block().await.expect("block").timestamp()
}

// ---- models, maintainers, ownership, metadata ---------------------------------------------------------

#[tokio::test]
async fn creating_a_model_claims_its_namespace_and_emits_events() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let registry = registry_from(&worker, None).await;
    let acme = must_account(&worker).await;
    let outcome = create_model(&acme, &registry, "acme", "sentiment").await;
    must_succeed(&outcome);
    assert_eq!(outcome.clone().json::<String>()?, MODEL);
    assert_eq!(
        event_lines(&outcome),
        vec![
            event(
                "namespace_claimed",
                &format!(r#"{{"namespace":"acme","owner":"{}"}}"#, acme.id())
            ),
            event(
                "model_created",
                &format!(r#"{{"model_id":"acme/sentiment","owner":"{}"}}"#, acme.id())
            ),
        ]
    );
    let model = view(&registry, "get_model", json!({ "model_id": MODEL })).await;
    assert_eq!(model["owner"], json!(acme.id()));
    assert_eq!(model["metadata"]["license"], "Apache-2.0");
    assert_eq!(model["metadata"]["tags"], json!(["nlp", "sentiment"]));
    assert_eq!(model["version_count"], 0);
    let ns = view(&registry, "get_namespace", json!({ "namespace": "acme" })).await;
    assert_eq!(
        (ns["owner"].clone(), ns["model_count"].clone()),
        (json!(acme.id()), json!(1))
    );

    // A second model in its own namespace claims nothing new.
    let second = create_model(&acme, &registry, "acme", "summarizer").await;
    must_succeed(&second);
    assert_eq!(event_lines(&second).len(), 1, "only model_created");
    let models = view(&registry, "list_models", json!({})).await;
    let ids: Vec<&str> = models
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["acme/sentiment", "acme/summarizer"]);
    assert_eq!(
        view(
            &registry,
            "list_models",
            json!({ "from_index": 1, "limit": 1 })
        )
        .await
        .as_array()
        .unwrap()
        .len(),
        1
    );
    Ok(())
}

#[tokio::test]
async fn maintainers_added_by_the_owner_update_metadata_until_removed() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    let bob = must_account(&worker).await;
    let added = write(
        &acme,
        &registry,
        "add_maintainer",
        json!({ "model_id": MODEL, "account_id": bob.id() }),
    )
    .await;
    must_succeed(&added);
    assert_eq!(
        event_lines(&added),
        vec![event(
            "maintainer_added",
            &format!(
                r#"{{"model_id":"acme/sentiment","account":"{}","by":"{}"}}"#,
                bob.id(),
                acme.id()
            )
        )]
    );
    let metadata = json!({ "description": "v2 description", "tags": ["nlp"], "license": "MIT" });
    let updated = write(
        &bob,
        &registry,
        "update_metadata",
        json!({ "model_id": MODEL, "metadata": metadata }),
    )
    .await;
    must_succeed(&updated);
    assert_eq!(
        event_lines(&updated),
        vec![event(
            "model_metadata_updated",
            &format!(r#"{{"model_id":"acme/sentiment","by":"{}"}}"#, bob.id())
        )]
    );
    let model = view(&registry, "get_model", json!({ "model_id": MODEL })).await;
    assert_eq!(model["metadata"]["description"], "v2 description");
    assert_eq!(model["metadata"]["license"], "MIT");
    assert_eq!(model["maintainers"], json!([bob.id()]));
    // Each update is an audit record carrying the metadata.
    let history = view(&registry, "get_history", json!({ "model_id": MODEL })).await;
    let last = &history.as_array().unwrap()[2];
    assert_eq!(last["action"]["type"], "metadata_updated");
    assert_eq!(last["actor"], json!(bob.id()));
    assert_eq!(last["action"]["metadata"]["description"], "v2 description");

    must_succeed(
        &write(
            &acme,
            &registry,
            "remove_maintainer",
            json!({ "model_id": MODEL, "account_id": bob.id() }),
        )
        .await,
    );
    must_reject(
        &worker,
        &bob,
        &registry,
        "update_metadata",
        json!({ "model_id": MODEL, "metadata": {} }),
        &format!(
            "{} is not the owner or a maintainer of model 'acme/sentiment'",
            bob.id()
        ),
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "remove_maintainer",
        json!({ "model_id": MODEL, "account_id": bob.id() }),
        &format!("{} is not a maintainer of model 'acme/sentiment'", bob.id()),
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "add_maintainer",
        json!({ "model_id": MODEL, "account_id": acme.id() }),
        &format!(
            "{} is already the owner of model 'acme/sentiment'",
            acme.id()
        ),
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn ownership_moves_only_when_the_proposed_owner_accepts() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    let (bob, carol) = (must_account(&worker).await, must_account(&worker).await);
    let proposed = write(
        &acme,
        &registry,
        "propose_owner",
        json!({ "model_id": MODEL, "new_owner": bob.id() }),
    )
    .await;
    must_succeed(&proposed);
    assert_eq!(
        event_lines(&proposed),
        vec![event(
            "ownership_transfer_proposed",
            &format!(
                r#"{{"model_id":"acme/sentiment","from":"{}","to":"{}"}}"#,
                acme.id(),
                bob.id()
            )
        )]
    );
    assert_eq!(
        view(&registry, "get_model", json!({ "model_id": MODEL })).await["pending_owner"],
        json!(bob.id())
    );
    must_reject(
        &worker,
        &carol,
        &registry,
        "accept_ownership",
        json!({ "model_id": MODEL }),
        &format!(
            "{} is not the proposed owner of model 'acme/sentiment'",
            carol.id()
        ),
    )
    .await;
    must_reject(
        &worker,
        &bob,
        &registry,
        "propose_owner",
        json!({ "model_id": MODEL, "new_owner": carol.id() }),
        &format!("{} is not the owner of model 'acme/sentiment'", bob.id()),
    )
    .await;

    must_succeed(
        &write(
            &acme,
            &registry,
            "cancel_ownership_transfer",
            json!({ "model_id": MODEL }),
        )
        .await,
    );
    must_reject(
        &worker,
        &bob,
        &registry,
        "accept_ownership",
        json!({ "model_id": MODEL }),
        "model 'acme/sentiment' has no pending ownership transfer",
    )
    .await;

    must_succeed(
        &write(
            &acme,
            &registry,
            "propose_owner",
            json!({ "model_id": MODEL, "new_owner": bob.id() }),
        )
        .await,
    );
    let accepted = write(
        &bob,
        &registry,
        "accept_ownership",
        json!({ "model_id": MODEL }),
    )
    .await;
    must_succeed(&accepted);
    assert_eq!(
        event_lines(&accepted),
        vec![event(
            "ownership_transferred",
            &format!(
                r#"{{"model_id":"acme/sentiment","from":"{}","to":"{}"}}"#,
                acme.id(),
                bob.id()
            )
        )]
    );
    let model = view(&registry, "get_model", json!({ "model_id": MODEL })).await;
    assert_eq!(
        (model["owner"].clone(), model["pending_owner"].clone()),
        (json!(bob.id()), Value::Null)
    );
    must_reject(
        &worker,
        &acme,
        &registry,
        "add_maintainer",
        json!({ "model_id": MODEL, "account_id": carol.id() }),
        &format!("{} is not the owner of model 'acme/sentiment'", acme.id()),
    )
    .await;
    Ok(())
}

// ---- versions, manifests, hashes ----------------------------------------------------------------------

#[tokio::test]
async fn a_published_version_carries_its_manifest_and_is_found_by_any_of_its_hashes()
-> anyhow::Result<()> {
    let Fixture { registry, acme, .. } = fixture().await;
    let manifest = files("v1", 12);
    let digest = manifest_digest(&manifest);
    assert_eq!(
        view(
            &registry,
            "compute_manifest_digest",
            json!({ "files": manifest })
        )
        .await,
        json!(digest),
        "the on-chain digest is the documented encoding"
    );
    let outcome = publish(&acme, &registry, "1.0.0", manifest.clone()).await;
    must_succeed(&outcome);
    assert_eq!(
        outcome.clone().json::<Value>()?,
        json!({ "version_id": "acme/sentiment@1.0.0", "publication": "published" })
    );
    assert_eq!(
        event_lines(&outcome),
        vec![event(
            "version_published",
            &format!(
                r#"{{"model_id":"acme/sentiment","version":"1.0.0","manifest_digest":"{digest}","publisher":"{}"}}"#,
                acme.id()
            )
        )]
    );

    let card = sha256_hex(b"model card");
    let v2_files = {
        // Twelve files; model-00000 is unchanged from 1.0.0.
        let mut f = files("v2", 12);
        f[0] = manifest[0].clone();
        f
    };
    must_succeed(
        &write(
            &acme,
            &registry,
            "publish_version",
            json!({
        "model_id": MODEL, "version": "1.1.0-rc.1+build.7", "files": v2_files,
        "uris": ["hf://acme/sentiment", "ipfs://bafybeigdyrzt"], "model_card_digest": card,
        "base_model": { "model_version_id": "acme/sentiment@1.0.0", "relation": "fine_tune" },
        "commercial_use": false }),
        )
        .await,
    );

    let v = view(
        &registry,
        "get_version",
        json!({ "model_id": MODEL, "version": "1.1.0-rc.1+build.7" }),
    )
    .await;
    assert_eq!(v["version_id"], "acme/sentiment@1.1.0-rc.1+build.7");
    assert_eq!(v["files"].as_array().unwrap().len(), 12);
    assert_eq!(v["manifest_digest"], json!(manifest_digest(&v2_files)));
    assert_eq!(
        v["uris"],
        json!(["hf://acme/sentiment", "ipfs://bafybeigdyrzt"])
    );
    assert_eq!(v["model_card_digest"], json!(card));
    assert_eq!(
        v["base_model"],
        json!({ "model_version_id": "acme/sentiment@1.0.0", "relation": "fine_tune" })
    );
    assert_eq!(v["commercial_use"], false);
    assert_eq!(v["publisher"], json!(acme.id()));
    assert_eq!(v["publication"], "published");
    assert_eq!(v["status"], json!({ "state": "active" }));
    assert!(
        v["published_at"].as_str().unwrap().parse::<u64>()? > 0,
        "block timestamp as a string"
    );
    let files_sorted: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut expected_sorted = files_sorted.clone();
    expected_sorted.sort();
    assert_eq!(
        files_sorted, expected_sorted,
        "files are stored in canonical (path) order"
    );

    // Lookup by file hash: the unchanged file is in both versions, with its path and size.
    let shared = manifest[0]["sha256"].as_str().unwrap();
    let hits = view(&registry, "lookup_hash", json!({ "sha256": shared })).await;
    assert_eq!(
        hits,
        json!([
            { "model_id": MODEL, "version": "1.0.0", "path": "model-00000.safetensors", "size": "1000000",
              "publication": "published", "status": { "state": "active" } },
            { "model_id": MODEL, "version": "1.1.0-rc.1+build.7", "path": "model-00000.safetensors", "size": "1000000",
              "publication": "published", "status": { "state": "active" } },
        ])
    );
    // Upper-case hex finds the same entries.
    assert_eq!(
        view(
            &registry,
            "lookup_hash",
            json!({ "sha256": shared.to_uppercase() })
        )
        .await,
        hits
    );
    // Lookup by manifest digest: path null.
    let hits = view(&registry, "lookup_hash", json!({ "sha256": digest })).await;
    assert_eq!(
        hits,
        json!([{ "model_id": MODEL, "version": "1.0.0", "path": null, "size": null,
        "publication": "published", "status": { "state": "active" } }])
    );
    assert_eq!(
        view(
            &registry,
            "lookup_hash",
            json!({ "sha256": sha256_hex(b"unknown") })
        )
        .await,
        json!([])
    );

    let model = view(&registry, "get_model", json!({ "model_id": MODEL })).await;
    assert_eq!(
        (
            model["version_count"].clone(),
            model["latest_version"].clone()
        ),
        (json!(2), json!("1.1.0-rc.1+build.7"))
    );
    let list = view(
        &registry,
        "list_versions",
        json!({ "model_id": MODEL, "from_index": 1, "limit": 1 }),
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["version"], "1.1.0-rc.1+build.7");
    Ok(())
}

#[tokio::test]
async fn a_file_may_carry_a_chunked_merkle_root_that_views_show_beside_it() -> anyhow::Result<()> {
    let Fixture { registry, acme, .. } = fixture().await;
    let mut manifest = files("m", 3);
    let root = sha256_hex(b"a root over 4 MiB chunks");
    manifest[2]["merkle"] = json!({ "chunk_size": 4_194_304, "root": root });
    let outcome = publish(&acme, &registry, "1.0.0", manifest.clone()).await;
    must_succeed(&outcome);
    let version = view(
        &registry,
        "get_version",
        json!({ "model_id": MODEL, "version": "1.0.0" }),
    )
    .await;
    // Only the file given a root has `merkle`; the manifest digest is the content's, roots aside.
    assert_eq!(version["files"], json!(manifest));
    assert_eq!(
        version["files"][2]["merkle"],
        json!({ "chunk_size": 4_194_304, "root": root })
    );
    assert_eq!(version["files"][0].get("merkle"), None);
    assert_eq!(version["manifest_digest"], manifest_digest(&manifest));
    let listed = view(&registry, "list_versions", json!({ "model_id": MODEL })).await;
    assert_eq!(listed[0], version);
    Ok(())
}

#[tokio::test]
async fn a_publish_charges_exactly_the_bytes_it_adds() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    let byte_cost = storage_byte_cost(&worker).await;
    assert_eq!(byte_cost, 10_000_000_000_000_000_000, "1e19 yocto per byte");
    let args = json!({ "model_id": MODEL, "version": "1.0.0", "files": files("v1", 12), "commercial_use": true });

    // 1 yocto: fails naming the exact amount and bytes.
    let state = snapshot(&registry).await;
    let probe = write_with(
        &acme,
        &registry,
        "publish_version",
        args.clone(),
        NearToken::from_yoctonear(1),
    )
    .await;
    let text = sandbox_tests::must_fail(
        &probe,
        "insufficient deposit: attached 1 yoctoNEAR, required ",
    );
    let after_required = text.split("required ").nth(1).unwrap();
    let required: u128 = after_required.split(' ').next().unwrap().parse()?;
    let bytes: u64 = after_required
        .split('(')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()?;
    assert_eq!(required, u128::from(bytes) * byte_cost);
    assert_eq!(snapshot(&registry).await, state);

    // One yocto short: the same message with that amount.
    let short = write_with(
        &acme,
        &registry,
        "publish_version",
        args.clone(),
        NearToken::from_yoctonear(required - 1),
    )
    .await;
    must_panic_with(
        &short,
        &format!(
            "insufficient deposit: attached {} yoctoNEAR, required {required} yoctoNEAR ({bytes} bytes of storage)",
            required - 1
        ),
    );

    // Exactly the amount: published, storage grew by exactly those bytes, the publisher paid exactly that
    // plus gas.
    let usage_before = registry.view_account().await?.storage_usage;
    let balance_before = must_balance(&worker, &acme).await;
    let exact = write_with(
        &acme,
        &registry,
        "publish_version",
        args.clone(),
        NearToken::from_yoctonear(required),
    )
    .await;
    must_succeed(&exact);
    assert_eq!(
        registry.view_account().await?.storage_usage - usage_before,
        bytes
    );
    let paid = balance_before - must_balance(&worker, &acme).await;
    let gas = sandbox_tests::gas_paid_bound(&worker, &exact).await;
    assert!(
        paid >= required && paid - required <= gas,
        "paid {paid} = storage {required} + gas (burnt {gas})"
    );

    // With 1 NEAR attached, everything above the storage comes back.
    let balance_before = must_balance(&worker, &acme).await;
    let usage_before = registry.view_account().await?.storage_usage;
    let generous = publish(&acme, &registry, "1.0.1", files("v1b", 12)).await;
    must_succeed(&generous);
    let added = u128::from(registry.view_account().await?.storage_usage - usage_before);
    let paid = balance_before - must_balance(&worker, &acme).await;
    let gas = sandbox_tests::gas_paid_bound(&worker, &generous).await;
    assert!(
        paid >= added * byte_cost && paid - added * byte_cost <= gas,
        "paid {paid} for {added} bytes, gas at most {gas}"
    );

    // No deposit at all.
    must_reject_with(
        &worker,
        &acme,
        &registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": "2.0.0",
        "files": files("v2", 1), "commercial_use": true }),
        NearToken::from_yoctonear(0),
        "attach a deposit of at least 1 yoctoNEAR to cover storage; the unused part is refunded",
    )
    .await;
    Ok(())
}

async fn must_reject_with(
    worker: &Worker<Sandbox>,
    who: &Account,
    registry: &Contract,
    method: &str,
    args: Value,
    deposit: NearToken,
    message: &str,
) {
    let state = snapshot(registry).await;
    let before = must_balance(worker, who).await;
    let outcome = write_with(who, registry, method, args, deposit).await;
    must_panic_with(&outcome, message);
    assert_eq!(snapshot(registry).await, state, "{method} changed state");
    must_have_paid_only_gas(worker, who, before, method).await;
}

// ---- aliases ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn aliases_keep_every_move_and_answer_what_they_pointed_to_at_a_time() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    must_succeed(&publish(&acme, &registry, "1.0.0", files("v1", 2)).await);
    must_succeed(&publish(&acme, &registry, "1.1.0", files("v2", 2)).await);

    let set = write(
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "production", "version": "1.0.0" }),
    )
    .await;
    must_succeed(&set);
    assert_eq!(
        event_lines(&set),
        vec![event(
            "alias_set",
            &format!(
                r#"{{"model_id":"acme/sentiment","alias":"production","from":null,"to":"1.0.0","by":"{}"}}"#,
                acme.id()
            )
        )]
    );
    let t_first = now_ns(&worker).await;
    worker.fast_forward(3).await?;
    let moved = write(
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "production", "version": "1.1.0" }),
    )
    .await;
    must_succeed(&moved);
    assert_eq!(
        event_lines(&moved),
        vec![event(
            "alias_set",
            &format!(
                r#"{{"model_id":"acme/sentiment","alias":"production","from":"1.0.0","to":"1.1.0","by":"{}"}}"#,
                acme.id()
            )
        )]
    );
    must_reject(
        &worker,
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "production", "version": "1.1.0" }),
        "alias 'production' already points to version '1.1.0'",
    )
    .await;
    let t_second = now_ns(&worker).await;
    worker.fast_forward(3).await?;
    let removed = write(
        &acme,
        &registry,
        "remove_alias",
        json!({ "model_id": MODEL, "alias": "production" }),
    )
    .await;
    must_succeed(&removed);
    assert_eq!(
        event_lines(&removed),
        vec![event(
            "alias_removed",
            &format!(
                r#"{{"model_id":"acme/sentiment","alias":"production","from":"1.1.0","by":"{}"}}"#,
                acme.id()
            )
        )]
    );

    let history = view(
        &registry,
        "get_alias_history",
        json!({ "model_id": MODEL, "alias": "production" }),
    )
    .await;
    let moves: Vec<(Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].clone(), m["to"].clone()))
        .collect();
    assert_eq!(
        moves,
        vec![
            (Value::Null, json!("1.0.0")),
            (json!("1.0.0"), json!("1.1.0")),
            (json!("1.1.0"), Value::Null),
        ]
    );
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["by"] == json!(acme.id()))
    );
    let page = view(
        &registry,
        "get_alias_history",
        json!({ "model_id": MODEL, "alias": "production", "from_index": 1, "limit": 1 }),
    )
    .await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["to"], "1.1.0");

    let at =
        |t: u64| json!({ "model_id": MODEL, "alias": "production", "timestamp": t.to_string() });
    let first_move: u64 = history[0]["timestamp"].as_str().unwrap().parse()?;
    assert_eq!(
        view(&registry, "get_alias_at", at(first_move - 1)).await,
        Value::Null,
        "before it existed"
    );
    assert_eq!(
        view(&registry, "get_alias_at", at(t_first)).await,
        json!("1.0.0")
    );
    assert_eq!(
        view(&registry, "get_alias_at", at(t_second)).await,
        json!("1.1.0")
    );
    assert_eq!(
        view(&registry, "get_alias_at", at(now_ns(&worker).await)).await,
        Value::Null,
        "removed now"
    );
    assert_eq!(
        view(
            &registry,
            "get_alias",
            json!({ "model_id": MODEL, "alias": "production" })
        )
        .await["version"],
        Value::Null
    );
    assert_eq!(
        view(&registry, "get_model", json!({ "model_id": MODEL })).await["aliases"],
        json!([])
    );
    must_reject(
        &worker,
        &acme,
        &registry,
        "remove_alias",
        json!({ "model_id": MODEL, "alias": "production" }),
        "alias 'production' not found on model 'acme/sentiment'",
    )
    .await;
    Ok(())
}

// ---- status -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn deprecation_and_final_revocation_show_in_every_view_of_the_version() -> anyhow::Result<()>
{
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    let v1 = files("v1", 2);
    must_succeed(&publish(&acme, &registry, "1.0.0", v1.clone()).await);
    must_succeed(&publish(&acme, &registry, "1.1.0", files("v2", 2)).await);
    must_succeed(
        &write(
            &acme,
            &registry,
            "set_alias",
            json!({ "model_id": MODEL, "alias": "stable", "version": "1.0.0" }),
        )
        .await,
    );
    let auditor = must_account(&worker).await;
    must_succeed(
        &write(
            &auditor,
            &registry,
            "attest",
            json!({ "model_id": MODEL, "version": "1.0.0", "kind": "audit" }),
        )
        .await,
    );

    let deprecated = write(
        &acme,
        &registry,
        "deprecate_version",
        json!({ "model_id": MODEL, "version": "1.0.0",
        "message": "use 1.1.0", "successor": "1.1.0" }),
    )
    .await;
    must_succeed(&deprecated);
    assert_eq!(
        event_lines(&deprecated),
        vec![event(
            "version_deprecated",
            &format!(
                r#"{{"model_id":"acme/sentiment","version":"1.0.0","message":"use 1.1.0","successor":"1.1.0","by":"{}"}}"#,
                acme.id()
            )
        )]
    );
    let status = view(
        &registry,
        "get_version",
        json!({ "model_id": MODEL, "version": "1.0.0" }),
    )
    .await["status"]
        .clone();
    assert_eq!(status["state"], "deprecated");
    assert_eq!(status["successor"], "1.1.0");
    assert_eq!(
        view(
            &registry,
            "version_status",
            json!({ "model_id": MODEL, "version": "1.0.0" })
        )
        .await,
        json!("deprecated")
    );
    must_reject(
        &worker,
        &acme,
        &registry,
        "deprecate_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "message": "again" }),
        "version 'acme/sentiment@1.0.0' is already deprecated",
    )
    .await;
    must_reject(&worker, &acme, &registry, "deprecate_version", json!({ "model_id": MODEL, "version": "1.1.0", "message": "x", "successor": "1.1.0" }),
        "successor '1.1.0' must be a published version of model 'acme/sentiment' other than '1.1.0'").await;

    // A deprecated version is still usable; a revoked one must not be used, and revocation is final.
    let revoked = write(
        &acme,
        &registry,
        "revoke_version",
        json!({ "model_id": MODEL, "version": "1.0.0",
        "code": "security_vulnerability", "reason": "pickle payload in model-00000" }),
    )
    .await;
    must_succeed(&revoked);
    assert_eq!(
        event_lines(&revoked),
        vec![event(
            "version_revoked",
            &format!(
                r#"{{"model_id":"acme/sentiment","version":"1.0.0","code":"security_vulnerability","reason":"pickle payload in model-00000","by":"{}"}}"#,
                acme.id()
            )
        )]
    );
    let expect_revoked = |s: &Value| {
        assert_eq!(s["state"], "revoked", "{s}");
        assert_eq!(s["code"], "security_vulnerability");
        assert_eq!(s["reason"], "pickle payload in model-00000");
    };
    expect_revoked(
        &view(
            &registry,
            "get_version",
            json!({ "model_id": MODEL, "version": "1.0.0" }),
        )
        .await["status"],
    );
    expect_revoked(
        &view(&registry, "list_versions", json!({ "model_id": MODEL })).await[0]["status"],
    );
    expect_revoked(
        &view(
            &registry,
            "lookup_hash",
            json!({ "sha256": v1[0]["sha256"] }),
        )
        .await[0]["status"],
    );
    expect_revoked(
        &view(
            &registry,
            "get_alias",
            json!({ "model_id": MODEL, "alias": "stable" }),
        )
        .await["version_status"],
    );
    expect_revoked(
        &view(&registry, "get_attestation", json!({ "id": "0" })).await["version_status"],
    );
    assert_eq!(
        view(
            &registry,
            "version_status",
            json!({ "model_id": MODEL, "version": "1.0.0" })
        )
        .await,
        json!("revoked")
    );
    assert_eq!(
        view(
            &registry,
            "version_status",
            json!({ "model_id": MODEL, "version": "1.1.0" })
        )
        .await,
        json!("active")
    );

    must_reject(
        &worker,
        &acme,
        &registry,
        "revoke_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "code": "other", "reason": "twice" }),
        "version 'acme/sentiment@1.0.0' is already revoked",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "production", "version": "1.0.0" }),
        "cannot alias revoked version 'acme/sentiment@1.0.0'",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "deprecate_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "message": "x" }),
        "version 'acme/sentiment@1.0.0' is revoked",
    )
    .await;
    must_reject(&worker, &acme, &registry, "deprecate_version", json!({ "model_id": MODEL, "version": "1.1.0", "message": "x", "successor": "1.0.0" }),
        "successor '1.0.0' must be a published version of model 'acme/sentiment' other than '1.1.0'").await;
    must_reject(&worker, &acme, &registry, "publish_version", json!({ "model_id": MODEL, "version": "2.0.0", "files": files("v3", 1),
        "base_model": { "model_version_id": "acme/sentiment@1.0.0", "relation": "distill" }, "commercial_use": true }),
        "version 'acme/sentiment@1.0.0' is revoked").await;
    // No new attestation on a revoked version, not even one superseding an older one; the attester can
    // still retract the old one.
    must_reject(
        &worker,
        &auditor,
        &registry,
        "attest",
        json!({ "model_id": MODEL, "version": "1.0.0", "kind": "evaluation" }),
        "cannot attest revoked version 'acme/sentiment@1.0.0'",
    )
    .await;
    must_reject(
        &worker,
        &auditor,
        &registry,
        "supersede_attestation",
        json!({ "id": "0", "kind": "audit" }),
        "cannot attest revoked version 'acme/sentiment@1.0.0'",
    )
    .await;
    must_succeed(
        &write(
            &auditor,
            &registry,
            "revoke_attestation",
            json!({ "id": "0", "reason": "the version was revoked" }),
        )
        .await,
    );
    Ok(())
}

// ---- attestations ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn attestations_are_listed_by_attester_and_kind_and_show_revoked_superseded_and_expired()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    must_succeed(&publish(&acme, &registry, "1.0.0", files("v1", 2)).await);
    let (auditor, evaluator) = (must_account(&worker).await, must_account(&worker).await);
    let evidence = sha256_hex(b"report.pdf");

    let audit = write(&auditor, &registry, "attest", json!({ "model_id": MODEL, "version": "1.0.0", "kind": "audit",
        "attestation": { "score": "0.97", "evidence_uri": "https://audits.example/r1", "evidence_digest": evidence } })).await;
    must_succeed(&audit);
    assert_eq!(audit.clone().json::<String>()?, "0");
    assert_eq!(
        event_lines(&audit),
        vec![event(
            "attestation_added",
            &format!(
                r#"{{"id":"0","model_id":"acme/sentiment","version":"1.0.0","attester":"{}","kind":"audit","supersedes":null}}"#,
                auditor.id()
            )
        )]
    );
    // Two minutes: far more than the calls below take on any node; fast-forwarded past further down.
    let soon = now_ns(&worker).await + 120_000_000_000;
    must_succeed(
        &write(
            &evaluator,
            &registry,
            "attest",
            json!({ "model_id": MODEL, "version": "1.0.0", "kind": "evaluation",
        "attestation": { "score": "87.5", "expires_at": soon.to_string() } }),
        )
        .await,
    );
    must_succeed(
        &write(
            &evaluator,
            &registry,
            "attest",
            json!({ "model_id": MODEL, "version": "1.0.0",
        "kind": { "custom": "red-team" } }),
        )
        .await,
    );
    must_succeed(
        &write(
            &auditor,
            &registry,
            "attest",
            json!({ "model_id": MODEL, "version": "1.0.0", "kind": "signature" }),
        )
        .await,
    );

    // Supersede: the new one points to the old, the old shows as superseded.
    let sup = write(
        &auditor,
        &registry,
        "supersede_attestation",
        json!({ "id": "0", "kind": "audit",
        "attestation": { "score": "0.99" } }),
    )
    .await;
    must_succeed(&sup);
    assert_eq!(sup.clone().json::<String>()?, "4");
    assert_eq!(
        event_lines(&sup),
        vec![event(
            "attestation_added",
            &format!(
                r#"{{"id":"4","model_id":"acme/sentiment","version":"1.0.0","attester":"{}","kind":"audit","supersedes":"0"}}"#,
                auditor.id()
            )
        )]
    );
    let old = view(&registry, "get_attestation", json!({ "id": "0" })).await;
    assert_eq!(
        (old["state"].clone(), old["superseded_by"].clone()),
        (json!("superseded"), json!("4"))
    );
    assert_eq!(old["evidence_digest"], json!(evidence));
    assert_eq!(old["evidence_uri"], "https://audits.example/r1");
    assert_eq!(
        view(&registry, "get_attestation", json!({ "id": "4" })).await["supersedes"],
        "0"
    );
    must_reject(
        &worker,
        &auditor,
        &registry,
        "supersede_attestation",
        json!({ "id": "0", "kind": "audit" }),
        "attestation 0 is already superseded by attestation 4",
    )
    .await;

    // Revoke: only the attester, once.
    must_reject(
        &worker,
        &acme,
        &registry,
        "revoke_attestation",
        json!({ "id": "3", "reason": "not mine" }),
        &format!("{} is not the attester of attestation 3", acme.id()),
    )
    .await;
    let revoked = write(
        &auditor,
        &registry,
        "revoke_attestation",
        json!({ "id": "3", "reason": "key compromised" }),
    )
    .await;
    must_succeed(&revoked);
    assert_eq!(
        event_lines(&revoked),
        vec![event(
            "attestation_revoked",
            &format!(
                r#"{{"id":"3","model_id":"acme/sentiment","version":"1.0.0","attester":"{}","reason":"key compromised"}}"#,
                auditor.id()
            )
        )]
    );
    let three = view(&registry, "get_attestation", json!({ "id": "3" })).await;
    assert_eq!(three["state"], "revoked");
    assert_eq!(three["revocation"]["reason"], "key compromised");
    must_reject(
        &worker,
        &auditor,
        &registry,
        "revoke_attestation",
        json!({ "id": "3", "reason": "again" }),
        "attestation 3 is already revoked",
    )
    .await;
    must_reject(
        &worker,
        &auditor,
        &registry,
        "supersede_attestation",
        json!({ "id": "3", "kind": "audit" }),
        "attestation 3 is already revoked",
    )
    .await;

    // Expiry: once the block time passes expires_at the attestation is listed as expired.
    assert_eq!(
        view(&registry, "get_attestation", json!({ "id": "1" })).await["state"],
        "active"
    );
    while now_ns(&worker).await < soon {
        worker.fast_forward(200).await?;
    }
    assert_eq!(
        view(&registry, "get_attestation", json!({ "id": "1" })).await["state"],
        "expired"
    );

    let list = |filter: Value| {
        let mut args = json!({ "model_id": MODEL, "version": "1.0.0" });
        args.as_object_mut()
            .unwrap()
            .extend(filter.as_object().unwrap().clone());
        args
    };
    let states = |page: &Value| -> Vec<(String, String)> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["id"].as_str().unwrap().to_string(),
                    a["state"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let all = view(&registry, "list_attestations", list(json!({}))).await;
    assert_eq!(
        states(&all),
        vec![
            ("0".into(), "superseded".into()),
            ("1".into(), "expired".into()),
            ("2".into(), "active".into()),
            ("3".into(), "revoked".into()),
            ("4".into(), "active".into())
        ]
    );
    assert_eq!(all["next_from_index"], Value::Null);
    let by_auditor = view(
        &registry,
        "list_attestations",
        list(json!({ "attester": auditor.id() })),
    )
    .await;
    assert_eq!(
        states(&by_auditor)
            .iter()
            .map(|s| s.0.as_str())
            .collect::<Vec<_>>(),
        vec!["0", "3", "4"]
    );
    let audits = view(
        &registry,
        "list_attestations",
        list(json!({ "kind": "audit" })),
    )
    .await;
    assert_eq!(
        states(&audits)
            .iter()
            .map(|s| s.0.as_str())
            .collect::<Vec<_>>(),
        vec!["0", "4"]
    );
    let custom = view(
        &registry,
        "list_attestations",
        list(json!({ "kind": { "custom": "red-team" } })),
    )
    .await;
    assert_eq!(
        states(&custom)
            .iter()
            .map(|s| s.0.as_str())
            .collect::<Vec<_>>(),
        vec!["2"]
    );
    let both = view(
        &registry,
        "list_attestations",
        list(json!({ "attester": evaluator.id(), "kind": "evaluation" })),
    )
    .await;
    assert_eq!(states(&both), vec![("1".into(), "expired".into())]);
    let paged = view(&registry, "list_attestations", list(json!({ "limit": 2 }))).await;
    assert_eq!(
        (
            paged["items"].as_array().unwrap().len(),
            paged["next_from_index"].clone()
        ),
        (2, json!(2))
    );
    assert_eq!(
        view(
            &registry,
            "get_version",
            json!({ "model_id": MODEL, "version": "1.0.0" })
        )
        .await["attestation_count"],
        5
    );

    // Bad attestations.
    must_reject(
        &worker,
        &auditor,
        &registry,
        "attest",
        json!({ "model_id": MODEL, "version": "9.9.9", "kind": "audit" }),
        "version 'acme/sentiment@9.9.9' not found",
    )
    .await;
    let past = now_ns(&worker).await - 1;
    let state = snapshot(&registry).await;
    let before = must_balance(&worker, &auditor).await;
    let outcome = write(
        &auditor,
        &registry,
        "attest",
        json!({ "model_id": MODEL, "version": "1.0.0", "kind": "audit",
        "attestation": { "expires_at": past.to_string() } }),
    )
    .await;
    sandbox_tests::must_fail(
        &outcome,
        &format!("expires_at {past} must be later than the current block timestamp "),
    );
    assert_eq!(snapshot(&registry).await, state);
    must_have_paid_only_gas(&worker, &auditor, before, "attest expired").await;
    must_reject(
        &worker,
        &auditor,
        &registry,
        "attest",
        json!({ "model_id": MODEL, "version": "1.0.0", "kind": "audit",
        "attestation": { "score": "high" } }),
        "invalid score 'high': expected a decimal number such as '0.874' or '97'",
    )
    .await;
    must_reject(
        &worker,
        &auditor,
        &registry,
        "attest",
        json!({ "model_id": MODEL, "version": "1.0.0", "kind": { "custom": "Red Team" } }),
        "invalid kind.custom 'Red Team': must start with a lowercase letter or digit",
    )
    .await;
    must_reject(
        &worker,
        &auditor,
        &registry,
        "revoke_attestation",
        json!({ "id": "99", "reason": "x" }),
        "attestation 99 not found",
    )
    .await;
    Ok(())
}

// ---- history -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_change_is_in_the_model_history_read_page_by_page() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    let bob = must_account(&worker).await;
    must_succeed(
        &write(
            &acme,
            &registry,
            "add_maintainer",
            json!({ "model_id": MODEL, "account_id": bob.id() }),
        )
        .await,
    );
    must_succeed(&publish(&bob, &registry, "0.1.0", files("a", 1)).await);
    must_succeed(
        &write(
            &bob,
            &registry,
            "set_alias",
            json!({ "model_id": MODEL, "alias": "staging", "version": "0.1.0" }),
        )
        .await,
    );
    must_succeed(
        &write(
            &bob,
            &registry,
            "attest",
            json!({ "model_id": MODEL, "version": "0.1.0", "kind": "benchmark" }),
        )
        .await,
    );
    must_succeed(
        &write(
            &acme,
            &registry,
            "deprecate_version",
            json!({ "model_id": MODEL, "version": "0.1.0", "message": "old" }),
        )
        .await,
    );

    let all = view(&registry, "get_history", json!({ "model_id": MODEL })).await;
    let types: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "model_created",
            "maintainer_added",
            "version_published",
            "alias_set",
            "attestation_added",
            "version_deprecated"
        ]
    );
    let actors: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(
        actors,
        vec![
            acme.id().as_str(),
            acme.id().as_str(),
            bob.id().as_str(),
            bob.id().as_str(),
            bob.id().as_str(),
            acme.id().as_str()
        ]
    );
    assert_eq!(all[2]["action"]["publication"], "published");
    assert_eq!(
        view(&registry, "get_model", json!({ "model_id": MODEL })).await["history_len"],
        6
    );

    let mut paged = Vec::new();
    for from in (0..6).step_by(4) {
        let page = view(
            &registry,
            "get_history",
            json!({ "model_id": MODEL, "from_index": from, "limit": 4 }),
        )
        .await;
        paged.extend(page.as_array().unwrap().clone());
    }
    assert_eq!(
        Value::Array(paged),
        all,
        "two pages of 4 and 2 give the whole history"
    );
    assert_eq!(
        view(
            &registry,
            "get_history",
            json!({ "model_id": MODEL, "from_index": 6 })
        )
        .await,
        json!([])
    );

    // Views are bounded: limit 1..=100.
    for (method, args) in [
        ("get_history", json!({ "model_id": MODEL, "limit": 101 })),
        ("list_models", json!({ "limit": 101 })),
        ("list_versions", json!({ "model_id": MODEL, "limit": 101 })),
        (
            "list_attestations",
            json!({ "model_id": MODEL, "version": "0.1.0", "limit": 101 }),
        ),
    ] {
        let err = view_err(&registry, method, args).await;
        assert!(
            err.contains("limit must be between 1 and 100, got 101"),
            "{method}: {err}"
        );
    }
    let err = view_err(
        &registry,
        "get_history",
        json!({ "model_id": MODEL, "limit": 0 }),
    )
    .await;
    assert!(
        err.contains("limit must be between 1 and 100, got 0"),
        "{err}"
    );
    let err = view_err(&registry, "get_history", json!({ "model_id": "acme/nope" })).await;
    assert!(err.contains("model 'acme/nope' not found"), "{err}");
    Ok(())
}

// ---- bad input --------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_models_and_versions_and_duplicates_are_refused() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    must_succeed(&publish(&acme, &registry, "1.0.0", files("v1", 1)).await);
    let stranger = must_account(&worker).await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "update_metadata",
        json!({ "model_id": "acme/nope", "metadata": {} }),
        "model 'acme/nope' not found",
    )
    .await;
    must_reject(&worker, &acme, &registry, "publish_version", json!({ "model_id": "acme/nope", "version": "1.0.0", "files": files("x", 1), "commercial_use": true }),
        "model 'acme/nope' not found").await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "deprecate_version",
        json!({ "model_id": MODEL, "version": "9.9.9", "message": "x" }),
        "version 'acme/sentiment@9.9.9' not found",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "revoke_version",
        json!({ "model_id": MODEL, "version": "9.9.9", "code": "other", "reason": "x" }),
        "version 'acme/sentiment@9.9.9' not found",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "prod", "version": "9.9.9" }),
        "version 'acme/sentiment@9.9.9' not found",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "create_model",
        json!({ "namespace": "acme", "name": "sentiment" }),
        "model 'acme/sentiment' already exists",
    )
    .await;
    must_reject(
        &worker,
        &stranger,
        &registry,
        "create_model",
        json!({ "namespace": "acme", "name": "other" }),
        &format!("namespace 'acme' is owned by {}", acme.id()),
    )
    .await;
    must_reject(&worker, &acme, &registry, "publish_version", json!({ "model_id": MODEL, "version": "1.0.1", "files": files("y", 1),
        "base_model": { "model_version_id": "acme/nope@1.0.0", "relation": "adapter" }, "commercial_use": true }),
        "model 'acme/nope' not found").await;
    assert_eq!(
        view(&registry, "get_model", json!({ "model_id": "acme/nope" })).await,
        Value::Null
    );
    assert_eq!(
        view(
            &registry,
            "get_version",
            json!({ "model_id": MODEL, "version": "9.9.9" })
        )
        .await,
        Value::Null
    );
    Ok(())
}

#[tokio::test]
async fn invalid_ids_and_oversized_strings_and_lists_are_refused() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
        ..
    } = fixture().await;
    let create = |ns: &str, name: &str| json!({ "namespace": ns, "name": name });
    must_reject(
        &worker,
        &acme,
        &registry,
        "create_model",
        create("Acme", "x"),
        "invalid namespace 'Acme': must start with a lowercase letter or digit",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "create_model",
        create("a", "x"),
        "invalid namespace 'a': must be at least 2 bytes",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "create_model",
        create("acme", "my model"),
        "invalid name 'my model': character ' ' is not allowed (use a-z, 0-9 and '-_.')",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "create_model",
        create(&"a".repeat(65), "x"),
        "namespace is too long: 65 bytes, the limit is 64",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "create_model",
        create("acme", &"n".repeat(65)),
        "name is too long: 65 bytes, the limit is 64",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "update_metadata",
        json!({ "model_id": MODEL, "metadata": { "description": "d".repeat(1025) } }),
        "metadata.description is too long: 1025 bytes, the limit is 1024",
    )
    .await;
    let tags: Vec<String> = (0..17).map(|i| format!("t{i}")).collect();
    must_reject(
        &worker,
        &acme,
        &registry,
        "update_metadata",
        json!({ "model_id": MODEL, "metadata": { "tags": tags } }),
        "metadata.tags has too many entries: 17, the limit is 16",
    )
    .await;
    must_reject(&worker, &acme, &registry, "update_metadata", json!({ "model_id": MODEL, "metadata": { "license": "Apache 2.0" } }),
        "invalid metadata.license 'Apache 2.0': character ' ' is not allowed (use A-Z, a-z, 0-9, '.', '+', '-', '_')").await;
    must_reject(&worker, &acme, &registry, "update_metadata", json!({ "model_id": MODEL, "metadata": { "homepage": "ftp://x" } }),
        "invalid metadata.homepage 'ftp://x': must start with one of https://, http://, ipfs://, hf://, ar://").await;
    let publish_args = |extra: Value| {
        let mut a = json!({ "model_id": MODEL, "version": "1.0.0", "files": files("v", 1), "commercial_use": true });
        a.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        a
    };
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        publish_args(json!({ "files": files("many", 65) })),
        "files has too many entries: 65, the limit is 64",
    )
    .await;
    let uris: Vec<String> = (0..9).map(|i| format!("https://m.example/{i}")).collect();
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        publish_args(json!({ "uris": uris })),
        "uris has too many entries: 9, the limit is 8",
    )
    .await;
    let long_uri = format!("https://{}", "u".repeat(510));
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        publish_args(json!({ "uris": [long_uri] })),
        "uris[0] is too long: 518 bytes, the limit is 512",
    )
    .await;
    let long_path = "p".repeat(257);
    let mut f = files("v", 1);
    f[0]["path"] = json!(long_path);
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        publish_args(json!({ "files": f })),
        "files[0].path is too long: 257 bytes, the limit is 256",
    )
    .await;
    let datasets: Vec<String> = (0..33).map(|i| format!("d{i}@1")).collect();
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        publish_args(json!({ "training_datasets": datasets })),
        "training_datasets has too many entries: 33, the limit is 32",
    )
    .await;
    must_reject(&worker, &acme, &registry, "publish_version", publish_args(json!({ "training_datasets": ["reviews@1.0.0"] })),
        "training_datasets is not empty but no lineage contract is configured; publish without datasets or ask the registry owner to set one").await;
    must_succeed(&publish(&acme, &registry, "1.0.0", files("v", 1)).await);
    must_reject(
        &worker,
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "Prod", "version": "1.0.0" }),
        "invalid alias 'Prod': must start with a lowercase letter or digit",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "a".repeat(33), "version": "1.0.0" }),
        "alias is too long: 33 bytes, the limit is 32",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "deprecate_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "message": "m".repeat(513) }),
        "message is too long: 513 bytes, the limit is 512",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "revoke_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "code": "other", "reason": " " }),
        "invalid reason ' ': must not be empty",
    )
    .await;
    // Lists with documented maxima: 16 maintainers, 32 live aliases.
    for i in 0..16 {
        must_succeed(
            &write(
                &acme,
                &registry,
                "add_maintainer",
                json!({ "model_id": MODEL, "account_id": format!("m{i}.test.near") }),
            )
            .await,
        );
    }
    must_reject(
        &worker,
        &acme,
        &registry,
        "add_maintainer",
        json!({ "model_id": MODEL, "account_id": "m16.test.near" }),
        "maintainers has too many entries: 17, the limit is 16",
    )
    .await;
    for i in 0..32 {
        must_succeed(
            &write(
                &acme,
                &registry,
                "set_alias",
                json!({ "model_id": MODEL, "alias": format!("a{i}"), "version": "1.0.0" }),
            )
            .await,
        );
    }
    must_reject(
        &worker,
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "a32", "version": "1.0.0" }),
        "aliases has too many entries: 33, the limit is 32",
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn malformed_and_non_increasing_versions_are_refused() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
        ..
    } = fixture().await;
    let args = |v: &str| json!({ "model_id": MODEL, "version": v, "files": files(v, 1), "commercial_use": true });
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        args("1.0"),
        "invalid semver '1.0' in version: expected MAJOR.MINOR.PATCH",
    )
    .await;
    must_reject(&worker, &acme, &registry, "publish_version", args("01.0.0"),
        "invalid semver '01.0.0' in version: major must be an unsigned 64-bit number without leading zeros").await;
    must_reject(&worker, &acme, &registry, "publish_version", args("v1.0.0"),
        "invalid semver 'v1.0.0' in version: major must be an unsigned 64-bit number without leading zeros").await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        args(&format!("1.0.0-{}", "a".repeat(60))),
        "version is too long: 66 bytes, the limit is 64",
    )
    .await;
    must_succeed(&publish(&acme, &registry, "1.2.0", files("ok", 1)).await);
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        args("1.2.0"),
        "version '1.2.0' must be greater than the latest version '1.2.0' of model 'acme/sentiment'",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        args("1.1.9"),
        "version '1.1.9' must be greater than the latest version '1.2.0' of model 'acme/sentiment'",
    )
    .await;
    must_reject(&worker, &acme, &registry, "publish_version", args("1.2.0-rc.1"),
        "version '1.2.0-rc.1' must be greater than the latest version '1.2.0' of model 'acme/sentiment'").await;
    must_reject(&worker, &acme, &registry, "publish_version", args("1.2.0+build.2"),
        "version '1.2.0+build.2' must be greater than the latest version '1.2.0' of model 'acme/sentiment'").await;
    must_succeed(&publish(&acme, &registry, "1.10.0", files("ten", 1)).await);
    Ok(())
}

#[tokio::test]
async fn wrong_hashes_and_empty_or_duplicate_manifests_are_refused() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
        ..
    } = fixture().await;
    let with_files = |f: Value| json!({ "model_id": MODEL, "version": "1.0.0", "files": f, "commercial_use": true });
    let short = "ab".repeat(31) + "a";
    must_reject(&worker, &acme, &registry, "publish_version", with_files(json!([{ "path": "a", "sha256": short, "size": "1" }])),
        &format!("invalid files[0].sha256 '{short}': expected 64 hex characters (32 bytes), got 63 characters")).await;
    let not_hex = "zz".repeat(32);
    must_reject(&worker, &acme, &registry, "publish_version", with_files(json!([{ "path": "a", "sha256": not_hex, "size": "1" }])),
        &format!("invalid files[0].sha256 '{not_hex}': expected 64 hex characters (32 bytes), found a non-hex character")).await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        with_files(json!([])),
        "manifest is empty: a version must publish at least one file",
    )
    .await;
    let f = files("d", 1);
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        with_files(json!([f[0], f[0]])),
        "duplicate files.path 'model-00000.safetensors'",
    )
    .await;
    let mut bad = files("d", 1);
    bad[0]["path"] = json!("../etc/passwd");
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        with_files(json!(bad)),
        "invalid files[0].path '../etc/passwd': must not contain empty, '.' or '..' segments",
    )
    .await;
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "files": files("c", 1),
        "model_card_digest": "00", "commercial_use": true }),
        "invalid model_card_digest '00': expected 64 hex characters (32 bytes), got 2 characters",
    )
    .await;
    let mut chunked = files("d", 1);
    chunked[0]["merkle"] = json!({ "chunk_size": 3000, "root": "ab".repeat(32) });
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        with_files(json!(chunked)),
        "invalid files[0].merkle.chunk_size '3000': must be a power of two from 1024 to 1073741824",
    )
    .await;
    chunked[0]["merkle"] = json!({ "chunk_size": 1024, "root": "ab" });
    must_reject(
        &worker,
        &acme,
        &registry,
        "publish_version",
        with_files(json!(chunked)),
        "invalid files[0].merkle.root 'ab': expected 64 hex characters (32 bytes), got 2 characters",
    )
    .await;
    let err = view_err(&registry, "lookup_hash", json!({ "sha256": "xyz" })).await;
    assert!(
        err.contains(
            "invalid sha256 'xyz': expected 64 hex characters (32 bytes), got 3 characters"
        ),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn strangers_cannot_write_to_a_model_or_administer_the_registry() -> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    must_succeed(&publish(&acme, &registry, "1.0.0", files("v1", 1)).await);
    let mallory = must_account(&worker).await;
    let not_maintainer = format!(
        "{} is not the owner or a maintainer of model 'acme/sentiment'",
        mallory.id()
    );
    let not_owner = format!(
        "{} is not the owner of model 'acme/sentiment'",
        mallory.id()
    );
    for (method, args, message) in [
        (
            "update_metadata",
            json!({ "model_id": MODEL, "metadata": {} }),
            &not_maintainer,
        ),
        (
            "publish_version",
            json!({ "model_id": MODEL, "version": "2.0.0", "files": files("m", 1), "commercial_use": true }),
            &not_maintainer,
        ),
        (
            "set_alias",
            json!({ "model_id": MODEL, "alias": "production", "version": "1.0.0" }),
            &not_maintainer,
        ),
        (
            "deprecate_version",
            json!({ "model_id": MODEL, "version": "1.0.0", "message": "x" }),
            &not_maintainer,
        ),
        (
            "revoke_version",
            json!({ "model_id": MODEL, "version": "1.0.0", "code": "other", "reason": "x" }),
            &not_maintainer,
        ),
        (
            "add_maintainer",
            json!({ "model_id": MODEL, "account_id": mallory.id() }),
            &not_owner,
        ),
        (
            "remove_maintainer",
            json!({ "model_id": MODEL, "account_id": acme.id() }),
            &not_owner,
        ),
        (
            "propose_owner",
            json!({ "model_id": MODEL, "new_owner": mallory.id() }),
            &not_owner,
        ),
        (
            "cancel_ownership_transfer",
            json!({ "model_id": MODEL }),
            &not_owner,
        ),
    ] {
        must_reject(&worker, &mallory, &registry, method, args, message).await;
    }
    // A maintainer cannot manage maintainers or ownership.
    let bob = must_account(&worker).await;
    must_succeed(
        &write(
            &acme,
            &registry,
            "add_maintainer",
            json!({ "model_id": MODEL, "account_id": bob.id() }),
        )
        .await,
    );
    must_reject(
        &worker,
        &bob,
        &registry,
        "add_maintainer",
        json!({ "model_id": MODEL, "account_id": mallory.id() }),
        &format!("{} is not the owner of model 'acme/sentiment'", bob.id()),
    )
    .await;
    // Registry administration: owner only, exactly 1 yocto.
    must_reject_with(
        &worker,
        &mallory,
        &registry,
        "set_lineage_contract",
        json!({ "lineage_contract": mallory.id() }),
        NearToken::from_yoctonear(1),
        &format!("{} is not the registry owner", mallory.id()),
    )
    .await;
    must_reject(
        &worker,
        registry.as_account(),
        &registry,
        "set_lineage_contract",
        json!({ "lineage_contract": mallory.id() }),
        "requires an attached deposit of exactly 1 yoctoNEAR, got 1000000000000000000000000",
    )
    .await;
    let set = write_with(
        registry.as_account(),
        &registry,
        "set_lineage_contract",
        json!({ "lineage_contract": "lineage.test.near" }),
        NearToken::from_yoctonear(1),
    )
    .await;
    must_succeed(&set);
    assert_eq!(
        event_lines(&set),
        vec![event(
            "lineage_contract_set",
            &format!(
                r#"{{"lineage_contract":"lineage.test.near","by":"{}"}}"#,
                registry.id()
            )
        )]
    );
    assert_eq!(
        view(&registry, "get_config", json!({})).await["lineage_contract"],
        "lineage.test.near"
    );
    Ok(())
}

// ---- storage balances (NEP-145) -----------------------------------------------------------------------------

async fn storage_balance(registry: &Contract, account: &Account) -> Value {
    view(
        registry,
        "storage_balance_of",
        json!({ "account_id": account.id() }),
    )
    .await
}

async fn available_of(registry: &Contract, account: &Account) -> u128 {
    storage_balance(registry, account).await["available"]
        .as_str()
        .expect("registered")
        .parse()
        .expect("u128")
}

/// A write paid by its deposit: the call sent the excess back, and got its gas refund.
fn must_have_paid_by_deposit(outcome: &ExecutionFinalResult) {
    must_succeed(outcome);
    assert_eq!(
        receipts_created_by_call(outcome),
        2,
        "the deposit refund and the gas refund: {outcome:#?}"
    );
}

#[tokio::test]
async fn a_registered_publisher_pays_storage_from_its_balance_without_a_refund_transfer()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        registry,
        acme,
    } = fixture().await;
    let byte_cost = storage_byte_cost(&worker).await;
    // min registers any account id: 1 + 4 + 64 key bytes, 32 value bytes, 40 per record.
    let bounds = view(&registry, "storage_balance_bounds", json!({})).await;
    assert_eq!(
        bounds,
        json!({ "min": ((1 + 4 + 64 + 32 + 40) * byte_cost).to_string(), "max": null })
    );
    assert_eq!(storage_balance(&registry, &acme).await, Value::Null);

    // Registering keeps the cost of the balance record's measured bytes.
    let usage = registry.view_account().await?.storage_usage;
    let deposit = write(&acme, &registry, "storage_deposit", json!({})).await;
    must_succeed(&deposit);
    let record = u128::from(registry.view_account().await?.storage_usage - usage) * byte_cost;
    let one = NearToken::from_near(1).as_yoctonear();
    let balance = storage_balance(&registry, &acme).await;
    assert_eq!(
        balance,
        json!({ "total": one.to_string(), "available": (one - record).to_string() })
    );
    assert_eq!(deposit.clone().json::<Value>()?, balance);
    assert_eq!(
        event_lines(&deposit),
        vec![event(
            "storage_deposited",
            &format!(
                r#"{{"account_id":"{}","amount":"{one}","total":"{one}","available":"{}"}}"#,
                acme.id(),
                one - record
            )
        )]
    );

    // A publish with 1 yoctoNEAR attached: the exact bytes come out of the balance, and no refund transfer
    // is sent (the publish and its gas refund are the only receipts).
    let usage = registry.view_account().await?.storage_usage;
    let published = write_with(
        &acme,
        &registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "files": files("v1", 12), "commercial_use": true }),
        NearToken::from_yoctonear(1),
    )
    .await;
    must_succeed(&published);
    let bytes = u128::from(registry.view_account().await?.storage_usage - usage);
    let available = one - record + 1 - bytes * byte_cost;
    assert_eq!(available_of(&registry, &acme).await, available);
    assert_eq!(
        receipts_created_by_call(&published),
        1,
        "the gas refund only, no deposit refund: {published:#?}"
    );

    // Attaching more than 1 yoctoNEAR pays by deposit, as for anyone: the balance is left alone.
    let by_deposit = publish(&acme, &registry, "1.0.1", files("v101", 12)).await;
    must_have_paid_by_deposit(&by_deposit);
    assert_eq!(available_of(&registry, &acme).await, available);

    // Short of funds: refused with the shortfall; nothing changes, the yoctoNEAR comes back.
    let drain = write_with(
        &acme,
        &registry,
        "storage_withdraw",
        json!({}),
        NearToken::from_yoctonear(1),
    )
    .await;
    must_succeed(&drain);
    assert_eq!(
        drain.json::<Value>()?,
        json!({ "total": record.to_string(), "available": "0" })
    );
    let state = snapshot(&registry).await;
    let refused = write_with(
        &acme,
        &registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": "1.1.0", "files": files("v11", 12), "commercial_use": true }),
        NearToken::from_yoctonear(1),
    )
    .await;
    let text = sandbox_tests::must_fail(
        &refused,
        "insufficient storage balance: available 0 yoctoNEAR + attached 1 yoctoNEAR, required ",
    );
    assert!(
        text.contains("bytes of storage); top up with storage_deposit"),
        "{text}"
    );
    assert_eq!(snapshot(&registry).await, state);
    assert_eq!(
        storage_balance(&registry, &acme).await,
        json!({ "total": record.to_string(), "available": "0" })
    );

    // Withdrawing needs exactly 1 yoctoNEAR and at most what is available.
    for (deposit, args, message) in [
        (
            NearToken::from_near(1),
            json!({}),
            "requires an attached deposit of exactly 1 yoctoNEAR, got 1000000000000000000000000"
                .to_string(),
        ),
        (
            NearToken::from_yoctonear(1),
            json!({ "amount": "1" }),
            "cannot withdraw 1 yoctoNEAR: only 0 yoctoNEAR is available".to_string(),
        ),
    ] {
        let before = must_balance(&worker, &acme).await;
        let outcome = write_with(&acme, &registry, "storage_withdraw", args, deposit).await;
        must_panic_with(&outcome, &message);
        must_have_paid_only_gas(&worker, &acme, before, "storage_withdraw").await;
    }

    // Unregistering deletes the record and sends its total back.
    let before = must_balance(&worker, &acme).await;
    let usage = registry.view_account().await?.storage_usage;
    let gone = write_with(
        &acme,
        &registry,
        "storage_unregister",
        json!({}),
        NearToken::from_yoctonear(1),
    )
    .await;
    must_succeed(&gone);
    assert!(gone.clone().json::<bool>()?);
    assert_eq!(
        u128::from(usage - registry.view_account().await?.storage_usage) * byte_cost,
        record
    );
    assert_eq!(storage_balance(&registry, &acme).await, Value::Null);
    let after = must_balance(&worker, &acme).await;
    assert!(
        after + sandbox_tests::GAS_ONLY > before + record,
        "the record's cost came back: before {before}, after {after}"
    );
    // Unregistered again, the next write pays by deposit as before.
    let by_deposit = publish(&acme, &registry, "1.1.0", files("v11", 12)).await;
    must_have_paid_by_deposit(&by_deposit);
    Ok(())
}

// ---- upgrade ------------------------------------------------------------------------------------------------

/// Every record a populated registry holds, read through the views.
async fn read_everything(registry: &Contract, models: &[&str], hashes: &[String]) -> Value {
    let mut out = serde_json::Map::new();
    let mut config = view(registry, "get_config", json!({})).await;
    config["state_version"] = Value::Null; // may legitimately change with a new layout
    out.insert("config".into(), config);
    out.insert(
        "models".into(),
        view(registry, "list_models", json!({ "limit": 100 })).await,
    );
    for m in models {
        let versions = view(
            registry,
            "list_versions",
            json!({ "model_id": m, "limit": 100 }),
        )
        .await;
        for v in versions.as_array().unwrap() {
            let version = v["version"].as_str().unwrap();
            out.insert(
                format!("{m}@{version}/attestations"),
                view(
                    registry,
                    "list_attestations",
                    json!({ "model_id": m, "version": version, "limit": 100 }),
                )
                .await,
            );
            out.insert(
                format!("{m}@{version}/status"),
                view(
                    registry,
                    "version_status",
                    json!({ "model_id": m, "version": version }),
                )
                .await,
            );
        }
        out.insert(format!("{m}/versions"), versions);
        out.insert(
            format!("{m}/history"),
            view(
                registry,
                "get_history",
                json!({ "model_id": m, "limit": 100 }),
            )
            .await,
        );
        let model = view(registry, "get_model", json!({ "model_id": m })).await;
        for alias in ["production", "staging"] {
            out.insert(
                format!("{m}/{alias}"),
                view(
                    registry,
                    "get_alias",
                    json!({ "model_id": m, "alias": alias }),
                )
                .await,
            );
            out.insert(
                format!("{m}/{alias}/history"),
                view(
                    registry,
                    "get_alias_history",
                    json!({ "model_id": m, "alias": alias }),
                )
                .await,
            );
        }
        out.insert(format!("{m}/model"), model);
    }
    for h in hashes {
        out.insert(
            format!("hash/{h}"),
            view(registry, "lookup_hash", json!({ "sha256": h })).await,
        );
    }
    for ns in ["acme", "beta"] {
        out.insert(
            format!("ns/{ns}"),
            view(registry, "get_namespace", json!({ "namespace": ns })).await,
        );
    }
    Value::Object(out)
}

#[tokio::test]
async fn upgrading_a_populated_registry_from_the_first_release_keeps_every_record()
-> anyhow::Result<()> {
    let worker = sandbox().await?;
    let registry = registry_from(&worker, Some(res_wasm("model_registry_v1.wasm"))).await;
    let (acme, beta, auditor) = (
        must_account(&worker).await,
        must_account(&worker).await,
        must_account(&worker).await,
    );
    must_succeed(&create_model(&acme, &registry, "acme", "sentiment").await);
    must_succeed(&create_model(&beta, &registry, "beta", "vision").await);
    must_succeed(
        &write(
            &acme,
            &registry,
            "add_maintainer",
            json!({ "model_id": MODEL, "account_id": beta.id() }),
        )
        .await,
    );
    let mut hashes = Vec::new();
    for (i, v) in ["1.0.0", "1.1.0", "2.0.0-rc.1"].iter().enumerate() {
        let f = files(v, 3 + i);
        hashes.push(f[0]["sha256"].as_str().unwrap().to_string());
        hashes.push(manifest_digest(&f));
        must_succeed(&publish(&acme, &registry, v, f).await);
    }
    must_succeed(&write(&beta, &registry, "publish_version", json!({ "model_id": "beta/vision", "version": "0.1.0",
        "files": files("vision", 2), "base_model": { "model_version_id": "acme/sentiment@1.0.0", "relation": "distill" },
        "commercial_use": false })).await);
    must_succeed(
        &write(
            &acme,
            &registry,
            "set_alias",
            json!({ "model_id": MODEL, "alias": "production", "version": "1.0.0" }),
        )
        .await,
    );
    must_succeed(
        &write(
            &acme,
            &registry,
            "set_alias",
            json!({ "model_id": MODEL, "alias": "production", "version": "1.1.0" }),
        )
        .await,
    );
    must_succeed(
        &write(
            &acme,
            &registry,
            "set_alias",
            json!({ "model_id": MODEL, "alias": "staging", "version": "2.0.0-rc.1" }),
        )
        .await,
    );
    must_succeed(&write(&acme, &registry, "deprecate_version", json!({ "model_id": MODEL, "version": "1.0.0", "message": "old", "successor": "1.1.0" })).await);
    must_succeed(&write(&acme, &registry, "revoke_version", json!({ "model_id": MODEL, "version": "2.0.0-rc.1", "code": "published_in_error", "reason": "wrong weights" })).await);
    must_succeed(&write(&auditor, &registry, "attest", json!({ "model_id": MODEL, "version": "1.1.0", "kind": "audit", "attestation": { "score": "0.9" } })).await);
    must_succeed(
        &write(
            &auditor,
            &registry,
            "supersede_attestation",
            json!({ "id": "0", "kind": "audit", "attestation": { "score": "0.95" } }),
        )
        .await,
    );
    must_succeed(
        &write(
            &auditor,
            &registry,
            "attest",
            json!({ "model_id": "beta/vision", "version": "0.1.0", "kind": { "custom": "bias" } }),
        )
        .await,
    );
    must_succeed(
        &write(
            &auditor,
            &registry,
            "revoke_attestation",
            json!({ "id": "2", "reason": "retracted" }),
        )
        .await,
    );
    must_succeed(
        &write(
            &acme,
            &registry,
            "propose_owner",
            json!({ "model_id": MODEL, "new_owner": auditor.id() }),
        )
        .await,
    );

    let models = ["acme/sentiment", "beta/vision"];
    let before = read_everything(&registry, &models, &hashes).await;
    let new_code = wasm("model-registry");
    let upgrade = |who: Account, deposit: NearToken| {
        let code = new_code.clone();
        let id = registry.id().clone();
        async move {
            who.call(&id, "upgrade")
                .args(code)
                .deposit(deposit)
                .max_gas()
                .transact()
                .await
                .expect("upgrade")
        }
    };

    // Refused: a stranger, and the owner without exactly 1 yocto.
    let refused = upgrade(acme.clone(), NearToken::from_yoctonear(1)).await;
    must_panic_with(
        &refused,
        &format!("{} is not the registry owner", acme.id()),
    );
    let refused = upgrade(registry.as_account().clone(), NearToken::from_yoctonear(0)).await;
    must_panic_with(
        &refused,
        "requires an attached deposit of exactly 1 yoctoNEAR, got 0",
    );
    let refused = upgrade(registry.as_account().clone(), NearToken::from_yoctonear(2)).await;
    must_panic_with(
        &refused,
        "requires an attached deposit of exactly 1 yoctoNEAR, got 2",
    );

    let empty = registry
        .as_account()
        .call(registry.id(), "upgrade")
        .deposit(NearToken::from_yoctonear(1))
        .max_gas()
        .transact()
        .await?;
    must_panic_with(
        &empty,
        "invalid code '': the call input must be the new contract wasm",
    );
    let upgraded = upgrade(registry.as_account().clone(), NearToken::from_yoctonear(1)).await;
    must_succeed(&upgraded);
    assert!(
        upgraded.receipt_failures().is_empty(),
        "deploy and migrate succeeded: {upgraded:#?}"
    );
    assert_eq!(
        event_lines(&upgraded),
        vec![event("contract_migrated", r#"{"state_version":1}"#)]
    );
    assert_eq!(
        read_everything(&registry, &models, &hashes).await,
        before,
        "every record reads back after the upgrade"
    );
    // And the upgraded registry keeps working on the old records.
    must_succeed(
        &write(
            &auditor,
            &registry,
            "accept_ownership",
            json!({ "model_id": MODEL }),
        )
        .await,
    );
    // The latest version of a first-release model record comes from its version list.
    must_reject_with(
        &worker,
        &auditor,
        &registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": "1.5.0", "files": files("after", 2), "commercial_use": true }),
        NearToken::from_near(1),
        "version '1.5.0' must be greater than the latest version '2.0.0-rc.1' of model 'acme/sentiment'",
    )
    .await;
    // A file published before the upgrade (first-release index) and again after it (current index): one
    // list, the old hit first, paged across both.
    let mut shared = files("1.0.0", 1);
    shared.push(files("after", 2)[1].clone());
    must_succeed(&publish(&auditor, &registry, "2.0.0", shared).await);
    let versions_of = |hits: Value| -> Vec<String> {
        hits.as_array()
            .unwrap()
            .iter()
            .map(|h| h["version"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        versions_of(view(&registry, "lookup_hash", json!({ "sha256": hashes[0] })).await),
        ["1.0.0", "2.0.0"]
    );
    for (from, expected) in [(0, "1.0.0"), (1, "2.0.0")] {
        assert_eq!(
            versions_of(
                view(
                    &registry,
                    "lookup_hash",
                    json!({ "sha256": hashes[0], "from_index": from, "limit": 1 })
                )
                .await
            ),
            [expected]
        );
    }
    let model = view(&registry, "get_model", json!({ "model_id": MODEL })).await;
    assert_eq!(model["latest_version"], "2.0.0");
    Ok(())
}
