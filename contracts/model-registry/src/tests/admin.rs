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

/// Every state change emits exactly one NEP-297 event (create_model also claims its namespace).
#[test]
fn every_write_emits_its_event() {
    fn event_names() -> Vec<String> {
        get_logs()
            .iter()
            .map(|l| {
                let v: serde_json::Value =
                    serde_json::from_str(l.strip_prefix("EVENT_JSON:").unwrap()).unwrap();
                assert_eq!(
                    (v["standard"].as_str(), v["version"].as_str()),
                    (Some("nexus-model-registry"), Some("1.0.0"))
                );
                v["event"].as_str().unwrap().to_string()
            })
            .collect()
    }
    let mut chain = Chain::new();
    let m = || "acme/sentiment".to_string();
    let expect = |chain: &mut Chain, names: &[&str]| {
        assert_eq!(event_names(), names, "after {:?}", chain.now)
    };
    chain.must_create(ACME, "acme", "sentiment");
    expect(&mut chain, &["namespace_claimed", "model_created"]);
    chain.by(ACME).update_metadata(m(), metadata()).unwrap();
    expect(&mut chain, &["model_metadata_updated"]);
    chain.by(ACME).add_maintainer(m(), acc(BOB)).unwrap();
    expect(&mut chain, &["maintainer_added"]);
    chain.by(ACME).remove_maintainer(m(), acc(BOB)).unwrap();
    expect(&mut chain, &["maintainer_removed"]);
    chain.by(ACME).propose_owner(m(), acc(BOB)).unwrap();
    expect(&mut chain, &["ownership_transfer_proposed"]);
    chain.by(ACME).cancel_ownership_transfer(m()).unwrap();
    expect(&mut chain, &["ownership_transfer_cancelled"]);
    chain.must_publish(ACME, "acme/sentiment", "1.0.0", 1);
    expect(&mut chain, &["version_published"]);
    chain.must_publish(ACME, "acme/sentiment", "1.1.0", 2);
    chain
        .by(ACME)
        .set_alias(m(), "production".into(), "1.0.0".into())
        .unwrap();
    expect(&mut chain, &["alias_set"]);
    chain
        .by(ACME)
        .remove_alias(m(), "production".into())
        .unwrap();
    expect(&mut chain, &["alias_removed"]);
    chain
        .by(ACME)
        .deprecate_version(m(), "1.0.0".into(), "old".into(), None)
        .unwrap();
    expect(&mut chain, &["version_deprecated"]);
    chain
        .by(ACME)
        .revoke_version(
            m(),
            "1.0.0".into(),
            crate::status::RevocationCode::Other,
            "bad".into(),
        )
        .unwrap();
    expect(&mut chain, &["version_revoked"]);
    let id = chain
        .by(AUDITOR)
        .attest(
            m(),
            "1.1.0".into(),
            crate::attestations::AttestationKind::Audit,
            None,
        )
        .unwrap();
    expect(&mut chain, &["attestation_added"]);
    let id = chain
        .by(AUDITOR)
        .supersede_attestation(id, crate::attestations::AttestationKind::Audit, None)
        .unwrap();
    expect(&mut chain, &["attestation_added"]);
    chain
        .by(AUDITOR)
        .revoke_attestation(id, "oops".into())
        .unwrap();
    expect(&mut chain, &["attestation_revoked"]);
    chain.by(ACME).propose_owner(m(), acc(BOB)).unwrap();
    chain.by(BOB).accept_ownership(m()).unwrap();
    expect(&mut chain, &["ownership_transferred"]);
    chain
        .call(ADMIN, yocto(1))
        .set_lineage_contract(None)
        .unwrap();
    expect(&mut chain, &["lineage_contract_set"]);
}
