#!/usr/bin/env bash
# Stand-in for a batch scheduler's submit command (sbatch, qsub): runs the
# jobscript Snakemake hands over in a separate process, in the background, and
# prints a job id. Used by tests/test_cluster.py with the cluster-generic executor.
set -euo pipefail
jobscript="${@: -1}"
log="$(dirname "$jobscript")/$(basename "$jobscript").out"
nohup bash "$jobscript" >"$log" 2>&1 &
echo "$!"
