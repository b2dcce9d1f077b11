//! The node over JSON-RPC, started from the built binary as near-sandbox starts it. One test
//! binary with a module per subject (each binary would link the whole client stack again).

mod common;

mod chain;
mod errors;
mod transactions;
