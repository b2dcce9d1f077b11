//! Storage staking: whoever causes a write pays for it, in the same call.
//!
//! The contract's collections are write-through (`near_sdk::collections`), so `env::storage_usage()`
//! measured inside a call is exact: a method takes a [`StorageMeter`] before writing, writes, and then
//! [`StorageMeter::settle`] charges `bytes added × storage byte cost` against the attached deposit. Too
//! little deposit returns an error naming the exact amount required — the runtime rolls back every write
//! and returns the whole deposit. The excess is sent back to the caller with a transfer in the same call —
//! unless the caller is registered for storage (NEP-145, `storage_balance.rs`) and attached exactly 1
//! yoctoNEAR: then the cost comes out of its balance and nothing is transferred.
//! Storage freed by a call (cleared flags, removed flaggers) stays with the contract.

use near_sdk::{AccountId, NearToken, Promise, env};

use crate::errors::{Error, Result};
use crate::storage_balance;

/// Bytes of contract storage at the start of a write.
pub struct StorageMeter {
    start: u64,
}

impl StorageMeter {
    pub fn start() -> Self {
        Self {
            start: env::storage_usage(),
        }
    }

    /// Cost in yoctoNEAR of the bytes added since `start` (zero if the call freed storage).
    pub fn cost(&self) -> Result<u128> {
        let added = env::storage_usage().saturating_sub(self.start);
        env::storage_byte_cost()
            .as_yoctonear()
            .checked_mul(u128::from(added))
            .ok_or(Error::Overflow("storage cost"))
    }

    /// Charges the storage cost: to `payer`'s NEP-145 storage balance when it is registered and attached
    /// exactly 1 yoctoNEAR (credited), else against `attached`, refunding the rest to `payer`. Returns the
    /// cost.
    pub fn settle(self, payer: &AccountId, attached: u128) -> Result<u128> {
        let cost = self.cost()?;
        if storage_balance::pay(payer, attached, cost)? {
            return Ok(cost);
        }
        let refund = attached.checked_sub(cost).ok_or(Error::StorageDeposit {
            attached,
            required: cost,
        })?;
        transfer_to(payer, refund);
        Ok(cost)
    }
}

/// Sends `amount` back to `account` (nothing if zero). A transfer to an existing account cannot fail; if
/// the account was deleted meanwhile, the runtime returns the amount to this contract.
pub fn transfer_to(account: &AccountId, amount: u128) {
    if amount > 0 {
        Promise::new(account.clone())
            .transfer(NearToken::from_yoctonear(amount))
            .detach();
    }
}

/// Sensitive actions (transfers of control, revocations, upgrades) require exactly 1 yoctoNEAR, which
/// proves a full-access key signed the transaction.
pub fn require_one_yocto() -> Result<()> {
    let attached = env::attached_deposit().as_yoctonear();
    if attached == 1 {
        Ok(())
    } else {
        Err(Error::OneYoctoRequired { attached })
    }
}

pub fn attached() -> u128 {
    env::attached_deposit().as_yoctonear()
}
