//! The runtime: transaction verification, receipt processing, actions, gas and refunds, view calls
//! (nearcore `runtime/runtime`), on the 0.38 crates at the genesis protocol version (84..=88).
//!
//! | module          | nearcore counterpart                     | holds                                   |
//! |-----------------|------------------------------------------|-----------------------------------------|
//! | `verifier`      | `verifier.rs`, `action_validation.rs`    | stateless + stateful tx checks, receipts |
//! | `config`        | `config.rs`                              | send/exec fees, `tx_cost` with NEP-642   |
//! | `receipts`      | `lib.rs` (`apply_action_receipt`, ...)   | data/postponed/yield receipts, outcomes  |
//! | `actions`       | `actions.rs`                             | every supported action                   |
//! | `function_call` | `function_call.rs`, `conversions.rs`     | VM invocation, cache, error conversion   |
//! | `ext`           | `ext.rs`, `receipt_manager.rs`           | `External`, promises, gas weights        |
//! | `refunds`       | `lib.rs::generate_refund_receipts`       | deposit and gas refunds, NEP-642 charge  |
//! | `view`          | `state_viewer/mod.rs`                    | view calls                               |
//!
//! Known differences from nearcore:
//! * **Trie-node gas is 0** (`touching_trie_node`, 2.28 Ggas per node from PV 82): nearcore charges
//!   the nodes on the path of every storage write and remove, which needs the global trie shape.
//!   A contract write burns roughly `depth × 2.28 Ggas` less here (typically 10–60 Ggas per write).
//! * No delayed-receipt queue or chunk gas limit: every receipt delivered to a block executes.
//! * Not implemented, refused with `ActionsValidation(UnsupportedProtocolFeature)` at submission
//!   and `NewReceiptValidationError` when a contract builds them: global contracts, deterministic
//!   and universal state inits, gas keys, `DelegateV2`, transfers to ETH-implicit / `0s` / `0u`
//!   ids. Yield/resume, with and without user yield ids, is supported.
//! * Stake is validated and moves funds into `locked`; proposals are inert. The minimum stake is
//!   a tenth of the validator's stake.
//! * No storage proofs (recorded storage sizes are 0) and no ML-DSA signature surcharge.

use std::sync::Arc;

use near_parameters::RuntimeConfig;
use near_primitives::errors::InvalidTxError;
use near_primitives::hash::CryptoHash;
use near_primitives::receipt::Receipt;
use near_primitives::transaction::{ExecutionOutcomeWithId, SignedTransaction};
use near_primitives::types::{AccountId, Balance, BlockHeight, EpochId, Gas, ProtocolVersion};

use crate::state::{StateUpdate, Store};

pub mod actions;
pub mod config;
pub mod ext;
pub mod function_call;
pub mod receipts;
pub mod refunds;
pub mod verifier;
pub mod view;

#[cfg(test)]
mod tests;

use function_call::ContractCache;
use near_primitives::transaction::{ExecutionMetadata, ExecutionOutcome, ExecutionStatus};
use near_primitives::utils::create_receipt_id_from_transaction;
use near_vm_runner::ContractRuntimeCache;

/// The protocol versions this node can run (the 0.38 crates' supported range).
pub const SUPPORTED_PROTOCOL_VERSIONS: std::ops::RangeInclusive<ProtocolVersion> = 84..=88;

/// Blocks a transaction's `block_hash` stays valid for (genesis `transaction_validity_period`).
pub const DEFAULT_TRANSACTION_VALIDITY_PERIOD: BlockHeight = 100;

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
    cache: ContractCache,
    transaction_validity_period: BlockHeight,
    max_gas_burnt_view: Option<Gas>,
}

/// Everything the receipt and action code needs about the runtime and the block being applied.
pub struct ApplyContext<'a> {
    pub config: &'a RuntimeConfig,
    pub protocol_version: ProtocolVersion,
    pub block: &'a BlockContext,
    pub chain_id: &'a str,
    pub validator: &'a (AccountId, Balance),
    pub cache: &'a dyn ContractRuntimeCache,
    /// Smallest stake a `Stake` action may ask for: a tenth of the validator's stake (nearcore
    /// derives it from the seat price, `minimum_stake_divisor` = 10).
    pub minimum_stake: Balance,
}

impl Runtime {
    /// A runtime whose compiled-contract cache lives in a temporary directory (see `with_cache`).
    pub fn new(
        protocol_version: ProtocolVersion,
        chain_id: String,
        validator: (AccountId, Balance),
    ) -> anyhow::Result<Self> {
        let cache = ContractCache::temporary()
            .map_err(|e| anyhow::anyhow!("creating the compiled-contract cache: {e}"))?;
        Self::with_cache(protocol_version, chain_id, validator, cache)
    }

