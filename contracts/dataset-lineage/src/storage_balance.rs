//! NEP-145 storage management: a prepaid storage balance per account, as an alternative to attaching the
//! storage deposit to every write. Same rules as the model registry's (`model-registry/src/storage_balance.rs`).
//!
//! A write paid by its attached deposit refunds the excess with a transfer: a receipt that burns ~0.45 TGas
//! (send + execution) plus its gas refund. A registered caller that attaches exactly 1 yoctoNEAR pays from
//! its balance instead (one small record read and written, ~0.12 TGas; the yoctoNEAR is credited); a call
//! attaching more pays by deposit, as for anyone, and reads no balance.
//!
//! Training usage: when the publisher named by the registry is registered here, the part of the registry's
//! forwarded deposit that the usage records do not use is credited to the publisher's balance here instead
//! of being sent back to the registry (see `usage.rs`): the consent check then sends no refund transfer.
//!
//! - `storage_deposit({account_id?, registration_only?})`: registers (≥ `storage_balance_bounds().min`) and
//!   credits; registration keeps the cost of the balance record's own bytes (`total − available`); with
//!   `registration_only` the rest is refunded (all of it when already registered).
//! - `storage_withdraw({amount?})` (exactly 1 yoctoNEAR) sends `amount` (default: all) of `available`.
//! - `storage_unregister({force?})` (exactly 1 yoctoNEAR) deletes the record and sends `total` back; records
//!   the account paid for stay. `false` if it was not registered.
//! - Storage bought with a balance is spent, not locked: `total` is `available` plus the record's own cost.

use near_sdk::{AccountId, IntoStorageKey, NearToken, Promise, env, near};

use crate::errors::{Error, Result};
use crate::events::Event;
use crate::storage::require_one_yocto;
use crate::storage_keys::StorageKey;
use crate::{Contract, ContractExt};

/// Longest NEAR account id: the registration bound is priced for it.
const MAX_ACCOUNT_ID_LEN: u128 = 64;
/// Bytes the protocol counts per storage record on top of key and value (`storage_num_extra_bytes_record`).
const RECORD_OVERHEAD: u128 = 40;

/// What the contract holds for a registered account.
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
        near_sdk::borsh::from_slice(&bytes)
            .unwrap_or_else(|_| env::panic_str("corrupt storage balance record"))
    })
}

pub fn store(account: &AccountId, record: &StorageAccount) {
    let bytes = near_sdk::borsh::to_vec(record)
        .unwrap_or_else(|_| env::panic_str("cannot encode a storage balance record"));
    env::storage_write(&key(account), &bytes);
}

fn byte_cost(bytes: u128) -> Result<NearToken> {
    env::storage_byte_cost()
        .checked_mul(bytes)
        .ok_or(Error::Overflow("storage cost"))
}

/// The storage cost of a balance record for the longest account id: the deposit that registers anyone.
pub fn registration_bound() -> Result<NearToken> {
    // key: 1-byte prefix + 4-byte length + id; value: two u128; plus the per-record overhead.
    byte_cost(1 + 4 + MAX_ACCOUNT_ID_LEN + 32 + RECORD_OVERHEAD)
}

fn send(to: &AccountId, amount: NearToken) {
    if !amount.is_zero() {
        Promise::new(to.clone()).transfer(amount).detach();
    }
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
        let registration_only = registration_only.unwrap_or(false);
        let zero = NearToken::from_yoctonear(0);
        let (record, refund) = match load(&account) {
            Some(record) if registration_only => (record, attached),
            Some(mut record) => {
                record.available = record
                    .available
                    .checked_add(attached)
                    .ok_or(Error::Overflow("storage balance"))?;
                (record, zero)
            }
            None => {
                let min = registration_bound()?;
                if attached < min {
                    return Err(Error::StorageDeposit {
                        attached: attached.as_yoctonear(),
                        required: min.as_yoctonear(),
                    });
                }
                // Measure this record's bytes: the value's length does not depend on the amounts.
                let before = env::storage_usage();
                store(
                    &account,
                    &StorageAccount {
                        available: zero,
                        locked: zero,
                    },
                );
                let locked = byte_cost(u128::from(env::storage_usage().saturating_sub(before)))?;
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
        send(&env::predecessor_account_id(), refund);
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
        let mut record = load(&account).ok_or_else(|| Error::NotRegistered(account.clone()))?;
        let amount = amount.unwrap_or(record.available);
        if amount > record.available {
            return Err(Error::WithdrawTooMuch {
                requested: amount.as_yoctonear(),
                available: record.available.as_yoctonear(),
            });
        }
        record.available = record.available.saturating_sub(amount);
        store(&account, &record);
        send(&account, amount);
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
        let Some(record) = load(&account) else {
            return Ok(false);
        };
        env::storage_remove(&key(&account));
        let total = StorageBalance::from(record).total;
        send(&account, total);
        Event::StorageUnregistered {
            account_id: &account,
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
    pub fn storage_balance_bounds(&self) -> Result<StorageBalanceBounds> {
        Ok(StorageBalanceBounds {
            min: registration_bound()?,
            max: None,
        })
    }
}
