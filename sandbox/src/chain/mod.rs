//! The chain: block production on demand, the mempool, finality, outcomes and the tx-status index,
//! state patches and fast-forward.
//!
//! ## Block production (SANDBOX.md §3.1, §7)
//! One producer thread owns the loop. Whenever there is work — pooled transactions, receipts
//! produced by the previous block, a pending `sandbox_patch_state` or `sandbox_fast_forward` — it
//! produces blocks back to back (no delay), until all receipts including refunds have executed, and
//! then [`FINALITY_BLOCKS`] more so that the work is visible at `final` (final = head − 2 blocks,
//! near-final = head − 1). Then it idles, producing an empty block every [`ChainParams::idle_tick`]
//! (1 s by default) so heights and timestamps move like a live chain's.
//!
//! Timestamps are the wall clock plus the fast-forward offset (strictly increasing); every block has
//! a fresh random seed; the gas price follows nearcore's rule (it stays at the minimum in practice).

pub mod blocks;
pub mod mempool;
pub mod tx_status;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use near_chain_configs::GenesisConfig;
use near_crypto::PublicKey;
use near_primitives::errors::InvalidTxError;
use near_primitives::hash::{CryptoHash, hash};
use near_primitives::receipt::Receipt;
use near_primitives::state_record::StateRecord;
use near_primitives::transaction::SignedTransaction;
use near_primitives::types::{AccountId, Balance, BlockHeight, EpochId};
use parking_lot::{Condvar, Mutex, MutexGuard};
use tokio::sync::{oneshot, watch};

use crate::runtime::{BlockContext, Runtime};
use crate::state::Store;
use blocks::{Block, Blocks, Chunk, EpochPosition, HeaderInner, chunk_hash, next_gas_price};
use mempool::Mempool;
use tx_status::{OutcomeRecord, TxStatusIndex};

/// Blocks produced after the last receipt of a piece of work so that it is `final`.
pub const FINALITY_BLOCKS: u32 = 2;

/// What the chain needs from the node configuration and genesis.
#[derive(Debug, Clone)]
pub struct ChainParams {
    pub genesis_config: GenesisConfig,
    pub validator_id: AccountId,
    pub validator_key: PublicKey,
    pub validator_stake: Balance,
    /// Average of the min and max block production delays: how far each skipped height moves the
    /// clock in `sandbox_fast_forward`.
    pub avg_block_delay: Duration,
    /// How often an empty block is produced while there is no work.
    pub idle_tick: Duration,
    /// The least time between two blocks, even with work waiting (zero: back to back).
    pub min_block_interval: Duration,
}

/// A state patch waiting for the next block, and who to tell when it landed.
struct PendingPatch {
    records: Vec<StateRecord>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The result of submitting a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// Validated and added to the pool.
    Added,
    /// Already pooled or already included: nothing to do (resends are idempotent).
    Known,
}

/// The chain state. Reads go through [`ChainHandle::read`].
pub struct Chain {
    params: ChainParams,
    runtime: Runtime,
    store: Store,
    blocks: Blocks,
    mempool: Mempool,
    /// Receipts produced by the head block, to be applied by the next one.
    incoming: Vec<Receipt>,
    index: TxStatusIndex,
    patches: Vec<PendingPatch>,
    /// Heights the next block jumps by (0: a normal block).
    fast_forward: u64,
    /// Blocks still to produce so the last work is final.
    blocks_owed: u32,
    /// Added to the wall clock by fast-forwards.
    time_offset_ns: u64,
}

fn wall_clock_ns() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since_epoch.as_nanos()).unwrap_or(u64::MAX)
}

impl Chain {
    /// Creates the chain at its genesis block; `store` already holds the genesis state.
    pub fn new(params: ChainParams, runtime: Runtime, store: Store) -> Self {
        let g = &params.genesis_config;
        let height = g.genesis_height;
        let state_root = store.state_root(height);
        let timestamp_ns =
            u64::try_from(g.genesis_time.timestamp_nanos_opt().unwrap_or(0)).unwrap_or(0);
        let chunk = Chunk {
            hash: chunk_hash(height, &state_root, &[], &[]),
            transactions: vec![],
            receipts: vec![],
            prev_state_root: state_root,
            outcome_root: CryptoHash::default(),
            gas_used: near_primitives::types::Gas::from_gas(0),
            gas_limit: g.gas_limit,
            balance_burnt: Balance::from_yoctonear(0),
        };
        let random_seed = CryptoHash::default();
        let epoch_id = EpochId::default();
        let hash = HeaderInner {
            height,
            prev_hash: &CryptoHash::default(),
            timestamp_ns,
            random_seed: &random_seed,
            prev_state_root: &state_root,
            epoch_id: &epoch_id.0,
            chunk_hash: &chunk.hash,
        }
        .hash();
        let genesis = Block {
            height,
            prev_height: None,
            hash,
            prev_hash: CryptoHash::default(),
            timestamp_ns,
            random_seed,
            gas_price: g.min_gas_price,
            epoch: EpochPosition::of(height, height, g.epoch_length),
            epoch_id,
            next_epoch_id: EpochId(hash),
            state_root,
            total_supply: g.total_supply,
            ordinal: 0,
            chunk,
        };
        let mut blocks = Blocks::default();
        blocks.push(genesis);
        Self {
            params,
            runtime,
            store,
            blocks,
            mempool: Mempool::default(),
            incoming: vec![],
            index: TxStatusIndex::default(),
            patches: vec![],
            fast_forward: 0,
            blocks_owed: 0,
            time_offset_ns: 0,
        }
    }

    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// Spaces blocks at least `interval` apart (see [`ChainParams::min_block_interval`]).
    pub fn set_min_block_interval(&mut self, interval: Duration) {
        self.params.min_block_interval = interval;
    }

