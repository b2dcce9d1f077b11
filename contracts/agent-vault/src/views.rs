//! Read-only views. Lists are paginated (`from`, `limit` <= `MAX_PAGE`); u64/u128 are strings.
use near_sdk::json_types::{U64, U128};
use near_sdk::{AccountId, PublicKey, env, near};

use crate::audit::ActionRecord;
use crate::grants::{Grant, GrantId};
use crate::limits::{DEFAULT_PAGE, MAX_PAGE};
use crate::policy::{InactiveReason, check_active};
use crate::{AgentVault, AgentVaultExt};

/// Whether a grant can be used now, and if not, why.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantStatus {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<InactiveReason>,
    /// The full message, naming the grant and the times involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantView {
    pub grant_id: U64,
    #[serde(flatten)]
    pub grant: Grant,
    pub status: GrantStatus,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceView {
    pub balance: U128,
    pub storage_bytes: U64,
    pub storage_cost: U128,
    /// Deposits reserved for calls waiting on a model check.
    pub unsent_deposits: U128,
    /// What agents' calls and `withdraw` may use.
    pub available: U128,
}

fn page(limit: Option<u32>) -> u32 {
    limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE)
}

#[near]
impl AgentVault {
    pub fn get_owner(&self) -> AccountId {
        self.owner_id.clone()
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Number of grants ever created (ids are `0..count`).
    pub fn grants_count(&self) -> U64 {
        U64(self.next_grant_id)
    }

    pub fn get_grant(&self, grant_id: U64) -> Option<GrantView> {
        self.grant_view(grant_id.0)
    }

    pub fn grant_status(&self, grant_id: U64) -> Option<GrantStatus> {
        self.load_grant(grant_id.0)
            .map(|grant| self.status_of(grant_id.0, &grant))
    }

    /// Grants with ids `from_id..`, at most `limit`.
    pub fn list_grants(&self, from_id: Option<U64>, limit: Option<u32>) -> Vec<GrantView> {
        let start = from_id.map_or(0, |f| f.0);
        let end = start
            .saturating_add(u64::from(page(limit)))
            .min(self.next_grant_id);
        (start..end).filter_map(|id| self.grant_view(id)).collect()
    }

    /// The grant an agent key serves, if the key is active.
    pub fn grant_of_key(&self, public_key: PublicKey) -> Option<U64> {
        self.agent_keys.get(&public_key).map(|id| U64(*id))
    }

    pub fn actions_count(&self) -> U64 {
        U64(u64::from(self.actions.len()))
    }

    pub fn get_action(&self, action_id: U64) -> Option<ActionRecord> {
        u32::try_from(action_id.0)
            .ok()
            .and_then(|i| self.actions.get(i).cloned())
    }

    /// Audit log entries `from_index..`, at most `limit`, oldest first.
    pub fn list_actions(&self, from_index: Option<U64>, limit: Option<u32>) -> Vec<ActionRecord> {
        let len = self.actions.len();
        let start = from_index
            .map_or(0, |f| u32::try_from(f.0).unwrap_or(u32::MAX))
            .min(len);
        let end = start.saturating_add(page(limit)).min(len);
        (start..end)
            .filter_map(|i| self.actions.get(i).cloned())
            .collect()
    }

    pub fn get_balance(&self) -> BalanceView {
        let storage_bytes = env::storage_usage();
        BalanceView {
            balance: U128(env::account_balance().as_yoctonear()),
            storage_bytes: U64(storage_bytes),
            storage_cost: U128(Self::storage_cost().unwrap_or(u128::MAX)),
            unsent_deposits: U128(self.unsent_deposits),
            available: U128(self.available_balance()),
        }
    }
}

impl AgentVault {
    fn grant_view(&self, id: GrantId) -> Option<GrantView> {
        self.load_grant(id).map(|grant| GrantView {
            grant_id: U64(id),
            status: self.status_of(id, &grant),
            grant,
        })
    }

    pub(crate) fn status_of(&self, id: GrantId, grant: &Grant) -> GrantStatus {
        let now = env::block_timestamp();
        let inactive = |reason, detail: String| GrantStatus {
            active: false,
            reason: Some(reason),
            detail: Some(detail),
        };
        if let Err(e) = check_active(id, grant, self.epoch, now) {
            return inactive(InactiveReason::from(&e), e.to_string());
        }
        if let Ok(chain) = self.chain(id) {
            for (aid, ancestor) in chain.iter().skip(1) {
                if let Err(e) = check_active(*aid, ancestor, self.epoch, now) {
                    return inactive(InactiveReason::AncestorInactive, e.to_string());
                }
            }
        }
        if self.paused {
            return inactive(InactiveReason::VaultPaused, "vault is paused".to_owned());
        }
        GrantStatus {
            active: true,
            reason: None,
            detail: None,
        }
    }
}
