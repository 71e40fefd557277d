// mimalloc instead of glibc's allocator: a large write allocates and frees millions of
// small strings, and glibc spent a third of a load's time consolidating and splitting its
// chunks, and kept the freed memory fragmented afterwards.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options, set before its first allocation (the Rust runtime allocates before
/// `main`, and mimalloc reads how to commit its arenas when it reserves the first one). By
/// default it commits an arena whole and gives freed pages back 10 ms (arenas: 100 ms)
/// later, so a large write's peak was what its threads had freed as much as what they
/// held: committing as used and giving back after 1 ms cut the resident peak of a 7 MB
/// catalogue's write by about a third (`benches/memory.py`), for about 5 % of the time of
/// a harvest.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static ALLOCATOR_OPTIONS: extern "C" fn() = allocator_options;

#[cfg(target_os = "linux")]
extern "C" fn allocator_options() {
    // Numbers of `mi_option_t` in the mimalloc 3 header libmimalloc-sys builds.
    const ARENA_EAGER_COMMIT: i32 = 4;
    const PURGE_DELAY: i32 = 15;
    unsafe extern "C" {
        fn mi_option_set(option: i32, value: std::ffi::c_long);
    }
    // SAFETY: plain setters of mimalloc's option table, called once before any thread.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, 1);
    }
}

fn main() -> std::process::ExitCode {
    katalog::cli::run()
}
