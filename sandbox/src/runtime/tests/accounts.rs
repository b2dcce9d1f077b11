//! Account actions: creation rules, implicit accounts, keys, deletion, staking checks.

use near_crypto::{KeyType, PublicKey, SecretKey};
use near_parameters::ActionCosts;
use near_primitives::account::{AccessKey, Account, AccountContract};
use near_primitives::action::{
    AddKeyAction, CreateAccountAction, DeleteAccountAction, DeleteKeyAction, StakeAction,
    TransferAction,
};
use near_primitives::errors::{ActionError, ActionErrorKind, TxExecutionError};
use near_primitives::state_record::StateRecord;
use near_primitives::transaction::{Action, ExecutionStatus};
use near_primitives::types::Balance;

use super::harness::*;

fn failure(kind: ActionErrorKind, index: u64) -> ExecutionStatus {
    ExecutionStatus::Failure(TxExecutionError::ActionError(ActionError {
        index: Some(index),
        kind,
    }))
}

fn new_key() -> PublicKey {
    SecretKey::from_seed(KeyType::ED25519, "new").public_key()
}

fn create_account_actions(deposit_near: u128) -> Vec<Action> {
    vec![
        Action::CreateAccount(CreateAccountAction {}),
        Action::AddKey(Box::new(AddKeyAction {
            public_key: new_key(),
            access_key: AccessKey::full_access(),
        })),
        Action::Transfer(TransferAction {
            deposit: Balance::from_near(deposit_near),
        }),
    ]
}

#[test]
fn sub_account_creation_pays_the_nep642_account_creation_charge() {
    let mut chain = TestChain::new();
    let tx = chain.tx("alice.near", "sub.alice.near", create_account_actions(100));
    let outcome = chain.execute(tx).unwrap();
    let receipt = chain.receipt_outcomes(&outcome)[0].clone();
    assert!(
        matches!(receipt.outcome.status, ExecutionStatus::SuccessValue(_)),
        "{:?}",
        receipt.outcome.status
    );

    let account = chain.account("sub.alice.near").unwrap();
    assert_eq!(account.amount(), Balance::from_near(100));
    assert_eq!(
        account.storage_usage(),
        182,
        "100 per account + 40 + 33-byte key + 9-byte access key"
    );

    let config = chain.runtime.config().clone();
    let burnt = gas_cost(GAS_PRICE, receipt.outcome.gas_burnt);
    let covered = gas_cost(GAS_PRICE, chain.exec(ActionCosts::create_account));
    let surplus = gas_cost(
        config
            .min_gas_purchase_price
            .checked_sub(GAS_PRICE)
            .unwrap(),
        receipt.outcome.gas_burnt,
    );
    let charge = std::cmp::min(
        config.account_creation_charge.saturating_sub(covered),
        surplus,
    );
    assert!(charge > Balance::ZERO);
    assert_eq!(
        receipt.outcome.tokens_burnt,
        burnt.checked_add(charge).unwrap()
    );
}

#[test]
fn short_top_level_accounts_only_by_the_registrar() {
    let mut chain = TestChain::new();
    let tx = chain.tx("alice.near", "short", create_account_actions(1));
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        failure(
            ActionErrorKind::CreateAccountOnlyByRegistrar {
                account_id: id("short"),
                registrar_account_id: id("registrar"),
                predecessor_id: id("alice.near"),
            },
            0
        )
    );
    let tx = chain.tx("registrar", "short", create_account_actions(1));
    let outcome = chain.execute(tx).unwrap();
    assert!(matches!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(_)
    ));
}

#[test]
fn grandchild_accounts_are_not_allowed() {
    let mut chain = TestChain::new();
    let tx = chain.tx("alice.near", "x.y.alice.near", create_account_actions(1));
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        failure(
            ActionErrorKind::CreateAccountNotAllowed {
                account_id: id("x.y.alice.near"),
                predecessor_id: id("alice.near"),
            },
            0
        )
    );
}

#[test]
fn transfer_to_a_missing_named_account_fails_and_refunds_the_deposit() {
    let mut chain = TestChain::new();
    let before = chain.balance("alice.near");
    let tx = chain.tx(
        "alice.near",
        "ghost.near",
        vec![Action::Transfer(TransferAction {
            deposit: Balance::from_near(5),
        })],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        failure(
            ActionErrorKind::AccountDoesNotExist {
                account_id: id("ghost.near")
            },
            0
        )
    );
    let lost = before.checked_sub(chain.balance("alice.near")).unwrap();
    assert!(
        lost < Balance::from_millinear(1),
        "only fees are lost, the 5 N came back: {lost}"
    );
    assert_eq!(
        chain.receipt_outcomes(&outcome)[0]
            .outcome
            .receipt_ids
            .len(),
        2,
        "deposit + gas refund"
    );
}

#[test]
fn transfer_to_a_near_implicit_id_creates_the_account_with_its_key() {
    let mut chain = TestChain::new();
    let key = SecretKey::from_seed(KeyType::ED25519, "implicit").public_key();
    let implicit = hex::encode(key.key_data());
    let tx = chain.tx(
        "alice.near",
        &implicit,
        vec![Action::Transfer(TransferAction {
            deposit: Balance::from_near(2),
        })],
    );
    chain.execute(tx).unwrap();
    let account = chain.account(&implicit).unwrap();
    assert_eq!(account.amount(), Balance::from_near(2));
    assert_eq!(account.storage_usage(), 182);
    let access_key = chain
        .store
        .access_key(&id(&implicit), &key, chain.height)
        .unwrap();
    assert_eq!(
        access_key,
        AccessKey {
            nonce: access_key.nonce,
            ..AccessKey::full_access()
        }
    );
    assert_eq!(
        access_key.nonce % AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER,
        0
    );
    assert!(
        access_key.nonce > 0,
        "nonce (h-1)·1e6 avoids replaying old transactions"
    );
}

