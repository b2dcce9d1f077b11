//! Test contract: calls other contracts and reports, in a callback, what it saw. Exercises
//! `then` (callbacks seeing success and failure), `and` (joint promises), and gas weights.
use near_sdk::serde_json::{self, json};
use near_sdk::{AccountId, Gas, GasWeight, NearToken, Promise, PromiseError, env, log, near};

const CALLBACK_GAS: Gas = Gas::from_tgas(10);
/// Longest promise result the callback reads.
const MAX_RESULT_LEN: usize = 16 * 1024;

#[near(contract_state)]
#[derive(Default)]
pub struct CrossCaller {
    last_outcome: Option<String>,
}

#[near]
impl CrossCaller {
    /// Calls `receiver.method(args)` then `self.on_result()`; returns what the callback returns.
    #[payable]
    pub fn call_then(&mut self, receiver: AccountId, method: String, args: String) -> Promise {
        Promise::new(receiver)
            .function_call_weight(
                method,
                args.into_bytes(),
                env::attached_deposit(),
                Gas::from_tgas(0),
                GasWeight(1),
            )
            .then(
                Self::ext(env::current_account_id())
                    .with_static_gas(CALLBACK_GAS)
                    .on_result(),
            )
    }

    /// Calls the same view-like method on two receivers jointly and collects both results.
    pub fn call_both(
        &mut self,
        first: AccountId,
        second: AccountId,
        method: String,
        args: String,
    ) -> Promise {
        let a = Promise::new(first).function_call(
            method.clone(),
            args.clone().into_bytes(),
            NearToken::from_yoctonear(0),
            Gas::from_tgas(20),
        );
        let b = Promise::new(second).function_call(
            method,
            args.into_bytes(),
            NearToken::from_yoctonear(0),
            Gas::from_tgas(20),
        );
        a.and(b).then(
            Self::ext(env::current_account_id())
                .with_static_gas(CALLBACK_GAS)
                .on_both(),
        )
    }

    #[private]
    pub fn on_result(
        &mut self,
        #[callback_result] result: Result<serde_json::Value, PromiseError>,
    ) -> String {
        let outcome = match result {
            Ok(value) => format!("ok:{value}"),
            Err(_) => "failed".to_string(),
        };
        log!("callback saw {}", outcome);
        self.last_outcome = Some(outcome.clone());
        outcome
    }

    #[private]
    pub fn on_both(&mut self) -> serde_json::Value {
        let count = env::promise_results_count();
        let results: Vec<serde_json::Value> = (0..count)
            .map(|i| match env::promise_result_checked(i, MAX_RESULT_LEN) {
                Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
                Err(_) => json!("failed"),
            })
            .collect();
        let value = json!(results);
        self.last_outcome = Some(value.to_string());
        value
    }

    pub fn last_outcome(&self) -> Option<String> {
        self.last_outcome.clone()
    }
}
