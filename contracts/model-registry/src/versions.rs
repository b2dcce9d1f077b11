//! Publishing versions, the lookup-by-hash index and the lineage consent callback.
//!
//! A version is `namespace/name@MAJOR.MINOR.PATCH[-pre][+build]`; versions of a model are strictly increasing
//! in SemVer precedence and immutable once published (only their status and attestations change).
//!
//! # Training data consent
//!
//! A version that declares `training_datasets` (lineage dataset version ids `<dataset_id>@<version>`) needs
//! the registry's lineage contract. The registry stores it as **pending** (visible as such, not usable by
//! aliases, deprecation, revocation or attestations, and no other version of the model can be published
//! meanwhile), and calls
//! `<lineage>.record_training_usage({"model_version_id", "dataset_versions", "commercial_use", "publisher"})`
//! forwarding [`LINEAGE_USAGE_DEPOSIT_PER_DATASET`] per dataset. The lineage contract keeps what its records
//! cost and returns the rest to the publisher in the same call — credited to the publisher's storage balance
//! there if it has one, else transferred — and answers `{"storage_cost":"<yocto>","kept":"<yocto>"}` with
//! `kept` = the whole deposit, since nothing goes back to the registry (an older lineage contract returned the
//! rest to the registry and answered `kept = storage_cost`, or no `kept`). It panics when a dataset version is
//! unknown or its terms forbid the use. Then [`VersionedContract::on_training_usage_recorded`]:
//! - on success publishes the version: the model stops naming it as pending and records it as its latest
//!   version. The version record and its history entry stay as written (`pending`); views derive the state
//!   ([`Registry::publication`]), so the callback rewrites no ~1 KB record. It refunds `forwarded − kept`
//!   (zero with this lineage contract), so the callback makes no transfer;
//! - on failure removes the version and everything it wrote (version record, id, list entry, hash index
//!   entries), marks its history entry `rejected`, and refunds the publisher everything it still held (the
//!   registry's storage charge and the forwarded amount, which the protocol returned to the registry).
//!
//! The publisher pays for the model record in its published form. While the version is pending the record
//! also holds bookkeeping for the callback (the pending seq, where the version's hash-index hits are, what
//! the publish holds): ~80 bytes the registry fronts for those few blocks, so no refund is due when they go.
//!
//! A version whose callback never settled it (it ran out of gas, say) stays pending; after
//! [`ABANDON_PENDING_AFTER_BLOCKS`] blocks a maintainer can [`VersionedContract::abandon_pending_version`] it.
//! That asks the lineage contract whether it recorded the usage: if so the version is published (the consent
//! was given), else it is removed the same way as on refusal and the publisher refunded what the publish held
//! (kept on the model record).
//!
//! Deposit for a publish: registry storage (measured) + forwarded amount; any excess is refunded immediately
//! (or, for a caller registered for storage that attached 1 yoctoNEAR, both come out of its balance).

use near_sdk::json_types::{U64, U128};
use near_sdk::serde_json;
use near_sdk::{AccountId, NearToken, Promise, PromiseError, PromiseOrValue, env, near};

#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::errors::RegistryError;
use crate::events::RegistryEvent;
use crate::hash_index::{self, HashHit};
use crate::history::HistoryAction;
use crate::limits::*;
use crate::manifest::{self, FileInput, ManifestFile, MerkleRoot};
use crate::models::{PendingPublish, Publishing};
use crate::semver::Version;
use crate::status::VersionStatus;
use crate::storage::{List, StorageCharge, bytes_cost, require_one_yocto};
use crate::storage_balance::credit_or_transfer;
use crate::storage_keys::StorageKey;
use crate::validate;
use crate::{Registry, VersionedContract};

/// Whether a version is usable yet.
#[near(serializers = [borsh, json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publication {
    /// Waiting for the lineage contract's consent check.
    Pending,
    Published,
    /// Only in history: the lineage contract refused; the version no longer exists.
    Rejected,
    /// Only in history: the version stayed pending (its callback never ran to completion) and a maintainer
    /// abandoned it; the version no longer exists.
    Abandoned,
}

/// How a model derives from its base.
#[near(serializers = [borsh, json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    FineTune,
    Adapter,
    Quantized,
    Merge,
    Distill,
}

/// The model a version derives from: a published, non-revoked version in this registry.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseModel {
    /// `namespace/name@version`.
    pub model_version_id: String,
    pub relation: Relation,
}

