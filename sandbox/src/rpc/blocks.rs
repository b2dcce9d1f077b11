//! Chain-info methods: `status`, `health`, `block`, `chunk`, `gas_price`, `validators`,
//! `EXPERIMENTAL_protocol_config`, `EXPERIMENTAL_genesis_config`, and block-reference resolution.

use near_chain_configs::{ProtocolConfig, ProtocolConfigView};
use near_jsonrpc_primitives::types::blocks::RpcBlockError;
use near_jsonrpc_primitives::types::chunks::{ChunkReference, RpcChunkError};
use near_jsonrpc_primitives::types::config::RpcProtocolConfigError;
use near_jsonrpc_primitives::types::gas_price::RpcGasPriceError;
use near_jsonrpc_primitives::types::validator::RpcValidatorError;
use near_primitives::hash::CryptoHash;
use near_primitives::types::{
    BlockId, BlockReference, EpochId, EpochReference, Finality, MaybeBlockId, ShardId,
    SyncCheckpoint,
};
use near_primitives::views::validator_stake_view::ValidatorStakeView;
use near_primitives::views::{
    BlockHeaderView, BlockView, ChunkHeaderView, ChunkView, CurrentEpochValidatorInfo,
    EpochValidatorInfo, GasPriceView, NextEpochValidatorInfo, ReceiptView, StatusResponse,
    StatusSyncInfo, ValidatorInfo, ValidatorStakeViewV1,
};
use serde_json::Value;

use super::RpcState;
use super::errors::{RpcFailure, failure};
use super::params::{Params, parse};
use crate::chain::Chain;
use crate::chain::blocks::Block;

/// Why a block reference did not resolve.
#[derive(Debug, Clone)]
pub struct UnknownBlock {
    pub reference: BlockReference,
    /// A height the chain has already passed (skipped, or below genesis): HTTP 422.
    pub past_height: bool,
}

impl UnknownBlock {
    /// neard's `DBNotFoundErr` message for the reference.
    pub fn db_message(&self) -> String {
        match &self.reference {
            BlockReference::BlockId(BlockId::Height(h)) => format!("BLOCK HEIGHT: {h}"),
            BlockReference::BlockId(BlockId::Hash(h)) => format!("BLOCK: {h}"),
            other => format!("{other:?}"),
        }
    }

    /// Wraps a method's error, with HTTP 422 for a past height.
    pub fn into_failure(self, error: near_jsonrpc_primitives::errors::RpcError) -> RpcFailure {
        if self.past_height {
            RpcFailure::unknown_past_block(error)
        } else {
            error.into()
        }
    }
}

/// Resolves a block reference on the canonical chain.
pub fn resolve<'a>(
    chain: &'a Chain,
    reference: &BlockReference,
) -> Result<&'a Block, UnknownBlock> {
    let blocks = chain.blocks();
    let found = match reference {
        BlockReference::Finality(Finality::None) => Some(blocks.head()),
        BlockReference::Finality(Finality::DoomSlug) => Some(blocks.near_final_block()),
        BlockReference::Finality(Finality::Final) => Some(blocks.final_block()),
        BlockReference::SyncCheckpoint(
            SyncCheckpoint::Genesis | SyncCheckpoint::EarliestAvailable,
        ) => Some(blocks.genesis()),
        BlockReference::BlockId(BlockId::Height(h)) => blocks.by_height(*h),
        BlockReference::BlockId(BlockId::Hash(h)) => blocks.by_hash(h),
    };
    found.ok_or_else(|| UnknownBlock {
        reference: reference.clone(),
        past_height: matches!(reference, BlockReference::BlockId(BlockId::Height(h)) if *h < blocks.head().height),
    })
}

