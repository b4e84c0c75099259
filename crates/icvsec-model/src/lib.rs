//! icvsec vocabulary (no I/O).
