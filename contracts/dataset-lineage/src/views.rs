//! Read-only methods. Every list is paginated (`from_index`, `limit`; `limit` defaults to 50 and may not
//! exceed 100) and every graph query is bounded (`max_depth` ≤ 32, at most 256 nodes and 1024 edges per
//! walk, `from_index + limit` ≤ 256 for a walk page). Asking past a bound is an error naming it.

use near_sdk::borsh::BorshDeserialize;
use near_sdk::borsh::BorshSerialize;
use near_sdk::collections::Vector;
use near_sdk::json_types::U64;
use near_sdk::{AccountId, env, near};

use crate::access::Grant;
use crate::datasets::Dataset;
use crate::errors::{Error, Result};
use crate::flags::Flag;
use crate::graph::{Budget, Direction, WalkNode};
use crate::limits::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, MAX_WALK_DEPTH, MAX_WALK_NODES};
use crate::terms::TermsRecord;
use crate::usage::{ModelUsage, UsedDataset};
use crate::versions::DatasetVersion;
use crate::{Contract, ContractExt, validate};

/// One page of an ancestry or descendant walk.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkPage {
    /// Breadth-first, nearest first.
    pub nodes: Vec<WalkNode>,
    /// `false` when more nodes exist beyond this page, below `max_depth`, or past the walk limits.
    pub complete: bool,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlaggedAncestor {
    pub version_id: String,
    pub depth: u32,
    pub flags: Vec<Flag>,
}

/// Where a dataset version came from and whether anything upstream is flagged.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenanceReport {
    pub version_id: String,
    /// Flags on the version itself.
    pub flags: Vec<Flag>,
    /// Every flagged ancestor the walk reached, nearest first.
    pub flagged_ancestors: Vec<FlaggedAncestor>,
    pub ancestors_walked: u32,
    /// `true` when the walk reached every ancestor (so an empty `flagged_ancestors` is conclusive).
    pub complete: bool,
    /// The version or any ancestor reached carries a flag.
    pub tainted: bool,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetProvenance {
    pub used: UsedDataset,
    pub report: ProvenanceReport,
}

/// Provenance of a model version: its training datasets, the consent recorded for each, and every flag on
/// them or their ancestors. The walks of all datasets share one budget (256 nodes, 1024 edges).
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelProvenance {
    pub model_version_id: String,
    pub publisher: AccountId,
    pub commercial_use: bool,
    pub recorded_at_ns: U64,
    pub datasets: Vec<DatasetProvenance>,
    pub complete: bool,
    pub tainted: bool,
}

struct Page {
    from: u64,
    limit: u64,
}

fn page(from_index: Option<u32>, limit: Option<u32>) -> Result<Page> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    if limit > MAX_PAGE_LIMIT {
        return Err(Error::LimitExceeded {
            field: "limit",
            value: u64::from(limit),
            max: u64::from(MAX_PAGE_LIMIT),
        });
    }
    Ok(Page {
        from: u64::from(from_index.unwrap_or(0)),
        limit: u64::from(limit),
    })
}

fn slice<T: BorshSerialize + BorshDeserialize>(vector: Option<Vector<T>>, page: &Page) -> Vec<T> {
    let Some(vector) = vector else {
        return Vec::new();
    };
    let end = page.from.saturating_add(page.limit).min(vector.len());
    (page.from..end).filter_map(|i| vector.get(i)).collect()
}

impl Contract {
    fn walk_page(
        &self,
        version_id: &str,
        direction: Direction,
        max_depth: Option<u32>,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<WalkPage> {
        validate::version_id("version_id", version_id)?;
        let max_depth = max_depth.unwrap_or(MAX_WALK_DEPTH);
        if max_depth > MAX_WALK_DEPTH {
            return Err(Error::LimitExceeded {
                field: "max_depth",
                value: u64::from(max_depth),
                max: u64::from(MAX_WALK_DEPTH),
            });
        }
        if max_depth == 0 {
            return Err(Error::InvalidField {
                field: "max_depth",
                value: "0".to_string(),
                rule: "must be at least 1",
            });
        }
        let page = page(from_index, limit)?;
        let end = page.from.saturating_add(page.limit);
        if end > u64::from(MAX_WALK_NODES) {
            return Err(Error::WalkWindowExceeded {
                end,
                max: MAX_WALK_NODES,
            });
        }
        self.must_version(version_id)?;
        let mut budget = Budget::nodes(u32::try_from(end).unwrap_or(MAX_WALK_NODES));
        let walk = self.walk(version_id, direction, max_depth, &mut budget);
        let nodes = walk
            .nodes
            .into_iter()
            .skip(usize::try_from(page.from).unwrap_or(usize::MAX))
            .collect();
        Ok(WalkPage {
            nodes,
            complete: walk.complete,
        })
    }

    pub(crate) fn provenance(&self, version_id: &str, budget: &mut Budget) -> ProvenanceReport {
        let walk = self.walk(version_id, Direction::Ancestors, MAX_WALK_DEPTH, budget);
        let flags = self.flags_of(version_id);
        let flagged_ancestors: Vec<FlaggedAncestor> = walk
            .nodes
            .iter()
            .filter_map(|node| {
                let flags = self.flags_of(&node.version_id);
                (!flags.is_empty()).then(|| FlaggedAncestor {
                    version_id: node.version_id.clone(),
                    depth: node.depth,
                    flags,
                })
            })
            .collect();
        ProvenanceReport {
            version_id: version_id.to_string(),
            tainted: !flags.is_empty() || !flagged_ancestors.is_empty(),
            flags,
            flagged_ancestors,
            ancestors_walked: u32::try_from(walk.nodes.len()).unwrap_or(u32::MAX),
            complete: walk.complete,
        }
    }
}

#[near]
impl Contract {
    pub fn get_owner(&self) -> AccountId {
        self.owner_id.clone()
    }