pub fn header_view(chain: &Chain, block: &Block) -> BlockHeaderView {
    let blocks = chain.blocks();
    // On one validator the final block trails the head by two blocks; for past blocks, by two
    // blocks below them.
    let last_final = blocks
        .last_before(block.height)
        .and_then(|b| blocks.last_before(b.height));
    let last_ds_final = blocks.last_before(block.height);
    let timestamp_ns = block.timestamp_ns;
    BlockHeaderView {
        height: block.height,
        prev_height: block.prev_height,
        epoch_id: block.epoch_id.0,
        next_epoch_id: block.next_epoch_id.0,
        hash: block.hash,
        prev_hash: block.prev_hash,
        prev_state_root: block.chunk.prev_state_root,
        block_body_hash: Some(CryptoHash::hash_borsh((block.hash, "body"))),
        chunk_receipts_root: CryptoHash::default(),
        chunk_headers_root: CryptoHash::hash_borsh(block.chunk.hash),
        chunk_tx_root: CryptoHash::default(),
        outcome_root: block.chunk.outcome_root,
        chunks_included: u64::from(block.prev_height.is_some()),
        challenges_root: CryptoHash::default(),
        timestamp: timestamp_ns,
        timestamp_nanosec: timestamp_ns,
        random_value: block.random_seed,
        validator_proposals: vec![],
        chunk_mask: vec![true],
        gas_price: block.gas_price,
        block_ordinal: Some(block.ordinal + 1),
        total_supply: block.total_supply,
        challenges_result: vec![],
        last_final_block: last_final.map(|b| b.hash).unwrap_or_default(),
        last_ds_final_block: last_ds_final.map(|b| b.hash).unwrap_or_default(),
        next_bp_hash: CryptoHash::default(),
        block_merkle_root: CryptoHash::default(),
        epoch_sync_data_hash: None,
        approvals: vec![],
        latest_protocol_version: chain.genesis_config().protocol_version,
        ..BlockHeaderView::default()
    }
}

pub fn chunk_header_view(chain: &Chain, block: &Block) -> ChunkHeaderView {
    ChunkHeaderView {
        chunk_hash: block.chunk.hash,
        prev_block_hash: block.prev_hash,
        outcome_root: block.chunk.outcome_root,
        prev_state_root: block.chunk.prev_state_root,
        encoded_merkle_root: CryptoHash::default(),
        encoded_length: 0,
        height_created: block.height,
        height_included: block.height,
        shard_id: ShardId::new(0),
        gas_used: block.chunk.gas_used,
        gas_limit: chain.genesis_config().gas_limit,
        rent_paid: near_primitives::types::Balance::from_yoctonear(0),
        validator_reward: near_primitives::types::Balance::from_yoctonear(0),
        balance_burnt: block.chunk.balance_burnt,
        outgoing_receipts_root: CryptoHash::default(),
        tx_root: CryptoHash::default(),
        validator_proposals: vec![],
        congestion_info: None,
        bandwidth_requests: None,
        proposed_split: None,
        signature: near_crypto::Signature::default(),
    }
}

pub fn block_view(chain: &Chain, block: &Block) -> BlockView {
    BlockView {
        author: chain.params().validator_id.clone(),
        header: header_view(chain, block),
        chunks: vec![chunk_header_view(chain, block)],
    }
}

fn to_value<T: serde::Serialize>(value: T) -> Result<Value, RpcFailure> {
    serde_json::to_value(value).map_err(|e| RpcFailure::internal(e.to_string()))
}

pub fn block(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let reference: BlockReference = Params::new(params)
        .try_singleton(|id: BlockId| Ok(BlockReference::BlockId(id)))
        .unwrap_or_parse()?;
    state.chain.read(|chain| match resolve(chain, &reference) {
        Ok(block) => to_value(block_view(chain, block)),
        Err(unknown) => {
            let error = RpcBlockError::UnknownBlock {
                error_message: unknown.db_message(),
            };
            Err(unknown.into_failure(error.into()))
        }
    })
}

pub fn chunk(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum ChunkId {
        BlockShardId(BlockId, ShardId),
        Hash(CryptoHash),
    }
    let reference: ChunkReference = Params::new(params)
        .try_singleton(|id: ChunkId| {
            Ok(match id {
                ChunkId::BlockShardId(block_id, shard_id) => {
                    ChunkReference::BlockShardId { block_id, shard_id }
                }
                ChunkId::Hash(chunk_id) => ChunkReference::ChunkHash { chunk_id },
            })
        })
        .unwrap_or_parse()?;
    state.chain.read(|chain| {
        let block = match &reference {
            ChunkReference::BlockShardId { block_id, shard_id } => {
                let block = resolve(chain, &BlockReference::BlockId(block_id.clone())).map_err(
                    |unknown| {
                        let error = RpcChunkError::UnknownBlock {
                            error_message: unknown.db_message(),
                        };
                        unknown.into_failure(error.into())
                    },
                )?;
                if *shard_id != ShardId::new(0) {
                    return Err(failure(RpcChunkError::InvalidShardId {
                        shard_id: *shard_id,
                    }));
                }
                block
            }
            ChunkReference::ChunkHash { chunk_id } => {
                chain.blocks().by_chunk_hash(chunk_id).ok_or_else(|| {
                    failure(RpcChunkError::UnknownChunk {
                        chunk_hash: near_primitives::sharding::ChunkHash(*chunk_id),
                    })
                })?
            }
        };
        to_value(ChunkView {
            author: chain.params().validator_id.clone(),
            header: chunk_header_view(chain, block),
            transactions: block
                .chunk
                .transactions
                .iter()
                .cloned()
                .map(Into::into)
                .collect(),
            receipts: block
                .chunk
                .receipts
                .iter()
                .cloned()
                .map(ReceiptView::from)
                .collect(),
        })
    })
}

