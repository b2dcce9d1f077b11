//! End-to-end specification of the dataset lineage contract (issue 5) on the local node: datasets,
//! consent terms with history, derivations (an acyclic graph), flags and taint, bounded queries, training
//! usage as the registry records it, paid access, every bad-input case (exact error, state unchanged,
//! funds back), exact event lines, and an upgrade from the first release's wasm.
//!
//! Here the "registry" allowed to record training usage is a plain account, so the consent check is
//! specified on its own; `registry_lineage.rs` runs it through the real registry.

use near_workspaces::network::Sandbox;
use near_workspaces::result::ExecutionFinalResult;
use near_workspaces::types::{Gas, NearToken};
use near_workspaces::{Account, Contract, Worker};
use sandbox_tests::{
    event_lines, must_account, must_balance, must_deploy, must_have_paid_only_gas, must_panic_with,
    must_succeed, receipts_created_by_call, res_wasm, sandbox, sha256_hex, view, view_err, wasm,
};
use serde_json::{Value, json};

const PER_DATASET: u128 = 10_000_000_000_000_000_000_000;

struct Fixture {
    worker: Worker<Sandbox>,
    lineage: Contract,
    /// The account allowed to record training usage.
    registry: Account,
    /// Owns dataset `reviews` (training allowed, commercial use not allowed).
    alice: Account,
    /// `acme.test.near`, the publisher named in every training-usage record (and paid what is unused).
    acme: Account,
}

async fn lineage_from(
    worker: &Worker<Sandbox>,
    code: Option<Vec<u8>>,
    registry: &Account,
) -> Contract {
    let lineage = match code {
        Some(code) => worker.dev_deploy(&code).await.expect("deploy"),
        None => must_deploy(worker, "dataset-lineage").await,
    };
    must_succeed(
        &lineage
            .call("new")
            .args_json(json!({ "owner_id": lineage.id(), "registry_id": registry.id() }))
            .transact()
            .await
            .expect("new"),
    );
    lineage
}

async fn fixture() -> Fixture {
    let worker = sandbox().await.expect("sandbox");
    let registry = must_account(&worker).await;
    let lineage = lineage_from(&worker, None, &registry).await;
    let alice = must_account(&worker).await;
    must_succeed(
        &register(
            &alice,
            &lineage,
            "reviews",
            terms("allowed", "not_allowed", None),
        )
        .await,
    );
    must_succeed(&publish(&alice, &lineage, "reviews", "1.0.0", None).await);
    let acme = worker
        .root_account()
        .expect("root account")
        .create_subaccount("acme")
        .initial_balance(NearToken::from_near(1))
        .transact()
        .await
        .expect("create acme")
        .into_result()
        .expect("acme created");
    Fixture {
        worker,
        lineage,
        registry,
        alice,
        acme,
    }
}

fn permission(status: &str) -> Value {
    if status == "constrained" {
        json!({ "status": "constrained", "terms_uri": "https://terms.example/v1", "terms_digest": sha256_hex(b"terms v1") })
    } else {
        json!({ "status": status })
    }
}

fn terms(training: &str, commercial: &str, access: Option<(u128, u64)>) -> Value {
    json!({
        "ai_training": permission(training),
        "ai_inference": permission("allowed"),
        "data_mining": permission("not_allowed"),
        "commercial_use": permission(commercial),
        "attribution_required": true,
        "access": access.map(|(price, secs)| json!({ "price": price.to_string(), "duration_seconds": secs.to_string() })),
    })
}

async fn write(
    who: &Account,
    lineage: &Contract,
    method: &str,
    args: Value,
) -> ExecutionFinalResult {
    write_with(who, lineage, method, args, NearToken::from_near(1)).await
}

async fn write_with(
    who: &Account,
    lineage: &Contract,
    method: &str,
    args: Value,
    deposit: NearToken,
) -> ExecutionFinalResult {
    who.call(lineage.id(), method)
        .args_json(args)
        .deposit(deposit)
        .gas(Gas::from_tgas(150))
        .transact()
        .await
        .unwrap_or_else(|e| panic!("{method}: {e:?}"))
}

async fn register(
    who: &Account,
    lineage: &Contract,
    id: &str,
    terms: Value,
) -> ExecutionFinalResult {
    write(
        who,
        lineage,
        "register_dataset",
        json!({ "dataset_id": id, "title": format!("{id} corpus"), "terms": terms }),
    )
    .await
}

fn manifest(tag: &str) -> Value {
    json!({ "content_digest": sha256_hex(tag.as_bytes()), "size_bytes": "1048576", "record_count": "5000",
            "schema_digest": sha256_hex(b"schema"), "uris": [format!("ipfs://{tag}")] })
}

async fn publish(
    who: &Account,
    lineage: &Contract,
    dataset: &str,
    version: &str,
    parents: Option<Vec<String>>,
) -> ExecutionFinalResult {
    let derived_from = parents.map(|p| {
        json!({ "parents": p, "activity": { "kind": "merge",
        "code_digest": sha256_hex(b"merge.py"), "code_uri": "https://git.example/merge.py" } })
    });
    write(
        who,
        lineage,
        "publish_version",
        json!({ "dataset_id": dataset, "version": version,
        "manifest": manifest(&format!("{dataset}@{version}")), "derived_from": derived_from }),
    )
    .await
}

/// What the registry account sends: 0.01 NEAR per dataset.
async fn record_usage(
    registry: &Account,
    lineage: &Contract,
    model: &str,
    datasets: &[&str],
    commercial: bool,
) -> ExecutionFinalResult {
    let deposit = PER_DATASET * datasets.len() as u128;
    write_with(registry, lineage, "record_training_usage", json!({ "model_version_id": model,
        "dataset_versions": datasets, "commercial_use": commercial, "publisher": "acme.test.near" }),
        NearToken::from_yoctonear(deposit.max(1))).await
}

/// Everything a bad call could have touched, for the datasets and versions named.
async fn snapshot(lineage: &Contract, datasets: &[&str], versions: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for d in datasets {
        out.insert(
            format!("{d}/dataset"),
            view(lineage, "get_dataset", json!({ "dataset_id": d })).await,
        );
        out.insert(
            format!("{d}/terms"),
            view(lineage, "get_terms_history", json!({ "dataset_id": d })).await,
        );
        out.insert(
            format!("{d}/versions"),
            view(lineage, "get_versions", json!({ "dataset_id": d })).await,
        );
        out.insert(
            format!("{d}/grants"),
            view(lineage, "get_grants", json!({ "dataset_id": d })).await,
        );
    }
    for v in versions {
        out.insert(
            format!("{v}/version"),
            view(lineage, "get_version", json!({ "version_id": v })).await,
        );
        out.insert(
            format!("{v}/flags"),
            view(lineage, "get_flags", json!({ "version_id": v })).await,
        );
        if let Ok(r) = lineage
            .view("get_children")
            .args_json(json!({ "version_id": v }))
            .await
        {
            out.insert(format!("{v}/children"), r.json().expect("json"));
        }
        if let Ok(r) = lineage
            .view("get_models_trained_on")
            .args_json(json!({ "version_id": v }))
            .await
        {
            out.insert(format!("{v}/models"), r.json().expect("json"));
        }
    }
    out.insert(
        "storage".into(),
        json!(
            lineage
                .view_account()
                .await
                .expect("view_account")
                .storage_usage
        ),
    );
    Value::Object(out)
}

/// A bad call: fails with exactly `message`, changes nothing, and the deposit comes back.
#[allow(clippy::too_many_arguments)]
async fn must_reject_with(
    worker: &Worker<Sandbox>,
    who: &Account,
    lineage: &Contract,
    method: &str,
    args: Value,
    deposit: NearToken,
    message: &str,
    datasets: &[&str],
    versions: &[&str],
) {
    let state = snapshot(lineage, datasets, versions).await;
    let before = must_balance(worker, who).await;
    let outcome = write_with(who, lineage, method, args, deposit).await;
    must_panic_with(&outcome, message);
    assert_eq!(
        snapshot(lineage, datasets, versions).await,
        state,
        "{method} changed state: {message}"
    );
    must_have_paid_only_gas(worker, who, before, method).await;
}

