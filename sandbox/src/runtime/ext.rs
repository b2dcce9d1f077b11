//! The VM's window on the chain (nearcore `ext.rs` + `receipt_manager.rs`): contract storage,
//! data ids, and the receipts a contract builds through promise host functions.
//!
//! Storage gas: the VM charges the base and per-byte costs itself; this embedder adds the
//! evicted/removed value bytes (as nearcore does) but charges **0 trie nodes** (nearcore charges
//! `touching_trie_node` ≈ 2.28 Ggas (PV82+) per node on the path of every write and remove, which
//! needs the global Patricia-trie shape). Contracts therefore burn slightly less gas here.

use near_crypto::PublicKey;
use near_primitives::account::{AccessKey, AccessKeyPermission, FunctionCallPermission};
use near_primitives::action::{
    AddKeyAction, CreateAccountAction, DeleteAccountAction, DeleteKeyAction, DeployContractAction,
    FunctionCallAction, StakeAction, TransferAction,
};
use near_primitives::hash::{CryptoHash, YieldId};
use near_primitives::receipt::{
    ActionReceipt, ActionReceiptV2, DataReceiver, Receipt, ReceiptEnum, ReceiptV0,
};
use near_primitives::transaction::Action;
use near_primitives::trie_key::TrieKey;
use near_primitives::types::{AccountId, Balance, BlockHeight, Gas, GasWeight, Nonce, NonceIndex};
use near_primitives::utils::create_receipt_id_from_action_hash;
use near_primitives_core::universal_state_init::{
    DecodeMode, RawStateInit, StateInitError, UniversalStateInitCounts,
};
use near_vm_runner::logic::types::{
    ActionIndex, GlobalContractDeployMode, GlobalContractIdentifier, ReceiptIndex,
};
use near_vm_runner::logic::{External, HostError, StorageAccessTracker, VMLogicError, ValuePtr};

use crate::state::StateUpdate;

/// A receipt a contract is building.
#[derive(Debug, Clone)]
pub struct NewReceipt {
    pub receiver_id: AccountId,
    pub refund_to: Option<AccountId>,
    pub output_data_receivers: Vec<DataReceiver>,
    pub input_data_ids: Vec<CryptoHash>,
    pub actions: Vec<Action>,
    /// A `PromiseYield` receipt: waits (at most the yield timeout) for its resume data.
    pub is_promise_yield: bool,
}

/// The receipts created by one function call, and the gas weights of their function calls.
#[derive(Debug, Default)]
pub struct ReceiptManager {
    pub receipts: Vec<NewReceipt>,
    /// `(receipt index, action index, weight)` of function calls with a non-zero weight.
    gas_weights: Vec<(usize, usize, GasWeight)>,
    /// A protocol feature this node does not implement that the contract tried to use.
    pub unsupported_feature: Option<&'static str>,
    /// `promise_yield_resume` calls: `(data_id, payload)` of yields waiting on this account.
    pub resumes: Vec<(CryptoHash, Vec<u8>)>,
}

impl ReceiptManager {
    fn receipt_mut(&mut self, index: ReceiptIndex) -> &mut NewReceipt {
        self.receipts
            .get_mut(index as usize)
            .unwrap_or_else(|| panic!("receipt index {index} must exist (checked by the VM)"))
    }

    fn push_action(&mut self, index: ReceiptIndex, action: Action) -> usize {
        let receipt = self.receipt_mut(index);
        receipt.actions.push(action);
        receipt.actions.len() - 1
    }

    /// Distributes `unused_gas` over the function calls in proportion to their weights, the
    /// remainder going to the last one (nearcore `ReceiptManager::distribute_gas`). Returns
    /// whether any gas was distributed.
    pub fn distribute_gas(&mut self, unused_gas: Gas) -> bool {
        let total_weight: u128 = self
            .gas_weights
            .iter()
            .map(|(_, _, w)| u128::from(w.0))
            .sum();
        if total_weight == 0 || unused_gas == Gas::ZERO {
            return false;
        }
        let unused = u128::from(unused_gas.as_gas());
        let mut distributed = 0u128;
        let weights = std::mem::take(&mut self.gas_weights);
        for (receipt_index, action_index, weight) in &weights {
            let share = unused * u128::from(weight.0) / total_weight;
            distributed += share;
            self.add_gas(*receipt_index, *action_index, share as u64);
        }
        if let Some((receipt_index, action_index, _)) = weights.last() {
            self.add_gas(*receipt_index, *action_index, (unused - distributed) as u64);
        }
        self.gas_weights = weights;
        true
    }

