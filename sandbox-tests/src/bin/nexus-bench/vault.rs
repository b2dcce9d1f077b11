//! Benchmark of the agent vault on a node (ours by default, any through NEAR_SANDBOX_BIN_PATH),
//! printed as a markdown table: gas of a call made directly by the agent's account vs the same call
//! made through `vault.execute` (gas burnt summed over the transaction and every receipt), the
//! overhead with and without a model binding, and the storage a grant and a logged action take.
//! Numbers, not assertions (the end-to-end tests in `tests/e2e/agent_vault.rs` assert behaviour):
//!
//! ```sh
//! scripts/build.sh agent-vault model-registry status-message
//! cargo run --manifest-path sandbox/Cargo.toml -p sandbox-tests --bin nexus-bench -- vault
//! ```

use anyhow::{Context, Result, ensure};
use near_workspaces::result::ExecutionFinalResult;
use near_workspaces::types::{Gas, KeyType, NearToken, SecretKey};
use near_workspaces::{Account, AccountId, Contract, Worker, network::Sandbox};
use sandbox_tests::{final_outcomes, gas_profile, must_account, must_deploy, sandbox, total_gas};
use serde_json::{Value, json};

/// Runs of each measured call; the table shows the median.
const SAMPLES: usize = 5;
const NEAR: u128 = 1_000_000_000_000_000_000_000_000;
const TGAS: f64 = 1e12;
const TARGET_OVERHEAD_TGAS: f64 = 5.0;
const EXECUTE_GAS: Gas = Gas::from_tgas(200);

fn ok(outcome: ExecutionFinalResult, what: &str) -> Result<ExecutionFinalResult> {
    ensure!(
        outcome.is_success() && outcome.receipt_failures().is_empty(),
        "{what} failed: {outcome:#?}"
    );
    Ok(outcome)
}

/// [`ok`] for set-up steps whose outcome is not measured.
fn done(outcome: ExecutionFinalResult, what: &str) -> Result<()> {
    ok(outcome, what).map(drop)
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

fn call(receiver: &AccountId, method: &str, args: Value, deposit: u128, tgas: u64) -> Value {
    json!({
        "receiver_id": receiver,
        "method_name": method,
        "args": args,
        "deposit": deposit.to_string(),
        "gas": (tgas * 1_000_000_000_000).to_string(),
    })
}

struct Bench {
    worker: Worker<Sandbox>,
    user: Account,
    bot: Account,
    vault: Contract,
    app: Contract,
    registry: Contract,
}

impl Bench {
    /// Creates a grant; returns its id and how much the vault account's storage grew (the grant's
    /// records and, for a key agent, its access key).
    async fn grant(&self, spec: Value) -> Result<(u64, u64)> {
        let before = self.vault_storage().await?;
        let outcome = self
            .user
            .call(self.vault.id(), "create_grant")
            .args_json(json!({ "grant": spec }))
            .deposit(NearToken::from_yoctonear(1))
            .max_gas()
            .transact()
            .await?;
        let id = ok(outcome, "create_grant")?.json::<String>()?.parse()?;
        Ok((id, self.vault_storage().await? - before))
    }

    async fn execute(
        &self,
        agent: &Account,
        grant_id: u64,
        calls: Value,
    ) -> Result<ExecutionFinalResult> {
        let outcome = agent
            .call(self.vault.id(), "execute")
            .args_json(json!({ "grant_id": grant_id.to_string(), "calls": calls }))
            .gas(EXECUTE_GAS)
            .transact()
            .await?;
        ok(outcome, "execute")
    }

    async fn direct(
        &self,
        receiver: &AccountId,
        method: &str,
        args: Value,
        deposit: u128,
    ) -> Result<ExecutionFinalResult> {
        let outcome = self
            .bot
            .call(receiver, method)
            .args_json(args)
            .deposit(NearToken::from_yoctonear(deposit))
            .gas(Gas::from_tgas(100))
            .transact()
            .await?;
        ok(outcome, method)
    }

    async fn grant_bytes(&self, grant_id: u64) -> Result<u64> {
        let view: Value = self
            .vault
            .view("get_grant")
            .args_json(json!({ "grant_id": grant_id.to_string() }))
            .await?
            .json()?;
        view["storage_bytes"]
            .as_str()
            .context("storage_bytes")?
            .parse()
            .context("u64")
    }

    /// `who gas` for each outcome, in execution order.
    fn breakdown(&self, outcomes: &[(AccountId, u64)]) -> String {
        outcomes
            .iter()
            .map(|(executor, gas)| {
                let who = if executor == self.vault.id() {
                    "vault"
                } else if executor == self.app.id() {
                    "app"
                } else {
                    "agent"
                };
                format!("{who} {:.2}", *gas as f64 / TGAS)
            })
            .collect::<Vec<_>>()
            .join(" → ")
    }

    async fn vault_storage(&self) -> Result<u64> {
        Ok(self.vault.view_account().await?.storage_usage)
    }
}

/// One table row: direct gas, through-the-vault gas and their difference, medians in TGas.
struct Row {
    what: String,
    direct: u64,
    through: u64,
}

impl Row {
    fn print(&self) {
        let overhead = (self.through as f64 - self.direct as f64) / TGAS;
        let verdict = if overhead <= TARGET_OVERHEAD_TGAS {
            "yes"
        } else {
            "**no**"
        };
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {verdict} |",
            self.what,
            self.direct as f64 / TGAS,
            self.through as f64 / TGAS,
            overhead
        );
    }
}

