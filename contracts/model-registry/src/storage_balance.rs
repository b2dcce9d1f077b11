//! NEP-145 storage management: a prepaid storage balance per account, as an alternative to attaching the
//! storage deposit to every write.
//!
//! # Why both
//!
//! A write paid by its attached deposit refunds the excess with a transfer: a receipt that burns ~0.45 TGas
//! (send + execution of a transfer action) plus its gas-refund receipt, on every call. A registered account
//! pays from its balance instead (attaching 1 yoctoNEAR) — one small record read and written (~0.12 TGas) and
//! no transfer. Publishers who write often
//! (a release pipeline publishing versions, an auditor attesting) register once; occasional callers keep
//! attaching a deposit. Either way the caller pays exactly the bytes its call added (see [`crate::storage`]).
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

use near_sdk::borsh::{self, BorshSerialize};
use near_sdk::{AccountId, IntoStorageKey, NearToken, env, near};

use crate::VersionedContract;
#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::errors::RegistryError;
use crate::events::RegistryEvent;
use crate::storage::{bytes_cost, require_one_yocto, transfer};
use crate::storage_keys::StorageKey;

/// Longest NEAR account id: the registration bound is priced for it.
const MAX_ACCOUNT_ID_LEN: u64 = 64;
/// Bytes the protocol counts per storage record on top of key and value (`storage_num_extra_bytes_record`).
const RECORD_OVERHEAD: u64 = 40;

/// What the registry holds for a registered account.
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageAccount {
    /// Spendable on storage or withdrawable.
    pub available: NearToken,
    /// Cost of this record's own bytes, returned by `storage_unregister`.
    pub locked: NearToken,
}

/// NEP-145 `StorageBalance`.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageBalance {
    pub total: NearToken,
    pub available: NearToken,
}

/// NEP-145 `StorageBalanceBounds`.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageBalanceBounds {
    pub min: NearToken,
    pub max: Option<NearToken>,
}

impl From<StorageAccount> for StorageBalance {
    fn from(a: StorageAccount) -> Self {
        Self {
            total: a.available.saturating_add(a.locked),
            available: a.available,
        }
    }
}

fn key(account: &AccountId) -> Vec<u8> {
    StorageKey::StorageBalance {
        account: account.clone(),
    }
    .into_storage_key()
}

/// The balance record of `account`, if registered.
pub fn load(account: &AccountId) -> Option<StorageAccount> {
    env::storage_read(&key(account)).map(|bytes| {
        borsh::from_slice(&bytes)
            .unwrap_or_else(|_| env::panic_str("corrupt storage balance record"))
    })
}

pub fn store(account: &AccountId, record: &StorageAccount) {
    env::storage_write(&key(account), &encode(record));
}

fn encode<T: BorshSerialize>(value: &T) -> Vec<u8> {
    borsh::to_vec(value)
        .unwrap_or_else(|_| env::panic_str("cannot encode a storage balance record"))
}

/// The storage cost of a balance record for the longest account id: the deposit that registers anyone.
pub fn registration_bound() -> Result<NearToken, RegistryError> {
    // key: 1-byte prefix + 4-byte length + id; value: two u128; plus the per-record overhead.
    let value = 32;
    let bytes = 1 + 4 + MAX_ACCOUNT_ID_LEN + value + RECORD_OVERHEAD;
    bytes_cost(bytes)
}

/// Pays `amount` owed to `account`: credited to its balance when registered, transferred otherwise.
pub fn credit_or_transfer(account: &AccountId, amount: NearToken) {
    if amount.is_zero() {
        return;
    }
    match load(account) {
        Some(mut record) => {
            record.available = record.available.saturating_add(amount);
            store(account, &record);
        }
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
        let registration_only = registration_only.unwrap_or(false);
        let (record, refund) = match load(&account) {
            Some(record) if registration_only => (record, attached),
            Some(mut record) => {
                record.available = record
                    .available
                    .checked_add(attached)
                    .ok_or(RegistryError::Overflow("storage balance"))?;
                (record, NearToken::from_yoctonear(0))
            }
            None => {
                let min = registration_bound()?;
                if attached < min {
                    return Err(RegistryError::InsufficientDeposit {
                        attached: attached.as_yoctonear(),
                        required: min.as_yoctonear(),
                        detail: "storage_balance_bounds().min registers an account".into(),
                    });
                }
                // Measure this record's bytes: the value's length does not depend on the amounts.
                let before = env::storage_usage();
                let zero = NearToken::from_yoctonear(0);
                store(
                    &account,
                    &StorageAccount {
                        available: zero,
                        locked: zero,
                    },
                );
                let locked = bytes_cost(env::storage_usage().saturating_sub(before))?;
                let rest = attached.saturating_sub(locked);
                if registration_only {
                    (
                        StorageAccount {
                            available: zero,
                            locked,
                        },
                        rest,
                    )
                } else {
                    (
                        StorageAccount {
                            available: rest,
                            locked,
                        },
                        zero,
                    )
                }
            }
        };
        store(&account, &record);
        transfer(&env::predecessor_account_id(), refund);
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
        let mut record = load(&account).ok_or(RegistryError::NotRegistered(account.clone()))?;
        let amount = amount.unwrap_or(record.available);
        if amount > record.available {
            return Err(RegistryError::WithdrawTooMuch {
                requested: amount.as_yoctonear(),
                available: record.available.as_yoctonear(),
            });
        }
        record.available = record.available.saturating_sub(amount);
        store(&account, &record);
        transfer(&account, amount);
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
        let Some(record) = load(&account) else {
            return Ok(false);
        };
        env::storage_remove(&key(&account));
        let total = StorageBalance::from(record).total;
        transfer(&account, total);
        RegistryEvent::StorageUnregistered {
            account_id: account,
            refunded: total,
        }
        .emit();
        Ok(true)
    }

    /// NEP-145: the storage balance of `account_id`, or `null` if it is not registered.
    pub fn storage_balance_of(&self, account_id: AccountId) -> Option<StorageBalance> {
        load(&account_id).map(StorageBalance::from)
    }

    /// NEP-145: `min` registers any account id; there is no maximum.
    #[handle_result]
    pub fn storage_balance_bounds(&self) -> Result<StorageBalanceBounds, RegistryError> {
        Ok(StorageBalanceBounds {
            min: registration_bound()?,
            max: None,
        })
    }
}