#[test]
fn add_and_delete_key_adjust_storage_usage() {
    let mut chain = TestChain::new();
    let before = chain.account("alice.near").unwrap().storage_usage();
    let add = Action::AddKey(Box::new(AddKeyAction {
        public_key: new_key(),
        access_key: AccessKey::full_access(),
    }));
    let tx = chain.tx("alice.near", "alice.near", vec![add.clone()]);
    chain.execute(tx).unwrap();
    let extra = borsh::object_length(&new_key()).unwrap()
        + borsh::object_length(&AccessKey::full_access()).unwrap();
    assert_eq!(
        chain.account("alice.near").unwrap().storage_usage(),
        before + 40 + extra as u64
    );

    let tx = chain.tx("alice.near", "alice.near", vec![add]);
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        failure(
            ActionErrorKind::AddKeyAlreadyExists {
                account_id: id("alice.near"),
                public_key: Box::new(new_key())
            },
            0
        )
    );

    let delete = Action::DeleteKey(Box::new(DeleteKeyAction {
        public_key: new_key(),
    }));
    let tx = chain.tx("alice.near", "alice.near", vec![delete.clone()]);
    chain.execute(tx).unwrap();
    assert_eq!(chain.account("alice.near").unwrap().storage_usage(), before);
    let tx = chain.tx("alice.near", "alice.near", vec![delete]);
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        failure(
            ActionErrorKind::DeleteKeyDoesNotExist {
                account_id: id("alice.near"),
                public_key: Box::new(new_key())
            },
            0
        )
    );
}

#[test]
fn deleted_account_pays_its_beneficiary() {
    let mut chain = TestChain::new();
    let bob_before = chain.balance("bob.near");
    let tx = chain.tx(
        "alice.near",
        "alice.near",
        vec![Action::DeleteAccount(DeleteAccountAction {
            beneficiary_id: id("bob.near"),
        })],
    );
    chain.execute(tx).unwrap();
    assert!(chain.account("alice.near").is_none());
    assert!(
        chain
            .store
            .access_keys(&id("alice.near"), chain.height)
            .is_empty()
    );
    let gained = chain.balance("bob.near").checked_sub(bob_before).unwrap();
    assert!(
        gained > Balance::from_near(999),
        "bob got alice's balance: {gained}"
    );
}

#[test]
fn deleted_account_with_missing_beneficiary_burns_the_balance() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "alice.near",
        vec![Action::DeleteAccount(DeleteAccountAction {
            beneficiary_id: id("ghost.near"),
        })],
    );
    let outcome = chain.execute(tx).unwrap();
    assert!(chain.account("alice.near").is_none());
    assert!(
        chain.account("ghost.near").is_none(),
        "a refund never creates an account"
    );
    let all = chain.receipt_outcomes(&outcome);
    assert!(
        all.iter()
            .any(|o| matches!(o.outcome.status, ExecutionStatus::Failure(_))),
        "the payout failed"
    );
}

#[test]
fn staked_account_cannot_be_deleted() {
    let mut chain = TestChain::new();
    let staked = Account::new(
        Balance::from_near(10),
        Balance::from_near(5),
        AccountContract::None,
        182,
    );
    let h = chain.height;
    chain
        .store
        .apply_patch(
            &[StateRecord::Account {
                account_id: id("alice.near"),
                account: staked,
            }],
            h,
        )
        .unwrap();
    let tx = chain.tx(
        "alice.near",
        "alice.near",
        vec![Action::DeleteAccount(DeleteAccountAction {
            beneficiary_id: id("bob.near"),
        })],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        failure(
            ActionErrorKind::DeleteAccountStaking {
                account_id: id("alice.near")
            },
            0
        )
    );
}

#[test]
fn stake_is_validated_but_inert() {
    let mut chain = TestChain::new();
    let key = signer("alice.near").public_key();
    let stake = |n: u128| {
        Action::Stake(Box::new(StakeAction {
            stake: Balance::from_near(n),
            public_key: key.clone(),
        }))
    };
    let tx = chain.tx("alice.near", "alice.near", vec![stake(0)]);
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        failure(
            ActionErrorKind::TriesToUnstake {
                account_id: id("alice.near")
            },
            0
        )
    );

    let tx = chain.tx("alice.near", "alice.near", vec![stake(1)]);
    let outcome = chain.execute(tx).unwrap();
    assert!(matches!(
        chain.final_status(&outcome),
        ExecutionStatus::Failure(TxExecutionError::ActionError(ActionError {
            kind: ActionErrorKind::InsufficientStake { .. },
            ..
        }))
    ));

    let tx = chain.tx("alice.near", "alice.near", vec![stake(1_000_000_000)]);
    let outcome = chain.execute(tx).unwrap();
    assert!(matches!(
        chain.final_status(&outcome),
        ExecutionStatus::Failure(TxExecutionError::ActionError(ActionError {
            kind: ActionErrorKind::TriesToStake { .. },
            ..
        }))
    ));
}
