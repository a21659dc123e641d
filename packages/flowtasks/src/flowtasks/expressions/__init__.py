"""Expressions inside ASL fields, compiled once into closures ``evaluate(data, context)``.

- `jsonpath`: JSONPath as Step Functions supports it (compile and read; `PathNotFound`), over
  `jsonpath_parser` (text -> segments) and `jsonpath_filter` (``[?(...)]`` comparisons);
- `result_path`: ResultPath, placing a result into (a copy of) the state's input;
- `intrinsic_parser`: ``States.Format(...)`` and friends, parsed and compiled; the functions
  themselves are evaluated by `intrinsic_eval`;
- `payload`: payload templates (Parameters, ResultSelector, ItemSelector: ``.$`` keys) and the
  InputPath / OutputPath filters;
- `jsonata`: JSONata expressions (``{% ... %}``) as Step Functions evaluates them.

Used by the validator (`flowtasks.asl`, to check syntax) and the engine (`flowtasks.local`).
"""