#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub struct ModelVersion {
    pub seq: u64,
    pub model_id: String,
    pub model_seq: u64,
    pub version: String,
    /// Sorted by path (canonical order).
    pub files: Vec<ManifestFile>,
    pub manifest_digest: [u8; 32],
    pub uris: Vec<String>,
    pub model_card_digest: Option<[u8; 32]>,
    pub base_model: Option<BaseModel>,
    pub training_datasets: Vec<String>,
    /// Declared by the publisher; the lineage contract checks it against dataset terms.
    pub commercial_use: bool,
    pub publisher: AccountId,
    pub published_at: u64,
    pub block_height: u64,
    pub publication: Publication,
    pub status: VersionStatus,
    pub attestation_count: u32,
    /// Index of this version's entry in the model history.
    pub history_index: u32,
}

impl ModelVersion {
    pub fn version_id(&self) -> String {
        format!("{}@{}", self.model_id, self.version)
    }
}

/// A stored version. `V2` adds the files' chunked Merkle roots beside the same record; it is written only
/// when a publisher gives roots, so every other version keeps the `V1` layout and size.
#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub enum VersionedModelVersion {
    V1(ModelVersion),
    /// Roots aligned with `files` (`None` for a file without one).
    V2(ModelVersion, Vec<Option<MerkleRoot>>),
}

impl VersionedModelVersion {
    pub fn new(version: ModelVersion, merkle_roots: Vec<Option<MerkleRoot>>) -> Self {
        if merkle_roots.is_empty() {
            Self::V1(version)
        } else {
            Self::V2(version, merkle_roots)
        }
    }

    pub fn get(&self) -> &ModelVersion {
        match self {
            Self::V1(v) | Self::V2(v, _) => v,
        }
    }

    pub fn get_mut(&mut self) -> &mut ModelVersion {
        match self {
            Self::V1(v) | Self::V2(v, _) => v,
        }
    }

    /// The Merkle root of file `i`, if its publisher gave one.
    pub fn merkle_root(&self, i: usize) -> Option<&MerkleRoot> {
        match self {
            Self::V1(_) => None,
            Self::V2(_, roots) => roots.get(i).and_then(Option::as_ref),
        }
    }
}

/// What `publish_version` (or its callback) returns.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishResult {
    pub version_id: String,
    pub publication: Publication,
}

impl PublishResult {
    /// A callback's answer when it settled nothing (`version_id` empty).
    fn unsettled(publication: Publication) -> Self {
        Self {
            version_id: String::new(),
            publication,
        }
    }

    /// Emits `version_published` for a pending version a callback has just published, and answers it.
    fn announce_published(v: PendingRef, publisher: AccountId) -> Self {
        let version_id = format!("{}@{}", v.model_id, v.version);
        RegistryEvent::VersionPublished {
            model_id: v.model_id,
            version: v.version,
            manifest_digest: v.manifest_digest,
            publisher,
        }
        .emit();
        Self {
            version_id,
            publication: Publication::Published,
        }
    }
}

/// What `record_training_usage` is called with. A typed struct rather than `json!`: `serde_json::Value`
/// would link float formatting (~15 KB of code, loaded by every call).
#[derive(near_sdk::serde::Serialize)]
#[serde(crate = "near_sdk::serde")]
struct UsageArgs<'a> {
    model_version_id: &'a str,
    dataset_versions: &'a [String],
    commercial_use: bool,
    publisher: &'a AccountId,
}

/// What the lineage contract answers: its records' cost and what it kept of the forwarded deposit (all of
/// it when it credited the rest to the publisher's storage balance there). An answer without `kept` (an
/// older lineage contract) kept `storage_cost`.
#[near(serializers = [json])]
struct UsageReceipt {
    storage_cost: U128,
    #[serde(default)]
    kept: Option<U128>,
}

/// What the consent callback needs to publish a pending version without reading its record (passed by
/// `publish_version`; absent from a callback scheduled by an earlier release, which reads the record).
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRef {
    pub model_id: String,
    pub version: String,
    /// Hex.
    pub manifest_digest: String,
}

/// What `get_training_datasets` is asked with when abandoning.
#[derive(near_sdk::serde::Serialize)]
#[serde(crate = "near_sdk::serde")]
struct UsageQuery<'a> {
    model_version_id: &'a str,
}

/// The part of the lineage contract's usage record the abandon check reads.
#[near(serializers = [json])]
struct RecordedUsage {
    publisher: AccountId,
}

impl From<&ModelVersion> for PendingRef {
    fn from(v: &ModelVersion) -> Self {
        Self {
            model_id: v.model_id.clone(),
            version: v.version.clone(),
            manifest_digest: hex::encode(v.manifest_digest),
        }
    }
}

/// Splits `namespace/name@version`.
pub fn split_version_id(field: &str, value: &str) -> Result<(String, String), RegistryError> {
    let Some((model_id, version)) = value.rsplit_once('@') else {
        return Err(RegistryError::invalid(
            field,
            value,
            "expected 'namespace/name@version'",
        ));
    };
    validate::model_id(field, model_id)?;
    Version::parse(field, version)?;
    Ok((model_id.to_string(), version.to_string()))
}

