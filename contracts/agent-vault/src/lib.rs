//! Nexus agent vault: a contract the user deploys to an account they control, through which AI
//! agents act for the user within scoped, budgeted, expiring, revocable grants.
//!
//! Calls an agent makes go out from the vault account, so every other contract sees the user's
//! own account. An agent is a NEAR account (recognised by predecessor) or a public key (the vault
//! adds a function-call key for it, receiver = the vault, methods = [`keys::AGENT_METHODS`], and
//! recognises it by `signer_account_pk`).
//!
//! Layout: this file holds the state and `new`; each module holds the entry points of one concern
//! (`grants`, `execute`, `delegation`, `keys`, `funds`, `pause`, `views`, `upgrade`) or the pure
//! logic they share (`policy`, `ledger`, `audit`, `settle`).
//!
//! Storage: every byte is paid from the vault's own balance, which is the owner's money. Grant
//! changes are measured (`env::storage_usage` before/after) and recorded on the grant; a change
//! that would leave the balance below the storage cost fails and is rolled back. Agent-caused
//! storage (sub-grants, audit entries) is bounded by [`limits`] and by the grant's rate limits.
use near_sdk::store::{IterableMap, LookupMap, Vector};
use near_sdk::{AccountId, NearToken, PanicOnDefault, PublicKey, env, near, near_bindgen};

pub mod audit;
pub mod delegation;
pub mod errors;
pub mod events;
pub mod execute;
pub mod funds;
pub mod grants;
pub mod keys;
pub mod ledger;
pub mod limits;
pub mod pause;
pub mod policy;
pub mod settle;
pub mod storage_keys;
pub mod upgrade;
pub mod views;

#[cfg(test)]
mod tests;

use audit::ActionRecord;
use errors::{VaultError, VaultResult};
use events::VaultEvent;
use grants::{GrantId, VersionedGrant};
use storage_keys::StorageKey;

/// Contract state. Its borsh layout is frozen once deployed: a change adds a new struct, and
/// `upgrade::migrate` converts the old one (see `tests::upgrade` for the layout snapshot).
///
/// Its root record is written back only when a call changed it ([`nexus_root_state`]).
#[near_bindgen]
#[near(serializers = [borsh])]
#[derive(PanicOnDefault)]
pub struct AgentVault {
    pub(crate) owner_id: AccountId,
    pub(crate) paused: bool,
    pub(crate) next_grant_id: GrantId,
    /// Bumped by `revoke_all`: grants created in an earlier epoch are revoked.
    pub(crate) epoch: u32,
    pub(crate) grants: LookupMap<GrantId, VersionedGrant>,
    /// Active key-based agents: key -> the grant it serves. One grant per key.
    pub(crate) agent_keys: IterableMap<PublicKey, GrantId>,
    /// Append-only audit log; the index is the action id.
    pub(crate) actions: Vector<ActionRecord>,
    /// Deposits reserved by executes waiting for a model check, not yet sent: kept out of
    /// `withdraw` and of other executes.
    pub(crate) unsent_deposits: u128,
}

nexus_root_state::contract_state!(AgentVault);

#[near]
impl AgentVault {
    /// Initializes the vault for `owner_id`. The factory calls this in the deployment batch; a
    /// self-deployed vault should do the same (deploy + `new` in one transaction).
    #[init]
    pub fn new(owner_id: AccountId) -> Self {
        VaultEvent::VaultInitialized {
            owner_id: &owner_id,
        }
        .emit();
        Self {
            owner_id,
            paused: false,
            next_grant_id: 0,
            epoch: 0,
            grants: LookupMap::new(StorageKey::Grants),
            agent_keys: IterableMap::new(StorageKey::AgentKeys),
            actions: Vector::new(StorageKey::Actions),
            unsent_deposits: 0,
        }
    }
}

impl AgentVault {
    pub(crate) fn require_owner(&self, method: &'static str) -> VaultResult<()> {
        let caller = env::predecessor_account_id();
        if caller != self.owner_id {
            return Err(VaultError::NotOwner {
                method,
                owner: self.owner_id.to_string(),
                caller: caller.to_string(),
            });
        }
        Ok(())
    }

    /// Owner-only and exactly 1 yoctoNEAR, so only a full-access key can make the change
    /// (function-call keys cannot attach deposits).
    pub(crate) fn require_owner_one_yocto(&self, method: &'static str) -> VaultResult<()> {
        self.require_owner(method)?;
        let attached = env::attached_deposit().as_yoctonear();
        if attached != 1 {
            return Err(VaultError::RequiresOneYocto { method, attached });
        }
        Ok(())
    }

    /// In-body twin of `#[private]` (which the SDK checks only in the wasm export), so the rule
    /// is also enforced, and tested, in unit tests.
    pub(crate) fn require_self(method: &'static str) -> VaultResult<()> {
        let caller = env::predecessor_account_id();
        if caller != env::current_account_id() {
            return Err(VaultError::NotSelf {
                method,
                caller: caller.to_string(),
            });
        }
        let count = env::promise_results_count();
        if count != 1 {
            return Err(VaultError::NotACallback { method, count });
        }
        Ok(())
    }

    pub(crate) fn require_not_paused(&self) -> VaultResult<()> {
        if self.paused {
            return Err(VaultError::Paused);
        }
        Ok(())
    }

    /// Writes cached collection entries so `env::storage_usage` is exact.
    pub(crate) fn flush(&mut self) {
        self.grants.flush();
        self.agent_keys.flush();
        self.actions.flush();
    }

    /// Cost of the account's current storage.
    pub(crate) fn storage_cost() -> VaultResult<u128> {
        env::storage_byte_cost()
            .as_yoctonear()
            .checked_mul(u128::from(env::storage_usage()))
            .ok_or(VaultError::Overflow {
                what: "storage cost",
            })
    }

    /// Balance free to spend: not paying for storage and not reserved for unsent calls.
    pub(crate) fn available_balance(&self) -> u128 {
        let storage = Self::storage_cost().unwrap_or(u128::MAX);
        env::account_balance()
            .as_yoctonear()
            .saturating_sub(storage)
            .saturating_sub(self.unsent_deposits)
    }

    /// Fails unless the balance still covers storage (call after writing and `flush`).
    pub(crate) fn require_storage_covered(&self) -> VaultResult<()> {
        let needed = Self::storage_cost()?
            .checked_add(self.unsent_deposits)
            .ok_or(VaultError::Overflow {
                what: "storage cost",
            })?;
        let available = env::account_balance().as_yoctonear();
        if available < needed {
            return Err(VaultError::InsufficientBalance { needed, available });
        }
        Ok(())
    }
}

/// One yoctoNEAR, the deposit owner-only changes require.
pub const ONE_YOCTO: NearToken = NearToken::from_yoctonear(1);
