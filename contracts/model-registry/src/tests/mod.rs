//! Unit tests, one file per capability. They read as specifications: each test name states a rule, and every
//! rejected input asserts the exact error message and that the failed call wrote nothing.

mod admin;
mod aliases;
mod attestations;
mod hash_index;
mod lineage;
mod models;
mod status;
mod storage_balance;
mod versions;

use near_sdk::json_types::U64;
use near_sdk::mock::MockAction;
use near_sdk::serde_json::{self, json};
use near_sdk::test_utils::{VMContextBuilder, get_created_receipts, get_logs};
use near_sdk::{
    AccountId, NearToken, PromiseOrValue, PromiseResult, RuntimeFeesConfig, env, test_vm_config,
    testing_env,
};

use crate::VersionedContract;
use crate::errors::RegistryError;
use crate::manifest::FileInput;
use crate::models::ModelMetadata;
use crate::versions::{BaseModel, PublishResult};

pub const REGISTRY: &str = "registry.near";
pub const ADMIN: &str = "admin.near";
pub const ACME: &str = "acme.near";
pub const BOB: &str = "bob.near";
pub const CAROL: &str = "carol.near";
pub const AUDITOR: &str = "auditor.near";
pub const LINEAGE: &str = "lineage.near";
pub const T0: u64 = 1_700_000_000_000_000_000;
pub const HOUR: u64 = 3_600_000_000_000;

pub fn acc(s: &str) -> AccountId {
    s.parse().unwrap()
}

pub fn near(n: u128) -> NearToken {
    NearToken::from_near(n)
}

pub fn yocto(n: u128) -> NearToken {
    NearToken::from_yoctonear(n)
}

pub fn hash(byte: u8) -> String {
    hex::encode([byte; 32])
}

pub fn file(path: &str, byte: u8, size: u64) -> FileInput {
    FileInput {
        path: path.to_string(),
        sha256: hash(byte),
        size: U64(size),
        merkle: None,
    }
}

/// A realistic three-file manifest; `seed` varies the weights' hash.
pub fn files(seed: u8) -> Vec<FileInput> {
    vec![
        file("model.safetensors", seed, 498_000_000),
        file("config.json", 0xc0, 712),
        file("tokenizer.json", 0x70, 2_100_000),
    ]
}

/// The test chain: one contract, a clock, and helpers that switch the caller.
pub struct Chain {
    pub c: VersionedContract,
    pub now: u64,
    pub height: u64,
}

impl Chain {
    /// A fresh chain: empty storage, the registry deployed by admin.near.
    pub fn new() -> Self {
        near_sdk::mock::with_mocked_blockchain(|b| drop(b.take_storage()));
        testing_env!(Self::context(ADMIN, yocto(0), T0, 1, &[]));
        Self {
            c: VersionedContract::new(acc(ADMIN)),
            now: T0,
            height: 1,
        }
    }

    pub fn context(
        caller: &str,
        deposit: NearToken,
        now: u64,
        height: u64,
        _results: &[PromiseResult],
    ) -> near_sdk::VMContext {
        VMContextBuilder::new()
            .current_account_id(acc(REGISTRY))
            .predecessor_account_id(acc(caller))
            .signer_account_id(acc(caller))
            .attached_deposit(deposit)
            .block_timestamp(now)
            .block_height(height)
            .account_balance(near(10_000))
            .build()
    }

    /// Switches to a new block with `caller` attaching `deposit`; logs and receipts start empty.
    pub fn call(&mut self, caller: &str, deposit: NearToken) -> &mut VersionedContract {
        self.height += 1;
        testing_env!(Self::context(caller, deposit, self.now, self.height, &[]));
        &mut self.c
    }

    /// `call` with only `tgas` of prepaid gas.
    pub fn call_with_gas(
        &mut self,
        caller: &str,
        deposit: NearToken,
        tgas: u64,
    ) -> &mut VersionedContract {
        self.height += 1;
        let mut context = Self::context(caller, deposit, self.now, self.height, &[]);
        context.prepaid_gas = near_sdk::Gas::from_tgas(tgas);
        testing_env!(context);
        &mut self.c
    }

