//! NEP-145 storage management: a prepaid storage balance per account, as an alternative to attaching the
//! storage deposit to every write. The record and its rules are `nexus-storage-balance` (`libs/`), shared with
//! the model registry.
//!
//! A write paid by its attached deposit refunds the excess with a transfer: a receipt that burns ~0.45 TGas
//! (send + execution) plus its gas refund. A registered caller that attaches exactly 1 yoctoNEAR pays from
//! its balance instead (one small record read and written, ~0.12 TGas; the yoctoNEAR is credited); a call
//! attaching more pays by deposit, as for anyone, and reads no balance.
//!
//! Training usage: when the publisher named by the registry is registered here, the part of the registry's
//! forwarded deposit that the usage records do not use is credited to the publisher's balance here instead
//! of being sent to it (see `usage.rs`): the consent check then sends no refund transfer at all.
//!
//! - `storage_deposit({account_id?, registration_only?})`: registers (≥ `storage_balance_bounds().min`) and
//!   credits; registration keeps the cost of the balance record's own bytes (`total − available`); with
//!   `registration_only` the rest is refunded (all of it when already registered).
//! - `storage_withdraw({amount?})` (exactly 1 yoctoNEAR) sends `amount` (default: all) of `available`.
//! - `storage_unregister({force?})` (exactly 1 yoctoNEAR) deletes the record and sends `total` back; records
//!   the account paid for stay. `false` if it was not registered.
//! - Storage bought with a balance is spent, not locked: `total` is `available` plus the record's own cost.

use near_sdk::{AccountId, IntoStorageKey, NearToken, env, near};
use nexus_storage_balance::WithdrawError;
pub use nexus_storage_balance::{StorageAccount, StorageBalance, StorageBalanceBounds};

use crate::errors::{Error, Result};
use crate::events::Event;
use crate::storage::require_one_yocto;
use crate::storage_keys::StorageKey;
use crate::{Contract, ContractExt};

fn key(account: &AccountId) -> Vec<u8> {
    StorageKey::StorageBalance {
        account: account.clone(),
    }
    .into_storage_key()
}

/// Pays `required` yoctoNEAR from `account`'s balance after crediting `attached` (a 1-yoctoNEAR call only);
/// `Ok(false)` when the call pays by deposit.
pub fn pay(account: &AccountId, attached: u128, required: u128) -> Result<bool> {
    nexus_storage_balance::pay(
        &key(account),
        NearToken::from_yoctonear(attached),
        NearToken::from_yoctonear(required),
    )
    .map(|paid| paid.is_some())
    .map_err(|e| Error::StorageBalanceShort {
        available: e.available.as_yoctonear(),
        attached: e.attached.as_yoctonear(),
        required: e.required.as_yoctonear(),
    })
}

/// Credits `amount` to `account`'s balance; `None` (nothing written) if it is not registered.
pub fn credit(account: &AccountId, amount: NearToken) -> Option<StorageAccount> {
    nexus_storage_balance::credit(&key(account), amount)
}

#[near]
impl Contract {
    /// NEP-145: registers `account_id` (default: the caller) if needed and credits the attached deposit to
    /// its storage balance. See the module docs.
    #[payable]
    #[handle_result]
    pub fn storage_deposit(
        &mut self,
        account_id: Option<AccountId>,
        registration_only: Option<bool>,
    ) -> Result<StorageBalance> {
        let attached = env::attached_deposit();
        let account = account_id.unwrap_or_else(env::predecessor_account_id);
        let (record, refund) = nexus_storage_balance::deposit(
            &key(&account),
            &env::predecessor_account_id(),
            attached,
            registration_only.unwrap_or(false),
        )
        .map_err(|e| Error::StorageDeposit {
            attached: e.attached.as_yoctonear(),
            required: e.min.as_yoctonear(),
        })?;
        let balance = StorageBalance::from(record);
        Event::StorageDeposited {
            account_id: &account,
            amount: attached.saturating_sub(refund),
            total: balance.total,
            available: balance.available,
        }
        .emit();
        Ok(balance)
    }

    /// NEP-145: sends `amount` (default: everything available) of the caller's available balance. Exactly
    /// 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn storage_withdraw(&mut self, amount: Option<NearToken>) -> Result<StorageBalance> {
        require_one_yocto()?;
        let account = env::predecessor_account_id();
        let (record, amount) = nexus_storage_balance::withdraw(&key(&account), &account, amount)
            .map_err(|e| match e {
                WithdrawError::NotRegistered => Error::NotRegistered(account.clone()),
                WithdrawError::TooMuch {
                    requested,
                    available,
                } => Error::WithdrawTooMuch {
                    requested: requested.as_yoctonear(),
                    available: available.as_yoctonear(),
                },
            })?;
        let balance = StorageBalance::from(record);
        Event::StorageWithdrawn {
            account_id: &account,
            amount,
            available: balance.available,
        }
        .emit();
        Ok(balance)
    }

    /// NEP-145: deletes the caller's balance record and sends its total back. Records the account paid for
    /// stay; `force` changes nothing. Exactly 1 yoctoNEAR. `false` if the caller was not registered.
    #[payable]
    #[handle_result]
    pub fn storage_unregister(&mut self, force: Option<bool>) -> Result<bool> {
        let _ = force;
        require_one_yocto()?;
        let account = env::predecessor_account_id();
        let Some(refunded) = nexus_storage_balance::unregister(&key(&account), &account) else {
            return Ok(false);
        };
        Event::StorageUnregistered {
            account_id: &account,
            refunded,
        }
        .emit();
        Ok(true)
    }

    /// NEP-145: the storage balance of `account_id`, or `null` if it is not registered.
    pub fn storage_balance_of(&self, account_id: AccountId) -> Option<StorageBalance> {
        nexus_storage_balance::balance_of(&key(&account_id))
    }

    /// NEP-145: `min` registers any account id; there is no maximum.
    pub fn storage_balance_bounds(&self) -> StorageBalanceBounds {
        nexus_storage_balance::bounds()
    }
}
