use near_crypto::{KeyType, PublicKey};
use near_parameters::RuntimeConfigStore;
use near_primitives::account::{AccessKey, Account, AccountContract};
use near_primitives::hash::hash;
use near_primitives::state_record::StateRecord;
use near_primitives::trie_key::TrieKey;
use near_primitives::types::{AccountId, Balance};
use near_primitives::version::PROTOCOL_VERSION;

use super::{StateUpdate, Store};

fn alice() -> AccountId {
    "alice.near".parse().unwrap()
}

fn account_record(id: &AccountId, code_hash: near_primitives::hash::CryptoHash) -> StateRecord {
    StateRecord::Account {
        account_id: id.clone(),
        account: Account::new(
            Balance::from_near(10),
            Balance::ZERO,
            AccountContract::from_local_code_hash(code_hash),
            0,
        ),
    }
}

fn key_record(id: &AccountId, pk: &PublicKey) -> StateRecord {
    StateRecord::AccessKey {
        account_id: id.clone(),
        public_key: pk.into(),
        access_key: AccessKey::full_access(),
    }
}

#[test]
fn reads_at_a_height_see_that_blocks_post_state() {
    let mut store = Store::new();
    let key = TrieKey::ContractData {
        account_id: alice(),
        key: b"k".to_vec(),
    }
    .to_vec();
    store.commit([(key.clone(), Some(b"v1".to_vec()))], 1);
    store.commit([(key.clone(), Some(b"v2".to_vec()))], 3);
    store.commit([(key.clone(), None)], 5);
    assert_eq!(store.get_raw(&key, 0), None);
    assert_eq!(store.get_raw(&key, 1).as_deref(), Some(&b"v1"[..]));
    assert_eq!(
        store.get_raw(&key, 2).as_deref(),
        Some(&b"v1"[..]),
        "skipped height reads the block before"
    );
    assert_eq!(store.get_raw(&key, 4).as_deref(), Some(&b"v2"[..]));
    assert_eq!(
        store.get_raw(&key, 5),
        None,
        "deletion is visible from its block on"
    );
    assert_ne!(store.state_root(1), store.state_root(3));
    assert_eq!(store.state_root(5), store.state_root(0));
}

#[test]
fn genesis_storage_usage_is_recomputed_like_nearcores_storage_computer() {
    let config = RuntimeConfigStore::new(None)
        .get_config(PROTOCOL_VERSION)
        .clone();
    let pk = PublicKey::empty(KeyType::ED25519);
    let records = vec![
        account_record(&alice(), Default::default()),
        key_record(&alice(), &pk),
    ];
    let mut store = Store::new();
    store.load_genesis(&records, &config).unwrap();
    let usage = &config.fees.storage_usage_config;
    let key_bytes = borsh::object_length(&pk).unwrap()
        + borsh::object_length(&AccessKey::full_access()).unwrap();
    assert_eq!(
        store.account(&alice(), 0).unwrap().storage_usage(),
        usage.num_bytes_account + usage.num_extra_bytes_record + key_bytes as u64
    );
    // The well-known sandbox value: one account plus one ed25519 full-access key = 182 bytes.
    assert_eq!(store.account(&alice(), 0).unwrap().storage_usage(), 182);
    assert_eq!(
        store.access_keys(&alice(), 0),
        vec![(pk, AccessKey::full_access())]
    );
}

#[test]
fn patch_with_mismatched_code_hash_is_refused_without_writing() {
    let mut store = Store::new();
    let records = vec![
        account_record(&alice(), hash(b"other code")),
        StateRecord::Contract {
            account_id: alice(),
            code: b"code".to_vec(),
        },
    ];
    assert!(store.apply_patch(&records, 2).is_err());
    assert!(store.account(&alice(), 2).is_none());

    let records = vec![
        account_record(&alice(), hash(b"code")),
        StateRecord::Contract {
            account_id: alice(),
            code: b"code".to_vec(),
        },
    ];
    store.apply_patch(&records, 2).unwrap();
    assert_eq!(store.code(&alice(), 2).as_deref(), Some(&b"code"[..]));
    assert_eq!(
        store.account(&alice(), 2).unwrap().storage_usage(),
        0,
        "patches are verbatim"
    );
}

#[test]
fn contract_data_is_ordered_prefixed_and_paginated() {
    let mut store = Store::new();
    let data = |k: &[u8]| {
        TrieKey::ContractData {
            account_id: alice(),
            key: k.to_vec(),
        }
        .to_vec()
    };
    store.commit(
        [
            (data(b"a1"), Some(b"1".to_vec())),
            (data(b"a2"), Some(b"2".to_vec())),
            (data(b"a3"), Some(b"3".to_vec())),
            (data(b"b1"), Some(b"4".to_vec())),
        ],
        1,
    );
    let all = store.contract_data(&alice(), b"a", None, None, 1);
    assert_eq!(
        all.iter().map(|(k, _)| k.as_slice()).collect::<Vec<_>>(),
        [b"a1", b"a2", b"a3"]
    );
    let page = store.contract_data(&alice(), b"a", Some(b"a1"), Some(1), 1);
    assert_eq!(page, vec![(b"a2".to_vec(), b"2".to_vec())]);
}

#[test]
fn rolled_back_writes_are_invisible_and_committed_ones_stay() {
    let store = Store::new();
    let mut update = StateUpdate::new(&store, 0);
    let key = TrieKey::ContractData {
        account_id: alice(),
        key: b"k".to_vec(),
    };
    update.set(&key, &1u8);
    update.commit();
    update.set(&key, &2u8);
    assert_eq!(update.get::<u8>(&key), Some(2));
    update.rollback();
    assert_eq!(update.get::<u8>(&key), Some(1));
    let changes = update.into_changes();
    assert_eq!(changes.len(), 1);
}

#[test]
fn state_root_follows_a_later_commit_at_the_same_height() {
    let mut store = Store::new();
    let key = TrieKey::ContractData {
        account_id: alice(),
        key: b"k".to_vec(),
    }
    .to_vec();
    store.commit([(key.clone(), Some(b"v1".to_vec()))], 3);
    let before = store.state_root(3);
    // A patch applied at the end of the same block changes that block's post-state.
    store.commit([(key, Some(b"v2".to_vec()))], 3);
    assert_ne!(store.state_root(3), before);
}

#[test]
fn state_root_depends_only_on_the_live_entries_not_on_how_they_were_written() {
    let key = |k: &[u8]| {
        TrieKey::ContractData {
            account_id: alice(),
            key: k.to_vec(),
        }
        .to_vec()
    };
    let mut winding = Store::new();
    winding.commit([(key(b"a"), Some(b"1".to_vec()))], 1);
    winding.commit(
        [
            (key(b"b"), Some(b"2".to_vec())),
            (key(b"a"), Some(b"3".to_vec())),
        ],
        2,
    );
    winding.commit([(key(b"b"), None), (key(b"c"), Some(b"4".to_vec()))], 4);

    let mut direct = Store::new();
    direct.commit(
        [
            (key(b"c"), Some(b"4".to_vec())),
            (key(b"a"), Some(b"3".to_vec())),
        ],
        1,
    );

    assert_eq!(winding.state_root(4), direct.state_root(1));
    assert_eq!(
        winding.state_root(9),
        winding.state_root(4),
        "no commit since 4"
    );
    assert_ne!(winding.state_root(2), winding.state_root(4));
    assert_eq!(
        winding.state_root(3),
        winding.state_root(2),
        "a skipped height has the root of the block before it"
    );
}
