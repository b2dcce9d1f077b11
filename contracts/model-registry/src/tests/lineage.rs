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

/// Bytes of pending bookkeeping on the model record while 2.0.0 is pending: `pending_version` (Some(u64) vs
/// None: 8) and what removing it would need (Some(4 index positions as u32 — 3 files and the manifest — and
/// the u128 held) vs None: 36). The registry fronts them; the publisher pays for the record as published.
const PENDING_BOOKKEEPING_BYTES: u64 = 8 + 36;

/// Publishes acme/sentiment@2.0.0 with two datasets and 1 NEAR attached; returns the registry's storage
/// charge (held until the callback): what the publish added less the pending bookkeeping.
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
    u128::from(env::storage_usage() - before - PENDING_BOOKKEEPING_BYTES) * byte_cost()
}

/// Runs the callback for the pending version (seq 2) with `result`; returns its answer and the bytes it freed.
fn settle(chain: &mut Chain, result: PromiseResult, held: u128) -> (PublishResult, u128) {
    let c = chain.callback(result);
    let usage = env::storage_usage();
    let answer = c.on_training_usage_recorded(
        U64(2),
        acc(ACME),
        near_sdk::json_types::U128(held),
        near_sdk::json_types::U128(forwarded()),
        pending_ref(2),
    );
    (answer, u128::from(usage - env::storage_usage()))
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
        json!({
            "version_seq": "2",
            "publisher": "acme.near",
            "held": (storage + forwarded()).to_string(),
            "forwarded": forwarded().to_string(),
            "pending": {"model_id": "acme/sentiment", "version": "2.0.0", "manifest_digest": digest},
        })
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
fn consent_publishes_the_version_and_refunds_what_an_older_lineage_contract_returned() {
    // (an older lineage contract returned the unused deposit to the registry and answered only its cost)
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
        pending_ref(2),
    );
    assert_eq!(
        result,
        PublishResult {
            version_id: "acme/sentiment@2.0.0".into(),
            publication: Publication::Published
        }
    );
    // the model record drops its pending bookkeeping, which the publisher never paid for: not refunded
    assert_eq!(usage - env::storage_usage(), PENDING_BOOKKEEPING_BYTES);
    assert_eq!(
        transfers(),
        vec![(ACME.to_string(), forwarded() - lineage_cost)]
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
fn when_the_lineage_contract_kept_the_whole_deposit_the_callback_makes_no_transfer() {
    // (it returned the unused part to the publisher itself: credited to a storage balance there, or sent)
    let mut chain = with_lineage();
    publish_pending(&mut chain);
    let answer = format!(
        r#"{{"storage_cost":"3000000000000000000000","kept":"{}"}}"#,
        forwarded()
    );
    let (result, freed) = settle(
        &mut chain,
        PromiseResult::Successful(answer.into_bytes()),
        123,
    );
    assert_eq!(result.publication, Publication::Published);
    assert_eq!(freed, u128::from(PENDING_BOOKKEEPING_BYTES));
    assert_eq!(transfers(), vec![]);
    assert_eq!(get_created_receipts().len(), 0);
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
            pending_ref(2),
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
    let (result, freed) = settle(
        &mut chain,
        PromiseResult::Successful(b"not json".to_vec()),
        1,
    );
    assert_eq!(result.publication, Publication::Published);
    // nothing of the forwarded amount comes back, nor the pending bookkeeping the record dropped
    assert_eq!(freed, u128::from(PENDING_BOOKKEEPING_BYTES));
    assert_eq!(transfers(), vec![]);
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
            pending_ref(2),
        );
    let before = chain.fingerprint();
    chain
        .callback(PromiseResult::Failed)
        .on_training_usage_recorded(
            U64(2),
            acc(ACME),
            near_sdk::json_types::U128(1),
            near_sdk::json_types::U128(forwarded()),
            pending_ref(2),
        );
    assert!(transfers().is_empty());
    assert_eq!(chain.fingerprint(), before);
}

#[test]
fn a_lineage_publish_needs_enough_gas() {
    let mut chain = with_lineage();
    let err = publish_full(
        chain.call_with_gas(ACME, near(1), 50),
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

// ---- abandoning a version left pending ------------------------------------------------------------------------

fn abandon(
    chain: &mut Chain,
    caller: &str,
    deposit: NearToken,
    version: &str,
) -> Result<PromiseOrValue<PublishResult>, RegistryError> {
    chain
        .call(caller, deposit)
        .abandon_pending_version("acme/sentiment".into(), version.into())
}

/// What the lineage contract answers `get_training_datasets` when it has no record.
fn no_usage() -> PromiseResult {
    PromiseResult::Successful(b"null".to_vec())
}

/// A usage record by `publisher`, as `get_training_datasets` answers it.
fn usage_by(publisher: &str) -> PromiseResult {
    PromiseResult::Successful(
        json!({"model_version_id": "acme/sentiment@2.0.0", "publisher": publisher,
            "commercial_use": true, "datasets": [], "recorded_at_ns": "1"})
        .to_string()
        .into_bytes(),
    )
}

/// `caller` abandons 2.0.0 (seq 2): the call asks the lineage contract, whose `answer` the callback gets.
fn abandon_answered(chain: &mut Chain, caller: &str, answer: PromiseResult) -> PublishResult {
    let asked = abandon(chain, caller, yocto(1), "2.0.0").unwrap();
    assert!(matches!(asked, PromiseOrValue::Promise(_)));
    drop(asked); // a dropped promise is scheduled
    assert!(transfers().is_empty() && get_logs().is_empty());
    let calls = function_calls();
    assert_eq!(
        calls[0],
        (
            LINEAGE.to_string(),
            "get_training_datasets".to_string(),
            json!({"model_version_id": "acme/sentiment@2.0.0"}),
            0
        )
    );
    assert_eq!(
        (calls[1].1.as_str(), &calls[1].2),
        (
            "on_abandon_checked",
            &json!({"version_seq": "2", "by": format!("{caller}")})
        )
    );
    chain
        .callback(answer)
        .on_abandon_checked(U64(2), acc(caller))
}

#[test]
fn a_version_left_pending_is_abandoned_after_1000_blocks_and_its_publisher_refunded() {
    let mut chain = with_lineage();
    chain
        .by(ACME)
        .add_maintainer("acme/sentiment".into(), acc(BOB))
        .unwrap();
    let storage = publish_pending(&mut chain);
    let held = storage + forwarded();
    let since = chain.height;
    // the publish keeps what it holds on the model record, exactly what the callback is told
    let stored = chain
        .view()
        .registry()
        .model_record("acme/sentiment")
        .unwrap()
        .publishing()
        .unwrap()
        .pending
        .clone()
        .unwrap();
    assert_eq!(stored.held.as_yoctonear(), held);
    let before = chain.fingerprint();

    let refusals = [
        (
            ACME,
            near(1),
            "2.0.0",
            format!(
                "requires an attached deposit of exactly 1 yoctoNEAR, got {}",
                near(1).as_yoctonear()
            ),
        ),
        (
            CAROL,
            yocto(1),
            "2.0.0",
            "carol.near is not the owner or a maintainer of model 'acme/sentiment'".into(),
        ),
        (
            ACME,
            yocto(1),
            "1.1.0",
            "version 'acme/sentiment@1.1.0' is not pending lineage consent".into(),
        ),
        (
            ACME,
            yocto(1),
            "9.0.0",
            "version 'acme/sentiment@9.0.0' not found".into(),
        ),
        (
            ACME,
            yocto(1),
            "2.0.0",
            format!(
                "version 'acme/sentiment@2.0.0' is pending lineage consent since block {since}; it can be abandoned from block {}",
                since + 1000
            ),
        ),
    ];
    for (caller, deposit, version, message) in refusals {
        let Err(err) = abandon(&mut chain, caller, deposit, version) else {
            panic!("{message}: accepted");
        };
        assert_eq!(err.to_string(), message);
        assert!(get_logs().is_empty() && get_created_receipts().is_empty());
        assert_eq!(chain.fingerprint(), before, "{message}");
    }
    // one block short
    chain.height = since + 998;
    assert!(matches!(
        abandon(&mut chain, ACME, yocto(1), "2.0.0"),
        Err(RegistryError::PendingTooRecent { .. })
    ));

    // a maintainer abandons it; the lineage contract has no usage record for it (its call failed), so it is
    // removed and the publisher gets back everything the publish held
    let scheduled = pending_ref(2);
    let result = abandon_answered(&mut chain, BOB, no_usage());
    assert_eq!(
        result,
        PublishResult {
            version_id: "acme/sentiment@2.0.0".into(),
            publication: Publication::Abandoned
        }
    );
    assert_eq!(chain.height, since + 1001);
    assert_eq!(transfers(), vec![(ACME.to_string(), held)]);
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"version_abandoned","data":{"model_id":"acme/sentiment","version":"2.0.0","publisher":"acme.near","by":"bob.near"}}"#
        ]
    );
    chain.c.registry_mut().flush();
    // removed exactly as a refusal removes it; the history says why
    assert_eq!(
        chain
            .view()
            .get_version("acme/sentiment".into(), "2.0.0".into()),
        None
    );
    assert_eq!(
        chain.view().lookup_hash(hash(9), None, None).unwrap(),
        vec![]
    );
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.latest_version, m.pending_version, m.version_count),
        (Some("1.1.0".into()), None, 2)
    );
    let history = chain
        .view()
        .get_history("acme/sentiment".into(), None, None)
        .unwrap();
    assert_eq!(
        serde_json::to_value(&history.last().unwrap().action).unwrap()["publication"],
        "abandoned"
    );

    // a callback arriving after all changes nothing and refunds nothing
    let after = chain.fingerprint();
    let result = chain
        .callback(PromiseResult::Successful(
            br#"{"storage_cost":"0"}"#.to_vec(),
        ))
        .on_training_usage_recorded(
            U64(2),
            acc(ACME),
            near_sdk::json_types::U128(held),
            near_sdk::json_types::U128(forwarded()),
            scheduled,
        );
    assert_eq!(result.version_id, "");
    assert!(transfers().is_empty());
    chain.c.registry_mut().flush();
    assert_eq!(chain.fingerprint(), after);
    // and the version can be published again
    chain.must_publish(ACME, "acme/sentiment", "2.0.0", 9);
}

