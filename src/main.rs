fn main() -> std::process::ExitCode {
    katalog::cli::run()
}
