//! NEP-145 storage balances, shared by the model registry and the dataset lineage contract: the stored
//! record, the JSON shapes of the standard, and the rules (registration, paying, crediting, withdrawing).
//!
//! A contract keeps one record per registered account under a key of its own choosing (its storage-key
//! enum) and exposes the NEP-145 methods; this crate does the arithmetic, the record I/O and the transfers
//! back to the account, and reports failures as small values the contract turns into its own errors.
//!
//! Rules (the contracts' READMEs say why): only a call that attached exactly 1 yoctoNEAR pays from a balance
//! (any other pays by deposit and reads no record); registration keeps the measured cost of the balance record itself
//! (`locked`), the rest of the deposit is `available`; storage bought from the balance is spent, not locked,
//! so `total = available + locked`; unregistering returns `total`.

use near_sdk::borsh::{self, BorshSerialize};
use near_sdk::{AccountId, NearToken, Promise, env, near};

/// Longest NEAR account id: the registration bound is priced for it.
const MAX_ACCOUNT_ID_LEN: u128 = 64;
/// A record's key: 1-byte storage-key variant + 4-byte length + account id.
const KEY_OVERHEAD: u128 = 1 + 4;
/// Borsh size of [`StorageAccount`].
const VALUE_LEN: u128 = 32;
/// Bytes the protocol counts per storage record on top of key and value (`storage_num_extra_bytes_record`).
const RECORD_OVERHEAD: u128 = 40;

/// What a contract holds for a registered account.
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

/// A deposit below [`registration_bound`] for an account that is not registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BelowBound {
    pub attached: NearToken,
    pub min: NearToken,
}

/// Why a withdrawal was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithdrawError {
    NotRegistered,
    TooMuch {
        requested: NearToken,
        available: NearToken,
    },
}

/// A charge that the balance plus the attached deposit do not cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub available: NearToken,
    pub attached: NearToken,
    pub required: NearToken,
}

/// The record stored at `key`, if any.
pub fn load(key: &[u8]) -> Option<StorageAccount> {
    env::storage_read(key).map(|bytes| {
        borsh::from_slice(&bytes)
            .unwrap_or_else(|_| env::panic_str("corrupt storage balance record"))
    })
}

pub fn store(key: &[u8], record: &StorageAccount) {
    env::storage_write(key, &encode(record));
}

/// The NEP-145 view of the record at `key`, if any.
pub fn balance_of(key: &[u8]) -> Option<StorageBalance> {
    load(key).map(StorageBalance::from)
}

/// NEP-145 bounds: `min` registers any account id; there is no maximum.
pub fn bounds() -> StorageBalanceBounds {
    StorageBalanceBounds {
        min: registration_bound(),
        max: None,
    }
}

fn send(to: &AccountId, amount: NearToken) {
    if !amount.is_zero() {
        Promise::new(to.clone()).transfer(amount).detach();
    }
}

fn encode<T: BorshSerialize>(value: &T) -> Vec<u8> {
    borsh::to_vec(value)
        .unwrap_or_else(|_| env::panic_str("cannot encode a storage balance record"))
}

/// The storage cost of a record for the longest account id: the deposit that registers anyone.
pub fn registration_bound() -> NearToken {
    env::storage_byte_cost()
        .saturating_mul(KEY_OVERHEAD + MAX_ACCOUNT_ID_LEN + VALUE_LEN + RECORD_OVERHEAD)
}

