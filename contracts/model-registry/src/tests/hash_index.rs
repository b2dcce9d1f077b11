//! The lookup-by-hash index (see `crate::hash_index`): what a publish writes, dense positions when pending
//! versions are removed, and a registry upgraded from the first release reading both layouts.

use std::collections::HashMap;

use near_sdk::IntoStorageKey;
use near_sdk::store::IterableSet;

use super::*;
use crate::Registry;
use crate::hash_index::{self, HashHit};
use crate::models::VersionedModel;
use crate::storage_keys::StorageKey;
use crate::versions::Publication;

/// Keys added, changed or removed between two storage snapshots.
fn touched(before: &HashMap<Vec<u8>, Vec<u8>>, after: &HashMap<Vec<u8>, Vec<u8>>) -> usize {
    let changed = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .count();
    let removed = before.keys().filter(|k| !after.contains_key(*k)).count();
    changed + removed
}

/// (model, version, path) of every hit of `digest`, in list order.
fn hits(chain: &mut Chain, digest: &str) -> Vec<(String, String, Option<String>)> {
    chain
        .view()
        .lookup_hash(digest.into(), None, Some(100))
        .unwrap()
        .into_iter()
        .map(|h| (h.model_id, h.version, h.path))
        .collect()
}

fn hit(model: &str, version: &str, path: Option<&str>) -> (String, String, Option<String>) {
    (model.into(), version.into(), path.map(String::from))
}

fn manifest_digest(chain: &mut Chain, model: &str, version: &str) -> String {
    chain
        .view()
        .get_version(model.into(), version.into())
        .unwrap()
        .manifest_digest
}

fn with_lineage(chain: &mut Chain) {
    chain
        .call(ADMIN, yocto(1))
        .set_lineage_contract(Some(acc(LINEAGE)))
        .unwrap();
}

/// Publishes `model@version` pending lineage consent, with `files`; returns its version seq.
fn publish_pending(chain: &mut Chain, model: &str, version: &str, files: Vec<FileInput>) -> u64 {
    let seq = chain.view().get_config().version_count.0;
    let result = chain
        .by(ACME)
        .publish_version(
            model.into(),
            version.into(),
            files,
            None,
            None,
            None,
            Some(vec!["reviews@1.0.0".into()]),
            false,
        )
        .unwrap();
    assert!(matches!(result, PromiseOrValue::Promise(_)));
    seq
}

fn refuse(chain: &mut Chain, seq: u64) {
    let result = chain
        .callback(PromiseResult::Failed)
        .on_training_usage_recorded(
            U64(seq),
            acc(ACME),
            near_sdk::json_types::U128(0),
            near_sdk::json_types::U128(0),
            pending_ref(seq),
        );
    assert_eq!(result.publication, Publication::Rejected);
    chain.c.registry_mut().flush();
}

fn consent(chain: &mut Chain, seq: u64) {
    let result = chain
        .callback(PromiseResult::Successful(
            br#"{"storage_cost":"0"}"#.to_vec(),
        ))
        .on_training_usage_recorded(
            U64(seq),
            acc(ACME),
            near_sdk::json_types::U128(0),
            near_sdk::json_types::U128(0),
            pending_ref(seq),
        );
    assert_eq!(result.publication, Publication::Published);
    chain.c.registry_mut().flush();
}

#[test]
fn a_publish_writes_one_record_per_new_digest_and_three_per_shared_one() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    let before = chain.storage();
    chain.must_publish(ACME, "acme/sentiment", "1.0.0", 1);
    let after = chain.storage();
    // version record, version id, version list entry, history entry, model record + one head per digest
    // (3 files + the manifest); nothing read-modify-written twice.
    assert_eq!(touched(&before, &after), 5 + 4);

    // 1.1.0 shares config.json and tokenizer.json: their heads are rewritten and one entry each is added.
    chain.must_publish(ACME, "acme/sentiment", "1.1.0", 2);
    let shared = chain.storage();
    assert_eq!(touched(&after, &shared), 5 + 2 + 2 * 2);
    assert_eq!(
        hits(&mut chain, &hash(0xc0)),
        vec![
            hit("acme/sentiment", "1.0.0", Some("config.json")),
            hit("acme/sentiment", "1.1.0", Some("config.json"))
        ]
    );
    let head = hash_index::head([0xc0; 32]).unwrap();
    assert_eq!(
        (head.len, head.first),
        (
            2,
            HashHit {
                version: 0,
                file: Some(0)
            }
        )
    );
}