impl Registry {
    pub(crate) fn version_seq(&self, model_id: &str, version: &str) -> Result<u64, RegistryError> {
        self.model(model_id)?;
        let id = format!("{model_id}@{version}");
        self.version_ids
            .get(&id)
            .copied()
            .ok_or(RegistryError::VersionNotFound(id))
    }

    pub(crate) fn version(&self, seq: u64) -> Result<&ModelVersion, RegistryError> {
        self.versioned(seq).map(VersionedModelVersion::get)
    }

    /// The stored record, with what only views need (the files' Merkle roots).
    pub(crate) fn versioned(&self, seq: u64) -> Result<&VersionedModelVersion, RegistryError> {
        self.versions
            .get(&seq)
            .ok_or(RegistryError::VersionNotFound(seq.to_string()))
    }

    pub(crate) fn version_mut(&mut self, seq: u64) -> Result<&mut ModelVersion, RegistryError> {
        self.versions
            .get_mut(&seq)
            .map(VersionedModelVersion::get_mut)
            .ok_or(RegistryError::VersionNotFound(seq.to_string()))
    }

    /// Whether `v` is published yet. A version published with training datasets is stored `pending` and its
    /// record is not rewritten when the lineage contract consents (that would rewrite ~1 KB in the callback):
    /// it is pending while its model names it as the pending version and published from then on. A refused
    /// or abandoned version is removed, so no stored record is left in another state.
    pub(crate) fn publication(&self, v: &ModelVersion) -> Publication {
        if v.publication != Publication::Pending {
            return v.publication;
        }
        match self.model(&v.model_id) {
            Ok(m) if m.pending_version != Some(v.seq) => Publication::Published,
            _ => Publication::Pending,
        }
    }

    /// A version that exists and is published (not pending).
    pub(crate) fn published_version(
        &self,
        model_id: &str,
        version: &str,
    ) -> Result<&ModelVersion, RegistryError> {
        let v = self.version(self.version_seq(model_id, version)?)?;
        if self.publication(v) != Publication::Published {
            return Err(RegistryError::VersionPending(v.version_id()));
        }
        Ok(v)
    }

    /// The seq of the model's `index`-th version.
    pub(crate) fn version_at(&self, model_seq: u64, index: u32) -> Option<u64> {
        List::<u64>::open(StorageKey::ModelVersions { model: model_seq })
            .get(index)
            .copied()
    }

    /// The hash-index hits of version `v`: one per file, in file order, then the manifest digest's.
    pub(crate) fn hits(v: &ModelVersion) -> Result<Vec<([u8; 32], HashHit)>, RegistryError> {
        let version = v.seq;
        let mut hits = Vec::with_capacity(v.files.len().saturating_add(1));
        for (i, f) in v.files.iter().enumerate() {
            let file = u16::try_from(i).map_err(|_| RegistryError::Overflow("file index"))?;
            hits.push((
                f.sha256,
                HashHit {
                    version,
                    file: Some(file),
                },
            ));
        }
        hits.push((
            v.manifest_digest,
            HashHit {
                version,
                file: None,
            },
        ));
        Ok(hits)
    }

    /// Removes the hits of pending version `v` from the index, given where its publish put them. A hit moved
    /// into a freed position gets its remembered position updated: in `positions` when it is one of `v`'s own
    /// (not removed yet), on its model when it belongs to another pending version.
    fn unindex_pending(
        &mut self,
        v: &ModelVersion,
        positions: &[u32],
    ) -> Result<(), RegistryError> {
        let hits = Self::hits(v)?;
        if hits.len() != positions.len() {
            return Err(RegistryError::Overflow("pending hit positions"));
        }
        let mut positions = positions.to_vec();
        for (i, (digest, hit)) in hits.into_iter().enumerate() {
            let position = positions[i];
            let Some((moved, from)) = hash_index::remove(digest, hit, position)? else {
                continue;
            };
            if moved.version == v.seq {
                let own = moved.file.map_or(v.files.len(), usize::from);
                if let Some(p) = positions.get_mut(own) {
                    *p = position;
                }
            } else {
                self.repoint_pending_hit(moved, from, position)?;
            }
        }
        Ok(())
    }

    /// A hit moved from position `from` to `to`: if it belongs to another pending version, update the position
    /// that version remembers.
    fn repoint_pending_hit(
        &mut self,
        moved: HashHit,
        from: u32,
        to: u32,
    ) -> Result<(), RegistryError> {
        let v = self.version(moved.version)?;
        if self.publication(v) != Publication::Pending {
            return Ok(());
        }
        let index = moved.file.map_or(v.files.len(), usize::from);
        let model_id = v.model_id.clone();
        let record = self.model_record_mut(&model_id)?;
        let Some(mut publishing) = record.publishing().cloned() else {
            return Ok(());
        };
        if let Some(p) = publishing
            .pending
            .as_mut()
            .and_then(|p| p.hit_positions.get_mut(index))
            && *p == from
        {
            *p = to;
            record.set_publishing(publishing);
        }
        Ok(())
    }

