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
