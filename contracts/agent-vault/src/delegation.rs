//! Sub-delegation: an agent hands a narrower grant to another agent.
//!
//! Rules: at most `MAX_DELEGATION_DEPTH` levels below an owner grant and `MAX_CHILDREN` direct
//! sub-grants per grant; the sub-grant is never wider than its parent in any dimension (targets,
//! methods, per-call cap, argument rules, total and period budgets, call rate, validity window,
//! model binding, key allowance); a call under a sub-grant is checked against, and reserved on,
//! every ancestor too; revoking a grant revokes its whole subtree.
use near_sdk::json_types::U64;
use near_sdk::{env, near};

use crate::errors::{VaultError, VaultResult};
use crate::grants::{AgentId, GrantSpec, GrantTerms, current_agent};
use crate::limits::*;
use crate::policy::check_active;
use crate::{AgentVault, AgentVaultExt};

fn widens(parent_id: u64, what: String) -> VaultError {
    VaultError::Widens { parent_id, what }
}

/// Fails unless `child` is no wider than `parent` anywhere.
pub fn check_narrower(
    parent_id: u64,
    parent: &GrantTerms,
    parent_agent: &AgentId,
    child: &GrantTerms,
) -> VaultResult<()> {
    for target in &child.targets {
        let receiver = &target.receiver_id;
        let Some(p) = parent.targets.iter().find(|t| &t.receiver_id == receiver) else {
            return Err(widens(
                parent_id,
                format!("receiver '{receiver}' is not a target of the parent"),
            ));
        };
        if !p.any_method() {
            if target.any_method() {
                return Err(widens(
                    parent_id,
                    format!("target '{receiver}' allows any method, the parent only listed ones"),
                ));
            }
            if let Some(m) = target.methods.iter().find(|m| !p.methods.contains(m)) {
                return Err(widens(
                    parent_id,
                    format!("target '{receiver}' allows method '{m}', the parent does not"),
                ));
            }
        }
        if target.max_deposit.0 > p.max_deposit.0 {
            return Err(widens(
                parent_id,
                format!(
                    "target '{receiver}' max_deposit {} is above the parent's {}",
                    target.max_deposit.0, p.max_deposit.0
                ),
            ));
        }
        for rule in &p.arg_rules {
            let Some(own) = target.arg_rules.iter().find(|r| r.field == rule.field) else {
                return Err(widens(
                    parent_id,
                    format!(
                        "target '{receiver}' drops the parent's argument rule '{}'",
                        rule.field
                    ),
                ));
            };
            if let Some(v) = own
                .one_of_json
                .iter()
                .find(|v| !rule.one_of_json.contains(v))
            {
                return Err(widens(
                    parent_id,
                    format!(
                        "target '{receiver}' argument '{}' allows {v}, the parent does not",
                        rule.field
                    ),
                ));
            }
        }
    }
    if let Some(pb) = parent.total_budget {
        match child.total_budget {
            None => {
                return Err(widens(
                    parent_id,
                    format!("total_budget is unlimited, the parent's is {}", pb.0),
                ));
            }
            Some(cb) if cb.0 > pb.0 => {
                return Err(widens(
                    parent_id,
                    format!("total_budget {} is above the parent's {}", cb.0, pb.0),
                ));
            }
            _ => {}
        }
    }
    if let Some(pp) = &parent.period {
        let Some(cp) = &child.period else {
            return Err(widens(
                parent_id,
                "period limits are missing, the parent has them".to_owned(),
            ));
        };
        if cp.period_secs < pp.period_secs {
            return Err(widens(
                parent_id,
                format!(
                    "period_secs {} is shorter than the parent's {}",
                    cp.period_secs, pp.period_secs
                ),
            ));
        }
        if let Some(pb) = pp.budget {
            match cp.budget {
                Some(cb) if cb.0 <= pb.0 => {}
                other => {
                    return Err(widens(
                        parent_id,
                        format!(
                            "period budget {} is above the parent's {}",
                            other.map_or("unlimited".to_owned(), |b| b.0.to_string()),
                            pb.0
                        ),
                    ));
                }
            }
        }
        if let Some(pm) = pp.max_calls {
            match cp.max_calls {
                Some(cm) if cm <= pm => {}
                other => {
                    return Err(widens(
                        parent_id,
                        format!(
                            "period max_calls {} is above the parent's {pm}",
                            other.map_or("unlimited".to_owned(), |m| m.to_string())
                        ),
                    ));
                }
            }
        }
    }
    if let Some(pn) = parent.not_before_ns
        && child.not_before_ns.is_none_or(|cn| cn.0 < pn.0)
    {
        return Err(widens(
            parent_id,
            format!("not_before_ns is earlier than the parent's {}", pn.0),
        ));
    }
    if let Some(pe) = parent.expires_at_ns
        && child.expires_at_ns.is_none_or(|ce| ce.0 > pe.0)
    {
        return Err(widens(
            parent_id,
            format!("expires_at_ns is later than the parent's {}", pe.0),
        ));
    }
    if let Some(pm) = &parent.model {
        if child.model.as_ref() != Some(pm) {
            return Err(widens(
                parent_id,
                "model binding differs from the parent's".to_owned(),
            ));
        }
        if parent.require_active_model && !child.require_active_model {
            return Err(widens(
                parent_id,
                "require_active_model is off, the parent requires it".to_owned(),
            ));
        }
    }
    if let Some(ca) = child.key_allowance {
        let cap = match (parent_agent, parent.key_allowance) {
            (AgentId::Key(_), Some(pa)) => pa.0,
            _ => DEFAULT_KEY_ALLOWANCE.as_yoctonear(),
        };
        if ca.0 > cap {
            return Err(widens(
                parent_id,
                format!("key_allowance {} is above {cap}", ca.0),
            ));
        }
    }
    Ok(())
}

