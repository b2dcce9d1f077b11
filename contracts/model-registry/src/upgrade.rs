//! Registry administration: lineage contract, code upgrades and state migration.
//!
//! `upgrade` (registry owner, exactly 1 yoctoNEAR) takes the new wasm as the raw call input, deploys it to
//! this account and calls `migrate` in the same batch, so a failing migration reverts the deploy. `migrate`
//! reads whatever state version is stored and converts it to the current one; it is `#[private]` and
//! `#[init(ignore_state)]`.
//!
//! The state version numbers the root record's layout. Records under it change layout lazily, never by a
//! migration that walks them: the second release reads first-release model records
//! ([`crate::models::VersionedModel::V1`]) and hash-index entries ([`crate::hash_index`]) as they are, and
//! writes the new layouts as records are written.

use near_sdk::{AccountId, NearToken, Promise, env, near};

use crate::VersionedContract;
#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::errors::RegistryError;
use crate::events::RegistryEvent;
use crate::limits::MIGRATE_GAS;
use crate::storage::require_one_yocto;

/// The state layout version `migrate` produces.
pub const STATE_VERSION: u32 = 1;

impl VersionedContract {
    fn require_registry_owner(&self) -> Result<AccountId, RegistryError> {
        let caller = env::predecessor_account_id();
        if caller != self.registry().owner_id {
            return Err(RegistryError::NotRegistryOwner(caller));
        }
        Ok(caller)
    }
}

#[near]
impl VersionedContract {
    /// Sets (or clears with `null`) the lineage contract asked for training-data consent. Registry owner,
    /// exactly 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn set_lineage_contract(
        &mut self,
        lineage_contract: Option<AccountId>,
    ) -> Result<(), RegistryError> {
        require_one_yocto()?;
        let caller = self.require_registry_owner()?;
        self.registry_mut().lineage_contract = lineage_contract.clone();
        RegistryEvent::LineageContractSet {
            lineage_contract,
            by: caller,
        }
        .emit();
        Ok(())
    }

    /// Deploys new code (the raw input) and migrates. Registry owner, exactly 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn upgrade(&mut self) -> Result<Promise, RegistryError> {
        require_one_yocto()?;
        self.require_registry_owner()?;
        let code = env::input().unwrap_or_default();
        if code.is_empty() {
            return Err(RegistryError::invalid(
                "code",
                "",
                "the call input must be the new contract wasm",
            ));
        }
        Ok(Promise::new(env::current_account_id())
            .deploy_contract(code)
            .function_call(
                "migrate".to_string(),
                Vec::new(),
                NearToken::from_yoctonear(0),
                MIGRATE_GAS,
            ))
    }

    /// Converts the stored state to the current layout. Called by `upgrade`.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        let state: VersionedContract =
            env::state_read().unwrap_or_else(|| env::panic_str("no registry state to migrate"));
        let migrated = match state {
            Self::V1(registry) => Self::V1(registry),
        };
        RegistryEvent::ContractMigrated {
            state_version: STATE_VERSION,
        }
        .emit();
        migrated
    }
}
