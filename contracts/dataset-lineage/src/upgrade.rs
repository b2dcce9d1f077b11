//! Code upgrades and state migration.
//!
//! `upgrade` (owner only, 1 yoctoNEAR; the call input is the raw wasm, as in the model registry and the agent
//! vault — no JSON, no base64, so large code costs no decoding gas) deploys new code and, in the same batch,
//! calls `migrate()` on it; if `migrate` fails the deployment is rolled back with it. The first release took
//! `{"code": "<base64>"}`; upgrading from it uses that form once. `migrate` is `#[private]` and
//! `#[init(ignore_state)]`: it reads the stored state and returns the current layout.
//!
//! The stored root carries `state_version`. To change the layout: keep a frozen copy of the old root struct
//! here (`ContractV1`), bump `STATE_VERSION`, and have `migrate` deserialize the old struct and convert it.
//! Collections are addressed by `StorageKey` prefixes, which are append-only, so migrating the root never
//! moves their entries.

use near_sdk::{Gas, NearToken, Promise, env, near};

use crate::errors::{Error, Result};
use crate::events::Event;
use crate::storage::require_one_yocto;
use crate::{Contract, ContractExt};

/// Layout version of the stored root struct.
pub const STATE_VERSION: u32 = 1;

/// Gas reserved for `migrate` in the upgrade batch.
pub const MIGRATE_GAS: Gas = Gas::from_tgas(50);

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[near]
impl Contract {
    /// Deploys the call input (raw wasm) to this account and migrates the state. Owner only; 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn upgrade(&mut self) -> Result<Promise> {
        require_one_yocto()?;
        self.require_owner("upgrade the contract")?;
        let code = env::input().unwrap_or_default();
        if !code.starts_with(b"\0asm") {
            return Err(Error::InvalidField {
                field: "code",
                value: format!("{} bytes", code.len()),
                rule: "the call input must be the new contract wasm (starting with \\0asm)",
            });
        }
        Event::ContractUpgraded {
            code_hash: hex(&env::sha256_array(&code)),
        }
        .emit();
        Ok(Promise::new(env::current_account_id())
            .deploy_contract(code)
            .function_call(
                "migrate".to_string(),
                Vec::new(),
                NearToken::from_yoctonear(0),
                MIGRATE_GAS,
            ))
    }

    /// Reads the stored state (any supported layout) and returns it in the current layout.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        let mut state: Contract =
            env::state_read().unwrap_or_else(|| env::panic_str("no contract state to migrate"));
        let from = state.state_version;
        state.state_version = STATE_VERSION;
        Event::ContractMigrated {
            from_state_version: from,
        }
        .emit();
        state
    }

    pub fn get_state_version(&self) -> u32 {
        self.state_version
    }
}
