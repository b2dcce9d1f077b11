//! NEP-145 storage management: a prepaid storage balance per account, as an alternative to attaching the
//! storage deposit to every write. The record and its rules are `nexus-storage-balance` (`libs/`), shared with
//! the lineage contract.
//!
//! # Why both
//!
//! A write paid by its attached deposit refunds the excess with a transfer: a receipt that burns ~0.45 TGas
//! (send + execution of a transfer action) plus its gas-refund receipt, on every call. A registered account
//! pays from its balance instead (attaching 1 yoctoNEAR) — one small record read and written (~0.12 TGas) and
//! no transfer. Publishers who write often (a release pipeline publishing versions, an auditor attesting)
//! register once; occasional callers keep attaching a deposit. Either way the caller pays exactly the bytes its call added (see [`crate::storage`]).
//!
//! # Semantics
//!
//! - `storage_deposit({account_id?, registration_only?})`: registers `account_id` (default: the caller) if
//!   needed — the attached deposit must then be at least `storage_balance_bounds().min` — and credits it.
//!   Registration keeps the cost of the balance record's own bytes (`total − available`); with
//!   `registration_only` the rest is refunded (all of it when already registered). Anyone may deposit for
//!   anyone.
//! - A write of a registered caller that attaches exactly 1 yoctoNEAR draws the storage it adds from
//!   `available` (the yoctoNEAR is credited). Not enough fails the call with the exact shortfall; nothing
//!   changes. A write with more attached pays by deposit, as for anyone, and reads no balance: the rule keeps
//!   the deposit path as cheap as it was.
//! - Storage bought with a balance is spent, not locked: registry records are permanent (the audit trail), so
//!   `total` is `available` plus the registration record's cost only.
//! - `storage_withdraw({amount?})` (exactly 1 yoctoNEAR) sends `amount` (default: all) of `available`.
//! - `storage_unregister({force?})` (exactly 1 yoctoNEAR) deletes the balance record and sends `total` back;
//!   the records the account paid for stay (they belong to the registry's history). Returns `false` if the
//!   account was not registered.
//! - Amounts owed to a registered account later (a refused or abandoned pending publish, the unused part of
//!   the lineage deposit) are credited to its balance; to an unregistered account they are transferred.

use near_sdk::{AccountId, IntoStorageKey, NearToken, env, near};
use nexus_storage_balance::WithdrawError;
pub use nexus_storage_balance::{StorageAccount, StorageBalance, StorageBalanceBounds};

use crate::VersionedContract;
#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::errors::RegistryError;
use crate::events::RegistryEvent;
use crate::storage::{require_one_yocto, transfer};
use crate::storage_keys::StorageKey;

fn key(account: &AccountId) -> Vec<u8> {
    StorageKey::StorageBalance {
        account: account.clone(),
    }
    .into_storage_key()
}

/// Pays `required` from `account`'s balance after crediting `attached` (a 1-yoctoNEAR call only); `Ok(None)`
/// when the call pays by deposit.
pub fn pay(
    account: &AccountId,
    attached: NearToken,
    required: NearToken,
) -> Result<Option<StorageAccount>, nexus_storage_balance::Shortfall> {
    nexus_storage_balance::pay(&key(account), attached, required)
}

/// Pays `amount` owed to `account`: credited to its balance when registered (announced as
/// `storage_credited`), transferred otherwise.
pub fn credit_or_transfer(account: &AccountId, amount: NearToken) {
    if amount.is_zero() {
        return;
    }
    match nexus_storage_balance::credit(&key(account), amount) {
        Some(record) => RegistryEvent::StorageCredited {
            account_id: account.clone(),
            amount,
            available: record.available,
        }
        .emit(),
        None => transfer(account, amount),
    }
}

#[near]
impl VersionedContract {
    /// NEP-145: registers `account_id` (default: the caller) if needed and credits the attached deposit to
    /// its storage balance. See the module docs.
    #[payable]
    #[handle_result]
    pub fn storage_deposit(
        &mut self,
        account_id: Option<AccountId>,
        registration_only: Option<bool>,
    ) -> Result<StorageBalance, RegistryError> {
        let attached = env::attached_deposit();
        let account = account_id.unwrap_or_else(env::predecessor_account_id);
        let (record, refund) = nexus_storage_balance::deposit(
            &key(&account),
            &env::predecessor_account_id(),
            attached,
            registration_only.unwrap_or(false),
        )
        .map_err(|e| RegistryError::InsufficientDeposit {
            attached: e.attached.as_yoctonear(),
            required: e.min.as_yoctonear(),
            detail: "storage_balance_bounds().min registers an account".into(),
        })?;
        let balance = StorageBalance::from(record);
        RegistryEvent::StorageDeposited {
            account_id: account,
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
    pub fn storage_withdraw(
        &mut self,
        amount: Option<NearToken>,
    ) -> Result<StorageBalance, RegistryError> {
        require_one_yocto()?;
        let account = env::predecessor_account_id();
        let (record, amount) = nexus_storage_balance::withdraw(&key(&account), &account, amount)
            .map_err(|e| match e {
                WithdrawError::NotRegistered => RegistryError::NotRegistered(account.clone()),
                WithdrawError::TooMuch {
                    requested,
                    available,
                } => RegistryError::WithdrawTooMuch {
                    requested: requested.as_yoctonear(),
                    available: available.as_yoctonear(),
                },
            })?;
        let balance = StorageBalance::from(record);
        RegistryEvent::StorageWithdrawn {
            account_id: account,
            amount,
            available: balance.available,
        }
        .emit();
        Ok(balance)
    }

    /// NEP-145: deletes the caller's balance record and sends its total back. Records the account paid for
    /// stay; `force` changes nothing (there is nothing else to delete). Exactly 1 yoctoNEAR. `false` if the
    /// caller was not registered.
    #[payable]
    #[handle_result]
    pub fn storage_unregister(&mut self, force: Option<bool>) -> Result<bool, RegistryError> {
        let _ = force;
        require_one_yocto()?;
        let account = env::predecessor_account_id();
        let Some(refunded) = nexus_storage_balance::unregister(&key(&account), &account) else {
            return Ok(false);
        };
        RegistryEvent::StorageUnregistered {
            account_id: account,
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
