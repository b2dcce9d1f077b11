//! Flags and taint: owner or appointed flaggers flag versions; provenance shows every flagged ancestor.

use super::*;
use crate::flags::FlagKind;

/// raw@1 -> clean@1 -> train@1, plus an unrelated other@1.
fn chain() -> Contract {
    let mut c = setup();
    must_register(&mut c, ALICE, "raw", open_terms());
    must_register(&mut c, BOB, "clean", open_terms());
    must_register(&mut c, BOB, "train", open_terms());
    must_register(&mut c, BOB, "other", open_terms());
    must_publish(&mut c, ALICE, "raw", "1", &[]);
    must_publish(&mut c, BOB, "clean", "1", &["raw@1"]);
    must_publish(&mut c, BOB, "train", "1", &["clean@1"]);
    must_publish(&mut c, BOB, "other", "1", &[]);
    c
}

fn flag(c: &mut Contract, who: &str, version: &str, kind: FlagKind) {
    call(who, DEPOSIT);
    c.flag_version(version.into(), kind, "found label noise".into())
        .unwrap();
}

#[test]
fn the_owner_flags_a_version_and_taint_reaches_everything_derived_from_it() {
    let mut c = chain();
    flag(&mut c, ALICE, "raw@1", FlagKind::Poisoned);
    assert_eq!(
        events(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"version_flagged","data":{"version_id":"raw@1","kind":"poisoned","reason":"found label noise","flagged_by":"alice.near"}}"#
        ]
    );
    assert_eq!(c.get_dataset("raw".into()).unwrap().flagged_versions, 1);
    let report = c.get_provenance("train@1".into()).unwrap();
    assert!(report.tainted);
    assert!(report.complete);
    assert!(report.flags.is_empty());
    assert_eq!(report.ancestors_walked, 2);
    assert_eq!(report.flagged_ancestors.len(), 1);
    assert_eq!(report.flagged_ancestors[0].version_id, "raw@1");
    assert_eq!(report.flagged_ancestors[0].depth, 2);
    assert_eq!(
        report.flagged_ancestors[0].flags[0].kind,
        FlagKind::Poisoned
    );
    assert!(!c.get_provenance("other@1".into()).unwrap().tainted);
    // A model trained on the tail is tainted too.
    must_record_usage(&mut c, "acme/m@1.0.0", &["train@1", "other@1"], false);
    let model = c.get_model_provenance("acme/m@1.0.0".into()).unwrap();
    assert!(model.tainted);
    assert!(model.complete);
    assert_eq!(
        model.datasets[0].report.flagged_ancestors[0].version_id,
        "raw@1"
    );
    assert!(!model.datasets[1].report.tainted);
}

#[test]
fn an_appointed_flagger_may_flag_and_clear_and_loses_that_right_when_removed() {
    let mut c = chain();
    call(ALICE, DEPOSIT);
    c.appoint_flagger("raw".into(), account(CAROL)).unwrap();
    flag(&mut c, CAROL, "raw@1", FlagKind::LicenceDispute);
    assert_eq!(c.get_flags("raw@1".into())[0].flagged_by, account(CAROL));
    call(CAROL, 1);
    c.clear_flag("raw@1".into(), FlagKind::LicenceDispute)
        .unwrap();
    assert!(c.get_flags("raw@1".into()).is_empty());
    assert_eq!(c.get_dataset("raw".into()).unwrap().flagged_versions, 0);
    call(ALICE, 1);
    c.remove_flagger("raw".into(), account(CAROL)).unwrap();
    must_fail(
        &mut c,
        CAROL,
        DEPOSIT,
        |c| c.flag_version("raw@1".into(), FlagKind::Poisoned, "x".into()),
        "account 'carol.near' is not allowed to flag versions of this dataset",
    );
}

#[test]
fn flags_by_strangers_are_rejected() {
    let mut c = chain();
    must_fail(
        &mut c,
        STRANGER,
        DEPOSIT,
        |c| c.flag_version("raw@1".into(), FlagKind::Poisoned, "spite".into()),
        "account 'stranger.near' is not allowed to flag versions of this dataset",
    );
    // Owning a derived dataset gives no right to flag its parents.
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| c.flag_version("raw@1".into(), FlagKind::Poisoned, "spite".into()),
        "account 'bob.near' is not allowed to flag versions of this dataset",
    );
    must_fail(
        &mut c,
        STRANGER,
        DEPOSIT,
        |c| c.appoint_flagger("raw".into(), account(STRANGER)),
        "account 'stranger.near' is not allowed to appoint flaggers for this dataset",
    );
}

#[test]
fn flag_inputs_are_checked() {
    let mut c = chain();
    flag(&mut c, ALICE, "raw@1", FlagKind::Poisoned);
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.flag_version("raw@1".into(), FlagKind::Poisoned, "again".into()),
        "dataset version 'raw@1' is already flagged poisoned",
    );
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.flag_version("raw@2".into(), FlagKind::Poisoned, "x".into()),
        "dataset version 'raw@2' not found",
    );
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.flag_version("raw@1".into(), FlagKind::ConsentWithdrawn, "".into()),
        "invalid reason '': must be 1-512 characters without control characters",
    );
    must_fail(
        &mut c,
        ALICE,
        0,
        |c| c.clear_flag("raw@1".into(), FlagKind::Poisoned),
        "this action requires an attached deposit of exactly 1 yoctoNEAR, got 0",
    );
    must_fail(
        &mut c,
        ALICE,
        1,
        |c| c.clear_flag("raw@1".into(), FlagKind::LicenceDispute),
        "dataset version 'raw@1' is not flagged licence_dispute",
    );
}

#[test]
fn at_most_8_flaggers_and_no_duplicates() {
    let mut c = chain();
    for i in 0..8 {
        call(ALICE, DEPOSIT);
        c.appoint_flagger("raw".into(), account(&format!("f{i}.near")))
            .unwrap();
    }
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.appoint_flagger("raw".into(), account("f0.near")),
        "account 'f0.near' is already a flagger of dataset 'raw'",
    );
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.appoint_flagger("raw".into(), account("f8.near")),
        "flaggers has 9 entries, more than the maximum 8",
    );
}
