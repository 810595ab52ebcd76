//! The harness of the topology tests (semantic 29): the cluster and the operator's moves, the
//! load on one store, and the figures and checks of one run.

pub mod cluster;
pub mod load;
pub mod report;