    pub fn genesis_config(&self) -> &GenesisConfig {
        &self.params.genesis_config
    }

    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn blocks(&self) -> &Blocks {
        &self.blocks
    }

    pub fn index(&self) -> &TxStatusIndex {
        &self.index
    }

    pub fn mempool(&self) -> &Mempool {
        &self.mempool
    }

    /// The runtime's view of a produced block (for queries and view calls at that block).
    pub fn block_context(&self, block: &Block) -> BlockContext {
        BlockContext {
            height: block.height,
            prev_height: block.prev_height.unwrap_or(block.height),
            block_hash: block.hash,
            timestamp_ns: block.timestamp_ns,
            epoch_height: block.epoch.epoch_height,
            epoch_id: block.epoch_id,
            gas_price: block.gas_price,
            random_seed: block.random_seed,
        }
    }

    /// The epoch id of the `index`-th epoch: nearcore uses the hash of the last block of epoch
    /// `index − 2`; the first epoch has the default id and the second the genesis hash.
    fn epoch_id_for(&self, index: u64) -> EpochId {
        let g = &self.params.genesis_config;
        match index {
            0 => EpochId::default(),
            1 => EpochId(self.blocks.genesis().hash),
            _ => {
                let start_of_previous = g.genesis_height + 1 + (index - 1) * g.epoch_length;
                let last = self
                    .blocks
                    .last_before(start_of_previous)
                    .unwrap_or_else(|| self.blocks.genesis());
                EpochId(last.hash)
            }
        }
    }

    /// Submission-time validation against the head, then pooling. A transaction that is already
    /// pooled or included is `Known` (its resend is idempotent).
    pub fn submit(&mut self, tx: SignedTransaction) -> Result<Submitted, InvalidTxError> {
        let tx_hash = tx.get_hash();
        if self.mempool.contains(&tx_hash) || self.index.transaction(&tx_hash).is_some() {
            return Ok(Submitted::Known);
        }
        let head = self.blocks.head();
        let context = self.block_context(head);
        let block_hash_height = self.blocks.height_of(tx.transaction.block_hash());
        self.runtime
            .validate_tx(&self.store, &tx, &context, block_hash_height)?;
        self.mempool.insert(tx);
        Ok(Submitted::Added)
    }

    fn has_work(&self) -> bool {
        !self.mempool.is_empty()
            || !self.incoming.is_empty()
            || !self.patches.is_empty()
            || self.fast_forward > 0
    }

