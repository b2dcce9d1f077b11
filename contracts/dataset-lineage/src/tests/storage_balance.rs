//! NEP-145 storage balances: registration, 1-yoctoNEAR writes paid from the balance, withdrawal,
//! unregistration, and the training-usage deposit's unused part credited to a registered publisher.

use super::*;
use crate::limits::TRAINING_DEPOSIT_PER_DATASET_YOCTO;
use crate::storage_balance::{StorageBalance, StorageBalanceBounds};

fn byte_cost() -> u128 {
    env::storage_byte_cost().as_yoctonear()
}

/// A balance record for a 64-character id: key 1 + 4 + 64, value 32, plus 40 per record.
fn min() -> u128 {
    (1 + 4 + 64 + 32 + 40) * byte_cost()
}

fn locked(account: &str) -> u128 {
    (1 + 4 + account.len() as u128 + 32 + 40) * byte_cost()
}

fn yocto(n: u128) -> NearToken {
    NearToken::from_yoctonear(n)
}

fn deposit(c: &mut Contract, who: &str, amount: u128) -> StorageBalance {
    call(who, amount);
    c.storage_deposit(None, None).unwrap()
}

#[test]
fn registration_keeps_the_measured_record_cost_and_the_rest_is_available() {
    let mut c = setup();
    assert_eq!(
        c.storage_balance_bounds(),
        StorageBalanceBounds {
            min: yocto(min()),
            max: None
        }
    );
    call(ALICE, ONE_NEAR);
    let before = env::storage_usage();
    let b = c.storage_deposit(None, None).unwrap();
    assert_eq!(
        u128::from(env::storage_usage() - before) * byte_cost(),
        locked(ALICE)
    );
    assert_eq!(
        b,
        StorageBalance {
            total: yocto(ONE_NEAR),
            available: yocto(ONE_NEAR - locked(ALICE))
        }
    );
    assert!(transfers().is_empty());
    assert_eq!(
        events(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"storage_deposited","data":{{"account_id":"alice.near","amount":"{ONE_NEAR}","total":"{ONE_NEAR}","available":"{}"}}}}"#,
            ONE_NEAR - locked(ALICE)
        )]
    );
    assert_eq!(c.storage_balance_of(account(ALICE)), Some(b));

    // below the bound: refused, nothing written
    must_fail(
        &mut c,
        BOB,
        min() - 1,
        |c| c.storage_deposit(None, None),
        &format!(
            "attached deposit {} yoctoNEAR does not cover storage: {} yoctoNEAR required",
            min() - 1,
            min()
        ),
    );
    // registration only: the rest comes back; when registered, everything does
    call(BOB, ONE_NEAR);
    let b = c.storage_deposit(None, Some(true)).unwrap();
    assert_eq!(b.available, yocto(0));
    assert_eq!(transfers(), vec![(BOB.to_string(), ONE_NEAR - locked(BOB))]);
    call(BOB, ONE_NEAR);
    c.storage_deposit(None, Some(true)).unwrap();
    assert_eq!(transfers(), vec![(BOB.to_string(), ONE_NEAR)]);
}

#[test]
fn a_registered_writer_attaching_one_yocto_pays_from_its_balance() {
    let mut c = setup();
    let start = deposit(&mut c, ALICE, ONE_NEAR).available.as_yoctonear();
    call(ALICE, 1);
    let before = env::storage_usage();
    c.register_dataset("open".into(), "open title".into(), open_terms())
        .unwrap();
    let cost = u128::from(env::storage_usage() - before) * byte_cost();
    assert!(transfers().is_empty(), "no refund transfer");
    assert_eq!(
        c.storage_balance_of(account(ALICE)).unwrap().available,
        yocto(start + 1 - cost)
    );

    // more than 1 yoctoNEAR pays by deposit and leaves the balance alone
    call(ALICE, ONE_NEAR);
    let before = env::storage_usage();
    c.publish_version("open".into(), "1".into(), manifest(1), None)
        .unwrap();
    let cost2 = u128::from(env::storage_usage() - before) * byte_cost();
    assert_eq!(transfers(), vec![(ALICE.to_string(), ONE_NEAR - cost2)]);
    assert_eq!(
        c.storage_balance_of(account(ALICE)).unwrap().available,
        yocto(start + 1 - cost)
    );

    // short of funds: the exact shortfall (the runtime reverts the call's writes)
    call(ALICE, 1);
    c.storage_withdraw(None).unwrap();
    call(ALICE, 1);
    let before = env::storage_usage();
    let err = c
        .publish_version("open".into(), "2".into(), manifest(2), None)
        .unwrap_err();
    let required = u128::from(env::storage_usage() - before) * byte_cost();
    assert_eq!(
        err.to_string(),
        format!(
            "storage balance 0 yoctoNEAR + attached 1 yoctoNEAR does not cover storage: {required} yoctoNEAR required; top up with storage_deposit"
        )
    );
}

