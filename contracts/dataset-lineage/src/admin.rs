//! Contract-level administration: the contract owner can hand over ownership and change which model
//! registry may record training usage. Both require exactly 1 yoctoNEAR.

use near_sdk::{AccountId, env, near};

use crate::errors::{Error, Result};
use crate::events::Event;
use crate::storage::require_one_yocto;
use crate::{Contract, ContractExt};

impl Contract {
    pub(crate) fn require_owner(&self, action: &'static str) -> Result<()> {
        let caller = env::predecessor_account_id();
        if caller == self.owner_id {
            Ok(())
        } else {
            Err(Error::Unauthorized {
                account: caller,
                action,
            })
        }
    }
}

#[near]
impl Contract {
    /// Hands the contract over to `owner_id`. Owner only; 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn set_owner(&mut self, owner_id: AccountId) -> Result<()> {
        require_one_yocto()?;
        self.require_owner("change the contract owner")?;
        let old = std::mem::replace(&mut self.owner_id, owner_id);
        Event::OwnerChanged {
            old_owner_id: &old,
            new_owner_id: &self.owner_id,
        }
        .emit();
        Ok(())
    }

    /// Sets the model registry account allowed to call `record_training_usage`. Owner only; 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn set_registry(&mut self, registry_id: AccountId) -> Result<()> {
        require_one_yocto()?;
        self.require_owner("change the model registry")?;
        let old = std::mem::replace(&mut self.registry_id, registry_id);
        Event::RegistryChanged {
            old_registry_id: &old,
            new_registry_id: &self.registry_id,
        }
        .emit();
        Ok(())
    }
}
