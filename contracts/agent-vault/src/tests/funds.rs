//! Funds: anyone deposits; only the owner withdraws, with 1 yoctoNEAR, never below storage.
use super::*;
use crate::assert_fails;
use near_sdk::mock::MockAction;

#[test]
fn deposit_emits_an_event_and_zero_is_refused() {
    let mut b = Bench::new();
    b.as_account(OWNER, near(5)).deposit().unwrap();
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"deposited","data":{"account_id":"alice.near","amount":"5000000000000000000000000"}}"#
        ]
    );
    assert_fails!(
        b,
        b.as_account(OWNER, 0).deposit(),
        "amount must be positive, got 0"
    );
}

#[test]
fn owner_withdraws_to_the_owner_account() {
    let mut b = Bench::new();
    b.as_owner().withdraw(U128(near(3))).unwrap().detach();
    let r = receipts();
    assert_eq!(r[0].receiver_id, acc(OWNER));
    assert!(matches!(
        r[0].actions[0],
        MockAction::Transfer { deposit, .. } if deposit.as_yoctonear() == near(3)
    ));
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"withdrawn","data":{"receiver_id":"alice.near","amount":"3000000000000000000000000"}}"#
        ]
    );
}

#[test]
fn agents_cannot_withdraw() {
    let mut b = Bench::new();
    b.grant(spec(account_agent(BOT)));
    assert_fails!(
        b,
        b.as_account(BOT, 1).withdraw(U128(1)),
        "only the owner 'alice.near' may call 'withdraw', not 'bot.near'"
    );
    assert_fails!(
        b,
        b.as_key(key(1)).withdraw(U128(1)),
        "only the owner 'alice.near' may call 'withdraw', not 'vault.alice.near'"
    );
}

#[test]
fn withdraw_needs_one_yocto_a_positive_amount_and_keeps_storage_paid() {
    let mut b = Bench::new();
    assert_fails!(
        b,
        b.as_account(OWNER, 0).withdraw(U128(1)),
        "'withdraw' requires exactly 1 yoctonear attached (a full-access key), got 0"
    );
    assert_fails!(
        b,
        b.as_owner().withdraw(U128(0)),
        "amount must be positive, got 0"
    );
    let available = b.as_owner().get_balance().available.0;
    assert_fails!(
        b,
        b.as_owner().withdraw(U128(available + 1)),
        format!(
            "vault balance too low: {} needed, {available} available",
            available + 1
        )
    );
    b.as_owner().withdraw(U128(available)).unwrap().detach();
}
