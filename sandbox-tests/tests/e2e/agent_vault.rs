//! The agent vault (issue 6) end to end on the local node: an agent, by account or by key, acts
//! for the user through the vault within its grant (publishing to the model registry), and is
//! stopped at every limit with the exact error, no state change and no funds lost. Also the
//! factory, and an upgrade from the first release's wasm (`res/agent_vault_v1.wasm`).

use near_workspaces::result::ExecutionFinalResult;
use near_workspaces::types::{AccessKeyPermission, Gas, KeyType, NearToken, SecretKey};
use near_workspaces::{Account, AccountId, Contract, Worker, network::Sandbox};
use sandbox_tests::{
    GAS_ONLY, event_lines, final_outcome, must_account, must_balance, must_deploy, must_deploy_new,
    must_fail, must_have_paid_only_gas, must_panic_with, must_succeed, res_wasm, sandbox, view,
    wasm,
};
use serde_json::{Value, json};

const NEAR: u128 = 1_000_000_000_000_000_000_000_000;
const TGAS: u64 = 1_000_000_000_000;
const ONE_YOCTO: NearToken = NearToken::from_yoctonear(1);
/// Gas an agent attaches to `execute`. Not `max_gas()` (1 PGas): bought at the minimum gas purchase
/// price of 1e9 yocto (NEP-642, protocol 85+) that costs 1 NEAR up front, more than a key agent's
/// default allowance of 0.25 NEAR.
const EXECUTE_GAS: Gas = Gas::from_tgas(200);

/// A user, their vault (owned by the user), the model registry, a status-message app and an agent
/// account `bot` with no grant yet.
struct World {
    worker: Worker<Sandbox>,
    user: Account,
    vault: Contract,
    registry: Contract,
    app: Contract,
    bot: Account,
}

async fn world() -> anyhow::Result<World> {
    let worker = sandbox().await?;
    let user = must_account(&worker).await;
    let vault = must_deploy_new(&worker, "agent-vault", |_| json!({ "owner_id": user.id() })).await;
    let registry =
        must_deploy_new(&worker, "model-registry", |c| json!({ "owner_id": c.id() })).await;
    let app = must_deploy(&worker, "status-message").await;
    must_succeed(&app.call("new").transact().await?);
    let bot = must_account(&worker).await;
    Ok(World {
        worker,
        user,
        vault,
        registry,
        app,
        bot,
    })
}

/// A grant for `agent` (`{"account": ..}` or `{"key": ..}`) on one target.
fn grant(agent: Value, receiver: &AccountId, methods: &[&str], max_deposit: u128) -> Value {
    json!({
        "agent": agent,
        "targets": [{ "receiver_id": receiver, "methods": methods, "max_deposit": max_deposit.to_string() }],
        "purpose": "act for the user",
    })
}

fn account_agent(account: &Account) -> Value {
    json!({ "account": account.id() })
}

/// One call of an `execute` batch.
fn call(receiver: &AccountId, method: &str, args: Value, deposit: u128, tgas: u64) -> Value {
    json!({
        "receiver_id": receiver,
        "method_name": method,
        "args": args,
        "deposit": deposit.to_string(),
        "gas": (tgas * TGAS).to_string(),
    })
}

fn set_status(world: &World, message: &str) -> Value {
    call(
        world.app.id(),
        "set_status",
        json!({ "message": message }),
        0,
        10,
    )
}

/// The owner creates a grant (1 yocto) and gets its id.
async fn must_grant(world: &World, spec: Value) -> u64 {
    let outcome = world
        .user
        .call(world.vault.id(), "create_grant")
        .args_json(json!({ "grant": spec }))
        .deposit(ONE_YOCTO)
        .max_gas()
        .transact()
        .await
        .expect("create_grant transaction");
    must_succeed(&outcome);
    outcome
        .json::<String>()
        .expect("grant id")
        .parse()
        .expect("u64 id")
}

async fn execute(
    agent: &Account,
    vault: &AccountId,
    grant_id: u64,
    calls: Vec<Value>,
) -> ExecutionFinalResult {
    agent
        .call(vault, "execute")
        .args_json(json!({ "grant_id": grant_id.to_string(), "calls": calls }))
        .gas(EXECUTE_GAS)
        .transact()
        .await
        .expect("execute transaction")
}

async fn grant_view(world: &World, grant_id: u64) -> Value {
    view(
        &world.vault,
        "get_grant",
        json!({ "grant_id": grant_id.to_string() }),
    )
    .await
}

async fn usage(world: &World, grant_id: u64) -> Value {
    grant_view(world, grant_id).await["usage"].clone()
}

async fn actions(world: &World) -> Vec<Value> {
    view(&world.vault, "list_actions", json!({ "limit": 100 }))
        .await
        .as_array()
        .expect("actions")
        .clone()
}

/// Everything a refused call must leave unchanged: every grant (terms, ledger, status), the
/// action log, the vault's storage and the app's state.
async fn vault_state(world: &World) -> Value {
    let mut grants = view(&world.vault, "list_grants", json!({ "limit": 100 })).await;
    for grant in grants.as_array_mut().expect("grants") {
        // The detail of an inactive status names the current time; the reason is compared.
        if let Some(status) = grant["status"].as_object_mut() {
            status.remove("detail");
        }
    }
    json!({
        "grants": grants,
        "actions": actions(world).await,
        "storage": world.vault.view_account().await.expect("vault account").storage_usage,
        "paused": view(&world.vault, "is_paused", json!({})).await,
    })
}

/// Runs `execute` as `agent`, expects it to fail with exactly `message`, and checks that nothing
/// changed: vault state identical, the vault did not pay (the account agent paid the gas), the
/// agent lost only gas.
async fn must_refuse(
    world: &World,
    agent: &Account,
    grant_id: u64,
    calls: Vec<Value>,
    message: &str,
) {
    let state = vault_state(world).await;
    let vault_balance = must_balance(&world.worker, world.vault.as_account()).await;
    let agent_balance = must_balance(&world.worker, agent).await;
    let outcome = execute(agent, world.vault.id(), grant_id, calls).await;
    must_panic_with(&outcome, message);
    assert_eq!(
        vault_state(world).await,
        state,
        "a refused execute changes nothing"
    );
    if agent.id() == world.vault.id() {
        // A key agent signs as the vault: the vault pays its gas (from the key's allowance), nothing more.
        must_have_paid_only_gas(&world.worker, agent, agent_balance, message).await;
    } else {
        assert!(
            must_balance(&world.worker, world.vault.as_account()).await >= vault_balance,
            "the vault lost no funds"
        );
        must_have_paid_only_gas(&world.worker, agent, agent_balance, message).await;
    }
}

