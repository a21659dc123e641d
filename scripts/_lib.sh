# Shared by the scripts: repository root, poetry location, messages. Source it, don't run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
POETRY_HOME_DIR="${FLOWTASKS_TOOLS_DIR:-$HOME/.local/share/flowtasks}"
export PATH="$HOME/.local/bin:$POETRY_HOME_DIR/poetry-venv/bin:$ROOT/node_modules/.bin:$PATH"
INCOMPLETE="$ROOT/.venv/.bootstrap-incomplete"  # written by scripts/bootstrap until it finishes
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Refuse to run without a finished scripts/bootstrap, saying what to do.
require_env() {
  [[ -x .venv/bin/python ]] || die "no environment yet: run scripts/bootstrap first"
  [[ ! -e "$INCOMPLETE" ]] || die "the environment is half-installed: the last scripts/bootstrap \
stopped while $(head -n 1 "$INCOMPLETE"). Run scripts/bootstrap again (it resumes), or start \
over with: rm -rf .venv node_modules && scripts/bootstrap"
}

# When poetry is not on the PATH `$1` (the caller's own), say exactly what to type.
path_hint() {
  PATH="$1" command -v poetry >/dev/null 2>&1 && return
  local dir; dir="$(dirname "$(command -v poetry)")"
  [[ "$dir" == "$HOME"/* ]] && dir="\$HOME${dir#"$HOME"}"
  say "poetry is not on your PATH yet. Type this in each new shell (or add it to ~/.bashrc):"
  printf '    export PATH="%s:$PATH"\n' "$dir" >&2
}