    fn add_gas(&mut self, receipt_index: usize, action_index: usize, gas: u64) {
        if let Some(Action::FunctionCall(call)) = self
            .receipts
            .get_mut(receipt_index)
            .and_then(|r| r.actions.get_mut(action_index))
        {
            call.gas = call.gas.saturating_add(Gas::from_gas(gas));
        }
    }

    /// Turns the built receipts into `Receipt`s sent by `predecessor_id` (ids are assigned later).
    pub fn into_receipts(
        self,
        predecessor_id: &AccountId,
        signer_id: &AccountId,
        signer_public_key: &PublicKey,
        gas_price: Balance,
    ) -> Vec<Receipt> {
        self.receipts
            .into_iter()
            .map(|r| {
                let receipt = match r.refund_to {
                    None => {
                        let receipt = ActionReceipt {
                            signer_id: signer_id.clone(),
                            signer_public_key: signer_public_key.clone(),
                            gas_price,
                            output_data_receivers: r.output_data_receivers,
                            input_data_ids: r.input_data_ids,
                            actions: r.actions,
                        };
                        if r.is_promise_yield {
                            ReceiptEnum::PromiseYield(receipt)
                        } else {
                            ReceiptEnum::Action(receipt)
                        }
                    }
                    Some(refund_to) => {
                        let receipt = ActionReceiptV2 {
                            signer_id: signer_id.clone(),
                            refund_to: Some(refund_to),
                            signer_public_key: signer_public_key.clone(),
                            gas_price,
                            output_data_receivers: r.output_data_receivers,
                            input_data_ids: r.input_data_ids,
                            actions: r.actions,
                        };
                        if r.is_promise_yield {
                            ReceiptEnum::PromiseYieldV2(receipt)
                        } else {
                            ReceiptEnum::ActionV2(receipt)
                        }
                    }
                };
                Receipt::V0(ReceiptV0 {
                    predecessor_id: predecessor_id.clone(),
                    receiver_id: r.receiver_id,
                    receipt_id: CryptoHash::default(),
                    receipt,
                })
            })
            .collect()
    }
}

/// A value read from state; dereferencing is free beyond what the VM charges itself.
struct StateValuePtr(Vec<u8>);

impl ValuePtr for StateValuePtr {
    fn len(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    fn deref(&self, _: &mut dyn StorageAccessTracker) -> Result<Vec<u8>, VMLogicError> {
        Ok(self.0.clone())
    }
}

/// The `External` implementation for one function call action.
pub struct RuntimeExt<'a, 's> {
    state: &'a mut StateUpdate<'s>,
    account_id: AccountId,
    action_hash: CryptoHash,
    block_height: BlockHeight,
    data_count: u64,
    chain_id: String,
    validator: (AccountId, Balance),
    pub receipt_manager: ReceiptManager,
}

impl<'a, 's> RuntimeExt<'a, 's> {
    pub fn new(
        state: &'a mut StateUpdate<'s>,
        account_id: AccountId,
        action_hash: CryptoHash,
        block_height: BlockHeight,
        chain_id: String,
        validator: (AccountId, Balance),
    ) -> Self {
        Self {
            state,
            account_id,
            action_hash,
            block_height,
            data_count: 0,
            chain_id,
            validator,
            receipt_manager: ReceiptManager::default(),
        }
    }

    fn storage_key(&self, key: &[u8]) -> Vec<u8> {
        TrieKey::ContractData {
            account_id: self.account_id.clone(),
            key: key.to_vec(),
        }
        .to_vec()
    }

    fn unsupported(&mut self, feature: &'static str) {
        self.receipt_manager
            .unsupported_feature
            .get_or_insert(feature);
    }
}

impl External for RuntimeExt<'_, '_> {
    fn storage_set(
        &mut self,
        access_tracker: &mut dyn StorageAccessTracker,
        key: &[u8],
        value: &[u8],
    ) -> Result<Option<Vec<u8>>, VMLogicError> {
        let key = self.storage_key(key);
        let evicted = self.state.get_raw(&key);
        if let Some(evicted) = &evicted {
            access_tracker.deref_write_evicted_value_bytes(evicted.len() as u64)?;
        }
        self.state.set_raw(key, value.to_vec());
        Ok(evicted)
    }

