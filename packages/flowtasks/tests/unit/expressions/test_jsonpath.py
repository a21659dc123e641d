"""JSONPath reading as Step Functions does it.

Sources:
- AWS developer guide, "Using JSONPath paths" / "Reference paths"
  (https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html);
- ASL spec, "Paths" and "Reference Paths" (https://states-language.net/spec.html#path);
- Step Functions evaluates paths with Jayway JsonPath (its error texts, e.g.
  "No results for path: $['a']", appear verbatim in AWS causes);
- LocalStack's AWS-recorded templates (localstack/localstack,
  tests/aws/services/stepfunctions/templates/base/statemachines/pass_result_regex_json_path.json5)
  use filters such as ``$.users[?(@.status == 0)]`` and the ``$.[?(...)]`` form;
- localstack issue 12318: on AWS ``$[*].type`` over ``{}`` yields ``[]``, not an error;
- localstack issue 11321: on AWS ``$.items[0]`` yields the item itself, not ``[item]``.
"""

from __future__ import annotations

import pytest

from flowtasks.expressions.jsonpath import ContextObject, PathNotFound, check_path, compile_path

STORE = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
            {
                "category": "fiction",
                "author": "Herman Melville",
                "title": "Moby Dick",
                "isbn": "0-553-21311-3",
                "price": 8.99,
            },
        ],
        "bicycle": {"color": "red", "price": 19.95},
    },
    "key with spaces": 1,
    "dotted.key": 2,
    "it's": 3,
}
CONTEXT = {
    "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run", "Input": {}},
    "State": {"Name": "First", "RetryCount": 0},
}


def read(path: str, data: object = STORE, context: object = CONTEXT) -> object:
    return compile_path(path)(data, context)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", STORE),
        ("$.store.bicycle.color", "red"),
        ("$['store']['bicycle']['color']", "red"),
        ('$["store"]["bicycle"]["price"]', 19.95),
        ("$['key with spaces']", 1),
        ("$['dotted.key']", 2),
        ("$['it\\'s']", 3),
        ("$.store['bicycle'].color", "red"),
        ("$.store.['bicycle']", {"color": "red", "price": 19.95}),  # the guide's $.abc.['def ghi']
        ("$.store.book[0].title", "Sayings"),
        ("$.store.book[-1].title", "Moby Dick"),
        ("$.store.book[2].isbn", "0-553-21311-3"),
    ],
)
def test_definite_paths_select_one_value(path: str, expected: object) -> None:
    assert read(path) == expected


def test_array_index_yields_the_item_not_a_list() -> None:
    # localstack issue 11321 (AWS behaviour): "firstItem.$": "$.items[0]" -> "alpha"
    assert read("$.items[0]", {"items": ["alpha", "bravo"]}) == "alpha"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.store.book[*].author", ["Nigel Rees", "Evelyn Waugh", "Herman Melville"]),
        ("$.store.book.*.title", ["Sayings", "Sword", "Moby Dick"]),
        ("$.store.bicycle.*", ["red", 19.95]),
        ("$.store.book[0:2].title", ["Sayings", "Sword"]),
        ("$.store.book[:2].title", ["Sayings", "Sword"]),
        ("$.store.book[1:].title", ["Sword", "Moby Dick"]),
        ("$.store.book[-2:].title", ["Sword", "Moby Dick"]),
        ("$.store.book[::2].title", ["Sayings", "Moby Dick"]),
        ("$.store.book[0,2].title", ["Sayings", "Moby Dick"]),
        ("$.store.bicycle['color','price']", ["red", 19.95]),
        ("$.store.book[5:9]", []),
    ],
)
def test_wildcards_slices_and_unions_return_lists(path: str, expected: object) -> None:
    assert read(path) == expected


