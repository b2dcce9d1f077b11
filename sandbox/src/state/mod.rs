//! Versioned state: `TrieKey` bytes -> value, with per-block history so that queries at any block
//! read that block's post-state.
//!
//! * [`Store`] is the committed, append-only history: for every raw `TrieKey` the list of
//!   `(height, value)` writes (a `None` value is a deletion). A read "at `h`" sees the last write at
//!   or below `h`, so skipped heights (fast-forward) read the state of the block before them.
//! * [`StateUpdate`] (in [`update`]) is a writable view on top of the Store at one height, with a
//!   committed layer (this chunk so far) and a prospective layer (the receipt being applied) that
//!   can be rolled back, like nearcore's `TrieUpdate`.
//! * [`records`] loads genesis records (recomputing storage usage like nearcore's genesis
//!   `StorageComputer`) and applies `sandbox_patch_state` records verbatim.
//!
//! There is no Merkle trie: [`Store::state_root`] is a digest of the live key-value pairs (see
//! [`StateDigest`]), kept up to date write by write, which is all the chain needs for headers and
//! view-call seeds.

mod records;
mod update;

use std::collections::BTreeMap;
use std::ops::Bound;

use borsh::BorshDeserialize;
use near_crypto::PublicKey;
use near_parameters::RuntimeConfig;
use near_primitives::account::{AccessKey, Account};
use near_primitives::hash::CryptoHash;
use near_primitives::state_record::StateRecord;
use near_primitives::trie_key::TrieKey;
use near_primitives::trie_key::trie_key_parsers;
use near_primitives::types::{AccountId, BlockHeight};
use sha2::{Digest, Sha256};

pub use records::storage_usage_of_records;
pub use update::StateUpdate;

/// The writes of one key, oldest first: `(height, Some(value))` or `(height, None)` for a deletion.
type History = Vec<(BlockHeight, Option<Vec<u8>>)>;

/// The committed state of the chain with its full per-block history (append-only).
#[derive(Debug, Default)]
pub struct Store {
    entries: BTreeMap<Vec<u8>, History>,
    /// The digest of the live (newest) state.
    digest: StateDigest,
    /// The state root after each commit, by the commit's height; a height without a commit has
    /// the root of the closest committed height below it.
    roots: BTreeMap<BlockHeight, CryptoHash>,
}

/// An order-independent digest of a set of key-value pairs: the sum, modulo 2^256, of
/// sha256(len(key) ‖ key ‖ len(value) ‖ value) over the pairs. Adding or removing one pair is
/// one hash, so a block's root costs O(its writes) rather than O(state) (hashing the whole
/// state per block made every block slower as the state grew). This is an additive multiset
/// hash: fine as a content fingerprint for a local node, not a commitment an adversary can't
/// forge, and not nearcore's Merkle root (no proofs are served).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct StateDigest([u64; 4]);

impl StateDigest {
    fn entry_hash(key: &[u8], value: &[u8]) -> [u64; 4] {
        let mut hasher = Sha256::new();
        hasher.update((key.len() as u64).to_le_bytes());
        hasher.update(key);
        hasher.update((value.len() as u64).to_le_bytes());
        hasher.update(value);
        let bytes: [u8; 32] = hasher.finalize().into();
        std::array::from_fn(|i| {
            u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8 bytes"))
        })
    }

    fn add(&mut self, key: &[u8], value: &[u8]) {
        let limbs = Self::entry_hash(key, value);
        let mut carry = false;
        for (acc, limb) in self.0.iter_mut().zip(limbs) {
            let (sum, c1) = acc.overflowing_add(limb);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *acc = sum;
            carry = c1 || c2;
        }
    }

    fn remove(&mut self, key: &[u8], value: &[u8]) {
        let limbs = Self::entry_hash(key, value);
        let mut borrow = false;
        for (acc, limb) in self.0.iter_mut().zip(limbs) {
            let (diff, b1) = acc.overflowing_sub(limb);
            let (diff, b2) = diff.overflowing_sub(u64::from(borrow));
            *acc = diff;
            borrow = b1 || b2;
        }
    }

    fn root(&self) -> CryptoHash {
        let mut hasher = Sha256::new();
        for limb in self.0 {
            hasher.update(limb.to_le_bytes());
        }
        CryptoHash(hasher.finalize().into())
    }
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes genesis records (Account, AccessKey, Contract, Data) at height 0, recomputing each
    /// account's storage_usage like nearcore's genesis StorageComputer.
    pub fn load_genesis(
        &mut self,
        records: &[StateRecord],
        config: &RuntimeConfig,
    ) -> anyhow::Result<()> {
        records::load_genesis(self, records, config)
    }

    /// Writes sandbox_patch_state records verbatim (no storage recomputation) as part of block
    /// `height`. Fails (without writing anything) if a Contract record's code hash differs from
    /// the account's code_hash.
    pub fn apply_patch(
        &mut self,
        records: &[StateRecord],
        height: BlockHeight,
    ) -> Result<(), String> {
        records::apply_patch(self, records, height)
    }

    /// The account as of the end of block `at`.
    pub fn account(&self, id: &AccountId, at: BlockHeight) -> Option<Account> {
        self.get_borsh(
            &TrieKey::Account {
                account_id: id.clone(),
            },
            at,
        )
    }

