//! NEP-145 storage balances: registration, paying writes from the balance, withdrawal, unregistration, and
//! amounts owed later (a refused pending publish) credited instead of transferred.

use super::*;
use crate::limits::LINEAGE_USAGE_DEPOSIT_PER_DATASET;
use crate::storage_balance::{StorageBalance, StorageBalanceBounds};

/// The registration bound: a balance record for a 64-character account id (key 1 + 4 + 64, value 32, plus
/// the protocol's 40 bytes per record).
fn min() -> u128 {
    (1 + 4 + 64 + 32 + 40) * byte_cost()
}

/// The cost of `account`'s balance record.
fn locked(account: &str) -> u128 {
    (1 + 4 + account.len() as u128 + 32 + 40) * byte_cost()
}

fn balance(chain: &mut Chain, account: &str) -> Option<StorageBalance> {
    chain.view().storage_balance_of(acc(account))
}

fn deposit(chain: &mut Chain, account: &str, amount: NearToken) -> StorageBalance {
    chain
        .call(account, amount)
        .storage_deposit(None, None)
        .unwrap()
}

#[test]
fn bounds_price_a_record_for_the_longest_account_id_with_no_maximum() {
    let mut chain = Chain::new();
    assert_eq!(
        chain.view().storage_balance_bounds(),
        StorageBalanceBounds {
            min: yocto(min()),
            max: None
        }
    );
}

#[test]
fn a_deposit_registers_keeps_the_record_cost_and_makes_the_rest_available() {
    let mut chain = Chain::new();
    assert_eq!(balance(&mut chain, ACME), None);
    let usage = env::storage_usage();
    let b = deposit(&mut chain, ACME, near(1));
    let added = u128::from(env::storage_usage() - usage);
    assert_eq!(
        added * byte_cost(),
        locked(ACME),
        "the record's measured bytes"
    );
    assert_eq!(
        b,
        StorageBalance {
            total: near(1),
            available: yocto(near(1).as_yoctonear() - locked(ACME)),
        }
    );
    assert!(transfers().is_empty());
    assert_eq!(
        get_logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-model-registry","version":"1.0.0","event":"storage_deposited","data":{{"account_id":"acme.near","amount":"{}","total":"{}","available":"{}"}}}}"#,
            near(1).as_yoctonear(),
            near(1).as_yoctonear(),
            near(1).as_yoctonear() - locked(ACME)
        )]
    );
    assert_eq!(balance(&mut chain, ACME), Some(b));

    // a second deposit only adds
    let b = deposit(&mut chain, ACME, near(2));
    assert_eq!(b.total, near(3));
    assert_eq!(
        b.available.as_yoctonear(),
        near(3).as_yoctonear() - locked(ACME)
    );
}

#[test]
fn registering_needs_at_least_the_bound() {
    let mut chain = Chain::new();
    let short = min() - 1;
    chain.height += 1;
    testing_env!(Chain::context(
        BOB,
        yocto(short),
        chain.now,
        chain.height,
        &[]
    ));
    let usage = env::storage_usage();
    let err = chain.c.storage_deposit(None, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "insufficient deposit: attached {short} yoctoNEAR, required {} yoctoNEAR (storage_balance_bounds().min registers an account)",
            min()
        )
    );
    assert_eq!(env::storage_usage(), usage);
    assert_eq!(balance(&mut chain, BOB), None);
}

#[test]
fn registration_only_refunds_all_but_the_record_cost_and_everything_when_registered() {
    let mut chain = Chain::new();
    let b = chain
        .call(ACME, near(1))
        .storage_deposit(None, Some(true))
        .unwrap();
    assert_eq!(
        b,
        StorageBalance {
            total: yocto(locked(ACME)),
            available: yocto(0)
        }
    );
    assert_eq!(
        transfers(),
        vec![(ACME.to_string(), near(1).as_yoctonear() - locked(ACME))]
    );
    let again = chain
        .call(ACME, near(1))
        .storage_deposit(None, Some(true))
        .unwrap();
    assert_eq!(again, b);
    assert_eq!(
        transfers(),
        vec![(ACME.to_string(), near(1).as_yoctonear())]
    );
}

#[test]
fn anyone_can_deposit_for_another_account() {
    let mut chain = Chain::new();
    let b = chain
        .call(BOB, near(1))
        .storage_deposit(Some(acc(ACME)), None)
        .unwrap();
    assert_eq!(b.total, near(1));
    assert_eq!(balance(&mut chain, ACME), Some(b));
    assert_eq!(balance(&mut chain, BOB), None);
}

#[test]
fn a_registered_writer_pays_the_exact_storage_from_its_balance_without_a_refund_transfer() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    let before = deposit(&mut chain, ACME, near(1)).available.as_yoctonear();
    chain.call(ACME, yocto(1));
    let usage = env::storage_usage();
    let _ = publish(&mut chain.c, "acme/sentiment", "1.0.0", files(1)).unwrap();
    let added = u128::from(env::storage_usage() - usage);
    assert!(transfers().is_empty(), "no refund transfer");
    let after = balance(&mut chain, ACME).unwrap().available.as_yoctonear();
    // the attached yoctoNEAR is credited, the bytes (the balance record rewritten in place adds none) charged
    assert_eq!(after, before + 1 - added * byte_cost());
}

