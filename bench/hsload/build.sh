#!/usr/bin/env bash
# Build hsload into bench/hsload/target/hsload (C11, libc only).
#   bench/hsload/build.sh            CC and CFLAGS pass through
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/target"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -pthread ${CFLAGS:-} -o "$here/target/hsload" "$here/hsload.c"
echo "$here/target/hsload"
