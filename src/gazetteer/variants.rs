//! Generated spelling variants of Cyrillic names (transliteration systems and press forms).
//! (Being written.)
