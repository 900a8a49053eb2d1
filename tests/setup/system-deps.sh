#!/usr/bin/env bash
# Installs what the tests need beyond npm packages, from Debian's packages: chromium for the browser tests,
# LibreOffice Calc (no GUI) to recompute exported workbooks, PyTorch and nbformat for Debian's python3 to run and
# validate exported notebooks (the tests use /usr/bin/python3: the python3 first on PATH may be another one).
# npm test and .ci/run call it; it does nothing when everything is already there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
/usr/bin/python3 -c 'import nbformat' >/dev/null 2>&1 || need+=(python3-nbformat)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing ${need[*]} (Debian packages) for the tests" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "need root or sudo to install ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
