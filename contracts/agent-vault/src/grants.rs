//! Grants: what an agent may do through the vault. Policy types, their validation, and the
//! owner's entry points to create and revoke grants.
//!
//! A grant lists targets (receiver, methods or `"*"`, per-call deposit cap, argument rules), an
//! optional total deposit budget, an optional per-period budget and call limit, a validity window,
//! a purpose and an optional model binding. Grants are never deleted: revoking marks them, so
//! status views can say why a grant is inactive and in-flight calls can still settle.
use near_sdk::json_types::{U64, U128};
use near_sdk::serde_json::Value;
use near_sdk::{AccountId, NearToken, Promise, PublicKey, env, near};
use std::collections::BTreeSet;
use std::fmt;

use crate::errors::{VaultError, VaultResult};
use crate::events::VaultEvent;
use crate::ledger::Usage;
use crate::limits::*;
use crate::{AgentVault, AgentVaultExt};

pub type GrantId = u64;

/// Who a grant is for: an account (checked by predecessor) or a key (checked by
/// `signer_account_pk` on a transaction the vault account signed with that key).
/// JSON: `{"account": "bob.near"}` or `{"key": "ed25519:..."}`.
#[near(serializers = [borsh, json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentId {
    Account(AccountId),
    Key(PublicKey),
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentId::Account(account) => write!(f, "{account}"),
            AgentId::Key(key) => write!(f, "{}", String::from(key)),
        }
    }
}

/// JSON input of an argument rule: the field (dot path into the call's JSON args) must equal
/// one of the listed JSON values.
#[near(serializers = [json])]
#[derive(Clone, Debug)]
pub struct ArgRuleSpec {
    pub field: String,
    pub one_of: Vec<Value>,
}

/// Stored argument rule: allowed values as canonical JSON text (sorted keys, no spaces), so
/// matching and subset checks compare strings.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgRule {
    pub field: String,
    pub one_of_json: Vec<String>,
}

/// JSON input of a target.
#[near(serializers = [json])]
#[derive(Clone, Debug)]
pub struct TargetSpec {
    pub receiver_id: AccountId,
    /// Method names, or `["*"]` for any method.
    pub methods: Vec<String>,
    /// Largest deposit one call may attach ("0" for none).
    pub max_deposit: U128,
    #[serde(default)]
    pub arg_rules: Vec<ArgRuleSpec>,
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub receiver_id: AccountId,
    pub methods: Vec<String>,
    pub max_deposit: U128,
    pub arg_rules: Vec<ArgRule>,
}

impl Target {
    pub fn any_method(&self) -> bool {
        self.methods.len() == 1 && self.methods[0] == ANY_METHOD
    }
}

/// A budget that refills and a call limit that resets every `period_secs`, in fixed windows
/// starting when the grant was created.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodLimit {
    pub period_secs: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<U128>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_calls: Option<u32>,
}

impl PeriodLimit {
    pub fn period_ns(&self) -> u64 {
        u64::from(self.period_secs).saturating_mul(1_000_000_000)
    }
}

/// The model the agent runs: `model_id@version` in a Nexus model registry.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelBinding {
    pub registry: AccountId,
    pub model_id: String,
    pub version: String,
}

/// JSON input of `create_grant` and `delegate`.
#[near(serializers = [json])]
#[derive(Clone, Debug)]
pub struct GrantSpec {
    pub agent: AgentId,
    pub targets: Vec<TargetSpec>,
    /// Lifetime deposit budget (absent: only per-call caps and the period budget limit spending).
    #[serde(default)]
    pub total_budget: Option<U128>,
    #[serde(default)]
    pub period: Option<PeriodLimit>,
    #[serde(default)]
    pub not_before_ns: Option<U64>,
    #[serde(default)]
    pub expires_at_ns: Option<U64>,
    pub purpose: String,
    #[serde(default)]
    pub model: Option<ModelBinding>,
    #[serde(default)]
    pub require_active_model: bool,
    /// Gas allowance of a key agent's access key (default 0.25 NEAR), paid from the vault.
    #[serde(default)]
    pub key_allowance: Option<U128>,
}

/// Validated terms of a grant, as stored.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantTerms {
    pub targets: Vec<Target>,
    pub total_budget: Option<U128>,
    pub period: Option<PeriodLimit>,
    pub not_before_ns: Option<U64>,
    pub expires_at_ns: Option<U64>,
    pub purpose: String,
    pub model: Option<ModelBinding>,
    pub require_active_model: bool,
    pub key_allowance: Option<U128>,
}

