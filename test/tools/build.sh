#!/bin/sh
# build.sh: build the standalone test tools (core layer only, with ASan and
# UBSan) into build/tools/.  Run from anywhere; needs src/gen/flow.pb-c.c
# (`make src/gen/flow.pb-c.c`).  The Makefile is not used so that the tools
# build while the tree is being changed by others.
set -e
cd "$(dirname "$0")/../.."
mkdir -p build/tools
[ -f src/gen/flow.pb-c.c ] || make -s src/gen/flow.pb-c.c
CC=${CC:-cc}
$CC -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter \
	-Wdeclaration-after-statement -Werror -Isrc/core/include -Isrc/core -Isrc/gen \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -o build/tools/gf_pcap_decode \
	src/core/*.c src/gen/flow.pb-c.c test/tools/gf_pcap_decode.c -lprotobuf-c -lyaml -lmaxminddb
echo "built build/tools/gf_pcap_decode"
