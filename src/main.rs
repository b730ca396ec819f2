//! The `oscalc` command: a thin shell over the library's `cli::run`.

fn main() -> std::process::ExitCode {
    // Here, not in `cli::run`: only the binary owns the process's signals.
    oscalc::cli::interrupt::install();
    oscalc::cli::run()
}