#[near]
impl AgentVault {
    /// Agent entry point: the agent of grant `parent_id` creates a narrower sub-grant for another
    /// agent and gets its id. Storage is paid from the vault (bounded by depth and
    /// `MAX_CHILDREN`).
    #[handle_result]
    pub fn delegate(&mut self, parent_id: U64, grant: GrantSpec) -> Result<U64, VaultError> {
        self.require_not_paused()?;
        let parent_id = parent_id.0;
        let caller = current_agent();
        let parent = self.must_grant(parent_id)?;
        if parent.agent != caller {
            return Err(VaultError::NotGrantAgent {
                grant_id: parent_id,
                caller: caller.to_string(),
            });
        }
        let now = env::block_timestamp();
        for (id, g) in self.chain(parent_id)? {
            check_active(id, &g, self.epoch, now)?;
        }
        if parent.depth >= MAX_DELEGATION_DEPTH {
            return Err(VaultError::TooDeep {
                parent_id,
                depth: parent.depth,
                max: MAX_DELEGATION_DEPTH,
            });
        }
        if parent.children.len() >= MAX_CHILDREN {
            return Err(VaultError::TooManyChildren {
                parent_id,
                max: MAX_CHILDREN,
            });
        }
        let (agent, terms) = grant.validate(&env::current_account_id(), now)?;
        if agent == caller {
            return Err(VaultError::SelfDelegation {
                agent: agent.to_string(),
            });
        }
        check_narrower(parent_id, &parent.terms, &parent.agent, &terms)?;
        let id = self.insert_grant(agent, terms, Some((parent_id, parent, caller)))?;
        Ok(U64(id))
    }

    /// Agent entry point: the agent of any ancestor of `grant_id` revokes it and its subtree.
    /// Returns false if it was already revoked.
    #[handle_result]
    pub fn revoke_delegated(&mut self, grant_id: U64) -> Result<bool, VaultError> {
        let caller = current_agent();
        let chain = self.chain(grant_id.0)?;
        if !chain.iter().skip(1).any(|(_, g)| g.agent == caller) {
            return Err(VaultError::NotAncestorAgent {
                grant_id: grant_id.0,
                caller: caller.to_string(),
            });
        }
        self.revoke_subtree(grant_id.0, &caller)
    }
}
