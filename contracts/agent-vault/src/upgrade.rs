//! Upgrade: the owner (exactly 1 yoctoNEAR) deploys new code, passed as the raw call input, and
//! the vault calls `migrate` on itself in the same batch, so a failed migration reverts the
//! deployment. `migrate` reads the state in the current layout; a layout change adds the old
//! struct here and converts it.
use near_sdk::json_types::U64;
use near_sdk::{Gas, NearToken, Promise, env, near};

use crate::errors::VaultError;
use crate::events::VaultEvent;
use crate::{AgentVault, AgentVaultExt};

const MIGRATE_GAS: Gas = Gas::from_tgas(50);

#[near]
impl AgentVault {
    /// Owner only, exactly 1 yoctoNEAR; input: the new wasm (not JSON).
    #[payable]
    #[handle_result]
    pub fn upgrade(&mut self) -> Result<Promise, VaultError> {
        self.require_owner_one_yocto("upgrade")?;
        let code = env::input().unwrap_or_default();
        if code.is_empty() {
            return Err(VaultError::EmptyCode);
        }
        VaultEvent::Upgraded {
            code_len: U64(u64::try_from(code.len()).unwrap_or(u64::MAX)),
        }
        .emit();
        Ok(Promise::new(env::current_account_id())
            .deploy_contract(code)
            .function_call(
                "migrate".to_owned(),
                b"{}".to_vec(),
                NearToken::from_yoctonear(0),
                MIGRATE_GAS,
            ))
    }

    /// Private: run by `upgrade` on the new code. Reads the state written by the previous code.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        env::state_read::<AgentVault>()
            .unwrap_or_else(|| env::panic_str("no vault state to migrate"))
    }
}
