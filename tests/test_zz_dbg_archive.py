from tests.test_archiving import *
def test_dbg(people, member):
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]
    page = text_of(member.archive(ids, current_url=LIST_URL))
    print("PAGE", page[-3000:])
    assert 0