/// Timestamp (ns) of the block that executed the first receipt of `outcome` (the vault's call).
async fn receipt_time(worker: &Worker<Sandbox>, outcome: &ExecutionFinalResult) -> u64 {
    let hash = outcome.receipt_outcomes()[0].block_hash;
    worker
        .view_block()
        .block_hash(hash)
        .await
        .expect("block")
        .timestamp()
}

async fn now_ns(worker: &Worker<Sandbox>) -> u64 {
    worker.view_block().await.expect("block").timestamp()
}

fn settled_outcomes(outcome: &ExecutionFinalResult) -> Vec<String> {
    event_lines(outcome)
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(&l["EVENT_JSON:".len()..]).ok())
        .filter(|e| e["standard"] == "nexus-agent-vault" && e["event"] == "call_settled")
        .map(|e| e["data"]["outcome"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The vault's `EVENT_JSON:` lines of a one-call `execute` are exactly `call_started` then
/// `call_settled`, naming the action id `execute` returned.
fn must_log_vault_events(
    world: &World,
    outcome: &ExecutionFinalResult,
    grant_id: u64,
    method: &str,
    deposit: u128,
    settled: &str,
) {
    let ids: Vec<String> = outcome.clone().json().expect("action ids");
    let [action_id] = ids.as_slice() else {
        panic!("one call, one action id: {ids:?}");
    };
    let receiver = world.registry.id();
    let vault_lines: Vec<String> = event_lines(outcome)
        .into_iter()
        .filter(|l| l.contains(r#""standard":"nexus-agent-vault""#))
        .collect();
    assert_eq!(
        vault_lines,
        [
            format!(
                r#"EVENT_JSON:{{"standard":"nexus-agent-vault","version":"1.0.0","event":"call_started","data":{{"action_id":"{action_id}","grant_id":"{grant_id}","receiver_id":"{receiver}","method_name":"{method}","deposit":"{deposit}"}}}}"#
            ),
            format!(
                r#"EVENT_JSON:{{"standard":"nexus-agent-vault","version":"1.0.0","event":"call_settled","data":{{"action_id":"{action_id}","grant_id":"{grant_id}","outcome":"{settled}","deposit":"{deposit}"}}}}"#
            ),
        ]
    );
}

fn files() -> Value {
    json!([{ "path": "model.safetensors", "sha256": "ab".repeat(32), "size": "1000" }])
}

fn registry_grant(world: &World, agent: Value) -> Value {
    let mut spec = grant(
        agent,
        world.registry.id(),
        &["create_model", "publish_version", "revoke_version"],
        NEAR,
    );
    spec["total_budget"] = json!((3 * NEAR).to_string());
    spec["purpose"] = json!("publish my models");
    spec
}

/// Through the vault: `create_model acme/llm` then `publish_version 1.0.0`, each with 0.5 NEAR.
async fn publish_acme_llm(world: &World, agent: &Account, grant_id: u64) {
    let created = execute(
        agent,
        world.vault.id(),
        grant_id,
        vec![call(
            world.registry.id(),
            "create_model",
            json!({ "namespace": "acme", "name": "llm" }),
            NEAR / 2,
            60,
        )],
    )
    .await;
    must_succeed(&created);
    assert_eq!(settled_outcomes(&created), ["succeeded"]);
    must_log_vault_events(
        world,
        &created,
        grant_id,
        "create_model",
        NEAR / 2,
        "succeeded",
    );
    let published = execute(
        agent,
        world.vault.id(),
        grant_id,
        vec![call(
            world.registry.id(),
            "publish_version",
            json!({ "model_id": "acme/llm", "version": "1.0.0", "files": files(), "commercial_use": false }),
            NEAR / 2,
            100,
        )],
    )
    .await;
    must_succeed(&published);
    assert_eq!(settled_outcomes(&published), ["succeeded"]);
    must_log_vault_events(
        world,
        &published,
        grant_id,
        "publish_version",
        NEAR / 2,
        "succeeded",
    );
}

// --- agents act for the user within their grant -------------------------------------------------

/// The local chain's gas price (genesis `min_gas_price`), yoctoNEAR per gas.
const GAS_PRICE: u128 = 100_000_000;

#[tokio::test]
async fn account_agent_publishes_to_the_model_registry_for_the_user() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(&w, registry_grant(&w, account_agent(&w.bot))).await;
    let vault_before = must_balance(&w.worker, w.vault.as_account()).await;

    publish_acme_llm(&w, &w.bot, id).await;

    let model = view(&w.registry, "get_model", json!({ "model_id": "acme/llm" })).await;
    assert_eq!(
        model["owner"],
        json!(w.vault.id()),
        "the registry sees the user's vault"
    );
    assert_eq!(
        view(
            &w.registry,
            "version_status",
            json!({ "model_id": "acme/llm", "version": "1.0.0" })
        )
        .await,
        json!("active")
    );
    let u = usage(&w, id).await;
    assert_eq!(u["spent"], json!(NEAR.to_string()), "two calls of 0.5 NEAR");
    assert_eq!(u["reserved"], json!("0"));
    assert_eq!(u["in_flight"], json!(0));
    assert_eq!(
        (&u["calls"], &u["succeeded"], &u["failed"]),
        (&json!("2"), &json!("2"), &json!("0"))
    );
    let log = actions(&w).await;
    assert_eq!(log.len(), 2);
    for (entry, method) in log.iter().zip(["create_model", "publish_version"]) {
        assert_eq!(entry["grant_id"], json!(id.to_string()));
        assert_eq!(entry["agent"], json!({ "account": w.bot.id() }));
        assert_eq!(entry["receiver_id"], json!(w.registry.id()));
        assert_eq!(entry["method_name"], json!(method));
        assert_eq!(entry["deposit"], json!((NEAR / 2).to_string()));
        assert_eq!(entry["outcome"], json!("succeeded"));
    }
    // The registry kept only the storage it needs and refunded the rest to the vault.
    let paid = vault_before.saturating_sub(must_balance(&w.worker, w.vault.as_account()).await);
    assert!(paid < NEAR / 10, "storage only, the rest came back: {paid}");
    Ok(())
}

#[tokio::test]
async fn key_agent_publishes_with_a_function_call_key_the_vault_adds_and_revoke_deletes()
-> anyhow::Result<()> {
    let w = world().await?;
    let key = SecretKey::from_random(KeyType::ED25519);
    let pk = key.public_key();
    let id = must_grant(&w, registry_grant(&w, json!({ "key": pk.to_string() }))).await;

    let access = w.worker.view_access_key(w.vault.id(), &pk).await?;
    let AccessKeyPermission::FunctionCall(permission) = access.permission else {
        panic!("the agent key must be a function-call key");
    };
    assert_eq!(&permission.receiver_id, w.vault.id().as_str());
    assert_eq!(
        permission.method_names,
        ["execute", "delegate", "revoke_delegated"]
    );
    assert_eq!(permission.allowance, Some(NearToken::from_millinear(250)));
    assert_eq!(
        view(
            &w.vault,
            "grant_of_key",
            json!({ "public_key": pk.to_string() })
        )
        .await,
        json!(id.to_string())
    );
    assert_eq!(grant_view(&w, id).await["key_state"], json!("added"));

    // The agent has no account: it signs as the vault, with its key.
    let agent = Account::from_secret_key(w.vault.id().clone(), key, &w.worker);
    publish_acme_llm(&w, &agent, id).await;
    let model = view(&w.registry, "get_model", json!({ "model_id": "acme/llm" })).await;
    assert_eq!(model["owner"], json!(w.vault.id()));
    for entry in actions(&w).await {
        assert_eq!(
            entry["agent"],
            json!({ "key": pk.to_string() }),
            "told apart by signer_account_pk"
        );
        assert_eq!(entry["outcome"], json!("succeeded"));
    }
    assert_eq!(usage(&w, id).await["spent"], json!(NEAR.to_string()));

    // A key agent is held to its grant like an account agent.
    must_refuse(
        &w,
        &agent,
        id,
        vec![call(
            w.registry.id(),
            "create_model",
            json!({ "namespace": "acme", "name": "big" }),
            NEAR + 1,
            60,
        )],
        &format!(
            "call 0: deposit {} is above the per-call cap {NEAR} of grant {id}",
            NEAR + 1
        ),
    )
    .await;
    must_refuse(
        &w,
        &agent,
        id,
        vec![set_status(&w, "elsewhere")],
        &format!(
            "call 0: receiver '{}' is not a target of grant {id}",
            w.app.id()
        ),
    )
    .await;

    // The key cannot reach owner methods: the runtime refuses a deposit or another method.
    let err = agent
        .call(w.vault.id(), "withdraw")
        .args_json(json!({ "amount": "1" }))
        .deposit(ONE_YOCTO)
        .transact()
        .await
        .expect_err("a function-call key cannot withdraw");
    assert!(
        format!("{err:?}").contains("DepositWithFunctionCall")
            || format!("{err:?}").contains("MethodNameMismatch"),
        "{err:?}"
    );
    let err = agent
        .call(w.vault.id(), "create_grant")
        .args_json(json!({ "grant": registry_grant(&w, account_agent(&w.bot)) }))
        .transact()
        .await
        .expect_err("a function-call key cannot create grants");
    assert!(format!("{err:?}").contains("MethodNameMismatch"), "{err:?}");

    let revoked = w
        .user
        .call(w.vault.id(), "revoke")
        .args_json(json!({ "grant_id": id.to_string() }))
        .deposit(ONE_YOCTO)
        .transact()
        .await?;
    must_succeed(&revoked);
    assert!(
        w.worker.view_access_key(w.vault.id(), &pk).await.is_err(),
        "revoking the grant deleted the key"
    );
    assert_eq!(grant_view(&w, id).await["key_state"], json!("deleted"));
    assert_eq!(
        view(
            &w.vault,
            "grant_of_key",
            json!({ "public_key": pk.to_string() })
        )
        .await,
        Value::Null
    );
    let err = agent
        .call(w.vault.id(), "execute")
        .args_json(json!({ "grant_id": id.to_string(), "calls": [set_status(&w, "after revoke")] }))
        .gas(EXECUTE_GAS)
        .transact()
        .await
        .expect_err("a deleted key signs nothing");
    assert!(format!("{err:?}").contains("AccessKeyNotFound"), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_failed_call_is_logged_as_failed_and_its_deposit_returns_to_the_vault()
-> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(&w, registry_grant(&w, account_agent(&w.bot))).await;
    let vault_before = must_balance(&w.worker, w.vault.as_account()).await;
    // 1 yocto does not pay the registry's storage: the registry refuses, the vault settles.
    let outcome = execute(
        &w.bot,
        w.vault.id(),
        id,
        vec![call(
            w.registry.id(),
            "create_model",
            json!({ "namespace": "acme", "name": "llm" }),
            1,
            60,
        )],
    )
    .await;
    must_succeed(&outcome);
    assert_eq!(
        outcome.receipt_failures().len(),
        1,
        "only the registry call failed"
    );
    assert_eq!(settled_outcomes(&outcome), ["failed"]);
    let u = usage(&w, id).await;
    assert_eq!((&u["spent"], &u["reserved"]), (&json!("0"), &json!("0")));
    assert_eq!(
        (&u["calls"], &u["succeeded"], &u["failed"]),
        (&json!("1"), &json!("0"), &json!("1"))
    );
    assert_eq!(actions(&w).await[0]["outcome"], json!("failed"));
    assert!(
        must_balance(&w.worker, w.vault.as_account()).await >= vault_before,
        "the yocto came back"
    );
    Ok(())
}

// --- stopped at each limit ------------------------------------------------------------------------

#[tokio::test]
async fn unknown_agent_is_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    let mallory = must_account(&w.worker).await;
    must_refuse(
        &w,
        &mallory,
        id,
        vec![set_status(&w, "hi")],
        &format!("caller '{}' is not the agent of grant {id}", mallory.id()),
    )
    .await;
    must_refuse(
        &w,
        &w.bot,
        99,
        vec![set_status(&w, "hi")],
        "grant 99 not found",
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn expired_grant_is_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let mut spec = grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0);
    let expires = now_ns(&w.worker).await + 60_000_000_000;
    spec["expires_at_ns"] = json!(expires.to_string());
    let id = must_grant(&w, spec).await;
    must_succeed(&execute(&w.bot, w.vault.id(), id, vec![set_status(&w, "in time")]).await);
    for _ in 0..100 {
        if now_ns(&w.worker).await > expires {
            break;
        }
        w.worker.fast_forward(100).await?;
    }
    assert!(
        now_ns(&w.worker).await > expires,
        "fast_forward moved the clock past expiry"
    );
    let status = view(
        &w.vault,
        "grant_status",
        json!({ "grant_id": id.to_string() }),
    )
    .await;
    assert_eq!(status["reason"], json!("expired"));
    let state = vault_state(&w).await;
    let outcome = execute(&w.bot, w.vault.id(), id, vec![set_status(&w, "too late")]).await;
    let now = receipt_time(&w.worker, &outcome).await;
    must_panic_with(
        &outcome,
        &format!("grant {id} expired at {expires} (now {now})"),
    );
    assert_eq!(vault_state(&w).await, state);
    Ok(())
}

#[tokio::test]
async fn not_yet_valid_grant_is_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let mut spec = grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0);
    let not_before = now_ns(&w.worker).await + 3_600_000_000_000;
    spec["not_before_ns"] = json!(not_before.to_string());
    let id = must_grant(&w, spec).await;
    let status = view(
        &w.vault,
        "grant_status",
        json!({ "grant_id": id.to_string() }),
    )
    .await;
    assert_eq!(status["reason"], json!("not_yet_valid"));
    let state = vault_state(&w).await;
    let outcome = execute(&w.bot, w.vault.id(), id, vec![set_status(&w, "early")]).await;
    let now = receipt_time(&w.worker, &outcome).await;
    must_panic_with(
        &outcome,
        &format!("grant {id} is not valid before {not_before} (now {now})"),
    );
    assert_eq!(vault_state(&w).await, state);
    Ok(())
}

#[tokio::test]
async fn revoked_grant_is_refused_and_revoking_twice_is_harmless() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    let revoke = || {
        w.user
            .call(w.vault.id(), "revoke")
            .args_json(json!({ "grant_id": id.to_string() }))
            .deposit(ONE_YOCTO)
            .transact()
    };
    assert!(revoke().await?.json::<bool>()?);
    let state = vault_state(&w).await;
    assert!(
        !revoke().await?.json::<bool>()?,
        "the second revoke changes nothing"
    );
    assert_eq!(vault_state(&w).await, state);
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![set_status(&w, "x")],
        &format!("grant {id} is revoked"),
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn paused_vault_refuses_execute_until_unpaused() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    let toggle = |method: &'static str| {
        w.user
            .call(w.vault.id(), method)
            .deposit(ONE_YOCTO)
            .transact()
    };
    must_succeed(&toggle("pause").await?);
    let status = view(
        &w.vault,
        "grant_status",
        json!({ "grant_id": id.to_string() }),
    )
    .await;
    assert_eq!(status["reason"], json!("vault_paused"));
    must_refuse(&w, &w.bot, id, vec![set_status(&w, "x")], "vault is paused").await;
    must_succeed(&toggle("unpause").await?);
    must_succeed(&execute(&w.bot, w.vault.id(), id, vec![set_status(&w, "back")]).await);
    Ok(())
}

