//! NEP-145 storage balances, shared by the model registry and the dataset lineage contract: the stored
//! record, the JSON shapes of the standard, and the rules (registration, paying, crediting, withdrawing).
//!
//! A contract keeps one record per registered account under a key of its own choosing (its storage-key
//! enum) and exposes the NEP-145 methods; this crate does the arithmetic and the record I/O, and reports
//! failures as small values the contract turns into its own error messages.
//!
//! Rules (the contracts' READMEs say why): registration keeps the measured cost of the balance record itself
//! (`locked`), the rest of the deposit is `available`; storage bought from the balance is spent, not locked,
//! so `total = available + locked`; unregistering returns `total`.

use near_sdk::borsh::{self, BorshSerialize};
use near_sdk::{NearToken, env, near};

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

/// A withdrawal of more than is available.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooMuch {
    pub requested: NearToken,
    pub available: NearToken,
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

fn encode<T: BorshSerialize>(value: &T) -> Vec<u8> {
    borsh::to_vec(value)
        .unwrap_or_else(|_| env::panic_str("cannot encode a storage balance record"))
}

/// The storage cost of a record for the longest account id: the deposit that registers anyone.
pub fn registration_bound() -> NearToken {
    env::storage_byte_cost()
        .saturating_mul(KEY_OVERHEAD + MAX_ACCOUNT_ID_LEN + VALUE_LEN + RECORD_OVERHEAD)
}

/// `storage_deposit`: registers the account at `key` if needed and credits `attached`. Returns the record
/// (written) and what to refund to the caller: with `registration_only`, everything above the record's cost
/// (all of it when already registered).
pub fn deposit(
    key: &[u8],
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
    Ok((record, refund))
}

/// `storage_withdraw`: takes `amount` (default: all) from the available balance of `record` and writes it.
pub fn withdraw(
    key: &[u8],
    mut record: StorageAccount,
    amount: Option<NearToken>,
) -> Result<(StorageAccount, NearToken), TooMuch> {
    let amount = amount.unwrap_or(record.available);
    if amount > record.available {
        return Err(TooMuch {
            requested: amount,
            available: record.available,
        });
    }
    record.available = record.available.saturating_sub(amount);
    store(key, &record);
    Ok((record, amount))
}

/// `storage_unregister`: deletes the record at `key` and returns what to send back (its total), or `None`
/// if there was none.
pub fn unregister(key: &[u8]) -> Option<NearToken> {
    let record = load(key)?;
    env::storage_remove(key);
    Some(StorageBalance::from(record).total)
}

/// Pays `required` from the record at `key` after crediting `attached` to it. `Ok(None)` if the account is
/// not registered (the caller then pays by deposit).
pub fn pay(
    key: &[u8],
    attached: NearToken,
    required: NearToken,
) -> Result<Option<StorageAccount>, Shortfall> {
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
        let (record, refund) = deposit(KEY, near(1), false).unwrap();
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
        let (record, _) = deposit(KEY, registration_bound(), false).unwrap();
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
        assert_eq!(pay(b"other", one, near(1)), Ok(None));
    }
}