    fn storage_get<'b>(
        &'b self,
        _access_tracker: &mut dyn StorageAccessTracker,
        key: &[u8],
    ) -> Result<Option<Box<dyn ValuePtr + 'b>>, VMLogicError> {
        let value = self.state.get_raw(&self.storage_key(key));
        Ok(value.map(|v| Box::new(StateValuePtr(v)) as Box<dyn ValuePtr>))
    }

    fn storage_remove(
        &mut self,
        access_tracker: &mut dyn StorageAccessTracker,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, VMLogicError> {
        let key = self.storage_key(key);
        let removed = self.state.get_raw(&key);
        if let Some(removed) = &removed {
            access_tracker.deref_removed_value_bytes(removed.len() as u64)?;
            self.state.remove_raw(key);
        }
        Ok(removed)
    }

    fn storage_has_key(
        &mut self,
        _access_tracker: &mut dyn StorageAccessTracker,
        key: &[u8],
    ) -> Result<bool, VMLogicError> {
        Ok(self.state.get_raw(&self.storage_key(key)).is_some())
    }

    fn generate_data_id(&mut self) -> CryptoHash {
        let data_id = create_receipt_id_from_action_hash(
            &self.action_hash,
            self.block_height,
            self.data_count,
        );
        self.data_count += 1;
        data_id
    }

    fn get_recorded_storage_size(&self) -> usize {
        0
    }

    fn storage_proof_size_before_receipt(&self) -> usize {
        0
    }

    fn validator_stake(&self, account_id: &AccountId) -> Result<Option<Balance>, VMLogicError> {
        Ok((account_id == &self.validator.0).then_some(self.validator.1))
    }

    fn validator_total_stake(&self) -> Result<Balance, VMLogicError> {
        Ok(self.validator.1)
    }

    fn chain_id(&self) -> String {
        self.chain_id.clone()
    }

    fn create_action_receipt(
        &mut self,
        receipt_indices: Vec<ReceiptIndex>,
        receiver_id: AccountId,
    ) -> Result<ReceiptIndex, VMLogicError> {
        let mut input_data_ids = Vec::with_capacity(receipt_indices.len());
        for index in receipt_indices {
            let data_id = self.generate_data_id();
            let dependency = self
                .receipt_manager
                .receipts
                .get_mut(index as usize)
                .ok_or(HostError::InvalidReceiptIndex {
                    receipt_index: index,
                })?;
            dependency.output_data_receivers.push(DataReceiver {
                data_id,
                receiver_id: receiver_id.clone(),
            });
            input_data_ids.push(data_id);
        }
        self.receipt_manager.receipts.push(NewReceipt {
            receiver_id,
            refund_to: None,
            output_data_receivers: vec![],
            input_data_ids,
            actions: vec![],
            is_promise_yield: false,
        });
        Ok(self.receipt_manager.receipts.len() as u64 - 1)
    }

    fn create_promise_yield_receipt(
        &mut self,
        receiver_id: AccountId,
    ) -> Result<(ReceiptIndex, CryptoHash), VMLogicError> {
        let data_id = self.generate_data_id();
        self.receipt_manager.receipts.push(NewReceipt {
            receiver_id,
            refund_to: None,
            output_data_receivers: vec![],
            input_data_ids: vec![data_id],
            actions: vec![],
            is_promise_yield: true,
        });
        Ok((self.receipt_manager.receipts.len() as u64 - 1, data_id))
    }

    fn create_promise_yield_receipt_with_id(
        &mut self,
        receiver_id: AccountId,
        user_yield_id: YieldId,
    ) -> Result<Option<(ReceiptIndex, CryptoHash)>, VMLogicError> {
        let by_yield_id = TrieKey::YieldIdToDataId {
            receiver_id: self.account_id.clone(),
            yield_id: user_yield_id,
        }
        .to_vec();
        if self.state.get_raw(&by_yield_id).is_some() {
            return Ok(None);
        }
        let (index, data_id) = self.create_promise_yield_receipt(receiver_id)?;
        // Written with the call's other state changes, so a failed call forgets them too.
        self.state.set_raw(by_yield_id, data_id.as_ref().to_vec());
        self.state.set_raw(
            TrieKey::DataIdToYieldId {
                receiver_id: self.account_id.clone(),
                data_id,
            }
            .to_vec(),
            user_yield_id.0.as_ref().to_vec(),
        );
        Ok(Some((index, data_id)))
    }

    fn submit_promise_resume_data(
        &mut self,
        data_id: CryptoHash,
        data: Vec<u8>,
    ) -> Result<bool, VMLogicError> {
        let waiting = TrieKey::PromiseYieldReceipt {
            receiver_id: self.account_id.clone(),
            data_id,
        };
        let already = self
            .receipt_manager
            .resumes
            .iter()
            .any(|(id, _)| *id == data_id);
        if already || self.state.get_raw(&waiting.to_vec()).is_none() {
            return Ok(false);
        }
        self.receipt_manager.resumes.push((data_id, data));
        Ok(true)
    }

    fn submit_promise_resume_data_with_yield_id(
        &mut self,
        user_yield_id: YieldId,
        data: Vec<u8>,
    ) -> Result<bool, VMLogicError> {
        let by_yield_id = TrieKey::YieldIdToDataId {
            receiver_id: self.account_id.clone(),
            yield_id: user_yield_id,
        };
        let data_id = self
            .state
            .get_raw(&by_yield_id.to_vec())
            .and_then(|bytes| CryptoHash::try_from(bytes.as_slice()).ok());
        match data_id {
            Some(data_id) => self.submit_promise_resume_data(data_id, data),
            None => Ok(false),
        }
    }

    fn append_action_create_account(&mut self, receipt_index: ReceiptIndex) {
        self.receipt_manager
            .push_action(receipt_index, Action::CreateAccount(CreateAccountAction {}));
    }

    fn append_action_deploy_contract(&mut self, receipt_index: ReceiptIndex, code: Vec<u8>) {
        self.receipt_manager.push_action(
            receipt_index,
            Action::DeployContract(DeployContractAction { code }),
        );
    }

    fn append_action_deploy_global_contract(
        &mut self,
        _receipt_index: ReceiptIndex,
        _code: Vec<u8>,
        _mode: GlobalContractDeployMode,
    ) {
        self.unsupported("GlobalContracts");
    }

    fn append_action_use_global_contract(
        &mut self,
        _receipt_index: ReceiptIndex,
        _contract_id: GlobalContractIdentifier,
    ) {
        self.unsupported("GlobalContracts");
    }

    fn append_action_deterministic_state_init(
        &mut self,
        _receipt_index: ReceiptIndex,
        _contract_id: GlobalContractIdentifier,
        _amount: Balance,
    ) -> ActionIndex {
        self.unsupported("DeterministicAccountIds");
        0
    }

    fn set_deterministic_state_init_data_entry(
        &mut self,
        _receipt_index: ReceiptIndex,
        _action_index: ActionIndex,
        _key: Vec<u8>,
        _value: Vec<u8>,
    ) -> Result<(), VMLogicError> {
        self.unsupported("DeterministicAccountIds");
        Ok(())
    }

    fn check_state_init(&self, _state_init: &RawStateInit) -> Result<(), StateInitError> {
        Ok(())
    }

    fn state_init_send_counts(
        &self,
        state_init: &RawStateInit,
        _mode: DecodeMode,
    ) -> UniversalStateInitCounts {
        UniversalStateInitCounts {
            num_bytes: state_init.0.len() as u64,
            num_entries: 0,
            num_keys: 0,
        }
    }

    fn append_action_universal_state_init(
        &mut self,
        _receipt_index: ReceiptIndex,
        _state_init: RawStateInit,
        _amount: Balance,
    ) {
        self.unsupported("UniversalAccounts");
    }

    fn append_action_function_call_weight(
        &mut self,
        receipt_index: ReceiptIndex,
        method_name: Vec<u8>,
        args: Vec<u8>,
        attached_deposit: Balance,
        prepaid_gas: Gas,
        gas_weight: GasWeight,
    ) -> Result<(), VMLogicError> {
        let method_name =
            String::from_utf8(method_name).map_err(|_| HostError::InvalidMethodName)?;
        let action = Action::FunctionCall(Box::new(FunctionCallAction {
            method_name,
            args,
            gas: prepaid_gas,
            deposit: attached_deposit,
        }));
        let action_index = self.receipt_manager.push_action(receipt_index, action);
        if gas_weight.0 > 0 {
            self.receipt_manager.gas_weights.push((
                receipt_index as usize,
                action_index,
                gas_weight,
            ));
        }
        Ok(())
    }

    fn append_action_transfer(&mut self, receipt_index: ReceiptIndex, deposit: Balance) {
        self.receipt_manager
            .push_action(receipt_index, Action::Transfer(TransferAction { deposit }));
    }

    fn append_action_transfer_to_gas_key(
        &mut self,
        _receipt_index: ReceiptIndex,
        _public_key: PublicKey,
        _deposit: Balance,
    ) {
        self.unsupported("GasKeys");
    }

    fn append_action_add_gas_key_with_full_access(
        &mut self,
        _receipt_index: ReceiptIndex,
        _public_key: PublicKey,
        _num_nonces: NonceIndex,
    ) {
        self.unsupported("GasKeys");
    }

    fn append_action_add_gas_key_with_function_call(
        &mut self,
        _receipt_index: ReceiptIndex,
        _public_key: PublicKey,
        _num_nonces: NonceIndex,
        _allowance: Option<Balance>,
        _receiver_id: AccountId,
        _method_names: Vec<Vec<u8>>,
    ) -> Result<(), VMLogicError> {
        self.unsupported("GasKeys");
        Ok(())
    }

    fn append_action_stake(
        &mut self,
        receipt_index: ReceiptIndex,
        stake: Balance,
        public_key: PublicKey,
    ) {
        self.receipt_manager.push_action(
            receipt_index,
            Action::Stake(Box::new(StakeAction { stake, public_key })),
        );
    }

    fn append_action_add_key_with_full_access(
        &mut self,
        receipt_index: ReceiptIndex,
        public_key: PublicKey,
        nonce: Nonce,
    ) {
        let access_key = AccessKey {
            nonce,
            permission: AccessKeyPermission::FullAccess,
        };
        self.receipt_manager.push_action(
            receipt_index,
            Action::AddKey(Box::new(AddKeyAction {
                public_key,
                access_key,
            })),
        );
    }

    fn append_action_add_key_with_function_call(
        &mut self,
        receipt_index: ReceiptIndex,
        public_key: PublicKey,
        nonce: Nonce,
        allowance: Option<Balance>,
        receiver_id: AccountId,
        method_names: Vec<Vec<u8>>,
    ) -> Result<(), VMLogicError> {
        let method_names = method_names
            .into_iter()
            .map(|name| String::from_utf8(name).map_err(|_| HostError::InvalidMethodName))
            .collect::<Result<Vec<_>, _>>()?;
        let access_key = AccessKey {
            nonce,
            permission: AccessKeyPermission::FunctionCall(FunctionCallPermission {
                allowance,
                receiver_id: receiver_id.into(),
                method_names,
            }),
        };
        self.receipt_manager.push_action(
            receipt_index,
            Action::AddKey(Box::new(AddKeyAction {
                public_key,
                access_key,
            })),
        );
        Ok(())
    }

    fn append_action_delete_key(&mut self, receipt_index: ReceiptIndex, public_key: PublicKey) {
        self.receipt_manager.push_action(
            receipt_index,
            Action::DeleteKey(Box::new(DeleteKeyAction { public_key })),
        );
    }

    fn append_action_delete_account(
        &mut self,
        receipt_index: ReceiptIndex,
        beneficiary_id: AccountId,
    ) {
        self.receipt_manager.push_action(
            receipt_index,
            Action::DeleteAccount(DeleteAccountAction { beneficiary_id }),
        );
    }

    fn get_receipt_receiver(&self, receipt_index: ReceiptIndex) -> &AccountId {
        &self.receipt_manager.receipts[receipt_index as usize].receiver_id
    }

    fn set_refund_to(&mut self, receipt_index: ReceiptIndex, refund_to: AccountId) {
        self.receipt_manager.receipt_mut(receipt_index).refund_to = Some(refund_to);
    }

    fn post_quantum_keys_enabled(&self) -> bool {
        true
    }
}