#[tokio::test]
async fn wrong_receiver_or_method_is_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![call(w.registry.id(), "create_model", json!({}), 0, 10)],
        &format!(
            "call 0: receiver '{}' is not a target of grant {id}",
            w.registry.id()
        ),
    )
    .await;
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![
            set_status(&w, "ok"),
            call(
                w.app.id(),
                "set_status_then_panic",
                json!({ "message": "x" }),
                0,
                10,
            ),
        ],
        &format!(
            "call 1: method 'set_status_then_panic' is not allowed on '{}' by grant {id}",
            w.app.id()
        ),
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn deposit_above_the_per_call_cap_is_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], NEAR),
    )
    .await;
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![call(
            w.app.id(),
            "set_status",
            json!({ "message": "x" }),
            NEAR + 1,
            10,
        )],
        &format!(
            "call 0: deposit {} is above the per-call cap {NEAR} of grant {id}",
            NEAR + 1
        ),
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn exhausted_total_budget_is_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let mut spec = grant(account_agent(&w.bot), w.app.id(), &["set_status"], NEAR);
    spec["total_budget"] = json!((NEAR + NEAR / 2).to_string());
    let id = must_grant(&w, spec).await;
    let pay = |deposit| {
        vec![call(
            w.app.id(),
            "set_status",
            json!({ "message": "pay" }),
            deposit,
            10,
        )]
    };
    must_succeed(&execute(&w.bot, w.vault.id(), id, pay(NEAR)).await);
    must_refuse(
        &w,
        &w.bot,
        id,
        pay(NEAR),
        &format!(
            "total budget of grant {id} exhausted: spent {NEAR}, in flight 0, requested {NEAR}, budget {}",
            NEAR + NEAR / 2
        ),
    )
    .await;
    must_succeed(&execute(&w.bot, w.vault.id(), id, pay(NEAR / 2)).await);
    assert_eq!(
        usage(&w, id).await["spent"],
        json!((NEAR + NEAR / 2).to_string())
    );
    Ok(())
}

