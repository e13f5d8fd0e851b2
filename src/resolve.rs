//! Resolve. (Being written.)