pub fn gas_price(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    #[derive(serde::Deserialize)]
    struct Request {
        #[serde(default)]
        block_id: MaybeBlockId,
    }
    let params = if params.is_null() {
        Value::Array(vec![Value::Null])
    } else {
        params
    };
    let block_id = Params::new(params)
        .try_singleton(|block_id: MaybeBlockId| Ok(Request { block_id }))
        .unwrap_or_parse()?
        .block_id;
    state.chain.read(|chain| {
        let reference = block_id.map_or(BlockReference::latest(), BlockReference::BlockId);
        let block = resolve(chain, &reference).map_err(|unknown| {
            let error = RpcGasPriceError::UnknownBlock {
                error_message: unknown.db_message(),
            };
            unknown.into_failure(error.into())
        })?;
        to_value(GasPriceView {
            gas_price: block.gas_price,
        })
    })
}

/// The single validator's epoch info for the epoch of `block`.
fn epoch_validator_info(chain: &Chain, block: &Block) -> EpochValidatorInfo {
    let params = chain.params();
    let blocks_in_epoch = block.height.saturating_sub(block.epoch.start_height) + 1;
    let stake = chain
        .store()
        .account(&params.validator_id, block.height)
        .map_or(params.validator_stake, |a| a.locked());
    EpochValidatorInfo {
        current_validators: vec![CurrentEpochValidatorInfo {
            account_id: params.validator_id.clone(),
            public_key: params.validator_key.clone(),
            is_slashed: false,
            stake,
            shards_produced: vec![ShardId::new(0)],
            num_produced_blocks: blocks_in_epoch,
            num_expected_blocks: blocks_in_epoch,
            num_produced_chunks: blocks_in_epoch,
            num_expected_chunks: blocks_in_epoch,
            num_produced_chunks_per_shard: vec![blocks_in_epoch],
            num_expected_chunks_per_shard: vec![blocks_in_epoch],
            num_produced_endorsements: blocks_in_epoch,
            num_expected_endorsements: blocks_in_epoch,
            num_produced_endorsements_per_shard: vec![blocks_in_epoch],
            num_expected_endorsements_per_shard: vec![blocks_in_epoch],
            shards_endorsed: vec![ShardId::new(0)],
        }],
        next_validators: vec![NextEpochValidatorInfo {
            account_id: params.validator_id.clone(),
            public_key: params.validator_key.clone(),
            stake,
            shards: vec![ShardId::new(0)],
        }],
        current_fishermen: vec![],
        next_fishermen: vec![],
        current_proposals: vec![],
        prev_epoch_kickout: vec![],
        epoch_start_height: block.epoch.start_height,
        epoch_height: block.epoch.epoch_height,
        validator_reward_paid_prev_epoch: Default::default(),
    }
}

pub fn validators(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let params = if params.is_null() {
        Value::Array(vec![Value::Null])
    } else {
        params
    };
    let reference: EpochReference = Params::new(params)
        .try_singleton(|id: MaybeBlockId| {
            Ok(id.map_or(EpochReference::Latest, EpochReference::BlockId))
        })
        .unwrap_or_parse()?;
    state.chain.read(|chain| {
        let blocks = chain.blocks();
        let block = match &reference {
            EpochReference::Latest => Some(blocks.head()),
            EpochReference::BlockId(id) => {
                resolve(chain, &BlockReference::BlockId(id.clone())).ok()
            }
            EpochReference::EpochId(epoch_id) => find_epoch(chain, epoch_id),
        };
        let block = block.ok_or_else(|| failure(RpcValidatorError::UnknownEpoch))?;
        to_value(epoch_validator_info(chain, block))
    })
}