    /// Removes the hits of a version published by the first release (still pending at the upgrade) from the
    /// first-release index.
    fn unindex_legacy(&mut self, v: &ModelVersion) -> Result<(), RegistryError> {
        for (digest, hit) in Self::hits(v)? {
            let now_empty = match self.legacy_hash_index.get_mut(&digest) {
                Some(set) => {
                    set.remove(&hit);
                    set.flush();
                    set.is_empty()
                }
                None => false,
            };
            if now_empty {
                self.legacy_hash_index.remove(&digest);
            }
        }
        Ok(())
    }

    /// Removes pending version `seq` as abandoned by `by` and refunds its publisher what the publish held.
    fn abandon(&mut self, seq: u64, by: &AccountId) -> Result<PublishResult, RegistryError> {
        let v = self.version(seq)?;
        let count = u128::try_from(v.training_datasets.len())
            .map_err(|_| RegistryError::Overflow("dataset count"))?;
        let forwarded = LINEAGE_USAGE_DEPOSIT_PER_DATASET
            .checked_mul(count)
            .ok_or(RegistryError::Overflow("forwarded deposit"))?;
        let held = self
            .model_record(&v.model_id)?
            .publishing()
            .and_then(|p| p.pending.as_ref())
            .map(|p| p.held);
        let usage = env::storage_usage();
        let v = self.remove_pending(seq, Publication::Abandoned)?;
        self.flush();
        let held = match held {
            Some(held) => held,
            None => bytes_cost(usage.saturating_sub(env::storage_usage()))?
                .checked_add(forwarded)
                .ok_or(RegistryError::Overflow("held deposit"))?,
        };
        credit_or_transfer(&v.publisher, held);
        let version_id = v.version_id();
        RegistryEvent::VersionAbandoned {
            model_id: v.model_id,
            version: v.version,
            publisher: v.publisher,
            by: by.clone(),
        }
        .emit();
        Ok(PublishResult {
            version_id,
            publication: Publication::Abandoned,
        })
    }

    /// Publishes pending version `seq` on the lineage contract's consent: the model stops naming it as pending
    /// and records it as its latest version. Neither the version record nor its history entry is rewritten
    /// (see [`Self::publication`]). Returns what the event needs, or `None` if `seq` is not pending.
    fn publish_pending(
        &mut self,
        seq: u64,
        known: Option<PendingRef>,
    ) -> Result<Option<PendingRef>, RegistryError> {
        let known = match known {
            Some(k) => k,
            None => match self.versions.get(&seq).map(VersionedModelVersion::get) {
                Some(v) => PendingRef::from(v),
                None => return Ok(None),
            },
        };
        let record = self.model_record_mut(&known.model_id)?;
        if record.get().pending_version != Some(seq) {
            return Ok(None);
        }
        record.get_mut().pending_version = None;
        record.set_publishing(Publishing {
            latest_version: Some(known.version.clone()),
            pending: None,
        });
        Ok(Some(known))
    }

    /// Removes pending version `seq` on the lineage contract's refusal. `None` if `seq` is not pending.
    fn reject_pending(&mut self, seq: u64) -> Result<Option<ModelVersion>, RegistryError> {
        match self.versions.get(&seq).map(VersionedModelVersion::get) {
            Some(v) if self.publication(v) == Publication::Pending => {}
            _ => return Ok(None),
        }
        self.remove_pending(seq, Publication::Rejected).map(Some)
    }

    /// Removes a pending version and everything its publish wrote, except its history entry, which is rewritten
    /// with `outcome`.
    fn remove_pending(
        &mut self,
        seq: u64,
        outcome: Publication,
    ) -> Result<ModelVersion, RegistryError> {
        let v = self.version(seq)?.clone();
        let publishing = self.model_record(&v.model_id)?.publishing().cloned();
        match publishing.as_ref().and_then(|p| p.pending.as_ref()) {
            Some(pending) => self.unindex_pending(&v, &pending.hit_positions)?,
            None => self.unindex_legacy(&v)?,
        }
        let record = self.model_record_mut(&v.model_id)?;
        if let Some(mut p) = publishing {
            p.pending = None;
            record.set_publishing(p);
        }
        let model = record.get_mut();
        let last = model
            .version_count
            .checked_sub(1)
            .ok_or(RegistryError::Overflow("version count"))?;
        let mut list: List<u64> = List::open(StorageKey::ModelVersions { model: model.seq });
        if list.get(last) == Some(&seq) {
            list.remove(last);
            model.version_count = last;
        }
        model.pending_version = None;
        self.version_ids.set(v.version_id(), None);
        self.versions.set(seq, None);
        self.settle_history_publication(v.model_seq, v.history_index, outcome);
        Ok(v)
    }
}