#[allow(clippy::too_many_arguments)]
async fn must_reject(
    worker: &Worker<Sandbox>,
    who: &Account,
    lineage: &Contract,
    method: &str,
    args: Value,
    message: &str,
    datasets: &[&str],
    versions: &[&str],
) {
    must_reject_with(
        worker,
        who,
        lineage,
        method,
        args,
        NearToken::from_near(1),
        message,
        datasets,
        versions,
    )
    .await;
}

/// `terms` as the contract serializes it (fields in declaration order).
fn terms_line(t: &Value) -> String {
    let perm = |p: &Value| match p["status"].as_str().unwrap() {
        "constrained" => format!(
            r#"{{"status":"constrained","terms_uri":{},"terms_digest":{}}}"#,
            p["terms_uri"], p["terms_digest"]
        ),
        status => format!(r#"{{"status":"{status}"}}"#),
    };
    let access = match &t["access"] {
        Value::Null => "null".to_string(),
        a => format!(
            r#"{{"price":{},"duration_seconds":{}}}"#,
            a["price"], a["duration_seconds"]
        ),
    };
    format!(
        r#"{{"ai_training":{},"ai_inference":{},"data_mining":{},"commercial_use":{},"attribution_required":{},"access":{access}}}"#,
        perm(&t["ai_training"]),
        perm(&t["ai_inference"]),
        perm(&t["data_mining"]),
        perm(&t["commercial_use"]),
        t["attribution_required"]
    )
}

fn event(name: &str, data: &str) -> String {
    format!(
        r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"{name}","data":{data}}}"#
    )
}

// ---- datasets and terms ------------------------------------------------------------------------------------

#[tokio::test]
async fn registering_a_dataset_records_its_owner_and_first_terms_revision() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let registry = must_account(&worker).await;
    let lineage = lineage_from(&worker, None, &registry).await;
    let alice = must_account(&worker).await;
    let t = terms(
        "constrained",
        "not_allowed",
        Some((NearToken::from_millinear(500).as_yoctonear(), 3600)),
    );
    let outcome = register(&alice, &lineage, "reviews", t.clone()).await;
    must_succeed(&outcome);
    assert_eq!(
        event_lines(&outcome),
        vec![
            event(
                "dataset_registered",
                &format!(
                    r#"{{"dataset_id":"reviews","owner_id":"{}","title":"reviews corpus"}}"#,
                    alice.id()
                )
            ),
            event(
                "terms_set",
                &format!(
                    r#"{{"dataset_id":"reviews","revision":1,"terms":{}}}"#,
                    terms_line(&t)
                )
            ),
        ]
    );
    let dataset = view(&lineage, "get_dataset", json!({ "dataset_id": "reviews" })).await;
    assert_eq!(dataset["owner_id"], json!(alice.id()));
    assert_eq!(dataset["terms_revision"], 1);
    assert_eq!(dataset["terms"], t);
    let current = view(&lineage, "get_terms", json!({ "dataset_id": "reviews" })).await;
    assert_eq!(
        (
            current["revision"].clone(),
            current["terms"].clone(),
            current["set_by"].clone()
        ),
        (json!(1), t, json!(alice.id()))
    );
    assert_eq!(
        view(&lineage, "get_registry", json!({})).await,
        json!(registry.id())
    );
    must_reject(&worker, &registry, &lineage, "register_dataset", json!({ "dataset_id": "reviews", "title": "again", "terms": terms("allowed", "allowed", None) }),
        "dataset 'reviews' already exists", &["reviews"], &[]).await;
    Ok(())
}

#[tokio::test]
async fn terms_change_only_by_the_owner_and_every_revision_is_kept() -> anyhow::Result<()> {
    let Fixture {
        worker,
        lineage,
        alice,
        ..
    } = fixture().await;
    let second = terms("not_allowed", "not_allowed", None);
    let outcome = write(
        &alice,
        &lineage,
        "set_terms",
        json!({ "dataset_id": "reviews", "terms": second }),
    )
    .await;
    must_succeed(&outcome);
    assert_eq!(outcome.clone().json::<u32>()?, 2);
    assert_eq!(
        event_lines(&outcome),
        vec![event(
            "terms_set",
            &format!(
                r#"{{"dataset_id":"reviews","revision":2,"terms":{}}}"#,
                terms_line(&second)
            )
        )]
    );
    let third = terms("constrained", "allowed", Some((1, 60)));
    must_succeed(
        &write(
            &alice,
            &lineage,
            "set_terms",
            json!({ "dataset_id": "reviews", "terms": third }),
        )
        .await,
    );

    let history = view(
        &lineage,
        "get_terms_history",
        json!({ "dataset_id": "reviews" }),
    )
    .await;
    let revisions: Vec<(Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].clone(),
                r["terms"]["ai_training"]["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        revisions,
        vec![
            (json!(1), json!("allowed")),
            (json!(2), json!("not_allowed")),
            (json!(3), json!("constrained"))
        ]
    );
    let page = view(
        &lineage,
        "get_terms_history",
        json!({ "dataset_id": "reviews", "from_index": 1, "limit": 1 }),
    )
    .await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["revision"], 2);
    assert_eq!(
        view(&lineage, "get_terms", json!({ "dataset_id": "reviews" })).await["terms"],
        third
    );

    let mallory = must_account(&worker).await;
    must_reject(
        &worker,
        &mallory,
        &lineage,
        "set_terms",
        json!({ "dataset_id": "reviews", "terms": terms("allowed", "allowed", None) }),
        &format!(
            "account '{}' is not allowed to change the terms of this dataset",
            mallory.id()
        ),
        &["reviews"],
        &[],
    )
    .await;
    must_reject(&worker, &alice, &lineage, "set_terms", json!({ "dataset_id": "reviews", "terms": terms("allowed", "allowed", Some((1, 59))) }),
        "invalid terms.access.duration_seconds '59': must be between 60 and 315360000 seconds (ten years)", &["reviews"], &[]).await;
    let mut bad = terms("allowed", "allowed", None);
    bad["ai_training"] =
        json!({ "status": "constrained", "terms_uri": "https://t", "terms_digest": "XYZ" });
    must_reject(&worker, &alice, &lineage, "set_terms", json!({ "dataset_id": "reviews", "terms": bad }),
        "invalid terms.ai_training.terms_digest 'XYZ': must be a sha256 digest: 64 lowercase hex characters", &["reviews"], &[]).await;
    must_reject(
        &worker,
        &alice,
        &lineage,
        "set_terms",
        json!({ "dataset_id": "nope", "terms": terms("allowed", "allowed", None) }),
        "dataset 'nope' not found",
        &["reviews"],
        &[],
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn storage_is_paid_by_the_caller_and_a_short_deposit_names_the_exact_amount()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        lineage,
        alice,
        ..
    } = fixture().await;
    let byte_cost = sandbox_tests::storage_byte_cost(&worker).await;
    let args = json!({ "dataset_id": "exact", "title": "exact corpus", "terms": terms("allowed", "allowed", None) });
    let state = snapshot(&lineage, &["exact"], &[]).await;
    let probe = write_with(
        &alice,
        &lineage,
        "register_dataset",
        args.clone(),
        NearToken::from_yoctonear(1),
    )
    .await;
    let text = sandbox_tests::must_fail(
        &probe,
        "attached deposit 1 yoctoNEAR does not cover storage: ",
    );
    let required: u128 = text
        .split("storage: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()?;
    assert_eq!(
        snapshot(&lineage, &["exact"], &[]).await,
        state,
        "nothing was written"
    );
    let short = write_with(
        &alice,
        &lineage,
        "register_dataset",
        args.clone(),
        NearToken::from_yoctonear(required - 1),
    )
    .await;
    must_panic_with(
        &short,
        &format!(
            "attached deposit {} yoctoNEAR does not cover storage: {required} yoctoNEAR required",
            required - 1
        ),
    );
    let before = lineage.view_account().await?.storage_usage;
    must_succeed(
        &write_with(
            &alice,
            &lineage,
            "register_dataset",
            args,
            NearToken::from_yoctonear(required),
        )
        .await,
    );
    let added = lineage.view_account().await?.storage_usage - before;
    assert_eq!(
        u128::from(added) * byte_cost,
        required,
        "the deposit asked is exactly the bytes added"
    );

    // Flaggers are bounded (8) and only the owner publishes versions.
    for i in 0..8 {
        must_succeed(
            &write(
                &alice,
                &lineage,
                "appoint_flagger",
                json!({ "dataset_id": "exact", "account_id": format!("f{i}.test.near") }),
            )
            .await,
        );
    }
    must_reject(
        &worker,
        &alice,
        &lineage,
        "appoint_flagger",
        json!({ "dataset_id": "exact", "account_id": "f8.test.near" }),
        "flaggers has 9 entries, more than the maximum 8",
        &["exact"],
        &[],
    )
    .await;
    must_reject(
        &worker,
        &alice,
        &lineage,
        "appoint_flagger",
        json!({ "dataset_id": "exact", "account_id": "f0.test.near" }),
        "account 'f0.test.near' is already a flagger of dataset 'exact'",
        &["exact"],
        &[],
    )
    .await;
    let mallory = must_account(&worker).await;
    must_reject(
        &worker,
        &mallory,
        &lineage,
        "publish_version",
        json!({ "dataset_id": "exact", "version": "1", "manifest": manifest("m") }),
        &format!(
            "account '{}' is not allowed to publish versions of this dataset",
            mallory.id()
        ),
        &["exact"],
        &[],
    )
    .await;
    Ok(())
}

