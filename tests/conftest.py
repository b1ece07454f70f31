import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest

# Every model the suite builds through the pipeline (plans, rule costs, diagnoses) is checked against the
# straightforward Pyomo build (tests/reference_model.py), up to this many offers; larger ones in test_fast_path.
CHECK_UP_TO_OFFERS = 2_000


@pytest.fixture(autouse=True)
def every_model_equals_the_straightforward_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.analysis
    import planner.diagnose
    import planner.pipeline
    from fast_path import assert_same_model
    from planner.model import build

    def checked(data, view="plan"):
        model = build(data, view)
        if len(data.offers) <= CHECK_UP_TO_OFFERS:
            assert_same_model(data, view, model)
        return model

    for module in (planner.pipeline, planner.analysis, planner.diagnose):
        monkeypatch.setattr(module, "build", checked)
