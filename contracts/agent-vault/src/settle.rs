//! Settling a reserved call: charge or release the reservation on the grant and every ancestor,
//! record the outcome in the audit log, emit `call_settled`.
//!
//! `on_settle` runs once per agent call, so it is kept cheap: it touches only the grant chain and
//! the action record, never the contract's root state. It opens the two collections directly by
//! their storage prefixes ([`SettleStore`]) instead of loading and rewriting `AgentVault` — one
//! storage read and one write fewer, about 0.15 TGas per call (`nexus-bench vault`).
use near_sdk::json_types::U64;
use near_sdk::store::{LookupMap, Vector};

use crate::audit::{ActionRecord, Outcome};
use crate::events::VaultEvent;
use crate::grants::{Grant, GrantId, VersionedGrant};
use crate::ledger::Settlement;
use crate::limits::MAX_DELEGATION_DEPTH;
use crate::storage_keys::StorageKey;

/// Audit-log entries by index: the contract's `Vector` or, in `on_settle`, a map over the same
/// storage keys.
pub(crate) trait ActionSlots {
    fn record(&self, index: u32) -> Option<ActionRecord>;
    fn put(&mut self, index: u32, record: ActionRecord);
}

impl ActionSlots for Vector<ActionRecord> {
    fn record(&self, index: u32) -> Option<ActionRecord> {
        self.get(index).cloned()
    }

    fn put(&mut self, index: u32, record: ActionRecord) {
        self.replace(index, record);
    }
}

impl ActionSlots for LookupMap<u32, ActionRecord> {
    fn record(&self, index: u32) -> Option<ActionRecord> {
        self.get(&index).cloned()
    }

    fn put(&mut self, index: u32, record: ActionRecord) {
        self.insert(index, record);
    }
}

/// The grants and the audit log, opened by storage prefix without the root state.
///
/// `store::Vector` keeps element `i` under `prefix ‖ u32_le(i)`, which is exactly the key
/// `store::LookupMap<u32, _>` (identity hasher, borsh key) uses under the same prefix, so the map
/// reads and replaces the log's existing entries (`tests::execute` pins this). It must not be used
/// to append: the log's length lives in the root state.
pub(crate) struct SettleStore {
    grants: LookupMap<GrantId, VersionedGrant>,
    actions: LookupMap<u32, ActionRecord>,
}

impl SettleStore {
    pub(crate) fn open() -> Self {
        Self {
            grants: LookupMap::new(StorageKey::Grants),
            actions: LookupMap::new(StorageKey::Actions),
        }
    }

    pub(crate) fn settle(mut self, action_id: u64, how: Settlement, outcome: Outcome) -> Outcome {
        let outcome = settle(&mut self.grants, &mut self.actions, action_id, how, outcome);
        self.grants.flush();
        self.actions.flush();
        outcome
    }
}

/// Ends a pending action on its grant and every ancestor, records the outcome, emits
/// `call_settled`. Never fails (callbacks must commit); settling twice changes nothing.
pub(crate) fn settle(
    grants: &mut LookupMap<GrantId, VersionedGrant>,
    actions: &mut impl ActionSlots,
    action_id: u64,
    how: Settlement,
    outcome: Outcome,
) -> Outcome {
    let Ok(index) = u32::try_from(action_id) else {
        return Outcome::Pending;
    };
    let Some(mut record) = actions.record(index) else {
        return Outcome::Pending;
    };
    if record.outcome != Outcome::Pending {
        return record.outcome;
    }
    let mut next: Option<GrantId> = Some(record.grant_id.0);
    let mut level = 0usize;
    while let Some(id) = next {
        let Some(mut grant) = grants.get(&id).cloned().map(Grant::from) else {
            break;
        };
        let window = record.windows.get(level).map_or(0, |w| w.0);
        grant.usage.settle(record.deposit.0, window, how);
        next = grant.parent_id.map(|p| p.0);
        grants.insert(id, VersionedGrant::V1(grant));
        level = level.saturating_add(1);
        if level > usize::from(MAX_DELEGATION_DEPTH) {
            break;
        }
    }
    record.outcome = outcome;
    let grant_id = record.grant_id;
    let deposit = record.deposit;
    actions.put(index, record);
    VaultEvent::CallSettled {
        action_id: U64(action_id),
        grant_id,
        outcome,
        deposit,
    }
    .emit();
    outcome
}
