//! Paid access: the price reaches the owner in full, grants are recorded, expire and can be revoked.

use super::*;
use crate::flags::FlagKind;

fn priced() -> Contract {
    let mut c = setup();
    must_register(&mut c, ALICE, "faces", open_terms());
    must_publish(&mut c, ALICE, "faces", "1", &[]);
    c
}

#[test]
fn paying_the_price_forwards_it_to_the_owner_in_full_and_records_a_grant() {
    let mut c = priced();
    let deposit = 2 * ONE_NEAR;
    call(BOB, deposit);
    let before = env::storage_usage();
    let grant = c
        .request_access("faces".into(), "benchmarking".into())
        .unwrap();
    let storage =
        u128::from(env::storage_usage() - before) * env::storage_byte_cost().as_yoctonear();
    assert_eq!(
        transfers(),
        vec![
            (ALICE.to_string(), ONE_NEAR),
            (BOB.to_string(), deposit - ONE_NEAR - storage)
        ]
    );
    assert_eq!(grant.grant_id, U64(0));
    assert_eq!(grant.grantee, account(BOB));
    assert_eq!(grant.purpose, "benchmarking");
    assert_eq!(grant.price_paid, U128(ONE_NEAR));
    assert_eq!(
        grant.expires_at_ns,
        U64(START_NS + 30 * DAY_SECS * 1_000_000_000)
    );
    assert_eq!(
        events(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"access_granted","data":{{"grant_id":"0","dataset_id":"faces","grantee":"bob.near","purpose":"benchmarking","price":"{ONE_NEAR}","expires_at_ns":"{}"}}}}"#,
            START_NS + 30 * DAY_SECS * 1_000_000_000
        )]
    );
    assert!(c.has_access("faces".into(), account(BOB)));
    assert!(
        c.has_access("faces".into(), account(ALICE)),
        "the owner always has access"
    );
    assert!(!c.has_access("faces".into(), account(CAROL)));
    assert_eq!(
        c.get_grants("faces".into(), None, None).unwrap(),
        vec![grant.clone()]
    );
    assert_eq!(c.get_grant(U64(0)), Some(grant));
}

#[test]
fn grants_expire() {
    let mut c = priced();
    call(BOB, 2 * ONE_NEAR);
    c.request_access("faces".into(), "benchmarking".into())
        .unwrap();
    call_at(BOB, 0, START_NS + 30 * DAY_SECS * 1_000_000_000 - 1);
    assert!(c.has_access("faces".into(), account(BOB)));
    call_at(BOB, 0, START_NS + 30 * DAY_SECS * 1_000_000_000);
    assert!(!c.has_access("faces".into(), account(BOB)));
}

#[test]
fn the_owner_revokes_a_grant_with_one_yocto_and_only_the_owner() {
    let mut c = priced();
    call(BOB, 2 * ONE_NEAR);
    c.request_access("faces".into(), "benchmarking".into())
        .unwrap();
    must_fail(
        &mut c,
        BOB,
        1,
        |c| c.revoke_access(U64(0)),
        "account 'bob.near' is not allowed to revoke access to this dataset",
    );
    must_fail(
        &mut c,
        ALICE,
        0,
        |c| c.revoke_access(U64(0)),
        "this action requires an attached deposit of exactly 1 yoctoNEAR, got 0",
    );
    call(ALICE, 1);
    let revoked = c.revoke_access(U64(0)).unwrap();
    assert_eq!(revoked.revoked_at_ns, Some(U64(START_NS)));
    assert_eq!(
        events(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"access_revoked","data":{"grant_id":"0","dataset_id":"faces","grantee":"bob.near"}}"#
        ]
    );
    assert!(!c.has_access("faces".into(), account(BOB)));
    must_fail(
        &mut c,
        ALICE,
        1,
        |c| c.revoke_access(U64(0)),
        "grant 0 is already revoked",
    );
    must_fail(
        &mut c,
        ALICE,
        1,
        |c| c.revoke_access(U64(9)),
        "grant 9 not found",
    );
}

#[test]
fn underpaid_access_fails_and_returns_the_deposit() {
    let mut c = priced();
    must_fail(
        &mut c,
        BOB,
        ONE_NEAR - 1,
        |c| c.request_access("faces".into(), "benchmarking".into()),
        &format!(
            "attached deposit {} yoctoNEAR is less than the access price {ONE_NEAR} yoctoNEAR",
            ONE_NEAR - 1
        ),
    );
    must_fail(
        &mut c,
        BOB,
        0,
        |c| c.request_access("faces".into(), "benchmarking".into()),
        &format!("attached deposit 0 yoctoNEAR is less than the access price {ONE_NEAR} yoctoNEAR"),
    );
}

#[test]
fn paying_the_price_but_not_the_storage_names_both_amounts() {
    let mut c = priced();
    call(BOB, ONE_NEAR);
    let err = c
        .request_access("faces".into(), "benchmarking".into())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "attached deposit {ONE_NEAR} yoctoNEAR does not cover the access price and storage: "
        )),
        "{err}"
    );
    assert!(err.contains(&format!("({ONE_NEAR} price + ")), "{err}");
}

#[test]
fn access_to_a_flagged_dataset_is_refused() {
    let mut c = priced();
    call(ALICE, DEPOSIT);
    c.flag_version("faces@1".into(), FlagKind::Poisoned, "label noise".into())
        .unwrap();
    must_fail(
        &mut c,
        BOB,
        2 * ONE_NEAR,
        |c| c.request_access("faces".into(), "benchmarking".into()),
        "dataset 'faces' has 1 flagged version(s); access requests are refused",
    );
    // Clearing the flag reopens access.
    call(ALICE, 1);
    c.clear_flag("faces@1".into(), FlagKind::Poisoned).unwrap();
    call(BOB, 2 * ONE_NEAR);
    c.request_access("faces".into(), "benchmarking".into())
        .unwrap();
}

#[test]
fn requests_without_an_offer_from_the_owner_or_with_bad_input_are_refused() {
    let mut c = priced();
    let mut closed = open_terms();
    closed.access = None;
    must_register(&mut c, ALICE, "closed", closed);
    must_fail(
        &mut c,
        BOB,
        2 * ONE_NEAR,
        |c| c.request_access("closed".into(), "benchmarking".into()),
        "dataset 'closed' does not offer paid access",
    );
    must_fail(
        &mut c,
        ALICE,
        2 * ONE_NEAR,
        |c| c.request_access("faces".into(), "benchmarking".into()),
        "account 'alice.near' owns the dataset and needs no access grant",
    );
    must_fail(
        &mut c,
        BOB,
        2 * ONE_NEAR,
        |c| c.request_access("faces".into(), "line\nbreak".into()),
        "invalid purpose 'line\nbreak': must be 1-256 characters without control characters",
    );
    must_fail(
        &mut c,
        BOB,
        2 * ONE_NEAR,
        |c| c.request_access("ghost".into(), "benchmarking".into()),
        "dataset 'ghost' not found",
    );
}
