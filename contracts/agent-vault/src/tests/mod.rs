//! Unit tests, one file per capability. They read as specifications: each name states a rule,
//! each failure asserts the exact message, that no state changed and that no event was emitted.
use near_sdk::json_types::{U64, U128};
use near_sdk::serde_json::{self, Value, json};
use near_sdk::test_utils::{VMContextBuilder, get_created_receipts, get_logs};
use near_sdk::{AccountId, Gas, NearToken, PromiseResult, PublicKey, env, testing_env};

use crate::AgentVault;
use crate::execute::CallRequest;
use crate::grants::{AgentId, ArgRuleSpec, GrantSpec, PeriodLimit, TargetSpec};

mod delegation;
mod execute;
mod funds;
mod grants;
mod keys;
mod model;
mod upgrade;

pub const VAULT: &str = "vault.alice.near";
pub const OWNER: &str = "alice.near";
pub const BOT: &str = "bot.near";
pub const HELPER: &str = "helper.near";
pub const EVE: &str = "eve.near";
pub const APP: &str = "app.near";
pub const OTHER_APP: &str = "other.near";
pub const REGISTRY: &str = "registry.near";

pub const NOW: u64 = 1_700_000_000_000_000_000;
pub const SEC: u64 = 1_000_000_000;

pub fn near(n: u128) -> u128 {
    NearToken::from_near(n).as_yoctonear()
}

pub fn acc(id: &str) -> AccountId {
    id.parse().unwrap()
}

pub fn key(n: u8) -> PublicKey {
    format!("ed25519:{}", near_sdk::bs58::encode([n; 32]).into_string())
        .parse()
        .unwrap()
}

pub fn account_agent(id: &str) -> AgentId {
    AgentId::Account(acc(id))
}

pub fn target(receiver: &str, methods: &[&str], max_deposit: u128) -> TargetSpec {
    TargetSpec {
        receiver_id: acc(receiver),
        methods: methods.iter().map(|m| m.to_string()).collect(),
        max_deposit: U128(max_deposit),
        arg_rules: vec![],
    }
}

pub fn rule(field: &str, one_of: Vec<Value>) -> ArgRuleSpec {
    ArgRuleSpec {
        field: field.to_owned(),
        one_of,
    }
}

/// BOT may call `app.near.publish` with up to 1 NEAR per call, 10 NEAR in total.
pub fn spec(agent: AgentId) -> GrantSpec {
    GrantSpec {
        agent,
        targets: vec![target(APP, &["publish"], near(1))],
        total_budget: Some(U128(near(10))),
        period: None,
        not_before_ns: None,
        expires_at_ns: None,
        purpose: "publish models for alice".to_owned(),
        model: None,
        require_active_model: false,
        key_allowance: None,
    }
}

pub fn period(secs: u32, budget: Option<u128>, max_calls: Option<u32>) -> Option<PeriodLimit> {
    Some(PeriodLimit {
        period_secs: secs,
        budget: budget.map(U128),
        max_calls,
    })
}

pub fn call(receiver: &str, method: &str, args: Value, deposit: u128) -> CallRequest {
    CallRequest {
        receiver_id: acc(receiver),
        method_name: method.to_owned(),
        args,
        deposit: U128(deposit),
        gas: U64(Gas::from_tgas(30).as_gas()),
    }
}

pub fn publish(deposit: u128) -> CallRequest {
    call(APP, "publish", json!({"model_id": "acme/llm"}), deposit)
}

/// Test bench: the vault, the clock and the vault's balance; each `as_*` sets the environment
/// of the next call, carrying storage usage over.
pub struct Bench {
    pub vault: AgentVault,
    pub now: u64,
    pub balance: u128,
}

impl Bench {
    pub fn new() -> Self {
        let mut bench = Self {
            vault: {
                testing_env!(base(NOW, near(100), acc(OWNER)).build());
                AgentVault::new(acc(OWNER))
            },
            now: NOW,
            balance: near(100),
        };
        bench.vault.flush();
        bench
    }

    fn set(&mut self, predecessor: &str, signer: &str, pk: Option<PublicKey>, deposit: u128) {
        let usage = env::storage_usage();
        let mut b = base(self.now, self.balance + deposit, acc(predecessor));
        b.signer_account_id(acc(signer))
            .storage_usage(usage)
            .attached_deposit(NearToken::from_yoctonear(deposit));
        if let Some(pk) = pk {
            b.signer_account_pk(pk);
        }
        testing_env!(b.build());
    }

    pub fn as_account(&mut self, who: &str, deposit: u128) -> &mut AgentVault {
        self.vault.flush();
        self.set(who, who, None, deposit);
        &mut self.vault
    }