#[test]
fn a_registered_writer_short_of_funds_is_refused_with_the_shortfall_and_nothing_changes() {
    // What the publish needs, measured first on a chain paying by deposit (chains share the mocked storage).
    let mut probe = Chain::new();
    probe.must_create(ACME, "acme", "sentiment");
    probe.call(ACME, near(1));
    let usage = env::storage_usage();
    let _ = publish(&mut probe.c, "acme/sentiment", "1.0.0", files(1)).unwrap();
    let added = u128::from(env::storage_usage() - usage);
    let required = added * byte_cost();

    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    deposit(&mut chain, ACME, yocto(min()));
    chain.call(ACME, yocto(1)).storage_withdraw(None).unwrap();
    chain.call(ACME, yocto(1));
    let err = publish(&mut chain.c, "acme/sentiment", "1.0.0", files(1))
        .err()
        .unwrap();
    // (the runtime reverts the call's writes when it fails; the end-to-end tests check that)
    assert_eq!(
        err.to_string(),
        format!(
            "insufficient storage balance: available 0 yoctoNEAR + attached 1 yoctoNEAR, required {required} yoctoNEAR ({added} bytes of storage); top up with storage_deposit"
        )
    );

    // more than 1 yoctoNEAR attached pays by deposit (excess refunded) and leaves the balance alone
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    let start = deposit(&mut chain, ACME, near(1)).available;
    chain.call(ACME, yocto(required + 5));
    let _ = publish(&mut chain.c, "acme/sentiment", "1.0.0", files(1)).unwrap();
    assert_eq!(transfers(), vec![(ACME.to_string(), 5)]);
    assert_eq!(balance(&mut chain, ACME).unwrap().available, start);
}

#[test]
fn withdraw_takes_exactly_one_yocto_and_at_most_the_available_balance() {
    let mut chain = Chain::new();
    let available = deposit(&mut chain, ACME, near(1)).available.as_yoctonear();
    chain.must_fail(
        ACME,
        |c| c.storage_withdraw(None),
        "requires an attached deposit of exactly 1 yoctoNEAR, got 1000000000000000000000000",
    );
    chain.height += 1;
    testing_env!(Chain::context(ACME, yocto(1), chain.now, chain.height, &[]));
    let err = chain
        .c
        .storage_withdraw(Some(yocto(available + 1)))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot withdraw {} yoctoNEAR: only {available} yoctoNEAR is available",
            available + 1
        )
    );
    let b = chain
        .call(ACME, yocto(1))
        .storage_withdraw(Some(yocto(1000)))
        .unwrap();
    assert_eq!(b.available.as_yoctonear(), available - 1000);
    assert_eq!(transfers(), vec![(ACME.to_string(), 1000)]);
    let b = chain.call(ACME, yocto(1)).storage_withdraw(None).unwrap();
    assert_eq!(
        b,
        StorageBalance {
            total: yocto(locked(ACME)),
            available: yocto(0)
        }
    );
    assert_eq!(transfers(), vec![(ACME.to_string(), available - 1000)]);

    let err = chain
        .call(BOB, yocto(1))
        .storage_withdraw(None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bob.near is not registered for storage; call storage_deposit first"
    );
}

#[test]
fn unregister_returns_the_total_and_deletes_the_record() {
    let mut chain = Chain::new();
    deposit(&mut chain, ACME, near(1));
    let c = chain.call(ACME, yocto(1));
    let usage = env::storage_usage();
    assert!(c.storage_unregister(None).unwrap());
    assert_eq!(
        transfers(),
        vec![(ACME.to_string(), near(1).as_yoctonear())]
    );
    assert_eq!(
        u128::from(usage - env::storage_usage()) * byte_cost(),
        locked(ACME),
        "the record is gone"
    );
    assert_eq!(balance(&mut chain, ACME), None);
    assert!(
        !chain
            .call(ACME, yocto(1))
            .storage_unregister(Some(true))
            .unwrap()
    );
    assert!(transfers().is_empty());
}

#[test]
fn a_refused_pending_publish_credits_what_it_held_to_a_registered_publisher() {
    let mut chain = Chain::with_two_versions();
    chain
        .call(ADMIN, yocto(1))
        .set_lineage_contract(Some(acc(LINEAGE)))
        .unwrap();
    let start = deposit(&mut chain, ACME, near(1)).available.as_yoctonear();
    chain.call(ACME, yocto(1));
    let _ = publish_full(
        &mut chain.c,
        "acme/sentiment",
        "2.0.0",
        None,
        vec!["reviews@1.0.0"],
    )
    .unwrap();
    assert!(transfers().is_empty(), "nothing refunded at publish");
    let forwarded = LINEAGE_USAGE_DEPOSIT_PER_DATASET.as_yoctonear();
    assert_eq!(
        function_calls()[0].3,
        forwarded,
        "forwarded from the balance"
    );
    let held = start + 1 - balance(&mut chain, ACME).unwrap().available.as_yoctonear();

    chain
        .callback(PromiseResult::Failed)
        .on_training_usage_recorded(
            U64(2),
            acc(ACME),
            held.into(),
            forwarded.into(),
            pending_ref(2),
        );
    assert!(transfers().is_empty(), "credited, not transferred");
    // announced, so an indexer following balances by events sees the credit
    assert_eq!(
        get_logs(),
        vec![
            format!(
                r#"EVENT_JSON:{{"standard":"nexus-model-registry","version":"1.0.0","event":"storage_credited","data":{{"account_id":"acme.near","amount":"{held}","available":"{}"}}}}"#,
                start + 1
            ),
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"version_rejected","data":{"model_id":"acme/sentiment","version":"2.0.0","publisher":"acme.near"}}"#.to_string(),
        ]
    );
    assert_eq!(
        balance(&mut chain, ACME).unwrap().available.as_yoctonear(),
        start + 1
    );
}