/// Whether the vault holds a function-call key for the agent. Unit variants only, so a change
/// never changes the record's size.
#[near(serializers = [borsh, json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Account agent: no key.
    None,
    Pending,
    Added,
    Failed,
    Deleted,
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub agent: AgentId,
    pub parent_id: Option<U64>,
    /// 0 for owner grants, 1..=3 for sub-grants.
    pub depth: u8,
    /// `revoke_all` epoch the grant was created in.
    pub epoch: u32,
    pub terms: GrantTerms,
    pub created_at_ns: U64,
    /// 0 while not revoked (fixed size: revoking never grows storage).
    pub revoked_at_ns: U64,
    pub key_state: KeyState,
    pub children: Vec<U64>,
    /// Bytes this grant's creation added to the vault's storage (measured).
    pub storage_bytes: U64,
    pub usage: Usage,
}

impl Grant {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at_ns.0 != 0
    }
}

/// Stored form of a grant; new layouts add a variant and convert on read.
#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub enum VersionedGrant {
    V1(Grant),
}

impl From<VersionedGrant> for Grant {
    fn from(value: VersionedGrant) -> Self {
        match value {
            VersionedGrant::V1(grant) => grant,
        }
    }
}

/// JSON text with object keys sorted at every level and no spaces, independent of the order
/// the keys came in (serde_json may preserve insertion order, depending on features).
pub fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

fn valid_method_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_METHOD_NAME_LEN
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub(crate) fn valid_method(name: &str) -> bool {
    valid_method_name(name)
}

fn valid_field_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= MAX_FIELD_PATH_LEN
        && path.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

fn valid_model_id(id: &str) -> bool {
    let mut parts = id.split('/');
    let (Some(ns), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    id.len() <= MAX_MODEL_ID_LEN
        && [ns, name].iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'-'
                        || b == b'_'
                        || b == b'.'
                })
        })
}

/// `MAJOR.MINOR.PATCH` with optional `-pre` / `+build` suffixes.
fn valid_semver(version: &str) -> bool {
    if version.is_empty() || version.len() > MAX_VERSION_LEN {
        return false;
    }
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'+')
}

impl TargetSpec {
    fn validate(self, vault: &AccountId) -> VaultResult<Target> {
        let receiver = self.receiver_id.to_string();
        if &self.receiver_id == vault {
            return Err(VaultError::TargetIsVault { receiver });
        }
        if self.methods.is_empty() || self.methods.len() > MAX_METHODS {
            return Err(VaultError::MethodCount {
                receiver,
                got: self.methods.len(),
                max: MAX_METHODS,
            });
        }
        let mut seen = BTreeSet::new();
        for method in &self.methods {
            if method == ANY_METHOD {
                if self.methods.len() != 1 {
                    return Err(VaultError::WildcardNotAlone { receiver });
                }
            } else if !valid_method_name(method) {
                return Err(VaultError::InvalidMethod {
                    receiver,
                    method: method.clone(),
                });
            }
            if !seen.insert(method.as_str()) {
                return Err(VaultError::DuplicateMethod {
                    receiver,
                    method: method.clone(),
                });
            }
        }
        if self.arg_rules.len() > MAX_ARG_RULES {
            return Err(VaultError::ArgRuleCount {
                receiver,
                got: self.arg_rules.len(),
                max: MAX_ARG_RULES,
            });
        }
        let mut fields = BTreeSet::new();
        let mut arg_rules = Vec::with_capacity(self.arg_rules.len());
        for rule in self.arg_rules {
            if !valid_field_path(&rule.field) {
                return Err(VaultError::InvalidRuleField {
                    receiver,
                    field: rule.field,
                });
            }
            if !fields.insert(rule.field.clone()) {
                return Err(VaultError::DuplicateRuleField {
                    receiver,
                    field: rule.field,
                });
            }
            if rule.one_of.is_empty() || rule.one_of.len() > MAX_RULE_VALUES {
                return Err(VaultError::RuleValueCount {
                    receiver,
                    field: rule.field,
                    got: rule.one_of.len(),
                    max: MAX_RULE_VALUES,
                });
            }
            let mut one_of_json = Vec::with_capacity(rule.one_of.len());
            for value in &rule.one_of {
                let text = canonical_json(value);
                if text.len() > MAX_RULE_VALUE_LEN {
                    return Err(VaultError::RuleValueTooLong {
                        receiver,
                        field: rule.field,
                        max: MAX_RULE_VALUE_LEN,
                    });
                }
                if !one_of_json.contains(&text) {
                    one_of_json.push(text);
                }
            }
            arg_rules.push(ArgRule {
                field: rule.field,
                one_of_json,
            });
        }
        Ok(Target {
            receiver_id: self.receiver_id,
            methods: self.methods,
            max_deposit: self.max_deposit,
            arg_rules,
        })
    }
}

