//! Factory: the owner stores the vault code once; anyone creates `<name>.<factory>` for an owner
//! with a deposit; a failed creation is refunded.
use super::*;
use near_sdk::mock::{MockAction, Receipt};
use near_sdk::test_utils::{VMContextBuilder, get_created_receipts, get_logs};
use near_sdk::{PromiseResult, testing_env};

const FACTORY: &str = "vaults.nexus.near";
const OWNER: &str = "nexus.near";
const ALICE: &str = "alice.near";
const CODE: &[u8] = b"\0asm vault code";

fn acc(id: &str) -> AccountId {
    id.parse().unwrap()
}

fn ctx(predecessor: &str, deposit: u128, input: &[u8]) -> VMContextBuilder {
    let usage = env::storage_usage();
    let mut b = VMContextBuilder::new();
    b.current_account_id(acc(FACTORY))
        .predecessor_account_id(acc(predecessor))
        .signer_account_id(acc(predecessor))
        .attached_deposit(NearToken::from_yoctonear(deposit))
        .account_balance(NearToken::from_near(50))
        .storage_usage(usage);
    b.context.input = std::rc::Rc::from(input);
    b
}

fn factory_with_code() -> VaultFactory {
    testing_env!(ctx(OWNER, 0, b"").build());
    let mut f = VaultFactory::new(acc(OWNER));
    testing_env!(ctx(OWNER, 0, CODE).build());
    f.set_vault_code().unwrap();
    f
}

fn receipts() -> Vec<Receipt> {
    get_created_receipts()
}

#[test]
fn owner_sets_the_vault_code_once_and_it_is_hashed() {
    let f = factory_with_code();
    let hash: String = env::sha256(CODE)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(f.vault_code_hash(), Some(hash.clone()));
    assert_eq!(env::storage_read(&code_key()).unwrap(), CODE);
    assert_eq!(
        get_logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-vault-factory","version":"1.0.0","event":"vault_code_set","data":{{"code_hash":"{hash}","code_len":"15"}}}}"#
        )]
    );
}

#[test]
fn only_the_owner_sets_code_and_it_must_not_be_empty() {
    let mut f = factory_with_code();
    testing_env!(ctx(ALICE, 0, b"evil").build());
    assert_eq!(
        f.set_vault_code().unwrap_err().to_string(),
        "only the owner 'nexus.near' may call 'set_vault_code', not 'alice.near'"
    );
    assert_eq!(env::storage_read(&code_key()).unwrap(), CODE);
    testing_env!(ctx(OWNER, 0, b"").build());
    assert_eq!(
        f.set_vault_code().unwrap_err().to_string(),
        "vault code must not be empty"
    );
}

