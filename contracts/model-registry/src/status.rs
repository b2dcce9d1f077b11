//! Version status: `active`, `deprecated` (still usable; message and optional successor) or `revoked` (must
//! not be used; reason code and text). Revocation is final. The status is part of every view of a version:
//! `get_version`, `list_versions`, `lookup_hash` hits, alias views and attestation views.

use near_sdk::json_types::U64;
use near_sdk::{AccountId, env, near};

use crate::VersionedContract;
#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::errors::RegistryError;
use crate::events::RegistryEvent;
use crate::history::HistoryAction;
use crate::limits::MESSAGE_MAX_LEN;
use crate::storage::StorageCharge;
use crate::validate;
use crate::versions::Publication;

#[near(serializers = [borsh, json])]
#[serde(tag = "state", rename_all = "snake_case")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionStatus {
    Active,
    Deprecated {
        message: String,
        successor: Option<String>,
        by: AccountId,
        at: U64,
    },
    Revoked {
        code: RevocationCode,
        reason: String,
        by: AccountId,
        at: U64,
    },
}

/// Why a version was revoked.
#[near(serializers = [borsh, json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationCode {
    /// A security vulnerability (e.g. a pickle payload, a backdoor).
    SecurityVulnerability,
    /// Harmful or malicious behaviour.
    MaliciousBehavior,
    /// Artifacts are wrong or corrupted.
    CorruptedArtifacts,
    /// Published under a licence that does not allow it.
    LicenseViolation,
    /// Training data consent was withdrawn or violated.
    DataConsentViolation,
    /// Published by mistake.
    PublishedInError,
    /// Legal takedown.
    LegalTakedown,
    Other,
}

#[near]
impl VersionedContract {
    /// Marks a published version deprecated (owner or maintainer). It stays usable; `successor` (a published,
    /// non-revoked version of the same model) tells users where to go.
    #[payable]
    #[handle_result]
    pub fn deprecate_version(
        &mut self,
        model_id: String,
        version: String,
        message: String,
        successor: Option<String>,
    ) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        validate::non_empty_text("message", &message, MESSAGE_MAX_LEN)?;
        let r = self.registry_mut();
        r.maintained_model(&model_id, &caller)?;
        let seq = r.version_seq(&model_id, &version)?;
        let v = r.version(seq)?;
        match &v.status {
            VersionStatus::Revoked { .. } => {
                return Err(RegistryError::VersionRevoked(v.version_id()));
            }
            VersionStatus::Deprecated { .. } => {
                return Err(RegistryError::AlreadyDeprecated(v.version_id()));
            }
            VersionStatus::Active => {}
        }
        if r.publication(v) != Publication::Published {
            return Err(RegistryError::VersionPending(v.version_id()));
        }
        if let Some(s) = &successor {
            let bad = || RegistryError::InvalidSuccessor {
                model_id: model_id.clone(),
                version: version.clone(),
                successor: s.clone(),
            };
            let succ_seq = r.version_seq(&model_id, s).map_err(|_| bad())?;
            let succ = r.version(succ_seq)?;
            if succ_seq == seq
                || r.publication(succ) != Publication::Published
                || matches!(succ.status, VersionStatus::Revoked { .. })
            {
                return Err(bad());
            }
        }
        r.version_mut(seq)?.status = VersionStatus::Deprecated {
            message: message.clone(),
            successor: successor.clone(),
            by: caller.clone(),
            at: U64(env::block_timestamp()),
        };
        r.record(
            &model_id,
            &caller,
            HistoryAction::VersionDeprecated {
                version: version.clone(),
                message: message.clone(),
                successor: successor.clone(),
            },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::VersionDeprecated {
            model_id,
            version,
            message,
            successor,
            by: caller,
        }
        .emit();
        Ok(())
    }

    /// Revokes a published version (owner or maintainer): it must not be used. Final: a revoked version
    /// cannot be revoked again, deprecated, aliased or chosen as a successor.
    #[payable]
    #[handle_result]
    pub fn revoke_version(
        &mut self,
        model_id: String,
        version: String,
        code: RevocationCode,
        reason: String,
    ) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        validate::non_empty_text("reason", &reason, MESSAGE_MAX_LEN)?;
        let r = self.registry_mut();
        r.maintained_model(&model_id, &caller)?;
        let seq = r.version_seq(&model_id, &version)?;
        let v = r.version(seq)?;
        if matches!(v.status, VersionStatus::Revoked { .. }) {
            return Err(RegistryError::AlreadyRevoked(v.version_id()));
        }
        if r.publication(v) != Publication::Published {
            return Err(RegistryError::VersionPending(v.version_id()));
        }
        r.version_mut(seq)?.status = VersionStatus::Revoked {
            code,
            reason: reason.clone(),
            by: caller.clone(),
            at: U64(env::block_timestamp()),
        };
        r.record(
            &model_id,
            &caller,
            HistoryAction::VersionRevoked {
                version: version.clone(),
                code,
                reason: reason.clone(),
            },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::VersionRevoked {
            model_id,
            version,
            code,
            reason,
            by: caller,
        }
        .emit();
        Ok(())
    }
}
