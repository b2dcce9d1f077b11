//! Contract administration, storage layout and upgrades.

use super::*;
use crate::storage_keys::StorageKey;

#[test]
fn the_owner_changes_the_registry_with_one_yocto_and_the_new_registry_takes_over() {
    let mut c = setup();
    must_register(&mut c, ALICE, "open", open_terms());
    must_publish(&mut c, ALICE, "open", "1", &[]);
    must_fail(
        &mut c,
        STRANGER,
        1,
        |c| c.set_registry(account("registry2.near")),
        "account 'stranger.near' is not allowed to change the model registry",
    );
    must_fail(
        &mut c,
        OWNER,
        0,
        |c| c.set_registry(account("registry2.near")),
        "this action requires an attached deposit of exactly 1 yoctoNEAR, got 0",
    );
    call(OWNER, 1);
    c.set_registry(account("registry2.near")).unwrap();
    assert_eq!(
        events(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"registry_changed","data":{"old_registry_id":"registry.near","new_registry_id":"registry2.near"}}"#
        ]
    );
    assert_eq!(c.get_registry(), account("registry2.near"));
    must_fail(
        &mut c,
        REGISTRY,
        crate::limits::TRAINING_DEPOSIT_PER_DATASET_YOCTO,
        |c| c.record_training_usage("a/b@1".into(), strings(&["open@1"]), false, account(CAROL)),
        "account 'registry.near' is not allowed to record training usage (only the model registry may)",
    );
    call(
        "registry2.near",
        crate::limits::TRAINING_DEPOSIT_PER_DATASET_YOCTO,
    );
    c.record_training_usage("a/b@1".into(), strings(&["open@1"]), false, account(CAROL))
        .unwrap();
}

#[test]
fn the_owner_hands_over_ownership_with_one_yocto() {
    let mut c = setup();
    must_fail(
        &mut c,
        ALICE,
        1,
        |c| c.set_owner(account(ALICE)),
        "account 'alice.near' is not allowed to change the contract owner",
    );
    call(OWNER, 1);
    c.set_owner(account(ALICE)).unwrap();
    assert_eq!(c.get_owner(), account(ALICE));
}

#[test]
fn upgrade_is_owner_only_takes_raw_wasm_and_deploys_then_migrates_in_one_batch() {
    let mut c = setup();
    let code = b"\0asm\x01\0\0\0".to_vec();
    must_fail_with_input(
        &mut c,
        STRANGER,
        1,
        code.clone(),
        |c| c.upgrade().map(|_| ()),
        "account 'stranger.near' is not allowed to upgrade the contract",
    );
    must_fail_with_input(
        &mut c,
        OWNER,
        0,
        code.clone(),
        |c| c.upgrade().map(|_| ()),
        "this action requires an attached deposit of exactly 1 yoctoNEAR, got 0",
    );
    must_fail_with_input(
        &mut c,
        OWNER,
        1,
        br#"{"code":"AGFzbQ=="}"#.to_vec(),
        |c| c.upgrade().map(|_| ()),
        "invalid code '19 bytes': the call input must be the new contract wasm (starting with \\0asm)",
    );
    must_fail_with_input(
        &mut c,
        OWNER,
        1,
        Vec::new(),
        |c| c.upgrade().map(|_| ()),
        "invalid code '0 bytes': the call input must be the new contract wasm (starting with \\0asm)",
    );
    call_with(OWNER, 1, START_NS, code);
    drop(c.upgrade().unwrap());
    let receipts = get_created_receipts();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].receiver_id, account(CONTRACT));
    assert!(matches!(
        receipts[0].actions[0],
        MockAction::DeployContract { .. }
    ));
    assert!(matches!(
        &receipts[0].actions[1],
        MockAction::FunctionCallWeight { method_name, .. } if method_name == b"migrate"
    ));
}

#[test]
fn migrate_keeps_every_record() {
    let mut c = setup();
    must_register(&mut c, ALICE, "raw", open_terms());
    must_publish(&mut c, ALICE, "raw", "1", &[]);
    must_publish(&mut c, ALICE, "raw", "2", &["raw@1"]);
    must_record_usage(&mut c, "acme/m@1.0.0", &["raw@2"], false);
    call(BOB, 2 * ONE_NEAR);
    c.request_access("raw".into(), "eval".into()).unwrap();
    env::state_write(&c);
    call(CONTRACT, 0);
    let m = Contract::migrate();
    assert_eq!(m.get_state_version(), crate::upgrade::STATE_VERSION);
    assert_eq!(m.get_owner(), account(OWNER));
    assert_eq!(m.get_registry(), account(REGISTRY));
    assert_eq!(m.get_dataset("raw".into()), c.get_dataset("raw".into()));
    assert_eq!(m.get_parents("raw@2".into()).unwrap(), strings(&["raw@1"]));
    assert_eq!(
        m.get_training_datasets("acme/m@1.0.0".into()),
        c.get_training_datasets("acme/m@1.0.0".into())
    );
    assert!(m.has_access("raw".into(), account(BOB)));
    assert_eq!(
        near_sdk::borsh::to_vec(&m).unwrap(),
        near_sdk::borsh::to_vec(&c).unwrap()
    );
}

/// Storage prefixes are append-only: this pins each variant's byte so a reorder cannot slip in.
#[test]
fn storage_key_prefixes_never_move() {
    use near_sdk::IntoStorageKey;
    let pinned = [
        (StorageKey::Datasets, 0u8),
        (StorageKey::DatasetVersions, 1),
        (StorageKey::TermsHistory, 3),
        (StorageKey::Versions, 5),
        (StorageKey::Children, 6),
        (StorageKey::Flags, 8),
        (StorageKey::ModelUsage, 9),
        (StorageKey::UsageByVersion, 10),
        (StorageKey::Grants, 12),
        (StorageKey::DatasetGrants, 13),
        (StorageKey::LatestGrant, 15),
    ];
    for (key, byte) in pinned {
        assert_eq!(key.into_storage_key(), vec![byte]);
    }
    let nested = StorageKey::ChildrenOf {
        version_hash: [7; 32],
    }
    .into_storage_key();
    assert_eq!(nested[0], 7);
    assert_eq!(nested.len(), 33);
}

/// The root struct's borsh layout, spelled out: a field added, removed or reordered without a migration
/// breaks this test.
#[test]
fn root_state_layout_is_pinned() {
    let c = setup();
    let mut expected = Vec::new();
    expected.extend_from_slice(&crate::upgrade::STATE_VERSION.to_le_bytes());
    for account in [OWNER, REGISTRY] {
        expected.extend_from_slice(&u32::try_from(account.len()).unwrap().to_le_bytes());
        expected.extend_from_slice(account.as_bytes());
    }
    // Eleven collections, each stored as its one-byte prefix (a length-prefixed Vec<u8>).
    for prefix in [0u8, 1, 3, 5, 6, 8, 9, 10, 12, 13, 15] {
        expected.extend_from_slice(&1u32.to_le_bytes());
        expected.push(prefix);
    }
    expected.extend_from_slice(&0u64.to_le_bytes()); // next_grant_id
    assert_eq!(near_sdk::borsh::to_vec(&c).unwrap(), expected);
}
