//! Tagger. (Being written.)
