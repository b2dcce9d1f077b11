//! Versioned state: `TrieKey` bytes -> value, with per-block history so that queries at any block
//! read that block's post-state. OWNED BY THE RUNTIME HELPER; the API below is the contract the chain
//! and RPC layers rely on.
//!
//! Interface (implement exactly these public items; more are allowed):
//!
//! ```ignore
//! pub struct Store;                      // Send + Sync-free is fine; the chain owns it behind a Mutex
//! impl Store {
//!     pub fn new() -> Self;
//!     /// Writes genesis records (Account, AccessKey, Contract, Data) at height 0, recomputing each
//!     /// account's storage_usage like nearcore's genesis StorageComputer.
//!     pub fn load_genesis(&mut self, records: &[StateRecord], config: &RuntimeConfig) -> anyhow::Result<()>;
//!     /// Writes sandbox_patch_state records verbatim (no storage recomputation) as part of block `height`.
//!     /// Fails (without writing anything) if a Contract record's code hash differs from the account's code_hash.
//!     pub fn apply_patch(&mut self, records: &[StateRecord], height: BlockHeight) -> Result<(), String>;
//!     // Reads as of the end of block `at`:
//!     pub fn account(&self, id: &AccountId, at: BlockHeight) -> Option<Account>;
//!     pub fn access_key(&self, id: &AccountId, pk: &PublicKey, at: BlockHeight) -> Option<AccessKey>;
//!     pub fn access_keys(&self, id: &AccountId, at: BlockHeight) -> Vec<(PublicKey, AccessKey)>;
//!     pub fn code(&self, id: &AccountId, at: BlockHeight) -> Option<Vec<u8>>;
//!     /// Contract data under `prefix`, ordered by key; at most `limit` entries after `after_key`.
//!     pub fn contract_data(&self, id: &AccountId, prefix: &[u8], after_key: Option<&[u8]>, limit: Option<usize>, at: BlockHeight) -> Vec<(Vec<u8>, Vec<u8>)>;
//!     /// A digest of the whole state at `at` (used as the state root in block headers and as the view-call seed).
//!     pub fn state_root(&self, at: BlockHeight) -> CryptoHash;
//!     /// Drops all history after `height` is NOT needed; history is append-only.
//! }
//! ```
