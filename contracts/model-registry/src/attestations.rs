//! Attestations: any account's signed claim about a published version — an evaluation, audit, signature,
//! benchmark or a custom kind — with an optional score, evidence (URI and digest) and expiry. A revoked
//! version takes no new attestations (nor superseding ones); existing ones stay listed and can be revoked.
//!
//! Attestations are immutable. The attester can revoke its own (with a reason) or supersede it with a new one
//! that points to the old (`supersedes` / `superseded_by`). Views compute a `state` at read time:
//! `revoked` > `superseded` > `expired` (block timestamp ≥ `expires_at`) > `active`, so expired and revoked
//! attestations are listed and shown as such, never hidden.

use near_sdk::json_types::U64;
use near_sdk::{AccountId, env, near};

#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::errors::RegistryError;
use crate::events::RegistryEvent;
use crate::history::HistoryAction;
use crate::limits::*;
use crate::status::VersionStatus;
use crate::storage::{List, StorageCharge};
use crate::storage_keys::StorageKey;
use crate::validate;
use crate::{Registry, VersionedContract};

/// What an attestation claims. JSON: `"evaluation"`, `"audit"`, `"signature"`, `"benchmark"` or
/// `{"custom": "<1–32 bytes a-z 0-9 - _ .>"}`.
#[near(serializers = [borsh, json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttestationKind {
    Evaluation,
    Audit,
    Signature,
    Benchmark,
    Custom(String),
}

impl AttestationKind {
    fn validate(&self) -> Result<(), RegistryError> {
        if let Self::Custom(label) = self {
            validate::slug("kind.custom", label, 1, KIND_MAX_LEN, b"-_.")?;
        }
        Ok(())
    }
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttestationRevocation {
    pub reason: String,
    pub timestamp: U64,
}

#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub struct Attestation {
    pub id: u64,
    pub version_seq: u64,
    pub attester: AccountId,
    pub kind: AttestationKind,
    pub score: Option<String>,
    pub evidence_uri: Option<String>,
    pub evidence_digest: Option<[u8; 32]>,
    pub expires_at: Option<u64>,
    pub created_at: u64,
    pub supersedes: Option<u64>,
    pub superseded_by: Option<u64>,
    pub revoked: Option<AttestationRevocation>,
}

#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub enum VersionedAttestation {
    V1(Attestation),
}

impl VersionedAttestation {
    pub fn get(&self) -> &Attestation {
        match self {
            Self::V1(a) => a,
        }
    }

    pub fn get_mut(&mut self) -> &mut Attestation {
        match self {
            Self::V1(a) => a,
        }
    }
}

/// An attestation's state at the current block.
#[near(serializers = [json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttestationState {
    Active,
    Expired,
    Superseded,
    Revoked,
}

impl Attestation {
    pub fn state(&self, now: u64) -> AttestationState {
        if self.revoked.is_some() {
            AttestationState::Revoked
        } else if self.superseded_by.is_some() {
            AttestationState::Superseded
        } else if self.expires_at.is_some_and(|e| now >= e) {
            AttestationState::Expired
        } else {
            AttestationState::Active
        }
    }
}

/// The claim part of an attestation, as sent by the attester.
#[near(serializers = [json])]
#[derive(Clone, Debug, Default)]
pub struct AttestationInput {
    /// Decimal string, e.g. `"0.874"`.
    pub score: Option<String>,
    /// `https://`, `http://`, `ipfs://`, `hf://` or `ar://`.
    pub evidence_uri: Option<String>,
    /// sha256 (hex) of the evidence.
    pub evidence_digest: Option<String>,
    /// Block timestamp (ns, string) after which the attestation is expired.
    pub expires_at: Option<U64>,
}

impl Registry {
    pub(crate) fn attestation(&self, id: u64) -> Result<&Attestation, RegistryError> {
        self.attestations
            .get(&id)
            .map(VersionedAttestation::get)
            .ok_or(RegistryError::AttestationNotFound(id))
    }

