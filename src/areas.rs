//! Areas: which front-line areas each article covers. (Being written.)
