//! One allocator setting for large scans (glibc only).
//!
//! glibc serves a freed block of more than 128 KiB back to the system, then raises that
//! threshold to the block's size (up to 32 MiB) so that later blocks of that size come
//! from the heap and stay resident after they are freed. A scan allocates many blocks of
//! a few MiB that live for one phase (a rule's outcomes before they are joined, a wave of
//! rendered JSON), so with the moving threshold their memory was never given back: the
//! resident peak of a 20,000-certificate scan was 397 MiB, and 297 MiB with the threshold
//! fixed at 1 MiB (same wall time; see docs/benchmarks.md). Fixing the threshold is what
//! `MALLOC_MMAP_THRESHOLD_` does from the environment; an explicit environment setting
//! wins.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn fix_mmap_threshold() {
    /// `M_MMAP_THRESHOLD` in glibc's malloc.h.
    const M_MMAP_THRESHOLD: i32 = -3;
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_some() {
        return;
    }
    // SAFETY: mallopt only changes a malloc tunable; it is called once, at the start of
    // main, before any other thread exists. Its result (1 on success) needs no handling:
    // on failure the default behaviour simply stays.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn fix_mmap_threshold() {}

/// Give the system back the free pages inside the heaps (all arenas) between phases.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn release_free_memory() {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim only returns free memory to the system; it takes the arena
    // locks itself and is safe to call from any thread at any time.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() {}
