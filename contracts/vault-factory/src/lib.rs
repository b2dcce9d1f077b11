//! Nexus vault factory: creates a user's agent vault as a sub-account `<name>.<factory>` in one
//! call — create account, transfer the attached deposit, deploy the vault code, `new(owner_id)` —
//! and refunds the caller if that fails.
//!
//! The vault code is stored once, in the factory's own storage (raw bytes under
//! `StorageKey::VaultCode`), set by the factory owner. Global contracts (NEP-591) would avoid
//! copying the code into every vault's storage, but the project's local node does not support
//! them yet, so every vault pays for its own copy (covered by the minimum deposit).
use near_sdk::json_types::{U64, U128};
use near_sdk::serde_json::json;
use near_sdk::{
    AccountId, BorshStorageKey, FunctionError, Gas, NearToken, PanicOnDefault, Promise,
    PromiseError, env, near,
};

#[cfg(test)]
mod tests;

/// Gas for the vault's `new`.
const NEW_GAS: Gas = Gas::from_tgas(20);
/// Gas for `on_vault_created`.
const CALLBACK_GAS: Gas = Gas::from_tgas(10);
/// Bytes a fresh vault needs besides its code (account record, state, keys), with margin.
const VAULT_STATE_BYTES: u64 = 2_000;
/// Balance a new vault starts with beyond its storage, for its first grants and fees.
const VAULT_MIN_FREE_BALANCE: NearToken = NearToken::from_millinear(100);
/// Longest name prefix (the full account id must also be at most 64 characters).
const MAX_NAME_LEN: usize = 32;
const MIGRATE_GAS: Gas = Gas::from_tgas(50);

/// Storage prefixes; append-only.
#[near(serializers = [borsh])]
#[derive(BorshStorageKey)]
pub enum StorageKey {
    /// Raw wasm of the vault.
    VaultCode,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, FunctionError)]
pub enum FactoryError {
    #[error("only the owner '{owner}' may call '{method}', not '{caller}'")]
    NotOwner {
        method: &'static str,
        owner: String,
        caller: String,
    },
    #[error("'{method}' requires exactly 1 yoctonear attached (a full-access key), got {attached}")]
    RequiresOneYocto {
        method: &'static str,
        attached: u128,
    },
    #[error(
        "'{method}' is a callback and may only be called by the factory itself, not '{caller}'"
    )]
    NotSelf {
        method: &'static str,
        caller: String,
    },
    #[error("vault code must not be empty")]
    EmptyCode,
    #[error("vault code is not set")]
    CodeNotSet,
    #[error("invalid vault name '{name}': use 2 to {max} characters a-z, 0-9, '-' or '_', no dots")]
    InvalidName { name: String, max: usize },
    #[error("vault account '{account}' is not a valid account id")]
    InvalidAccount { account: String },
    #[error("attached deposit {attached} is below the minimum {minimum} for a vault")]
    DepositTooLow { attached: u128, minimum: u128 },
    #[error("factory balance too low: {needed} needed for storage, {available} available")]
    InsufficientBalance { needed: u128, available: u128 },
}

pub type FactoryResult<T> = Result<T, FactoryError>;

#[near(event_json(standard = "nexus-vault-factory"))]
#[must_use = "call `.emit()`"]
pub enum FactoryEvent<'a> {
    #[event_version("1.0.0")]
    VaultCodeSet { code_hash: String, code_len: U64 },
    #[event_version("1.0.0")]
    VaultCreated {
        vault_id: &'a AccountId,
        owner_id: &'a AccountId,
        deposit: U128,
    },
    #[event_version("1.0.0")]
    VaultCreationFailed {
        vault_id: &'a AccountId,
        refunded_to: &'a AccountId,
        amount: U128,
    },
}

/// State. Layout frozen once deployed; `migrate` converts.
#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct VaultFactory {
    owner_id: AccountId,
    /// sha256 of the stored vault code (hex), empty if not set.
    code_hash: String,
    code_len: u64,
    vaults_created: u64,
}

