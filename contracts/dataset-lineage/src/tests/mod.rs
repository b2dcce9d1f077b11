//! Unit tests, one file per capability. They read as specifications: each test name states a behaviour.
//!
//! Every failure case goes through [`must_fail`], which asserts the exact error message, that no event
//! was emitted, no transfer was scheduled and neither the stored collections nor the root struct changed.
//! (Failures detected only after writing — a storage deposit shortfall — are rolled back by the runtime,
//! not by the contract; those tests assert the message only.)

mod access;
mod admin;
mod datasets;
mod derivations;
mod flags;
mod gas;
mod property;
mod queries;
mod storage_balance;
mod terms;
mod usage;

use std::collections::BTreeMap;
use std::fmt::Debug;

use near_sdk::json_types::{U64, U128};
use near_sdk::mock::MockAction;
use near_sdk::test_utils::{VMContextBuilder, get_created_receipts, get_logs};
use near_sdk::{AccountId, MockedBlockchain, NearToken, RuntimeFeesConfig, env, test_vm_config};

use crate::Contract;
use crate::derivations::{Activity, ActivityKind, Derivation};
use crate::errors::Result;
use crate::terms::{AccessOffer, Permission, Terms};
use crate::versions::VersionManifest;

pub const CONTRACT: &str = "lineage.near";
pub const OWNER: &str = "owner.near";
pub const REGISTRY: &str = "registry.near";
pub const ALICE: &str = "alice.near";
pub const BOB: &str = "bob.near";
pub const CAROL: &str = "carol.near";
pub const STRANGER: &str = "stranger.near";

pub const ONE_NEAR: u128 = 1_000_000_000_000_000_000_000_000;
/// Generous deposit for writes; the excess comes back.
pub const DEPOSIT: u128 = ONE_NEAR;
pub const START_NS: u64 = 1_700_000_000_000_000_000;
pub const DAY_SECS: u64 = 86_400;

pub fn account(name: &str) -> AccountId {
    name.parse().unwrap()
}

/// Starts a new call by `caller` with `deposit` yoctoNEAR at `START_NS`. Storage (and storage usage)
/// carries over from the previous call; logs and receipts start empty.
pub fn call(caller: &str, deposit: u128) {
    call_at(caller, deposit, START_NS);
}

pub fn call_at(caller: &str, deposit: u128, now_ns: u64) {
    call_with(caller, deposit, now_ns, Vec::new());
}

/// A call whose raw input is `input` (methods that read `env::input()` themselves, like `upgrade`).
pub fn call_with(caller: &str, deposit: u128, now_ns: u64, input: Vec<u8>) {
    let usage = env::storage_usage();
    let storage = near_sdk::mock::with_mocked_blockchain(|b| b.take_storage());
    let mut context = VMContextBuilder::new()
        .current_account_id(account(CONTRACT))
        .predecessor_account_id(account(caller))
        .signer_account_id(account(caller))
        .attached_deposit(NearToken::from_yoctonear(deposit))
        .account_balance(NearToken::from_near(1_000))
        .storage_usage(usage)
        .block_timestamp(now_ns)
        .build();
    context.input = input.into();
    env::set_blockchain_interface(MockedBlockchain::new(
        context,
        test_vm_config(),
        RuntimeFeesConfig::test(),
        Vec::new(),
        storage,
        Default::default(),
        None,
    ));
}

/// A copy of every stored key/value (the root struct is not in it: unit tests never write it).
pub fn storage_snapshot() -> BTreeMap<Vec<u8>, Vec<u8>> {
    let storage = near_sdk::mock::with_mocked_blockchain(|b| b.take_storage());
    let copy = storage.clone().into_iter().collect();
    let usage = env::storage_usage();
    env::set_blockchain_interface(MockedBlockchain::new(
        VMContextBuilder::new()
            .current_account_id(account(CONTRACT))
            .storage_usage(usage)
            .build(),
        test_vm_config(),
        RuntimeFeesConfig::test(),
        Vec::new(),
        storage,
        Default::default(),
        None,
    ));
    copy
}

/// Transfers scheduled by the current call, as `(receiver, yoctoNEAR)`.
pub fn transfers() -> Vec<(String, u128)> {
    get_created_receipts()
        .into_iter()
        .flat_map(|r| {
            let receiver = r.receiver_id.to_string();
            r.actions.into_iter().filter_map(move |a| match a {
                MockAction::Transfer { deposit, .. } => {
                    Some((receiver.clone(), deposit.as_yoctonear()))
                }
                _ => None,
            })
        })
        .collect()
}

