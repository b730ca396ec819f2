//! The `oscalc` command: a thin shell over the library's `cli::run`.

fn main() -> std::process::ExitCode {
    oscalc::cli::run()
}
