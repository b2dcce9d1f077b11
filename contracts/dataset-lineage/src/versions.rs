//! Dataset versions: immutable once published. A version is identified by `<dataset_id>@<version>`, has a
//! content digest (sha256 of the data or of a manifest of its files), size, record count, an optional
//! schema digest, up to 4 URIs, and — if derived — its parents and the activity that produced it (see
//! `derivations.rs` for why the graph stays acyclic).

use near_sdk::collections::Vector;
use near_sdk::json_types::U64;
use near_sdk::{AccountId, env, near};

use crate::derivations::Derivation;
use crate::errors::{Error, Result};
use crate::events::Event;
use crate::limits::MAX_URIS;
use crate::storage::{StorageMeter, attached};
use crate::storage_keys::{StorageKey, id_hash};
use crate::{Contract, ContractExt, validate};

/// What the publisher states about the data.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionManifest {
    /// sha256 of the data, or of a manifest listing its files.
    pub content_digest: String,
    pub size_bytes: U64,
    pub record_count: U64,
    pub schema_digest: Option<String>,
    /// Where the data can be fetched (0..=4).
    pub uris: Vec<String>,
}

impl VersionManifest {
    fn validate(&self) -> Result<()> {
        validate::digest("manifest.content_digest", &self.content_digest)?;
        if let Some(d) = &self.schema_digest {
            validate::digest("manifest.schema_digest", d)?;
        }
        validate::count("manifest.uris", self.uris.len(), MAX_URIS)?;
        for u in &self.uris {
            validate::uri("manifest.uris", u)?;
        }
        Ok(())
    }
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetVersion {
    pub dataset_id: String,
    pub version: String,
    pub manifest: VersionManifest,
    /// `None` for a root (source) version.
    pub derived_from: Option<Derivation>,
    /// 0 for roots; `1 + max(parent generations)` otherwise. Strictly increases along every edge.
    pub generation: u32,
    pub published_by: AccountId,
    pub published_at_ns: U64,
}

impl Contract {
    pub(crate) fn must_version(&self, version_id: &str) -> Result<DatasetVersion> {
        self.versions
            .get(&version_id.to_string())
            .ok_or_else(|| Error::VersionNotFound(version_id.to_string()))
    }
}

#[near]
impl Contract {
    /// Publishes version `version` of `dataset_id` (dataset owner only), optionally derived from existing
    /// versions. Attach a deposit for storage (about 0.01 NEAR for a root, more per parent; excess
    /// refunded). Returns the version id `<dataset_id>@<version>`.
    #[payable]
    #[handle_result]
    pub fn publish_version(
        &mut self,
        dataset_id: String,
        version: String,
        manifest: VersionManifest,
        derived_from: Option<Derivation>,
    ) -> Result<String> {
        let caller = env::predecessor_account_id();
        let mut dataset =
            self.require_dataset_owner(&dataset_id, &caller, "publish versions of this dataset")?;
        validate::version_label("version", &version)?;
        let version_id = validate::make_version_id(&dataset_id, &version);
        manifest.validate()?;
        if self.versions.contains_key(&version_id) {
            return Err(Error::VersionExists(version_id));
        }
        let generation = match &derived_from {
            Some(derivation) => self.check_derivation(&version_id, derivation)?,
            None => 0,
        };
        dataset.version_count = dataset
            .version_count
            .checked_add(1)
            .ok_or(Error::Overflow("version count"))?;

        let meter = StorageMeter::start();
        let record = DatasetVersion {
            dataset_id: dataset_id.clone(),
            version: version.clone(),
            manifest,
            derived_from,
            generation,
            published_by: caller.clone(),
            published_at_ns: U64(env::block_timestamp()),
        };
        self.versions.insert(&version_id, &record);
        self.datasets.insert(&dataset_id, &dataset);
        let mut labels = self.dataset_versions.get(&dataset_id).unwrap_or_else(|| {
            Vector::new(StorageKey::DatasetVersionsOf {
                dataset_hash: id_hash(&dataset_id),
            })
        });
        labels.push(&version);
        self.dataset_versions.insert(&dataset_id, &labels);
        if let Some(derivation) = &record.derived_from {
            for parent in &derivation.parents {
                let mut children = self.children.get(parent).unwrap_or_else(|| {
                    Vector::new(StorageKey::ChildrenOf {
                        version_hash: id_hash(parent),
                    })
                });
                children.push(&version_id);
                self.children.insert(parent, &children);
            }
        }
        Event::VersionPublished {
            version_id: &version_id,
            content_digest: &record.manifest.content_digest,
            parents: record
                .derived_from
                .as_ref()
                .map(|d| d.parents.as_slice())
                .unwrap_or_default(),
            activity: record.derived_from.as_ref().map(|d| d.activity.kind),
            generation,
        }
        .emit();
        meter.settle(&caller, attached())?;
        Ok(version_id)
    }
}
