//! Training usage recorded by the model registry, with the consent check (interface fixed with the
//! registry: `record_training_usage`, 0.01 NEAR per dataset, unused part to the publisher).

use super::*;
use crate::flags::FlagKind;
use crate::limits::TRAINING_DEPOSIT_PER_DATASET_YOCTO;
use crate::terms::Permission;

const MODEL: &str = "acme/llama@1.0.0";

fn with_datasets() -> Contract {
    let mut c = setup();
    must_register(&mut c, ALICE, "open", open_terms());
    must_publish(&mut c, ALICE, "open", "1", &[]);
    let mut no_training = open_terms();
    no_training.ai_training = Permission::NotAllowed;
    must_register(&mut c, ALICE, "private", no_training);
    must_publish(&mut c, ALICE, "private", "1", &[]);
    let mut non_commercial = open_terms();
    non_commercial.commercial_use = Permission::NotAllowed;
    must_register(&mut c, BOB, "research", non_commercial);
    must_publish(&mut c, BOB, "research", "1", &[]);
    let mut constrained = open_terms();
    constrained.ai_training = Permission::Constrained {
        terms_uri: "https://terms.example/train".into(),
        terms_digest: digest(42),
    };
    constrained.commercial_use = Permission::Constrained {
        terms_uri: "https://terms.example/commercial".into(),
        terms_digest: digest(43),
    };
    must_register(&mut c, BOB, "licensed", constrained);
    must_publish(&mut c, BOB, "licensed", "1", &[]);
    c
}

fn record(
    c: &mut Contract,
    model: &str,
    datasets: &[&str],
    commercial: bool,
) -> crate::errors::Result<crate::usage::StorageCost> {
    c.record_training_usage(model.into(), strings(datasets), commercial, account(CAROL))
}

fn deposit_for(n: u128) -> u128 {
    TRAINING_DEPOSIT_PER_DATASET_YOCTO * n
}

#[test]
fn the_registry_records_usage_queryable_both_ways_and_the_publisher_gets_the_unused_deposit() {
    let mut c = with_datasets();
    call(REGISTRY, deposit_for(2));
    let before = env::storage_usage();
    let cost = record(&mut c, MODEL, &["open@1", "licensed@1"], true)
        .unwrap()
        .storage_cost
        .0;
    let measured =
        u128::from(env::storage_usage() - before) * env::storage_byte_cost().as_yoctonear();
    assert_eq!(cost, measured);
    assert!(
        cost < deposit_for(2),
        "0.01 NEAR per dataset covers the records"
    );
    // straight to the publisher (the registry would only pass it on with a second transfer)
    assert_eq!(
        transfers(),
        vec![(CAROL.to_string(), deposit_for(2) - cost)]
    );
    assert_eq!(
        events(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"training_usage_recorded","data":{"model_version_id":"acme/llama@1.0.0","dataset_versions":["open@1","licensed@1"],"commercial_use":true,"publisher":"carol.near"}}"#
        ]
    );
    let usage = c.get_training_datasets(MODEL.into()).unwrap();
    assert_eq!(usage.publisher, account(CAROL));
    assert!(usage.commercial_use);
    assert_eq!(usage.datasets.len(), 2);
    assert_eq!(usage.datasets[0].version_id, "open@1");
    assert_eq!(usage.datasets[0].ai_training_terms_digest, None);
    // Constrained terms count as allowed; the digests relied upon are kept.
    assert_eq!(usage.datasets[1].terms_revision, 1);
    assert_eq!(usage.datasets[1].ai_training_terms_digest, Some(digest(42)));
    assert_eq!(usage.datasets[1].commercial_terms_digest, Some(digest(43)));
    assert_eq!(
        c.get_models_trained_on("open@1".into(), None, None)
            .unwrap(),
        strings(&[MODEL])
    );
    assert_eq!(
        c.get_models_trained_on("licensed@1".into(), None, None)
            .unwrap(),
        strings(&[MODEL])
    );
}

#[test]
fn a_non_commercial_model_may_use_non_commercial_data() {
    let mut c = with_datasets();
    must_record_usage(&mut c, MODEL, &["research@1"], false);
    assert!(
        !c.get_training_datasets(MODEL.into())
            .unwrap()
            .commercial_use
    );
}