impl GrantSpec {
    /// Checks every field; returns the agent and the terms to store.
    pub fn validate(self, vault: &AccountId, now_ns: u64) -> VaultResult<(AgentId, GrantTerms)> {
        if let AgentId::Account(account) = &self.agent
            && account == vault
        {
            return Err(VaultError::AgentIsVault {
                agent: account.to_string(),
            });
        }
        if self.targets.is_empty() || self.targets.len() > MAX_TARGETS {
            return Err(VaultError::TargetCount {
                got: self.targets.len(),
                max: MAX_TARGETS,
            });
        }
        let mut receivers = BTreeSet::new();
        let mut targets = Vec::with_capacity(self.targets.len());
        for spec in self.targets {
            if !receivers.insert(spec.receiver_id.clone()) {
                return Err(VaultError::DuplicateTarget {
                    receiver: spec.receiver_id.to_string(),
                });
            }
            targets.push(spec.validate(vault)?);
        }
        if let Some(budget) = self.total_budget
            && budget.0 == 0
        {
            return Err(VaultError::ZeroBudget);
        }
        if let Some(period) = &self.period {
            if period.period_secs < MIN_PERIOD_SECS || period.period_secs > MAX_PERIOD_SECS {
                return Err(VaultError::InvalidPeriod {
                    field: "period_secs",
                    got: period.period_secs.into(),
                    min: MIN_PERIOD_SECS.into(),
                    max: MAX_PERIOD_SECS.into(),
                });
            }
            if period.budget.is_none() && period.max_calls.is_none() {
                return Err(VaultError::EmptyPeriod);
            }
            if let Some(budget) = period.budget
                && budget.0 == 0
            {
                return Err(VaultError::InvalidPeriod {
                    field: "budget",
                    got: 0,
                    min: 1,
                    max: u64::MAX,
                });
            }
            if period.max_calls == Some(0) {
                return Err(VaultError::InvalidPeriod {
                    field: "max_calls",
                    got: 0,
                    min: 1,
                    max: u32::MAX.into(),
                });
            }
        }
        let not_before = self.not_before_ns.map_or(0, |t| t.0);
        if let Some(expires) = self.expires_at_ns
            && (expires.0 <= now_ns || expires.0 <= not_before)
        {
            return Err(VaultError::InvalidExpiry {
                expires_at_ns: expires.0,
                not_before_ns: not_before,
                now_ns,
            });
        }
        let purpose_len = self.purpose.chars().count();
        if purpose_len == 0 || self.purpose.len() > MAX_PURPOSE_LEN {
            return Err(VaultError::InvalidPurpose {
                got: purpose_len,
                max: MAX_PURPOSE_LEN,
            });
        }
        if let Some(model) = &self.model {
            if !valid_model_id(&model.model_id) {
                return Err(VaultError::InvalidModel {
                    field: "model_id",
                    value: model.model_id.clone(),
                });
            }
            if !valid_semver(&model.version) {
                return Err(VaultError::InvalidModel {
                    field: "version",
                    value: model.version.clone(),
                });
            }
        } else if self.require_active_model {
            return Err(VaultError::RequireWithoutModel);
        }
        let key_allowance = match (&self.agent, self.key_allowance) {
            (AgentId::Account(account), Some(_)) => {
                return Err(VaultError::AllowanceForAccount {
                    agent: account.to_string(),
                });
            }
            (AgentId::Account(_), None) => None,
            (AgentId::Key(_), allowance) => {
                let allowance = allowance.unwrap_or(U128(DEFAULT_KEY_ALLOWANCE.as_yoctonear()));
                if allowance.0 == 0 || allowance.0 > MAX_KEY_ALLOWANCE.as_yoctonear() {
                    return Err(VaultError::InvalidKeyAllowance {
                        got: allowance.0,
                        max: MAX_KEY_ALLOWANCE.as_yoctonear(),
                    });
                }
                Some(allowance)
            }
        };
        Ok((
            self.agent,
            GrantTerms {
                targets,
                total_budget: self.total_budget,
                period: self.period,
                not_before_ns: self.not_before_ns,
                expires_at_ns: self.expires_at_ns,
                purpose: self.purpose,
                model: self.model,
                require_active_model: self.require_active_model,
                key_allowance,
            },
        ))
    }
}

