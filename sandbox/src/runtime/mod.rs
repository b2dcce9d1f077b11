//! The runtime: transaction verification, receipt processing, actions, gas and refunds, view calls.
//! The API below is the contract the chain and RPC layers rely on.

use std::sync::Arc;

use near_parameters::RuntimeConfig;
use near_primitives::errors::InvalidTxError;
use near_primitives::hash::CryptoHash;
use near_primitives::receipt::Receipt;
use near_primitives::transaction::{ExecutionOutcomeWithId, SignedTransaction};
use near_primitives::types::{AccountId, Balance, BlockHeight, EpochId, Gas, ProtocolVersion};

use crate::state::Store;

/// Everything about the block being applied that the runtime needs.
#[derive(Debug, Clone)]
pub struct BlockContext {
    pub height: BlockHeight,
    pub prev_height: BlockHeight,
    /// Hash of the block being produced.
    pub block_hash: CryptoHash,
    pub timestamp_ns: u64,
    pub epoch_height: u64,
    pub epoch_id: EpochId,
    /// This block's gas price (1e8 in practice).
    pub gas_price: Balance,
    pub random_seed: CryptoHash,
}

/// The result of applying one chunk.
#[derive(Debug, Default)]
pub struct ApplyResult {
    /// One entry per input tx, in order: Ok(tx outcome) or Err(why it was rejected at inclusion).
    pub tx_results: Vec<(CryptoHash, Result<ExecutionOutcomeWithId, InvalidTxError>)>,
    /// Receipt outcomes in execution order (local receipts, then incoming ones that executed).
    pub receipt_outcomes: Vec<ExecutionOutcomeWithId>,
    /// Every receipt that executed or was postponed in this chunk (for EXPERIMENTAL_receipt,
    /// chunk views).
    pub processed_receipts: Vec<Receipt>,
    /// Receipts to deliver in the next block (the chain passes them back as `incoming`).
    pub outgoing_receipts: Vec<Receipt>,
    pub gas_used: Gas,
    pub balance_burnt: Balance,
}

/// The result of a successful view call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewCallResult {
    pub result: Vec<u8>,
    pub logs: Vec<String>,
}

/// Why a view call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewCallError {
    #[error("account {0} does not exist while viewing")]
    AccountDoesNotExist(AccountId),
    /// The VM failed; the string is `format!("{:?}", FunctionCallError)` (legacy RPC shape).
    #[error("wasm execution failed with error: {0}")]
    VmError(String),
}

/// The runtime for one protocol version: its config, the chain id, the validator and the
/// compiled-contract cache.
pub struct Runtime {
    config: Arc<RuntimeConfig>,
    protocol_version: ProtocolVersion,
    chain_id: String,
    validator: (AccountId, Balance),
}

impl Runtime {
    /// `protocol_version` in 84..=88; `RuntimeConfigStore::new(None).get_config(pv)`.
    pub fn new(
        protocol_version: ProtocolVersion,
        chain_id: String,
        validator: (AccountId, Balance),
    ) -> anyhow::Result<Self> {
        let config = near_parameters::RuntimeConfigStore::new(None).get_config(protocol_version).clone();
        Ok(Self { config, protocol_version, chain_id, validator })
    }

    pub fn config(&self) -> &Arc<RuntimeConfig> {
        &self.config
    }

    pub fn protocol_version(&self) -> ProtocolVersion {
        self.protocol_version
    }

    /// Submission-time check of a transaction against the state at `head` (nothing written):
    /// stateless validation, signature, signer/key existence, nonce, balance/allowance,
    /// permissions, and the validity window given by `block_hash_height` (None = unknown block
    /// hash -> Expired).
    pub fn validate_tx(
        &self,
        store: &Store,
        tx: &SignedTransaction,
        head: &BlockContext,
        block_hash_height: Option<BlockHeight>,
    ) -> Result<(), InvalidTxError> {
        let _ = (store, tx, head, block_hash_height, &self.chain_id, &self.validator);
        unimplemented!("validate_tx")
    }

    /// Applies one chunk for block `block.height` on top of the state at `block.prev_height`:
    /// 1. each tx -> verify + charge + its first receipt; a local receipt (signer == receiver)
    ///    runs in this block, others become outgoing;
    /// 2. local receipts, then `incoming` (the previous block's outgoing receipts), in order;
    ///    postponed receipts / data receipts / yields are kept in the Store under their TrieKeys;
    /// 3. all writes land in the Store at `block.height`.
    pub fn apply_chunk(
        &self,
        store: &mut Store,
        block: &BlockContext,
        txs: &[SignedTransaction],
        incoming: Vec<Receipt>,
        block_hash_height: &dyn Fn(&CryptoHash) -> Option<BlockHeight>,
    ) -> ApplyResult {
        let _ = (store, block, txs, incoming, block_hash_height);
        unimplemented!("apply_chunk")
    }

    /// A view call (`query` call_function) against the state at `at` (nearcore state_viewer
    /// semantics).
    pub fn view_call(
        &self,
        store: &Store,
        at: &BlockContext,
        contract: &AccountId,
        method: &str,
        args: &[u8],
    ) -> Result<ViewCallResult, ViewCallError> {
        let _ = (store, at, contract, method, args);
        unimplemented!("view_call")
    }
}