#[test]
fn the_same_content_twice_in_one_manifest_is_two_hits() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    with_lineage(&mut chain);
    let twins = vec![file("a/empty.txt", 0xee, 0), file("b/empty.txt", 0xee, 0)];
    let seq = publish_pending(&mut chain, "acme/sentiment", "1.0.0", twins.clone());
    assert_eq!(
        hits(&mut chain, &hash(0xee)),
        vec![
            hit("acme/sentiment", "1.0.0", Some("a/empty.txt")),
            hit("acme/sentiment", "1.0.0", Some("b/empty.txt"))
        ]
    );
    refuse(&mut chain, seq);
    assert_eq!(hits(&mut chain, &hash(0xee)), vec![]);
    assert_eq!(hash_index::head([0xee; 32]), None);
    drop(publish(chain.by(ACME), "acme/sentiment", "1.0.0", twins).unwrap());
    assert_eq!(hits(&mut chain, &hash(0xee)).len(), 2);
}

/// Three models publish the same files: `a` pending, then `c` published, then `b` pending. Refusing `a` moves
/// `b`'s hits (the last) into `a`'s positions, and `b` must still find them when it is refused in turn.
#[test]
fn refusing_pending_versions_keeps_every_other_hit_and_frees_their_bytes() {
    let mut chain = Chain::new();
    for name in ["a", "b", "c"] {
        chain.must_create(ACME, "acme", name);
    }
    with_lineage(&mut chain);
    let start = chain.storage();
    let a = publish_pending(&mut chain, "acme/a", "1.0.0", files(1));
    let a_published = chain.storage();
    chain.must_publish(ACME, "acme/c", "1.0.0", 1);
    let c_published = chain.storage();
    let b = publish_pending(&mut chain, "acme/b", "1.0.0", files(1));
    let all = |v: &str| {
        vec![
            hit("acme/a", v, Some("config.json")),
            hit("acme/c", v, Some("config.json")),
            hit("acme/b", v, Some("config.json")),
        ]
    };
    assert_eq!(hits(&mut chain, &hash(0xc0)), all("1.0.0"));
    // the three manifests are identical too
    let digest = manifest_digest(&mut chain, "acme/a", "1.0.0");
    assert_eq!(hits(&mut chain, &digest).len(), 3);

    refuse(&mut chain, a);
    assert_eq!(
        hits(&mut chain, &hash(0xc0)),
        vec![
            hit("acme/b", "1.0.0", Some("config.json")),
            hit("acme/c", "1.0.0", Some("config.json"))
        ]
    );
    refuse(&mut chain, b);
    for digest in [hash(0xc0), hash(1), hash(0x70), digest] {
        assert_eq!(
            hits(&mut chain, &digest)
                .into_iter()
                .map(|h| h.0)
                .collect::<Vec<_>>(),
            vec!["acme/c"]
        );
    }
    // Everything the two refused publishes wrote is gone except their history entries (rewritten
    // `rejected`): the storage is `c`'s publish and those two entries.
    let end = chain.storage();
    let history_entry = |model: u64| {
        let mut key = StorageKey::ModelHistory { model }.into_storage_key();
        key.extend(1u32.to_le_bytes());
        40 + key.len() + end[&key].len()
    };
    assert_eq!(
        usage(&end),
        usage(&start)
            + (usage(&c_published) - usage(&a_published))
            + history_entry(0)
            + history_entry(1)
    );
}

