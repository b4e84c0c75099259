//! android
