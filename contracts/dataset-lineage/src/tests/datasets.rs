//! Datasets and versions: registration, ownership, immutable versions, storage paid by the caller.

use super::*;
use crate::errors::Error;

#[test]
fn registering_a_dataset_makes_the_caller_its_owner_with_terms_revision_1() {
    let mut c = setup();
    call(ALICE, DEPOSIT);
    let dataset = c
        .register_dataset("faces".into(), "Faces".into(), open_terms())
        .unwrap();
    assert_eq!(dataset.owner_id, account(ALICE));
    assert_eq!(dataset.terms_revision, 1);
    assert_eq!(dataset.version_count, 0);
    let logs = events();
    assert_eq!(
        logs[0],
        r#"EVENT_JSON:{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"dataset_registered","data":{"dataset_id":"faces","owner_id":"alice.near","title":"Faces"}}"#
    );
    assert!(logs[1].contains(r#""event":"terms_set","data":{"dataset_id":"faces","revision":1,"#));
    assert_eq!(c.get_terms("faces".into()).unwrap().terms, open_terms());
    assert_eq!(c.get_dataset("faces".into()).unwrap(), dataset);
}

#[test]
fn registration_refunds_everything_beyond_the_measured_storage_cost() {
    let mut c = setup();
    call(ALICE, DEPOSIT);
    let before = env::storage_usage();
    c.register_dataset("faces".into(), "Faces".into(), open_terms())
        .unwrap();
    let cost = u128::from(env::storage_usage() - before) * env::storage_byte_cost().as_yoctonear();
    assert!(cost > 0);
    assert_eq!(transfers(), vec![(ALICE.to_string(), DEPOSIT - cost)]);
}

#[test]
fn too_small_a_deposit_fails_naming_the_exact_amount_and_that_amount_suffices() {
    let mut c = setup();
    call(ALICE, 0);
    let err = c
        .register_dataset("faces".into(), "Faces".into(), open_terms())
        .unwrap_err();
    let Error::StorageDeposit { attached, required } = err.clone() else {
        panic!("unexpected error {err}");
    };
    assert_eq!(attached, 0);
    assert_eq!(
        err.to_string(),
        format!(
            "attached deposit 0 yoctoNEAR does not cover storage: {required} yoctoNEAR required"
        )
    );
    // The runtime rolls the failed call back; start again from a fresh contract and pay exactly that.
    let mut c = setup();
    call(ALICE, required);
    c.register_dataset("faces".into(), "Faces".into(), open_terms())
        .unwrap();
    assert!(transfers().is_empty(), "nothing left to refund");
}

#[test]
fn a_dataset_id_can_be_registered_only_once() {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| c.register_dataset("faces".into(), "Mine".into(), open_terms()),
        "dataset 'faces' already exists",
    );
}

#[test]
fn malformed_dataset_ids_and_titles_are_rejected() {
    let mut c = setup();
    let rule = "must be 1-64 characters of a-z, 0-9, '-', '_', '.' starting with a letter or digit";
    for bad in [
        "",
        "Faces",
        "-faces",
        "fa ces",
        "faces@1",
        "a/b",
        &"x".repeat(65),
    ] {
        must_fail(
            &mut c,
            ALICE,
            DEPOSIT,
            |c| c.register_dataset(bad.into(), "Faces".into(), open_terms()),
            &format!("invalid dataset_id '{bad}': {rule}"),
        );
    }
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.register_dataset("faces".into(), "  ".into(), open_terms()),
        "invalid title '  ': must be 1-128 characters without control characters",
    );
}

#[test]
fn publishing_a_root_version_records_its_manifest_and_emits_an_event() {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    call(ALICE, DEPOSIT);
    let id = c
        .publish_version("faces".into(), "1.0".into(), manifest(1), None)
        .unwrap();
    assert_eq!(id, "faces@1.0");
    assert_eq!(
        events(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"version_published","data":{{"version_id":"faces@1.0","content_digest":"{}","parents":[],"activity":null,"generation":0}}}}"#,
            digest(1)
        )]
    );
    let v = c.get_version(id.clone()).unwrap();
    assert_eq!(v.manifest, manifest(1));
    assert_eq!(v.derived_from, None);
    assert_eq!(v.generation, 0);
    assert_eq!(v.published_by, account(ALICE));
    assert_eq!(c.get_dataset("faces".into()).unwrap().version_count, 1);
    assert_eq!(
        c.get_versions("faces".into(), None, None).unwrap(),
        vec![id]
    );
    // Storage was charged and the rest refunded.
    let refunds = transfers();
    assert_eq!(refunds.len(), 1);
    assert!(refunds[0].1 < DEPOSIT);
}

#[test]
fn published_versions_are_immutable() {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    must_publish(&mut c, ALICE, "faces", "1", &[]);
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.publish_version("faces".into(), "1".into(), manifest(2), None),
        "dataset version 'faces@1' already exists; published versions are immutable and cannot gain parents",
    );
}

#[test]
fn only_the_dataset_owner_publishes_versions() {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    must_fail(
        &mut c,
        STRANGER,
        DEPOSIT,
        |c| c.publish_version("faces".into(), "1".into(), manifest(1), None),
        "account 'stranger.near' is not allowed to publish versions of this dataset",
    );
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.publish_version("nope".into(), "1".into(), manifest(1), None),
        "dataset 'nope' not found",
    );
}

#[test]
fn malformed_manifests_and_labels_are_rejected() {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    let digest_rule = "must be a sha256 digest: 64 lowercase hex characters";
    let mut m = manifest(1);
    m.content_digest = "ABC".into();
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.publish_version("faces".into(), "1".into(), m, None),
        &format!("invalid manifest.content_digest 'ABC': {digest_rule}"),
    );
    let mut m = manifest(1);
    m.schema_digest = Some(digest(0xab).to_uppercase());
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.publish_version("faces".into(), "1".into(), m, None),
        &format!(
            "invalid manifest.schema_digest '{}': {digest_rule}",
            digest(0xab).to_uppercase()
        ),
    );
    let mut m = manifest(1);
    m.uris = vec!["ipfs://a".into(); 5];
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.publish_version("faces".into(), "1".into(), m, None),
        "manifest.uris has 5 entries, more than the maximum 4",
    );
    let mut m = manifest(1);
    m.uris = vec!["has space".into()];
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.publish_version("faces".into(), "1".into(), m, None),
        "invalid manifest.uris 'has space': must be 1-512 bytes of printable ascii without spaces",
    );
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.publish_version("faces".into(), "V1".into(), manifest(1), None),
        "invalid version 'V1': must be 1-32 characters of a-z, 0-9, '-', '_', '.', '+' starting with a letter or digit",
    );
}
