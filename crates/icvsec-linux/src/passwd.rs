//! passwd