    /// Validates and stores a new attestation on `version_seq`; returns its id.
    fn add_attestation(
        &mut self,
        version_seq: u64,
        attester: &AccountId,
        kind: AttestationKind,
        input: AttestationInput,
        supersedes: Option<u64>,
    ) -> Result<(u64, String, String), RegistryError> {
        let v = self.version(version_seq)?;
        if matches!(v.status, VersionStatus::Revoked { .. }) {
            return Err(RegistryError::AttestRevokedVersion(v.version_id()));
        }
        kind.validate()?;
        if let Some(s) = &input.score {
            validate::score(s)?;
        }
        if let Some(u) = &input.evidence_uri {
            validate::uri("evidence_uri", u, validate::WEB_SCHEMES)?;
        }
        let evidence_digest = input
            .evidence_digest
            .as_deref()
            .map(|d| validate::digest("evidence_digest", d))
            .transpose()?;
        let now = env::block_timestamp();
        if let Some(e) = input.expires_at
            && e.0 <= now
        {
            return Err(RegistryError::ExpiryInPast {
                expires_at: e.0,
                now,
            });
        }

        let id = self.next_attestation_id;
        self.next_attestation_id = id
            .checked_add(1)
            .ok_or(RegistryError::Overflow("attestation id"))?;
        let v = self.version_mut(version_seq)?;
        let mut list = List::open(StorageKey::VersionAttestations {
            version: version_seq,
        });
        v.attestation_count = list.push(v.attestation_count, id)?;
        drop(list);
        let (model_id, version) = (v.model_id.clone(), v.version.clone());
        self.attestations.set(
            id,
            Some(VersionedAttestation::V1(Attestation {
                id,
                version_seq,
                attester: attester.clone(),
                kind: kind.clone(),
                score: input.score,
                evidence_uri: input.evidence_uri,
                evidence_digest,
                expires_at: input.expires_at.map(|e| e.0),
                created_at: now,
                supersedes,
                superseded_by: None,
                revoked: None,
            })),
        );
        if let Some(old) = supersedes
            && let Some(a) = self.attestations.get_mut(&old)
        {
            a.get_mut().superseded_by = Some(id);
        }
        self.record(
            &model_id,
            attester,
            HistoryAction::AttestationAdded {
                version: version.clone(),
                id: U64(id),
                kind,
                supersedes: supersedes.map(U64),
            },
        )?;
        Ok((id, model_id, version))
    }
}

#[near]
impl VersionedContract {
    /// Attests a published, non-revoked version (anyone). Deposit: storage; excess refunded. Returns the id.
    #[payable]
    #[handle_result]
    pub fn attest(
        &mut self,
        model_id: String,
        version: String,
        kind: AttestationKind,
        attestation: Option<AttestationInput>,
    ) -> Result<U64, RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        let r = self.registry_mut();
        let seq = r.published_version(&model_id, &version)?.seq;
        let (id, model_id, version) = r.add_attestation(
            seq,
            &caller,
            kind.clone(),
            attestation.unwrap_or_default(),
            None,
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::AttestationAdded {
            id: U64(id),
            model_id,
            version,
            attester: caller,
            kind,
            supersedes: None,
        }
        .emit();
        Ok(U64(id))
    }

    /// Replaces attestation `id` (attester only) with a new one on the same version that points to it. The old
    /// one shows as `superseded`. Returns the new id.
    #[payable]
    #[handle_result]
    pub fn supersede_attestation(
        &mut self,
        id: U64,
        kind: AttestationKind,
        attestation: Option<AttestationInput>,
    ) -> Result<U64, RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        let r = self.registry_mut();
        let old = r.attestation(id.0)?;
        if old.attester != caller {
            return Err(RegistryError::NotAttester {
                account: caller,
                id: id.0,
            });
        }
        if old.revoked.is_some() {
            return Err(RegistryError::AttestationAlreadyRevoked(id.0));
        }
        if let Some(by) = old.superseded_by {
            return Err(RegistryError::AttestationSuperseded { id: id.0, by });
        }
        let seq = old.version_seq;
        let (new_id, model_id, version) = r.add_attestation(
            seq,
            &caller,
            kind.clone(),
            attestation.unwrap_or_default(),
            Some(id.0),
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::AttestationAdded {
            id: U64(new_id),
            model_id,
            version,
            attester: caller,
            kind,
            supersedes: Some(id),
        }
        .emit();
        Ok(U64(new_id))
    }

    /// Revokes attestation `id` (attester only) with a reason. Final.
    #[payable]
    #[handle_result]
    pub fn revoke_attestation(&mut self, id: U64, reason: String) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        validate::non_empty_text("reason", &reason, MESSAGE_MAX_LEN)?;
        let r = self.registry_mut();
        let a = r.attestation(id.0)?;
        if a.attester != caller {
            return Err(RegistryError::NotAttester {
                account: caller,
                id: id.0,
            });
        }
        if a.revoked.is_some() {
            return Err(RegistryError::AttestationAlreadyRevoked(id.0));
        }
        let v = r.version(a.version_seq)?;
        let (model_id, version) = (v.model_id.clone(), v.version.clone());
        if let Some(a) = r.attestations.get_mut(&id.0) {
            a.get_mut().revoked = Some(AttestationRevocation {
                reason: reason.clone(),
                timestamp: U64(env::block_timestamp()),
            });
        }
        r.record(
            &model_id,
            &caller,
            HistoryAction::AttestationRevoked {
                version: version.clone(),
                id,
                reason: reason.clone(),
            },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::AttestationRevoked {
            id,
            model_id,
            version,
            attester: caller,
            reason,
        }
        .emit();
        Ok(())
    }
}

/// Used by views: whether an attestation matches the filters.
pub(crate) fn matches(
    a: &Attestation,
    attester: Option<&AccountId>,
    kind: Option<&AttestationKind>,
) -> bool {
    attester.is_none_or(|x| &a.attester == x) && kind.is_none_or(|k| &a.kind == k)
}