#[near]
impl VersionedContract {
    /// Publishes a version of `model_id` (owner or maintainer).
    ///
    /// - `version`: SemVer 2.0.0, greater than every existing version of the model.
    /// - `files`: 1–64 `{path, sha256 (hex), size (string)}`; the manifest digest is computed (see
    ///   [`crate::manifest`]).
    /// - `uris`: up to 8 `https://`, `ipfs://`, `hf://`, `ar://` or `s3://` locations.
    /// - `model_card_digest`: sha256 (hex) of the model card.
    /// - `base_model`: `{model_version_id, relation}`, a published non-revoked version of this registry.
    /// - `training_datasets`: up to 32 lineage dataset version ids; non-empty requires the lineage contract
    ///   and at least 110 TGas; the version stays pending until it consents.
    /// - `commercial_use`: the publisher's declaration, checked against dataset terms.
    ///
    /// Deposit: storage (measured) + 0.01 NEAR per training dataset; excess refunded. Returns
    /// `{version_id, publication}` (for a pending version, the callback's result).
    #[payable]
    #[handle_result]
    #[allow(clippy::too_many_arguments)]
    pub fn publish_version(
        &mut self,
        model_id: String,
        version: String,
        files: Vec<FileInput>,
        uris: Option<Vec<String>>,
        model_card_digest: Option<String>,
        base_model: Option<BaseModel>,
        training_datasets: Option<Vec<String>>,
        commercial_use: bool,
    ) -> Result<PromiseOrValue<PublishResult>, RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        let r = self.registry_mut();

        // ---- validate everything before writing anything ----
        let model = r.maintained_model(&model_id, &caller)?;
        let model_seq = model.seq;
        if let Some(p) = model.pending_version {
            return Err(RegistryError::PublishPending {
                model_id,
                version: r.version(p)?.version.clone(),
            });
        }
        let parsed = Version::parse("version", &version)?;
        // Stored on the model (one read, already made); first-release records read the version list.
        let latest = r.latest_version(&model_id)?;
        if let Some(latest) = &latest
            && parsed <= Version::parse("version", latest)?
        {
            return Err(RegistryError::VersionNotIncreasing {
                model_id,
                version,
                latest: latest.clone(),
            });
        }
        let manifest::Manifest {
            files,
            merkle_roots,
        } = manifest::parse(&files)?;
        let uris = uris.unwrap_or_default();
        validate::max_items("uris", &uris, MAX_URIS)?;
        for (i, u) in uris.iter().enumerate() {
            validate::uri(&format!("uris[{i}]"), u, validate::ARTIFACT_SCHEMES)?;
            if uris[..i].contains(u) {
                return Err(RegistryError::Duplicate {
                    field: "uris".into(),
                    value: u.clone(),
                });
            }
        }
        let model_card_digest = model_card_digest
            .as_deref()
            .map(|d| validate::digest("model_card_digest", d))
            .transpose()?;
        if let Some(base) = &base_model {
            let (base_model_id, base_version) =
                split_version_id("base_model.model_version_id", &base.model_version_id)?;
            let b = r.published_version(&base_model_id, &base_version)?;
            if matches!(b.status, VersionStatus::Revoked { .. }) {
                return Err(RegistryError::VersionRevoked(b.version_id()));
            }
        }
        let training_datasets = training_datasets.unwrap_or_default();
        validate::max_items("training_datasets", &training_datasets, MAX_DATASETS)?;
        for (i, d) in training_datasets.iter().enumerate() {
            validate::dataset_version_id(&format!("training_datasets[{i}]"), d)?;
            if training_datasets[..i].contains(d) {
                return Err(RegistryError::Duplicate {
                    field: "training_datasets".into(),
                    value: d.clone(),
                });
            }
        }
        let lineage = if training_datasets.is_empty() {
            None
        } else {
            let lineage = r
                .lineage_contract
                .clone()
                .ok_or(RegistryError::LineageNotConfigured)?;
            let required = LINEAGE_CALL_GAS
                .saturating_add(LINEAGE_CALLBACK_GAS)
                .saturating_add(PUBLISH_GAS);
            if env::prepaid_gas() < required {
                return Err(RegistryError::NotEnoughGas {
                    action: "a lineage-checked publish",
                    prepaid_tgas: env::prepaid_gas().as_tgas(),
                    required_tgas: required.as_tgas(),
                });
            }
            Some(lineage)
        };
        let pending = lineage.is_some();
        let forwarded = if pending {
            let count = u128::try_from(training_datasets.len())
                .map_err(|_| RegistryError::Overflow("dataset count"))?;
            LINEAGE_USAGE_DEPOSIT_PER_DATASET
                .checked_mul(count)
                .ok_or(RegistryError::Overflow("forwarded deposit"))?
        } else {
            NearToken::from_yoctonear(0)
        };
        // A pending publish charges the model record's growth to its published form (see below): its size now.
        let model_len = if pending {
            near_sdk::borsh::object_length(r.model_record(&model_id)?)
                .map_err(|_| RegistryError::Overflow("model record size"))?
        } else {
            0
        };
        let publication = if pending {
            Publication::Pending
        } else {
            Publication::Published
        };
        let manifest_digest = manifest::digest(&files);
        let digest_hex = hex::encode(manifest_digest);
        let version_id = format!("{model_id}@{version}");