    /// `protocol_version` in 84..=88; `RuntimeConfigStore::new(None).get_config(pv)`.
    pub fn with_cache(
        protocol_version: ProtocolVersion,
        chain_id: String,
        validator: (AccountId, Balance),
        cache: ContractCache,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            SUPPORTED_PROTOCOL_VERSIONS.contains(&protocol_version),
            "protocol version {protocol_version} is not supported: this node runs {}..={}",
            SUPPORTED_PROTOCOL_VERSIONS.start(),
            SUPPORTED_PROTOCOL_VERSIONS.end()
        );
        let config =
            Arc::clone(near_parameters::RuntimeConfigStore::new(None).get_config(protocol_version));
        Ok(Self {
            config,
            protocol_version,
            chain_id,
            validator,
            cache,
            transaction_validity_period: DEFAULT_TRANSACTION_VALIDITY_PERIOD,
            max_gas_burnt_view: None,
        })
    }

    /// Sets the genesis `transaction_validity_period` (default 100 blocks).
    pub fn with_transaction_validity_period(mut self, period: BlockHeight) -> Self {
        self.transaction_validity_period = period;
        self
    }

    /// Sets config.json's `max_gas_burnt_view` (None = the protocol's `max_gas_burnt`).
    pub fn with_max_gas_burnt_view(mut self, gas: Option<Gas>) -> Self {
        self.max_gas_burnt_view = gas;
        self
    }

    pub fn config(&self) -> &Arc<RuntimeConfig> {
        &self.config
    }

    pub fn protocol_version(&self) -> ProtocolVersion {
        self.protocol_version
    }

    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    pub fn validator(&self) -> &(AccountId, Balance) {
        &self.validator
    }

    pub(crate) fn cache(&self) -> &dyn ContractRuntimeCache {
        &self.cache.cache
    }

    /// The gas limit of view calls.
    pub fn max_gas_burnt_view(&self) -> Gas {
        self.max_gas_burnt_view
            .unwrap_or(self.config.wasm_config.limit_config.max_gas_burnt)
    }

    fn apply_context<'a>(&'a self, block: &'a BlockContext) -> ApplyContext<'a> {
        ApplyContext {
            config: &self.config,
            protocol_version: self.protocol_version,
            block,
            chain_id: &self.chain_id,
            validator: &self.validator,
            cache: &self.cache.cache,
            minimum_stake: self.validator.1.saturating_div(10),
        }
    }

    /// The validity window: `Expired` for an unknown block hash or one more than
    /// `transaction_validity_period` blocks below `prev_height`.
    fn check_validity_window(
        &self,
        prev_height: BlockHeight,
        block_hash_height: Option<BlockHeight>,
    ) -> Result<(), InvalidTxError> {
        match block_hash_height {
            Some(h) if prev_height <= h.saturating_add(self.transaction_validity_period) => Ok(()),
            _ => Err(InvalidTxError::Expired),
        }
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
        // The chain checks the validity window before the runtime looks at the transaction.
        self.check_validity_window(head.height, block_hash_height)?;
        let cost = verifier::validate_transaction(
            &self.config,
            tx,
            head.gas_price,
            self.protocol_version,
        )?;
        let mut state = StateUpdate::new(store, head.height);
        // The transaction would land in the next block.
        verifier::verify_and_charge_tx(&self.config, &mut state, tx, &cost, head.height + 1)?;
        state.rollback();
        Ok(())
    }

    /// Applies one chunk for block `block.height` on top of the state at `block.prev_height`:
    /// 1. each tx -> verify + charge + its first receipt; a local receipt (signer == receiver)
    ///    runs in this block, others become outgoing;
    /// 2. local receipts, then `incoming` (the previous block's outgoing receipts), in order;
    ///    postponed receipts / data receipts / yields are kept in the Store under their TrieKeys;
    ///    instant receipts (a lone DeleteAccount) run right after the receipt that sent them;
    /// 3. all writes land in the Store at `block.height`.
    pub fn apply_chunk(
        &self,
        store: &mut Store,
        block: &BlockContext,
        txs: &[SignedTransaction],
        incoming: Vec<Receipt>,
        block_hash_height: &dyn Fn(&CryptoHash) -> Option<BlockHeight>,
    ) -> ApplyResult {
        let ctx = self.apply_context(block);
        let mut result = ApplyResult::default();
        let changes = {
            let mut state = StateUpdate::new(store, block.prev_height);
            let mut local = Vec::new();
            for tx in txs {
                let tx_hash = tx.get_hash();
                match self.convert_tx(&mut state, block, tx, block_hash_height) {
                    Ok((outcome, receipt)) => {
                        result.gas_used = result.gas_used.saturating_add(outcome.outcome.gas_burnt);
                        result.balance_burnt = result
                            .balance_burnt
                            .saturating_add(outcome.outcome.tokens_burnt);
                        result.tx_results.push((tx_hash, Ok(outcome)));
                        if receipt.receiver_id() == tx.transaction.signer_id() {
                            local.push(receipt);
                        } else {
                            result.outgoing_receipts.push(receipt);
                        }
                    }
                    Err(err) => {
                        state.rollback();
                        result.tx_results.push((tx_hash, Err(err)));
                    }
                }
            }
            let mut queue: std::collections::VecDeque<Receipt> =
                local.into_iter().chain(incoming).collect();
            while let Some(receipt) = queue.pop_front() {
                let processed = receipts::process_receipt(&ctx, &mut state, &receipt);
                let failed_refund = receipt.predecessor_id().is_system()
                    && processed
                        .outcome
                        .as_ref()
                        .is_some_and(|o| matches!(o.outcome.status, ExecutionStatus::Failure(_)));
                if failed_refund && let Some(refund) = receipts::action_receipt_of(&receipt) {
                    // A refund that cannot be delivered burns its deposit.
                    let deposit = config::total_deposit(refund.actions()).unwrap_or_default();
                    result.balance_burnt = result.balance_burnt.saturating_add(deposit);
                }
                result.processed_receipts.push(receipt);
                if let Some(ready) = processed.executed_postponed {
                    result.processed_receipts.push(ready);
                }
                if let Some(outcome) = processed.outcome {
                    result.gas_used = result.gas_used.saturating_add(outcome.outcome.gas_burnt);
                    result.balance_burnt = result
                        .balance_burnt
                        .saturating_add(outcome.outcome.tokens_burnt);
                    result.receipt_outcomes.push(outcome);
                }
                let mut instant = Vec::new();
                for new_receipt in processed.outgoing {
                    if receipts::is_instant(&new_receipt) {
                        instant.push(new_receipt);
                    } else {
                        result.outgoing_receipts.push(new_receipt);
                    }
                }
                for receipt in instant.into_iter().rev() {
                    queue.push_front(receipt);
                }
            }
            result
                .outgoing_receipts
                .extend(receipts::resolve_yield_timeouts(&ctx, &mut state));
            state.into_changes()
        };
        store.commit(changes, block.height);
        result
    }

    /// Verifies and charges one transaction and converts it into its first receipt.
    fn convert_tx(
        &self,
        state: &mut StateUpdate<'_>,
        block: &BlockContext,
        tx: &SignedTransaction,
        block_hash_height: &dyn Fn(&CryptoHash) -> Option<BlockHeight>,
    ) -> Result<(ExecutionOutcomeWithId, Receipt), InvalidTxError> {
        self.check_validity_window(
            block.prev_height,
            block_hash_height(tx.transaction.block_hash()),
        )?;
        let cost = verifier::validate_transaction(
            &self.config,
            tx,
            block.gas_price,
            self.protocol_version,
        )?;
        verifier::verify_and_charge_tx(&self.config, state, tx, &cost, block.height)?;
        state.commit();
        let t = &tx.transaction;
        let tx_hash = tx.get_hash();
        let receipt_id = create_receipt_id_from_transaction(&tx_hash, block.height);
        let receipt = Receipt::from_tx(
            receipt_id,
            t.signer_id().clone(),
            t.receiver_id().clone(),
            t.public_key().clone(),
            cost.receipt_gas_price,
            t.actions().to_vec(),
        );
        let outcome = ExecutionOutcomeWithId {
            id: tx_hash,
            outcome: ExecutionOutcome {
                logs: vec![],
                receipt_ids: vec![receipt_id],
                gas_burnt: cost.gas_burnt,
                compute_usage: Some(cost.gas_burnt.as_gas()),
                tokens_burnt: cost.burnt_amount,
                executor_id: t.signer_id().clone(),
                status: ExecutionStatus::SuccessReceiptId(receipt_id),
                metadata: ExecutionMetadata::V1,
            },
        };
        Ok((outcome, receipt))
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
        view::view_call(self, store, at, contract, method, args)
    }
}
