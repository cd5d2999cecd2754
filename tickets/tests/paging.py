"""Reading API lists in tests: a page's rows, and every row by following ``next``."""


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def walk(client, url, params, *, between_pages=None) -> list[dict]:
    """Every row of a list, following ``next``; ``between_pages(n)`` runs after page n."""
    seen, page = [], 0
    response = client.get(url, params)
    while page < 1000:  # a cursor that never ends fails the test instead of hanging it
        seen += rows(response)
        page += 1
        following = response.json()["next"]
        if not following:
            return seen
        if between_pages:
            between_pages(page)
        response = client.get(following)
    raise AssertionError(f"{url} still has a next page after {page} pages")