#[test]
fn only_the_registry_records_usage() {
    let mut c = with_datasets();
    must_fail(
        &mut c,
        STRANGER,
        deposit_for(1),
        |c| record(c, MODEL, &["open@1"], false),
        "account 'stranger.near' is not allowed to record training usage (only the model registry may)",
    );
}

#[test]
fn unknown_dataset_versions_fail_the_whole_registration() {
    let mut c = with_datasets();
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(2),
        |c| record(c, MODEL, &["open@1", "open@7"], false),
        "dataset version 'open@7' not found",
    );
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(1),
        |c| record(c, MODEL, &["open"], false),
        "invalid dataset_versions 'open': must be '<dataset_id>@<version>' with a valid dataset id and version label",
    );
}

#[test]
fn terms_that_forbid_training_fail_the_registration_even_after_a_good_dataset() {
    let mut c = with_datasets();
    // The first dataset passes its check; the second fails; nothing is recorded for either.
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(2),
        |c| record(c, MODEL, &["open@1", "private@1"], false),
        "dataset version 'private@1' cannot be used for ai training: its terms do not allow ai training",
    );
    assert_eq!(c.get_training_datasets(MODEL.into()), None);
    assert!(
        c.get_models_trained_on("open@1".into(), None, None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_commercial_model_cannot_use_non_commercial_data() {
    let mut c = with_datasets();
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(1),
        |c| record(c, MODEL, &["research@1"], true),
        "dataset version 'research@1' cannot be used by a commercial model: its terms do not allow commercial use",
    );
}

#[test]
fn a_version_flagged_consent_withdrawn_cannot_be_trained_on() {
    let mut c = with_datasets();
    call(ALICE, DEPOSIT);
    c.flag_version(
        "open@1".into(),
        FlagKind::ConsentWithdrawn,
        "subjects opted out".into(),
    )
    .unwrap();
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(1),
        |c| record(c, MODEL, &["open@1"], false),
        "dataset version 'open@1' cannot be used for ai training: it is flagged consent_withdrawn",
    );
}

#[test]
fn later_terms_changes_consult_the_new_terms_and_leave_recorded_usage_alone() {
    let mut c = with_datasets();
    must_record_usage(&mut c, MODEL, &["open@1"], false);
    let mut closed = open_terms();
    closed.ai_training = Permission::NotAllowed;
    call(ALICE, DEPOSIT);
    c.set_terms("open".into(), closed).unwrap();
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(1),
        |c| record(c, "acme/llama@2.0.0", &["open@1"], false),
        "dataset version 'open@1' cannot be used for ai training: its terms do not allow ai training",
    );
    let kept = c.get_training_datasets(MODEL.into()).unwrap();
    assert_eq!(kept.datasets[0].terms_revision, 1);
}

#[test]
fn malformed_usage_requests_are_rejected() {
    let mut c = with_datasets();
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(2),
        |c| record(c, MODEL, &["open@1", "open@1"], false),
        "dataset version 'open@1' is listed more than once",
    );
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(1),
        |c| record(c, MODEL, &[], false),
        "invalid dataset_versions '': must name at least one dataset version",
    );
    let many: Vec<String> = (0..33).map(|i| format!("open@{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(33),
        |c| record(c, MODEL, &many, false),
        "dataset_versions has 33 entries, more than the maximum 32",
    );
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(1),
        |c| record(c, "llama@1", &["open@1"], false),
        "invalid model_version_id 'llama@1': must be '<namespace>/<name>@<version>', at most 256 bytes of printable ascii without spaces",
    );
    must_record_usage(&mut c, MODEL, &["open@1"], false);
    must_fail(
        &mut c,
        REGISTRY,
        deposit_for(1),
        |c| record(c, MODEL, &["licensed@1"], false),
        "training usage for model version 'acme/llama@1.0.0' is already recorded",
    );
}

#[test]
fn too_little_deposit_for_the_usage_records_fails_with_the_amount_needed() {
    let mut c = with_datasets();
    call(REGISTRY, 1);
    let err = record(&mut c, MODEL, &["open@1"], false).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("attached deposit 1 yoctoNEAR does not cover storage: "),
        "{err}"
    );
}
