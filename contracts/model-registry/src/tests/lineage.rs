//! The registry side of the training-data consent check (issue 5 implements the lineage contract).

use super::*;
use crate::limits::LINEAGE_USAGE_DEPOSIT_PER_DATASET;
use crate::status::VersionStatus;
use crate::versions::Publication;

const DATASETS: [&str; 2] = ["reviews@1.0.0", "tweets@2.1.0"];

fn with_lineage() -> Chain {
    let mut chain = Chain::with_two_versions();
    chain
        .call(ADMIN, yocto(1))
        .set_lineage_contract(Some(acc(LINEAGE)))
        .unwrap();
    chain
}

/// Publishes acme/sentiment@2.0.0 with two datasets and 1 NEAR attached; returns the registry's storage
/// charge (held until the callback).
fn publish_pending(chain: &mut Chain) -> u128 {
    chain.by(ACME);
    let before = env::storage_usage();
    let result = publish_full(
        &mut chain.c,
        "acme/sentiment",
        "2.0.0",
        None,
        DATASETS.to_vec(),
    )
    .unwrap();
    assert!(matches!(result, PromiseOrValue::Promise(_)));
    u128::from(env::storage_usage() - before) * byte_cost()
}

fn forwarded() -> u128 {
    LINEAGE_USAGE_DEPOSIT_PER_DATASET.as_yoctonear() * 2
}

#[test]
fn a_version_with_datasets_is_pending_and_asks_the_lineage_contract() {
    let mut chain = with_lineage();
    let storage = publish_pending(&mut chain);
    let digest = chain
        .c
        .get_version("acme/sentiment".into(), "2.0.0".into())
        .unwrap()
        .manifest_digest;
    assert_eq!(
        get_logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-model-registry","version":"1.0.0","event":"version_pending","data":{{"model_id":"acme/sentiment","version":"2.0.0","manifest_digest":"{digest}","publisher":"acme.near","training_datasets":["reviews@1.0.0","tweets@2.1.0"]}}}}"#
        )]
    );
    // the excess is refunded now; storage + forwarded amount are held
    assert_eq!(
        transfers(),
        vec![(
            ACME.to_string(),
            near(1).as_yoctonear() - storage - forwarded()
        )]
    );
    let calls = function_calls();
    assert_eq!(calls.len(), 2, "lineage call and callback");
    assert_eq!(
        calls[0],
        (
            LINEAGE.to_string(),
            "record_training_usage".to_string(),
            json!({
                "model_version_id": "acme/sentiment@2.0.0",
                "dataset_versions": ["reviews@1.0.0", "tweets@2.1.0"],
                "commercial_use": true,
                "publisher": "acme.near",
            }),
            forwarded(),
        )
    );
    assert_eq!(calls[1].0, REGISTRY);
    assert_eq!(calls[1].1, "on_training_usage_recorded");
    assert_eq!(
        calls[1].2,
        json!({"version_seq": "2", "publisher": "acme.near", "held": (storage + forwarded()).to_string(), "forwarded": forwarded().to_string()})
    );

    // pending is visible as such and not usable
    let v = chain
        .view()
        .get_version("acme/sentiment".into(), "2.0.0".into())
        .unwrap();
    assert_eq!(v.publication, Publication::Pending);
    assert!(v.commercial_use);
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.latest_version, m.pending_version),
        (Some("1.1.0".into()), Some("2.0.0".into()))
    );
    chain.must_fail(
        ACME,
        |c| c.set_alias("acme/sentiment".into(), "production".into(), "2.0.0".into()),
        "version 'acme/sentiment@2.0.0' is pending lineage consent and cannot be used yet",
    );
    chain.must_fail(
        AUDITOR,
        |c| {
            c.attest(
                "acme/sentiment".into(),
                "2.0.0".into(),
                crate::attestations::AttestationKind::Audit,
                None,
            )
        },
        "version 'acme/sentiment@2.0.0' is pending lineage consent and cannot be used yet",
    );
    chain.must_fail(
        ACME,
        |c| publish(c, "acme/sentiment", "2.1.0", files(5)),
        "model 'acme/sentiment' has version '2.0.0' pending lineage consent; wait for it to settle",
    );
}

