//! Derivations (W3C PROV `wasDerivedFrom` + `wasGeneratedBy`): a dataset version produced from 1..=16
//! parent versions by an activity.
//!
//! # Why the graph is acyclic by construction
//! An edge `parent -> child` is only ever written by `publish_version`, in the call that creates `child`,
//! and only under three rules checked before anything is written:
//! 1. every parent already exists (so none of them is `child`, which does not exist yet — self-parenting
//!    is additionally rejected by name for a clearer message);
//! 2. `child` does not exist yet (a derivation onto an existing version is rejected), and
//! 3. versions are immutable: no method adds, removes or changes the parents of a published version.
//!
//! So every edge points from an older version to a strictly newer one. A cycle would need some edge from
//! a newer version to an older one, which no call can write. The stored `generation` makes this
//! checkable: roots have generation 0 and a derived version has `1 + max(parent generations)`, so
//! generation strictly increases along every edge (the property test checks it on random sequences).

use std::collections::BTreeSet;

use near_sdk::near;

use crate::errors::{Error, Result};
use crate::limits::MAX_PARENTS;
use crate::{Contract, validate};

#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Filter,
    Merge,
    Augment,
    Label,
    Synthesize,
    Anonymize,
    Transform,
}

/// What produced a derived version (PROV activity; OpenLineage job/run).
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub kind: ActivityKind,
    /// sha256 of the code that ran.
    pub code_digest: Option<String>,
    /// Where that code lives.
    pub code_uri: Option<String>,
    /// sha256 of the parameters / configuration it ran with.
    pub parameters_digest: Option<String>,
}

/// Parents (`<dataset_id>@<version>` ids, 1..=16, distinct, all already published) and the activity.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derivation {
    pub parents: Vec<String>,
    pub activity: Activity,
}

impl Activity {
    fn validate(&self) -> Result<()> {
        if let Some(d) = &self.code_digest {
            validate::digest("derived_from.activity.code_digest", d)?;
        }
        if let Some(u) = &self.code_uri {
            validate::uri("derived_from.activity.code_uri", u)?;
        }
        if let Some(d) = &self.parameters_digest {
            validate::digest("derived_from.activity.parameters_digest", d)?;
        }
        Ok(())
    }
}

impl Contract {
    /// Checks a derivation for the not-yet-published `version_id` and returns the new version's generation.
    /// Writes nothing.
    pub(crate) fn check_derivation(
        &self,
        version_id: &str,
        derivation: &Derivation,
    ) -> Result<u32> {
        let parents = &derivation.parents;
        if parents.is_empty() {
            return Err(Error::NoParents(version_id.to_string()));
        }
        if parents.len() > MAX_PARENTS {
            return Err(Error::TooManyParents {
                version_id: version_id.to_string(),
                count: parents.len(),
                max: MAX_PARENTS,
            });
        }
        let mut seen = BTreeSet::new();
        for parent in parents {
            validate::version_id("derived_from.parents", parent)?;
            if parent == version_id {
                return Err(Error::SelfParent(version_id.to_string()));
            }
            if !seen.insert(parent.as_str()) {
                return Err(Error::DuplicateParent(parent.clone()));
            }
        }
        derivation.activity.validate()?;
        let mut generation = 0u32;
        for parent in parents {
            let record = self
                .versions
                .get(parent)
                .ok_or_else(|| Error::ParentNotFound(parent.clone()))?;
            let next = record
                .generation
                .checked_add(1)
                .ok_or(Error::Overflow("generation"))?;
            generation = generation.max(next);
        }
        Ok(generation)
    }
}
