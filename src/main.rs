fn main() -> std::process::ExitCode {
    vault::cli::run()
}