    /// Produces the next block: applies the pooled transactions and the previous block's outgoing
    /// receipts, then any pending state patch.
    pub fn produce_block(&mut self) -> BlockHeight {
        let had_work = self.has_work();
        let g = self.params.genesis_config.clone();
        let (
            prev_height,
            prev_hash,
            prev_ts,
            prev_price,
            prev_gas_used,
            prev_gas_limit,
            prev_root,
            prev_supply,
            prev_ordinal,
        ) = {
            let prev = self.blocks.head();
            (
                prev.height,
                prev.hash,
                prev.timestamp_ns,
                prev.gas_price,
                prev.chunk.gas_used,
                prev.chunk.gas_limit,
                prev.state_root,
                prev.total_supply,
                prev.ordinal,
            )
        };
        let jump = std::mem::take(&mut self.fast_forward);
        if jump > 0 {
            let per_height =
                u64::try_from(self.params.avg_block_delay.as_nanos()).unwrap_or(u64::MAX);
            self.time_offset_ns = self
                .time_offset_ns
                .saturating_add(jump.saturating_mul(per_height));
        }
        let height = prev_height + jump.max(1);
        let timestamp_ns = wall_clock_ns()
            .saturating_add(self.time_offset_ns)
            .max(prev_ts + 1);
        let epoch = EpochPosition::of(height, g.genesis_height, g.epoch_length);
        let epoch_id = self.epoch_id_for(epoch.index);
        let next_epoch_id = self.epoch_id_for(epoch.index + 1);
        let rate = (
            *g.gas_price_adjustment_rate.numer(),
            *g.gas_price_adjustment_rate.denom(),
        );
        let gas_price = next_gas_price(
            prev_price,
            prev_gas_used,
            prev_gas_limit,
            rate,
            g.min_gas_price,
            g.max_gas_price,
        );
        let random_seed = CryptoHash(rand::random());

        let transactions = self.mempool.drain();
        let incoming = std::mem::take(&mut self.incoming);
        let tx_hashes: Vec<CryptoHash> = transactions
            .iter()
            .map(SignedTransaction::get_hash)
            .collect();
        let receipt_ids: Vec<CryptoHash> = incoming.iter().map(|r| *r.receipt_id()).collect();
        let chunk_hash = chunk_hash(height, &prev_root, &tx_hashes, &receipt_ids);
        let hash = HeaderInner {
            height,
            prev_hash: &prev_hash,
            timestamp_ns,
            random_seed: &random_seed,
            prev_state_root: &prev_root,
            epoch_id: &epoch_id.0,
            chunk_hash: &chunk_hash,
        }
        .hash();
        let context = BlockContext {
            height,
            prev_height,
            block_hash: hash,
            timestamp_ns,
            epoch_height: epoch.epoch_height,
            epoch_id,
            gas_price,
            random_seed,
        };

        let Self {
            runtime,
            store,
            blocks,
            ..
        } = self;
        let lookup = |h: &CryptoHash| blocks.height_of(h);
        let result = runtime.apply_chunk(store, &context, &transactions, incoming, &lookup);

        for patch in std::mem::take(&mut self.patches) {
            let applied = self.store.apply_patch(&patch.records, height);
            // The caller may have gone away; the patch is applied regardless.
            let _ = patch.done.send(applied);
        }

        let mut outcome_ids = Vec::new();
        for (tx_hash, tx_result) in result.tx_results {
            match tx_result {
                Ok(outcome) => {
                    outcome_ids.push(outcome.id);
                    if let Some(tx) = transactions.iter().find(|t| t.get_hash() == tx_hash) {
                        self.index.record_transaction(
                            tx.clone(),
                            OutcomeRecord {
                                outcome,
                                block_hash: hash,
                                block_height: height,
                            },
                        );
                    }
                }
                Err(error) => {
                    tracing::debug!(target: "chain", %tx_hash, ?error, "transaction dropped at inclusion");
                    self.index.record_rejected(tx_hash, error);
                }
            }
        }
        for outcome in result.receipt_outcomes {
            outcome_ids.push(outcome.id);
            self.index.record_receipt_outcome(OutcomeRecord {
                outcome,
                block_hash: hash,
                block_height: height,
            });
        }
        for receipt in result
            .processed_receipts
            .iter()
            .chain(result.outgoing_receipts.iter())
        {
            self.index.record_receipt(receipt.clone());
        }
        self.incoming = result.outgoing_receipts;

        // An empty block (idle tick, finality block, fast-forward jump) has its parent's root.
        let state_root = self.store.state_root(height);
        let outcome_root = hash_of(&outcome_ids);
        let block = Block {
            height,
            prev_height: Some(prev_height),
            hash,
            prev_hash,
            timestamp_ns,
            random_seed,
            gas_price,
            epoch,
            epoch_id,
            next_epoch_id,
            state_root,
            total_supply: prev_supply.saturating_sub(result.balance_burnt),
            ordinal: prev_ordinal + 1,
            chunk: Chunk {
                hash: chunk_hash,
                transactions,
                receipts: result.processed_receipts,
                prev_state_root: prev_root,
                outcome_root,
                gas_used: result.gas_used,
                gas_limit: g.gas_limit,
                balance_burnt: result.balance_burnt,
            },
        };
        self.blocks.push(block);
        if had_work {
            self.blocks_owed = FINALITY_BLOCKS;
        } else {
            self.blocks_owed = self.blocks_owed.saturating_sub(1);
        }
        tracing::debug!(target: "chain", height, "produced block");
        height
    }
}

fn hash_of(ids: &[CryptoHash]) -> CryptoHash {
    hash(&borsh::to_vec(ids).expect("borsh of hashes never fails"))
}

struct Shared {
    chain: Mutex<Chain>,
    wake: Condvar,
    head: watch::Sender<BlockHeight>,
    fast_forward_in_progress: AtomicBool,
}

