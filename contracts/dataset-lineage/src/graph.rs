//! Bounded walks over the derivation graph.
//!
//! Every walk is breadth-first from a start version, never revisits a node, stops at `max_depth`
//! (≤ `MAX_WALK_DEPTH`), after discovering `MAX_WALK_NODES` nodes, and after examining `MAX_WALK_EDGES`
//! edges (each parent or child entry read counts, seen or not). A walk reports `complete: false` when
//! it stopped early for either reason while more nodes were reachable, so a caller always knows whether
//! "no flagged ancestor found" covers the whole ancestry. Nodes come in breadth-first order: by depth, and
//! within a depth in the order parents were declared / children were published — deterministic, so pages
//! (`from_index`, `limit`) of the same walk are stable.

use std::collections::{BTreeSet, VecDeque};

use near_sdk::near;

use crate::Contract;
use crate::limits::{MAX_WALK_EDGES, MAX_WALK_NODES};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ancestors,
    Descendants,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkNode {
    pub version_id: String,
    /// Distance from the start version (parents and children are at depth 1).
    pub depth: u32,
}

/// What a walk (or several walks sharing it) may still spend.
pub struct Budget {
    pub nodes: usize,
    pub edges: usize,
}

impl Budget {
    /// The most one walk or report may spend: `MAX_WALK_NODES` nodes, `MAX_WALK_EDGES` edges.
    pub fn full() -> Self {
        Self::nodes(MAX_WALK_NODES)
    }

    /// `nodes` (capped at `MAX_WALK_NODES`) nodes and `MAX_WALK_EDGES` edges.
    pub fn nodes(nodes: u32) -> Self {
        Self {
            nodes: usize::try_from(nodes.min(MAX_WALK_NODES)).unwrap_or(usize::MAX),
            edges: usize::try_from(MAX_WALK_EDGES).unwrap_or(usize::MAX),
        }
    }
}

pub struct Walk {
    pub nodes: Vec<WalkNode>,
    pub complete: bool,
}

impl Contract {
    /// Neighbours of a node, read lazily: a popular version may have many children.
    fn neighbours(
        &self,
        version_id: &str,
        direction: Direction,
    ) -> Box<dyn Iterator<Item = String>> {
        let key = version_id.to_string();
        match direction {
            Direction::Ancestors => Box::new(
                self.versions
                    .get(&key)
                    .and_then(|v| v.derived_from)
                    .map(|d| d.parents)
                    .unwrap_or_default()
                    .into_iter(),
            ),
            Direction::Descendants => match self.children.get(&key) {
                Some(children) => {
                    Box::new((0..children.len()).filter_map(move |i| children.get(i)))
                }
                None => Box::new(std::iter::empty()),
            },
        }
    }

    /// Breadth-first walk from `start` (excluded from the result), no deeper than `max_depth`, spending at
    /// most `budget` (one node per version discovered, one edge per parent or child entry examined).
    pub(crate) fn walk(
        &self,
        start: &str,
        direction: Direction,
        max_depth: u32,
        budget: &mut Budget,
    ) -> Walk {
        let mut truncated = false;
        let mut seen: BTreeSet<String> = BTreeSet::new();
        seen.insert(start.to_string());
        let mut queue: VecDeque<(String, u32)> = VecDeque::new();
        queue.push_back((start.to_string(), 0));
        let mut nodes = Vec::new();
        'walk: while let Some((id, depth)) = queue.pop_front() {
            // Breadth-first: once a node at the depth limit is known to hide deeper nodes, the rest of
            // the queue (all at the limit) can add nothing.
            if depth >= max_depth && truncated {
                break;
            }
            for next in self.neighbours(&id, direction) {
                if budget.edges == 0 {
                    truncated = true;
                    break 'walk;
                }
                budget.edges = budget.edges.saturating_sub(1);
                if seen.contains(&next) {
                    continue;
                }
                if depth >= max_depth {
                    truncated = true;
                    break;
                }
                if budget.nodes == 0 {
                    truncated = true;
                    break 'walk;
                }
                budget.nodes = budget.nodes.saturating_sub(1);
                seen.insert(next.clone());
                let next_depth = depth.saturating_add(1);
                nodes.push(WalkNode {
                    version_id: next.clone(),
                    depth: next_depth,
                });
                queue.push_back((next, next_depth));
            }
        }
        Walk {
            nodes,
            complete: !truncated,
        }
    }
}
