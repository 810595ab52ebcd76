//! mysql store (in progress)