#[tokio::test]
async fn exhausted_call_rate_and_period_budget_are_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let mut spec = grant(account_agent(&w.bot), w.app.id(), &["set_status"], NEAR);
    spec["period"] = json!({ "period_secs": 3600, "max_calls": 2, "budget": NEAR.to_string() });
    let id = must_grant(&w, spec).await;
    let pay = |deposit| {
        call(
            w.app.id(),
            "set_status",
            json!({ "message": "pay" }),
            deposit,
            10,
        )
    };
    must_succeed(&execute(&w.bot, w.vault.id(), id, vec![pay(NEAR / 2)]).await);
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![pay(NEAR / 2 + 1)],
        &format!(
            "period budget of grant {id} exhausted: used {} (incl. in flight), requested {}, budget {NEAR}",
            NEAR / 2,
            NEAR / 2 + 1
        ),
    )
    .await;
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![pay(0), pay(0)],
        &format!(
            "call rate of grant {id} exhausted: 1 calls this period (incl. in flight), requested 2, max 2"
        ),
    )
    .await;
    must_succeed(&execute(&w.bot, w.vault.id(), id, vec![pay(0)]).await);
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![pay(0)],
        &format!(
            "call rate of grant {id} exhausted: 2 calls this period (incl. in flight), requested 1, max 2"
        ),
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn concurrent_executes_cannot_overshoot_the_budget() -> anyhow::Result<()> {
    let w = world().await?;
    let mut spec = grant(account_agent(&w.bot), w.app.id(), &["set_status"], NEAR);
    spec["total_budget"] = json!((3 * NEAR).to_string());
    let id = must_grant(&w, spec).await;
    let vault_before = must_balance(&w.worker, w.vault.as_account()).await;
    let app_before = must_balance(&w.worker, w.app.as_account()).await;

    // Five transactions sent at once, each asking for 1 NEAR of a 3 NEAR budget. Each is signed with its
    // own full-access key of the agent's account and sent from its own task, so no nonce is shared and the
    // five reach the node within a block or two of each other: their calls are in flight together.
    let mut keys = vec![w.bot.secret_key().clone()];
    for _ in 1..5 {
        let key = SecretKey::from_random(KeyType::ED25519);
        must_succeed(
            &w.bot
                .batch(w.bot.id())
                .add_key(
                    key.public_key(),
                    near_workspaces::types::AccessKey::full_access(),
                )
                .transact()
                .await?,
        );
        keys.push(key);
    }
    let mut sending = Vec::new();
    for (i, key) in keys.into_iter().enumerate() {
        let signer = Account::from_secret_key(w.bot.id().clone(), key, &w.worker);
        let tx = signer
            .call(w.vault.id(), "execute")
            .args_json(json!({
                "grant_id": id.to_string(),
                "calls": [call(w.app.id(), "set_status", json!({ "message": format!("c{i}") }), NEAR, 10)],
            }))
            .gas(EXECUTE_GAS);
        sending.push(tokio::spawn(async move { tx.transact_async().await }));
    }
    let mut sent = Vec::new();
    for task in sending {
        sent.push(task.await??);
    }
    let mut outcomes = Vec::new();
    for status in sent {
        outcomes.push(status.await?);
    }
    // `transact_async` answers once the transaction is in a final block and `execute` has returned;
    // the calls it detached and their `on_settle` may still be running (neard reports such a
    // transaction as `INCLUDED_FINAL`). The budget is read after every receipt has run.
    for outcome in &outcomes {
        final_outcome(&w.worker, outcome).await?;
    }
    let (ok, refused): (Vec<_>, Vec<_>) = outcomes.iter().partition(|o| o.is_success());
    assert_eq!(
        (ok.len(), refused.len()),
        (3, 2),
        "exactly the budget's worth succeeds"
    );
    let mut refused_while_in_flight = 0;
    for outcome in refused {
        let failure = must_fail(
            outcome,
            &format!("total budget of grant {id} exhausted: spent "),
        );
        assert!(
            failure.contains(&format!("requested {NEAR}, budget {}", 3 * NEAR)),
            "{failure}"
        );
        if !failure.contains("in flight 0,") {
            refused_while_in_flight += 1;
        }
    }
    assert!(
        refused_while_in_flight > 0,
        "the executes overlapped: a refusal counted calls still in flight"
    );
    let u = usage(&w, id).await;
    assert_eq!(u["spent"], json!((3 * NEAR).to_string()));
    assert_eq!((&u["reserved"], &u["in_flight"]), (&json!("0"), &json!(0)));
    assert_eq!((&u["calls"], &u["succeeded"]), (&json!("3"), &json!("3")));
    let log = actions(&w).await;
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|a| a["outcome"] == "succeeded"));
    let app_gain = must_balance(&w.worker, w.app.as_account()).await - app_before;
    assert!(
        (3 * NEAR..3 * NEAR + GAS_ONLY).contains(&app_gain),
        "the app got 3 NEAR: {app_gain}"
    );
    let vault_paid = vault_before - must_balance(&w.worker, w.vault.as_account()).await;
    assert!(
        (3 * NEAR - GAS_ONLY..3 * NEAR + GAS_ONLY).contains(&vault_paid),
        "the vault paid 3 NEAR: {vault_paid}"
    );
    Ok(())
}

