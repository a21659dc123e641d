"""Discovery of flows through the `flowtasks.domains` entry-point group (flowtasks.registry)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from flowtasks import registry
from flowtasks.errors import DefinitionError, FlowNotFoundError
from flowtasks.registry import (
    DomainLoadError,
    compiled,
    compiled_definition,
    domains,
    get_flow,
    load_all,
    load_domain,
    load_flows,
)

FakeDomain = Callable[..., Path]


def test_the_real_demo_domain_is_registered() -> None:
    registry.clear_cache()
    found = domains()
    assert found["demo"].value == "demo_flows.flows"
    assert found["demo"].distribution == "demo_flows"


def test_flows_are_found_by_qualified_name(shop: Path) -> None:
    flows = load_flows()
    assert list(flows) == ["shop.Orders", "shop.Weird"]
    assert flows["shop.Orders"].name == "Orders"
    assert get_flow("shop.Orders") is flows["shop.Orders"]
    assert get_flow("Orders") is flows["shop.Orders"]  # a bare unique name works too


def test_unknown_flow_lists_known_ones_and_suggests(shop: Path) -> None:
    with pytest.raises(FlowNotFoundError) as caught:
        get_flow("shop.Order")
    message = str(caught.value)
    assert "unknown flow 'shop.Order'" in message
    assert "Known flows: shop.Orders, shop.Weird." in message
    assert "Did you mean 'shop.Orders'?" in message
    assert caught.value.exit_code == 2
    with pytest.raises(FlowNotFoundError, match=r"Did you mean 'shop\.Weird'"):
        get_flow("Wierd")


def test_without_all_every_flow_attribute_is_exported(fake_domain: FakeDomain) -> None:
    fake_domain(
        "tiny",
        """
        from flowtasks.dsl import Flow, Pass
        A = Flow("A", Pass("P"))
        also_a = A
        B = Flow("B", Pass("Q"))
        not_a_flow = 3
        """,
    )
    assert list(load_flows()) == ["tiny.A", "tiny.B"]


def test_entry_point_value_may_name_an_attribute(fake_domain: FakeDomain) -> None:
    fake_domain(
        "attr",
        """
        import types
        from flowtasks.dsl import Flow, Pass
        flows = types.SimpleNamespace(__all__=["X"], X=Flow("X", Pass("P")))
        """,
        value="fake_attr_flows:flows",
    )
    assert list(load_flows()) == ["attr.X"]


def test_a_domain_that_fails_to_import_names_the_domain_and_the_error(
    fake_domain: FakeDomain,
) -> None:
    package = fake_domain("broken", "import not_a_module_anywhere\n")
    with pytest.raises(DomainLoadError) as caught:
        load_flows()
    assert str(caught.value) == (
        "domain 'broken' (fake_broken_flows) cannot be loaded: "
        "ModuleNotFoundError: No module named 'not_a_module_anywhere' "
        f"({package / '__init__.py'}:1)"
    )


def test_a_runtime_error_is_located_at_the_domain_s_own_line(fake_domain: FakeDomain) -> None:
    # The innermost frame of the domain's package: the line of the user's code, not flowtasks'.
    package = fake_domain(
        "typo",
        """\
        from flowtasks.dsl import Flow, Pass

        def build() -> Flow:
            return Flow("X", Pass("P"), descripton="typo")

        X = build()
        """,
    )
    with pytest.raises(DomainLoadError) as caught:
        load_flows()
    message = str(caught.value)
    assert message.startswith("domain 'typo' (fake_typo_flows) cannot be loaded: TypeError: ")
    assert "descripton" in message
    assert message.endswith(f" ({package / '__init__.py'}:4)")


def test_a_syntax_error_is_located(fake_domain: FakeDomain) -> None:
    package = fake_domain("syntax", "from flowtasks.dsl import Flow\nX = Flow(\n")
    with pytest.raises(DomainLoadError) as caught:
        load_flows()
    assert str(caught.value).startswith(
        "domain 'syntax' (fake_syntax_flows) cannot be loaded: SyntaxError: "
    )
    assert f"({package / '__init__.py'}:2)" in str(caught.value)


def test_a_qualified_name_loads_only_its_own_domain(shop: Path, fake_domain: FakeDomain) -> None:
    fake_domain("broken", "raise TypeError('bad flow')\n")
    assert get_flow("shop.Orders").name == "Orders"
    assert compiled_definition("shop.Orders")["StartAt"] == "Count"
    assert "fake_broken_flows" not in sys.modules  # never imported
    with pytest.raises(DomainLoadError, match="domain 'broken'"):
        get_flow("broken.Anything")
    flows, broken = load_all()
    assert list(flows) == ["shop.Orders", "shop.Weird"]
    assert list(broken) == ["broken"]
    assert get_flow("Orders") is flows["shop.Orders"]  # a bare name: among the domains that load
    with pytest.raises(DomainLoadError):
        load_flows()  # the strict form still refuses


def test_load_domain_of_an_unknown_domain(shop: Path) -> None:
    assert list(load_domain("shop")) == ["shop.Orders", "shop.Weird"]
    with pytest.raises(FlowNotFoundError, match=r"unknown domain 'nope'\. Known domains: shop\."):
        load_domain("nope")


def test_two_flows_with_one_name_in_a_domain_are_refused(fake_domain: FakeDomain) -> None:
    fake_domain(
        "dup",
        """
        from flowtasks.dsl import Flow, Pass
        A = Flow("Same", Pass("P"))
        B = Flow("Same", Pass("Q"))
        """,
    )
    with pytest.raises(DomainLoadError, match="two different flows are both named 'Same'"):
        load_flows()


def test_compiled_definition_is_cached_asl(shop: Path) -> None:
    definition = compiled_definition("shop.Orders")
    assert definition["StartAt"] == "Count"
    assert definition is compiled_definition("Orders")
    assert compiled("shop.Orders").qualified_name == "shop.Orders"


def test_an_invalid_flow_raises_definition_error(fake_domain: FakeDomain) -> None:
    fake_domain(
        "bad",
        """
        from flowtasks.dsl import Choice, Flow, Pass, Var
        Bad = Flow("Bad", Pass("P") >> Choice("C").when(Var("$.x").is_present(True), "Nowhere"))
        """,
    )
    with pytest.raises(DefinitionError):
        compiled_definition("bad.Bad")


def test_first_distribution_on_sys_path_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder, module in (("one", "first_mod"), ("two", "second_mod")):
        dist = tmp_path / folder / "same_dist-1.0.dist-info"
        dist.mkdir(parents=True)
        (dist / "entry_points.txt").write_text(f"[flowtasks.domains]\nsame = {module}\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "one"), str(tmp_path / "two")])
    assert domains()["same"].value == "first_mod"
