//! Graph queries: parents, children, ancestors, descendants — paginated and bounded.

use super::*;
use crate::graph::WalkNode;
use crate::limits::{MAX_WALK_DEPTH, MAX_WALK_NODES};

fn node(id: &str, depth: u32) -> WalkNode {
    WalkNode {
        version_id: id.into(),
        depth,
    }
}

/// a@1 and b@1 are roots; c@1 <- {a@1, b@1}; d@1 <- {c@1}; e@1 <- {c@1, a@1}.
fn diamond() -> Contract {
    let mut c = setup();
    for d in ["a", "b", "c", "d", "e"] {
        must_register(&mut c, ALICE, d, open_terms());
    }
    must_publish(&mut c, ALICE, "a", "1", &[]);
    must_publish(&mut c, ALICE, "b", "1", &[]);
    must_publish(&mut c, ALICE, "c", "1", &["a@1", "b@1"]);
    must_publish(&mut c, ALICE, "d", "1", &["c@1"]);
    must_publish(&mut c, ALICE, "e", "1", &["c@1", "a@1"]);
    c
}

#[test]
fn ancestors_come_breadth_first_with_their_depth_each_once() {
    let c = diamond();
    let page = c.get_ancestors("e@1".into(), None, None, None).unwrap();
    assert_eq!(
        page.nodes,
        vec![node("c@1", 1), node("a@1", 1), node("b@1", 2)]
    );
    assert!(page.complete);
    let shallow = c.get_ancestors("d@1".into(), Some(1), None, None).unwrap();
    assert_eq!(shallow.nodes, vec![node("c@1", 1)]);
    assert!(!shallow.complete, "c@1 has parents below the depth limit");
}

#[test]
fn descendants_come_breadth_first_and_pages_are_stable() {
    let c = diamond();
    let all = c.get_descendants("a@1".into(), None, None, None).unwrap();
    assert_eq!(
        all.nodes,
        vec![node("c@1", 1), node("e@1", 1), node("d@1", 2)]
    );
    assert!(all.complete);
    let first = c
        .get_descendants("a@1".into(), None, Some(0), Some(2))
        .unwrap();
    assert_eq!(first.nodes, all.nodes[..2].to_vec());
    assert!(!first.complete);
    let second = c
        .get_descendants("a@1".into(), None, Some(2), Some(2))
        .unwrap();
    assert_eq!(second.nodes, all.nodes[2..].to_vec());
    assert!(second.complete);
    assert_eq!(
        c.get_children("c@1".into(), Some(1), Some(1)).unwrap(),
        strings(&["e@1"])
    );
}

#[test]
fn queries_past_the_limits_are_rejected() {
    let c = diamond();
    assert_eq!(
        c.get_ancestors("e@1".into(), Some(MAX_WALK_DEPTH + 1), None, None)
            .unwrap_err()
            .to_string(),
        "max_depth 33 exceeds the maximum 32"
    );
    assert_eq!(
        c.get_descendants("a@1".into(), Some(0), None, None)
            .unwrap_err()
            .to_string(),
        "invalid max_depth '0': must be at least 1"
    );
    assert_eq!(
        c.get_descendants("a@1".into(), None, None, Some(101))
            .unwrap_err()
            .to_string(),
        "limit 101 exceeds the maximum 100"
    );
    assert_eq!(
        c.get_ancestors("e@1".into(), None, Some(MAX_WALK_NODES - 99), Some(100))
            .unwrap_err()
            .to_string(),
        "from_index + limit (257) exceeds the walk maximum 256"
    );
    assert_eq!(
        c.get_children("a@1".into(), None, Some(1000))
            .unwrap_err()
            .to_string(),
        "limit 1000 exceeds the maximum 100"
    );
    assert_eq!(
        c.get_versions("a".into(), None, Some(101))
            .unwrap_err()
            .to_string(),
        "limit 101 exceeds the maximum 100"
    );
    assert_eq!(
        c.get_models_trained_on("a@1".into(), None, Some(101))
            .unwrap_err()
            .to_string(),
        "limit 101 exceeds the maximum 100"
    );
    assert_eq!(
        c.get_ancestors("zz@1".into(), None, None, None)
            .unwrap_err()
            .to_string(),
        "dataset version 'zz@1' not found"
    );
}

#[test]
fn a_chain_longer_than_the_depth_limit_is_reported_incomplete() {
    let mut c = setup();
    must_register(&mut c, ALICE, "chain", open_terms());
    must_publish(&mut c, ALICE, "chain", "0", &[]);
    for i in 1..=40u32 {
        let parent = format!("chain@{}", i - 1);
        must_publish(&mut c, ALICE, "chain", &i.to_string(), &[&parent]);
    }
    call(ALICE, DEPOSIT);
    c.flag_version(
        "chain@0".into(),
        crate::flags::FlagKind::Poisoned,
        "bad".into(),
    )
    .unwrap();
    let report = c.get_provenance("chain@40".into()).unwrap();
    assert_eq!(report.ancestors_walked, MAX_WALK_DEPTH);
    assert!(
        !report.complete,
        "the walk stopped at depth 32 with more below"
    );
    assert!(!report.tainted, "the flag is beyond the bounded walk");
    let near = c.get_provenance("chain@20".into()).unwrap();
    assert!(near.complete);
    assert!(near.tainted);
    assert_eq!(near.flagged_ancestors[0].depth, 20);
}

#[test]
fn a_walk_wider_than_the_node_limit_stops_at_the_limit() {
    let mut c = setup();
    must_register(&mut c, ALICE, "wide", open_terms());
    must_publish(&mut c, ALICE, "wide", "root", &[]);
    for i in 0..(MAX_WALK_NODES + 4) {
        must_publish(&mut c, ALICE, "wide", &format!("c{i}"), &["wide@root"]);
    }
    let last = c
        .get_descendants(
            "wide@root".into(),
            Some(1),
            Some(MAX_WALK_NODES - 100),
            Some(100),
        )
        .unwrap();
    assert_eq!(last.nodes.len(), 100);
    assert_eq!(
        last.nodes[99],
        node(&format!("wide@c{}", MAX_WALK_NODES - 1), 1)
    );
    assert!(!last.complete);
    assert_eq!(
        c.get_children("wide@root".into(), Some(MAX_WALK_NODES), Some(100))
            .unwrap()
            .len(),
        4,
        "direct children stay reachable by plain pagination"
    );
}

#[test]
fn models_behind_datasets_and_datasets_behind_models() {
    let mut c = diamond();
    must_record_usage(&mut c, "acme/m@1.0.0", &["d@1", "e@1"], false);
    must_record_usage(&mut c, "acme/m@2.0.0", &["d@1"], true);
    assert_eq!(
        c.get_models_trained_on("d@1".into(), None, None).unwrap(),
        strings(&["acme/m@1.0.0", "acme/m@2.0.0"])
    );
    assert_eq!(
        c.get_models_trained_on("d@1".into(), Some(1), Some(5))
            .unwrap(),
        strings(&["acme/m@2.0.0"])
    );
    let behind: Vec<String> = c
        .get_training_datasets("acme/m@1.0.0".into())
        .unwrap()
        .datasets
        .into_iter()
        .map(|d| d.version_id)
        .collect();
    assert_eq!(behind, strings(&["d@1", "e@1"]));
    let report = c.get_model_provenance("acme/m@1.0.0".into()).unwrap();
    assert!(!report.tainted);
    assert!(report.complete);
    assert_eq!(report.datasets[0].report.ancestors_walked, 3);
    assert_eq!(c.get_model_provenance("acme/none@1.0.0".into()), None);
}