@pytest.mark.parametrize(
    ("path", "titles"),
    [
        ("$.store.book[?(@.price < 10)]", ["Sayings", "Moby Dick"]),
        ("$.store.book[?(@.price > 10)]", ["Sword"]),
        ("$.store.book[?(@.price <= 8.99)]", ["Sayings", "Moby Dick"]),
        ("$.store.book[?(@.price >= 12.99)]", ["Sword"]),
        ("$.store.book[?(@.category == 'fiction')]", ["Sword", "Moby Dick"]),
        ('$.store.book[?(@.category == "reference")]', ["Sayings"]),
        ("$.store.book[?(@.category != 'fiction')]", ["Sayings"]),
        ("$.store.book[?(@.isbn)]", ["Moby Dick"]),
        ("$.store.book[?(!@.isbn)]", ["Sayings", "Sword"]),
        ("$.store.book[?(@.price < 10 && @.category == 'fiction')]", ["Moby Dick"]),
        ("$.store.book[?(@.price > 10 || @.isbn)]", ["Sword", "Moby Dick"]),
        (
            "$.store.book[?((@.price > 10 || @.isbn) && @.category == 'fiction')]",
            ["Sword", "Moby Dick"],
        ),
        ("$.store.book[?(@.author =~ /.*REES/i)]", ["Sayings"]),
        ("$.store.book[?(@.category in ['reference', 'poetry'])]", ["Sayings"]),
        ("$.store.book[?(@.category nin ['reference'])]", ["Sword", "Moby Dick"]),
        ("$.store.book[?(@.price < $.store.bicycle.price)]", ["Sayings", "Sword", "Moby Dick"]),
        ("$.store.book.[?(@.price > 10)]", ["Sword"]),
    ],
)
def test_filters(path: str, titles: list[str]) -> None:
    assert [book["title"] for book in read(path)] == titles  # type: ignore[attr-defined]


def test_filter_comparisons_do_not_mix_types() -> None:
    data = {"items": [{"v": 1}, {"v": "1"}, {"v": True}, {"v": 1.0}, {"v": None}]}
    assert read("$.items[?(@.v == 1)]", data) == [{"v": 1}, {"v": 1.0}]
    assert read("$.items[?(@.v == '1')]", data) == [{"v": "1"}]
    assert read("$.items[?(@.v == true)]", data) == [{"v": True}]
    assert read("$.items[?(@.v == null)]", data) == [{"v": None}]
    assert read("$.items[?(@.v > 0)]", data) == [{"v": 1}, {"v": 1.0}]


def test_filter_on_the_root_array() -> None:
    # LocalStack's AWS-recorded template: "FromInput.$": "$[?(@.year <= 1999)]"
    movies = [{"name": "a", "year": 1998}, {"name": "b", "year": 2001}]
    assert read("$[?(@.year <= 1999)]", movies) == [{"name": "a", "year": 1998}]
    assert read("$.[?(@.year < 1999)].name", movies) == ["a"]


def test_deep_scan() -> None:
    assert read("$..price") == [8.95, 12.99, 8.99, 19.95]
    assert read("$..author")[0] == "Nigel Rees"  # type: ignore[index]
    assert read("$.store..color") == ["red"]
    assert read("$..book[0].title") == ["Sayings"]
    assert read("$..[?(@.isbn)].title") == ["Moby Dick"]


def test_indefinite_paths_yield_an_empty_list_when_nothing_matches() -> None:
    # localstack issue 12318: on AWS, "types.$": "$[*].type" with input {} gives []
    assert read("$[*].type", {}) == []
    assert read("$.missing[*]", {}) == []
    assert read("$.store.book[?(@.price > 100)]") == []
    assert read("$..nothing") == []


def test_functions() -> None:
    assert read("$.store.book.length()") == 3
    assert read("$.store.bicycle.length()") == 2
    assert read("$.store.book[*].price.sum()") == pytest.approx(30.93)
    assert read("$.store.book[*].price.min()") == 8.95
    assert read("$.store.book[*].price.max()") == 12.99
    assert read("$.store.book[*].price.avg()") == pytest.approx(10.31)
    assert read("$.store.bicycle.keys()") == ["color", "price"]
    assert read("$.store.book[*].title.first()") == "Sayings"
    assert read("$.store.book[*].title.last()") == "Moby Dick"
    with pytest.raises(PathNotFound):
        read("$.store.bicycle.color.length()")


