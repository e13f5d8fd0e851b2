#!/usr/bin/env bash
# Builds a profile-guided release binary, target/pgo/frontmap: the compiler lays out branches
# and inlines by how a real run goes (about 7 % faster tag + resolve here; see
# docs/performance.md). Opt-in: the default build needs no LLVM tools, and a profile kept in the
# repository would go stale with every change to the code.
#
#   scripts/pgo-build.sh                   # target/pgo/frontmap
#   scripts/pgo-build.sh --example stages  # also the stage timer, built with the same profile
#
# Extra targets go to both builds: an example pulls in dev-dependencies, whose features can
# change how the library's crates are built and so the names the profile knows them by.
#
# Needs `llvm-profdata` of the LLVM that rustc is built on (`rustc -vV` says which): `rustup
# component add llvm-tools`, or Debian's `llvm-N` package; or name it in LLVM_PROFDATA.
# The profile is of `frontmap map` over 20 MB of the benchmarks' deterministic corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

llvm=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
host=$(rustc -vV | sed -n 's/^host: //p')
profdata=${LLVM_PROFDATA:-}
if [ -z "$profdata" ]; then
  for candidate in \
    "$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata" \
    "/usr/lib/llvm-$llvm/bin/llvm-profdata" \
    "$(command -v "llvm-profdata-$llvm" || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      profdata=$candidate
      break
    fi
  done
fi
if [ -z "$profdata" ]; then
  echo "pgo-build: no llvm-profdata for LLVM $llvm (rustc's): run \`rustup component add llvm-tools\`, install llvm-$llvm, or set LLVM_PROFDATA" >&2
  exit 2
fi

work=$PWD/target/pgo
rm -rf "$work/profiles" "$work/train"
mkdir -p "$work/profiles" "$work/train"

# No --target, as in the build this was measured with (so build scripts are profiled too;
# their few functions are merged in and do no harm). A first version passed --target and
# built an example into the second build only: its profile matched no function.
echo "pgo-build: instrumented build" >&2
RUSTFLAGS="-Cprofile-generate=$work/profiles" \
  cargo build --release --locked --target-dir "$work/generate" --bin frontmap "$@"
cargo run --release --locked --example corpus -- --mb 20 >"$work/train/corpus.jsonl"

echo "pgo-build: training run" >&2
"$work/generate/release/frontmap" map "$work/train/corpus.jsonl" \
  --out "$work/train/out" -q
"$profdata" merge -o "$work/frontmap.profdata" "$work/profiles"

echo "pgo-build: optimised build" >&2
RUSTFLAGS="-Cprofile-use=$work/frontmap.profdata" \
  cargo build --release --locked --target-dir "$work/use" --bin frontmap "$@"
cp "$work/use/release/frontmap" "$work/frontmap"
rm -rf "$work/train"
echo "pgo-build: $work/frontmap" >&2
