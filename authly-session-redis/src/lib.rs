//! redis store (in progress)
