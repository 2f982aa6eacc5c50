from app.models import Campaign
from tests.factories import add_posts, make_campaign, two_workspaces


def test_sign_in_and_see_campaigns(app, client, auth):
    people = two_workspaces()
    campaign = make_campaign(people["lead"], name="Autumn Glow")
    add_posts(campaign, 3)

    response = auth.login()
    assert response.status_code == 303

    page = client.get("/campaigns").get_data(as_text=True)
    assert f'id="campaign-{campaign.id}"' in page
    assert Campaign.query.count() == 1
