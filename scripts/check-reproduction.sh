#!/usr/bin/env bash
# Reproduction as a check: in a clean checkout, run a profile of the pipeline and fail if its lock,
# or any other tracked file, differs from what is committed, naming the stages and files.
#
#   scripts/check-reproduction.sh            # the smoke profile: pipeline.smoke.lock (what CI runs)
#   scripts/check-reproduction.sh default    # the full pipeline: pipeline.lock (hours of training)
#   scripts/check-reproduction.sh -C DIR smoke   # another project (a git work tree with pipeline.yaml)
#
# Without a committed lock for the profile there is nothing to compare against: the run still
# happens, the check says so and passes (SEQLAB_REQUIRE_LOCK=1 makes that a failure).
set -euo pipefail
seqlab="$(cd "$(dirname "$0")/.." && pwd)"
project="$seqlab"
if [ "${1:-}" = -C ]; then project="$2"; shift 2; fi
cd "$project"

profile="${1:-smoke}"
if [ "$profile" = default ]; then lock=pipeline.lock; run=(run); else lock="pipeline.$profile.lock"; run=(run --profile "$profile"); fi

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "check-reproduction: the work tree has uncommitted changes to tracked files; run it in a clean checkout:" >&2
  git status --short --untracked-files=no >&2
  exit 2
fi
committed=1
git cat-file -e "HEAD:./$lock" 2>/dev/null || committed=0

node "$seqlab/bin/pipeline.js" "${run[@]}"

if [ "$committed" = 0 ]; then
  echo "check-reproduction: $lock is not committed, so there is nothing to compare this run against." >&2
  echo "  To start checking, commit the lock this run wrote: git add $lock && git commit" >&2
  if [ "${SEQLAB_REQUIRE_LOCK:-0}" = 1 ]; then exit 1; fi
  # The rest of the tree must still be untouched (the lock itself is new, hence untracked).
fi

changed="$(git status --porcelain --untracked-files=no | sed 's/^...//')"
if [ -z "$changed" ]; then
  echo "check-reproduction: the $profile run reproduced every tracked file, $lock included." >&2
  exit 0
fi
echo "check-reproduction: the $profile run changed tracked files:" >&2
printf '  %s\n' $changed >&2
if printf '%s\n' $changed | grep -qx "$lock"; then
  echo "Stages whose record differs ($lock, committed → this run):" >&2
  "$seqlab/node_modules/.bin/tsx" "$seqlab/scripts/lock-diff.ts" "$lock" HEAD | sed 's/^/  /' >&2 || true
fi
echo "Same seed and backend must give the same outs bit for bit: an input that changed explains a" >&2
echo "stage; an out that changed with equal inputs is non-determinism (timings, dates, host names in outs)." >&2
exit 1