    /// The owner with 1 yoctoNEAR (a full-access key).
    pub fn as_owner(&mut self) -> &mut AgentVault {
        self.as_account(OWNER, 1)
    }

    pub fn as_agent(&mut self, who: &str) -> &mut AgentVault {
        self.as_account(who, 0)
    }

    /// A transaction the vault account signed with function-call key `pk`.
    pub fn as_key(&mut self, pk: PublicKey) -> &mut AgentVault {
        self.vault.flush();
        self.set(VAULT, VAULT, Some(pk), 0);
        &mut self.vault
    }

    /// A callback of the vault with the given promise result.
    pub fn as_callback(&mut self, result: PromiseResult) -> &mut AgentVault {
        self.vault.flush();
        let usage = env::storage_usage();
        let mut b = base(self.now, self.balance, acc(VAULT));
        b.signer_account_id(acc(BOT)).storage_usage(usage);
        #[allow(deprecated)]
        near_sdk::test_utils::testing_env_with_promise_results(b.build(), result);
        &mut self.vault
    }

    /// Owner creates `spec`, returns its id.
    pub fn grant(&mut self, spec: GrantSpec) -> u64 {
        self.as_owner().create_grant(spec).unwrap().0
    }

    /// Settles action `id` with success or failure.
    pub fn settle(&mut self, id: u64, ok: bool) {
        let result = if ok {
            PromiseResult::Successful(b"\"ok\"".to_vec())
        } else {
            PromiseResult::Failed
        };
        self.on_settle(result, id).unwrap();
    }

    /// `on_settle` as the runtime runs it: with the promise result, on the stored state (it
    /// takes no `self`), after which the bench reloads the contract as the next call would.
    pub fn on_settle(
        &mut self,
        result: PromiseResult,
        id: u64,
    ) -> Result<crate::audit::Outcome, crate::errors::VaultError> {
        self.as_callback(result);
        self.stored(|| AgentVault::on_settle(U64(id)))
    }

    /// Runs `call` on the stored state: writes the contract, runs it, reads the contract back
    /// (fresh collections, no stale cache).
    pub fn stored<T>(&mut self, call: impl FnOnce() -> T) -> T {
        self.vault.flush();
        env::state_write(&self.vault);
        let out = call();
        self.vault = env::state_read().expect("the contract state was just written");
        out
    }

    /// Everything observable through the views (grants, ledger, log, keys, pause), as JSON.
    pub fn snapshot(&mut self) -> String {
        let v = &self.vault;
        let keys: Vec<(String, u64)> = v
            .agent_keys
            .iter()
            .map(|(k, g)| (String::from(k), *g))
            .collect();
        serde_json::to_string(&json!({
            "grants": v.list_grants(None, Some(100)),
            "count": v.grants_count(),
            "actions": v.list_actions(None, Some(100)),
            "paused": v.is_paused(),
            "epoch": v.epoch,
            "keys": keys,
            "unsent": U128(v.unsent_deposits),
        }))
        .unwrap()
    }

    pub fn usage(&self, grant_id: u64) -> crate::ledger::Usage {
        self.vault.load_grant(grant_id).unwrap().usage
    }
}

fn base(now: u64, balance: u128, predecessor: AccountId) -> VMContextBuilder {
    let mut b = VMContextBuilder::new();
    b.current_account_id(acc(VAULT))
        .predecessor_account_id(predecessor.clone())
        .signer_account_id(predecessor)
        .block_timestamp(now)
        .account_balance(NearToken::from_yoctonear(balance))
        .prepaid_gas(Gas::from_tgas(300));
    b
}

/// Runs `$call`, asserts it fails with exactly `$msg`, that the observable state is unchanged
/// and that no event was emitted.
#[macro_export]
macro_rules! assert_fails {
    ($bench:expr, $call:expr, $msg:expr $(,)?) => {{
        let before = $bench.snapshot();
        let err = match $call {
            Ok(_) => panic!("call should fail"),
            Err(e) => e,
        };
        assert_eq!(err.to_string(), $msg);
        assert_eq!($bench.snapshot(), before, "state changed on failure");
        let logs = near_sdk::test_utils::get_logs();
        assert!(logs.is_empty(), "events emitted on failure: {logs:?}");
    }};
}

pub fn logs() -> Vec<String> {
    get_logs()
}

pub fn receipts() -> Vec<near_sdk::mock::Receipt> {
    get_created_receipts()
}

/// A change to a grant spec, for tables of invalid inputs.
pub type Mutation = Box<dyn Fn(&mut GrantSpec)>;