/// The caller as an agent: a key when the vault account signed the transaction itself (a
/// function-call key the vault added), otherwise the predecessor account.
pub(crate) fn current_agent() -> AgentId {
    let predecessor = env::predecessor_account_id();
    let vault = env::current_account_id();
    if predecessor == vault && env::signer_account_id() == vault {
        AgentId::Key(env::signer_account_pk())
    } else {
        AgentId::Account(predecessor)
    }
}

#[near]
impl AgentVault {
    /// Owner only, exactly 1 yoctoNEAR. Creates a grant and returns its id. For a key agent the
    /// vault also adds the agent's function-call key. Storage is paid from the vault balance.
    #[payable]
    #[handle_result]
    pub fn create_grant(&mut self, grant: GrantSpec) -> Result<U64, VaultError> {
        self.require_owner_one_yocto("create_grant")?;
        let (agent, terms) = grant.validate(&env::current_account_id(), env::block_timestamp())?;
        let id = self.insert_grant(agent, terms, None)?;
        Ok(U64(id))
    }

    /// Owner only, exactly 1 yoctoNEAR. Revokes a grant and every sub-grant below it, deleting
    /// their agent keys. Revoking an already revoked grant changes nothing and returns false.
    #[payable]
    #[handle_result]
    pub fn revoke(&mut self, grant_id: U64) -> Result<bool, VaultError> {
        self.require_owner_one_yocto("revoke")?;
        self.revoke_subtree(grant_id.0, &AgentId::Account(self.owner_id.clone()))
    }

    /// Owner only, exactly 1 yoctoNEAR. Revokes every existing grant (new grants may be created
    /// afterwards) and deletes every agent key.
    #[payable]
    #[handle_result]
    pub fn revoke_all(&mut self) -> Result<u32, VaultError> {
        self.require_owner_one_yocto("revoke_all")?;
        self.epoch = self.epoch.checked_add(1).ok_or(VaultError::Overflow {
            what: "revoke epoch",
        })?;
        let keys: Vec<(PublicKey, GrantId)> = self
            .agent_keys
            .iter()
            .map(|(k, g)| (k.clone(), *g))
            .collect();
        self.agent_keys.clear();
        let count = u32::try_from(keys.len()).unwrap_or(u32::MAX);
        if !keys.is_empty() {
            let mut batch = Promise::new(env::current_account_id());
            for (key, grant_id) in keys {
                if let Some(mut grant) = self.load_grant(grant_id) {
                    grant.key_state = KeyState::Deleted;
                    self.put_grant(grant_id, grant);
                }
                batch = batch.delete_key(key);
            }
            batch.detach();
        }
        VaultEvent::AllGrantsRevoked {
            epoch: self.epoch,
            keys_deleted: count,
        }
        .emit();
        Ok(count)
    }
}

impl AgentVault {
    pub(crate) fn load_grant(&self, id: GrantId) -> Option<Grant> {
        self.grants.get(&id).cloned().map(Grant::from)
    }

    pub(crate) fn must_grant(&self, id: GrantId) -> VaultResult<Grant> {
        self.load_grant(id)
            .ok_or(VaultError::UnknownGrant { grant_id: id })
    }

    pub(crate) fn put_grant(&mut self, id: GrantId, grant: Grant) {
        self.grants.insert(id, VersionedGrant::V1(grant));
    }

    /// The grant and its ancestors, leaf first.
    pub(crate) fn chain(&self, id: GrantId) -> VaultResult<Vec<(GrantId, Grant)>> {
        let mut chain = Vec::with_capacity(usize::from(MAX_DELEGATION_DEPTH) + 1);
        let mut next = Some(id);
        while let Some(current) = next {
            let grant = self.must_grant(current)?;
            next = grant.parent_id.map(|p| p.0);
            chain.push((current, grant));
            if chain.len() > usize::from(MAX_DELEGATION_DEPTH) + 1 {
                break;
            }
        }
        Ok(chain)
    }

