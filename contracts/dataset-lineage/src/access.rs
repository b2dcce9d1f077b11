//! Paid access (Ocean-style data access, Vana-style permissions): a consumer asks for access to a dataset
//! for a stated purpose and pays the owner's price. The price is forwarded to the owner in full in the
//! same call; the consumer also pays the grant's storage, and any excess is refunded. The grant (grantee,
//! purpose, expiry) is recorded and the owner can revoke it. Datasets with any flagged version refuse new
//! requests, and datasets whose terms carry no `access` offer are not for sale. A flag does not cancel
//! grants already issued (the owner can revoke them); `has_access` reports grants, not data quality.

use near_sdk::collections::Vector;
use near_sdk::json_types::{U64, U128};
use near_sdk::{AccountId, env, near};

use crate::errors::{Error, Result};
use crate::events::Event;
use crate::storage::{StorageMeter, attached, require_one_yocto, transfer_to};
use crate::storage_keys::{StorageKey, id_hash};
use crate::{Contract, ContractExt, validate};

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub grant_id: U64,
    pub dataset_id: String,
    pub grantee: AccountId,
    pub purpose: String,
    /// Price paid, forwarded to the owner.
    pub price_paid: U128,
    pub granted_at_ns: U64,
    pub expires_at_ns: U64,
    pub revoked_at_ns: Option<U64>,
}

impl Grant {
    pub fn is_active(&self, now_ns: u64) -> bool {
        self.revoked_at_ns.is_none() && now_ns < self.expires_at_ns.0
    }
}

impl Contract {
    pub(crate) fn must_grant(&self, grant_id: u64) -> Result<Grant> {
        self.grants
            .get(&grant_id)
            .ok_or(Error::GrantNotFound(grant_id))
    }
}

#[near]
impl Contract {
    /// Requests access to `dataset_id` for `purpose`. Attach at least the dataset's access price plus the
    /// grant's storage (about 0.005 NEAR): the price goes to the owner, the storage is kept, the rest is
    /// refunded. A new request by a grantee with a live grant issues a fresh grant.
    #[payable]
    #[handle_result]
    pub fn request_access(&mut self, dataset_id: String, purpose: String) -> Result<Grant> {
        let caller = env::predecessor_account_id();
        validate::dataset_id("dataset_id", &dataset_id)?;
        validate::purpose(&purpose)?;
        let mut dataset = self.must_dataset(&dataset_id)?;
        if dataset.owner_id == caller {
            return Err(Error::OwnerNeedsNoGrant(caller));
        }
        if dataset.flagged_versions > 0 {
            return Err(Error::DatasetFlagged {
                dataset_id,
                count: dataset.flagged_versions,
            });
        }
        let offer = dataset
            .terms
            .access
            .clone()
            .ok_or_else(|| Error::AccessNotOffered(dataset_id.clone()))?;
        let price = offer.price.0;
        let deposit = attached();
        if deposit < price {
            return Err(Error::AccessUnderpaid {
                attached: deposit,
                price,
            });
        }
        let now = env::block_timestamp();
        let expires = offer
            .duration_seconds
            .0
            .checked_mul(1_000_000_000)
            .and_then(|d| now.checked_add(d))
            .ok_or(Error::Overflow("grant expiry"))?;

        let meter = StorageMeter::start();
        let grant_id = self.next_grant_id;
        self.next_grant_id = grant_id.checked_add(1).ok_or(Error::Overflow("grant id"))?;
        dataset.grant_count = dataset
            .grant_count
            .checked_add(1)
            .ok_or(Error::Overflow("grant count"))?;
        let grant = Grant {
            grant_id: U64(grant_id),
            dataset_id: dataset_id.clone(),
            grantee: caller.clone(),
            purpose,
            price_paid: U128(price),
            granted_at_ns: U64(now),
            expires_at_ns: U64(expires),
            revoked_at_ns: None,
        };
        self.grants.insert(&grant_id, &grant);
        self.datasets.insert(&dataset_id, &dataset);
        let mut ids = self.dataset_grants.get(&dataset_id).unwrap_or_else(|| {
            Vector::new(StorageKey::DatasetGrantsOf {
                dataset_hash: id_hash(&dataset_id),
            })
        });
        ids.push(&grant_id);
        self.dataset_grants.insert(&dataset_id, &ids);
        self.latest_grant
            .insert(&(dataset_id.clone(), caller.clone()), &grant_id);

        let storage = meter.cost()?;
        let required = price
            .checked_add(storage)
            .ok_or(Error::Overflow("access deposit"))?;
        let refund = deposit
            .checked_sub(required)
            .ok_or(Error::AccessStorageUnderpaid {
                attached: deposit,
                required,
                price,
                storage,
            })?;
        Event::AccessGranted {
            grant_id: U64(grant_id),
            dataset_id: &dataset_id,
            grantee: &caller,
            purpose: &grant.purpose,
            price: U128(price),
            expires_at_ns: U64(expires),
        }
        .emit();
        transfer_to(&dataset.owner_id, price);
        transfer_to(&caller, refund);
        Ok(grant)
    }

    /// Revokes a grant. Dataset owner only; requires 1 yoctoNEAR. The price is not refunded. (The grant
    /// grows by 8 bytes for the revocation time; the contract absorbs that, as a 1-yocto call cannot pay.)
    #[payable]
    #[handle_result]
    pub fn revoke_access(&mut self, grant_id: U64) -> Result<Grant> {
        require_one_yocto()?;
        let caller = env::predecessor_account_id();
        let mut grant = self.must_grant(grant_id.0)?;
        self.require_dataset_owner(&grant.dataset_id, &caller, "revoke access to this dataset")?;
        if grant.revoked_at_ns.is_some() {
            return Err(Error::GrantRevoked(grant_id.0));
        }
        grant.revoked_at_ns = Some(U64(env::block_timestamp()));
        self.grants.insert(&grant_id.0, &grant);
        Event::AccessRevoked {
            grant_id,
            dataset_id: &grant.dataset_id,
            grantee: &grant.grantee,
        }
        .emit();
        Ok(grant)
    }
}
