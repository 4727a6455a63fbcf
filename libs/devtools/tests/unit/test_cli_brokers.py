import pytest

from akiba_devtools.cli import build_parser


def test_stack_up_takes_a_number_of_brokers_and_defaults_to_what_runs() -> None:
    parser = build_parser()

    assert parser.parse_args(["stack", "up", "--brokers", "3"]).brokers == 3
    assert parser.parse_args(["stack", "up"]).brokers is None


@pytest.mark.parametrize("bad", ["0", "-1", "three", "10"])
def test_stack_up_refuses_a_number_of_brokers_it_cannot_run(
    bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["stack", "up", "--brokers", bad])

    assert "number of brokers" in capsys.readouterr().err
