#!/usr/bin/env bash
# Build llama.cpp's own server (parallel slots, continuous batching, shared prompts for n > 1)
# from the llama.cpp source inside the pinned llama-cpp-python source package on PyPI, and
# install the binary as DEST. Used by `make demo`; about 6 minutes on two cores.
#   scripts/build-llama-server.sh PYTHON DEST
set -euo pipefail
python=$1
dest=$2
version=0.3.36   # llama-cpp-python, whose vendor/llama.cpp is built
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m pip download --quiet --no-deps --no-binary :all: \
    "llama-cpp-python==$version" -d "$work"
tar -xzf "$work/llama_cpp_python-$version.tar.gz" -C "$work"
src="$work/llama_cpp_python-$version/vendor/llama.cpp"
if ! command -v cmake >/dev/null; then   # CMake from PyPI when the system has none
    "$python" -m pip install --quiet "cmake>=3.18"
    PATH="$(dirname "$python"):$PATH"
fi
# Built for this CPU, but without AMX matrix kernels: on CPUs that have AMX, the ones in this
# llama.cpp crash while the model loads (seen on Xeon Sapphire Rapids under a sandboxed kernel).
flags=""
if [ "$(uname -m)" = x86_64 ]; then flags="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"; fi
# No network at build or run time: no web UI download, no curl, no OpenSSL.
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF >"$work/cmake.log" 2>&1 \
    || { tail -n 30 "$work/cmake.log"; exit 1; }
cmake --build "$work/build" --target llama-server -j "$(nproc)" >"$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log"; exit 1; }
install -m 755 "$work/build/bin/llama-server" "$dest"
echo "built $dest"