    /// `call` with a generous 1 NEAR deposit.
    pub fn by(&mut self, caller: &str) -> &mut VersionedContract {
        self.call(caller, near(1))
    }

    /// A callback execution: the registry calls itself with `result` as the promise result.
    pub fn callback(&mut self, result: PromiseResult) -> &mut VersionedContract {
        self.height += 1;
        testing_env!(
            Self::context(REGISTRY, yocto(0), self.now, self.height, &[]),
            test_vm_config(),
            RuntimeFeesConfig::test(),
            Default::default(),
            vec![result],
        );
        &mut self.c
    }

    /// Every storage key and its value, read without disturbing them (as a new block, caller viewer.near).
    pub fn storage(&mut self) -> std::collections::HashMap<Vec<u8>, Vec<u8>> {
        self.c.registry_mut().flush();
        let storage = near_sdk::mock::with_mocked_blockchain(|b| b.take_storage());
        self.height += 1;
        env::set_blockchain_interface(near_sdk::MockedBlockchain::new(
            Self::context("viewer.near", yocto(0), self.now, self.height, &[]),
            test_vm_config(),
            RuntimeFeesConfig::test(),
            Vec::new(),
            storage.clone(),
            Default::default(),
            None,
        ));
        storage
    }

    pub fn view(&mut self) -> &VersionedContract {
        self.call("viewer.near", yocto(0))
    }

    pub fn advance(&mut self, ns: u64) {
        self.now += ns;
    }

    /// Everything the views can see, as one JSON string.
    pub fn fingerprint(&mut self) -> String {
        let c = &self.c;
        let mut out = vec![serde_json::to_value(c.get_config()).unwrap()];
        for m in c.list_models(None, Some(100)).unwrap() {
            out.push(serde_json::to_value(&m).unwrap());
            out.push(
                serde_json::to_value(c.get_history(m.model_id.clone(), None, Some(100)).unwrap())
                    .unwrap(),
            );
            for a in &m.aliases {
                out.push(serde_json::to_value(c.get_alias(m.model_id.clone(), a.clone())).unwrap());
            }
            for v in c
                .list_versions(m.model_id.clone(), None, Some(100))
                .unwrap()
            {
                out.push(serde_json::to_value(&v).unwrap());
                let atts = c.list_attestations(
                    m.model_id.clone(),
                    v.version.clone(),
                    None,
                    None,
                    None,
                    Some(100),
                );
                out.push(serde_json::to_value(atts.unwrap()).unwrap());
                for f in &v.files {
                    out.push(
                        serde_json::to_value(
                            c.lookup_hash(f.sha256.clone(), None, Some(100)).unwrap(),
                        )
                        .unwrap(),
                    );
                }
            }
        }
        serde_json::to_string(&out).unwrap()
    }

    /// Runs a call that must fail with exactly `message`, and checks it wrote nothing, logged nothing,
    /// created no receipt (so the deposit goes back with the failed transaction) and changed no view.
    pub fn must_fail<T>(
        &mut self,
        caller: &str,
        f: impl FnOnce(&mut VersionedContract) -> Result<T, RegistryError>,
        message: &str,
    ) {
        let before = self.fingerprint();
        let c = self.by(caller);
        let usage = env::storage_usage();
        let err = f(c)
            .err()
            .unwrap_or_else(|| panic!("expected failure: {message}"));
        assert_eq!(err.to_string(), message);
        self.c.registry_mut().flush();
        assert_eq!(env::storage_usage(), usage, "a failed call wrote storage");
        assert!(
            get_logs().is_empty(),
            "a failed call logged {:?}",
            get_logs()
        );
        assert!(
            get_created_receipts().is_empty(),
            "a failed call created receipts"
        );
        assert_eq!(self.fingerprint(), before, "a failed call changed a view");
    }

    // ---- fixtures ------------------------------------------------------------------------------------------

