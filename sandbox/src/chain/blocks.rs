//! Blocks: the header fields clients read, a deterministic header hash, the block index by height and
//! hash, finality (`final` = head − 2 blocks, `near-final` = head − 1), epochs and the gas price.

use std::collections::{BTreeMap, HashMap};

use borsh::BorshSerialize;
use near_primitives::hash::{CryptoHash, hash};
use near_primitives::receipt::Receipt;
use near_primitives::transaction::SignedTransaction;
use near_primitives::types::{Balance, BlockHeight, EpochHeight, EpochId, Gas};

/// One chunk (there is one shard): what it included and what it cost.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub hash: CryptoHash,
    pub transactions: Vec<SignedTransaction>,
    /// Receipts that executed (or were postponed) in this chunk.
    pub receipts: Vec<Receipt>,
    pub prev_state_root: CryptoHash,
    pub outcome_root: CryptoHash,
    pub gas_used: Gas,
    pub gas_limit: Gas,
    pub balance_burnt: Balance,
}

/// A produced block.
#[derive(Debug, Clone)]
pub struct Block {
    pub height: BlockHeight,
    pub prev_height: Option<BlockHeight>,
    pub hash: CryptoHash,
    pub prev_hash: CryptoHash,
    pub timestamp_ns: u64,
    pub random_seed: CryptoHash,
    /// The gas price of this block (what its transactions are charged).
    pub gas_price: Balance,
    pub epoch: EpochPosition,
    pub epoch_id: EpochId,
    pub next_epoch_id: EpochId,
    /// Post-state root of this block (after its chunk and any state patch).
    pub state_root: CryptoHash,
    pub total_supply: Balance,
    /// 0 for genesis, then 1, 2, … over produced blocks (heights may skip).
    pub ordinal: u64,
    pub chunk: Chunk,
}

/// What the header hash commits to. Borsh-serialized and sha256-hashed; the hash is computed before
/// the chunk is applied (it commits to the previous state root, like nearcore's `prev_state_root`).
#[derive(BorshSerialize)]
pub struct HeaderInner<'a> {
    pub height: BlockHeight,
    pub prev_hash: &'a CryptoHash,
    pub timestamp_ns: u64,
    pub random_seed: &'a CryptoHash,
    pub prev_state_root: &'a CryptoHash,
    pub epoch_id: &'a CryptoHash,
    pub chunk_hash: &'a CryptoHash,
}

impl HeaderInner<'_> {
    pub fn hash(&self) -> CryptoHash {
        hash(&borsh::to_vec(self).expect("borsh of a header never fails"))
    }
}

/// The chunk hash commits to the height, the previous state root and what the chunk includes.
pub fn chunk_hash(
    height: BlockHeight,
    prev_state_root: &CryptoHash,
    tx_hashes: &[CryptoHash],
    receipt_ids: &[CryptoHash],
) -> CryptoHash {
    let bytes = borsh::to_vec(&("chunk", height, prev_state_root, tx_hashes, receipt_ids))
        .expect("borsh of a chunk header never fails");
    hash(&bytes)
}

/// Where a height lies in the epoch schedule. Epochs are `epoch_length` heights long and start at
/// `genesis_height + 1 + k·epoch_length`; the genesis block belongs to the first one. Skipped heights
/// (fast-forward) still count, so `epoch_height` rises once per boundary crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochPosition {
    /// 0-based epoch index.
    pub index: u64,
    /// `env::epoch_height()`: the index + 1.
    pub epoch_height: EpochHeight,
    pub start_height: BlockHeight,
}

impl EpochPosition {
    pub fn of(height: BlockHeight, genesis_height: BlockHeight, epoch_length: u64) -> Self {
        let index = height.saturating_sub(genesis_height + 1) / epoch_length;
        let start_height = if height <= genesis_height {
            genesis_height
        } else {
            genesis_height + 1 + index * epoch_length
        };
        Self {
            index,
            epoch_height: index + 1,
            start_height,
        }
    }
}

