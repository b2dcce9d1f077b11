//! Storage accounting: whoever causes storage pays for it, in the same call.
//!
//! A write method records `env::storage_usage()` on entry ([`StorageCharge::start`]), does its work, flushes
//! every collection so all bytes are really written, and then [`StorageCharge::settle`] compares usage again:
//! the bytes added cost `bytes × env::storage_byte_cost()`. Who pays:
//!
//! - a caller registered with [`crate::storage_balance`] (NEP-145) that attaches exactly 1 yoctoNEAR: the
//!   yoctoNEAR is credited to its storage balance and the cost drawn from it — no refund transfer;
//! - any other call: the attached deposit, and the excess is refunded by a transfer created in the same call.
//!
//! Too little (deposit, or deposit + balance) fails the call with the exact amount required. Because storage
//! is measured, not estimated, the required amount is exact: calling again with it succeeds.
//!
//! Also here: per-entity append-only lists (a `LookupMap<u32, T>` under a nested prefix, length kept in the
//! parent record). They are opened for the duration of one operation and written when dropped, so nothing
//! stays cached past the measurement.

use near_sdk::borsh::{BorshDeserialize, BorshSerialize};
use near_sdk::store::LookupMap;
use near_sdk::{AccountId, NearToken, Promise, env};

use crate::errors::RegistryError;
use crate::storage_balance;
use crate::storage_keys::StorageKey;

/// What a write call started with.
#[must_use]
pub struct StorageCharge {
    start: u64,
    pub payer: AccountId,
    pub attached: NearToken,
}

/// What a settled call paid.
pub struct Settled {
    /// Cost of the bytes the call added (zero if it freed bytes).
    pub storage_cost: NearToken,
}

impl StorageCharge {
    /// Starts measuring. Every write needs a deposit of at least 1 yoctoNEAR, which also proves the call was
    /// signed with a full-access key.
    pub fn start() -> Result<Self, RegistryError> {
        let attached = env::attached_deposit();
        if attached.is_zero() {
            return Err(RegistryError::DepositRequired);
        }
        Ok(Self {
            start: env::storage_usage(),
            payer: env::predecessor_account_id(),
            attached,
        })
    }

    /// Bytes added since [`Self::start`] (of what has been flushed).
    pub fn added_bytes(&self) -> u64 {
        env::storage_usage().saturating_sub(self.start)
    }

    /// [`Self::settle`] for calls that forward nothing.
    pub fn settle_and_refund(&self) -> Result<Settled, RegistryError> {
        self.settle(NearToken::from_yoctonear(0))
    }

    /// Charges the storage added since [`Self::start`] plus `forwarded` (an amount the call sends elsewhere)
    /// to the caller's storage balance if it is registered and attached exactly 1 yoctoNEAR, else to the
    /// attached deposit with the rest refunded. Collections must be flushed before calling this.
    pub fn settle(&self, forwarded: NearToken) -> Result<Settled, RegistryError> {
        self.settle_bytes(self.added_bytes(), forwarded)
    }

    /// [`Self::settle`] for `bytes` given rather than measured: a call may hold bytes for a while that it does
    /// not charge (see `publish_version`).
    pub fn settle_bytes(&self, bytes: u64, forwarded: NearToken) -> Result<Settled, RegistryError> {
        let (settled, from_balance) = self.charge(bytes, forwarded)?;
        if !from_balance {
            transfer(
                &self.payer,
                self.attached
                    .saturating_sub(settled.storage_cost)
                    .saturating_sub(forwarded),
            );
        }
        Ok(settled)
    }

