fn main() -> std::process::ExitCode {
    // Die quietly on a closed pipe (`vault ls … | head`), as other command-line tools do,
    // instead of panicking on the next write to standard output.
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    vault::gate::pixels::quiet_decoder_panics();
    vault::cli::run()
}
