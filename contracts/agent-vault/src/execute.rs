//! `execute`: an agent's call (or small batch) through the vault.
//!
//! Flow: check the grant chain (status, receiver, method, deposit cap, argument rules, budgets,
//! rate) -> reserve deposit and rate on the grant and every ancestor, log the action as pending
//! -> make the call from the vault account -> `on_settle` (private callback) charges the
//! reservation on success or releases it on failure (the runtime returns a failed call's deposit
//! to the vault).
//!
//! With `require_active_model`, the calls wait for `<registry>.version_status` first; the
//! reservation is made before the check, so concurrent executes cannot overshoot, and
//! `on_model_status` releases it if the version is revoked or the registry does not answer.
//! Without a binding the call is a single hop: vault -> receiver -> settle.
use near_sdk::json_types::{U64, U128};
use near_sdk::serde_json::{self, Value};
use near_sdk::{AccountId, Gas, NearToken, Promise, PromiseError, env, ext_contract, near};

use crate::audit::Outcome;
use crate::errors::{VaultError, VaultResult};
use crate::events::VaultEvent;
use crate::grants::{GrantId, current_agent, valid_method};
use crate::ledger::Settlement;
use crate::limits::*;
use crate::policy::{CallView, check_active, json_type, match_call};
use crate::settle::{SettleStore, settle};
use crate::{AgentVault, AgentVaultExt};