    /// One access key as of the end of block `at`.
    pub fn access_key(&self, id: &AccountId, pk: &PublicKey, at: BlockHeight) -> Option<AccessKey> {
        self.get_borsh(&TrieKey::access_key(id.clone(), pk), at)
    }

    /// All access keys of `id` (ordered by their trie key) as of the end of block `at`. Keys whose
    /// trie entry is only a hash of the public key (ML-DSA-65) cannot be turned back into a
    /// `PublicKey` and are left out.
    pub fn access_keys(&self, id: &AccountId, at: BlockHeight) -> Vec<(PublicKey, AccessKey)> {
        let prefix = trie_key_parsers::get_raw_prefix_for_access_keys(id);
        self.scan_prefix(&prefix, None, at)
            .into_iter()
            .filter_map(|(key, value)| {
                let pk = PublicKey::try_from_slice(key.get(prefix.len()..)?).ok()?;
                let ak = AccessKey::try_from_slice(&value).ok()?;
                Some((pk, ak))
            })
            .collect()
    }

    /// The deployed (local) contract code of `id` as of the end of block `at`.
    pub fn code(&self, id: &AccountId, at: BlockHeight) -> Option<Vec<u8>> {
        self.get_raw(
            &TrieKey::ContractCode {
                account_id: id.clone(),
            }
            .to_vec(),
            at,
        )
    }

    /// Contract data under `prefix`, ordered by key; at most `limit` entries after `after_key`.
    pub fn contract_data(
        &self,
        id: &AccountId,
        prefix: &[u8],
        after_key: Option<&[u8]>,
        limit: Option<usize>,
        at: BlockHeight,
    ) -> Vec<(Vec<u8>, Vec<u8>)> {
        let account_prefix = trie_key_parsers::get_raw_prefix_for_contract_data(id, &[]);
        let raw_prefix = trie_key_parsers::get_raw_prefix_for_contract_data(id, prefix);
        let after_raw = after_key.map(|k| [account_prefix.as_slice(), k].concat());
        let mut out: Vec<_> = self
            .scan_prefix(&raw_prefix, after_raw.as_deref(), at)
            .into_iter()
            .map(|(k, v)| (k[account_prefix.len()..].to_vec(), v))
            .collect();
        if let Some(limit) = limit {
            out.truncate(limit);
        }
        out
    }

    /// A digest of the whole state at `at` (used as the state root in block headers and as the
    /// view-call seed).
    pub fn state_root(&self, at: BlockHeight) -> CryptoHash {
        self.roots
            .range(..=at)
            .next_back()
            .map(|(_, root)| *root)
            .unwrap_or_else(|| StateDigest::default().root())
    }

    /// The raw value of a raw trie key as of the end of block `at`.
    pub fn get_raw(&self, key: &[u8], at: BlockHeight) -> Option<Vec<u8>> {
        self.entries.get(key).and_then(|h| value_at(h, at)).cloned()
    }

    /// A borsh value under a trie key as of the end of block `at` (None if absent or undecodable).
    pub fn get_borsh<T: BorshDeserialize>(&self, key: &TrieKey, at: BlockHeight) -> Option<T> {
        self.get_raw(&key.to_vec(), at)
            .and_then(|v| T::try_from_slice(&v).ok())
    }

    /// Live raw entries whose key starts with `prefix` (and is strictly greater than `after`, when
    /// given), ordered by key, as of the end of block `at`.
    pub fn scan_prefix(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        at: BlockHeight,
    ) -> Vec<(Vec<u8>, Vec<u8>)> {
        let start = match after {
            Some(after) if after >= prefix => Bound::Excluded(after.to_vec()),
            _ => Bound::Included(prefix.to_vec()),
        };
        self.entries
            .range((start, Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter_map(|(k, h)| value_at(h, at).map(|v| (k.clone(), v.clone())))
            .collect()
    }

    /// Appends a batch of writes (`None` = delete) as the post-state of block `height`. A second
    /// commit at the same height overwrites that height's entry for the key.
    pub fn commit(
        &mut self,
        changes: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>,
        height: BlockHeight,
    ) {
        self.roots.split_off(&height);
        for (key, value) in changes {
            let history = self.entries.entry(key.clone()).or_default();
            match history.last_mut() {
                Some((h, _)) if *h > height => {
                    // History is append-only; a write below the newest height would rewrite the
                    // past. The chain never does this; keep the newest entry authoritative.
                    tracing::warn!(target: "sandbox::state", height, newest = *h, "write below history head ignored");
                    continue;
                }
                Some((_, Some(old))) => self.digest.remove(&key, old),
                _ => {}
            }
            if let Some(new) = &value {
                self.digest.add(&key, new);
            }
            match history.last_mut() {
                Some((h, v)) if *h == height => *v = value,
                _ => history.push((height, value)),
            }
        }
        self.roots.insert(height, self.digest.root());
    }
}

fn value_at(history: &History, at: BlockHeight) -> Option<&Vec<u8>> {
    let idx = history.partition_point(|(h, _)| *h <= at);
    if idx == 0 {
        None
    } else {
        history[idx - 1].1.as_ref()
    }
}

#[cfg(test)]
mod tests;
