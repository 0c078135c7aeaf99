#!/bin/sh
# bench/scheduler.sh - builds bench/scheduler.c against sched/ and base/
# into build/bench/ with cc -O2 and runs it: placements per second on
# 1,000 simulated nodes, as a ratio against the 100,000/s target.
#
#   bench/scheduler.sh [rounds]     (default 5; the median is reported)
set -eu
cd "$(dirname "$0")/.."
mkdir -p build/bench
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Isrc \
	-Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-missing-field-initializers \
	bench/scheduler.c src/sched/*.c src/base/err.c src/base/buf.c src/base/xalloc.c \
	-o build/bench/scheduler
exec build/bench/scheduler "$@"