#[test]
fn withdraw_and_unregister_take_exactly_one_yocto() {
    let mut c = setup();
    let available = deposit(&mut c, ALICE, ONE_NEAR).available.as_yoctonear();
    must_fail(
        &mut c,
        ALICE,
        2,
        |c| c.storage_withdraw(None),
        "this action requires an attached deposit of exactly 1 yoctoNEAR, got 2",
    );
    must_fail(
        &mut c,
        ALICE,
        1,
        |c| c.storage_withdraw(Some(yocto(available + 1))),
        &format!(
            "cannot withdraw {} yoctoNEAR: only {available} yoctoNEAR is available",
            available + 1
        ),
    );
    must_fail(
        &mut c,
        BOB,
        1,
        |c| c.storage_withdraw(None),
        "account 'bob.near' is not registered for storage; call storage_deposit first",
    );
    call(ALICE, 1);
    let b = c.storage_withdraw(Some(yocto(10))).unwrap();
    assert_eq!(b.available, yocto(available - 10));
    assert_eq!(transfers(), vec![(ALICE.to_string(), 10)]);

    call(ALICE, 1);
    let before = env::storage_usage();
    assert!(c.storage_unregister(None).unwrap());
    assert_eq!(
        u128::from(before - env::storage_usage()) * byte_cost(),
        locked(ALICE)
    );
    assert_eq!(
        transfers(),
        vec![(ALICE.to_string(), available - 10 + locked(ALICE))]
    );
    assert_eq!(c.storage_balance_of(account(ALICE)), None);
    call(ALICE, 1);
    assert!(!c.storage_unregister(Some(true)).unwrap());
}

#[test]
fn a_registered_publisher_gets_the_unused_training_deposit_credited_not_sent_back() {
    let mut c = setup();
    must_register(&mut c, ALICE, "open", open_terms());
    must_publish(&mut c, ALICE, "open", "1", &[]);
    let start = deposit(&mut c, CAROL, ONE_NEAR).available.as_yoctonear();
    let forwarded = TRAINING_DEPOSIT_PER_DATASET_YOCTO;
    call(REGISTRY, forwarded);
    let before = env::storage_usage();
    let answer = c
        .record_training_usage(
            "acme/llama@1.0.0".into(),
            strings(&["open@1"]),
            true,
            account(CAROL),
        )
        .unwrap();
    let cost = u128::from(env::storage_usage() - before) * byte_cost();
    assert_eq!((answer.storage_cost.0, answer.kept.0), (cost, forwarded));
    assert!(transfers().is_empty(), "nothing goes back to the registry");
    let available = start + forwarded - cost;
    assert_eq!(
        c.storage_balance_of(account(CAROL)).unwrap().available,
        yocto(available)
    );
    assert_eq!(
        events()[1],
        format!(
            r#"EVENT_JSON:{{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"storage_credited","data":{{"account_id":"carol.near","amount":"{}","available":"{available}"}}}}"#,
            forwarded - cost
        )
    );

    // an unregistered publisher: the unused part is sent to it; the registry still has nothing to refund
    must_publish(&mut c, ALICE, "open", "2", &[]);
    call(REGISTRY, forwarded);
    let before = env::storage_usage();
    let answer = c
        .record_training_usage(
            "acme/llama@1.1.0".into(),
            strings(&["open@2"]),
            true,
            account(BOB),
        )
        .unwrap();
    let cost = u128::from(env::storage_usage() - before) * byte_cost();
    assert_eq!((answer.storage_cost.0, answer.kept.0), (cost, forwarded));
    assert_eq!(transfers(), vec![(BOB.to_string(), forwarded - cost)]);
}