/// nearcore's gas price rule: `price·(1 + (used/limit − ½)·rate)`, clamped to `[min, max]`.
pub fn next_gas_price(
    price: Balance,
    gas_used: Gas,
    gas_limit: Gas,
    rate: (i32, i32),
    min: Balance,
    max: Balance,
) -> Balance {
    let (num, den) = (i128::from(rate.0), i128::from(rate.1));
    let limit = i128::from(gas_limit.as_gas().max(1));
    let used = i128::from(gas_used.as_gas()).min(limit);
    // price · (2·limit·den + (2·used − limit)·num) / (2·limit·den)
    let numerator = 2 * limit * den + (2 * used - limit) * num;
    let denominator = 2 * limit * den;
    let price = price.as_yoctonear();
    let next = if numerator <= 0 || denominator <= 0 {
        0
    } else {
        // Both factors are positive here; widen through u128 and saturate.
        price
            .saturating_mul(u128::try_from(numerator).unwrap_or(u128::MAX))
            .checked_div(u128::try_from(denominator).unwrap_or(u128::MAX))
            .unwrap_or(0)
    };
    Balance::from_yoctonear(next.clamp(
        min.as_yoctonear(),
        max.as_yoctonear().max(min.as_yoctonear()),
    ))
}

/// The canonical chain: every produced block, by height and by hash.
#[derive(Debug, Default)]
pub struct Blocks {
    by_height: BTreeMap<BlockHeight, Block>,
    height_by_hash: HashMap<CryptoHash, BlockHeight>,
    height_by_chunk_hash: HashMap<CryptoHash, BlockHeight>,
    /// Heights in production order (equal to `by_height` order; kept for finality look-ups).
    heights: Vec<BlockHeight>,
}

impl Blocks {
    pub fn push(&mut self, block: Block) {
        if let Some(&last) = self.heights.last() {
            assert!(block.height > last, "block heights must increase");
        }
        self.height_by_hash.insert(block.hash, block.height);
        self.height_by_chunk_hash
            .insert(block.chunk.hash, block.height);
        self.heights.push(block.height);
        self.by_height.insert(block.height, block);
    }

    pub fn genesis(&self) -> &Block {
        self.by_height
            .values()
            .next()
            .expect("the chain always has a genesis block")
    }

    pub fn head(&self) -> &Block {
        self.by_height
            .values()
            .next_back()
            .expect("the chain always has a genesis block")
    }

    /// The block `depth` blocks below the head (0 = head), or genesis if the chain is shorter.
    pub fn below_head(&self, depth: usize) -> &Block {
        let index = self.heights.len().saturating_sub(1 + depth);
        &self.by_height[&self.heights[index]]
    }

    /// The last final block: two blocks below the head (doomslug finality on one validator).
    pub fn final_block(&self) -> &Block {
        self.below_head(2)
    }

    pub fn near_final_block(&self) -> &Block {
        self.below_head(1)
    }

    pub fn by_height(&self, height: BlockHeight) -> Option<&Block> {
        self.by_height.get(&height)
    }

    pub fn by_hash(&self, hash: &CryptoHash) -> Option<&Block> {
        self.height_by_hash
            .get(hash)
            .and_then(|h| self.by_height.get(h))
    }

    pub fn by_chunk_hash(&self, hash: &CryptoHash) -> Option<&Block> {
        self.height_by_chunk_hash
            .get(hash)
            .and_then(|h| self.by_height.get(h))
    }

    pub fn height_of(&self, hash: &CryptoHash) -> Option<BlockHeight> {
        self.height_by_hash.get(hash).copied()
    }

    pub fn is_final(&self, height: BlockHeight) -> bool {
        height <= self.final_block().height
    }

    /// The last block with height below `height` (the chain may skip heights).
    pub fn last_before(&self, height: BlockHeight) -> Option<&Block> {
        self.by_height.range(..height).next_back().map(|(_, b)| b)
    }

