//! Per-grant ledger: what a grant has spent and how often it was used, including reservations
//! of calls still in flight, and the current rate window.
//!
//! Invariants (for every grant, at every moment):
//! - `spent + reserved <= total_budget` — reservations count before the call is made, so calls
//!   in flight at the same time can never overshoot;
//! - `window_spent <= period.budget` and `window_calls <= period.max_calls`, both counting
//!   in-flight calls of the current window;
//! - a sub-grant's call is reserved on the grant and on every ancestor.
//!
//! Settlement: success moves the deposit from `reserved` to `spent`; failure releases it from
//! `reserved` and from the window it was reserved in (the runtime refunds the deposit to the
//! vault). A failed call still counts as a call (it was attempted and cost gas). A call refused
//! before it was made (model revoked) releases the deposit and the call.
use near_sdk::json_types::{U64, U128};
use near_sdk::near;

use crate::errors::{VaultError, VaultResult};
use crate::grants::{GrantId, GrantTerms};

/// Fixed-size record (no `Option`s, no vectors): updating it never changes storage size, so a
/// settle callback cannot fail for lack of balance.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Usage {
    /// Deposits of calls that succeeded.
    pub spent: U128,
    /// Deposits of calls in flight.
    pub reserved: U128,
    pub in_flight: u32,
    /// Calls attempted (reserved), succeeded, failed, refused before being made.
    pub calls: U64,
    pub succeeded: U64,
    pub failed: U64,
    pub refused: U64,
    /// Block time of the last execute (0: never used).
    pub last_used_ns: U64,
    /// Start of the current rate window, and what it holds (in-flight included).
    pub window_start_ns: U64,
    pub window_spent: U128,
    pub window_calls: u32,
}

/// How a reserved call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    Succeeded,
    Failed,
    Refused,
}

impl Usage {
    pub fn new(now_ns: u64) -> Self {
        Self {
            window_start_ns: U64(now_ns),
            ..Default::default()
        }
    }

    /// Moves to the window containing `now_ns` (fixed windows from the grant's creation).
    pub fn roll_window(&mut self, terms: &GrantTerms, now_ns: u64) {
        let Some(period) = &terms.period else {
            return;
        };
        let period_ns = period.period_ns();
        let start = self.window_start_ns.0;
        if period_ns == 0 || now_ns < start {
            return;
        }
        let elapsed = now_ns - start;
        if elapsed >= period_ns {
            self.window_start_ns = U64(now_ns - elapsed % period_ns);
            self.window_spent = U128(0);
            self.window_calls = 0;
        }
    }

    /// Fails unless `calls` more calls carrying `deposit` in total fit every limit of `terms`.
    /// Call `roll_window` first.
    pub fn check(
        &self,
        grant_id: GrantId,
        terms: &GrantTerms,
        deposit: u128,
        calls: u32,
    ) -> VaultResult<()> {
        let overflow = VaultError::Overflow {
            what: "grant budget",
        };
        if let Some(budget) = terms.total_budget {
            let used = self
                .spent
                .0
                .checked_add(self.reserved.0)
                .ok_or(overflow.clone())?;
            if used.checked_add(deposit).ok_or(overflow.clone())? > budget.0 {
                return Err(VaultError::BudgetExhausted {
                    grant_id,
                    spent: self.spent.0,
                    reserved: self.reserved.0,
                    requested: deposit,
                    budget: budget.0,
                });
            }
        }
        if let Some(period) = &terms.period {
            if let Some(budget) = period.budget
                && self
                    .window_spent
                    .0
                    .checked_add(deposit)
                    .ok_or(overflow.clone())?
                    > budget.0
            {
                return Err(VaultError::PeriodBudgetExhausted {
                    grant_id,
                    used: self.window_spent.0,
                    requested: deposit,
                    budget: budget.0,
                });
            }
            if let Some(max) = period.max_calls
                && self.window_calls.checked_add(calls).ok_or(overflow)? > max
            {
                return Err(VaultError::RateExhausted {
                    grant_id,
                    used: self.window_calls,
                    requested: calls,
                    max,
                });
            }
        }
        Ok(())
    }

    /// Reserves one call carrying `deposit`. Call `check` first (this re-checks arithmetic).
    pub fn reserve(&mut self, deposit: u128, now_ns: u64) -> VaultResult<()> {
        let overflow = VaultError::Overflow {
            what: "reservation",
        };
        self.reserved = U128(
            self.reserved
                .0
                .checked_add(deposit)
                .ok_or(overflow.clone())?,
        );
        self.window_spent = U128(
            self.window_spent
                .0
                .checked_add(deposit)
                .ok_or(overflow.clone())?,
        );
        self.window_calls = self.window_calls.checked_add(1).ok_or(overflow.clone())?;
        self.in_flight = self.in_flight.checked_add(1).ok_or(overflow.clone())?;
        self.calls = U64(self.calls.0.checked_add(1).ok_or(overflow)?);
        self.last_used_ns = U64(now_ns);
        Ok(())
    }

    /// Ends a reservation made in the window starting `window_start_ns`. Never fails: it runs in
    /// callbacks, which must always commit. Releasing uses saturating arithmetic because the
    /// reservation is known to be included in the counters it is released from.
    pub fn settle(&mut self, deposit: u128, window_start_ns: u64, how: Settlement) {
        self.reserved = U128(self.reserved.0.saturating_sub(deposit));
        self.in_flight = self.in_flight.saturating_sub(1);
        let same_window = self.window_start_ns.0 == window_start_ns;
        match how {
            Settlement::Succeeded => {
                self.spent = U128(self.spent.0.saturating_add(deposit));
                self.succeeded = U64(self.succeeded.0.saturating_add(1));
            }
            Settlement::Failed => {
                if same_window {
                    self.window_spent = U128(self.window_spent.0.saturating_sub(deposit));
                }
                self.failed = U64(self.failed.0.saturating_add(1));
            }
            Settlement::Refused => {
                if same_window {
                    self.window_spent = U128(self.window_spent.0.saturating_sub(deposit));
                    self.window_calls = self.window_calls.saturating_sub(1);
                }
                self.refused = U64(self.refused.0.saturating_add(1));
            }
        }
    }
}