/// A cloneable handle to the chain and its producer thread.
#[derive(Clone)]
pub struct ChainHandle {
    shared: Arc<Shared>,
}

/// Why a fast-forward could not start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FastForwardError {
    #[error("Consecutive fast_forward requests cannot be made while a current one is going on.")]
    AlreadyInProgress,
}

/// Clears the in-progress flag when a fast-forward request finishes or is dropped.
struct FastForwardGuard(Arc<Shared>);

impl Drop for FastForwardGuard {
    fn drop(&mut self) {
        self.0
            .fast_forward_in_progress
            .store(false, Ordering::SeqCst);
    }
}

impl ChainHandle {
    /// Wraps the chain and starts the block producer thread.
    pub fn start(chain: Chain) -> Self {
        let head = chain.blocks.head().height;
        let (head_tx, _) = watch::channel(head);
        let shared = Arc::new(Shared {
            chain: Mutex::new(chain),
            wake: Condvar::new(),
            head: head_tx,
            fast_forward_in_progress: AtomicBool::new(false),
        });
        let producer = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("block-producer".into())
            .spawn(move || {
                // `produce_blocks` only returns by panicking (a runtime fault while applying a
                // chunk). The chain cannot go on from a half-applied block, so stop the node
                // loudly instead of serving a frozen chain.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    produce_blocks(&producer)
                }));
                eprintln!(
                    "nexus-sandbox: error: block production failed (see the panic above); stopping"
                );
                std::process::exit(1);
            })
            .expect("cannot spawn the block producer thread");
        Self { shared }
    }

    /// Runs `f` with the chain locked (keep it short: the producer waits meanwhile).
    pub fn read<R>(&self, f: impl FnOnce(&Chain) -> R) -> R {
        f(&self.shared.chain.lock())
    }

    /// The head height, updated after every block.
    pub fn subscribe_head(&self) -> watch::Receiver<BlockHeight> {
        self.shared.head.subscribe()
    }

    /// Validates and pools a transaction and wakes the producer.
    pub fn submit(&self, tx: SignedTransaction) -> Result<Submitted, InvalidTxError> {
        let result = self.shared.chain.lock().submit(tx);
        if result == Ok(Submitted::Added) {
            self.shared.wake.notify_all();
        }
        result
    }

    /// Queues a state patch for the next block and waits until it has been applied.
    pub async fn patch_state(&self, records: Vec<StateRecord>) -> Result<(), String> {
        let (done, applied) = oneshot::channel();
        self.shared
            .chain
            .lock()
            .patches
            .push(PendingPatch { records, done });
        self.shared.wake.notify_all();
        applied
            .await
            .map_err(|_| "the block producer stopped".to_owned())?
    }

    /// Jumps the head by `delta` heights and waits until the jump is final.
    pub async fn fast_forward(&self, delta: u64) -> Result<(), FastForwardError> {
        if self
            .shared
            .fast_forward_in_progress
            .swap(true, Ordering::SeqCst)
        {
            return Err(FastForwardError::AlreadyInProgress);
        }
        let _guard = FastForwardGuard(Arc::clone(&self.shared));
        if delta == 0 {
            return Ok(());
        }
        let mut head = self.subscribe_head();
        let target = {
            let mut chain = self.shared.chain.lock();
            chain.fast_forward = delta;
            chain.blocks.head().height + delta
        };
        self.shared.wake.notify_all();
        // Wait until the jump is final too (two more blocks, produced at once), so that a client
        // signing with a `final` block hash right afterwards is not refused as Expired. The producer
        // only stops when the process does, so the sender outlives this wait.
        loop {
            if self.read(|chain| chain.blocks.final_block().height >= target) {
                return Ok(());
            }
            if head.changed().await.is_err() {
                return Ok(());
            }
        }
    }
}

/// The producer loop: blocks back to back while there is work or finality is owed, otherwise an
/// empty block per idle tick.
fn produce_blocks(shared: &Shared) -> ! {
    let mut chain = shared.chain.lock();
    let mut last_block = Instant::now();
    loop {
        let due = last_block + chain.params.idle_tick;
        let busy = chain.has_work() || chain.blocks_owed > 0;
        let next_allowed = last_block + chain.params.min_block_interval;
        if busy && Instant::now() < next_allowed {
            shared.wake.wait_until(&mut chain, next_allowed);
            continue;
        }
        if busy || Instant::now() >= due {
            let height = chain.produce_block();
            last_block = Instant::now();
            shared.head.send_replace(height);
            // Let RPC handlers in between consecutive blocks.
            MutexGuard::unlocked_fair(&mut chain, std::thread::yield_now);
            continue;
        }
        shared.wake.wait_until(&mut chain, due);
    }
}