#[test]
fn consent_publishes_the_version_and_refunds_the_unused_forwarded_deposit() {
    let mut chain = with_lineage();
    publish_pending(&mut chain);
    let lineage_cost = 3_000_000_000_000_000_000_000u128; // 0.003 NEAR
    let storage_cost = format!(r#"{{"storage_cost":"{lineage_cost}"}}"#);
    let c = chain.callback(PromiseResult::Successful(storage_cost.into_bytes()));
    let usage = env::storage_usage();
    let result = c.on_training_usage_recorded(
        U64(2),
        acc(ACME),
        near_sdk::json_types::U128(123),
        near_sdk::json_types::U128(forwarded()),
    );
    assert_eq!(
        result,
        PublishResult {
            version_id: "acme/sentiment@2.0.0".into(),
            publication: Publication::Published
        }
    );
    // the model record no longer names a pending version (Some(u64) → None: 8 bytes) nor remembers its 4
    // index positions (3 files + manifest; Some(vec of 4 u32) → None: 20 bytes); those bytes are refunded too
    let freed = usage - env::storage_usage();
    assert_eq!(freed, 8 + 20);
    assert_eq!(
        transfers(),
        vec![(
            ACME.to_string(),
            forwarded() - lineage_cost + u128::from(freed) * byte_cost()
        )]
    );
    let digest = chain
        .c
        .get_version("acme/sentiment".into(), "2.0.0".into())
        .unwrap()
        .manifest_digest;
    assert_eq!(
        get_logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-model-registry","version":"1.0.0","event":"version_published","data":{{"model_id":"acme/sentiment","version":"2.0.0","manifest_digest":"{digest}","publisher":"acme.near"}}}}"#
        )]
    );
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.latest_version, m.pending_version, m.version_count),
        (Some("2.0.0".into()), None, 3)
    );
    let history = chain
        .view()
        .get_history("acme/sentiment".into(), None, None)
        .unwrap();
    assert_eq!(
        history.last().unwrap().action,
        crate::history::HistoryAction::VersionPublished {
            version: "2.0.0".into(),
            manifest_digest: digest,
            publication: Publication::Published
        }
    );
    // now usable
    chain
        .by(ACME)
        .set_alias("acme/sentiment".into(), "production".into(), "2.0.0".into())
        .unwrap();
    chain.must_publish(ACME, "acme/sentiment", "2.1.0", 5);
}

#[test]
fn refusal_removes_the_pending_version_and_refunds_everything_held() {
    let mut chain = with_lineage();
    let before = chain.fingerprint();
    let storage = publish_pending(&mut chain);
    let held = storage + forwarded();
    let weights = hash(9);
    assert_eq!(
        chain
            .view()
            .lookup_hash(weights.clone(), None, None)
            .unwrap()
            .len(),
        1
    );

    let result = chain
        .callback(PromiseResult::Failed)
        .on_training_usage_recorded(
            U64(2),
            acc(ACME),
            near_sdk::json_types::U128(held),
            near_sdk::json_types::U128(forwarded()),
        );
    assert_eq!(
        result,
        PublishResult {
            version_id: "acme/sentiment@2.0.0".into(),
            publication: Publication::Rejected
        }
    );
    assert_eq!(transfers(), vec![(ACME.to_string(), held)]);
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"version_rejected","data":{"model_id":"acme/sentiment","version":"2.0.0","publisher":"acme.near"}}"#
        ]
    );

    // gone from every view, the hash index and the version list...
    assert_eq!(
        chain
            .view()
            .get_version("acme/sentiment".into(), "2.0.0".into()),
        None
    );
    assert_eq!(
        chain.view().lookup_hash(weights, None, None).unwrap(),
        vec![]
    );
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.latest_version, m.pending_version, m.version_count),
        (Some("1.1.0".into()), None, 2)
    );
    // ...except the audit trail, which records the rejected attempt.
    let history = chain
        .view()
        .get_history("acme/sentiment".into(), None, None)
        .unwrap();
    let last = history.last().unwrap();
    assert!(matches!(
        &last.action,
        crate::history::HistoryAction::VersionPublished { version, publication: Publication::Rejected, .. } if version == "2.0.0"
    ));
    let after = chain.fingerprint();
    assert_ne!(before, after, "only the history differs");
    // the same version can be published again (e.g. without the refused dataset)
    chain.must_publish(ACME, "acme/sentiment", "2.0.0", 9);
    assert_eq!(
        chain.view().lookup_hash(hash(9), None, None).unwrap().len(),
        1
    );
}

