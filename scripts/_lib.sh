# Shared by the scripts: repository root, poetry location, messages. Source it, don't run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
POETRY_HOME_DIR="${FLOWTASKS_TOOLS_DIR:-$HOME/.local/share/flowtasks}"
export PATH="$HOME/.local/bin:$POETRY_HOME_DIR/poetry-venv/bin:$ROOT/node_modules/.bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