// ---- versions and derivations -----------------------------------------------------------------------------

#[tokio::test]
async fn derivations_form_a_graph_queryable_by_parents_children_ancestors_and_descendants()
-> anyhow::Result<()> {
    let Fixture { lineage, alice, .. } = fixture().await;
    must_succeed(&publish(&alice, &lineage, "reviews", "2.0.0", None).await);
    must_succeed(
        &register(
            &alice,
            &lineage,
            "merged",
            terms("allowed", "allowed", None),
        )
        .await,
    );
    let merged = publish(
        &alice,
        &lineage,
        "merged",
        "1",
        Some(vec!["reviews@1.0.0".into(), "reviews@2.0.0".into()]),
    )
    .await;
    must_succeed(&merged);
    assert_eq!(merged.clone().json::<String>()?, "merged@1");
    assert_eq!(
        event_lines(&merged),
        vec![event(
            "version_published",
            &format!(
                r#"{{"version_id":"merged@1","content_digest":"{}","parents":["reviews@1.0.0","reviews@2.0.0"],"activity":"merge","generation":1}}"#,
                sha256_hex(b"merged@1")
            )
        )]
    );
    must_succeed(&register(&alice, &lineage, "clean", terms("allowed", "allowed", None)).await);
    must_succeed(
        &publish(
            &alice,
            &lineage,
            "clean",
            "1",
            Some(vec!["merged@1".into()]),
        )
        .await,
    );

    let v = view(&lineage, "get_version", json!({ "version_id": "clean@1" })).await;
    assert_eq!(v["generation"], 2);
    assert_eq!(v["manifest"], manifest("clean@1"));
    assert_eq!(v["derived_from"]["activity"]["kind"], "merge");
    assert_eq!(v["published_by"], json!(alice.id()));
    assert_eq!(
        view(&lineage, "get_versions", json!({ "dataset_id": "reviews" })).await,
        json!(["reviews@1.0.0", "reviews@2.0.0"])
    );
    assert_eq!(
        view(&lineage, "get_parents", json!({ "version_id": "merged@1" })).await,
        json!(["reviews@1.0.0", "reviews@2.0.0"])
    );
    assert_eq!(
        view(
            &lineage,
            "get_children",
            json!({ "version_id": "reviews@1.0.0" })
        )
        .await,
        json!(["merged@1"])
    );
    let ancestors = view(
        &lineage,
        "get_ancestors",
        json!({ "version_id": "clean@1" }),
    )
    .await;
    assert_eq!(
        ancestors,
        json!({ "nodes": [
        { "version_id": "merged@1", "depth": 1 },
        { "version_id": "reviews@1.0.0", "depth": 2 },
        { "version_id": "reviews@2.0.0", "depth": 2 } ], "complete": true })
    );
    let shallow = view(
        &lineage,
        "get_ancestors",
        json!({ "version_id": "clean@1", "max_depth": 1 }),
    )
    .await;
    assert_eq!(
        shallow,
        json!({ "nodes": [{ "version_id": "merged@1", "depth": 1 }], "complete": false })
    );
    let page = view(
        &lineage,
        "get_ancestors",
        json!({ "version_id": "clean@1", "from_index": 1, "limit": 1 }),
    )
    .await;
    assert_eq!(
        page["nodes"],
        json!([{ "version_id": "reviews@1.0.0", "depth": 2 }])
    );
    let descendants = view(
        &lineage,
        "get_descendants",
        json!({ "version_id": "reviews@2.0.0" }),
    )
    .await;
    assert_eq!(
        descendants,
        json!({ "nodes": [
        { "version_id": "merged@1", "depth": 1 }, { "version_id": "clean@1", "depth": 2 } ], "complete": true })
    );
    Ok(())
}

