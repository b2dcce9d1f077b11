//! Function-call access keys for key-based agents: receiver = the vault, methods = the agent
//! entry points, allowance from the grant (paid from the vault balance as gas is used). Such an
//! agent needs no account and no NEAR; the vault recognises it by `signer_account_pk`.
//! Revoking the grant (or `revoke_all`) deletes the key.
use near_sdk::json_types::U64;
use near_sdk::{Allowance, NearToken, Promise, PublicKey, env, near};

use crate::errors::VaultError;
use crate::events::VaultEvent;
use crate::grants::{GrantId, KeyState};
use crate::limits::{DEFAULT_KEY_ALLOWANCE, KEY_CALLBACK_GAS};
use crate::{AgentVault, AgentVaultExt};

/// Methods an agent key may call. None of them accepts a deposit (keys cannot attach one).
pub const AGENT_METHODS: &str = "execute,delegate,revoke_delegated";

#[near]
impl AgentVault {
    /// Private callback of adding an agent key: records whether the key exists.
    #[private]
    #[handle_result]
    pub fn on_key_added(
        &mut self,
        grant_id: U64,
        public_key: PublicKey,
    ) -> Result<bool, VaultError> {
        Self::require_self("on_key_added")?;
        let added = env::promise_result_checked(0, 0).is_ok();
        if let Some(mut grant) = self.load_grant(grant_id.0)
            && grant.key_state == KeyState::Pending
        {
            grant.key_state = if added {
                KeyState::Added
            } else {
                KeyState::Failed
            };
            if !added && self.agent_keys.get(&public_key) == Some(&grant_id.0) {
                self.agent_keys.remove(&public_key);
            }
            self.put_grant(grant_id.0, grant);
        }
        VaultEvent::AgentKeyAdded {
            grant_id,
            public_key: &public_key,
            success: added,
        }
        .emit();
        Ok(added)
    }
}

impl AgentVault {
    pub(crate) fn add_agent_key(&self, grant_id: GrantId, key: PublicKey, allowance: NearToken) {
        let allowance = Allowance::limited(allowance)
            .or_else(|| Allowance::limited(DEFAULT_KEY_ALLOWANCE))
            .unwrap_or_else(Allowance::unlimited);
        let vault = env::current_account_id();
        Promise::new(vault.clone())
            .add_access_key_allowance(key.clone(), allowance, vault.clone(), AGENT_METHODS)
            .then(
                Self::ext(vault)
                    .with_static_gas(KEY_CALLBACK_GAS)
                    .with_unused_gas_weight(0)
                    .on_key_added(U64(grant_id), key),
            )
            .detach();
    }

    pub(crate) fn delete_agent_key(&self, grant_id: GrantId, key: PublicKey) {
        VaultEvent::AgentKeyDeleted {
            grant_id: U64(grant_id),
            public_key: &key,
        }
        .emit();
        Promise::new(env::current_account_id())
            .delete_key(key)
            .detach();
    }
}