/// `storage_deposit`: registers the account at `key` if needed and credits `attached`. With
/// `registration_only`, everything above the record's cost (all of it when already registered) is sent back
/// to `caller`. Returns the record (written) and what was sent back.
pub fn deposit(
    key: &[u8],
    caller: &AccountId,
    attached: NearToken,
    registration_only: bool,
) -> Result<(StorageAccount, NearToken), BelowBound> {
    let zero = NearToken::from_yoctonear(0);
    let (record, refund) = match load(key) {
        Some(record) if registration_only => (record, attached),
        Some(mut record) => {
            record.available = record.available.saturating_add(attached);
            (record, zero)
        }
        None => {
            let min = registration_bound();
            if attached < min {
                return Err(BelowBound { attached, min });
            }
            // Measure this record's bytes: the value's length does not depend on the amounts.
            let before = env::storage_usage();
            store(
                key,
                &StorageAccount {
                    available: zero,
                    locked: zero,
                },
            );
            let bytes = env::storage_usage().saturating_sub(before);
            let locked = env::storage_byte_cost().saturating_mul(u128::from(bytes));
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
    store(key, &record);
    send(caller, refund);
    Ok((record, refund))
}

/// `storage_withdraw`: sends `account` `amount` (default: all) of the available balance of its record at
/// `key`. Returns the record (written) and the amount sent.
pub fn withdraw(
    key: &[u8],
    account: &AccountId,
    amount: Option<NearToken>,
) -> Result<(StorageAccount, NearToken), WithdrawError> {
    let mut record = load(key).ok_or(WithdrawError::NotRegistered)?;
    let amount = amount.unwrap_or(record.available);
    if amount > record.available {
        return Err(WithdrawError::TooMuch {
            requested: amount,
            available: record.available,
        });
    }
    record.available = record.available.saturating_sub(amount);
    store(key, &record);
    send(account, amount);
    Ok((record, amount))
}

/// `storage_unregister`: deletes the record at `key` and sends its total to `account`. Returns the total, or
/// `None` if there was no record.
pub fn unregister(key: &[u8], account: &AccountId) -> Option<NearToken> {
    let record = load(key)?;
    env::storage_remove(key);
    let total = StorageBalance::from(record).total;
    send(account, total);
    Some(total)
}

/// Pays `required` from the record at `key` after crediting `attached` to it — only for a call that attached
/// exactly 1 yoctoNEAR, so a call paying by deposit reads nothing extra. `Ok(None)` when the call pays by
/// deposit (more attached, or the account is not registered).
pub fn pay(
    key: &[u8],
    attached: NearToken,
    required: NearToken,
) -> Result<Option<StorageAccount>, Shortfall> {
    if attached != NearToken::from_yoctonear(1) {
        return Ok(None);
    }
    let Some(mut record) = load(key) else {
        return Ok(None);
    };
    let funds = record.available.saturating_add(attached);
    if funds < required {
        return Err(Shortfall {
            available: record.available,
            attached,
            required,
        });
    }
    record.available = funds.saturating_sub(required);
    store(key, &record);
    Ok(Some(record))
}

/// Credits `amount` to the record at `key`; `None` (nothing written) if the account is not registered.
pub fn credit(key: &[u8], amount: NearToken) -> Option<StorageAccount> {
    let mut record = load(key)?;
    record.available = record.available.saturating_add(amount);
    store(key, &record);
    Some(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_sdk::test_utils::VMContextBuilder;
    use near_sdk::testing_env;

    const KEY: &[u8] = b"\x07\x09\x00\x00\x00acme.near";

    fn caller() -> AccountId {
        "acme.near".parse().unwrap()
    }

    fn near(n: u128) -> NearToken {
        NearToken::from_near(n)
    }

    fn fresh() {
        testing_env!(VMContextBuilder::new().build());
        near_sdk::mock::with_mocked_blockchain(|b| drop(b.take_storage()));
    }

    #[test]
    fn registration_locks_exactly_the_record_bytes() {
        fresh();
        let before = env::storage_usage();
        let (record, refund) = deposit(KEY, &caller(), near(1), false).unwrap();
        let bytes = u128::from(env::storage_usage() - before);
        assert_eq!(bytes, KEY.len() as u128 + VALUE_LEN + RECORD_OVERHEAD);
        assert_eq!(
            record.locked,
            env::storage_byte_cost().saturating_mul(bytes)
        );
        assert_eq!(record.available, near(1).saturating_sub(record.locked));
        assert_eq!(refund, NearToken::from_yoctonear(0));
        assert_eq!(load(KEY), Some(record));
    }

    #[test]
    fn paying_credits_the_attached_deposit_first_and_refuses_a_shortfall_without_writing() {
        fresh();
        let (record, _) = deposit(KEY, &caller(), registration_bound(), false).unwrap();
        let one = NearToken::from_yoctonear(1);
        let required = record.available.saturating_add(one);
        assert_eq!(
            pay(KEY, one, required)
                .unwrap()
                .unwrap()
                .available
                .as_yoctonear(),
            0
        );
        assert_eq!(
            pay(KEY, one, near(1)),
            Err(Shortfall {
                available: NearToken::from_yoctonear(0),
                attached: one,
                required: near(1)
            })
        );
        assert_eq!(load(KEY).unwrap().available.as_yoctonear(), 0);
        assert_eq!(pay(b"other", one, near(1)), Ok(None), "not registered");
        assert_eq!(
            pay(KEY, near(1), near(1)),
            Ok(None),
            "more than 1 yocto: by deposit"
        );
        assert_eq!(load(KEY).unwrap().available.as_yoctonear(), 0);
    }
}
