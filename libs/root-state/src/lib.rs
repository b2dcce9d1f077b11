//! The contract's root record (`STATE`), written back only when a call changed it.
//!
//! near-sdk reads the root record before every method and writes it back after every `&mut self` method,
//! changed or not. A storage write costs 64 Ggas however small, plus its bytes, so a method that only
//! touches collections (most writes of a registry: an alias, an attestation, a callback settling a version)
//! pays ~0.07 TGas for rewriting bytes that are already there. These two functions keep the bytes as read and
//! skip the write when the serialized state equals them.
//!
//! [`contract_state!`] makes them the contract's [`ContractState`](near_sdk::state::ContractState); declare
//! the state with `#[near_bindgen]` and `#[near(serializers = [borsh])]`, not `#[near(contract_state)]`,
//! which implements the trait itself:
//!
//! ```text
//! #[near_bindgen]
//! #[near(serializers = [borsh])]
//! pub struct Contract { … }
//!
//! nexus_root_state::contract_state!(Contract);
//! ```
//!
//! Sound because one call runs one method: the bytes kept are what storage holds under the key until this
//! call writes it, and every write through [`write`] replaces them. Code that writes the key by other means
//! (`env::state_write`) must not then return through [`write`] expecting a skip — `migrate`, the one place
//! that does, is an `#[init(ignore_state)]` method whose state is written through [`write`] without a read,
//! so it is always written.

use std::cell::RefCell;

use near_sdk::borsh::{self, BorshDeserialize, BorshSerialize};
use near_sdk::env;

thread_local! {
    /// The root record's bytes as storage holds them now, if this call read or wrote them.
    static STORED: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// Reads and deserializes the root record under `key`, keeping its bytes.
pub fn read<T: BorshDeserialize>(key: &[u8]) -> Option<T> {
    let bytes = env::storage_read(key)?;
    let state = borsh::from_slice(&bytes)
        .unwrap_or_else(|_| env::panic_str("Cannot deserialize the contract state."));
    STORED.with(|s| *s.borrow_mut() = Some(bytes));
    Some(state)
}

/// Writes `state` under `key` unless storage already holds exactly its bytes. Returns whether the key held
/// a value before (as `storage_write` does); a skipped write answers `true`.
pub fn write<T: BorshSerialize>(key: &[u8], state: &T) -> bool {
    let bytes = borsh::to_vec(state)
        .unwrap_or_else(|_| env::panic_str("Cannot serialize the contract state."));
    if STORED.with(|s| s.borrow().as_deref() == Some(bytes.as_slice())) {
        return true;
    }
    let existed = env::storage_write(key, &bytes);
    STORED.with(|s| *s.borrow_mut() = Some(bytes));
    existed
}

/// Implements `near_sdk::state::ContractState` for `$state` with [`read`] and [`write`].
#[macro_export]
macro_rules! contract_state {
    ($state:ty) => {
        impl ::near_sdk::state::ContractState for $state {
            fn state_read() -> Option<Self> {
                $crate::read(<Self as ::near_sdk::state::ContractState>::state_key())
            }

            fn state_write(&self) -> bool {
                $crate::write(
                    <Self as ::near_sdk::state::ContractState>::state_key(),
                    self,
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_sdk::test_utils::VMContextBuilder;
    use near_sdk::testing_env;

    const KEY: &[u8] = b"STATE";

    fn fresh() {
        testing_env!(VMContextBuilder::new().build());
        STORED.with(|s| *s.borrow_mut() = None);
    }

    /// Whether `f` wrote to storage: a storage write costs at least 64 Ggas; reading the gas counter
    /// itself costs a fraction of one.
    fn wrote(f: impl FnOnce()) -> bool {
        let before = env::used_gas().as_gas();
        f();
        env::used_gas().as_gas() - before >= 64_000_000_000
    }

    #[test]
    fn an_unchanged_state_is_not_written_again() {
        fresh();
        env::storage_write(KEY, &borsh::to_vec(&(7u64, "root".to_string())).unwrap());
        let state: (u64, String) = read(KEY).unwrap();
        assert!(
            !wrote(|| assert!(write(KEY, &state))),
            "no storage write for the same bytes"
        );
    }

    #[test]
    fn a_changed_state_is_written_and_then_kept() {
        fresh();
        env::storage_write(KEY, &borsh::to_vec(&1u64).unwrap());
        let mut state: u64 = read(KEY).unwrap();
        state += 1;
        assert!(wrote(|| assert!(write(KEY, &state))));
        assert_eq!(
            env::storage_read(KEY).unwrap(),
            borsh::to_vec(&2u64).unwrap()
        );
        // What was just written is what storage holds: writing it again is skipped.
        assert!(!wrote(|| assert!(write(KEY, &state))));
    }

    #[test]
    fn a_state_never_read_is_always_written() {
        fresh();
        assert!(wrote(|| assert!(
            !write(KEY, &5u32),
            "nothing was stored before"
        )));
        assert_eq!(
            env::storage_read(KEY).unwrap(),
            borsh::to_vec(&5u32).unwrap()
        );
        assert!(read::<u32>(b"OTHER").is_none());
    }
}