#[test]
fn abandoning_frees_what_the_publish_added_except_its_history_entry() {
    let mut chain = with_lineage();
    chain.c.registry_mut().flush();
    let start = chain.storage();
    publish_pending(&mut chain);
    let history_len = chain
        .view()
        .get_model("acme/sentiment".into())
        .unwrap()
        .history_len;
    chain.height += 1000;
    abandon_answered(&mut chain, ACME, no_usage());
    let end = chain.storage();
    let mut changed: Vec<_> = end
        .iter()
        .filter(|(k, v)| start.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    changed.sort();
    let key = near_sdk::IntoStorageKey::into_storage_key;
    let mut model_key = key(crate::storage_keys::StorageKey::Models);
    model_key.extend(near_sdk::borsh::to_vec("acme/sentiment").unwrap());
    let mut history_key = key(crate::storage_keys::StorageKey::ModelHistory { model: 0 });
    history_key.extend((history_len - 1).to_le_bytes());
    // what stays: the history entry of the attempt, and the model record counting it (same size as before:
    // the same latest version, nothing pending)
    assert_eq!(changed, vec![model_key.clone(), history_key]);
    assert_eq!(start[&model_key].len(), end[&model_key].len());
    assert!(start.keys().all(|k| end.contains_key(k)));
}

/// What this release's lineage contract answers: its cost, and that it kept the whole deposit (it returned
/// the rest to the publisher itself).
fn kept_all() -> PromiseResult {
    PromiseResult::Successful(
        format!(
            r#"{{"storage_cost":"3000000000000000000000","kept":"{}"}}"#,
            forwarded()
        )
        .into_bytes(),
    )
}

#[test]
fn consent_rewrites_only_the_model_record() {
    let mut chain = with_lineage();
    publish_pending(&mut chain);
    let before = chain.storage();
    let (result, _) = settle(&mut chain, kept_all(), 1);
    assert_eq!(result.publication, Publication::Published);
    let after = chain.storage();
    let changed: Vec<&Vec<u8>> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(changed.len(), 1, "one record changed");
    let model: crate::models::VersionedModel =
        near_sdk::borsh::from_slice(&after[changed[0]]).unwrap();
    assert_eq!(
        (model.get().id.as_str(), model.get().pending_version),
        ("acme/sentiment", None)
    );
    // the version record still says `pending` as written; every view reads it as published
    let v = chain
        .view()
        .get_version("acme/sentiment".into(), "2.0.0".into())
        .unwrap();
    assert_eq!(v.publication, Publication::Published);
    assert_eq!(
        chain
            .view()
            .version_status("acme/sentiment".into(), "2.0.0".into())
            .unwrap(),
        "active"
    );
    let hits = chain.view().lookup_hash(hash(9), None, None).unwrap();
    assert_eq!(
        hits.iter().map(|h| h.publication).collect::<Vec<_>>(),
        vec![Publication::Published]
    );
}

#[test]
fn history_and_views_tell_a_consented_version_from_the_one_pending_now() {
    let mut chain = with_lineage();
    publish_pending(&mut chain);
    settle(&mut chain, kept_all(), 1);
    chain.by(ACME);
    let result = publish_full(
        &mut chain.c,
        "acme/sentiment",
        "3.0.0",
        None,
        DATASETS.to_vec(),
    )
    .unwrap();
    assert!(matches!(result, PromiseOrValue::Promise(_)));
    let history = chain
        .view()
        .get_history("acme/sentiment".into(), None, None)
        .unwrap();
    let published: Vec<(String, Publication)> = history
        .iter()
        .filter_map(|e| match &e.action {
            crate::history::HistoryAction::VersionPublished {
                version,
                publication,
                ..
            } => Some((version.clone(), *publication)),
            _ => None,
        })
        .collect();
    assert_eq!(
        published,
        vec![
            ("1.0.0".into(), Publication::Published),
            ("1.1.0".into(), Publication::Published),
            ("2.0.0".into(), Publication::Published),
            ("3.0.0".into(), Publication::Pending),
        ]
    );
    let versions = chain
        .view()
        .list_versions("acme/sentiment".into(), None, None)
        .unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version.as_str(), v.publication))
            .collect::<Vec<_>>(),
        vec![
            ("1.0.0", Publication::Published),
            ("1.1.0", Publication::Published),
            ("2.0.0", Publication::Published),
            ("3.0.0", Publication::Pending),
        ]
    );
    // 2.0.0 is usable (a successor for deprecation, an alias target); 3.0.0 is not
    chain
        .by(ACME)
        .set_alias("acme/sentiment".into(), "production".into(), "2.0.0".into())
        .unwrap();
    chain.must_fail(
        ACME,
        |c| c.set_alias("acme/sentiment".into(), "staging".into(), "3.0.0".into()),
        "version 'acme/sentiment@3.0.0' is pending lineage consent and cannot be used yet",
    );
}