#[test]
fn an_unreadable_answer_after_success_counts_as_consent_using_the_whole_forwarded_amount() {
    let mut chain = with_lineage();
    publish_pending(&mut chain);
    let c = chain.callback(PromiseResult::Successful(b"not json".to_vec()));
    let usage = env::storage_usage();
    let result = c.on_training_usage_recorded(
        U64(2),
        acc(ACME),
        near_sdk::json_types::U128(1),
        near_sdk::json_types::U128(forwarded()),
    );
    assert_eq!(result.publication, Publication::Published);
    // nothing of the forwarded amount comes back, only the storage the model record freed
    let freed = u128::from(usage - env::storage_usage()) * byte_cost();
    assert_eq!(transfers(), vec![(ACME.to_string(), freed)]);
    // a lineage contract claiming more than it was sent refunds nothing either
    let v = chain
        .view()
        .get_version("acme/sentiment".into(), "2.0.0".into())
        .unwrap();
    assert_eq!(
        (v.publication, v.status),
        (Publication::Published, VersionStatus::Active)
    );
}

#[test]
fn a_second_callback_for_the_same_version_changes_nothing() {
    let mut chain = with_lineage();
    publish_pending(&mut chain);
    chain
        .callback(PromiseResult::Successful(
            br#"{"storage_cost":"0"}"#.to_vec(),
        ))
        .on_training_usage_recorded(
            U64(2),
            acc(ACME),
            near_sdk::json_types::U128(1),
            near_sdk::json_types::U128(forwarded()),
        );
    let before = chain.fingerprint();
    chain
        .callback(PromiseResult::Failed)
        .on_training_usage_recorded(
            U64(2),
            acc(ACME),
            near_sdk::json_types::U128(1),
            near_sdk::json_types::U128(forwarded()),
        );
    assert!(transfers().is_empty());
    assert_eq!(chain.fingerprint(), before);
}

#[test]
fn a_lineage_publish_needs_enough_gas() {
    let mut chain = with_lineage();
    chain.height += 1;
    testing_env!(
        VMContextBuilder::new()
            .current_account_id(acc(REGISTRY))
            .predecessor_account_id(acc(ACME))
            .attached_deposit(near(1))
            .prepaid_gas(near_sdk::Gas::from_tgas(50))
            .block_timestamp(chain.now)
            .build()
    );
    let err = publish_full(
        &mut chain.c,
        "acme/sentiment",
        "2.0.0",
        None,
        DATASETS.to_vec(),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "prepaid gas 50 TGas is not enough for a lineage-checked publish: attach at least 110 TGas"
    );
}

#[test]
fn a_lineage_publish_needs_storage_plus_the_forwarded_deposit() {
    let mut probe = with_lineage();
    let storage = publish_pending(&mut probe);
    let bytes = storage / byte_cost();
    let required = storage + forwarded();
    let mut chain = with_lineage();
    chain.call(ACME, yocto(required - 1));
    let err = publish_full(
        &mut chain.c,
        "acme/sentiment",
        "2.0.0",
        None,
        DATASETS.to_vec(),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "insufficient deposit: attached {} yoctoNEAR, required {required} yoctoNEAR ({bytes} bytes of storage ({storage} yoctoNEAR) + {} yoctoNEAR forwarded to the lineage contract)",
            required - 1,
            forwarded()
        )
    );
    let mut chain = with_lineage();
    chain.call(ACME, yocto(required));
    let result = publish_full(
        &mut chain.c,
        "acme/sentiment",
        "2.0.0",
        None,
        DATASETS.to_vec(),
    )
    .unwrap();
    assert!(matches!(result, PromiseOrValue::Promise(_)));
    assert!(
        transfers().is_empty(),
        "nothing to refund at the exact amount"
    );
}
