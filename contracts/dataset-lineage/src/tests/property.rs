//! Property test: random derivation sequences, including attempts to create cycles.
//!
//! For every generated graph: no cycle exists (generation strictly increases along every edge and a
//! depth-first search over the stored parents finds no back edge); every attempt that could close a cycle
//! (a parent that does not exist yet, the version itself, new parents for an existing version) fails; the
//! ancestors of every node are exactly its transitive parents at their shortest distance, its descendants
//! exactly its transitive children; and a flag on any node shows up in the provenance of every
//! descendant (taint propagation).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use proptest::prelude::*;

use super::*;
use crate::errors::Error;
use crate::flags::FlagKind;

const DATASETS: [(&str, &str); 3] = [("d0", ALICE), ("d1", BOB), ("d2", CAROL)];

fn id(i: usize) -> String {
    format!("{}@v{i}", DATASETS[i % DATASETS.len()].0)
}

fn owner(i: usize) -> &'static str {
    DATASETS[i % DATASETS.len()].1
}

fn publish(c: &mut Contract, i: usize, parents: &[String]) -> crate::errors::Result<String> {
    call(owner(i), DEPOSIT);
    let derived = (!parents.is_empty()).then(|| {
        let refs: Vec<&str> = parents.iter().map(String::as_str).collect();
        derivation(&refs)
    });
    c.publish_version(
        DATASETS[i % DATASETS.len()].0.to_string(),
        format!("v{i}"),
        manifest(u32::try_from(i).unwrap()),
        derived,
    )
}

/// Shortest distance from `start` to every node reachable through `edges`.
fn closure(start: usize, edges: &BTreeMap<usize, Vec<usize>>) -> BTreeMap<usize, u32> {
    let mut dist = BTreeMap::new();
    let mut queue = VecDeque::from([(start, 0u32)]);
    let mut seen = BTreeSet::from([start]);
    while let Some((n, d)) = queue.pop_front() {
        for &m in edges.get(&n).into_iter().flatten() {
            if seen.insert(m) {
                dist.insert(m, d + 1);
                queue.push_back((m, d + 1));
            }
        }
    }
    dist
}

fn walk_all(page: crate::views::WalkPage) -> BTreeMap<String, u32> {
    assert!(page.complete, "small graphs are walked completely");
    page.nodes
        .into_iter()
        .map(|n| (n.version_id, n.depth))
        .collect()
}

fn no_cycle(c: &Contract, n: usize) -> bool {
    // Iterative three-colour DFS over the stored parent lists.
    let index: BTreeMap<String, usize> = (0..n).map(|i| (id(i), i)).collect();
    let mut colour = vec![0u8; n];
    for root in 0..n {
        if colour[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        colour[root] = 1;
        while let Some((node, next)) = stack.pop() {
            let parents = c.get_parents(id(node)).unwrap();
            if next < parents.len() {
                stack.push((node, next + 1));
                let p = index[&parents[next]];
                match colour[p] {
                    1 => return false,
                    0 => {
                        colour[p] = 1;
                        stack.push((p, 0));
                    }
                    _ => {}
                }
            } else {
                colour[node] = 2;
            }
        }
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_derivation_sequences_stay_acyclic_with_exact_ancestry_and_taint(
        raw_parents in prop::collection::vec(prop::collection::vec(any::<u16>(), 0..5), 1..24),
        flagged in prop::collection::vec(any::<bool>(), 24),
        cycle_attempts in prop::collection::vec((any::<u16>(), any::<u16>()), 0..4),
    ) {
        let mut c = setup();
        for (dataset, who) in DATASETS {
            must_register(&mut c, who, dataset, open_terms());
        }
        let n = raw_parents.len();
        let mut parents: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, raw) in raw_parents.iter().enumerate() {
            let mut ps: Vec<usize> = Vec::new();
            if i > 0 {
                for r in raw {
                    let p = usize::from(*r) % i;
                    if !ps.contains(&p) {
                        ps.push(p);
                    }
                }
            }
            let ids: Vec<String> = ps.iter().map(|&p| id(p)).collect();
            prop_assert_eq!(publish(&mut c, i, &ids).unwrap(), id(i));
            for &p in &ps {
                children.entry(p).or_default().push(i);
            }
            parents.insert(i, ps);

            // Attempts that would close a cycle all fail.
            for &(a, b) in &cycle_attempts {
                let existing = usize::from(a) % (i + 1);
                let later = i + 1 + usize::from(b) % 4;
                // A parent that does not exist yet (it could later descend from this version).
                prop_assert_eq!(
                    publish(&mut c, later, &[id(later + 3)]).unwrap_err(),
                    Error::ParentNotFound(id(later + 3))
                );
                // The version itself.
                prop_assert_eq!(
                    publish(&mut c, later, &[id(later)]).unwrap_err(),
                    Error::SelfParent(id(later))
                );
                // New parents for an existing version, e.g. one of its descendants.
                prop_assert_eq!(
                    publish(&mut c, existing, &[id(i)]).unwrap_err(),
                    Error::VersionExists(id(existing))
                );
            }
        }

        // No cycles: generation strictly increases along every edge, and a DFS finds no back edge.
        for (&i, ps) in &parents {
            let g = c.get_version(id(i)).unwrap().generation;
            for &p in ps {
                prop_assert!(c.get_version(id(p)).unwrap().generation < g);
            }
        }
        prop_assert!(no_cycle(&c, n));

        // Ancestry is exactly the transitive parents (at shortest distance); descendants likewise.
        for i in 0..n {
            let expected: BTreeMap<String, u32> =
                closure(i, &parents).into_iter().map(|(k, d)| (id(k), d)).collect();
            let got = walk_all(c.get_ancestors(id(i), None, None, Some(100)).unwrap());
            prop_assert_eq!(got, expected);
            let expected: BTreeMap<String, u32> =
                closure(i, &children).into_iter().map(|(k, d)| (id(k), d)).collect();
            let got = walk_all(c.get_descendants(id(i), None, None, Some(100)).unwrap());
            prop_assert_eq!(got, expected);
        }

        // Taint: flag some nodes; every node's report lists exactly its flagged ancestors, so a flag
        // reaches every descendant.
        let flagged: BTreeSet<usize> = (0..n).filter(|&i| flagged[i]).collect();
        for &f in &flagged {
            call(owner(f), DEPOSIT);
            c.flag_version(id(f), FlagKind::Poisoned, "poisoned source".into()).unwrap();
        }
        for i in 0..n {
            let report = c.get_provenance(id(i)).unwrap();
            prop_assert!(report.complete);
            let got: BTreeSet<String> =
                report.flagged_ancestors.iter().map(|a| a.version_id.clone()).collect();
            let expected: BTreeSet<String> = closure(i, &parents)
                .into_keys()
                .filter(|a| flagged.contains(a))
                .map(id)
                .collect();
            prop_assert_eq!(report.tainted, !expected.is_empty() || flagged.contains(&i));
            prop_assert_eq!(got, expected);
        }
        for &f in &flagged {
            for d in closure(f, &children).into_keys() {
                let report = c.get_provenance(id(d)).unwrap();
                prop_assert!(report.flagged_ancestors.iter().any(|a| a.version_id == id(f)));
            }
        }
    }
}
