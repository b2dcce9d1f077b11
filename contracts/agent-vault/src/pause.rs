//! Pause: while paused no agent can execute or delegate; revocation and settlement of calls
//! already in flight still work. Owner only, exactly 1 yoctoNEAR.
use near_sdk::near;

use crate::errors::{VaultError, VaultResult};
use crate::events::VaultEvent;
use crate::{AgentVault, AgentVaultExt};

#[near]
impl AgentVault {
    /// Returns false (and emits nothing) if already paused.
    #[payable]
    #[handle_result]
    pub fn pause(&mut self) -> Result<bool, VaultError> {
        self.require_owner_one_yocto("pause")?;
        self.set_paused(true)
    }

    /// Returns false (and emits nothing) if not paused.
    #[payable]
    #[handle_result]
    pub fn unpause(&mut self) -> Result<bool, VaultError> {
        self.require_owner_one_yocto("unpause")?;
        self.set_paused(false)
    }
}

impl AgentVault {
    fn set_paused(&mut self, paused: bool) -> VaultResult<bool> {
        if self.paused == paused {
            return Ok(false);
        }
        self.paused = paused;
        VaultEvent::VaultPaused { paused }.emit();
        Ok(true)
    }
}
