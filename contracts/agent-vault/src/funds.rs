//! Funds: anyone may deposit to the vault; only the owner withdraws (exactly 1 yoctoNEAR, so only
//! a full-access key can). Agents move value only through calls their grants allow.
//! `withdraw` never touches the balance that pays for storage or that is reserved for calls
//! waiting on a model check.
use near_sdk::json_types::U128;
use near_sdk::{NearToken, Promise, env, near};

use crate::errors::VaultError;
use crate::events::VaultEvent;
use crate::{AgentVault, AgentVaultExt};

#[near]
impl AgentVault {
    /// Adds the attached deposit to the vault. Returns the balance available to agents' calls.
    #[payable]
    #[handle_result]
    pub fn deposit(&mut self) -> Result<U128, VaultError> {
        let amount = env::attached_deposit().as_yoctonear();
        if amount == 0 {
            return Err(VaultError::ZeroAmount);
        }
        VaultEvent::Deposited {
            account_id: &env::predecessor_account_id(),
            amount: U128(amount),
        }
        .emit();
        Ok(U128(self.available_balance()))
    }

    /// Owner only, exactly 1 yoctoNEAR. Sends `amount` to the owner.
    #[payable]
    #[handle_result]
    pub fn withdraw(&mut self, amount: U128) -> Result<Promise, VaultError> {
        self.require_owner_one_yocto("withdraw")?;
        if amount.0 == 0 {
            return Err(VaultError::ZeroAmount);
        }
        let available = self.available_balance();
        if amount.0 > available {
            return Err(VaultError::InsufficientBalance {
                needed: amount.0,
                available,
            });
        }
        VaultEvent::Withdrawn {
            receiver_id: &self.owner_id,
            amount,
        }
        .emit();
        Ok(Promise::new(self.owner_id.clone()).transfer(NearToken::from_yoctonear(amount.0)))
    }
}
