//! Gas of the heaviest calls, as the mocked runtime counts it (host functions only: storage reads and
//! writes, hashing, logs — not wasm execution, which the sandbox measures). Kept as guards: the numbers are
//! printed (`cargo test -p dataset-lineage gas -- --nocapture`) and bounded well below the gas the model
//! registry attaches (30 TGas for `record_training_usage`) and the 300 TGas of a view.

use near_sdk::Gas;

use super::*;
use crate::limits::{MAX_TRAINING_DATASETS, MAX_WALK_EDGES, MAX_WALK_NODES};

#[test]
fn recording_usage_of_the_maximum_32_datasets_stays_within_the_registrys_gas() {
    // Worst case: 32 different datasets, so no terms are shared.
    let mut c = setup();
    let ids: Vec<String> = (0..MAX_TRAINING_DATASETS)
        .map(|i| {
            let dataset = format!("dataset-number-{i}");
            must_register(&mut c, ALICE, &dataset, open_terms());
            must_publish(&mut c, ALICE, &dataset, "2026.11.25", &[])
        })
        .collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    must_record_usage(
        &mut c,
        "acme/model-with-a-long-name@10.20.30-rc.1",
        &refs,
        true,
    );
    let used = env::used_gas();
    println!(
        "record_training_usage x32 host gas: {} TGas",
        used.as_tgas()
    );
    assert!(used < Gas::from_tgas(15), "{used}");
}

#[test]
fn the_worst_case_bounded_provenance_walk_stays_within_view_gas() {
    // Layers of 16 versions, each version derived from all 16 of the layer before: the densest ancestry
    // the limits allow, deeper than the walk can cover.
    let mut c = setup();
    must_register(&mut c, ALICE, "w", open_terms());
    let mut layer: Vec<String> = (0..16)
        .map(|i| must_publish(&mut c, ALICE, "w", &format!("r{i}"), &[]))
        .collect();
    let mut count = 16u32;
    let mut level = 0;
    while count <= MAX_WALK_NODES + 8 {
        let parents: Vec<&str> = layer.iter().map(String::as_str).collect();
        let next: Vec<String> = (0..16)
            .map(|i| must_publish(&mut c, ALICE, "w", &format!("l{level}n{i}"), &parents))
            .collect();
        count += 16;
        level += 1;
        layer = next;
    }
    let tip = must_publish(&mut c, ALICE, "w", "tip", &["w@r0"]);
    let parents: Vec<&str> = layer.iter().map(String::as_str).collect();
    let tip2 = must_publish(&mut c, ALICE, "w", "tip2", &parents);
    drop(tip);
    call(ALICE, 0);
    let report = c.get_provenance(tip2).unwrap();
    let used = env::used_gas();
    println!(
        "get_provenance over {} ancestors (complete: {}) host gas: {} TGas",
        report.ancestors_walked,
        report.complete,
        used.as_tgas()
    );
    // 16 parents per version: the 1024-edge budget binds before the 256-node one.
    assert!(
        report.ancestors_walked >= MAX_WALK_EDGES / 16,
        "{}",
        report.ancestors_walked
    );
    assert!(report.ancestors_walked <= MAX_WALK_NODES);
    assert!(!report.complete);
    assert!(used < Gas::from_tgas(150), "{used}");
}