/// Storage usage as the protocol counts it: key + value + 40 bytes per record.
fn usage(storage: &HashMap<Vec<u8>, Vec<u8>>) -> usize {
    storage.iter().map(|(k, v)| 40 + k.len() + v.len()).sum()
}

#[test]
fn a_consented_version_stays_indexed_and_forgets_its_positions() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "a");
    with_lineage(&mut chain);
    let seq = publish_pending(&mut chain, "acme/a", "1.0.0", files(1));
    let record = |chain: &mut Chain| {
        chain
            .view()
            .registry()
            .model_record("acme/a")
            .unwrap()
            .clone()
    };
    let pending = record(&mut chain);
    let publishing = pending.publishing().unwrap();
    assert_eq!(publishing.latest_version, None);
    assert_eq!(
        publishing.pending.as_ref().unwrap().hit_positions,
        vec![0, 0, 0, 0]
    );
    consent(&mut chain, seq);
    let published = record(&mut chain);
    let publishing = published.publishing().unwrap();
    assert_eq!(
        (publishing.latest_version.as_deref(), &publishing.pending),
        (Some("1.0.0"), &None)
    );
    assert_eq!(hits(&mut chain, &hash(1)).len(), 1);
}

// ---- a registry upgraded from the first release ------------------------------------------------------------

/// Rewrites the chain's state as the first release stored it: every hit in the per-digest `IterableSet`s (in
/// publish order), none in the current index, and every model record in its first layout.
fn as_first_release(chain: &mut Chain) {
    chain.call(REGISTRY, yocto(0));
    let r = chain.c.registry_mut();
    for seq in 0..r.next_version_seq {
        let Ok(v) = r.version(seq).cloned() else {
            continue;
        };
        for (digest, hit) in Registry::hits(&v).unwrap() {
            if let Some(head) = hash_index::head(digest) {
                for position in 1..head.len {
                    env::storage_remove(
                        &StorageKey::HashEntry { digest, position }.into_storage_key(),
                    );
                }
                env::storage_remove(&StorageKey::HashHead { digest }.into_storage_key());
            }
            let set = r
                .legacy_hash_index
                .entry(digest)
                .or_insert_with(|| IterableSet::new(StorageKey::HashHits { digest }));
            set.insert(hit);
            set.flush();
        }
    }
    for i in 0..r.model_ids.len() {
        let id = r.model_ids.get(i).unwrap().clone();
        let record = r.models.get_mut(&id).unwrap();
        *record = VersionedModel::V1(record.get().clone());
    }
    r.flush();
}

#[test]
fn first_release_hits_are_listed_before_new_ones_and_paged_as_one_list() {
    let mut chain = Chain::with_two_versions();
    let before = chain.fingerprint();
    as_first_release(&mut chain);
    assert_eq!(
        chain.fingerprint(),
        before,
        "the views read the first layout"
    );
    assert_eq!(hash_index::head([0xc0; 32]), None);

    // the latest version comes from the version list of a first-release model record
    chain.must_fail(
        ACME,
        |c| publish(c, "acme/sentiment", "1.0.5", files(5)),
        "version '1.0.5' must be greater than the latest version '1.1.0' of model 'acme/sentiment'",
    );
    chain.must_publish(ACME, "acme/sentiment", "2.0.0", 5);
    let record = chain
        .view()
        .registry()
        .model_record("acme/sentiment")
        .unwrap()
        .clone();
    assert_eq!(
        record.publishing().unwrap().latest_version.as_deref(),
        Some("2.0.0"),
        "converted by the publish"
    );
    let all = vec![
        hit("acme/sentiment", "1.0.0", Some("config.json")),
        hit("acme/sentiment", "1.1.0", Some("config.json")),
        hit("acme/sentiment", "2.0.0", Some("config.json")),
    ];
    assert_eq!(hits(&mut chain, &hash(0xc0)), all);
    for from in 0..4u32 {
        for limit in 1..4u32 {
            let page: Vec<_> = chain
                .view()
                .lookup_hash(hash(0xc0), Some(from), Some(limit))
                .unwrap()
                .into_iter()
                .map(|h| (h.model_id, h.version, h.path))
                .collect();
            let start = (from as usize).min(all.len());
            let end = (start + limit as usize).min(all.len());
            assert_eq!(page, all[start..end], "from {from} limit {limit}");
        }
    }
    assert_eq!(hash_index::head([0xc0; 32]).unwrap().len, 1);
    assert_eq!(
        chain
            .view()
            .get_model("acme/sentiment".into())
            .unwrap()
            .latest_version,
        Some("2.0.0".into())
    );
}

