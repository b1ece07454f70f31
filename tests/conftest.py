import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest

# Every model the suite builds, by any code path (plans, rule costs, diagnoses, frontier, batch), is checked
# against the straightforward Pyomo build (tests/reference_model.py), up to this many offers; larger ones in
# test_fast_path.
CHECK_UP_TO_OFFERS = 2_000


@pytest.fixture(autouse=True)
def every_model_equals_the_straightforward_one() -> Iterator[None]:
    """One hook in the builder (`planner.model.observe_builds`) sees every model `build` makes."""
    from fast_path import assert_same_model
    from planner.model import observe_builds

    def checked(data, view, model) -> None:
        # a model of several periods is compared, optimum and plan, with the independent formulation of
        # tests/periods_reference.py (tests/test_periods_properties.py), a two-stage one with that of
        # tests/two_stage_reference.py; the oracle here is of one period, deterministic
        if len(data.offers) <= CHECK_UP_TO_OFFERS and not data.multi_period and not data.two_stage:
            assert_same_model(data, view, model)

    with observe_builds(checked):
        yield