        // ---- write ----
        let seq = r.next_version_seq;
        r.next_version_seq = seq
            .checked_add(1)
            .ok_or(RegistryError::Overflow("version seq"))?;
        let history_index = r.record(
            &model_id,
            &caller,
            HistoryAction::VersionPublished {
                version: version.clone(),
                manifest_digest: digest_hex.clone(),
                publication,
            },
        )?;
        let record = VersionedModelVersion::new(
            ModelVersion {
                seq,
                model_id: model_id.clone(),
                model_seq,
                version: version.clone(),
                files,
                manifest_digest,
                uris,
                model_card_digest,
                base_model,
                training_datasets: training_datasets.clone(),
                commercial_use,
                publisher: caller.clone(),
                published_at: env::block_timestamp(),
                block_height: env::block_height(),
                publication,
                status: VersionStatus::Active,
                attestation_count: 0,
                history_index,
            },
            merkle_roots,
        );
        let hit_positions = Registry::hits(record.get())?
            .into_iter()
            .map(|(digest, hit)| hash_index::add(digest, hit))
            .collect::<Result<Vec<_>, _>>()?;
        let model = r.model_record_mut(&model_id)?;
        let m = model.get_mut();
        let mut list: List<u64> = List::open(StorageKey::ModelVersions { model: model_seq });
        m.version_count = list.push(m.version_count, seq)?;
        drop(list);
        if pending {
            m.pending_version = Some(seq);
        }
        model.set_publishing(if pending {
            Publishing {
                latest_version: latest,
                pending: Some(PendingPublish {
                    hit_positions,
                    held: NearToken::from_yoctonear(0), // set below, once measured
                }),
            }
        } else {
            Publishing {
                latest_version: Some(version.clone()),
                pending: None,
            }
        });
        // Fresh keys: `set` writes without reading first.
        r.version_ids.set(version_id.clone(), Some(seq));
        r.versions.set(seq, Some(record));

        let Some(lineage) = lineage else {
            r.flush();
            charge.settle_and_refund()?;
            RegistryEvent::VersionPublished {
                model_id,
                version,
                manifest_digest: digest_hex,
                publisher: caller,
            }
            .emit();
            return Ok(PromiseOrValue::Value(PublishResult {
                version_id,
                publication,
            }));
        };