/// One call an agent asks the vault to make.
#[near(serializers = [json])]
#[derive(Clone, Debug)]
pub struct CallRequest {
    pub receiver_id: AccountId,
    pub method_name: String,
    /// JSON object passed as the call's arguments (default `{}`).
    #[serde(default = "empty_object")]
    pub args: Value,
    /// Deposit to attach, from the vault's balance (default "0").
    #[serde(default)]
    pub deposit: U128,
    /// Gas for the call itself.
    pub gas: U64,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

/// A reserved call waiting to be made (argument of `on_model_status`).
#[near(serializers = [json])]
#[derive(Clone, Debug)]
pub struct PendingCall {
    pub action_id: U64,
    pub receiver_id: AccountId,
    pub method_name: String,
    /// Serialized JSON arguments.
    pub args: String,
    pub deposit: U128,
    pub gas: U64,
}

/// The registry view the vault consults (shape agreed with `model-registry`).
#[ext_contract(ext_model_registry)]
pub trait ModelRegistry {
    /// `"active" | "deprecated" | "revoked"`.
    fn version_status(&self, model_id: String, version: String) -> String;
}

/// `"revoked"`, or the tag of an externally tagged enum (`{"revoked": {...}}`), so a richer
/// registry answer is still understood; anything else is unknown (and refused).
fn status_name(value: Value) -> Option<String> {
    match value {
        Value::String(name) => Some(name),
        Value::Object(map) if map.len() == 1 => map.keys().next().cloned(),
        _ => None,
    }
}

fn add_gas(a: Gas, b: Gas) -> VaultResult<Gas> {
    a.checked_add(b).ok_or(VaultError::Overflow { what: "gas" })
}

#[near]
impl AgentVault {
    /// Agent entry point. Makes `calls` (1 to 4) under grant `grant_id` and returns their action
    /// ids (outcomes: `get_action`, `call_settled` events). Fails, changing nothing, if any call
    /// falls outside the grant or any ancestor grant.
    #[handle_result]
    pub fn execute(
        &mut self,
        grant_id: U64,
        calls: Vec<CallRequest>,
    ) -> Result<Vec<U64>, VaultError> {
        self.require_not_paused()?;
        if calls.is_empty() || calls.len() > MAX_BATCH {
            return Err(VaultError::BatchSize {
                got: calls.len(),
                max: MAX_BATCH,
            });
        }
        let grant_id = grant_id.0;
        let agent = current_agent();
        let leaf = self.must_grant(grant_id)?;
        if leaf.agent != agent {
            return Err(VaultError::NotGrantAgent {
                grant_id,
                caller: agent.to_string(),
            });
        }
        let now = env::block_timestamp();
        let mut chain = self.chain(grant_id)?;
        for (id, grant) in &chain {
            check_active(*id, grant, self.epoch, now)?;
        }

        let mut total_deposit: u128 = 0;
        let mut forwarded_gas = Gas::from_gas(0);
        let mut serialized = Vec::with_capacity(calls.len());
        for (index, call) in calls.iter().enumerate() {
            if !valid_method(&call.method_name) {
                return Err(VaultError::InvalidCallMethod {
                    index,
                    method: call.method_name.clone(),
                });
            }
            if !call.args.is_object() {
                return Err(VaultError::ArgsNotObject {
                    index,
                    got: json_type(&call.args),
                });
            }
            let args = call.args.to_string();
            if args.len() > MAX_ARGS_LEN {
                return Err(VaultError::ArgsTooLong {
                    index,
                    len: args.len(),
                    max: MAX_ARGS_LEN,
                });
            }
            let gas = Gas::from_gas(call.gas.0);
            if gas < MIN_CALL_GAS || gas > MAX_CALL_GAS {
                return Err(VaultError::InvalidGas {
                    index,
                    gas: call.gas.0,
                    min: MIN_CALL_GAS.as_gas(),
                    max: MAX_CALL_GAS.as_gas(),
                });
            }
            let view = CallView {
                index,
                receiver_id: &call.receiver_id,
                method_name: &call.method_name,
                deposit: call.deposit.0,
                args: &call.args,
            };
            for (id, grant) in &chain {
                match_call(*id, grant, &view)?;
            }
            total_deposit = total_deposit
                .checked_add(call.deposit.0)
                .ok_or(VaultError::Overflow { what: "deposit" })?;
            forwarded_gas = add_gas(add_gas(forwarded_gas, gas)?, SETTLE_GAS)?;
            serialized.push(args);
        }

        // Every grant of the chain requiring the model binds the same one (delegation keeps it).
        let model = chain
            .iter()
            .find(|(_, g)| g.terms.require_active_model)
            .and_then(|(_, g)| g.terms.model.clone());
        let mut needed = add_gas(EXECUTE_BASE_GAS, forwarded_gas)?;
        if model.is_some() {
            needed = add_gas(add_gas(needed, MODEL_STATUS_GAS)?, MODEL_CALLBACK_BASE_GAS)?;
        }
        let available_gas = env::prepaid_gas().saturating_sub(env::used_gas());
        if available_gas < needed {
            return Err(VaultError::NotEnoughGas {
                available: available_gas.as_gas(),
                needed: needed.as_gas(),
            });
        }

        let count =
            u32::try_from(calls.len()).map_err(|_| VaultError::Overflow { what: "calls" })?;
        for (id, grant) in chain.iter_mut() {
            grant.usage.roll_window(&grant.terms, now);
            grant.usage.check(*id, &grant.terms, total_deposit, count)?;
        }
        let available = self.available_balance();
        if available < total_deposit {
            return Err(VaultError::InsufficientBalance {
                needed: total_deposit,
                available,
            });
        }

        // All checks passed: reserve, log, then call.
        let windows: Vec<U64> = chain.iter().map(|(_, g)| g.usage.window_start_ns).collect();
        let mut pending = Vec::with_capacity(calls.len());
        for (call, args) in calls.into_iter().zip(serialized) {
            for (_, grant) in chain.iter_mut() {
                grant.usage.reserve(call.deposit.0, now)?;
            }
            let action_id = self.log_action(
                grant_id,
                &agent,
                &call.receiver_id,
                &call.method_name,
                call.deposit.0,
                windows.clone(),
            );
            VaultEvent::CallStarted {
                action_id: U64(action_id),
                grant_id: U64(grant_id),
                receiver_id: &call.receiver_id,
                method_name: &call.method_name,
                deposit: call.deposit,
            }
            .emit();
            pending.push(PendingCall {
                action_id: U64(action_id),
                receiver_id: call.receiver_id,
                method_name: call.method_name,
                args,
                deposit: call.deposit,
                gas: call.gas,
            });
        }
        for (id, grant) in chain {
            self.put_grant(id, grant);
        }
        let ids = pending.iter().map(|p| p.action_id).collect();

        if let Some(model) = model {
            self.unsent_deposits =
                self.unsent_deposits
                    .checked_add(total_deposit)
                    .ok_or(VaultError::Overflow {
                        what: "unsent deposits",
                    })?;
            self.flush();
            self.require_storage_covered()?;
            let callback_gas = add_gas(MODEL_CALLBACK_BASE_GAS, forwarded_gas)?;
            ext_model_registry::ext(model.registry)
                .with_static_gas(MODEL_STATUS_GAS)
                .with_unused_gas_weight(0)
                .version_status(model.model_id, model.version)
                .then(
                    Self::ext(env::current_account_id())
                        .with_static_gas(callback_gas)
                        .with_unused_gas_weight(0)
                        .on_model_status(pending),
                )
                .detach();
        } else {
            self.flush();
            self.require_storage_covered()?;
            for call in pending {
                Self::dispatch(call);
            }
        }
        Ok(ids)
    }

