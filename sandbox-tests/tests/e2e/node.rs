//! Acceptance scenarios of the local node (SANDBOX.md §4), driven through near-workspaces exactly as
//! contract tests drive it. They pass unchanged against an official sandbox (`NEAR_SANDBOX_BIN_PATH`).

use near_workspaces::types::{AccessKey, KeyType, NearToken, SecretKey};
use near_workspaces::{Account, AccountId};
use sandbox_tests::{
    GAS_ONLY, must_account, must_balance, must_deploy, must_fail, must_succeed, sandbox,
};
use serde_json::json;

#[tokio::test]
async fn boots_with_test_near_as_root_and_dev_accounts_get_100_near() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    assert_eq!(worker.root_account()?.id().as_str(), "test.near");
    let account = must_account(&worker).await;
    let details = account.view_account().await?;
    assert_eq!(details.balance, NearToken::from_near(100));
    assert_eq!(
        details.storage_usage, 182,
        "100 bytes of account + one full-access key"
    );
    Ok(())
}

#[tokio::test]
async fn deployed_contract_answers_calls_and_views_and_logs() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let contract = must_deploy(&worker, "status-message").await;
    must_succeed(&contract.call("new").transact().await?);
    let alice = must_account(&worker).await;
    let before = contract.view_account().await?.storage_usage;

    let outcome = alice
        .call(contract.id(), "set_status")
        .args_json(json!({ "message": "hello" }))
        .transact()
        .await?;
    must_succeed(&outcome);
    assert_eq!(
        outcome.logs(),
        vec![format!("{} set status to \"hello\"", alice.id())]
    );
    assert_eq!(outcome.json::<u64>()?, 1);

    let status: Option<String> = contract
        .view("get_status")
        .args_json(json!({ "account_id": alice.id() }))
        .await?
        .json()?;
    assert_eq!(status.as_deref(), Some("hello"));
    assert!(
        contract.view_account().await?.storage_usage > before,
        "the write is paid in storage"
    );
    Ok(())
}

#[tokio::test]
async fn panic_rolls_back_state_and_refunds_the_deposit() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let contract = must_deploy(&worker, "status-message").await;
    must_succeed(&contract.call("new").transact().await?);
    let alice = must_account(&worker).await;
    let balance_before = must_balance(&worker, &alice).await;

    let outcome = alice
        .call(contract.id(), "set_status_then_panic")
        .args_json(json!({ "message": "doomed" }))
        .deposit(NearToken::from_near(5))
        .transact()
        .await?;
    must_fail(
        &outcome,
        "Smart contract panicked: refusing status \\\"doomed\\\"",
    );

    let status: Option<String> = contract
        .view("get_status")
        .args_json(json!({ "account_id": alice.id() }))
        .await?
        .json()?;
    assert_eq!(status, None, "the write before the panic is rolled back");
    let spent = balance_before.saturating_sub(must_balance(&worker, &alice).await);
    assert!(
        spent < GAS_ONLY,
        "the 5 NEAR deposit came back; only gas was spent ({spent})"
    );
    Ok(())
}

#[tokio::test]
async fn missing_method_and_missing_code_fail_clearly() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let contract = must_deploy(&worker, "status-message").await;
    let alice = must_account(&worker).await;
    let outcome = alice
        .call(contract.id(), "no_such_method")
        .transact()
        .await?;
    must_fail(&outcome, "MethodNotFound");
    let bob = must_account(&worker).await;
    let outcome = alice.call(bob.id(), "anything").transact().await?;
    must_fail(&outcome, "CodeDoesNotExist");
    let view = contract.view("no_such_method").await;
    assert!(view.is_err(), "a view of a missing method fails");
    Ok(())
}