#[test]
fn a_version_pending_at_the_upgrade_is_removed_from_the_first_release_index() {
    let mut chain = Chain::with_two_versions();
    with_lineage(&mut chain);
    let seq = publish_pending(&mut chain, "acme/sentiment", "2.0.0", files(9));
    as_first_release(&mut chain);
    assert_eq!(hits(&mut chain, &hash(9)).len(), 1);
    assert_eq!(hits(&mut chain, &hash(0xc0)).len(), 3);
    refuse(&mut chain, seq);
    assert_eq!(hits(&mut chain, &hash(9)), vec![]);
    assert_eq!(
        hits(&mut chain, &hash(0xc0)),
        vec![
            hit("acme/sentiment", "1.0.0", Some("config.json")),
            hit("acme/sentiment", "1.1.0", Some("config.json")),
        ]
    );
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.latest_version, m.pending_version),
        (Some("1.1.0".into()), None)
    );
    chain.must_publish(ACME, "acme/sentiment", "2.0.0", 9);
    assert_eq!(hits(&mut chain, &hash(9)).len(), 1);
}

#[test]
fn a_version_pending_at_the_upgrade_is_published_by_consent() {
    let mut chain = Chain::with_two_versions();
    with_lineage(&mut chain);
    let seq = publish_pending(&mut chain, "acme/sentiment", "2.0.0", files(9));
    as_first_release(&mut chain);
    consent(&mut chain, seq);
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.latest_version, m.pending_version, m.version_count),
        (Some("2.0.0".into()), None, 3)
    );
    assert_eq!(hits(&mut chain, &hash(9)).len(), 1);
    chain.must_fail(
        ACME,
        |c| publish(c, "acme/sentiment", "2.0.0", files(10)),
        "version '2.0.0' must be greater than the latest version '2.0.0' of model 'acme/sentiment'",
    );
}

#[test]
fn a_version_pending_since_the_first_release_is_abandoned_with_what_its_removal_frees() {
    let mut chain = Chain::with_two_versions();
    with_lineage(&mut chain);
    let seq = publish_pending(&mut chain, "acme/sentiment", "2.0.0", files(9));
    let since = chain.height;
    as_first_release(&mut chain);
    chain.height = since + 999;
    let asked = chain
        .call(ACME, yocto(1))
        .abandon_pending_version("acme/sentiment".into(), "2.0.0".into())
        .unwrap();
    assert!(matches!(asked, PromiseOrValue::Promise(_)));
    // the lineage contract has no usage record for it
    let c = chain.callback(PromiseResult::Successful(b"null".to_vec()));
    let usage = env::storage_usage();
    c.on_abandon_checked(U64(seq), acc(ACME));
    // no stored amount: the forwarded deposit (one dataset) and the storage the removal freed
    let freed = u128::from(usage - env::storage_usage()) * byte_cost();
    assert!(freed > 0);
    let forwarded = crate::limits::LINEAGE_USAGE_DEPOSIT_PER_DATASET.as_yoctonear();
    assert_eq!(transfers(), vec![(ACME.to_string(), forwarded + freed)]);
    assert_eq!(hits(&mut chain, &hash(9)), vec![]);
    assert_eq!(hits(&mut chain, &hash(0xc0)).len(), 2);
}