pub async fn run() -> Result<()> {
    let worker = sandbox().await?;
    let user = must_account(&worker).await;
    let bot = must_account(&worker).await;
    let vault = must_deploy(&worker, "agent-vault").await;
    done(
        vault
            .call("new")
            .args_json(json!({ "owner_id": user.id() }))
            .transact()
            .await?,
        "vault new",
    )?;
    let app = must_deploy(&worker, "status-message").await;
    done(app.call("new").transact().await?, "app new")?;
    let registry = must_deploy(&worker, "model-registry").await;
    done(
        registry
            .call("new")
            .args_json(json!({ "owner_id": registry.id() }))
            .transact()
            .await?,
        "registry new",
    )?;
    let b = Bench {
        worker,
        user,
        bot,
        vault,
        app,
        registry,
    };

    let targets = json!([
        { "receiver_id": b.app.id(), "methods": ["set_status"], "max_deposit": "0" },
        { "receiver_id": b.registry.id(), "methods": ["create_model", "publish_version"], "max_deposit": NEAR.to_string() },
    ]);
    let account_grant = b
        .grant(
            json!({ "agent": { "account": b.bot.id() }, "targets": targets, "purpose": "bench" }),
        )
        .await?;
    let one_target = b
        .grant(json!({
            "agent": { "account": b.bot.id() },
            "targets": [{ "receiver_id": b.app.id(), "methods": ["set_status"], "max_deposit": "0" }],
            "purpose": "bench",
        }))
        .await?;
    let key = SecretKey::from_random(KeyType::ED25519);
    let key_grant = b
        .grant(json!({
            "agent": { "key": key.public_key().to_string() },
            "targets": [{ "receiver_id": b.app.id(), "methods": ["set_status"], "max_deposit": "0" }],
            "purpose": "bench",
        }))
        .await?;
    let key_agent = Account::from_secret_key(b.vault.id().clone(), key, &b.worker);

    // A model for the bound grant, created and published by the agent through the vault.
    let _created = b
        .execute(
            &b.bot,
            account_grant.0,
            json!([call(
                b.registry.id(),
                "create_model",
                json!({ "namespace": "acme", "name": "llm" }),
                NEAR / 2,
                60
            )]),
        )
        .await?;
    let files = json!([{ "path": "model.safetensors", "sha256": "ab".repeat(32), "size": "1000" }]);
    let _published = b.execute(
        &b.bot,
        account_grant.0,
        json!([call(
            b.registry.id(),
            "publish_version",
            json!({ "model_id": "acme/llm", "version": "1.0.0", "files": files, "commercial_use": false }),
            NEAR / 2,
            100
        )]),
    )
    .await?;
    let bound_grant = b
        .grant(json!({
            "agent": { "account": b.bot.id() },
            "targets": [{ "receiver_id": b.app.id(), "methods": ["set_status"], "max_deposit": "0" }],
            "purpose": "bench",
            "model": { "registry": b.registry.id(), "model_id": "acme/llm", "version": "1.0.0" },
            "require_active_model": true,
        }))
        .await?;

    let mut rows = Vec::new();
    let mut breakdown = String::new();
    let mut direct_breakdown = String::new();
    let mut action_bytes = Vec::new();
    for (what, agent, grant_id) in [
        (
            "`status-message.set_status` (account agent)",
            &b.bot,
            one_target.0,
        ),
        (
            "`status-message.set_status` (key agent)",
            &key_agent,
            key_grant.0,
        ),
        (
            "`status-message.set_status`, model binding checked",
            &b.bot,
            bound_grant.0,
        ),
    ] {
        let (mut direct, mut through) = (Vec::new(), Vec::new());
        for i in 0..SAMPLES {
            let message = json!({ "message": format!("sample {i}") });
            let direct_outcome = b
                .direct(b.app.id(), "set_status", message.clone(), 0)
                .await?;
            let direct_outcome = final_outcomes(&b.worker, &direct_outcome).await?;
            direct.push(total_gas(&direct_outcome));
            let before = b.vault_storage().await?;
            let outcome = b
                .execute(
                    agent,
                    grant_id,
                    json!([call(b.app.id(), "set_status", message, 0, 10)]),
                )
                .await?;
            action_bytes.push(b.vault_storage().await? - before);
            if i == 0 && std::env::var_os("NEXUS_BENCH_PROFILE").is_some() {
                println!("gas profile of {what} through the vault:");
                println!("{}", gas_profile(&b.worker, &outcome).await?);
            }
            let outcome = final_outcomes(&b.worker, &outcome).await?;
            through.push(total_gas(&outcome));
            if i == 0 && grant_id == one_target.0 {
                direct_breakdown = b.breakdown(&direct_outcome);
                breakdown = b.breakdown(&outcome);
            }
        }
        rows.push(Row {
            what: what.to_owned(),
            direct: median(direct),
            through: median(through),
        });
    }
    let (mut direct, mut through) = (Vec::new(), Vec::new());
    for i in 0..SAMPLES {
        let args = |prefix: &str| json!({ "namespace": format!("{prefix}{i}"), "name": "model" });
        let outcome = b
            .direct(b.registry.id(), "create_model", args("direct"), NEAR / 10)
            .await?;
        direct.push(total_gas(&final_outcomes(&b.worker, &outcome).await?));
        let outcome = b
            .execute(
                &b.bot,
                account_grant.0,
                json!([call(
                    b.registry.id(),
                    "create_model",
                    args("vault"),
                    NEAR / 10,
                    60
                )]),
            )
            .await?;
        through.push(total_gas(&final_outcomes(&b.worker, &outcome).await?));
    }
    rows.push(Row {
        what: "`model-registry.create_model` (0.1 NEAR attached, account agent)".to_owned(),
        direct: median(direct),
        through: median(through),
    });

    println!(
        "Agent vault on {} — medians of {SAMPLES} runs, gas burnt by the transaction and all its \
         receipts (refunds included). Direct: the agent's account calls the receiver itself (100 TGas \
         attached); through `execute`: {} attached.\n",
        std::env::var("NEAR_SANDBOX_BIN_PATH").unwrap_or_default(),
        EXECUTE_GAS
    );
    println!(
        "| call | direct (TGas) | through `execute` (TGas) | overhead (TGas) | ≤ {TARGET_OVERHEAD_TGAS} TGas |"
    );
    println!("|---|---:|---:|---:|:---:|");
    for row in &rows {
        row.print();
    }
    println!("\nPer outcome (TGas), first sample of the account agent's `set_status`:");
    println!("- direct: {direct_breakdown}");
    println!("- through `execute`: {breakdown}\n");
    action_bytes.sort_unstable();
    println!(
        "| storage | contract state (bytes, `storage_bytes`) | vault account (bytes) | NEAR at 1e19 yocto/byte |"
    );
    println!("|---|---:|---:|---:|");
    for (what, (id, account_bytes)) in [
        ("grant, account agent, one target", one_target),
        ("grant, account agent, two targets", account_grant),
        (
            "grant, key agent, one target (+ index, + access key)",
            key_grant,
        ),
        ("grant, account agent, model binding", bound_grant),
    ] {
        let state = b.grant_bytes(id).await?;
        println!(
            "| {what} | {state} | {account_bytes} | {:.4} |",
            account_bytes as f64 * 1e19 / NEAR as f64
        );
    }
    let action = median(action_bytes);
    println!(
        "| logged action (one `execute` of one call) | {action} | {action} | {:.4} |",
        action as f64 * 1e19 / NEAR as f64
    );
    Ok(())
}