fn valid_name(name: &str) -> bool {
    (2..=MAX_NAME_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !name.starts_with(['-', '_'])
        && !name.ends_with(['-', '_'])
}

fn code_key() -> Vec<u8> {
    near_sdk::IntoStorageKey::into_storage_key(StorageKey::VaultCode)
}

#[near]
impl VaultFactory {
    #[init]
    pub fn new(owner_id: AccountId) -> Self {
        Self {
            owner_id,
            code_hash: String::new(),
            code_len: 0,
            vaults_created: 0,
        }
    }

    /// Owner only. Input: the vault wasm as raw bytes (not JSON). Storage is paid from the
    /// factory's balance (attach a deposit to top it up). Returns the code hash (hex sha256).
    #[payable]
    #[handle_result]
    pub fn set_vault_code(&mut self) -> Result<String, FactoryError> {
        self.require_owner("set_vault_code")?;
        let code = env::input().unwrap_or_default();
        if code.is_empty() {
            return Err(FactoryError::EmptyCode);
        }
        let hash: String = env::sha256(&code)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        env::storage_write(&code_key(), &code);
        self.code_hash = hash.clone();
        self.code_len = u64::try_from(code.len()).unwrap_or(u64::MAX);
        let needed = env::storage_byte_cost()
            .as_yoctonear()
            .saturating_mul(u128::from(env::storage_usage()));
        let available = env::account_balance().as_yoctonear();
        if available < needed {
            return Err(FactoryError::InsufficientBalance { needed, available });
        }
        FactoryEvent::VaultCodeSet {
            code_hash: hash.clone(),
            code_len: U64(self.code_len),
        }
        .emit();
        Ok(hash)
    }

    /// Creates `<name>.<factory>` with the attached deposit, deploys the vault and initializes
    /// it for `owner_id`. Refunds the deposit to the caller if creation fails. The deposit must
    /// cover the code's storage plus a small working balance (`min_vault_deposit`).
    #[payable]
    #[handle_result]
    pub fn create_vault(
        &mut self,
        name: String,
        owner_id: AccountId,
    ) -> Result<Promise, FactoryError> {
        if !valid_name(&name) {
            return Err(FactoryError::InvalidName {
                name,
                max: MAX_NAME_LEN,
            });
        }
        let vault_id: AccountId = format!("{name}.{}", env::current_account_id())
            .parse()
            .map_err(|_| FactoryError::InvalidAccount {
                account: format!("{name}.{}", env::current_account_id()),
            })?;
        let code = env::storage_read(&code_key()).ok_or(FactoryError::CodeNotSet)?;
        let minimum = self.min_vault_deposit().0;
        let attached = env::attached_deposit().as_yoctonear();
        if attached < minimum {
            return Err(FactoryError::DepositTooLow { attached, minimum });
        }
        let caller = env::predecessor_account_id();
        Ok(Promise::new(vault_id.clone())
            .create_account()
            .transfer(NearToken::from_yoctonear(attached))
            .deploy_contract(code)
            .function_call(
                "new".to_owned(),
                json!({ "owner_id": owner_id }).to_string().into_bytes(),
                NearToken::from_yoctonear(0),
                NEW_GAS,
            )
            .then(
                Self::ext(env::current_account_id())
                    .with_static_gas(CALLBACK_GAS)
                    .with_unused_gas_weight(0)
                    .on_vault_created(vault_id, owner_id, caller, U128(attached)),
            ))
    }

    /// Private callback of `create_vault`: on failure the runtime has returned the deposit to
    /// the factory, which refunds it to the caller. Returns whether the vault was created.
    #[private]
    #[handle_result]
    pub fn on_vault_created(
        &mut self,
        vault_id: AccountId,
        owner_id: AccountId,
        caller: AccountId,
        deposit: U128,
    ) -> Result<bool, FactoryError> {
        let predecessor = env::predecessor_account_id();
        if predecessor != env::current_account_id() {
            return Err(FactoryError::NotSelf {
                method: "on_vault_created",
                caller: predecessor.to_string(),
            });
        }
        let created = matches!(
            env::promise_result_checked(0, 0),
            Ok(_) | Err(PromiseError::TooLong(_))
        );
        if created {
            self.vaults_created = self.vaults_created.saturating_add(1);
            FactoryEvent::VaultCreated {
                vault_id: &vault_id,
                owner_id: &owner_id,
                deposit,
            }
            .emit();
        } else {
            FactoryEvent::VaultCreationFailed {
                vault_id: &vault_id,
                refunded_to: &caller,
                amount: deposit,
            }
            .emit();
            Promise::new(caller)
                .transfer(NearToken::from_yoctonear(deposit.0))
                .detach();
        }
        Ok(created)
    }

    /// Owner only, exactly 1 yoctoNEAR; input: the new factory wasm (raw bytes).
    #[payable]
    #[handle_result]
    pub fn upgrade(&mut self) -> Result<Promise, FactoryError> {
        self.require_owner("upgrade")?;
        let attached = env::attached_deposit().as_yoctonear();
        if attached != 1 {
            return Err(FactoryError::RequiresOneYocto {
                method: "upgrade",
                attached,
            });
        }
        let code = env::input().unwrap_or_default();
        if code.is_empty() {
            return Err(FactoryError::EmptyCode);
        }
        Ok(Promise::new(env::current_account_id())
            .deploy_contract(code)
            .function_call(
                "migrate".to_owned(),
                b"{}".to_vec(),
                NearToken::from_yoctonear(0),
                MIGRATE_GAS,
            ))
    }

    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        env::state_read::<VaultFactory>()
            .unwrap_or_else(|| env::panic_str("no factory state to migrate"))
    }

    // --- views ---

    pub fn get_owner(&self) -> AccountId {
        self.owner_id.clone()
    }

    /// Hex sha256 of the stored vault code, if set.
    pub fn vault_code_hash(&self) -> Option<String> {
        (!self.code_hash.is_empty()).then(|| self.code_hash.clone())
    }

    pub fn vaults_created(&self) -> U64 {
        U64(self.vaults_created)
    }

    /// Smallest deposit `create_vault` accepts: storage of the code and initial state, plus a
    /// working balance.
    pub fn min_vault_deposit(&self) -> U128 {
        let bytes = self.code_len.saturating_add(VAULT_STATE_BYTES);
        U128(
            env::storage_byte_cost()
                .as_yoctonear()
                .saturating_mul(u128::from(bytes))
                .saturating_add(VAULT_MIN_FREE_BALANCE.as_yoctonear()),
        )
    }
}

impl VaultFactory {
    fn require_owner(&self, method: &'static str) -> FactoryResult<()> {
        let caller = env::predecessor_account_id();
        if caller != self.owner_id {
            return Err(FactoryError::NotOwner {
                method,
                owner: self.owner_id.to_string(),
                caller: caller.to_string(),
            });
        }
        Ok(())
    }
}