#[test]
fn a_callback_scheduled_by_the_previous_release_settles_as_it_did() {
    // (without the version reference in its arguments: it reads the version record, and since that publish
    // charged the model record's pending size, it refunds the bytes the record drops)
    let mut chain = with_lineage();
    publish_pending(&mut chain);
    let c = chain.callback(kept_all());
    let usage = env::storage_usage();
    let result = c.on_training_usage_recorded(
        U64(2),
        acc(ACME),
        near_sdk::json_types::U128(1),
        near_sdk::json_types::U128(forwarded()),
        None,
    );
    assert_eq!(
        result,
        PublishResult {
            version_id: "acme/sentiment@2.0.0".into(),
            publication: Publication::Published
        }
    );
    assert_eq!(usage - env::storage_usage(), PENDING_BOOKKEEPING_BYTES);
    assert_eq!(
        transfers(),
        vec![(
            ACME.to_string(),
            u128::from(PENDING_BOOKKEEPING_BYTES) * byte_cost()
        )]
    );
    assert_eq!(
        chain
            .view()
            .get_version("acme/sentiment".into(), "2.0.0".into())
            .unwrap()
            .publication,
        Publication::Published
    );
}

#[test]
fn an_abandoned_version_whose_usage_the_lineage_contract_recorded_is_published() {
    // (the consent was given; only the callback failed)
    let mut chain = with_lineage();
    let storage = publish_pending(&mut chain);
    chain.height += 1000;
    let result = abandon_answered(&mut chain, ACME, usage_by(ACME));
    assert_eq!(
        result,
        PublishResult {
            version_id: "acme/sentiment@2.0.0".into(),
            publication: Publication::Published
        }
    );
    let (logs, sent) = (get_logs(), transfers());
    let digest = chain
        .view()
        .get_version("acme/sentiment".into(), "2.0.0".into())
        .unwrap()
        .manifest_digest;
    assert_eq!(
        logs,
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-model-registry","version":"1.0.0","event":"version_published","data":{{"model_id":"acme/sentiment","version":"2.0.0","manifest_digest":"{digest}","publisher":"acme.near"}}}}"#
        )]
    );
    // nothing to refund: the publisher paid for the records as published, and the lineage contract gave it
    // the unused deposit
    assert!(storage > 0);
    assert_eq!(sent, vec![]);
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.latest_version, m.pending_version, m.version_count),
        (Some("2.0.0".into()), None, 3)
    );
    assert_eq!(
        chain
            .view()
            .version_status("acme/sentiment".into(), "2.0.0".into())
            .unwrap(),
        "active"
    );
    // a second answer arriving late changes nothing
    chain.c.registry_mut().flush();
    let before = chain.fingerprint();
    let late = chain
        .callback(no_usage())
        .on_abandon_checked(U64(2), acc(ACME));
    assert_eq!(late.version_id, "");
    assert!(transfers().is_empty());
    chain.c.registry_mut().flush();
    assert_eq!(chain.fingerprint(), before);
}

