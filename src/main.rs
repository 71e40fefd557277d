// mimalloc instead of glibc's allocator: a large write allocates and frees millions of
// small strings, and glibc spent a third of a load's time consolidating and splitting its
// chunks, and kept the freed memory fragmented afterwards.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    katalog::cli::run()
}
