//! NEP-297 events, standard `nexus-agent-vault`, one version per variant. Amounts and ids are
//! strings (`U128`/`U64`). Tests assert the exact `EVENT_JSON:` lines.
use near_sdk::json_types::{U64, U128};
use near_sdk::{AccountId, PublicKey, near};

use crate::audit::Outcome;
use crate::grants::AgentId;

#[near(event_json(standard = "nexus-agent-vault"))]
#[must_use = "call `.emit()`"]
pub enum VaultEvent<'a> {
    #[event_version("1.0.0")]
    VaultInitialized { owner_id: &'a AccountId },

    /// An owner grant (`delegated_by` absent) or a sub-grant.
    #[event_version("1.0.0")]
    GrantCreated {
        grant_id: U64,
        agent: &'a AgentId,
        #[serde(skip_serializing_if = "Option::is_none")]
        parent_id: Option<U64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        delegated_by: Option<&'a AgentId>,
        storage_bytes: U64,
    },

    /// A grant and its whole subtree (only grants not revoked before are listed).
    #[event_version("1.0.0")]
    GrantRevoked {
        grant_ids: Vec<U64>,
        revoked_by: &'a AgentId,
    },

    #[event_version("1.0.0")]
    AllGrantsRevoked { epoch: u32, keys_deleted: u32 },

    /// The vault asked the runtime to add (or delete) an agent's function-call key.
    #[event_version("1.0.0")]
    AgentKeyAdded {
        grant_id: U64,
        public_key: &'a PublicKey,
        success: bool,
    },

    #[event_version("1.0.0")]
    AgentKeyDeleted {
        grant_id: U64,
        public_key: &'a PublicKey,
    },

    /// Budget and rate reserved, call scheduled (or waiting for the model check).
    #[event_version("1.0.0")]
    CallStarted {
        action_id: U64,
        grant_id: U64,
        receiver_id: &'a AccountId,
        method_name: &'a str,
        deposit: U128,
    },

    /// The call finished (`succeeded`/`failed`) or was refused before it was made.
    #[event_version("1.0.0")]
    CallSettled {
        action_id: U64,
        grant_id: U64,
        outcome: Outcome,
        deposit: U128,
    },

    #[event_version("1.0.0")]
    VaultPaused { paused: bool },

    #[event_version("1.0.0")]
    Deposited {
        account_id: &'a AccountId,
        amount: U128,
    },

    #[event_version("1.0.0")]
    Withdrawn {
        receiver_id: &'a AccountId,
        amount: U128,
    },

    #[event_version("1.0.0")]
    Upgraded { code_len: U64 },
}
