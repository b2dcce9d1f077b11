//! Storage prefixes. Append-only: never reorder or reuse a variant; retire one by renaming it
//! `_Deprecated<Name>`.
use near_sdk::BorshStorageKey;
use near_sdk::near;

#[near(serializers = [borsh])]
#[derive(BorshStorageKey)]
pub enum StorageKey {
    /// `GrantId -> VersionedGrant`.
    Grants,
    /// `PublicKey -> GrantId` for active key-based agents.
    AgentKeys,
    /// Audit log: `Vector<ActionRecord>`.
    Actions,
}
