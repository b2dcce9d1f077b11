//! Test contract: one status message per account. Exercises storage writes, views, logs,
//! attached deposits and panics (which must roll back state and refund the deposit).
use near_sdk::store::LookupMap;
use near_sdk::{AccountId, BorshStorageKey, NearToken, PanicOnDefault, env, log, near};

#[derive(BorshStorageKey)]
#[near]
enum StorageKey {
    Statuses,
}

#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct StatusMessage {
    statuses: LookupMap<AccountId, String>,
    writes: u64,
}

#[near]
impl StatusMessage {
    #[init]
    pub fn new() -> Self {
        Self {
            statuses: LookupMap::new(StorageKey::Statuses),
            writes: 0,
        }
    }

    /// Sets the caller's status; logs the change; returns the number of writes so far.
    #[payable]
    pub fn set_status(&mut self, message: String) -> u64 {
        let account_id = env::predecessor_account_id();
        log!("{} set status to {:?}", account_id, message);
        self.statuses.insert(account_id, message);
        self.writes = self.writes.checked_add(1).expect("writes overflow");
        self.writes
    }

    pub fn get_status(&self, account_id: AccountId) -> Option<String> {
        self.statuses.get(&account_id).cloned()
    }

    /// Writes the caller's status, then panics: the write must be rolled back and any deposit refunded.
    #[payable]
    pub fn set_status_then_panic(&mut self, message: String) {
        self.statuses
            .insert(env::predecessor_account_id(), message.clone());
        env::panic_str(&format!("refusing status {message:?}"));
    }

    /// A view that panics, for view-call error shapes.
    pub fn view_panic(&self) -> String {
        env::panic_str("view panicked on purpose")
    }

    pub fn attached_deposit_echo(&self) -> NearToken {
        env::attached_deposit()
    }

    pub fn writes(&self) -> u64 {
        self.writes
    }
}
