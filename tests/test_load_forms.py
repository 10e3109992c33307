@pytest.mark.parametrize("name", sorted(p.name for p in DEV.glob("kgc-test_*.html")))
def test_peer_html_fixtures_load_as_grids(name):
    lines = _lines(load_file(DEV / name).text)
    new = next(line for line in lines if line.startswith("一、本年新收"))
    assert len(new.split("\t")) == 10 and new.split("\t")[1:3] == ["", ""]
    review = [line for line in lines if line.startswith("行政复议\t")]
    assert review and len(review[0].split("\t")) == 15
