use super::*;

#[test]
fn the_registry_owner_sets_the_lineage_contract_with_one_yocto() {
    let mut chain = Chain::new();
    chain.must_fail(
        ADMIN,
        |c| c.set_lineage_contract(Some(acc(LINEAGE))),
        &format!(
            "requires an attached deposit of exactly 1 yoctoNEAR, got {}",
            near(1).as_yoctonear()
        ),
    );
    chain.call(BOB, yocto(1));
    assert_eq!(
        chain
            .c
            .set_lineage_contract(Some(acc(LINEAGE)))
            .unwrap_err()
            .to_string(),
        "bob.near is not the registry owner"
    );
    chain
        .call(ADMIN, yocto(1))
        .set_lineage_contract(Some(acc(LINEAGE)))
        .unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"lineage_contract_set","data":{"lineage_contract":"lineage.near","by":"admin.near"}}"#
        ]
    );
    assert_eq!(
        chain.view().get_config().lineage_contract,
        Some(acc(LINEAGE))
    );
}

#[test]
fn only_the_registry_owner_upgrades_with_one_yocto() {
    let mut chain = Chain::new();
    chain.call(BOB, yocto(1));
    assert_eq!(
        chain.c.upgrade().err().unwrap().to_string(),
        "bob.near is not the registry owner"
    );
    chain.call(ADMIN, yocto(2));
    assert_eq!(
        chain.c.upgrade().err().unwrap().to_string(),
        "requires an attached deposit of exactly 1 yoctoNEAR, got 2"
    );
    chain.call(ADMIN, yocto(1));
    assert_eq!(
        chain.c.upgrade().err().unwrap().to_string(),
        "invalid code '': the call input must be the new contract wasm"
    );
}

#[test]
fn migrate_reads_back_every_record() {
    let mut chain = Chain::with_two_versions();
    chain
        .by(ACME)
        .set_alias("acme/sentiment".into(), "production".into(), "1.1.0".into())
        .unwrap();
    chain
        .by(AUDITOR)
        .attest(
            "acme/sentiment".into(),
            "1.1.0".into(),
            crate::attestations::AttestationKind::Audit,
            None,
        )
        .unwrap();
    let before = chain.fingerprint();
    // persist the state as the runtime would at the end of a call, then migrate from storage
    chain.call(REGISTRY, yocto(0));
    chain.c.registry_mut().flush();
    env::state_write(&chain.c);
    let migrated = VersionedContract::migrate();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"contract_migrated","data":{"state_version":1}}"#
        ]
    );
    chain.c = migrated;
    assert_eq!(chain.fingerprint(), before);
}

#[test]
fn the_state_layout_is_pinned() {
    // A change to the stored layout must come with a new state version and a migration; this snapshot of a
    // fresh registry's root record catches accidental changes.
    let chain = Chain::new();
    let bytes = near_sdk::borsh::to_vec(&chain.c).unwrap();
    assert_eq!(
        hex::encode(bytes),
        "000a00000061646d696e2e6e656172000100000000010000000100000000010000000201000000030100000004000000000000000001000000050100000009010000000b0000000000000000"
    );
}
