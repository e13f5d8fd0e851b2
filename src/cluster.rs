//! Cluster: groups nearby events with an R-tree. (Being written.)