#[test]
fn a_record_by_another_publisher_or_a_failed_question_removes_the_abandoned_version() {
    for answer in [usage_by(BOB), PromiseResult::Failed] {
        let mut chain = with_lineage();
        let storage = publish_pending(&mut chain);
        chain.height += 1000;
        let result = abandon_answered(&mut chain, ACME, answer);
        assert_eq!(result.publication, Publication::Abandoned);
        assert_eq!(transfers(), vec![(ACME.to_string(), storage + forwarded())]);
        assert_eq!(
            chain
                .view()
                .get_version("acme/sentiment".into(), "2.0.0".into()),
            None
        );
    }
}

#[test]
fn without_a_lineage_contract_an_abandoned_version_is_removed_at_once() {
    let mut chain = with_lineage();
    let storage = publish_pending(&mut chain);
    chain
        .call(ADMIN, yocto(1))
        .set_lineage_contract(None)
        .unwrap();
    chain.height += 1000;
    let result = abandon(&mut chain, ACME, yocto(1), "2.0.0").unwrap();
    let PromiseOrValue::Value(result) = result else {
        panic!("expected an immediate removal");
    };
    assert_eq!(result.publication, Publication::Abandoned);
    assert_eq!(transfers(), vec![(ACME.to_string(), storage + forwarded())]);
}

#[test]
fn abandoning_needs_70_tgas_while_a_lineage_contract_is_configured() {
    let mut chain = with_lineage();
    publish_pending(&mut chain);
    chain.height += 1000;
    let before = chain.fingerprint();
    let Err(err) = chain
        .call_with_gas(ACME, yocto(1), 50)
        .abandon_pending_version("acme/sentiment".into(), "2.0.0".into())
    else {
        panic!("accepted with 50 TGas");
    };
    assert_eq!(
        err.to_string(),
        "prepaid gas 50 TGas is not enough for abandoning a pending version (the lineage contract is asked first): attach at least 70 TGas"
    );
    assert_eq!(chain.fingerprint(), before);
}