#[test]
fn create_vault_creates_funds_deploys_and_initializes_the_sub_account() {
    let mut f = factory_with_code();
    let deposit = f.min_vault_deposit().0;
    testing_env!(ctx(ALICE, deposit, b"").build());
    f.create_vault("alice".to_owned(), acc(ALICE))
        .unwrap()
        .detach();
    let r = receipts();
    assert_eq!(r[0].receiver_id, acc("alice.vaults.nexus.near"));
    assert!(matches!(r[0].actions[0], MockAction::CreateAccount { .. }));
    assert!(
        matches!(r[0].actions[1], MockAction::Transfer { deposit: d, .. } if d.as_yoctonear() == deposit)
    );
    assert!(matches!(&r[0].actions[2], MockAction::DeployContract { code, .. } if code == CODE));
    match &r[0].actions[3] {
        MockAction::FunctionCallWeight {
            method_name, args, ..
        } => {
            assert_eq!(method_name, b"new");
            assert_eq!(args, br#"{"owner_id":"alice.near"}"#);
        }
        other => panic!("unexpected action {other:?}"),
    }
    assert_eq!(r[1].receiver_id, acc(FACTORY));
}

#[test]
fn create_vault_validates_name_deposit_and_code() {
    let mut f = factory_with_code();
    let minimum = f.min_vault_deposit().0;
    for name in ["a", "Alice", "al.ice", "-alice", "alice_", &"a".repeat(33)] {
        testing_env!(ctx(ALICE, minimum, b"").build());
        assert_eq!(
            f.create_vault(name.to_owned(), acc(ALICE))
                .map(|p| p.detach())
                .unwrap_err()
                .to_string(),
            format!(
                "invalid vault name '{name}': use 2 to 32 characters a-z, 0-9, '-' or '_', no dots"
            )
        );
    }
    testing_env!(ctx(ALICE, minimum - 1, b"").build());
    assert_eq!(
        f.create_vault("alice".to_owned(), acc(ALICE))
            .map(|p| p.detach())
            .unwrap_err()
            .to_string(),
        format!(
            "attached deposit {} is below the minimum {minimum} for a vault",
            minimum - 1
        )
    );
    assert!(receipts().is_empty());

    testing_env!(ctx(OWNER, 0, b"").build());
    let mut empty = VaultFactory::new(acc(OWNER));
    env::storage_remove(&code_key());
    testing_env!(ctx(ALICE, minimum, b"").build());
    assert_eq!(
        empty
            .create_vault("alice".to_owned(), acc(ALICE))
            .map(|p| p.detach())
            .unwrap_err()
            .to_string(),
        "vault code is not set"
    );
}

fn callback(f: &mut VaultFactory, result: PromiseResult) -> bool {
    let mut b = ctx(FACTORY, 0, b"");
    b.predecessor_account_id(acc(FACTORY));
    #[allow(deprecated)]
    near_sdk::test_utils::testing_env_with_promise_results(b.build(), result);
    f.on_vault_created(
        acc("alice.vaults.nexus.near"),
        acc(ALICE),
        acc(ALICE),
        U128(7),
    )
    .unwrap()
}

#[test]
fn successful_creation_is_counted_and_announced() {
    let mut f = factory_with_code();
    assert!(callback(&mut f, PromiseResult::Successful(vec![])));
    assert_eq!(f.vaults_created(), U64(1));
    assert!(receipts().is_empty());
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-vault-factory","version":"1.0.0","event":"vault_created","data":{"vault_id":"alice.vaults.nexus.near","owner_id":"alice.near","deposit":"7"}}"#
        ]
    );
}

#[test]
fn failed_creation_refunds_the_caller() {
    let mut f = factory_with_code();
    assert!(!callback(&mut f, PromiseResult::Failed));
    assert_eq!(f.vaults_created(), U64(0));
    let r = receipts();
    assert_eq!(r[0].receiver_id, acc(ALICE));
    assert!(
        matches!(r[0].actions[0], MockAction::Transfer { deposit, .. } if deposit.as_yoctonear() == 7)
    );
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-vault-factory","version":"1.0.0","event":"vault_creation_failed","data":{"vault_id":"alice.vaults.nexus.near","refunded_to":"alice.near","amount":"7"}}"#
        ]
    );
}

#[test]
fn creation_callback_called_by_an_outsider_is_rejected() {
    let mut f = factory_with_code();
    testing_env!(ctx("eve.near", 0, b"").build());
    assert_eq!(
        f.on_vault_created(
            acc("x.vaults.nexus.near"),
            acc(ALICE),
            acc("eve.near"),
            U128(100)
        )
        .unwrap_err()
        .to_string(),
        "'on_vault_created' is a callback and may only be called by the factory itself, not 'eve.near'"
    );
    assert!(receipts().is_empty());
}

#[test]
fn upgrade_is_owner_only_with_one_yocto() {
    let mut f = factory_with_code();
    testing_env!(ctx(ALICE, 1, b"code").build());
    assert_eq!(
        f.upgrade().map(|p| p.detach()).unwrap_err().to_string(),
        "only the owner 'nexus.near' may call 'upgrade', not 'alice.near'"
    );
    testing_env!(ctx(OWNER, 0, b"code").build());
    assert_eq!(
        f.upgrade().map(|p| p.detach()).unwrap_err().to_string(),
        "'upgrade' requires exactly 1 yoctonear attached (a full-access key), got 0"
    );
    testing_env!(ctx(OWNER, 1, b"code").build());
    f.upgrade().unwrap().detach();
    let r = receipts();
    assert!(matches!(&r[0].actions[0], MockAction::DeployContract { code, .. } if code == b"code"));
}

#[test]
fn migrate_keeps_the_state() {
    let f = factory_with_code();
    env::state_write(&f);
    testing_env!(ctx(FACTORY, 0, b"").build());
    let migrated = VaultFactory::migrate();
    assert_eq!(migrated.vault_code_hash(), f.vault_code_hash());
    assert_eq!(migrated.get_owner(), acc(OWNER));
}