#[tokio::test]
async fn argument_rules_are_enforced() -> anyhow::Result<()> {
    let w = world().await?;
    let mut spec = grant(
        account_agent(&w.bot),
        w.registry.id(),
        &["publish_version"],
        NEAR,
    );
    spec["targets"][0]["arg_rules"] = json!([{ "field": "model_id", "one_of": ["acme/llm"] }]);
    let id = must_grant(&w, spec).await;
    let publish = |args: Value| {
        vec![call(
            w.registry.id(),
            "publish_version",
            args,
            NEAR / 2,
            100,
        )]
    };
    must_refuse(
        &w,
        &w.bot,
        id,
        publish(json!({ "model_id": "evil/llm", "version": "1.0.0", "files": files(), "commercial_use": false })),
        &format!("call 0: argument 'model_id' = \"evil/llm\" is not allowed by grant {id}"),
    )
    .await;
    must_refuse(
        &w,
        &w.bot,
        id,
        publish(json!({ "version": "1.0.0", "files": files(), "commercial_use": false })),
        &format!("call 0: argument 'model_id' is required by grant {id} but missing"),
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn malformed_execute_arguments_are_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    let mut not_object = set_status(&w, "x");
    not_object["args"] = json!("message=x");
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![not_object],
        "call 0: args must be a json object, got a string",
    )
    .await;
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![],
        "calls must list between 1 and 4 calls, got 0",
    )
    .await;
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![set_status(&w, "x"); 5],
        "calls must list between 1 and 4 calls, got 5",
    )
    .await;
    let mut no_gas = set_status(&w, "x");
    no_gas["gas"] = json!("1");
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![no_gas],
        &format!("call 0: gas 1 must be between {} and {}", TGAS, 250 * TGAS),
    )
    .await;
    let mut bad_method = set_status(&w, "x");
    bad_method["method_name"] = json!("set status");
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![bad_method],
        "call 0: invalid method name 'set status'",
    )
    .await;

    let state = vault_state(&w).await;
    let outcome = w
        .bot
        .call(w.vault.id(), "execute")
        .args(b"{not json".to_vec())
        .max_gas()
        .transact()
        .await?;
    must_fail(&outcome, "Failed to deserialize input from JSON");
    assert_eq!(vault_state(&w).await, state);
    Ok(())
}