def test_context_paths_read_the_context_object() -> None:
    assert read("$$.Execution.Id") == CONTEXT["Execution"]["Id"]  # type: ignore[index]
    assert read("$$.State.Name") == "First"
    assert read("$$") == CONTEXT
    assert read("$$.State.*") == ["First", 0]


def test_values_of_every_json_type() -> None:
    data = {"s": "x", "i": 1, "f": 1.5, "b": False, "n": None, "l": [], "o": {}}
    for key, value in data.items():
        assert read(f"$.{key}", data) == value


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("$.a", {}, "No results for path: $['a']"),
        ("$.a.b", {"a": {}}, "No results for path: $['a']['b']"),
        ("$.a.b", {}, "Missing property in path $['a']"),
        ("$.a[3]", {"a": [1]}, "No results for path: $['a'][3]"),
        ("$.a.b", {"a": "text"}, "Expected to find an object with property ['b'] in path $['a']"),
        ("$.a[0]", {"a": "text"}, "No results for path: $['a'][0]"),
        ("$.a[0]", {"a": {"0": 1}}, "No results for path: $['a'][0]"),
    ],
)
def test_definite_path_selecting_nothing_raises(path: str, data: object, message: str) -> None:
    with pytest.raises(PathNotFound) as caught:
        read(path, data)
    assert str(caught.value).startswith(message)
    assert caught.value.path == path


def test_a_string_is_not_indexed_like_an_array() -> None:
    with pytest.raises(PathNotFound):
        read("$.s[0]", {"s": "abc"})
    with pytest.raises(PathNotFound):
        read("$.s.x", {"s": "abc"})


def test_null_is_a_value_not_a_missing_path() -> None:
    assert read("$.a", {"a": None}) is None
    with pytest.raises(PathNotFound):
        read("$.a.b", {"a": None})


def test_compiled_readers_are_cached() -> None:
    assert compile_path("$.cached.path") is compile_path("$.cached.path")


@pytest.mark.parametrize(
    "path",
    [
        "$",
        "$$",
        "$.a.b",
        "$$.Execution.Input.x",
        "$['a b'].c",
        "$.a[0]",
        "$.a[*]",
        "$.a[1:2]",
        "$..x",
        "$.a[?(@.b == 1)]",
        "$.a.length()",
    ],
)
def test_valid_paths(path: str) -> None:
    assert check_path(path) is None


@pytest.mark.parametrize(
    "path",
    [
        "",
        "a.b",
        ".a",
        "$.",
        "$.a.",
        "$[",
        "$['a'",
        "$.a[x]",
        "$.a b",
        "$.a[?(@.b ==)]",
        "$.a.foo()",
    ],
)
def test_invalid_paths_are_reported(path: str) -> None:
    message = check_path(path)
    assert message is not None
    assert "JSONPath" in message
    with pytest.raises(ValueError, match="JSONPath"):
        compile_path(path)


@pytest.mark.parametrize("path", ["$", "$.a", "$.a.b", "$['a b'].c", "$.a[0]", "$$.Execution.Id"])
def test_reference_paths_accept_single_nodes(path: str) -> None:
    assert check_path(path, reference=True) is None


@pytest.mark.parametrize(
    "path", ["$.a[*]", "$.a.*", "$.a[0:2]", "$.a[0,1]", "$..a", "$.a[?(@.b)]", "$.a.length()"]
)
def test_reference_paths_refuse_what_can_select_several_nodes(path: str) -> None:
    # ASL spec, "Reference Paths": the operators "@", ",", ":" and "?" are not supported,
    # a Reference Path must identify a single node.
    message = check_path(path, reference=True)
    assert message is not None
    assert "Reference Path" in message


def test_whole_context_reads_as_a_plain_dict_without_variables() -> None:
    # "$$" is the context object itself (AWS guide, "Accessing execution data from the Context
    # object"); workflow variables are not part of it.
    context = ContextObject({"Execution": {"Id": "e"}}, variables={"x": 1})
    value = compile_path("$$")(None, context)
    assert type(value) is dict
    assert value == {"Execution": {"Id": "e"}}