    /// Private callback of `execute`: settles one call. Returns its outcome.
    ///
    /// Takes no `self`: settling reads and writes only the grant chain and the action record
    /// (see [`crate::settle`]), so the root state is neither loaded nor rewritten. The SDK lists a
    /// method without `self` as a view in the ABI; this is a private callback all the same.
    #[private]
    #[handle_result]
    pub fn on_settle(action_id: U64) -> Result<Outcome, VaultError> {
        Self::require_self("on_settle")?;
        let succeeded = matches!(
            env::promise_result_checked(0, 0),
            Ok(_) | Err(PromiseError::TooLong(_))
        );
        let (how, outcome) = if succeeded {
            (Settlement::Succeeded, Outcome::Succeeded)
        } else {
            (Settlement::Failed, Outcome::Failed)
        };
        Ok(SettleStore::open().settle(action_id.0, how, outcome))
    }

    /// Private callback of `execute` with a model check: makes the reserved calls if the bound
    /// version is not revoked, otherwise releases their reservations. Returns whether the calls
    /// were made.
    #[private]
    #[handle_result]
    pub fn on_model_status(&mut self, calls: Vec<PendingCall>) -> Result<bool, VaultError> {
        Self::require_self("on_model_status")?;
        let status = env::promise_result_checked(0, MAX_MODEL_STATUS_LEN)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .and_then(status_name);
        let total = calls
            .iter()
            .fold(0u128, |sum, c| sum.saturating_add(c.deposit.0));
        self.unsent_deposits = self.unsent_deposits.saturating_sub(total);
        let refusal = match status.as_deref() {
            Some("active") | Some("deprecated") => None,
            Some("revoked") => Some(Outcome::RefusedModelRevoked),
            _ => Some(Outcome::RefusedModelCheckFailed),
        };
        // The grant may have been revoked (or the vault paused) while the registry answered.
        let refusal = refusal.or_else(|| {
            let grant_id = calls
                .first()
                .and_then(|c| self.get_action(c.action_id))
                .map(|a| a.grant_id.0)?;
            (!self.grant_usable(grant_id)).then_some(Outcome::RefusedGrantInactive)
        });
        match refusal {
            None => {
                for call in calls {
                    Self::dispatch(call);
                }
                Ok(true)
            }
            Some(outcome) => {
                for call in calls {
                    settle(
                        &mut self.grants,
                        &mut self.actions,
                        call.action_id.0,
                        Settlement::Refused,
                        outcome,
                    );
                }
                Ok(false)
            }
        }
    }
}

impl AgentVault {
    /// Whether the grant and all its ancestors are active and the vault is not paused.
    pub(crate) fn grant_usable(&self, grant_id: GrantId) -> bool {
        let now = env::block_timestamp();
        !self.paused
            && self.chain(grant_id).is_ok_and(|chain| {
                chain
                    .iter()
                    .all(|(id, g)| check_active(*id, g, self.epoch, now).is_ok())
            })
    }

    /// Makes one reserved call from the vault account, settled by `on_settle`.
    fn dispatch(call: PendingCall) {
        Promise::new(call.receiver_id)
            .function_call(
                call.method_name,
                call.args.into_bytes(),
                NearToken::from_yoctonear(call.deposit.0),
                Gas::from_gas(call.gas.0),
            )
            .then(
                Self::ext(env::current_account_id())
                    .with_static_gas(SETTLE_GAS)
                    .with_unused_gas_weight(0)
                    .on_settle(call.action_id),
            )
            .detach();
    }
}
