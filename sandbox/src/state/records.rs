//! State records: genesis loading (with nearcore's genesis `StorageComputer` rules) and
//! `sandbox_patch_state` (verbatim writes).

use std::collections::BTreeMap;

use near_parameters::RuntimeConfig;
use near_primitives::account::Account;
use near_primitives::hash::{CryptoHash, hash};
use near_primitives::state_record::StateRecord;
use near_primitives::trie_key::TrieKey;
use near_primitives::types::{AccountId, BlockHeight, StorageUsage};

use super::Store;

/// Storage usage each account's records add up to, computed like nearcore's genesis
/// `StorageComputer`: `num_bytes_account` per account, `num_extra_bytes_record + borsh(pk) +
/// borsh(access key)` per key, `num_extra_bytes_record + key + value` per data entry, and the
/// code length.
pub fn storage_usage_of_records(
    records: &[StateRecord],
    config: &RuntimeConfig,
) -> BTreeMap<AccountId, StorageUsage> {
    let usage_config = &config.fees.storage_usage_config;
    let mut usage = BTreeMap::<AccountId, StorageUsage>::new();
    for record in records {
        let (account_id, bytes) = match record {
            StateRecord::Account { account_id, .. } => (account_id, usage_config.num_bytes_account),
            StateRecord::AccessKey {
                account_id,
                public_key,
                access_key,
            } => {
                let key_len = borsh::object_length(public_key).unwrap_or_default() as u64;
                let value_len = borsh::object_length(access_key).unwrap_or_default() as u64;
                (
                    account_id,
                    usage_config.num_extra_bytes_record + key_len + value_len,
                )
            }
            StateRecord::Data {
                account_id,
                data_key,
                value,
            } => (
                account_id,
                usage_config.num_extra_bytes_record + data_key.len() as u64 + value.len() as u64,
            ),
            StateRecord::Contract { account_id, code } => (account_id, code.len() as u64),
            _ => continue,
        };
        let entry = usage.entry(account_id.clone()).or_default();
        *entry = entry.saturating_add(bytes);
    }
    usage
}

/// The raw trie write a record stands for, or `None` for kinds the sandbox does not store.
fn record_write(record: &StateRecord) -> Option<(Vec<u8>, Vec<u8>)> {
    let write = match record {
        StateRecord::Account {
            account_id,
            account,
        } => (
            TrieKey::Account {
                account_id: account_id.clone(),
            }
            .to_vec(),
            borsh::to_vec(account).ok()?,
        ),
        StateRecord::AccessKey {
            account_id,
            public_key,
            access_key,
        } => (
            TrieKey::AccessKey {
                account_id: account_id.clone(),
                key_handle: public_key.clone(),
            }
            .to_vec(),
            borsh::to_vec(access_key).ok()?,
        ),
        StateRecord::Contract { account_id, code } => (
            TrieKey::ContractCode {
                account_id: account_id.clone(),
            }
            .to_vec(),
            code.clone(),
        ),
        StateRecord::Data {
            account_id,
            data_key,
            value,
        } => (
            TrieKey::ContractData {
                account_id: account_id.clone(),
                key: data_key.to_vec(),
            }
            .to_vec(),
            value.to_vec(),
        ),
        _ => return None,
    };
    Some(write)
}

pub(super) fn load_genesis(
    store: &mut Store,
    records: &[StateRecord],
    config: &RuntimeConfig,
) -> anyhow::Result<()> {
    let usage = storage_usage_of_records(records, config);
    let mut writes = Vec::with_capacity(records.len());
    for record in records {
        let record = match record {
            StateRecord::Account {
                account_id,
                account,
            } => {
                let mut account = account.clone();
                account.set_storage_usage(usage.get(account_id).copied().unwrap_or_default());
                StateRecord::Account {
                    account_id: account_id.clone(),
                    account,
                }
            }
            StateRecord::AccessKey { .. }
            | StateRecord::Contract { .. }
            | StateRecord::Data { .. } => record.clone(),
            other => anyhow::bail!("unsupported genesis record kind: {other}"),
        };
        writes.extend(record_write(&record));
    }
    store.commit(writes.into_iter().map(|(k, v)| (k, Some(v))), 0);
    Ok(())
}

pub(super) fn apply_patch(
    store: &mut Store,
    records: &[StateRecord],
    height: BlockHeight,
) -> Result<(), String> {
    // The account each Contract record must match: the patch's own Account record if it has one
    // (it comes first), else the stored account.
    let mut patched_accounts: BTreeMap<&AccountId, &Account> = BTreeMap::new();
    let mut writes = Vec::with_capacity(records.len());
    for record in records {
        match record {
            StateRecord::Account {
                account_id,
                account,
            } => {
                patched_accounts.insert(account_id, account);
            }
            StateRecord::Contract { account_id, code } => {
                let stored;
                let account = match patched_accounts.get(account_id) {
                    Some(account) => Some(*account),
                    None => {
                        stored = store.account(account_id, height);
                        stored.as_ref()
                    }
                };
                let expected = account.and_then(Account::local_contract_hash);
                let actual = hash(code);
                if expected != Some(actual) {
                    return Err(format!(
                        "contract record for {account_id}: code hash {actual} does not match the account's code_hash {}",
                        expected.unwrap_or(CryptoHash::default())
                    ));
                }
            }
            StateRecord::AccessKey { .. } | StateRecord::Data { .. } => {}
            other => return Err(format!("unsupported patch record kind: {other}")),
        }
        writes.extend(record_write(record));
    }
    store.commit(writes.into_iter().map(|(k, v)| (k, Some(v))), height);
    Ok(())
}
