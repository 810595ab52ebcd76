//! postgres store (in progress)