#[tokio::test]
async fn callback_sees_success_and_failure_of_the_called_contract() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let status = must_deploy(&worker, "status-message").await;
    must_succeed(&status.call("new").transact().await?);
    let caller = must_deploy(&worker, "cross-caller").await;

    let ok = caller
        .call("call_then")
        .args_json(json!({ "receiver": status.id(), "method": "set_status", "args": "{\"message\":\"via caller\"}" }))
        .max_gas()
        .transact()
        .await?;
    must_succeed(&ok);
    assert!(ok.logs().contains(&"callback saw ok:1"));
    assert_eq!(ok.json::<String>()?, "ok:1");
    let stored: Option<String> = status
        .view("get_status")
        .args_json(json!({ "account_id": caller.id() }))
        .await?
        .json()?;
    assert_eq!(
        stored.as_deref(),
        Some("via caller"),
        "the called contract saw the caller as predecessor"
    );

    let failed = caller
        .call("call_then")
        .args_json(json!({ "receiver": status.id(), "method": "set_status_then_panic", "args": "{\"message\":\"x\"}" }))
        .max_gas()
        .transact()
        .await?;
    must_succeed(&failed);
    assert_eq!(
        failed.receipt_failures().len(),
        1,
        "exactly the called receipt failed"
    );
    assert_eq!(
        failed.json::<String>()?,
        "failed",
        "the callback ran and saw the failure"
    );
    Ok(())
}

#[tokio::test]
async fn joint_promises_deliver_both_results_to_the_callback() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let first = must_deploy(&worker, "status-message").await;
    let second = must_deploy(&worker, "status-message").await;
    must_succeed(&first.call("new").transact().await?);
    must_succeed(&second.call("new").transact().await?);
    let caller = must_deploy(&worker, "cross-caller").await;
    let outcome = caller
        .call("call_both")
        .args_json(
            json!({ "first": first.id(), "second": second.id(), "method": "writes", "args": "{}" }),
        )
        .max_gas()
        .transact()
        .await?;
    must_succeed(&outcome);
    assert_eq!(outcome.json::<serde_json::Value>()?, json!([0, 0]));
    Ok(())
}

#[tokio::test]
async fn writing_past_the_balance_fails_with_lack_balance_for_state() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let hog = must_deploy(&worker, "storage-hog").await;
    must_succeed(&hog.call("new").transact().await?);
    must_succeed(
        &hog.call("fill")
            .args_json(json!({ "first": 0, "count": 10, "size": 1000 }))
            .transact()
            .await?,
    );
    // 100 NEAR pays for 10 MB at 1e19 yocto/byte; ask for 12 MB in 3 calls of 4 MB.
    let mut failed = None;
    for chunk in 0..3u32 {
        let usage_before = hog.view_account().await?.storage_usage;
        let outcome = hog
            .call("fill")
            .args_json(json!({ "first": 1000 + chunk * 100, "count": 100, "size": 40_000 }))
            .max_gas()
            .transact()
            .await?;
        if outcome.is_failure() {
            failed = Some((outcome, usage_before));
            break;
        }
    }
    let (outcome, usage_before) = failed.expect("filling 12 MB must fail on 100 NEAR");
    must_fail(&outcome, "LackBalanceForState");
    assert_eq!(
        hog.view_account().await?.storage_usage,
        usage_before,
        "the failed call's writes are rolled back"
    );
    Ok(())
}

