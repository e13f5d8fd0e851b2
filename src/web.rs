//! Web: the offline map page. (Being written.)
