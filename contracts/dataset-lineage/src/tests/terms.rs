//! Consent terms: set by the owner, changeable only by the owner, every revision kept.

use super::*;
use crate::terms::Permission;

fn constrained(n: u32) -> Permission {
    Permission::Constrained {
        terms_uri: format!("https://terms.example/{n}"),
        terms_digest: digest(n),
    }
}

#[test]
fn the_owner_changes_terms_and_the_history_keeps_every_revision() {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    let mut stricter = open_terms();
    stricter.ai_training = constrained(5);
    stricter.commercial_use = Permission::NotAllowed;
    stricter.access = None;
    call(ALICE, DEPOSIT);
    assert_eq!(c.set_terms("faces".into(), stricter.clone()).unwrap(), 2);
    assert_eq!(
        events(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"terms_set","data":{{"dataset_id":"faces","revision":2,"terms":{{"ai_training":{{"status":"constrained","terms_uri":"https://terms.example/5","terms_digest":"{}"}},"ai_inference":{{"status":"allowed"}},"data_mining":{{"status":"allowed"}},"commercial_use":{{"status":"not_allowed"}},"attribution_required":true,"access":null}}}}}}"#,
            digest(5)
        )]
    );
    let current = c.get_terms("faces".into()).unwrap();
    assert_eq!(current.revision, 2);
    assert_eq!(current.terms, stricter);
    assert_eq!(current.set_by, account(ALICE));
    let history = c.get_terms_history("faces".into(), None, None).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].terms, open_terms());
    assert_eq!(history[1].terms, stricter);
    assert_eq!(c.get_dataset("faces".into()).unwrap().terms_revision, 2);
}

#[test]
fn terms_changes_by_non_owners_are_rejected() {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    let mut t = open_terms();
    t.ai_training = Permission::NotAllowed;
    must_fail(
        &mut c,
        BOB,
        DEPOSIT,
        |c| c.set_terms("faces".into(), t.clone()),
        "account 'bob.near' is not allowed to change the terms of this dataset",
    );
    // The registry, the contract owner: nobody but the dataset owner.
    must_fail(
        &mut c,
        OWNER,
        DEPOSIT,
        |c| c.set_terms("faces".into(), t),
        "account 'owner.near' is not allowed to change the terms of this dataset",
    );
    assert_eq!(c.get_terms("faces".into()).unwrap().revision, 1);
}

#[test]
fn constrained_terms_need_a_uri_and_a_digest_and_access_a_sane_duration() {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    let mut t = open_terms();
    t.data_mining = Permission::Constrained {
        terms_uri: "https://terms.example".into(),
        terms_digest: "nothex".into(),
    };
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.set_terms("faces".into(), t),
        "invalid terms.data_mining.terms_digest 'nothex': must be a sha256 digest: 64 lowercase hex characters",
    );
    let mut t = open_terms();
    t.ai_inference = Permission::Constrained {
        terms_uri: String::new(),
        terms_digest: digest(1),
    };
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.set_terms("faces".into(), t),
        "invalid terms.ai_inference.terms_uri '': must be 1-512 bytes of printable ascii without spaces",
    );
    let mut t = open_terms();
    t.access.as_mut().unwrap().duration_seconds = U64(59);
    must_fail(
        &mut c,
        ALICE,
        DEPOSIT,
        |c| c.set_terms("faces".into(), t),
        "invalid terms.access.duration_seconds '59': must be between 60 and 315360000 seconds (ten years)",
    );
}