    /// The model registry account allowed to call `record_training_usage`.
    pub fn get_registry(&self) -> AccountId {
        self.registry_id.clone()
    }

    pub fn get_dataset(&self, dataset_id: String) -> Option<Dataset> {
        self.datasets.get(&dataset_id)
    }

    /// The terms in force (latest revision).
    pub fn get_terms(&self, dataset_id: String) -> Option<TermsRecord> {
        self.current_terms(&dataset_id)
    }

    /// Terms revisions, oldest first.
    #[handle_result]
    pub fn get_terms_history(
        &self,
        dataset_id: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<TermsRecord>> {
        let page = page(from_index, limit)?;
        Ok(slice(self.terms_history.get(&dataset_id), &page))
    }

    /// Version ids (`<dataset_id>@<version>`) of a dataset, in publication order.
    #[handle_result]
    pub fn get_versions(
        &self,
        dataset_id: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<String>> {
        let page = page(from_index, limit)?;
        let labels: Vec<String> = slice(self.dataset_versions.get(&dataset_id), &page);
        Ok(labels
            .iter()
            .map(|v| validate::make_version_id(&dataset_id, v))
            .collect())
    }

    pub fn get_version(&self, version_id: String) -> Option<DatasetVersion> {
        self.versions.get(&version_id)
    }

    /// Direct parents (at most 16), in declaration order.
    #[handle_result]
    pub fn get_parents(&self, version_id: String) -> Result<Vec<String>> {
        Ok(self
            .must_version(&version_id)?
            .derived_from
            .map(|d| d.parents)
            .unwrap_or_default())
    }

    /// Direct children, in publication order.
    #[handle_result]
    pub fn get_children(
        &self,
        version_id: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<String>> {
        let page = page(from_index, limit)?;
        self.must_version(&version_id)?;
        Ok(slice(self.children.get(&version_id), &page))
    }

    /// Ancestors, breadth-first with their depth. `max_depth` 1..=32 (default 32); `from_index + limit`
    /// ≤ 256.
    #[handle_result]
    pub fn get_ancestors(
        &self,
        version_id: String,
        max_depth: Option<u32>,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<WalkPage> {
        self.walk_page(
            &version_id,
            Direction::Ancestors,
            max_depth,
            from_index,
            limit,
        )
    }

    /// Descendants, breadth-first with their depth. Same bounds as `get_ancestors`.
    #[handle_result]
    pub fn get_descendants(
        &self,
        version_id: String,
        max_depth: Option<u32>,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<WalkPage> {
        self.walk_page(
            &version_id,
            Direction::Descendants,
            max_depth,
            from_index,
            limit,
        )
    }

    pub fn get_flags(&self, version_id: String) -> Vec<Flag> {
        self.flags_of(&version_id)
    }

    /// Flags on a version and on every ancestor within the bounded walk.
    #[handle_result]
    pub fn get_provenance(&self, version_id: String) -> Result<ProvenanceReport> {
        self.must_version(&version_id)?;
        Ok(self.provenance(&version_id, &mut Budget::full()))
    }

    /// Model version ids trained on a dataset version, in recording order.
    #[handle_result]
    pub fn get_models_trained_on(
        &self,
        version_id: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<String>> {
        let page = page(from_index, limit)?;
        self.must_version(&version_id)?;
        Ok(slice(self.usage_by_version.get(&version_id), &page))
    }

    /// The dataset versions behind a model version (at most 32), with the consent recorded for each.
    pub fn get_training_datasets(&self, model_version_id: String) -> Option<ModelUsage> {
        self.model_usage.get(&model_version_id)
    }

    /// Provenance report for a model version: each training dataset, its consent record, and every flag on
    /// it or its ancestors. `None` if no usage was recorded for the model version.
    pub fn get_model_provenance(&self, model_version_id: String) -> Option<ModelProvenance> {
        let usage = self.model_usage.get(&model_version_id)?;
        let mut budget = Budget::full();
        let datasets: Vec<DatasetProvenance> = usage
            .datasets
            .into_iter()
            .map(|used| {
                let report = self.provenance(&used.version_id, &mut budget);
                DatasetProvenance { used, report }
            })
            .collect();
        Some(ModelProvenance {
            model_version_id,
            publisher: usage.publisher,
            commercial_use: usage.commercial_use,
            recorded_at_ns: usage.recorded_at_ns,
            complete: datasets.iter().all(|d| d.report.complete),
            tainted: datasets.iter().any(|d| d.report.tainted),
            datasets,
        })
    }

    pub fn get_grant(&self, grant_id: U64) -> Option<Grant> {
        self.grants.get(&grant_id.0)
    }

    /// A dataset's grants, oldest first.
    #[handle_result]
    pub fn get_grants(
        &self,
        dataset_id: String,
        from_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<Grant>> {
        let page = page(from_index, limit)?;
        Ok(slice(self.dataset_grants.get(&dataset_id), &page)
            .into_iter()
            .filter_map(|id| self.grants.get(&id))
            .collect())
    }

    /// Whether `account_id` may access the dataset now: its owner, or the holder of an unexpired,
    /// unrevoked grant.
    pub fn has_access(&self, dataset_id: String, account_id: AccountId) -> bool {
        let Some(dataset) = self.datasets.get(&dataset_id) else {
            return false;
        };
        if dataset.owner_id == account_id {
            return true;
        }
        self.latest_grant
            .get(&(dataset_id, account_id))
            .and_then(|id| self.grants.get(&id))
            .is_some_and(|g| g.is_active(env::block_timestamp()))
    }
}
