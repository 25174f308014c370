#!/usr/bin/env bash
# Build hsload and pingfloor into bench/hsload/target/ (C11, libc only).
#   bench/hsload/build.sh            CC and CFLAGS pass through
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/target"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -pthread ${CFLAGS:-} -o "$here/target/hsload" "$here/hsload.c"
echo "$here/target/hsload"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra ${CFLAGS:-} -o "$here/target/pingfloor" "$here/pingfloor.c"
echo "$here/target/pingfloor"
