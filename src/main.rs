//! The frontmap binary: parse arguments, run, print errors once, exit with a documented code
//! (0 all fine, 1 some inputs failed, 2 could not run; see `cli::EXIT_STATUS`).

mod cli;

/// mimalloc: the pipeline makes a few small allocations per mention (names, snippets,
/// candidate lists), where glibc's malloc took about 12% of `map`'s time; 15% faster
/// tag + resolve on one thread. Asked the fastest way: see `frontmap::allocator`.
#[global_allocator]
static ALLOCATOR: frontmap::allocator::Allocator = frontmap::allocator::Allocator;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (frontmap … | head) is not an error.
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("frontmap: {}", render(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes joined with `: `, each said once: the library's messages already
/// include their source's text (`path: No such file…`), which `{:#}` would repeat.
fn render(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}