#[tokio::test]
async fn sub_delegation_may_only_narrow_and_spending_counts_on_every_ancestor() -> anyhow::Result<()>
{
    let w = world().await?;
    let carol = must_account(&w.worker).await;
    let mut spec = grant(account_agent(&w.bot), w.app.id(), &["set_status"], NEAR);
    spec["total_budget"] = json!(NEAR.to_string());
    let parent = must_grant(&w, spec.clone()).await;
    let delegate = |child: Value| {
        w.bot
            .call(w.vault.id(), "delegate")
            .args_json(json!({ "parent_id": parent.to_string(), "grant": child }))
            .max_gas()
            .transact()
    };
    let mut child = spec.clone();
    child["agent"] = account_agent(&carol);
    let widenings = [
        (
            "total_budget",
            json!((2 * NEAR).to_string()),
            format!("total_budget {} is above the parent's {NEAR}", 2 * NEAR),
        ),
        (
            "total_budget",
            Value::Null,
            format!("total_budget is unlimited, the parent's is {NEAR}"),
        ),
    ];
    for (field, value, what) in widenings {
        let mut wider = child.clone();
        wider[field] = value;
        let state = vault_state(&w).await;
        must_panic_with(
            &delegate(wider).await?,
            &format!("sub-grant widens grant {parent}: {what}"),
        );
        assert_eq!(vault_state(&w).await, state);
    }
    let mut wider = child.clone();
    wider["targets"][0]["methods"] = json!(["set_status", "set_status_then_panic"]);
    must_panic_with(
        &delegate(wider).await?,
        &format!(
            "sub-grant widens grant {parent}: target '{}' allows method 'set_status_then_panic', the parent does not",
            w.app.id()
        ),
    );
    let mut wider = child.clone();
    wider["targets"][0]["max_deposit"] = json!((NEAR + 1).to_string());
    must_panic_with(
        &delegate(wider).await?,
        &format!(
            "sub-grant widens grant {parent}: target '{}' max_deposit {} is above the parent's {NEAR}",
            w.app.id(),
            NEAR + 1
        ),
    );
    let mut wider = child.clone();
    wider["targets"][0]["receiver_id"] = json!(w.registry.id());
    must_panic_with(
        &delegate(wider).await?,
        &format!(
            "sub-grant widens grant {parent}: receiver '{}' is not a target of the parent",
            w.registry.id()
        ),
    );

    let mut narrower = child.clone();
    narrower["total_budget"] = json!((3 * NEAR / 4).to_string());
    let sub: u64 = delegate(narrower).await?.json::<String>()?.parse()?;
    let sub_view = grant_view(&w, sub).await;
    assert_eq!(sub_view["parent_id"], json!(parent.to_string()));
    assert_eq!(sub_view["depth"], json!(1));
    assert_eq!(
        grant_view(&w, parent).await["children"],
        json!([sub.to_string()])
    );
    let pay = |deposit| {
        vec![call(
            w.app.id(),
            "set_status",
            json!({ "message": "carol" }),
            deposit,
            10,
        )]
    };
    must_succeed(&execute(&carol, w.vault.id(), sub, pay(NEAR / 2)).await);
    assert_eq!(usage(&w, sub).await["spent"], json!((NEAR / 2).to_string()));
    assert_eq!(
        usage(&w, parent).await["spent"],
        json!((NEAR / 2).to_string()),
        "the parent pays too"
    );
    // The parent's agent spends the rest of the parent's budget: carol's own budget still has
    // NEAR/4 left, the parent's has nothing.
    must_succeed(&execute(&w.bot, w.vault.id(), parent, pay(NEAR / 2)).await);
    must_refuse(
        &w,
        &carol,
        sub,
        pay(NEAR / 4),
        &format!(
            "total budget of grant {parent} exhausted: spent {NEAR}, in flight 0, requested {}, budget {NEAR}",
            NEAR / 4
        ),
    )
    .await;

    // The parent's agent may revoke the sub-grant it made; carol is stopped.
    let revoked = w
        .bot
        .call(w.vault.id(), "revoke_delegated")
        .args_json(json!({ "grant_id": sub.to_string() }))
        .transact()
        .await?;
    assert!(revoked.json::<bool>()?);
    must_refuse(&w, &carol, sub, pay(0), &format!("grant {sub} is revoked")).await;

    // Revoking the parent revokes its whole subtree.
    let dave = must_account(&w.worker).await;
    let mut other = child.clone();
    other["agent"] = account_agent(&dave);
    let dave_sub: u64 = delegate(other).await?.json::<String>()?.parse()?;
    must_succeed(
        &w.user
            .call(w.vault.id(), "revoke")
            .args_json(json!({ "grant_id": parent.to_string() }))
            .deposit(ONE_YOCTO)
            .transact()
            .await?,
    );
    let status = view(
        &w.vault,
        "grant_status",
        json!({ "grant_id": dave_sub.to_string() }),
    )
    .await;
    assert_eq!(status["reason"], json!("revoked"));
    must_refuse(
        &w,
        &dave,
        dave_sub,
        pay(0),
        &format!("grant {dave_sub} is revoked"),
    )
    .await;
    Ok(())
}

#[tokio::test]
async fn agents_cannot_change_grants_withdraw_or_upgrade() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    let bot = w.bot.id();
    let owner = w.user.id();
    let attempts: [(&str, Value); 6] = [
        (
            "create_grant",
            json!({ "grant": grant(account_agent(&w.bot), w.app.id(), &["*"], NEAR) }),
        ),
        ("revoke", json!({ "grant_id": id.to_string() })),
        ("revoke_all", json!({})),
        ("pause", json!({})),
        ("withdraw", json!({ "amount": NEAR.to_string() })),
        ("upgrade", json!({})),
    ];
    for (method, args) in attempts {
        let state = vault_state(&w).await;
        let vault_balance = must_balance(&w.worker, w.vault.as_account()).await;
        let bot_balance = must_balance(&w.worker, &w.bot).await;
        let outcome = w
            .bot
            .call(w.vault.id(), method)
            .args_json(args)
            .deposit(ONE_YOCTO)
            .max_gas()
            .transact()
            .await?;
        must_panic_with(
            &outcome,
            &format!("only the owner '{owner}' may call '{method}', not '{bot}'"),
        );
        assert_eq!(vault_state(&w).await, state, "{method}");
        assert!(
            must_balance(&w.worker, w.vault.as_account()).await >= vault_balance,
            "{method}"
        );
        must_have_paid_only_gas(&w.worker, &w.bot, bot_balance, method).await;
    }
    // An agent cannot revoke its own grant as if it were an ancestor's agent.
    let outcome = w
        .bot
        .call(w.vault.id(), "revoke_delegated")
        .args_json(json!({ "grant_id": id.to_string() }))
        .transact()
        .await?;
    must_panic_with(
        &outcome,
        &format!("caller '{bot}' is not the agent of an ancestor of grant {id}"),
    );
    Ok(())
}

#[tokio::test]
async fn callbacks_called_directly_by_outsiders_are_refused() -> anyhow::Result<()> {
    let w = world().await?;
    let id = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    must_succeed(&execute(&w.bot, w.vault.id(), id, vec![set_status(&w, "x")]).await);
    let key = SecretKey::from_random(KeyType::ED25519).public_key();
    let callbacks = [
        ("on_settle", json!({ "action_id": "0" })),
        (
            "on_model_status",
            json!({ "calls": [{ "action_id": "0", "receiver_id": w.app.id(), "method_name": "set_status", "args": "{}", "deposit": "0", "gas": "1" }] }),
        ),
        (
            "on_key_added",
            json!({ "grant_id": id.to_string(), "public_key": key.to_string() }),
        ),
        ("migrate", json!({})),
    ];
    for (method, args) in callbacks {
        let state = vault_state(&w).await;
        let outcome = w
            .bot
            .call(w.vault.id(), method)
            .args_json(args)
            .max_gas()
            .transact()
            .await?;
        must_panic_with(&outcome, &format!("Method {method} is private"));
        assert_eq!(vault_state(&w).await, state, "{method}");
    }
    Ok(())
}

