"""Role × view permission matrix: who may open which page and call which API (DESIGN §1)."""
import pytest

from tests.conftest import USERS

READ_PAGES = {
    "/organization/village/list/": {"Admin", "GridWorker", "VillageHead", "TownshipOffice", "Handler",
                                    "CountyOffice", "Department", "Leader"},
    "/category/list/": {"Admin", "GridWorker", "VillageHead", "TownshipOffice", "Handler", "CountyOffice",
                        "Department", "Leader"},
    "/routing-rule/list/": {"Admin", "TownshipOffice", "CountyOffice", "Leader"},
    "/organization/village/add": {"Admin"},
    "/organization/import/": {"Admin"},
    "/category/add": {"Admin"},
    "/settings/form": {"Admin"},
    "/users/list/": {"Admin"},
    "/inbox/list/": set(USERS),
    "/report/list/": set(USERS),
    "/report/add": {"Admin", "GridWorker", "VillageHead", "TownshipOffice", "CountyOffice"},
    "/roles/list/": {"Admin"},
}


@pytest.mark.parametrize("role", USERS)
@pytest.mark.parametrize("url", READ_PAGES)
def test_page_access(client, auth, role, url):
    auth.login(USERS[role])
    response = client.get(url)
    if role in READ_PAGES[url]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", USERS)
def test_only_admin_may_change_organisations_through_the_api(app, client, auth, role):
    from tests.conftest import org_id

    headers = auth.headers(USERS[role])
    body = {"name": "新村", "kind": "village", "parent": org_id(app, "东部管理区")}
    response = client.post("/api/v1/organization/", json=body, headers=headers)
    assert response.status_code == (201 if role == "Admin" else 403)
    assert client.get("/api/v1/category/", headers=headers).status_code == 200


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get("/organization/village/list/")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/api/v1/organization/").status_code == 401


def test_every_role_has_its_menu(client, auth):
    auth.login("grid_a")
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "村居" in page and "新建上报" in page and "系统设置" not in page
    auth.logout()
    auth.login("committee")  # reads cases, files none
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "我的待办" in page and "新建上报" not in page
    auth.logout()
    auth.login("admin")
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "系统设置" in page and "导入机构" in page


def test_the_menu_counts_the_cases_waiting_for_the_unit(app, client, auth):
    from tests.workflow_helpers import Api

    api = Api(client, auth)
    for _ in range(2):
        api.act("grid_a", api.create(app), "submit")
    auth.login("township")
    page = client.get("/inbox/list/").get_data(as_text=True)
    assert '我的待办 <span class="badge">2</span>' in page