#[tokio::test]
async fn bad_derivations_are_refused_so_no_cycle_can_form() -> anyhow::Result<()> {
    let Fixture {
        worker,
        lineage,
        alice,
        ..
    } = fixture().await;
    must_succeed(
        &register(
            &alice,
            &lineage,
            "derived",
            terms("allowed", "allowed", None),
        )
        .await,
    );
    must_succeed(
        &publish(
            &alice,
            &lineage,
            "derived",
            "1",
            Some(vec!["reviews@1.0.0".into()]),
        )
        .await,
    );
    let ds = ["reviews", "derived"];
    let vs = ["reviews@1.0.0", "derived@1"];
    let derive = |version: &str, parents: Vec<String>| {
        json!({ "dataset_id": "derived", "version": version,
        "manifest": manifest(version), "derived_from": { "parents": parents, "activity": { "kind": "filter" } } })
    };

    must_reject(
        &worker,
        &alice,
        &lineage,
        "publish_version",
        derive("2", vec!["reviews@9.9.9".into()]),
        "parent dataset version 'reviews@9.9.9' not found",
        &ds,
        &vs,
    )
    .await;
    let seventeen: Vec<String> = (0..17).map(|i| format!("reviews@{i}")).collect();
    must_reject(
        &worker,
        &alice,
        &lineage,
        "publish_version",
        derive("2", seventeen),
        "derivation of 'derived@2' has 17 parents, more than the maximum 16",
        &ds,
        &vs,
    )
    .await;
    must_reject(
        &worker,
        &alice,
        &lineage,
        "publish_version",
        derive("2", vec!["reviews@1.0.0".into(), "reviews@1.0.0".into()]),
        "parent 'reviews@1.0.0' is listed more than once",
        &ds,
        &vs,
    )
    .await;
    must_reject(
        &worker,
        &alice,
        &lineage,
        "publish_version",
        derive("2", vec!["derived@2".into()]),
        "dataset version 'derived@2' cannot be its own parent",
        &ds,
        &vs,
    )
    .await;
    must_reject(
        &worker,
        &alice,
        &lineage,
        "publish_version",
        derive("2", vec![]),
        "derivation of 'derived@2' must name at least one parent",
        &ds,
        &vs,
    )
    .await;
    // The only way to close a cycle would be to give an existing version a parent that descends from it.
    must_succeed(&register(&alice, &lineage, "child", terms("allowed", "allowed", None)).await);
    must_succeed(
        &publish(
            &alice,
            &lineage,
            "child",
            "1",
            Some(vec!["derived@1".into()]),
        )
        .await,
    );
    must_reject(&worker, &alice, &lineage, "publish_version", derive("1", vec!["child@1".into()]),
        "dataset version 'derived@1' already exists; published versions are immutable and cannot gain parents", &ds, &vs).await;
    must_reject(&worker, &alice, &lineage, "publish_version", json!({ "dataset_id": "reviews", "version": "1.0.0", "manifest": manifest("again") }),
        "dataset version 'reviews@1.0.0' already exists; published versions are immutable and cannot gain parents", &ds, &vs).await;
    assert_eq!(
        view(
            &lineage,
            "get_descendants",
            json!({ "version_id": "child@1" })
        )
        .await,
        json!({ "nodes": [], "complete": true })
    );

    // Malformed versions and manifests.
    must_reject(&worker, &alice, &lineage, "publish_version", json!({ "dataset_id": "derived", "version": "V2", "manifest": manifest("x") }),
        "invalid version 'V2': must be 1-32 characters of a-z, 0-9, '-', '_', '.', '+' starting with a letter or digit", &ds, &vs).await;
    let mut m = manifest("x");
    m["content_digest"] = json!("abc");
    must_reject(&worker, &alice, &lineage, "publish_version", json!({ "dataset_id": "derived", "version": "2", "manifest": m }),
        "invalid manifest.content_digest 'abc': must be a sha256 digest: 64 lowercase hex characters", &ds, &vs).await;
    let mut m = manifest("x");
    m["uris"] = json!(["ipfs://1", "ipfs://2", "ipfs://3", "ipfs://4", "ipfs://5"]);
    must_reject(
        &worker,
        &alice,
        &lineage,
        "publish_version",
        json!({ "dataset_id": "derived", "version": "2", "manifest": m }),
        "manifest.uris has 5 entries, more than the maximum 4",
        &ds,
        &vs,
    )
    .await;
    must_reject(&worker, &alice, &lineage, "register_dataset", json!({ "dataset_id": "Bad Id", "title": "t", "terms": terms("allowed", "allowed", None) }),
        "invalid dataset_id 'Bad Id': must be 1-64 characters of a-z, 0-9, '-', '_', '.' starting with a letter or digit", &ds, &vs).await;
    Ok(())
}

