//! Nexus model registry.
