//! The chain: block loop, mempool, finality, outcomes and the tx-status index. OWNED BY THE NODE HELPER.
