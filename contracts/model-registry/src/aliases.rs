//! Aliases: named pointers (`production`, `staging`, ...) to versions of a model, set and moved by the owner
//! or maintainers. Every move is appended to the alias's own history (who, when, from, to), so "what was
//! `production` at time T" is answered by `get_alias_at` with a binary search. An alias can only point to a
//! published, non-revoked version; if its version is revoked later, alias views show that status.

use near_sdk::json_types::U64;
use near_sdk::{AccountId, env, near};

use crate::VersionedContract;
#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::errors::RegistryError;
use crate::events::RegistryEvent;
use crate::history::HistoryAction;
use crate::limits::MAX_ALIASES;
use crate::status::VersionStatus;
use crate::storage::{List, StorageCharge};
use crate::storage_keys::StorageKey;
use crate::validate;

#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AliasKey {
    pub model: u64,
    pub alias: String,
}

#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub struct Alias {
    /// Target version string; `None` after `remove_alias`.
    pub version: Option<String>,
    pub updated_at: u64,
    pub updated_by: AccountId,
    pub history_len: u32,
}

/// One move of an alias.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasMove {
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: AccountId,
    pub timestamp: U64,
    pub block_height: U64,
}

pub(crate) fn history_key(model: u64, alias: &str) -> StorageKey {
    StorageKey::AliasHistory {
        model,
        alias: alias.to_string(),
    }
}

impl VersionedContract {
    fn move_alias(
        &mut self,
        model_id: String,
        alias: String,
        to: Option<String>,
    ) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        validate::alias(&alias)?;
        let r = self.registry_mut();
        let model = r.maintained_model(&model_id, &caller)?;
        let model_seq = model.seq;
        let live = model.aliases.contains(&alias);
        let key = AliasKey {
            model: model_seq,
            alias: alias.clone(),
        };
        let from = r.aliases.get(&key).and_then(|a| a.version.clone());
        match &to {
            Some(version) => {
                let v = r.published_version(&model_id, version)?;
                if matches!(v.status, VersionStatus::Revoked { .. }) {
                    return Err(RegistryError::AliasRevokedVersion(v.version_id()));
                }
                if from.as_ref() == Some(version) {
                    return Err(RegistryError::AliasUnchanged {
                        alias,
                        version: version.clone(),
                    });
                }
                if !live && model.aliases.len() >= MAX_ALIASES {
                    return Err(RegistryError::TooMany {
                        field: "aliases".into(),
                        len: model.aliases.len().saturating_add(1),
                        max: MAX_ALIASES,
                    });
                }
            }
            None if !live => return Err(RegistryError::AliasNotFound { model_id, alias }),
            None => {}
        }

        let now = env::block_timestamp();
        let mut history = List::open(history_key(model_seq, &alias));
        let len = r.aliases.get(&key).map_or(0, |a| a.history_len);
        let history_len = history.push(
            len,
            AliasMove {
                from: from.clone(),
                to: to.clone(),
                by: caller.clone(),
                timestamp: U64(now),
                block_height: U64(env::block_height()),
            },
        )?;
        drop(history);
        r.aliases.insert(
            key,
            Alias {
                version: to.clone(),
                updated_at: now,
                updated_by: caller.clone(),
                history_len,
            },
        );
        let model = r.model_mut(&model_id)?;
        match &to {
            Some(_) if !live => model.aliases.push(alias.clone()),
            None => model.aliases.retain(|a| a != &alias),
            Some(_) => {}
        }
        let action = match (&to, &from) {
            (Some(to), from) => HistoryAction::AliasSet {
                alias: alias.clone(),
                from: from.clone(),
                to: to.clone(),
            },
            (None, Some(from)) => HistoryAction::AliasRemoved {
                alias: alias.clone(),
                from: from.clone(),
            },
            (None, None) => return Err(RegistryError::AliasNotFound { model_id, alias }),
        };
        r.record(&model_id, &caller, action)?;
        r.flush();
        charge.settle_and_refund()?;
        match (to, from) {
            (Some(to), from) => RegistryEvent::AliasSet {
                model_id,
                alias,
                from,
                to,
                by: caller,
            }
            .emit(),
            (None, Some(from)) => RegistryEvent::AliasRemoved {
                model_id,
                alias,
                from,
                by: caller,
            }
            .emit(),
            (None, None) => {}
        }
        Ok(())
    }
}

#[near]
impl VersionedContract {
    /// Points `alias` (1–32 bytes of `a-z 0-9 - _`) at a published, non-revoked `version` (owner or
    /// maintainer). At most 32 live aliases per model. Deposit: storage; excess refunded.
    #[payable]
    #[handle_result]
    pub fn set_alias(
        &mut self,
        model_id: String,
        alias: String,
        version: String,
    ) -> Result<(), RegistryError> {
        self.move_alias(model_id, alias, Some(version))
    }

    /// Removes a live alias (owner or maintainer); its history is kept.
    #[payable]
    #[handle_result]
    pub fn remove_alias(&mut self, model_id: String, alias: String) -> Result<(), RegistryError> {
        self.move_alias(model_id, alias, None)
    }
}
