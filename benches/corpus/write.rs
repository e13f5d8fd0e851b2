//! Writes the benchmarks' deterministic corpus as JSON Lines to stdout, for timing the CLI:
//! `cargo run --release --example corpus -- --mb 100 > /tmp/corpus100.jsonl`
//! (`--mb N`: about N MB of article text; default 50).

#[path = "mod.rs"]
mod corpus;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mb = match args.as_slice() {
        [] => 50,
        [flag, n] if flag == "--mb" => match n.parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                eprintln!("corpus: --mb wants a whole number of MB, not '{n}'");
                return std::process::ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: corpus [--mb N] > corpus.jsonl");
            return std::process::ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match corpus::write_jsonl(mb * 1_000_000, &mut out) {
        Ok(bytes) => {
            eprintln!("corpus: {:.1} MB of JSON Lines", bytes as f64 / 1e6);
            std::process::ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("corpus: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
