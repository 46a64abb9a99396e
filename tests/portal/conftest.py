import pytest


@pytest.fixture(autouse=True)
def _region_texts_kept(request):
    """Every page shows the region's and its decision's words (servicelevel/region_texts.py): one query
    the first time a process renders a page on a day, none after. The pages' query counts are those of a
    running portal, where they are kept: read here before the test, on the test's own day (its pinned
    clock taken first), so a count does not depend on which test this process happened to run before."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if transactional or (marker is None and "db" not in request.fixturenames):
        yield
        return
    if "pinned_clock" in request.fixturenames:
        request.getfixturevalue("pinned_clock")
    request.getfixturevalue("db")
    from servicelevel.region_texts import texts

    texts()
    yield
