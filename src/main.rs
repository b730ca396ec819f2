//! The `oscalc` command. The command line (arguments, rendering of diagnostics, atomic output) is
//! the binary's own module [`cli`]; it uses the library only through its public `oscalc::` API.
#![forbid(unsafe_code)]
// Bad input is reported as a diagnostic, never by a panic: these lints keep it so outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod cli;

fn main() -> std::process::ExitCode {
    // Here, not in `cli::run`: only the binary owns the process's signals.
    cli::interrupt::install();
    cli::run()
}