#[tokio::test]
async fn revoked_model_binding_stops_the_agent() -> anyhow::Result<()> {
    let w = world().await?;
    let publisher = must_grant(&w, registry_grant(&w, account_agent(&w.bot))).await;
    publish_acme_llm(&w, &w.bot, publisher).await;
    let mut spec = grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0);
    spec["model"] =
        json!({ "registry": w.registry.id(), "model_id": "acme/llm", "version": "1.0.0" });
    spec["require_active_model"] = json!(true);
    let bound = must_grant(&w, spec).await;

    let active = execute(
        &w.bot,
        w.vault.id(),
        bound,
        vec![set_status(&w, "model active")],
    )
    .await;
    must_succeed(&active);
    assert_eq!(settled_outcomes(&active), ["succeeded"]);
    let status = view(&w.app, "get_status", json!({ "account_id": w.vault.id() })).await;
    assert_eq!(status, json!("model active"));

    let revoked = execute(
        &w.bot,
        w.vault.id(),
        publisher,
        vec![call(
            w.registry.id(),
            "revoke_version",
            json!({ "model_id": "acme/llm", "version": "1.0.0", "code": "published_in_error", "reason": "test" }),
            NEAR / 10,
            60,
        )],
    )
    .await;
    must_succeed(&revoked);
    assert_eq!(settled_outcomes(&revoked), ["succeeded"]);
    assert_eq!(
        view(
            &w.registry,
            "version_status",
            json!({ "model_id": "acme/llm", "version": "1.0.0" })
        )
        .await,
        json!("revoked")
    );

    let vault_balance = must_balance(&w.worker, w.vault.as_account()).await;
    let refused = execute(
        &w.bot,
        w.vault.id(),
        bound,
        vec![set_status(&w, "model revoked")],
    )
    .await;
    must_succeed(&refused);
    assert_eq!(settled_outcomes(&refused), ["refused_model_revoked"]);
    let status = view(&w.app, "get_status", json!({ "account_id": w.vault.id() })).await;
    assert_eq!(status, json!("model active"), "the call was not made");
    let u = usage(&w, bound).await;
    assert_eq!(
        (&u["calls"], &u["succeeded"], &u["refused"]),
        (&json!("2"), &json!("1"), &json!("1"))
    );
    assert_eq!(
        (&u["reserved"], &u["in_flight"], &u["window_calls"]),
        (&json!("0"), &json!(0), &json!(1))
    );
    let log = actions(&w).await;
    assert_eq!(
        log.last().expect("entry")["outcome"],
        json!("refused_model_revoked")
    );
    assert!(
        vault_balance.saturating_sub(must_balance(&w.worker, w.vault.as_account()).await)
            < GAS_ONLY,
        "the vault lost nothing but the log entry's storage"
    );
    Ok(())
}

// --- factory and upgrade ---------------------------------------------------------------------------

#[tokio::test]
async fn factory_creates_a_vault_owned_by_the_caller_and_refunds_a_taken_name() -> anyhow::Result<()>
{
    let worker = sandbox().await?;
    let factory =
        must_deploy_new(&worker, "vault-factory", |c| json!({ "owner_id": c.id() })).await;
    must_succeed(
        &factory
            .call("set_vault_code")
            .args(wasm("agent-vault"))
            .max_gas()
            .transact()
            .await?,
    );
    let minimum: u128 = view(&factory, "min_vault_deposit", json!({}))
        .await
        .as_str()
        .expect("u128")
        .parse()?;
    let alice = must_account(&worker).await;
    let create = || {
        alice
            .call(factory.id(), "create_vault")
            .args_json(json!({ "name": "alice", "owner_id": alice.id() }))
            .deposit(NearToken::from_yoctonear(minimum))
            .max_gas()
            .transact()
    };
    must_succeed(&create().await?);
    let vault_id: AccountId = format!("alice.{}", factory.id()).parse()?;
    let owner: AccountId = worker.view(&vault_id, "get_owner").await?.json()?;
    assert_eq!(&owner, alice.id());
    assert_eq!(
        view(&factory, "vaults_created", json!({})).await,
        json!("1")
    );

    let before = must_balance(&worker, &alice).await;
    let again = create().await?;
    assert!(
        !again.clone().json::<bool>()?,
        "the callback reports the failed creation"
    );
    assert!(
        again
            .logs()
            .iter()
            .any(|l| l.contains("vault_creation_failed"))
    );
    must_have_paid_only_gas(&worker, &alice, before, "duplicate create_vault").await;
    assert_eq!(
        view(&factory, "vaults_created", json!({})).await,
        json!("1")
    );
    Ok(())
}

#[tokio::test]
async fn upgrade_from_the_first_release_keeps_every_grant_and_action() -> anyhow::Result<()> {
    let worker = sandbox().await?;
    let user = must_account(&worker).await;
    let vault = worker.dev_deploy(&res_wasm("agent_vault_v1.wasm")).await?;
    must_succeed(
        &vault
            .call("new")
            .args_json(json!({ "owner_id": user.id() }))
            .transact()
            .await?,
    );
    let registry =
        must_deploy_new(&worker, "model-registry", |c| json!({ "owner_id": c.id() })).await;
    let app = must_deploy(&worker, "status-message").await;
    must_succeed(&app.call("new").transact().await?);
    let bot = must_account(&worker).await;
    let w = World {
        worker,
        user,
        vault,
        registry,
        app,
        bot,
    };

    // Populate: an account grant with a sub-grant, a key grant, a revoked grant, executed actions.
    let mut spec = grant(
        account_agent(&w.bot),
        w.app.id(),
        &["set_status", "set_status_then_panic"],
        NEAR,
    );
    spec["total_budget"] = json!((2 * NEAR).to_string());
    spec["period"] = json!({ "period_secs": 3600, "max_calls": 10 });
    let parent = must_grant(&w, spec.clone()).await;
    let key = SecretKey::from_random(KeyType::ED25519);
    let key_grant = must_grant(
        &w,
        grant(
            json!({ "key": key.public_key().to_string() }),
            w.app.id(),
            &["set_status"],
            0,
        ),
    )
    .await;
    let revoked = must_grant(&w, grant(account_agent(&w.bot), w.registry.id(), &["*"], 0)).await;
    must_succeed(
        &w.user
            .call(w.vault.id(), "revoke")
            .args_json(json!({ "grant_id": revoked.to_string() }))
            .deposit(ONE_YOCTO)
            .transact()
            .await?,
    );
    let carol = must_account(&w.worker).await;
    let mut child = spec.clone();
    child["agent"] = account_agent(&carol);
    child["total_budget"] = json!(NEAR.to_string());
    must_succeed(
        &w.bot
            .call(w.vault.id(), "delegate")
            .args_json(json!({ "parent_id": parent.to_string(), "grant": child }))
            .max_gas()
            .transact()
            .await?,
    );
    must_succeed(
        &execute(
            &w.bot,
            w.vault.id(),
            parent,
            vec![call(
                w.app.id(),
                "set_status",
                json!({ "message": "a" }),
                NEAR / 4,
                10,
            )],
        )
        .await,
    );
    let agent = Account::from_secret_key(w.vault.id().clone(), key.clone(), &w.worker);
    must_succeed(&execute(&agent, w.vault.id(), key_grant, vec![set_status(&w, "b")]).await);
    must_succeed(
        &execute(
            &w.bot,
            w.vault.id(),
            parent,
            vec![call(
                w.app.id(),
                "set_status_then_panic",
                json!({ "message": "c" }),
                0,
                10,
            )],
        )
        .await,
    );

    let before = json!({
        "grants": view(&w.vault, "list_grants", json!({ "limit": 100 })).await,
        "actions": actions(&w).await,
        "owner": view(&w.vault, "get_owner", json!({})).await,
        "count": view(&w.vault, "grants_count", json!({})).await,
        "key": view(&w.vault, "grant_of_key", json!({ "public_key": key.public_key().to_string() })).await,
    });

    let refused = w
        .bot
        .call(w.vault.id(), "upgrade")
        .args(wasm("agent-vault"))
        .deposit(ONE_YOCTO)
        .max_gas()
        .transact()
        .await?;
    must_panic_with(
        &refused,
        &format!(
            "only the owner '{}' may call 'upgrade', not '{}'",
            w.user.id(),
            w.bot.id()
        ),
    );
    let upgraded = w
        .user
        .call(w.vault.id(), "upgrade")
        .args(wasm("agent-vault"))
        .deposit(ONE_YOCTO)
        .max_gas()
        .transact()
        .await?;
    must_succeed(&upgraded);
    let code = w.worker.view_code(w.vault.id()).await?;
    assert_eq!(code, wasm("agent-vault"), "the current build is deployed");

    let after = json!({
        "grants": view(&w.vault, "list_grants", json!({ "limit": 100 })).await,
        "actions": actions(&w).await,
        "owner": view(&w.vault, "get_owner", json!({})).await,
        "count": view(&w.vault, "grants_count", json!({})).await,
        "key": view(&w.vault, "grant_of_key", json!({ "public_key": key.public_key().to_string() })).await,
    });
    assert_eq!(
        after, before,
        "every grant, ledger and log entry reads back the same"
    );
    assert_eq!(before["grants"].as_array().map(Vec::len), Some(4));
    assert_eq!(before["actions"].as_array().map(Vec::len), Some(3));
    // And the upgraded vault keeps working for the same agents.
    must_succeed(
        &execute(
            &agent,
            w.vault.id(),
            key_grant,
            vec![set_status(&w, "after upgrade")],
        )
        .await,
    );
    Ok(())
}