    /// Takes `bytes` of storage plus `forwarded` from the caller's balance (`true`) or checks the attached
    /// deposit covers them (`false`).
    fn charge(&self, bytes: u64, forwarded: NearToken) -> Result<(Settled, bool), RegistryError> {
        let storage_cost = bytes_cost(bytes)?;
        let required = storage_cost
            .checked_add(forwarded)
            .ok_or(RegistryError::Overflow("required deposit"))?;
        let detail = || {
            if forwarded.is_zero() {
                format!("{bytes} bytes of storage")
            } else {
                format!(
                    "{bytes} bytes of storage ({} yoctoNEAR) + {} yoctoNEAR forwarded to the lineage contract",
                    storage_cost.as_yoctonear(),
                    forwarded.as_yoctonear()
                )
            }
        };
        let paid = storage_balance::pay(&self.payer, self.attached, required).map_err(|e| {
            RegistryError::InsufficientStorageBalance {
                available: e.available.as_yoctonear(),
                attached: e.attached.as_yoctonear(),
                required: e.required.as_yoctonear(),
                detail: detail(),
            }
        })?;
        if paid.is_some() {
            return Ok((Settled { storage_cost }, true));
        }
        if self.attached < required {
            return Err(RegistryError::InsufficientDeposit {
                attached: self.attached.as_yoctonear(),
                required: required.as_yoctonear(),
                detail: detail(),
            });
        }
        Ok((Settled { storage_cost }, false))
    }
}

/// What `bytes` of storage cost.
pub fn bytes_cost(bytes: u64) -> Result<NearToken, RegistryError> {
    env::storage_byte_cost()
        .checked_mul(u128::from(bytes))
        .ok_or(RegistryError::Overflow("storage cost"))
}

/// Sends `amount` to `to` if it is not zero.
pub fn transfer(to: &AccountId, amount: NearToken) {
    if !amount.is_zero() {
        Promise::new(to.clone()).transfer(amount).detach();
    }
}

/// Fails unless exactly 1 yoctoNEAR is attached (sensitive, storage-neutral actions).
pub fn require_one_yocto() -> Result<(), RegistryError> {
    let attached = env::attached_deposit();
    if attached != NearToken::from_yoctonear(1) {
        return Err(RegistryError::RequiresOneYocto(attached.as_yoctonear()));
    }
    Ok(())
}

/// An append-only list under its own prefix; its length lives in the parent record.
pub struct List<T: BorshSerialize + BorshDeserialize> {
    map: LookupMap<u32, T>,
}

impl<T: BorshSerialize + BorshDeserialize> List<T> {
    pub fn open(key: StorageKey) -> Self {
        Self {
            map: LookupMap::new(key),
        }
    }

    pub fn get(&self, index: u32) -> Option<&T> {
        self.map.get(&index)
    }

    /// Writes `value` at `index` (without reading what was there).
    pub fn set(&mut self, index: u32, value: T) {
        self.map.set(index, Some(value));
    }

    /// Deletes `index` (without reading what was there).
    pub fn remove(&mut self, index: u32) {
        self.map.set(index, None);
    }

    /// Appends at `len` and returns the new length. One storage write, no read.
    pub fn push(&mut self, len: u32, value: T) -> Result<u32, RegistryError> {
        self.map.set(len, Some(value));
        len.checked_add(1)
            .ok_or(RegistryError::Overflow("list length"))
    }
}

/// Validates a page size: defaults to [`crate::limits::DEFAULT_PAGE`], must be in `1..=MAX_PAGE`.
pub fn page_limit(limit: Option<u32>) -> Result<u32, RegistryError> {
    let limit = limit.unwrap_or(crate::limits::DEFAULT_PAGE);
    if limit == 0 || limit > crate::limits::MAX_PAGE {
        return Err(RegistryError::InvalidLimit {
            value: limit,
            max: crate::limits::MAX_PAGE,
        });
    }
    Ok(limit)
}

/// Clamps a page request: `from_index` defaults to 0, `limit` to [`crate::limits::DEFAULT_PAGE`] and must be
/// in `1..=MAX_PAGE`.
pub fn page(
    len: u32,
    from_index: Option<u32>,
    limit: Option<u32>,
) -> Result<core::ops::Range<u32>, RegistryError> {
    let limit = limit.unwrap_or(crate::limits::DEFAULT_PAGE);
    if limit == 0 || limit > crate::limits::MAX_PAGE {
        return Err(RegistryError::InvalidLimit {
            value: limit,
            max: crate::limits::MAX_PAGE,
        });
    }
    let start = from_index.unwrap_or(0).min(len);
    let end = start.saturating_add(limit).min(len);
    Ok(start..end)
}
