//! The transaction pool: validated transactions waiting for the next chunk, in arrival order,
//! without duplicates.

use std::collections::HashSet;

use near_primitives::hash::CryptoHash;
use near_primitives::transaction::SignedTransaction;

#[derive(Debug, Default)]
pub struct Mempool {
    transactions: Vec<SignedTransaction>,
    hashes: HashSet<CryptoHash>,
}

impl Mempool {
    /// Adds a transaction; returns false if it is already pooled.
    pub fn insert(&mut self, tx: SignedTransaction) -> bool {
        if !self.hashes.insert(tx.get_hash()) {
            return false;
        }
        self.transactions.push(tx);
        true
    }

    pub fn contains(&self, hash: &CryptoHash) -> bool {
        self.hashes.contains(hash)
    }

    /// Takes every pooled transaction for the next chunk.
    pub fn drain(&mut self) -> Vec<SignedTransaction> {
        self.hashes.clear();
        std::mem::take(&mut self.transactions)
    }

    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty()
    }

    pub fn len(&self) -> usize {
        self.transactions.len()
    }
}
