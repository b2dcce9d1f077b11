//! The registry's views this tool reads, typed with the fields it uses (other fields are ignored, so a
//! registry that adds fields keeps working).

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::rpc::Rpc;

/// Page size of every list view (the registry's maximum).
const PAGE: u32 = 100;
/// At most this many places are read for one digest; more are reported as truncated.
pub const MAX_PLACES: usize = 1000;
/// At most this many attestations are read for one version.
const MAX_ATTESTATIONS: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Publication {
    /// The lineage contract's consent check has not finished.
    Pending,
    Published,
    Rejected,
    Abandoned,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    Active,
    Deprecated {
        message: String,
        successor: Option<String>,
    },
    Revoked {
        code: String,
        reason: String,
    },
}

/// One place a digest is published (`lookup_hash`); `path` is `None` for a manifest digest.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Place {
    pub model_id: String,
    pub version: String,
    pub path: Option<String>,
    #[serde(with = "opt_u64_string")]
    pub size: Option<u64>,
    pub publication: Publication,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct ChainFile {
    pub path: String,
    pub sha256: String,
    #[serde(with = "u64_string")]
    pub size: u64,
    /// The file's chunked Merkle root, when its publisher gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merkle: Option<ChainMerkle>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct ChainMerkle {
    pub chunk_size: u32,
    pub root: String,
}

/// A version as `get_version` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Version {
    pub version_id: String,
    pub model_id: String,
    pub version: String,
    pub files: Vec<ChainFile>,
    pub manifest_digest: String,
    pub publisher: String,
    pub training_datasets: Vec<String>,
    pub publication: Publication,
    pub status: Status,
    pub attestation_count: u32,
}