#[tokio::test]
async fn revoke_all_stops_every_agent_and_deletes_every_key() -> anyhow::Result<()> {
    let w = world().await?;
    let account_grant = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    let keys: Vec<SecretKey> = (0..2)
        .map(|_| SecretKey::from_random(KeyType::ED25519))
        .collect();
    let mut key_grants = Vec::new();
    for key in &keys {
        let spec = grant(
            json!({ "key": key.public_key().to_string() }),
            w.app.id(),
            &["set_status"],
            0,
        );
        key_grants.push(must_grant(&w, spec).await);
    }
    let outcome = w
        .user
        .call(w.vault.id(), "revoke_all")
        .deposit(ONE_YOCTO)
        .max_gas()
        .transact()
        .await?;
    must_succeed(&outcome);
    assert_eq!(outcome.json::<u32>()?, 2, "two agent keys deleted");
    for key in &keys {
        assert!(
            w.worker
                .view_access_key(w.vault.id(), &key.public_key())
                .await
                .is_err(),
            "key deleted"
        );
    }
    for id in key_grants.iter().chain([&account_grant]) {
        let status = view(
            &w.vault,
            "grant_status",
            json!({ "grant_id": id.to_string() }),
        )
        .await;
        assert_eq!(
            status["reason"],
            json!("revoked_by_revoke_all"),
            "grant {id}"
        );
    }
    must_refuse(
        &w,
        &w.bot,
        account_grant,
        vec![set_status(&w, "x")],
        &format!("grant {account_grant} was revoked by revoke_all"),
    )
    .await;
    // Grants created afterwards work.
    let fresh = must_grant(
        &w,
        grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0),
    )
    .await;
    must_succeed(&execute(&w.bot, w.vault.id(), fresh, vec![set_status(&w, "again")]).await);
    Ok(())
}

#[tokio::test]
async fn only_the_owner_withdraws_and_never_more_than_is_free() -> anyhow::Result<()> {
    let w = world().await?;
    let deposited = w
        .bot
        .call(w.vault.id(), "deposit")
        .deposit(NearToken::from_near(5))
        .transact()
        .await?;
    must_succeed(&deposited);
    let reported: u128 = deposited.clone().json::<String>()?.parse()?;
    let balance = view(&w.vault, "get_balance", json!({})).await;
    let available: u128 = balance["available"].as_str().expect("u128").parse()?;
    // Below protocol 87 the vault also earns 30% of the gas its receipt burnt, credited after the
    // call returned: what `deposit` reported is exact up to that reward.
    let reward_bound = u128::from(deposited.total_gas_burnt.as_gas()) * GAS_PRICE;
    assert!(
        available >= reported && available - reported <= reward_bound,
        "deposit reported {reported}, the vault has {available} available"
    );

    let withdraw = |amount: u128| {
        w.user
            .call(w.vault.id(), "withdraw")
            .args_json(json!({ "amount": amount.to_string() }))
            .deposit(ONE_YOCTO)
            .max_gas()
            .transact()
    };
    let outcome = withdraw(available + NEAR).await?;
    // During the call the vault's balance includes the attached yocto.
    must_panic_with(
        &outcome,
        &format!(
            "vault balance too low: {} needed, {} available",
            available + NEAR,
            available + 1
        ),
    );
    must_panic_with(&withdraw(0).await?, "amount must be positive, got 0");
    let user_before = must_balance(&w.worker, &w.user).await;
    must_succeed(&withdraw(NEAR).await?);
    let gained = must_balance(&w.worker, &w.user)
        .await
        .saturating_sub(user_before);
    assert!(
        (NEAR - GAS_ONLY..=NEAR).contains(&gained),
        "the owner received 1 NEAR less gas: {gained}"
    );
    Ok(())
}

#[tokio::test]
async fn the_call_rate_refills_when_the_period_rolls_over() -> anyhow::Result<()> {
    let w = world().await?;
    let mut spec = grant(account_agent(&w.bot), w.app.id(), &["set_status"], 0);
    spec["period"] = json!({ "period_secs": 60, "max_calls": 1 });
    let id = must_grant(&w, spec).await;
    must_succeed(&execute(&w.bot, w.vault.id(), id, vec![set_status(&w, "first")]).await);
    must_refuse(
        &w,
        &w.bot,
        id,
        vec![set_status(&w, "second")],
        &format!(
            "call rate of grant {id} exhausted: 1 calls this period (incl. in flight), requested 1, max 1"
        ),
    )
    .await;
    let window: u64 = usage(&w, id).await["window_start_ns"]
        .as_str()
        .expect("u64")
        .parse()?;
    for _ in 0..100 {
        if now_ns(&w.worker).await > window + 60_000_000_000 {
            break;
        }
        w.worker.fast_forward(100).await?;
    }
    must_succeed(
        &execute(
            &w.bot,
            w.vault.id(),
            id,
            vec![set_status(&w, "next period")],
        )
        .await,
    );
    let u = usage(&w, id).await;
    assert_eq!((&u["calls"], &u["window_calls"]), (&json!("2"), &json!(1)));
    Ok(())
}
