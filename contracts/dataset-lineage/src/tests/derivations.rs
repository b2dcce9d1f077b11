//! Derivations: parents must exist, at most 16, distinct, never the version itself, and never added to a
//! version that already exists — which together keep the graph acyclic.

use super::*;
use crate::limits::MAX_PARENTS;

fn two_roots() -> Contract {
    let mut c = setup();
    must_register(&mut c, ALICE, "raw", open_terms());
    must_register(&mut c, BOB, "clean", open_terms());
    must_publish(&mut c, ALICE, "raw", "1", &[]);
    must_publish(&mut c, ALICE, "raw", "2", &[]);
    c
}

#[test]
fn a_derived_version_records_parents_activity_generation_and_children() {
    let mut c = two_roots();
    // Bob derives from Alice's versions: lineage records facts across owners.
    let id = must_publish(&mut c, BOB, "clean", "1", &["raw@1", "raw@2"]);
    assert_eq!(
        events(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"version_published","data":{{"version_id":"clean@1","content_digest":"{}","parents":["raw@1","raw@2"],"activity":"merge","generation":1}}}}"#,
            digest(1)
        )]
    );
    let v = c.get_version(id.clone()).unwrap();
    assert_eq!(v.derived_from, Some(derivation(&["raw@1", "raw@2"])));
    assert_eq!(v.generation, 1);
    assert_eq!(
        c.get_parents(id.clone()).unwrap(),
        strings(&["raw@1", "raw@2"])
    );
    assert_eq!(
        c.get_children("raw@1".into(), None, None).unwrap(),
        vec![id.clone()]
    );
    assert_eq!(
        c.get_children("raw@2".into(), None, None).unwrap(),
        vec![id]
    );
    let grandchild = must_publish(&mut c, BOB, "clean", "2", &["clean@1", "raw@1"]);
    assert_eq!(c.get_version(grandchild).unwrap().generation, 2);
}

#[test]
fn unknown_parents_are_rejected() {
    let mut c = two_roots();
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| {
            c.publish_version(
                "clean".into(),
                "1".into(),
                manifest(1),
                Some(derivation(&["raw@1", "raw@9"])),
            )
        },
        "parent dataset version 'raw@9' not found",
    );
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| {
            c.publish_version(
                "clean".into(),
                "1".into(),
                manifest(1),
                Some(derivation(&["raw"])),
            )
        },
        "invalid derived_from.parents 'raw': must be '<dataset_id>@<version>' with a valid dataset id and version label",
    );
}

#[test]
fn more_than_16_parents_are_rejected_and_exactly_16_accepted() {
    let mut c = setup();
    must_register(&mut c, ALICE, "raw", open_terms());
    let labels: Vec<String> = (0..=MAX_PARENTS).map(|i| format!("{i}")).collect();
    for l in &labels {
        must_publish(&mut c, ALICE, "raw", l, &[]);
    }
    let ids: Vec<String> = labels.iter().map(|l| format!("raw@{l}")).collect();
    let seventeen: Vec<&str> = ids.iter().map(String::as_str).collect();
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| {
            c.publish_version(
                "raw".into(),
                "merged".into(),
                manifest(1),
                Some(derivation(&seventeen)),
            )
        },
        "derivation of 'raw@merged' has 17 parents, more than the maximum 16",
    );
    let id = must_publish(&mut c, ALICE, "raw", "merged", &seventeen[..MAX_PARENTS]);
    assert_eq!(c.get_parents(id).unwrap().len(), MAX_PARENTS);
}

#[test]
fn duplicate_parents_are_rejected() {
    let mut c = two_roots();
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| {
            c.publish_version(
                "clean".into(),
                "1".into(),
                manifest(1),
                Some(derivation(&["raw@1", "raw@2", "raw@1"])),
            )
        },
        "parent 'raw@1' is listed more than once",
    );
}

#[test]
fn a_version_cannot_be_its_own_parent() {
    let mut c = two_roots();
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| {
            c.publish_version(
                "clean".into(),
                "1".into(),
                manifest(1),
                Some(derivation(&["raw@1", "clean@1"])),
            )
        },
        "dataset version 'clean@1' cannot be its own parent",
    );
}

#[test]
fn a_derivation_onto_an_existing_version_is_rejected_so_no_cycle_can_form() {
    let mut c = two_roots();
    must_publish(&mut c, BOB, "clean", "1", &["raw@1"]);
    // raw@1 -> clean@1 exists; making clean@1 a parent of raw@1 would close a cycle.
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| {
            c.publish_version(
                "raw".into(),
                "1".into(),
                manifest(1),
                Some(derivation(&["clean@1"])),
            )
        },
        "dataset version 'raw@1' already exists; published versions are immutable and cannot gain parents",
    );
    assert_eq!(c.get_parents("raw@1".into()).unwrap(), Vec::<String>::new());
}

#[test]
fn a_derivation_needs_at_least_one_parent_and_well_formed_activity_digests() {
    let mut c = two_roots();
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| {
            c.publish_version(
                "clean".into(),
                "1".into(),
                manifest(1),
                Some(derivation(&[])),
            )
        },
        "derivation of 'clean@1' must name at least one parent",
    );
    let mut d = derivation(&["raw@1"]);
    d.activity.parameters_digest = Some("xyz".into());
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| c.publish_version("clean".into(), "1".into(), manifest(1), Some(d)),
        "invalid derived_from.activity.parameters_digest 'xyz': must be a sha256 digest: 64 lowercase hex characters",
    );
}
