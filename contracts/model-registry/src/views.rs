//! Read methods. Lists take `from_index` (default 0) and `limit` (default 50, 1–100; anything else fails
//! with a message naming the value). u64 and u128 values are strings.

use near_sdk::json_types::U64;
use near_sdk::store::IterableSet;
use near_sdk::{AccountId, env, near};

#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::aliases::{AliasKey, AliasMove, history_key};
use crate::attestations::{AttestationKind, AttestationState, matches};
use crate::errors::RegistryError;
use crate::hash_index;
use crate::history::{HistoryAction, HistoryEntry};
use crate::limits::*;
use crate::manifest::{self, FileInput, FileView};
use crate::models::{Model, ModelMetadata};
use crate::status::VersionStatus;
use crate::storage::{List, page, page_limit};
use crate::storage_keys::StorageKey;
use crate::upgrade::STATE_VERSION;
use crate::validate;
use crate::versions::{BaseModel, Publication, VersionedModelVersion};
use crate::{Registry, VersionedContract};

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigView {
    pub owner_id: AccountId,
    pub lineage_contract: Option<AccountId>,
    pub state_version: u32,
    pub model_count: u32,
    pub version_count: U64,
    pub attestation_count: U64,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceView {
    pub namespace: String,
    pub owner: AccountId,
    pub model_count: u32,
    pub created_at: U64,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelView {
    pub model_id: String,
    pub owner: AccountId,
    pub pending_owner: Option<AccountId>,
    pub maintainers: Vec<AccountId>,
    pub metadata: ModelMetadata,
    pub created_at: U64,
    pub updated_at: U64,
    pub version_count: u32,
    /// The newest published version.
    pub latest_version: Option<String>,
    /// A version waiting for lineage consent.
    pub pending_version: Option<String>,
    pub aliases: Vec<String>,
    pub history_len: u32,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionView {
    pub version_id: String,
    pub model_id: String,
    pub version: String,
    pub files: Vec<FileView>,
    pub manifest_digest: String,
    pub uris: Vec<String>,
    pub model_card_digest: Option<String>,
    pub base_model: Option<BaseModel>,
    pub training_datasets: Vec<String>,
    pub commercial_use: bool,
    pub publisher: AccountId,
    pub published_at: U64,
    pub block_height: U64,
    pub publication: Publication,
    pub status: VersionStatus,
    pub attestation_count: u32,
}

impl VersionView {
    /// `publication` is the version's current state ([`Registry::publication`]), not the stored one.
    fn new(record: &VersionedModelVersion, publication: Publication) -> Self {
        let v = record.get();
        Self {
            version_id: v.version_id(),
            model_id: v.model_id.clone(),
            version: v.version.clone(),
            files: v
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| FileView::new(f, record.merkle_root(i)))
                .collect(),
            manifest_digest: hex::encode(v.manifest_digest),
            uris: v.uris.clone(),
            model_card_digest: v.model_card_digest.map(hex::encode),
            base_model: v.base_model.clone(),
            training_datasets: v.training_datasets.clone(),
            commercial_use: v.commercial_use,
            publisher: v.publisher.clone(),
            published_at: U64(v.published_at),
            block_height: U64(v.block_height),
            publication,
            status: v.status.clone(),
            attestation_count: v.attestation_count,
        }
    }
}

/// Where a digest is published.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashHitView {
    pub model_id: String,
    pub version: String,
    /// The file's path, or `null` when the digest is the version's manifest digest.
    pub path: Option<String>,
    pub size: Option<U64>,
    pub publication: Publication,
    pub status: VersionStatus,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasView {
    pub model_id: String,
    pub alias: String,
    pub version: Option<String>,
    /// Status of the target version (e.g. revoked after the alias was set).
    pub version_status: Option<VersionStatus>,
    pub updated_at: U64,
    pub updated_by: AccountId,
    pub history_len: u32,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttestationView {
    pub id: U64,
    pub model_id: String,
    pub version: String,
    pub attester: AccountId,
    pub kind: AttestationKind,
    pub score: Option<String>,
    pub evidence_uri: Option<String>,
    pub evidence_digest: Option<String>,
    pub expires_at: Option<U64>,
    pub created_at: U64,
    pub supersedes: Option<U64>,
    pub superseded_by: Option<U64>,
    pub revocation: Option<crate::attestations::AttestationRevocation>,
    /// Computed at the current block: `active`, `expired`, `superseded` or `revoked`.
    pub state: AttestationState,
    pub version_status: VersionStatus,
}

/// A page of a filtered list: continue with `from_index = next_from_index` while it is not `null`.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttestationPage {
    pub items: Vec<AttestationView>,
    pub next_from_index: Option<u32>,
}

impl Registry {
    fn model_view(&self, m: &Model) -> ModelView {
        let published = if m.pending_version.is_some() {
            m.version_count.saturating_sub(1)
        } else {
            m.version_count
        };
        ModelView {
            model_id: m.id.clone(),
            owner: m.owner.clone(),
            pending_owner: m.pending_owner.clone(),
            maintainers: m.maintainers.clone(),
            metadata: m.metadata.clone(),
            created_at: U64(m.created_at),
            updated_at: U64(m.updated_at),
            version_count: published,
            latest_version: self.latest_version(&m.id).ok().flatten(),
            pending_version: m
                .pending_version
                .and_then(|s| self.version(s).ok())
                .map(|v| v.version.clone()),
            aliases: m.aliases.clone(),
            history_len: m.history_len,
        }
    }

    fn attestation_view(&self, id: u64) -> Result<AttestationView, RegistryError> {
        let a = self.attestation(id)?;
        let v = self.version(a.version_seq)?;
        Ok(AttestationView {
            id: U64(a.id),
            model_id: v.model_id.clone(),
            version: v.version.clone(),
            attester: a.attester.clone(),
            kind: a.kind.clone(),
            score: a.score.clone(),
            evidence_uri: a.evidence_uri.clone(),
            evidence_digest: a.evidence_digest.map(hex::encode),
            expires_at: a.expires_at.map(U64),
            created_at: U64(a.created_at),
            supersedes: a.supersedes.map(U64),
            superseded_by: a.superseded_by.map(U64),
            revocation: a.revoked.clone(),
            state: a.state(env::block_timestamp()),
            version_status: v.status.clone(),
        })
    }
}

#[near]
impl VersionedContract {
    pub fn get_config(&self) -> ConfigView {
        let r = self.registry();
        ConfigView {
            owner_id: r.owner_id.clone(),
            lineage_contract: r.lineage_contract.clone(),
            state_version: STATE_VERSION,
            model_count: r.model_ids.len(),
            version_count: U64(r.next_version_seq),
            attestation_count: U64(r.next_attestation_id),
        }
    }

    pub fn get_namespace(&self, namespace: String) -> Option<NamespaceView> {
        self.registry()
            .namespaces
            .get(&namespace)
            .map(|ns| NamespaceView {
                namespace: namespace.clone(),
                owner: ns.owner.clone(),
                model_count: ns.model_count,
                created_at: U64(ns.created_at),
            })
    }

    pub fn get_model(&self, model_id: String) -> Option<ModelView> {
        let r = self.registry();
        r.model(&model_id).ok().map(|m| r.model_view(m))
    }

    /// Models in creation order.
    #[handle_result]
    pub fn list_models(
        &self,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<ModelView>, RegistryError> {
        let r = self.registry();
        let range = page(r.model_ids.len(), from_index, limit)?;
        Ok(range
            .filter_map(|i| r.model_ids.get(i))
            .filter_map(|id| r.model(id).ok())
            .map(|m| r.model_view(m))
            .collect())
    }

    /// A version, pending or published. `null` if unknown.
    pub fn get_version(&self, model_id: String, version: String) -> Option<VersionView> {
        let r = self.registry();
        let seq = r.version_seq(&model_id, &version).ok()?;
        r.versioned(seq)
            .ok()
            .map(|v| VersionView::new(v, r.publication(v.get())))
    }

    /// The status of one version as a single word, for contracts that gate on it (the agent vault's
    /// `require_active_model`): `"active"`, `"deprecated"`, `"revoked"`, or `"pending"` while the
    /// lineage consent check runs. Unknown models and versions fail.
    #[handle_result]
    pub fn version_status(
        &self,
        model_id: String,
        version: String,
    ) -> Result<String, RegistryError> {
        let r = self.registry();
        let v = r.version(r.version_seq(&model_id, &version)?)?;
        let word = match (r.publication(v), &v.status) {
            (Publication::Pending | Publication::Rejected | Publication::Abandoned, _) => "pending",
            (Publication::Published, VersionStatus::Active) => "active",
            (Publication::Published, VersionStatus::Deprecated { .. }) => "deprecated",
            (Publication::Published, VersionStatus::Revoked { .. }) => "revoked",
        };
        Ok(word.to_string())
    }

    /// A model's versions, oldest first (a pending version is last and says so).
    #[handle_result]
    pub fn list_versions(
        &self,
        model_id: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<VersionView>, RegistryError> {
        let r = self.registry();
        let m = r.model(&model_id)?;
        let list = List::<u64>::open(StorageKey::ModelVersions { model: m.seq });
        let range = page(m.version_count, from_index, limit)?;
        Ok(range
            .filter_map(|i| list.get(i))
            .filter_map(|s| r.versioned(*s).ok())
            .map(|v| VersionView::new(v, r.publication(v.get())))
            .collect())
    }

    /// Every (model, version, path) that publishes `sha256` — a file hash or a manifest digest (hex).
    #[handle_result]
    pub fn lookup_hash(
        &self,
        sha256: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<HashHitView>, RegistryError> {
        let digest = validate::digest("sha256", &sha256)?;
        let r = self.registry();
        // First-release hits come first, then this release's (see `crate::hash_index`).
        let legacy = r.legacy_hash_index.get(&digest);
        let legacy_len = legacy.map_or(0, IterableSet::len);
        let head = hash_index::head(digest);
        let len = legacy_len
            .checked_add(head.map_or(0, |h| h.len))
            .ok_or(RegistryError::Overflow("hash index length"))?;
        let range = page(len, from_index, limit)?;
        let mut hits = Vec::with_capacity(range.len());
        if let Some(set) = legacy
            && range.start < legacy_len
        {
            let skip =
                usize::try_from(range.start).map_err(|_| RegistryError::Overflow("index"))?;
            let take = usize::try_from(range.end.min(legacy_len) - range.start)
                .map_err(|_| RegistryError::Overflow("index"))?;
            hits.extend(set.iter().skip(skip).take(take).copied());
        }
        if let Some(head) = &head {
            for i in range.start.max(legacy_len)..range.end {
                hits.extend(hash_index::hit_at(digest, head, i - legacy_len));
            }
        }
        Ok(hits
            .into_iter()
            .filter_map(|hit| {
                let v = r.version(hit.version).ok()?;
                let file = hit.file.and_then(|i| v.files.get(usize::from(i)));
                Some(HashHitView {
                    model_id: v.model_id.clone(),
                    version: v.version.clone(),
                    path: file.map(|f| f.path.clone()),
                    size: file.map(|f| U64(f.size)),
                    publication: r.publication(v),
                    status: v.status.clone(),
                })
            })
            .collect())
    }

    /// The manifest digest (hex) of `files`, computed exactly as `publish_version` does. See
    /// [`crate::manifest`] for the encoding.
    #[handle_result]
    pub fn compute_manifest_digest(&self, files: Vec<FileInput>) -> Result<String, RegistryError> {
        Ok(hex::encode(manifest::digest(
            &manifest::parse(&files)?.files,
        )))
    }

    pub fn get_alias(&self, model_id: String, alias: String) -> Option<AliasView> {
        let r = self.registry();
        let m = r.model(&model_id).ok()?;
        let a = r.aliases.get(&AliasKey {
            model: m.seq,
            alias: alias.clone(),
        })?;
        let version_status = a
            .version
            .as_ref()
            .and_then(|v| r.version_seq(&model_id, v).ok())
            .and_then(|s| r.version(s).ok())
            .map(|v| v.status.clone());
        Some(AliasView {
            model_id,
            alias,
            version: a.version.clone(),
            version_status,
            updated_at: U64(a.updated_at),
            updated_by: a.updated_by.clone(),
            history_len: a.history_len,
        })
    }

    /// Every move of an alias, oldest first.
    #[handle_result]
    pub fn get_alias_history(
        &self,
        model_id: String,
        alias: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<AliasMove>, RegistryError> {
        let r = self.registry();
        let m = r.model(&model_id)?;
        let len = r
            .aliases
            .get(&AliasKey {
                model: m.seq,
                alias: alias.clone(),
            })
            .map_or(0, |a| a.history_len);
        let list = List::<AliasMove>::open(history_key(m.seq, &alias));
        Ok(page(len, from_index, limit)?
            .filter_map(|i| list.get(i).cloned())
            .collect())
    }

    /// The version `alias` pointed to at block timestamp `timestamp` (ns): the target of the last move at or
    /// before it; `null` if it did not exist or was removed then.
    #[handle_result]
    pub fn get_alias_at(
        &self,
        model_id: String,
        alias: String,
        timestamp: U64,
    ) -> Result<Option<String>, RegistryError> {
        let r = self.registry();
        let m = r.model(&model_id)?;
        let len = r
            .aliases
            .get(&AliasKey {
                model: m.seq,
                alias: alias.clone(),
            })
            .map_or(0, |a| a.history_len);
        let list = List::<AliasMove>::open(history_key(m.seq, &alias));
        // First index whose move happened after `timestamp`.
        let (mut lo, mut hi) = (0u32, len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match list.get(mid) {
                Some(mv) if mv.timestamp.0 <= timestamp.0 => lo = mid + 1,
                _ => hi = mid,
            }
        }
        Ok(lo
            .checked_sub(1)
            .and_then(|i| list.get(i))
            .and_then(|mv| mv.to.clone()))
    }

    pub fn get_attestation(&self, id: U64) -> Option<AttestationView> {
        self.registry().attestation_view(id.0).ok()
    }

    /// Attestations of a version, oldest first, optionally only by `attester` and/or of `kind`. Inspects at
    /// most 200 entries from `from_index` per call; expired, superseded and revoked ones are included with
    /// their `state`.
    #[handle_result]
    #[allow(clippy::too_many_arguments)]
    pub fn list_attestations(
        &self,
        model_id: String,
        version: String,
        attester: Option<AccountId>,
        kind: Option<AttestationKind>,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<AttestationPage, RegistryError> {
        let r = self.registry();
        let seq = r.version_seq(&model_id, &version)?;
        let count = r.version(seq)?.attestation_count;
        let limit =
            usize::try_from(page_limit(limit)?).map_err(|_| RegistryError::Overflow("limit"))?;
        let list = List::<u64>::open(StorageKey::VersionAttestations { version: seq });
        let start = from_index.unwrap_or(0).min(count);
        let scan_end = start.saturating_add(MAX_SCAN).min(count);
        let mut items = Vec::new();
        let mut next = start;
        while next < scan_end && items.len() < limit {
            if let Some(id) = list.get(next)
                && let Ok(a) = r.attestation(*id)
                && matches(a, attester.as_ref(), kind.as_ref())
            {
                items.push(r.attestation_view(*id)?);
            }
            next += 1;
        }
        Ok(AttestationPage {
            items,
            next_from_index: (next < count).then_some(next),
        })
    }

    /// A model's audit trail, oldest first.
    #[handle_result]
    pub fn get_history(
        &self,
        model_id: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<HistoryEntry>, RegistryError> {
        let r = self.registry();
        let m = r.model(&model_id)?;
        let list = List::<HistoryEntry>::open(StorageKey::ModelHistory { model: m.seq });
        // A consented version's entry is stored `pending` (see `crate::history`): it reads as published
        // unless it is the model's pending version.
        let pending = m
            .pending_version
            .and_then(|seq| r.version(seq).ok())
            .map(|v| v.version.as_str());
        Ok(page(m.history_len, from_index, limit)?
            .filter_map(|i| list.get(i).cloned())
            .map(|mut entry| {
                if let HistoryAction::VersionPublished {
                    version,
                    publication: p @ Publication::Pending,
                    ..
                } = &mut entry.action
                    && pending != Some(version.as_str())
                {
                    *p = Publication::Published;
                }
                entry
            })
            .collect())
    }
}
