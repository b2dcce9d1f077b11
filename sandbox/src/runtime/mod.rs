//! The runtime: transaction verification, receipt processing, actions, gas and refunds, view calls.
//! OWNED BY THE RUNTIME HELPER; the API below is the contract the chain and RPC layers rely on.
//!
//! ```ignore
//! /// Everything about the block being applied that the runtime needs.
//! pub struct BlockContext {
//!     pub height: BlockHeight,
//!     pub prev_height: BlockHeight,
//!     pub block_hash: CryptoHash,        // hash of the block being produced
//!     pub timestamp_ns: u64,
//!     pub epoch_height: u64,
//!     pub epoch_id: EpochId,
//!     pub gas_price: Balance,            // this block's gas price (1e8 in practice)
//!     pub random_seed: CryptoHash,
//! }
//!
//! pub struct Runtime;  // holds Arc<RuntimeConfig>, protocol version, chain id, compiled-contract cache
//! impl Runtime {
//!     /// `protocol_version` in 84..=88; `RuntimeConfigStore::new(None).get_config(pv)`.
//!     pub fn new(protocol_version: ProtocolVersion, chain_id: String, validator: (AccountId, Balance)) -> anyhow::Result<Self>;
//!     pub fn config(&self) -> &Arc<RuntimeConfig>;
//!     pub fn protocol_version(&self) -> ProtocolVersion;
//!
//!     /// Submission-time check of a transaction against the state at `head` (nothing written):
//!     /// stateless validation, signature, signer/key existence, nonce, balance/allowance, permissions,
//!     /// and the validity window given by `block_hash_height` (None = unknown block hash -> Expired).
//!     pub fn validate_tx(&self, store: &Store, tx: &SignedTransaction, head: &BlockContext,
//!                        block_hash_height: Option<BlockHeight>) -> Result<(), InvalidTxError>;
//!
//!     /// Applies one chunk for block `block.height` on top of the state at `block.prev_height`:
//!     /// 1. each tx -> verify + charge + its first receipt (`block_hash_height` lookups as above via the
//!     ///    closure); a local receipt (signer == receiver) runs in this block, others become outgoing;
//!     /// 2. local receipts, then `incoming` (the previous block's outgoing receipts), in order;
//!     ///    postponed receipts / data receipts / yields are kept in the Store under their TrieKeys;
//!     /// 3. all writes land in the Store at `block.height`.
//!     pub fn apply_chunk(&self, store: &mut Store, block: &BlockContext,
//!                        txs: &[SignedTransaction], incoming: Vec<Receipt>,
//!                        block_hash_height: &dyn Fn(&CryptoHash) -> Option<BlockHeight>) -> ApplyResult;
//!
//!     /// A view call (`query` call_function) against the state at `at` (nearcore state_viewer semantics).
//!     pub fn view_call(&self, store: &Store, at: &BlockContext, contract: &AccountId, method: &str, args: &[u8])
//!         -> Result<ViewCallResult, ViewCallError>;
//! }
//!
//! pub struct ApplyResult {
//!     /// One entry per input tx, in order: Ok(tx outcome) or Err(why it was rejected at inclusion).
//!     pub tx_results: Vec<(CryptoHash, Result<ExecutionOutcomeWithId, InvalidTxError>)>,
//!     /// Receipt outcomes in execution order (local receipts, then incoming ones that executed).
//!     pub receipt_outcomes: Vec<ExecutionOutcomeWithId>,
//!     /// Every receipt that executed or was postponed in this chunk (for EXPERIMENTAL_receipt, chunk views).
//!     pub processed_receipts: Vec<Receipt>,
//!     /// Receipts to deliver in the next block (the chain passes them back as `incoming`).
//!     pub outgoing_receipts: Vec<Receipt>,
//!     pub gas_used: Gas,
//!     pub balance_burnt: Balance,
//! }
//! pub struct ViewCallResult { pub result: Vec<u8>, pub logs: Vec<String> }
//! pub enum ViewCallError {
//!     AccountDoesNotExist(AccountId),
//!     /// The VM failed; the string is `format!("{:?}", FunctionCallError)` (legacy RPC shape).
//!     VmError(String),
//! }
//! ```