/// Event lines logged by the current call.
pub fn events() -> Vec<String> {
    get_logs()
        .into_iter()
        .filter(|l| l.starts_with("EVENT_JSON:"))
        .collect()
}

/// Runs `f` as `caller` with `deposit` and asserts it fails with exactly `expected`, emitting nothing,
/// moving no funds and changing no state.
#[track_caller]
pub fn must_fail<T: Debug>(
    c: &mut Contract,
    caller: &str,
    deposit: u128,
    f: impl FnOnce(&mut Contract) -> Result<T>,
    expected: &str,
) {
    must_fail_with_input(c, caller, deposit, Vec::new(), f, expected);
}

/// [`must_fail`] for a call whose raw input is `input`.
pub fn must_fail_with_input<T: Debug>(
    c: &mut Contract,
    caller: &str,
    deposit: u128,
    input: Vec<u8>,
    f: impl FnOnce(&mut Contract) -> Result<T>,
    expected: &str,
) {
    let stored = storage_snapshot();
    let root = near_sdk::borsh::to_vec(&*c).unwrap();
    call_with(caller, deposit, START_NS, input);
    let err = f(c).expect_err("the call should fail");
    assert_eq!(err.to_string(), expected);
    assert!(
        get_logs().is_empty(),
        "a failed call logged {:?}",
        get_logs()
    );
    assert!(transfers().is_empty(), "a failed call moved funds");
    assert_eq!(
        near_sdk::borsh::to_vec(&*c).unwrap(),
        root,
        "a failed call changed the root state"
    );
    assert!(
        storage_snapshot() == stored,
        "a failed call changed stored state"
    );
}

/// A deterministic sha256-shaped digest.
pub fn digest(n: u32) -> String {
    format!("{n:064x}")
}

pub fn open_terms() -> Terms {
    Terms {
        ai_training: Permission::Allowed,
        ai_inference: Permission::Allowed,
        data_mining: Permission::Allowed,
        commercial_use: Permission::Allowed,
        attribution_required: true,
        access: Some(AccessOffer {
            price: U128(ONE_NEAR),
            duration_seconds: U64(30 * DAY_SECS),
        }),
    }
}

pub fn manifest(n: u32) -> VersionManifest {
    VersionManifest {
        content_digest: digest(n),
        size_bytes: U64(1_000),
        record_count: U64(10),
        schema_digest: None,
        uris: vec![format!("ipfs://data{n}")],
    }
}

pub fn derivation(parents: &[&str]) -> Derivation {
    Derivation {
        parents: parents.iter().map(|p| p.to_string()).collect(),
        activity: Activity {
            kind: ActivityKind::Merge,
            code_digest: Some(digest(7)),
            code_uri: Some("https://git.example/pipeline".to_string()),
            parameters_digest: None,
        },
    }
}

/// A fresh contract owned by `OWNER` with `REGISTRY` as the model registry.
pub fn setup() -> Contract {
    call(OWNER, 0);
    // Start from empty storage whatever the previous test on this thread left.
    near_sdk::mock::with_mocked_blockchain(|b| {
        b.take_storage();
    });
    call(OWNER, 0);
    Contract::new(account(OWNER), account(REGISTRY))
}

pub fn must_register(c: &mut Contract, owner: &str, dataset_id: &str, terms: Terms) {
    call(owner, DEPOSIT);
    c.register_dataset(dataset_id.to_string(), format!("{dataset_id} title"), terms)
        .unwrap();
}

/// Publishes `<dataset_id>@<version>` as the dataset's owner `owner`, derived from `parents` if any.
pub fn must_publish(
    c: &mut Contract,
    owner: &str,
    dataset_id: &str,
    version: &str,
    parents: &[&str],
) -> String {
    call(owner, DEPOSIT);
    let derived = (!parents.is_empty()).then(|| derivation(parents));
    c.publish_version(
        dataset_id.to_string(),
        version.to_string(),
        manifest(1),
        derived,
    )
    .unwrap()
}

/// Records usage of `datasets` by `model` as the registry, with 0.01 NEAR per dataset.
pub fn must_record_usage(c: &mut Contract, model: &str, datasets: &[&str], commercial: bool) {
    let deposit = crate::limits::TRAINING_DEPOSIT_PER_DATASET_YOCTO
        .checked_mul(u128::try_from(datasets.len()).unwrap())
        .unwrap();
    call(REGISTRY, deposit);
    c.record_training_usage(
        model.to_string(),
        datasets.iter().map(|d| d.to_string()).collect(),
        commercial,
        account(CAROL),
    )
    .unwrap();
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
