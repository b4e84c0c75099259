#!/bin/sh
# Run every fuzz target for a bounded time: fuzz/run-all.sh SECONDS [TARGET...]
# Installs cargo-fuzz from crates.io when it is missing (a few minutes). On a stable toolchain the
# nightly-only sanitizer flags are allowed through RUSTC_BOOTSTRAP=1. The committed seed
# corpus (fuzz/corpus/<target>/) is copied to a scratch directory so runs never modify
# it; crashes are kept in fuzz/artifacts/<target>/ and make the script fail.
set -eu
secs="${1:-10}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz (crates.io)"
    cargo install cargo-fuzz --locked --quiet
fi
: "${CARGO_TARGET_DIR:=$here/target}"
export CARGO_TARGET_DIR
if [ "$#" -gt 0 ]; then targets="$*"; else targets="$(cargo fuzz list)"; fi
cargo fuzz build -O
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=""
for t in $targets; do
    mkdir -p "$scratch/$t"
    if [ -d "corpus/$t" ]; then cp -r "corpus/$t/." "$scratch/$t/"; fi
    start=$(date +%s)
    if cargo fuzz run -O "$t" "$scratch/$t" -- \
        -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"$scratch/$t.log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed="$failed $t"
        tail -40 "$scratch/$t.log"
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$t.log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz $t: $status, $(( $(date +%s) - start ))s, ${runs} executions"
done
if [ -n "$failed" ]; then
    echo "fuzz: crashes in:$failed (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
