"""Map states: `Map` (inline, one execution) and `DistributedMap` (child executions).

Shapes follow "Map state" and "Using Map state in Distributed mode" in the AWS Step Functions
developer guide (ItemReader, ItemBatcher, ResultWriter, ProcessorConfig).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from flowtasks.dsl._unset import UNSET, Unset
from flowtasks.dsl.chain import Chain, Chainable, State, as_chain, catches, retries
from flowtasks.dsl.retry import Catch, Retry
from flowtasks.dsl.states import dataflow_fields


def _s3_location(bucket: str, key_field: str, key: str | None) -> dict[str, Any]:
    """``Bucket``/``Key`` parameters; a value starting with ``$`` is read from the input."""
    params: dict[str, Any] = {}
    for name, value in (("Bucket", bucket), (key_field, key)):
        if value is None:
            continue
        if value.startswith("$"):
            params[name + ".$"] = value
        else:
            params[name] = value
    return params


@dataclass(frozen=True, kw_only=True)
class S3Items:
    """ItemReader: read the items from S3 objects.

    - ``kind="json"``: one object holding a JSON array; ``"jsonl"``: JSON Lines; ``"csv"``: rows as
      objects keyed by the header (``csv_headers`` given, else the first row);
      ``"manifest"``: an S3 Inventory manifest.json; ``"prefix"``: the objects under ``prefix``
      (each item is one ``ListObjectsV2`` entry).
    - ``bucket``, ``key`` / ``prefix``: constants, or JSONPaths (starting with ``$``) into the
      input.
    - ``max_items``: read at most this many items.
    """

    bucket: str
    kind: Literal["json", "jsonl", "csv", "manifest", "prefix"] = "json"
    key: str | None = None
    prefix: str | None = None
    csv_headers: Sequence[str] | None = None
    csv_delimiter: Literal["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"] | None = None
    max_items: int | None = None

    def to_asl(self) -> dict[str, Any]:
        """The ``ItemReader`` object."""
        config: dict[str, Any] = {}
        if self.kind == "prefix":
            reader: dict[str, Any] = {
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": _s3_location(self.bucket, "Prefix", self.prefix),
            }
        else:
            reader = {
                "Resource": "arn:aws:states:::s3:getObject",
                "Parameters": _s3_location(self.bucket, "Key", self.key),
            }
            config["InputType"] = self.kind.upper()
            if self.kind == "csv":
                if self.csv_headers is None:
                    config["CSVHeaderLocation"] = "FIRST_ROW"
                else:
                    config["CSVHeaderLocation"] = "GIVEN"
                    config["CSVHeaders"] = list(self.csv_headers)
                if self.csv_delimiter is not None:
                    config["CSVDelimiter"] = self.csv_delimiter
        if self.max_items is not None:
            config["MaxItems"] = self.max_items
        if config:
            reader["ReaderConfig"] = config
        return reader


@dataclass(frozen=True, kw_only=True)
class ItemBatcher:
    """Groups items into batches: each child execution gets ``{"Items": [...], **batch_input}``."""

    max_items_per_batch: int | None = None
    max_input_bytes_per_batch: int | None = None
    """At most 262,144 bytes (256 KiB)."""
    batch_input: dict[str, Any] | None = None

    def to_asl(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.max_items_per_batch is not None:
            out["MaxItemsPerBatch"] = self.max_items_per_batch
        if self.max_input_bytes_per_batch is not None:
            out["MaxInputBytesPerBatch"] = self.max_input_bytes_per_batch
        if self.batch_input is not None:
            out["BatchInput"] = self.batch_input
        return out


@dataclass(frozen=True, kw_only=True)
class ResultWriter:
    """Writes the child executions' results to S3 under ``prefix`` instead of the state output."""

    bucket: str
    prefix: str | None = None

    def to_asl(self) -> dict[str, Any]:
        return {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": _s3_location(self.bucket, "Prefix", self.prefix),
        }


@dataclass(frozen=True)
class Map(State):
    """Runs `iterator` once per item of the array at `items_path` (inline mode).

    - ``max_concurrency=0``: how many iterations at once; 0 is "as many as possible" (about 40).
    - ``item_selector``: the input of each iteration (``$$.Map.Item.Value`` is the item).
    - ``tolerated_failure_percentage`` / ``tolerated_failure_count``: failures allowed before the
      Map fails with ``States.ExceedToleratedFailureThreshold``.
    - ``max_items``: a hint for compile warnings only (the most items you expect), not in ASL.
    """

    iterator: Chainable = ()  # type: ignore[assignment]
    items_path: str | Unset = UNSET
    item_selector: Any = UNSET
    max_concurrency: int | None = None
    tolerated_failure_percentage: int | None = None
    tolerated_failure_count: int | None = None
    input_path: str | Unset | None = UNSET
    result_selector: Any = UNSET
    result_path: str | Unset | None = UNSET
    output_path: str | Unset | None = UNSET
    retry: Retry | Sequence[Retry] | None = None
    catch: Catch | Sequence[Catch] | None = None
    max_items: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.iterator, tuple):
            raise TypeError(f"Map {self.name!r} needs an iterator (a state or chain)")
        object.__setattr__(self, "iterator", as_chain(self.iterator))
        object.__setattr__(self, "retry", retries(self.retry))
        object.__setattr__(self, "catch", catches(self.catch))

    @property
    def distributed(self) -> bool:
        return False

    def scopes(self) -> tuple[Chain, ...]:
        return (as_chain(self.iterator),)

    def processor_config(self) -> dict[str, Any]:
        return {"Mode": "INLINE"}

    def asl_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"Type": "Map"}
        if self.items_path is not UNSET:
            fields["ItemsPath"] = self.items_path
        if self.item_selector is not UNSET:
            fields["ItemSelector"] = self.item_selector
        if self.max_concurrency is not None:
            fields["MaxConcurrency"] = self.max_concurrency
        if self.tolerated_failure_percentage is not None:
            fields["ToleratedFailurePercentage"] = self.tolerated_failure_percentage
        if self.tolerated_failure_count is not None:
            fields["ToleratedFailureCount"] = self.tolerated_failure_count
        return fields | dataflow_fields(self) | self.extra_fields()

    def extra_fields(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class DistributedMap(Map):
    """A Map whose iterations run as child executions (up to 10,000 at once).

    - ``reader``: `S3Items` to read the items from S3 (else the array at ``items_path``).
    - ``batcher``: `ItemBatcher` to hand each child a batch of items.
    - ``result_writer``: `ResultWriter` to write the results to S3.
    - ``execution_type``: ``"STANDARD"`` (default; up to a year, exactly once) or ``"EXPRESS"``
      (up to 5 minutes, at least once) child executions.
    - ``label``: a name for the child executions (AWS default: the state name).
    """

    reader: S3Items | None = None
    batcher: ItemBatcher | None = None
    result_writer: ResultWriter | None = None
    execution_type: Literal["STANDARD", "EXPRESS"] = "STANDARD"
    label: str | None = None

    @property
    def distributed(self) -> bool:
        return True

    def processor_config(self) -> dict[str, Any]:
        return {"Mode": "DISTRIBUTED", "ExecutionType": self.execution_type}

    def extra_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.reader is not None:
            fields["ItemReader"] = self.reader.to_asl()
        if self.batcher is not None:
            fields["ItemBatcher"] = self.batcher.to_asl()
        if self.result_writer is not None:
            fields["ResultWriter"] = self.result_writer.to_asl()
        if self.label is not None:
            fields["Label"] = self.label
        return fields