    pub fn must_create(&mut self, owner: &str, namespace: &str, name: &str) -> String {
        self.by(owner)
            .create_model(namespace.into(), name.into(), Some(metadata()))
            .unwrap()
    }

    pub fn must_publish(
        &mut self,
        publisher: &str,
        model_id: &str,
        version: &str,
        seed: u8,
    ) -> PublishResult {
        match publish(self.by(publisher), model_id, version, files(seed)).unwrap() {
            PromiseOrValue::Value(v) => v,
            PromiseOrValue::Promise(_) => panic!("expected an immediate publish"),
        }
    }

    /// acme.near owns `acme/sentiment` with versions 1.0.0 (seed 1) and 1.1.0 (seed 2).
    pub fn with_two_versions() -> Self {
        let mut chain = Self::new();
        chain.must_create(ACME, "acme", "sentiment");
        chain.must_publish(ACME, "acme/sentiment", "1.0.0", 1);
        chain.must_publish(ACME, "acme/sentiment", "1.1.0", 2);
        chain
    }
}

pub fn metadata() -> ModelMetadata {
    ModelMetadata {
        description: "Sentiment classifier for product reviews.".into(),
        tags: vec!["nlp".into(), "sentiment".into()],
        homepage: Some("https://acme.example/sentiment".into()),
        license: Some("Apache-2.0".into()),
        framework: Some("pytorch".into()),
        task: Some("text-classification".into()),
    }
}

pub fn publish(
    c: &mut VersionedContract,
    model_id: &str,
    version: &str,
    files: Vec<FileInput>,
) -> Result<PromiseOrValue<PublishResult>, RegistryError> {
    c.publish_version(
        model_id.into(),
        version.into(),
        files,
        None,
        None,
        None,
        None,
        false,
    )
}

pub fn publish_full(
    c: &mut VersionedContract,
    model_id: &str,
    version: &str,
    base_model: Option<BaseModel>,
    training_datasets: Vec<&str>,
) -> Result<PromiseOrValue<PublishResult>, RegistryError> {
    c.publish_version(
        model_id.into(),
        version.into(),
        files(9),
        Some(vec!["hf://acme/sentiment".into()]),
        Some(hash(0xcc)),
        base_model,
        Some(training_datasets.into_iter().map(String::from).collect()),
        true,
    )
}

/// Transfers created by the last call, as (receiver, yoctoNEAR).
pub fn transfers() -> Vec<(String, u128)> {
    get_created_receipts()
        .into_iter()
        .flat_map(|r| {
            let to = r.receiver_id.to_string();
            r.actions.into_iter().filter_map(move |a| match a {
                MockAction::Transfer { deposit, .. } => Some((to.clone(), deposit.as_yoctonear())),
                _ => None,
            })
        })
        .collect()
}

/// Function calls created by the last call, as (receiver, method, args JSON, deposit).
pub fn function_calls() -> Vec<(String, String, serde_json::Value, u128)> {
    get_created_receipts()
        .into_iter()
        .flat_map(|r| {
            let to = r.receiver_id.to_string();
            r.actions.into_iter().filter_map(move |a| match a {
                MockAction::FunctionCallWeight {
                    method_name,
                    args,
                    attached_deposit,
                    ..
                } => Some((
                    to.clone(),
                    String::from_utf8(method_name).unwrap(),
                    serde_json::from_slice(&args).unwrap_or(json!(null)),
                    attached_deposit.as_yoctonear(),
                )),
                _ => None,
            })
        })
        .collect()
}

pub fn byte_cost() -> u128 {
    env::storage_byte_cost().as_yoctonear()
}

/// What `publish_version` passes its consent callback about pending version `seq` (read from the stored
/// record, as the publish wrote it).
pub fn pending_ref(seq: u64) -> Option<crate::versions::PendingRef> {
    let versions = near_sdk::store::LookupMap::<u64, crate::versions::VersionedModelVersion>::new(
        crate::storage_keys::StorageKey::Versions,
    );
    versions
        .get(&seq)
        .map(|v| crate::versions::PendingRef::from(v.get()))
}