        // The publisher pays for the model record as it will be once the version is published; the pending
        // bookkeeping on top (the pending seq, the hit positions, `held`) lives only until the callback and
        // the registry fronts its bytes — charging them would mean refunding them in the callback, a transfer
        // (0.67 TGas with its receipts) for ~0.001 NEAR.
        r.flush_all_but_models();
        let model = r.model_record_mut(&model_id)?;
        // Its size as published, counted rather than cloned: the record (already in its second-release form)
        // less the pending seq (`Some(u64)` → `None`: 8 bytes) and with `Publishing` as the callback leaves it.
        let len = |n: Result<usize, _>| {
            n.ok()
                .and_then(|n| u64::try_from(n).ok())
                .ok_or(RegistryError::Overflow("model record size"))
        };
        let settled_publishing = Publishing {
            latest_version: Some(version.clone()),
            pending: None,
        };
        let pending_publishing = model
            .publishing()
            .ok_or(RegistryError::Overflow("model record layout"))?;
        let settled_len = len(near_sdk::borsh::object_length(&*model))?
            .saturating_sub(len(near_sdk::borsh::object_length(pending_publishing))?)
            .saturating_add(len(near_sdk::borsh::object_length(&settled_publishing))?)
            .saturating_sub(8);
        let bytes = charge
            .added_bytes()
            .saturating_add(settled_len)
            .saturating_sub(len(Ok(model_len))?);
        let paid = charge.settle_bytes(bytes, forwarded)?;
        let held = paid
            .storage_cost
            .checked_add(forwarded)
            .ok_or(RegistryError::Overflow("held deposit"))?;
        // `held` is fixed-width: setting it does not change the record's size.
        if let Some(mut publishing) = model.publishing().cloned() {
            if let Some(p) = publishing.pending.as_mut() {
                p.held = held;
            }
            model.set_publishing(publishing);
        }
        r.flush();
        let args = UsageArgs {
            model_version_id: &version_id,
            dataset_versions: &training_datasets,
            commercial_use,
            publisher: &caller,
        };
        let promise = Promise::new(lineage)
            .function_call(
                "record_training_usage".to_string(),
                serde_json::to_vec(&args).map_err(|_| RegistryError::Overflow("lineage args"))?,
                forwarded,
                LINEAGE_CALL_GAS,
            )
            .then(
                Self::ext(env::current_account_id())
                    .with_static_gas(LINEAGE_CALLBACK_GAS)
                    .on_training_usage_recorded(
                        U64(seq),
                        caller.clone(),
                        U128(held.as_yoctonear()),
                        U128(forwarded.as_yoctonear()),
                        Some(PendingRef {
                            model_id: model_id.clone(),
                            version: version.clone(),
                            manifest_digest: digest_hex.clone(),
                        }),
                    ),
            );
        RegistryEvent::VersionPending {
            model_id,
            version,
            manifest_digest: digest_hex,
            publisher: caller,
            training_datasets,
        }
        .emit();
        Ok(PromiseOrValue::Promise(promise))
    }

    /// Settles `version` of `model_id`, left pending lineage consent for at least
    /// [`ABANDON_PENDING_AFTER_BLOCKS`] blocks (its callback never settled it, e.g. it ran out of gas). Owner
    /// or maintainer, exactly 1 yoctoNEAR, [`ABANDON_GAS`] while a lineage contract is configured.
    ///
    /// It first asks the lineage contract whether it recorded the version's training usage
    /// (`get_training_datasets`): if it did, the consent was given and only the callback failed, so the version
    /// is published ([`VersionedContract::on_abandon_checked`]; the lineage contract already gave the publisher
    /// the unused deposit). Otherwise — or with no lineage contract configured — the version is removed exactly
    /// as a refusal removes it (its history entry says `abandoned`) and the publisher gets back what the publish
    /// held (storage charge + forwarded amount, which the protocol returned to the registry when the lineage
    /// call failed). Removing a version the lineage contract has a usage record for would leave that record
    /// pointing at nothing, and make the same version id unpublishable with datasets (the lineage contract
    /// refuses a second record). Returns `{version_id, publication}`: `published` or `abandoned`.
    ///
    /// A version pending since before the upgrade to the second release has no stored amount: its publisher
    /// gets the forwarded amount and the storage the removal frees.
    #[payable]
    #[handle_result]
    pub fn abandon_pending_version(
        &mut self,
        model_id: String,
        version: String,
    ) -> Result<PromiseOrValue<PublishResult>, RegistryError> {
        require_one_yocto()?;
        let caller = env::predecessor_account_id();
        let r = self.registry_mut();
        let model = r.maintained_model(&model_id, &caller)?;
        let pending = model.pending_version;
        let seq = r.version_seq(&model_id, &version)?;
        let v = r.version(seq)?;
        if pending != Some(seq) {
            return Err(RegistryError::NotPending(v.version_id()));
        }
        let from = v
            .block_height
            .checked_add(ABANDON_PENDING_AFTER_BLOCKS)
            .ok_or(RegistryError::Overflow("block height"))?;
        if env::block_height() < from {
            return Err(RegistryError::PendingTooRecent {
                version_id: v.version_id(),
                since: v.block_height,
                from,
            });
        }
        let Some(lineage) = r.lineage_contract.clone() else {
            // Nobody to ask (the lineage contract was unset since the publish).
            return r.abandon(seq, &caller).map(PromiseOrValue::Value);
        };
        if env::prepaid_gas() < ABANDON_GAS {
            return Err(RegistryError::NotEnoughGas {
                action: "abandoning a pending version (the lineage contract is asked first)",
                prepaid_tgas: env::prepaid_gas().as_tgas(),
                required_tgas: ABANDON_GAS.as_tgas(),
            });
        }
        let args = UsageQuery {
            model_version_id: &v.version_id(),
        };
        Ok(PromiseOrValue::Promise(
            Promise::new(lineage)
                .function_call(
                    "get_training_datasets".to_string(),
                    serde_json::to_vec(&args)
                        .map_err(|_| RegistryError::Overflow("lineage args"))?,
                    NearToken::from_yoctonear(0),
                    ABANDON_CHECK_GAS,
                )
                .then(
                    Self::ext(env::current_account_id())
                        .with_static_gas(LINEAGE_CALLBACK_GAS)
                        .on_abandon_checked(U64(seq), caller),
                ),
        ))
    }

    /// Callback of [`Self::abandon_pending_version`]'s question to the lineage contract. Never fails. A usage
    /// record for the version by its publisher publishes it; no record, a failed call or an unreadable answer
    /// removes it (an answer too long to read is a record). Either way only if it is still pending.
    #[private]
    pub fn on_abandon_checked(&mut self, version_seq: U64, by: AccountId) -> PublishResult {
        let answer = if env::promise_results_count() == 1 {
            env::promise_result_checked(0, LINEAGE_USAGE_VIEW_MAX_LEN)
        } else {
            Err(PromiseError::Failed)
        };
        let r = self.registry_mut();
        let seq = version_seq.0;
        let still_pending = r
            .versions
            .get(&seq)
            .map(VersionedModelVersion::get)
            .filter(|v| r.publication(v) == Publication::Pending)
            .map(|v| v.publisher.clone());
        let Some(publisher) = still_pending else {
            env::log_str("the version is not pending; nothing to settle");
            return PublishResult::unsettled(Publication::Abandoned);
        };
        let recorded = match answer {
            Ok(bytes) => serde_json::from_slice::<Option<RecordedUsage>>(&bytes)
                .ok()
                .flatten()
                .is_some_and(|u| u.publisher == publisher),
            Err(PromiseError::TooLong(_)) => true,
            Err(_) => false,
        };
        if !recorded {
            return r.abandon(seq, &by).unwrap_or_else(|e| {
                env::log_str(&e.to_string());
                PublishResult::unsettled(Publication::Pending)
            });
        }
        // The consent was given: publish. The publisher paid for the records as published and the lineage
        // contract gave it the unused deposit, so nothing is refunded.
        let published = r.publish_pending(seq, None);
        r.flush();
        match published {
            Ok(Some(v)) => PublishResult::announce_published(v, publisher),
            _ => PublishResult::unsettled(Publication::Pending),
        }
    }

    /// Callback of the lineage consent check (see the module docs). Never fails: either outcome settles the
    /// pending version and the publisher's deposit. A successful call whose answer cannot be read counts as
    /// consent that used the whole forwarded amount.
    #[private]
    pub fn on_training_usage_recorded(
        &mut self,
        version_seq: U64,
        publisher: AccountId,
        held: U128,
        forwarded: U128,
        pending: Option<PendingRef>,
    ) -> PublishResult {
        let forwarded = NearToken::from_yoctonear(forwarded.0);
        let outcome = if env::promise_results_count() == 1 {
            env::promise_result_checked(0, LINEAGE_RESPONSE_MAX_LEN)
        } else {
            Err(PromiseError::Failed)
        };
        let consent = match outcome {
            Ok(bytes) => Some(
                serde_json::from_slice::<UsageReceipt>(&bytes)
                    .map_or(forwarded, |receipt| {
                        NearToken::from_yoctonear(receipt.kept.unwrap_or(receipt.storage_cost).0)
                    })
                    .min(forwarded),
            ),
            Err(PromiseError::TooLong(_)) => Some(forwarded),
            Err(_) => None,
        };
        // A publish by this release charged the model record's published size up front; one scheduled by an
        // earlier release charged its pending size, so its callback settles the difference.
        let charged_published_size = pending.is_some();
        let r = self.registry_mut();
        let usage = env::storage_usage();
        let not_pending = || {
            env::log_str(&format!(
                "version seq {} is not pending; nothing to settle",
                version_seq.0
            ));
            PublishResult::unsettled(Publication::Rejected)
        };
        let Some(lineage_cost) = consent else {
            let rejected = r.reject_pending(version_seq.0);
            r.flush();
            let Ok(Some(v)) = rejected else {
                return not_pending();
            };
            credit_or_transfer(&publisher, NearToken::from_yoctonear(held.0));
            let version_id = v.version_id();
            RegistryEvent::VersionRejected {
                model_id: v.model_id,
                version: v.version,
                publisher,
            }
            .emit();
            return PublishResult {
                version_id,
                publication: Publication::Rejected,
            };
        };
        let published = r.publish_pending(version_seq.0, pending);
        r.flush();
        let Ok(Some(v)) = published else {
            return not_pending();
        };
        let mut refund = forwarded.saturating_sub(lineage_cost);
        if !charged_published_size {
            // The record shrinks (it no longer names the pending version nor remembers its index positions),
            // bytes that publisher paid for; a first-release record grows instead (it learns its latest
            // version), which the publisher pays for.
            let end = env::storage_usage();
            refund = refund
                .saturating_add(bytes_cost(usage.saturating_sub(end)).unwrap_or_default())
                .saturating_sub(bytes_cost(end.saturating_sub(usage)).unwrap_or_default());
        }
        credit_or_transfer(&publisher, refund);
        PublishResult::announce_published(v, publisher)
    }
}
