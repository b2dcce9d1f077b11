//! A writable view of the state for applying one chunk, modelled on nearcore's `TrieUpdate`:
//! reads go prospective layer -> committed layer -> [`Store`] at the base height. A receipt's writes
//! land in the prospective layer and are either committed or rolled back as a whole.

use std::collections::BTreeMap;
use std::ops::Bound;

use borsh::{BorshDeserialize, BorshSerialize};
use near_crypto::PublicKey;
use near_primitives::account::{AccessKey, Account};
use near_primitives::trie_key::TrieKey;
use near_primitives::types::{AccountId, BlockHeight};

use super::Store;

/// Pending writes: raw trie key -> `Some(value)` or `None` (deleted).
type Layer = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

pub struct StateUpdate<'s> {
    store: &'s Store,
    base_height: BlockHeight,
    committed: Layer,
    prospective: Layer,
}

impl<'s> StateUpdate<'s> {
    /// A view of `store` as of the end of block `base_height`, with no pending writes.
    pub fn new(store: &'s Store, base_height: BlockHeight) -> Self {
        Self {
            store,
            base_height,
            committed: Layer::new(),
            prospective: Layer::new(),
        }
    }

    pub fn base_height(&self) -> BlockHeight {
        self.base_height
    }

    pub fn get_raw(&self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(v) = self.prospective.get(key) {
            return v.clone();
        }
        if let Some(v) = self.committed.get(key) {
            return v.clone();
        }
        self.store.get_raw(key, self.base_height)
    }

    pub fn set_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.prospective.insert(key, Some(value));
    }

    pub fn remove_raw(&mut self, key: Vec<u8>) {
        self.prospective.insert(key, None);
    }

    pub fn get<T: BorshDeserialize>(&self, key: &TrieKey) -> Option<T> {
        self.get_raw(&key.to_vec())
            .and_then(|v| T::try_from_slice(&v).ok())
    }

    pub fn set<T: BorshSerialize>(&mut self, key: &TrieKey, value: &T) {
        let bytes = borsh::to_vec(value).expect("borsh serialization into a Vec cannot fail");
        self.set_raw(key.to_vec(), bytes);
    }

    pub fn remove(&mut self, key: &TrieKey) {
        self.remove_raw(key.to_vec());
    }

    /// Makes the prospective writes part of the chunk's state.
    pub fn commit(&mut self) {
        let prospective = std::mem::take(&mut self.prospective);
        self.committed.extend(prospective);
    }

    /// Drops the prospective writes (a failed receipt).
    pub fn rollback(&mut self) {
        self.prospective.clear();
    }

    /// All committed writes of the chunk (prospective writes must be committed or rolled back).
    pub fn into_changes(self) -> Layer {
        debug_assert!(
            self.prospective.is_empty(),
            "uncommitted prospective writes"
        );
        self.committed
    }

    /// Live raw entries under `prefix`, ordered by key, merged over all layers.
    pub fn scan_prefix(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut merged: BTreeMap<Vec<u8>, Option<Vec<u8>>> = self
            .store
            .scan_prefix(prefix, None, self.base_height)
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect();
        for layer in [&self.committed, &self.prospective] {
            let range = layer
                .range::<[u8], _>((Bound::Included(prefix), Bound::Unbounded))
                .take_while(|(k, _)| k.starts_with(prefix));
            for (k, v) in range {
                merged.insert(k.clone(), v.clone());
            }
        }
        merged
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect()
    }

    // Typed accessors, named like nearcore's `near_store::{get_account, set_account, ...}`.

    pub fn get_account(&self, id: &AccountId) -> Option<Account> {
        self.get(&TrieKey::Account {
            account_id: id.clone(),
        })
    }

    pub fn set_account(&mut self, id: &AccountId, account: &Account) {
        self.set(
            &TrieKey::Account {
                account_id: id.clone(),
            },
            account,
        );
    }

    pub fn get_access_key(&self, id: &AccountId, pk: &PublicKey) -> Option<AccessKey> {
        self.get(&TrieKey::access_key(id.clone(), pk))
    }

    pub fn set_access_key(&mut self, id: &AccountId, pk: &PublicKey, key: &AccessKey) {
        self.set(&TrieKey::access_key(id.clone(), pk), key);
    }

    pub fn remove_access_key(&mut self, id: &AccountId, pk: &PublicKey) {
        self.remove(&TrieKey::access_key(id.clone(), pk));
    }

    pub fn get_code(&self, id: &AccountId) -> Option<Vec<u8>> {
        self.get_raw(
            &TrieKey::ContractCode {
                account_id: id.clone(),
            }
            .to_vec(),
        )
    }

    pub fn set_code(&mut self, id: &AccountId, code: Vec<u8>) {
        self.set_raw(
            TrieKey::ContractCode {
                account_id: id.clone(),
            }
            .to_vec(),
            code,
        );
    }

    /// Removes every key the account owns: account, code, access keys, contract data (nearcore
    /// `remove_account`). Postponed receipts and received data addressed to it stay, as in nearcore.
    pub fn remove_account(&mut self, id: &AccountId) {
        self.remove(&TrieKey::Account {
            account_id: id.clone(),
        });
        self.remove(&TrieKey::ContractCode {
            account_id: id.clone(),
        });
        let prefixes = [
            near_primitives::trie_key::trie_key_parsers::get_raw_prefix_for_access_keys(id),
            near_primitives::trie_key::trie_key_parsers::get_raw_prefix_for_contract_data(id, &[]),
        ];
        for prefix in prefixes {
            for (key, _) in self.scan_prefix(&prefix) {
                self.remove_raw(key);
            }
        }
    }
}