impl Version {
    /// This version as a place: where `file` is in it, or the version as a whole (`None`).
    pub fn place(&self, file: Option<&ChainFile>) -> Place {
        Place {
            model_id: self.model_id.clone(),
            version: self.version.clone(),
            path: file.map(|f| f.path.clone()),
            size: file.map(|f| f.size),
            publication: self.publication,
            status: self.status.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Attestation {
    pub id: String,
    pub attester: String,
    /// `"evaluation"`, `"audit"`, … or `{"custom": "<label>"}`.
    pub kind: serde_json::Value,
    pub score: Option<String>,
    pub evidence_uri: Option<String>,
    /// `active`, `expired`, `superseded` or `revoked`, at the block the view read.
    pub state: String,
}

#[derive(Deserialize)]
struct AttestationPage {
    items: Vec<Attestation>,
    next_from_index: Option<u32>,
}

pub struct Registry<'a> {
    rpc: &'a Rpc,
    account: &'a str,
}

impl<'a> Registry<'a> {
    pub fn new(rpc: &'a Rpc, account: &'a str) -> Self {
        Self { rpc, account }
    }

    /// Every place `sha256` (hex) is published, in the registry's order, and whether the list was cut at
    /// [`MAX_PLACES`].
    pub async fn places(&self, sha256: &str) -> Result<(Vec<Place>, bool)> {
        let mut places: Vec<Place> = Vec::new();
        loop {
            let from = u32::try_from(places.len())?;
            let page: Vec<Place> = self
                .rpc
                .view(
                    self.account,
                    "lookup_hash",
                    &json!({ "sha256": sha256, "from_index": from, "limit": PAGE }),
                )
                .await?;
            let full = page.len() == PAGE as usize;
            places.extend(page);
            if !full {
                return Ok((places, false));
            }
            if places.len() >= MAX_PLACES {
                return Ok((places, true));
            }
        }
    }

    pub async fn version(&self, version_id: &str) -> Result<Option<Version>> {
        let (model_id, version) = split_version_id(version_id)?;
        self.rpc
            .view(
                self.account,
                "get_version",
                &json!({ "model_id": model_id, "version": version }),
            )
            .await
    }

    /// The version's attestations, oldest first (at most [`MAX_ATTESTATIONS`]).
    pub async fn attestations(&self, model_id: &str, version: &str) -> Result<Vec<Attestation>> {
        let mut items = Vec::new();
        let mut from = Some(0u32);
        while let Some(from_index) = from {
            if items.len() >= MAX_ATTESTATIONS {
                break;
            }
            let page: AttestationPage = self
                .rpc
                .view(
                    self.account,
                    "list_attestations",
                    &json!({ "model_id": model_id, "version": version,
                             "from_index": from_index, "limit": PAGE }),
                )
                .await?;
            items.extend(page.items);
            from = page.next_from_index;
        }
        Ok(items)
    }
}

#[derive(Deserialize)]
struct AliasView {
    version: Option<String>,
}

impl Registry<'_> {
    /// `namespace/name@version` as is, or the version `namespace/name:alias` points to now.
    pub async fn resolve(&self, expected: &str) -> Result<String> {
        if expected.contains('@') {
            return Ok(expected.to_string());
        }
        let Some((model_id, alias)) = expected
            .split_once(':')
            .filter(|(m, a)| m.contains('/') && !a.is_empty())
        else {
            bail!(
                "invalid version {expected:?}: expected namespace/name@version or namespace/name:alias, e.g. acme/sentiment@1.4.0 or acme/sentiment:production"
            );
        };
        let view: Option<AliasView> = self
            .rpc
            .view(
                self.account,
                "get_alias",
                &json!({ "model_id": model_id, "alias": alias }),
            )
            .await?;
        match view {
            None => bail!("{model_id} has no alias {alias:?}"),
            Some(AliasView { version: None }) => {
                bail!("alias {alias:?} of {model_id} points to no version (it was removed)")
            }
            Some(AliasView {
                version: Some(version),
            }) => Ok(format!("{model_id}@{version}")),
        }
    }
}

/// `namespace/name@version` → (`namespace/name`, `version`).
pub fn split_version_id(version_id: &str) -> Result<(&str, &str)> {
    match version_id.split_once('@') {
        Some((model, version)) if model.contains('/') && !version.is_empty() => {
            Ok((model, version))
        }
        _ => bail!(
            "invalid version id {version_id:?}: expected namespace/name@version, e.g. acme/sentiment@1.4.0"
        ),
    }
}

mod u64_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&n.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

mod opt_u64_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(n: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match n {
            Some(n) => s.serialize_str(&n.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ids_split_at_the_at_sign() {
        assert_eq!(
            split_version_id("acme/sentiment@1.4.0-rc.1+build.5").unwrap(),
            ("acme/sentiment", "1.4.0-rc.1+build.5")
        );
        for bad in ["acme/sentiment", "acme@1.0.0", "acme/sentiment@", ""] {
            let err = split_version_id(bad).unwrap_err().to_string();
            assert!(
                err.contains("expected namespace/name@version"),
                "{bad}: {err}"
            );
        }
    }

    #[tokio::test]
    async fn an_expected_version_is_a_version_id_or_a_model_alias() {
        // Nothing listens here: these answers must come before any RPC call.
        let rpc = Rpc::new("http://127.0.0.1:9", crate::rpc::Finality::Final).unwrap();
        let registry = Registry::new(&rpc, "registry.near");
        assert_eq!(
            registry.resolve("acme/sentiment@1.4.0").await.unwrap(),
            "acme/sentiment@1.4.0"
        );
        for bad in ["acme/sentiment", "acme:production", "acme/sentiment:"] {
            let err = registry.resolve(bad).await.unwrap_err().to_string();
            assert!(
                err.contains("expected namespace/name@version or namespace/name:alias"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn views_parse_as_the_registry_writes_them() {
        // Shapes as the registry's views return them (extra fields ignored).
        let place: Place = serde_json::from_value(json!({
            "model_id": "acme/sentiment", "version": "1.0.0", "path": "model.safetensors",
            "size": "438000000", "publication": "published",
            "status": {"state": "deprecated", "message": "use 1.1.0", "successor": "1.1.0",
                       "by": "acme.near", "at": "1700000000000000000"}}))
        .unwrap();
        assert_eq!(place.size, Some(438_000_000));
        assert_eq!(
            place.status,
            Status::Deprecated {
                message: "use 1.1.0".into(),
                successor: Some("1.1.0".into())
            }
        );
        let manifest_hit: Place = serde_json::from_value(json!({
            "model_id": "acme/sentiment", "version": "1.0.0", "path": null, "size": null,
            "publication": "pending", "status": {"state": "active"}}))
        .unwrap();
        assert_eq!(manifest_hit.path, None);
        assert_eq!(manifest_hit.publication, Publication::Pending);
        let revoked: Status = serde_json::from_value(json!({"state": "revoked",
            "code": "security_vulnerability", "reason": "backdoor", "by": "acme.near", "at": "1"}))
        .unwrap();
        assert!(
            matches!(revoked, Status::Revoked { ref code, .. } if code == "security_vulnerability")
        );
    }
}