    /// Stores a validated grant (owner grant or sub-grant of `parent`), measures its storage,
    /// adds the agent key, emits `grant_created`. Nothing is written before all checks pass
    /// except the final storage check, which the runtime rolls back on failure.
    pub(crate) fn insert_grant(
        &mut self,
        agent: AgentId,
        terms: GrantTerms,
        parent: Option<(GrantId, Grant, AgentId)>,
    ) -> VaultResult<GrantId> {
        let key_state = if let AgentId::Key(key) = &agent {
            if let Some(existing) = self.agent_keys.get(key) {
                return Err(VaultError::KeyInUse {
                    key: String::from(key),
                    grant_id: *existing,
                });
            }
            if self.agent_keys.len() as usize >= MAX_KEY_AGENTS {
                return Err(VaultError::TooManyKeyAgents {
                    max: MAX_KEY_AGENTS,
                });
            }
            KeyState::Pending
        } else {
            KeyState::None
        };
        let id = self.next_grant_id;
        let next_id = id
            .checked_add(1)
            .ok_or(VaultError::Overflow { what: "grant id" })?;
        let now = env::block_timestamp();

        self.flush();
        let before = env::storage_usage();

        let (parent_id, depth, delegated_by) = match parent {
            Some((parent_id, mut parent_grant, by)) => {
                parent_grant.children.push(U64(id));
                let depth = parent_grant.depth.saturating_add(1);
                self.put_grant(parent_id, parent_grant);
                (Some(U64(parent_id)), depth, Some(by))
            }
            None => (None, 0, None),
        };
        let key_allowance = terms.key_allowance;
        let grant = Grant {
            agent: agent.clone(),
            parent_id,
            depth,
            epoch: self.epoch,
            terms,
            created_at_ns: U64(now),
            revoked_at_ns: U64(0),
            key_state,
            children: Vec::new(),
            storage_bytes: U64(0),
            usage: Usage::new(now),
        };
        self.put_grant(id, grant.clone());
        if let AgentId::Key(key) = &agent {
            self.agent_keys.insert(key.clone(), id);
        }
        self.next_grant_id = next_id;
        self.flush();
        let storage_bytes = env::storage_usage().saturating_sub(before);
        // Same size as before (fixed-width field), so the measurement stays exact.
        let mut grant = grant;
        grant.storage_bytes = U64(storage_bytes);
        self.put_grant(id, grant);
        self.flush();
        self.require_storage_covered()?;

        if let AgentId::Key(key) = &agent {
            let allowance = NearToken::from_yoctonear(key_allowance.map_or(0, |a| a.0));
            self.add_agent_key(id, key.clone(), allowance);
        }
        VaultEvent::GrantCreated {
            grant_id: U64(id),
            agent: &agent,
            parent_id,
            delegated_by: delegated_by.as_ref(),
            storage_bytes: U64(storage_bytes),
        }
        .emit();
        Ok(id)
    }

    /// Marks `root` and every grant below it revoked; deletes their keys. Returns false when
    /// `root` was already revoked (then nothing changes).
    pub(crate) fn revoke_subtree(&mut self, root: GrantId, by: &AgentId) -> VaultResult<bool> {
        let root_grant = self.must_grant(root)?;
        if root_grant.is_revoked() {
            return Ok(false);
        }
        let now = U64(env::block_timestamp().max(1));
        let mut revoked = Vec::new();
        let mut queue = vec![root];
        while let Some(id) = queue.pop() {
            let Some(mut grant) = self.load_grant(id) else {
                continue;
            };
            queue.extend(grant.children.iter().map(|c| c.0));
            if grant.is_revoked() {
                continue;
            }
            grant.revoked_at_ns = now;
            if let AgentId::Key(key) = &grant.agent
                && self.agent_keys.get(key) == Some(&id)
            {
                self.agent_keys.remove(key);
                grant.key_state = KeyState::Deleted;
                self.delete_agent_key(id, key.clone());
            }
            self.put_grant(id, grant);
            revoked.push(U64(id));
        }
        VaultEvent::GrantRevoked {
            grant_ids: revoked,
            revoked_by: by,
        }
        .emit();
        Ok(true)
    }
}
