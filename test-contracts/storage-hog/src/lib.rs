//! Test contract: writes and frees large values, to exercise storage staking
//! (`LackBalanceForState`) and storage-usage accounting.
use near_sdk::store::LookupMap;
use near_sdk::{BorshStorageKey, PanicOnDefault, near};

#[derive(BorshStorageKey)]
#[near]
enum StorageKey {
    Blobs,
}

#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct StorageHog {
    blobs: LookupMap<u32, Vec<u8>>,
}

#[near]
impl StorageHog {
    #[init]
    pub fn new() -> Self {
        Self {
            blobs: LookupMap::new(StorageKey::Blobs),
        }
    }

    /// Stores `count` blobs of `size` bytes each under ids `first..first+count`.
    pub fn fill(&mut self, first: u32, count: u32, size: u32) {
        for id in first..first.checked_add(count).expect("id overflow") {
            self.blobs.insert(id, vec![0xAB; size as usize]);
        }
    }

    pub fn free(&mut self, first: u32, count: u32) {
        for id in first..first.checked_add(count).expect("id overflow") {
            self.blobs.remove(&id);
        }
    }

    pub fn storage_usage(&self) -> u64 {
        near_sdk::env::storage_usage()
    }
}
