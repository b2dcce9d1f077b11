//! Append-only audit log of every agent action. Entries are never removed or reordered; the
//! only change to an entry is its outcome, written once when the call settles (`pending` ->
//! final). `Outcome` has unit variants only, so that write never changes the entry's size.
use near_sdk::json_types::{U64, U128};
use near_sdk::{AccountId, env, near};

use crate::AgentVault;
use crate::grants::{AgentId, GrantId};

#[near(serializers = [borsh, json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Reserved; the call (or the model check before it) is in flight.
    Pending,
    Succeeded,
    /// The receiver failed; the deposit came back to the vault.
    Failed,
    /// Not made: the bound model version is revoked.
    RefusedModelRevoked,
    /// Not made: the registry did not answer with a known status.
    RefusedModelCheckFailed,
    /// Not made: while the model was being checked, the grant (or an ancestor) stopped being
    /// active or the vault was paused.
    RefusedGrantInactive,
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionRecord {
    pub action_id: U64,
    pub grant_id: U64,
    pub agent: AgentId,
    pub receiver_id: AccountId,
    pub method_name: String,
    pub deposit: U128,
    pub block_height: U64,
    pub timestamp_ns: U64,
    /// Start of the rate window the call was reserved in, per grant of the chain (leaf first).
    pub windows: Vec<U64>,
    pub outcome: Outcome,
}

impl AgentVault {
    /// Appends a pending entry and returns its id.
    pub(crate) fn log_action(
        &mut self,
        grant_id: GrantId,
        agent: &AgentId,
        receiver_id: &AccountId,
        method_name: &str,
        deposit: u128,
        windows: Vec<U64>,
    ) -> u64 {
        let action_id = u64::from(self.actions.len());
        self.actions.push(ActionRecord {
            action_id: U64(action_id),
            grant_id: U64(grant_id),
            agent: agent.clone(),
            receiver_id: receiver_id.clone(),
            method_name: method_name.to_owned(),
            deposit: U128(deposit),
            block_height: U64(env::block_height()),
            timestamp_ns: U64(env::block_timestamp()),
            windows,
            outcome: Outcome::Pending,
        });
        action_id
    }
}
