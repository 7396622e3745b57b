"""The marker's faults refuse a wrong code or field with the valid choices listed."""

from __future__ import annotations

import pytest

INI = "[pytest]\nfilterwarnings = error\n"


@pytest.mark.parametrize(
    ("fault", "listed"),
    [
        (
            '{"method": "Create", "code": 503}',
            "*code: must be a google.rpc.Code other than OK, by name or number: "
            "CANCELLED (1), UNKNOWN (2), *, UNAVAILABLE (14), DATA_LOSS (15), "
            "UNAUTHENTICATED (16)*",
        ),
        (
            '{"method": "Create", "colour": "red"}',
            "*colour: unknown field; the fields: kind, method, code, message, times, seconds, "
            "afterPolls*",
        ),
        (
            '{"method": "CreateImage"}',
            "*unknown method 'CreateImage'; known: ImageService.Get, *OperationService.Cancel*",
        ),
    ],
)
def test_a_bad_fault_in_the_marker_lists_the_choices(
    pytester: pytest.Pytester, fault: str, listed: str
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.yc_images(faults=[{fault}])
        def test_bad(yc_fake):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([listed])


@pytest.mark.parametrize(
    ("option", "listed"),
    [
        ("completion='fast'", "*yc_images(completion='fast'): choose one of on-poll, immediate, "
         "manual, clock*"),
        ("unfired_faults='fial'", "*yc_images(unfired_faults='fial'): choose one of fail, ignore*"),
        ("unfinished_operations='no'",
         "*yc_images(unfinished_operations='no'): choose one of fail, ignore*"),
    ],
)  # fmt: skip
def test_a_marker_value_outside_its_choices_is_a_usage_error(
    pytester: pytest.Pytester, option: str, listed: str
) -> None:
    # A misspelt "fail" must not turn the teardown check off in silence.
    pytester.makeini(INI)
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.yc_images({option}, faults=[{{"method": "Create", "code": "UNAVAILABLE"}}])
        def test_bad(yc_fake):
            pass
        """
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines([listed])


def test_a_bad_ini_value_is_one_usage_error_at_start_up(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "yc_images_completion = sometimes\n")
    pytester.makepyfile("def test_one(yc_fake):\n    pass\n\ndef test_two(yc_fake):\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'sometimes' is not one of*"])
    assert "test_two" not in result.stdout.str() + result.stderr.str()