/// `EXPERIMENTAL_validators_ordered`: the block producers of the block's epoch, in order.
pub fn validators_ordered(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    #[derive(serde::Deserialize)]
    struct Request {
        #[serde(default)]
        block_id: MaybeBlockId,
    }
    let params = if params.is_null() {
        Value::Array(vec![Value::Null])
    } else {
        params
    };
    let block_id = Params::new(params)
        .try_singleton(|block_id: MaybeBlockId| Ok(Request { block_id }))
        .unwrap_or_parse()?
        .block_id;
    state.chain.read(|chain| {
        let reference = block_id.map_or(BlockReference::latest(), BlockReference::BlockId);
        let block =
            resolve(chain, &reference).map_err(|_| failure(RpcValidatorError::UnknownEpoch))?;
        let info = epoch_validator_info(chain, block);
        let ordered: Vec<ValidatorStakeView> = info
            .current_validators
            .into_iter()
            .map(|v| {
                ValidatorStakeView::V1(ValidatorStakeViewV1 {
                    account_id: v.account_id,
                    public_key: v.public_key,
                    stake: v.stake,
                })
            })
            .collect();
        to_value(ordered)
    })
}

/// The last block of the epoch `epoch_id` (the head for the current epoch).
fn find_epoch<'a>(chain: &'a Chain, epoch_id: &EpochId) -> Option<&'a Block> {
    let blocks = chain.blocks();
    let mut found = None;
    let mut block = Some(blocks.head());
    while let Some(b) = block {
        if &b.epoch_id == epoch_id {
            found = Some(b);
            break;
        }
        block = b.prev_height.and_then(|h| blocks.by_height(h));
    }
    found
}

pub fn protocol_config(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let params = if params.is_null() {
        serde_json::json!({"finality": "final"})
    } else {
        params
    };
    let reference: BlockReference = parse(params)?;
    state.chain.read(|chain| {
        resolve(chain, &reference).map_err(|unknown| {
            let error = RpcProtocolConfigError::UnknownBlock {
                error_message: unknown.db_message(),
            };
            unknown.into_failure(error.into())
        })?;
        let view = ProtocolConfigView::from(ProtocolConfig {
            genesis_config: chain.genesis_config().clone(),
            runtime_config: (**chain.runtime().config()).clone(),
        });
        to_value(view)
    })
}

/// `network_info`: a single node has no peers.
pub fn network_info() -> Result<Value, RpcFailure> {
    to_value(
        near_jsonrpc_primitives::types::network_info::RpcNetworkInfoResponse {
            active_peers: vec![],
            num_active_peers: 0,
            peer_max_count: 0,
            sent_bytes_per_sec: 0,
            received_bytes_per_sec: 0,
            known_producers: vec![],
        },
    )
}

pub fn genesis_config(state: &RpcState) -> Result<Value, RpcFailure> {
    state.chain.read(|chain| to_value(chain.genesis_config()))
}

pub fn status(state: &RpcState) -> Result<Value, RpcFailure> {
    to_value(status_response(state))
}

pub fn status_response(state: &RpcState) -> StatusResponse {
    let node = &state.node;
    state.chain.read(|chain| {
        let blocks = chain.blocks();
        let head = blocks.head();
        let genesis = blocks.genesis();
        // `StatusSyncInfo`'s times are `near_time::Utc`; build it through its serde form (RFC 3339).
        let time = |ns: u64| {
            let ns = i64::try_from(ns).unwrap_or(i64::MAX);
            chrono::DateTime::from_timestamp_nanos(ns)
                .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
        };
        let sync_info: StatusSyncInfo = serde_json::from_value(serde_json::json!({
            "latest_block_hash": head.hash,
            "latest_block_height": head.height,
            "latest_state_root": head.state_root,
            "latest_block_time": time(head.timestamp_ns),
            "syncing": false,
            "earliest_block_hash": genesis.hash,
            "earliest_block_height": genesis.height,
            "earliest_block_time": time(genesis.timestamp_ns),
            "epoch_id": head.epoch_id,
            "epoch_start_height": head.epoch.start_height,
        }))
        .expect("a StatusSyncInfo built from its own fields deserializes");
        StatusResponse {
            version: near_primitives::version::Version {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                build: "nexus-sandbox".to_owned(),
                commit: String::new(),
                rustc_version: String::new(),
            },
            chain_id: chain.genesis_config().chain_id.clone(),
            protocol_version: chain.genesis_config().protocol_version,
            latest_protocol_version: chain.genesis_config().protocol_version,
            rpc_addr: Some(node.rpc_addr.clone()),
            validators: vec![ValidatorInfo {
                account_id: chain.params().validator_id.clone(),
            }],
            sync_info,
            validator_account_id: Some(chain.params().validator_id.clone()),
            validator_public_key: Some(chain.params().validator_key.clone()),
            node_public_key: node.node_key.clone(),
            node_key: Some(chain.params().validator_key.clone()),
            uptime_sec: i64::try_from(node.started.elapsed().as_secs()).unwrap_or(i64::MAX),
            genesis_hash: genesis.hash,
            detailed_debug_status: None,
        }
    })
}