// ---- flags and taint ------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_flag_on_a_source_taints_the_provenance_of_everything_derived_from_it()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        lineage,
        alice,
        registry,
        ..
    } = fixture().await;
    must_succeed(
        &register(
            &alice,
            &lineage,
            "merged",
            terms("allowed", "allowed", None),
        )
        .await,
    );
    must_succeed(
        &publish(
            &alice,
            &lineage,
            "merged",
            "1",
            Some(vec!["reviews@1.0.0".into()]),
        )
        .await,
    );
    must_succeed(&register(&alice, &lineage, "clean", terms("allowed", "allowed", None)).await);
    must_succeed(
        &publish(
            &alice,
            &lineage,
            "clean",
            "1",
            Some(vec!["merged@1".into()]),
        )
        .await,
    );
    must_succeed(
        &record_usage(
            &registry,
            &lineage,
            "acme/sentiment@1.0.0",
            &["clean@1"],
            false,
        )
        .await,
    );
    let report = view(
        &lineage,
        "get_provenance",
        json!({ "version_id": "clean@1" }),
    )
    .await;
    assert_eq!(
        (
            report["tainted"].clone(),
            report["complete"].clone(),
            report["ancestors_walked"].clone()
        ),
        (json!(false), json!(true), json!(2))
    );

    // The owner appoints a flagger; a stranger cannot flag.
    let (auditor, mallory) = (must_account(&worker).await, must_account(&worker).await);
    let appointed = write(
        &alice,
        &lineage,
        "appoint_flagger",
        json!({ "dataset_id": "reviews", "account_id": auditor.id() }),
    )
    .await;
    must_succeed(&appointed);
    assert_eq!(
        event_lines(&appointed),
        vec![event(
            "flagger_appointed",
            &format!(
                r#"{{"dataset_id":"reviews","account_id":"{}"}}"#,
                auditor.id()
            )
        )]
    );
    must_reject(
        &worker,
        &mallory,
        &lineage,
        "flag_version",
        json!({ "version_id": "reviews@1.0.0", "kind": "poisoned", "reason": "x" }),
        &format!(
            "account '{}' is not allowed to flag versions of this dataset",
            mallory.id()
        ),
        &["reviews"],
        &["reviews@1.0.0"],
    )
    .await;
    must_reject(
        &worker,
        &mallory,
        &lineage,
        "appoint_flagger",
        json!({ "dataset_id": "reviews", "account_id": mallory.id() }),
        &format!(
            "account '{}' is not allowed to appoint flaggers for this dataset",
            mallory.id()
        ),
        &["reviews"],
        &["reviews@1.0.0"],
    )
    .await;

    let flagged = write(&auditor, &lineage, "flag_version", json!({ "version_id": "reviews@1.0.0", "kind": "poisoned", "reason": "label flipping in 3% of rows" })).await;
    must_succeed(&flagged);
    assert_eq!(
        event_lines(&flagged),
        vec![event(
            "version_flagged",
            &format!(
                r#"{{"version_id":"reviews@1.0.0","kind":"poisoned","reason":"label flipping in 3% of rows","flagged_by":"{}"}}"#,
                auditor.id()
            )
        )]
    );
    must_reject(
        &worker,
        &alice,
        &lineage,
        "flag_version",
        json!({ "version_id": "reviews@1.0.0", "kind": "poisoned", "reason": "again" }),
        "dataset version 'reviews@1.0.0' is already flagged poisoned",
        &["reviews"],
        &["reviews@1.0.0"],
    )
    .await;
    must_reject(
        &worker,
        &alice,
        &lineage,
        "flag_version",
        json!({ "version_id": "reviews@9", "kind": "poisoned", "reason": "x" }),
        "dataset version 'reviews@9' not found",
        &["reviews"],
        &["reviews@1.0.0"],
    )
    .await;

    // Taint is visible two generations down and in the model trained on the descendant.
    let report = view(
        &lineage,
        "get_provenance",
        json!({ "version_id": "clean@1" }),
    )
    .await;
    assert_eq!(report["tainted"], true);
    assert_eq!(report["flags"], json!([]));
    assert_eq!(report["flagged_ancestors"].as_array().unwrap().len(), 1);
    assert_eq!(
        report["flagged_ancestors"][0]["version_id"],
        "reviews@1.0.0"
    );
    assert_eq!(report["flagged_ancestors"][0]["depth"], 2);
    assert_eq!(
        report["flagged_ancestors"][0]["flags"][0]["kind"],
        "poisoned"
    );
    let own = view(
        &lineage,
        "get_provenance",
        json!({ "version_id": "reviews@1.0.0" }),
    )
    .await;
    assert_eq!(
        (
            own["tainted"].clone(),
            own["flags"][0]["flagged_by"].clone()
        ),
        (json!(true), json!(auditor.id()))
    );
    let model = view(
        &lineage,
        "get_model_provenance",
        json!({ "model_version_id": "acme/sentiment@1.0.0" }),
    )
    .await;
    assert_eq!(
        (model["tainted"].clone(), model["complete"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(
        model["datasets"][0]["report"]["flagged_ancestors"][0]["version_id"],
        "reviews@1.0.0"
    );

    // Clearing needs exactly 1 yocto, and removes the taint.
    must_reject_with(&worker, &auditor, &lineage, "clear_flag", json!({ "version_id": "reviews@1.0.0", "kind": "poisoned" }), NearToken::from_near(1),
        "this action requires an attached deposit of exactly 1 yoctoNEAR, got 1000000000000000000000000", &["reviews"], &["reviews@1.0.0"]).await;
    must_reject_with(
        &worker,
        &auditor,
        &lineage,
        "clear_flag",
        json!({ "version_id": "reviews@1.0.0", "kind": "licence_dispute" }),
        NearToken::from_yoctonear(1),
        "dataset version 'reviews@1.0.0' is not flagged licence_dispute",
        &["reviews"],
        &["reviews@1.0.0"],
    )
    .await;
    let cleared = write_with(
        &auditor,
        &lineage,
        "clear_flag",
        json!({ "version_id": "reviews@1.0.0", "kind": "poisoned" }),
        NearToken::from_yoctonear(1),
    )
    .await;
    must_succeed(&cleared);
    assert_eq!(
        event_lines(&cleared),
        vec![event(
            "flag_cleared",
            &format!(
                r#"{{"version_id":"reviews@1.0.0","kind":"poisoned","cleared_by":"{}"}}"#,
                auditor.id()
            )
        )]
    );
    assert_eq!(
        view(
            &lineage,
            "get_provenance",
            json!({ "version_id": "clean@1" })
        )
        .await["tainted"],
        false
    );
    must_succeed(
        &write_with(
            &alice,
            &lineage,
            "remove_flagger",
            json!({ "dataset_id": "reviews", "account_id": auditor.id() }),
            NearToken::from_yoctonear(1),
        )
        .await,
    );
    must_reject(
        &worker,
        &auditor,
        &lineage,
        "flag_version",
        json!({ "version_id": "reviews@1.0.0", "kind": "poisoned", "reason": "x" }),
        &format!(
            "account '{}' is not allowed to flag versions of this dataset",
            auditor.id()
        ),
        &["reviews"],
        &["reviews@1.0.0"],
    )
    .await;
    Ok(())
}

// ---- training usage --------------------------------------------------------------------------------------------

#[tokio::test]
async fn training_usage_is_recorded_after_consent_and_queryable_both_ways() -> anyhow::Result<()> {
    let Fixture {
        worker,
        lineage,
        alice,
        registry,
        acme,
        ..
    } = fixture().await;
    must_succeed(
        &register(
            &alice,
            &lineage,
            "licensed",
            terms("constrained", "constrained", None),
        )
        .await,
    );
    must_succeed(&publish(&alice, &lineage, "licensed", "1", None).await);
    let before = must_balance(&worker, &registry).await;
    let acme_before = must_balance(&worker, &acme).await;
    let usage_before = lineage.view_account().await?.storage_usage;
    let outcome = record_usage(
        &registry,
        &lineage,
        "acme/sentiment@1.0.0",
        &["reviews@1.0.0", "licensed@1"],
        false,
    )
    .await;
    must_succeed(&outcome);
    assert_eq!(
        event_lines(&outcome),
        vec![event(
            "training_usage_recorded",
            r#"{"model_version_id":"acme/sentiment@1.0.0","dataset_versions":["reviews@1.0.0","licensed@1"],"commercial_use":false,"publisher":"acme.test.near"}"#
        )]
    );
    let cost: u128 = outcome.clone().json::<Value>()?["storage_cost"]
        .as_str()
        .unwrap()
        .parse()?;
    let added = lineage.view_account().await?.storage_usage - usage_before;
    assert_eq!(
        cost,
        u128::from(added) * 10_000_000_000_000_000_000,
        "storage_cost is exactly the bytes added"
    );
    // The unused deposit goes to the publisher, not back to the registry (which would only pass it on).
    let spent = before - must_balance(&worker, &registry).await;
    let deposit = 2 * PER_DATASET;
    assert_eq!(
        must_balance(&worker, &acme).await - acme_before,
        deposit - cost
    );
    assert!(
        spent >= deposit && spent - deposit < sandbox_tests::GAS_ONLY,
        "the registry paid the deposit and gas: spent {spent}, deposit {deposit}"
    );
    assert_eq!(
        outcome.clone().json::<Value>()?["kept"],
        json!(deposit.to_string()),
        "the registry has nothing to refund"
    );

    assert_eq!(
        view(
            &lineage,
            "get_models_trained_on",
            json!({ "version_id": "reviews@1.0.0" })
        )
        .await,
        json!(["acme/sentiment@1.0.0"])
    );
    let usage = view(
        &lineage,
        "get_training_datasets",
        json!({ "model_version_id": "acme/sentiment@1.0.0" }),
    )
    .await;
    assert_eq!(usage["publisher"], "acme.test.near");
    assert_eq!(
        usage["datasets"][0],
        json!({ "version_id": "reviews@1.0.0", "terms_revision": 1, "ai_training_terms_digest": null, "commercial_terms_digest": null })
    );
    assert_eq!(
        usage["datasets"][1]["ai_training_terms_digest"],
        json!(sha256_hex(b"terms v1"))
    );
    // A commercial model on constrained-commercial data records the commercial terms digest.
    must_succeed(
        &record_usage(
            &registry,
            &lineage,
            "acme/sentiment@1.1.0",
            &["licensed@1"],
            true,
        )
        .await,
    );
    let usage = view(
        &lineage,
        "get_training_datasets",
        json!({ "model_version_id": "acme/sentiment@1.1.0" }),
    )
    .await;
    assert_eq!(
        usage["datasets"][0]["commercial_terms_digest"],
        json!(sha256_hex(b"terms v1"))
    );
    assert_eq!(
        view(
            &lineage,
            "get_models_trained_on",
            json!({ "version_id": "licensed@1", "from_index": 1 })
        )
        .await,
        json!(["acme/sentiment@1.1.0"])
    );
    assert_eq!(
        view(
            &lineage,
            "get_training_datasets",
            json!({ "model_version_id": "acme/unknown@1" })
        )
        .await,
        Value::Null
    );
    Ok(())
}

#[tokio::test]
async fn training_usage_without_consent_is_refused_and_the_deposit_returned() -> anyhow::Result<()>
{
    let Fixture {
        worker,
        lineage,
        alice,
        registry,
        ..
    } = fixture().await;
    must_succeed(
        &register(
            &alice,
            &lineage,
            "private",
            terms("not_allowed", "allowed", None),
        )
        .await,
    );
    must_succeed(&publish(&alice, &lineage, "private", "1", None).await);
    must_succeed(
        &register(
            &alice,
            &lineage,
            "withdrawn",
            terms("allowed", "allowed", None),
        )
        .await,
    );
    must_succeed(&publish(&alice, &lineage, "withdrawn", "1", None).await);
    must_succeed(&write(&alice, &lineage, "flag_version", json!({ "version_id": "withdrawn@1", "kind": "consent_withdrawn", "reason": "subjects opted out" })).await);
    must_succeed(
        &record_usage(
            &registry,
            &lineage,
            "acme/sentiment@1.0.0",
            &["reviews@1.0.0"],
            false,
        )
        .await,
    );
    let ds = ["reviews", "private", "withdrawn"];
    let vs = ["reviews@1.0.0", "private@1", "withdrawn@1"];
    let usage = |model: &str, datasets: Vec<&str>, commercial: bool| {
        json!({ "model_version_id": model,
        "dataset_versions": datasets, "commercial_use": commercial, "publisher": "acme.test.near" })
    };
    let cases = [
        (
            usage("acme/m@1", vec!["reviews@1.0.0", "private@1"], false),
            "dataset version 'private@1' cannot be used for ai training: its terms do not allow ai training",
        ),
        (
            usage("acme/m@1", vec!["reviews@1.0.0"], true),
            "dataset version 'reviews@1.0.0' cannot be used by a commercial model: its terms do not allow commercial use",
        ),
        (
            usage("acme/m@1", vec!["withdrawn@1"], false),
            "dataset version 'withdrawn@1' cannot be used for ai training: it is flagged consent_withdrawn",
        ),
        (
            usage("acme/m@1", vec!["reviews@9.9.9"], false),
            "dataset version 'reviews@9.9.9' not found",
        ),
        (
            usage("acme/m@1", vec!["reviews@1.0.0", "reviews@1.0.0"], false),
            "dataset version 'reviews@1.0.0' is listed more than once",
        ),
        (
            usage("acme/sentiment@1.0.0", vec!["reviews@1.0.0"], false),
            "training usage for model version 'acme/sentiment@1.0.0' is already recorded",
        ),
        (
            usage("no-at-sign", vec!["reviews@1.0.0"], false),
            "invalid model_version_id 'no-at-sign': must be '<namespace>/<name>@<version>', at most 256 bytes of printable ascii without spaces",
        ),
        (
            usage("acme/m@1", vec![], false),
            "invalid dataset_versions '': must name at least one dataset version",
        ),
    ];
    for (args, message) in cases {
        must_reject_with(
            &worker,
            &registry,
            &lineage,
            "record_training_usage",
            args,
            NearToken::from_millinear(20),
            message,
            &ds,
            &vs,
        )
        .await;
    }
    let thirty_three: Vec<String> = (0..33).map(|i| format!("reviews@{i}")).collect();
    must_reject_with(
        &worker,
        &registry,
        &lineage,
        "record_training_usage",
        json!({ "model_version_id": "acme/m@1", "dataset_versions": thirty_three,
        "commercial_use": false, "publisher": "acme.test.near" }),
        NearToken::from_millinear(330),
        "dataset_versions has 33 entries, more than the maximum 32",
        &ds,
        &vs,
    )
    .await;
    // Only the registry may record usage.
    let mallory = must_account(&worker).await;
    must_reject_with(
        &worker,
        &mallory,
        &lineage,
        "record_training_usage",
        usage("acme/m@1", vec!["reviews@1.0.0"], false),
        NearToken::from_millinear(10),
        &format!(
            "account '{}' is not allowed to record training usage (only the model registry may)",
            mallory.id()
        ),
        &ds,
        &vs,
    )
    .await;
    assert_eq!(
        view(
            &lineage,
            "get_training_datasets",
            json!({ "model_version_id": "acme/m@1" })
        )
        .await,
        Value::Null
    );
    Ok(())
}

// ---- bounded queries --------------------------------------------------------------------------------------

#[tokio::test]
async fn queries_past_their_documented_limits_are_refused() -> anyhow::Result<()> {
    let Fixture { lineage, .. } = fixture().await;
    let v = "reviews@1.0.0";
    for (method, args, message) in [
        (
            "get_versions",
            json!({ "dataset_id": "reviews", "limit": 101 }),
            "limit 101 exceeds the maximum 100",
        ),
        (
            "get_terms_history",
            json!({ "dataset_id": "reviews", "limit": 101 }),
            "limit 101 exceeds the maximum 100",
        ),
        (
            "get_children",
            json!({ "version_id": v, "limit": 101 }),
            "limit 101 exceeds the maximum 100",
        ),
        (
            "get_grants",
            json!({ "dataset_id": "reviews", "limit": 101 }),
            "limit 101 exceeds the maximum 100",
        ),
        (
            "get_models_trained_on",
            json!({ "version_id": v, "limit": 101 }),
            "limit 101 exceeds the maximum 100",
        ),
        (
            "get_ancestors",
            json!({ "version_id": v, "max_depth": 33 }),
            "max_depth 33 exceeds the maximum 32",
        ),
        (
            "get_descendants",
            json!({ "version_id": v, "max_depth": 0 }),
            "invalid max_depth '0': must be at least 1",
        ),
        (
            "get_ancestors",
            json!({ "version_id": v, "from_index": 200, "limit": 57 }),
            "from_index + limit (257) exceeds the walk maximum 256",
        ),
        (
            "get_ancestors",
            json!({ "version_id": "reviews@9" }),
            "dataset version 'reviews@9' not found",
        ),
        (
            "get_parents",
            json!({ "version_id": "reviews@9" }),
            "dataset version 'reviews@9' not found",
        ),
    ] {
        let err = view_err(&lineage, method, args).await;
        assert!(
            err.contains(message),
            "{method}: {err} does not say {message:?}"
        );
    }
    assert_eq!(
        view(
            &lineage,
            "get_ancestors",
            json!({ "version_id": v, "from_index": 200, "limit": 56 })
        )
        .await,
        json!({ "nodes": [], "complete": true })
    );
    Ok(())
}

// ---- paid access -------------------------------------------------------------------------------------------

#[tokio::test]
async fn paid_access_pays_the_owner_in_full_and_records_a_revocable_grant() -> anyhow::Result<()> {
    let Fixture {
        worker,
        lineage,
        alice,
        ..
    } = fixture().await;
    let price = NearToken::from_millinear(500).as_yoctonear();
    must_succeed(&write(&alice, &lineage, "set_terms", json!({ "dataset_id": "reviews", "terms": terms("allowed", "allowed", Some((price, 3600))) })).await);
    let bob = must_account(&worker).await;
    let (owner_before, bob_before) = (
        must_balance(&worker, &alice).await,
        must_balance(&worker, &bob).await,
    );
    let usage_before = lineage.view_account().await?.storage_usage;
    let outcome = write(
        &bob,
        &lineage,
        "request_access",
        json!({ "dataset_id": "reviews", "purpose": "fine-tune a sentiment model" }),
    )
    .await;
    must_succeed(&outcome);
    let grant = outcome.clone().json::<Value>()?;
    assert_eq!(
        must_balance(&worker, &alice).await - owner_before,
        price,
        "the owner receives the price, minus nothing"
    );
    let storage = u128::from(lineage.view_account().await?.storage_usage - usage_before)
        * 10_000_000_000_000_000_000;
    let bob_paid = bob_before - must_balance(&worker, &bob).await;
    assert!(
        bob_paid >= price + storage && bob_paid - price - storage < sandbox_tests::GAS_ONLY,
        "bob paid price {price} + storage {storage} + gas, the rest of 1 NEAR came back: {bob_paid}"
    );
    assert_eq!(grant["grantee"], json!(bob.id()));
    assert_eq!(grant["purpose"], "fine-tune a sentiment model");
    assert_eq!(grant["price_paid"], json!(price.to_string()));
    let granted: u64 = grant["granted_at_ns"].as_str().unwrap().parse()?;
    let expires: u64 = grant["expires_at_ns"].as_str().unwrap().parse()?;
    assert_eq!(expires - granted, 3600 * 1_000_000_000);
    assert_eq!(
        event_lines(&outcome),
        vec![event(
            "access_granted",
            &format!(
                r#"{{"grant_id":"0","dataset_id":"reviews","grantee":"{}","purpose":"fine-tune a sentiment model","price":"{price}","expires_at_ns":"{expires}"}}"#,
                bob.id()
            )
        )]
    );
    assert_eq!(
        view(
            &lineage,
            "has_access",
            json!({ "dataset_id": "reviews", "account_id": bob.id() })
        )
        .await,
        json!(true)
    );
    assert_eq!(
        view(&lineage, "get_grants", json!({ "dataset_id": "reviews" })).await,
        json!([grant])
    );

    // Underpaid: refused, refunded in full; the owner gets nothing.
    let carol = must_account(&worker).await;
    let owner_before = must_balance(&worker, &alice).await;
    must_reject_with(
        &worker,
        &carol,
        &lineage,
        "request_access",
        json!({ "dataset_id": "reviews", "purpose": "eval" }),
        NearToken::from_yoctonear(price - 1),
        &format!(
            "attached deposit {} yoctoNEAR is less than the access price {price} yoctoNEAR",
            price - 1
        ),
        &["reviews"],
        &["reviews@1.0.0"],
    )
    .await;
    assert_eq!(must_balance(&worker, &alice).await, owner_before);
    // Price paid but not the storage: the exact amounts are named.
    let state = snapshot(&lineage, &["reviews"], &[]).await;
    let outcome = write_with(
        &carol,
        &lineage,
        "request_access",
        json!({ "dataset_id": "reviews", "purpose": "eval" }),
        NearToken::from_yoctonear(price),
    )
    .await;
    sandbox_tests::must_fail(
        &outcome,
        &format!(
            "attached deposit {price} yoctoNEAR does not cover the access price and storage: "
        ),
    );
    assert_eq!(snapshot(&lineage, &["reviews"], &[]).await, state);
    must_reject(
        &worker,
        &alice,
        &lineage,
        "request_access",
        json!({ "dataset_id": "reviews", "purpose": "mine" }),
        &format!(
            "account '{}' owns the dataset and needs no access grant",
            alice.id()
        ),
        &["reviews"],
        &[],
    )
    .await;

    // Revocation: owner only, 1 yocto, once.
    must_reject_with(
        &worker,
        &bob,
        &lineage,
        "revoke_access",
        json!({ "grant_id": "0" }),
        NearToken::from_yoctonear(1),
        &format!(
            "account '{}' is not allowed to revoke access to this dataset",
            bob.id()
        ),
        &["reviews"],
        &[],
    )
    .await;
    let revoked = write_with(
        &alice,
        &lineage,
        "revoke_access",
        json!({ "grant_id": "0" }),
        NearToken::from_yoctonear(1),
    )
    .await;
    must_succeed(&revoked);
    assert_eq!(
        event_lines(&revoked),
        vec![event(
            "access_revoked",
            &format!(
                r#"{{"grant_id":"0","dataset_id":"reviews","grantee":"{}"}}"#,
                bob.id()
            )
        )]
    );
    assert_eq!(
        view(
            &lineage,
            "has_access",
            json!({ "dataset_id": "reviews", "account_id": bob.id() })
        )
        .await,
        json!(false)
    );
    assert!(
        view(&lineage, "get_grant", json!({ "grant_id": "0" })).await["revoked_at_ns"].is_string()
    );
    must_reject_with(
        &worker,
        &alice,
        &lineage,
        "revoke_access",
        json!({ "grant_id": "0" }),
        NearToken::from_yoctonear(1),
        "grant 0 is already revoked",
        &["reviews"],
        &[],
    )
    .await;

    // A flagged dataset refuses new requests; a dataset without an offer is not for sale.
    must_succeed(&write(&alice, &lineage, "flag_version", json!({ "version_id": "reviews@1.0.0", "kind": "licence_dispute", "reason": "claim by publisher" })).await);
    must_reject(
        &worker,
        &carol,
        &lineage,
        "request_access",
        json!({ "dataset_id": "reviews", "purpose": "eval" }),
        "dataset 'reviews' has 1 flagged version(s); access requests are refused",
        &["reviews"],
        &["reviews@1.0.0"],
    )
    .await;
    must_succeed(
        &register(
            &alice,
            &lineage,
            "closed",
            terms("allowed", "allowed", None),
        )
        .await,
    );
    must_reject(
        &worker,
        &carol,
        &lineage,
        "request_access",
        json!({ "dataset_id": "closed", "purpose": "eval" }),
        "dataset 'closed' does not offer paid access",
        &["closed"],
        &[],
    )
    .await;
    Ok(())
}

// ---- upgrade ------------------------------------------------------------------------------------------------

async fn read_everything(lineage: &Contract) -> Value {
    let datasets = ["reviews", "merged", "licensed"];
    let versions = ["reviews@1.0.0", "reviews@2.0.0", "merged@1", "licensed@1"];
    let mut out = snapshot(lineage, &datasets, &versions).await;
    let o = out.as_object_mut().unwrap();
    o.remove("storage");
    for v in versions {
        o.insert(
            format!("{v}/ancestors"),
            view(lineage, "get_ancestors", json!({ "version_id": v })).await,
        );
        o.insert(
            format!("{v}/descendants"),
            view(lineage, "get_descendants", json!({ "version_id": v })).await,
        );
        o.insert(
            format!("{v}/provenance"),
            view(lineage, "get_provenance", json!({ "version_id": v })).await,
        );
    }
    for m in ["acme/sentiment@1.0.0", "acme/sentiment@2.0.0"] {
        o.insert(
            format!("{m}/usage"),
            view(
                lineage,
                "get_training_datasets",
                json!({ "model_version_id": m }),
            )
            .await,
        );
        o.insert(
            format!("{m}/provenance"),
            view(
                lineage,
                "get_model_provenance",
                json!({ "model_version_id": m }),
            )
            .await,
        );
    }
    for id in ["0", "1"] {
        o.insert(
            format!("grant/{id}"),
            view(lineage, "get_grant", json!({ "grant_id": id })).await,
        );
    }
    o.insert("owner".into(), view(lineage, "get_owner", json!({})).await);
    o.insert(
        "registry".into(),
        view(lineage, "get_registry", json!({})).await,
    );
    out
}

#[tokio::test]
async fn upgrading_a_populated_lineage_contract_from_the_first_release_keeps_every_record()
-> anyhow::Result<()> {
    let worker = sandbox().await?;
    let registry = must_account(&worker).await;
    let lineage = lineage_from(
        &worker,
        Some(res_wasm("dataset_lineage_v1.wasm")),
        &registry,
    )
    .await;
    let (alice, bob, carol) = (
        must_account(&worker).await,
        must_account(&worker).await,
        must_account(&worker).await,
    );
    must_succeed(
        &register(
            &alice,
            &lineage,
            "reviews",
            terms("allowed", "allowed", Some((1_000, 3600))),
        )
        .await,
    );
    must_succeed(&write(&alice, &lineage, "set_terms", json!({ "dataset_id": "reviews", "terms": terms("constrained", "allowed", Some((1_000, 7200))) })).await);
    must_succeed(&publish(&alice, &lineage, "reviews", "1.0.0", None).await);
    must_succeed(&publish(&alice, &lineage, "reviews", "2.0.0", None).await);
    must_succeed(
        &register(
            &bob,
            &lineage,
            "merged",
            terms("allowed", "not_allowed", None),
        )
        .await,
    );
    must_succeed(
        &publish(
            &bob,
            &lineage,
            "merged",
            "1",
            Some(vec!["reviews@1.0.0".into(), "reviews@2.0.0".into()]),
        )
        .await,
    );
    must_succeed(
        &register(
            &bob,
            &lineage,
            "licensed",
            terms("allowed", "allowed", None),
        )
        .await,
    );
    must_succeed(&publish(&bob, &lineage, "licensed", "1", None).await);
    must_succeed(
        &record_usage(
            &registry,
            &lineage,
            "acme/sentiment@1.0.0",
            &["merged@1", "licensed@1"],
            false,
        )
        .await,
    );
    must_succeed(
        &record_usage(
            &registry,
            &lineage,
            "acme/sentiment@2.0.0",
            &["reviews@2.0.0"],
            true,
        )
        .await,
    );
    must_succeed(
        &write(
            &bob,
            &lineage,
            "appoint_flagger",
            json!({ "dataset_id": "licensed", "account_id": carol.id() }),
        )
        .await,
    );
    must_succeed(
        &write(
            &carol,
            &lineage,
            "request_access",
            json!({ "dataset_id": "reviews", "purpose": "eval" }),
        )
        .await,
    );
    must_succeed(
        &write(
            &bob,
            &lineage,
            "request_access",
            json!({ "dataset_id": "reviews", "purpose": "train" }),
        )
        .await,
    );
    must_succeed(
        &write_with(
            &alice,
            &lineage,
            "revoke_access",
            json!({ "grant_id": "1" }),
            NearToken::from_yoctonear(1),
        )
        .await,
    );
    must_succeed(
        &write(
            &carol,
            &lineage,
            "flag_version",
            json!({ "version_id": "licensed@1", "kind": "poisoned", "reason": "backdoor trigger" }),
        )
        .await,
    );

    let before = read_everything(&lineage).await;
    let new_code = wasm("dataset-lineage");
    let encoded = base64_encode(&new_code);
    let upgrade = |who: Account, deposit: NearToken| {
        let id = lineage.id().clone();
        let encoded = encoded.clone();
        async move {
            who.call(&id, "upgrade")
                .args_json(json!({ "code": encoded }))
                .deposit(deposit)
                .max_gas()
                .transact()
                .await
                .expect("upgrade")
        }
    };
    must_panic_with(
        &upgrade(alice.clone(), NearToken::from_yoctonear(1)).await,
        &format!(
            "account '{}' is not allowed to upgrade the contract",
            alice.id()
        ),
    );
    must_panic_with(
        &upgrade(lineage.as_account().clone(), NearToken::from_yoctonear(0)).await,
        "this action requires an attached deposit of exactly 1 yoctoNEAR, got 0",
    );
    let not_wasm = lineage
        .as_account()
        .call(lineage.id(), "upgrade")
        .args_json(json!({ "code": base64_encode(b"notwasm") }))
        .deposit(NearToken::from_yoctonear(1))
        .max_gas()
        .transact()
        .await?;
    must_panic_with(
        &not_wasm,
        "invalid code '7 bytes': must be a wasm module (starting with \\0asm)",
    );
    let upgraded = upgrade(lineage.as_account().clone(), NearToken::from_yoctonear(1)).await;
    must_succeed(&upgraded);
    assert!(
        upgraded.receipt_failures().is_empty(),
        "deploy and migrate succeeded: {upgraded:#?}"
    );
    assert_eq!(
        event_lines(&upgraded),
        vec![
            event(
                "contract_upgraded",
                &format!(r#"{{"code_hash":"{}"}}"#, sha256_hex(&new_code))
            ),
            event("contract_migrated", r#"{"from_state_version":1}"#),
        ]
    );
    assert_eq!(
        view(&lineage, "get_state_version", json!({})).await,
        json!(1)
    );
    assert_eq!(
        read_everything(&lineage).await,
        before,
        "every record reads back after the upgrade"
    );

    // From this release on, `upgrade` takes the raw wasm as its input, like the registry and the
    // vault; the first release's JSON form is refused.
    let json_form = lineage
        .as_account()
        .call(lineage.id(), "upgrade")
        .args_json(json!({ "code": encoded }))
        .deposit(NearToken::from_yoctonear(1))
        .max_gas()
        .transact()
        .await?;
    must_panic_with(
        &json_form,
        &format!(
            "invalid code '{} bytes': the call input must be the new contract wasm (starting with \\0asm)",
            json!({ "code": encoded }).to_string().len()
        ),
    );
    let again = lineage
        .as_account()
        .call(lineage.id(), "upgrade")
        .args(new_code.clone())
        .deposit(NearToken::from_yoctonear(1))
        .max_gas()
        .transact()
        .await?;
    must_succeed(&again);
    assert!(again.receipt_failures().is_empty(), "{again:#?}");
    assert_eq!(
        event_lines(&again),
        vec![
            event(
                "contract_upgraded",
                &format!(r#"{{"code_hash":"{}"}}"#, sha256_hex(&new_code))
            ),
            event("contract_migrated", r#"{"from_state_version":1}"#),
        ]
    );
    assert_eq!(
        read_everything(&lineage).await,
        before,
        "every record reads back after the second upgrade"
    );
    must_succeed(
        &publish(
            &alice,
            &lineage,
            "reviews",
            "3.0.0",
            Some(vec!["merged@1".into()]),
        )
        .await,
    );
    Ok(())
}

fn base64_encode(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
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

// ---- storage balances (NEP-145) -----------------------------------------------------------------------------

async fn storage_balance(lineage: &Contract, account: &Account) -> Value {
    view(
        lineage,
        "storage_balance_of",
        json!({ "account_id": account.id() }),
    )
    .await
}

fn yocto(v: &Value) -> u128 {
    v.as_str().expect("amount string").parse().expect("u128")
}

#[tokio::test]
async fn a_registered_owner_pays_storage_from_its_balance_without_a_refund_transfer()
-> anyhow::Result<()> {
    let Fixture {
        worker,
        lineage,
        alice,
        ..
    } = fixture().await;
    let byte_cost = sandbox_tests::storage_byte_cost(&worker).await;
    assert_eq!(
        view(&lineage, "storage_balance_bounds", json!({})).await,
        json!({ "min": ((1 + 4 + 64 + 32 + 40) * byte_cost).to_string(), "max": null })
    );
    let usage = lineage.view_account().await?.storage_usage;
    let deposited = write(&alice, &lineage, "storage_deposit", json!({})).await;
    must_succeed(&deposited);
    let record = u128::from(lineage.view_account().await?.storage_usage - usage) * byte_cost;
    let one = NearToken::from_near(1).as_yoctonear();
    assert_eq!(
        storage_balance(&lineage, &alice).await,
        json!({ "total": one.to_string(), "available": (one - record).to_string() })
    );
    assert_eq!(
        event_lines(&deposited),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"storage_deposited","data":{{"account_id":"{}","amount":"{one}","total":"{one}","available":"{}"}}}}"#,
            alice.id(),
            one - record
        )]
    );

    // 1 yoctoNEAR attached: the version's bytes come out of the balance; no refund transfer.
    let usage = lineage.view_account().await?.storage_usage;
    let published = write_with(
        &alice,
        &lineage,
        "publish_version",
        json!({ "dataset_id": "reviews", "version": "1.1.0", "manifest": manifest("reviews@1.1.0") }),
        NearToken::from_yoctonear(1),
    )
    .await;
    must_succeed(&published);
    let cost = u128::from(lineage.view_account().await?.storage_usage - usage) * byte_cost;
    assert_eq!(
        yocto(&storage_balance(&lineage, &alice).await["available"]),
        one - record + 1 - cost
    );
    assert_eq!(
        receipts_created_by_call(&published),
        1,
        "the gas refund only, no refund transfer: {published:#?}"
    );

    // Short of funds: the exact shortfall, nothing changes.
    must_succeed(
        &write_with(
            &alice,
            &lineage,
            "storage_withdraw",
            json!({}),
            NearToken::from_yoctonear(1),
        )
        .await,
    );
    let state = snapshot(&lineage, &["reviews"], &["reviews@1.1.0"]).await;
    let refused = write_with(
        &alice,
        &lineage,
        "publish_version",
        json!({ "dataset_id": "reviews", "version": "1.2.0", "manifest": manifest("reviews@1.2.0") }),
        NearToken::from_yoctonear(1),
    )
    .await;
    let text = sandbox_tests::must_fail(
        &refused,
        "storage balance 0 yoctoNEAR + attached 1 yoctoNEAR does not cover storage: ",
    );
    assert!(text.contains("top up with storage_deposit"), "{text}");
    assert_eq!(
        snapshot(&lineage, &["reviews"], &["reviews@1.1.0"]).await,
        state
    );

    // Unregistering sends the total back and deletes the record.
    let before = must_balance(&worker, &alice).await;
    let gone = write_with(
        &alice,
        &lineage,
        "storage_unregister",
        json!({}),
        NearToken::from_yoctonear(1),
    )
    .await;
    must_succeed(&gone);
    assert!(gone.json::<bool>()?);
    assert_eq!(storage_balance(&lineage, &alice).await, Value::Null);
    assert!(must_balance(&worker, &alice).await + sandbox_tests::GAS_ONLY > before + record);
    Ok(())
}
