#!/bin/bash -eu
# ClusterFuzzLite: the same build as OSS-Fuzz's (ci/oss-fuzz/build.sh).
exec "$SRC/xidfuzz/ci/oss-fuzz/build.sh"