#[tokio::test]
async fn function_call_keys_are_limited_to_their_receiver_methods_and_zero_deposit()
-> anyhow::Result<()> {
    let worker = sandbox().await?;
    let contract = must_deploy(&worker, "status-message").await;
    must_succeed(&contract.call("new").transact().await?);
    let alice = must_account(&worker).await;
    let key = SecretKey::from_random(KeyType::ED25519);
    must_succeed(
        &alice
            .batch(alice.id())
            .add_key(
                key.public_key(),
                AccessKey::function_call_access(
                    contract.id(),
                    &["set_status"],
                    Some(NearToken::from_near(1)),
                ),
            )
            .transact()
            .await?,
    );
    let agent = Account::from_secret_key(alice.id().clone(), key, &worker);

    must_succeed(
        &agent
            .call(contract.id(), "set_status")
            .args_json(json!({ "message": "by key" }))
            .transact()
            .await?,
    );
    let err = agent
        .call(contract.id(), "set_status_then_panic")
        .args_json(json!({ "message": "x" }))
        .transact()
        .await
        .expect_err("method outside the key's list");
    assert!(format!("{err:?}").contains("MethodNameMismatch"), "{err:?}");
    let err = agent
        .call(contract.id(), "set_status")
        .args_json(json!({ "message": "x" }))
        .deposit(NearToken::from_yoctonear(1))
        .transact()
        .await
        .expect_err("deposit through a function-call key");
    assert!(
        format!("{err:?}").contains("DepositWithFunctionCall"),
        "{err:?}"
    );
    let bob = must_account(&worker).await;
    let err = agent
        .call(bob.id(), "set_status")
        .transact()
        .await
        .expect_err("other receiver");
    assert!(format!("{err:?}").contains("ReceiverMismatch"), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn transfer_to_a_missing_named_account_fails_and_to_an_implicit_id_creates_it()
-> anyhow::Result<()> {
    let worker = sandbox().await?;
    let alice = must_account(&worker).await;
    let missing: AccountId = format!("ghost.{}", worker.root_account()?.id()).parse()?;
    let outcome = alice
        .transfer_near(&missing, NearToken::from_near(1))
        .await?;
    assert!(outcome.is_failure());
    assert!(
        format!("{:?}", outcome.into_result().expect_err("failure"))
            .contains("AccountDoesNotExist")
    );

    let implicit: AccountId = "a".repeat(64).parse()?;
    must_succeed(
        &alice
            .transfer_near(&implicit, NearToken::from_near(2))
            .await?,
    );
    let details = worker.view_account(&implicit).await?;
    assert_eq!(details.balance, NearToken::from_near(2));
    assert_eq!(details.storage_usage, 182);
    Ok(())
}

#[tokio::test]
async fn deleting_an_account_pays_the_beneficiary() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let alice = must_account(&worker).await;
    let bob = must_account(&worker).await;
    let before = must_balance(&worker, &bob).await;
    let alice_id = alice.id().clone();
    must_succeed(&alice.delete_account(bob.id()).await?);
    assert!(
        worker.view_account(&alice_id).await.is_err(),
        "alice is gone"
    );
    let gained = must_balance(&worker, &bob).await.saturating_sub(before);
    assert!(
        gained > NearToken::from_near(99).as_yoctonear(),
        "bob received alice's balance ({gained})"
    );
    Ok(())
}

#[tokio::test]
async fn patch_state_writes_contract_data_visible_to_views() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let contract = must_deploy(&worker, "status-message").await;
    must_succeed(&contract.call("new").transact().await?);
    // near-sdk's state key is "STATE": borsh(LookupMap prefix, writes: u64). Patch `writes` to 41.
    let state = contract.view_state().await?;
    let mut value = state
        .get(b"STATE".as_slice())
        .expect("contract state")
        .clone();
    let len = value.len();
    value[len - 8..].copy_from_slice(&41u64.to_le_bytes());
    worker.patch_state(contract.id(), b"STATE", &value).await?;
    assert_eq!(contract.view("writes").await?.json::<u64>()?, 41);
    Ok(())
}

#[tokio::test]
async fn fast_forward_advances_height_and_time() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let start = worker.view_block().await?;
    worker.fast_forward(1000).await?;
    let end = worker.view_block().await?;
    assert!(
        end.height() >= start.height() + 1000,
        "{} -> {}",
        start.height(),
        end.height()
    );
    assert!(end.timestamp() > start.timestamp());
    assert!(
        end.epoch_id() != start.epoch_id(),
        "1000 blocks cross epoch boundaries of 60 blocks"
    );
    Ok(())
}

/// With our node, `NEXUS_SANDBOX_PROTOCOL_VERSION` (84..=88) picks the genesis protocol; scripts/test.sh
/// runs the suites a second time at 86, the protocol mainnet ran in late 2026. Without the variable the
/// node runs the newest protocol its crates know.
#[tokio::test]
async fn node_runs_the_protocol_version_its_genesis_names() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let status = worker.status().await?;
    match std::env::var("NEXUS_SANDBOX_PROTOCOL_VERSION") {
        Ok(requested) => assert_eq!(status.protocol_version.to_string(), requested),
        Err(_) => assert!(
            (84..=88).contains(&status.protocol_version),
            "{}",
            status.protocol_version
        ),
    }
    Ok(())
}