    pub fn len(&self) -> usize {
        self.heights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heights.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_start_after_genesis_and_count_skipped_heights() {
        let at = |h| EpochPosition::of(h, 0, 60);
        assert_eq!(
            at(0),
            EpochPosition {
                index: 0,
                epoch_height: 1,
                start_height: 0
            }
        );
        assert_eq!(
            at(1),
            EpochPosition {
                index: 0,
                epoch_height: 1,
                start_height: 1
            }
        );
        assert_eq!(
            at(60),
            EpochPosition {
                index: 0,
                epoch_height: 1,
                start_height: 1
            }
        );
        assert_eq!(
            at(61),
            EpochPosition {
                index: 1,
                epoch_height: 2,
                start_height: 61
            }
        );
        // Fast-forward by 10 000 from height 5 crosses ⌊10 000/60⌋ ± 1 boundaries.
        let crossed = at(10_005).epoch_height - at(5).epoch_height;
        assert_eq!(crossed, 166);
        assert!((10_000 / 60 - 1..=10_000 / 60 + 1).contains(&crossed));
        let at_g = |h| EpochPosition::of(h, 100, 10);
        assert_eq!(at_g(100).epoch_height, 1);
        assert_eq!(at_g(111).start_height, 111);
        assert_eq!(at_g(111).epoch_height, 2);
    }

    #[test]
    fn gas_price_stays_at_the_minimum_on_an_idle_chain() {
        let min = Balance::from_yoctonear(100_000_000);
        let max = Balance::from_yoctonear(10u128.pow(22));
        let limit = Gas::from_gas(1_000_000_000_000_000);
        let p = next_gas_price(min, Gas::from_gas(0), limit, (1, 100), min, max);
        assert_eq!(p, min);
        // A full chunk raises the price by rate/2 = 0.5 %.
        let p = next_gas_price(min, limit, limit, (1, 100), min, max);
        assert_eq!(p.as_yoctonear(), 100_500_000);
        // And a half-full one keeps it.
        let p2 = next_gas_price(
            p,
            Gas::from_gas(500_000_000_000_000),
            limit,
            (1, 100),
            min,
            max,
        );
        assert_eq!(p2, p);
    }

    fn block(height: BlockHeight) -> Block {
        let chunk = Chunk {
            hash: chunk_hash(height, &CryptoHash::default(), &[], &[]),
            transactions: vec![],
            receipts: vec![],
            prev_state_root: CryptoHash::default(),
            outcome_root: CryptoHash::default(),
            gas_used: Gas::from_gas(0),
            gas_limit: Gas::from_gas(0),
            balance_burnt: Balance::from_yoctonear(0),
        };
        let seed = CryptoHash::default();
        let hash = HeaderInner {
            height,
            prev_hash: &CryptoHash::default(),
            timestamp_ns: height,
            random_seed: &seed,
            prev_state_root: &CryptoHash::default(),
            epoch_id: &CryptoHash::default(),
            chunk_hash: &chunk.hash,
        }
        .hash();
        Block {
            height,
            prev_height: None,
            hash,
            prev_hash: CryptoHash::default(),
            timestamp_ns: height,
            random_seed: seed,
            gas_price: Balance::from_yoctonear(0),
            epoch: EpochPosition::of(height, 0, 60),
            epoch_id: EpochId::default(),
            next_epoch_id: EpochId::default(),
            state_root: CryptoHash::default(),
            total_supply: Balance::from_yoctonear(0),
            ordinal: 0,
            chunk,
        }
    }

    #[test]
    fn finality_counts_blocks_not_heights() {
        let mut blocks = Blocks::default();
        blocks.push(block(0));
        assert_eq!(blocks.final_block().height, 0);
        blocks.push(block(1));
        blocks.push(block(2));
        assert_eq!(blocks.final_block().height, 0);
        assert_eq!(blocks.near_final_block().height, 1);
        // A fast-forward jump: the heights skip, finality still trails by two blocks.
        blocks.push(block(1002));
        assert_eq!(blocks.final_block().height, 1);
        assert!(blocks.is_final(1));
        assert!(!blocks.is_final(2));
        blocks.push(block(1003));
        blocks.push(block(1004));
        assert_eq!(blocks.final_block().height, 1002);
        assert!(blocks.by_height(500).is_none());
        assert_eq!(blocks.last_before(500).unwrap().height, 2);
        let h = blocks.head().hash;
        assert_eq!(blocks.height_of(&h), Some(1004));
    }
}
